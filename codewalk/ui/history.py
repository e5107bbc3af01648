"""Back/forward through jumps, like a browser or vim's jump list. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from codewalk.tours.model import ResolvedStep


@dataclass(frozen=True, slots=True)
class Location:
    """Where the reader is: a repository's file, a 1-based line, a 0-based column.

    ``step`` is the tour step this location belongs to, or ``None`` when the reader has
    left the tour's path (after a go-to-definition, a palette search, a reference).
    """

    path: str
    line: int
    col: int = 0
    step: int | None = None
    span: tuple[int, int] | None = None  # lit lines, 1-based inclusive
    focus: tuple[int, int] | None = None
    top: int | None = None  # first line on screen, to come back to the same view
    left: int | None = None  # first column on screen (0-based), likewise
    repo: str = ""  # the repository ``path`` is in
    regions: tuple[tuple[int, int], ...] = ()  # every region lit (the focus first); empty: the focus
    # where the cursor goes instead of ``line`` when the two do not fit on one screen (a
    # trace's step: the first line its function ran, below a long docstring); 0: none
    opens: int = 0

    @property
    def file(self) -> tuple[str, str]:
        """``(repo, path)``: a file of the stack."""
        return self.repo, self.path

    def same_place(self, other: Location) -> bool:
        """Whether ``other`` is this line of this file, however it is seen (its column,
        what is lit, how far the view is scrolled)."""
        return (self.repo, self.path, self.line) == (other.repo, other.path, other.line)


def step_location(resolved: ResolvedStep) -> Location | None:
    """Where a resolved step puts the reader: its focus (else its definition line), with
    its span lit; None for a step that did not resolve."""
    target = resolved.target
    if target is None or resolved.status in ("missing", "skipped"):
        return None
    focus = resolved.focus
    line = focus[0] if focus else target.line
    return Location(
        target.path,
        line,
        0,
        resolved.step.index - 1,
        (target.start_line, target.end_line),
        focus,
        repo=target.repo or resolved.repo,
        regions=resolved.regions,
        opens=0 if focus else resolved.opens,
    )


def symbol_location(resolved: ResolvedStep) -> Location | None:
    """Where a step whose symbol was found but not its focus puts the reader: the symbol,
    its span lit (the code its focus is to be mended in); None for any other step."""
    target = resolved.target
    if target is None or resolved.status != "missing":
        return None
    return Location(
        target.path,
        target.line,
        0,
        resolved.step.index - 1,
        (target.start_line, target.end_line),
        repo=target.repo or resolved.repo,
    )


class JumpHistory:
    """A list of locations with a cursor; a new jump drops everything forward of it."""

    def __init__(self, limit: int = 200) -> None:
        self._entries: list[Location] = []
        self._index = -1
        self._limit = limit

    def push(self, here: Location, there: Location) -> None:
        """Record a jump from ``here`` to ``there``; a place is never listed twice in a
        row (a second jump from where the last one landed: ``b`` goes back once)."""
        del self._entries[self._index + 1 :]
        self._add(here)
        self._add(there)
        if len(self._entries) > self._limit:
            del self._entries[: len(self._entries) - self._limit]
        self._index = len(self._entries) - 1

    def _add(self, where: Location) -> None:
        """``where`` at the end, or in place of the last entry when it is the same place
        (``where`` says how it is seen now)."""
        if self._entries and self._entries[-1].same_place(where):
            self._entries[-1] = where
        else:
            self._entries.append(where)

    def back(self, here: Location) -> Location | None:
        """The location before the current one, or ``None`` at the start."""
        if self._index <= 0:
            return None
        self._entries[self._index] = here  # remember where the reader moved to since
        self._index -= 1
        return self._entries[self._index]

    def forward(self, here: Location) -> Location | None:
        if self._index < 0 or self._index >= len(self._entries) - 1:
            return None
        self._entries[self._index] = here
        self._index += 1
        return self._entries[self._index]

    def __len__(self) -> int:
        return len(self._entries)
