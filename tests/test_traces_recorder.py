"""The recorder on its own, in a fresh interpreter: what it records of a toy package
(recursion, generators, exceptions, threads, a callback through C code, a decorator's
wrapper, lines), and that the program runs as ``python SCRIPT`` would (argv,
``__main__``, streams, exit status, traceback). ``CODEWALK_TEST_PYTHONS`` names more
interpreters to run it with (``os.pathsep``-separated: a 3.12 runs the sys.monitoring
engine, a 3.10 the oldest Python codewalk supports)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from codewalk.traces.run import RECORDER, command
from tests.traceprog import BRANCH_NO, BRANCH_YES, FIB_RECURSES, NESTED_STRICT, running, write_program

PYTHONS = [sys.executable, *(p for p in os.environ.get("CODEWALK_TEST_PYTHONS", "").split(os.pathsep) if p)]


def record(
    python: str, directory: Path, *args: str, stdin: str = "", script: str = ""
) -> tuple[subprocess.CompletedProcess[str], Any]:
    """The toy program (or ``script``, beside the toy package) run under the recorder."""
    program = write_program(directory)
    if script:
        program = directory / "script.py"
        program.write_text(script)
    out = directory / "record.json"
    argv = command(python, str(out), [("toypkg", "toypkg")], [program.name, *args], False)
    done = subprocess.run(argv, cwd=directory, input=stdin, capture_output=True, text=True, timeout=120)
    return done, json.loads(out.read_text()) if out.exists() else None


def tree(record: dict[str, Any]) -> dict[tuple[str, ...], tuple[int, int]]:
    """Each node as the names from its root down, with its calls and call-site line."""
    names = [code[1] for code in record["codes"]]
    nodes = record["nodes"]
    out: dict[tuple[str, ...], tuple[int, int]] = {}
    for parent, line, code, _via, calls, _seconds, _raised in nodes[1:]:
        path = [names[code]]
        while parent > 0:
            path.append(names[nodes[parent][2]])
            parent = nodes[parent][0]
        out[tuple(reversed(path))] = (calls, line)
    return out


def lines_of(record: dict[str, Any], name: str) -> set[int]:
    return next(
        set(lines) for code, lines in zip(record["codes"], record["lines"], strict=True) if code[1] == name
    )


@pytest.mark.parametrize("python", PYTHONS)
def test_what_the_recorder_sees(python: str, tmp_path: Path) -> None:
    done, data = record(python, tmp_path, "a", "b", stdin="piped in")
    assert done.returncode == 0, done.stderr
    assert data["engine"] == (
        "sys.monitoring"
        if "3.1" in data["python"][:4] and int(data["python"].split(".")[1]) >= 12
        else "sys.settrace"
    )
    nodes = tree(data)
    # recursion: deeper nodes, each level its calls
    assert nodes[("fib",)][0] == 1
    assert nodes[("fib", "fib")] == (2, FIB_RECURSES)
    assert nodes[("fib", "fib", "fib")][0] == 4
    assert nodes[("fib", "fib", "fib", "fib")][0] == 2
    # a generator counts one call, however often it resumes; what it calls is under it
    assert nodes[("total", "numbers")][0] == 1
    assert nodes[("total", "numbers", "square")][0] == 3
    # a callback through C code (sorted) is under the function that called sorted
    assert nodes[("order", "key")][0] == 3
    # an exception: the caller goes on, and so does the tree
    assert nodes[("recover", "fail")][0] == 1
    # a thread's function is a root of its own (called from threading, outside the package)
    assert ("square",) in nodes
    assert ("in_thread", "square") not in nodes
    # a decorator's wrapper is what ran, the function it wraps under it; the run says which
    # function the wrapper's closure held (and that a closure calling nothing it holds wraps none)
    wrapper = next(key for key in nodes if key[0].endswith("wrapper") and len(key) == 1)
    assert nodes[(*wrapper, "double")][0] == 1
    assert nodes[("counting", "counting.<locals>.count", "square")][0] == 1
    names = [code[1] for code in data["codes"]]
    assert [(names[a], names[b]) for a, b in data["wraps"]] == [("logged.<locals>.wrapper", "double")]
    # lines: the branch taken executed, the other did not
    assert BRANCH_YES in lines_of(data, "branch")
    assert BRANCH_NO not in lines_of(data, "branch")
    # what the program saw: its own argv, __main__, stdin; its output passed through
    assert "argv ['prog.py', 'a', 'b'] __main__" in done.stdout
    assert "stdin piped in" in done.stdout
    assert "to stderr" in done.stderr
    assert data["ended"] == "returned" and data["status"] == 0


RESUMED_ELSEWHERE = """
import threading
import toypkg

gen = toypkg.numbers(5)

def pull():
    return next(gen)

next(gen)
pull()
worker = threading.Thread(target=pull)
worker.start()
worker.join()
toypkg.consume(gen)
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_generator_resumed_in_other_frames_and_threads_stays_one_call(python: str, tmp_path: Path) -> None:
    """A generator the program started, resumed by a function of its own, by another
    thread and by a pinned function (each a frame other than the one that started it):
    one call of it, what it called each time under it, and no call counted twice or
    left as a root of its own (the recorder keys a running call by its frame, which a
    generator keeps however it is resumed)."""
    done, data = record(python, tmp_path, script=RESUMED_ELSEWHERE)
    assert done.returncode == 0, done.stderr
    nodes = tree(data)
    assert nodes[("numbers",)][0] == 1
    assert nodes[("numbers", "square")][0] == 5
    assert ("square",) not in nodes
    assert nodes[("consume",)][0] == 1 and ("consume", "numbers") not in nodes
    assert all(seconds >= 0 for *_, seconds, _raised in data["nodes"][1:])


