"""A trace read in the app (pilot tests on a trace of the toy program): it opens on the
program's first call past its imports, and ``R`` records a new tour from there."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Input, Label, Markdown, OptionList
from ui_fakes import run_async, settle

from codewalk.cli.main import main
from codewalk.traces.reading import open_trace
from codewalk.ui import tour_screen
from codewalk.ui.app import CodewalkApp, make_app
from codewalk.ui.ask import Ask
from codewalk.ui.code_view import CodeView
from codewalk.ui.confirm import Confirm
from codewalk.ui.launch import trace_session
from codewalk.ui.note import NoteView
from codewalk.ui.record_screen import RecordScreen
from codewalk.ui.tour_screen import TourScreen
from tests.traceprog import package_line, use_toy


@pytest.fixture()
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A trace of the toy program, named ``toy``; new tours go to ``tmp_path/tours``."""
    use_toy(tmp_path, monkeypatch)
    (tmp_path / "tours").mkdir()
    monkeypatch.setenv("CODEWALK_TOURS_PATH", str(tmp_path / "tours"))
    assert main(["trace", "--python", sys.executable, "--name", "toy", "prog.py"]) == 0
    return tmp_path


def trace_app() -> CodewalkApp:
    session, first = trace_session(open_trace("toy"))
    return make_app(session, start_step=first)


