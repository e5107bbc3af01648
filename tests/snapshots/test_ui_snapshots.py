"""SVG snapshots of the main screens, on the synthetic tour (nothing of this machine
in the picture: no paths, no times). Update with ``pytest --snapshot-update``."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from ui_fakes import make_session, settle

from codewalk.ui.app import make_app


def _after(*keys: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_main_screen_wide(snap_compare: Any) -> None:
    """Step 2 at 120x40: span and focus lit, note beside the code."""
    assert snap_compare(make_app(make_session()), terminal_size=(120, 40), run_before=_after("n"))


def test_main_screen_narrow(snap_compare: Any) -> None:
    """Step 2 at 80x24: the note goes under the code."""
    assert snap_compare(make_app(make_session()), terminal_size=(80, 24), run_before=_after("n"))


def test_unresolved_step(snap_compare: Any) -> None:
    """Step 3 names nothing: the error and the did-you-mean list replace the code."""
    assert snap_compare(make_app(make_session()), terminal_size=(120, 40), run_before=_after("3"))


def test_help_screen(snap_compare: Any) -> None:
    assert snap_compare(make_app(make_session()), terminal_size=(100, 34), run_before=_after("question_mark"))


def test_version_diff(snap_compare: Any) -> None:
    """Step 4 of the two-repository tour (pkg 1.0) against pkg 0.9 (``v``, the offer the
    tour lists): where it is at each version, how it was matched, the changed lines."""
    from ui_fakes import make_stack_tour

    app = make_app(make_session(tour=make_stack_tour()))
    assert snap_compare(app, terminal_size=(120, 34), run_before=_after("4", "v", "enter"))


def test_steps_across_repositories_narrow(snap_compare: Any) -> None:
    """Step 2 of the two-repository tour at 80x24, the steps list shown (``s``): a heading
    over each run of steps in one repo, ext's marked; the header names ext@2.0."""
    from ui_fakes import make_stack_tour

    app = make_app(make_session(tour=make_stack_tour()))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_after("2", "s"))


def test_recording_screen(snap_compare: Any) -> None:
    """Recording the fake tour at 130x36: where it will be written, its steps (a new one
    added after step 2, at the cursor), the code of the selected step, its note under it
    (as in the tour view at this width)."""
    assert snap_compare(_recording(), terminal_size=(130, 36), run_before=_after("n", "down", "down", "a"))


def test_recording_screen_narrow(snap_compare: Any) -> None:
    """The same at 80x24: the steps column hidden, the header names the file and the step
    count, the footer says ``s`` (and keeps ``q``)."""
    assert snap_compare(_recording(), terminal_size=(80, 24), run_before=_after("n", "down", "down", "a"))


def _recording() -> Any:
    from pathlib import Path

    from ui_fakes import make_tour

    from codewalk.tours.recording import draft_of

    tour = make_tour()
    draft = draft_of(tour, "", Path("tours/fake-tour.yaml"))
    return make_app(make_session(tour=tour), recording=(draft, None))


def test_long_names_in_the_note_break_after_their_dots(snap_compare: Any) -> None:
    """Step 1 of the two-repository tour at 60x40, titled and noted with a qualified name
    wider than the note: each line of it ends at a dot, none mid-name."""
    from dataclasses import replace

    from ui_fakes import make_stack_tour

    name = "transformers.generation.utils.GenerationMixin._get_candidate_generator"
    tour = make_stack_tour()
    first = replace(tour.steps[0], title=name, note=f"Then `{name}` picks the assistant's generator.")
    app = make_app(make_session(tour=replace(tour, steps=(first, *tour.steps[1:]))))
    assert snap_compare(app, terminal_size=(60, 40), run_before=_after())
