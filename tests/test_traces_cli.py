"""``codewalk trace``, ``traces``, ``tour --trace``, ``path``/``calls``/``draft --trace`` and
``check --run`` end to end on a toy package (read from the installed copy: it has no
release), and every way a kept trace can be refused."""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from codewalk.cli.main import main
from codewalk.traces import store
from tests.traceprog import (
    BRANCH_NO,
    BRANCH_YES,
    DOUBLE_DEF,
    NESTED_STRICT,
    TWICE_CALLS,
    package_line,
    running,
    tree_rows,
    use_toy,
)

# how the answer of ``calls --trace`` ends when a site's line ran with no call recorded
# (none of them into compiled code a stub declares: no library's Rust is named)
LINE_RAN_END = (
    "the pinned packages' Python code only, not those into their compiled code (what a .pyi stub\n"
    "declares), torch, the standard library or a builtin, nor a call a cache answered (a function\n"
    "under @lru_cache or @cache, whose code then does not run)"
)


@pytest.fixture()
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The toy program in a directory of its own, the pins naming its package."""
    return use_toy(tmp_path, monkeypatch)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def traced(capsys: pytest.CaptureFixture[str], name: str = "toy", *args: str) -> tuple[int, str]:
    code = main(["trace", "--python", sys.executable, "--name", name, "prog.py", *args])
    return code, capsys.readouterr().err


def traced_with(toy: Path, capsys: pytest.CaptureFixture[str], added: str, name: str, program: str) -> None:
    """``added`` appended to the toy package, ``program`` written as ``NAME.py`` and traced
    as NAME (its output read and dropped)."""
    with (toy / "toypkg" / "__init__.py").open("a") as handle:
        handle.write(added)
    (toy / f"{name}.py").write_text(program)
    assert main(["trace", "--python", sys.executable, "--name", name, f"{name}.py"]) == 0
    capsys.readouterr()


def test_trace_keeps_a_run_read_from_the_installed_copy(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = traced(capsys)
    assert code == 0
    assert "codewalk: trace 'toy': " in err
    assert "toy is read from the installed copy at" in err  # no version in its metadata
    assert "read it: codewalk tour --trace toy" in err
    trace = store.load("toy")
    assert trace.repos[0].source == "local"
    assert {f.name for f in trace.functions} >= {"fib", "numbers", "square", "order", "key", "branch"}
    branch = next(i for i, f in enumerate(trace.functions) if f.name == "branch")
    assert BRANCH_YES in trace.lines[branch] and BRANCH_NO not in trace.lines[branch]
    code, out, _ = run(capsys, "traces")
    assert code == 0 and out.startswith("toy  prog.py  toy (no version) (installed copy at ")
    code, out, _ = run(capsys, "traces", "--json")
    listed = json.loads(out)["traces"][0]
    assert (listed["name"], listed["program"], listed["status"]) == ("toy", ["prog.py"], 0)
    assert listed["repos"][0]["source"] == "local"


def test_trace_passes_the_programs_status_through_and_keeps_the_trace(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = traced(capsys, "failed", "raise")
    assert code == 1
    assert "ValueError: toy" in err
    assert "the program raised with status 1 (ValueError: toy): the trace holds what ran until then" in err
    assert store.load("failed").ended == "exception"
    code, err = traced(capsys, "exited", "exit")
    assert code == 3
    assert "the program exited with status 3: the trace holds what ran until then" in err


def test_a_program_ending_by_sys_exit_0_is_a_whole_run(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``sys.exit(0)`` at the end of a script ends it as returning does: nothing is said
    of what the trace holds "until then"."""
    code, err = traced(capsys, "done", "done")
    assert code == 0 and store.load("done").ended == "exit"
    assert "the trace holds what ran until then" not in err and "exited with status" not in err
    code, out, _ = run(capsys, "traces")
    assert code == 0 and "[status" not in out
    code, out, _ = run(capsys, "tour", "--trace", "done", "--plain")
    assert code == 0 and "status 0" not in out.splitlines()[1]


