"""The tours list (``t``, and the picker of a bare ``codewalk``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from codewalk.ui.dialog import Dialog
from codewalk.ui.palette import TourProvider
from codewalk.ui.session import TourEntry
from codewalk.visible import visible


def tour_label(entry: TourEntry) -> str:
    title = visible(entry.title).replace("[", r"\[")
    return f"[b]{entry.id}[/b]  {title}  [dim]({entry.steps} step{'s' if entry.steps != 1 else ''})[/]"


class ToursScreen(Dialog["str | None"]):
    """Dismisses with the chosen tour id, or ``None``."""

    DEFAULT_CSS = """
    ToursScreen > Vertical { width: 80; max-height: 90%; padding: 0; }
    ToursScreen Label { padding: 0 1; dock: top; }
    ToursScreen OptionList { height: auto; max-height: 100%; border: none; }
    """

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {TourProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Close"),
        # q as everywhere else (a modal screen does not reach the app's q); not a priority
        # binding, so a text input focused here would take a q typed into it
        Binding("q", "dismiss_none", "Close", show=False),
    ]

    def __init__(self, entries: Sequence[TourEntry]) -> None:
        super().__init__()
        self.entries = list(entries)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("[b]Tours[/b]  (enter: open, q or escape: close)")
            yield OptionList(
                *(Option(tour_label(entry), id=entry.id) for entry in self.entries),
                id="tours-list",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
