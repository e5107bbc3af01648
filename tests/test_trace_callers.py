"""``callers`` and ``goto`` with ``--trace``: the call sites codewalk lists, each said to
have called the function in the run or not, and the places the run called it from that no
site names; what a line called in the run, beside the definition a name there refers to."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from codewalk.cli.main import main
from tests.traceprog import PACKAGE, PROGRAM, package_line, use_toy


@pytest.fixture()
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """The toy program traced as ``toy``."""
    work = use_toy(tmp_path, monkeypatch)
    assert main(["trace", "--python", sys.executable, "--name", "toy", "prog.py"]) == 0
    capsys.readouterr()
    return work


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def program_line(text: str) -> int:
    return textwrap.dedent(PROGRAM).lstrip("\n").splitlines().index(text) + 1


def package_line_text(line: int) -> str:
    return textwrap.dedent(PACKAGE).lstrip("\n").splitlines()[line - 1]


YIELD = package_line("        yield square(i)")
SQUARES = package_line("    return [square(i) for i in range(n)] + list(map(lambda i: square(i), range(n)))")
THREAD = package_line("    worker = threading.Thread(target=square, args=(3,))")
GATHER = package_line("    firsts = tuple(square(i) for i in range(n))")
TWICE = package_line("    return double(x) + double(x)")


def test_callers_with_a_trace_marks_each_site_and_names_the_callers_no_site_lists(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "callers", "toypkg.square", "--trace", "toy")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("callers of toypkg.square  toypkg/__init__.py:") and " ran x" in lines[0]
    assert "in trace 'toy'" in lines[0]
    assert f"  toypkg/__init__.py:{YIELD}  in numbers  [ran x3]" in lines
    assert f"  toypkg/__init__.py:{GATHER}  in gather  [not run]" in lines
    # a thread's target: passed at its line, called by threading, which the trace names
    passed = "[line ran: passed on, not called here]"
    assert f"  toypkg/__init__.py:{THREAD}  in in_thread (passed as a value)  {passed}" in lines
    assert "  a thread, as the function it runs (from threading.py:" in out
    # two sites on one line: a trace records the line of a call, not its column
    shared = f"  toypkg/__init__.py:{SQUARES}  in squares  [ran x4 at this line, by this call or another]"
    assert lines.count(shared) == 2
    code, out, _ = run(capsys, "callers", "toypkg.square", "--trace", "toy", "--json")
    data = json.loads(out)
    assert data["trace"] == "toy" and data["function"]["qualname"] == "toypkg.square"
    by_line = {(c["line"], c["ran"], c["line_ran"]) for c in data["callers"]}
    assert {(YIELD, 3, True), (GATHER, 0, False), (THREAD, 0, True)} <= by_line
    (thread,) = data["unlisted"]
    assert thread["caller"] is None and thread["program"] is False and thread["calls"] == 1


def test_callers_with_a_trace_reads_a_wrappers_call_as_the_wrapped_functions(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``double`` under ``@logged``: the run called it through the wrapper, from ``twice``'s
    line, where codewalk lists the site: not from the wrapper's ``return func(*args)``."""
    code, out, _ = run(capsys, "callers", "toypkg.double", "--trace", "toy", "--json")
    assert code == 0
    data = json.loads(out)
    assert [(c["line"], c["ran"]) for c in data["callers"] if c["line"] == TWICE] == [(TWICE, 2)] * 2
    (program,) = data["unlisted"]  # the program's own toypkg.double(1), not the wrapper's line
    assert (program["caller"], program["program"], program["calls"]) == (None, True, 1)
    assert program["line"] == program_line("toypkg.double(1)")
    code, out, _ = run(capsys, "callers", "toypkg.double", "--trace", "toy")
    assert f"  the program (from prog.py:{program_line('toypkg.double(1)')} <module>)  x1" in out.splitlines()


