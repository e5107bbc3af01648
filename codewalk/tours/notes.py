"""What a note says about code: its ``codewalk:`` links and the names it puts in backticks.

A note is Markdown. A link with the ``codewalk:`` scheme points at code::

    [`Accelerator.backward`](codewalk:accelerate.Accelerator.backward)   a symbol
    [the fp16 check](<codewalk:Trainer._inner_training_loop#if args.fp16>)   a region in it
    [this test](<codewalk:#if labels is not None>)   a region of the step's own code

The target is ``QUERY``, ``QUERY#FOCUS`` or ``#FOCUS``: a query as a step's ``at:``
takes, and a focus as ``focus:`` takes (a text, or a ``/regex/``). The ``<...>`` form of
a CommonMark link destination allows spaces. :func:`scan` finds the links and the code
spans of a note, outside fenced code blocks, as CommonMark reads them (a backslash
escapes, a code span hides what is inside it); :func:`rewrite_links` replaces each link
with what a renderer makes of it. Pure: text in, records out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from codewalk.resolve.query import is_name

SCHEME = "codewalk:"
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# a name, a dotted name, optionally called: ``x``, ``a.b.c``, ``f()``, ``a.f(...)``
_IDENTIFIER_RE = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*(?:\(\)|\(\.\.\.\))?")


@dataclass(frozen=True, slots=True)
class Link:
    """A ``codewalk:`` link of a note."""

    text: str  # the link text, as written (Markdown: it may hold code spans)
    target: str  # what follows ``codewalk:``
    start: int  # offsets of the whole link, ``[`` to ``)``, in the note
    end: int

    @property
    def query(self) -> str:
        """The symbol the link names ("" for a region of the step's own code)."""
        return self.target.partition("#")[0].strip()

    @property
    def focus(self) -> str | None:
        """The region inside the symbol (a text or ``/regex/``), if any."""
        _, hash_, focus = self.target.partition("#")
        return focus if hash_ else None

    @property
    def plain_text(self) -> str:
        """The link text without its code-span backticks (``Accelerator.backward``)."""
        return _strip_code(self.text)


@dataclass(frozen=True, slots=True)
class CodeSpan:
    """An inline code span: its text (as CommonMark makes it) and where it is."""

    text: str
    start: int
    end: int
    in_link: Link | None = None  # the ``codewalk:`` link whose text holds it


@dataclass(frozen=True, slots=True)
class NoteParts:
    links: tuple[Link, ...]
    code_spans: tuple[CodeSpan, ...]
    problems: tuple[str, ...]  # a ``codewalk:`` link that names nothing, in words


def scan(note: str) -> NoteParts:
    """The ``codewalk:`` links and the code spans of ``note``, in order."""
    scanner = _Scanner(note)
    for start, end in _inline_ranges(note):
        scanner.run(start, end, None)
    return NoteParts(tuple(scanner.links), tuple(scanner.spans), tuple(scanner.problems))


def identifier(span: str) -> str | None:
    """The name a code span holds (``a.b`` of ``a.b(...)``), None when it holds anything
    else than a name, a dotted name or such a name called with ``()`` or ``(...)``."""
    if not _IDENTIFIER_RE.fullmatch(span):
        return None
    return span.split("(", 1)[0]


def rewrite_links(note: str, links: tuple[Link, ...], replace: Callable[[int, Link], str]) -> str:
    """``note`` with each of ``links`` (as :func:`scan` found them) replaced by
    ``replace(index, link)``."""
    out: list[str] = []
    position = 0
    for index, link in enumerate(links):
        out.append(note[position : link.start])
        out.append(replace(index, link))
        position = link.end
    out.append(note[position:])
    return "".join(out)


def _strip_code(text: str) -> str:
    spans = scan(text).code_spans
    if len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(text):
        return spans[0].text
    return text


def _inline_ranges(note: str) -> list[tuple[int, int]]:
    """The offsets of the note outside fenced code blocks."""
    ranges: list[tuple[int, int]] = []
    start = 0
    offset = 0
    fence: str | None = None
    for line in note.splitlines(keepends=True):
        match = _FENCE_RE.match(line)
        if fence is None and match is not None:
            ranges.append((start, offset))
            fence = match.group(1)
        elif (
            fence is not None
            and match is not None
            and match.group(1)[0] == fence[0]
            and len(match.group(1)) >= len(fence)
            and not line[match.end() :].strip()
        ):
            fence = None
            start = offset + len(line)
        offset += len(line)
    if fence is None:
        ranges.append((start, len(note)))
    return [(a, b) for a, b in ranges if a < b]


class _Scanner:
    def __init__(self, note: str) -> None:
        self.note = note
        self.links: list[Link] = []
        self.spans: list[CodeSpan] = []
        self.problems: list[str] = []

    def run(self, start: int, end: int, link: Link | None) -> None:
        note = self.note
        i = start
        while i < end:
            char = note[i]
            if char == "\\":
                i += 2
            elif char == "`":
                i = self._code_span(i, end, link)
            elif char == "[" and link is None:
                i = self._link(i, end)
            else:
                i += 1

    def _code_span(self, i: int, end: int, link: Link | None) -> int:
        note = self.note
        run = i
        while run < end and note[run] == "`":
            run += 1
        ticks = run - i
        j = run
        while j < end:
            close = note.find("`" * ticks, j, end)
            if close < 0:
                return run  # no closing run: the backticks are text
            after = close + ticks
            if (close == 0 or note[close - 1] != "`") and (after >= end or note[after] != "`"):
                text = note[run:close].replace("\n", " ")
                if len(text) >= 2 and text[0] == " " and text[-1] == " " and text.strip():
                    text = text[1:-1]
                self.spans.append(CodeSpan(text, i, after, link))
                return after
            j = after
            while j < end and note[j] == "`":
                j += 1
        return run

    def _link(self, i: int, end: int) -> int:
        """A link starting at ``[``: recorded when its destination is ``codewalk:``;
        the offset to go on from (after the link, or after the ``[``)."""
        note = self.note
        close = self._bracket_end(i, end)
        if close is None or close + 1 >= end or note[close + 1] != "(":
            return i + 1
        parsed = _destination(note, close + 2, end)
        if parsed is None:
            return i + 1
        destination, after = parsed
        if not destination.startswith(SCHEME):
            self.run(i + 1, close, None)  # code spans of another link's text are the note's
            return after
        link = Link(note[i + 1 : close], destination[len(SCHEME) :], i, after)
        problem = _target_problem(link)
        if problem is not None:
            self.problems.append(problem)
        else:
            self.links.append(link)
        self.run(i + 1, close, link)
        return after

    def _bracket_end(self, i: int, end: int) -> int | None:
        """The ``]`` that closes the ``[`` at ``i`` (brackets nest; code spans and
        backslashes hide them)."""
        note = self.note
        depth = 0
        j = i
        while j < end:
            char = note[j]
            if char == "\\":
                j += 2
                continue
            if char == "`":
                before = len(self.spans)
                j = self._code_span(j, end, None)
                del self.spans[before:]  # found again, with its link, once the link is known
                continue
            if char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    return j
            j += 1
        return None


def _destination(note: str, i: int, end: int) -> tuple[str, int] | None:
    """The destination of a link whose ``(`` is just before ``i``, and the offset after
    its ``)``; None when it is not a link destination (then the text is plain text)."""
    while i < end and note[i] in " \t\n":
        i += 1
    if i < end and note[i] == "<":
        j = i + 1
        while j < end and note[j] not in "<>\n":
            j += 2 if note[j] == "\\" else 1
        if j >= end or note[j] != ">":
            return None
        destination = _unescape(note[i + 1 : j])
        j += 1
    else:
        j = i
        depth = 0
        while j < end and not note[j].isspace():
            char = note[j]
            if char == "\\":
                j += 2
                continue
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            j += 1
        destination = _unescape(note[i:j])
    while j < end and note[j] in " \t\n":
        j += 1
    if j < end and note[j] in "\"'(":  # a title
        closing = {"(": ")"}.get(note[j], note[j])
        k = note.find(closing, j + 1, end)
        if k < 0:
            return None
        j = k + 1
        while j < end and note[j] in " \t\n":
            j += 1
    if j >= end or note[j] != ")":
        return None
    return destination, j + 1


def _unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def _target_problem(link: Link) -> str | None:
    """Why a ``codewalk:`` link names nothing to go to, or None."""
    written = f"[{link.text}]({SCHEME}{link.target})"
    if not link.target.strip() or (link.focus is not None and not link.focus.strip() and not link.query):
        forms = "codewalk:SYMBOL, codewalk:SYMBOL#FOCUS or codewalk:#FOCUS"
        return f"link {written} names nothing: write {forms}"
    if link.focus is not None and not link.focus.strip():
        return f"link {written}: the focus after '#' is empty"
    if link.query and not is_name(link.query):
        return f"link {written}: {link.query!r} is not a dotted name"
    return None
