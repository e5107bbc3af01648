"""Pilot tests of the UI across repositories and versions, on the synthetic packages:
a tour from ``pkg`` into ``ext`` and back, jumps that land in the other repository."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import OptionList
from ui_fakes import make_session, make_stack_tour, make_tour, run_async, settle

from codewalk.ui.app import CodewalkApp, make_app
from codewalk.ui.code_view import CodeView
from codewalk.ui.header import OffTourBanner, TourHeader
from codewalk.ui.problem import StepProblem
from codewalk.ui.steps import StepsList
from codewalk.ui.tour_screen import TourScreen


def where(app: CodewalkApp) -> tuple[str, str, int, int]:
    """(repo, path, line, col) of the code on screen."""
    screen = app.screen
    assert isinstance(screen, TourScreen)
    code = screen.query_one(CodeView)
    assert code.source is not None and screen.location is not None
    return (screen.location.repo, code.source.path, *code.cursor)


def header(app: CodewalkApp) -> str:
    return app.screen.query_one(TourHeader).text


def banner(app: CodewalkApp) -> str | None:
    shown = app.screen.query_one(OffTourBanner)
    return str(shown.render()) if shown.display and shown.has_class("-shown") else None


def messages(app: CodewalkApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def stack_app() -> CodewalkApp:
    return make_app(make_session(tour=make_stack_tour()))


@run_async
async def test_steps_in_another_repository_show_it_and_name_it() -> None:
    app = stack_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert where(app) == ("pkg", "pkg/train.py", 4, 0)
        assert "step 1/5" in header(app) and header(app).endswith("pkg@1.0")

        steps = app.screen.query_one(StepsList)
        rows = [str(option.prompt) for option in steps.options]
        # a heading before each run of steps in one repository; the other one marked
        assert rows[0] == "── pkg ──" and rows[2] == "── ext ↗" and rows[5] == "── pkg ──"
        assert [steps.step_of(option) for option in steps.options] == [None, 0, None, 1, 2, None, 3, 4]
        assert steps.highlighted_step == 0

        await pilot.press("n")
        await settle(pilot)
        assert where(app) == ("ext", "ext/engine.py", 5, 0)  # Engine.backward, in ext
        assert "step 2/5" in header(app) and header(app).endswith("ext@2.0")
        assert steps.highlighted_step == 1 and banner(app) is None
        assert ("ext", "ext/engine.py") in app.screen.sources  # type: ignore[attr-defined]

        await pilot.press("y")
        assert app.clipboard == "https://example.org/ext/ext/engine.py#L5-L7"  # ext's permalink

        await pilot.press("4")
        await settle(pilot)
        assert where(app) == ("pkg", "pkg/base.py", 16, 0)
        assert header(app).endswith("pkg@1.0")


@run_async
async def test_a_step_the_version_leaves_out_is_skipped_with_why() -> None:
    app = stack_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        problem = app.screen.query_one(StepProblem)
        text = str(problem.render())
        assert problem.display and not app.screen.query_one(CodeView).display
        assert "Step 5 is skipped at pkg@1.0" in text
        assert "this step is for pkg >=2" in text
        assert "does not resolve" not in text and "Did you mean" not in text
        assert "◌" in str(app.screen.query_one(StepsList).options[7].prompt)
        assert header(app).endswith("pkg@1.0")


@run_async
async def test_g_into_the_other_repository_and_back() -> None:
    app = stack_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # `    return engine.backward(model)`: to "backward"
        await pilot.press("down", "down", "ctrl+right", "ctrl+right", "ctrl+right", "ctrl+right")
        assert app.screen.query_one(CodeView).word_under_cursor() == ("backward", 18)
        await pilot.press("g")
        await settle(pilot)
        assert where(app) == ("ext", "ext/engine.py", 5, 0)
        assert header(app).endswith("ext@2.0") and "step 1/5" in header(app)
        off = banner(app)
        assert off is not None and "return to step 1" in off and "ext: engine.py:5" in off

        await pilot.press("b")
        await settle(pilot)
        assert where(app) == ("pkg", "pkg/train.py", 6, 18)
        assert header(app).endswith("pkg@1.0") and banner(app) is None
        await pilot.press("f")
        await settle(pilot)
        assert where(app)[:2] == ("ext", "ext/engine.py")


@run_async
async def test_calls_panel_and_palette_reach_the_other_repository() -> None:
    app = stack_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")  # the calls of train(): Engine(), engine.backward(...)
        await settle(pilot)
        await pilot.press("enter")  # Engine: ext's class
        await settle(pilot)
        assert where(app) == ("ext", "ext/engine.py", 4, 0)
        assert header(app).endswith("ext@2.0")

        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+p", *"step")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        hits = [str(option.prompt) for option in palette.query_one(OptionList).options]
        assert "ext.engine.step\next  function  ext/engine.py:9" in hits  # the fakes' names are flat
        await pilot.press("enter")
        await settle(pilot)
        assert where(app) == ("ext", "ext/engine.py", 9, 0)


@run_async
async def test_the_steps_list_of_a_one_repository_tour_has_no_headings() -> None:
    app = make_app(make_session(tour=make_tour()))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        steps = app.screen.query_one(StepsList)
        assert [steps.step_of(option) for option in steps.options] == [0, 1, 2, 3]