OUTSIDE_WRAPPERS = """
import functools
import toypkg

def guarded(func):  # a decorator outside the pinned packages, as torch.no_grad is
    @functools.wraps(func)
    def decorate(*args):
        return func(*args)
    return decorate

def later(x):  # a closure that calls what it does not hold: no wrapper
    def go():
        return toypkg.fib(x)
    return go

guarded(guarded(toypkg.square))(3)
later(1)()
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_root_called_through_wrappers_of_other_code_names_the_programs_call(
    python: str, tmp_path: Path
) -> None:
    done, data = record(python, tmp_path, script=OUTSIDE_WRAPPERS)
    assert done.returncode == 0, done.stderr
    nodes = tree(data)
    assert nodes[("square",)] == (1, 16)  # the program's line, not the wrapper's
    assert nodes[("fib",)] == (1, 13)  # go's line: go is the caller
    others = data["others"]
    names = [data["codes"][node[2]][1] if node[2] >= 0 else "" for node in data["nodes"]]
    square, fib = names.index("square"), names.index("fib")
    assert others[data["nodes"][square][3]][1] == "<module>"
    assert others[data["nodes"][fib][3]][1].endswith("go")  # (a qualified name from Python 3.11)
    passed = [(node, others[other][1].rsplit(".", 1)[-1]) for node, other in data["passed"]]
    assert passed == [(square, "decorate"), (square, "decorate")]


OBJECTS_MACHINERY = """
import toypkg

class Module:  # as torch's nn.Module: calling one runs a method of its own, by its machinery
    def __call__(self, *args):
        return self._call_impl(*args)

    def _call_impl(self, *args):
        step = self.step
        return step(*args)

class Stepper(Module, toypkg.Engine):
    pass

Stepper()()
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_root_called_by_its_objects_machinery_names_the_programs_call(python: str, tmp_path: Path) -> None:
    """``model(x)`` runs ``forward`` through torch's ``Module.__call__`` and
    ``_call_impl``, methods of the same object: the root names the program's line, and
    those as what it went through (it named ``_call_impl``'s line in torch's file)."""
    done, data = record(python, tmp_path, script=OBJECTS_MACHINERY)
    assert done.returncode == 0, done.stderr
    assert tree(data)[("Engine.step",)] == (1, 15)
    others = data["others"]
    (step,) = [
        n
        for n, node in enumerate(data["nodes"])
        if node[2] >= 0 and data["codes"][node[2]][1].endswith("step")
    ]
    assert others[data["nodes"][step][3]][1] == "<module>"
    passed = [others[other][1].rsplit(".", 1)[-1] for node, other in data["passed"] if node == step]
    assert passed == ["__call__", "_call_impl"]


# torch's machinery, installed: code neither the pins' nor the program's
MACHINERY = """
class Fetcher:  # as torch's DataLoader: the iterator the program's for loop runs, its fetcher
    def __init__(self, collate):
        self.collate = collate

    def fetch(self, items):
        return [self.collate(item) for item in items]


class Batches:
    def __init__(self, collate):
        self.fetcher = Fetcher(collate)
        self.left = 2

    def __iter__(self):
        return self

    def __next__(self):
        if not self.left:
            raise StopIteration
        self.left -= 1
        return self._next_data()

    def _next_data(self):
        return self.fetcher.fetch([1, 2])


class Module:  # as torch's nn.Module, whose forward a hook replaced (accelerate's partial)
    def __call__(self, *args):
        return self._call_impl(*args)

    def _call_impl(self, *args):
        return self.forward(*args)


def hooked_forward(module, x):  # no method: code outside calling back, not the program's call
    return module.call(x)
"""

