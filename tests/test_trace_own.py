"""The program's own code in a trace: a callback of the script's, and a callable of a module
beside it, that the pinned code called back are nodes of the tree under the pinned frame
that called them, marked as the program's; what they call is under them. The program's
own calls of its functions are not recorded (its statements are the roots' places). A
call that raised is said to. Read by the plain tree, ``calls``, ``path`` and ``draft``
with ``--trace``, a trace read as a tour (its file read from disk while it is the one that
ran), the app and the recorder (which anchors no step there)."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from ui_fakes import run_async, settle

from codewalk.cli.main import main
from codewalk.errors import CodewalkError, TraceError
from codewalk.tours.recording import refusal_to_anchor
from codewalk.tours.traced import TraceSteps, trace_tour
from codewalk.traces import store
from codewalk.traces.model import PROGRAM, Trace
from codewalk.traces.own import read_own
from codewalk.traces.reading import open_trace
from codewalk.traces.rows import folded
from codewalk.ui.problem import problem_text
from tests.traceprog import package_line, tree_rows, use_toy

# the interpreters the recorder is run with: CODEWALK_TEST_PYTHONS names more (a run
# places a call written over lines at one of them or another, by version)
PYTHONS = [sys.executable, *(p for p in os.environ.get("CODEWALK_TEST_PYTHONS", "").split(os.pathsep) if p)]

if TYPE_CHECKING:
    from codewalk.ui.app import CodewalkApp
    from codewalk.ui.calls_panel import CallsPanel

PROGRAM_TEXT = """
import toypkg
from helpers import Ban


def mine(x):
    return toypkg.square(x) + 1


def boom(x):
    raise KeyError(x)


def main():
    toypkg.call_it(mine)
    toypkg.call_it(Ban())
    try:
        toypkg.call_it(boom)
    except KeyError:
        pass
    toypkg.recover()


def helper():
    return 1


helper()
main()
"""

HELPERS = """
class Ban:
    def __call__(self, x):
        return x * 0
"""

CALL_IT = package_line("    return func(2)")


def own_line(text: str) -> int:
    return textwrap.dedent(PROGRAM_TEXT).lstrip("\n").splitlines().index(text) + 1


@pytest.fixture()
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``own.py`` and ``helpers.py`` beside the toy package, traced as ``own``."""
    work = use_toy(tmp_path, monkeypatch)
    (work / "own.py").write_text(textwrap.dedent(PROGRAM_TEXT).lstrip("\n"))
    (work / "helpers.py").write_text(textwrap.dedent(HELPERS).lstrip("\n"))
    (tmp_path / "tours").mkdir()
    monkeypatch.setenv("CODEWALK_TOURS_PATH", str(tmp_path / "tours"))
    assert main(["trace", "--python", sys.executable, "--name", "own", "own.py"]) == 0
    return work


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def named(trace: Trace, qualname: str) -> int:
    return next(i for i, f in enumerate(trace.functions) if f.qualname == qualname)


def test_the_programs_callbacks_are_recorded_under_the_pinned_call_and_its_own_calls_are_not(
    work: Path,
) -> None:
    trace = store.load("own")
    own = {f.qualname: f for f in trace.functions if f.own}
    assert set(own) == {"__main__.mine", "__main__.boom", "helpers.Ban.__call__"}  # not main, not helper
    assert own["__main__.mine"].repo == PROGRAM and own["__main__.mine"].path == str(work / "own.py")
    assert own["helpers.Ban.__call__"].path == str(work / "helpers.py")
    assert own["__main__.mine"].line == own_line("def mine(x):")
    assert {path for path, _ in trace.own} == {str(work / "own.py"), str(work / "helpers.py")}
    nodes = trace.nodes
    mine = next(i for i, n in enumerate(nodes) if i and n.function == named(trace, "__main__.mine"))
    assert trace.functions[nodes[nodes[mine].parent].function].qualname == "toypkg.call_it"
    assert nodes[mine].line == CALL_IT
    square = [i for i, n in enumerate(nodes) if i and n.parent == mine]
    assert [trace.functions[nodes[i].function].qualname for i in square] == ["toypkg.square"]
    assert own_line("    return toypkg.square(x) + 1") in trace.lines[named(trace, "__main__.mine")]
    boom = next(n for n in nodes[1:] if n.function == named(trace, "__main__.boom"))
    fail = next(n for n in nodes[1:] if n.function == named(trace, "toypkg.fail"))
    assert (boom.calls, boom.raised, fail.raised) == (1, 1, 1)
    assert all(not n.raised for n in nodes[1:] if n.function == named(trace, "__main__.mine"))


def test_the_plain_tree_marks_the_programs_code_and_the_calls_that_raised(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "tour", "--trace", "own", "--plain")
    assert code == 0
    rows = [(depth, label.split("  ")[:3]) for _, depth, label in tree_rows(out)]
    assert (1, ["mine", "[the program's, own.py]", "x1"]) in rows
    assert (2, ["square", "[toy]", "x1"]) in rows  # the program's callee: another repository's again
    assert (1, ["Ban.__call__", "[the program's, helpers.py]", "x1"]) in rows
    assert (1, ["boom", "[the program's, own.py]", "x1 raised"]) in rows
    assert (1, ["fail", "x1 raised", rows[-1][1][2]]) in rows
    code, out, _ = run(capsys, "tour", "--trace", "own", "--json")
    nodes = json.loads(out)["nodes"]
    boom = next(n for n in nodes if n["qualname"] == "__main__.boom")
    assert (boom["program"], boom["repo"], boom["raised"], boom["path"]) == (
        True,
        None,
        1,
        str(work / "own.py"),
    )
    assert next(n for n in nodes if n["qualname"] == "toypkg.square")["program"] is False


def test_calls_and_path_with_a_trace_go_through_the_programs_code(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "calls", "toypkg.call_it", "--trace", "own")
    assert code == 0
    assert "-> mine (the program's, own.py)  [ran x1]" in out
    assert "-> Ban.__call__ (the program's, helpers.py)  [ran x1]" in out
    code, out, _ = run(capsys, "calls", "toypkg.call_it", "--trace", "own", "--json")
    reached = {r["qualname"]: r for site in json.loads(out)["calls"] for r in site["reached"]}
    assert reached["__main__.mine"] | {"line": 0} == {
        "qualname": "__main__.mine",
        "repo": None,
        "path": str(work / "own.py"),
        "line": 0,
        "program": True,
        "calls": 1,
    }
    code, out, _ = run(capsys, "path", "toypkg.call_it", "toypkg.square", "--trace", "own")
    assert code == 0, out
    assert f"  mine  {work / 'own.py'}:{own_line('def mine(x):')}  [the program's, own.py]" in out
    assert "return toypkg.square(x) + 1" in out  # the program's line, read from its file
    code, out, _ = run(capsys, "path", "toypkg.call_it", "toypkg.square", "--trace", "own", "--json")
    (chain,) = json.loads(out)["chains"]
    assert [(hop["qualname"], hop["program"]) for hop in chain] == [
        ("toypkg.call_it", False),
        ("__main__.mine", True),
        ("toypkg.square", False),
    ]


