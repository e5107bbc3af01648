"""``calls`` and ``path`` at another version (``--at REPO@VERSION``), on the releases of
the fixture project of test_versions (``Engine.run`` moves from core.py to engine.py)."""

from __future__ import annotations

import pytest

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
