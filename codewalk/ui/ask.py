"""A question answered with one line of text: ``enter`` gives it, ``escape`` gives None."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label

from codewalk.ui.dialog import Dialog
from codewalk.ui.fields import Field
from codewalk.visible import visible


class Ask(Dialog[str | None]):
    DEFAULT_CSS = """
    Ask > Vertical { width: 70; }
    Ask #ask-keys { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, answer: str = "") -> None:
        super().__init__()
        self.question = question
        self.answer = answer

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(visible(self.question), markup=False)
            yield Field(self.answer, id="ask-answer")
            yield Label("enter: done    escape: cancel", id="ask-keys", markup=False)

    def on_mount(self) -> None:
        # at once, not after the keys waiting (focus() would be): pushed and awaited, the
        # dialog takes the keys typed straight after the one that opened it
        self.set_focus(self.query_one(Field))

    def on_input_submitted(self, event: Field.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
