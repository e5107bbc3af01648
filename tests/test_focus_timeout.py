"""A tour's ``focus: /regex/`` is matched within a time bound: catastrophic backtracking
is the step's error (``file:line: focus pattern took too long``) in check, the plain
tour and JSON, and the terminal UI keeps taking keys while a step resolves."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from ui_fakes import run_async

from codewalk.tours import focus
from codewalk.tours.discovery import read_tour
from codewalk.tours.focus import find_match
from codewalk.ui.app import make_app
from codewalk.ui.launch import open_session
from codewalk.ui.problem import StepProblem
from codewalk.ui.state import ProgressStore
from codewalk.ui.tour_screen import TourScreen
from tests.hardening import assert_untouched, outside_cache, run, toy_source

# Fails only after trying every way to split the span into twelve pieces ending in "e":
# hours with Python's re, a bound with the regex package.
CATASTROPHIC = "/(?s)(.*e){12}[#!@]/"
LONG = "def long_function():\n" + '    value = "eeeeeeeeeeeeeeeeeeee"\n' * 120 + "    return value\n"
TOUR = f"""\
title: A hostile focus
steps:
  - at: toypkg.slow.long_function
    note: The focus below never ends without a bound.
    focus: "{CATASTROPHIC}"
  - at: toypkg.core.helper
"""


def add_slow_module(root: Path) -> None:
    (root / "src" / "toypkg" / "slow.py").write_text(LONG)


@pytest.fixture()
def short_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(focus, "FOCUS_TIMEOUT_S", 0.2)


def test_the_bound_is_the_regex_package_s(short_bound: None) -> None:
    with pytest.raises(Exception, match="focus pattern took too long"):
        find_match(LONG, (1, 122), CATASTROPHIC)
    assert find_match(LONG, (1, 122), "/return \\w+/") == (122, 122)


def test_check_plain_and_json_report_the_step_and_go_on(
    short_bound: None,
    tmp_path: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = toy_source(tmp_path, monkeypatch)
    add_slow_module(root)
    tour = tmp_path / "hostile.yaml"
    tour.write_text(TOUR)
    before = outside_cache(tmp_path, isolated_home)
    message = f"{tour}:5: focus pattern took too long"

    code, out, _ = run(capsys, "check", str(tour), "--source", str(root))
    assert code == 1
    assert f"  {tour}:3: step 1 (toypkg.slow.long_function): missing: {message}" in out
    assert "1 tour(s), 2 step(s): 1 broken step(s)" in out

    code, out, _ = run(capsys, "tour", str(tour), "--plain", "--no-color", "--source", str(root))
    assert code == 1
    assert f"missing: {message}" in out
    assert "def helper(x):" in out  # the next step is shown

    code, out, _ = run(capsys, "tour", str(tour), "--json", "--source", str(root))
    assert code == 1
    steps = json.loads(out)["steps"]
    assert (steps[0]["status"], steps[0]["error"]) == ("missing", message)
    assert steps[1]["status"] == "resolved"
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def _session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    root = toy_source(tmp_path, monkeypatch)
    add_slow_module(root)
    tour_file = tmp_path / "hostile.yaml"
    tour_file.write_text(TOUR)
    return open_session(
        read_tour(tour_file), source_path=str(root), progress=ProgressStore(tmp_path / "progress.json")
    )


@pytest.mark.parametrize(("key", "answer"), [("q", "exit"), ("ctrl+c", "exit")], ids=["q", "ctrl+c"])
@run_async
async def test_the_ui_takes_keys_while_a_step_resolves(
    key: str, answer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """q quits, and so does ctrl+c, while the first step's focus is still being
    matched: the match runs without the interpreter's lock, so the app's loop goes on.
    (Each key is handled at once; had the match held the lock, it would be handled only
    once the match had run out of time.)"""
    monkeypatch.setattr(focus, "FOCUS_TIMEOUT_S", 3.0)
    session = _session(tmp_path, monkeypatch)
    finished = threading.Event()
    resolver = session.resolver

    def resolver_that_reports(navigator):  # type: ignore[no-untyped-def]
        resolve = resolver(navigator)

        def step(index: int):  # type: ignore[no-untyped-def]
            try:
                return resolve(index)
            finally:
                finished.set()

        return step

    object.__setattr__(session, "resolver", resolver_that_reports)
    app = make_app(session)
    handled: list[tuple[str, bool]] = []
    notify, leave = app.notify, app.exit

    def record_notify(message: str, **kwargs):  # type: ignore[no-untyped-def]
        handled.append((message, finished.is_set()))
        notify(message, **kwargs)

    def record_exit(*args, **kwargs):  # type: ignore[no-untyped-def]
        handled.append(("exit", finished.is_set()))
        leave(*args, **kwargs)

    monkeypatch.setattr(app, "notify", record_notify)
    monkeypatch.setattr(app, "exit", record_exit)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):  # until the step's worker is under way
            await pilot.pause()
            screen = app.screen
            if isinstance(screen, TourScreen) and 0 in screen._pending:
                break
        assert isinstance(app.screen, TourScreen) and 0 in app.screen._pending
        await pilot.press(key)
    answered = [done for message, done in handled if answer in message.lower()]
    assert answered and answered[0] is False, handled


@run_async
async def test_the_ui_shows_the_timeout_as_the_step_s_problem(
    short_bound: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui_fakes import settle

    app = make_app(_session(tmp_path, monkeypatch))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        problem = app.screen.query_one(StepProblem)
        assert problem.display
        assert "hostile.yaml:5: focus pattern took too long" in str(problem.render())