def notes(app: CodewalkApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


@run_async
async def test_a_traces_short_notes_go_under_the_code_to_give_it_the_width(toy: Path) -> None:
    """Where a tour's note stands beside the code (NARROW columns and up), a trace's goes
    under it, up to NARROW_TRACE: the call tree takes a wide column of its own."""
    from codewalk.ui.columns import NARROW, NARROW_TRACE
    from codewalk.ui.note import NoteView

    for width, under in ((NARROW + 10, True), (NARROW_TRACE + 10, False)):
        app = trace_app()
        async with app.run_test(size=(width, 44)) as pilot:
            await settle(pilot)
            code, note = app.screen.query_one(CodeView), app.screen.query_one(NoteView)
            assert (note.region.y > code.region.y) is under, width
            assert (note.region.x > code.region.x) is not under, width


@run_async
async def test_a_trace_opens_on_the_programs_first_call_past_its_imports(toy: Path) -> None:
    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.session is not None
        steps = screen.session.tour.steps
        assert screen.step_index == 1  # the import of toypkg is step 1, folded
        assert steps[0].title == "<module toypkg> x1"
        assert steps[1].title == "fib x1"
        assert "(1 step of imports before step 2)" in screen.session.tour.title
        code = screen.query_one(CodeView)
        assert code.source is not None and code.source.path.endswith("toypkg/__init__.py")
        assert code.source.lines[code.cursor[0] - 1].startswith("def fib(n):")


@run_async
async def test_the_legend_of_a_trace_says_the_bar_of_a_line_that_ran_and_the_focus_whole(toy: Path) -> None:
    """Under the marks, a trace's legend says what the gutter says (``▌`` a line that ran,
    reversed numbers the focus), on a line of its own, shown whole; a tour's does not."""
    from ui_fakes import make_session

    from codewalk.ui.steps import StepsLegend

    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        legend = app.screen.query_one(StepsLegend)
        lines = str(legend.render()).splitlines()
        assert lines[-1] == "▌ line ran  12 focus" and legend.content_region.height == len(lines) == 4
        reversed_text = [seg.text for seg in legend.render_line(3) if seg.style and seg.style.reverse]
        assert reversed_text == ["12"]  # as the focus's numbers are drawn
    app = make_app(make_session())
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        assert "line ran" not in str(app.screen.query_one(StepsLegend).render())


@run_async
async def test_digits_typed_together_name_one_step_and_one_alone_jumps_at_once(
    toy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trace has many steps: ``2`` ``1`` typed together is step 21 (``1`` ``0`` step 10),
    a digit that would make a step the trace lacks starts a number of its own, and a digit
    typed after a pause is a step alone."""
    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.session is not None
        assert len(screen.session.tour.steps) == 33
        for keys, step in ((("2", "1"), 21), (("1", "0"), 10), (("3", "5"), 5), (("3",), 3), (("0",), 3)):
            monkeypatch.setattr(tour_screen, "DIGITS_TOGETHER_S", 0.0)  # a pause before the first
            await pilot.press(keys[0])
            monkeypatch.setattr(tour_screen, "DIGITS_TOGETHER_S", 3600.0)  # the rest typed at once
            await pilot.press(*keys[1:])
            await settle(pilot)
            assert screen.step_index == step - 1, keys
        await pilot.press("7")  # straight after a lone 0 (no step): 7 alone
        await settle(pilot)
        assert screen.step_index == 6


@run_async
async def test_r_in_a_trace_records_a_new_tour_from_the_step_on_screen(toy: Path) -> None:
    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, Ask)
        assert "a adds the step on screen to it" in app.screen.question  # before the recorder opens
        await pilot.press("enter")  # the default: the trace's name
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        assert screen.draft.id == "toy" and screen.draft.path == toy / "tours" / "toy.yaml"
        code = screen.query_one(CodeView)
        assert code.display and code.source is not None  # where the reader was
        assert code.source.lines[code.cursor[0] - 1].startswith("def fib(n):")
        assert screen.draft.steps == ()  # nothing added until a: the reader may move on first
        await pilot.press("a")
        await settle(pilot)
        assert [step.anchor for step in screen.draft.steps] == ["toypkg.fib"]
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await settle(pilot)
        assert "check: the step resolves, no note warnings" in notes(app)
    written = (toy / "tours" / "toy.yaml").read_text()
    assert "id: toy\n" in written and "  - at: toypkg.fib\n" in written
    assert main(["check", "--source", str(toy / "work"), str(toy / "tours" / "toy.yaml")]) == 0


@run_async
async def test_keys_typed_in_one_burst_with_r_go_to_the_id_asked_in_order(toy: Path) -> None:
    """``R`` and the keys after it arriving at once (the id asked mended at once: end,
    backspaces, a new one): each goes to the question, in the order typed (the characters
    went to the code view under it and were lost, the backspaces ran on the question's
    field behind those typed after them)."""
    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        keys = ["R", "end", *["backspace"] * 5, *"mine", "left", "x", "right", "backspace", "2"]
        for key in keys:  # posted together, none awaited
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        assert isinstance(app.screen, Ask)
        assert app.screen.query_one("#ask-answer", Input).value == "minx2"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.draft.id == "minx2"


@run_async
async def test_r_again_with_the_id_of_a_tour_written_adds_the_step_on_screen_to_it(toy: Path) -> None:
    """Walking on down a trace, ``R`` with the id of the tour recorded before opens that
    tour, where the reader is, and ``a`` adds this step after its others."""
    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("enter", "a", "w")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TourScreen)
        assert isinstance(app.screen, TourScreen) and app.screen.session is not None
        steps = app.screen.session.tour.steps
        other = next(number for number, step in enumerate(steps, 1) if step.at != steps[0].at and number < 10)
        await pilot.press(str(other))
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("enter")  # the same id: the tour written above
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen) and screen.selected is None
        assert [step.anchor for step in screen.draft.steps] == ["toypkg.fib"]
        await pilot.press("a", "w")
        await settle(pilot)
        assert len(screen.draft.steps) == 2 and screen.saved
    written = (toy / "tours" / "toy.yaml").read_text()
    assert written.count("  - ") == 2 and "  - at: toypkg.fib\n" in written
    assert main(["check", "--source", str(toy / "work"), str(toy / "tours" / "toy.yaml")]) == 0


@run_async
async def test_r_in_a_trace_read_with_tours_dir_finds_and_writes_the_tour_there(toy: Path) -> None:
    """``tour --trace NAME --tours-dir DIR``: ``R`` writes a new tour into DIR, as ``tour
    --new ID --tours-dir DIR`` does, and ``R`` again with its id adds to that tour (it
    went to the first ``CODEWALK_TOURS_PATH`` directory, or the current one, as a new
    tour beside it)."""
    mine = toy / "mine"
    session, first = trace_session(open_trace("toy"), [str(mine)])
    app = make_app(session, start_step=first)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        for added in (1, 2):
            await pilot.press("R")
            await settle(pilot)
            app.screen.query_one("#ask-answer").value = "mine"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RecordScreen) and screen.draft.path == mine / "mine.yaml"
            assert len(screen.draft.steps) == added - 1
            await pilot.press("a", "w")
            await settle(pilot)
            if added == 1:  # a new file: asked first
                await pilot.press("y")
                await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
    assert (mine / "mine.yaml").read_text().count("  - at: ") == 2
    assert sorted(p.name for p in (toy / "tours").iterdir()) == []


@run_async
async def test_r_again_asks_for_the_tour_recorded_last_by_default(toy: Path) -> None:
    """Adding a step after step to a tour of another id than the trace's: ``R`` again
    offers that id (it offered the trace's name each time, to be deleted and typed again)."""
    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert app.screen.query_one("#ask-answer").value == "toy"  # type: ignore[attr-defined]
        app.screen.query_one("#ask-answer").value = "walk"  # type: ignore[attr-defined]
        await pilot.press("enter", "a", "w")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert app.screen.query_one("#ask-answer").value == "walk"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen) and screen.draft.id == "walk"
        assert [step.anchor for step in screen.draft.steps] == ["toypkg.fib"]


@run_async
async def test_r_again_after_a_recording_left_unwritten_asks_for_the_traces_name(toy: Path) -> None:
    """A new tour's recording left without writing it: no tour has that id, so ``R``
    again offers the trace's name, not the id of a tour that is not there."""
    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        app.screen.query_one("#ask-answer").value = "gone"  # type: ignore[attr-defined]
        await pilot.press("enter", "a", "escape", "escape")  # warned of the step, then left
        await settle(pilot)
        assert isinstance(app.screen, TourScreen)
        await pilot.press("R")
        await settle(pilot)
        assert app.screen.query_one("#ask-answer").value == "toy"  # type: ignore[attr-defined]
    assert sorted(p.name for p in (toy / "tours").iterdir()) == []


@run_async
async def test_adding_to_a_tour_from_a_trace_n_and_p_select_its_steps_and_the_note_says_so(toy: Path) -> None:
    """``R`` into a tour written before opens with no step selected: the note says so (it
    said "No step yet." of a tour of steps), ``n`` selects the first and ``p`` the last
    (both did nothing), and ``e`` says which key selects one."""
    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("enter", "a", "a", "w")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("enter")  # the same id: the tour written above
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen) and screen.selected is None
        assert "No step selected" in str(screen.query_one(NoteView).query_one(Markdown).source)
        await pilot.press("e")
        await settle(pilot)
        assert "n selects one" in notes(app)[-1]
        await pilot.press("n")
        await settle(pilot)
        assert screen.selected == 0
        await pilot.press("p")
        await settle(pilot)
        assert screen.selected == 0
        await pilot.press("n")
        await settle(pilot)
        assert screen.selected == 1


@run_async
async def test_r_in_a_trace_refuses_an_id_taken_or_invalid_and_escape_records_nothing(toy: Path) -> None:
    (toy / "tours" / "taken.yaml").write_text("not a tour")
    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        # a file of that id that is no tour: said, not written over
        refused = (("taken", "taken.yaml:1: the tour must be a mapping"), ("no way", "must be letters"))
        for typed, said in refused:
            await pilot.press("R")
            await settle(pilot)
            ask = app.screen
            assert isinstance(ask, Ask)
            ask.query_one("#ask-answer").value = typed  # type: ignore[attr-defined]
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, TourScreen)
            assert said in notes(app)[-1]
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TourScreen)
    assert sorted(p.name for p in (toy / "tours").iterdir()) == ["taken.yaml"]


