"""A call of the pinned code that went through several frames of other code (torch's
``Module._wrapped_call_impl`` then ``_call_impl`` running a ``forward``) is read with each
of them, in the order it went through them: the tree's row, the step's note, ``path
--trace`` and the JSON tree; a long run named by its first and last frames and how many
between. A trace recorded before the run was kept names its first frame alone."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from codewalk.cli.main import main
from codewalk.errors import TraceError
from codewalk.tours.traced import trace_tour
from codewalk.traces import store
from codewalk.traces.reading import open_trace
from codewalk.traces.text import where_called
from tests.traceprog import package_line, tree_rows, use_toy

MACHINERY = '''
class Module:
    """Calls ``fn`` through frames of its own, as torch's Module.__call__ runs forward."""

    def __init__(self, fn, deep=False):
        self.fn = fn
        self.deep = deep

    def __call__(self, *args):
        return self._wrapped_call_impl(*args)

    def _wrapped_call_impl(self, *args):
        return self._call_impl(*args)

    def _call_impl(self, *args):
        return self.hook_one(*args) if self.deep else self.fn(*args)

    def hook_one(self, *args):
        return self.hook_two(*args)

    def hook_two(self, *args):
        return self.hook_three(*args)

    def hook_three(self, *args):
        return self.fn(*args)
'''

CALL_IT = package_line("    return func(2)")

PROGRAM = """
import toypkg
from machinery import Module

toypkg.call_it(Module(toypkg.square))
toypkg.call_it(Module(toypkg.double, deep=True))
"""


@pytest.fixture()
def through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The machinery outside the program's directory and the pins (on ``PYTHONPATH``)."""
    work = use_toy(tmp_path, monkeypatch)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "machinery.py").write_text(MACHINERY.lstrip("\n"))
    (work / "through.py").write_text(PROGRAM.lstrip("\n"))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "lib"))
    assert main(["trace", "--python", sys.executable, "--name", "through", "through.py"]) == 0
    return work


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_each_frame_of_other_code_a_call_went_through_is_named_in_order(
    through: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "tour", "--trace", "through", "--plain")
    assert code == 0
    labels = [label for _, _, label in tree_rows(out)]
    square = next(label for label in labels if label.startswith("square"))
    assert square.endswith(
        f"(line {CALL_IT}, through Module.__call__ → Module._wrapped_call_impl → Module._call_impl)"
    ), square
    double = next(label for label in labels if label.startswith("double"))  # a long run: cut
    assert (  # then the decorator's wrapper of the pinned code's own
        f"(line {CALL_IT}, through Module.__call__ → Module._wrapped_call_impl → Module._call_impl"
        " → 2 more → Module.hook_three, through logged.<locals>.wrapper)"
    ) in double, double
    opened = open_trace("through")
    notes = [step.note or "" for step in trace_tour(opened.trace, opened.tree).tour.steps]
    assert any(
        "through `Module.__call__` → `Module._wrapped_call_impl` → `Module._call_impl`)" in note
        for note in notes
    ), notes
    code, out = run(capsys, "path", "toypkg.call_it", "toypkg.square", "--trace", "through")
    assert code == 0, out
    assert (
        "through Module.__call__ (machinery.py) → Module._wrapped_call_impl (machinery.py)"
        " → Module._call_impl (machinery.py), outside the pinned packages"
    ) in out
    code, out = run(capsys, "tour", "--trace", "through", "--json")
    nodes = json.loads(out)["nodes"]
    runs = [n["via"].count(" → ") for n in nodes if n["via"]]
    assert max(runs) == 5  # the JSON names every frame of the long run


def test_a_trace_kept_before_the_run_was_names_its_first_frame(through: Path) -> None:
    trace = store.load("through")
    head, body = store.encode(trace).splitlines()
    kept = json.loads(body)
    assert kept.pop("between")
    old = store.decode(f"{head}\n{json.dumps(kept)}\n".encode(), "the trace", "through")
    square = next(i for i, n in enumerate(old.nodes) if i and old.functions[n.function].name == "square")
    assert where_called(old, square) == f"line {CALL_IT}, through Module.__call__"
    assert where_called(trace, square).endswith("Module._call_impl")


def test_a_damaged_trace_whose_frames_are_out_of_order_or_name_what_is_not_there_is_refused(
    through: Path,
) -> None:
    head, body = store.encode(store.load("through")).splitlines()
    kept = json.loads(body)
    for between, said in (
        ([list(pair) for pair in reversed(kept["between"])], "not in the order of their nodes"),
        ([[1, 10_000]], "names what is not there"),
    ):
        damaged = {**kept, "between": between}
        with pytest.raises(TraceError, match=f"the trace is damaged: .*{said}"):
            store.decode(f"{head}\n{json.dumps(damaged)}\n".encode(), "the trace", "through")
