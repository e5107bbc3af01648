"""Pilot tests of the app on a synthetic package and a fake navigator (no index)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path

from textual.widgets import Static
from ui_fakes import FILES, fake_resolver, make_session, make_tour, run_async, said
from ui_fakes import settle as settle_all

from codewalk.ui.app import CodewalkApp, make_app
from codewalk.ui.code_view import CodeView
from codewalk.ui.header import OffTourBanner, TourHeader
from codewalk.ui.help import KEYS, HelpScreen
from codewalk.ui.problem import StepProblem
from codewalk.ui.references import ReferencesPanel
from codewalk.ui.session import StepVerdict
from codewalk.ui.state import ProgressStore
from codewalk.ui.steps import StepsList
from codewalk.ui.tour_screen import TourScreen


async def settle(app: CodewalkApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await settle_all(pilot)


def where(app: CodewalkApp) -> tuple[str, int, int]:
    code = app.screen.query_one(CodeView)
    assert code.source is not None
    line, col = code.cursor
    return code.source.path, line, col


def header(app: CodewalkApp) -> str:
    return app.screen.query_one(TourHeader).text


@run_async
async def test_steps_forward_back_and_jump() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TourScreen)
        assert where(app) == ("pkg/base.py", 11, 0)
        assert app.screen.query_one(CodeView).shown.span == (11, 19)  # type: ignore[union-attr]
        assert "step 1/4" in header(app)
        await pilot.press("n")
        await settle(app, pilot)
        # Model.__init__ with its focus on the self.layers line
        assert where(app) == ("pkg/base.py", 14, 0)
        assert app.screen.query_one(CodeView).shown.focus == (14, 14)  # type: ignore[union-attr]
        await pilot.press("right")
        await settle(app, pilot)
        assert "step 3/4" in header(app)
        problem = app.screen.query_one(StepProblem)
        assert problem.display and not app.screen.query_one(CodeView).display
        text = str(problem.render())
        assert "'Nowhere' names nothing" in text and "Model" in text
        await pilot.press("left", "left")
        await settle(app, pilot)
        assert where(app) == ("pkg/base.py", 11, 0)
        await pilot.press("4")
        await settle(app, pilot)
        assert where(app) == ("pkg/use.py", 8, 0)
        assert "step 4/4" in header(app)


@run_async
async def test_a_step_whose_focus_is_not_found_shows_its_symbol_and_says_why_under_it() -> None:
    tour = make_tour()
    lost = replace(tour.steps[1], focus=("this text is not in it",))
    app = make_app(make_session(tour=replace(tour, steps=(tour.steps[0], lost))))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert where(app) == ("pkg/base.py", 12, 0)  # Model.__init__: the code to mend the focus in
        assert app.screen.query_one(CodeView).shown.span == (12, 14)  # type: ignore[union-attr]
        problem = app.screen.query_one(StepProblem)
        assert problem.has_class("-shown", "-under") and "does not occur" in str(problem.render())
        await pilot.press("p")
        await settle(app, pilot)
        assert not problem.has_class("-shown")


@run_async
async def test_goto_definition_and_back() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")  # def build(): line 8; "Big(3)" is on line 9
        await settle(app, pilot)
        await pilot.press("down", "ctrl+right", "ctrl+right", "ctrl+right")
        assert where(app) == ("pkg/use.py", 9, 12)
        assert app.screen.query_one(CodeView).word_under_cursor() == ("Big", 12)
        await pilot.press("g")
        await settle(app, pilot)
        assert where(app) == ("pkg/use.py", 4, 6)  # class Big(Model): on its name
        banner = app.screen.query_one(OffTourBanner)
        assert banner.display and "return to step 4" in str(banner.render())
        await pilot.resize_terminal(44, 40)  # the banner drawn again for its width: the place kept
        await settle(app, pilot)
        drawn = "".join(segment.text for segment in banner.render_lines(banner.region.reset_offset)[0])
        assert drawn.rstrip().endswith("(use.py:4)")
        await pilot.resize_terminal(120, 40)
        await pilot.press("b")
        await settle(app, pilot)
        assert where(app) == ("pkg/use.py", 9, 12)
        assert not app.screen.query_one(OffTourBanner).display
        await pilot.press("f")
        await settle(app, pilot)
        assert where(app) == ("pkg/use.py", 4, 6)
        await pilot.press("r")
        await settle(app, pilot)
        assert where(app) == ("pkg/use.py", 8, 0)
        assert not app.screen.query_one(OffTourBanner).display


@run_async
async def test_references_panel_and_jump() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+right", "ctrl+right", "ctrl+right")  # "class Model(Mixin)" -> "Mixin"
        await pilot.press("x")  # a use of the name, not its definition: every use of it
        await settle(app, pilot)
        panel = app.screen.query_one(ReferencesPanel)
        assert panel.shown and panel.qualname == "pkg.base.Mixin"
        assert [(r.path, r.line) for r in panel.references] == [
            ("pkg/base.py", 4),
            ("pkg/base.py", 11),
            ("pkg/use.py", 1),
        ]
        await pilot.press("down", "down", "enter")
        await settle(app, pilot)
        assert where(app) == ("pkg/use.py", 1, 28)
        assert app.screen.query_one(OffTourBanner).display


@run_async
async def test_help_screen_and_progress_is_remembered(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    app = make_app(make_session(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("n", "n")
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TourScreen)
    assert store.step("fake-tour") == 2


@run_async
async def test_a_long_key_description_wraps_under_itself_not_under_the_keys() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        keys = {str(s.render()): s for s in app.screen.query(".help-key").results(Static)}
        whats = {str(s.render()): s for s in app.screen.query(".help-what").results(Static)}
        record = whats[dict(KEYS[0][1])["R"]]
        assert record.region.height > 1  # wrapped: 'record: edit this tour's steps and notes, ...'
        assert record.region.x >= keys["R"].region.right  # every line of it, right of the keys
        assert {w.region.x for w in whats.values()} == {record.region.x}


@run_async
async def test_palette_finds_a_symbol_and_jumps_off_tour() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Layer")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TourScreen)
        assert where(app) == ("pkg/base.py", 22, 6)  # class Layer: on its name
        assert app.screen.query_one(OffTourBanner).display
        await pilot.press("b")
        await settle(app, pilot)
        assert where(app) == ("pkg/base.py", 11, 0)


@run_async
async def test_keys_typed_in_one_burst_into_the_palette_act_in_the_order_typed() -> None:
    """ctrl+p and ``Llam``, three backspaces and ``xyz`` arriving at once: the field holds
    ``Lxyz`` (the backspaces ran behind the letters typed after them, leaving ``Llam``),
    and an arrow or ``home`` acts where it was typed too."""
    from textual import events
    from textual.command import CommandInput

    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        keys = ("L", "l", "a", "m", "backspace", "backspace", "backspace", "x", "y", "z")
        keys += ("home", "A", "end", "left", "backspace", "B")
        for key in keys:  # posted together, none awaited
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(app, pilot)
        assert app.screen.query_one(CommandInput).value == "ALxBz"


@run_async
async def test_an_arrow_and_enter_typed_in_one_burst_in_the_palette_open_the_row_the_arrow_lit() -> None:
    """``Layer`` lists the class, then step 2; ``down`` and ``enter`` arriving at once open
    step 2. (The palette's arrows went up behind the field's ``enter``, which chose the
    first row: ``down down enter`` typed quickly opened the first hit.)"""
    from textual import events

    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"Layer")
        await settle(app, pilot)
        for key in ("down", "enter"):  # posted together, none awaited
            app.post_message(events.Key(key, None))
        await settle(app, pilot)
        assert isinstance(app.screen, TourScreen)
        assert "step 2/4" in header(app)
        assert where(app) == ("pkg/base.py", 14, 0)  # Model.__init__'s focus, not class Layer
        assert not app.screen.query_one(OffTourBanner).display


@run_async
async def test_the_palette_goes_to_a_line_of_the_file_on_screen_and_says_a_line_past_its_end() -> None:
    lines = len(FILES["pkg/base.py"].splitlines())
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *f":{lines + 1}")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert where(app) == ("pkg/base.py", 11, 0)  # stayed
        assert any(f"base.py has lines 1 to {lines}" in str(n.message) for n in app._notifications)
        await pilot.press("ctrl+p", *":12345678901")  # a line number of any length, no symbol search
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert where(app) == ("pkg/base.py", 11, 0)
        assert any(
            f":12345678901: base.py has lines 1 to {lines}" in str(n.message) for n in app._notifications
        )
        await pilot.press("ctrl+p", *f":{lines - 1}")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TourScreen)
        assert where(app) == ("pkg/base.py", lines - 1, 0)
        assert app.screen.query_one(OffTourBanner).display
        await pilot.press("b")
        await settle(app, pilot)
        assert where(app) == ("pkg/base.py", 11, 0)


@run_async
async def test_colon_n_is_a_line_and_step_n_is_listed_under_it_for_who_meant_the_step() -> None:
    """A tour's reader may take ``:N`` for step N: ``:N`` is line N of the file on screen
    (as in an editor), the first row; step N is listed under it, saying the key that goes
    there from the code. The footer names the palette for what it does: a search."""
    from textual.command import CommandList
    from textual.widgets._footer import FooterKey

    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        palette_key = [key for key in app.screen.query(FooterKey) if key.key == "ctrl+p"]
        assert [key.description for key in palette_key] == ["Search"]
        await pilot.press("ctrl+p", *":4")
        await settle(app, pilot)
        rows = [str(option.prompt) for option in app.screen.query_one(CommandList).options]
        assert rows[0] == "line 4 of base.py\npkg  pkg/base.py  (off tour)"
        assert rows[1].startswith("step 4: Using it\n") and rows[1].endswith("(or type 4 on the code)"), rows
        assert len(rows) == 2
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert "step 4/4" in header(app) and not app.screen.query_one(OffTourBanner).display
        await pilot.press("ctrl+p", *":9")  # no step 9: the line alone
        await settle(app, pilot)
        rows = [str(option.prompt) for option in app.screen.query_one(CommandList).options]
        assert len(rows) == 1 and rows[0].startswith("line 9 of "), rows


@run_async
async def test_the_palette_goes_to_a_line_of_the_steps_own_code_on_the_step() -> None:
    """``:N`` inside the code of the step on screen stays on that step (its lines lit, no
    "off tour"), the row saying so, and off its focus when it is; ``b`` comes back.
    (Any line was said to be off tour, a line of the step's own function too.)"""
    from textual.command import CommandList

    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")  # step 2: Model.__init__, lines 12 to 14, its focus on 14
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and where(app) == ("pkg/base.py", 14, 0)
        await pilot.press("ctrl+p", *":13")
        await settle(app, pilot)
        rows = [str(option.prompt) for option in app.screen.query_one(CommandList).options]
        assert rows == ["line 13 of base.py\npkg  pkg/base.py  (on step 2, off its focus)"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen and where(app) == ("pkg/base.py", 13, 0)
        assert not screen.query_one(OffTourBanner).display and screen.step_index == 1
        assert screen.code.shown is not None and screen.code.shown.span == (12, 14)  # still lit
        await pilot.press("ctrl+p", *":14")
        await settle(app, pilot)
        rows = [str(option.prompt) for option in app.screen.query_one(CommandList).options]
        assert rows == ["line 14 of base.py\npkg  pkg/base.py  (on step 2)"]
        await pilot.press("escape", "ctrl+p", *":18")  # Model.forward: not the step's code
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert where(app) == ("pkg/base.py", 18, 0) and screen.query_one(OffTourBanner).display
        await pilot.press("b")
        await settle(app, pilot)
        assert where(app) == ("pkg/base.py", 13, 0) and not screen.query_one(OffTourBanner).display
        await pilot.press("b")
        await settle(app, pilot)
        assert where(app) == ("pkg/base.py", 14, 0) and screen.step_index == 1


@run_async
async def test_worker_failure_is_a_notification() -> None:
    session = make_session()

    def broken(navigator):  # type: ignore[no-untyped-def]
        def resolve(index: int):  # type: ignore[no-untyped-def]
            raise RuntimeError("index is on fire")

        return resolve

    object.__setattr__(session, "resolver", broken)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert any("index is on fire" in message for message in said(app))
        await pilot.press("n")
        await settle(app, pilot)
        assert "step 2/4" in header(app)


@run_async
async def test_enter_goes_to_definition_and_the_list_jumps_to_a_step() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+right", "ctrl+right", "ctrl+right")  # class Model(Mixin)
        assert app.screen.query_one(CodeView).word_under_cursor() == ("Mixin", 12)
        await pilot.press("enter")
        await settle(app, pilot)
        assert where(app) == ("pkg/base.py", 4, 6)  # class Mixin: on its name
        steps = app.screen.query_one(StepsList)
        steps.focus()
        await pilot.press("down", "down", "down", "enter")
        await settle(app, pilot)
        assert "step 4/4" in header(app)
        assert where(app) == ("pkg/use.py", 8, 0)
        assert app.focused is app.screen.query_one(CodeView)
        assert not app.screen.query_one(OffTourBanner).display


@run_async
async def test_tours_list_switches_tour() -> None:
    from codewalk.ui.session import Catalogue, TourEntry

    opened: list[str] = []

    def open_tour(tour_id: str):  # type: ignore[no-untyped-def]
        opened.append(tour_id)
        return make_session()

    catalogue = Catalogue(lambda: [TourEntry("fake-tour", "A fake tour", 4)], open_tour)
    app = make_app(None, catalogue=catalogue)  # the picker of a bare `codewalk`
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ToursScreen"
        await pilot.press("enter")
        await settle(app, pilot)
        assert opened == ["fake-tour"]
        assert isinstance(app.screen, TourScreen)
        assert where(app) == ("pkg/base.py", 11, 0)
        await pilot.press("t")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ToursScreen"
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TourScreen)
        await pilot.press("t")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ToursScreen"
        await pilot.press("q")  # closes the list as escape does, back to the tour
        await settle(app, pilot)
        assert isinstance(app.screen, TourScreen) and app.is_running


@run_async
async def test_the_palette_over_the_tours_list_finds_tours_by_a_word_and_opens_one() -> None:
    """ctrl+p over the picker of a bare ``codewalk`` (it found nothing there): the tours
    whose id or title holds the typed text, best first, enter opening one; so over the
    list ``t`` shows on a tour."""
    from textual.command import CommandList, CommandPalette
    from textual.widgets import Input

    from codewalk.ui.session import Catalogue, TourEntry

    opened: list[str] = []

    def open_tour(tour_id: str):  # type: ignore[no-untyped-def]
        opened.append(tour_id)
        return make_session()

    entries = [
        TourEntry("kv-cache", "The KV cache", 14),
        TourEntry("peft-lora", "How PEFT puts a LoRA layer", 10),
        # the letters of "lora" in order (the fuzzy matcher listed it), not the word
        TourEntry("big-model-loading", "device_map, from free memory to accelerate's hooks", 14),
    ]
    app = make_app(None, catalogue=Catalogue(lambda: entries, open_tour))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        for typed, tour in (("lora", "peft-lora"), ("layer lora", "peft-lora"), ("cache", "kv-cache")):
            if opened:  # a tour is open: t shows the list over it
                await pilot.press("t")
                await settle(app, pilot)
            assert type(app.screen).__name__ == "ToursScreen"
            await pilot.press("ctrl+p")
            await settle(app, pilot)
            palette = app.screen
            assert isinstance(palette, CommandPalette)
            assert "Search tours" in str(palette.query_one(Input).placeholder)
            await pilot.press(*typed)
            await pilot.pause(0.3)
            await settle(app, pilot)
            rows = palette.query_one(CommandList)
            listed = [str(rows.get_option_at_index(i).prompt) for i in range(rows.option_count)]
            assert len(listed) == 1 and tour in listed[0], listed
            await pilot.press("enter")
            await pilot.pause(0.3)
            await settle(app, pilot)
            assert opened[-1] == tour
            assert isinstance(app.screen, TourScreen)


@run_async
async def test_q_quits_the_picker_of_a_bare_codewalk_but_types_into_a_text_input() -> None:
    from textual.widgets import Input

    from codewalk.ui.session import Catalogue, TourEntry
    from codewalk.ui.tours_screen import ToursScreen

    catalogue = Catalogue(lambda: [TourEntry("fake-tour", "A fake tour", 4)], lambda _: make_session())
    app = make_app(None, catalogue=catalogue)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, ToursScreen)
        search = Input(id="search")  # a text input in the list (a search field): q is typed
        await picker.mount(search)
        search.focus()
        await pilot.press("q")
        await settle(app, pilot)
        assert search.value == "q" and app.screen is picker and app.is_running
        picker.query_one("#tours-list").focus()
        await pilot.press("q")  # as escape: no tour open, so codewalk ends
        await settle(app, pilot)
        assert not app.is_running


