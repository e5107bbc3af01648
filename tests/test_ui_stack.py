"""Pilot tests of the UI across repositories and versions, on the synthetic packages:
a tour from ``pkg`` into ``ext`` and back, jumps that land in the other repository, and
the step's symbol at another version as a diff (``v``)."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from textual import events
from textual.command import CommandPalette
from textual.widgets import Input, OptionList
from ui_fakes import (
    VERSIONS,
    FakeNavigator,
    FakeStack,
    make_session,
    make_stack_tour,
    make_tour,
    run_async,
    settle,
)

from codewalk.resolve.model import Resolved
from codewalk.ui.app import CodewalkApp, make_app
from codewalk.ui.calls_panel import CallsPanel
from codewalk.ui.code_view import CodeView
from codewalk.ui.header import OffTourBanner, TourHeader
from codewalk.ui.problem import StepProblem
from codewalk.ui.steps import StepsList
from codewalk.ui.tour_screen import TourScreen
from codewalk.ui.version_chooser import VersionChooser
from codewalk.ui.version_diff import VersionDiff


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
        assert (
            steps.highlighted is not None and steps.step_of(steps.get_option_at_index(steps.highlighted)) == 0
        )

        await pilot.press("n")
        await settle(pilot)
        assert where(app) == ("ext", "ext/engine.py", 5, 0)  # Engine.backward, in ext
        assert "step 2/5" in header(app) and header(app).endswith("ext@2.0")
        assert (
            steps.highlighted is not None and steps.step_of(steps.get_option_at_index(steps.highlighted)) == 1
        )
        assert banner(app) is None
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
        assert where(app) == ("ext", "ext/engine.py", 5, 8)  # on its name
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
        assert where(app) == ("ext", "ext/engine.py", 4, 6)  # on its name
        assert header(app).endswith("ext@2.0")

        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+p", *"step")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        hits = [str(option.prompt) for option in palette.query_one(OptionList).options]
        symbol = hits.index("ext.engine.step\next  function  ext/engine.py:9")  # the fakes' names are flat
        assert symbol == 1 and hits[0].startswith("step 3: ")  # the step at Engine.step: named
        await pilot.press("down", "enter")
        await settle(pilot)
        assert where(app) == ("ext", "ext/engine.py", 9, 8)


def palette_hits(app: CodewalkApp) -> list[str]:
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    return [str(option.prompt) for option in palette.query_one(OptionList).options]


@run_async
async def test_the_palette_searches_every_pin_in_the_cache_the_tours_first() -> None:
    """The fake tour reads pkg alone: ctrl+p finds ext's symbols too (its source is in
    the cache), after pkg's."""
    repos = FakeStack()
    app = make_app(make_session(repos=repos))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Engine.back")
        await settle(pilot)
        assert palette_hits(app) == ["ext.engine.backward\next  function  ext/engine.py:5"]
        await pilot.press("enter")
        await settle(pilot)
        assert where(app) == ("ext", "ext/engine.py", 5, 8)
        assert header(app).endswith("ext@2.0")

        await pilot.press("escape", "r", "ctrl+p", *"ward")  # both repositories hold one: pkg's first
        await settle(pilot)
        hits = [hit.split("\n")[0] for hit in palette_hits(app)]
        assert hits == ["pkg.base.forward", "ext.engine.backward"]


class SlowNavigator(FakeNavigator):
    """pkg, whose every search waits for ``gate`` (a session's first search, seconds long)."""

    def __init__(self, gate: threading.Event) -> None:
        super().__init__("pkg")
        self.gate = gate

    def complete(self, text: str, limit: int) -> Sequence[Resolved]:
        assert self.gate.wait(10)
        return super().complete(text, limit)


@run_async
async def test_while_the_palette_searches_it_offers_no_row_of_other_text() -> None:
    """The tour's steps (the rows before any text) are gone once text is typed: Enter
    during the search chooses nothing, and after it the hit of the text typed."""
    gate = threading.Event()
    app = make_app(make_session(repos=FakeStack(lambda: SlowNavigator(gate))))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert palette_hits(app)[0].startswith("step 1: ")
        await pilot.press(*"Engine.back")
        for _ in range(20):
            await pilot.pause(0.02)
        assert palette_hits(app) == []
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert "step 2/4" in app.screen_stack[-2].query_one(TourHeader).text
        gate.set()
        await settle(pilot)
        assert palette_hits(app) == ["ext.engine.backward\next  function  ext/engine.py:5"]
        await pilot.press("enter")
        await settle(pilot)
        assert where(app) == ("ext", "ext/engine.py", 5, 8)


@run_async
async def test_the_palette_opened_lights_the_step_on_screen_and_enter_stays_there() -> None:
    """ctrl+p with nothing typed lists the tour's steps: it lit step 1 (Textual lights its
    first row), so enter went back to the start of the tour. It lights the step on screen,
    its row saying so; enter stays there, down goes to the next."""
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        listed = palette.query_one(OptionList)
        assert listed.highlighted == 2
        lit = listed.get_option_at_index(2).prompt
        assert str(lit).startswith("step 3: ") and "(on screen)" in str(lit)
        assert [hit for hit in palette_hits(app) if "(on screen)" in hit] == [str(lit)]
        await pilot.press("enter")
        await settle(pilot)
        assert "step 3/4" in app.screen.query_one(TourHeader).text
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert "step 4/4" in app.screen.query_one(TourHeader).text