def test_trace_refuses_what_it_cannot_do(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert traced(capsys)[0] == 0
    code, _, err = run(capsys, "trace", "--name", "toy", "prog.py")
    assert code == 2 and "a trace named 'toy' exists" in err and "--force" in err
    code, _, err = run(capsys, "trace", "--name", "../x", "prog.py")
    assert code == 2 and "cannot name a trace" in err
    code, _, err = run(capsys, "trace", "--name", "y", "missing.py")
    assert code == 2 and "missing.py: no such program file or directory" in err
    code, _, err = run(capsys, "trace", "--python", str(toy / "nope"), "--name", "z", "prog.py")
    assert code == 2 and "cannot run it" in err
    code, _, err = run(capsys, "trace")
    assert code == 2 and "name the program to trace" in err
    false = shutil.which("false")
    if false is not None:  # an interpreter that is none: its status, not a signal
        code, _, err = run(capsys, "trace", "--python", false, "--name", "f", "prog.py")
        assert code == 1 and f"{false} exited with status 1 and the recorder never wrote" in err
    (toy / "quits.py").write_text("import os, toypkg\ntoypkg.fib(2)\nos._exit(5)\n")
    code, _, err = run(capsys, "trace", "--python", sys.executable, "--name", "q", "quits.py")
    assert code == 5 and "exited with status 5 and the recorder never wrote: os._exit in the program" in err
    assert not store.path_of("f").exists() and not store.path_of("q").exists()
    assert not store.path_of("y").exists() and not store.path_of("z").exists()


def test_a_trace_kept_under_the_same_name_while_the_program_ran_is_not_replaced(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another run keeps a trace of the name while this one runs (here: the program
    itself): without --force it stays, and this run says its own is not kept."""
    kept = store.path_of("race")
    (toy / "race.py").write_text(
        f"import pathlib, toypkg\ntoypkg.fib(2)\n"
        f"path = pathlib.Path({str(kept)!r})\npath.parent.mkdir(parents=True, exist_ok=True)\n"
        "path.write_text('the other run')\n"
    )
    code, _, err = run(capsys, "trace", "--python", sys.executable, "--name", "race", "race.py")
    assert code == 2 and "a trace named 'race' was kept by another run while this one ran" in err
    assert kept.read_text() == "the other run"
    code, _, err = run(capsys, "trace", "--python", sys.executable, "--name", "race", "--force", "race.py")
    assert code == 0 and store.load("race").name == "race"


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or sys.platform == "win32", reason="POSIX signals")
def test_sigterm_to_trace_ends_the_program_keeps_what_ran_and_leaves_no_scratch(
    toy: Path, tmp_path: Path
) -> None:
    """SIGTERM (or SIGHUP) to codewalk trace is passed on to the program: it never
    outlives codewalk, what it ran until then is kept (``timeout 60 codewalk trace``), and
    the scratch directory goes."""
    (toy / "slow.py").write_text(
        "import os, time, toypkg\ntoypkg.square(3)\nprint(os.getpid(), flush=True)\ntime.sleep(120)\n"
    )
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    argv = [sys.executable, "-m", "codewalk", "trace", "--python", sys.executable, "--name", "s", "slow.py"]
    codewalk = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert codewalk.stdout is not None
    program = int(codewalk.stdout.readline())
    try:
        codewalk.send_signal(signal.SIGTERM)
        _, err = codewalk.communicate(timeout=60)
        assert codewalk.returncode == 128 + signal.SIGTERM, err
        assert f"codewalk: the program was terminated by a signal with status {128 + signal.SIGTERM}" in err
        kept = store.load("s")
        assert (kept.ended, kept.status) == ("terminated", 128 + signal.SIGTERM)
        assert "toypkg.square" in [f.qualname for f in kept.functions]
        deadline = time.monotonic() + 10
        while running(program) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(program)
        assert list(scratch.iterdir()) == []
    finally:
        if running(program):
            os.kill(program, signal.SIGKILL)


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or sys.platform == "win32", reason="POSIX signals")
def test_sigterm_again_while_the_trace_is_written_is_the_same_request(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``timeout`` signals codewalk's whole process group and codewalk passes the signal
    on: the program gets it twice, and the second, while its trace is being written, must
    not end it half-written (here: a thread sending it again and again)."""
    (toy / "flood.py").write_text(
        "import os, signal, threading, time, toypkg\n"
        "toypkg.square(3)\n"
        "def flood():\n"
        "    while True:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        time.sleep(0.0002)\n"
        "threading.Thread(target=flood, daemon=True).start()\n"
        "time.sleep(60)\n"
    )
    code, _, err = run(capsys, "trace", "--python", sys.executable, "--name", "flood", "flood.py")
    assert code == 128 + signal.SIGTERM, err
    kept = store.load("flood")
    assert (kept.ended, kept.status) == ("terminated", 128 + signal.SIGTERM)


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or sys.platform == "win32", reason="POSIX signals")
def test_a_programs_own_sigterm_handler_is_the_one_that_runs(toy: Path) -> None:
    """The recorder writes on SIGTERM only where the program leaves it to end the
    process: a handler of the program's own is kept, and decides how the run ends."""
    (toy / "handles.py").write_text(
        "import os, signal, sys, time, toypkg\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(toypkg.square(2)))\n"
        "print(os.getpid(), flush=True)\n"
        "time.sleep(120)\n"
    )
    argv = [sys.executable, "-m", "codewalk", "trace", "--python", sys.executable, "--name", "h"]
    argv.append("handles.py")
    codewalk = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert codewalk.stdout is not None
    program = int(codewalk.stdout.readline())
    try:
        codewalk.send_signal(signal.SIGTERM)
        _, err = codewalk.communicate(timeout=60)
        assert codewalk.returncode == 4, err
        kept = store.load("h")
        assert (kept.ended, kept.status) == ("exit", 4)
    finally:
        if running(program):
            os.kill(program, signal.SIGKILL)


def test_a_run_where_nothing_pinned_ran_keeps_no_trace_and_says_so(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (toy / "idle.py").write_text("print('nothing of toypkg')\n")
    assert main(["trace", "--python", sys.executable, "--name", "idle", "idle.py"]) == 2
    said = capsys.readouterr().err.splitlines()
    assert said == [f"codewalk: no trace kept: nothing of the pinned packages ran in {sys.executable}"]
    assert not store.path_of("idle").exists()


def test_a_program_that_fails_at_import_is_said_first_and_the_python_only_when_it_lacks_the_pins(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "trace", "--python", sys.executable, "--name", "m", "-m", "nonexistent_mod_zz")
    said = [line for line in err.splitlines() if line.startswith("codewalk: ")]
    assert code == 1 and said == [
        "codewalk: the program raised with status 1 (ImportError: No module named nonexistent_mod_zz)",
        f"codewalk: no trace kept: nothing of the pinned packages ran in {sys.executable}",
    ]  # toypkg is importable there: the Python is the right one
    away = toy / "away"  # a script's directory is its path: toypkg cannot be imported from here
    away.mkdir()
    (away / "away.py").write_text("import toypkg\n")
    code, _, err = run(capsys, "trace", "--python", sys.executable, "--name", "a", "away/away.py")
    said = [line for line in err.splitlines() if line.startswith("codewalk: ")]
    assert code == 1 and said[0].startswith("codewalk: the program raised with status 1 (ModuleNotFoundError")
    assert said[1] == (
        f"codewalk: no trace kept: nothing of the pinned packages ran in {sys.executable}, and none of "
        "them is installed there: is it the Python that has them? (--python PY names another)"
    )
    assert not store.path_of("m").exists() and not store.path_of("a").exists()


def test_a_kept_trace_that_holds_no_call_is_not_shown(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A trace with no call (kept by an earlier codewalk) has nothing to show."""
    traced(capsys)
    kept = store.load("toy")
    empty = kept._replace(
        name="idle",
        repos=(),
        functions=(),
        nodes=kept.nodes[:1],
        lines=(),
        wrappers=(),
        imported=frozenset(),
        direct=None,
    )
    store.path_of("idle").write_text(store.encode(empty), encoding="utf-8")
    for shown in ("--plain", "--no-color"):  # as text, and in the terminal UI (were there one)
        code, out, err = run(capsys, "tour", "--trace", "idle", shown)
        assert (code, out) == (2, "")
        assert err == (
            "codewalk: error: trace 'idle' holds no call: "
            f"nothing of the pinned packages ran in {empty.executable}\n"
        )
    code, out, _ = run(capsys, "tour", "--trace", "idle", "--json")
    assert code == 0 and json.loads(out)["nodes"] == []


def test_tour_trace_plain_and_json(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    traced(capsys)
    code, out, _ = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "trace 'toy': prog.py  [toy (no version) (installed copy at " + str(toy) + ")]"
    assert lines[2] == (
        "  step 1 is what the program's imports ran, each folded into one line; "
        "the program's own calls start at step 2, fib"
    )
    rows = tree_rows(out)
    assert [number for number, _, _ in rows] == list(range(1, len(rows) + 1))  # each numbered by its step
    fib = [(depth, label) for _, depth, label in rows if label.startswith("fib  ")]
    assert [depth for depth, _ in fib] == [0, 1, 2, 3]  # recursion, deeper each level
    # a row called from the program (or from another repository's code) says whose it is
    assert fib[0][1].startswith("fib  [toy]  x1 ") and not any("[toy]" in label for _, label in fib[1:])
    order = next(at for at, (_, _, label) in enumerate(rows) if label.startswith("order  "))
    _, depth, label = rows[order + 1]
    assert depth == 1 and label.startswith("key  x3 ")  # under order, through sorted
    code, out, _ = run(capsys, "tour", "--trace", "toy", "--json")
    nodes = json.loads(out)["nodes"]
    order = next(i for i, node in enumerate(nodes) if node["qualname"] == "toypkg.order")
    assert [(n["qualname"], n["calls"]) for n in nodes if n["parent"] == order] == [("toypkg.key", 3)]
    wrapper = next(i for i, node in enumerate(nodes) if node["qualname"].endswith("logged.<locals>.wrapper"))
    assert [nodes[n]["qualname"] for n in nodes[wrapper]["wraps"]] == ["toypkg.double"]
    assert nodes[json.loads(out)["first_call"]]["qualname"] == "toypkg.fib"  # after the import of toypkg
    code, _, err = run(capsys, "tour", "--trace", "toy", "--json", "--step", "3")
    assert code == 2 and "--json gives the whole tree" in err  # not silently the whole tree


def test_tour_trace_step_prints_that_step_and_refuses_one_past_the_end(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--step K`` on a trace does what it does on a tour: the step the plain tree numbers
    K, alone; a step the trace does not have is refused in the words a tour uses."""
    traced(capsys)
    _, out, _ = run(capsys, "tour", "--trace", "toy", "--plain")
    rows = tree_rows(out)
    order = next(number for number, _, label in rows if label.startswith("order  "))
    assert "the program's own calls start at step 2, fib" in out and rows[1][2].startswith("fib  [toy]")
    code, out, _ = run(capsys, "tour", "--trace", "toy", "--plain", "--step", str(order))
    assert code == 0 and tree_rows(out) == [(order, 0, rows[order - 1][2])] and len(out.splitlines()) == 1
    code, out, _ = run(capsys, "tour", "--trace", "toy", "--plain", "--step", str(len(rows)))
    assert code == 0 and tree_rows(out) == [rows[-1]]
    for step in (len(rows) + 1, 99999, 0, -3):
        code, out, err = run(capsys, "tour", "--trace", "toy", "--plain", "--step", str(step))
        assert (code, out) == (2, "")
        assert err == f"codewalk: error: trace 'toy' has steps 1-{len(rows)}; there is no step {step}\n"


def test_a_deep_tree_prints_as_json_and_as_text(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A recursion 3,000 calls deep: the JSON is a flat list (nested objects overflowed
    the stack), the text is one line per call."""
    deep = "import sys\nimport toypkg\nsys.setrecursionlimit(10_000)\ntoypkg.down(3000)\n"
    (toy / "deep.py").write_text(deep)
    with (toy / "toypkg" / "__init__.py").open("a") as handle:
        handle.write("\n\ndef down(n):\n    return down(n - 1) if n else 0\n")
    assert main(["trace", "--python", sys.executable, "--name", "deep", "deep.py"]) == 0
    code, out, _ = run(capsys, "tour", "--trace", "deep", "--json")
    assert code == 0
    nodes = json.loads(out)["nodes"]
    downs = [node for node in nodes if node["qualname"] == "toypkg.down"]
    assert len(downs) == 3001
    assert all(nodes[node["parent"]]["qualname"] == "toypkg.down" for node in downs[1:])
    code, out, _ = run(capsys, "tour", "--trace", "deep", "--plain")
    found = [(depth, label) for _, depth, label in tree_rows(out) if label.startswith("down  ")]
    rows = [label for _, label in found]
    assert code == 0 and len(rows) == 3001 and rows[0].startswith("down  [toy]  x1 ")
    assert [depth for depth, _ in found] == list(range(found[0][0], found[0][0] + 3001))
    assert all(row.startswith("down  x1 ") for row in rows[1:])


def test_a_trace_read_as_a_tour_writes_names_as_code(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """In a step's note every name of code is a code span: ``counting.<locals>.count`` is
    not cut at its ``<locals>``, the program's ``<module>`` frame is shown as it is; a
    decorator's wrapper is read as the function it wraps, called through it."""
    from codewalk.tours.traced import trace_tour
    from codewalk.traces.reading import open_trace

    traced(capsys)
    opened = open_trace("toy")
    traced_tour = trace_tour(opened.trace, opened.tree)
    steps = traced_tour.tour.steps
    notes = {step.at: step.note for step, depth in zip(steps, traced_tour.depths, strict=True) if depth == 0}
    assert "toypkg.logged.<locals>.wrapper" not in notes
    double = notes["toypkg.double"]  # the program's call (another is under twice)
    assert double.startswith("`double` (in `toypkg`) ran **1** time here, ")
    called = "Called by the program (from `prog.py:10` `<module>`, through `logged.<locals>.wrapper`)."
    assert called in double
    count = next(step.note for step in steps if step.at == "toypkg.counting.<locals>.count")
    assert count.startswith("`counting.<locals>.count` (in `toypkg`) ran **1** time here, ")
    assert "Called by `counting` (line " in count


def test_a_root_called_through_a_run_of_other_code_names_it_as_one_run(
    toy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The program calls ``square`` through two frames of code outside the pinned packages
    (a model called through torch's ``_wrapped_call_impl`` and ``_call_impl``): one run,
    ``through A → B``, as a call from inside the pinned code says it, not
    ``through A, through B`` as if each were a decorator's wrapper of its own."""
    row = _row_called_through(toy, capsys, monkeypatch, ["__call__", "_call_impl"])
    assert row.endswith("(from called.py:8 <module>, through Module.__call__ → Module._call_impl)"), row


def _row_called_through(
    toy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, hops: list[str]
) -> str:
    """The tour's row of ``Fourier.__call__`` in a trace of a program calling it as a
    module's ``forward``, through ``hops``: methods of a class outside the program's
    directory and the pins, each calling the next, as torch's ``Module.__call__`` runs
    ``_wrapped_call_impl`` then ``_call_impl`` then ``forward``."""
    library = toy.parent / "library"  # neither the program's directory nor a pinned package's
    library.mkdir()
    (library / "machinery.py").write_text(
        "class Module:\n"
        + "".join(
            f"    def {hop}(self, x):\n        return self.{after}(x)\n\n"
            for hop, after in zip(hops, [*hops[1:], "forward"], strict=True)
        )
    )
    monkeypatch.setenv("PYTHONPATH", str(library))
    (toy / "called.py").write_text(
        "import toypkg, machinery\n\n\nclass Layer(machinery.Module):\n"
        "    forward = toypkg.Fourier.__call__\n\n\nLayer()(3)\n"
    )
    assert main(["trace", "--python", sys.executable, "--name", "run", "called.py"]) == 0
    code, out, _ = run(capsys, "tour", "--trace", "run", "--plain", "--no-color")
    assert code == 0, out
    return next(line for line in out.splitlines() if " Fourier.__call__  " in line)


def test_a_root_called_through_a_wrapper_of_other_code_is_called_by_the_program(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The program calls ``square`` through a decorator's wrapper outside the pinned
    packages (as ``@torch.no_grad()`` is): the call is the program's, through the wrapper;
    a trace kept before codewalk recorded such wrappers still reads."""
    (toy / "outside.py").write_text(
        "import functools\n\ndef guarded(func):\n    @functools.wraps(func)\n"
        "    def decorate(*args):\n        return func(*args)\n    return decorate\n"
    )
    (toy / "wrapped.py").write_text("import toypkg, outside\n\noutside.guarded(toypkg.square)(3)\n")
    assert main(["trace", "--python", sys.executable, "--name", "w", "wrapped.py"]) == 0
    code, out, _ = run(capsys, "tour", "--trace", "w", "--plain", "--no-color")
    row = next(line for line in out.splitlines() if " square  " in line)
    assert code == 0 and row.endswith("(from wrapped.py:3 <module>, through guarded.<locals>.decorate)")
    code, out, _ = run(capsys, "tour", "--trace", "w", "--json")
    square = next(node for node in json.loads(out)["nodes"] if node["qualname"] == "toypkg.square")
    assert (square["call_line"], square["passed"]) == (3, ["guarded.<locals>.decorate (outside.py)"])
    head, body = store.path_of("w").read_text().splitlines()
    older = json.loads(body)
    del older["passed"]
    store.path_of("w").write_text(f"{head}\n{json.dumps(older)}\n")
    code, out, _ = run(capsys, "tour", "--trace", "w", "--plain", "--no-color")
    row = next(line for line in out.splitlines() if " square  " in line)
    assert code == 0 and row.endswith("(from wrapped.py:3 <module>)")


def test_each_function_that_ran_is_read_as_a_definition(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A module's own code is the module; a comprehension or a lambda the function around
    it; a function defined inside another (a closure, a decorator's wrapper) its own
    definition, found in its host's body."""
    from codewalk.traces.joined import ENCLOSING, MODULE, OWN, definition_of, read_as, why_not_indexed
    from codewalk.traces.model import Function
    from codewalk.traces.reading import open_trace

    traced(capsys)
    opened = open_trace("toy")
    workspace = opened.stack.workspace("toy")
    functions = {f.name: f for f in opened.trace.functions}
    found = {name: definition_of(workspace, f) for name, f in functions.items()}
    module = found["<module>"]
    assert module is not None and module.kind == "module"
    assert (module.path, module.start_line) == ("toypkg/__init__.py", 1)
    for name in ("squares.<locals>.<listcomp>", "squares.<locals>.<lambda>"):
        around = found[name]
        assert around is not None and around.qualname == "toypkg.squares", name
        assert read_as(functions[name]) == ENCLOSING
    fib = found["fib"]
    assert fib is not None and fib.qualname == "toypkg.fib" and read_as(functions["fib"]) == OWN
    assert read_as(functions["<module>"]) == MODULE
    for nested, host in (("counting.<locals>.count", "counting"), ("logged.<locals>.wrapper", "logged")):
        definition = found[nested]
        assert definition is not None and definition.qualname == f"toypkg.{nested}", nested
        assert definition.via == f"defined in {host} (line {definition.line})"
        assert read_as(functions[nested]) == OWN and why_not_indexed(functions[nested]) == ""
    inner = Function("toy", "toypkg/__init__.py", "toypkg", "f.<locals>.g.<locals>.<listcomp>", 3)
    assert read_as(inner) == ENCLOSING and why_not_indexed(inner) == "a comprehension"


def test_path_and_calls_with_a_trace(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    traced(capsys)
    code, out, _ = run(capsys, "path", "toypkg.total", "toypkg.square", "--trace", "toy")
    assert code == 0
    assert "toypkg.total -> toypkg.square: 1 chain ran in trace 'toy'" in out
    assert "  numbers  toypkg/__init__.py:" in out
    code, out, _ = run(capsys, "path", "toypkg.total", "toypkg.square", "--trace", "toy", "--json")
    assert json.loads(out)["compiled"] is False  # a key of every answer: Python code, recorded
    chain = json.loads(out)["chains"][0]
    assert [hop["qualname"] for hop in chain] == ["toypkg.total", "toypkg.numbers", "toypkg.square"]
    code, out, _ = run(capsys, "path", "toypkg.generate", "toypkg.square", "--trace", "toy", "--json")
    chains = [[hop["qualname"] for hop in chain] for chain in json.loads(out)["chains"]]
    assert chains == [  # from the program's call: the one inside it is part of a chain, not one
        ["toypkg.generate", "toypkg.square"],
        ["toypkg.generate", "toypkg.generate", "toypkg.square"],
    ]
    code, _, err = run(capsys, "path", "toypkg.branch", "toypkg.square", "--trace", "toy")
    assert code == 1 and "toypkg.square did not run" not in err and "no chain from toypkg.branch" in err
    code, out, _ = run(capsys, "calls", "toypkg.recover", "--trace", "toy")
    assert code == 0
    assert "toypkg.recover" in out.splitlines()[0] and "ran x1" in out.splitlines()[0]
    assert "fail -> toypkg.fail  [ran x1]" in out
    code, out, _ = run(capsys, "calls", "toypkg.in_thread", "--trace", "toy", "--json")
    data = json.loads(out)
    assert data["ran"] == 1
    code, _, err = run(capsys, "calls", "toypkg.fib", "--trace", "nothere")
    assert code == 2 and "no trace named 'nothere'" in err
    code, _, err = run(capsys, "calls", "toypkg.fib", "--trace", "toy", "--at", "toy@2")
    assert code == 2 and "leave out --at" in err  # an option it would ignore, as tour --trace says
    code, _, err = run(capsys, "path", "toypkg.fib", "toypkg.square", "--trace", "toy", "--source", str(toy))
    assert code == 2 and err.startswith("codewalk: error: --trace reads each repository at the version")
    assert "leave out --source" in err


def test_calls_with_a_trace_tell_a_call_that_ran_into_code_a_trace_does_not_record(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``pick(True)``: ``math.floor`` ran (its line did; the standard library's calls are
    not recorded), ``math.ceil`` did not; ``Made(1.5)`` ran its inherited ``__init__``."""
    traced(capsys)
    code, out, _ = run(capsys, "calls", "toypkg.pick", "--trace", "toy", "--all")
    assert code == 0, out
    assert "Made -> toypkg.Made  [ran x1]" in out
    assert "math.floor  [line ran]" in out
    assert "math.ceil  [not run]" in out
    assert "also ran" not in out  # Base.__init__ is the site's, not a call elsewhere
    assert out.rstrip().endswith(LINE_RAN_END)
    code, out, _ = run(capsys, "calls", "toypkg.pick", "--trace", "toy", "--json")
    sites = {site["expr"]: site for site in json.loads(out)["calls"]}
    floor, ceil = sites["math.floor"], sites["math.ceil"]
    assert (floor["ran"], floor["line_ran"], floor["ran_unrecorded"]) == (0, True, True)
    assert (ceil["ran"], ceil["line_ran"], ceil["ran_unrecorded"]) == (0, False, False)
    assert sites["Made"]["ran"] == 1 and sites["Made"]["targets_ran"] == ["toypkg.Made"]
    code, out, _ = run(capsys, "calls", "toypkg.branch", "--trace", "toy")
    assert "line ran" not in out  # nothing there to run unrecorded


def test_a_wrapper_is_read_as_the_function_it_wraps(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``twice`` calls ``double`` through ``logged``'s wrapper: the chain, the calls and a
    draft name ``double``, called through the wrapper; the plain tree shows it so."""
    traced(capsys)
    code, out, _ = run(capsys, "path", "toypkg.twice", "toypkg.double", "--trace", "toy")
    assert code == 0, out
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  twice  "))
    assert lines[at + 1].split() == [str(TWICE_CALLS), "return", "double(x)", "+", "double(x)", "x2"]
    assert lines[at + 2].strip() == "through logged.<locals>.wrapper, a decorator's wrapper"
    assert lines[at + 3].startswith(f"  double  toypkg/__init__.py:{DOUBLE_DEF}  ")  # its def, as find says
    code, out, _ = run(capsys, "path", "toypkg.twice", "toypkg.double", "--trace", "toy", "--json")
    hops = json.loads(out)["chains"][0]
    assert [hop["qualname"] for hop in hops] == ["toypkg.twice", "toypkg.double"]
    assert hops[1]["through"] == ["toypkg.logged.<locals>.wrapper"]
    code, out, _ = run(capsys, "calls", "toypkg.twice", "--trace", "toy")
    # two calls of double on the line: a trace cannot tell which made which call
    assert out.count("double -> toypkg.double  [ran x2 at this line, by this call or another]") == 2, out
    code, out, _ = run(capsys, "tour", "--trace", "toy", "--plain")
    assert any(depth == 1 and label.startswith("double  x2 ") for _, depth, label in tree_rows(out))
    assert f"(line {TWICE_CALLS}, through logged.<locals>.wrapper)" in out
    assert "wrapper  x" not in out
    draft = toy / "twice.yaml"
    run(capsys, "draft", "toypkg.twice", "toypkg.double", "--trace", "toy", "-o", str(draft))
    assert 'title: "twice calls double through logged.<locals>.wrapper (ran 2 times)"' in draft.read_text()


SHARED = """

def shared(func):
    def wrapper(x):
        check(x)
        return func(x)

    return wrapper


def check(x):
    return x


@shared
def first(x):
    return x


@shared
def second(x):
    return check(x + 1)


def both():
    for each in (first, second):
        each(1)
"""


def test_functions_sharing_a_wrapper_are_each_called_where_the_wrapper_was(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line calls ``first`` then ``second``, both through one decorator's wrapper (one
    node of the tree, called twice): each is called from that line through the wrapper,
    with its own count, neither under the other; the wrapper's own calls, made for both,
    are its own, under it."""
    program = "import toypkg\nfor make in (toypkg.first, toypkg.second): make(1)\ntoypkg.both()\n"
    traced_with(toy, capsys, SHARED, "multi", program)
    source = (toy / "toypkg" / "__init__.py").read_text().splitlines()

    def line(text: str) -> int:
        return source.index(text) + 1

    code, out, _ = run(capsys, "tour", "--trace", "multi", "--plain")
    rows = [(depth, label.split("  ")[0], label.split("(")[-1]) for _, depth, label in tree_rows(out)]
    through = "through shared.<locals>.wrapper)"
    assert code == 0 and rows[-11:] == [
        (0, "shared.<locals>.wrapper", "from multi.py:2 <module>)"),
        (1, "check", f"line {line('        check(x)')})"),
        (0, "first", f"from multi.py:2 <module>, {through}"),
        (0, "second", f"from multi.py:2 <module>, {through}"),
        (1, "check", f"line {line('    return check(x + 1)')})"),
        (0, "both", "from multi.py:3 <module>)"),
        (1, "shared.<locals>.wrapper", f"line {line('        each(1)')})"),
        (2, "check", f"line {line('        check(x)')})"),
        (1, "first", f"line {line('        each(1)')}, {through}"),
        (1, "second", f"line {line('        each(1)')}, {through}"),
        (2, "check", f"line {line('    return check(x + 1)')})"),
    ], out
    assert all(f"{name}  [toy]  x1 " in out for name in ("first", "second"))
    from codewalk.tours.traced import trace_tour
    from codewalk.traces.reading import open_trace

    opened = open_trace("multi")
    wrapper_note = next(
        s.note for s in trace_tour(opened.trace, opened.tree).tour.steps if s.at.endswith("wrapper")
    )
    assert "shared by the functions it ran here (`first`, `second`)" in wrapper_note
    code, out, _ = run(capsys, "tour", "--trace", "multi", "--json")
    nodes = json.loads(out)["nodes"]
    wrapper = next(i for i, node in enumerate(nodes) if node["qualname"].endswith("shared.<locals>.wrapper"))
    assert [nodes[n]["qualname"] for n in nodes[wrapper]["wraps"]] == ["toypkg.first", "toypkg.second"]
    assert nodes[next(i for i, node in enumerate(nodes) if node["qualname"] == "toypkg.check")]["wraps"] == []
    code, out, err = run(capsys, "path", "toypkg.first", "toypkg.second", "--trace", "multi")
    assert code == 1 and "no chain" in out + err, out + err
    code, out, _ = run(capsys, "calls", "toypkg.both", "--trace", "multi")
    assert "toypkg.first  [ran x1, " in out and "toypkg.second  [ran x1, " in out, out


def test_nested_wrappers_of_one_code_are_read_through_to_the_function_they_wrap(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A config's attribute set after it is made runs the class's ``@strict`` wrapper,
    which runs the base's (one code), which runs the base's ``__setattr__``: one row, the
    base's ``__setattr__`` through both, each wrapper's check (``square``) under it. The outer wrapper
    was a row of its own, the inner read as the function it wraps. A nested function
    recursing stays a call inside itself. ``calls --trace`` of the wrapper counts each
    call its line made once (the base's ``__setattr__`` was counted for both wrappers)."""
    program = "import toypkg\nc = toypkg.Child()\nc.x = 1\ntoypkg.countdown(2)\n"
    traced_with(toy, capsys, NESTED_STRICT, "nested", program)
    source = (toy / "toypkg" / "__init__.py").read_text().splitlines()
    code, out, _ = run(capsys, "tour", "--trace", "nested", "--plain")
    rows = [(depth, label.split("  ")[0], label.split("(")[-1]) for _, depth, label in tree_rows(out)]
    through = "through strict.<locals>.__strict_setattr__"
    recursing = f"line {source.index('        return down(k - 1) if k else 0') + 1})"
    assert code == 0 and rows[-6:] == [
        (0, "Base.__setattr__", f"from nested.py:3 <module>, {through}, {through})"),
        (
            1,
            "square",
            f"line {source.index('        square(value)') + 1} of strict.<locals>.__strict_setattr__)",
        ),
        (0, "countdown", "from nested.py:4 <module>)"),
        (1, "countdown.<locals>.down", f"line {source.index('    return down(n)') + 1})"),
        (2, "countdown.<locals>.down", recursing),
        (3, "countdown.<locals>.down", recursing),
    ], out
    assert "square  x2 " in out  # each wrapper's
    # the wrapper's line ran twice: once calling the inner wrapper, once the base's __setattr__
    code, out, _ = run(capsys, "calls", "toypkg.strict.<locals>.__strict_setattr__", "--trace", "nested")
    assert "-> toypkg.strict.<locals>.__strict_setattr__  [ran x1, " in out, out
    assert "-> toypkg.Base.__setattr__  x1\n" in out, out


ADDING = """

class Num:
    def __init__(self, v):
        self.v = v

    def __add__(self, other):
        return Num(self.v + other.v)


def total_of(nums, start):
    return sum(nums, start)


def later():
    return 1


def deferred():
    call = functools.partial(later)
    return call()
"""


def test_what_code_a_trace_does_not_record_called_back_is_no_count_of_its_call(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``self.lr_scheduler.step()`` (torch's) said ``[ran x12]`` for one call a step: the
    learning-rate lambda and a property it called back, six times each. ``sum(nums,
    start)`` calls ``Num.__add__`` twice from inside it: its line ran, its calls are not
    counted, and what it called back is said to be called from inside it."""
    program = "import toypkg\ntoypkg.total_of([toypkg.Num(1), toypkg.Num(2)], toypkg.Num(0))\n"
    traced_with(toy, capsys, ADDING, "adding", program)
    code, out, _ = run(capsys, "calls", "toypkg.total_of", "--trace", "adding")
    assert code == 0
    assert "  sum  [line ran]\n" in out, out
    assert "-> toypkg.Num.__add__  [ran x2, called from inside it]" in out
    assert out.rstrip().endswith(LINE_RAN_END)


def test_a_function_passed_as_a_value_and_called_later_is_not_said_not_run_where_it_was_passed(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``functools.partial(self.accelerator.no_sync, ...)`` in ``_run_epoch`` was
    ``[not run]`` on its line, ``no_sync`` ``[ran x3]`` on the next, where the partial is
    called: the line that passes it ran, and says so."""
    traced_with(toy, capsys, ADDING, "deferring", "import toypkg\ntoypkg.deferred()\n")
    code, out, _ = run(capsys, "calls", "toypkg.deferred", "--trace", "deferring")
    assert code == 0
    assert "later -> toypkg.later  [line ran: passed as a value, not called here]" in out, out
    assert "call -> toypkg.later  [ran x1]" in out


PASSING = """

class Step:
    def prep(self, x):
        return x

    def run(self, items):
        return apply_each(self.prep, items)


class Doubled(Step):
    def prep(self, x):
        return 2 * x


def apply_each(function, items):
    return [function(i) for i in items]
"""


def test_a_method_of_many_candidates_passed_as_a_value_is_not_said_not_run_where_it_was_passed(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``PipelineDataset(inputs, self.preprocess, ...)`` in ``Pipeline.get_iterator``, whose
    ``self`` may be any of 27 pipelines: ``[not run]``, and each candidate ``[not run]``,
    while the line ran and ``TextGenerationPipeline.preprocess`` was called later, from
    the dataset. As for one candidate, the line that passes it says so."""
    traced_with(toy, capsys, PASSING, "passing", "import toypkg\ntoypkg.Doubled().run([1, 2])\n")
    code, out, _ = run(capsys, "calls", "toypkg.Step.run", "--trace", "passing")
    assert code == 0
    assert (
        "  self.prep  [line ran: passed as a value, not called here]\n"
        "            -> toypkg.Step.prep  [not called here]\n"
        "            -> toypkg.Doubled.prep  [not called here]\n"
    ) in out, out
    code, out, _ = run(capsys, "calls", "toypkg.apply_each", "--trace", "passing")
    assert "-> toypkg.Doubled.prep  [ran x2" in out, out


HOLDING = """

class Runner:
    def __init__(self, function):
        self.function = function

    def go(self, x):
        return self.function(x)


def twice(x):
    return 2 * x
"""


def test_an_attribute_holding_what_ran_is_not_said_not_run(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``self.infer(item, **self.params)`` in ``PipelineIterator.__next__`` (``self.infer =
    infer``, a parameter): ``[ran x10]``, then the attribute ``PipelineIterator.infer [not
    run]`` above what it held, which ran. The attribute runs nothing: it holds what ran."""
    traced_with(toy, capsys, HOLDING, "holding", "import toypkg\ntoypkg.Runner(toypkg.twice).go(3)\n")
    code, out, _ = run(capsys, "calls", "toypkg.Runner.go", "--trace", "holding")
    assert code == 0
    assert (
        "  self.function  [ran x1]\n"
        "            -> toypkg.Runner.function  [holds what ran: below]\n"
        "            -> toypkg.twice  [ran x1, not among the static targets]\n"
    ) in out, out


def test_draft_along_the_chain_that_ran(
    toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    traced(capsys)
    out = tmp_path / "drafted.yaml"
    code, printed, _ = run(capsys, "draft", "toypkg.total", "toypkg.square", "--trace", "toy", "-o", str(out))
    assert code == 0, printed
    text = out.read_text()
    assert "  - at: toypkg.total\n" in text and "  - at: toypkg.numbers\n" in text
    assert 'focus: "yield square(i)"' in text
    code, printed, _ = run(capsys, "check", str(out), "--source", str(toy))
    assert code == 0, printed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "is not a trace file (not JSON)"),
        (b"[1, 2]", "is not a trace file"),
        (b'{"format": 99}', "is of trace format 99, and this codewalk reads formats 2 and 3"),
        (b'{"format": 1, "nodes": []}', "is of trace format 1, and this codewalk reads formats 2 and 3"),
        (b'{"format": 2}', "is damaged: 'module'"),
    ],
)
def test_a_kept_trace_that_cannot_be_read_is_one_line(
    toy: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = store.path_of("bad")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    code, _, err = run(capsys, "tour", "--trace", "bad", "--plain")
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) <= 2
    code, out, _ = run(capsys, "traces")
    assert code == 0 and "bad  (cannot be read: " in out


def damage(part: int, change: Any) -> None:
    """Change line ``part`` (0: the summary, 1: the records) of the kept trace 'toy'."""
    path = store.path_of("toy")
    parts = [json.loads(line) for line in path.read_text().splitlines()]
    change(parts[part])
    path.write_text("".join(json.dumps(part) + "\n" for part in parts))


DAMAGES = {  # what a damaged file says: (which line, the change)
    "node 1 names what is not there": (1, lambda body: body["nodes"][1].__setitem__(2, 10_000)),
    "a function of 'elsewhere', a repository the trace does not name": (
        1,
        lambda body: body["functions"][0].__setitem__(0, "elsewhere"),
    ),
    "the installed copy of 'toy' is not at an absolute path": (
        0,
        lambda head: head["repos"][0].__setitem__(3, "relative/dir"),
    ),
    "a wrapper names a function that is not there": (1, lambda body: body["wrappers"].append([0, 10_000])),
    "a wrapper of other code names what is not there": (1, lambda body: body["passed"].append([1, 10_000])),
    "its summary counts another number of functions": (0, lambda head: head.__setitem__("functions", 1)),
    "a process start names what is not there": (1, lambda body: body["processes"].append([10_000, 1, 1])),
    "a module import names what is not there": (1, lambda body: body["imports"].append([1, 1, "", 1])),
    "a module import is not a whole number": (1, lambda body: body["imports"].append([1, "1", "m", 1])),
}


@pytest.mark.parametrize("message", DAMAGES)
def test_damaged_records_are_refused_not_followed(
    toy: Path, capsys: pytest.CaptureFixture[str], message: str
) -> None:
    traced(capsys)
    damage(*DAMAGES[message])
    code, _, err = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 2 and f"is damaged: {message}" in err, err


def test_traces_lists_from_the_summary_and_a_trace_is_named_by_its_file(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    traced(capsys)
    copy = store.path_of("copy")
    copy.write_bytes(store.path_of("toy").read_bytes())
    code, out, _ = run(capsys, "traces", "--json")
    assert sorted(item["name"] for item in json.loads(out)["traces"]) == ["copy", "toy"]
    code, out, _ = run(capsys, "tour", "--trace", "copy", "--plain")
    assert code == 0 and out.startswith("trace 'copy': prog.py")
    whole = copy.read_bytes()
    store.path_of("toy").write_bytes(whole[: len(whole) // 2])  # cut short: its end is read too
    code, out, _ = run(capsys, "traces")
    assert code == 0 and "toy  (cannot be read: trace 'toy' (" in out
    assert out.rstrip().endswith("is damaged: it ends before its records do)")
    store.path_of("toy").write_text(store.path_of("toy").read_text().splitlines()[0] + "\n{not json}\n")
    code, out, _ = run(capsys, "traces")
    assert code == 0 and "toy  prog.py  toy (no version)" in out  # the summary and the end, no more
    code, _, err = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 2 and "is damaged: its records are not JSON" in err
    store.path_of("toy").write_bytes(copy.read_bytes().replace(str(toy).encode(), str(toy / "gone").encode()))
    code, _, err = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 2 and f"ran toy from its installed copy at {toy / 'gone'}, which is gone" in err


def test_traces_delete(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    traced(capsys)
    code, out, _ = run(capsys, "traces", "--delete", "toy")
    assert code == 0 and "deleted trace 'toy'" in out
    code, _, err = run(capsys, "traces", "--delete", "toy")
    assert code == 2 and "no trace named 'toy'" in err
    code, out, _ = run(capsys, "traces")
    assert out.startswith("no traces yet")


def write_tour(directory: Path, program: str, focus: str = "return sum(numbers(n))") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tour = directory / "toy.yaml"
    tour.write_text(
        f"title: Toy\nrepo: toy\nprogram: {program}\nsteps:\n"
        f"  - at: toypkg.total\n    focus: {json.dumps(focus)}\n"
        "  - at: toypkg.branch\n    focus: 'return \"no\"'\n"
        "  - at: toypkg.fail\n"
    )
    return tour


def test_check_run_reads_a_branch_by_its_body(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A step focused on an ``if`` (or a loop) alone is about its branch: the test running
    is not the branch taken. Beside a focus that ran, the test is said, not the step."""
    tour = toy / "branches.yaml"
    tour.write_text(
        "title: Branches\nrepo: toy\nprogram: prog.py\nsteps:\n"
        "  - at: toypkg.warn\n    focus: 'if flag:'\n"
        "  - at: toypkg.warn\n    focus: 'for _ in range(flag):'\n"
        "  - at: toypkg.fib\n    focus: 'if n < 2:'\n"
        "  - at: toypkg.warn\n    focus: ['return flag', 'if flag:']\n"
    )
    code, out, _ = run(capsys, "check", "--run", "--python", sys.executable, str(tour))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "NOT RUN branches: 2 of 4 steps ran (trace 'check-branches')"
    warn = package_line(
        "def warn(flag):  # a test that runs, its branch not taken; a loop that never goes round"
    )
    test, loop = warn + 1, warn + 3
    untaken = "ran only its test: the body under it did not"
    assert lines[1].startswith("  not run ")
    assert f"step 1 (toypkg.warn): ran (x1), but its focus (line {test}) {untaken}" in lines[1]
    assert f"step 2 (toypkg.warn): ran (x1), but its focus (line {loop}) {untaken}" in lines[2]
    assert lines[3].startswith("  ran ") and lines[3].endswith("step 3 (toypkg.fib): x9")
    assert lines[4].startswith("  ran ")
    assert lines[4].endswith(f"step 4 (toypkg.warn): x1; 1 of its 2 focus regions (line {test}) {untaken}")


SWITCH = """

def switch(flag):
    if flag:
        value = 1
    else:  # the way not taken
        value = 2
    try:
        value += 1
    finally:
        value += 2
    return value
"""


def test_check_trace_reads_an_else_or_finally_line_by_its_body(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python runs nothing on ``else:`` or ``finally:`` (peft's ``disable_adapter``,
    ``else:  # LoRA, LoHa, etc.``): a step focused on one ran when its body did."""
    traced_with(toy, capsys, SWITCH, "switch", "import toypkg\ntoypkg.switch(True)\n")
    tour = toy / "clauses.yaml"
    tour.write_text(
        "title: Clauses\nrepo: toy\nsteps:\n"
        "  - at: toypkg.switch\n    focus: 'finally:'\n"
        "  - at: toypkg.switch\n    focus: 'else:  # the way not taken'\n"
    )
    code, out, _ = run(capsys, "check", str(tour), "--trace", "switch")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "NOT RUN clauses: 1 of 2 steps ran (trace 'switch')"
    assert lines[1].startswith("  ran ") and lines[1].endswith("step 1 (toypkg.switch): x1")
    assert lines[2].startswith("  not run ") and "step 2 (toypkg.switch): ran (x1), but its focus" in lines[2]


def test_check_run_says_which_steps_ran(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tour = write_tour(toy, "prog.py")
    code, out, _ = run(capsys, "check", "--run", "--python", sys.executable, str(tour))
    assert code == 1  # step 2's focus is a branch that does not run
    lines = out.splitlines()
    assert lines[0] == "NOT RUN toy: 2 of 3 steps ran (trace 'check-toy')"
    assert lines[1].startswith("  ran        ") and lines[1].endswith("step 1 (toypkg.total): x1")
    assert "step 2 (toypkg.branch): ran (x1), but its focus (line 65) did not execute" in lines[2]
    assert lines[3].endswith("step 3 (toypkg.fail): x1")
    code, out, _ = run(capsys, "check", "--run", "--json", "--python", sys.executable, str(tour))
    data = json.loads(out)
    assert [s["ran"] for s in data["tours"][0]["steps"]] == ["ran", "not run", "ran"]


def test_a_step_marked_not_run_passes_when_it_does_not_run_and_is_said_stale_when_it_does(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Step 2 talks about a branch the program does not take: marked ``not_run``, check
    --run passes; the same mark on step 1, which runs, is out of date: it fails."""
    tour = write_tour(toy, "prog.py")
    text = tour.read_text()
    marked = "    focus: 'return \"no\"'\n    not_run: the program asks for yes\n"
    tour.write_text(text.replace("    focus: 'return \"no\"'\n", marked))
    code, out, _ = run(capsys, "check", "--run", "--python", sys.executable, str(tour))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "ran     toy: 2 of 3 steps ran, 1 not run as marked (trace 'check-toy')"
    assert lines[2].startswith("  not run    ") and lines[2].endswith(": as marked: the program asks for yes")
    stale = tour.read_text().replace('    focus: "return sum', '    not_run: never\n    focus: "return sum')
    tour.write_text(stale)
    code, out, _ = run(capsys, "check", "--run", "--json", "--python", sys.executable, str(tour))
    assert code == 1
    first = json.loads(out)["tours"][0]["steps"][0]
    assert (first["ran"], first["ok"]) == ("ran", False)
    assert first["detail"] == "x1, though marked not_run (never): the mark is out of date"
    code, out, _ = run(capsys, "check", "--run", "--python", sys.executable, str(tour))
    assert code == 1
    assert out.startswith("STALE   toy: 2 of 3 steps ran, 1 not run as marked (trace 'check-toy')")


def test_check_run_never_replaces_a_good_trace_with_one_where_nothing_ran(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = write_tour(toy, "prog.py")
    assert run(capsys, "check", "--run", "--python", sys.executable, str(tour))[0] == 1
    good = store.path_of("check-toy").read_bytes()
    (toy / "idle.py").write_text("print('nothing of toypkg')\n")
    write_tour(toy, "idle.py")
    code, out, _ = run(capsys, "check", "--run", "--python", sys.executable, str(tour))
    assert code == 1 and out.splitlines() == [
        f"FAILED  toy: no trace kept: nothing of the pinned packages ran in {sys.executable}"
    ]  # not the verdicts of the earlier run's trace
    assert store.path_of("check-toy").read_bytes() == good


def test_check_run_stopped_by_ctrl_c_stops_and_says_no_verdict(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ctrl+c while a tour's program runs (its KeyboardInterrupt) stops the check, status
    130: the steps left to run are not said "not run" (exit 1, as a broken tour)."""
    (toy / "stopped.py").write_text("import toypkg\n\ntoypkg.total(3)\nraise KeyboardInterrupt\n")
    tour = write_tour(toy, "stopped.py")
    code, out, err = run(capsys, "check", "--run", "--python", sys.executable, str(tour))
    assert (code, out) == (130, "")
    assert "the program was interrupted with status 130" in err and err.endswith("codewalk: interrupted\n")


def test_a_step_skipped_at_the_version_that_ran_is_not_traced_not_broken(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check`` says a step for other versions is skipped (ok); ``check --run`` says the
    same of it, never "broken" (a skipped step has no target)."""
    from codewalk.cli.check_run import verdict
    from codewalk.tours.model import ResolvedStep, Step

    traced(capsys)
    step = Step(2, "toypkg.gone", None, (), None, None, "", 6, versions="<1")
    error = "not read at toy@2.0: this step is for toy <1"
    skipped = ResolvedStep(step, "skipped", None, None, (), (), error, "toy", "2.0")
    found = verdict(store.load("toy"), skipped)
    assert (found.word, found.detail, found.ok) == ("not traced", error, True)


def test_a_tours_line_counts_the_steps_a_trace_cannot_see_apart() -> None:
    """``tokenizer-call`` against a run of it: "NOT RUN tokenizer-call: 5 of 15 steps ran",
    though 9 of the 10 others are a stub or Rust, which no trace sees (and which do not
    fail the check): the line says how many are not traced."""
    from codewalk.cli.check_run import _headline

    steps = [{"ran": "ran", "ok": True}, {"ran": "not traced", "ok": True}, {"ran": "not traced", "ok": True}]
    report = {"id": "t", "trace": "x", "status": 0, "ok": True, "steps": steps}
    assert _headline(report) == "ran     t: 1 of 3 steps ran, 2 not traced (trace 'x')"
    report |= {"ok": False, "steps": [*steps, {"ran": "not run", "ok": False}]}
    assert _headline(report) == "NOT RUN t: 1 of 4 steps ran, 2 not traced (trace 'x')"


def test_a_program_outside_the_tours_directory_never_runs(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tours = toy / "tours"
    tour = write_tour(tours, "../prog.py")
    code, out, _ = run(capsys, "check", "--run", str(tour))
    assert code == 1 and "'program' '../prog.py' must be a .py file inside the tour's directory" in out
    os.symlink(toy / "prog.py", tours / "linked.py")
    tour = write_tour(tours, "linked.py")
    code, out, _ = run(capsys, "check", "--run", "--python", sys.executable, str(tour))
    assert code == 1 and "is not inside the tour's directory" in out
    assert not store.path_of("check-toy").exists()
    code, out, _ = run(capsys, "check", str(tour), "--source", str(toy))  # without --run, nothing runs
    assert code == 0 and not store.path_of("check-toy").exists()


def test_what_a_trace_would_ignore_is_refused(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """check --run reads each tour at the versions its program ran, calls --trace marks
    one level: an option they would ignore is said, not dropped."""
    tour = toy / "t.yaml"
    tour.write_text("id: t\ntitle: T\nrepo: toy\nprogram: prog.py\nsteps:\n  - at: toypkg.fib\n")
    for extra, said in (
        (["--at", "toy@2"], "leave out --at"),
        (["--source", str(toy)], "leave out --source"),
        (["--strict"], "leave out --strict"),
    ):
        code, out, err = run(capsys, "check", "--run", *extra, str(tour))
        assert (code, out) == (2, "") and "check --run reads each tour at the versions its program ran" in err
        assert said in err
    code, _, err = run(capsys, "check", "--python", sys.executable, str(tour))
    assert code == 2 and "--python names the interpreter of check --run" in err
    assert not store.path_of("check-t").exists()  # nothing ran
    traced(capsys)
    code, out, err = run(capsys, "calls", "toypkg.fib", "--trace", "toy", "--depth", "2")
    assert (code, out) == (2, "") and "calls --trace marks the calls one level deep: leave out --depth" in err


def test_check_trace_says_which_steps_ran_in_a_run_recorded_before(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The verdicts of ``check --run``, of a run the reader recorded: nothing runs, the
    trace is named by the reader, and several tours are read against it."""
    traced(capsys, "mine")
    tour = write_tour(toy / "tours", "prog.py")
    other = tour.with_name("other.yaml")
    other.write_text("title: Other\nrepo: toy\nsteps:\n  - at: toypkg.fib\n  - at: toypkg.recover\n")
    code, out, _ = run(capsys, "check", "--trace", "mine", str(tour), str(other))
    assert code == 1  # step 2's focus is a branch that does not run
    lines = out.splitlines()
    assert lines[0] == "NOT RUN toy: 2 of 3 steps ran (trace 'mine')"
    assert lines[1].startswith("  ran        ") and lines[1].endswith("step 1 (toypkg.total): x1")
    assert "step 2 (toypkg.branch): ran (x1), but its focus (line 65) did not execute" in lines[2]
    assert lines[4] == "ran     other: 2 of 2 steps ran (trace 'mine')"
    assert not store.path_of("check-toy").exists()  # the tour's program did not run
    code, out, _ = run(capsys, "check", "--trace", "mine", "--json", str(tour))
    data = json.loads(out)["tours"][0]
    assert (data["trace"], data["status"], data["ok"]) == ("mine", 0, False)
    assert [s["ran"] for s in data["steps"]] == ["ran", "not run", "ran"]
    assert set(data["steps"][0]) == {"index", "line", "anchor", "ran", "detail", "ok"}  # as --run's


def test_check_trace_of_every_tour_says_which_tours_the_run_took(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a tour named, every tour is read against the run: a line for each tour it
    took steps of, most steps first, then one line for the tours none of whose steps ran
    (not a line per step of each), and how to see a tour's steps. The JSON keeps them all."""
    traced(capsys, "mine")  # prog.py: calls toypkg.total, not gather or steps
    tours = toy / "tours"
    write_tour(tours, "prog.py")  # toy: 2 of its 3 steps run
    (tours / "all.yaml").write_text(
        "title: All\nrepo: toy\nsteps:\n  - at: toypkg.total\n  - at: toypkg.numbers\n  - at: toypkg.total\n"
    )
    for name in ("never", "nor"):
        (tours / f"{name}.yaml").write_text(
            f"title: {name}\nrepo: toy\nsteps:\n  - at: toypkg.gather\n  - at: toypkg.steps\n"
        )
    code, out, _ = run(capsys, "check", "--trace", "mine", "--tours-dir", str(tours))
    assert code == 1  # steps did not run
    lines = out.splitlines()
    assert lines[:3] == [
        "ran     all: 3 of 3 steps ran (trace 'mine')",
        "NOT RUN toy: 2 of 3 steps ran (trace 'mine')",
        "none    never, nor: none of their steps ran",
    ]
    assert lines[3].startswith("no run  accelerate-backends, ")  # the shipped tours: none about toy
    assert lines[4:] == ["each step of a tour: codewalk check TOUR --trace mine"]
    code, out, _ = run(capsys, "check", "--trace", "mine", "--tours-dir", str(tours), "--json")
    read = [t for t in json.loads(out)["tours"] if "steps" in t]  # every step, as before
    assert [(t["id"], len(t["steps"])) for t in read] == [("all", 3), ("never", 2), ("nor", 2), ("toy", 3)]


def test_check_trace_of_every_tour_says_which_tours_have_broken_steps(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A step that names nothing at the versions that ran is broken, not run: said of all
    tours, a tour of broken steps is named as such, not as one none of whose steps ran
    (nor is one with steps that ran left without a word of its broken step)."""
    traced(capsys, "mine")  # prog.py: calls toypkg.total, not gather
    tours = toy / "tours"
    tours.mkdir()
    (tours / "gone.yaml").write_text("title: Gone\nrepo: toy\nsteps:\n  - at: toypkg.no_such_thing\n")
    (tours / "half.yaml").write_text(
        "title: Half\nrepo: toy\nsteps:\n  - at: toypkg.total\n  - at: toypkg.no_such_thing\n"
    )
    (tours / "never.yaml").write_text(
        "title: Never\nrepo: toy\nsteps:\n  - at: toypkg.gather\n  - at: toypkg.no_such_thing\n"
    )
    code, out, _ = run(capsys, "check", "--trace", "mine", "--tours-dir", str(tours))
    assert code == 1
    lines = out.splitlines()
    assert lines[:3] == [
        "NOT RUN half: 1 of 2 steps ran (trace 'mine')",
        "none    never: none of their steps ran",
        "broken  gone, half, never: steps of theirs do not resolve at the versions that ran",
    ]
    code, out, _ = run(capsys, "check", "--trace", "mine", str(tours / "gone.yaml"))
    assert code == 1 and "  broken     " in out  # the tour's own steps say why


def test_a_tours_not_run_marks_are_weighed_only_against_a_run_of_its_own_program(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``not_run`` mark speaks of the tour's ``program:``: a run of another program
    that takes the marked step is no stale mark (it is said, not weighed); a run of the
    tour's own program, recorded by ``check --run``, weighs it."""
    traced(capsys, "mine")  # prog.py: calls toypkg.total
    (toy / "quiet.py").write_text("import toypkg\n\ntoypkg.fib(3)\n")  # beside the package
    tour = toy / "marked.yaml"
    reason = "the tour's program computes fib alone"
    tour.write_text(
        f"title: Marked\nrepo: toy\nprogram: quiet.py\nsteps:\n  - at: toypkg.total\n    not_run: {reason}\n"
    )
    said = f"x1; the tour marks it not_run for its program ({reason})"
    code, out, _ = run(capsys, "check", "--trace", "mine", str(tour))
    assert code == 0 and out.splitlines()[1].endswith(f"step 1 (toypkg.total): {said}"), out
    assert "out of date" not in out
    code, out, _ = run(capsys, "tour", str(tour), "--trace", "mine", "--plain")
    assert code == 0 and f"trace 'mine': ran ({said})" in out
    code, out, _ = run(capsys, "check", "--run", "--python", sys.executable, str(tour))
    assert code == 0 and out.splitlines()[1].endswith(f"step 1 (toypkg.total): as marked: {reason}"), out
    code, out, _ = run(capsys, "check", "--trace", "check-marked", str(tour))  # that run, read again
    assert code == 0 and f"as marked: {reason}" in out


def test_check_trace_refuses_what_it_cannot_read(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--run with --trace, an option a trace would ignore, a trace or a tour no one has:
    each one line, exit 2, nothing run."""
    tour = write_tour(toy, "prog.py")
    code, out, err = run(capsys, "check", "--run", "--trace", "toy", str(tour))
    assert (code, out) == (2, "") and "--trace reads one: not both" in err
    for extra in (["--at", "toy@2"], ["--source", str(toy)], ["--strict"]):
        code, out, err = run(capsys, "check", "--trace", "toy", *extra, str(tour))
        assert (code, out) == (
            2,
            "",
        ) and "check --trace reads each tour at the versions its program ran" in err
    code, out, err = run(capsys, "check", "--trace", "nosuch", str(tour))
    assert (code, out) == (2, "") and "no trace named 'nosuch'" in err and "Traceback" not in err
    traced(capsys)
    code, out, err = run(capsys, "check", "--trace", "toy", "nosuch-tour")
    assert (code, out) == (2, "") and "nosuch-tour" in err and "Traceback" not in err
    assert not store.path_of("check-toy").exists()
    kept = store.path_of("toy")  # the installed copy that ran is gone: it cannot be read, and says why
    kept.write_bytes(kept.read_bytes().replace(str(toy).encode(), str(toy / "gone").encode()))
    gone = f"ran toy from its installed copy at {toy / 'gone'}, which is gone"
    for argv in (["check", str(tour)], ["tour", str(tour), "--plain"]):
        code, out, err = run(capsys, *argv, "--trace", "toy")
        assert (code, out) == (2, "") and gone in err


def test_a_trace_of_none_of_a_tours_repositories_is_said_not_walked(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tour of a repository the run never ran: said once, naming the tour's file, the
    repositories it reads and those the run ran, not a "not run" per step."""
    traced(capsys)
    pins = Path(os.environ["CODEWALK_PINS"])
    other = '[other]\nurl = "https://example.invalid/o.git"\ntag = "v1"\npackage_root = "."\n'
    other += 'packages = ["otherpkg"]\nrelease = "otherpkg==1"\n'
    pins.write_text(pins.read_text() + other)
    tour = toy / "other.yaml"
    tour.write_text("title: Other\nrepo: other\nsteps:\n  - at: otherpkg.f\n")
    moved = toy / "tours" / "other.yaml"  # alone in a tours directory
    moved.parent.mkdir()
    shutil.copy(tour, moved)
    said = f"trace 'toy' ran none of the repositories of tour 'other' ({tour}): "
    said += "the tour reads other, the run ran toy"
    code, out, err = run(capsys, "check", "--trace", "toy", str(tour))
    assert (code, out) == (1, f"FAILED  other: {said}\n"), err
    code, out, _ = run(capsys, "check", "--trace", "toy", "--tours-dir", str(toy / "tours"))
    assert code == 0  # of all tours (the shipped ones too): those this run is not about, in one line
    (about_others,) = [line for line in out.splitlines() if line.startswith("no run  ")]
    assert ", other, " in about_others and about_others.endswith(": of repositories the run did not run")
    code, out, _ = run(capsys, "check", "--trace", "toy", "--tours-dir", str(toy / "tours"), "--json")
    (listed,) = [t for t in json.loads(out)["tours"] if t["id"] == "other"]
    assert listed == {
        "id": "other",
        "path": str(moved),
        "ok": True,
        "error": said.replace(str(tour), str(moved)),
    }
    for how in ("--plain", "--json"):
        code, out, err = run(capsys, "tour", str(tour), "--trace", "toy", how)
        assert (code, out, err) == (2, "", f"codewalk: error: {said}\n")


def test_a_broken_step_against_a_trace_is_broken(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    traced(capsys)
    tour = toy / "broken.yaml"
    tour.write_text("title: Broken\nrepo: toy\nsteps:\n  - at: toypkg.fib\n  - at: toypkg.nosuch\n")
    code, out, _ = run(capsys, "check", "--trace", "toy", str(tour))
    assert code == 1
    assert (
        out.splitlines()[2]
        == f"  broken     {tour}:5: step 2 (toypkg.nosuch): 'toypkg.nosuch' names nothing in toy@local"
    )
    code, out, _ = run(capsys, "tour", str(tour), "--trace", "toy", "--plain", "--no-color")
    assert code == 1 and "\ntrace 'toy': broken ('toypkg.nosuch' names nothing in toy@local)\n" in out


def test_a_tour_walked_against_a_trace_says_under_each_step_whether_it_ran(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    traced(capsys)
    tour = write_tour(toy, "prog.py")
    code, out, _ = run(capsys, "tour", str(tour), "--trace", "toy", "--plain", "--no-color")
    assert code == 0
    lines = out.splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith(("1/3  ", "2/3  ", "3/3  "))]
    assert [lines[i + 1] for i in headers] == [
        "trace 'toy': ran (x1)",
        "trace 'toy': not run (ran (x1), but its focus (line 65) did not execute)",
        "trace 'toy': ran (x1)",
    ]
    code, out, _ = run(capsys, "tour", str(tour), "--trace", "toy", "--json")
    steps = json.loads(out)["steps"]
    assert steps[0]["version"] == "local"  # the copy that ran, not the pin (which has no release)
    assert code == 0 and steps[1]["run"] == {
        "ran": "not run",
        "detail": "ran (x1), but its focus (line 65) did not execute",
        "ok": False,
    }
    code, out, _ = run(capsys, "tour", str(tour), "--json")
    assert "run" not in json.loads(out)["steps"][0]  # no trace, no verdict (the pin: it has no release)


def test_a_tour_walked_against_a_trace_refuses_what_it_would_ignore(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    traced(capsys)
    tour = write_tour(toy, "prog.py")
    code, out, err = run(capsys, "tour", str(tour), "--trace", "toy", "--at", "toy@2", "--plain")
    assert (code, out) == (2, "") and "--trace reads each repository at the version that ran" in err
    code, out, err = run(capsys, "tour", str(tour), "--trace", "toy", "--edit")
    assert (code, out) == (2, "") and "--new and --edit record a tour: not both" in err
    code, out, err = run(capsys, "tour", str(tour), "--trace", "nosuch", "--plain")
    assert (code, out) == (2, "") and "no trace named 'nosuch'" in err


def test_a_directory_or_a_zip_with_a_main_runs_as_python_runs_it(
    toy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """``python DIR`` and ``python APP.pyz`` run their ``__main__.py``: so does trace (a
    directory was refused as no program file, a zip run as source: a SyntaxError)."""
    import zipapp

    app = toy / "app"
    app.mkdir()
    (app / "__main__.py").write_text("import toypkg\nprint('app', toypkg.fib(5))\n")
    zipapp.create_archive(app, tmp_path / "app.pyz")
    monkeypatch.setenv("PYTHONPATH", str(toy))  # a zip's sys.path[0] is the zip
    for name, target in (("dir", "app"), ("zip", str(tmp_path / "app.pyz"))):
        code, out, err = run(capfd, "trace", "--python", sys.executable, "--name", name, target)
        assert code == 0 and "app 5" in out, err
        assert "fib" in {f.name for f in store.load(name).functions}


def test_a_call_at_no_site_is_given_the_line_it_ran_at(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``box[1]`` runs ``Box.__getitem__``: no call site names it; it ran at the
    subscript's line, not at ``__getitem__``'s own."""
    traced(capsys, "toy", "joined")
    code, out, _ = run(capsys, "calls", "toypkg.unbox", "--trace", "toy")
    assert code == 0
    at = package_line("    return box[1]")
    assert f"  {at:>6}  -> toypkg.Box.__getitem__  x1" in out
    code, out, _ = run(capsys, "calls", "toypkg.unbox", "--trace", "toy", "--json")
    (unplaced,) = json.loads(out)["unplaced"]
    assert (unplaced["qualname"], unplaced["line"], unplaced["calls"]) == ("toypkg.Box.__getitem__", at, 1)


def test_calls_with_a_trace_read_self_as_the_class_the_question_names(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``FastEngine.run`` is ``Engine.run`` with ``self`` a ``FastEngine``: its
    ``self.step()`` is ``FastEngine.step`` alone, as ``calls`` without a trace says."""
    traced(capsys, "toy", "joined")
    code, out, _ = run(capsys, "calls", "toypkg.FastEngine.run", "--trace", "toy", "--all")
    assert code == 0
    assert "step -> toypkg.FastEngine.step  [ran x1]" in out, out
    assert "SlowEngine" not in out and "toypkg.Engine.step" not in out
    code, out, _ = run(capsys, "calls", "toypkg.FastEngine.run", "--source", str(toy), "--json")
    static = [t["qualname"] for site in json.loads(out)["calls"] for t in site["targets"]]
    assert static == ["toypkg.FastEngine.step"]


def test_a_call_at_a_sites_line_is_that_sites_even_when_codewalk_names_another_target(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Unet(False).proj`` is a ``Steps`` a factory passed in made, where codewalk reads the
    ``Fourier`` assigned first: ``Steps.__call__`` ran at the site, not somewhere no site
    leads to."""
    traced(capsys, "toy", "joined")
    code, out, _ = run(capsys, "calls", "toypkg.Unet.embed", "--trace", "toy", "--all")
    assert code == 0
    at = package_line("        return self.proj(x)")
    assert f"  {at:>6}  self.proj  [ran x1]" in out, out
    assert "-> toypkg.Steps.__call__  [ran x1, not among the static targets]" in out
    assert "-> toypkg.Fourier.__call__  [not run]" in out
    assert "toypkg.Unet.proj" not in out  # the attribute holds what runs: it runs nothing itself
    assert "also ran" not in out and "line ran" not in out
    code, out, _ = run(capsys, "calls", "toypkg.Unet.embed", "--trace", "toy", "--json")
    (site,) = json.loads(out)["calls"]
    assert [f["qualname"] for f in site["reached"]] == ["toypkg.Steps.__call__"]
    assert json.loads(out)["unplaced"] == []


def test_a_call_at_a_line_of_several_sites_none_names_goes_to_none_of_them(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``self.outer(self.inner(x))``, both attributes of a type codewalk cannot tell: a
    trace records the line of a call, not which of the two made it, so what ran is said
    at the line, not given to the first site there (``self.down_proj(self.act_fn(x))``
    gave SiLU's forward to down_proj)."""
    traced(capsys, "toy", "joined")
    code, out, _ = run(capsys, "calls", "toypkg.Pair.apply", "--trace", "toy", "--all")
    assert code == 0
    at = package_line("        return self.outer(self.inner(x))")
    assert "ran x" not in "".join(line for line in out.splitlines() if line.startswith(f"  {at:>6}  self."))
    assert f"  {at:>6}  -> toypkg.Steps.__call__  x2" in out.split("also ran")[1]


def test_a_call_a_cache_answered_ran_its_line_not_its_function(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``available`` is under ``@functools.lru_cache``: its second call is answered from
    the cache and runs none of its code, so the trace records no call at that line,
    which ran. It is ``line ran``, as a call into code a trace does not record is, not
    ``not run`` (``is_torch_available()`` in ``Pipeline.__call__``)."""
    traced(capsys, "toy", "joined")
    code, out, _ = run(capsys, "calls", "toypkg.ready", "--trace", "toy")
    assert code == 0
    first, second = package_line("    available()"), package_line("    return available()")
    assert f"  {first:>6}  available -> toypkg.available  [ran x1]" in out, out
    assert f"  {second:>6}  available -> toypkg.available  [line ran]" in out, out
    assert out.rstrip().endswith(LINE_RAN_END)
    code, out, _ = run(capsys, "calls", "toypkg.ready", "--trace", "toy", "--json")
    assert [(s["line"], s["ran"], s["ran_unrecorded"]) for s in json.loads(out)["calls"]] == [
        (first, 1, False),
        (second, 0, True),
    ]


ONE_LINE = """

class Options:
    @property
    def extra(self):
        return None

    def scale(self):
        return self.extra.get("scale") if self.extra is not None else None


class Bar:
    def __call__(self, items):
        return items


bar = vars()["Bar"]()  # an instance of a class codewalk cannot tell


def loop(table):
    for key in bar(table.items()):
        pass
"""


def test_a_run_at_a_line_of_several_calls_naming_it_is_not_given_to_the_first(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``self.extra.get(...) if self.extra is not None else None``: the getter ran once, for
    the condition; a trace records the line, not which read: both reads say so, neither
    "not run". ``bar(table.items())``, ``bar`` an instance: its ``__call__`` ran at the
    line, by ``bar(...)`` or by ``table.items()`` (codewalk reads neither): said at the
    line, not given to ``table.items``."""
    traced_with(
        toy, capsys, ONE_LINE, "line", "import toypkg\ntoypkg.Options().scale()\ntoypkg.loop({1: 2})\n"
    )
    source = (toy / "toypkg" / "__init__.py").read_text().splitlines()
    at = source.index('        return self.extra.get("scale") if self.extra is not None else None') + 1
    code, out, _ = run(capsys, "calls", "toypkg.Options.scale", "--trace", "line")
    reads = [line for line in out.splitlines() if line.startswith(f"  {at:>6}  self.extra -> ")]
    assert code == 0 and len(reads) == 2, out
    assert all(line.endswith("[ran x1 at this line, by this call or another]") for line in reads), out
    assert "a trace\nrecords the line of a call, not its column" in out
    code, out, _ = run(capsys, "calls", "toypkg.Options.scale", "--trace", "line", "--json")
    sites = [site for site in json.loads(out)["calls"] if site["expr"] == "self.extra"]
    assert [(site["ran"], site["beside_by_target"]) for site in sites] == [(0, [1]), (0, [1])]
    at = source.index("    for key in bar(table.items()):") + 1
    code, out, _ = run(capsys, "calls", "toypkg.loop", "--trace", "line", "--all")
    assert code == 0 and "ran x" not in "".join(
        line for line in out.splitlines() if line.startswith(f"  {at:>6}")
    )
    assert f"  {at:>6}  -> toypkg.Bar.__call__  x1" in out.split("also ran")[1], out


def test_a_property_read_through_getattribute_ran(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``thing.size`` runs ``Lookup.__getattribute__``, then (from C code) the getter: the
    read ran, through ``__getattribute__``."""
    traced(capsys, "toy", "joined")
    code, out, _ = run(capsys, "calls", "toypkg.measure", "--trace", "toy")
    assert code == 0
    assert "thing.size -> toypkg.Lookup.size  [ran x1 through __getattribute__]" in out, out
    assert "also ran" not in out
    code, out, _ = run(capsys, "calls", "toypkg.measure", "--trace", "toy", "--json")
    (site,) = json.loads(out)["calls"]
    assert site["targets_ran"] == ["toypkg.Lookup.size"]
    assert (site["ran_by_target"], site["looked_up_by_target"]) == ([0], [1])


def test_a_subscript_beside_a_builtin_is_not_the_builtins(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``isinstance(box, Box) and box[2]``: ``__getitem__`` is the subscript's."""
    traced(capsys, "toy", "joined")
    code, out, _ = run(capsys, "calls", "toypkg.checked", "--trace", "toy")
    assert code == 0
    at = package_line("    return isinstance(box, Box) and box[2]")
    assert f"  {at:>6}  -> toypkg.Box.__getitem__  x1" in out.split("also ran")[1], out
    assert "\n1 call of builtins or on untyped values left out" in out


def test_calls_with_a_trace_name_the_library_whose_compiled_code_a_line_that_ran_called(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``crush`` calls ``crunch``, which the toy's ``.pyi`` stub declares: its line ran,
    and the end says whose Rust a trace does not record, the toy's (it said tokenizers'
    for a call into safetensors' too)."""
    traced(capsys, "toy", "joined")
    code, out, _ = run(capsys, "calls", "toypkg.crush", "--trace", "toy")
    assert code == 0, out
    assert "crunch -> toypkg._native.crunch  [line ran]" in out, out
    assert "(what a .pyi stub\ndeclares: toy's Rust), torch" in out, out
    assert "tokenizers" not in out


def test_path_with_a_trace_to_compiled_code_gives_the_chains_to_the_lines_calling_it(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``crunch`` is declared in a ``.pyi`` stub: a trace cannot record it, so the answer is
    the chain to the line that calls it, which ran (not "did not run")."""
    traced(capsys, "toy", "joined")
    at = package_line("    return crunch(x)")
    code, out, _ = run(capsys, "path", "toypkg.grind", "toypkg._native.crunch", "--trace", "toy")
    assert code == 0, out
    assert "toypkg._native.crunch is compiled code (a .pyi stub declares it): a trace cannot record it" in out
    assert "1 chain to a line calling it ran in trace 'toy'" in out
    lines = out.splitlines()
    unrecorded = "line ran (calls toypkg._native.crunch: compiled, not recorded)"
    assert lines[-1].split() == [str(at), "return", "crunch(x)", *unrecorded.split()]
    assert any(line.startswith("  crush  toypkg/__init__.py:") for line in lines)
    code, out, _ = run(capsys, "path", "toypkg.grind", "toypkg._native.crunch", "--trace", "toy", "--json")
    data = json.loads(out)
    assert code == 0 and data["compiled"] is True
    (chain,) = data["chains"]
    assert [hop["qualname"] for hop in chain] == ["toypkg.grind", "toypkg.crush", "toypkg._native.crunch"]
    assert (chain[-1]["call_line"], chain[-1]["calls"]) == (at, None)
    assert list(chain[-1]) == list(chain[0])  # the compiled hop has every hop's keys, in order
    code, out, _ = run(capsys, "path", "toypkg.crush", "toypkg._native.crunch", "--trace", "toy")
    assert code == 0 and "1 chain to a line calling it ran" in out  # FROM holds the line
    code, _, err = run(capsys, "path", "toypkg.unbox", "toypkg._native.crunch", "--trace", "toy")
    assert code == 1
    assert "a trace cannot record it, and none of the call sites codewalk lists for it (1) ran" in err
    assert "codewalk callers toypkg._native.crunch" in err
    code, out, _ = run(capsys, "calls", "toypkg.crush", "--trace", "toy")
    assert "crunch -> toypkg._native.crunch  [line ran]" in out  # as path says


def test_path_with_a_trace_to_a_name_no_pin_provides_says_a_trace_cannot_record_it(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``path A torch.nn.utils.clip_grad_norm_ --trace`` said "no definition found in
    transformers", with "did you mean" names of other pins: the name is of a package no
    pin provides (or of the standard library), which a trace never records."""
    traced(capsys, "toy", "joined")
    code, _, err = run(capsys, "path", "toypkg.total", "torch.nn.utils.clip_grad_norm_", "--trace", "toy")
    assert code == 1
    assert err.startswith(
        "codewalk: error: torch.nn.utils.clip_grad_norm_ is in another package (no pin provides torch): "
        "a trace records the calls into the pinned packages only\n"
    ), err
    assert "did you mean" not in err and "codewalk calls toypkg.total --trace toy" in err
    code, _, err = run(capsys, "path", "toypkg.total", "os.path.join", "--trace", "toy")
    assert code == 1 and "os.path.join is in another package (in Python's standard library)" in err


def test_what_a_generator_expression_of_the_body_calls_is_the_functions_call(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``gather``'s generator expressions run in frames of their own, one consumed by
    ``tuple()``, one by ``consume``: their calls are ``gather``'s, at its lines. Its lambda
    is called by ``call_it``: what the lambda calls is ``call_it``'s call, not ``gather``'s."""
    traced(capsys, "toy", "joined")
    code, out, _ = run(capsys, "calls", "toypkg.gather", "--trace", "toy")
    assert code == 0
    firsts = package_line("    firsts = tuple(square(i) for i in range(n))")
    assert f"  {firsts:>6}  square -> toypkg.square  [ran x2]" in out, out
    seconds = package_line("    seconds = consume(double(i) for i in range(n))")
    assert f"  {seconds:>6}  double -> toypkg.double  [ran x2]" in out
    assert f"  {seconds:>6}  consume -> toypkg.consume  [ran x1]" in out
    returned = package_line("    return firsts, seconds, call_it(lambda x: fib(x))")
    assert f"  {returned:>6}  fib -> toypkg.fib  [not run]" in out
    assert "<genexpr>" not in out and "also ran" not in out
    code, out, _ = run(capsys, "calls", "toypkg.squares", "--trace", "toy")
    assert "also ran" not in out and "<lambda>" not in out  # map() called it: squares' code
    code, out, _ = run(capsys, "calls", "toypkg.call_it", "--trace", "toy")
    assert "-> toypkg.gather.<locals>.<lambda>  [ran x1, not among the static targets]" in out


def test_a_comprehension_in_a_chain_is_placed_at_its_own_line(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A comprehension has no ``def`` to look for below its first line: the next one found
    there is the following function's (``generate``), not its own place."""
    traced(capsys)
    code, out, _ = run(capsys, "path", "toypkg.squares", "toypkg.square", "--trace", "toy")
    assert code == 0
    at = package_line("    return [square(i) for i in range(n)] + list(map(lambda i: square(i), range(n)))")
    hops = [line.split()[:2] for line in out.splitlines() if line.startswith("  squares.")]
    assert hops and all(where == f"toypkg/__init__.py:{at}" for _, where in hops), out


def test_a_chains_counts_are_those_of_the_whole_run(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``steps`` calls ``step`` from two lines, each call of it one ``square``: the chain
    from ``step`` to ``square`` ran twice over the run, as ``calls --trace`` counts it,
    not once (its first place in the tree)."""
    traced(capsys, "toy", "joined")
    code, out, _ = run(capsys, "path", "toypkg.step", "toypkg.square", "--trace", "toy")
    assert code == 0
    at = package_line("    return square(x)")
    assert "1 chain ran" in out and out.splitlines()[-1].strip() == "ran x2", out
    assert [line.split()[-1] for line in out.splitlines() if line.split()[:1] == [str(at)]] == ["x2"]
    code, out, _ = run(capsys, "path", "toypkg.step", "toypkg.square", "--trace", "toy", "--json")
    assert [hop["calls"] for hop in json.loads(out)["chains"][0]] == [2, 2]
    code, out, _ = run(capsys, "calls", "toypkg.step", "--trace", "toy")
    assert "ran x2 in trace" in out.splitlines()[0] and "square -> toypkg.square  [ran x2]" in out


def test_a_goal_that_may_have_run_in_another_process_is_said_so(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``forking`` forks a child that runs ``in_child``, then runs a subprocess: the trace
    keeps where they started, and the chain that did not run says it may have run there."""
    traced(capsys)  # starts no process
    code, _, err = run(capsys, "path", "toypkg.total", "toypkg.in_child", "--trace", "toy")
    assert code == 1 and "toypkg.in_child did not run in trace 'toy'" in err and "process" not in err
    traced(capsys, "forked", "joined")
    at = package_line("    pid = os.fork()")
    code, _, err = run(capsys, "path", "toypkg.forking", "toypkg.in_child", "--trace", "forked")
    assert code == 1
    assert (
        "toypkg.in_child did not run in trace 'forked': it may have run in another process, which a trace "
        f"does not record (the program started 2 processes, the first at toypkg/__init__.py:{at} in forking)"
    ) in err, err
    assert "without --trace" in err  # the hint stays
    code, _, err = run(capsys, "path", "toypkg.forking", "toypkg.square", "--trace", "forked")
    assert "no chain from toypkg.forking to toypkg.square ran in trace 'forked': it may have run in" in err
    code, _, err = run(capsys, "path", "toypkg.total", "toypkg.fib", "--trace", "forked")
    assert "no chain from toypkg.total" in err and "process" not in err  # none started under total


def test_a_row_that_started_processes_says_so_in_the_tree_and_its_note(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """datasets' ``map(num_proc=1)`` runs ``_map_single`` in a pool's worker: in the tree
    (and a step's note) ``Dataset.map`` ran 324 ms with nothing under it doing the work,
    and only ``path --trace`` said a process had been started. The row that started one
    says where, and that it is not traced."""
    from codewalk.tours.traced import trace_tour
    from codewalk.traces.tree import Tree

    traced(capsys, "forked", "joined")
    code, out, _ = run(capsys, "tour", "--trace", "forked", "--plain", "--no-color")
    fork, spawn = (
        package_line("    pid = os.fork()"),
        package_line('    subprocess.run([sys.executable, "-c", ""], check=True)'),
    )
    (row,) = [line for line in out.splitlines() if " forking  " in line]
    assert f"  [started 2 processes at lines {fork}, {spawn}: not traced]" in row, out
    assert sum("not traced]" in line for line in out.splitlines()) == 1
    trace = store.load("forked")
    tour = trace_tour(trace, Tree(trace)).tour
    (note,) = [step.note for step in tour.steps if step.at == "toypkg.forking"]
    assert f"It started 2 processes at lines {fork}, {spawn}, whose code a trace does not record." in note
    traced(capsys)  # starts no process
    code, out, _ = run(capsys, "tour", "--trace", "toy", "--plain", "--no-color")
    assert code == 0 and "not traced]" not in out


LAZY = """

def _attach():
    def __getattr__(name):
        if name in ("first", "second"):
            return square
        raise AttributeError(name)

    return __getattr__


__getattr__ = _attach()
"""


def test_a_lazy_modules_getattr_asked_by_the_program_s_from_import_is_an_import(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``from huggingface_hub import hf_hub_download, ...``: its lazy ``__getattr__`` (made
    by ``_attach``, keeping no name it gives) is asked once by the import machinery and
    again by the statement itself, from the program's line. Both are the import: the
    trace opens on the program's first call past it, not on the second ``__getattr__``."""
    traced_with(toy, capsys, LAZY, "lazy", "from toypkg import first, second\nfirst(2)\n")
    code, out, _ = run(capsys, "tour", "--trace", "lazy", "--json")
    assert code == 0
    answer = json.loads(out)
    assert answer["nodes"][answer["first_call"]]["qualname"] == "toypkg.square"
    getattrs = [n for n in answer["nodes"] if n["qualname"].endswith("<locals>.__getattr__")]
    assert len(getattrs) == 2  # the machinery's and the statement's, both kept in the tree


def test_a_name_the_first_pin_defines_but_another_ran_is_the_one_that_ran(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``calls NAME --trace``: the first pin's definition when it ran; else the other pin's
    that ran (the question is about the run), and when several ran, a choice to make. (A
    function on a module's first line is not the module, whose code starts there too.)"""
    pins = Path(os.environ["CODEWALK_PINS"])
    other = '[other]\nurl = "https://example.invalid/o.git"\ntag = "v1"\npackage_root = "."\n'
    pins.write_text(pins.read_text() + other + 'packages = ["otherpkg"]\nrelease = "otherpkg==1"\n')
    (toy / "otherpkg").mkdir()
    (toy / "otherpkg" / "__init__.py").write_text(
        "def opened(x):\n    return x + 1\n\n\ndef loaded(x):\n    return x * 2\n\n\n"
        "class Box:\n    def loaded(self, x):\n        return loaded(opened(x))\n"
    )
    program = "import toypkg\nimport otherpkg\n\notherpkg.opened(1)\notherpkg.Box().loaded(2)\n"
    added = "\n\ndef opened(x):\n    return x\n\n\ndef loaded(x):\n    return x\n"
    traced_with(toy, capsys, added, "both", program)
    code, out, err = run(capsys, "calls", "opened", "--trace", "both")
    assert code == 0, err
    assert out.splitlines()[0].startswith("otherpkg.opened  otherpkg/__init__.py:1  ran x2 in trace 'both'")
    code, out, err = run(capsys, "calls", "toypkg.opened", "--trace", "both")
    assert code == 0 and "did not run in trace 'both'" in out.splitlines()[0]  # named: answered
    code, out, err = run(capsys, "calls", "loaded", "--trace", "both")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "codewalk: error: 'loaded' is ambiguous: toypkg.loaded did not run in trace 'both',"
        " 2 other definitions did",
        "  hint: name one: otherpkg.loaded (otherpkg/__init__.py:5),"
        " otherpkg.Box.loaded (otherpkg/__init__.py:10)",
    ]
    code, out, err = run(capsys, "tour", "--trace", "both", "--plain")
    assert out.splitlines()[2].startswith("  steps 1-2 are what the program's imports ran, each folded")
    code, out, err = run(capsys, "path", "otherpkg.Box.loaded", "opened", "--trace", "both")
    assert code == 0 and "otherpkg.Box.loaded -> otherpkg.opened: 1 chain ran in trace 'both'" in out


def test_classes_made_on_one_line_each_run_their_own_init_at_their_own_site(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Outer(Inner())``: each class's own ``__init__`` ran at its own site, once; an
    ``__init__`` the class inherits is said at the line, by either (a trace records the
    line of a call, not its column)."""
    added = (
        "\n\nclass Inner:\n    def __init__(self):\n        self.x = 1\n\n\n"
        "class Outer:\n    def __init__(self, inner):\n        self.inner = inner\n\n\n"
        "class Plain(Inner):\n    pass\n\n\n"
        "def build():\n    return Outer(Inner())\n\n\n"
        "def both():\n    return Outer(Plain())\n"
    )
    traced_with(toy, capsys, added, "made", "import toypkg\ntoypkg.build()\ntoypkg.both()\n")
    code, out, err = run(capsys, "calls", "toypkg.build", "--trace", "made")
    assert code == 0, err
    assert "Outer -> toypkg.Outer  [ran x1]" in out and "Inner -> toypkg.Inner  [ran x1]" in out, out
    code, out, err = run(capsys, "calls", "toypkg.both", "--trace", "made")
    assert "Outer -> toypkg.Outer  [ran x1]" in out, out  # Outer's own __init__
    assert "Plain -> toypkg.Plain  [ran x1 at this line, by this call or another]" in out, out


def test_a_finalizer_run_at_a_line_is_no_call_of_that_lines_site(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``h = swallow(1)`` drops the last reference to a ``Holder``, whose ``__del__`` runs
    there: it ran at the line, not by ``swallow(...)``."""
    added = (
        "\n\nclass Holder:\n    def __del__(self):\n        pass\n\n\n"
        "def swallow(n):\n    return n\n\n\n"
        "def drop():\n    h = Holder()\n    h = swallow(1)\n    return h\n"
    )
    traced_with(toy, capsys, added, "gone", "import toypkg\ntoypkg.drop()\n")
    code, out, err = run(capsys, "calls", "toypkg.drop", "--trace", "gone")
    assert code == 0, err
    assert "swallow -> toypkg.swallow  [ran x1]" in out, out
    assert "toypkg.Holder.__del__  x1" in out.split("also ran")[1], out


def test_a_root_called_back_by_other_code_is_not_said_called_by_the_program(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``copy.deepcopy`` (the standard library's Python) calls the pinned ``__deepcopy__``
    back, as ``inspect.getmodule`` asks huggingface_hub's lazy module while torch imports:
    the step's note names that code as the caller, not the program; the program's own
    statement (its ``<module>``) is still the program."""
    from codewalk.tours.traced import trace_tour
    from codewalk.traces.reading import open_trace

    added = (
        "\n\nclass Kept:\n    def __deepcopy__(self, memo):\n        return self\n\n\n"
        "def made():\n    return Kept()\n"
    )
    traced_with(toy, capsys, added, "copied", "import copy\nimport toypkg\n\ncopy.deepcopy(toypkg.made())\n")
    opened = open_trace("copied")
    traced_tour = trace_tour(opened.trace, opened.tree)
    notes = {
        step.at: step.note
        for step, depth in zip(traced_tour.tour.steps, traced_tour.depths, strict=True)
        if depth == 0
    }
    kept = notes["toypkg.Kept.__deepcopy__"]
    assert "Called by code outside the pinned packages and the program (from `copy.py:" in kept
    assert "Called by the program (from `copied.py:4` `<module>`)." in notes["toypkg.made"]


def test_who_called_a_root_is_what_the_recorder_said_and_an_older_trace_reads_as_before(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The recorder marks the roots the program's own code called (``direct``); a trace
    read says so from that mark, not from where the caller's file's name lies (a module of
    the program's imported through a link from outside its directory is the program's, as
    the recorder tells it by its real path). A trace kept before the recorder said it is
    read as before, from the caller's file's name."""
    import json as json_

    from codewalk.tours.traced import trace_tour
    from codewalk.traces.reading import open_trace

    added = "\n\ndef made():\n    return square(2)\n"
    (toy / "lib").mkdir()
    (toy / "lib" / "helper.py").write_text("import toypkg\n\n\ndef make():\n    return toypkg.made()\n")
    link = toy.parent / f"{toy.name}-lib"
    link.symlink_to(toy / "lib")
    program = f"import sys\nsys.path.insert(0, {str(link)!r})\nimport helper\n\nhelper.make()\n"
    traced_with(toy, capsys, added, "beside", program)

    def caller() -> str:
        opened = open_trace("beside")
        steps = trace_tour(opened.trace, opened.tree).tour.steps
        (note,) = [step.note or "" for step in steps if step.at == "toypkg.made"]
        return note.split("Called by ", 1)[1].split(" (", 1)[0]

    assert caller() == "the program"  # its helper, through the link
    head, body = store.path_of("beside").read_text().splitlines()
    data = json_.loads(body)
    assert data["direct"]
    del data["direct"]  # as a codewalk before the recorder said it kept it
    store.path_of("beside").write_text(f"{head}\n{json_.dumps(data)}\n")
    assert caller() == "code outside the pinned packages and the program"


def test_a_root_a_thread_ran_is_said_run_by_a_thread(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``Thread(target=model.generate).start()`` beside a ``TextIteratorStreamer``: the
    thread's ``generate`` is the function the thread ran, not a call of other code's."""
    from codewalk.tours.traced import trace_tour
    from codewalk.traces.reading import open_trace

    program = (
        "import threading\nimport toypkg\n\n"
        "worker = threading.Thread(target=toypkg.fib, args=(3,))\nworker.start()\nworker.join()\n"
    )
    traced_with(toy, capsys, "", "threaded", program)
    opened = open_trace("threaded")
    traced_tour = trace_tour(opened.trace, opened.tree)
    notes = [step.note or "" for step in traced_tour.tour.steps if step.at == "toypkg.fib"]
    assert notes and "Called by a thread, as the function it runs (from `threading.py:" in notes[0], notes
    assert "` `Thread.run`)." in notes[0]


def test_a_task_the_program_submitted_to_a_thread_pool_is_said_to_be_one(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``pool.map(toypkg.fib, ...)`` on a ``concurrent.futures.ThreadPoolExecutor``: the
    tasks' ``fib`` is a call of the program's statement that submitted them, through the
    pool's frames, not of the pool's worker or of other code."""
    from codewalk.tours.traced import trace_tour
    from codewalk.traces.reading import open_trace

    program = (
        "from concurrent.futures import ThreadPoolExecutor\nimport toypkg\n\n"
        "with ThreadPoolExecutor(max_workers=2) as pool:\n    list(pool.map(toypkg.fib, [3, 4]))\n"
    )
    traced_with(toy, capsys, "", "pooled", program)
    opened = open_trace("pooled")
    traced_tour = trace_tour(opened.trace, opened.tree)
    notes = [step.note or "" for step in traced_tour.tour.steps if step.at == "toypkg.fib"]
    assert notes and (
        "Called by the program, as a task it submitted to a thread pool (from `pooled.py:5` `<module>`, "
        "through `Executor.map` → `ThreadPoolExecutor.submit` → `_WorkItem.run`)." in notes[0]
    ), notes
    code, out, _ = run(capsys, "callers", "toypkg.fib", "--trace", "pooled")
    assert code == 0
    assert "  the program, as a task it submitted to a thread pool (from pooled.py:5 <module>)  x2" in out


def test_a_task_of_a_trace_recorded_before_tasks_were_hung_is_said_run_by_the_pools_worker() -> None:
    """A trace an earlier codewalk kept has a pool's task as a root the worker's
    ``_WorkItem.run`` called: it still reads, said run by the pool's worker, not submitted."""
    from codewalk.traces.model import Function, Node, Other
    from codewalk.traces.text import pool_task, thread_runner
    from tests.synthetic_trace import synthetic_trace

    trace = synthetic_trace(
        (Function("toy", "toypkg/__init__.py", "toypkg", "fib", 1),),
        (Node(-1, 0, -1, -1, 0, 0.0), Node(0, 58, 0, 0, 2, 0.001)),
        others=(Other("/usr/lib/python3.11/concurrent/futures/thread.py", "_WorkItem.run", 53),),
    )
    assert thread_runner(trace, trace.nodes[1]) == "a thread pool's worker, as the task it was given"
    assert not pool_task(trace, 1)


def test_a_directory_run_as_the_program_is_its_top_for_whose_call_it_was_as_for_its_modules_names() -> None:
    """``python app`` (a directory, its ``__main__.py`` run), the directory gone since: a
    root a trace kept before the recorder said who called it, from a file beside that
    directory, is not the program's call. Its own modules are named from ``app`` itself,
    and so is what the program's is (the directory's parent was, as the disk no longer
    has the directory)."""
    from codewalk.traces.model import Function, Node, Other
    from codewalk.traces.own import program_top
    from codewalk.traces.text import called_by_the_program
    from tests.synthetic_trace import synthetic_trace

    trace = synthetic_trace(
        (Function("toy", "toypkg/__init__.py", "toypkg", "fib", 1),),
        (Node(-1, 0, -1, -1, 0, 0.0), Node(0, 3, 0, 0, 1, 0.001), Node(0, 7, 0, 1, 1, 0.001)),
        others=(Other("/gone/lib/helper.py", "help", 1), Other("/gone/app/steps.py", "step", 5)),
    )._replace(cwd="/gone", program=("app",), own_dirs=("/gone/app",))
    assert program_top(trace) == "/gone/app"
    assert not called_by_the_program(trace, 1)
    assert called_by_the_program(trace, 2)


def test_a_short_name_several_definitions_share_is_the_one_that_ran(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``calls apply_chat_template --trace chat``: eight classes define it, the run ran
    the tokenizer's alone, so the run says which was meant (as ``find`` cannot); when none
    or several of them ran, the name stays ambiguous."""
    added = (
        "\n\nclass Near:\n    def go(self):\n        return square(2)\n\n\n"
        "class Far:\n    def go(self):\n        return square(3)\n\n\n"
        "def drive():\n    return Near().go()\n"
    )
    traced_with(toy, capsys, added, "went", "import toypkg\n\ntoypkg.drive()\n")
    code, out, _ = run(capsys, "calls", "go", "--trace", "went", "--no-color")
    assert code == 0 and out.splitlines()[0].startswith("toypkg.Near.go  ")
    code, out, _ = run(capsys, "path", "go", "square", "--trace", "went", "--no-color")
    assert code == 0 and out.splitlines()[0].startswith("toypkg.Near.go -> toypkg.square: ")
    assert traced(capsys)[0] == 0
    code, _, err = run(capsys, "calls", "go", "--trace", "toy")  # a run that ran neither
    assert code == 1 and "'go' is ambiguous: 2 definitions" in err
    traced_with(toy, capsys, "", "each", "import toypkg\n\ntoypkg.drive()\ntoypkg.Far().go()\n")
    for command in (["calls", "go"], ["path", "go", "square"]):  # a run that ran both
        code, _, err = run(capsys, *command, "--trace", "each")
        assert code == 1 and "'go' is ambiguous: 2 definitions" in err, command


def test_a_module_of_the_interpreter_run_with_dash_m_is_not_the_programs(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``trace -m cProfile copied.py``: the module run is the standard library's, so its
    directory is none of the program's; code of the standard library calling the pinned
    code back (``copy.deepcopy``) is still code outside the pinned packages and the
    program, the script's statements still the program's."""
    from codewalk.tours.traced import trace_tour
    from codewalk.traces.reading import open_trace

    added = "\n\nclass Kept:\n    def __deepcopy__(self, memo):\n        return self\n"
    traced_with(toy, capsys, added, "copied", "import copy\nimport toypkg\n\ncopy.deepcopy(toypkg.Kept())\n")
    argv = ["trace", "--python", sys.executable, "--name", "profiled", "-m", "cProfile", "copied.py"]
    assert main(argv) == 0
    capsys.readouterr()
    trace = store.load("profiled")
    assert os.path.dirname(copy.__file__) not in trace.own_dirs, trace.own_dirs
    opened = open_trace("profiled")
    traced_tour = trace_tour(opened.trace, opened.tree)
    notes = [step.note or "" for step in traced_tour.tour.steps if step.at == "toypkg.Kept.__deepcopy__"]
    assert notes, traced_tour.tour.steps
    assert all("Called by code outside the pinned packages and the program" in n for n in notes), notes


def test_a_root_called_through_a_long_run_of_other_code_names_its_ends_and_counts_the_rest(
    toy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seven frames of code outside the pins between the program and a root: the first
    three, how many more, and the last, as a call inside the pinned code names its run."""
    hops = ["__call__", "a", "b", "c", "d", "e", "_call_impl"]
    row = _row_called_through(toy, capsys, monkeypatch, hops)
    assert row.endswith(
        "(from called.py:8 <module>, through Module.__call__ → Module.a → Module.b → 3 more"
        " → Module._call_impl)"
    ), row


def test_the_arguments_after_dash_m_module_are_the_module_s_options_and_all(
    toy: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """``trace -m MODULE --epochs 1 -v``, as ``python -m`` takes it: everything after
    MODULE is the program's, options too (argparse took ``--epochs`` and ``-v`` for
    codewalk's own and refused them); ``-m`` alone names no program."""
    (toy / "sayargs.py").write_text("import sys\nimport toypkg\n\nprint(sys.argv[1:])\ntoypkg.Kept()\n")
    with (toy / "toypkg" / "__init__.py").open("a") as handle:
        handle.write("\n\nclass Kept:\n    pass\n")
    code = main(["trace", "--python", sys.executable, "--name", "m", "-m", "sayargs", "--epochs", "1", "-v"])
    out, err = capfd.readouterr()
    assert code == 0, err
    assert "['--epochs', '1', '-v']" in out and store.path_of("m").exists()
    code = main(["trace", "--python", sys.executable, "--name", "e", "-m"])
    assert code != 0 and "name the program to trace" in capfd.readouterr().err


LATE = """

def load():
    import colorsys
    import toypkg.__about__

    return colorsys.rgb_to_hsv(0.2, 0.4, 0.4)
"""


def test_a_row_that_imported_a_module_says_so_in_the_tree_and_its_note(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """torch's first import inside a call (datasets' ``_maybe_share_with_torch_persistent_workers``
    running ``import torch``) made its row take 12.65 s with nothing under it to say why.
    The row of a call whose own statement imported a module not imported yet says which,
    and where; a later call, the module there already, says nothing. In its note, each
    module is a code span: a name of the run's, ``toypkg.__about__``, was read as Markdown
    (``__about__`` in bold)."""
    from codewalk.tours.traced import trace_tour
    from codewalk.traces.tree import Tree

    (toy / "toypkg" / "__about__.py").write_text("VERSION = 1\n")
    traced_with(toy, capsys, LATE, "late", "import toypkg\n\ntoypkg.load()\ntoypkg.load()\n")
    package = (toy / "toypkg" / "__init__.py").read_text().splitlines()
    at = package.index("    import colorsys") + 1
    code, out, _ = run(capsys, "tour", "--trace", "late", "--plain", "--no-color")
    assert code == 0
    rows = [line for line in out.splitlines() if "  load from late.py:" in line]
    assert len(rows) == 2, out
    assert rows[0].endswith(f"  [imported colorsys at line {at}; toypkg.__about__ at line {at + 1}]"), out
    assert "imported" not in rows[1]
    trace = store.load("late")
    tour = trace_tour(trace, Tree(trace)).tour
    notes = [step.note for step in tour.steps if step.at == "toypkg.load"]
    said = f"It imported `colorsys` at line {at}; `toypkg.__about__` at line {at + 1}: the module's first"
    assert [said in note for note in notes] == [True, False]
