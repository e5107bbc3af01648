"""A question answered with ``y`` (or enter) or ``n`` (or escape)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from codewalk.visible import visible


class Confirm(ModalScreen[bool]):
    """Dismissed with True for yes."""

    DEFAULT_CSS = """
    Confirm { align: center middle; }
    Confirm > Vertical { width: auto; max-width: 90%; height: auto; border: thick $accent; padding: 1 2; }
    Confirm Label { max-width: 100%; }  /* a long question wraps, not cut at the border */
    Confirm #confirm-keys { color: $text-muted; padding-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(visible(self.question), markup=False)
            yield Label("y / enter: yes    n / escape: no", id="confirm-keys", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
