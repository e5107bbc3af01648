"""Focus: from a text (or ``/regex/``) inside a symbol to the whole statement around it.

A tour step says ``focus: "self.layers = nn.ModuleList("``; the reader should see the
whole three-line statement lit, not one line of it. Given a file's text, the step's
span and the focus, ``focus_lines`` finds the first match inside the span and returns
the first and last line of the innermost statement containing it: a simple statement
(``x = f(...)`` over however many lines), or the *header* of a compound statement when
the match is in it (``for epoch in range(...):`` lights the loop's header, not the
whole loop; in a ``def`` header, just the parameter that matched), or one entry of a
dict, list, tuple or set literal over several lines (``"text-generation": {...}`` in a
table of 160 lines). A match in a
comment or between statements lights just its own lines.

Pure: text in, line numbers out. Statement boundaries come from the standard library's
``ast`` rather than libcst: only line spans are needed here (no comments, no layout),
and a plain tour need not import libcst at all. Only the symbol's own lines are parsed
when they can stand alone (dedented), which keeps a focus inside a 500-line method
cheap; the whole file is parsed only when they cannot.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Sequence
from typing import Any

from codewalk import parsing
from codewalk.errors import FocusTimeout
from codewalk.tours.loader import compile_focus

Lines = tuple[int, int]

_COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.If,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.ExceptHandler,
    ast.Match,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
)
_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While)  # headers that test: their body may not run
_TRY_STAR = (ast.TryStar,) if hasattr(ast, "TryStar") else ()


FOCUS_TIMEOUT_S = 1.0  # far beyond what any sane pattern takes on a 5,000-line span


def as_regex(text: str) -> str:
    """``text`` as a ``/regex/`` focus's part that matches it, escaping only what a regex
    reads specially (``re.escape`` escapes spaces too, which a reader of the tour has to
    unpick)."""
    return re.sub(r"([.^$*+?{}\[\]\\|()/])", r"\\\1", text)


def search_focus(pattern: Any, text: str) -> Any:
    """``pattern.search(text)``; a ``/regex/`` focus within :data:`FOCUS_TIMEOUT_S`, and
    without holding the interpreter's lock (the UI keeps drawing and taking keys
    meanwhile). Raises :class:`~codewalk.errors.FocusTimeout` when time runs out."""
    if isinstance(pattern, re.Pattern):  # literal text: linear
        return pattern.search(text)
    try:
        return pattern.search(text, timeout=FOCUS_TIMEOUT_S, concurrent=True)
    except TimeoutError:
        raise FocusTimeout("focus pattern took too long") from None


def find_match(text: str, span: Lines, focus: Any) -> Lines | None:
    """First and last line of the first match of ``focus`` (text, ``/regex/``, or a
    compiled pattern) inside ``span`` (1-based, inclusive), or None when it does not
    occur there. Raises FocusTimeout for a regex that runs out of time."""
    pattern = compile_focus(focus) if isinstance(focus, str) else focus
    lines = _lines(text)
    start, end = max(span[0], 1), min(span[1], len(lines))
    segment = "".join(lines[start - 1 : end])
    match = search_focus(pattern, segment)
    if match is None:
        return None
    first = start + segment.count("\n", 0, match.start())
    last_offset = max(match.end() - 1, match.start())
    last = start + segment.count("\n", 0, last_offset)
    return first, last


def focus_lines(text: str, span: Lines, focus: Any) -> Lines | None:
    """The lines of the statement containing the first match of ``focus`` in ``span``
    (of the statements it touches, for a ``/regex/`` from one statement into the next),
    or None when the focus does not occur in the span."""
    found = find_match(text, span, focus)
    if found is None:
        return None
    whole = _innermost(text, span, found)
    if whole is not None:
        return whole
    first = _innermost(text, span, (found[0], found[0])) or found
    last = _innermost(text, span, (found[1], found[1])) or found
    return min(first[0], found[0]), max(last[1], found[1])


def _innermost(text: str, span: Lines, lines: Lines) -> Lines | None:
    """The lines of the innermost statement (header, parameter, literal's entry) that
    holds all of ``lines``, or None when none does (a comment, or lines of two)."""
    statements = statement_ranges(text, span, around=lines)
    containing = [r for r in statements if r[0] <= lines[0] and lines[1] <= r[1]]
    if not containing:
        return None
    return min(containing, key=lambda r: (r[1] - r[0], -r[0]))


def statement_ranges(text: str, span: Lines, around: Lines | None = None) -> list[Lines]:
    """Line ranges of every simple statement, compound-statement header and function
    parameter in the span (file line numbers); empty when the code does not parse.
    With ``around`` (file lines), only those of the statements that may contain it: a
    step's focus needs no more, and walking the whole of ``generate`` for it is slow."""
    parsed = _parsed(text, span)
    if parsed is None:
        return []
    tree, lines, shift = parsed
    inside = (around[0] - shift, around[1] - shift) if around else None
    ranges = [(a + shift, b + shift) for a, b in _ranges(tree, lines, inside)]
    return [(a, b) for a, b in ranges if a <= span[1] and b >= span[0]]


def branch_bodies(text: str, span: Lines, regions: Sequence[Lines]) -> tuple[Lines | None, ...]:
    """For each region (file lines) that is the header of an ``if``, ``elif``, ``for``
    or ``while`` in the span, the lines of the body it opens; None for any other. A
    header that ran is a test that ran: whether the branch was taken, or the loop went
    round, its body tells."""
    parsed = _parsed(text, span)
    if parsed is None:
        return tuple(None for _ in regions)
    tree, lines, shift = parsed
    bodies: dict[Lines, Lines] = {}
    for node in _statements_over(tree, [(a - shift, b - shift) for a, b in regions]):
        if isinstance(node, _BRANCHES):
            first, last = _header(node, lines)
            inner = node.body[0]
            body_first = min([inner.lineno, *(d.lineno for d in getattr(inner, "decorator_list", ()))])
            if body_first > last:  # a one-line ``if x: y`` has no lines of its own to tell
                body_last = node.body[-1].end_lineno or node.body[-1].lineno
                bodies[(first + shift, last + shift)] = (body_first + shift, body_last + shift)
        for keyword, clause in _clauses(node, lines):
            clause_last = clause[-1].end_lineno or clause[-1].lineno
            bodies.setdefault(
                (keyword + shift, keyword + shift), (clause[0].lineno + shift, clause_last + shift)
            )
    return tuple(bodies.get(region) for region in regions)


def _statements_over(tree: ast.AST, regions: Sequence[Lines]) -> list[ast.AST]:
    """The statements (and ``except`` clauses, ``case`` blocks) of ``tree`` whose lines
    hold one of ``regions``, outermost first: a branch's header, or the keyword of its
    ``else:``, lies within its statement's lines, and no statement is inside an
    expression. Walking these alone, not every node of a 500-line method (or of a class
    of thousands of lines), finds the same branches."""
    found: list[ast.AST] = []
    level: list[ast.AST] = [tree]
    while level:
        found += level
        inner: list[ast.AST] = []
        for node in level:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                for child in getattr(node, field, ()):
                    first, last = _lines_of(child)
                    if any(first <= a and b <= last for a, b in regions):
                        inner.append(child)
        level = inner
    return found


def _lines_of(node: ast.AST) -> Lines:
    """A statement's lines; a ``case`` block (which has none of its own) from its pattern
    to the end of its body."""
    if isinstance(node, ast.match_case):
        return node.pattern.lineno, node.body[-1].end_lineno or node.body[-1].lineno
    first: int = getattr(node, "lineno", 0)
    return first, getattr(node, "end_lineno", None) or first


_CLAUSE = re.compile(r"\s*(else|finally)\s*:\s*(#.*)?$")


def _clauses(node: ast.AST, lines: list[str]) -> list[tuple[int, list[ast.stmt]]]:
    """The ``else:`` and ``finally:`` clauses of ``node``, each as the line of its keyword
    and its body: a line Python runs nothing on, so a focus on it ran when its body did
    (an ``elif`` is an ``if`` of its own)."""
    if not isinstance(node, (*_BRANCHES, ast.Try, *_TRY_STAR)):
        return []
    out: list[tuple[int, list[ast.stmt]]] = []
    for clause in (getattr(node, "orelse", []), getattr(node, "finalbody", [])):
        # above its body, past blank lines and comments only: the keyword, if any
        number = clause[0].lineno - 1 if clause else 0
        while 0 < number <= len(lines) and lines[number - 1].strip()[:1] in ("", "#"):
            number -= 1
        if 0 < number <= len(lines) and _CLAUSE.match(lines[number - 1]):
            out.append((number, clause))
    return out


@functools.lru_cache(maxsize=4)
def _parsed(text: str, span: Lines) -> tuple[ast.AST, list[str], int] | None:
    """The tree of the span's lines, those lines, and the shift from their line numbers
    to the file's; None when the code does not parse. Only the span is parsed when its
    lines stand alone (dedented), else the whole file. A step's focus and its branches
    read the same span up to five times: the last few trees are kept (never changed)."""
    lines = _lines(text)
    start, end = max(span[0], 1), min(span[1], len(lines))
    snippet = _dedented(lines[start - 1 : end])
    if snippet is not None:
        try:
            tree = parsing.parse(snippet)
        except (SyntaxError, ValueError):
            pass  # not a standalone block: parse the whole file below
        else:
            return tree, [line.rstrip("\r\n") for line in snippet.splitlines()], start - 1
    try:
        tree = parsing.parse(text)
    except (SyntaxError, ValueError):
        return None
    return tree, [line.rstrip("\r\n") for line in lines], 0


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> tuple[str, ...]:
    """The lines of a file's text, their ends kept. Each focus of a step, and each
    span parsed, takes its lines from the file the step is in: it is split once, not
    once for every one of them (the last few files are kept, never changed)."""
    return tuple(text.splitlines(keepends=True))


def _dedented(lines: Sequence[str]) -> str | None:
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


def _ranges(tree: ast.AST, lines: list[str], around: Lines | None = None) -> list[Lines]:
    """The ranges of :func:`statement_ranges` in ``tree``; with ``around``, only in the
    subtrees whose lines (decorators included) reach over it."""
    ranges: list[Lines] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        if around is not None and not _reaches_over(node, around):
            continue
        pending.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.arg):
            ranges.append((node.lineno, node.end_lineno or node.lineno))
        elif isinstance(node, _COMPOUND):
            ranges.append(_header(node, lines))
        elif isinstance(node, ast.stmt):
            ranges.append((node.lineno, node.end_lineno or node.lineno))
        elif isinstance(node, (ast.Dict, ast.List, ast.Tuple, ast.Set)) and node.end_lineno != node.lineno:
            ranges.extend(_entries(node))
    return ranges


