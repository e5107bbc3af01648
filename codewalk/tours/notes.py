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

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from codewalk.resolve.query import is_symbol_name

SCHEME = "codewalk:"
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# a name, a dotted name, optionally called: ``x``, ``a.b.c``, ``f()``, ``a.f(...)``
_IDENTIFIER_RE = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*(?:\(\)|\(\.\.\.\))?")
_SPECIAL_RE = re.compile(r"[\\`\[\]]")  # what the scanner acts on; the rest is text
_BACKTICKS_RE = re.compile(r"`+")
_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>!|~&#])")
_MAX_PARENS = 32  # how deep parentheses nest in a link destination


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
        scanner.run(start, end)
    return NoteParts(tuple(scanner.links), tuple(scanner.spans), tuple(scanner.problems))


def identifier(span: str) -> str | None:
    """The name a code span holds (``a.b`` of ``a.b(...)``), None when it holds anything
    else than a name, a dotted name or such a name called with ``()`` or ``(...)``."""
    if not _IDENTIFIER_RE.fullmatch(span):
        return None
    return span.split("(", 1)[0]


def code_span(text: str) -> str:
    """``text`` as a Markdown code span, shown as it is (``strict.<locals>.wrap``,
    ``<frozen importlib._bootstrap>``): fenced by one backtick more than its longest run
    of them, with a space inside where it starts or ends with one."""
    fence = "`" * (max((len(run) for run in _BACKTICKS_RE.findall(text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain_markdown(text: str) -> str:
    """``text`` escaped so that Markdown shows it as written (a title such as
    ``__init__ of Config`` is not bold, ``<module x>`` is no HTML tag)."""
    return _MARKDOWN_SPECIAL_RE.sub(r"\\\1", text)


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
    """``text`` with each code span written as its content (its backticks dropped)."""
    out: list[str] = []
    position = 0
    for span in scan(text).code_spans:
        out.append(text[position : span.start])
        out.append(span.text)
        position = span.end
    out.append(text[position:])
    return "".join(out)


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


class _Opener:
    """A ``[`` that may open a link: where it is, how many code spans came before it,
    and whether it may still open one (a link inside its brackets makes it text)."""

    __slots__ = ("active", "at", "spans")

    def __init__(self, at: int, spans: int) -> None:
        self.at = at
        self.spans = spans
        self.active = True


class _Scanner:
    """One pass over the note, left to right, as CommonMark reads inlines: a backslash
    escapes, a code span hides what is inside it, a ``]`` closes the nearest ``[`` and
    makes a link when a destination follows, and a link inside another's brackets wins
    (links do not nest). Every character is looked at a bounded number of times, so no
    note, however hostile, takes long (a search that found nothing is not made again)."""

    def __init__(self, note: str) -> None:
        self.note = note
        self.links: list[Link] = []
        self.spans: list[CodeSpan] = []
        self.problems: list[str] = []
        self._none_after: dict[tuple[str, int], int] = {}  # (text, end) -> from where there is none

    def run(self, start: int, end: int) -> None:
        note = self.note
        openers: list[_Opener] = []
        self._runs: dict[int, list[int]] = {}  # the runs of backticks, by length: where each starts
        for backticks in _BACKTICKS_RE.finditer(note, start, end):
            self._runs.setdefault(len(backticks[0]), []).append(backticks.start())
        i = start
        while (found := _SPECIAL_RE.search(note, i, end)) is not None:
            i = found.start()
            char = note[i]
            if char == "\\":
                i += 2
            elif char == "`":
                i = self._code_span(i, end)
            elif char == "[":
                openers.append(_Opener(i, len(self.spans)))
                i += 1
            elif openers:
                i = self._close(openers, i, end)
            else:
                i += 1

    def _find(self, text: str, start: int, end: int) -> int:
        """``note.find(text, start, end)``, remembering where it found nothing."""
        if self._none_after.get((text, end), end) <= start:
            return -1
        found = self.note.find(text, start, end)
        if found < 0:
            self._none_after[(text, end)] = start
        return found

    def _code_span(self, i: int, end: int) -> int:
        """A code span opened by the backticks at ``i``, closed by the next run of as
        many (a longer or shorter run does not close it); the offset after it, or after
        the backticks when nothing closes them (then they are text)."""
        note = self.note
        run = i
        while run < end and note[run] == "`":
            run += 1
        closings = self._runs.get(run - i, [])
        found = bisect.bisect_left(closings, run)
        if found == len(closings):
            return run
        close = closings[found]
        after = close + run - i
        text = note[run:close].replace("\n", " ")
        if len(text) >= 2 and text[0] == " " and text[-1] == " " and text.strip():
            text = text[1:-1]
        self.spans.append(CodeSpan(text, i, after))
        return after

    def _close(self, openers: list[_Opener], close: int, end: int) -> int:
        """The ``]`` at ``close`` and the nearest ``[``: a link when a destination
        follows (recorded when it is ``codewalk:``); the offset to go on from."""
        note = self.note
        opener = openers.pop()
        if not opener.active or close + 1 >= end or note[close + 1] != "(":
            return close + 1
        parsed = self._destination(close + 2, end)
        if parsed is None:
            if note.startswith(f"<{SCHEME}", _skip_space(note, close + 2, end)):  # meant, not text
                text = note[opener.at + 1 : close]
                self.problems.append(
                    f"link [{text}](<{SCHEME}…>) does not close where its destination ends: "
                    "inside <…>, a > or < is written \\> or \\<, and no line breaks"
                )
            return close + 1
        destination, after = parsed
        for outer in openers:  # a link is never inside another's text
            outer.active = False
        if not destination.startswith(SCHEME):
            return after
        link = Link(note[opener.at + 1 : close], destination[len(SCHEME) :], opener.at, after)
        problem = _target_problem(link)
        if problem is not None:
            self.problems.append(problem)
            return after
        self.links.append(link)
        inside = self.spans[opener.spans :]
        self.spans[opener.spans :] = [CodeSpan(s.text, s.start, s.end, link) for s in inside]
        return after

    def _destination(self, i: int, end: int) -> tuple[str, int] | None:
        """The destination of a link whose ``(`` is just before ``i``, and the offset
        after its ``)``; None when it is not a link destination (then the text is plain
        text). Parentheses nest at most 32 deep in it, as in cmark and markdown-it."""
        note = self.note
        i = _skip_space(note, i, end)
        if i < end and note[i] == "<":
            j = i + 1
            while j < end and note[j] not in "<>\n":
                j += 2 if note[j] == "\\" else 1
            if j >= end or note[j] != ">":
                return None
            destination = _unescape(note[i + 1 : j])
            j += 1
        else:
            bare = _bare_destination_end(note, i, end)
            if bare is None:
                return None
            destination, j = _unescape(note[i:bare]), bare
        j = _skip_space(note, j, end)
        if j < end and note[j] in "\"'(":  # a title
            k = self._find(")" if note[j] == "(" else note[j], j + 1, end)
            if k < 0:
                return None
            j = _skip_space(note, k + 1, end)
        if j >= end or note[j] != ")":
            return None
        return destination, j + 1


def _skip_space(note: str, i: int, end: int) -> int:
    while i < end and note[i] in " \t\n":
        i += 1
    return i


def _bare_destination_end(note: str, i: int, end: int) -> int | None:
    """Where a destination without ``<...>`` that starts at ``i`` ends (at a space, or
    the ``)`` that closes the link); None when its parentheses nest too deep."""
    depth = 0
    while i < end and not note[i].isspace():
        char = note[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            depth += 1
            if depth > _MAX_PARENS:
                return None
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        i += 1
    return min(i, end)


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
    if link.query and not is_symbol_name(link.query):
        return f"link {written}: {link.query!r} is not a dotted name"
    return None


def link_as_written(link: Link) -> str:
    """``link [text](codewalk:target)``: how a link's problems name it."""
    return f"link [{link.text}]({SCHEME}{link.target})"
