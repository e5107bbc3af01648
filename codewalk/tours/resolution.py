"""Tour steps at a pin: each ``Step`` becomes a ``ResolvedStep`` (where it landed,
the focused statement, or why it did not resolve).

Steps are resolved one at a time (``resolve_step``), in order (``TourSteps``), so a UI
can resolve the step it shows first and the rest when they are asked for, and a plain
tour prints each step as soon as it is resolved. A short name in ``at`` is resolved in the
context of the tour: the modules of the steps before it in the same repo, most recent
first. The workspace indexes only the modules a query needs, so a tour never waits for
the full index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from difflib import get_close_matches
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from codewalk.errors import CodewalkError, PinError, QueryError
from codewalk.resolve.model import Resolved
from codewalk.source.checkout import repo_at_version
from codewalk.source.pins import close_repos, unknown_repo
from codewalk.source.versions import in_range, release_of
from codewalk.tours.focus import branch_bodies
from codewalk.tours.linking import resolve_links
from codewalk.tours.model import (
    Lines,
    ResolvedStep,
    ResolvedTour,
    Step,
    StepStatus,
    Tour,
)
from codewalk.tours.targets import ambiguity, find_step_target, module_of, region_lines

if TYPE_CHECKING:
    from codewalk.workspace.pinned import PinnedStack
    from codewalk.workspace.workspace import Workspace


def context_after(context: Sequence[str], resolved: ResolvedStep, package_root: str) -> tuple[str, ...]:
    """The context for the next step: this step's module first, then the earlier ones.
    An ambiguous step's target is a guess among its candidates: it scopes nothing."""
    if resolved.target is None or resolved.status == "ambiguous":
        return tuple(context)
    module = module_of(resolved.target.path, package_root)
    if module is None:
        return tuple(context)
    return (module, *(m for m in context if m != module))


def resolve_step(workspace: Workspace, tour: Tour, step: Step, context: Sequence[str] = ()) -> ResolvedStep:
    """Resolve one step in ``workspace`` (the step's repo), with ``context`` the modules
    of the previous steps, most recent first."""
    checkout = workspace.checkout

    def make(
        status: StepStatus,
        target: Resolved | None = None,
        *,
        regions: tuple[Lines, ...] = (),
        bodies: tuple[Lines | None, ...] = (),
        candidates: tuple[Resolved, ...] = (),
        suggestions: tuple[str, ...] = (),
        error: str | None = None,
    ) -> ResolvedStep:
        return ResolvedStep(
            step=step,
            status=status,
            target=target,
            focus=regions[0] if regions else None,
            candidates=candidates,
            suggestions=suggestions,
            error=error,
            repo=target.repo if target is not None and target.repo else checkout.repo,
            version=target.version if target is not None and target.version else checkout.version,
            regions=regions,
            bodies=bodies,
        )

    if step.versions is not None and not in_range(release_of(checkout.version), step.versions):
        return make(
            "skipped",
            error=f"not read at {repo_at_version(checkout.repo, checkout.version)}: "
            f"this step is for {checkout.repo} {step.versions}",
        )
    for key, value in (("at", step.at), ("file", step.file), *(("focus", f) for f in step.focus)):
        if value is not None and "\0" in value:  # the loader refuses these; a Step built elsewhere may not
            return make("missing", error=f"{key!r} {value!r} contains a NUL character")
    if step.file is not None:
        found = _file_target(workspace, step.file)
        if isinstance(found, str):
            return make("missing", suggestions=_file_suggestions(workspace, step.file), error=found)
        target: Resolved = found
        candidates: tuple[Resolved, ...] = (found,)
        suggestions: tuple[str, ...] = ()
    else:
        assert step.at is not None
        try:
            result = find_step_target(workspace, step.at, context)
        except QueryError as exc:  # the step's query; the index failing (a full disk) is no step's fault
            return make("missing", error=exc.message)
        if not result.results:
            why = f": {result.note}" if result.note else ""  # Class exists, but defines no member
            return make(
                "missing",
                suggestions=tuple(result.suggestions),
                error=f"{step.at!r} names nothing in {repo_at_version(checkout.repo, checkout.version)}{why}",
            )
        candidates = tuple(result.matches) or tuple(result.results)
        target = candidates[0]
        suggestions = tuple(result.suggestions)
        unclear = ambiguity(checkout, step.at, candidates, context)
        if unclear is not None:
            return make(
                "ambiguous",
                target,
                regions=_regions(workspace, target, step, tour.path).lines,
                candidates=unclear.candidates,
                suggestions=unclear.suggestions,
                error=unclear.message,
            )
    regions = _regions(workspace, target, step, tour.path)
    if regions.problem is not None:
        return make("missing", target, candidates=candidates, error=regions.problem)
    return make(
        "resolved",
        target,
        regions=regions.lines,
        bodies=regions.bodies,
        candidates=candidates,
        suggestions=suggestions,
    )


def steps_over(
    tour: Tour, stack: PinnedStack, workspace_of: Callable[[str], Workspace | None] | None = None
) -> TourSteps:
    """``tour``'s steps over the repositories of ``stack``: each step in its repository's
    workspace (``workspace_of``, else the stack's; a repository not pinned is None, and the
    step says so). The one way ``tour``, ``check``, ``export``, the UI and the recorder's
    check after a write read a tour."""

    def pinned(name: str) -> Workspace | None:
        return stack.workspace(name) if name in stack.pins else None

    return TourSteps(tour, workspace_of or pinned, stack.first_pin, tuple(stack.pins))


