"""A tour's steps resolved by a child ahead of the printing: the same output as without
it, byte for byte; the child silent, never fetching, handing over where it would speak,
and gone when the parent stops."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from codewalk.cli import ahead as ahead_module
from codewalk.cli.ahead import Ahead
from codewalk.cli.main import main
from codewalk.tours.model import ResolvedStep, Step
from tests.test_boundaries import _synced

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child is forked on Linux")

LONGER_TOUR = """\
id: fixture-ahead
title: A tour of the fixture, five steps
steps:
  - at: LlamaModel.__init__
    focus: "self.layers = []"
    note: The decoder layers.
  - at: LlamaForCausalLM
    note: The model with its head.
  - at: NoSuchThingAnywhere
    note: A step that does not resolve.
  - at: LlamaModel
    note: Back to the body.
  - at: transformers.models.llama.modeling_llama.LlamaForCausalLM
    note: By its module (read ahead by the parent while it waits).
"""


def _steps(count: int) -> list[Step]:
    return [Step(index=i, at=f"S{i}", file=None, focus=(), title=None, repo=None, note="", line=i)
            for i in range(1, count + 1)]


def _resolved(step: Step) -> ResolvedStep:
    return ResolvedStep(step=step, status="missing", target=None, focus=None, candidates=(),
                        suggestions=(), error="nowhere", repo="transformers", version="1")


def test_steps_come_over_in_order_and_a_child_that_speaks_hands_over() -> None:
    assert threading.active_count() == 1  # else no child is forked, and this proves nothing
    steps = _steps(3)

    def resolve_all(receive: Callable[[], object], send: Callable[[ResolvedStep], None]) -> None:
        given = receive()  # the steps it is handed, once the parent has them
        assert isinstance(given, list)
        send(_resolved(given[0]))
        print("codewalk: something the reader should see", file=sys.stderr)
        send(_resolved(given[1]))
        send(_resolved(given[2]))

    child = Ahead.start(resolve_all)
    assert child is not None
    try:
        child.give(steps)
        assert child.take(steps[0]) == _resolved(steps[0])
        assert child.take(steps[1]) is None  # it spoke while resolving step 2: the parent does it
        assert child.take(steps[2]) is None  # ... and every later one
    finally:
        child.stop()


def test_a_child_that_fails_or_falls_silent_hands_over(monkeypatch: pytest.MonkeyPatch) -> None:
    steps = _steps(2)

    def fails(receive: object, send: object) -> None:
        raise RuntimeError("a bug in the child")

    child = Ahead.start(fails)
    assert child is not None
    child.give(steps)  # to a child that is gone already: no error
    assert child.take(steps[0]) is None
    child.stop()

    monkeypatch.setattr(ahead_module, "STEP_TIMEOUT_S", 0.2)
    child = Ahead.start(lambda receive, send: time.sleep(30))
    assert child is not None
    started = time.monotonic()
    assert child.take(steps[0]) is None
    assert time.monotonic() - started < 5
    child.stop()  # killed and reaped, not left to sleep


def test_a_child_never_handed_its_job_ends_when_the_parent_stops() -> None:
    """The tour could not be read: the child, waiting for it, is killed and reaped."""
    me = os.getpid()
    child = Ahead.start(lambda receive, send: receive())
    assert child is not None
    (pid,) = Path(f"/proc/{me}/task/{me}/children").read_text().split()
    assert Path(f"/proc/{pid}").exists()
    child.stop()
    assert not Path(f"/proc/{pid}").exists()


def test_the_child_never_fetches() -> None:
    probe = (
        "from codewalk.source import sync\n"
        "from codewalk.source.pins import load_pins\n"
        "from codewalk import locations\n"
        "sync.forbid_fetching()\n"
        "try:\n"
        "    sync.ensure_checkout(load_pins(locations.pins_path())['accelerate'])\n"
        "except sync.NotFetched as stopped:\n"
        "    print('not fetched:', stopped)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "not fetched: accelerate", done.stderr
    # not an error of the user's: nothing may turn it into a step's error
    from codewalk.errors import CodewalkError
    from codewalk.source.sync import NotFetched

    assert not issubclass(NotFetched, CodewalkError)


def _tour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path, text: str = LONGER_TOUR
) -> tuple[dict[str, str], Path]:
    env = _synced(tmp_path, monkeypatch, isolated_home)
    tour = tmp_path / "fixture-ahead.yaml"
    tour.write_text(text)
    return env, tour


THREADED = """\
import sys, threading, time
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()  # no fork with a thread
from codewalk.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_tour_prints_the_same_with_the_child_as_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    env, tour = _tour(tmp_path, monkeypatch, isolated_home)
    argv = ["tour", str(tour), "--plain"]
    outputs = []
    for script in (None, THREADED):  # with the child; then without (a thread forbids the fork)
        for suffix in ("", "-wal", "-shm"):  # each from an empty index
            Path(f"{isolated_home}/index.sqlite3{suffix}").unlink(missing_ok=True)
        run = ["-m", "codewalk"] if script is None else ["-c", script]
        command = [sys.executable, *run, *argv]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        outputs.append((done.returncode, done.stdout, done.stderr))
    assert outputs[0] == outputs[1]
    code, out, _ = outputs[0]
    assert code == 1 and "NoSuchThingAnywhere" in out and "5/5" in out and "The decoder layers." in out