def test_callers_of_a_class_with_a_trace_count_the_init_its_construction_ran(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Made(1.5)``: the class defines no ``__init__``, the one it inherits from ``Base``
    ran: the site called it (not "did not run", nor "line ran")."""
    made = package_line("    made = Made(1.5)")
    code, out, err = run(capsys, "callers", "toypkg.Made", "--trace", "toy")
    assert code == 0, err
    assert " ran x1 in trace 'toy'" in out.splitlines()[0]
    assert f"  toypkg/__init__.py:{made}  in pick  [ran x1]" in out.splitlines()
    assert "(counted as the calls of toypkg.Base.__init__, which making another class" in out


# classes making Base's __init__ run, beside Made: another subclass, one of Made's own
# with an __init__ of its own, and a factory codewalk cannot read
SIBLINGS = """


class Sibling(Base):
    pass


class Deeper(Made):
    def __init__(self):
        super().__init__(0)


def make_sibling():
    return Sibling(2)


def make_both():
    return [Made(3), Sibling(4)]


def make_deeper():
    return Deeper()


def make_any(kind):
    return kind(5)


def make_all():
    make_sibling()
    make_both()
    make_deeper()
    make_any(Made)
"""


def test_callers_of_a_class_with_an_inherited_init_leave_out_the_lines_making_another_class(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Made`` runs ``Base.__init__``, as ``Sibling(2)`` and ``Deeper``'s
    ``super().__init__(0)`` do: those lines make another class only (as codewalk reads
    their calls), and are left out of its callers and its count, said so; a line making
    both is the line's calls, shared; one codewalk cannot read (``kind(5)``) stays."""
    from tests.test_traces_cli import traced_with

    traced_with(toy, capsys, SIBLINGS, "siblings", "import toypkg\ntoypkg.make_all()\n")
    source = (toy / "toypkg" / "__init__.py").read_text().splitlines()
    both = source.index("    return [Made(3), Sibling(4)]") + 1
    factory = source.index("    return kind(5)") + 1
    code, out, err = run(capsys, "callers", "toypkg.Made", "--trace", "siblings")
    assert code == 0, err
    lines = out.splitlines()
    assert " ran x3 in trace 'siblings'" in lines[0]  # Made(3), Sibling(4), kind(5)'s Made: the lines'
    shared = "[ran x2 at this line, by this call or another]"
    assert f"  toypkg/__init__.py:{both}  in make_both  {shared}" in lines
    assert f"  toypkg/__init__.py:{factory}  in make_any  x1" in lines
    assert "Sibling(2)" not in out and "super().__init__(0)" not in out
    assert "2 places whose line makes only another class (as codewalk reads its calls) left out" in out
    code, out, err = run(capsys, "callers", "toypkg.Made", "--trace", "siblings", "--json")
    data = json.loads(out)
    assert data["ran"] == 3 and [u["line"] for u in data["unlisted"]] == [factory]


DATACLASSED = """

import dataclasses


@dataclasses.dataclass
class Record:  # its __init__ made by @dataclass: no file holds it, its __post_init__ runs
    x: int

    def __post_init__(self):
        self.x = square(self.x)


@dataclasses.dataclass
class Plain:  # nor has it a __post_init__: nothing of the package runs as it is made
    x: int


def records():
    return Record(2), Plain(3)
"""


def test_callers_of_a_dataclass_with_a_trace_count_its_post_init_not_its_class_body(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Record(2)`` runs the ``__init__`` @dataclass made (no file's code) and, from it, the
    class's ``__post_init__``: the site called it. The class's body, run once as the module
    was imported, is no call of it (it was said called from the module's line, x1)."""
    from tests.test_traces_cli import traced_with

    traced_with(toy, capsys, DATACLASSED, "records", "import toypkg\ntoypkg.records()\n")
    source = (toy / "toypkg" / "__init__.py").read_text().splitlines()
    made = source.index("    return Record(2), Plain(3)") + 1
    code, out, err = run(capsys, "callers", "toypkg.Record", "--trace", "records")
    assert code == 0, err
    lines = out.splitlines()
    assert " ran x1 in trace 'records'" in lines[0]
    assert f"  toypkg/__init__.py:{made}  in records  [ran x1]" in lines
    assert "<module" not in out and "(counted as the calls of" not in out  # its own __post_init__
    code, out, err = run(capsys, "callers", "toypkg.Plain", "--trace", "records")
    assert code == 0, err
    lines = out.splitlines()
    assert "<module" not in out and " did not run " not in lines[0]
    assert " not counted in trace 'records'" in lines[0]
    assert "making it runs no Python code of the pinned packages" in lines[1]
    assert f"  toypkg/__init__.py:{made}  in records  [line ran]" in lines
    code, out, err = run(capsys, "callers", "toypkg.Plain", "--trace", "records", "--json")
    assert code == 0 and json.loads(out)["ran"] is None


def test_a_function_defined_in_another_is_taken_by_callers_and_path_with_a_trace(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``counting.<locals>.count``, the name Python gives it (and "did you mean" offers):
    ``callers --trace`` and ``path --trace`` refused it as a malformed query, where
    ``calls`` and ``show`` take it."""
    called = package_line("    return count(2)")
    nested = "toypkg.counting.<locals>.count"
    code, out, err = run(capsys, "callers", nested, "--trace", "toy")
    assert code == 0, err
    assert f"callers of {nested}  toypkg/__init__.py:" in out.splitlines()[0]
    assert f"  toypkg/__init__.py:{called}  in counting  [ran x1]" in out.splitlines()
    code, out, err = run(capsys, "path", "toypkg.counting", nested, "--trace", "toy")
    assert code == 0 and f"toypkg.counting -> {nested}" in out, err


def test_callers_with_a_trace_refuses_another_version_and_a_trace_not_kept(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "callers", "toypkg.square", "--trace", "toy", "--at", "toy@2")
    assert code == 2 and "leave out --at" in err
    code, _, err = run(capsys, "callers", "toypkg.square", "--trace", "nothere")
    assert code == 2 and "no trace named 'nothere'" in err


def test_goto_with_a_trace_says_what_the_line_called_in_the_run(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "goto", f"toypkg/__init__.py:{TWICE}", "--trace", "toy")
    assert code == 0, err
    assert out.startswith("toypkg.double  function")
    tail = out.split("\n\n")[-1].splitlines()
    assert tail[0].startswith("in trace 'toy' [") and tail[0].endswith(f"line {TWICE} called:")
    assert tail[1].startswith("  double  [toy]  toypkg/__init__.py:") and tail[1].endswith("  x2")
    # a comprehension and a lambda of the line are its own code: what they called is listed
    code, out, _ = run(capsys, "goto", f"toypkg/__init__.py:{SQUARES}", "--trace", "toy", "--json")
    data = json.loads(out)
    assert [(f["qualname"], f["calls"]) for f in data["ran"]] == [("toypkg.square", 4)]
    assert data["line_ran"] is True and data["results_ran"][0] == 4
    column = package_line_text(GATHER).index("square(") + 1
    code, out, _ = run(capsys, "goto", f"toypkg/__init__.py:{GATHER}:{column}", "--trace", "toy")
    assert code == 0 and out.rstrip().endswith(f"line {GATHER} did not run")
    code, _, err = run(capsys, "goto", f"toypkg/__init__.py:{TWICE}", "--trace", "toy", "--at", "toy@2")
    assert code == 2 and "leave out --at" in err


def test_goto_with_a_trace_lists_the_definition_that_ran_first(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``self.step()`` in ``Engine.run`` may run ``Engine.step`` or an override; the run
    called ``FastEngine.step``: it is the first definition, the others after it."""
    assert main(["trace", "--python", sys.executable, "--name", "joined", "prog.py", "joined"]) == 0
    capsys.readouterr()
    line = package_line("        return self.step()")
    code, out, err = run(capsys, "goto", f"toypkg/__init__.py:{line}", "--trace", "joined")
    assert code == 0, err
    assert out.startswith("toypkg.FastEngine.step  method")
    assert "\ntoypkg.Engine.step  method" in out
    tail = out.split("\n\n")[-1].splitlines()
    assert tail[1].startswith("  FastEngine.step  [toy]  toypkg/__init__.py:") and tail[1].endswith("  x1")
    code, out, _ = run(capsys, "goto", f"toypkg/__init__.py:{line}", "--trace", "joined", "--json")
    data = json.loads(out)
    assert data["result"]["qualname"] == "toypkg.FastEngine.step"
    assert data["results_ran"][0] == 1 and not any(data["results_ran"][1:])


def test_goto_with_a_trace_says_what_an_attribute_held_when_it_ran(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``self.outer(...)`` calls what a parameter made: codewalk reads the attribute, the
    run says what it held (``Steps.__call__``, called twice on the line); at a column on
    no name, the run alone answers."""
    assert main(["trace", "--python", sys.executable, "--name", "joined", "prog.py", "joined"]) == 0
    capsys.readouterr()
    line = package_line("        return self.outer(self.inner(x))")
    code, out, err = run(capsys, "goto", f"toypkg/__init__.py:{line}:21", "--trace", "joined")
    assert code == 0, err
    assert out.startswith("toypkg.Pair.outer  attribute")
    tail = out.split("\n\n")[-1].splitlines()
    assert tail[0].endswith(f"line {line} called:")
    assert tail[1].startswith("  Steps.__call__  [toy]  toypkg/__init__.py:")
    assert tail[1].endswith("  x2, not among the definitions above")
    blank = 1  # the indent: no name
    code, out, _ = run(capsys, "goto", f"toypkg/__init__.py:{line}:{blank}", "--trace", "joined", "--json")
    data = json.loads(out)
    assert code == 0 and data["result"] is None and data["results_ran"] == []
    assert [(f["qualname"], f["calls"]) for f in data["ran"]] == [("toypkg.Steps.__call__", 2)]
    code, out, _ = run(capsys, "goto", f"toypkg/__init__.py:{line}:{blank}", "--trace", "joined")
    assert code == 0 and out.splitlines()[0].endswith(f"line {line} called:")


PROCS = """
import subprocess
import sys


def work(x):
    return x * 2


def describe(function):
    return function.__name__


def counted(function, xs):
    return len(xs)


def spread(xs):
    name = describe(work)
    subprocess.run([sys.executable, "-c", ""], check=True)
    return name, counted(work, xs)
"""


def test_callers_with_a_trace_says_a_function_passed_on_may_have_run_in_the_processes_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """datasets' ``map(num_proc=2)`` hands ``Dataset._map_single`` to the pool it started:
    ``callers --trace`` said that line "passed on, not called here", not that the
    processes started by then (whose code a trace does not record) may have run it. A value
    passed on before any process started is said as it was."""
    work = use_toy(tmp_path, monkeypatch)
    (work / "toypkg" / "procs.py").write_text(PROCS.lstrip("\n"))
    (work / "procs_prog.py").write_text("import toypkg.procs\n\ntoypkg.procs.spread([1, 2])\n")
    assert main(["trace", "--python", sys.executable, "--name", "procs", "procs_prog.py"]) == 0
    capsys.readouterr()
    lines = PROCS.lstrip("\n").splitlines()
    before, started, after = (
        lines.index(text) + 1
        for text in (
            "    name = describe(work)",
            '    subprocess.run([sys.executable, "-c", ""], check=True)',
            "    return name, counted(work, xs)",
        )
    )
    code, out, err = run(capsys, "callers", "toypkg.procs.work", "--trace", "procs")
    assert code == 0, err
    passed = "[line ran: passed on, not called here"
    assert f"  toypkg/procs.py:{before}  in spread (passed as a value)  {passed}]" in out.splitlines(), out
    assert (
        f"  toypkg/procs.py:{after}  in spread (passed as a value)  {passed}: it may have run in another"
        f" process, which a trace does not record (a call of spread had started 1 process, at"
        f" toypkg/procs.py:{started} in spread)]"
    ) in out.splitlines(), out
    code, out, err = run(capsys, "callers", "toypkg.procs.work", "--trace", "procs", "--json")
    assert [(c["line"], c["processes"]) for c in json.loads(out)["callers"]] == [(before, 0), (after, 1)]