def test_path_with_a_trace_ends_at_the_programs_own_function(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``path A B --trace`` with B the program's own code (a callback, a model's remote
    ``forward``): the chains that ran to it, B named as the run names it, as the tree does,
    or with its module."""
    for goal in ("Ban.__call__", "helpers.Ban.__call__"):
        code, out, err = run(capsys, "path", "toypkg.call_it", goal, "--trace", "own")
        assert code == 0, err
        assert out.splitlines()[0].startswith(
            "toypkg.call_it -> Ban.__call__ (the program's, helpers.py): 1 chain ran"
        )
        assert "  Ban.__call__  " in out and "[the program's, helpers.py]" in out
    code, out, _ = run(capsys, "path", "toypkg.call_it", "mine", "--trace", "own", "--json")
    data = json.loads(out)
    assert data["goal"]["qualname"] == "__main__.mine" and data["goal"]["program"] is True
    (chain,) = data["chains"]
    assert [(hop["qualname"], hop["program"]) for hop in chain] == [
        ("toypkg.call_it", False),
        ("__main__.mine", True),
    ]
    code, _, err = run(capsys, "path", "toypkg.recover", "mine", "--trace", "own")
    assert (
        code == 1 and "no chain from toypkg.recover to mine (the program's, own.py) ran in trace 'own'" in err
    )


def test_path_with_a_trace_takes_the_programs_own_function_as_either_end(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``path Trainer.train MyTrainer.compute_loss --trace``: no pin defines the program's
    own function, but the run called it: the chains that ran to it (and from it), not
    "in another package" nor "no definition found"."""
    for goal in ("mine", "__main__.mine"):
        code, out, err = run(capsys, "path", "toypkg.call_it", goal, "--trace", "own")
        assert code == 0, err
        assert out.startswith("toypkg.call_it -> mine (the program's, own.py): 1 chain ran in trace 'own'")
        assert out.rstrip().endswith("ran x1")
    code, out, err = run(capsys, "path", "toypkg.call_it", "Ban.__call__", "--trace", "own")
    assert code == 0, err  # a class no pin provides: once "a trace records the pinned packages only"
    assert "-> Ban.__call__ (the program's, helpers.py): 1 chain ran" in out
    code, out, err = run(capsys, "path", "mine", "toypkg.square", "--trace", "own")
    assert code == 0, err
    assert out.startswith("mine (the program's, own.py) -> toypkg.square: 1 chain ran")
    assert "return toypkg.square(x) + 1" in out
    code, out, _ = run(capsys, "path", "toypkg.call_it", "mine", "--trace", "own", "--json")
    answer = json.loads(out)
    assert answer["goal"] == {
        "qualname": "__main__.mine",
        "repo": None,
        "path": str(work / "own.py"),
        "line": own_line("def mine(x):"),
        "program": True,
    }
    assert [hop["qualname"] for hop in answer["chains"][0]] == ["toypkg.call_it", "__main__.mine"]
    code, _, err = run(capsys, "path", "toypkg.recover", "mine", "--trace", "own")
    assert code == 1 and "no chain from toypkg.recover to mine (the program's, own.py) ran" in err
    assert "hint: codewalk tour --trace own shows where the program's own code ran" in err
    code, _, err = run(capsys, "path", "toypkg.call_it", "helper", "--trace", "own")
    assert code == 1 and "'helper': no definition found" in err  # the program's, but it never ran


