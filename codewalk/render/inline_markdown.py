"""The Markdown of most notes, rendered for a terminal without rich: paragraphs of
ASCII text with ``code`` spans, *emphasis* and **strong** emphasis, wrapped and styled
exactly as rich's Markdown renders them (rich's import alone costs a cold tour a tenth
of its time). Anything else (a heading, a list, a link, a block of code, a character a
terminal may draw wider) is not this module's: :func:`render` returns None and rich
renders it. ``tests/test_inline_markdown.py`` holds the two to the same bytes.
"""

from __future__ import annotations

import re

# rich's default Markdown theme: "markdown.code", "markdown.em", "markdown.strong"
_CODE, _EM, _STRONG = "\x1b[1;36;40m", "\x1b[3m", "\x1b[1m"
_RESET = "\x1b[0m"

_CODE_SPAN = re.compile(r"`([^`\n]+)`")
# emphasis that CommonMark reads one way only: a run of plain words between single or
# double asterisks, opened after a space or a bracket and closed before a space or
# punctuation
_EMPHASIS = re.compile(r"(?<![^\s(])(\*\*?)([A-Za-z0-9][A-Za-z0-9 ,.'-]*?(?<! ))\1(?=$|[\s.,;:!?)])")
_PLAIN = re.compile(r"[A-Za-z0-9_ ,.;:!?()'\"/=+%#@$^{}-]*")  # what text between them may hold
_LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")  # one that may emphasise
_BLOCK = re.compile(r"\s|[#>+\-*|=<]|\d+[.)]|~~~|```")  # a line that may start a block
_WORD = re.compile(r"\s*\S+\s*")


def render(markdown: str, width: int) -> str | None:
    """``markdown`` (stripped) as rich renders it in colour at ``width``; None if it is
    more than this module renders."""
    if not markdown.isascii() or width < 1:
        return None
    out: list[str] = []
    for paragraph in markdown.split("\n\n"):
        spans = _spans(paragraph)
        if spans is None:
            return None
        out.append("\n".join(_lines(spans, width)))
    return "\n\n".join(out)


def _spans(paragraph: str) -> list[tuple[str, str]] | None:
    """A paragraph's text as (text, style) spans; None if it is not a plain paragraph."""
    lines = paragraph.split("\n")
    if not paragraph or any(not line or line != line.strip() or _BLOCK.match(line) for line in lines):
        return None
    text = " ".join(lines)
    if "  " in text or "``" in text:  # a code span of longer backtick runs, or an empty one
        return None
    spans: list[tuple[str, str]] = []
    position = 0
    for code in _CODE_SPAN.finditer(text):
        if not _inline(text[position : code.start()], spans):
            return None
        content = code.group(1)
        if content.startswith(" ") or content.endswith(" "):
            return None  # CommonMark trims some such spaces; rich may keep a styled blank
        spans.append((content, _CODE))
        position = code.end()
    if not _inline(text[position:], spans):
        return None
    return spans


def _inline(text: str, spans: list[tuple[str, str]]) -> bool:
    """Append ``text`` (no code spans in it) as spans; False if it holds Markdown this
    module does not render."""
    position = 0
    for emphasis in _EMPHASIS.finditer(text):
        before = text[position : emphasis.start()]
        if not _PLAIN.fullmatch(before):
            return False
        if before:
            spans.append((before, ""))
        spans.append((emphasis.group(2), _STRONG if len(emphasis.group(1)) == 2 else _EM))
        position = emphasis.end()
    rest = text[position:]
    if not _PLAIN.fullmatch(rest) or _LONE_UNDERSCORE.search(text):
        return False
    if rest:
        spans.append((rest, ""))
    return True


def _lines(spans: list[tuple[str, str]], width: int) -> list[str]:
    """The spans wrapped at ``width`` as rich wraps them (its ``divide_line``: words
    keep their trailing spaces, a word wider than a line is cut), each line styled, its
    trailing blanks dropped."""
    text = "".join(part for part, _ in spans)
    styles = [style for part, style in spans for _ in part]
    cuts = [*_breaks(text, width), len(text)]
    lines: list[str] = []
    start = 0
    for end in cuts:
        lines.append(_styled(text, styles, start, end, width))
        start = end
    return lines


def _breaks(text: str, width: int) -> list[int]:
    """Where rich breaks ``text`` into lines of ``width`` cells (ASCII: one cell each)."""
    breaks: list[int] = []
    offset = 0
    for word in _WORD.finditer(text):
        start, length = word.start(), len(word.group().rstrip())
        if width - offset >= length:
            offset += len(word.group())
        elif length > width:
            chunks = [word.group()[i : i + width] for i in range(0, len(word.group()), width)]
            for number, chunk in enumerate(chunks):
                if start:
                    breaks.append(start)
                if number == len(chunks) - 1:
                    offset = len(chunk)
                else:
                    start += len(chunk)
        elif offset and start:
            breaks.append(start)
            offset = len(word.group())
    return breaks


def _styled(text: str, styles: list[str], start: int, end: int, width: int) -> str:
    """``text[start:end]`` with its styles, as rich writes a wrapped line: blanks beyond
    the width cropped, each styled run opened and reset, then its trailing blanks (and
    the codes among them) gathered as :func:`rstrip_padding` does."""
    excess = end - start - width
    while excess > 0 and text[end - 1] == " ":
        end, excess = end - 1, excess - 1
    out: list[str] = []
    position = start
    while position < end:
        style = styles[position]
        run_end = position
        while run_end < end and styles[run_end] == style:
            run_end += 1
        chunk = text[position:run_end]
        out.append(f"{style}{chunk}{_RESET}" if style else chunk)
        position = run_end
    return rstrip_padding("".join(out))


_PADDING_RE = re.compile(r"(?:\s|\x1b\[[0-9;]*m)+$")


def rstrip_padding(line: str) -> str:
    """A rendered line without its trailing blanks, the colour codes among them kept
    (rich pads every line to the full width; the blanks only get in the way)."""
    match = _PADDING_RE.search(line)
    if match is None:
        return line
    codes = "".join(re.findall(r"\x1b\[[0-9;]*m", match.group(0)))
    return line[: match.start()] + codes
