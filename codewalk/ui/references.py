"""The references panel: the callers of the definition under the cursor, or every use
of the name under it, one per row.

On a definition's name (``def training_step``), ``x`` lists its callers, binding-precise
(``Workspace.callers_at``). Elsewhere, uses are found by name, not by type
(``Workspace.references``): ``x`` on ``LlamaPreTrainedModel.config`` lists every
``config``. The title says which it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from codewalk.ui.panel import BottomPanel
from codewalk.ui.ports import Caller, Callers, Reference, Target
from codewalk.ui.session import TargetsRan
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.ui.session import NavThread


def reference_label(ref: Reference) -> Content:
    """One line: ``path:line`` in bold, then the line's text."""
    place = visible(f"{ref.path}:{ref.line}")
    return Content.from_markup("[b]$place[/b]  ", place=place) + Content(visible(ref.text.strip()))


_KIND = {
    "ref": "passed  ",
    "decorator": "decorates  ",
    "read": "reads  ",
    "entry": "table entry  ",
    "maybe": "maybe  ",
}


def caller_label(ref: Reference) -> Content:
    """A caller: ``path:line``, how it reaches the definition when not by a plain call,
    then the line's text."""
    kind = _KIND.get(getattr(ref, "kind", ""), "")
    place = visible(f"{ref.path}:{ref.line}")
    return Content.from_markup("[b]$place[/b]  ", place=place) + Content.assemble(
        (kind, "dim italic"), visible(ref.text.strip())
    )


class _TargetRow:
    """A definition as a row of the panel (a :class:`Reference` to its ``def`` line, and
    the definition, which choosing it goes to as ``g`` goes to one)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.repo = target.repo
        self.path = target.path
        self.line = target.line
        self.col = 0
        self.text = target.qualname


def target_label(target: Target, calls: int | None = None, line_ran: bool = False) -> Content:
    """A definition the call may reach: its name, where (in which repository), and how;
    with a trace read (``calls``: its calls there over the run), ``ran xN``, else ``not
    run`` (``line ran`` when the line executed, calling others or what a trace does not
    record), as the calls panel says of a call."""
    ran: tuple[str, str] = ("", "")
    if calls:
        ran = (f"  ran x{calls}", "green")
    elif calls is not None:
        ran = ("  not run here" if line_ran else "  not run", "dim")
    return Content.assemble(
        (visible(target.qualname), "bold"),
        ran,
        "  ",
        (visible(f"{target.repo}  ") if target.repo else "", "bold $text-accent"),
        (visible(f"{target.path}:{target.line}"), "dim"),
        "  ",
        (visible(target.via), "italic"),
    )


def ran_first(targets: Sequence[Target], ran: TargetsRan | None) -> list[tuple[Target, int | None]]:
    """``targets`` with their calls in the trace read (None without one): those that ran
    first, the most called first, then the others in their order."""
    if ran is None:
        return [(target, None) for target in targets]
    ordered = sorted(range(len(targets)), key=lambda n: -ran.calls[n])
    return [(targets[n], ran.calls[n]) for n in ordered]


def callers_title(qualname: str, callers: Sequence[Caller]) -> Content:
    """``N callers of NAME``: the calls that reach this definition, not its name's uses."""
    qualname = visible(qualname)
    name = qualname.rsplit(".", 1)[-1]
    count = sum(1 for c in callers if c.kind in ("call", "ref", "decorator", "read"))
    maybe = sum(1 for c in callers if c.kind == "maybe")
    title = Content.assemble(
        f"{count} caller{'s' if count != 1 else ''} of ",
        (name, "bold"),
        ("  (calls that reach this definition", "dim"),
        (f"; {maybe} maybe)" if maybe else ")", "dim"),
        "  ",
        ("(enter: go, escape: close)", "dim"),
    )
    return title


def references_title(qualname: str, count: int) -> Content:
    """``N uses of the name NAME``, then the keys, then the symbol under the cursor:
    the list holds every use of the name, whatever it is bound to."""
    qualname = visible(qualname)
    name = qualname.rsplit(".", 1)[-1]
    title = Content.assemble(
        f"{count} use{'s' if count != 1 else ''} of the name ",
        (name, "bold"),
        "  ",
        ("(enter: go, escape: close)", "dim"),
    )
    if qualname != name:
        title += Content.assemble(("  by name, not type; at the cursor: ", "dim"), qualname)
    return title