def test_calls_with_a_trace_on_the_programs_own_function_answers_from_the_run(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No pin defines ``mine`` and its file is not indexed: its calls are its lines as
    written, each with what the run called there, as ``c`` lists them in the UI."""
    code, out, err = run(capsys, "calls", "mine", "--trace", "own")
    assert code == 0, err
    lines = out.splitlines()
    place = f"{work / 'own.py'}:{own_line('def mine(x):')}"
    assert lines[0].startswith(f"mine (the program's, own.py)  {place}  ran x1 ")
    assert lines[1:] == [
        "  (the program's own code, which codewalk does not index: its calls as written, and what the run"
        " called at each line)",
        f"  {own_line('    return toypkg.square(x) + 1'):>6}  toypkg.square  [ran x1]",
        "            -> toypkg.square  [ran x1]",
    ]
    code, out, err = run(capsys, "calls", "Ban.__call__", "--trace", "own", "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["function"]["qualname"] == "helpers.Ban.__call__" and answer["function"]["program"]
    assert answer["function"]["path"] == str(work / "helpers.py") and answer["ran"] == 1
    assert answer["calls"] == []  # ``x * 0``: no call
    code, out, err = run(capsys, "calls", "mine", "--trace", "own", "--json")
    (call,) = json.loads(out)["calls"]
    assert (call["expr"], call["ran"], call["line_ran"], call["targets"]) == ("toypkg.square", 1, True, [])
    reached = [(r["qualname"], r["calls"], r["program"]) for r in call["reached"]]
    assert reached == [("toypkg.square", 1, False)]


def test_calls_with_a_trace_on_the_programs_code_with_no_def_or_changed_since_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lambda the pinned code called has no ``def`` whose lines are its own (listing
    the enclosing code's would be another function's calls); a file changed since the run
    is not read as it ran: one line each."""
    work = use_toy(tmp_path, monkeypatch)
    (work / "lam.py").write_text(
        "import toypkg\n\n\ndef mine(x):\n    return x\n\n\ntoypkg.call_it(lambda x: x)\n"
        "toypkg.call_it(mine)\n"
    )
    assert main(["trace", "--python", sys.executable, "--name", "lam", "lam.py"]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "calls", "<lambda>", "--trace", "lam")
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == (
        f"codewalk: error: <lambda> (the program's, lam.py) is no def or class of {work / 'lam.py'}"
        " whose calls codewalk can list (line 8)"
    )
    (work / "lam.py").write_text("# edited\n" + (work / "lam.py").read_text())
    code, out, err = run(capsys, "calls", "mine", "--trace", "lam")
    assert (code, out) == (2, "")  # as every trace that cannot be read as it ran
    assert "has changed since trace 'lam' ran it" in err and len(err.splitlines()) <= 2, err


def test_draft_along_a_chain_through_the_programs_code_leaves_its_step_out_and_says_why(
    work: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "drafted.yaml"
    code, _, err = run(
        capsys, "draft", "toypkg.call_it", "toypkg.square", "--trace", "own", "-o", str(out_file)
    )
    assert code == 0, err
    assert "codewalk: no step at mine (the program's, own.py): the program's own code is in no pinned" in err
    written = out_file.read_text()
    assert 'title: "call_it calls mine (the program\'s, own.py) (ran 1 time)"' in written
    assert "at: toypkg.call_it" in written and "__main__" not in written.split("steps:")[1].split("title")[0]
    assert refusal_to_anchor("toy", "x") is None


ALONE = """
import toypkg


def inner(x):
    return x


def outer(x):
    return inner(x)


toypkg.call_it(outer)
"""


def test_draft_along_a_chain_of_the_programs_code_alone_has_no_step_and_says_so(
    work: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A chain that ran from the program's callback to a function of its own that the
    callback called: no hop of it is in a pin, so no tour is written (its steps would all
    be left out), and the error says why in one line."""
    (work / "alone.py").write_text(textwrap.dedent(ALONE).lstrip("\n"))
    assert main(["trace", "--python", sys.executable, "--name", "alone", "alone.py"]) == 0
    capsys.readouterr()
    out_file = tmp_path / "alone.yaml"
    code, _, err = run(capsys, "draft", "outer", "inner", "--trace", "alone", "-o", str(out_file))
    assert code == 1
    assert (
        "no step to draft: the chain from outer (the program's, alone.py) to inner (the program's,"
        " alone.py) that ran is the program's own code alone, which no pinned repository holds"
    ) in err
    assert len(err.strip().splitlines()) <= 2 and "Traceback" not in err  # the hops left out, the error
    assert not out_file.exists()


def test_callers_with_a_trace_takes_the_programs_own_function_and_names_it_among_the_callers(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``callers MyTrainer.compute_loss --trace``: no pin defines it, the run says who
    called it; a pinned function the program's own code called has it among its callers,
    where codewalk lists no call site (the program's files are not indexed)."""
    code, out, err = run(capsys, "callers", "mine", "--trace", "own")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"callers of mine (the program's, own.py)  {work / 'own.py'}:")
    assert "ran x1 in trace 'own'" in lines[0]
    assert f"  toypkg/__init__.py:{CALL_IT}  in call_it  x1" in lines
    assert "      return func(2)" in lines
    code, out, _ = run(capsys, "callers", "__main__.mine", "--trace", "own", "--json")
    data = json.loads(out)
    assert data["function"]["program"] is True and data["callers"] == []
    assert [(u["caller"]["qualname"], u["line"], u["calls"]) for u in data["unlisted"]] == [
        ("toypkg.call_it", CALL_IT, 1)
    ]
    code, out, _ = run(capsys, "callers", "toypkg.square", "--trace", "own")
    assert code == 0
    square_line = own_line("    return toypkg.square(x) + 1")
    assert f"  {work / 'own.py'}:{square_line}  in mine (the program's, own.py)  x1" in out
    code, _, err = run(capsys, "callers", "helper", "--trace", "own")
    assert code == 1 and "'helper': no definition found" in err  # the program's, but it never ran


def test_draft_with_a_trace_takes_the_programs_own_function_as_either_end(
    work: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """As ``path --trace`` does: a tour to the program's callback ends at the pinned call
    of it (no step is anchored in the program's file); one from it starts below it."""
    out_file = tmp_path / "to_mine.yaml"
    code, _, err = run(capsys, "draft", "toypkg.call_it", "mine", "--trace", "own", "-o", str(out_file))
    assert code == 0, err
    written = out_file.read_text()
    assert 'title: "From call_it to mine, as it ran"' in written
    assert written.count("  - at: ") == 1 and "  - at: toypkg.call_it" in written
    assert "call_it calls mine (the program's, own.py) (ran 1 time)" in written
    out_file = tmp_path / "from_mine.yaml"
    code, _, err = run(capsys, "draft", "mine", "toypkg.square", "--trace", "own", "-o", str(out_file))
    assert code == 0, err
    assert "codewalk: no step at mine (the program's, own.py)" in err
    written = out_file.read_text()
    assert 'title: "From mine to square, as it ran"' in written and "  - at: toypkg.square" in written
    code, _, err = run(
        capsys, "draft", "toypkg.recover", "mine", "--trace", "own", "-o", str(tmp_path / "no.yaml")
    )
    assert (
        code == 1 and "no chain from toypkg.recover to mine (the program's, own.py) ran in trace 'own'" in err
    )


def test_a_step_on_the_programs_code_reads_its_file_while_it_is_the_one_that_ran(work: Path) -> None:
    opened = open_trace("own")
    traced = trace_tour(opened.trace, opened.tree)
    steps = TraceSteps(traced, opened.trace, opened.stack.workspace)
    index = next(i for i, step in enumerate(traced.tour.steps) if step.title == "mine x1")
    assert "The program's own code" in (traced.tour.steps[index].note or "")
    resolved = steps(index)
    assert resolved.status == "resolved" and resolved.target is not None
    target = resolved.target
    assert (target.repo, target.path) == (PROGRAM, str(work / "own.py"))
    assert (target.start_line, target.end_line) == (own_line("def mine(x):"), own_line("def mine(x):") + 1)
    boom = next(i for i, step in enumerate(traced.tour.steps) if step.title == "boom x1")
    assert "ended by an exception" in (traced.tour.steps[boom].note or "")
    (work / "own.py").write_text("# edited since\n" + (work / "own.py").read_text())
    changed = steps(index)
    assert changed.status == "missing" and changed.target is None
    assert "has changed since trace 'own' ran it" in (changed.error or "")
    assert "does not resolve[/] at your program\n" in problem_text(changed)  # as the header names it


def test_reading_a_programs_file_says_why_it_cannot(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trace = store.load("own")
    assert "def mine(x):" in read_own(trace, str(work / "own.py"))
    unread = trace._replace(own=((str(work / "own.py"), ""),))  # unreadable as the run ended
    with pytest.raises(TraceError, match="could not be read when trace 'own' ended"):
        read_own(unread, str(work / "own.py"))
    with pytest.raises(TraceError, match="is not one of the program's files that ran"):
        read_own(trace, str(work / "prog.py"))
    monkeypatch.setattr("codewalk.traces.own.LIMIT", 10)
    with pytest.raises(TraceError, match="larger than any program file"):
        read_own(trace, str(work / "own.py"))
    (work / "helpers.py").unlink()
    with pytest.raises(TraceError, match="cannot read it"):
        read_own(trace, str(work / "helpers.py"))


def test_a_trace_of_the_format_before_still_reads_and_a_program_file_it_does_not_name_is_damage(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = store.path_of("own")
    head, body = (json.loads(line) for line in path.read_text().splitlines())
    # as format 2 wrote it: nodes of six numbers, no program's code, no "own"
    keep = [i for i, f in enumerate(body["functions"]) if f[0] != PROGRAM]
    assert len(keep) < len(body["functions"])
    old_head = head | {"format": 2, "functions": len(keep)}
    old_body = body | {
        "functions": [body["functions"][i] for i in keep],
        "lines": [body["lines"][i] for i in keep],
        "nodes": [body["nodes"][0][:6], [0, 1, 0, -1, 1, 0.5]],
        "wrappers": [],
        "passed": [],
        "processes": [],
    }
    for later in ("own", "imported", "direct"):  # what format 2 did not keep
        del old_body[later]
    path.write_text(json.dumps(old_head) + "\n" + json.dumps(old_body) + "\n")
    trace = store.load("own")
    assert trace.own == () and trace.nodes[1].raised == 0
    code, out, _ = run(capsys, "tour", "--trace", "own", "--plain")
    assert code == 0 and "raised" not in out
    path.write_text(json.dumps(head) + "\n" + json.dumps(body | {"own": []}) + "\n")
    with pytest.raises(
        TraceError, match="damaged: a function of the program's names a file the trace does not"
    ):
        store.load("own")
    relative = [["own.py", blob] for _, blob in body["own"]]
    path.write_text(json.dumps(head) + "\n" + json.dumps(body | {"own": relative}) + "\n")
    with pytest.raises(TraceError, match=r"damaged: the program's file 'own\.py' is not an absolute path"):
        store.load("own")
    path.write_text(json.dumps(head) + "\n" + json.dumps(body) + "\n")
    assert store.load("own").own_dirs == (str(work),)  # where the program's files are, as recorded
    relative_dir = "the program's directory 'here' is not an absolute path"
    for dirs, said in ((["here"], relative_dir), ([3], "directory is not str")):
        path.write_text(json.dumps(head) + "\n" + json.dumps(body | {"own_dirs": dirs}) + "\n")
        with pytest.raises(TraceError, match=f"damaged: .*{said}"):
            store.load("own")
    more = [body["nodes"][0], [*body["nodes"][1][:6], body["nodes"][1][4] + 1], *body["nodes"][2:]]
    path.write_text(json.dumps(head) + "\n" + json.dumps(body | {"nodes": more}) + "\n")
    with pytest.raises(
        TraceError, match="damaged: node 1 has a negative or non-finite count"
    ):  # raised > calls
        store.load("own")


def _app_at_mine() -> CodewalkApp:
    """The terminal UI on trace ``own``, at the step of the program's own ``mine``."""
    from codewalk.ui.app import make_app
    from codewalk.ui.launch import trace_session

    opened = open_trace("own")
    rows = folded(opened.trace, opened.tree)
    mine = next(
        n
        for n, row in enumerate(rows)
        if opened.trace.functions[opened.trace.nodes[row.shown.node].function].name == "mine"
    )
    session, _ = trace_session(opened)
    return make_app(session, start_step=mine)


@run_async
async def test_the_app_opens_the_programs_file_at_its_function_and_the_recorder_anchors_no_step_there(
    work: Path,
) -> None:
    from codewalk.ui.code_view import CodeView
    from codewalk.ui.header import TourHeader
    from codewalk.ui.record_screen import RecordScreen
    from codewalk.ui.steps import StepsList
    from codewalk.ui.version_chooser import VersionChooser

    app = _app_at_mine()
    session = app.session
    assert session is not None
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        code = app.screen.query_one(CodeView)
        assert code.source is not None and code.source.path == str(work / "own.py")
        assert code.source.lines[code.cursor[0] - 1].startswith("def mine(x):")
        assert app.screen.query_one(TourHeader).text.endswith("·  your program")  # not "<program>"
        steps = app.screen.query_one(StepsList)
        assert "── your program ↗" in [str(o.prompt) for o in steps.options if steps.step_of(o) is None]
        assert session.nav.known[PROGRAM].unread.startswith(
            "the program's own code is in no pinned repository"
        )
        with pytest.raises(CodewalkError, match="in no pinned repository"):  # c, g, x: no workspace reads it
            session.nav.calls_at(PROGRAM, code.source.path, code.cursor[0])
        await pilot.press("v")  # no version of it but the one that ran: none offered
        await settle(pilot)
        assert not isinstance(app.screen, VersionChooser)
        said = [str(n.message) for n in app._notifications]
        assert any(m.startswith("versions: the program's own code is in no pinned") for m in said), said
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen.draft.steps == ()
        said = [str(n.message) for n in app._notifications]
        assert any(m.startswith("no step at ") and "in no pinned repository" in m for m in said), said


@run_async
async def test_a_step_of_the_programs_resolved_ahead_shows_its_file_as_it_is_when_the_reader_comes(
    work: Path,
) -> None:
    """The step after the one on screen is resolved ahead of the reader; the program's
    file changes meanwhile: ``n`` says it changed, in place of the code that ran (not
    the text read before); put back as it ran, the step shows it again."""
    from codewalk.ui.app import make_app
    from codewalk.ui.code_view import CodeView
    from codewalk.ui.launch import trace_session
    from codewalk.ui.problem import StepProblem
    from codewalk.ui.steps import StepsList

    opened = open_trace("own")
    rows = folded(opened.trace, opened.tree)
    names = [opened.trace.functions[opened.trace.nodes[row.shown.node].function].name for row in rows]
    mine = names.index("mine")
    session, _ = trace_session(opened)
    app = make_app(session, start_step=mine)
    own = work / "own.py"
    ran = own.read_text()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        code, problem = screen.query_one(CodeView), screen.query_one(StepProblem)
        assert code.source is not None and code.source.path == str(own)  # read, and kept
        boom = names.index("boom")
        await pilot.press("p")
        await settle(pilot)
        assert screen.resolved[mine].status == "resolved"  # resolved again ahead of the reader
        assert str(code.source.path) != str(own)
        own.write_text("# edited since\n" + ran)
        for _ in range(boom - mine + 1):
            await pilot.press("n")
            await settle(pilot)
        assert screen.step_index == boom
        assert not code.display and problem.has_class("-shown")
        assert "has changed since trace 'own' ran it" in str(problem.render())
        assert screen.query_one(StepsList).highlighted_step == boom
        await pilot.press("p")  # mine, resolved before the change: said to have changed too
        for _ in range(boom - mine - 1):
            await pilot.press("p")
        await settle(pilot)
        assert screen.step_index == mine and not code.display
        assert "has changed since trace 'own' ran it" in str(problem.render())
        own.write_text(ran)
        await pilot.press("n")
        for _ in range(boom - mine - 1):
            await pilot.press("n")
        await settle(pilot)
        assert screen.step_index == boom and code.display and not problem.has_class("-shown")
        assert code.source is not None and code.source.lines[code.cursor[0] - 1].startswith("def boom(x):")


def test_a_damaged_trace_naming_a_fifo_or_a_nul_as_the_programs_file_is_refused_not_read(
    work: Path, tmp_path: Path
) -> None:
    trace = store.load("own")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # no writer: an open that waits for one never returns
    for path in (str(tmp_path / "x\0y.py"), str(fifo)):
        damaged = trace._replace(own=((path, "0" * 40),))
        with pytest.raises(TraceError, match="cannot read it: "):
            read_own(damaged, path)


def test_a_module_run_with_dash_m_from_another_directory_has_its_packages_callbacks_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``trace -m myprog.cli`` run from a directory other than the package's (found on
    ``PYTHONPATH``, as an editable install's is): its package's files are the program's,
    named as its modules; a single-file module's, the files beside it."""
    work = use_toy(tmp_path, monkeypatch)
    package = tmp_path / "src" / "myprog"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "hooks.py").write_text("import toypkg\n\n\ndef mine(x):\n    return toypkg.square(x)\n")
    (package / "cli.py").write_text("import toypkg\nfrom myprog.hooks import mine\n\ntoypkg.call_it(mine)\n")
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "lonely.py").write_text(
        "import toypkg\n\n\ndef mine(x):\n    return x\n\n\ntoypkg.call_it(mine)\n"
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path / "src"), str(lone)]))
    for name, module in (("pkg", "myprog.cli"), ("lone", "lonely")):
        assert main(["trace", "--python", sys.executable, "--name", name, "-m", module]) == 0
    trace = store.load("pkg")
    own = {f.qualname: f.path for f in trace.functions if f.own}
    assert own == {"myprog.hooks.mine": str(package / "hooks.py")}
    mine = next(i for i, n in enumerate(trace.nodes) if i and n.function == named(trace, "myprog.hooks.mine"))
    called = [trace.functions[n.function].qualname for n in trace.nodes if n.parent == mine]
    assert called == ["toypkg.square"]
    assert {f.qualname: f.path for f in store.load("lone").functions if f.own} == {
        "lonely.mine": str(lone / "lonely.py")
    }
    code, out, _ = run(capsys, "tour", "--trace", "pkg", "--plain")
    assert code == 0
    assert any(label.startswith("mine  [the program's, hooks.py]") for _, _, label in tree_rows(out)), out
    assert str(work) != str(package.parent)
    # the package's statement calling the pinned code is the program's, not outside code
    from codewalk.tours.traced import trace_tour
    from codewalk.traces.reading import open_trace

    opened = open_trace("pkg")
    traced_tour = trace_tour(opened.trace, opened.tree)
    steps = zip(traced_tour.tour.steps, traced_tour.depths, strict=True)
    roots = [step.note for step, depth in steps if depth == 0]
    assert any("Called by the program (from `cli.py:4`" in note for note in roots), roots


