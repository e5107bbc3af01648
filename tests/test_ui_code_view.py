"""Pilot tests of the code view's first look: where a place opens sideways (its
indentation in view), ``ctrl+a`` and ``home`` back to column 0, and the first frame of a
step (its place, never the file's first lines)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from ui_fakes import make_session, run_async, settle

from codewalk.ui.app import make_app
from codewalk.ui.code_view import CodeView
from codewalk.ui.highlight import HighlightedSource

# a method body indented 8, as Trainer.train has it: the focus (lines 14-16) holds a line
# longer than the view, and the lines around it are indented 8
LONG = "self._inner_training_loop, self._train_batch_size, args.auto_find_batch_size, more, more"
SETUP = "".join(f"        self.x{n} = args.x{n}\n" for n in range(8))
LOOP = f"""class Trainer:
    def train(self, args):
{SETUP}        if args.resume:
            self.load(args.resume)

        inner_training_loop = find_executable_batch_size(
            {LONG}
        )
        with ctx:
            return inner_training_loop(args=args)

    def evaluate(self):
        return None
"""

# a focus indented past the view's width (50 columns of code below)
NESTED = "".join(f"{' ' * 4 * depth}if x{depth}:\n" for depth in range(1, 16))
DEEP = "def f():\n" + NESTED + " " * 64 + "go(a, long, list, of, arguments)\n"


class Viewer(App[None]):
    """The code view alone, as wide as the terminal (its gutter: 2 digits, a bar, a space),
    showing ``text`` as a step does: asked before it is laid out."""

    def __init__(self, text: str, **place: Any) -> None:
        super().__init__()
        self.text = text
        self.place = place

    def compose(self) -> ComposeResult:
        yield CodeView(id="code")

    def on_mount(self) -> None:
        self.query_one(CodeView).show(HighlightedSource("code.py", self.text), **self.place)


@contextlib.asynccontextmanager
async def viewing(
    text: str, size: tuple[int, int], **place: Any
) -> AsyncIterator[tuple[CodeView, Pilot[None]]]:
    """The code view of a :class:`Viewer` of ``size``, once ``text`` is placed."""
    app = Viewer(text, **place)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        yield app.query_one(CodeView), pilot


def row_text(code: CodeView, line: int) -> str:
    """The text drawn for 1-based ``line`` (on screen), gutter and all."""
    return code.render_line(line - code.top_line).text


@run_async
async def test_a_focus_opens_with_its_indentation_in_view() -> None:
    async with viewing(LOOP, (64, 12), line=14, span=(2, 18), focus=(14, 16)) as (code, _):
        assert code.scrollable_content_region.width - 4 < 12 + len(LONG)  # the long line is cut
        assert code.left_column == 0  # at its end: the indentation shows
        assert code.top_line > 2  # every line on screen is indented 8 or more
        assert row_text(code, 14).startswith("14▌         inner_training_loop = find_executable")
        assert row_text(code, 11).startswith("11│         if args.resume:")
        assert code.cursor == (14, 0)


@run_async
async def test_a_focus_past_the_width_scrolls_only_to_its_indentation() -> None:
    async with viewing(DEEP, (55, 20), line=17, focus=(17, 17)) as (code, pilot):
        width = code.scrollable_content_region.width - code._gutter_width
        assert width < 64 + 12
        left = code.left_column
        assert 0 < left <= 64 < left + width  # its code in view, not past its indentation
        assert left == 64 + 12 - width  # only as far as needed
        assert code.cursor == (17, 64)  # the cursor on its first character
        await pilot.press("ctrl+a")
        assert code.left_column == left  # indented past the width: the code stays in view
        await pilot.press("home")
        await pilot.pause()
        assert code.cursor == (1, 0) and code.left_column == 0


@run_async
async def test_a_cursor_past_the_width_is_scrolled_into_view() -> None:
    col = 12 + LONG.index("args.auto")  # a jump to a name far along line 15
    async with viewing(LOOP, (64, 12), line=15, col=col, span=(2, 18), focus=(14, 16)) as (code, _):
        width = code.scrollable_content_region.width - code._gutter_width
        assert code.left_column <= col < code.left_column + width
        assert code.cursor == (15, col)


@run_async
async def test_ctrl_a_brings_column_0_back() -> None:
    async with viewing(LOOP, (64, 12), line=15, span=(2, 18), focus=(14, 16)) as (code, pilot):
        await pilot.press("ctrl+e")  # the end of the long line: scrolled far right
        assert code.left_column > 12
        await pilot.press("ctrl+a")
        assert code.cursor == (15, 12) and code.left_column == 0
        await pilot.press("ctrl+e", "up", "ctrl+a")  # a line indented 8: its start in view
        assert code.cursor == (14, 8) and code.left_column == 0


@run_async
async def test_the_first_frame_of_a_step_shows_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """The code is hidden while a step resolves, then shown: its first paint is the
    step's place (Model's span, from line 11), not the file's first lines."""
    drawn: list[int] = []
    draw = CodeView.render_line

    def spy(self: CodeView, y: int):  # type: ignore[no-untyped-def]
        if self.source is not None:
            drawn.append(self.top_line)
        return draw(self, y)

    monkeypatch.setattr(CodeView, "render_line", spy)
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        top = app.screen.query_one(CodeView).top_line
    assert top > 1 and drawn and set(drawn) == {top}


def _hues(app: App[Any]) -> set[tuple[int, int, int]]:
    """The colours of the code view's text, as drawn (the app's line filters applied),
    less the greys."""
    from textual.geometry import Region

    code = app.screen.query_one(CodeView)
    found = set()
    for strip in code.render_lines(Region(0, 0, code.size.width, code.size.height)):
        for segment in strip:
            colour = segment.style.color if segment.style else None
            if colour is not None and colour.triplet is not None:
                found.add(tuple(colour.triplet))
    return {rgb for rgb in found if len(set(rgb)) > 1}


@pytest.mark.parametrize("off", [False, True])
@run_async
async def test_no_color_takes_the_colour_out_of_the_terminal_ui(
    off: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``codewalk tour X --no-color`` in a terminal: the UI is drawn in greys, as Textual
    draws it under NO_COLOR (which it reads itself)."""
    from codewalk import color

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(color, "_switched_off", off)
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert bool(_hues(app)) is not off


@run_async
async def test_in_a_trace_the_gutter_tells_the_focus_from_a_line_that_ran_without_colour() -> None:
    """In a trace the bar says a line ran, and the focus is said by its reversed numbers:
    under ``--no-color`` a focus bar and a ran bar, both ``▌``, differed by a grey."""
    ran = frozenset({11, 14})
    async with viewing(LOOP, (64, 24), line=14, span=(2, 18), focus=(14, 16), ran=ran) as (code, _):

        def gutter(line: int) -> tuple[str, bool]:
            """The bar after ``line``'s number, and whether the number is reversed."""
            number = code.render_line(line - code.top_line)._segments[0]
            assert number.text.startswith(str(line))
            return row_text(code, line)[2], bool(number.style and number.style.reverse)

        assert gutter(14) == ("▌", True)  # the focus, ran
        assert gutter(15) == ("│", True)  # the focus, not run: no bar of a line that ran
        assert gutter(11) == ("▌", False)  # ran
        assert gutter(12) == ("│", False)
    async with viewing(LOOP, (64, 24), line=14, span=(2, 18), focus=(14, 16)) as (code, _):
        assert row_text(code, 15).startswith("15▌")  # no trace: the bar is the focus's, as ever
