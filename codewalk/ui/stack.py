"""The real objects behind a tour session: the pinned stack, each repository described
for the UI, and the step's symbol compared with another version.

Built by the launcher and handed to the app (:mod:`codewalk.ui.launch`); they run on the
session's nav thread. The UI itself knows them only through ``ui.ports`` and
``ui.session``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from codewalk.errors import CodewalkError
from codewalk.source.checkout import SourceKind
from codewalk.source.reporter import Reporter, transfer_text
from codewalk.source.versions import same_version
from codewalk.tours.model import ResolvedStep, Tour
from codewalk.ui.session import CheckFinding, Permalink, RepoInfo, web_permalink
from codewalk.ui.versions import DiffSide, StepDiff, older_first, version_label

if TYPE_CHECKING:
    from codewalk.resolve.model import Resolved
    from codewalk.source.checkout import Checkout
    from codewalk.source.pins import Pin
    from codewalk.workspace.compare import Located
    from codewalk.workspace.pinned import PinnedStack
    from codewalk.workspace.workspace import Workspace

Say = Callable[[str], None]


def checkout_reader(checkout: Checkout) -> Callable[[str], str]:
    """Read a repo-relative file of ``checkout`` (never outside it), as the pin has it:
    a cached file that was edited is restored first (or refused, in words)."""
    from codewalk.source.integrity import read_verified

    resolved_root = checkout.root.resolve()
    pinned = checkout._replace(root=resolved_root)

    def read(path: str) -> str:
        full = (resolved_root / path).resolve()
        if resolved_root not in full.parents:
            raise ValueError(f"{path}: not a path inside the checkout")
        data = read_verified(pinned, full.relative_to(resolved_root).as_posix())
        return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")

    return read


def permalink_of(checkout: Checkout, pin: Pin | None) -> Permalink:
    if pin is None:
        return web_permalink("", "")
    return web_permalink(pin.url, checkout.permalink_ref)


def describer(pins: Mapping[str, Pin]) -> Callable[[Workspace], RepoInfo]:
    """How a repository's workspace is described for the UI; ``pins`` are the pins as
    the pins file has them (the versions to offer besides the one read)."""

    def describe(workspace: Workspace) -> RepoInfo:
        checkout = workspace.checkout
        pin = pins.get(checkout.repo)
        return RepoInfo(
            repo=checkout.repo,
            version=checkout.version,
            read=checkout_reader(checkout),
            root=checkout.root,
            permalink=permalink_of(checkout, pin),
            pinned=pin.release_version if pin is not None else "",
            read_only=checkout.kind is not SourceKind.LOCAL,  # the cache: read it, never change it
            package_root=checkout.package_root,
        )

    return describe


def check_tour(repos: PinnedStack, tour: Tour) -> list[CheckFinding]:
    """What ``codewalk check`` says of ``tour`` at the pins read: each problem of a broken
    step, then each note warning, with its step (0-based)."""
    from codewalk.tours.note_warnings import tour_warnings
    from codewalk.tours.resolution import steps_over
    from codewalk.tours.targets import names_a_definition

    resolved = steps_over(tour, repos).resolved()
    found = [
        CheckFinding(
            step.step.index - 1, f"step {step.step.index} ({step.step.anchor}): {problem}", broken=True
        )
        for step in resolved.broken
        for problem in step.problems
    ]

    def source_text(repo: str, path: str) -> str:
        return repos.workspace(repo).source_text(path)

    def defines(repo: str, name: str) -> bool:
        return names_a_definition(repos.workspace(repo), name)

    found += [
        CheckFinding(warning.step - 1, warning.message, broken=False)
        for warning in tour_warnings(resolved, source_text, defines)
    ]
    return found


class Saying(Reporter):
    """A sync's progress, said in words to the UI (a percent at a time)."""

    def __init__(self, say: Say, what: str) -> None:
        self.say = say
        self.what = what
        self._started = time.monotonic()
        self._percent = -1

    def phase(self, text: str) -> None:
        self._started = time.monotonic()
        self._percent = -1
        self.say(f"{self.what}: {text}")

    def transfer(self, done: int, total: int | None) -> None:
        percent = int(100 * done / total) if total else done // 1_000_000
        if percent != self._percent:
            self._percent = percent
            self.say(f"{self.what}: {transfer_text(done, total, time.monotonic() - self._started)}")

    def note(self, text: str) -> None:
        self.say(f"{self.what}: {text}")