def test_c_in_a_file_of_the_programs_no_pinned_code_called_names_its_function_by_its_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The calls of a function of a module of the program's that only the program called
    (none of its code recorded) are headed by that module's name, as the run names it
    (``tools.steps.run``, run as a script or with ``-m``), not the script's ``__main__``."""
    from codewalk.traces.own_calls import own_calls

    work = use_toy(tmp_path, monkeypatch)
    (work / "tools").mkdir()
    (work / "tools" / "__init__.py").write_text("")
    steps = work / "tools" / "steps.py"
    steps.write_text("import toypkg\n\n\ndef run():\n    return toypkg.square(3)\n")
    (work / "tools" / "cli.py").write_text("from tools.steps import run\n\nrun()\n")
    (work / "prog.py").write_text("from tools.steps import run\n\nrun()\n")
    assert main(["trace", "--python", sys.executable, "--name", "script", "prog.py"]) == 0
    assert main(["trace", "--python", sys.executable, "--name", "dash-m", "-m", "tools.cli"]) == 0
    for name in ("script", "dash-m"):
        opened = open_trace(name)
        found = own_calls(opened.trace, opened.tree, str(steps), steps.read_text(), 5, module=True)
        assert found is not None
        assert found.calls.function.qualname == "tools.steps.run", name
        assert [[ran.qualname for ran in there] for there in found.ran] == [["toypkg.square"]], name
    opened = open_trace("script")
    script = own_calls(opened.trace, opened.tree, str(work / "prog.py"), "run()\n", 1, module=True)
    assert script is not None and script.calls.function.qualname == "__main__"
    damaged = opened.trace._replace(cwd="", own_dirs=())  # where it ran not said: the file's own name
    elsewhere = own_calls(damaged, opened.tree, str(steps), steps.read_text(), 5, module=True)
    assert elsewhere is not None and elsewhere.calls.function.qualname == "steps.run"