@run_async
async def test_draft_along_the_chain_that_ran_opens_in_the_recorder(
    toy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``draft A B --trace NAME --edit``: the chain's steps in the recorder, read at the
    versions that ran (the toy package has no release: only the trace's copy reads it)."""
    import codewalk.cli.recording
    from codewalk.ui.launch import open_session

    opened: list[tuple[object, ...]] = []

    def recorder(_args: object, tour: object, draft: object, on_disk: object, stack: object = None) -> int:
        opened.append((tour, draft, on_disk, stack))
        return 0

    monkeypatch.setattr(codewalk.cli.recording, "open_recorder", recorder)
    assert main(["draft", "toypkg.twice", "toypkg.double", "--trace", "toy", "--edit"]) == 0
    (tour, draft, on_disk, stack) = opened[0]
    assert on_disk is None and stack is not None
    app = make_app(open_session(tour, stack=stack), recording=(draft, on_disk))  # type: ignore[arg-type]
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        assert [step.anchor for step in screen.draft.steps] == ["toypkg.twice", "toypkg.double"]
        title = "twice calls double through logged.<locals>.wrapper (ran 2 times)"
        assert screen.draft.steps[0].title == title
        code = screen.query_one(CodeView)
        assert code.source is not None and code.source.path.endswith("toypkg/__init__.py")
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        said = "\n".join(notes(app))  # both steps resolve; their notes are still the draft's
        assert "check: 2 to fix" in said and said.count("the note is still the draft's placeholder") == 2
    assert (toy / "tours" / "twice-to-double-ran.yaml").exists()


@run_async
async def test_a_traces_steps_show_how_deep_each_call_is(toy: Path) -> None:
    """A guide per level of the calls a step is inside: fib's recursive calls read as
    nested in the call that made them; the numbers line up, whatever their width."""
    from codewalk.ui.columns import SLIM
    from codewalk.ui.steps import StepsList

    app = trace_app()
    async with app.run_test(size=(SLIM, 40)) as pilot:
        await settle(pilot)
        steps = app.screen.query_one(StepsList)
        # each row's mark left out: it changes as steps resolve
        rows = [steps.render_line(y).text.rstrip()[1:] for y in range(steps.size.height)]
        assert rows[1:5] == ["  2 fib x1", "  3 │fib x2", "  4 ││fib x4", "  5 │││fib x2"]
        # the list is wider than a tour's (30): a call's name is not cut where it fits
        assert steps.size.width > 30
        assert rows[16:19] == [" 17 counting x1", " 18 │counting.<locals>.count x1", " 19 ││square x1"]
        assert app.screen.session.tour.steps[2].title == "fib x2"  # the title is the call's alone


def test_a_steps_number_is_as_wide_as_the_lists_last_and_its_guides_follow() -> None:
    from codewalk.ui.steps import MAX_GUIDES, step_label

    assert str(step_label(5, "fib x2", None, 4, 2)) == "○    5 ││fib x2"
    assert str(step_label(1234, "fib x2", "resolved", 4, 0)) == "● 1234 fib x2"
    assert str(step_label(7, "deep x1", None, 2, 40)) == f"○  7 {'│' * MAX_GUIDES}deep x1"


@run_async
async def test_a_deep_step_in_a_narrow_list_gives_its_outer_guides_to_its_title() -> None:
    """A step 40 calls deep, in the 24 columns ``s`` gives the list on a slim terminal:
    the outermost guides give way until the title has 12 columns; a wide list draws
    them all."""
    from textual.app import App, ComposeResult
    from textual.widgets import OptionList

    from codewalk.ui.columns import SLIM_LIST
    from codewalk.ui.hanging import ROOM
    from codewalk.ui.steps import MAX_GUIDES, step_label

    class Steps(App[None]):
        CSS = "OptionList { text-wrap: nowrap; text-overflow: ellipsis; padding: 0; border: none; }"

        def __init__(self, width: int) -> None:
            super().__init__()
            self.width = width

        def compose(self) -> ComposeResult:
            rows = [
                step_label(1234, "counting.<locals>.count x1", None, 4, 40),
                step_label(5, "fib x2", None, 4, 2),
            ]
            listed = OptionList(*rows)
            listed.styles.width = self.width
            yield listed

    for width, guides in ((SLIM_LIST, 24 - 7 - ROOM), (60, MAX_GUIDES)):
        app = Steps(width)
        async with app.run_test(size=(80, 10)) as pilot:
            await pilot.pause()
            listed = app.query_one(OptionList)
            deep, shallow = (listed.render_line(y).text.rstrip() for y in range(2))
            assert deep.startswith(f"○ 1234 {'│' * guides}cou"), (width, deep)
            # cut in its middle, its last part kept: "cou…count x1"
            assert deep[7 + guides :] in ("cou…count x1", "counting.<locals>.count x1"), deep
            assert shallow == "○    5 ││fib x2"


@run_async
async def test_calls_of_one_name_beside_each_other_read_apart_in_a_list_of_any_width() -> None:
    """The four ``<dictcomp>`` one function ran at four lines: each row keeps the last part
    of its name and its line, its name cut in its middle; a list wide enough shows it whole."""
    from textual.app import App, ComposeResult
    from textual.widgets import OptionList

    from codewalk.ui.steps import step_label

    comp = "register_to_config.<locals>.inner_init.<locals>.<dictcomp>"
    lines = (697, 698, 709, 717)

    class Steps(App[None]):
        CSS = "OptionList { text-wrap: nowrap; text-overflow: ellipsis; padding: 0; border: none; }"

        def __init__(self, width: int) -> None:
            super().__init__()
            self.width = width

        def compose(self) -> ComposeResult:
            labels = [step_label(n, f"{comp} from line {at} x1", None, 2, 3) for n, at in enumerate(lines)]
            listed = OptionList(*labels)
            listed.styles.width = self.width
            yield listed

    for width in (24, 30, 44, 60, 100):
        app = Steps(width)
        async with app.run_test(size=(120, 10)) as pilot:
            await pilot.pause()
            listed = app.query_one(OptionList)
            rows = [listed.render_line(y).text.rstrip() for y in range(len(lines))]
            assert len(set(rows)) == len(lines), (width, rows)
            for row, line in zip(rows, lines, strict=True):
                assert row.endswith(f" from line {line} x1"), (width, row)  # the outer guides gave way
                assert len(row) <= width
                if 44 <= width < 100:  # its last part whole, and as much of its start as fits
                    assert "│register" in row and f"…<dictcomp> from line {line} x1" in row, (width, row)
            if width == 100:
                assert rows[0].endswith(f"{comp} from line 697 x1")


@run_async
async def test_steps_marked_at_once_change_their_own_rows_and_no_other(toy: Path) -> None:
    """A trace opened deep has the steps before it marked at once when they are resolved
    on the way: each shows its mark, and the other rows are left as they were (the list
    of thousands of rows is not made again)."""
    from textual.app import App, ComposeResult

    from codewalk.ui.steps import StepsList

    traced = trace_session(open_trace("toy"))[0]

    class Steps(App[None]):
        def compose(self) -> ComposeResult:
            yield StepsList()

    app = Steps()
    async with app.run_test(size=(80, 44)) as pilot:
        listed = app.query_one(StepsList)
        listed.set_tour(traced.tour, traced.repo, traced.depths)
        listed.highlight_step(12)
        rows = [row.prompt for row in listed.options]
        listed.mark_many({index: "resolved" for index in range(10)} | {10: "missing"})
        await pilot.pause()
        kept = [row.prompt is before for row, before in zip(listed.options, rows, strict=True)]
        assert kept == [index > 10 for index in range(len(rows))]
        marks = [listed.render_line(y).text[:1] for y in range(12)]
        assert marks == ["●"] * 10 + ["✗", "○"]
        assert listed.highlighted_step == 12


@run_async
async def test_the_calls_panel_of_a_trace_says_which_calls_never_ran(toy: Path) -> None:
    """In ``pick(True)``, ``math.floor`` ran and ``math.ceil`` (the other branch) did not:
    the panel marks the call whose line never executed, and the one whose line did but
    whose call a trace does not record (``line ran``, as ``calls --trace`` says)."""
    from codewalk.ui.calls_panel import CallsPanel

    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.session is not None
        titles = [step.title for step in screen.session.tour.steps]
        screen.show_step(titles.index("pick x1"))
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        panel = screen.query_one(CallsPanel)
        listed = panel.query_one(OptionList)
        labels = {row.expr: str(listed.get_option_at_index(n).prompt) for n, row in enumerate(panel.rows)}
        assert labels["math.ceil"].endswith("not run") and not labels["math.floor"].endswith("not run")
        # math.floor is no pinned code: its line executed, no call of it is recorded (as calls --trace says)
        assert labels["math.floor"].endswith("line ran")


@run_async
async def test_the_calls_panel_of_a_trace_names_what_ran_at_each_call_and_goes_there(toy: Path) -> None:
    """``self.step()`` in ``Engine.run`` may run any of three ``step``s: the run took
    FastEngine's, which the row names with its count, and enter goes to it; in
    ``Unet.embed``, ``self.proj(x)`` ran a class codewalk does not read there (a factory
    made it), and enter goes to what ran all the same."""
    from codewalk.ui.calls_panel import CallsPanel

    assert main(["trace", "--python", sys.executable, "--name", "joined", "prog.py", "joined"]) == 0
    session, first = trace_session(open_trace("joined"))
    app = make_app(session, start_step=first)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.session is not None
        titles = [step.title for step in screen.session.tour.steps]
        for title, expr, ran, cls in (
            ("Engine.run x1", "self.step", "toypkg.FastEngine.step", "class FastEngine(Engine):"),
            ("Unet.embed x1", "self.proj", "toypkg.Steps.__call__", "class Steps:"),
        ):
            screen.show_step(titles.index(title))
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            panel = screen.query_one(CallsPanel)
            n = [row.expr for row in panel.rows].index(expr)
            label = str(panel.query_one(OptionList).get_option_at_index(n).prompt)
            assert f"→ {ran}  ran x1" in label, label
            assert "; ran xN: over the whole run" in str(panel.query_one(Label).render())
            panel.query_one(OptionList).highlighted = n
            await pilot.press("enter")
            await settle(pilot)
            assert screen.location is not None
            assert screen.location.line == package_line(cls) + 1, ran  # its def, under the class


@run_async
async def test_g_at_a_call_that_may_run_several_lists_the_one_the_run_took_first(toy: Path) -> None:
    """``g`` on ``step`` in ``Engine.run``'s ``self.step()``, which may run any of three
    ``step``s: the run took FastEngine's, listed first, ``ran x1``; the two others are
    said not to have run there (the line ran)."""
    from codewalk.ui.references import ReferencesPanel

    assert main(["trace", "--python", sys.executable, "--name", "joined", "prog.py", "joined"]) == 0
    session, first = trace_session(open_trace("joined"))
    app = make_app(session, start_step=first)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.session is not None
        titles = [step.title for step in screen.session.tour.steps]
        screen.show_step(titles.index("Engine.run x1"))
        await settle(pilot)
        text = "        return self.step()"
        screen.query_one(CodeView).move_cursor(package_line(text), text.index("step("))
        await pilot.press("g")
        await settle(pilot)
        panel = screen.query_one(ReferencesPanel)
        assert str(panel.query_one(Label).render()).startswith(
            "3 definitions step may reach; ran xN: at this line, over the whole run"
        )
        rows = [str(option.prompt).split("  ")[:2] for option in panel.query_one(OptionList).options]
        assert rows[0] == ["toypkg.FastEngine.step", "ran x1"]
        assert sorted(rows[1:]) == [
            ["toypkg.Engine.step", "not run here"],
            ["toypkg.SlowEngine.step", "not run here"],
        ]


NESTED_CLASSES = """\
import toypkg


def build(n):
    class Shape:
        side = toypkg.square(n)

    return Shape


class Outer:
    class Inner:
        size = toypkg.fib(5)


toypkg.call_it(build)
"""


@run_async
async def test_c_on_a_line_of_a_nested_classs_body_in_the_programs_file_lists_its_statements(
    toy: Path,
) -> None:
    """``c`` on a line of the body of a class defined in the program's function, or in
    another class: the class's own statements (they run as it is defined), each with what
    of the pins ran there."""
    from codewalk.ui.calls_panel import CallsPanel

    work = toy / "work"
    (work / "nested.py").write_text(NESTED_CLASSES)
    assert main(["trace", "--python", sys.executable, "--name", "nested", "nested.py"]) == 0
    session, _ = trace_session(open_trace("nested"))
    build = next(n for n, step in enumerate(session.tour.steps) if step.title.startswith("build "))
    app = make_app(session, start_step=build)
    lines = NESTED_CLASSES.splitlines()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        code = screen.query_one(CodeView)
        assert code.source is not None and code.source.path == str(work / "nested.py")
        for text, function, ran in (
            ("        side = toypkg.square(n)", "__main__.build.<locals>.Shape", ("toypkg.square", 1)),
            ("        size = toypkg.fib(5)", "__main__.Outer.Inner", ("toypkg.fib", 1)),
        ):
            code.move_cursor(lines.index(text) + 1)
            await pilot.press("c")
            await settle(pilot)
            panel = screen.query_one(CallsPanel)
            assert panel.calls is not None and panel.calls.function.qualname == function
            assert [row.line for row in panel.rows] == [lines.index(text) + 1]
            assert [(there.qualname, there.calls) for there in panel.there[0]][:1] == [ran]
            await pilot.press("escape")


@run_async
async def test_the_palette_lists_the_calls_of_the_function_named_first_and_enter_opens_the_first(
    toy: Path,
) -> None:
    """ctrl+p ``square`` in a trace: the steps that are calls of ``square`` first, in the
    order they ran, then the symbols, then the other steps matched (``squares``); enter at
    once goes to the first call (the symbols were listed first, the calls after them, and
    enter opened the symbol)."""
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.session is not None
        steps_of = screen.session.tour.steps
        squares = [n + 1 for n, step in enumerate(steps_of) if step.anchor.endswith(".square")]
        others = [n + 1 for n, step in enumerate(steps_of) if step.anchor.endswith(".squares")]
        assert squares and others
        await pilot.press("ctrl+p", *"square")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        rows = [str(option.prompt) for option in palette.query_one(OptionList).options]
        numbers = [int(row.split(":")[0].split()[1]) for row in rows if row.startswith("step ")]
        assert numbers[: len(squares)] == squares  # the calls of square, as they ran
        assert set(others) <= set(numbers[len(squares) :])
        symbol = rows.index(next(row for row in rows if row.startswith("toypkg.square\n")))
        assert all(row.startswith("step ") for row in rows[: len(squares)]) and symbol == len(squares)
        assert all(row.startswith("step ") for row in rows[symbol + 1 :] if not row.startswith("toypkg."))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.step_index == squares[0] - 1


@run_async
async def test_the_palette_in_a_trace_lists_what_ran_before_what_merely_shares_a_name(toy: Path) -> None:
    """ctrl+p ``co`` in a trace: ``counting``, which ran, above ``consume``, which did not
    (the index lists it first), and the steps matched (what ran) above it too."""
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"co")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        rows = [str(option.prompt) for option in palette.query_one(OptionList).options]
        ran = rows.index(next(row for row in rows if row.startswith("toypkg.counting\n")))
        idle = rows.index(next(row for row in rows if row.startswith("toypkg.consume\n")))
        steps = [n for n, row in enumerate(rows) if row.startswith("step ")]
        assert ran < idle and steps and max(steps) < idle, rows


@run_async
async def test_the_palette_in_a_trace_lists_a_class_whose_methods_ran_above_the_steps_it_matches(
    toy: Path,
) -> None:
    """ctrl+p ``Engine`` in a trace where ``FastEngine().run()`` ran: the class ``Engine``
    (its ``run`` ran) is a name that ran, listed above the steps the text matches
    (``Engine.run``), which list above ``SlowEngine``, none of whose code ran."""
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    assert main(["trace", "--python", sys.executable, "--name", "joined", "prog.py", "joined"]) == 0
    session, first = trace_session(open_trace("joined"))
    app = make_app(session, start_step=first)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Engine")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        rows = [str(option.prompt) for option in palette.query_one(OptionList).options]
        named = rows.index(next(row for row in rows if row.startswith("toypkg.Engine\n")))
        idle = rows.index(next(row for row in rows if row.startswith("toypkg.SlowEngine\n")))
        steps = [n for n, row in enumerate(rows) if row.startswith("step ")]
        assert steps and named < min(steps) and max(steps) < idle, rows


@run_async
async def test_the_palette_opened_on_a_long_trace_lists_the_steps_around_the_one_on_screen(
    toy: Path,
) -> None:
    """ctrl+p with nothing typed, on a trace of more steps than the palette lists: the
    steps from a few before the one on screen, then a row saying which of how many are
    listed and how to find the others (every step of a trace's thousands was drawn)."""
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    from codewalk.ui import palette as palette_module

    session, _ = trace_session(open_trace("toy"))
    count = len(session.tour.steps)
    listed = 8
    assert count > listed + 4
    app = make_app(session, start_step=count - 3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(palette_module, "OPENED", listed, raising=False)
        async with app.run_test(size=(150, 44)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await settle(pilot)
            palette = app.screen
            assert isinstance(palette, CommandPalette)
            rows = [str(option.prompt).split("\n")[0] for option in palette.query_one(OptionList).options]
            numbers = [int(row.split(":")[0][5:]) for row in rows if row.startswith("step ")]
            assert numbers == list(range(count - listed + 1, count + 1)), rows
            assert f"steps {count - listed + 1} to {count} of {count} listed" in rows, rows


@run_async
async def test_rows_found_while_the_symbols_load_stay_where_they_were_listed(
    toy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A symbol search that takes a while (the first of a session takes seconds): each
    batch of rows the palette shows is the start of the rows it shows in the end, so the
    row lit first is the row enter chooses (the steps were listed, then the symbols went
    above them)."""
    import time

    from textual.command import CommandList, CommandPalette

    from codewalk.ui.session import NavThread

    search = NavThread.search

    def slow(self: NavThread, *args: object) -> object:
        time.sleep(0.6)  # past Textual's batch time: the rows before it are shown first
        return search(self, *args)  # type: ignore[arg-type]

    shown: list[list[str]] = []
    refresh = CommandPalette._refresh_command_list

    def seen(self: CommandPalette, command_list: CommandList, *args: object) -> None:
        refresh(self, command_list, *args)  # type: ignore[arg-type]
        shown.append([str(option.prompt) for option in command_list.options])

    monkeypatch.setattr(NavThread, "search", slow)
    monkeypatch.setattr(CommandPalette, "_refresh_command_list", seen)
    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")  # the steps, before any text is typed
        await settle(pilot)
        shown.clear()
        await pilot.press(*"square")
        await settle(pilot)
        final = shown[-1]
        assert len(shown) > 1 and final[0].startswith("step ")
        assert any(row.startswith("toypkg.square\n") for row in final)
        assert all(rows == final[: len(rows)] for rows in shown if rows), shown


@run_async
async def test_the_recorders_palette_lists_the_steps_it_writes_not_the_traces(toy: Path) -> None:
    """ctrl+p in the recorder opened from a trace: the steps it finds are the recording's,
    and choosing one selects it (the trace's steps were listed, and choosing "step 2"
    selected the recording's second step, or nothing)."""
    from textual.command import CommandPalette

    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("enter", "a")  # step 1: fib, where the trace opened
        await settle(pilot)
        await pilot.press("ctrl+p", *"square")
        await settle(pilot)
        await pilot.press("enter", "a")  # the symbol found first: step 2, square
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen) and screen.selected == 1
        assert [step.anchor for step in screen.draft.steps] == ["toypkg.fib", "toypkg.square"]
        await pilot.press("ctrl+p", *"fib")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        rows = [str(option.prompt) for option in palette.query_one(OptionList).options]
        steps = [row.split("\n")[0] for row in rows if row.startswith("step ")]
        assert steps == ["step 1: toypkg.fib"]
        first = next(n for n, row in enumerate(rows) if row.startswith("step "))
        await pilot.press(*["down"] * first, "enter")
        await settle(pilot)
        assert app.screen is screen and screen.selected == 0


async def tour_against_toy(toy: Path, monkeypatch: pytest.MonkeyPatch, steps: str) -> CodewalkApp:
    """The app ``tour TOUR --trace toy`` opens on a terminal, ``steps`` the tour's YAML."""
    import codewalk.cli.commands.tour
    import codewalk.ui.launch
    from codewalk.ui.launch import open_session

    tour_file = toy / "tours" / "toy.yaml"
    tour_file.write_text(f"title: Toy\nrepo: toy\nsteps:\n{steps}")
    asked: list[tuple[object, ...]] = []

    def run_tour(_args: object, tour: object, traced: object = None) -> int:
        asked.append((tour, traced))
        return 0

    monkeypatch.setattr(codewalk.cli.commands.tour, "_interactive", lambda _args: True)
    monkeypatch.setattr(codewalk.ui.launch, "run_tour", run_tour)
    assert main(["tour", str(tour_file), "--trace", "toy"]) == 0
    tour, traced = asked[0]
    assert traced is not None
    return make_app(open_session(tour, traced=traced))  # type: ignore[arg-type]


@run_async
async def test_a_tour_walked_against_a_trace_says_under_each_title_whether_it_ran(
    toy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tour TOUR --trace NAME`` on a terminal: the tour's own steps, read at the versions
    that ran, each said ran or not under its title, the lines that ran lit as a trace's."""
    from codewalk.ui.note import NoteView

    steps = "  - at: toypkg.total\n  - at: toypkg.branch\n    focus: 'return \"no\"'\n"
    app = await tour_against_toy(toy, monkeypatch, steps)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        note = app.screen.query_one(NoteView).query_one("Markdown")
        assert "*trace 'toy': ran (x1)*" in note.source  # type: ignore[attr-defined]
        code = app.screen.query_one(CodeView)
        assert code.shown is not None and code.shown.ran  # the lines that ran, lit
        assert code.source is not None
        total = next(n for n, line in enumerate(code.source.lines, 1) if line.startswith("def total("))
        assert total + 1 in code.shown.ran
        await pilot.press("n")
        await settle(pilot)
        said = "**trace 'toy': not run (ran (x1), but its focus (line 65) did not execute)**"
        assert said in note.source  # type: ignore[attr-defined]
        view, long = app.screen.query_one(NoteView), "\n\n".join(f"Paragraph {n}." for n in range(80))
        view.show("Long", long)
        await settle(pilot)
        view.scroll_end(animate=False)
        await settle(pilot)
        read_to = view.scroll_y
        assert read_to > 0
        view.show("Long", long, ran=("trace 'toy': ran (x1)", True), home=False)  # its verdict comes in
        await settle(pilot)
        assert view.scroll_y == read_to  # where the reader was
        view.show("Next", long)
        await settle(pilot)
        assert view.scroll_y == 0


@run_async
async def test_a_tour_walked_against_a_trace_marks_each_step_in_the_list_ran_or_not(
    toy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether each step ran was said only under its title, once the reader reached it:
    the list marks every step (all resolved behind the reader), the bar of a line that ran
    for one that ran, a dot for one that did not, and says so in its legend."""
    from codewalk.ui.steps import StepsLegend, StepsList

    steps = (
        "  - at: toypkg.total\n  - at: toypkg.branch\n    focus: 'return \"no\"'\n"
        "  - at: toypkg.fib\n  - at: toypkg.crush\n"
    )
    app = await tour_against_toy(toy, monkeypatch, steps)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        listed = app.screen.query_one(StepsList)
        rows = [listed.render_line(y).text.rstrip() for y in range(4)]
        ran, idle = "● ▌ ", "● · "
        assert rows == [
            f"{ran} 1 toypkg.total",
            f"{idle} 2 toypkg.branch",
            f"{ran} 3 toypkg.fib",
            f"{idle} 4 toypkg.crush",
        ]
        dot = next(seg for seg in listed.render_line(1) if seg.text == "·")
        assert dot.style is not None and dot.style.bold  # not run, and the tour does not say it would not
        legend = app.screen.query_one(StepsLegend).render_line(3).text.strip()
        assert legend == "▌ ran  · not run  - n/a"
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.step_index == 0  # the reader is where they were


SPREAD = "\n\ndef spread(x):\n    a = square(x)\n    b = square(x) + square(x)\n    return a + b + key(x)\n"


@run_async
async def test_a_step_folding_calls_from_several_lines_counts_them_all_and_says_each_line(toy: Path) -> None:
    """``square`` called at two lines of ``spread`` one after the other (twice on the
    second), then ``key``: one step under it, as in the plain tree, counting the three
    calls, its note saying the calls of each line."""
    from codewalk.ui.note import NoteView
    from codewalk.ui.steps import StepsList

    package = toy / "work" / "toypkg" / "__init__.py"
    with package.open("a") as handle:
        handle.write(SPREAD)
    first = package.read_text().splitlines().index("    a = square(x)") + 1
    (toy / "work" / "fold.py").write_text("import toypkg\ntoypkg.spread(2)\n")
    assert main(["trace", "--python", sys.executable, "--name", "fold", "fold.py"]) == 0
    session, start = trace_session(open_trace("fold"))
    app = make_app(session, start_step=start)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.session is not None
        titles = [step.title for step in screen.session.tour.steps]
        assert titles[start:] == ["spread x1", "square x3", "key x1"]
        steps = screen.query_one(StepsList)
        rows = [steps.render_line(y).text.rstrip()[1:] for y in range(steps.size.height)]
        assert "  3 │square x3" in rows
        await pilot.press("n")
        await settle(pilot)
        assert screen.step_index == start + 1
        markdown = screen.query_one(NoteView).query_one("Markdown").source  # type: ignore[attr-defined]
        assert "ran **3** times here" in markdown and f"(lines {first}, {first + 1})" in markdown
        by_line = re.search(r"The calls folded here, by line: (\d+) x(\d+) \S+ \S+, (\d+) x(\d+) ", markdown)
        assert by_line is not None and by_line.groups() == (str(first), "1", str(first + 1), "2")


@run_async
async def test_a_step_whose_docstring_fills_the_screen_opens_on_the_first_line_that_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paddle's ``linear`` has a docstring of 60 lines: its step showed them, and none of the
    lines that ran. Such a step opens on the first line its function ran; a short
    function's step stays on its ``def`` (the first line that ran is on screen below it)."""
    work = use_toy(tmp_path, monkeypatch)
    doc = "\n".join(f"    line {i} of a long docstring" for i in range(60))
    with (work / "toypkg" / "__init__.py").open("a") as package:
        package.write(f'\n\ndef documented(x):\n    """\n{doc}\n    """\n    return square(x)\n')
    (work / "doc.py").write_text("import toypkg\n\ntoypkg.fib(2)\ntoypkg.documented(3)\n")
    assert main(["trace", "--python", sys.executable, "--name", "doc", "doc.py"]) == 0
    session, first = trace_session(open_trace("doc"))
    app = make_app(session, start_step=first)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.session is not None
        code = screen.query_one(CodeView)
        assert code.source is not None
        assert code.source.lines[code.cursor[0] - 1].startswith("def fib(n):")
        titles = [step.title for step in screen.session.tour.steps]
        await pilot.press(*str(titles.index("documented x1") + 1))
        await settle(pilot)
        line = code.cursor[0]
        assert code.source.lines[line - 1] == "    return square(x)"
        assert code.top_line <= line < code.top_line + code.scrollable_content_region.height


@run_async
async def test_the_palette_lists_the_functions_a_function_defines_under_it_and_goes_to_one(
    toy: Path,
) -> None:
    """ctrl+p ``counting``: the symbol, then the function it defines (``count``, which
    the index keeps no definition of) right under it; ``counting.<locals>.co``, as calls
    and tracebacks name it, lists it first; enter goes to its ``def``."""
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    app = trace_app()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen)
        await pilot.press("ctrl+p", *"counting")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        rows = [str(option.prompt).split("\n")[0] for option in palette.query_one(OptionList).options]
        symbols = [row for row in rows if row.startswith("toypkg.")]
        assert symbols[:2] == ["toypkg.counting", "toypkg.counting.<locals>.count"], rows
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+p", *"counting.<locals>.co")
        await settle(pilot)
        palette = app.screen
        listed = palette.query_one(OptionList)
        rows = [str(option.prompt).split("\n")[0] for option in listed.options]
        first = next(n for n, row in enumerate(rows) if row.startswith("toypkg."))
        assert rows[first] == "toypkg.counting.<locals>.count", rows
        listed.highlighted = first
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.location is not None
        assert screen.location.line == package_line(
            "    def count(x):  # a closure that calls a function it does not hold: no wrapper"
        )


@run_async
async def test_a_steps_lit_lines_are_what_its_calls_ran_not_the_signature_its_import_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``def``'s decorator, defaults and annotations run when its module is imported,
    on its signature's lines: lit beside its body, they read as the call's. A step lights
    the lines its calls ran; a ``def`` inside a function, run by that call, stays lit."""
    work = use_toy(tmp_path, monkeypatch)
    signed = (
        "\n\n@logged\n"
        "def signed(\n"
        "    x: int = square(2),\n"
        "    y: int = 1,\n"
        ") -> int:\n"
        "    def inner(z):\n"
        "        return z\n"
        "    return inner(x + y)\n"
    )
    with (work / "toypkg" / "__init__.py").open("a") as package:
        package.write(signed)
    (work / "signed.py").write_text("import toypkg\n\ntoypkg.fib(2)\ntoypkg.signed(3)\n")
    assert main(["trace", "--python", sys.executable, "--name", "signed", "signed.py"]) == 0
    session, first = trace_session(open_trace("signed"))
    app = make_app(session, start_step=first)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.session is not None
        titles = [step.title for step in screen.session.tour.steps]
        await pilot.press(*str(next(i for i, t in enumerate(titles) if t.startswith("signed")) + 1))
        await settle(pilot)
        code = screen.query_one(CodeView)
        assert code.source is not None and code.shown.ran is not None
        text = code.source.lines
        at = {line: number for number, line in enumerate(text, 1)}
        header = range(at["def signed("] - 1, at[") -> int:"] + 1)  # from its decorator on
        assert text[header[0] - 1] == "@logged" and not set(header) & code.shown.ran
        body = {at["    def inner(z):"], at["    return inner(x + y)"], at["        return z"]}
        assert body <= code.shown.ran
        assert at["def square(x):"] not in code.shown.ran  # every def the import ran, called or not
        assert at["import threading"] in code.shown.ran  # the rest of what the import ran
        assert screen.location is not None  # what executed is as the run said: the import ran it
        assert set(header) <= (session.ran(screen.location.repo, code.source.path) or set())


@run_async
async def test_a_step_that_cannot_be_resolved_leaves_the_later_steps_marked(
    toy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every step is judged behind the reader: one whose resolution fails (said when the
    reader reaches it) stopped the judging, the steps after it left unmarked."""
    from codewalk.tours.resolution import TourSteps
    from codewalk.ui.steps import StepsList

    steps = "  - at: toypkg.total\n  - at: toypkg.branch\n    focus: 'return \"no\"'\n  - at: toypkg.fib\n"
    app = await tour_against_toy(toy, monkeypatch, steps)
    resolve = TourSteps.__call__

    def failing(self: TourSteps, index: int) -> object:
        if index == 1:
            raise RuntimeError("the index broke")
        return resolve(self, index)

    monkeypatch.setattr(TourSteps, "__call__", failing)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        listed = app.screen.query_one(StepsList)
        rows = [listed.render_line(y).text.rstrip() for y in range(3)]
        assert rows[0].startswith("● ▌  1") and rows[2].endswith("3 toypkg.fib")
        assert "▌" in rows[2]  # the step after the one that failed is judged too
        screen = app.screen
        assert isinstance(screen, TourScreen)
        screen.show_step(1)
        await settle(pilot)
        assert any("the index broke" in str(n.message) for n in app._notifications)  # said there


def test_g_in_the_script_counts_what_its_statement_called(toy: Path) -> None:
    """``g`` at a call of the script's own statements (``toypkg.fib(4)`` in ``prog.py``,
    code the run does not record): what ran there is read from the calls it made, as
    ``goto prog.py:5 --trace`` reads it (the list said every definition ``not run``)."""
    from codewalk.resolve.model import Resolved
    from codewalk.traces.model import PROGRAM
    from codewalk.ui.launch import ran_targets

    opened = open_trace("toy")
    trace = opened.trace
    script = str(toy / "work" / "prog.py")
    fib = next(f for f in trace.functions if f.name == "fib")
    other = next(f for f in trace.functions if f.name == "total")

    def target(f: Any) -> Resolved:
        return Resolved(f.repo, f"toypkg.{f.name}", "function", f.path, f.line, f.line, f.line, "", "")

    line = (toy / "work" / "prog.py").read_text().splitlines().index("toypkg.fib(4)") + 1
    ran = ran_targets(opened)(PROGRAM, script, line, [target(other), target(fib)])
    assert ran.calls == (0, 1) and ran.line_ran