class ReferencesPanel(BottomPanel):
    """Hidden until shown; ``enter`` on a row posts :class:`ReferencesPanel.Chosen`."""

    class Chosen(Message):
        def __init__(self, reference: Reference, repo: str, target: Target | None = None) -> None:
            super().__init__()
            self.reference = reference
            self.repo = repo  # the repository the reference is in
            self.target = target  # a definition listed (``show_targets``): gone to as ``g`` goes

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.references: list[Reference] = []
        self.qualname = ""
        self.pending: int | None = None  # the search being waited for
        self.repo = ""  # the repository searched (a reference's, unless it names its own)
        self._asked = 0  # numbers each search, so that a late answer is recognised

    @property
    def choosing(self) -> bool:
        """Whether it lists the definitions a call may reach (``show_targets``), to go to
        one: a chooser, done with once the code moves, where callers and uses stay to
        be gone through one after another."""
        return self.shown and any(isinstance(row, _TargetRow) for row in self.references)

    def compose(self) -> ComposeResult:
        yield Label("", id="references-title")
        yield OptionList(id="references-list")

    def find(self, nav: NavThread, repo: str, path: str, line: int, col: int, word: str) -> None:
        """Find the uses of the name at ``path:line:col`` of ``repo`` (``word``) and show them.

        The search runs in a worker of the screen's ``nav`` group: a go-to-definition
        asked after it cancels it, as one asked before it is cancelled by it."""
        self._asked += 1
        token = self._asked
        # a cold index reads every file naming the word first: say so until the answer
        self.show_pending(word, token)
        self.repo = repo
        self.screen.run_worker(
            lambda: self._search(nav, repo, path, line, col, word, token),
            thread=True,
            exit_on_error=False,
            exclusive=True,
            group="nav",
        )

    def _search(
        self, nav: NavThread, repo: str, path: str, line: int, col: int, word: str, token: int
    ) -> None:
        try:
            callers = nav.callers_at(repo, path, line, col)
            if callers is not None:  # on a definition: who calls it
                if get_current_worker().is_cancelled:
                    self.app.call_from_thread(self.abandon, token)
                else:
                    self.app.call_from_thread(self.show_callers, callers, token)
                return
            target: Target | None = nav.goto(repo, path, line, col)
            qualname = target.qualname if target is not None else word
            refs = nav.references(repo, qualname)
        except Exception as error:
            self.app.call_from_thread(self.abandon, token)
            self.app.call_from_thread(self.notify, f"uses of {word}: {error}", severity="error", markup=False)
            return
        if get_current_worker().is_cancelled:  # another search or a goto came after
            self.app.call_from_thread(self.abandon, token)
        else:
            self.app.call_from_thread(self.show_references, qualname, refs, token)

    def show_callers(self, callers: Callers, token: int | None = None) -> bool:
        """Fill the panel with the callers of a definition; False when it was closed or
        asked again since ``token``."""
        if token is not None and token != self.pending:
            return False
        self.pending = None
        self.qualname = callers.target.qualname
        self.references = list(callers.callers)
        self.query_one(Label).update(callers_title(self.qualname, callers.callers))
        self._fill([caller_label(ref) for ref in self.references])
        return True

    def _fill(self, labels: list[Content]) -> None:
        options = self.query_one(OptionList)
        options.loading = False
        options.clear_options()
        options.add_options(Option(label, id=str(number)) for number, label in enumerate(labels))
        self.add_class("-shown")
        if labels:
            options.highlighted = 0
        options.focus()

    def show_targets(self, word: str, targets: Sequence[Target], ran: TargetsRan | None = None) -> None:
        """The definitions a call may reach (``g`` at a dispatch through a table, a
        property and what it returns), each with how; with a trace read (``ran``), those
        that ran there first, each said ``ran xN`` or not run; ``enter`` goes to one."""
        self.pending = None
        self.qualname = word
        listed = ran_first(targets, ran)
        self.references = [_TargetRow(t) for t, _ in listed]
        said = ""
        if ran is not None:
            said = "; ran xN: at this line, over the whole run" if any(ran.calls) else "; none ran here"
        self.query_one(Label).update(
            Content.assemble(
                f"{len(targets)} definitions ",
                (visible(word), "bold"),
                " may reach",
                (said, "dim"),
                "  ",
                ("(enter: go, escape: close)", "dim"),
            )
        )
        line_ran = ran is not None and ran.line_ran
        self._fill([target_label(t, calls, line_ran) for t, calls in listed])

    def show_pending(self, name: str, token: int) -> None:
        """Open the panel in its "finding" state (a cold index can take many seconds);
        only :meth:`show_references` with the same ``token`` fills it."""
        self.pending = token
        self.qualname = ""
        self.references = []
        self.query_one(Label).update(
            Content.assemble(
                "finding the callers or uses of ", (visible(name), "bold"), " …  ", ("(escape: close)", "dim")
            )
        )
        options = self.query_one(OptionList)
        options.clear_options()
        options.loading = True
        self.add_class("-shown")

    def show_references(
        self, qualname: str, references: Sequence[Reference], token: int | None = None
    ) -> bool:
        """Fill the panel with ``references`` of the name ``qualname`` ends with; False
        (and nothing shown) if it was closed or asked again since ``token`` was pending."""
        if token is not None and token != self.pending:
            return False
        self.pending = None
        self.qualname = qualname
        self.references = list(references)
        self.query_one(Label).update(references_title(qualname, len(self.references)))
        self._fill([reference_label(ref) for ref in self.references])
        return True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        reference = self.references[event.option_index]
        target = reference.target if isinstance(reference, _TargetRow) else None
        self.post_message(self.Chosen(reference, getattr(reference, "repo", "") or self.repo, target))

    class Closed(Message):
        pass
