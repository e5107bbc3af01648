"""Focus: from a text (or ``/regex/``) inside a symbol to the whole statement around it.

A tour step says ``focus: "self.layers = nn.ModuleList("``; the reader should see the
whole three-line statement lit, not one line of it. Given a file's text, the step's
span and the focus, ``focus_lines`` finds the first match inside the span and returns
the first and last line of the innermost statement containing it: a simple statement
(``x = f(...)`` over however many lines), or the *header* of a compound statement when
the match is in it (``for epoch in range(...):`` lights the loop's header, not the
whole loop; in a ``def`` header, just the parameter that matched). A match in a
comment or between statements lights just its own lines.

Pure: text in, line numbers out. libcst parses only the symbol's own lines when they
can stand alone (dedented), which keeps a focus inside a 500-line method cheap; the
whole file is parsed only when they cannot.
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from codewalk.tourfile import compile_focus

Lines = tuple[int, int]

_HEADED = (cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler, cst.MatchCase)


def find_match(text: str, span: Lines, focus: str | re.Pattern[str]) -> Lines | None:
    """First and last line of the first match of ``focus`` inside ``span`` (1-based,
    inclusive), or None when it does not occur there."""
    pattern = compile_focus(focus) if isinstance(focus, str) else focus
    lines = text.splitlines(keepends=True)
    start, end = max(span[0], 1), min(span[1], len(lines))
    segment = "".join(lines[start - 1 : end])
    match = pattern.search(segment)
    if match is None:
        return None
    first = start + segment.count("\n", 0, match.start())
    last_offset = max(match.end() - 1, match.start())
    last = start + segment.count("\n", 0, last_offset)
    return first, last


def focus_lines(text: str, span: Lines, focus: str | re.Pattern[str]) -> Lines | None:
    """The lines of the statement containing the first match of ``focus`` in ``span``,
    or None when the focus does not occur in the span."""
    found = find_match(text, span, focus)
    if found is None:
        return None
    statements = _statement_ranges(text, span)
    containing = [r for r in statements if r[0] <= found[0] and found[1] <= r[1]]
    if not containing:
        return found
    return min(containing, key=lambda r: (r[1] - r[0], -r[0]))


def _statement_ranges(text: str, span: Lines) -> list[Lines]:
    """Line ranges of every simple statement and compound-statement header in the span
    (file line numbers); empty when the code cannot be parsed."""
    lines = text.splitlines(keepends=True)
    start, end = max(span[0], 1), min(span[1], len(lines))
    snippet = _dedented(lines[start - 1 : end])
    if snippet is not None:
        try:
            return [(a + start - 1, b + start - 1) for a, b in _ranges(cst.parse_module(snippet))]
        except cst.ParserSyntaxError:
            pass  # not a standalone block (e.g. a span inside a bracket): parse the file
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return []
    return [(a, b) for a, b in _ranges(module) if a <= end and b >= start]


def _dedented(lines: list[str]) -> str | None:
    """The lines with their common leading indentation removed, or None when some
    line is indented less than the first (then they cannot be parsed alone)."""
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        return None
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    if not indent:
        return "".join(lines)
    out = []
    for line in lines:
        if line.startswith(indent):
            out.append(line[len(indent) :])
        elif not line.strip():
            out.append(line.lstrip(" \t"))
        else:
            return None
    return "".join(out)


def _ranges(module: cst.Module) -> list[Lines]:
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    collector = _Collector()
    wrapper.visit(collector)
    return collector.ranges


class _Collector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.ranges: list[Lines] = []

    def _span(self, node: cst.CSTNode) -> Lines:
        where = self.get_metadata(PositionProvider, node)
        return where.start.line, where.end.line

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.SimpleStatementLine, cst.Param)):
            self.ranges.append(self._span(node))
            return True
        if isinstance(node, (cst.BaseCompoundStatement, *_HEADED)):
            self.ranges.append(self._header(node))
        return True

    def _header(self, node: cst.CSTNode) -> Lines:
        first, last = self._span(node)
        body = getattr(node, "body", None)
        if isinstance(body, cst.IndentedBlock) and body.body:
            inner = body.body[0]
            inner_first = self._span(inner)[0]
            if isinstance(inner, (cst.FunctionDef, cst.ClassDef)) and inner.decorators:
                inner_first = self._span(inner.decorators[0])[0]
            leading = len(getattr(inner, "leading_lines", ()))
            return first, max(first, inner_first - leading - 1)
        return first, last