@run_async
async def test_the_tours_list_keeps_the_highlighted_tour_in_view_on_a_small_terminal() -> None:
    """More tours than rows: the list fits in its dialog (it was taller, its bottom rows
    clipped), so the tour highlighted at the end, which enter opens, is on screen."""
    from textual.widgets import OptionList

    from codewalk.ui.session import Catalogue, TourEntry

    entries = [TourEntry(f"tour-{n}", f"Tour number {n}", 4) for n in range(40)]
    for size in ((80, 24), (110, 32)):
        app = make_app(make_session(), catalogue=Catalogue(lambda: entries, lambda _: make_session()))
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await pilot.press("t")
            await settle(app, pilot)
            await pilot.press("end")
            await settle(app, pilot)
            tours = app.screen.query_one(OptionList)
            assert tours.highlighted == 39
            box = app.screen.query_one("ToursScreen > Vertical")
            assert box.content_region.contains_region(tours.region), size
            shown = tours.scrollable_content_region.height
            assert tours.scroll_y <= 39 < tours.scroll_y + shown, size  # one row a tour


def test_start_step_explicit_remembered_and_out_of_range(tmp_path: Path) -> None:
    import argparse

    import pytest

    from codewalk.errors import CodewalkError
    from codewalk.ui.launch import start_step

    store = ProgressStore(tmp_path / "progress.json")
    session = make_session(store)
    assert start_step(argparse.Namespace(step=None), session) == 0
    store.save("fake-tour", 2)
    assert start_step(argparse.Namespace(step=None), session) == 2
    assert start_step(argparse.Namespace(step=4), session) == 3
    with pytest.raises(CodewalkError, match="steps 1 to 4"):
        start_step(argparse.Namespace(step=9), session)
    store.save("fake-tour", 17)  # a tour that got shorter since
    assert start_step(argparse.Namespace(), session) == 0


