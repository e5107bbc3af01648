"""Recording a tour where the reader reads: move through the code as in a tour (``g``,
``b``, ``ctrl+p``, ``x``, ``c``), add a step at the cursor (``a``), write its note with a
live preview (``e``), order the steps (``[`` ``]``, ``D``), undo a change (``u``), write
the file (``w``) and see at once what ``check`` says of it.

The draft (:class:`~codewalk.tours.recording.Draft`) is a value the screen replaces at
each edit; the YAML is written by :mod:`codewalk.tours.yaml_edit`, which keeps the
file's comments and layout, and only to the file the recording started from, or to a
new file that nothing has taken meanwhile (:mod:`codewalk.tours.saving`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from time import monotonic
from typing import ClassVar, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import Footer, OptionList

from codewalk.errors import TourError, TourFileTaken
from codewalk.tours.loader import parse_tour
from codewalk.tours.model import ResolvedStep
from codewalk.tours.recording import Draft, DraftStep, Spot, refusal_to_anchor, step_at
from codewalk.tours.saving import beside, write_tour
from codewalk.ui.calls_panel import CallsPanel
from codewalk.ui.columns import Columns
from codewalk.ui.confirm import Confirm
from codewalk.ui.header import TourHeader
from codewalk.ui.help import RECORD_KEYS, HelpScreen
from codewalk.ui.history import Location, step_location
from codewalk.ui.note import NoteView
from codewalk.ui.note_editor import Edited, NoteEditor
from codewalk.ui.palette import ListedStep, SymbolProvider
from codewalk.ui.places import code_column
from codewalk.ui.problem import StepProblem
from codewalk.ui.record_panel import RecordPanel, statuses
from codewalk.ui.references import ReferencesPanel
from codewalk.ui.session import CheckFinding, TourSession
from codewalk.visible import visible

_R = TypeVar("_R")  # what a dialog returns

TOLD = 3  # the check's findings said in its toast: each is a few lines long, the rest is counted
LEAVE_AGAIN = 5.0  # seconds in which a second q leaves without writing; the warning shows as long

HINT = (
    "[b]Recording a tour.[/b]\n\n"
    "[b]ctrl+p[/b] finds a symbol (in any pinned repository), [b]g[/b] goes to the definition of the "
    "name at the cursor, [b]b[/b] comes back.\n\n"
    "[b]a[/b] adds a step at the cursor: on the symbol around it, lit on its statement (or on the "
    "lines chosen with shift+↑ / shift+↓). [b]e[/b] writes its note, [b]w[/b] writes the tour.\n\n"
    "[b]s[/b] shows or hides the steps column: the file the tour is written to, its steps and "
    "what the check after [b]w[/b] says of each."
)

# with no step selected: the tour has none, or the recording started on a place of the
# reader's own (``R`` in a trace, adding to a tour of theirs)
_NONE_SELECTED = ("*No step yet.*", "*No step selected: n selects the first, a adds one last.*")
_NO_STEP_FOR_NOTE = (
    "no step to write a note for: a adds one at the cursor",
    "no step selected: n selects one, a adds one at the cursor",
)

Checked = tuple[str | None, str | None, tuple[str, ...], str | None, str]  # what a check read of a step


class RecordScreen(Columns):
    DEFAULT_CSS = """
    RecordScreen NoteView { width: 34%; }
    """

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {SymbolProvider}
    # no v here; A mends a step: moved to the cursor, its note kept
    PROBLEM_KEYS = "A: move the step to the cursor   n / p: next / previous step   ctrl+p: search a symbol"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_step", "Add"),  # a step: the intro says so (80 columns hold the footer)
        Binding("A", "reanchor", "Move here", show=False),
        # priority bindings, run as the app reads the key: the editor is on screen, its
        # title focused, before the keys typed after e in one burst are read (as bindings
        # of the code view's, those keys had gone to the code view, and were dropped)
        Binding("e", "edit_note", "Note", priority=True),
        Binding("E", "edit_tour", "Tour title", show=False, priority=True),
        # [ ] are said in the steps column, where the order they change is seen: the
        # footer keeps its room for s, which shows that column on a slim terminal
        Binding("left_square_bracket", "move(-1)", "Up", show=False),
        Binding("right_square_bracket", "move(1)", "Down", show=False),
        Binding("D", "delete_step", "Delete"),
        Binding("u", "undo", "Undo", show=False),
        Binding("w", "write", "Write"),
        Binding("s", "toggle_steps", "Steps"),
        Binding("n", "select(1)", "Next", show=False),
        Binding("p", "select(-1)", "Prev", show=False),
        Binding("g", "goto_definition", "Def"),
        Binding("b", "back", "Back"),
        Binding("f", "forward", "Fwd", show=False),
        Binding("x", "references", "Callers", show=False),
        Binding("c", "calls", "Calls", show=False),
        Binding("escape", "leave", "Close", show=False),
        Binding("question_mark", "help", "Help"),
        # q closes the recorder as it closes every screen opened over another (the help,
        # the tours list, the version chooser): back to the tour or trace it was opened
        # from, as escape; it quits where the recorder is the app's own screen (tour --new,
        # --edit, draft --edit). The footer shows the one that applies
        Binding("q", "back_to_tour", "Close"),
        Binding("q", "quit_recording", "Quit"),
        Binding("ctrl+c", "quit_app", "Quit", show=False),
    ]

    def __init__(
        self, session: TourSession, draft: Draft, *, on_disk: str | None, start: Location | None = None
    ) -> None:
        """Record ``draft`` over ``session``'s repositories; ``on_disk`` is the text of
        its file as read (None: the file is new, and may not exist when written); ``start``:
        where the reader was, where the code opens (no step selected: ``a`` adds one last)."""
        super().__init__()
        self.start = start
        self.session: TourSession | None = session
        self.draft = draft
        self.on_disk = on_disk
        self.selected: int | None = 0 if draft.steps and start is None else None
        self.saved = on_disk is not None or not draft.steps  # a draft's steps are not written yet
        self.wrote = False  # the tour written from this recording (once at least)
        self._warned = -LEAVE_AGAIN  # when the first q warned of unsaved steps
        # the draft before each change not written yet, with the step then selected: u
        # goes back one (emptied by a write: the file's text the steps are placed in changed)
        self._undo: list[tuple[Draft, int | None, str]] = []  # each change: before it, and what it did
        # what the last check said of each step (by key), with what it checked of the step:
        # a mark stands while the step is unchanged
        self._checked: dict[int, tuple[Checked, str]] = {}
        # the steps read from the tour that do not resolve (by key): shown again at once
        self._unresolved: dict[int, ResolvedStep] = {}
        self.off_tour = True  # every place is the reader's own: no step to return to
        self._untold: tuple[str, SeverityLevel, float | None] | None = None  # said once a dialog closes

    def compose(self) -> ComposeResult:
        yield TourHeader(id="header")
        with Horizontal(id="body"):
            yield RecordPanel(id="record", classes="steps-column")
            with Horizontal(id="right"):
                with Vertical(id="center"):
                    yield from code_column()
                yield NoteView(id="note")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.code.display = False
        self.code.focus()
        if self.session is not None:
            self.show_repo(self.session.repo)
        self.query_one(StepProblem).show_message(HINT)
        self._refresh()
        if self.selected is not None:
            self._show_place(self.selected)
        elif self.start is not None:
            self._open(self.start)

    # -- what is on screen ---------------------------------------------------------------

    def _refresh(self) -> None:
        draft = self.draft
        total = len(draft.steps)
        number = self.selected + 1 if self.selected is not None else 0
        # the file, not the title: on a slim terminal the steps column that says it is hidden;
        # ● as the column's "● recording" (the words would take the room of the folder)
        self.query_one(TourHeader).show(f"● {file_named(draft.path)}", number, total)
        if self.on_disk is None:
            state = "new: w writes it"
        elif not self.saved:
            state = "changed: w writes it"
        else:
            state = "written" if self.wrote else "as read: nothing to write"
        marks = {
            step.key: checked[1]
            for step in draft.steps
            if (checked := self._checked.get(step.key)) is not None and checked[0] == _checked_part(step)
        }
        for step in draft.steps:  # a step read that does not resolve, not moved since: said as shown
            if step.key in self._unresolved and step.spot is None:
                marks.setdefault(step.key, "broken")
        self.query_one(RecordPanel).show(draft, self.selected, state=state, marks=marks)
        note = self.query_one(NoteView)
        if self.selected is None:
            note.show(draft.title, draft.summary or _NONE_SELECTED[bool(draft.steps)])
        else:
            step = draft.steps[self.selected]
            note.show(step.title or step.anchor, step.note or "*No note yet: e writes it.*")

    def show_step(self, index: int) -> None:
        self._select(index)

    def listed_steps(self) -> list[ListedStep]:
        """The steps being written, as the list beside the code numbers them."""
        repo = self.draft.repo or (self.session.repo if self.session is not None else "")
        return [
            ListedStep(step.title or step.anchor, step.anchor, step.repo or repo) for step in self.draft.steps
        ]

    def step_on_screen(self) -> int | None:
        return self.selected

    def named_steps_first(self) -> bool:
        return False  # a symbol typed is code to add a step at, the step selected kept

    def _set_off_tour(self, off: bool, name: str = "", place: str = "") -> None:
        self.off_tour = True  # a recording has no tour to return to

    def _select(self, index: int) -> None:
        if not self.draft.steps:
            return
        self.selected = max(0, min(index, len(self.draft.steps) - 1))
        self._refresh()
        self._show_place(self.selected)

    def action_select(self, by: int) -> None:
        """The next (``by`` 1) or previous step; with none selected (a step added to a
        tour from a trace goes last), the first or the last."""
        if self.selected is not None:
            self._select(self.selected + by)
        else:
            self._select(0 if by > 0 else len(self.draft.steps) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A step clicked in the list. (Not each step the list highlights: it highlights
        the step the keys select, and its messages, queued behind keys typed quickly,
        selected their steps again, each one's highlight the next's, without end.)"""
        if isinstance(event.option_list.parent, RecordPanel) and event.option_index != self.selected:
            event.stop()
            self._select(event.option_index)

    def _show_place(self, index: int) -> None:
        """Show the code of step ``index``: where it was recorded, else where it resolves,
        else (a step read from the tour that does not resolve) why, in place of the code."""
        step = self.draft.steps[index]
        unresolved = self._unresolved.get(step.key)
        if step.spot is not None:
            self._open(_location(step.spot))
        elif unresolved is not None:
            self._show_unresolved(index, unresolved)
        elif step.tour_step is not None:
            self.code.display = False  # never the code of the step shown before
            repo = step.repo or self.draft.repo or self.here_repo
            self.query_one(StepProblem).show_resolving(step.anchor, repo)
            self._resolve_place(step.key, step.tour_step)

    @work(thread=True, exit_on_error=False, group="resolve")
    def _resolve_place(self, key: int, tour_step: int) -> None:
        resolved = self.resolved_or_said(tour_step, lambda error: self._not_placed(key, error))
        if resolved is not None:
            self.app.call_from_thread(self._placed, key, resolved)

    def _selected_key(self) -> int | None:
        return self.draft.steps[self.selected].key if self.selected is not None else None

    def _not_placed(self, key: int, error: Exception) -> None:
        self.notify(f"cannot resolve it: {error}", severity="error", markup=False)
        if self._selected_key() == key:
            self.show_unresolvable("This step", error)

    def _placed(self, key: int, resolved: ResolvedStep) -> None:
        """Step ``key`` as it resolved: where it is, kept as its place; or why it does not
        resolve, shown in place of the code while it is the step selected."""
        steps = list(self.draft.steps)
        found = [n for n, step in enumerate(steps) if step.key == key]
        if not found:
            return
        where = step_location(resolved)
        if where is None:
            self._unresolved[key] = resolved
            self._refresh()  # its mark: it does not resolve
            if self.selected == found[0]:
                self._show_unresolved(found[0], resolved)
            return
        spot = Spot(where.repo, where.path, where.line, where.span or (where.line, where.line), where.regions)
        steps[found[0]] = replace(steps[found[0]], spot=spot)
        self.draft = replace(self.draft, steps=tuple(steps))
        if self.selected == found[0]:
            self.say_if_guessed(resolved)
            self._open(_location(spot))

    def _show_unresolved(self, index: int, resolved: ResolvedStep) -> None:
        """Why step ``index`` does not resolve, numbered where it is now (it was resolved
        as the tour read had it: steps deleted or moved since renumber it)."""
        self.show_problem(replace(resolved, step=replace(resolved.step, index=index + 1)))

    # -- editing -----------------------------------------------------------------------

    def _changed(self, draft: Draft, selected: int | None, what: str) -> None:
        """``draft`` the tour now, step ``selected`` selected; ``what``: the change, as
        ``u`` says it undid it (``step 3 (Model.forward) added``)."""
        self._undo.append((self.draft, self.selected, what))
        self.draft = draft
        self.selected = selected
        self.saved = False
        self._warned = -LEAVE_AGAIN
        self._refresh()

    def _step_here(self) -> DraftStep | None:
        """A step at the cursor (or on the lines chosen); None, said, with no code on screen."""
        code = self.code
        info = self.session.info(self.here_repo) if self.session is not None else None
        if code.source is None or not code.display or info is None:
            self.notify("no code on screen: ctrl+p finds a symbol, g goes to a definition", markup=False)
            return None
        refused = refusal_to_anchor(info.repo, code.source.path)
        if refused is not None:
            self.notify(refused, severity="warning", markup=False)
            return None
        first, last = code.selected_lines or (code.cursor[0], None)
        return step_at(
            "\n".join(code.source.lines),
            repo=info.repo,
            path=code.source.path,
            package_root=info.package_root,
            first=first,
            last=last,
            tour_repo=self.draft.repo or (self.session.repo if self.session else None),
        )

    def action_add_step(self) -> None:
        """A step at the cursor (or on the lines chosen), after the selected one."""
        step = self._step_here()
        if step is None:
            return
        where = self.selected + 1 if self.selected is not None else len(self.draft.steps)
        self._changed(self.draft.add(step, self.selected), where, f"step {where + 1} ({step.anchor}) added")
        self._placed_here(where, step)

    def action_reanchor(self) -> None:
        """The selected step moved to the cursor (or the lines chosen), its title and
        note kept: a focus mended without writing the note again."""
        if self.selected is None:
            self.notify("no step selected: a adds one at the cursor", markup=False)
            return
        step = self._step_here()
        if step is None:
            return
        where = self.selected
        # its focus said too: mending the focus in its symbol is what A is for
        what = f"step {where + 1} put at {_place(step)} (it was at {_place(self.draft.steps[where])})"
        self._changed(self.draft.reanchor(where, step), where, what)
        self._placed_here(where, step)

    def _placed_here(self, where: int, step: DraftStep) -> None:
        """Say what step ``where`` now lights, and show it, the cursor left where it was."""
        code = self.code
        # the focus as the file will hold it (a repr would double a regex's backslashes)
        lit = f", focus: {step.focus[0]}" if step.focus else ", no focus (the symbol's header)"
        self.notify(f"step {where + 1}: {step.anchor}{lit}", markup=False)
        line, col = code.cursor
        self._show_place(where)  # what the step lights
        code.move_cursor(line, col)  # the reader goes on from where they were

    def action_move(self, by: int) -> None:
        if self.selected is None:
            return
        moved = self.draft.move(self.selected, by)
        if moved is not self.draft:
            anchor = self.draft.steps[self.selected].anchor
            what = f"step {self.selected + 1} ({anchor}) moved {'up' if by < 0 else 'down'}"
            self._changed(moved, self.selected + by, what)

    def action_delete_step(self) -> None:
        """Delete the selected step; asked first when it holds the author's words (its
        note or title): ``u`` brings it back only until the tour is written."""
        if self.selected is None:
            return
        index, step = self.selected, self.draft.steps[self.selected]
        if not (step.note.strip() or step.title):
            self._delete(index)
            return
        question = f"Delete step {index + 1} ({step.anchor}) and the note written for it?"
        self._ask(question, lambda: self._delete(index))

    def _delete(self, index: int) -> None:
        if index >= len(self.draft.steps):
            return
        draft, anchor = self.draft.delete(index), self.draft.steps[index].anchor
        what = f"step {index + 1} ({anchor}) deleted"
        self._changed(draft, min(index, len(draft.steps) - 1) if draft.steps else None, what)
        if self.selected is not None:
            self._show_place(self.selected)

    def action_undo(self) -> None:
        """Undo the last change not written yet (a step added, moved, mended with ``A`` or
        deleted, a note or the tour's title edited), the step it selected selected again."""
        if not self._undo:
            since = " since the tour was written" if self.wrote else ""
            self.notify(f"nothing to undo{since}", markup=False)
            return
        before, selected, what = self._undo.pop()
        self.draft = replace(self.draft, steps=before.steps, title=before.title, summary=before.summary)
        self.selected = selected if selected is not None and selected < len(before.steps) else None
        # all undone: the tour as read or last written (a new tour: nothing to lose)
        self.saved = not self._undo and (self.on_disk is not None or not self.draft.steps)
        self._warned = -LEAVE_AGAIN
        self._refresh()
        self.notify(f"undone: {visible(what)}", markup=False)
        if self.selected is not None:
            self._show_place(self.selected)

    async def action_edit_note(self) -> None:
        if self.selected is None:
            self.notify(_NO_STEP_FOR_NOTE[bool(self.draft.steps)], markup=False)
            return
        index = self.selected
        step = self.draft.steps[index]

        def done(edited: Edited | None) -> None:
            if edited is not None and index < len(self.draft.steps):
                title, note = edited
                if (title or None, note) != (step.title, step.note):
                    what = f"the note of step {index + 1} ({step.anchor}) edited"
                    self._changed(self.draft.edit(index, note=note, title=title), index, what)

        await self._dialog(NoteEditor(f"step {index + 1}: {step.anchor}", step.title or "", step.note), done)

    async def action_edit_tour(self) -> None:
        """The tour's title and summary."""

        def done(edited: Edited | None) -> None:
            if edited is None:
                return
            title, summary = edited[0] or self.draft.id, edited[1]  # no title: titled by the id
            if (title, summary) != (self.draft.title, self.draft.summary):
                what = "the tour's title and summary edited"
                self._changed(replace(self.draft, title=title, summary=summary), self.selected, what)

        # a tour titled by its id has no title written yet: the field starts empty, the id
        # its placeholder (else a title typed there was added to the id, "recFrom ...")
        written = "" if self.draft.title == self.draft.id else self.draft.title
        editor = NoteEditor(
            f"the tour {self.draft.id}: its title and summary",
            written,
            self.draft.summary,
            title_label=self.draft.id,
        )
        await self._dialog(editor, done)

    # -- writing -----------------------------------------------------------------------

    def action_write(self) -> None:
        """Write the tour (a new file: once the reader has seen where), then check it."""
        from codewalk.tours.yaml_edit import draft_text

        text = draft_text(self.draft)
        try:
            tour = parse_tour(text, self.draft.path)
        except TourError as error:
            self.notify(f"not written: {error}", severity="error", markup=False, timeout=10)
            return
        if self.on_disk is None:
            question = f"Write the new tour {self.draft.id} to {self.draft.path}?"
            self._ask(question, lambda: self._write(text, tour))
        elif text == self.on_disk and self.draft.path.exists():  # as read: no write, the check alone
            self.saved = True  # edits undone since (a step moved down and up): nothing to lose
            self._refresh()
            self.notify(f"{self.draft.path} holds these steps already; checking it …", markup=False)
            self._check(tour, self.draft.steps)
        else:
            self._write(text, tour)

    def _ask(self, question: str, then: Callable[[], None]) -> None:
        """``then()`` once the reader says yes to ``question``."""
        self._dialog(Confirm(question), lambda yes: then() if yes else None)

    def _dialog(self, dialog: Screen[_R], done: Callable[[_R | None], None]) -> AwaitMount:
        """Open ``dialog`` (a question, an editor), the notifications on screen cleared
        first: they would cover it (a check's findings, up for 30 s, over the note editor
        opened to fix them; the steps column keeps their marks). Awaited, it is on screen."""
        self.app.clear_notifications()
        return self.app.push_screen(dialog, done)

    def _write(self, text: str, tour: object) -> None:
        try:
            write_tour(self.draft.path, text, self.on_disk)
        except TourFileTaken as error:  # not lost: offered its own file again, or one beside it
            gone = self.on_disk is not None and not self.draft.path.exists()
            other = self.draft.path if gone else beside(self.draft.path)
            where = "there again" if gone else f"to {other} instead, as the tour {other.stem}"
            self._ask(f"{error.message}.\nWrite this recording {where}?", lambda: self._write_to(other))
            return
        except TourError as error:
            self.notify(str(error), severity="error", markup=False, timeout=10)
            return
        self.on_disk = text
        self._undo.clear()
        steps = tuple(replace(step, origin=number) for number, step in enumerate(self.draft.steps))
        self.draft = replace(self.draft, text=text, steps=steps)
        self.saved = self.wrote = True
        self._refresh()
        reads = f"codewalk tour {_as_typed(self.draft.path)} reads it"  # wherever the tours path looks
        # the last check's findings (up 30 s) were of the file as it was: this one's follow
        self.app.clear_notifications()
        self.notify(f"wrote {self.draft.path}; checking it … ({reads})", markup=False)
        self._check(tour, steps)

    def _write_to(self, path: Path) -> None:
        """The recording written as a new tour file at ``path``: its own file again (it
        was removed), or one beside it (it changed or appeared), as a tour of another id
        (two files of one id would hide one); ``w`` writes there from then on."""
        from codewalk.tours.yaml_edit import draft_text

        left = self.draft.path
        tour_id = self.draft.id if path == left else path.stem  # rec1.recorded: an id of its own
        self.draft, self.on_disk = replace(self.draft, path=path, id=tour_id), None
        text = draft_text(self.draft)
        try:
            tour = parse_tour(text, path)
        except TourError as error:
            self.notify(f"not written: {error}", severity="error", markup=False, timeout=10)
            return
        self._write(text, tour)
        if self.on_disk == text and path != left:
            self.notify(f"{left} is left as it is; this recording is the tour {tour_id}", markup=False)

    @work(thread=True, exit_on_error=False, group="check")
    def _check(self, tour: object, steps: tuple[DraftStep, ...]) -> None:
        from codewalk.tours.model import Tour

        assert self.session is not None and isinstance(tour, Tour)
        try:
            found = self.session.check_tour(tour)
        except Exception as error:
            self.app.call_from_thread(self.notify, f"check: {error}", severity="error", markup=False)
            return
        self.app.call_from_thread(self._checked_as, found, steps)

    def _checked_as(self, found: Sequence[CheckFinding], steps: tuple[DraftStep, ...]) -> None:
        """Mark ``steps`` (as written) by what the check ``found``."""
        marks = zip(steps, statuses(found, len(steps)), strict=True)
        self._checked = {step.key: (_checked_part(step), status) for step, status in marks}
        self._refresh()
        if not found:
            resolve = "the step resolves" if len(steps) == 1 else f"all {len(steps)} steps resolve"
            self._tell(f"check: {resolve}, no note warnings", "information", None)
            return
        lines = [finding.message for finding in found[:TOLD]]
        if len(found) > TOLD:  # a toast taller than the screen loses its head, the count
            command = f"codewalk check {_as_typed(self.draft.path)}"
            lines.append(f"… and {len(found) - TOLD} more: {command} lists all")
        self._tell(f"check: {len(found)} to fix\n" + "\n".join(lines), "warning", 30)

    def _tell(self, message: str, severity: SeverityLevel, timeout: float | None) -> None:
        """A check's outcome, said now, or once the dialog opened meanwhile (a note being
        edited) closes: it would cover it."""
        if self.app.screen is self:
            self.notify(message, severity=severity, markup=False, timeout=timeout)
        else:
            self._untold = (message, severity, timeout)

    def on_screen_resume(self) -> None:
        if self._untold is not None:
            told, self._untold = self._untold, None
            self._tell(*told)

    # -- leaving -----------------------------------------------------------------------

    def _may_leave(self) -> bool:
        """Leave when all is written, or when asked again while the warning shows: a q
        pressed out of habit long after it still warns."""
        now = monotonic()
        if self.saved or now - self._warned < LEAVE_AGAIN:
            return True
        self._warned = now
        self.notify(
            "changes not written: w writes them; press again to leave without them",
            markup=False,
            timeout=LEAVE_AGAIN,
        )
        return False

    def action_help(self) -> None:
        """The recorder's keys (the app's ``?`` shows the tour's)."""
        self.app.push_screen(HelpScreen(RECORD_KEYS))

    @property
    def over_tour(self) -> bool:
        """Whether the recorder was opened over a tour or a trace (``R``), not as the
        app's own screen."""
        stack = self.app.screen_stack
        return self in stack and stack.index(self) > 1  # the app's default screen is under all

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Of ``q``'s two bindings, the one that applies (the other is hidden, and not run)."""
        if action == "back_to_tour":
            return self.over_tour
        if action == "quit_recording":
            return not self.over_tour
        return True

    def action_quit_recording(self) -> None:
        """``q`` in a recorder that is the app's own screen: quit."""
        self.action_quit_app()

    def action_quit_app(self) -> None:
        """``ctrl+c``: quit, from any recorder."""
        if self._may_leave():
            self.app.exit()

    def action_back_to_tour(self) -> None:
        """``q`` in a recorder opened over a tour or a trace: back to it."""
        if self._may_leave():
            self.dismiss()

    def action_leave(self) -> None:
        """``escape``: closes a panel; else leaves the recording for the tour it was
        started from."""
        if any(panel.shown for panel in (self.query_one(ReferencesPanel), self.query_one(CallsPanel))):
            self.action_close_references()
            return
        if self.over_tour and self._may_leave():
            self.dismiss()


def _place(step: DraftStep) -> str:
    """Where ``step`` is, as ``u`` says it (``Model.__init__, focus: self.size = size``)."""
    return f"{step.anchor}, focus: {step.focus[0]}" if step.focus else f"{step.anchor}, no focus"


def _as_typed(path: Path) -> str:
    """``path`` as a reader types it in the working directory: relative when under it."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


def file_named(path: Path) -> str:
    """The tour's file, its name first (what a short header keeps when it cuts the
    line), then its folder as the reader names it (from the working directory when it
    is under it)."""
    folder = _as_typed(path.parent)
    return path.name if folder == "." else f"{path.name} in {folder}"


def _checked_part(step: DraftStep) -> Checked:
    """What a check reads of a step: its mark stands while these are unchanged."""
    return (step.at, step.file, step.focus, step.repo, step.note)


def _location(spot: Spot) -> Location:
    focus = spot.regions[0] if spot.regions else None
    return Location(spot.path, spot.line, 0, None, spot.span, focus, repo=spot.repo, regions=spot.regions)