class LooseNavigator(FakeNavigator):
    """pkg, whose index matches a name by its letters in order and holds
    ``system_prompt``: a weak match for ``step`` (ext's ``step`` is an exact one)."""

    fully_indexed = True

    def __init__(self) -> None:
        super().__init__("pkg")
        weak = Resolved("pkg", "pkg.use.system_prompt", "function", "pkg/use.py", 1, 1, 1, "direct", "")
        self.defs.append(weak)

    def complete(self, text: str, limit: int) -> Sequence[Resolved]:
        loose = re.compile(".*".join(map(re.escape, text)), re.IGNORECASE)
        return [t for t in self.defs if loose.search(t.qualname.rpartition(".")[2])][:limit]


@run_async
async def test_the_palette_lists_an_exact_name_before_a_weak_match_of_a_repository_searched_first() -> None:
    app = make_app(make_session(repos=FakeStack(LooseNavigator)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"step")
        await settle(pilot)
        hits = [hit.split("\n")[0] for hit in palette_hits(app)]
        # the symbols, then the tour's step whose title the text matches
        assert hits == ["ext.engine.step", "pkg.use.system_prompt", "step 3: A missing step"]


@run_async
async def test_the_palette_fetches_nothing_and_says_which_pins_it_did_not_search() -> None:
    """ext's source is not in the cache: a keystroke never opens it (that would fetch it);
    the palette says so, and how to fetch it, where it would say only "No matches found";
    choosing that line keeps it as a notification."""
    repos = FakeStack(cached=("pkg",))
    app = make_app(make_session(repos=repos))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Engine")
        await settle(pilot)
        said = (
            "not searched: ext (not in the cache)\ncodewalk sync ext fetches it, then ctrl+p searches it too"
        )
        assert palette_hits(app) == [said]
        assert "ext" not in repos.navigators and "pkg" in repos.navigators
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, CommandPalette)
        assert "codewalk sync ext fetches it" in str(list(app._notifications)[-1].message)

        await pilot.press("ctrl+p", *"Model")  # found in pkg: the line comes after its symbols
        await settle(pilot)
        hits = palette_hits(app)
        assert hits[0].startswith("step 1: ") and hits[1].startswith("pkg.base.Model\n") and hits[-1] == said


@run_async
async def test_v_shows_the_steps_symbol_at_another_version_and_v_goes_back() -> None:
    app = stack_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4", "down")  # Model.forward, in pkg 1.0
        await settle(pilot)
        before = where(app)
        await pilot.press("v")
        await settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, VersionChooser)
        # the tour's versions are offered; the pin is the version on screen, so it is not
        assert [offer.spec for offer in chooser.offers] == ["pkg@0.9"]
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen)
        diff = screen.query_one(VersionDiff)
        assert diff.shown and diff.diff is not None and not screen.query_one(CodeView).display
        assert (diff.diff.before.label, diff.diff.after.label) == ("pkg@0.9", "pkg@1.0")
        assert diff.diff.after.on_screen and diff.diff.counts == (1, 3)
        title = str(screen.query_one("#version-title").render())
        assert "base.forward  pkg@0.9 → pkg@1.0" in title
        assert "0.9  pkg/base.py:16-17  by the same qualified name" in title
        assert "1.0  pkg/base.py:16-19  the step  (on screen)" in title
        body = str(screen.query_one("#version-body").render())
        assert "-         return self.layers[0](x)" in body.replace("17   ", "")  # old line 18
        assert "+         for layer in self.layers:" in body.replace("17 ", "")

        await pilot.press("v")
        await settle(pilot)
        assert not diff.shown and screen.query_one(CodeView).display
        assert where(app) == before and app.focused is screen.query_one(CodeView)

        # asked before: offered first next time; escape goes back too
        await pilot.press("v")
        await settle(pilot)
        assert [offer.why for offer in app.screen.offers] == ["asked before"]  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert diff.shown
        await pilot.press("escape")
        await settle(pilot)
        assert not diff.shown and screen.query_one(CodeView).display


@run_async
async def test_the_version_typed_is_checked_before_anything_is_fetched() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, VersionChooser)
        assert chooser.offers == []  # no tour versions, the pin is on screen: type one
        assert app.focused is chooser.query_one(Input)
        for typed, said in (
            ("ext@2.0", "this step is in pkg: type a version of pkg"),
            ("1.0", "pkg@1.0 is the version on screen"),
            ("banana", "'banana' is not a release version"),
            ("", "type a version of pkg"),
        ):
            chooser.query_one(Input).value = typed
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is chooser and chooser.error.startswith(said), chooser.error
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TourScreen)
        assert not app.screen.query_one(VersionDiff).shown and app.screen.query_one(CodeView).display