@run_async
async def test_cursor_keeps_in_view_sideways() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        code = app.screen.query_one(CodeView)
        await pilot.press("end", "ctrl+e")  # the end of the GREETING line
        await pilot.pause()
        assert code.cursor == (13, 97)  # 98 characters
        left = int(code.scroll_x)
        width = code.scrollable_content_region.width - 4  # gutter: two digits, bar, space
        assert left > 0 and left <= 97 < left + width
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert code.cursor == (13, 0) and code.scroll_x == 0


@run_async
async def test_permalink_is_copied_and_editor_failure_is_a_notification(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EDITOR", "no-such-editor-anywhere")
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("y")
        assert app.clipboard == "https://example.org/pkg/pkg/base.py#L11-L19"  # the span
        await pilot.press("n", "y")
        await settle(app, pilot)
        assert app.clipboard == "https://example.org/pkg/pkg/base.py#L14-L14"  # the focus
        await pilot.press("o")  # headless: cannot suspend; a real terminal runs the editor
        await settle(app, pilot)
        assert isinstance(app.screen, TourScreen)
        assert "$EDITOR 'no-such-editor-anywhere' not found" in [str(n.message) for n in app._notifications]


class _Terminal:
    """Lets the headless driver "suspend" the way a real terminal's does, and records
    it: Textual's ``App.suspend`` resumes only if its ``with`` body raised nothing."""

    def __init__(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        from textual.drivers.headless_driver import HeadlessDriver

        self.events: list[str] = []
        monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda driver: True))
        monkeypatch.setattr(
            HeadlessDriver, "suspend_application_mode", lambda d: self.events.append("suspend")
        )
        monkeypatch.setattr(HeadlessDriver, "resume_application_mode", lambda d: self.events.append("resume"))


