"""Where the reader is, in any pinned repository: opening a place of a file, jumping to a
definition (``g``, the palette, a panel), back and forward, and what leaves the app for
the place on screen (``$EDITOR``, the permalink).

A mixin of the tour screen. Files and positions are kept per ``(repo, path)``; the
header names the repository and version of what is on screen. A place in a repository
the nav thread has not described yet is opened once a worker has (the first jump into
a repository may fetch it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from textual import work
from textual.app import ComposeResult
from textual.widget import Widget

from codewalk.errors import CodewalkError
from codewalk.tours.model import ResolvedStep
from codewalk.traces.lit import import_lines
from codewalk.traces.model import repo_shown
from codewalk.ui.calls_panel import CallsPanel
from codewalk.ui.code_view import CodeView
from codewalk.ui.header import OffTourBanner, TourHeader
from codewalk.ui.highlight import HighlightedSource
from codewalk.ui.history import JumpHistory, Location, symbol_location
from codewalk.ui.lookups import LookupActions
from codewalk.ui.outside import link_to, open_editor
from codewalk.ui.ports import Target
from codewalk.ui.problem import TOUR_KEYS, StepProblem
from codewalk.ui.references import ReferencesPanel
from codewalk.ui.session import RepoInfo
from codewalk.ui.words import name_col


def code_column(*in_place: Widget) -> ComposeResult:
    """The column of the code, as every screen with places has it: the banner of a place
    off the tour, the code, what may stand in its place (``in_place``, then a step's
    problem), the panels of the lookups under it."""
    yield OffTourBanner(id="banner")
    yield CodeView(id="code")
    yield from in_place
    yield StepProblem(id="problem")
    yield ReferencesPanel(id="references")
    yield CallsPanel(id="calls")


class Places(LookupActions):
    """Opening places, jumping, history; the header's repo@version."""

    PROBLEM_KEYS = TOUR_KEYS  # the keys said under a step that does not resolve

    def __init__(self) -> None:
        super().__init__()
        self.step_index = 0
        self.sources: dict[tuple[str, str], HighlightedSource] = {}
        # of each file a trace lit: the lines its import ran in its defs, read from the source
        self.imports: dict[tuple[str, str], tuple[HighlightedSource, frozenset[int]]] = {}
        self.file_positions: dict[tuple[str, str], tuple[int, int]] = {}  # last position per file
        self.history = JumpHistory()
        self.off_tour = False
        self.location: Location | None = None
        self._focus_code = False

    @property
    def here_repo(self) -> str:
        """The repository of the code on screen (the tour's before any is shown)."""
        if self.location is not None and self.location.repo:
            return self.location.repo
        return self.session.repo if self.session is not None else ""

    def show_repo(self, repo: str, version: str = "", path: str = "") -> None:
        """Name ``repo`` and its version in the header (the version read, when known); the
        code on screen at ``path``, whose it is when not the repository's (remote code)."""
        info = self.session.info(repo) if self.session is not None else None
        self.query_one(TourHeader).show_repo(repo, info.version if info is not None else version, path)

    def source(self, repo: str, path: str) -> HighlightedSource:
        """A file of ``repo``, highlighted lazily; kept for the session (a file that may
        change, read again each time: as it is now, or the error that says it changed).
        Raises LookupError when ``repo`` is not described yet, OSError, ValueError or a
        CodewalkError when the file cannot be read."""
        cached = self.sources.get((repo, path))
        info = self.session.info(repo) if self.session is not None else None
        if cached is None or (info is not None and info.changes):
            if info is None:
                raise LookupError(repo)
            text = info.read(path)
            if cached is None or cached.text != text:
                cached = HighlightedSource(path, text)
                self.sources[(repo, path)] = cached
        return cached

    def stale(self, resolved: ResolvedStep) -> bool:
        """Whether a step resolved before the reader came to it is to be resolved again:
        it is in files that may change (the program's own, in a trace) and they are not
        as it was resolved from (it did not resolve, or its file cannot be read as it was)."""
        info = self.session.info(resolved.repo) if self.session is not None else None
        if info is None or not info.changes:
            return False
        if resolved.target is None:
            return True  # its file may be back as it ran
        try:
            info.read(resolved.target.path)
        except (OSError, ValueError, CodewalkError):
            return True
        return False

    def _open(self, where: Location) -> None:
        try:
            source = self.source(where.repo, where.path)
        except LookupError:
            self._describe_then(where.repo, lambda: self._open(where))
            return
        except (OSError, ValueError, CodewalkError) as error:
            self.notify(f"cannot read {where.path} of {where.repo}: {error}", severity="error", markup=False)
            return
        self._remember_position()
        self.close_version()
        self.close_calls()
        self.query_one(StepProblem).hide()
        self.code.display = True
        if self.focused is None or self._focus_code:
            self._focus_code = False
            self.code.focus()
        self.code.show(
            source,
            line=where.line,
            col=where.col,
            span=where.span,
            focus=where.focus,
            top=where.top,
            left=where.left,
            regions=where.regions,
            ran=self._lit(where.repo, source),
            opens=where.opens,
        )
        self.location = where
        self.show_repo(where.repo, path=where.path)

    def _lit(self, repo: str, source: HighlightedSource) -> frozenset[int] | None:
        """The lines of ``source`` a trace read lights (None: no trace, or one that did not
        run ``repo``): those that executed, less a ``def``'s decorators and signature,
        which ran when its module was imported, not when it was called."""
        ran = self.session.ran(repo, source.path) if self.session is not None else None
        if not ran or not source.path.endswith(".py"):
            return ran
        known = self.imports.get((repo, source.path))
        if known is None or known[0] is not source:  # read again: the file changed
            known = self.imports[(repo, source.path)] = (source, import_lines(source.text))
        return ran - known[1]

    def lines_on_screen(self) -> int:
        """How many lines the file on screen has (0: no file is on screen)."""
        source = self.code.source
        return len(source) if source is not None and self.code.display else 0

    def _known(self, repo: str) -> bool:
        return self.session is not None and self.session.info(repo) is not None

    @work(thread=True, exit_on_error=False, group="describe")
    def _describe_then(self, repo: str, then: Callable[[], None]) -> None:
        """Describe ``repo`` on the nav thread (its first use may fetch it), then run
        ``then`` on the UI thread; a repository that cannot be read is a notification."""
        assert self.session is not None
        try:
            self.session.nav.info(repo)
        except Exception as error:
            self.app.call_from_thread(
                self.notify, f"cannot read {repo}: {error}", severity="error", markup=False
            )
            return
        self.app.call_from_thread(then)

    def show_problem(self, resolved: ResolvedStep) -> None:
        """In place of the code: why the step ``resolved`` does not resolve (or is skipped).
        A step whose symbol was found but not its focus shows the symbol's code, the
        problem under it: the code the focus is to be mended in."""
        found = symbol_location(resolved)
        if found is not None:
            self._open(found)
            self.query_one(StepProblem).show_problem(resolved, self.PROBLEM_KEYS, under=True)
            return
        self._remember_position()
        self.close_version()
        self.code.display = False
        self.query_one(StepProblem).show_problem(resolved, self.PROBLEM_KEYS)
        self.show_repo(resolved.repo, resolved.version)
        self.location = None

    def resolved_or_said(self, index: int, failed: Callable[[Exception], None]) -> ResolvedStep | None:
        """Step ``index`` (0-based) resolved, in a worker's thread; None when resolving it
        raised, ``failed`` told why on the app's thread."""
        assert self.session is not None
        try:
            return self.session.resolve(index)
        except Exception as error:
            self.app.call_from_thread(failed, error)
            return None

    def show_unresolvable(self, what: str, error: Exception, keys: str = "") -> None:
        """In place of the code: ``what`` (a step) could not be resolved, and why."""
        text = str(error).replace("[", r"\[")
        said = f"[b red]{what} could not be resolved[/]\n\n{text}" + (f"\n\n[dim]{keys}[/]" if keys else "")
        self.query_one(StepProblem).show_message(said)

    def say_if_guessed(self, resolved: ResolvedStep) -> None:
        """An ambiguous step shows one of its candidates: which, and why it is in doubt."""
        if resolved.status == "ambiguous" and resolved.target is not None:
            shown = resolved.target.qualname
            self.notify(
                f"step {resolved.step.index} is ambiguous, showing {shown}: {resolved.error}",
                markup=False,
                severity="warning",
                timeout=12,
            )

    def close_version(self) -> None:
        """Put the code back in place of another version's diff (the tour screen's)."""

    def _remember_position(self) -> None:
        code = self.code
        if code.source is not None and self.location is not None:
            self.file_positions[(self.location.repo, code.source.path)] = code.cursor

    def _here(self) -> Location:
        code = self.code
        line, col = code.cursor
        base = self.location
        if base is None or code.source is None:
            return Location("", 0, 0, self.step_index)
        step = None if self.off_tour else self.step_index
        return replace(base, line=line, col=col, step=step, top=code.top_line, left=code.left_column)

    def _set_off_tour(self, off: bool, name: str = "", place: str = "") -> None:
        self.off_tour = off
        banner = self.query_one(OffTourBanner)
        if off:
            banner.show_off(self.step_index + 1, name, place)
        else:
            banner.hide()

    def show_step(self, index: int) -> None:
        raise NotImplementedError

    def go_to(self, there: Location) -> None:
        self._go(there)

    def _go(self, there: Location, *, record: bool = True, what: str = "") -> None:
        """Jump to ``there``: a step's place (back on tour) or elsewhere (off tour); in a
        repository not read yet, once it is."""
        if not self._known(there.repo):
            self._describe_then(there.repo, lambda: self._go(there, record=record, what=what))
            return
        if record:
            self.history.push(self._here(), there)
        if there.step is not None:
            if there.step != self.step_index:
                self.show_step(there.step)
            self._set_off_tour(False)
            self._open(there)
        else:
            self._open(there)
            place = f"{there.path.rsplit('/', 1)[-1]}:{there.line}"
            if self.session is not None and there.repo != self.session.repo:
                place = f"{repo_shown(there.repo)}: {place}"  # not "<program>"
            name = what.rsplit(".", 1)[-1]
            self._set_off_tour(True, name, place)

    def jump_to_target(self, target: Target, *, more: str = "") -> None:
        """Go to a definition found by goto, the palette or a panel (off tour), in
        whichever repository it is, the cursor on its name (where ``x`` asks for its
        callers); its header (decorators to the ``def``/``class`` line) is lit. How it
        was reached is said, and ``more`` after it."""
        repo = target.repo or self.here_repo
        if not self._known(repo):  # its first use may fetch it: its file is read after
            self._describe_then(repo, lambda: self.jump_to_target(target, more=more))
            return
        col = self.name_col(repo, target.path, target.line, target.qualname)
        self._go(
            Location(target.path, target.line, col, None, (target.start_line, target.line), repo=repo),
            what=target.qualname,
        )
        said = "; ".join(part for part in (target.via if target.via != "direct" else "", more) if part)
        if said:
            self.notify(said, title=target.qualname.rsplit(".", 1)[-1], timeout=6, markup=False)

    def name_col(self, repo: str, path: str, line: int, qualname: str) -> int:
        """The column of ``qualname``'s name on ``line`` of the file (where ``x`` asks for
        its callers), else of the line's first character."""
        try:
            lines = self.source(repo, path).lines
            return name_col(lines[line - 1], qualname.rsplit(".", 1)[-1]) if 0 < line <= len(lines) else 0
        except (LookupError, OSError, ValueError, CodewalkError):
            return 0  # opening it says what is wrong

    def action_back(self) -> None:
        self._return_to(self.history.back(self._here()), "no earlier jump")

    def action_forward(self) -> None:
        self._return_to(self.history.forward(self._here()), "no later jump")

    def _return_to(self, there: Location | None, none_said: str) -> None:
        if there is None:
            self.notify(none_said, markup=False)
        else:
            self._go(there, record=False)

    # -- outside the app -----------------------------------------------------------

    def _info_on_screen(self) -> RepoInfo | None:
        code = self.code
        if code.source is None or code.shown is None or self.session is None or not code.display:
            return None
        return self.session.info(self.here_repo)

    def action_copy_permalink(self) -> None:
        info = self._info_on_screen()
        if info is None or self.code.shown is None:
            return
        link = link_to(self.code.shown, self.code.cursor[0], info.permalink)
        self.app.copy_to_clipboard(link)
        self.notify(link, title="copied", markup=False)

    def action_open_editor(self) -> None:
        """Run the editor at the cursor's line, the app suspended meanwhile."""
        info = self._info_on_screen()
        if info is None or self.code.source is None:
            return
        open_editor(
            self.app, info.root / self.code.source.path, self.code.cursor[0], read_only=info.read_only
        )
        self.refresh()
