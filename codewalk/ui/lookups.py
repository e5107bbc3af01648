"""What the reader asks about the code under the cursor: go to a definition (``g``), its
callers or the uses of a name (``x``), the calls of the function around it (``c``).

A mixin of the tour screen: each question runs in a worker of the screen's ``nav``
group (a later question cancels an earlier one) and answers in a panel or a jump. A
Python keyword, or ``self``, is not a name to look up: the reader is told so.
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence

from textual import work
from textual.screen import Screen
from textual.worker import get_current_worker

from codewalk.ui.calls_panel import CallsPanel, runs
from codewalk.ui.code_view import CodeView
from codewalk.ui.history import Location
from codewalk.ui.ports import Target
from codewalk.ui.references import ReferencesPanel
from codewalk.ui.session import TargetsRan, TourSession

JEDI_WAIT_S = 5.0  # how long ``g`` waits for jedi once the index has no answer
_ITSELF = {"self": "the instance itself", "cls": "the class itself"}


def not_a_name(word: str) -> str | None:
    """Why ``word`` is nothing to look up (a keyword, ``self``), or None."""
    if keyword.iskeyword(word) or keyword.issoftkeyword(word):
        return f"{word!r} is a Python keyword, not a name to look up"
    if word in _ITSELF:
        return f"{word!r} is {_ITSELF[word]}: move to a name after it"
    return None


class LookupActions(Screen[None]):
    """Go to definition, callers and uses, calls: the tour screen's lookups."""

    session: TourSession | None

    @property
    def here_repo(self) -> str:
        """The repository of the code on screen."""
        raise NotImplementedError

    @property
    def code(self) -> CodeView:
        return self.query_one(CodeView)

    def jump_to_target(self, target: Target, *, more: str = "") -> None:
        raise NotImplementedError

    def go_to(self, there: Location) -> None:
        raise NotImplementedError

    def _word(self) -> tuple[str, int] | None:
        """The name under the cursor (said when there is none, or it is a keyword)."""
        word = self.code.word_under_cursor()
        if word is None:
            self.notify("no name under the cursor", severity="warning", markup=False)
            return None
        why = not_a_name(word[0])
        if why is not None:
            self.notify(why, markup=False)
            return None
        return word

    # -- go to definition ------------------------------------------------------------
    def _name_at_cursor(self) -> tuple[str, int, int, str] | None:
        """``(path, line, col, name)`` of the name under the cursor; None (said when
        there is no name) when there is nothing to ask about."""
        code = self.code
        if code.source is None or self.session is None:
            return None
        word = self._word()
        if word is None:
            return None
        return code.source.path, code.cursor[0], word[1], word[0]

    def action_goto_definition(self) -> None:
        at = self._name_at_cursor()
        if at is not None:
            self._goto(self.here_repo, *at)

    @work(thread=True, exit_on_error=False, exclusive=True, group="nav")
    def _goto(self, repo: str, path: str, line: int, col: int, word: str) -> None:
        assert self.session is not None
        nav = self.session.nav
        try:
            answer = nav.goto_all(repo, path, line, col, fallback=False)
            if not answer.results and not get_current_worker().is_cancelled:
                # Said at once; jedi (seconds on a big module) is asked apart, and what it
                # finds in time replaces this message.
                why = f" ({answer.note})" if answer.note else ""
                said = f"{word}: not in the index{why}; asking jedi…"
                self.app.call_from_thread(self.notify, said, markup=False, timeout=JEDI_WAIT_S)
                later = nav.goto_jedi(repo, path, line, col, timeout=JEDI_WAIT_S)
                if get_current_worker().is_cancelled:
                    return
                self.app.call_from_thread(self.app.clear_notifications)
                if later is None:
                    self.app.call_from_thread(
                        self.notify,
                        f"no definition found for {word}: jedi gave no answer within {JEDI_WAIT_S:g} s",
                        severity="warning",
                        markup=False,
                    )
                    return
                answer = later
        except Exception as error:
            self.app.call_from_thread(self.notify, f"go to {word}: {error}", severity="error", markup=False)
            return
        if get_current_worker().is_cancelled:
            return
        if len(answer.results) > 1:  # a dispatch table's targets, a property and what it returns
            ran = self._ran_targets(repo, path, line, answer.results)
            self.app.call_from_thread(self.list_targets, word, answer.results, ran)
        elif answer.results:
            self._go_to_code_that_runs(repo, path, line, answer.results[0])
        else:
            why = f": {answer.note}" if answer.note else ""
            self.app.call_from_thread(
                self.notify, f"no definition found for {word}{why}", severity="warning", markup=False
            )

    def _go_to_code_that_runs(self, repo: str, path: str, line: int, target: Target) -> None:
        """On the worker's thread: go to ``target``; a ``.pyi`` stub's declaration is said
        with the Rust source that implements it, where ``g`` on the declaration's own name
        goes (as ``find`` and ``show`` name it)."""
        assert self.session is not None
        rust = self.session.nav.compiled(target)
        if get_current_worker().is_cancelled:
            return
        if rust is None:
            self.app.call_from_thread(self.jump_to_target, target)
        elif (target.repo or repo, target.path, target.line) == (repo, path, line):  # on the stub itself
            self.app.call_from_thread(self.jump_to_target, rust)
        else:
            said = f"its Rust source is {rust.path}:{rust.line} (g on its name goes there)"
            self.app.call_from_thread(lambda: self.jump_to_target(target, more=said))

    def close_other_panels(self) -> None:
        """Close the screen's panels other than these lookups' (the tour's links): one
        panel at a time, as the calls and the references give way to each other."""

    def _ran_targets(self, repo: str, path: str, line: int, targets: Sequence[Target]) -> TargetsRan | None:
        """With a trace read, what of ``targets`` ran at ``path:line`` of ``repo``; else None."""
        assert self.session is not None
        if self.session.ran_targets is None:
            return None
        return self.session.ran_targets(repo, path, line, targets)

    def list_targets(self, word: str, targets: Sequence[Target], ran: TargetsRan | None = None) -> None:
        """The definitions ``word`` may reach, listed in the references panel to choose
        from; with a trace read (``ran``), those that ran there first, each marked as the
        calls panel marks a call."""
        self.close_other_panels()
        self.query_one(CallsPanel).close()
        self.query_one(ReferencesPanel).show_targets(word, targets, ran)
        self.add_class("-panel-open")

    # -- callers and uses, calls ---------------------------------------------------------
    def action_references(self) -> None:
        at = self._name_at_cursor()
        if at is None:
            return
        assert self.session is not None
        self.close_other_panels()
        self.query_one(CallsPanel).close()
        self.add_class("-panel-open")
        self.query_one(ReferencesPanel).find(self.session.nav, self.here_repo, *at)

    def action_calls(self) -> None:
        """The calls of the function around the cursor."""
        code = self.code
        if code.source is None or self.session is None:
            return
        known = self.session.nav.known.get(self.here_repo)
        own = self.session.own_calls
        if known is not None and known.unread and own is None:  # a program's file, no trace to ask
            self.notify(f"calls: {known.unread}", markup=False)
            return
        self.close_other_panels()
        self.query_one(ReferencesPanel).close()
        self.add_class("-panel-open")
        if known is not None and known.unread and own is not None:  # a traced program's own file
            text = "\n".join(code.source.lines)
            self.query_one(CallsPanel).find_own(own, code.source.path, text, code.cursor[0])
            return
        ran = self.session.ran(self.here_repo, code.source.path)  # a trace read: what executed
        self.query_one(CallsPanel).find(
            self.session.nav,
            self.here_repo,
            code.source.path,
            code.cursor[0],
            self.step_line(),
            ran,
            self.session.ran_at_calls,
        )

    def step_line(self) -> int | None:
        """The line of the current step's function, when the code on screen is its file:
        what ``c`` lists when the cursor is in no function."""
        return None

    def close_calls(self) -> None:
        """Close the calls panel once the code moves elsewhere: it lists the calls of the
        function the reader asked about, which a jump leaves (``c`` asks again); and the
        definitions a call may reach (``g`` lists them), once one is gone to."""
        calls = self.query_one(CallsPanel)
        references = self.query_one(ReferencesPanel)
        closing = [panel for panel, done in ((calls, calls.shown), (references, references.choosing)) if done]
        for panel in closing:
            panel.close()
        if closing and not references.shown:
            self.remove_class("-panel-open")

    def action_close_references(self) -> None:
        """``escape`` outside a panel (it is not focusable while finding) closes it."""
        for panel in (self.query_one(ReferencesPanel), self.query_one(CallsPanel)):
            if panel.shown:
                panel.close()
                self.code.focus()
        self.remove_class("-panel-open")

    def on_references_panel_chosen(self, event: ReferencesPanel.Chosen) -> None:
        """A use or a caller: its line; a definition a call may reach: as ``g`` goes to
        one (the cursor on its name, its header lit, how it was reached said)."""
        ref = event.reference
        if event.target is not None:
            self.jump_to_target(event.target)
        else:
            self.go_to(Location(ref.path, ref.line, ref.col, None, repo=event.repo))
        self.code.focus()

    def on_references_panel_closed(self, event: ReferencesPanel.Closed) -> None:
        self.remove_class("-panel-open")
        self.code.focus()

    def on_calls_panel_chosen(self, event: CallsPanel.Chosen) -> None:
        row = event.row
        if event.there:  # a trace read: what ran there, the most called
            ran = event.there[0]
            if ran.target is not None:
                self.jump_to_target(ran.target)
            else:
                self.go_to(Location(ran.path, ran.line, repo=ran.repo))
            self.code.focus()
            return
        running = runs(row)
        if len(running) > 1:  # each of them, to choose from; what holds them too
            lines = self.query_one(CallsPanel).ran  # a trace read: none of them ran there
            none_ran = TargetsRan((0,) * len(row.targets), row.line in lines) if lines is not None else None
            self.list_targets(row.expr or row.text, row.targets, none_ran)
            return
        if running:
            self.jump_to_target(running[0])
        else:  # nothing to reach: the call site, and what codewalk knows about it
            self.go_to(Location(event.path, row.line, row.col, None, repo=event.repo))
            if row.how:
                self.notify(row.how, title=row.expr or "this call", timeout=8, markup=False)
        self.code.focus()

    def on_calls_panel_closed(self, event: CallsPanel.Closed) -> None:
        self.remove_class("-panel-open")
        self.code.focus()