@run_async
async def test_typing_on_the_offers_types_into_the_field() -> None:
    """A reader who knows the version types it at once, offers or not: enter then takes
    what was typed, not the highlighted offer."""
    app = make_app(make_session(tour=make_stack_tour()))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4", "down", "v")
        await settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, VersionChooser) and chooser.offers
        assert app.focused is chooser.query_one(OptionList)
        await pilot.press(*"banana", "enter")
        await settle(pilot)
        assert app.screen is chooser and app.focused is chooser.query_one(Input)
        assert chooser.query_one(Input).value == "banana"
        assert chooser.error.startswith("'banana' is not a release version"), chooser.error


@run_async
async def test_keys_typed_in_one_burst_with_v_go_to_the_version_asked_in_order() -> None:
    """``v`` and a version typed at once, a backspace among it: each key reaches the
    chooser, in the order typed (they went to the code under it and were lost), on the
    offers too (typing there types into the field)."""
    for tour, keys, typed in (
        (None, ("v", "0", ".", "8", "backspace", "9"), "0.9"),
        (make_stack_tour(), ("v", "b", "x", "backspace", "c", "left", "a"), "bac"),
    ):
        app = make_app(make_session(tour=tour) if tour is not None else make_session())
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            if tour is not None:
                await pilot.press("4", "down")  # a step with offers
                await settle(pilot)
            for key in keys:  # posted together, none awaited
                app.post_message(events.Key(key, key if len(key) == 1 else None))
            await settle(pilot)
            chooser = app.screen
            assert isinstance(chooser, VersionChooser)
            assert chooser.query_one(Input).value == typed, keys


@run_async
async def test_q_closes_the_version_chooser_as_escape_does_unless_typed() -> None:
    """``q`` on the offers, or in the empty field, goes back to where the reader was, the
    code on screen; once a version is being typed, ``q`` is a character of it."""
    app = make_app(make_session(tour=make_stack_tour()))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4", "down", "down")
        await settle(pilot)
        before = where(app)
        for keys in (("v",), ("v", "tab")):  # the offers focused, then the empty field
            await pilot.press(*keys)
            await settle(pilot)
            chooser = app.screen
            assert isinstance(chooser, VersionChooser)
            await pilot.press("q")
            await settle(pilot)
            assert isinstance(app.screen, TourScreen), keys
            assert not app.screen.query_one(VersionDiff).shown and where(app) == before
        await pilot.press("v", "1", "q")
        await settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, VersionChooser) and chooser.query_one(Input).value == "1q"


@run_async
async def test_a_symbol_missing_at_that_version_says_so_with_did_you_mean() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4", "v")  # `build`, which 0.9 called `make`
        await settle(pilot)
        app.screen.query_one(Input).value = "v0.9"
        await pilot.press("enter")
        await settle(pilot)
        diff = app.screen.query_one(VersionDiff)
        assert diff.shown and diff.diff is not None and diff.diff.missing is diff.diff.before
        title = str(app.screen.query_one("#version-title").render())
        assert "not there: 'build' names nothing here" in title
        assert "use.build is not at pkg@0.9; its code at pkg@1.0 is below" in title
        assert "did you mean: make" in title
        assert "def build():" in str(app.screen.query_one("#version-body").render())


@run_async
async def test_a_comparison_under_way_says_so_and_a_failed_one_is_a_notification() -> None:
    from ui_fakes import FakeVersions

    release = threading.Event()
    app = make_app(make_session(tour=make_stack_tour(), versions=FakeVersions(gate=release)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4", "v")
        await settle(pilot)
        await pilot.press("enter")
        for _ in range(10):
            await pilot.pause()
        diff = app.screen.query_one(VersionDiff)
        assert diff.shown and diff.pending is not None and diff.diff is None
        assert diff.status == "fetching pkg@0.9: 1.0 MB of 3.0 MB"
        assert "fetching pkg@0.9" in str(app.screen.query_one("#version-title").render())
        await pilot.press("escape")  # the UI answers while the version is fetched
        await pilot.pause()
        assert not diff.shown and app.screen.query_one(CodeView).display
        panel = app.screen.query_one(CallsPanel)
        await pilot.press("c")  # and so does the nav thread: the fetch is not on it
        for _ in range(100):
            await pilot.pause()
            if panel.calls is not None:
                break
        assert panel.shown and [row.expr for row in panel.rows] == ["layer"]
        assert not release.is_set()
        await pilot.press("escape")
        release.set()
        await settle(pilot)
        assert not diff.shown and diff.diff is None  # the late answer is dropped

        VERSIONS.pop("pkg@0.8", None)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("tab")  # from the offers (pkg@0.9, asked before) to the field
        assert app.focused is app.screen.query_one(Input)
        await pilot.press(*"0.8", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TourScreen) and not diff.shown
        assert app.screen.query_one(CodeView).display
        assert "pkg@0.8: pkg@0.8: no such release on the package index" in messages(app)


@run_async
async def test_the_steps_list_of_a_one_repository_tour_has_no_headings() -> None:
    app = make_app(make_session(tour=make_tour()))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        steps = app.screen.query_one(StepsList)
        assert [steps.step_of(option) for option in steps.options] == [0, 1, 2, 3]