def test_the_steps_the_parent_printed_were_the_child_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, tour = _tour(tmp_path, monkeypatch, isolated_home)
    taken: list[object] = []
    take = Ahead.take

    def counted(self: Ahead, step: Step) -> ResolvedStep | None:
        resolved = take(self, step)
        taken.append(resolved)
        return resolved

    monkeypatch.setattr(Ahead, "take", counted)
    assert main(["tour", str(tour), "--plain"]) == 1
    assert len(taken) == 5 and all(isinstance(r, ResolvedStep) for r in taken)
    assert "Back to the body." in capsys.readouterr().out


SLOW_TOUR = """\
id: fixture-slow
title: Two steps whose focus runs out of time (a second each)
steps:
  - at: LlamaModel.__init__
    note: First.
  - at: LlamaModel.__init__
    focus: "/(?s)(.*e){12}[#!@]/"
    note: Slow.
  - at: LlamaModel.__init__
    focus: "/(?s)(.*e){12}[#!@]/"
    note: Slow again.
"""


def test_the_child_is_gone_when_the_reader_stops_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    env, tour = _tour(tmp_path, monkeypatch, isolated_home, SLOW_TOUR)
    parent = subprocess.Popen(
        [sys.executable, "-m", "codewalk", "tour", str(tour), "--plain"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert parent.stdout is not None
    parent.stdout.read(1)
    (child,) = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
    assert Path(f"/proc/{child}").exists()  # resolving the slow steps
    parent.stdout.close()  # the reader goes (as `| head` does)
    parent.wait(60)
    # killed and reaped by the parent, not left running (it had two seconds of work)
    assert not Path(f"/proc/{child}").exists()


def test_the_parent_reads_ahead_the_modules_later_steps_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    """While it waits for the child, the parent indexes the module a later step names
    (its longest prefix that is one); a name that is no module's indexes nothing."""
    import sqlite3

    from codewalk.cli.workspaces import Workspaces

    _synced(tmp_path, monkeypatch, isolated_home)
    workspaces = Workspaces(None)

    def indexed() -> set[str]:
        with sqlite3.connect(isolated_home / "index.sqlite3") as db:
            return {row[0] for row in db.execute("SELECT path FROM files WHERE blob IS NOT NULL")}

    workspaces.get(None)
    assert indexed() == set()
    workspaces.read_ahead(None, "NoSuchModule.anything")
    assert indexed() == set()
    workspaces.read_ahead(None, "transformers.models.llama.modeling_llama.LlamaModel.forward")
    assert indexed() == {"src/transformers/models/llama/modeling_llama.py"}


def test_a_job_larger_than_a_pipe_arrives_whole_and_a_child_not_taking_it_is_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps = _steps(1)
    big = "x" * (4 << 20)  # far more than a pipe holds

    def slow_reader(receive: Callable[[], object], send: Callable[[ResolvedStep], None]) -> None:
        time.sleep(0.3)  # busy opening the index, as the real child is
        given = receive()
        assert given == big
        send(_resolved(steps[0]))

    child = Ahead.start(slow_reader)
    assert child is not None
    child.give(big)
    assert child.take(steps[0]) == _resolved(steps[0])
    child.stop()

    monkeypatch.setattr(ahead_module, "STEP_TIMEOUT_S", 0.3)
    child = Ahead.start(lambda receive, send: time.sleep(30))  # never takes its job
    assert child is not None
    started = time.monotonic()
    child.give(big)
    assert time.monotonic() - started < 5
    assert child.take(steps[0]) is None  # stopped: the parent does the work


def test_what_opening_the_index_says_is_said_with_the_child_as_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    """An index an older codewalk made is rebuilt once, and that is said: by the process
    the reader sees, not by the silent child that would otherwise open it first."""
    import sqlite3

    env, tour = _tour(tmp_path, monkeypatch, isolated_home)
    assert subprocess.run([sys.executable, "-m", "codewalk", "tour", str(tour), "--plain"], env=env,
                          capture_output=True, timeout=120).returncode == 1
    index = isolated_home / "index.sqlite3"
    connection = sqlite3.connect(index, isolation_level=None)
    connection.execute("UPDATE meta SET value = '6.7' WHERE key = 'schema_version'")
    connection.close()
    done = subprocess.run(
        [sys.executable, "-m", "codewalk", "tour", str(tour), "--plain"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert "rebuilding the index" in done.stderr, done.stderr
    assert "5/5" in done.stdout
