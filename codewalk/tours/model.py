"""The records of a tour: what a YAML file says (``Tour``, ``Step``) and what it
resolved to at a pin (``ResolvedTour``, ``ResolvedStep``).

Plain frozen dataclasses, no behaviour beyond small derived properties; the loader
(``tourfile``) builds the first two, the resolver (``tourresolve``) the last two, and
every renderer (plain, Markdown, CodeTour, the UI) reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from codewalk.resolve.model import Resolved

StepStatus = Literal["resolved", "ambiguous", "missing", "skipped"]


@dataclass(frozen=True, slots=True)
class Step:
    """One stop of a tour, as written: a symbol (``at``) or a file (``file``)."""

    index: int  # 1-based position in the tour
    at: str | None  # a query in any form the resolver takes
    file: str | None  # a repo-relative posix path
    focus: str | None  # text, or ``/regex/``, searched inside the step's span
    title: str | None
    repo: str | None  # overrides the tour's repo for this step
    note: str  # Markdown
    line: int  # the step's line in the YAML file (1-based)
    versions: str | None = None  # a PEP 440 range: the releases of its repo the step is for
    focus_line: int = 0  # the line of its ``focus:`` (0: none, or not read from a file)

    @property
    def anchor(self) -> str:
        """What the step points at, as the author wrote it."""
        return self.at if self.at is not None else f"file: {self.file}"


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
    focus: tuple[int, int] | None  # first and last line of the focused statement
    candidates: tuple[Resolved, ...]  # every match, best first
    suggestions: tuple[str, ...]  # "did you mean" names, for ``missing``
    error: str | None  # what went wrong, in words (None when resolved)
    repo: str
    version: str

    @property
    def ok(self) -> bool:
        """Resolved, or skipped at a release its ``versions`` leave out."""
        return self.status in ("resolved", "skipped")


@dataclass(frozen=True, slots=True)
class ResolvedTour:
    tour: Tour
    steps: tuple[ResolvedStep, ...]

    @property
    def broken(self) -> tuple[ResolvedStep, ...]:
        return tuple(step for step in self.steps if not step.ok)


def repo_at_version(repo: str, version: str) -> str:
    """``transformers@v5.23.0``; a version that names its repo already stands alone
    (``transformers==5.23.0`` for a release source), one that names another
    distribution says so (``paddle (paddlepaddle==3.3.1)``)."""
    if not version:
        return repo
    if version.startswith(f"{repo}=="):
        return version
    if "==" in version:
        return f"{repo} ({version})"
    return f"{repo}@{version}"
