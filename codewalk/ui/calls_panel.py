"""The calls panel (``c``): what the function under the cursor calls, one call per row.

Each row is a call site (its line, the callee as written) and what it reaches, resolved
the way ``codewalk calls`` resolves it; ``enter`` goes to the definition it runs (the
``forward`` of a module an attribute holds), lists them when it may run several (a
dispatch table), or goes to the call site when codewalk cannot tell. With a trace read,
a row says what ran there (its count), ``enter`` goes to it, and a call on a value codewalk
cannot type is listed when something of the pins ran there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from codewalk.calls.model import is_holder
from codewalk.ui.hanging import Hanging
from codewalk.ui.panel import BottomPanel
from codewalk.ui.ports import CallList, CallRow, Target
from codewalk.visible import visible

if TYPE_CHECKING:
    from collections.abc import Callable

    from codewalk.traces.joined import RanThere
    from codewalk.traces.own_calls import OwnCalls
    from codewalk.ui.session import NavThread

    RanAtCalls = Callable[[CallList], Sequence[Sequence[RanThere]]]
    OwnCallsAt = Callable[[str, str, int, bool], OwnCalls | None]  # (path, text, line, module)
    # the calls found, what ran at each, and the lines of their file that executed (a trace read)
    Found = tuple[CallList | None, Sequence[Sequence[RanThere]] | None, frozenset[int] | None]

_STATUS = {"external": "another package", "unresolved": "not resolved", "builtin": "builtin"}


def runs(row: CallRow) -> Sequence[Target]:
    """What the call runs: after what holds it (``self.self_attn``, an ``nn.Module``),
    what calling that runs (``LlamaAttention.forward``; and after each other assignment
    of it, ``self.time_proj`` set to another class, what calling that one runs); else each
    definition it may reach."""
    targets = row.targets
    if len(targets) < 2 or not is_holder(targets[0].kind):
        return targets
    holder = targets[0].qualname
    return [t for t in targets[1:] if not (is_holder(t.kind) and t.qualname == holder)]


def function_name(function: Target) -> str:
    """A function as the panel's title names it: by its class too when it is a method
    (``LlamaModel.forward``: every module has a ``forward``)."""
    parts = function.qualname.split(".")
    return ".".join(parts[-2:] if function.kind in ("method", "property") else parts[-1:])


def call_label(row: CallRow, ran: frozenset[int] | None = None, there: Sequence[RanThere] = ()) -> Hanging:
    """``line``, then the callee as written and what it reaches, wrapped under them (at
    the dots of a long qualified name, never mid-word); with a trace read (``ran``: the
    lines of the file that executed), a call whose line never executed says so (``not
    run``), one whose line executed with no call of the pins recorded there says that
    (``line ran``: a builtin, torch, a cached call), and one that ran functions of the pins
    (``there``, most calls first) names them instead."""
    head = Content.from_markup("[b]$line[/b]  ", line=f"{row.line:>5}")
    written = Content(visible(row.expr or row.text))
    if row.kind == "ref":
        written += Content.assemble(("  (passed)", "dim"))
    if there:
        others = f"  +{len(there) - 1} more ran" if len(there) > 1 else ""
        first, count = visible(there[0].qualname), f"  ran x{there[0].calls}"
        said = written + Content.assemble("  → ", (first, "bold"), (count, "green"), (others, "dim"))
        return Hanging(head, said, at_dots=True)
    idle = Content()
    if ran is not None:  # no call of the pins recorded there: its line did not execute, or did
        idle = Content.assemble(("  not run" if row.line not in ran else "  line ran", "dim"))
    running = runs(row)
    if running:
        first = visible(running[0].qualname)
        more = f"  +{len(running) - 1}" if len(running) > 1 else ""
        said = written + Content.assemble("  → ", (first, "bold"), (more, "dim")) + idle
        return Hanging(head, said, at_dots=True)
    reached = visible(row.external or _STATUS.get(row.status, row.status))
    said = written + Content.assemble(("  → ", "dim"), (reached, "dim italic")) + idle
    return Hanging(head, said, at_dots=True)


def opened_on(rows: Sequence[CallRow], function: Target, line: int | None) -> int:
    """The row the panel opens on: the first call at or after the cursor's line, when the
    cursor is in the function listed (a long function's calls are not scrolled to by
    hand); else its first call."""
    if line is None or not function.start_line <= line <= function.end_line:
        return 0
    return next((n for n, row in enumerate(rows) if row.line >= line), len(rows) - 1)


class CallsPanel(BottomPanel):
    """Hidden until shown; ``enter`` on a row posts :class:`CallsPanel.Chosen`. A row
    too long for the panel wraps at its words and dots: what a call reaches is read whole."""

    DEFAULT_CSS = """
    CallsPanel OptionList { text-wrap: wrap; text-overflow: fold; }
    """

    class Chosen(Message):
        def __init__(self, row: CallRow, path: str, repo: str, there: Sequence[RanThere] = ()) -> None:
            super().__init__()
            self.row = row
            self.path = path  # the file the call sites are in
            self.repo = repo  # and its repository
            self.there = there  # what ran there, in the trace read (most calls first)

    class Closed(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.calls: CallList | None = None
        self.rows: list[CallRow] = []  # the calls listed (builtins and untyped values left out)
        self.ran: frozenset[int] | None = None  # the lines that executed, when a trace is read
        self.there: list[Sequence[RanThere]] = []  # per row listed, what ran there (a trace read)
        self.cursor_line: int | None = None  # where the reader asked: the row opened on
        self.pending: int | None = None
        self._asked = 0

    def compose(self) -> ComposeResult:
        yield Label("", id="calls-title")
        yield OptionList(id="calls-list")

    def find(
        self,
        nav: NavThread,
        repo: str,
        path: str,
        line: int,
        fallback: int | None = None,
        ran: frozenset[int] | None = None,
        ran_at_calls: RanAtCalls | None = None,
    ) -> None:
        """Find the calls of the function around ``path:line`` of ``repo`` (else around
        ``fallback``, the step's own function) and show them; ``ran``: the lines of the
        file a trace read executed (a call at another line is said not to have run);
        ``ran_at_calls``: what ran at each call, in that trace."""

        def search() -> Found:
            found = nav.calls_at(repo, path, line)
            if found is None and fallback is not None:
                found = nav.calls_at(repo, path, fallback)
            there = ran_at_calls(found) if found is not None and ran_at_calls is not None else None
            return found, there, ran

        self._find(search, line)

    def find_own(self, own: OwnCallsAt, path: str, text: str, line: int) -> None:
        """In a program's own file (no workspace reads it): the calls of its function
        around ``line``, else of its module's own statements (a script's main line), a row
        per line of calls, with what the trace read ran there (``own``: asked of it), and
        which of its lines executed (None: code the run did not follow line by line)."""

        def search() -> Found:
            found = own(path, text, line, True)
            if found is None:
                return None, None, None
            return found.calls, found.ran, found.executed

        self._find(search, line)

    def _find(self, search: Callable[[], Found], line: int) -> None:
        """Search in a worker; what it finds is shown unless another search came since
        (nothing of the panel is set from the worker: a stale search changes nothing)."""
        self.cursor_line = line
        self._asked += 1
        token = self._asked
        self.pending = token
        self.calls = None
        self.query_one(Label).update(Content.assemble("reading the calls …  ", ("(escape: close)", "dim")))
        options = self.query_one(OptionList)
        options.clear_options()
        options.loading = True
        self.add_class("-shown")
        self.screen.run_worker(
            lambda: self._search(search, token), thread=True, exit_on_error=False, exclusive=True, group="nav"
        )

    def _search(self, search: Callable[[], Found], token: int) -> None:
        try:
            found, there, ran = search()
        except Exception as error:
            self.app.call_from_thread(self._give_up, token, f"calls: {error}", "error")
            return
        if get_current_worker().is_cancelled:
            self.app.call_from_thread(self._give_up, token)
        elif found is None:
            said = "the cursor is not in a function: no calls to list"
            self.app.call_from_thread(self._give_up, token, said)
        else:
            self.app.call_from_thread(self.show_calls, found, token, there, ran)

    def _give_up(self, token: int, said: str = "", severity: SeverityLevel = "information") -> None:
        """The search for ``token`` found nothing to list, or failed (``said``: why): the
        panel closes and says so, unless another search came since (its answer is the
        one the reader waits for)."""
        if token != self.pending:
            return
        self.abandon(token)
        if said:
            self.notify(said, severity=severity, markup=False)

    def show_calls(
        self,
        calls: CallList,
        token: int | None = None,
        there: Sequence[Sequence[RanThere]] | None = None,
        ran: frozenset[int] | None = None,
    ) -> bool:
        """Fill the panel; False (nothing shown) when another search came since ``token``.
        ``there``: per call, what ran there in the trace read; ``ran``: the lines of the
        calls' file that executed in it."""
        if token is not None and token != self.pending:
            return False
        self.pending = None
        self.calls = calls
        self.ran = ran
        ran_there = there if there is not None else [() for _ in calls.rows]
        listed = [(row, ran) for row, ran in zip(calls.rows, ran_there, strict=True) if not row.minor or ran]
        self.rows = [row for row, _ in listed]
        self.there = [ran for _, ran in listed]
        name = visible(function_name(calls.function))
        count = len(self.rows)
        left_out = len(calls.rows) - count
        self.query_one(Label).update(
            Content.assemble(
                f"{count} call{'s' if count != 1 else ''} in ",
                (name, "bold"),
                (f" (and {_left_out(left_out)})" if left_out else "", "dim"),
                ("; ran xN: over the whole run" if any(self.there) else "", "dim"),
                "  ",
                ("(enter: go, escape: close)", "dim"),
            )
        )
        options = self.query_one(OptionList)
        options.loading = False
        options.clear_options()
        options.add_options(
            Option(call_label(row, self.ran, ran), id=str(n))
            for n, (row, ran) in enumerate(zip(self.rows, self.there, strict=True))
        )
        self.add_class("-shown")
        if self.rows:
            options.highlighted = opened_on(self.rows, calls.function, self.cursor_line)
        options.focus()
        return True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.calls is not None:
            function, n = self.calls.function, event.option_index
            self.post_message(self.Chosen(self.rows[n], function.path, function.repo, self.there[n]))


def _left_out(count: int) -> str:
    """The calls the panel leaves out, counted: builtins and calls on untyped values."""
    if count == 1:
        return "1 builtin or call on an untyped value"
    return f"{count} builtins or calls on untyped values"
