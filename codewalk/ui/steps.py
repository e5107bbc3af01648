"""The steps list: one row per step, with a mark for how it resolved.

A tour that reads several repositories has a heading row before each run of steps in one
repository (``── accelerate``): the steps under it are in that repository, and those in
another than the tour's are told apart at a glance, at any width.

A title longer than the list is wide wraps at its words, under itself (a name wider than
the list after its dots, then inside it: ``AssistedCandidate`` ``Generator``). The steps of a
trace are its call tree, a row a call: each is drawn behind a guide per level of the calls
it is inside, its name cut in its middle where it does not fit, its last part kept (the note
names it whole); calls of one name beside each other say the lines they were called from.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from codewalk.tours.model import Tour
from codewalk.traces.model import repo_shown
from codewalk.ui.code_view import RAN_COLOR, RAN_MARK
from codewalk.ui.hanging import Hanging
from codewalk.visible import visible

MARKS = {
    "resolved": "[green]●[/]",
    "ambiguous": "[yellow]◐[/]",
    "missing": "[red]✗[/]",
    "skipped": "[dim]◌[/]",
}
PENDING = "[dim]○[/]"
# in a trace, what the code view's gutter says: a line that ran, the focus (the reversed
# numbers): told apart without colour too
RAN_LEGEND = f"[{RAN_COLOR}]{RAN_MARK}[/] line ran  [reverse]12[/] focus"
# a tour walked against a trace: after each step's mark, whether it ran there (the bar of
# a line that ran), did not (red where the tour expects it to), or is no code a trace sees
VERDICT_MARKS = {"ran": f"[{RAN_COLOR}]{RAN_MARK}[/]", "not run": "·", "not traced": "-"}
VERDICT_LEGEND = f"{VERDICT_MARKS['ran']} ran  · not run  - n/a"
LEGEND = (
    f"{MARKS['resolved']} found  {MARKS['ambiguous']} ambiguous\n"
    f"{MARKS['missing']} missing  {MARKS['skipped']} skipped\n"
    f"{PENDING} not resolved yet"
)


def repo_runs(tour: Tour, repo: str) -> list[tuple[str, int]]:
    """``(repo, first step index)`` for each run of consecutive steps in one repository
    (0-based); a single run when the tour reads one repository."""
    runs: list[tuple[str, int]] = []
    for index, step in enumerate(tour.steps):
        step_repo = tour.step_repo(step) or repo
        if not runs or runs[-1][0] != step_repo:
            runs.append((step_repo, index))
    return runs


def heading_label(repo: str, home: bool) -> Content:
    """The row above a run of steps in ``repo`` (``home``: the tour's own)."""
    style = "dim" if home else "bold $text-accent"
    return Content.assemble(
        ("── ", "dim"), (visible(repo_shown(repo)), style), (" ──" if home else " ↗", "dim")
    )


_MARK_CONTENT: dict[str, Content] = {}  # each mark parsed once: a trace's tour has thousands of steps

MAX_GUIDES = 16  # a step deeper in its tree is drawn at this depth
# one colour a level, in turn: a call's guide is followed down to the calls made inside it
_GUIDE_STYLES = ("$text-primary", "$text-success", "$text-warning", "$text-accent")
_GUIDES: dict[int, Content] = {}


def guides(depth: int) -> Content:
    """A guide for each level of the tree a step is inside (at most ``MAX_GUIDES``)."""
    shown = min(depth, MAX_GUIDES)
    if shown not in _GUIDES:
        levels = (("│", _GUIDE_STYLES[level % len(_GUIDE_STYLES)]) for level in range(shown))
        _GUIDES[shown] = Content.assemble(*levels)
    return _GUIDES[shown]


def verdict_mark(verdict: tuple[str, bool] | None) -> str:
    """Whether a step ran in the trace its tour is walked against (``verdict``: its word
    and whether that bears the tour out; None: not known yet, a blank), one cell wide:
    red where the run does not bear the tour out (a step not run that the tour does not
    mark ``not_run``), dim where it does."""
    if verdict is None:
        return " "
    word, ok = verdict
    mark = VERDICT_MARKS.get(word, " ")  # broken: its ✗ says it
    if word == "ran":
        return mark if ok else f"[b $text-error]{RAN_MARK}[/]"
    return f"[dim]{mark}[/]" if ok else f"[b $text-error]{mark}[/]"


def _content(mark: str) -> Content:
    if mark not in _MARK_CONTENT:
        _MARK_CONTENT[mark] = Content.from_markup(mark)
    return _MARK_CONTENT[mark]


def step_label(
    index: int,
    title: str,
    status: str | None,
    number_width: int = 2,
    depth: int = 0,
    verdict: str | None = None,
) -> Hanging:
    """The mark, the ``verdict`` mark when the tour is walked against a trace (markup,
    :func:`verdict_mark`), the number (``number_width`` wide: the list's numbers line
    up), a guide per level of ``depth``, the title."""
    mark = _content(MARKS.get(status or "", PENDING))
    if verdict is not None:
        mark = mark + Content(" ") + _content(verdict)
    tree = guides(depth)
    # the guides go on beside a wrapped title
    under = Content(" " * (mark.cell_length + number_width + 2)) + tree
    head = mark + Content(f" {index:>{number_width}} ")
    # on a narrow list the outer guides give way to the title
    return Hanging(head + tree, Content(title), under, keep=head.cell_length, at_dots=True, middle=True)


class StepsList(OptionList):
    """The tour's steps; choosing one (enter, click) posts ``OptionSelected``."""

    DEFAULT_CSS = """
    StepsList {
        width: 100%;
        height: 1fr;
        border: none;
        border-right: vkey $foreground 20%;
        padding: 0;
    }
    StepsList.-tree { text-wrap: nowrap; text-overflow: ellipsis; }
    StepsList:focus { border: none; border-right: vkey $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._titles: list[str] = []
        self._depths: list[int] = []  # each step's depth in its tree (a trace's), else 0
        self._status: list[str | None] = []
        self._verdicts: list[tuple[str, bool] | None] | None = None  # walked against a trace: each step's
        self.repos: list[str] = []  # each step's repository
        self._starts: dict[int, str] = {}  # the step each run of one repository starts at
        self._home = ""

    def set_tour(self, tour: Tour, repo: str, depths: Sequence[int] = (), judged: bool = False) -> None:
        """List ``tour``'s steps; ``repo`` is the tour's repository (its steps' default);
        ``depths``, a trace's: how deep each step is in its call tree; ``judged``: the tour
        is walked against a trace, each step marked ran or not once known."""
        self._titles = [visible(step.title or step.anchor) for step in tour.steps]
        self._verdicts = [None] * len(self._titles) if judged else None
        self._depths = list(depths) or [0] * len(self._titles)
        self.set_class(bool(depths), "-tree")  # a row a call, the tree's shape kept: names cut
        self._status = [None] * len(self._titles)
        self.repos = [tour.step_repo(step) or repo for step in tour.steps]
        runs = repo_runs(tour, repo)
        self._starts = {first: run_repo for run_repo, first in runs} if len(runs) > 1 else {}
        self._home = repo
        self._fill()

    def _fill(self) -> None:
        """(Re)make every row from the titles and marks."""
        highlighted = self.highlighted_step if self.option_count else None
        self.clear_options()
        options: list[Option] = []
        for index in range(len(self._titles)):
            if index in self._starts:
                heading = self._starts[index]
                options.append(
                    Option(heading_label(heading, heading == self._home), id=f"repo-{index}", disabled=True)
                )
            options.append(Option(self._label(index), id=str(index)))
        self.add_options(options)
        if highlighted is not None:
            self.highlight_step(highlighted)

    def highlight_step(self, index: int) -> None:
        self.highlighted = self.get_option_index(str(index))

    def step_of(self, option: Option) -> int | None:
        """The step (0-based) a row is, None for a heading."""
        return int(option.id) if option.id is not None and option.id.isdigit() else None

    @property
    def highlighted_step(self) -> int | None:
        if self.highlighted is None:
            return None
        return self.step_of(self.get_option_at_index(self.highlighted))

    def mark(self, index: int, status: str) -> None:
        if self._status[index] == status:
            return
        self._status[index] = status
        self.replace_option_prompt(str(index), self._label(index))

    def judge(self, index: int, word: str, ok: bool) -> None:
        """Mark step ``index`` ran or not in the trace the tour is walked against."""
        if self._verdicts is None or self._verdicts[index] == (word, ok):
            return
        self._verdicts[index] = (word, ok)
        self.replace_option_prompt(str(index), self._label(index))

    def _label(self, index: int) -> Hanging:
        width = max(2, len(str(len(self._titles))))
        verdict = verdict_mark(self._verdicts[index]) if self._verdicts is not None else None
        status, depth = self._status[index], self._depths[index]
        return step_label(index + 1, self._titles[index], status, width, depth, verdict)

    def mark_many(self, marks: dict[int, str]) -> None:
        """Mark several steps at once (a trace's tour opened deep has a thousand resolved
        on the way): a mark is as wide as the one it replaces, so only the changed rows are
        made again, and the list measures its rows once, when it is next drawn."""
        for index, status in marks.items():
            self.mark(index, status)


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

    def show_ran(self, judged: bool = False) -> None:
        """Say, under the marks, what the gutter says of a trace's lines; ``judged``: and
        what the marks of a tour walked against it say."""
        self.update("\n".join([LEGEND, *([VERDICT_LEGEND] if judged else []), RAN_LEGEND]))
        self.styles.height = 5 if judged else 4
