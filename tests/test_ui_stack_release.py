"""Pilot tests of the UI on the real pinned stack (the trainer-train tour, from
transformers 5.23.0 into accelerate 1.14.0), and of ``v`` against transformers 4.46.3.

Lines asserted here were read in the releases:
- transformers 5.23.0 trainer.py:2118 ``self.accelerator.backward(loss, **kwargs)``
  (``backward`` at column 29), the focus of step 7 (``Trainer.training_step``);
  ``Trainer.train`` spans 1450-1581, the focus of step 1 is :1570-1572
  ``        inner_training_loop = find_executable_batch_size(`` (indented 8) to ``)``, its
  middle line 90 characters long;
- accelerate 1.14.0 accelerator.py:2818 ``def backward(self, loss, **kwargs):``, the
  focus of step 8 at :2840 ``loss = loss / self.gradient_accumulation_steps``;
- transformers 4.46.3 trainer.py: ``Trainer.train`` spans 2022-2128.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_fakes import run_async, settle

from codewalk.tours.discovery import load_tour
from codewalk.ui.app import CodewalkApp, make_app
from codewalk.ui.code_view import CodeView
from codewalk.ui.header import OffTourBanner, TourHeader
from codewalk.ui.launch import open_session
from codewalk.ui.problem import StepProblem
from codewalk.ui.state import ProgressStore
from codewalk.ui.steps import StepsList
from codewalk.ui.tour_screen import TourScreen
from codewalk.ui.version_diff import VersionDiff

pytestmark = [pytest.mark.release, pytest.mark.slow]

TRAINER = "src/transformers/trainer.py"
ACCELERATOR = "src/accelerate/accelerator.py"


def _app(tmp_path: Path, start_step: int, at: tuple[str, ...] = ()) -> CodewalkApp:
    progress = ProgressStore(tmp_path / "progress.json")
    session = open_session(load_tour("trainer-train"), at=at, progress=progress)
    return make_app(session, start_step=start_step)


def _where(app: CodewalkApp) -> tuple[str, str, int, int]:
    screen = app.screen
    assert isinstance(screen, TourScreen)
    # no location: the step was not shown yet, or it was shown with a problem (which one?)
    shown = {i: r.status for i, r in screen.resolved.items()}
    said = str(screen.query_one(StepProblem).render())
    assert screen.location is not None, f"step {screen.step_index + 1}: resolved {shown}; {said!r}"
    code = screen.query_one(CodeView)
    assert code.source is not None
    return (screen.location.repo, code.source.path, *code.cursor)


def _header(app: CodewalkApp) -> str:
    return app.screen.query_one(TourHeader).text


@run_async
async def test_a_step_in_accelerate_and_g_into_it_from_the_trainer(stack_home: Path, tmp_path: Path) -> None:
    app = _app(tmp_path, start_step=6)  # step 7: Trainer.training_step, on its backward call
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _where(app) == ("transformers", TRAINER, 2118, 0)
        assert "step 7/17" in _header(app) and _header(app).endswith("transformers@5.23.0 (release)")

        await pilot.press(*["ctrl+right"] * 5)
        code = app.screen.query_one(CodeView)
        assert code.word_under_cursor() == ("backward", 29)
        await pilot.press("g")
        await settle(pilot)
        assert _where(app) == ("accelerate", ACCELERATOR, 2818, 8)  # on its name
        assert code.current_text() == "    def backward(self, loss, **kwargs):"
        assert _header(app).endswith("accelerate@1.14.0 (release)") and "step 7/17" in _header(app)
        banner = app.screen.query_one(OffTourBanner)
        assert "accelerate: accelerator.py:2818" in str(banner.render())

        await pilot.press("b")
        await settle(pilot)
        assert _where(app) == ("transformers", TRAINER, 2118, 29)
        assert _header(app).endswith("transformers@5.23.0 (release)")

        await pilot.press("n")  # step 8: Accelerator.backward, a step of the tour in accelerate
        await settle(pilot)
        assert _where(app) == ("accelerate", ACCELERATOR, 2840, 0)
        assert "step 8/17" in _header(app) and _header(app).endswith("accelerate@1.14.0 (release)")
        steps = app.screen.query_one(StepsList)
        assert (
            steps.highlighted is not None and steps.step_of(steps.get_option_at_index(steps.highlighted)) == 7
        )
        headings = [str(o.prompt) for o in steps.options if steps.step_of(o) is None]
        assert headings == ["── transformers ──", "── accelerate ↗"]


@pytest.mark.parametrize("size", [(160, 48), (100, 30)])
@run_async
async def test_step_1_opens_with_its_indentation_in_view(
    size: tuple[int, int], stack_home: Path, tmp_path: Path
) -> None:
    """``tour trainer-train --step 1``: the focus's long line is cut at its end, not at
    its start: line 1570 shows its 8 spaces, the lines around theirs."""
    app = _app(tmp_path, start_step=0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert _where(app) == ("transformers", TRAINER, 1570, 0)
        code = app.screen.query_one(CodeView)
        assert code.left_column == 0
        first, rows = code.top_line, code.scrollable_content_region.height
        assert first < 1569 and first + rows - 1 > 1572
        row = code.render_line(1570 - first).text
        assert row.startswith("1570▌         inner_training_loop = find_executable_batch_size(")
        await pilot.press("ctrl+e", "ctrl+a")  # to the end of the line and back
        assert code.cursor == (1570, 8) and code.left_column == 0


@run_async
async def test_v_compares_trainer_train_with_4_46_3(stack_home: Path, tmp_path: Path) -> None:
    app = _app(tmp_path, start_step=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _where(app)[:2] == ("transformers", TRAINER)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("tab", *"4.46.3", "enter")
        await settle(pilot)
        diff = app.screen.query_one(VersionDiff)
        assert diff.shown and diff.diff is not None
        before, after = diff.diff.before, diff.diff.after
        assert (before.label, after.label) == ("transformers@4.46.3", "transformers@5.23.0")
        assert before.target is not None and after.target is not None and after.on_screen
        assert (before.target.path, before.target.start_line, before.target.end_line) == (TRAINER, 2022, 2128)
        assert (after.target.start_line, after.target.end_line) == (1450, 1581)
        assert before.how == "by the same qualified name"
        first = diff.diff.hunks[0]
        assert (first.from_start, first.to_start) == (2022, 1450)
        await pilot.press("v")
        await settle(pilot)
        assert not diff.shown and _where(app)[:2] == ("transformers", TRAINER)


@run_async
async def test_the_tour_at_4_57_6_shows_the_steps_it_lacks_in_place(stack_home: Path, tmp_path: Path) -> None:
    """``codewalk tour trainer-train --at transformers@4.57.6`` on a terminal: the
    transformers steps at 4.57.6, those on ``Trainer._run_epoch`` (5.x only) in place,
    with why and the nearest names; accelerate still at its pin."""
    from codewalk.ui.problem import StepProblem

    app = _app(tmp_path, start_step=2, at=("transformers@4.57.6",))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "step 3/17" in _header(app) and _header(app).endswith("transformers@4.57.6 (release)")
        problem = app.screen.query_one(StepProblem)
        text = str(problem.render())
        assert problem.display and not app.screen.query_one(CodeView).display
        assert "Step 3 does not resolve at transformers==4.57.6" in text
        assert "'Trainer._run_epoch' names nothing in transformers==4.57.6" in text
        # Trainer is there: why, not names of other things spelled alike (_run_one_epoch)
        assert "transformers.trainer.Trainer (src/transformers/trainer.py:" in text
        assert "Did you mean:" not in text
        await pilot.press("1")
        await settle(pilot)
        assert _where(app)[:2] == ("transformers", TRAINER) and app.screen.query_one(CodeView).display
        await pilot.press("8")
        await settle(pilot)
        assert _where(app) == ("accelerate", ACCELERATOR, 2840, 0)
        assert _header(app).endswith("accelerate@1.14.0 (release)")