class VersionReader:
    """The session's :class:`~codewalk.ui.session.OtherVersions`: each version asked for
    is opened once (a :class:`PinnedStack` of its own, fetched on first use, off the nav
    thread) and kept for the session; compared on the nav thread."""

    def __init__(self) -> None:
        self._stacks: dict[str, PinnedStack] = {}
        self._lock = threading.Lock()

    def fetch(self, spec: str, repo: str, say: Say) -> None:
        with self._lock:
            if spec in self._stacks:
                return
        from codewalk.source import cached
        from codewalk.source.sync import ensure_checkout, kinds_for, source_mode
        from codewalk.workspace.pinned import PinnedStack

        stack = PinnedStack(at=[spec])  # REPO@installed: asks the python on PATH
        pin = stack.pins[repo]
        mode = source_mode()
        if stack.source_path is None and cached.current(pin, kinds_for(pin, mode), stack.home) is None:
            what = f"fetching {repo} {pin.release_version}"
            say(f"{what} …")
            ensure_checkout(pin, mode=mode, reporter=Saying(say, what))  # the cache's lock per repo
        with self._lock:
            kept = self._stacks.setdefault(spec, stack)
        if kept is not stack:  # fetched twice at once: one is enough
            stack.close()

    def compare(self, repos: PinnedStack, resolved: ResolvedStep, spec: str, say: Say) -> StepDiff:
        from codewalk.workspace.compare import hunks

        repo = resolved.repo
        with self._lock:
            stack = self._stacks[spec]
        here, there = repos.workspace(repo), stack.workspace(repo)
        here_label = version_label(repo, here.checkout.version)
        there_label = version_label(repo, there.checkout.version)
        say(f"reading {resolved.step.anchor} at {there_label} …")
        mine, theirs = _locate_both(here, there, resolved)
        sides = older_first(
            DiffSide(here_label, mine.target, mine.how, mine.code, on_screen=True),
            DiffSide(there_label, theirs.target, theirs.how, theirs.code),
        )
        located = (mine, theirs) if sides[0].on_screen else (theirs, mine)
        both = mine.target is not None and theirs.target is not None
        return StepDiff(
            name=resolved.step.anchor if mine.target is None else _short(mine.target),
            before=sides[0],
            after=sides[1],
            hunks=tuple(hunks(*located)) if both else (),
            suggestions=tuple(theirs.suggestions or mine.suggestions),
            note=_note(here, there, stack.notes, spec),
        )


def _note(here: Workspace, there: Workspace, notes: list[str], spec: str) -> str:
    """What the reader should know about the two sides: how ``spec`` was chosen, and
    when it is the version on screen after all."""
    said = list(notes)
    if here.checkout.root.resolve() == there.checkout.root.resolve():
        said.append(
            f"both sides read the same checkout ({here.checkout.root.name}): a local source is read as it is"
        )
    elif same_version(here.checkout.version, there.checkout.version):
        said.append(f"{spec} is the version on screen")
    return "; ".join(said)


def _short(target: Resolved) -> str:
    return target.path if target.kind == "file" else ".".join(target.qualname.split(".")[-2:])


def _locate_both(here: Workspace, there: Workspace, resolved: ResolvedStep) -> tuple[Located, Located]:
    """The step's symbol on screen and at the other version, followed from one to the
    other as ``codewalk diff`` follows it (qualified name, query, then a rename)."""
    from codewalk.workspace.compare import Located, code_of, follow, locate

    step = resolved.step
    target = resolved.target if resolved.status in ("resolved", "ambiguous") else None
    if step.file is not None:
        mine = _same_file(here, step.file, "the step's file")
        return mine, _same_file(there, step.file, "the same path")
    assert step.at is not None
    if target is not None:
        mine = Located(target, "the step", code_of(here, target))
        return mine, follow(there, step.at, target, mine.code)
    # not resolved here (skipped, missing): the query may still name it, here or there
    mine = locate(here, step.at)
    if mine.target is None:
        mine = Located(None, resolved.error or mine.how, "", mine.suggestions)
    if mine.target is not None:
        return mine, follow(there, step.at, mine.target, mine.code)
    return mine, locate(there, step.at)


def _same_file(workspace: Workspace, path: str, how: str) -> Located:
    from codewalk.resolve.model import Resolved
    from codewalk.workspace.compare import Located

    checkout = workspace.checkout
    try:
        text = workspace.source_text(path)
    except (CodewalkError, ValueError) as error:
        message = error.message if isinstance(error, CodewalkError) else str(error)
        return Located(None, f"no file {path} there ({message})", "")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    target = Resolved(
        repo=checkout.repo,
        qualname=path,
        kind="file",
        path=path,
        line=1,
        start_line=1,
        end_line=max(1, len(lines)),
        via=how,
        signature="",
        version=checkout.version,
    )
    return Located(target, how, "\n".join(lines))
