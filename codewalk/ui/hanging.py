"""A row of a list that wraps under itself: a head (a mark, a number, a line) and a body
that Textual wraps at its words in the width the head leaves (a word wider than that is
folded, as Textual folds; ``text-wrap: nowrap`` and ``text-overflow`` act on the body as on
any text). Each line after the first starts with ``under`` (as wide as the head), so the
body reads as one column beside the head.

Part of the head may give way (its cells past the first ``keep``: the guides of a deep
step): on a narrow list they are dropped, the outermost first, until the body has
``ROOM`` cells, so that a step 16 calls deep in a 24-column list still shows its name."""

from __future__ import annotations

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

ROOM = 12  # the cells a body keeps, where the head can give them up


class Hanging(Visual):
    def __init__(
        self, head: Content, body: Content, under: Content | None = None, *, keep: int | None = None
    ) -> None:
        self.head = head
        self.body = body
        self.under = under if under is not None else Content(" " * head.cell_length)
        self.keep = head.cell_length if keep is None else keep  # the head's cells that never give way

    def __str__(self) -> str:
        return f"{self.head.plain}{self.body.plain}"

    def _dropped(self, width: int) -> int:
        """How many cells of the head give way to the body at ``width``."""
        short = min(ROOM, self.body.cell_length) - (width - self.head.cell_length)
        return max(0, min(short, self.head.cell_length - self.keep))

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

    def get_height(self, rules: RulesMap, width: int) -> int:
        left = self.head.cell_length - self._dropped(width)
        return max(1, self.body.get_height(rules, max(1, width - left)))

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        head, under = self._heads(width)
        left = head.cell_length
        lines = self.body.render_strips(max(1, width - left), height, style, options) or [Strip([])]
        heads = [head, *[under] * (len(lines) - 1)]
        # each head drawn as Textual draws Content (its $variables resolved), never wrapped
        drawn = [head.render_strips(left, 1, style, options)[:1] or [Strip([])] for head in heads]
        return [Strip.join([head[0], line]) for head, line in zip(drawn, lines, strict=True)]