SETTINGS = """
import toypkg


class Settings:
    side = toypkg.square(4)

    def area(self):
        return self.side


def chained():
    return (toypkg
        .square(3))


print(Settings().area(), chained())
"""


def test_c_in_a_class_body_of_the_programs_lists_the_statements_of_the_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line of a class's body outside its methods (a class attribute set by a call):
    the calls are the class's statements, which run as it is defined (with what ran
    there), not the module's, which do not hold the line."""
    from codewalk.traces.own_calls import own_calls

    work = use_toy(tmp_path, monkeypatch)
    text = textwrap.dedent(SETTINGS).lstrip("\n")
    (work / "settings.py").write_text(text)
    assert main(["trace", "--python", sys.executable, "--name", "settings", "settings.py"]) == 0
    opened = open_trace("settings")
    found = own_calls(opened.trace, opened.tree, str(work / "settings.py"), text, 5, module=True)
    assert found is not None
    assert (found.calls.function.qualname, found.calls.function.kind) == ("__main__.Settings", "class")
    assert [row.line for row in found.calls.rows] == [5]
    assert [[(ran.qualname, ran.calls) for ran in there] for there in found.ran] == [[("toypkg.square", 1)]]


ONLY_CLASS = """
import toypkg


def main(n):
    class Settings:
        side = toypkg.square(n)

        def area(self):
            return toypkg.fib(self.side)

    return Settings


toypkg.call_it(main)
"""


def test_c_on_a_function_whose_body_is_a_class_lists_the_class_bodys_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``def main(n): class Settings: side = toypkg.square(n)``: the class's body runs as
    main runs its statement, so its calls are main's (said "0 calls in main"); its
    methods' bodies are their own."""
    from codewalk.traces.own_calls import own_calls

    work = use_toy(tmp_path, monkeypatch)
    text = textwrap.dedent(ONLY_CLASS).lstrip("\n")
    (work / "only.py").write_text(text)
    assert main(["trace", "--python", sys.executable, "--name", "only", "only.py"]) == 0
    opened = open_trace("only")
    lines = text.splitlines()
    found = own_calls(opened.trace, opened.tree, str(work / "only.py"), text, lines.index("def main(n):") + 1)
    assert found is not None and found.calls.function.qualname == "__main__.main"
    assert [(row.line, row.expr) for row in found.calls.rows] == [
        (lines.index("        side = toypkg.square(n)") + 1, "toypkg.square")
    ]
    assert [[(ran.qualname, ran.calls) for ran in there] for there in found.ran] == [[("toypkg.square", 1)]]


