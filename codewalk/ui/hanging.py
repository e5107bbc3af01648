"""A row of a list that wraps under itself: a head (a mark, a number, a line) and a body
that Textual wraps at its words in the width the head leaves (a word wider than that is
folded, as Textual folds; ``text-wrap: nowrap`` and ``text-overflow`` act on the body as on
any text). Each line after the first starts with ``under`` (as wide as the head), so the
body reads as one column beside the head.

A body of dotted names (``transformers.models.llama.LlamaRMSNorm.forward``) may wrap
after its dots as well (``at_dots``), where a name too long for a line would be folded
mid-word (a path after its slashes); a part of it too long still, after an underscore or
before a capital (``AssistedCandidate`` ``Generator``). :func:`at_dots` draws any text so
(a note's paragraph), :func:`broken_at_dots` breaks a text another widget wraps (a
notification).

A body kept on one line (``text-wrap: nowrap``) that is too wide may be cut in its middle
(``middle``): the start of its dotted name, an ellipsis, then its last part and what follows
it whole (``register_to_config.<locals>.in…<dictcomp> from line 697 x1``), where cutting its
end would leave rows that differ only there alike.

Part of the head may give way (its cells past the first ``keep``: the guides of a deep
step): on a narrow list they are dropped, the outermost first, until the body has
``ROOM`` cells (a body cut in its middle: what follows its name too), so that a step 16
calls deep in a 24-column list still shows its name."""

from __future__ import annotations

import re
from itertools import pairwise

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

ROOM = 12  # the cells a body keeps, where the head can give them up
_WORD = re.compile(r"\S+")
_DOTTED = re.compile(r"[^./]*[./]+|[^./]+")  # a word cut after each of its dots (and a path's slashes)
_NAMED = re.compile(r"(?<=_)(?=[^_])|(?<=[a-z0-9])(?=[A-Z])")  # a name, after an underscore, before a capital


def dotted_breaks(text: str, width: int) -> list[int]:
    """Where ``text`` breaks to fit ``width`` cells: before a word that does not fit;
    inside a word wider than a line, after a dot; inside a piece wider still, after an
    underscore or before a capital (a part wider still is left whole, for the text's
    overflow rule)."""
    breaks: list[int] = []
    start = 0  # where the line being filled starts
    for word in _WORD.finditer(text):
        at = word.start()
        start = max(start, text.rfind("\n", start, at) + 1)  # a line of its own after a newline
        for piece in _pieces(word.group(), width):
            if at > start and cell_len(text[start : at + len(piece)].rstrip()) > width:
                breaks.append(at)
                start = at
            at += len(piece)
    return breaks


def broken_at_dots(text: str, width: int) -> str:
    """``text`` with a line break inside each word too wide for ``width`` cells (after its
    dots, then inside its parts, as :func:`dotted_breaks` breaks it on a line of its own),
    where Textual would fold it mid-name; the rest is left for Textual to wrap. For text
    drawn by a widget that wraps it itself (a notification)."""

    def broken(word: re.Match[str]) -> str:
        piece = word.group()
        if cell_len(piece) <= width:
            return piece
        cuts = [0, *dotted_breaks(piece, width), len(piece)]
        return "\n".join(piece[start:end] for start, end in pairwise(cuts))

    return _WORD.sub(broken, text)


def at_dots(visual: Visual) -> Visual:
    """``visual`` (a widget's text) wrapping at its words, and after a name's dots where
    the name is too wide for a line."""
    return Hanging(Content(), visual, at_dots=True) if isinstance(visual, Content) else visual


def _pieces(word: str, width: int) -> list[str]:
    """``word`` whole when it fits ``width``, else cut after its dots, and each piece
    still too wide cut inside its name."""
    if cell_len(word) <= width:
        return [word]
    dotted = _DOTTED.findall(word)
    return [
        part for piece in dotted for part in ([piece] if cell_len(piece) <= width else _NAMED.split(piece))
    ]


ELLIPSIS = "…"


