"""A question answered with one line of text: ``enter`` gives it, ``escape`` gives None."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label

from codewalk.ui.dialog import Dialog
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
            yield Input(self.answer, id="ask-answer")
            yield Label("enter: done    escape: cancel", id="ask-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
