"""The recording's column: where the tour will be written, its steps as they stand (the
one selected is the one the keys act on), each marked by what the last check said of
it, what the marks mean, and the keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from codewalk.tours.recording import Draft, DraftStep
from codewalk.ui.hanging import Hanging, at_dots
from codewalk.ui.session import CheckFinding
from codewalk.ui.steps import MARKS, PENDING
from codewalk.visible import visible

KEYS_HELP = (
    "[b]a[/] add a step at the cursor\n"
    "  (shift+↑↓ chooses lines)\n"
    "[b]e[/] its note   [b]E[/] the tour's title\n"
    "[b]\\[[/] [b]][/] up, down  [b]D[/] delete  [b]u[/] undo\n"
    "[b]n[/] [b]p[/] next, previous step\n"
    "[b]w[/] write the tour, and check it\n"
    "[b]ctrl+p[/] a symbol  [b]g[/] its definition"
)


# what the last check said of a step: the tour view's marks, and one for a note warning
CHECK_MARKS = {
    "resolved": MARKS["resolved"],
    "warning": "[yellow]△[/]",
    "broken": MARKS["missing"],
}
CHECK_LEGEND: tuple[tuple[str, str], ...] = tuple(  # each mark, plain, and what it says (the help's words)
    (Content.from_markup(mark).plain, what)
    for mark, what in (
        (CHECK_MARKS["resolved"], "resolves"),
        (CHECK_MARKS["warning"], "resolves; its note has a warning (w says which)"),
        (CHECK_MARKS["broken"], "does not resolve (its name or focus not found)"),
        (PENDING, "not checked as it stands (new, or changed since)"),
    )
)
LEGEND = (
    f"{CHECK_MARKS['resolved']} resolves  {CHECK_MARKS['warning']} note warning\n"
    f"{CHECK_MARKS['broken']} does not resolve  {PENDING} not checked"
)


def statuses(found: Sequence[CheckFinding], count: int) -> list[str]:
    """Each of ``count`` steps' status by what a check ``found``: ``broken`` when it does
    not resolve, else ``warning`` when its note has a warning, else ``resolved``."""
    broken = {finding.step for finding in found if finding.broken}
    warned = {finding.step for finding in found if not finding.broken}
    return [
        "broken" if index in broken else "warning" if index in warned else "resolved"
        for index in range(count)
    ]


def step_row(number: int, step: DraftStep, home: str | None, status: str | None) -> Hanging:
    """One step: its mark (``status``: what the last check said of it, None: not checked
    as it stands), its number, what it is anchored on (its last names), the repository
    when not the tour's, how many regions, whether it has no note; wrapped at its words
    (a name wider than the column after its dots, then inside it)."""
    anchor = step.at.rsplit(".", 2) if step.at else [step.file or ""]
    name = ".".join(anchor[-2:]) if step.at and len(anchor) > 1 and anchor[-2][:1].isupper() else anchor[-1]
    mark = Content.from_markup(CHECK_MARKS.get(status or "", PENDING)) + Content(" ")
    parts: list[str | tuple[str, str]] = [visible(step.title or name)]
    if step.repo and step.repo != home:
        parts.append((f"  {visible(step.repo)} ↗", "bold $text-accent"))
    if len(step.focus) > 1:
        parts.append((f"  {len(step.focus)} regions", "dim"))
    if not step.note.strip():
        parts.append(("  no note", "dim"))
    return Hanging(Content.assemble(mark, (f"{number:>2} ", "bold")), Content.assemble(*parts), at_dots=True)


class RecordPanel(Vertical):
    """The draft's steps (an OptionList) under a line saying where it will be written."""

    DEFAULT_CSS = """
    RecordPanel { width: 36; height: 1fr; border-right: vkey $accent; }
    RecordPanel #record-where { padding: 0 1; background: $error 25%; height: auto; }
    RecordPanel OptionList {
        height: 1fr; border: none; padding: 0;
    }
    RecordPanel OptionList:focus { border: none; }
    RecordPanel #record-legend, RecordPanel #record-keys { padding: 0 1; color: $text-muted; height: auto; }
    RecordPanel #record-legend { border-top: hkey $foreground 20%; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="record-where")
        steps = OptionList(id="record-steps")
        steps.can_focus = False  # n / p (or a click) choose a step; the keys stay the code's
        yield steps
        yield Static(LEGEND, id="record-legend")
        yield Static(KEYS_HELP, id="record-keys")

    def show(self, draft: Draft, selected: int | None, *, state: str, marks: Mapping[int, str]) -> None:
        """List ``draft``'s steps, ``selected`` highlighted; ``state`` says whether it is
        written; ``marks``: by a step's key, what the last check said of it (a status of
        :func:`statuses`), for the steps it checked as they stand."""
        self.query_one("#record-where", Static).update(at_dots(where_line(draft.id, draft.path, state)))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(step_row(n, step, draft.repo, marks.get(step.key)), id=str(step.key))
            for n, step in enumerate(draft.steps, start=1)
        )
        if not draft.steps:
            options.add_option(Option(Content.styled("no steps yet: a adds one", "dim"), disabled=True))
        options.highlighted = selected if selected is not None and draft.steps else None
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """The legend, then the keys, shown only where the steps keep every row they take:
        on a short terminal they took all the room but one step's (``?`` and the footer
        say them too)."""
        width = self.content_size.width
        if not width:
            return  # not laid out yet: its first resize fits it
        size, viewport = self.size, self.app.size

        def rows(widget: Widget) -> int:
            gutter = widget.styles.gutter
            return widget.get_content_height(size, viewport, width - gutter.width) + gutter.height

        legend, keys = self.query_one("#record-legend"), self.query_one("#record-keys")
        free = size.height - rows(self.query_one("#record-where")) - rows(self.query_one(OptionList))
        legend.display = free >= rows(legend)
        keys.display = free >= rows(legend) + rows(keys)


def where_line(tour_id: str, path: Path, state: str) -> Content:
    """``● recording ID`` and the file it goes to, said before it is written."""
    return Content.assemble(
        ("● recording ", "bold"),
        (visible(tour_id), "bold"),
        "\n",
        (visible(str(path)), ""),
        "\n",
        (state, "italic"),
    )