def _entries(node: ast.Dict | ast.List | ast.Tuple | ast.Set) -> list[Lines]:
    """The lines of each entry of a literal over several lines: a key with its value
    (``**spread`` alone), or an element. A focus on one entry of a long table lights
    that entry, not the whole assignment."""
    if isinstance(node, ast.Dict):
        entries = zip(node.keys, node.values, strict=True)
        pairs = [(key if key is not None else value, value) for key, value in entries]
    else:
        pairs = [(element, element) for element in node.elts]
    return [(first.lineno, last.end_lineno or last.lineno) for first, last in pairs]


def _reaches_over(node: ast.AST, around: Lines) -> bool:
    first: int | None = getattr(node, "lineno", None)
    if first is None:  # the module, an operator, a context: no lines of its own
        return True
    for decorator in getattr(node, "decorator_list", ()):
        first = min(first, decorator.lineno)
    last: int = getattr(node, "end_lineno", None) or first
    return first <= around[0] and around[1] <= last


def _header(node: ast.stmt | ast.excepthandler, lines: list[str]) -> Lines:
    """From the keyword to the line of the colon that opens the body: the line before
    the first statement of the body, less the blank and comment lines in between."""
    first = node.lineno
    body = getattr(node, "body", None) or getattr(node, "cases", None)
    if not body:
        return first, node.end_lineno or first
    inner = body[0]
    inner_first = min([inner.lineno, *(d.lineno for d in getattr(inner, "decorator_list", ()))])
    if inner_first <= first:  # a one-line compound statement: ``if x: y``
        return first, node.end_lineno or first
    last = inner_first - 1
    while last > first and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
        last -= 1
    return first, last
