"""Pure pygments helpers for the plain terminal output: text in, ANSI text out.

The whole API (others reuse it; keep it small):

- :func:`highlight_lines` -- Python source -> one highlighted string per source line.
- :func:`numbered` -- a span of code with line numbers, optionally highlighted, some
  lines marked (a tour's focus).
- :func:`signature` -- a definition's header line(s), highlighted or not.

pygments is imported only when colour is asked for, so piped output (and the ``find``
benchmark) never pays for it.
"""

from __future__ import annotations

import functools
from collections.abc import Container
from typing import Any

_MARK = "▌"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def lines_of(code: str) -> list[str]:
    """The lines of ``code`` as files count them: split on ``\n`` only. (``splitlines``
    also splits on form feeds and other separators a source file may hold,
    which would shift every line number after them.)"""
    lines = code.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


STYLE = "monokai"  # one pygments style for every plain-terminal command


def highlight_lines(code: str, *, style: str = STYLE) -> list[str]:
    """One ANSI-highlighted string per line of ``code`` (same count as :func:`lines_of`)."""
    from pygments import highlight  # type: ignore[import-untyped]

    lines = lines_of(code)
    if not lines:
        return []
    lexer, formatter = _pygments(style)
    out: str = highlight(code, lexer, formatter)
    result = out.split("\n")
    if len(result) > len(lines):
        result = result[: len(lines)]
    while len(result) < len(lines):  # defensive: never lose a line
        result.append(lines[len(result)])
    return result


def numbered(
    code: str,
    first_line: int = 1,
    *,
    color: bool = False,
    mark: Container[int] = (),
) -> str:
    """``code`` (whose first line is line ``first_line`` of its file) with a line-number
    gutter; lines whose numbers are in ``mark`` get a bar in the gutter."""
    plain = lines_of(code)
    shown = highlight_lines(code) if color else plain
    width = len(str(first_line + max(len(plain) - 1, 0)))
    rows: list[str] = []
    for offset, text in enumerate(shown):
        number = first_line + offset
        bar = _MARK if number in mark else " "
        gutter = f"{number:>{width}} {bar} "
        rows.append(f"{_DIM}{gutter}{_RESET}{text}" if color else f"{gutter}{text}".rstrip())
    return "\n".join(rows)


def signature(text: str, *, color: bool = False) -> str:
    """A definition header, highlighted when ``color``."""
    if not color or not text:
        return text
    return "\n".join(highlight_lines(text))


@functools.lru_cache(maxsize=4)
def _pygments(style: str) -> tuple[Any, Any]:
    """One lexer and formatter per process: a formatter works out its whole palette when
    made, and a tour highlights a dozen snippets. Both keep no state between calls."""
    from pygments.formatters import Terminal256Formatter  # type: ignore[import-untyped]
    from pygments.lexers import PythonLexer  # type: ignore[import-untyped]

    return PythonLexer(stripnl=False, ensurenl=True), Terminal256Formatter(style=style)
