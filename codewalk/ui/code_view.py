"""The code view: one source file, highlighted, drawn one visible line at a time.

A Line API widget (``ScrollView`` + ``render_line``): only the rows on screen are built,
from segments that :class:`~codewalk.ui.highlight.HighlightedSource` lexes lazily, chunk
by chunk, and keeps. Opening a 5,000-line file therefore costs a split of its text and the
lexing of the chunk on screen, not a highlight of the whole file.

The step's span is lit with a bar in the gutter and a tinted background, its focus with a
stronger tint; the cursor is one reversed cell that moves by line and by word. In a trace
the gutter's bar says which lines ran, and the focus's line numbers are reversed: the two
differ without colour too (``--no-color``, where a green bar and a blue one are two greys).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from codewalk.ui.highlight import HighlightedSource
from codewalk.ui.words import next_word_col, previous_word_col, word_at

_GUTTER = Style.parse("#6e7681")
_GUTTER_CURRENT = Style.parse("bold #e6edf3")
_GUTTER_SPAN = Style.parse("#7aa2f7")
_SPAN_BG = Style.parse("on #1f2838")
_FOCUS_BG = Style.parse("on #3a3520")
_CURSOR_LINE_BG = Style.parse("on #262a33")
_SELECTED_BG = Style.parse("on #27456b")
_CURSOR = Style(reverse=True)
RAN_COLOR = "#9ece6a"  # the gutter mark of a line a trace saw execute
RAN_MARK = "▌"
_RAN = Style.parse(RAN_COLOR)
_FOCUS_NUMBER = Style(reverse=True)  # a focus line's number, in a trace (where the bar says ran)
_NOT_RAN = Style(dim=True)
_EMPTY = Style.parse("#f8f8f2")
_CODE_ROOM = 12  # cells of a focused line's code that scrolling sideways brings into view


@dataclass(frozen=True, slots=True)
class Shown:
    """What the view shows: a file, its lit span, its focus (where the view went) and
    every region lit (1-based, inclusive; the focus is the first)."""

    path: str
    span: tuple[int, int] | None = None
    focus: tuple[int, int] | None = None
    regions: tuple[tuple[int, int], ...] = ()
    ran: frozenset[int] | None = None  # a trace's executed lines: lit, the others dimmed

    def __post_init__(self) -> None:
        if not self.regions and self.focus is not None:  # the focus alone is lit
            object.__setattr__(self, "regions", (self.focus,))

    def lit(self, number: int) -> bool:
        """Whether line ``number`` is in a region."""
        return any(first <= number <= last for first, last in self.regions)


@dataclass(frozen=True, slots=True)
class _Place:
    """Where :meth:`CodeView.show` puts the view (see there)."""

    line: int
    span: tuple[int, int] | None
    focus: tuple[int, int] | None
    top: int | None
    left: int | None
    opens: int = 0


class CodeView(ScrollView, can_focus=True):
    """A read-only, highlighted source file with a cursor."""

    DEFAULT_CSS = """
    CodeView {
        background: #16181d;
        color: #f8f8f2;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
    }
    CodeView:focus { background-tint: transparent; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first_line", "Top", show=False),
        Binding("end", "last_line", "Bottom", show=False),
        Binding("ctrl+right", "word_right", "Word right", show=False),
        Binding("ctrl+left", "word_left", "Word left", show=False),
        Binding("ctrl+a", "line_start", "Line start", show=False),
        Binding("ctrl+e", "line_end", "Line end", show=False),
        Binding("enter", "screen.goto_definition", "Go to def", show=False),
        Binding("shift+up", "select_up", "Select up", show=False),
        Binding("shift+down", "select_down", "Select down", show=False),
    ]

    class CursorMoved(Message):
        """The cursor moved to (1-based) ``line``, (0-based) ``col``."""

        def __init__(self, line: int, col: int) -> None:
            super().__init__()
            self.line = line
            self.col = col

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.source: HighlightedSource | None = None
        self.shown: Shown | None = None
        self.cursor_line = 0  # 0-based
        self.cursor_col = 0
        self._pending_place: _Place | None = None
        self._gutter_width = 0
        self._row_style: Style | None = None
        self.selection_anchor: int | None = None  # 0-based line where shift+↑↓ started

    # -- what to show --------------------------------------------------------------

    def show(
        self,
        source: HighlightedSource,
        *,
        line: int,
        col: int = 0,
        span: tuple[int, int] | None = None,
        focus: tuple[int, int] | None = None,
        top: int | None = None,
        left: int | None = None,
        regions: tuple[tuple[int, int], ...] = (),
        ran: frozenset[int] | None = None,
        opens: int = 0,
    ) -> None:
        """Show ``source`` with the cursor at 1-based ``line``; ``top`` is the first
        1-based line on screen (default: a little context above the focus or line),
        ``left`` the first 0-based column (default: 0, or as far as the focus or the
        cursor needs to be seen: :meth:`_fit_sideways`);
        ``regions`` are lit (default: the focus alone); ``ran``: the lines a trace saw
        execute (marked; the others dimmed); ``opens``: the line the cursor goes to
        instead of ``line`` when the view placed at ``line`` would not show it (a trace's
        step: the first line its function ran, below a docstring longer than the screen)."""
        self.source = source
        self.selection_anchor = None
        self.shown = Shown(source.path, span, focus, regions, ran)
        self._gutter_width = len(str(max(1, len(source)))) + 2
        width = max((len(text) for text in source.lines), default=0) + self._gutter_width + 1
        self.virtual_size = Size(width, len(source))
        self.cursor_line = self._clamp_line(line - 1)
        self.cursor_col = max(0, col)
        place = _Place(line, span, focus, top, left, opens)
        if self.scrollable_content_region.height <= 0:
            self._pending_place = place  # placed on the first resize
        else:
            self._pending_place = None
            self._scroll_to_place(place)
        self.refresh()
        self.post_message(self.CursorMoved(self.cursor_line + 1, self.cursor_col))

    def default_top(self, line: int, span: tuple[int, int] | None, focus: tuple[int, int] | None) -> int:
        """First line on screen for a place: the focus a third of the way down (but not
        above the span's first line), else the span's or the line's start, with two
        lines of context."""
        height = self.scrollable_content_region.height
        context = max(2, height // 3)
        if focus is not None:
            floor = span[0] - 1 if span is not None else 1
            top = max(1, min(focus[0] - 2, max(floor, focus[0] - context)))
        elif span is not None and span[0] <= line <= span[1]:
            top = max(1, span[0] - 2)
        else:
            top = max(1, line - 2)
        if not top <= line < top + max(1, height):
            top = max(1, line - context)  # the cursor is always on screen
        return top

    def clear(self) -> None:
        self.source = None
        self.shown = None
        self.virtual_size = Size(0, 0)
        self.refresh()

    @property
    def cursor(self) -> tuple[int, int]:
        """The cursor as (1-based line, 0-based column)."""
        return self.cursor_line + 1, self.cursor_col

    @property
    def top_line(self) -> int:
        """The first 1-based line on screen."""
        return int(self.scroll_y) + 1

    @property
    def left_column(self) -> int:
        """The first 0-based column of code on screen."""
        return int(self.scroll_x)

    def current_text(self) -> str:
        if self.source is None or not len(self.source):
            return ""
        return self.source.lines[self.cursor_line]

    def word_under_cursor(self) -> tuple[str, int] | None:
        return word_at(self.current_text(), self.cursor_col)

    # -- scrolling -----------------------------------------------------------------

    def _clamp_line(self, index: int) -> int:
        count = len(self.source) if self.source is not None else 0
        return max(0, min(index, count - 1))

    def _scroll_top(self, index: int) -> None:
        self.scroll_to(y=index, animate=False, immediate=True, force=True)

    def _scroll_to_place(self, place: _Place) -> None:
        """Scroll to where ``place`` asks, both ways: the horizontal scroll of the place
        before is never kept for another (it cut the start of its lines)."""
        top = place.top or self.default_top(place.line, place.span, place.focus)
        if place.opens and place.top is None and place.opens >= top + self.scrollable_content_region.height:
            self.cursor_line = self._clamp_line(place.opens - 1)  # what ran, not the docstring
            top = self.default_top(place.opens, place.span, place.focus)
            self.post_message(self.CursorMoved(self.cursor_line + 1, self.cursor_col))
        self._scroll_top(top - 1)
        if place.left is not None:
            self.scroll_to(x=place.left, animate=False, immediate=True, force=True)
        else:
            self._fit_sideways(place.focus)

    def _place_pending(self) -> None:
        """Put the view where :meth:`show` asked, once it has a size."""
        if self._pending_place is not None and self.scrollable_content_region.height > 0:
            place, self._pending_place = self._pending_place, None
            self._scroll_to_place(place)

    def on_resize(self, event: Resize) -> None:
        self._place_pending()
        self._keep_cursor_visible()

    def _fit_sideways(self, focus: tuple[int, int] | None) -> None:
        """Scroll sideways only as far as the first character of each focused line (and the
        cursor) needs to be seen with a little code after it; lines longer than the view
        are cut at their end, not at their start. So the indentation shows: the view goes
        past the focus's own indentation only when one of its lines, or the cursor, could
        not be seen otherwise; then the cursor goes to the first character of the focus."""
        width = self.scrollable_content_region.width - self._gutter_width
        need = 0
        if self.source is not None and width > 0:
            lines = self.source.lines[focus[0] - 1 : focus[1]] if focus is not None else []
            starts = [cell_len(t[: len(t) - len(t.lstrip())]) for t in lines if t.strip()]
            room = min(_CODE_ROOM, max(1, width // 2))
            deepest = max(starts, default=0)
            for_cursor = cell_len(self.current_text()[: self.cursor_col]) + 1 - width
            need = max(0, deepest + room - width, for_cursor)
            if starts and need > min(starts):  # past the indentation only as far as a line must
                need = max(min(starts), deepest + 1 - width, for_cursor)
        self.scroll_to(x=need, animate=False, immediate=True, force=True)
        if need and focus is not None and self.source is not None and self.cursor_line == focus[0] - 1:
            text = self.source.lines[self.cursor_line]
            self.cursor_col = max(self.cursor_col, len(text) - len(text.lstrip()))

    def _keep_cursor_visible(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        width = self.scrollable_content_region.width - self._gutter_width
        cell = cell_len(self.current_text()[: self.cursor_col])
        left = int(self.scroll_x)
        if cell < left:
            self.scroll_to(x=max(0, cell - 4), animate=False, immediate=True)
        elif width > 0 and cell >= left + width:
            self.scroll_to(x=cell - width + 8, animate=False, immediate=True)
        top = int(self.scroll_y)
        if self.cursor_line < top:
            self.scroll_to(y=self.cursor_line, animate=False, immediate=True)
        elif self.cursor_line >= top + height:
            self.scroll_to(y=self.cursor_line - height + 1, animate=False, immediate=True)

    @property
    def selected_lines(self) -> tuple[int, int] | None:
        """The lines chosen with shift+↑↓ (1-based, inclusive), or None."""
        if self.selection_anchor is None:
            return None
        first, last = sorted((self.selection_anchor, self.cursor_line))
        return first + 1, last + 1

    def move_cursor(self, line: int, col: int | None = None, *, select: bool = False) -> None:
        """Put the cursor at 1-based ``line`` (and ``col``), scrolled into view; with
        ``select``, the lines from where the selection started to it are chosen."""
        if select and self.selection_anchor is None:
            self.selection_anchor = self.cursor_line
        elif not select:
            self.selection_anchor = None
        self.cursor_line = self._clamp_line(line - 1)
        if col is not None:
            self.cursor_col = max(0, col)
        self._keep_cursor_visible()
        self.refresh()
        self.post_message(self.CursorMoved(self.cursor_line + 1, self.cursor_col))

    # -- actions -------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_line)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_line + 2)

    def action_select_up(self) -> None:
        self.move_cursor(self.cursor_line, select=True)

    def action_select_down(self) -> None:
        self.move_cursor(self.cursor_line + 2, select=True)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_line + 1 - max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_line + 1 + max(1, self.scrollable_content_region.height - 1))

    def action_first_line(self) -> None:
        self.move_cursor(1, 0)

    def action_last_line(self) -> None:
        self.move_cursor(len(self.source) if self.source else 1, 0)

    def action_line_start(self) -> None:
        """The line's first character of code, its indentation in view (column 0 on
        screen, unless the line is indented past the view's width)."""
        text = self.current_text()
        indent = len(text) - len(text.lstrip())
        width = self.scrollable_content_region.width - self._gutter_width
        if cell_len(text[:indent]) < width:
            self.scroll_to(x=0, animate=False, immediate=True)
        self.move_cursor(self.cursor_line + 1, indent)

    def action_line_end(self) -> None:
        self.move_cursor(self.cursor_line + 1, max(0, len(self.current_text()) - 1))

    def action_word_right(self) -> None:
        if self.source is None:
            return
        line = self.cursor_line
        col = next_word_col(self.source.lines[line], self.cursor_col)
        while col is None and line + 1 < len(self.source):
            line += 1
            col = next_word_col(self.source.lines[line], -1)
        if col is not None:
            self.move_cursor(line + 1, col)

    def action_word_left(self) -> None:
        if self.source is None:
            return
        line = self.cursor_line
        col = previous_word_col(self.source.lines[line], min(self.cursor_col, len(self.source.lines[line])))
        while col is None and line > 0:
            line -= 1
            col = previous_word_col(self.source.lines[line], len(self.source.lines[line]))
        if col is not None:
            self.move_cursor(line + 1, col)

    # -- drawing -------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # The first paint after show() may come before the Resize that would place the
        # view: place it now, so that no frame shows the file's first lines instead.
        self._place_pending()
        # ``rich_style`` walks the DOM; compute it once per paint, not once per row.
        self._row_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_y) + y
        source, shown = self.source, self.shown
        row_style = self._row_style if self._row_style is not None else self.rich_style
        if source is None or shown is None or index >= len(source):
            return Strip.blank(width, row_style)
        number = index + 1
        in_span = shown.span is not None and shown.span[0] <= number <= shown.span[1]
        in_focus = shown.lit(number)
        is_cursor = index == self.cursor_line
        chosen = self.selected_lines
        in_selection = chosen is not None and chosen[0] <= number <= chosen[1]

        base = row_style
        if in_selection:
            base = base + _SELECTED_BG
        elif in_focus:
            base = base + _FOCUS_BG
        elif in_span:
            base = base + _SPAN_BG
        elif is_cursor and self.has_focus:
            base = base + _CURSOR_LINE_BG

        digits = self._gutter_width - 2
        gutter_style = _GUTTER_CURRENT if is_cursor else (_GUTTER_SPAN if in_span else _GUTTER)
        bar = "▌" if in_focus else ("│" if in_span else " ")
        bar_style = _GUTTER_SPAN if in_span else _GUTTER
        ran = shown.ran is not None and number in shown.ran
        if shown.ran is not None:  # the bar says what ran; the focus is said by its numbers
            bar = RAN_MARK if ran else ("│" if in_span else " ")
            bar_style = _RAN if ran else bar_style
            if in_focus:
                gutter_style = gutter_style + _FOCUS_NUMBER
        gutter = Strip(
            [
                Segment(f"{number:>{digits}}", row_style + gutter_style),
                Segment(bar, row_style + bar_style),
                Segment(" ", base),
            ]
        )

        code = Strip(source.line(index)).apply_style(base)
        if shown.ran is not None and not ran:
            code = code.apply_style(_NOT_RAN)
        if is_cursor:
            text = source.lines[index]
            start = cell_len(text[: self.cursor_col])
            end = start + (cell_len(text[self.cursor_col]) if self.cursor_col < len(text) else 1)
            code = code.extend_cell_length(end, base)
            before, at, after = code.divide([start, end, code.cell_length])
            code = Strip.join([before, at.apply_style(_CURSOR), after])
        code_width = max(0, width - self._gutter_width)
        scroll_x = int(self.scroll_x)
        code = code.crop_extend(scroll_x, scroll_x + code_width, base)
        return Strip.join([gutter, code]).simplify()