THROUGH_METHODS = """
import functools
import sys

sys.path.insert(0, sys.argv[1])
import machinery
import toypkg

for batch in machinery.Batches(toypkg.square):
    pass
model = machinery.Module()
model.forward = functools.partial(toypkg.branch, model)
model()
model.call = toypkg.fib
model.forward = functools.partial(machinery.hooked_forward, model)
model(1)
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_root_called_back_through_methods_of_other_code_names_the_programs_line(
    python: str, tmp_path: Path
) -> None:
    """A DataLoader's collator, called by the fetcher the program's ``for`` reached through
    its iterator's methods, and a module's forward replaced by a hook (``functools.partial``
    around a function taking the module: no ``self`` of its own), each name the program's
    line, those methods as what it went through (they named the fetcher's line, the
    ``_call_impl``'s); a function of other code that is no method is still their caller."""
    installed = tmp_path / "site-packages"
    installed.mkdir()
    (installed / "machinery.py").write_text(MACHINERY)
    done, data = record(python, tmp_path, str(installed), script=THROUGH_METHODS)
    assert done.returncode == 0, done.stderr
    nodes = tree(data)
    line = THROUGH_METHODS.split("\n").index
    assert nodes[("square",)] == (4, line("for batch in machinery.Batches(toypkg.square):") + 1)
    assert nodes[("branch",)] == (1, line("model()") + 1)
    assert nodes[("fib",)][1] == MACHINERY.split("\n").index("    return module.call(x)") + 1
    others = data["others"]
    names = [data["codes"][node[2]][1] if node[2] >= 0 else "" for node in data["nodes"]]
    passed = {
        names[node]: [others[o][1].rsplit(".", 1)[-1] for n, o in data["passed"] if n == node]
        for node in (names.index("square"), names.index("branch"))
    }
    comprehension = ["<listcomp>"] if int(data["python"].split(".")[1]) < 12 else []  # its own frame
    assert passed["square"] == ["__next__", "_next_data", "fetch", *comprehension]
    assert passed["branch"] == ["__call__", "_call_impl"]
    square = names.index("square")
    assert others[data["nodes"][square][3]][1] == "<module>"
    assert square in data["direct"]


CONTEXT_MANAGER = """
import contextlib
import toypkg

with contextlib.contextmanager(toypkg.numbers)(1):  # accelerate's accumulate, as a program enters it
    pass
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_root_started_by_a_with_statement_names_the_programs_line(python: str, tmp_path: Path) -> None:
    """A generator made a context manager by ``contextlib.contextmanager`` starts in the
    manager's ``__enter__``: the root names the program's ``with`` line and ``__enter__``
    as what it went through (it named ``__enter__``'s line in ``contextlib.py``)."""
    done, data = record(python, tmp_path, script=CONTEXT_MANAGER)
    assert done.returncode == 0, done.stderr
    assert tree(data)[("numbers",)] == (1, 5)
    others = data["others"]
    names = [data["codes"][node[2]][1] if node[2] >= 0 else "" for node in data["nodes"]]
    numbers = names.index("numbers")
    assert others[data["nodes"][numbers][3]][1] == "<module>"
    passed = [others[other][1].rsplit(".", 1)[-1] for node, other in data["passed"] if node == numbers]
    assert passed == ["__enter__"]


STATEMENTS = """
import toypkg

def describe(x):  # a helper of the program's, calling into the package
    return toypkg.square(x)

toypkg.fib(1)
describe(1)
toypkg.fib(2)
describe(2)
for i in range(3):
    describe(i)
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_each_statement_of_the_program_has_its_own_calls(python: str, tmp_path: Path) -> None:
    """A root called from the program's helper, from one line of it, is a node per
    statement of the program that called the helper (the calls of a loop's statement one
    node), in the order they ran; each names the helper's line, where it was called."""
    done, data = record(python, tmp_path, script=STATEMENTS)
    assert done.returncode == 0, done.stderr
    names = [code[1] for code in data["codes"]]
    roots = [
        (names[code], line, calls)
        for parent, line, code, _via, calls, _, _raised in data["nodes"][1:]
        if parent == 0
    ]
    ran = [root for root in roots if root[0] in ("fib", "square")]
    assert ran == [("fib", 7, 1), ("square", 5, 1), ("fib", 9, 1), ("square", 5, 1), ("square", 5, 3)]


# a module of the package calling the package's function written over lines, its name
# on the line after the module's (``(toypkg`` then ``.square(x))``), and the program so
CHAINED = """
import toypkg


def chained(x):
    return (toypkg
        .square(x))
"""

CHAINING = """
import toypkg.chained
from toypkg import chained as chain

(chain
    .chained(2))
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_modules_function_called_over_lines_is_recorded_at_its_names_line(
    python: str, tmp_path: Path
) -> None:
    """Python 3.11 on places the call of a function of an imported module written over
    lines at its start (3.10, and every method call, at the function's name, where
    codewalk's call sites are): each is recorded at the name's line, in the package's
    code and in the program's alike."""
    write_program(tmp_path)
    (tmp_path / "toypkg" / "chained.py").write_text(CHAINED.lstrip("\n"))
    done, data = record(python, tmp_path, script=CHAINING.lstrip("\n"))
    assert done.returncode == 0, done.stderr
    found = tree(data)
    assert found[("chained",)] == (1, 5)
    assert found[("chained", "square")] == (1, 6)


KEYED = """
import toypkg


class Holder:
    def put(self, x, scale=1):
        return toypkg.square(x) * scale

    def me(self, x):
        return self


def keyed(box, args):
    first = (box
        .put(2, scale=3))
    second = (box
        .put(*args))
    third = (box
        .me(1)
        .put(2, scale=3))
    return first, second, third
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_method_called_over_lines_with_keywords_or_a_star_is_recorded_at_its_names_line(
    python: str, tmp_path: Path
) -> None:
    """Python 3.10 places a method's call with keyword or ``*`` arguments written over
    lines at its start (a call of ``(box`` then ``.put(2, scale=3))``), 3.11 on its call
    with ``*args`` too; its code says the line of the name, where codewalk's call sites
    are, and each is recorded there (after ``.me(1)`` on a line of its own too, which 3.10's
    was taken for: the first argument was looked for from the expression's start)."""
    write_program(tmp_path)
    (tmp_path / "toypkg" / "keyed.py").write_text(KEYED.lstrip("\n"))
    script = "import toypkg.keyed as k\n\nk.keyed(k.Holder(), (4,))\n"
    done, data = record(python, tmp_path, script=script)
    assert done.returncode == 0, done.stderr
    names = [code[1] for code in data["codes"]]
    nodes = data["nodes"]
    calls = sorted(line for parent, line, code, *_ in nodes[1:] if names[code].endswith("put") and parent)
    assert calls == [14, 16, 19]  # the last after a call of its own holder's (not at .me's line)


# a module of the package submitting the package's functions to a thread pool from two
# statements (``map`` and ``submit``), and the program submitting one itself
POOLED = """
from concurrent.futures import ThreadPoolExecutor

import toypkg


def pooled(xs):
    with ThreadPoolExecutor(max_workers=2) as pool:
        squares = list(pool.map(toypkg.square, xs))
        branched = [pool.submit(toypkg.branch, x) for x in xs]
    return squares, [future.result() for future in branched]
"""

POOLING = """
from concurrent.futures import ThreadPoolExecutor

import toypkg.pooled

toypkg.pooled.pooled([1, 2, 3])
with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(toypkg.fib, [3, 4]))
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_thread_pools_tasks_hang_under_the_statement_that_submitted_them(
    python: str, tmp_path: Path
) -> None:
    """Each task a ``concurrent.futures`` pool ran is a call of the recorded call that
    submitted it, at the line of its statement, through the pool's frames (``map``, then
    ``submit``, the worker's ``_WorkItem.run``); one the program submitted is a call of
    the program's statement. Its worker thread is not its caller."""
    write_program(tmp_path)
    (tmp_path / "toypkg" / "pooled.py").write_text(POOLED.lstrip("\n"))
    done, data = record(python, tmp_path, script=POOLING.lstrip("\n"))
    assert done.returncode == 0, done.stderr
    names = [code[1] for code in data["codes"]]
    others = [other[1] for other in data["others"]]
    nodes = data["nodes"]
    called = {
        (names[nodes[parent][2]] if parent else "", names[code], line): calls
        for parent, line, code, _via, calls, _seconds, _raised in nodes[1:]
    }
    assert called[("pooled", "square", 8)] == 3
    # submitted from a comprehension: its own code on 3.11 and before
    assert called.get(("pooled", "branch", 9), called.get(("pooled.<locals>.<listcomp>", "branch", 9))) == 3
    assert called[("", "fib", 7)] == 2
    assert ("", "square", 8) not in called and ("", "branch", 9) not in called
    square = next(i for i, node in enumerate(nodes) if i and names[node[2]] == "square" and node[0])
    through = [others[nodes[square][3]], *(others[o] for node, o in data["between"] if node == square)]
    assert through == ["Executor.map", "ThreadPoolExecutor.submit", "_WorkItem.run"]
    fib = next(i for i, node in enumerate(nodes) if i and names[node[2]] == "fib" and not node[0])
    assert [others[o] for node, o in data["passed"] if node == fib] == through
    assert others[nodes[fib][3]] == "<module>" and fib in data["direct"]


# four hundred functions of the package, each first called in one of eight workers, the
# threads switching as often as Python lets them
RACING = (
    "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(400))
    + """
from concurrent.futures import ThreadPoolExecutor


def pooled():
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(globals()[f"f{i}"], i) for i in range(400)]
    return [future.result() for future in futures]
"""
)

RACE = """
import sys

sys.setswitchinterval(1e-6)
import toypkg.racing

for _ in range(6):
    toypkg.racing.pooled()
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_threads_making_nodes_at_once_neither_break_the_program_nor_the_trace(
    python: str, tmp_path: Path
) -> None:
    """Nodes and codes made by several threads at once: a thread switch between taking a
    node's index and appending its rows raised IndexError in the program (a task's
    ``f164(x)`` failed), and a trace's frames of other code came out of their nodes'
    order, which a reader refuses."""
    write_program(tmp_path)
    (tmp_path / "toypkg" / "racing.py").write_text(RACING)
    done, data = record(python, tmp_path, script=RACE.lstrip("\n"))
    assert done.returncode == 0, done.stderr
    between = [node for node, _ in data["between"]]
    assert between == sorted(between)
    names = [code[1] for code in data["codes"]]
    assert len(data["codes"]) == len({tuple(code) for code in data["codes"]})  # each code learnt once
    tasks = [names[code] for _parent, _line, code, *_ in data["nodes"][1:] if names[code].startswith("f")]
    assert sorted(tasks) == sorted(f"f{i}" for i in range(400))  # one node each, under pooled


# eight workers, each calling the same four hundred functions of the package from one
# line, for the first time at once
SAME_KEY = (
    "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(400))
    + """
from concurrent.futures import ThreadPoolExecutor


def each():
    return [function(1) for function in FUNCTIONS]


FUNCTIONS = [globals()[f"f{i}"] for i in range(400)]


def pooled():
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(each) for _ in range(8)]
    return [future.result() for future in futures]
"""
)


@pytest.mark.parametrize("python", PYTHONS)
def test_threads_making_the_same_node_at_once_make_one(python: str, tmp_path: Path) -> None:
    """Two threads making the node of one call (the same caller, line and function) at
    once made two sibling nodes of it, the calls of one of them said apart."""
    write_program(tmp_path)
    (tmp_path / "toypkg" / "racing.py").write_text(SAME_KEY)
    script = RACE.replace("for _ in range(6):\n    ", "").lstrip("\n")
    done, data = record(python, tmp_path, script=script)
    assert done.returncode == 0, done.stderr
    names = [code[1] for code in data["codes"]]
    made: dict[str, list[int]] = {}
    for _parent, _line, code, _via, calls, *_ in data["nodes"][1:]:
        if names[code].startswith("f"):
            made.setdefault(names[code], []).append(calls)
    assert sorted(made) == sorted(f"f{i}" for i in range(400))
    assert {name: len(calls) for name, calls in made.items() if len(calls) > 1} == {}
    assert {name: sum(calls) for name, calls in made.items() if sum(calls) != 8} == {}


# the recorder's own state read in the program's interpreter: a pool whose work items are
# cancelled before they run, its one worker held (before they are submitted) until they are
CANCELLED = """
import importlib.util, sys, threading
from concurrent.futures import ThreadPoolExecutor

spec = importlib.util.spec_from_file_location("recording", sys.argv[1])
recording = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recording)
recorder = recording.Recorder([sys.argv[2]])
engine = recording.engine_for(recorder)
engine.start()
import toypkg

gate, held = threading.Event(), threading.Event()
pool = ThreadPoolExecutor(max_workers=1)
pool.submit(lambda: (held.set(), gate.wait()))
held.wait()  # the worker holds: none of the items below is taken off the queue to run
futures = [pool.submit(toypkg.square, x) for x in range(50)]
pool.shutdown(wait=False, cancel_futures=True)
gate.set()
pool.shutdown()
engine.stop()
print(sum(future.cancelled() for future in futures), len(recorder.submitted))
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_pools_work_item_cancelled_before_it_runs_is_forgotten(python: str, tmp_path: Path) -> None:
    """A work item the pool dropped unrun (``shutdown(cancel_futures=True)``) stayed among
    the submissions the recorder waits to see run, one more for each, to the end."""
    write_program(tmp_path)
    (tmp_path / "cancelled.py").write_text(CANCELLED.lstrip("\n"))
    argv = [python, "cancelled.py", str(RECORDER.with_name("recording.py")), str(tmp_path / "toypkg")]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["50", "0"]


LATE = """
import colorsys


def load():
    import xml.dom.minidom

    return xml.dom.minidom.parseString("<a/>").documentElement.tagName
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_module_a_recorded_call_imported_is_said_where(python: str, tmp_path: Path) -> None:
    """A recorded function's ``import`` statement loading a module (``import torch``
    inside datasets' ``_maybe_share_with_torch_persistent_workers``) is kept with its call
    and line: its load time is that call's. What that module imports in turn, what a
    module imports as it is imported, and an import of a module already there are not."""
    write_program(tmp_path)
    (tmp_path / "toypkg" / "late.py").write_text(LATE.lstrip("\n"))
    done, data = record(
        python, tmp_path, script="import toypkg.late\n\ntoypkg.late.load()\ntoypkg.late.load()\n"
    )
    assert done.returncode == 0, done.stderr
    names = [code[1] for code in data["codes"]]
    imports = [(names[data["nodes"][node][2]], line, module, n) for node, line, module, n in data["imports"]]
    assert imports == [("load", 5, "xml.dom.minidom", 1)]


FROM = """
def load():
    from xml.dom import minidom

    return minidom.parseString("<a/>").documentElement.tagName
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_submodule_a_recorded_calls_from_statement_names_is_said_where(python: str, tmp_path: Path) -> None:
    """``from xml.dom import minidom`` in a recorded function: ``minidom`` is imported by
    the import machinery's ``_handle_fromlist``, not by the statement's own frame; it was
    left out (the row said ``xml.dom`` alone, the module the time went to unnamed)."""
    write_program(tmp_path)
    (tmp_path / "toypkg" / "late.py").write_text(FROM.lstrip("\n"))
    done, data = record(python, tmp_path, script="import toypkg.late\n\ntoypkg.late.load()\n")
    assert done.returncode == 0, done.stderr
    names = [code[1] for code in data["codes"]]
    imports = [(names[data["nodes"][node][2]], line, module, n) for node, line, module, n in data["imports"]]
    assert sorted(imports) == [("load", 2, "xml.dom", 1), ("load", 2, "xml.dom.minidom", 1)]


IMPORTING = """
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib", "site-packages"))
import toypkg
import other  # another's module, calling the package as it is imported (torch's inspect)
import mine  # the program's own module, doing its work as it is imported
toypkg.square(5)
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_the_calls_made_inside_an_import_and_those_of_the_programs_own_code_are_said_to_be(
    python: str, tmp_path: Path
) -> None:
    """The recorder marks the roots called inside an import (the import machinery's frame
    above them): torch's import asking huggingface_hub's lazy module through ``inspect``
    is the import's work, not a call of the program's; a module of the program's own doing
    its work as it is imported is the program. It marks too the roots the program's own
    code called (``direct``), which other code's are not."""
    installed = tmp_path / "lib" / "site-packages"
    installed.mkdir(parents=True)
    (installed / "other.py").write_text("import toypkg\n\ntoypkg.square(3)\n")
    (tmp_path / "mine.py").write_text("import toypkg\n\ntoypkg.square(4)\n")
    done, data = record(python, tmp_path, script=IMPORTING)
    assert done.returncode == 0, done.stderr
    names = [code[1] for code in data["codes"]]
    imported, direct = set(data["imported"]), set(data["direct"])
    roots = [
        (names[code], line, index in imported, index in direct)
        for index, (parent, line, code, *_rest) in enumerate(data["nodes"])
        if parent == 0
    ]
    # the package's import, other's call as it was imported, then the program's (called
    # by its own code): mine's as it was imported, and its own statement's
    assert [(name, line if name != "<module>" else 0, *said) for name, line, *said in roots] == [
        ("<module>", 0, True, False),
        ("square", 3, True, False),
        ("square", 3, False, True),
        ("square", 7, False, True),
    ]


@pytest.mark.parametrize("python", PYTHONS)
def test_a_wrapper_of_a_wrapper_of_its_own_code_wraps_it_and_recursion_does_not(
    python: str, tmp_path: Path
) -> None:
    """``@strict`` on a config class and on its base: the class's ``__setattr__``
    wrapper holds the base's, a function of the same code, and wraps it (it was dropped
    as a function calling itself, so the outer wrapper stood apart as a call of its own);
    a nested function that recurses holds itself, and wraps nothing."""
    (tmp_path / "toypkg").mkdir()
    square = "\n\ndef square(value):\n    return value\n"  # the toy package's, which it calls
    (tmp_path / "toypkg" / "nested.py").write_text(NESTED_STRICT + square)
    script = "from toypkg import nested\nnested.Child().x = 1\nnested.countdown(2)\n"
    done, data = record(python, tmp_path, script=script)
    assert done.returncode == 0, done.stderr
    names = [code[1] for code in data["codes"]]
    assert sorted((names[a], names[b]) for a, b in data["wraps"]) == [
        ("strict.<locals>.__strict_setattr__", "Base.__setattr__"),
        ("strict.<locals>.__strict_setattr__", "strict.<locals>.__strict_setattr__"),
    ]


HELPERS = """
def square(value):
    return value * value


def mapped(rows):  # as datasets' Dataset._map_single: helpers defined beside each other
    def prepare(row):
        return square(row)

    def apply(row):
        return prepare(row) + 1

    def outputs():
        for row in rows:
            yield apply(row)

    return list(outputs())
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_closure_calling_a_helper_by_its_name_wraps_nothing(python: str, tmp_path: Path) -> None:
    """A function defined in another, calling another defined there by its name, calls
    it: no decorator's wrapper, which holds the function it was given (``func``)."""
    (tmp_path / "toypkg").mkdir()
    (tmp_path / "toypkg" / "helpers.py").write_text(HELPERS)
    script = "from toypkg import helpers\nhelpers.mapped([1, 2])\n"
    done, data = record(python, tmp_path, script=script)
    assert done.returncode == 0, done.stderr
    assert data["wraps"] == []
    helpers = ("outputs", "apply", "prepare")
    assert tree(data)[("mapped", *(f"mapped.<locals>.{h}" for h in helpers), "square")][0] == 2


GIVEN = """
def square(value):
    return value * value


def mapped(function, rows):  # as datasets' Dataset._map_single: its helper calls the function given
    def apply_function(row):
        return function(row) + 1

    def outputs():
        for row in rows:
            yield apply_function(row)

    return list(outputs())


def deco(function):
    def wrapper(row):
        return function(row)

    return wrapper
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_helper_calling_the_function_its_maker_was_given_wraps_nothing(python: str, tmp_path: Path) -> None:
    """A closure holding the function its maker was given, called while that maker still
    runs, is the maker's helper calling it (``apply_function`` in ``_map_single``, read
    as a decorator's wrapper of the function given to ``map``); a decorator's wrapper is
    called once its decorator has returned it, and wraps the function it holds."""
    (tmp_path / "toypkg").mkdir()
    (tmp_path / "toypkg" / "given.py").write_text(GIVEN)
    script = "from toypkg import given\ngiven.mapped(given.square, [1, 2])\ngiven.deco(given.square)(3)\n"
    done, data = record(python, tmp_path, script=script)
    assert done.returncode == 0, done.stderr
    names = [code[1] for code in data["codes"]]
    assert [(names[a], names[b]) for a, b in data["wraps"]] == [("deco.<locals>.wrapper", "square")]
    helpers = ("outputs", "apply_function")
    assert tree(data)[("mapped", *(f"mapped.<locals>.{h}" for h in helpers), "square")][0] == 2


NAMESAKE = """
import functools


def deco(step):
    @functools.wraps(step)
    def wrapper(*args):
        return step(*args)

    return wrapper


def outer():
    @deco
    def step(value):  # of the name of deco's parameter: still the function the wrapper wraps
        return value

    return step(1)
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_wrapper_of_a_function_named_as_its_parameter_wraps_it(python: str, tmp_path: Path) -> None:
    """A decorator's wrapper holding a nested function of its parameter's name wraps it:
    the function was made outside the decorator, not beside the wrapper as a helper is."""
    (tmp_path / "toypkg").mkdir()
    (tmp_path / "toypkg" / "namesake.py").write_text(NAMESAKE)
    done, data = record(python, tmp_path, script="from toypkg import namesake\nnamesake.outer()\n")
    assert done.returncode == 0, done.stderr
    assert tree(data)[("outer", "deco.<locals>.wrapper", "outer.<locals>.step")][0] == 1
    names = [code[1] for code in data["codes"]]
    wrapped = [(names[a], names[b]) for a, b in data["wraps"]]
    assert wrapped == [("deco.<locals>.wrapper", "outer.<locals>.step")]


AUDITED = """
import sys
import toypkg

seen = {"builtins.id": 0, "object.__getattr__": 0}


def hook(event, args):
    if event in seen:
        seen[event] += 1


def helper(x):
    return x + 1


def callback(x):
    return sum(helper(i) for i in range(1000))


sys.addaudithook(hook)
toypkg.call_it(callback)
print(seen["builtins.id"], seen["object.__getattr__"])
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_recording_a_callbacks_calls_raises_no_audit_event_for_each_of_them(
    python: str, tmp_path: Path
) -> None:
    """The program's own audit hook sees no event of the recorder's for each recorded call
    (``id()`` is audited: each call of it ran every hook, the recorder's own among them)
    and at most one frame's ``f_code`` read per call or resumption of a generator (whose
    ``f_code`` is audited too)."""
    done, data = record(python, tmp_path, script=AUDITED)
    assert done.returncode == 0, done.stderr
    assert tree(data)[("call_it", "callback", "callback.<locals>.<genexpr>", "helper")][0] == 1000
    ids, attributes = map(int, done.stdout.split())
    assert ids == 0
    assert attributes <= 2020  # 1000 calls of helper, 1001 resumptions of the generator, a few more


# a pinned call running other code's Python function (the standard library's) a thousand
# times, under the program's audit hook
AUDITED_OTHER = """
import posixpath
import sys
import toypkg

seen = {"object.__getattr__": 0}


def hook(event, args):
    if event in seen:
        seen[event] += 1


sys.addaudithook(hook)
toypkg.call_it(lambda n: [posixpath.join("a", str(i)) for i in range(1000)])
print(seen["object.__getattr__"])
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_the_calls_of_code_not_recorded_read_no_frames_code(python: str, tmp_path: Path) -> None:
    """A call of code no recorded file holds (``posixpath.join``, a thousand times) is
    passed over without reading its frame's ``f_code``, an audited event: each read of it
    ran every audit hook, the recorder's own and the program's, on every call the program
    made."""
    done, _ = record(python, tmp_path, script=AUDITED_OTHER)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) < 100


