"""``check``'s note warnings: a note that names code the reader does not see.

The rule, kept simple so that an author can predict it: a note warns for each name it
puts in backticks (a name or a dotted name, optionally called with ``()`` or ``(...)``:
`` `get_scheduler` ``, `` `self.accelerator.backward(...)` ``) that is

- not on the lines the step shows (:mod:`codewalk.tours.shown`: what ``tour --plain``
  prints), where a dotted name counts as shown when its last part is there as a word
  (`` `Trainer.train` `` on the lines of ``def train(``), and
- not the text of one of the note's ``codewalk:`` links (a code span inside a link's
  text is that link's).

Python's keywords (``None``, ``True``, ``return``) are syntax, not names, and never warn.
The fix is to link the name (``[`x`](codewalk:x)``), or to widen what the step shows
(another region in ``focus:``). A note with a line that starts ``TODO`` (what ``draft``
writes for the author to replace) warns too. Pure: resolved steps and file text in,
warnings out.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from codewalk.tours.model import ResolvedStep, ResolvedTour
from codewalk.tours.notes import identifier, scan
from codewalk.tours.shown import merged, step_lines

SourceText = Callable[[str, str], str]  # (repo, path) -> text
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class NoteWarning:
    path: Path  # the tour file
    step_line: int
    step: int  # 1-based
    anchor: str
    name: str  # as the note writes it, without backticks
    shown: str  # the lines shown, in words ("lines 4310-4362"); "" for a note still TODO

    @property
    def message(self) -> str:
        if not self.shown:
            return (
                f"{self.path}:{self.step_line}: step {self.step} ({self.anchor}): the note is still "
                f"the draft's placeholder ({self.name!r}): write what the reader should see"
            )
        return (
            f"{self.path}:{self.step_line}: step {self.step} ({self.anchor}): the note names "
            f"`{self.name}`, which is neither on the {self.shown} the step shows nor linked: "
            "link it, or widen the focus"
        )


def step_warnings(resolved: ResolvedStep, path: Path, text: str) -> list[NoteWarning]:
    """The warnings of one resolved step whose file's text is ``text`` (none for a step
    that did not resolve: it is broken, which says more)."""
    step = resolved.step
    if not step.note.strip():
        return []
    todo = [line.strip() for line in step.note.splitlines() if line.strip().startswith("TODO")]
    if todo:  # a draft's note, not written yet: what it names says nothing
        return [NoteWarning(path, step.line, step.index, step.anchor, todo[0], "")]
    file_lines = text.split("\n")
    lines = step_lines(resolved, len(file_lines))
    if not lines:
        return []
    words = {word for number in lines for word in _WORD_RE.findall(file_lines[number - 1])}
    linked = {_bare(link.plain_text) for link in step.links}
    found: dict[str, NoteWarning] = {}
    for span in scan(step.note).code_spans:
        name = identifier(span.text)
        if span.in_link is not None or name is None or keyword.iskeyword(name):
            continue
        if name in linked or name.rsplit(".", 1)[-1] in words or span.text in found:
            continue
        found[span.text] = NoteWarning(path, step.line, step.index, step.anchor, span.text, _ranges(lines))
    return list(found.values())


def tour_warnings(tour: ResolvedTour, source_text: SourceText) -> list[NoteWarning]:
    """The warnings of every step of ``tour``, in order."""
    found: list[NoteWarning] = []
    for resolved in tour.steps:
        target = resolved.target
        if target is None or not resolved.step.note.strip():
            continue
        found += step_warnings(resolved, tour.tour.path, source_text(resolved.repo, target.path))
    return found


def _bare(text: str) -> str:
    """A link's text as the name it is (``f`` of ``f()``)."""
    return identifier(text) or text


def _ranges(lines: list[int]) -> str:
    runs = merged([(n, n) for n in lines])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
    return f"line {text}" if len(lines) == 1 else f"lines {text}"
