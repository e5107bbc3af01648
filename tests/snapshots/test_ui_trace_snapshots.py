"""SVG snapshots of the screens of a trace read as a tour where the reader's own code is:
the program's step, the palette over the trace, ``c`` and ``g`` in the program's file.

The run is recorded (the toy package and a program with callbacks of its own, as
``test_trace_own`` records it), then its times and the machine's words in it are made
fixed, so nothing of this machine or of this run's speed is in the picture. Update with
``pytest --snapshot-update``."""

from __future__ import annotations

import sys
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from ui_fakes import settle, still_cursors

from codewalk.cli.main import main
from codewalk.traces import store
from tests.test_trace_own import HELPERS, PROGRAM_TEXT, own_line
from tests.traceprog import use_toy


@pytest.fixture()
def own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Trace ``own`` of ``own.py`` (callbacks of its own the toy package calls), its
    times and places fixed."""
    work = use_toy(tmp_path, monkeypatch)
    (work / "own.py").write_text(textwrap.dedent(PROGRAM_TEXT).lstrip("\n"))
    (work / "helpers.py").write_text(textwrap.dedent(HELPERS).lstrip("\n"))
    assert main(["trace", "--python", sys.executable, "--name", "own", "own.py"]) == 0
    trace = store.load("own")
    fixed = trace._replace(
        started=0.0,
        seconds=1.0,
        python="3.11.7",
        executable="python",
        nodes=tuple(node._replace(seconds=0.001 * node.calls) for node in trace.nodes),
    )
    store.path_of("own").write_text(store.encode(fixed))
    return work


def _app_at(function: str) -> Any:
    """The UI on trace ``own`` at the step of the program's ``function``."""
    from codewalk.traces.reading import open_trace
    from codewalk.traces.rows import folded
    from codewalk.ui.app import make_app
    from codewalk.ui.launch import trace_session

    opened = open_trace("own")
    rows = folded(opened.trace, opened.tree)
    names = [opened.trace.functions[opened.trace.nodes[row.shown.node].function].name for row in rows]
    session, _ = trace_session(opened)
    # the program's file is named in its step's note where it ran: a directory of this run
    work = str(Path.cwd())
    tour = session.tour
    steps = tuple(replace(step, note=step.note.replace(work, "/home/reader/work")) for step in tour.steps)
    return make_app(replace(session, tour=replace(tour, steps=steps)), start_step=names.index(function))


def _after(*keys: str, line: str | None = None, word: str = "") -> Any:
    """Settle, put the cursor on ``word`` of the program's ``line`` (when given), press ``keys``;
    a text field's cursor is then kept still (drawn), as the picture takes one moment."""

    async def run_before(pilot: Pilot[Any]) -> None:
        from codewalk.ui.code_view import CodeView

        await settle(pilot)
        if line is not None:
            pilot.app.screen.query_one(CodeView).move_cursor(own_line(line), line.index(word))
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        still_cursors(pilot.app)  # the palette's field: its cursor shown, whenever the picture is taken
        await pilot.pause()

    return run_before


def test_the_programs_own_step(own: Path, snap_compare: Any) -> None:
    """The step of the program's ``mine`` at 130x36: its file read from disk (lit where it
    ran), ``your program`` in the header and over its rows in the steps list."""
    assert snap_compare(_app_at("mine"), terminal_size=(130, 36), run_before=_after())


def test_the_palette_over_a_trace_typing_a_name(own: Path, snap_compare: Any) -> None:
    """ctrl+p ``call_it``: the calls of it that ran first (the steps), then the symbol."""
    app = _app_at("mine")
    assert snap_compare(app, terminal_size=(130, 36), run_before=_after("ctrl+p", *"call_it"))


def test_calls_of_the_programs_own_function(own: Path, snap_compare: Any) -> None:
    """``c`` in the program's ``main`` (no pinned code called it): its calls a row per line,
    each with what of the pins ran there."""
    app = _app_at("mine")
    run_before = _after("c", line="    toypkg.call_it(mine)", word="call_it")
    assert snap_compare(app, terminal_size=(130, 36), run_before=run_before)


def test_g_on_a_pinned_name_in_the_programs_own_file(own: Path, snap_compare: Any) -> None:
    """``g`` on ``square`` in ``mine``: the toy package's ``square``, off tour (``b``
    comes back to the program's file)."""
    app = _app_at("mine")
    run_before = _after("g", line="    return toypkg.square(x) + 1", word="square")
    assert snap_compare(app, terminal_size=(130, 36), run_before=run_before)
