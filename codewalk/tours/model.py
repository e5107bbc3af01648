"""The records of a tour: what a YAML file says (``Tour``, ``Step``) and what it
resolved to at a pin (``ResolvedTour``, ``ResolvedStep``).

Plain frozen dataclasses, no behaviour beyond small derived properties; the loader
(``loader``) builds the first two, the resolution (``resolution``) the last two, and
every renderer (plain, Markdown, CodeTour, the UI) reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from codewalk.tours.notes import Link

if TYPE_CHECKING:
    from codewalk.resolve.model import Resolved

StepStatus = Literal["resolved", "ambiguous", "missing", "skipped"]
Lines = tuple[int, int]  # first and last line, 1-based, inclusive


def anchor_of(at: str | None, file: str | None) -> str:
    """What a step (a tour's, or one being recorded) points at, as its author wrote it:
    its ``at``, else ``file: PATH``."""
    return at if at is not None else f"file: {file}"


@dataclass(frozen=True, slots=True)
class Step:
    """One stop of a tour, as written: a symbol (``at``) or a file (``file``)."""

    index: int  # 1-based position in the tour
    at: str | None  # a query in any form the resolver takes
    file: str | None  # a repo-relative posix path
    focus: tuple[str, ...]  # the regions lit: each a text, or ``/regex/``, inside the step's span
    title: str | None
    repo: str | None  # overrides the tour's repo for this step
    note: str  # Markdown
    line: int  # the step's line in the YAML file (1-based)
    versions: str | None = None  # a PEP 440 range: the releases of its repo the step is for
    focus_lines: tuple[int, ...] = ()  # the line of each region in the file (empty: not read from one)
    links: tuple[Link, ...] = ()  # the ``codewalk:`` links of the note
    # why the tour's program does not run this step (a branch it does not take: DeepSpeed
    # on a CPU): ``check --run`` expects it not to run, and says so when it does
    not_run: str | None = None

    def focus_line(self, region: int) -> int:
        """The file's line of region ``region`` (0-based), else the step's."""
        return self.focus_lines[region] if region < len(self.focus_lines) else self.line

    @property
    def anchor(self) -> str:
        """What the step points at, as the author wrote it."""
        return anchor_of(self.at, self.file)


@dataclass(frozen=True, slots=True)
class Tour:
    id: str
    title: str
    summary: str  # Markdown shown before the first step
    repo: str | None  # the default pin for the steps (None: the first pin)
    steps: tuple[Step, ...]
    path: Path  # the YAML file it was loaded from
    versions: tuple[str, ...] = ()  # releases of its repo it is meant for, besides the pin
    program: tuple[str, ...] = ()  # a script beside the tour and its arguments (run by check --run only)
    program_line: int = 0  # the line of ``program:`` in the file

    def step_repo(self, step: Step) -> str | None:
        return step.repo if step.repo is not None else self.repo


@dataclass(frozen=True, slots=True)
class ResolvedStep:
    """A step at a pin: where it landed, or why it did not."""

    step: Step
    status: StepStatus
    target: Resolved | None  # the best match (for ``ambiguous``: the first candidate)
    focus: Lines | None  # the first region's statement: where the view goes
    candidates: tuple[Resolved, ...]  # every match, best first
    suggestions: tuple[str, ...]  # "did you mean" names, for ``missing``
    error: str | None  # what went wrong, in words (None when resolved)
    repo: str
    version: str
    regions: tuple[Lines, ...] = ()  # every region lit, in the order of ``focus:`` (the first is ``focus``)
    links: tuple[ResolvedLink, ...] = ()  # the note's links, in order (none resolved for a broken step)
    # of each region that is the header of an ``if``, ``elif``, ``for`` or ``while``: its
    # body's lines (the test ran; the branch was taken, the loop went round, if they did)
    bodies: tuple[Lines | None, ...] = ()
    # a step without focus: the first line its symbol ran, where the view goes when the
    # lines above it (a long docstring) leave it off the screen (a trace's step); 0: none
    opens: int = 0

    def __post_init__(self) -> None:
        # one truth: ``focus`` is the first region (a record made with ``focus`` alone has that one)
        if not self.regions and self.focus is not None:
            object.__setattr__(self, "regions", (self.focus,))
        elif self.regions and self.focus != self.regions[0]:
            object.__setattr__(self, "focus", self.regions[0])

    @property
    def ok(self) -> bool:
        """Resolved (every link of its note too), or skipped at a release its
        ``versions`` leave out."""
        if self.status == "skipped":
            return True
        return self.status == "resolved" and all(link.ok for link in self.links)

    @property
    def problems(self) -> tuple[str, ...]:
        """What is wrong with the step, in words: why it did not resolve, or which of
        its note's links do not."""
        if self.status == "skipped":
            return ()
        found = (self.error,) if self.status != "resolved" and self.error else ()
        return found + tuple(link.error for link in self.links if link.error is not None)


@dataclass(frozen=True, slots=True)
class ResolvedLink:
    """A ``codewalk:`` link of a note, at a pin: the lines it points at, or why none."""

    link: Link
    target: Resolved | None  # the symbol (for ``#FOCUS``: the step's own)
    lines: Lines | None  # the region, else the symbol's whole span
    repo: str
    version: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.target is not None and self.lines is not None

    @property
    def path(self) -> str:
        return self.target.path if self.target is not None else ""

    @property
    def line(self) -> int:
        """The line to go to: the region's first, else the ``def``/``class`` line."""
        if self.target is None:
            return 0
        if self.link.focus is not None and self.lines is not None:
            return self.lines[0]
        return self.target.line


@dataclass(frozen=True, slots=True)
class ResolvedTour:
    tour: Tour
    steps: tuple[ResolvedStep, ...]

    @property
    def broken(self) -> tuple[ResolvedStep, ...]:
        return tuple(step for step in self.steps if not step.ok)