@pytest.mark.parametrize("python", PYTHONS)
def test_exit_status_and_traceback_as_python_gives(python: str, tmp_path: Path) -> None:
    done, data = record(python, tmp_path, "exit")
    assert done.returncode == 3
    assert (data["ended"], data["status"]) == ("exit", 3)
    done, data = record(python, tmp_path, "raise")
    assert done.returncode == 1
    assert (data["ended"], data["status"]) == ("exception", 1)
    assert data["error"] == "ValueError: toy"
    plain = subprocess.run([python, "prog.py", "raise"], cwd=tmp_path, capture_output=True, text=True)
    assert done.stderr == plain.stderr  # the recorder's own frames are not in the traceback
    assert "recorder.py" not in done.stderr
    done, data = record(python, tmp_path, "interrupt")
    assert done.returncode == 130
    assert (data["ended"], data["error"]) == ("interrupted", "KeyboardInterrupt")
    assert nodes_named(data, "fib")  # what ran before the failure is kept


def test_a_ctrl_c_in_the_recorders_trace_function_is_shown_in_the_programs_code() -> None:
    """A ctrl+c lands where the interpreter is, often in the recorder's trace function:
    the traceback ends at the program's frame it ran for, not in codewalk's file."""
    from codewalk.traces.recorder import RECORDING, programs_traceback

    recorder_code: dict[str, Any] = {}
    exec(compile("def local():\n    raise KeyboardInterrupt\n", RECORDING, "exec"), recorder_code)

    def program() -> None:
        recorder_code["local"]()

    try:
        program()
    except KeyboardInterrupt as error:
        tb = programs_traceback(error.__traceback__, {RECORDING})
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert frames[-1] == "program" and "local" not in frames


