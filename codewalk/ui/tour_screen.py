"""The main screen: steps list, code, note; stepping through the tour.

Places and jumps are :class:`~codewalk.ui.places.Places`' (any pinned repository),
lookups under the cursor :class:`~codewalk.ui.lookups.LookupActions`', another version
of the step's symbol :class:`~codewalk.ui.version_diff.VersionDiff`'s. Every call into
the workspace runs in a thread worker and posts its answer back; the workspace is
reached on one thread (:class:`~codewalk.ui.session.NavThread`). A failure becomes a
notification.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, OptionList
from textual.worker import Worker, WorkerState, get_current_worker

from codewalk.resolve.model import BODY_KINDS
from codewalk.tours.model import ResolvedLink, ResolvedStep
from codewalk.ui.calls_panel import CallsPanel
from codewalk.ui.code_view import CodeView
from codewalk.ui.columns import NARROW_TRACE, Columns
from codewalk.ui.header import TourHeader
from codewalk.ui.history import Location, step_location
from codewalk.ui.keys import DIGITS_TOGETHER_S, TOUR_BINDINGS, typed_number
from codewalk.ui.links_panel import LinksPanel, link_text
from codewalk.ui.note import NoteView
from codewalk.ui.palette import ListedStep, SymbolProvider, tour_steps
from codewalk.ui.places import code_column
from codewalk.ui.problem import StepProblem
from codewalk.ui.references import ReferencesPanel
from codewalk.ui.session import TourSession
from codewalk.ui.steps import StepsLegend, StepsList
from codewalk.ui.version_diff import VersionDiff

WARM_UP_AFTER_S = 1.0  # after mounting, load libcst and jedi in the background


class TourScreen(Columns):
    DEFAULT_CSS = """
    TourScreen .steps-column { width: 30; }
    /* a trace's steps are calls drawn behind a guide per level: the names need the room */
    TourScreen.-trace .steps-column { width: 40%; min-width: 30; max-width: 72; }
    """

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {SymbolProvider}

    BINDINGS: ClassVar[list[BindingType]] = TOUR_BINDINGS

    def __init__(self, session: TourSession, *, start_step: int = 0) -> None:
        super().__init__()
        self.session: TourSession | None = session
        self.step_index = max(0, min(start_step, len(session.tour.steps) - 1))
        self.resolved: dict[int, ResolvedStep] = {}
        self._pending: set[int] = set()  # steps being resolved
        self._under_version: tuple[bool, bool] | None = None  # what the version diff hides
        self._typed = ("", 0.0)  # the step number typed so far, and when its last digit was
        self._recorded: str | None = None  # the id last written from here (a trace): R's default

    # -- layout --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TourHeader(id="header")
        with Horizontal(id="body"):
            with Vertical(id="steps-column", classes="steps-column"):
                yield StepsList(id="steps")
                yield StepsLegend(id="legend")
            with Horizontal(id="right"):
                with Vertical(id="center"):
                    yield from code_column(VersionDiff(id="version"))
                    yield LinksPanel(id="links")
                yield NoteView(id="note")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        assert self.session is not None
        if self.session.trace is not None:
            self.add_class("-trace")
            self.narrow = NARROW_TRACE
            self.fit(self.app.size.width)
        self.session.activity.listen(self.query_one(StepProblem).heard)
        judged = self.session.judge_step is not None
        self.query_one(StepsList).set_tour(self.session.tour, self.session.repo, self.session.depths, judged)
        if self.session.executed is not None:  # lines that ran are lit
            self.query_one(StepsLegend).show_ran(judged)
        self.query_one(CodeView).focus()
        self.show_step(self.step_index)
        if judged:  # whether each step ran, in the list: every step resolved, behind the reader's
            self._judge_all()
        for note in self.session.notes:
            self.notify(note, markup=False)
        # once the first step is on screen: what the first call question and jedi load
        self.set_timer(WARM_UP_AFTER_S, self.session.nav.warm_up)

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.activity.listen(None)

    def step_line(self) -> int | None:
        resolved = self.resolved.get(self.step_index)
        target = resolved.target if resolved is not None else None
        code = self.code
        if self.off_tour or target is None or code.source is None or target.path != code.source.path:
            return None
        if target.repo and target.repo != self.here_repo:
            return None
        return target.line if target.kind in BODY_KINDS else None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed (a bug, or an error nobody caught) is a notification."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.log.error(f"worker {event.worker.name} failed: {error!r}")
            self.notify(
                f"{type(error).__name__}: {error}", title="internal error", severity="error", markup=False
            )

    # -- steps ---------------------------------------------------------------------

    def listed_steps(self) -> list[ListedStep]:
        return tour_steps(self.session)

    def step_on_screen(self) -> int | None:
        return self.step_index

    def named_steps_first(self) -> bool:
        return True  # the tour's own stops at the function named, to go back to

    def show_step(self, index: int) -> None:
        """Make step ``index`` (0-based) current and show it."""
        assert self.session is not None
        tour = self.session.tour
        if not tour.steps:
            return
        index = max(0, min(index, len(tour.steps) - 1))
        if index != self.step_index:  # the links listed are the note's of the step left
            self._close_links()
        self.step_index = index
        step = tour.steps[index]
        self.query_one(TourHeader).show(tour.title, index + 1, len(tour.steps))
        self.query_one(StepsList).highlight_step(index)
        self._show_note(index)
        self._set_off_tour(False)
        if self.session.progress is not None:
            try:
                self.session.progress.save(tour.id, index)
            except OSError as error:
                self.notify(f"could not remember progress: {error}", severity="warning", markup=False)
        resolved = self.resolved.get(index)
        if resolved is not None and index not in self._pending and self.stale(resolved):
            del self.resolved[index]  # resolved ahead of the reader, its file changed since
            resolved = None
        if resolved is None:
            self.show_repo(tour.step_repo(step) or self.session.repo)
            self.close_version()
            self.query_one(StepProblem).show_resolving(step.anchor, tour.step_repo(step) or self.session.repo)
            self.code.display = False
            self._request(index)
        else:
            self._display_step(resolved)
            self._request(index + 1)  # ahead of the reader: `n` is then instant

    def _show_note(self, index: int, *, home: bool = True) -> None:
        """Step ``index``'s note under its title; when the tour is walked against a trace,
        whether the step ran in it (known once the step is resolved) under the title;
        ``home``: scrolled to its top (not when the verdict comes to a note being read)."""
        assert self.session is not None
        tour = self.session.tour
        step = tour.steps[index]
        summary = tour.summary if index == 0 and tour.summary.strip() else ""
        verdict = self.session.verdicts.get(index)
        ran = (verdict.said, verdict.ok) if verdict is not None else None
        self.query_one(NoteView).show(
            step.title or step.anchor, step.note, summary, len(step.links), ran, home=home
        )

    def _request(self, index: int) -> None:
        """Resolve step ``index`` in a worker, unless done or under way."""
        assert self.session is not None
        known = index in self.resolved or index in self._pending
        if index < len(self.session.tour.steps) and not known:
            self._pending.add(index)
            self._resolve(index)

    @work(thread=True, exit_on_error=False, group="resolve")
    def _resolve(self, index: int) -> None:
        assert self.session is not None
        resolved = self.resolved_or_said(index, lambda error: self._failed(index, error))
        if resolved is None:
            return
        self.app.call_from_thread(self._resolved, index, resolved)  # on screen first
        # the steps before it were resolved on the way (in order, for their context): marked
        # in the list after it, at once (a trace's tour opened deep has a thousand of them)
        try:
            earlier = [(i, self.session.resolve(i)) for i in range(index) if i not in self.resolved]
        except Exception as error:
            self.app.call_from_thread(self._failed, index, error)
            return
        if earlier:
            self.app.call_from_thread(self._resolved_earlier, earlier)

    @work(thread=True, exit_on_error=False, group="judge")
    def _judge_all(self) -> None:
        """Resolve every step, in order, one at a time on the nav thread (what the reader
        asks meanwhile waits for one step, not the tour), each marked in the list as it
        comes, with whether it ran in the trace the tour is walked against; until the
        screen is left (Textual cancels its workers), when the marks are no one's."""
        assert self.session is not None
        worker = get_current_worker()
        for index in range(len(self.session.tour.steps)):
            if worker.is_cancelled:
                return
            try:
                resolved = self.session.resolve(index)
            except Exception:  # said when the reader reaches the step; the others are judged
                continue
            if worker.is_cancelled:  # left while it resolved: no list to mark
                return
            self.app.call_from_thread(self._judged, index, resolved)

    def _judged(self, index: int, resolved: ResolvedStep) -> None:
        if index not in self.resolved and index not in self._pending:
            self._resolved_earlier([(index, resolved)])
        self._mark_verdicts([index])

    def _mark_verdicts(self, indexes: list[int]) -> None:
        """Mark in the list whether these steps ran in the trace the tour is walked
        against (those judged so far)."""
        assert self.session is not None
        steps = self.query_one(StepsList)
        for index in indexes:
            verdict = self.session.verdicts.get(index)
            if verdict is not None:
                steps.judge(index, verdict.word, verdict.ok)

    def _failed(self, index: int, error: Exception) -> None:
        self._pending.discard(index)
        self.notify(f"step {index + 1}: {error}", severity="error", title="resolve failed", markup=False)
        if index == self.step_index:
            self.show_unresolvable(f"Step {index + 1}", error, "n / p: next / previous step")

    def _resolved_earlier(self, steps: list[tuple[int, ResolvedStep]]) -> None:
        for index, resolved in steps:
            self._pending.discard(index)
            self.resolved[index] = resolved
        self.query_one(StepsList).mark_many({index: resolved.status for index, resolved in steps})
        self._mark_verdicts([index for index, _ in steps])

    def _resolved(self, index: int, resolved: ResolvedStep) -> None:
        assert self.session is not None
        self._pending.discard(index)
        first = index not in self.resolved
        self.resolved[index] = resolved
        self.query_one(StepsList).mark(index, resolved.status)
        self._mark_verdicts([index])
        if index == self.step_index and first:
            if index in self.session.verdicts:  # shown before it was known
                self._show_note(index, home=False)
            if not self.off_tour:
                self._display_step(resolved)
            self._request(index + 1)  # ahead of the reader: `n` is then instant

    def _display_step(self, resolved: ResolvedStep) -> None:
        where = step_location(resolved)
        if where is None:
            self.show_problem(resolved)
            return
        self.say_if_guessed(resolved)
        if resolved.target is not None and resolved.target.kind in ("module", "file"):
            # a step on a whole file: where the reader last was in it, this session
            last = self.file_positions.get(where.file)
            if last is not None:
                where = replace(where, line=last[0], col=last[1])
        self._open(where)

    def action_next_step(self) -> None:
        self.show_step(self.step_index + 1)

    def action_previous_step(self) -> None:
        self.show_step(self.step_index - 1)

    def action_digit(self, digit: str) -> None:
        """Jump to the step the digit names; digits typed in quick succession make one
        number (``1``, ``8``, ``5``: step 1, then 18, then 185), each jumped to at once."""
        assert self.session is not None
        typed, at = self._typed
        now = time.monotonic()
        steps = len(self.session.tour.steps)
        number = typed_number(typed if now - at < DIGITS_TOGETHER_S else "", digit, steps)
        self._typed = (number, now)
        if number and int(number) <= steps:
            self.show_step(int(number) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if isinstance(event.option_list, StepsList):
            event.stop()
            index = event.option_list.step_of(event.option)
            if index is not None:
                self._focus_code = True  # once the step is on screen (it may be resolving)
                self.show_step(index)

    def action_return_to_step(self) -> None:
        if self.off_tour and self.location is not None:
            resolved = self.resolved.get(self.step_index)
            there = step_location(resolved) if resolved else None
            if there is not None:
                self.history.push(self._here(), there)
        self.show_step(self.step_index)

    # -- another version of the step's symbol ----------------------------------------

    async def action_other_version(self) -> None:
        """Ask for another version of the step's symbol and show its diff in place of
        the code; again (or escape) goes back to the code."""
        if self.query_one(VersionDiff).shown:
            self.close_version()
            return
        assert self.session is not None
        resolved = self.resolved.get(self.step_index)
        if resolved is None:
            self.notify("this step is still being resolved", markup=False)
            return
        info = self.session.info(resolved.repo)
        if info is not None and info.unread:  # the program's own file: no version but the one that ran
            self.notify(f"versions: {info.unread}", markup=False)
            return
        await self.query_one(VersionDiff).ask(self.session, resolved, self._make_room_for_version)

    def _make_room_for_version(self) -> None:
        if self._under_version is None:
            problem = self.query_one(StepProblem)
            self._under_version = (self.code.display, problem.has_class("-shown"))
            self.code.display = False
            problem.hide()
            self.add_class("-version-open")

    def close_version(self) -> None:
        diff = self.query_one(VersionDiff)
        if diff.shown:
            diff.close()
        self._restore_from_version()

    def _restore_from_version(self) -> None:
        if self._under_version is None:
            return
        code_shown, problem_shown = self._under_version
        self._under_version = None
        self.remove_class("-version-open")
        self.code.display = code_shown
        self.query_one(StepProblem).set_class(problem_shown, "-shown")
        if code_shown:
            self.code.focus()

    def on_version_diff_closed(self, event: VersionDiff.Closed) -> None:
        self._restore_from_version()

    def action_close_references(self) -> None:
        """``escape``: closes a panel, or the version diff (even while it is reading)."""
        super().action_close_references()
        links = self.query_one(LinksPanel)
        if links.shown:
            links.close()
            self.code.focus()
        self.close_version()

    # -- recording ---------------------------------------------------------------------

    async def action_record(self) -> None:
        """Record this tour: its steps, to edit, reorder and add to, then write back."""
        from codewalk.errors import TourError
        from codewalk.tours.discovery import read_tour
        from codewalk.tours.recording import draft_of, refusal_to_record
        from codewalk.ui.record_screen import RecordScreen

        assert self.session is not None
        if self.session.trace is not None:
            await self._record_new(self._recorded or self.session.trace)
            return
        tour = self.session.tour
        refused = refusal_to_record(tour)
        if refused is not None:
            self.notify(f"{refused.message}; {refused.hint}", severity="warning", markup=False, timeout=12)
            return
        try:
            text = tour.path.read_text(encoding="utf-8")
            again = read_tour(tour.path)
        except (OSError, UnicodeDecodeError, TourError) as error:
            self.notify(f"cannot record {tour.id}: {error}", severity="error", markup=False)
            return
        if again.steps != tour.steps:
            self.notify(f"{tour.path} changed since it was opened: open it again to record", markup=False)
            return
        self.app.push_screen(RecordScreen(self.session, draft_of(tour, text), on_disk=text))

    async def _record_new(self, default: str) -> None:
        """A tour recorded from where the reader is (a trace is no tour file): its id asked
        for, a new one written where ``tour --new ID`` writes it; the id of one of the
        reader's own tours adds to it (``R`` again further on in a trace: the id written
        last is asked by default)."""
        from codewalk.errors import TourError
        from codewalk.tours.recording import draft_of, new_draft
        from codewalk.tours.saving import new_tour_place, own_tour
        from codewalk.ui.ask import Ask
        from codewalk.ui.record_screen import RecordScreen

        here = self._here() if self.code.source is not None and self.code.display else None

        def answered(tour_id: str | None) -> None:
            if not tour_id:
                return
            assert self.session is not None
            try:
                mine = own_tour(tour_id, self.session.tours_dirs)
                if mine is not None:
                    text = mine.path.read_text(encoding="utf-8")
                    adding = RecordScreen(self.session, draft_of(mine, text), on_disk=text, start=here)
                    self._recorded = tour_id
                    self.app.push_screen(adding)
                    return
                path = new_tour_place(tour_id, self.session.tours_dirs)
            except (OSError, UnicodeDecodeError, TourError) as error:
                self.notify(f"cannot record {tour_id}: {error}", severity="error", markup=False, timeout=10)
                return
            draft = new_draft(tour_id, path, self.session.tour.repo)
            recording = RecordScreen(self.session, draft, on_disk=None, start=here)

            def left(_: object) -> None:  # an id left unwritten is no tour to add to
                if recording.wrote:
                    self._recorded = tour_id

            self.app.push_screen(recording, left)

        # the recorder opens here with no step added (the reader may move on first): said
        # here, where a reader who expected this step in the tour looks
        asked = (
            "Record a tour here: a adds the step on screen to it.\nA new id, or one of your tours to add to:"
        )
        await self.app.push_screen(Ask(asked, default), answered)  # its field focused: typing goes there

    # -- the note's links ---------------------------------------------------------------

    def close_other_panels(self) -> None:
        """The links give way to the calls or the references asked for after them (left
        open under them, they took the code's last lines on an 80x24 terminal)."""
        links = self.query_one(LinksPanel)
        if links.shown:
            links.close()

    def action_links(self) -> None:
        """List the note's links (again: the next one); ``enter`` follows one."""
        panel = self.query_one(LinksPanel)
        if panel.shown:
            panel.next_link()
            return
        resolved = self.resolved.get(self.step_index)
        step = resolved.step if resolved is not None else None
        if step is None or not step.links:
            self.notify("this step's note has no codewalk: links", markup=False)
            return
        assert resolved is not None
        if not resolved.links:
            self.notify(f"step {step.index} did not resolve: its links cannot be followed", markup=False)
            return
        for other in (self.query_one(ReferencesPanel), self.query_one(CallsPanel)):
            other.close()
        self.add_class("-panel-open")
        panel.show_links(resolved.links, resolved.repo)

    def _close_links(self) -> None:
        links = self.query_one(LinksPanel)
        if links.shown:
            links.close()
            if not (self.query_one(ReferencesPanel).shown or self.query_one(CallsPanel).shown):
                self.remove_class("-panel-open")
            self.code.focus()

    def on_links_panel_chosen(self, event: LinksPanel.Chosen) -> None:
        self.follow_link(event.link)

    def on_note_view_link_clicked(self, event: NoteView.LinkClicked) -> None:
        resolved = self.resolved.get(self.step_index)
        found = [link for link in resolved.links if link.link.target == event.target] if resolved else []
        if found:
            self.follow_link(found[0])
        else:
            self.notify("this step is still being resolved", markup=False)

    def follow_link(self, link: ResolvedLink) -> None:
        """Go where a note's link points (off tour, like ``g``: ``b`` comes back)."""
        target = link.target
        if not link.ok or target is None or link.lines is None:
            self.notify(link.error or f"{link_text(link)} does not resolve", severity="warning", markup=False)
            return
        if not self._known(link.repo):  # its first use may fetch it: its file is read after
            self._describe_then(link.repo, lambda: self.follow_link(link))
            return
        region = link.lines if link.link.focus is not None else None
        there = Location(
            link.path,
            link.line,
            self.name_col(link.repo, link.path, link.line, target.qualname),
            None,
            (target.start_line, target.end_line),
            region,
            repo=link.repo,
        )
        self._go(there, what=target.qualname)
        self.code.focus()

    def on_links_panel_closed(self, event: LinksPanel.Closed) -> None:
        self.remove_class("-panel-open")
        self.code.focus()