@pytest.mark.parametrize("python", PYTHONS)
def test_c_reads_what_ran_at_a_method_call_written_over_lines(
    python: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call of a method chained over two lines (``(toypkg`` then ``.square(3))``), a
    row at the line it starts at, says what ran there, at whichever of its lines the run
    placed it (3.10 places it at its name, later Pythons at its start)."""
    from codewalk.traces.own_calls import own_calls

    work = use_toy(tmp_path, monkeypatch)
    text = textwrap.dedent(SETTINGS).lstrip("\n")
    (work / "settings.py").write_text(text)
    assert main(["trace", "--python", python, "--name", "settings", "settings.py"]) == 0
    opened = open_trace("settings")
    line = text.splitlines().index("    return (toypkg") + 1
    found = own_calls(opened.trace, opened.tree, str(work / "settings.py"), text, line + 1, module=True)
    assert found is not None and found.calls.function.qualname == "__main__.chained"
    assert [row.line for row in found.calls.rows] == [line]
    assert [[(ran.qualname, ran.calls) for ran in there] for there in found.ran] == [[("toypkg.square", 1)]]


def test_a_models_remote_code_copied_outside_the_programs_directory_is_recorded_as_remote_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A module under a ``transformers_modules`` directory (where transformers copies a
    model's code loaded with ``trust_remote_code=True``, ``HF_MODULES_CACHE``) that the
    pinned code calls is recorded as the program's is, named as it was imported, and
    marked as remote code."""
    work = use_toy(tmp_path, monkeypatch)
    copied = tmp_path / "hf-modules" / "transformers_modules" / "toy" / "abc123"
    copied.mkdir(parents=True)
    (copied / "modeling_toy.py").write_text("def forward(x):\n    return x\n")
    (work / "remote.py").write_text(
        f"import sys\nsys.path.append({str(tmp_path / 'hf-modules')!r})\nimport toypkg\n"
        "from transformers_modules.toy.abc123 import modeling_toy\n\ntoypkg.call_it(modeling_toy.forward)\n"
    )
    assert main(["trace", "--python", sys.executable, "--name", "remote", "remote.py"]) == 0
    trace = store.load("remote")
    own = {f.qualname: f.path for f in trace.functions if f.own}
    assert own == {"transformers_modules.toy.abc123.modeling_toy.forward": str(copied / "modeling_toy.py")}
    code, out, _ = run(capsys, "tour", "--trace", "remote", "--plain")
    assert code == 0
    assert (1, ["forward", "[remote code, modeling_toy.py]", "x1"]) in [
        (depth, label.split("  ")[:3]) for _, depth, label in tree_rows(out)
    ], out
    opened = open_trace("remote")
    notes = [step.note or "" for step in trace_tour(opened.trace, opened.tree).tour.steps]
    assert any("A model's code loaded as remote code (transformers' copy of it, " in note for note in notes)


@run_async
async def test_the_header_says_a_models_remote_code_is_that_not_your_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code view's header on a model's remote code (the program's in the trace, as the
    run imported it) names it as remote code of the model its directories name, without
    the revision's hash; the program's own file stays "your program"."""
    from codewalk.ui.app import make_app
    from codewalk.ui.header import TourHeader
    from codewalk.ui.launch import trace_session

    work = use_toy(tmp_path, monkeypatch)
    copied = tmp_path / "hf-modules" / "transformers_modules" / "org" / "toy_hyphen_lm" / ("ab12" * 10)
    copied.mkdir(parents=True)
    (copied / "modeling_toy.py").write_text("def forward(x):\n    return x\n")
    (work / "remote.py").write_text(
        f"import sys\nsys.path.append({str(tmp_path / 'hf-modules')!r})\nimport toypkg\n"
        "import importlib\n\nmodeling_toy = importlib.import_module("
        f"'transformers_modules.org.toy_hyphen_lm.{'ab12' * 10}.modeling_toy')\n"
        "toypkg.call_it(modeling_toy.forward)\n"
    )
    assert main(["trace", "--python", sys.executable, "--name", "remote", "remote.py"]) == 0
    opened = open_trace("remote")
    rows = folded(opened.trace, opened.tree)
    forward = next(
        n
        for n, row in enumerate(rows)
        if opened.trace.functions[opened.trace.nodes[row.shown.node].function].name == "forward"
    )
    session, _ = trace_session(opened)
    app = make_app(session, start_step=forward)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(TourHeader).text.endswith("·  remote code org/toy_hyphen_lm")


def test_a_root_the_models_remote_code_called_is_called_by_it_not_by_code_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The program calling a model's remote code itself (``model(ids)``, not under a pinned
    call): what that code calls of the pins is a root, called by the remote code, which
    runs as the program's does, not by code outside the pinned packages and the program."""
    work = use_toy(tmp_path, monkeypatch)
    copied = tmp_path / "hf-modules" / "transformers_modules" / "toy" / "abc123"
    copied.mkdir(parents=True)
    (copied / "modeling_toy.py").write_text(
        "import toypkg\n\n\ndef forward(x):\n    return toypkg.square(x)\n"
    )
    (work / "direct.py").write_text(
        f"import sys\nsys.path.append({str(tmp_path / 'hf-modules')!r})\n"
        "from transformers_modules.toy.abc123 import modeling_toy\n\nmodeling_toy.forward(3)\n"
    )
    assert main(["trace", "--python", sys.executable, "--name", "direct", "direct.py"]) == 0
    opened = open_trace("direct")
    traced = trace_tour(opened.trace, opened.tree)
    steps = zip(traced.tour.steps, traced.depths, strict=True)
    square = [step.note or "" for step, depth in steps if not depth and step.title.startswith("square ")]
    assert square, traced.tour.steps
    assert all("code outside the pinned packages" not in note for note in square), square
    assert any("Called by the program (from `modeling_toy.py:5`" in note for note in square), square


def test_a_name_two_of_the_programs_own_functions_that_ran_share_is_ambiguous() -> None:
    """``f`` in the script and ``f`` in a module beside it both ran: the reader names one,
    by its module; a name none of them has gives the static answer's refusal back."""
    from codewalk.errors import QueryError
    from codewalk.traces.model import Function, Node
    from codewalk.traces.named import own_instead
    from tests.synthetic_trace import synthetic_trace

    functions = [
        Function(PROGRAM, "/w/prog.py", "__main__", "f", 1),
        Function(PROGRAM, "/w/helpers.py", "helpers", "f", 1),
    ]
    nodes = [Node(-1, 0, -1, -1, 1, 0.0), Node(0, 3, 0, -1, 1, 0.0), Node(0, 4, 1, -1, 1, 0.0)]
    trace = synthetic_trace(functions, nodes)
    with pytest.raises(QueryError) as info:
        own_instead(trace, "f", QueryError("'f': no definition found"))
    assert str(info.value) == (
        "'f' is ambiguous: 2 of the program's own functions ran in trace 'toy'\n"
        "  hint: name one: __main__.f, helpers.f"
    )
    assert own_instead(trace, "helpers.f", None) == functions[1]
    with pytest.raises(QueryError, match="'g': no definition found"):
        own_instead(trace, "g", QueryError("'g': no definition found"))


@run_async
async def test_a_line_of_the_programs_file_is_said_to_be_in_your_program_not_program(work: Path) -> None:
    """``:N`` on the program's file, and the way back from there: the palette's row and
    the off-tour line named the program's code by codewalk's own mark, ``<program>``, where
    the header and the steps say "your program"."""
    from textual.command import CommandList

    from codewalk.ui.header import OffTourBanner

    app = _app_at_mine()
    line = own_line("def main():")
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *f":{line}")
        await settle(pilot)
        (row,) = [str(option.prompt) for option in app.screen.query_one(CommandList).options]
        assert row.splitlines()[1] == f"your program  {work / 'own.py'}  (off tour)"
        await pilot.press("enter")
        await settle(pilot)
        banner = app.screen.query_one(OffTourBanner)
        assert str(banner.render()).endswith(f"your program: own.py:{line}")


