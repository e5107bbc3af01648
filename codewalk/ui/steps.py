"""The steps list: one row per step, with a mark for how it resolved."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from codewalk.tours.model import Tour
from codewalk.visible import visible

MARKS = {
    "resolved": "[green]●[/]",
    "ambiguous": "[yellow]◐[/]",
    "missing": "[red]✗[/]",
    "skipped": "[dim]◌[/]",
}
_PENDING = "[dim]○[/]"
LEGEND = (
    f"{MARKS['resolved']} found  {MARKS['ambiguous']} ambiguous\n"
    f"{MARKS['missing']} missing  {MARKS['skipped']} skipped\n"
    f"{_PENDING} not resolved yet"
)


def step_label(index: int, title: str, status: str | None) -> Content:
    """One line: the mark, the number, the title (cut with an ellipsis)."""
    mark = MARKS.get(status or "", _PENDING)
    content = Content.from_markup(f"{mark} {index:>2} ") + Content(title)
    return content


class StepsList(OptionList):
    """The tour's steps; choosing one (enter, click) posts ``OptionSelected``."""

    DEFAULT_CSS = """
    StepsList {
        width: 100%;
        height: 1fr;
        border: none;
        border-right: vkey $foreground 20%;
        padding: 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StepsList:focus { border: none; border-right: vkey $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._titles: list[str] = []
        self._status: list[str | None] = []

    def set_tour(self, tour: Tour) -> None:
        self._titles = [visible(step.title or step.anchor) for step in tour.steps]
        self._status = [None] * len(self._titles)
        self.clear_options()
        self.add_options(
            Option(step_label(number, title, None), id=str(number - 1))
            for number, title in enumerate(self._titles, start=1)
        )

    def mark(self, index: int, status: str) -> None:
        if self._status[index] == status:
            return
        self._status[index] = status
        self.replace_option_prompt_at_index(index, step_label(index + 1, self._titles[index], status))


class StepsLegend(Static):
    """What the marks before the steps mean."""

    DEFAULT_CSS = """
    StepsLegend {
        height: 3;
        padding: 0 1;
        color: $text-muted;
        border-right: vkey $foreground 20%;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(LEGEND, id=id)
