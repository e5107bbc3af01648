"""Words on a line of code, for the code view's cursor: the identifier under it (``g``,
``x``, ``c`` ask for it) and where the next or previous word starts (ctrl+arrows).

Pure: text and columns in, columns out."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MOVE = re.compile(r"[A-Za-z0-9_]+|[^\sA-Za-z0-9_]+")


def word_at(text: str, col: int) -> tuple[str, int] | None:
    """The identifier touching column ``col`` of ``text`` and its start column."""
    for match in _WORD.finditer(text):
        if match.start() <= col < match.end() or (col == match.end() and col > 0):
            return match.group(), match.start()
        if match.start() > col:
            break
    return None


def next_word_col(text: str, col: int) -> int | None:
    """Start column of the next word (or run of punctuation) after ``col``."""
    for match in _MOVE.finditer(text):
        if match.start() > col:
            return match.start()
    return None


def previous_word_col(text: str, col: int) -> int | None:
    starts = [match.start() for match in _MOVE.finditer(text) if match.start() < col]
    return starts[-1] if starts else None


def name_col(text: str, name: str) -> int:
    """The column where ``text`` (a definition's line) names ``name`` (``def name``,
    ``class name``, ``name = ...``, ``self.name = ...``): its first whole word, else the
    line's first character."""
    for match in _WORD.finditer(text):
        if match.group() == name:
            return match.start()
    return len(text) - len(text.lstrip())
