"""Fuzzing, bounded for CI (a few thousand examples in all): hostile tour documents,
queries, paths, pins files and command lines let only codewalk's own typed errors escape.
The long run is bench/fuzz_long.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codewalk.index.store import Store
from codewalk.tours import focus
from codewalk.workspace.workspace import Workspace
from tests import fuzzing
from tests.hardening import TOY_PINS
from tests.toyrepo import make_toy

BOUNDED = settings(
    deadline=None,
    database=None,  # nothing written into the project
    derandomize=True,  # the same examples on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def toy_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_toy(tmp_path_factory.mktemp("fuzz")).root


@pytest.fixture(scope="module")
def workspace(toy_root: Path) -> Iterator[Workspace]:
    checkout = make_toy(toy_root.parent)
    with Workspace(checkout, Store.memory()) as ws:
        ws.index_all(workers=1)
        yield ws


@pytest.fixture(autouse=True)
def short_focus_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(focus, "FOCUS_TIMEOUT_S", 0.02)


@settings(BOUNDED, max_examples=600)
@given(document=fuzzing.tour_document())
def test_tour_documents(document: str, workspace: Workspace) -> None:
    fuzzing.tour_target(document, workspace)


@settings(BOUNDED, max_examples=700)
@given(text=fuzzing.query)
def test_queries(text: str, workspace: Workspace) -> None:
    fuzzing.query_target(text, workspace)


@settings(BOUNDED, max_examples=500)
@given(text=fuzzing.path, line=st.integers(-5, 10**6), col=st.integers(-5, 500))
def test_paths(text: str, line: int, col: int, workspace: Workspace) -> None:
    fuzzing.path_target(text, workspace, line, col)


@settings(BOUNDED, max_examples=500)
@given(document=fuzzing.pins_document())
def test_pins(document: str) -> None:
    fuzzing.pins_target(document)


@settings(BOUNDED, max_examples=500)
@given(spec=fuzzing.repo_spec)
def test_repo_specs(spec: str) -> None:
    fuzzing.spec_target(spec)


@settings(BOUNDED, max_examples=300)
@given(args=fuzzing.argv, encoding=fuzzing.stdout_encoding)
def test_command_lines(
    args: list[str], encoding: str, toy_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pins = tmp_path / "pins.toml"
    pins.write_text(TOY_PINS)
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    fuzzing.offline(tmp_path, monkeypatch.setenv)
    drafts = tmp_path / "drafts"
    drafts.mkdir(exist_ok=True)
    assert fuzzing.cli_target(args, toy_root, encoding, drafts) in (0, 1, 2)