@run_async
async def test_g_on_a_name_the_programs_file_imports_goes_to_its_pinned_definition(work: Path) -> None:
    """``g`` in the program's own file said it is in no pinned repository, even on a name
    the program imports from a pinned package: it goes there, as the file's imports say;
    a name imported from elsewhere, or one of the program's own, is said to be outside.
    ``c`` there lists the function's calls, a row per line, with what of the pins ran at
    each (``main``, which no pinned code called, as ``mine``, which was; in no function, the
    script's own statements); enter goes there."""
    from textual.widgets import OptionList

    from codewalk.ui.calls_panel import CallsPanel
    from codewalk.ui.code_view import CodeView

    app = _app_at_mine()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        code = app.screen.query_one(CodeView)

        async def g_on(text: str, word: str) -> None:
            line = own_line(text)
            code.move_cursor(line, text.index(word))
            await pilot.press("g")
            await settle(pilot)

        await g_on("    return toypkg.square(x) + 1", "square")
        assert code.source is not None and code.source.path == "toypkg/__init__.py"
        assert code.source.lines[code.cursor[0] - 1].startswith("def square(")
        await pilot.press("b")
        await settle(pilot)
        assert code.source is not None and code.source.path == str(work / "own.py")
        app.clear_notifications()
        await g_on("    toypkg.call_it(Ban())", "Ban")
        await g_on("        toypkg.call_it(boom)", "boom")
        said = [str(n.message).replace("\n", "") for n in app._notifications]
        assert said[0] == (
            "go to Ban: helpers.Ban (the program imports it) is in no pinned repository:"
            " codewalk reads the pins only"
        )
        assert said[1].startswith("go to boom: the program's own code is in no pinned repository")
        await pilot.press("c")  # main's calls, a row per line, and what of the pins ran at each
        await settle(pilot)
        panel = app.screen.query_one(CallsPanel)
        assert panel.calls is not None and panel.calls.function.qualname == "__main__.main"
        assert called(panel) == {
            own_line("    toypkg.call_it(mine)"): ("toypkg.call_it", [("toypkg.call_it", 1)]),
            own_line("    toypkg.call_it(Ban())"): ("toypkg.call_it, Ban", [("toypkg.call_it", 1)]),
            own_line("        toypkg.call_it(boom)"): ("toypkg.call_it", [("toypkg.call_it", 1)]),
            own_line("    toypkg.recover()"): ("toypkg.recover", [("toypkg.recover", 1)]),
        }
        first = str(panel.query_one(OptionList).get_option_at_index(0).prompt)
        assert "toypkg.call_it  → toypkg.call_it  ran x1" in first.replace("\n", " "), first
        await pilot.press("escape")
        code.move_cursor(own_line("    return toypkg.square(x) + 1"))  # mine: call_it called it
        await pilot.press("c", "enter")  # enter: to what ran there
        await settle(pilot)
        assert called(panel) == {
            own_line("    return toypkg.square(x) + 1"): ("toypkg.square", [("toypkg.square", 1)])
        }
        assert code.source is not None and code.source.path == "toypkg/__init__.py"
        assert code.source.lines[code.cursor[0] - 1].startswith("def square(")
        await pilot.press("b")
        await settle(pilot)
        code.move_cursor(own_line("main()"))  # in no function: the script's own statements
        await pilot.press("c")
        await settle(pilot)
        assert panel.calls is not None and panel.calls.function.qualname == "__main__"
        assert called(panel) == {own_line("helper()"): ("helper", []), own_line("main()"): ("main", [])}
        said = (
            "nothing of the pins ran here (the program's own code, a builtin, torch, or the line did not run)"
        )
        assert [row.how for row in panel.rows] == [said] * 2  # the run does not follow a script's lines
        labels = [str(option.prompt) for option in panel.query_one(OptionList).options]
        assert not any("not run" in label or "line ran" in label for label in labels), labels


def called(panel: CallsPanel) -> dict[int, tuple[str, list[tuple[str, int]]]]:
    """The calls panel's rows: line -> (the calls as written, what ran there and how often)."""
    return {
        row.line: (row.expr, [(ran.qualname, ran.calls) for ran in there])
        for row, there in zip(panel.rows, panel.there, strict=True)
    }


def test_g_on_a_name_imported_from_the_programs_own_module_does_not_go_to_a_pins_of_that_tail() -> None:
    """``from utils import logging`` in the program's file: ``utils`` is the program's own
    module (a ``utils.py`` beside it), and ``find utils.logging`` answers transformers'
    ``transformers.utils.logging`` (a dotted tail, as a reader may type it): ``g`` went
    there. A definition outside the package the file imported from is no answer; one
    inside it (``transformers.Trainer``, defined in ``transformers.trainer``) is."""
    from types import SimpleNamespace

    from codewalk.errors import CodewalkError
    from codewalk.ui.session import NavThread, RepoInfo

    text = "from utils import logging\nfrom transformers import Trainer\nlogging.x\nTrainer\n"
    defined = {
        "utils.logging.x": "transformers.utils.logging.x",
        "transformers.Trainer": "transformers.trainer.Trainer",
    }

    class Workspace:
        def find(self, name: str, **_: object) -> SimpleNamespace:
            found = [SimpleNamespace(qualname=defined[name], repo="transformers")] if name in defined else []
            return SimpleNamespace(results=found)

    class Repos:
        def workspace(self, repo: str | None = None) -> Workspace:
            return Workspace()

    nav = NavThread(lambda: Repos(), lambda _: RepoInfo("transformers", "v5", lambda _: "", Path(".")))  # type: ignore[arg-type,return-value]
    unread = "the program's own code is in no pinned repository"
    nav.known[PROGRAM] = RepoInfo(PROGRAM, "", lambda _: text, Path("."), unread=unread)
    try:
        answer = nav.goto_all(PROGRAM, "own.py", 4, 0)
        assert [t.qualname for t in answer.results] == ["transformers.trainer.Trainer"]
        with pytest.raises(CodewalkError) as refused:
            nav.goto_all(PROGRAM, "own.py", 3, 8)
        assert str(refused.value).startswith(
            "utils.logging.x (the program imports it) is in no pinned repository"
        )
    finally:
        nav.shutdown()


NESTED = """
import toypkg


def build(n):
    def scaled(x, by=toypkg.square(n), *, at=toypkg.fib(3)):
        return x * by

    class Shape(type(toypkg.Made(n))):
        size = n

    return scaled(1), Shape


toypkg.call_it(build)
"""


