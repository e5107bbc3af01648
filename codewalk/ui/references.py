"""The references panel: every use of the symbol under the cursor, one per row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from codewalk.ui.ports import Reference


def reference_label(ref: Reference) -> Content:
    """One line: ``path:line`` in bold, then the line's text."""
    return Content.from_markup("[b]$place[/b]  ", place=f"{ref.path}:{ref.line}") + Content(ref.text.strip())


class ReferencesPanel(Vertical):
    """Hidden until shown; ``enter`` on a row posts :class:`ReferencesPanel.Chosen`."""

    DEFAULT_CSS = """
    ReferencesPanel {
        height: 12;
        display: none;
        border-top: hkey $accent;
    }
    ReferencesPanel.-shown { display: block; }
    ReferencesPanel Label { padding: 0 1; color: $text-accent; }
    ReferencesPanel OptionList {
        height: 1fr;
        border: none;
        padding: 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ReferencesPanel OptionList:focus { border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", show=True)]

    class Chosen(Message):
        def __init__(self, reference: Reference) -> None:
            super().__init__()
            self.reference = reference

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.references: list[Reference] = []
        self.qualname = ""

    def compose(self) -> ComposeResult:
        yield Label("", id="references-title")
        yield OptionList(id="references-list")

    def show_references(self, qualname: str, references: Sequence[Reference]) -> None:
        self.qualname = qualname
        self.references = list(references)
        count = len(self.references)
        self.query_one(Label).update(
            f"{count} reference{'s' if count != 1 else ''} to {qualname}  (enter: go, escape: close)"
        )
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(reference_label(ref), id=str(number)) for number, ref in enumerate(self.references)
        )
        self.add_class("-shown")
        if self.references:
            options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.references[event.option_index]))

    def action_close(self) -> None:
        self.remove_class("-shown")
        self.screen.focus_next()
        self.post_message(self.Closed())

    class Closed(Message):
        pass

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")
