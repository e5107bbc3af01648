"""Pilot tests of the call features of the UI (``c``, ``x`` on a definition, keywords),
the symbols-only palette and the narrow-terminal layout, on the synthetic package."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import Label, Markdown, OptionList
from ui_fakes import FakeNavigator, FakeStack, make_session, run_async, settle

from codewalk.resolve.model import Resolved
from codewalk.ui.app import PALETTE_PLACEHOLDER, CodewalkApp, make_app
from codewalk.ui.calls_panel import CallsPanel, call_label, runs
from codewalk.ui.code_view import CodeView
from codewalk.ui.header import OffTourBanner
from codewalk.ui.ports import Target
from codewalk.ui.references import ReferencesPanel
from codewalk.ui.session import TargetsRan
from codewalk.ui.steps import StepsLegend
from codewalk.ui.tour_screen import TourScreen
from codewalk.workspace.calling import CallList, CallRow


def where(app: CodewalkApp) -> tuple[str, int, int]:
    code = app.screen.query_one(CodeView)
    assert code.source is not None
    return (code.source.path, *code.cursor)


def label_of(panel: CallsPanel | ReferencesPanel) -> str:
    return str(panel.query_one(Label).render())


def notifications(app: CodewalkApp) -> list[str]:
    return [n.message for n in app._notifications]


@run_async
async def test_c_lists_the_calls_of_the_function_and_jumps_into_one() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", "c")  # step 2: Model.__init__, its `Layer(i)` and `range(size)`
        await settle(pilot)
        panel = app.screen.query_one(CallsPanel)
        assert panel.shown
        assert [row.expr for row in panel.rows] == ["Layer"]  # range, a builtin, is left out
        assert label_of(panel).startswith("1 call in __init__ (and 1 builtin or call on an untyped value)")
        await pilot.press("enter")
        await settle(pilot)
        assert where(app) == ("pkg/base.py", 22, 6)  # class Layer: on its name
        assert app.screen.query_one(OffTourBanner).display


@run_async
async def test_at_80_columns_the_footer_keeps_every_key_with_a_panel_open() -> None:
    """The panel's title says escape closes it: the footer did too, and at 80 columns
    its last key was cut ("q Q")."""
    from textual.widgets._footer import FooterKey

    app = make_app(make_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n", "c")
        await settle(pilot)
        panel = app.screen.query_one(CallsPanel)
        assert panel.shown and "escape: close" in label_of(panel)
        keys = list(app.screen.query(FooterKey))
        assert "q" in [key.key for key in keys] and "escape" not in [key.key for key in keys]
        assert all(key.region.right <= 80 and key.region.width > 0 for key in keys)


@run_async
async def test_the_calls_panel_closes_once_the_code_moves_elsewhere() -> None:
    """It lists the calls of the function asked about: a jump (enter), back (b) or
    a return to the step (r) leaves that function."""
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(CallsPanel)
        await pilot.press("n")  # step 2: Model.__init__
        for leave in ("enter", "b", "r"):  # to class Layer, back to the step, the step again
            await pilot.press("c")
            await settle(pilot)
            assert panel.shown and app.screen.has_class("-panel-open"), leave
            await pilot.press(leave)
            await settle(pilot)
            assert not panel.shown and not app.screen.has_class("-panel-open"), leave


@run_async
async def test_back_takes_one_press_per_place_after_two_jumps_from_the_calls_panel() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")  # step 2: Model.__init__
        await settle(pilot)
        step = where(app)
        await pilot.press("c", "enter")  # Layer(i): to class Layer
        await settle(pilot)
        assert where(app) == ("pkg/base.py", 22, 6)
        await pilot.press("c", "enter")  # from there (the place the last jump landed on), on
        await settle(pilot)
        assert where(app)[1] != 22
        await pilot.press("b")
        await settle(pilot)
        assert where(app) == ("pkg/base.py", 22, 6)
        await pilot.press("b")
        await settle(pilot)
        assert where(app) == step


@run_async
async def test_c_outside_a_function_says_so() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("home", "c")  # line 1: a module docstring, in no function
        await settle(pilot)
        assert not app.screen.query_one(CallsPanel).shown
        assert "the cursor is not in a function: no calls to list" in notifications(app)
        assert not app.screen.has_class("-panel-open")


@run_async
async def test_x_on_a_definition_lists_its_callers() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*["down"] * 11, "ctrl+right", "x")  # `class Layer:` -> "Layer"
        await settle(pilot)
        panel = app.screen.query_one(ReferencesPanel)
        assert panel.shown
        assert label_of(panel).startswith("1 caller of Layer  (calls that reach this definition)")
        assert [(r.path, r.line) for r in panel.references] == [("pkg/base.py", 14)]


@run_async
async def test_g_lands_on_the_definitions_name_so_x_lists_its_callers() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        code = app.screen.query_one(CodeView)
        await pilot.press(*["down"] * (14 - code.cursor[0]), "home")  # self.layers = [Layer(i) ...]
        while code.word_under_cursor() is None or code.word_under_cursor()[0] != "Layer":
            await pilot.press("ctrl+right")
        assert code.cursor[0] == 14
        await pilot.press("g")  # to `class Layer:`, on its name
        await settle(pilot)
        assert code.cursor == (22, 6)
        await pilot.press("x")
        await settle(pilot)
        assert "no name under the cursor" not in notifications(app)
        panel = app.screen.query_one(ReferencesPanel)
        assert panel.shown
        assert label_of(panel).startswith("1 caller of Layer  (calls that reach this definition)")


@run_async
async def test_keywords_and_self_are_not_looked_up() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")  # on `class`
        await settle(pilot)
        assert not app.screen.query_one(ReferencesPanel).shown
        assert "'class' is a Python keyword, not a name to look up" in notifications(app)
        await pilot.press("g")
        await settle(pilot)
        assert notifications(app).count("'class' is a Python keyword, not a name to look up") == 2
        await pilot.press("n")  # step 2, its focus on `self.layers = ...`
        await settle(pilot)
        await pilot.press("ctrl+right", "x")  # on `self`
        await settle(pilot)
        assert "'self' is the instance itself: move to a name after it" in notifications(app)


@run_async
async def test_the_palette_searches_symbols_only() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one("CommandInput").placeholder == PALETTE_PLACEHOLDER
        await pilot.press(*"quit")  # Textual's own "Quit the application" is not offered
        await settle(pilot)
        shown = [str(option.prompt) for option in palette.query_one(OptionList).options]
        assert not any("Quit" in text for text in shown)


@run_async
async def test_a_narrow_terminal_gives_the_code_the_width() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen)
        column = screen.query_one("#steps-column")
        assert not column.display or column.region.width == 0
        assert screen.query_one(CodeView).region.width == 80
        await pilot.press("s")
        await settle(pilot)
        assert screen.query_one("#steps-column").region.width == 24
        assert "found" in str(screen.query_one(StepsLegend).render())
        await pilot.press("s")
        await settle(pilot)
        assert screen.query_one(CodeView).region.width == 80


@run_async
async def test_the_summary_comes_before_step_one() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        source = app.screen.query_one("#note-markdown", Markdown).source
        assert source.index("A walk through a **tiny** package.") < source.index("## The model")
        await pilot.press("n")
        await settle(pilot)
        assert "tiny" not in app.screen.query_one("#note-markdown", Markdown).source


@run_async
async def test_g_at_a_call_with_several_targets_lists_them() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(
            *["down"] * 7, "ctrl+right", "ctrl+right", "ctrl+right", "ctrl+right", "g"
        )  # x = layer(x)
        await settle(pilot)
        panel = app.screen.query_one(ReferencesPanel)
        assert panel.shown and label_of(panel).startswith("2 definitions layer may reach")
        assert [(r.path, r.line) for r in panel.references] == [("pkg/base.py", 22), ("pkg/base.py", 26)]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert where(app) == ("pkg/base.py", 26, 8)  # on its name, as g on a call of one lands
        code = app.screen.query_one(CodeView)
        assert code.shown is not None and code.shown.span == (26, 26)  # its header lit, as g lights it
        banner = app.screen.query_one(OffTourBanner)
        assert "__call__ (base.py:26)" in str(banner.render())
        assert not panel.shown  # the chooser closes on the jump, as the calls panel does
        assert app.screen.focused is code


@run_async
async def test_g_in_a_trace_lists_the_targets_that_ran_there_first_each_marked() -> None:
    """Read against a run, ``g`` at a call that may reach several definitions lists the
    one that ran there first, ``ran xN``, the other ``not run here`` (the line ran), as
    ``c`` says of a call; a line that did not run says so of each."""
    asked: list[tuple[str, str, int]] = []
    run = {"calls": 3, "line_ran": True}  # what the fake run did at the line

    def ran_targets(repo: str, path: str, line: int, targets: Sequence[Target]) -> TargetsRan:
        asked.append((repo, path, line))
        calls = tuple(run["calls"] if target.line == 26 else 0 for target in targets)
        return TargetsRan(calls, bool(run["line_ran"]))

    app = make_app(replace(make_session(), ran_targets=ran_targets))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*["down"] * 7, *["ctrl+right"] * 4, "g")  # x = layer(x)
        await settle(pilot)
        panel = app.screen.query_one(ReferencesPanel)
        assert asked == [("pkg", "pkg/base.py", 18)]
        title = "2 definitions layer may reach; ran xN: at this line, over the whole run"
        assert label_of(panel).startswith(title)
        assert [(r.path, r.line) for r in panel.references] == [("pkg/base.py", 26), ("pkg/base.py", 22)]
        rows = [str(option.prompt) for option in panel.query_one(OptionList).options]
        assert rows[0].startswith("pkg.base.__call__  ran x3  ")
        assert rows[1].startswith("pkg.base.Layer  not run here  ")
        await pilot.press("enter")  # the one that ran, lit first
        await settle(pilot)
        assert where(app)[:2] == ("pkg/base.py", 26)

        run.update(calls=0, line_ran=False)
        await pilot.press("b", "g")
        await settle(pilot)
        assert label_of(panel).startswith("2 definitions layer may reach; none ran here")
        assert [(r.path, r.line) for r in panel.references] == [("pkg/base.py", 22), ("pkg/base.py", 26)]
        rows = [str(option.prompt) for option in panel.query_one(OptionList).options]
        assert [row.split("  ")[:2] for row in rows] == [
            ["pkg.base.Layer", "not run"],
            ["pkg.base.__call__", "not run"],
        ]


@run_async
async def test_c_outside_any_function_lists_the_steps_function() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")  # step 4: `def build():` in pkg/use.py
        await settle(pilot)
        await pilot.press("end", "c")  # the last line of the file: no function around it
        await settle(pilot)
        panel = app.screen.query_one(CallsPanel)
        assert panel.shown and panel.calls is not None
        assert panel.calls.function.qualname == "pkg.use.build"


@run_async
async def test_c_opens_on_the_call_at_the_cursor() -> None:
    """In a long function the call under the cursor was 40 rows down the panel: ``c`` opens
    on the first call at or after the cursor's line (``model.greet``, the second), and on
    the first when the cursor is outside the function listed."""
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")  # step 4: `def build():` in pkg/use.py
        await settle(pilot)
        await pilot.press("down", "down", "c")  # line 10: return model.greet("you")
        await settle(pilot)
        panel = app.screen.query_one(CallsPanel)
        assert where(app)[1] == 10 and [row.expr for row in panel.rows] == ["Big", "greet"]
        assert panel.query_one(OptionList).highlighted == 1
        await pilot.press("escape", "end", "c")  # no function around: the step's, from its first call
        await settle(pilot)
        assert panel.calls is not None and panel.calls.function.qualname == "pkg.use.build"
        assert panel.query_one(OptionList).highlighted == 0


@run_async
async def test_a_target_in_a_repository_that_cannot_be_read_is_a_notification() -> None:
    from codewalk.resolve.model import Resolved

    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen)
        elsewhere = Resolved(
            "accel",
            "accelerate.accelerator.Accelerator.backward",
            "method",
            "src/accelerate/accelerator.py",
            2,
            2,
            4,
            "direct",
            "",
        )
        screen.jump_to_target(elsewhere)
        await settle(pilot)
        assert where(app)[:2] == ("pkg/base.py", 11)  # still on step 1
        assert any(text.startswith("cannot read accel: unknown repo 'accel'") for text in notifications(app))
        assert isinstance(app.screen, TourScreen)


@run_async
async def test_both_panels_take_the_shared_panel_style() -> None:
    """Hidden until shown, twelve rows tall, a rule above: the style of ui/panel.py."""
    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for panel in (app.screen.query_one(CallsPanel), app.screen.query_one(ReferencesPanel)):
            assert not panel.display and not panel.shown
            panel.add_class("-shown")
            await pilot.pause()
            assert panel.display and panel.shown
            assert panel.styles.height is not None and panel.styles.height.value == 12
            assert panel.styles.border_top[0] == "hkey"
            panel.close()
            await pilot.pause()
            assert not panel.display


@run_async
async def test_back_after_a_jump_from_c_restores_the_sideways_scroll_and_a_step_resets_it() -> None:
    app = make_app(make_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        code = app.screen.query_one(CodeView)
        await pilot.press("4", "end", "ctrl+e")  # step 4, the end of GREETING's long line
        await settle(pilot)
        await pilot.press("c")  # build's calls
        await settle(pilot)
        here = (where(app), code.top_line, int(code.scroll_x))
        assert here[0] == ("pkg/use.py", 13, 97) and here[2] > 0  # scrolled sideways
        assert [row.expr for row in app.screen.query_one(CallsPanel).rows] == ["Big", "greet"]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert where(app) == ("pkg/base.py", 7, 8)  # def greet: on its name
        assert int(code.scroll_x) == 0  # a new place: its lines from their first column
        await pilot.press("b")
        await settle(pilot)
        # the view as it was left (the calls panel closed with the jump: the whole file fits)
        assert (where(app), code.top_line, int(code.scroll_x)) == (here[0], 1, here[2])
        await pilot.press("f")
        await settle(pilot)
        assert int(code.scroll_x) == 0
        await pilot.press("b", "1")  # a step: as far sideways as its focus needs (none here)
        await settle(pilot)
        assert where(app)[0] == "pkg/base.py" and int(code.scroll_x) == 0


class ModuleCallNavigator(FakeNavigator):
    """pkg, where ``layer(x)`` in ``Model.forward`` reaches what ``codewalk calls`` says
    of calling a module an attribute holds: the attribute (``Model.layers``), then what
    calling it runs (``Layer.__call__``; and ``Model.forward`` too with ``runs_two``)."""

    runs_two = False

    def calls_at(self, path: str, line: int) -> CallList | None:
        found = super().calls_at(path, line)
        if found is None:
            return None
        where = ("pkg/base.py", 14, 14, 14)
        holder = Resolved("pkg", "pkg.base.Model.layers", "attribute", *where, "direct", "")
        run = [t for t in self.defs if t.qualname.endswith(("__call__", "forward"))]
        running = tuple(run if self.runs_two else run[1:])
        rows = [r._replace(targets=(holder, *running)) if r.expr == "layer" else r for r in found.rows]
        method = found.function._replace(qualname="pkg.base.Model.forward", kind="method")
        return CallList(method, tuple(rows))


def module_call_app(runs_two: bool) -> CodewalkApp:
    navigator = type("Navigator", (ModuleCallNavigator,), {"runs_two": runs_two})
    return make_app(make_session(repos=FakeStack(navigator)))


async def calls_of_forward(pilot) -> CallsPanel:  # type: ignore[no-untyped-def]
    """``c`` in ``Model.forward`` (pkg/base.py line 18, ``x = layer(x)``)."""
    code = pilot.app.screen.query_one(CodeView)
    await pilot.press(*["down"] * (18 - code.cursor[0]), "c")
    await settle(pilot)
    panel: CallsPanel = pilot.app.screen.query_one(CallsPanel)
    assert [row.expr for row in panel.rows] == ["layer"]
    return panel


@run_async
async def test_a_module_call_in_the_calls_panel_shows_and_goes_to_what_runs() -> None:
    app = module_call_app(runs_two=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = await calls_of_forward(pilot)
        assert label_of(panel).startswith("1 call in Model.forward  ")  # which forward
        assert str(panel.query_one(OptionList).get_option_at_index(0).prompt).endswith(
            "layer  → pkg.base.__call__"
        )
        await pilot.press("enter")
        await settle(pilot)
        assert where(app) == ("pkg/base.py", 26, 8)  # def __call__: on its name, not on self.layers


@run_async
async def test_a_call_that_may_run_several_lists_each_to_choose_from() -> None:
    app = module_call_app(runs_two=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = await calls_of_forward(pilot)
        assert str(panel.query_one(OptionList).get_option_at_index(0).prompt).endswith(
            "layer  → pkg.base.forward  +1"
        )
        await pilot.press("enter")
        await settle(pilot)
        listed = app.screen.query_one(ReferencesPanel)
        assert listed.shown and not panel.shown
        assert [(r.path, r.line) for r in listed.references] == [
            ("pkg/base.py", 14),
            ("pkg/base.py", 16),
            ("pkg/base.py", 26),
        ]
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert where(app)[:2] == ("pkg/base.py", 26)


@run_async
async def test_a_call_that_may_run_several_and_ran_none_in_the_trace_read_lists_each_not_run() -> None:
    """From ``c`` in a run where the call's line executed and none of them ran there:
    each listed ``not run here``, as ``g`` lists them."""
    navigator = type("Navigator", (ModuleCallNavigator,), {"runs_two": True})
    session = replace(make_session(repos=FakeStack(navigator)), executed=lambda repo, path: frozenset({18}))
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await calls_of_forward(pilot)
        await pilot.press("enter")
        await settle(pilot)
        listed = app.screen.query_one(ReferencesPanel)
        assert label_of(listed).startswith("3 definitions layer may reach; none ran here")
        rows = [str(option.prompt) for option in listed.query_one(OptionList).options]
        assert len(rows) == 3 and all(row.split("  ")[1] == "not run here" for row in rows)


LONG = "pkg.models.a_model_with_a_long_name.modeling_a_model_with_a_long_name.ALongNamedLayer"


class LongNameNavigator(FakeNavigator):
    """pkg, where ``Layer(i)`` reaches a class with a qualified name wider than the panel."""

    def calls_at(self, path: str, line: int) -> CallList | None:
        found = super().calls_at(path, line)
        if found is None:
            return None
        rows = [r._replace(targets=(r.targets[0]._replace(qualname=LONG),)) for r in found.rows if r.targets]
        return CallList(found.function, tuple(rows))


@run_async
async def test_a_long_qualified_name_in_the_calls_panel_wraps_at_its_dots() -> None:
    app = make_app(make_session(repos=FakeStack(LongNameNavigator)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n", "c")  # step 2: Model.__init__, its Layer(i)
        await settle(pilot)
        calls = app.screen.query_one(CallsPanel).query_one(OptionList)
        lines = [calls.render_line(y).text.strip() for y in range(calls.size.height)]
        shown = [line for line in lines if line]
        assert len(shown) > 1  # it wraps
        for part in LONG.split("."):
            assert any(part in line for line in shown), (part, shown)  # each name whole


def test_what_runs_after_each_assignment_of_an_attribute_leaves_the_assignments_out() -> None:
    """``self.time_proj(...)``: the attribute set to a GaussianFourierProjection, then
    its forward, the same attribute set to a Timesteps, then that one's forward: the row
    runs the two forwards (shown as the first "+1", ``enter`` lists them all)."""

    def target(qualname: str, kind: str, line: int) -> Resolved:
        return Resolved("pkg", qualname, kind, "pkg/unet.py", line, line, line, "direct", "")

    fourier = target("pkg.embeddings.Fourier.forward", "method", 5)
    steps = target("pkg.embeddings.Steps.forward", "method", 10)
    holders = [target("pkg.unet.UNet.time_proj", "attribute", line) for line in (21, 23)]
    row = CallRow(33, 8, "call", "self.time_proj", "", "resolved", "", (), "", False)
    row = row._replace(targets=(holders[0], fourier, holders[1], steps))
    assert runs(row) == [fourier, steps]
    assert str(call_label(row)).endswith("self.time_proj  → pkg.embeddings.Fourier.forward  +1")


@pytest.mark.parametrize("stale_found", [True, False])  # found: the lines it says ran; else it fails
@run_async
async def test_a_stale_search_for_the_calls_changes_nothing_of_the_newer_answer(stale_found: bool) -> None:
    """A search of the program's own file (a trace's) that ends after a newer ``c`` asked:
    the newer answer is shown as found, not with the lines the stale one says executed
    (every row said ``not run``), and the stale one says nothing (not its failure). The
    stale search is held until the newer one has its calls, and the newer one is shown
    once all the stale one did is done."""
    from codewalk.traces.own_calls import OwnCalls

    app = make_app(make_session())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")  # step 2: Model.__init__, its `Layer(i)`
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.session is not None
        panel = screen.query_one(CallsPanel)
        release, stale_done = threading.Event(), threading.Event()

        def slow_own(path: str, text: str, line: int, module: bool) -> OwnCalls | None:
            assert release.wait(10)
            function = Resolved("<program>", "prog", "module", "prog.py", 1, 1, 9, "the program's own", "")
            if not stale_found:
                raise OSError("prog.py: gone")
            return OwnCalls(CallList(function, ()), (), frozenset({999}))

        run_worker = screen.run_worker

        def tracked(work: Callable[[], None], *args: Any, **kwargs: Any) -> Any:
            def then_done() -> None:
                try:
                    work()
                finally:
                    stale_done.set()

            return run_worker(then_done, *args, **kwargs)

        screen.run_worker = tracked  # type: ignore[method-assign,assignment]
        panel.find_own(slow_own, "prog.py", "run()\n", 1)
        screen.run_worker = run_worker  # type: ignore[method-assign]
        nav = screen.session.nav
        calls_at = nav.calls_at

        def held(repo: str, path: str, line: int) -> CallList | None:
            found = calls_at(repo, path, line)
            release.set()  # the stale search ends now, before this one is shown
            assert stale_done.wait(10)
            return found

        nav.calls_at = held  # type: ignore[method-assign]
        await pilot.press("c")
        await settle(pilot)
        assert stale_done.is_set()
        assert panel.shown and [row.expr for row in panel.rows] == ["Layer"] and panel.ran is None
        assert not str(panel.query_one(OptionList).get_option_at_index(0).prompt).endswith("not run")
        assert notifications(app) == []
