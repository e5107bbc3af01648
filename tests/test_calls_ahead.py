"""Bodies analysed ahead in a worker process (codewalk/calls/ahead.py): a path search
hands the bodies it finds to the worker while it reads others; the answer is the one
found without the worker, also when the worker fails or is not started."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.calls import ahead
from codewalk.calls.ahead import Ahead
from codewalk.calls.records import CallFacts
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callrepo_workspace

M = "callpkg.models."


@pytest.fixture()
def ws(tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, "lazy")


def chains(ws: Workspace) -> list[list[str]]:
    search = ws.path(M + "Runner.train", M + "Attention.forward").search
    return [[hop.caller.target.qualname for hop in chain] for chain in search.chains]


def test_a_search_reads_the_facts_the_worker_analysed(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every body the search reads after the first is handed to the worker first; what it
    analysed is what the search reads (the same function on the same text)."""
    assert threading.active_count() == 1  # else no worker is started
    taken: list[tuple[int, int]] = []
    take = Ahead.take

    def recording(self: Ahead, key: tuple[int, int]) -> CallFacts | None:
        self._pending[key].wait(10) if key in self._pending else None  # the worker's, for this test
        found = take(self, key)
        if found is not None:
            taken.append(key)
        return found

    monkeypatch.setattr(Ahead, "take", recording)
    with_worker = chains(ws)
    assert taken  # the worker's facts were read
    assert with_worker[0][:3] == [M + "Runner.train", M + "Runner._step", M + "Model.forward"]


def test_the_answer_is_the_same_when_the_worker_fails_or_is_not_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(work: ahead.Job) -> CallFacts:
        raise RuntimeError("the worker failed")

    for index, case in enumerate(("plain", "failing", "off")):
        with monkeypatch.context() as patch:
            if case == "failing":
                patch.setattr(ahead, "analyse", broken)  # in the worker only: the search analyses in place
            if case == "off":
                patch.setattr(threading, "active_count", lambda: 2)  # a process with threads forks no worker
            for ws in callrepo_workspace(tmp_path / str(index), "lazy"):
                found = chains(ws)
        if case == "plain":
            expected = found
        assert found == expected, case
