"""Pygments tokens -> rich segments, one tuple per source line, computed lazily.

Pure: text in, segments out (no textual, no disk). Lexing all of a 5,000-line module
takes longer than a reader should wait to see it open, so a file is cut into chunks of
about :data:`CHUNK` lines and a chunk is lexed the first time one of its lines is drawn
(``bench/bench_ui.py`` measures it).

Python's lexer is in its root state at the start of every line except inside a
triple-quoted string, so chunks only start on lines outside those. One regular
expression (run in C) over the text finds them; comments and one-line strings are
matched too, so that quotes inside them cannot open a false triple-quoted string.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from pygments.lexer import Lexer  # type: ignore[import-untyped]
from pygments.lexers import PythonLexer, TextLexer  # type: ignore[import-untyped]
from pygments.token import Token, _TokenType  # type: ignore[import-untyped]
from rich.segment import Segment
from rich.style import Style

from codewalk.visible import visible

# Colours follow the monokai palette, on the widget's own background.
_PALETTE: dict[_TokenType, str] = {
    Token.Comment: "#75715e italic",
    Token.Keyword: "#f92672",
    Token.Keyword.Constant: "#66d9ef",
    Token.Keyword.Namespace: "#f92672",
    Token.Keyword.Type: "#66d9ef",
    Token.Operator: "#f92672",
    Token.Operator.Word: "#f92672",
    Token.Punctuation: "#f8f8f2",
    Token.Name: "#f8f8f2",
    Token.Name.Builtin: "#66d9ef",
    Token.Name.Builtin.Pseudo: "#fd971f italic",
    Token.Name.Class: "#a6e22e bold",
    Token.Name.Function: "#a6e22e",
    Token.Name.Function.Magic: "#a6e22e",
    Token.Name.Decorator: "#a6e22e italic",
    Token.Name.Exception: "#a6e22e",
    Token.Name.Namespace: "#f8f8f2",
    Token.Literal.Number: "#ae81ff",
    Token.Literal.String: "#e6db74",
    Token.Literal.String.Doc: "#c8bf6a italic",
    Token.Literal.String.Affix: "#66d9ef",
    Token.Literal.String.Interpol: "#ae81ff",
    Token.Error: "#f8f8f2 on #960050",
}
_PLAIN = Style.parse("#f8f8f2")

CHUNK = 64  # lines lexed at a time

# a comment | a triple-quoted string | a one-line string (any prefix is outside the match)
_STRINGS = re.compile(
    r"#[^\n]*"
    r'|"""(?:\\.|[^\\])*?"""'
    r"|'''(?:\\.|[^\\])*?'''"
    r'|"(?:\\.|[^"\\\n])*"'
    r"|'(?:\\.|[^'\\\n])*'",
    re.DOTALL,  # so that an escaped newline is one escape
)

StyledLine = tuple[Segment, ...]


@lru_cache(maxsize=256)
def style_for(token: _TokenType) -> Style:
    """The style of a token type: its own entry, else its nearest ancestor's."""
    while token is not None:
        spec = _PALETTE.get(token)
        if spec is not None:
            return Style.parse(spec)
        token = token.parent
    return _PLAIN


def lexer_for(path: str) -> Lexer:
    if path.endswith((".py", ".pyi")):
        return PythonLexer(stripnl=False, ensurenl=False)
    return TextLexer(stripnl=False, ensurenl=False)


def split_lines(text: str) -> list[str]:
    """Lines as every other part of codewalk counts them: split at ``\\n`` only."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def unsafe_lines(text: str) -> set[int]:
    """0-based indexes of lines that begin inside a triple-quoted string."""
    unsafe: set[int] = set()
    for match in _STRINGS.finditer(text):
        body = match.group()
        if "\n" not in body:
            continue
        first = text.count("\n", 0, match.start())
        unsafe.update(range(first + 1, first + body.count("\n") + 1))
    return unsafe


def chunk_starts(text: str, count: int, *, python: bool = True) -> list[int]:
    """0-based line indexes where lexing may (re)start: about every :data:`CHUNK`
    lines, never inside a triple-quoted string; always begins with 0."""
    unsafe = unsafe_lines(text) if python else set()
    starts = [0]
    for wanted in range(CHUNK, count, CHUNK):
        line = wanted
        while line in unsafe:
            line += 1
        if starts[-1] < line < count:
            starts.append(line)
    return starts


def highlight_lines(lines: Sequence[str], lexer: Lexer) -> list[StyledLine]:
    """Highlight consecutive ``lines`` (no newlines) as one run of source."""
    out: list[StyledLine] = []
    current: list[Segment] = []
    text = "\n".join(lines) + "\n"
    for token, value in lexer.get_tokens(text):
        style = style_for(token)
        parts = value.split("\n")
        for number, part in enumerate(parts):
            if number:
                out.append(tuple(current))
                current = []
            if part:
                current.append(Segment(part, style))
    if current:
        out.append(tuple(current))
    # the lexer may add or drop a trailing empty line; keep exactly one entry per line
    while len(out) < len(lines):
        out.append(())
    return out[: len(lines)]


class HighlightedSource:
    """One file's lines, highlighted chunk by chunk on first use and kept."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text  # as read
        # shown, never sent: a control character in the file is drawn as its escape
        text = visible(text.expandtabs(4))
        self.lines: list[str] = split_lines(text)
        self._lexer = lexer_for(path)
        python = path.endswith((".py", ".pyi"))
        self._starts = chunk_starts(text, len(self.lines), python=python)
        self._styled: list[StyledLine | None] = [None] * len(self.lines)

    def __len__(self) -> int:
        return len(self.lines)

    def line(self, index: int) -> StyledLine:
        """Segments of 0-based line ``index``."""
        styled = self._styled[index]
        if styled is None:
            self._highlight_chunk_of(index)
            styled = self._styled[index]
            assert styled is not None
        return styled

    def _highlight_chunk_of(self, index: int) -> None:
        chunk = bisect_right(self._starts, index) - 1
        start = self._starts[chunk]
        end = self._starts[chunk + 1] if chunk + 1 < len(self._starts) else len(self.lines)
        for offset, styled in enumerate(highlight_lines(self.lines[start:end], self._lexer)):
            self._styled[start + offset] = styled