@run_async
async def test_c_in_the_programs_function_lists_what_its_nested_def_and_class_statements_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``def`` inside a function of the program's calls its defaults when its statement
    runs, a ``class`` its bases: the calls panel lists them at that line with what ran
    there (a def's body is its own, not listed; a class's body runs there, its calls are)."""
    from codewalk.ui.app import make_app
    from codewalk.ui.calls_panel import CallsPanel
    from codewalk.ui.code_view import CodeView
    from codewalk.ui.launch import trace_session

    work = use_toy(tmp_path, monkeypatch)
    text = textwrap.dedent(NESTED).lstrip("\n")
    (work / "nested.py").write_text(text)
    assert main(["trace", "--python", sys.executable, "--name", "nested", "nested.py"]) == 0
    opened = open_trace("nested")
    session, _ = trace_session(opened)
    build = next(n for n, step in enumerate(session.tour.steps) if step.title.startswith("build "))
    app = make_app(session, start_step=build)
    lines = text.splitlines()
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        code = app.screen.query_one(CodeView)
        assert code.source is not None and code.source.path == str(work / "nested.py")
        code.move_cursor(lines.index("    return scaled(1), Shape") + 1)
        await pilot.press("c")
        await settle(pilot)
        panel = app.screen.query_one(CallsPanel)
        assert panel.calls is not None and panel.calls.function.qualname == "__main__.build"
        at_def = lines.index("    def scaled(x, by=toypkg.square(n), *, at=toypkg.fib(3)):") + 1
        at_class = lines.index("    class Shape(type(toypkg.Made(n))):") + 1
        assert called(panel) == {
            at_def: ("toypkg.square, toypkg.fib", [("toypkg.square", 1), ("toypkg.fib", 1)]),
            at_class: (
                "type, toypkg.Made",
                [("toypkg.Base.__init__", 1), ("__main__.build.<locals>.Shape", 1)],
            ),
            at_def + 6: ("scaled", [("__main__.build.<locals>.scaled", 1)]),
        }


def test_the_programs_callback_is_the_name_with_trace_when_the_pins_namesake_did_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``callers upper --trace``, ``upper`` the program's callback given to datasets'
    ``map`` and also a function a pin defines in another, which did not run: the run says
    which was meant, the program's, as for ``path`` to it; a pin's that ran still answers."""
    work = use_toy(tmp_path, monkeypatch)
    (work / "keyed.py").write_text("import toypkg\n\n\ndef key(x):\n    return x\n\n\ntoypkg.call_it(key)\n")
    assert main(["trace", "--python", sys.executable, "--name", "keyed", "keyed.py"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "callers", "key", "--trace", "keyed")
    assert code == 0 and out.startswith("callers of key (the program's, keyed.py)"), out
    assert "in call_it  x1" in out
    code, out, _ = run(capsys, "path", "call_it", "key", "--trace", "keyed")
    assert code == 0 and out.startswith("toypkg.call_it -> key (the program's, keyed.py): 1 chain ran"), out
    code, out, _ = run(capsys, "callers", "call_it", "--trace", "keyed")
    assert code == 0 and out.startswith("callers of toypkg.call_it"), out


def test_a_name_neither_the_pins_nor_the_program_ran_says_where_it_may_have_run() -> None:
    """``path Dataset.map add_len --trace``, ``add_len`` given to ``map(num_proc=2)``: it
    ran in the pool's workers, which a trace does not record; the refusal says it was
    looked for among the program's functions that ran too, and that processes were started."""
    from codewalk.traces.model import Function, Node
    from codewalk.traces.named import own_instead
    from codewalk.workspace.calling import NoDefinition
    from tests.synthetic_trace import synthetic_trace

    functions = [Function(PROGRAM, "/w/prog.py", "__main__", "f", 1)]
    trace = synthetic_trace(functions, [Node(-1, 0, -1, -1, 1, 0.0), Node(0, 3, 0, -1, 1, 0.0)])
    refusal = "'add_len': no definition found in toy==1"
    with pytest.raises(NoDefinition) as info:
        own_instead(trace, "add_len", NoDefinition(refusal, hint="did you mean: add", suggestions=("add",)))
    assert str(info.value) == (
        f"{refusal}, nor among the program's own functions that ran in trace 'toy'\n  hint: did you mean: add"
    )
    started = trace._replace(processes=((1, 7, 2),))
    with pytest.raises(NoDefinition) as info:
        own_instead(started, "add_len", NoDefinition(refusal, hint=None, suggestions=()))
    assert str(info.value) == (
        f"{refusal}, nor among the program's own functions that ran in trace 'toy' (the program started 2"
        " processes, whose code a trace does not record: it may have run there)"
    )


def test_goto_on_the_programs_own_file_answers_from_the_run(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``goto own.py:14 --trace own``: the program's file is in no pin and codewalk indexes
    none of it, so the run answers alone (said so), as it does where codewalk reads no
    definition: what the line called, from the program's code the run did not record
    (``main()``'s statement) as from a callback it did; a line that called none of the
    pinned code is an error saying that, not "no such file in the checkout"."""
    capsys.readouterr()
    code, out, err = run(capsys, "goto", "own.py:14", "--trace", "own")
    assert (code, err) == (0, ""), err
    lines = out.splitlines()
    assert lines[0] == (
        "own.py is the program's own file in trace 'own', which codewalk does not index: "
        "what the run called there"
    )
    called = ["call_it", "[toy]", f"toypkg/__init__.py:{package_line('def call_it(func):')}", "x1"]
    assert lines[1].endswith("line 14 called:") and lines[2].split() == called, out
    code, out, _ = run(capsys, "goto", "own.py:6", "--trace", "own")  # in mine, the callback call_it called
    assert code == 0 and out.splitlines()[2].split()[:2] == ["square", "[toy]"], out
    code, out, err = run(capsys, "goto", "own.py:10", "--trace", "own")  # raise KeyError(x)
    assert (code, out) == (1, "")
    assert err.startswith(
        "codewalk: error: own.py is the program's own file in trace 'own', which codewalk does not index,"
        " and the run recorded no call of the pinned packages at its line 10"
    ), err
    assert "codewalk tour --trace own shows it where it ran" in err
    code, out, _ = run(capsys, "goto", "own.py:14", "--trace", "own", "--json")
    data = json.loads(out)
    assert code == 0 and (data["repo"], data["result"], data["line_ran"]) == (PROGRAM, None, True), data
    assert data["position"]["path"] == str(work / "own.py") and data["position"]["given"] == "own.py:14"
    assert [f["qualname"] for f in data["ran"]] == ["toypkg.call_it"] and data["ran"][0]["calls"] == 1
    code, _, err = run(capsys, "goto", "other.py:14", "--trace", "own")  # none of the program's
    assert code == 1 and "other.py: no such file in the" in err, err
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # written as the program's directory reads it, asked from another
    code, out, _ = run(capsys, "goto", "own.py:14", "--trace", "own")
    assert code == 0 and out.startswith("own.py is the program's own file in trace 'own'"), out


def test_goto_on_a_script_no_pinned_code_called_back_is_the_programs_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script whose code the pinned code never called (statements, and a helper module
    beside it that builds the model) has no file in ``trace.own``: ``goto plain.py:4
    --trace`` said "no such file in the checkout". The script and the helper that called
    the pinned code are the program's, and the run says what their lines called."""
    work = use_toy(tmp_path, monkeypatch)
    (work / "maker.py").write_text("import toypkg\n\n\ndef make():\n    return toypkg.square(3)\n")
    (work / "plain.py").write_text("import toypkg\nimport maker\n\ntoypkg.fib(3)\nmaker.make()\nx = 1\n")
    assert main(["trace", "--python", sys.executable, "--name", "plain", "plain.py"]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "goto", "plain.py:4", "--trace", "plain")
    assert (code, err) == (0, ""), err
    assert out.startswith("plain.py is the program's own file in trace 'plain'"), out
    fib = ["fib", "[toy]", f"toypkg/__init__.py:{package_line('def fib(n):')}"]
    assert out.splitlines()[2].split()[:3] == fib, out
    code, out, _ = run(capsys, "goto", "maker.py:5", "--trace", "plain")
    assert code == 0 and out.splitlines()[2].split()[:2] == ["square", "[toy]"], out
    code, _, err = run(capsys, "goto", "plain.py:6", "--trace", "plain")
    assert code == 1 and "no call of the pinned packages at its line 6" in err, err
    assert "lists each call the program made, and from which of its lines" in err, err
