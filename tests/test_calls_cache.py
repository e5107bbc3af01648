"""Call facts kept in the index: analysed once per body, ever; an index without the
table, or with rows of another version, gets them computed on demand."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from codewalk.calls import cache, extract
from codewalk.calls.cache import CallFactsTable
from codewalk.calls.records import CallFacts
from codewalk.errors import CacheError
from codewalk.index.store import Store
from codewalk.workspace.workspace import Workspace
from tests.callrepo import make_callrepo


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the bodies analysed from now on."""
    counted: list[int] = []
    real = extract.call_facts

    def call_facts(text: str, first_line: int, *, method: bool) -> CallFacts:
        counted.append(first_line)
        return real(text, first_line, method=method)

    monkeypatch.setattr(extract, "call_facts", call_facts)
    return counted


def test_a_body_is_analysed_once_across_workspaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counted = counting(monkeypatch)
    checkout = make_callrepo(tmp_path)
    with Workspace(checkout, Store.open(tmp_path / "index.sqlite3")) as ws:
        first = ws.calls("Trainer.train").levels
    assert counted == [29]
    with Workspace(checkout, Store.open(tmp_path / "index.sqlite3")) as ws:
        again = ws.calls("Trainer.train").levels
    assert counted == [29]  # read back from the index
    assert again == first


def test_an_index_built_before_lacks_the_table_and_gets_it(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "index.sqlite3")
    table = CallFactsTable(store.db)
    assert table.get(1, 1) is None and table.known() == set()
    table.put([(1, 1, CallFacts((), {}, (), "empty body"))])
    assert table.get(1, 1) == CallFacts((), {}, (), "empty body")
    assert table.known() == {(1, 1)}
    store.close()


def test_rows_of_another_version_are_computed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = make_callrepo(tmp_path)
    with Workspace(checkout, Store.open(tmp_path / "index.sqlite3")) as ws:
        ws.calls("Trainer.train")
    monkeypatch.setattr(cache, "CALLS_VERSION", cache.CALLS_VERSION + 1)
    counted = counting(monkeypatch)
    with Workspace(checkout, Store.open(tmp_path / "index.sqlite3")) as ws:
        ws.calls("Trainer.train")
    assert written(tmp_path / "index.sqlite3") == {(1, 29)}  # of this version, replacing the other
    assert counted == [29]


def written(path: Path) -> set[tuple[int, int]]:
    """The bodies whose facts another connection reads in the index at ``path``."""
    db = sqlite3.connect(path)
    try:
        return CallFactsTable(db).known()
    finally:
        db.close()


def test_facts_analysed_are_written_a_batch_at_a_time_and_all_when_the_workspace_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "index.sqlite3"
    checkout = make_callrepo(tmp_path)
    monkeypatch.setattr(cache, "_BATCH", 2)
    ws = Workspace(checkout, Store.open(path))
    ws.calls("Trainer.train")  # one body: kept
    table = ws.calling.table
    assert written(path) == set() and len(table.known()) == 1
    ws.calls("Trainer.train", depth=2)  # the bodies it calls: written two at a time
    kept = table.known()
    assert len(kept) >= 3
    assert len(kept) - len(written(path)) in (0, 1)
    ws.close()
    assert written(path) == kept


def test_a_read_only_index_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    Store.open(path).close()
    readonly = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    with pytest.raises(CacheError, match="cannot write call facts to the index"):
        CallFactsTable(readonly).put([(1, 1, CallFacts((), {}, (), ""))])
    readonly.close()


def test_a_damaged_row_is_analysed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = make_callrepo(tmp_path)
    with Workspace(checkout, Store.open(tmp_path / "index.sqlite3")) as ws:
        first = ws.calls("Trainer.train").levels
    (key,) = written(tmp_path / "index.sqlite3")
    site = '["call", "f", "global", "", 1, 0, 1, %s, %d, []]'
    damaged = (
        '{"sites": [',  # not JSON
        '{"sites": []}',  # not its shape
        "[]",
        '[["f()"], [%s], {}, [], ""]' % (site % ('["a", "b"]', 0)),  # a name of two fields
        '[["f()"], [%s], {}, [], ""]' % (site % ("[]", 1)),  # no such text
        '[["f()"], [["call", "f"]], {}, [], ""]',  # a site of two fields
    )
    for data in damaged:
        with sqlite3.connect(tmp_path / "index.sqlite3") as db:
            db.execute("UPDATE callfacts SET data=? WHERE blob=? AND line=?", (data, *key))
        db.close()
        counted = counting(monkeypatch)
        with Workspace(checkout, Store.open(tmp_path / "index.sqlite3")) as ws:
            table = CallFactsTable(ws.store.db)
            assert table.get(*key) is None and table.get_many([key]) == {}
            assert ws.calls("Trainer.train").levels == first
        with sqlite3.connect(tmp_path / "index.sqlite3") as db:
            assert CallFactsTable(db).get(*key) is not None  # replaced as the workspace closed
        db.close()
        assert counted == [29]
