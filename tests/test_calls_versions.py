"""``calls`` and ``path`` at another version (``--at REPO@VERSION``), on the releases of
the fixture project of test_versions (``Engine.run`` moves from core.py to engine.py)."""

from __future__ import annotations

import pytest

from codewalk.index.versions import index_path
from codewalk.workspace.pinned import PinnedStack
from tests.test_calls_cache import written
from tests.test_versions import demo, json_of

__all__ = ["demo"]  # the fixture, shared


def test_calls_at_another_version(demo: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    old = json_of(capsys, "calls", "Engine.run", "--at", "demo@1.0")
    pinned = json_of(capsys, "calls", "Engine.run")
    assert (old["function"]["path"], old["function"]["version"]) == ("src/demo/core.py", "demo==1.0")
    (step,) = old["calls"]
    assert (step["expr"], step["targets"][0]["path"], step["targets"][0]["line"]) == (
        "self.step",
        "src/demo/core.py",
        2,
    )
    assert pinned["function"]["path"] == "src/demo/engine.py"
    assert pinned["calls"][0]["targets"][0]["version"] == "demo==2.0"


def test_path_at_another_version(demo: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    data = json_of(capsys, "path", "Engine.run", "Engine.step", "--at", "demo@1.0")
    (chain,) = data["chains"]
    assert [(hop["caller"]["path"], hop["line"]) for hop in chain] == [("src/demo/core.py", 6)]


def test_the_call_facts_a_command_analysed_are_in_the_index_after_it(
    demo: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    json_of(capsys, "calls", "Engine.run")
    assert len(written(index_path())) == 1  # kept until the workspace closed, then written


def test_a_pinned_stack_writes_the_call_facts_of_its_workspaces_as_it_closes(demo: dict[str, str]) -> None:
    stack = PinnedStack()
    try:
        assert stack.workspace().calls("Engine.run").levels
        assert written(index_path()) == set()
    finally:
        stack.close()
    assert len(written(index_path())) == 1