def _messages(app: CodewalkApp) -> list[str]:
    return said(app)


def _editor_env(monkeypatch, editor: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.delenv("VISUAL", raising=False)


@run_async
async def test_missing_editor_is_a_notification_and_the_app_stays_live(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    terminal = _Terminal(monkeypatch)
    _editor_env(monkeypatch, "/nonexistent-editor")
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        assert terminal.events.count("suspend") == terminal.events.count("resume")
        assert terminal.events == []  # not found before the screen is given away
        assert "$EDITOR '/nonexistent-editor' not found" in _messages(app)
        await pilot.press("n")  # keys still work
        await settle(app, pilot)
        assert "step 2/4" in header(app)


@run_async
async def test_editor_that_fails_to_start_or_exits_nonzero_resumes_the_app(
    monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import signal
    import subprocess

    terminal = _Terminal(monkeypatch)
    broken = tmp_path / "broken-editor"
    broken.write_text("#!/nonexistent/interpreter\n")
    broken.chmod(0o755)  # found on the path, but exec fails (OSError inside the suspend)
    _editor_env(monkeypatch, str(broken))
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        assert terminal.events == ["suspend", "resume"]
        assert any(m.startswith(f"cannot run {broken}") for m in _messages(app))

        seen: list[object] = []
        real_run = subprocess.run

        def run(command, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(signal.getsignal(signal.SIGINT))  # ctrl-c belongs to the editor
            return real_run(command, **kwargs)

        monkeypatch.setattr(subprocess, "run", run)
        _editor_env(monkeypatch, "false")
        before = signal.getsignal(signal.SIGINT)
        await pilot.press("o")
        await settle(app, pilot)
        assert terminal.events == ["suspend", "resume"] * 2
        assert seen == [signal.SIG_IGN] and signal.getsignal(signal.SIGINT) == before
        assert any(m.startswith("false exited with status 1") for m in _messages(app))
        await pilot.press("n")
        await settle(app, pilot)
        assert "step 2/4" in header(app)


def _title(app: CodewalkApp) -> str:
    from textual.widgets import Label

    return str(app.screen.query_one(ReferencesPanel).query_one(Label).render())


@run_async
async def test_references_title_says_uses_of_the_name() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+right", "ctrl+right", "ctrl+right", "x")  # "class Model(Mixin)" -> "Mixin"
        await settle(app, pilot)
        title = _title(app)
        # by name, not by type: the title must not claim they are all pkg.base.Mixin
        assert title.startswith("3 uses of the name Mixin"), title
        assert "references to" not in title
        assert "pkg.base.Mixin" in title  # what the cursor is on, as secondary information


class SlowReferences:
    """A fake navigator whose ``references`` waits until released (a cold index)."""

    def __init__(self) -> None:
        import threading

        from ui_fakes import FakeNavigator

        self.inner = FakeNavigator()
        self.release = threading.Event()

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.inner, name)

    def references(self, qualname: str):  # type: ignore[no-untyped-def]
        assert self.release.wait(10)
        return self.inner.references(qualname)


@run_async
async def test_references_show_a_finding_state_until_they_arrive() -> None:
    from textual.widgets import OptionList

    slow = SlowReferences()
    app = make_app(make_session(navigator=lambda: slow))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+right", "ctrl+right", "ctrl+right", "x")
        for _ in range(5):
            await pilot.pause()
        panel = app.screen.query_one(ReferencesPanel)
        assert panel.shown and panel.query_one(OptionList).loading
        assert "finding the callers or uses of Mixin" in _title(app)
        slow.release.set()
        await settle(app, pilot)
        assert panel.shown and not panel.query_one(OptionList).loading
        assert _title(app).startswith("3 uses of the name Mixin")

        # closed while finding: the late answer does not open the panel again
        slow.release.clear()
        await pilot.press("escape", "x")
        await pilot.pause()
        assert panel.shown and panel.query_one(OptionList).loading
        await pilot.press("escape")
        await pilot.pause()
        assert not panel.shown and app.focused is app.screen.query_one(CodeView)
        slow.release.set()
        await settle(app, pilot)
        assert not panel.shown and not panel.query_one(OptionList).loading


def test_quit_while_a_step_waits_on_a_silent_index_is_at_once_and_says_what_it_waited_on() -> None:
    """A step whose repository is being fetched from an index that never answers: the
    screen says what it waits on, and ``q`` ends the app without waiting for the fetch
    (which here would last until ``gate`` is set)."""
    import asyncio
    import threading

    from ui_fakes import FakeStack, describe, fake_resolver, make_tour

    from codewalk.ui.session import TourSession

    gate, asked, finished = threading.Event(), threading.Event(), threading.Event()
    tour = make_tour()
    waiting = "fetching pkg: waiting for the package index at http://127.0.0.1:9/simple/: no answer for 2 s"

    def resolver(repos: FakeStack):  # type: ignore[no-untyped-def]
        resolve = fake_resolver(repos, tour)

        def slow(index: int):  # type: ignore[no-untyped-def]
            asked.set()
            activity = getattr(session, "activity", None)
            if activity is not None:  # as the fetch's reporter says it, from the nav thread
                activity.say(waiting)
            gate.wait(30)
            finished.set()
            return resolve(index)

        return slow

    session = TourSession(
        tour=tour,
        open_repos=lambda: FakeStack(),  # type: ignore[arg-type,return-value]
        resolver=resolver,
        describe=describe,  # type: ignore[arg-type]
        repo="pkg",
    )
    shown: list[str] = []

    async def run() -> None:
        app = make_app(session)
        async with app.run_test(size=(120, 40)) as pilot:
            assert await asyncio.to_thread(asked.wait, 20)
            problem = app.screen.query_one(StepProblem)
            for _ in range(100):
                await pilot.pause(0.05)
                if waiting in str(problem.render()):
                    break
            shown.append(str(problem.render()))
            await pilot.press("q")

    try:
        asyncio.run(run())  # returns once every thread of the app's own is done
        assert not finished.is_set()  # the fetch is still under way: nothing waited for it
        assert "resolving Model in pkg …" in shown[0] and waiting in shown[0]
    finally:
        gate.set()


@run_async
async def test_ctrl_c_quits_as_q_does() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.return_code is None
        await pilot.press("ctrl+c")
        await settle(app, pilot)
    assert app.return_code == 0


@run_async
async def test_the_steps_judged_against_a_run_stop_being_resolved_once_the_tour_is_left() -> None:
    """A tour walked against a run resolves every step behind the reader, to mark in the
    list whether each ran; once its screen's workers are cancelled (as Textual cancels
    them when the screen is removed: another tour opened in its place), it resolves no
    more of them (it went on through the tour, for a list no longer shown)."""
    tour = make_tour()
    gate = threading.Event()
    asked: list[int] = []

    def resolver(repos):  # type: ignore[no-untyped-def]
        resolve = fake_resolver(repos, tour)

        def slow(index: int):  # type: ignore[no-untyped-def]
            if index >= 2:  # the reader's step and the next resolve at once; the rest wait
                assert gate.wait(10)
            asked.append(index)
            return resolve(index)

        return slow

    session = replace(
        make_session(tour=tour),
        resolver=resolver,
        judge_step=lambda resolved: StepVerdict("ran", "it ran", True),
    )
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):  # the judging waits at step 3
            await pilot.pause()
            if set(asked) >= {0, 1}:
                break
        screen = app.screen
        assert isinstance(screen, TourScreen)
        screen.workers.cancel_node(screen)  # what removing the screen does
        gate.set()
        for _ in range(25):  # time for the judging to go on, if it does
            await asyncio.sleep(0.02)
        assert 3 not in asked, asked
        assert [w for w in app.workers if w.group == "judge" and w.is_running] == []