class TourSteps:
    """A tour's steps, resolved one at a time and in order, each in the workspace of its
    repo (its own ``repo``, else the tour's, else ``default``) with the context of the
    earlier steps *in that repo*.

    ``workspace_of(repo)`` gives a repo's workspace (a note's link may reach any pin);
    ``None`` means no such pin (the step is missing, the close ``known`` repos suggested), a
    :class:`CodewalkError` a pin that cannot be read (the step is missing, with why:
    another repository is no better guess)."""

    def __init__(
        self,
        tour: Tour,
        workspace_of: Callable[[str], Workspace | None],
        default: str,
        known: Sequence[str] = (),
    ) -> None:
        self.tour = tour
        self.default = default
        self._workspace_of = workspace_of
        self._known = tuple(known)
        self._contexts: dict[str, tuple[str, ...]] = {}
        self._done: list[ResolvedStep] = []

    def repo_of(self, step: Step) -> str:
        return self.tour.step_repo(step) or self.default

    def __call__(self, index: int) -> ResolvedStep:
        """Step ``index`` (0-based), resolving the steps before it first."""
        while len(self._done) <= index:
            self._done.append(self._next(self.tour.steps[len(self._done)]))
        return self._done[index]

    def resolved(self) -> ResolvedTour:
        """Every step, in order."""
        return ResolvedTour(self.tour, tuple(self(index) for index in range(len(self.tour.steps))))

    def _next(self, step: Step) -> ResolvedStep:
        repo = self.repo_of(step)
        try:
            workspace = self._workspace_of(repo)
        except PinError as exc:  # no such pin: the ones there are
            return unopened(step, repo, exc.message, close_repos(self._known, repo))
        except CodewalkError as exc:  # a pin whose source cannot be had: nothing to suggest
            return unopened(step, repo, exc.message)
        if workspace is None:
            error = unknown_repo(self._known, repo).message
            return unopened(step, repo, error, close_repos(self._known, repo))
        context = self._contexts.get(repo, ())
        resolved = resolve_step(workspace, self.tour, step, context)
        self._contexts[repo] = context_after(context, resolved, workspace.checkout.package_root)
        return resolve_links(resolved, workspace, self._workspace_of, self._contexts[repo])


def unopened(step: Step, repo: str, error: str, suggestions: Sequence[str] = ()) -> ResolvedStep:
    """A step whose repository could not be opened (unknown, or its source not to be
    had): missing, with the reason."""
    return ResolvedStep(
        step=step,
        status="missing",
        target=None,
        focus=None,
        candidates=(),
        suggestions=tuple(suggestions),
        error=error,
        repo=repo,
        version="",
    )


def _where(path: object, line: int) -> str:
    """``file:line: `` for a message, when the tour came from a file."""
    return f"{path}:{line}: " if path else ""


def _regions(workspace: Workspace, target: Resolved, step: Step, tour_path: object = None) -> _Regions:
    """The lines of each of the step's regions in ``target`` (with the body of each that
    is a branch's header), or what went wrong with the first that did not resolve."""
    if not step.focus:
        return _Regions((), (), None)
    try:
        text = workspace.source_text(target.path)
    except (CodewalkError, OSError, ValueError) as exc:  # ValueError: a NUL in the path
        return _Regions((), (), f"cannot read {target.path}: {exc}")
    found: list[Lines] = []
    for number, focus in enumerate(step.focus):
        lines, problem = region_lines(text, target, focus)
        if problem is not None:
            which = f"focus {number + 1} " if len(step.focus) > 1 else "focus "
            if problem == "timeout":
                where = _where(tour_path, step.focus_line(number))
                return _Regions(tuple(found), (), f"{where}{which}pattern took too long")
            return _Regions(tuple(found), (), f"{which}{problem}")
        assert lines is not None
        found.append(lines)
    bodies = branch_bodies(text, (target.start_line, target.end_line), found)
    return _Regions(tuple(found), bodies, None)


class _Regions(NamedTuple):
    lines: tuple[Lines, ...]
    bodies: tuple[Lines | None, ...]  # of each region that is the header of a branch or loop
    problem: str | None


def _file_target(workspace: Workspace, path: str) -> Resolved | str:
    """The whole file as a target, or what went wrong."""
    checkout = workspace.checkout
    try:
        root = checkout.root.resolve()
        full = (checkout.root / path).resolve()
        if not full.is_relative_to(root):
            return f"file {path!r} leaves the checkout"
        at = repo_at_version(checkout.repo, checkout.version)
        if full.is_dir():
            return f"file {path!r} is a directory in {at}, not a file"
        if not full.is_file():
            return f"file {path!r} does not exist in {at}"
        text = workspace.source_text(path)
    except (CodewalkError, OSError, ValueError) as exc:  # ValueError: a NUL in the path
        return f"cannot read {path!r}: {exc}"
    module = module_of(path, checkout.package_root)
    return Resolved(
        repo=checkout.repo,
        qualname=module or path,
        kind="file",
        path=path,
        line=1,
        start_line=1,
        end_line=max(1, text.count("\n") + (0 if text.endswith("\n") else 1)),
        via="file",
        signature="",
        version=checkout.version,
    )


def _file_suggestions(workspace: Workspace, path: str) -> tuple[str, ...]:
    parent = PurePosixPath(path).parent
    root = workspace.checkout.root.resolve()
    directory = workspace.checkout.root / parent
    try:
        if not directory.is_dir() or not directory.resolve().is_relative_to(root):
            return ()
        # files of the checkout only: a symlink out of it is never offered
        names = [p.name for p in directory.iterdir() if p.is_file() and p.resolve().is_relative_to(root)]
    except (OSError, ValueError):
        return ()
    close = get_close_matches(PurePosixPath(path).name, names, n=3, cutoff=0.6)
    return tuple(str(parent / name) for name in close)