def nodes_named(data: dict[str, Any], name: str) -> bool:
    return any(key[-1] == name for key in tree(data))


def test_module_mode_runs_as_python_dash_m(tmp_path: Path) -> None:
    write_program(tmp_path)
    (tmp_path / "toymain.py").write_text("import sys, toypkg\nprint(sys.argv, __name__, toypkg.square(3))\n")
    out = tmp_path / "record.json"
    argv = command(sys.executable, str(out), [("toypkg", "toypkg")], ["toymain", "x"], True)
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    plain = subprocess.run(
        [sys.executable, "-m", "toymain", "x"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == plain.stdout
    assert tree(json.loads(out.read_text()))[("square",)][0] == 1


@pytest.mark.parametrize("name", ["recorder.py", "recording.py"])
def test_recorder_imports_only_the_standard_library(name: str) -> None:
    found: set[str] = set()
    for node in ast.walk(ast.parse(RECORDER.with_name(name).read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import would need codewalk"
            found.add((node.module or "").partition(".")[0])
    assert found, "the recorder imports something"
    assert not {name for name in found if name not in sys.stdlib_module_names}
    assert "codewalk" not in found


FORKS = """
import os, sys, time
import toypkg

toypkg.square(2)
child = os.fork()
if child == 0:  # the child: a daemon that outlives the program, then exits its own way
    toypkg.fib(3)
    time.sleep(1.0)
    sys.exit(7)
print(child, flush=True)
os.chdir("..")  # the record says where the program started, not where it ended
toypkg.branch(False)
"""


# equal code objects in other files: empty packages' ``__init__.py``, a function copied
# from one package into another, each first run in the file that is not recorded or after
# the one that is
EQUAL_CODES = """
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib", "site-packages"))
import blank
import toypkg.empty
import toypkg.hollow
import vacant
from copied import same as theirs
from toypkg.copied import same as ours
theirs(1)
ours(2)
ours(3)
"""
SAME = "def same(x):\n    return x + 1\n"


@pytest.mark.parametrize("python", PYTHONS)
def test_a_code_equal_to_one_in_another_file_is_recorded_by_its_own_file(python: str, tmp_path: Path) -> None:
    """Python takes two code objects as equal when only their file differs: an empty
    ``__init__.py`` of another package imported first left the package's own empty ones
    unrecorded (and the package's, imported first, would have stood for the other's), and
    a function copied into another package, called there first, left the package's copy
    unrecorded."""
    write_program(tmp_path)
    installed = tmp_path / "lib" / "site-packages"
    package = tmp_path / "toypkg"
    for empty in (installed / "blank", installed / "vacant", package / "empty", package / "hollow"):
        empty.mkdir(parents=True)
        (empty / "__init__.py").write_text("")
    (installed / "copied.py").write_text(SAME)
    (tmp_path / "toypkg" / "copied.py").write_text(SAME)
    done, data = record(python, tmp_path, script=EQUAL_CODES)
    assert done.returncode == 0, done.stderr
    calls: dict[tuple[str, str], int] = {}
    for _parent, _line, code, _via, count, *_rest in data["nodes"][1:]:
        file, name, _first = data["codes"][code]
        where = os.path.relpath(file, tmp_path)
        if where != os.path.join("toypkg", "__init__.py"):  # the package's own import
            calls[(where, name)] = calls.get((where, name), 0) + count
    assert calls == {
        (os.path.join("toypkg", "empty", "__init__.py"), "<module>"): 1,
        (os.path.join("toypkg", "hollow", "__init__.py"), "<module>"): 1,
        (os.path.join("toypkg", "copied.py"), "<module>"): 1,
        (os.path.join("toypkg", "copied.py"), "same"): 2,
    }
    assert lines_of(data, "same") == {2}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("python", PYTHONS)
def test_a_forked_child_records_nothing_and_never_writes_the_record(python: str, tmp_path: Path) -> None:
    done, _ = record(python, tmp_path, script=FORKS)
    assert done.returncode == 0, done.stderr
    child = int(done.stdout.split()[0])
    deadline = time.monotonic() + 30
    while running(child) and time.monotonic() < deadline:  # until the child has exited
        time.sleep(0.05)
    data = json.loads((tmp_path / "record.json").read_text())
    assert (data["ended"], data["status"]) == ("returned", 0)  # the program's, not the child's 7
    assert data["cwd"] == str(tmp_path)
    nodes = tree(data)
    assert ("square",) in nodes and ("branch",) in nodes
    assert not nodes_named(data, "fib")  # what the child ran is not the program's
    assert sorted(p.name for p in tmp_path.iterdir() if "record" in p.name) == ["record.json"]
    assert "Traceback" not in done.stderr


PROFILES = """
import cProfile, pstats, io
import toypkg

profile = cProfile.Profile()
profile.enable()
toypkg.fib(5)
profile.disable()
out = io.StringIO()
pstats.Stats(profile, stream=out).print_stats()
print("profiled", "fib" in out.getvalue())
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_a_program_that_profiles_itself_still_can(python: str, tmp_path: Path) -> None:
    """cProfile claims sys.monitoring's profiler id on 3.12 and later: the recorder
    takes another."""
    done, data = record(python, tmp_path, script=PROFILES)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "profiled True"
    assert tree(data)[("fib",)][0] == 1


OWN_CALLBACKS = """
import contextlib
import toypkg


def mine(x):
    return toypkg.square(x)


def boom(x):
    raise KeyError(x)


def helper(x):
    return x


def firsts():
    for first in toypkg.numbers(5):  # a generator of the pins, closed after its first value
        return first


def quiet(x):  # the exception is caught on the line that raised it: no line runs after it
    with contextlib.suppress(KeyError): {}[x]


for i in range(3):  # the program's own loop over its helper: the program itself, not recorded
    helper(i)
toypkg.call_it(mine)
toypkg.call_it(lambda x: firsts())
toypkg.call_it(quiet)
try:
    toypkg.call_it(boom)
except KeyError:
    pass
"""


@pytest.mark.parametrize("python", PYTHONS)
def test_the_programs_own_callbacks_are_recorded_under_the_pinned_call_and_a_raise_counted(
    python: str, tmp_path: Path
) -> None:
    done, data = record(python, tmp_path, script=OWN_CALLBACKS)
    assert done.returncode == 0, done.stderr
    names = [code[1] for code in data["codes"]]
    own = {names[i] for i in data["own"]}
    assert {"mine", "boom"} <= own and "call_it" not in own
    nodes = tree(data)
    assert nodes[("call_it", "mine")][0] == 1
    assert nodes[("call_it", "mine", "square")][0] == 1
    assert not any("helper" in path for path in nodes)  # called by the program, not beneath a recorded call
    raised = {names[n[2]]: n[6] for n in data["nodes"][1:]}
    assert raised["boom"] == 1 and raised["mine"] == 0 and raised["square"] == 0
    assert raised["quiet"] == 0  # it caught what it raised, on that line, and returned
    assert nodes[("call_it", "<lambda>", "firsts", "numbers")][0] == 1
    assert raised["numbers"] == 0  # closed early (GeneratorExit): it did not raise


class _Frame:
    """A frame as the recorder reads one: its code and its caller, each step up counted."""

    def __init__(self, code: Any, back: _Frame | None, walked: list[int]) -> None:
        self.f_code, self._back, self._walked = code, back, walked

    @property
    def f_back(self) -> _Frame | None:
        self._walked[0] += 1
        return self._back


def test_the_programs_own_loop_is_not_walked_up_per_call_while_another_thread_records(
    tmp_path: Path,
) -> None:
    """A pinned call running in another thread makes each call of the program's own code
    look for a recorded call above it: under an unrecorded own caller there is none, and
    a loop 100 frames deep is not walked up 100 frames per call (27 s against 0.5 s for
    100,000 calls)."""
    from codewalk.traces.recording import Recorder

    source = "def deep():\n    pass\n\n\ndef tight():\n    pass\n\n\ndef add():\n    pass\n"
    compiled = compile(source, str(tmp_path / "prog.py"), "exec")
    codes = {c.co_name: c for c in compiled.co_consts if hasattr(c, "co_name")}
    recorder = Recorder([str(tmp_path / "site")], (str(tmp_path),), ())
    indices = {name: recorder.learn(code) for name, code in codes.items()}
    assert all(recorder.own[i] for i in indices.values())
    recorder.running[0] = (0, 0.0)  # a recorded call, in another thread
    walked = [0]
    frame = None
    for _ in range(100):
        frame = _Frame(codes["deep"], frame, walked)
    tight = _Frame(codes["tight"], frame, walked)
    assert recorder.enter(_Frame(codes["add"], tight, walked), indices["add"]) == -1
    assert walked[0] <= 2