def middle_cut(text: str, width: int) -> tuple[slice, slice] | None:
    """How to cut ``text`` to fit ``width`` cells: the two pieces kept, an ellipsis
    between them (``text[before] + "…" + text[after]``). What follows its first name (the line it
    was called from, its calls) is kept whole, then the last part of the name (after its
    last dot), then as much of the name's start as fits; in a width too narrow for the
    last part, as much of the last part's start. None when it fits, or when what follows
    the name is too wide alone (it is cut at its end then, as any text is)."""
    if cell_len(text) <= width:
        return None
    name_end = _name_end(text)
    last = text.rfind(".", 0, name_end) + 1  # 0: a name without a dot is all its last part
    room = width - cell_len(ELLIPSIS) - cell_len(text[name_end:])
    if room < 0:
        return None
    if room >= cell_len(text[last:name_end]):
        return slice(0, _fitting(text, 0, last, room - cell_len(text[last:name_end]))), slice(last, None)
    return slice(last, _fitting(text, last, name_end, room)), slice(name_end, None)


def _fitting(text: str, start: int, end: int, room: int) -> int:
    """Where the characters of ``text[start:end]`` that fit in ``room`` cells end."""
    used = 0
    while start < end and used + cell_len(text[start]) <= room:
        used += cell_len(text[start])
        start += 1
    return start


def _name_end(text: str) -> int:
    """Where the dotted name that starts ``text`` ends: at the first space outside angle
    brackets (``<module transformers.x>`` is one name)."""
    depth = 0
    for index, char in enumerate(text):
        if char == "<":
            depth += 1
        elif char == ">":
            depth = max(0, depth - 1)
        elif char == " " and not depth:
            return index
    return len(text)


class Hanging(Visual):
    def __init__(
        self,
        head: Content,
        body: Content,
        under: Content | None = None,
        *,
        keep: int | None = None,
        at_dots: bool = False,
        middle: bool = False,
    ) -> None:
        self.head = head
        self.body = body
        self.at_dots = at_dots  # the body wraps after its dots too
        self.middle = middle  # kept on one line, the body is cut in its middle (middle_cut)
        self.under = under if under is not None else Content(" " * head.cell_length)
        self.keep = head.cell_length if keep is None else keep  # the head's cells that never give way

    def __str__(self) -> str:
        return f"{self.head.plain}{self.body.plain}"

    def _dropped(self, width: int) -> int:
        """How many cells of the head give way to the body at ``width``."""
        short = min(self._room(), self.body.cell_length) - (width - self.head.cell_length)
        return max(0, min(short, self.head.cell_length - self.keep))

    def _room(self) -> int:
        """The cells the body keeps where the head can give them up: ``ROOM``, and for a
        body cut in its middle, what follows its name with a cell of the name beside it."""
        if not self.middle:
            return ROOM
        text = self.body.plain
        return max(ROOM, cell_len(text[_name_end(text) :]) + cell_len(ELLIPSIS) + 1)

    def _heads(self, width: int) -> tuple[Content, Content]:
        """The head and ``under`` as drawn at ``width``."""
        drop = self._dropped(width)
        if not drop:
            return self.head, self.under
        cut = self.keep + drop
        return self.head[: self.keep] + self.head[cut:], self.under[: self.keep] + self.under[cut:]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        left = self.head.cell_length
        return left + self.body.get_optimal_width(rules, max(1, container_width - left))

    def _body(self, rules: RulesMap, width: int) -> Content:
        """The body, its lines broken after dots to fit ``width`` where it wraps so."""
        if rules.get("text_wrap", "wrap") == "nowrap":
            cut = middle_cut(self.body.plain, width) if self.middle else None
            return self.body if cut is None else self.body[cut[0]] + ELLIPSIS + self.body[cut[1]]
        if not self.at_dots:
            return self.body
        lines = self.body.divide(dotted_breaks(self.body.plain, width))
        return Content("\n").join(line.rstrip() for line in lines)

    def get_height(self, rules: RulesMap, width: int) -> int:
        if rules.get("text_wrap", "wrap") == "nowrap" and "\n" not in self.body.plain:
            return 1  # a trace's list of thousands of rows is measured without wrapping each
        left = self.head.cell_length - self._dropped(width)
        room = max(1, width - left)
        return max(1, self._body(rules, room).get_height(rules, room))

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        head, under = self._heads(width)
        left = head.cell_length
        room = max(1, width - left)
        lines = self._body(options.rules, room).render_strips(room, height, style, options) or [Strip([])]
        heads = [head, *[under] * (len(lines) - 1)]
        # each head drawn as Textual draws Content (its $variables resolved), never wrapped
        drawn = [head.render_strips(left, 1, style, options)[:1] or [Strip([])] for head in heads]
        return [Strip.join([head[0], line]) for head, line in zip(drawn, lines, strict=True)]
