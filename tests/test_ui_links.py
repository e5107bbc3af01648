"""Several regions lit, and a note's links followed (``l``, ``enter``, ``b``), in the app on
the fake packages."""

from __future__ import annotations

from pathlib import Path

from ui_fakes import make_session, run_async, settle

from codewalk.tours.model import Step, Tour
from codewalk.tours.notes import scan
from codewalk.ui.app import make_app
from codewalk.ui.code_view import CodeView
from codewalk.ui.header import OffTourBanner
from codewalk.ui.links_panel import LinksPanel
from codewalk.ui.note import NoteView

NOTE = (
    "The engine's [`backward`](codewalk:ext.engine.Engine.backward) "
    "[halves the loss](<codewalk:Engine.backward#scaled = loss / 2>); "
    "[this line](<codewalk:#engine = Engine()>) made it, [gone](codewalk:Nowhere) is not."
)


def links_tour() -> Tour:
    step = Step(
        1,
        "train",
        None,
        ("engine = Engine()", "return engine.backward"),
        "Training",
        None,
        NOTE,
        3,
        links=scan(NOTE).links,
    )
    return Tour("links", "Links", "", "pkg", (step,), Path("links.yaml"))


def code(app) -> CodeView:  # type: ignore[no-untyped-def]
    return app.screen.query_one(CodeView)


@run_async
async def test_every_region_is_lit_and_the_view_goes_to_the_first() -> None:
    app = make_app(make_session(tour=links_tour()))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        view = code(app)
        assert view.shown is not None and view.shown.regions == ((5, 5), (6, 6))
        assert view.shown.focus == (5, 5) and view.cursor == (5, 0)
        assert view.shown.lit(6) and not view.shown.lit(4)
        markdown = app.screen.query_one(NoteView).query_one("Markdown")
        assert "the note's 4 links, to follow" in markdown.source  # type: ignore[attr-defined]


@run_async
async def test_l_lists_the_links_and_enter_follows_one_b_comes_back() -> None:
    app = make_app(make_session(tour=links_tour()))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        panel = app.screen.query_one(LinksPanel)
        assert panel.shown and len(panel.links) == 4
        rows = [str(panel.query_one("OptionList").get_option_at_index(n).prompt) for n in range(4)]
        assert rows[0] == "backward  ext  ext/engine.py:5-7  ext.engine.backward"
        assert rows[3] == "gone  'Nowhere' names nothing"
        await pilot.press("l", "enter")  # the second: a region in another repository
        await settle(pilot)
        view = code(app)
        assert view.source is not None and view.source.path == "ext/engine.py"
        assert view.shown is not None and view.shown.regions == ((6, 6),) and view.cursor == (6, 8)
        assert app.screen.query_one(OffTourBanner).display
        await pilot.press("b")
        await settle(pilot)
        assert view.source.path == "pkg/train.py" and view.cursor == (5, 0)
        await pilot.press(
            "escape", "l", "l", "l", "l", "enter"
        )  # the fourth goes nowhere: said, not followed
        await settle(pilot)
        assert view.source.path == "pkg/train.py"
        assert any("'Nowhere' names nothing" in str(n.message) for n in app._notifications)


@run_async
async def test_a_click_on_a_link_of_the_note_follows_it() -> None:
    app = make_app(make_session(tour=links_tour()))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one(NoteView).post_message(NoteView.LinkClicked("#engine = Engine()"))
        await settle(pilot)
        view = code(app)
        assert view.source is not None and view.source.path == "pkg/train.py"
        assert view.shown is not None and view.shown.regions == ((5, 5),)
        assert app.screen.query_one(OffTourBanner).display  # a jump: b comes back


@run_async
async def test_a_link_to_a_definition_puts_the_cursor_on_its_name() -> None:
    """Followed, a link to a definition (not to lines of it) puts the cursor on the name,
    as ``g`` and the palette do, where ``x`` asks for its callers."""
    app = make_app(make_session(tour=links_tour()))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        view = code(app)
        assert view.source is not None and view.source.path == "ext/engine.py"
        assert view.cursor == (5, 8)  # "    def backward(self, loss):"


@run_async
async def test_the_links_give_way_to_the_calls_or_the_uses_asked_for_after_them() -> None:
    """``l`` then ``c`` (or ``x``): one panel at a time, as ``c`` and ``x`` give way to
    each other; the links left open under the calls took the code's last lines at 80x24."""
    from codewalk.ui.calls_panel import CallsPanel
    from codewalk.ui.references import ReferencesPanel

    app = make_app(make_session(tour=links_tour()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        links = app.screen.query_one(LinksPanel)
        await pilot.press("ctrl+right")  # on the name after the indent: what x asks about
        for key, asked in (("c", CallsPanel), ("x", ReferencesPanel)):
            await pilot.press("l")
            await settle(pilot)
            assert links.shown
            await pilot.press(key)
            await settle(pilot)
            assert app.screen.query_one(asked).shown and not links.shown, key
            assert code(app).region.height > 0


@run_async
async def test_the_links_listed_close_when_another_step_is_shown() -> None:
    """``l`` then ``n``: the panel went on listing the links of the step left (``1 link in
    the note`` under a note with none), and ``enter`` followed one of them from the next
    step. Another step closes it; ``r`` back to the same step keeps it."""
    from dataclasses import replace

    from codewalk.tours.model import Step

    tour = links_tour()
    plain = Step(2, "build", None, (), "Building", None, "No links here.", 12)
    app = make_app(make_session(tour=replace(tour, steps=(*tour.steps, plain))))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        panel = app.screen.query_one(LinksPanel)
        assert panel.shown
        await pilot.press("enter", "r")  # followed, then back to the step: its links still listed
        await settle(pilot)
        assert panel.shown and not app.screen.query_one(OffTourBanner).display
        await pilot.press("n")
        await settle(pilot)
        assert not panel.shown and not app.screen.has_class("-panel-open")
        assert code(app).has_focus
