"""The index database: blob ids, reuse across pins, skipped files, broken caches."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from codewalk.errors import CacheError
from codewalk.index import extract as extract_module
from codewalk.index import indexer
from codewalk.index.indexer import blob_sha, index_all, list_files
from codewalk.index.records import ModuleFacts
from codewalk.index.store import INDEX_VERSION, Store, fact_rows
from codewalk.workspace.workspace import Workspace
from tests.toyrepo import make_toy


def test_blob_ids_are_gits() -> None:
    assert blob_sha(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert blob_sha(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_list_files_names_modules(tmp_path: Path) -> None:
    files = {path: (module, pkg) for path, module, pkg in list_files(make_toy(tmp_path))}
    assert files["src/toypkg/__init__.py"] == ("toypkg", True)
    assert files["src/toypkg/models/tiny/modeling_tiny.py"] == ("toypkg.models.tiny.modeling_tiny", False)
    assert len(files) == 14


def test_full_index_reports_skipped_files(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "index.sqlite3")
    report = index_all(store, make_toy(tmp_path), workers=1)
    assert (report.files, report.parsed, report.reused) == (14, 14, 0)
    assert len(report.skipped) == 1
    path, reason = report.skipped[0]
    assert path == "src/toypkg/broken_template.py"
    assert reason.startswith("syntax error at line 1")


def test_same_content_is_never_parsed_twice(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "index.sqlite3")
    first = make_toy(tmp_path, commit="one")
    assert index_all(store, first, workers=1).parsed == 14
    # the "next release": same tree, one file changed
    (first.root / "src/toypkg/model.py").write_text("class Model:\n    pass\n")
    second = make_toy(tmp_path, commit="two")
    report = index_all(store, second, workers=1)
    assert (report.parsed, report.reused) == (1, 13)
    with Workspace(second, store) as ws:
        hit = ws.find("toypkg.model.Model").results[0]
        assert hit.signature == "class Model:" and hit.end_line == 2


def test_names_like_answers_for_several_snapshots_in_one_pass(tmp_path: Path) -> None:
    """The "did you mean" pool of every pin, from one pass over the names: each snapshot
    gets its own names, not the other's."""
    store = Store.open(tmp_path / "index.sqlite3")

    def indexed(commit: str) -> int:
        checkout = make_toy(tmp_path, commit=commit)
        index_all(store, checkout, workers=1)
        found = store.snapshot("toy", indexer.root_key(store, checkout), indexer.snapshot_key(checkout))
        assert found is not None
        return found[0]

    one = indexed("one")
    (tmp_path / "toyrepo/src/toypkg/model.py").write_text("class Modelling:\n    pass\n")
    two = indexed("two")
    pools = store.names_like([one, two], ["model%"])
    assert "Model" in pools[one] and "Modelling" not in pools[one]
    assert "Modelling" in pools[two]
    assert store.names_like([one, two], ["%elling"]) == {two: ["Modelling"]}
    assert store.names_like([], ["model%"]) == {} and store.names_like([one], []) == {}


def test_facts_round_trip(tmp_path: Path) -> None:
    store = Store.memory()
    facts = extract_module.extract(b"class A(B):\n    '''Doc.'''\n    x: int = 1\n")
    assert isinstance(facts, ModuleFacts)
    blob = store.add_blob("abc", fact_rows(facts))
    assert store.add_blob("abc", fact_rows(facts)) == blob  # known content: no new row
    assert tuple(store.defs_of(blob)) == facts.definitions


def test_interrupted_index_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(tmp_path / "index.sqlite3")
    calls = {"n": 0}
    real = extract_module.extract

    def flaky(data: bytes | str) -> object:
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(data)

    monkeypatch.setattr(extract_module, "extract", flaky)
    # the toy's files are seconds old: their content joins the snapshot's key until they
    # are not (indexer._RACY_NS), which on a loaded machine falls between the run and the
    # look-up below; read by their stat alone, the key is the run's
    monkeypatch.setattr(indexer, "_RACY_NS", 0)
    checkout = make_toy(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        index_all(store, checkout, workers=1)
    assert store.blob_ids() == {}
    found = store.snapshot("toy", indexer.root_key(store, checkout), indexer.snapshot_key(checkout))
    assert found == (1, False)


def test_corrupt_index_is_rebuilt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "index.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = Store.open(path)
    assert "the index is unreadable" in capsys.readouterr().err
    assert index_all(store, make_toy(tmp_path), workers=1).parsed == 14


def test_other_schema_version_is_rebuilt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "index.sqlite3"
    Store.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value='0' WHERE key='schema_version'")
    Store.open(path).close()
    err = capsys.readouterr().err
    assert f"the index has version 0, this codewalk uses {INDEX_VERSION}" in err


def test_unwritable_cache_is_a_cache_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(CacheError, match="cannot create the cache directory"):
        Store.open(blocker / "sub" / "index.sqlite3")


def _open_and_count(path: str) -> str:
    from codewalk.errors import CacheError

    try:
        store = Store.open(Path(path))
    except CacheError as exc:
        return f"error: {exc}"
    store.close()
    return "ok"


def test_processes_creating_the_index_at_once_all_succeed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Two codewalk commands started together on a fresh home: neither fails, and none
    deletes the database another is making."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    outcomes: list[str] = []
    with context.Pool(6) as pool:
        for attempt in range(8):
            path = str(tmp_path / f"index-{attempt}.sqlite3")
            outcomes += pool.map(_open_and_count, [path] * 6)
    assert outcomes == ["ok"] * 48
    assert "rebuilding" not in capfd.readouterr().err


def test_an_index_busy_in_another_process_is_waited_for_not_rebuilt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database another codewalk holds locked (creating or writing it) is not taken
    for a damaged one: the second opener waits, and nothing is deleted."""
    path = tmp_path / "index.sqlite3"
    Store.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")  # a reader is locked out, as during a create
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO meta (key, value) VALUES ('held', 'yes')")
    inode = path.stat().st_ino
    from codewalk.index import database

    assert database._check(path) == ""  # busy is not damage
    holder.execute("COMMIT")
    holder.close()
    Store.open(path).close()
    assert path.stat().st_ino == inode
    assert "rebuilding" not in capsys.readouterr().err


def test_an_index_another_codewalk_is_still_making_is_waited_for(tmp_path: Path) -> None:
    """Caught once by CI: a second codewalk found the file a first one was still making
    (its schema not committed yet), took it as ready and failed with "database is
    locked" switching it to WAL. Such a file is opened under the creation lock."""
    import threading
    import time

    from filelock import FileLock

    path = tmp_path / "index.sqlite3"
    started = threading.Event()

    def make_slowly() -> None:  # what a first codewalk does, holding the creation lock
        with FileLock(f"{path}.lock"):
            maker = sqlite3.connect(path, isolation_level=None)
            maker.execute("BEGIN IMMEDIATE")
            maker.execute("CREATE TABLE half_made (x)")  # the file exists; nothing committed
            started.set()
            time.sleep(0.3)
            maker.execute("ROLLBACK")
            maker.close()

    finisher = threading.Thread(target=make_slowly)
    finisher.start()
    assert started.wait(10)
    store = Store.open(path)  # waits for the maker, then makes the index itself
    finisher.join()
    try:
        made = store.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        assert made == (INDEX_VERSION,)
    finally:
        store.close()


def test_an_interrupted_full_index_keeps_what_it_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexer, "_BATCH", 4)
    checkout = make_toy(tmp_path)
    store = Store.memory()
    calls: list[int] = []

    def interrupt_after_first_batch(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:  # the first call reports the start, the second the first batch
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        index_all(store, checkout, workers=1, progress=interrupt_after_first_batch)
    report = index_all(store, checkout, workers=1)
    assert (report.reused, report.parsed) == (4, 10)


def test_a_transaction_that_sqlite_ended_itself_lets_its_error_through(tmp_path: Path) -> None:
    """SQLite rolls back a transaction itself on some errors (a full disk): the error
    that ended it is what the reader sees, not "cannot rollback"."""
    import sqlite3

    store = Store.open(tmp_path / "index.sqlite3")
    with pytest.raises(sqlite3.OperationalError, match="the original error"), store.transaction():
        store.db.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
        store.db.execute("ROLLBACK")  # as SQLite does on SQLITE_FULL
        raise sqlite3.OperationalError("the original error")
    assert store.db.execute("SELECT count(*) FROM meta WHERE key='k'").fetchone()[0] == 0
    store.close()


def test_references_of_a_name_are_its_own_uses_not_a_longer_names() -> None:
    store = Store.memory()
    code = b"post_init()\nx = post\npost_init2 = post_init\n\n\ndef f():\n    return post\n"
    facts = extract_module.extract(code)
    assert isinstance(facts, ModuleFacts)
    blob = store.add_blob("refs", fact_rows(facts))
    snap = store.create_snapshot("r", "/r", "c1", [("m.py", "m", False)])
    store.set_blob(snap, "m.py", blob)
    assert store.references(snap, "post_init") == [("m.py", 1, 0), ("m.py", 3, 13)]
    assert store.references(snap, "post") == [("m.py", 2, 4), ("m.py", 7, 11)]
    assert store.references(snap, "post_init2") == [("m.py", 3, 0)]
    assert store.references(snap, "pos") == []
    assert [d.name for d in store.assigned_of(blob)] == ["x", "post_init2"]
    other = store.add_blob("other", fact_rows(extract_module.extract(b"def g():\n    post_init()\n")))
    snap2 = store.create_snapshot("r", "/r", "c2", [("a.py", "a", False), ("m.py", "m", False)])
    store.set_blob(snap2, "a.py", other)
    store.set_blob(snap2, "m.py", blob)
    names = ["post", "post_init", "pos", *(f"unused{i}" for i in range(600))]  # two queries' worth
    assert store.references_of(snap2, names) == {
        "post_init": [("a.py", 2, 4), ("m.py", 1, 0), ("m.py", 3, 13)],
        "post": [("m.py", 2, 4), ("m.py", 7, 11)],
    }
    assert store.references_of(snap, ["post_init"]) == {"post_init": [("m.py", 1, 0), ("m.py", 3, 13)]}


def test_a_file_another_process_indexed_is_read_with_its_blob(tmp_path: Path) -> None:
    checkout = make_toy(tmp_path)
    index = tmp_path / "index.sqlite3"
    with Workspace(checkout, Store.open(index)) as first, Workspace(checkout, Store.open(index)) as second:
        path = "src/toypkg/model.py"
        assert not first.facts.complete
        before = first.facts.file(path)
        assert before is not None and before.blob is None
        assert second.facts.module_by_path(path) is not None  # the other process indexes it
        after = first.facts.file(path)
        assert after is not None and after.blob is not None
        assert first.facts.file(path) == after == second.facts.file(path)


def test_scanned_says_which_needles_were_scanned_for_that_snapshot_and_kind() -> None:
    store = Store.memory()
    snap = store.create_snapshot("r", "/r", "c1", [("m.py", "m", False)])
    other = store.create_snapshot("r", "/r", "c2", [("m.py", "m", False)])
    many = [f"Name{i}" for i in range(1200)]  # more than one query's bound parameters
    for needle in many[::3]:
        store.record_scan(snap, "base", needle)
    store.record_scan(snap, "ref", "Name1")
    store.record_scan(other, "base", "Name2")
    assert store.scanned(snap, "base", many) == set(many[::3])
    assert store.scanned(snap, "ref", many) == {"Name1"}
    assert store.scanned(other, "base", ["Name0", "Name2"]) == {"Name2"}
    assert store.scanned(snap, "base", []) == set()


def test_reads_in_bulk_answer_as_the_reads_one_at_a_time(tmp_path: Path) -> None:
    """What ``callers`` reads for hundreds of files at once is what reading each would give:
    definitions by qualname, imports by name, function spans, blob facts, file rows and
    module views (a module's source chosen over its stub beside it)."""
    checkout = make_toy(tmp_path)
    (checkout.root / "src/toypkg/model.pyi").write_text("class Model: ...\n")
    store = Store.open(tmp_path / "index.sqlite3")
    index_all(store, checkout, workers=1)
    with Workspace(checkout, store) as ws:
        rows = [r for r in store.files(ws.snap) if r.blob is not None and r.path.endswith(".py")]
        blobs = [r.blob for r in rows if r.blob is not None]
        spans = store.function_spans([*blobs, 10**9])
        infos = store.blob_infos([*blobs, 10**9])
        assert spans[10**9] == [] and infos[10**9].status == "missing"
        for blob in blobs:
            functions = store.functions_of(blob)
            assert [(first, last) for _, first, last in spans[blob]] == [
                (d.start_line, d.end_line) for d in functions
            ]
            assert infos[blob] == store.blob_info(blob)
            qualnames = [*(d.qualname for d in store.defs_of(blob)), "no.such.name"]
            assert store.defs_at([(blob, q) for q in qualnames]) == {
                (blob, q): store.defs_where(blob, "qualname", q) for q in qualnames
            }
            asnames = [*(i.asname for i in store.imports_of(blob)), "*", "no_such_name"]
            assert store.imports_at([(blob, a) for a in asnames]) == {
                (blob, a): store.imports_binding(blob, a) for a in asnames
            }
        assert any(spans[blob] for blob in blobs)  # the toy package has functions
        paths = ["src/toypkg/model.py", "src/toypkg/models/tiny/modeling_tiny.py"]
        beside = {r.path for r in store.files_beside(ws.snap, paths)}
        assert beside == {*paths, "src/toypkg/model.pyi"}

    fresh = Store.open(tmp_path / "index.sqlite3")
    with (
        Workspace(checkout, fresh) as bulk,
        Workspace(checkout, Store.open(tmp_path / "index.sqlite3")) as one,
    ):
        bulk.facts.read_files(paths)
        for path in paths:
            read, asked = bulk.facts.module_by_path(path), one.facts.module_by_path(path)
            assert read is not None and asked is not None
            assert (read.path, read.module, read.is_package, read.all_names, read.is_lazy) == (
                asked.path,
                asked.module,
                asked.is_package,
                asked.all_names,
                asked.is_lazy,
            )
            assert read.path == path  # the source, not its stub
            assert bulk.facts.file(path) == one.facts.file(path)


def _steps_of(store: Store, read: Callable[[], object]) -> int:
    """How many steps of SQLite's virtual machine ``read`` takes."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    store.db.set_progress_handler(count, 1)
    try:
        read()
    finally:
        store.db.set_progress_handler(None, 1)
    return steps[0]


def test_the_names_of_a_snapshot_cost_the_same_however_big_the_others_are() -> None:
    """The palette's first search reads each repository's names: with every pin indexed,
    reading them through every snapshot's definitions cost 0.6 s a repository."""
    store = Store.memory()
    code = b"class Small:\n    def grow(self): ...\n"
    small = store.add_blob("small", fact_rows(extract_module.extract(code)))
    snap = store.create_snapshot("r", "/r", "c1", [("m.py", "m", False)])
    store.set_blob(snap, "m.py", small)

    def read() -> list[str]:
        return store.def_names(snap, ("class", "method"))

    alone = _steps_of(store, read)
    code = "".join(f"def big{i}(): ...\n" for i in range(3000)).encode()
    big = store.add_blob("big", fact_rows(extract_module.extract(code)))
    other = store.create_snapshot("big", "/big", "c1", [("b.py", "b", False)])
    store.set_blob(other, "b.py", big)
    assert sorted(read()) == ["Small", "grow"]
    assert _steps_of(store, read) < 2 * alone  # not the 3,000 definitions of the other (15,000 steps)


def test_a_table_of_a_blob_costs_the_same_however_many_entries_the_others_hold() -> None:
    """A call through a dispatch table reads its entries by blob: read through every
    blob's entries, each of a path's few hundred tables cost a scan of them all."""
    store = Store.memory()
    small = store.add_blob("small", fact_rows(extract_module.extract(b"TABLE = {'a': 'x', 'b': 'y'}\n")))

    def read() -> list[str]:
        return [entry.key for entry in store.table_entries(small, "TABLE")]

    alone = _steps_of(store, read)
    code = "".join(f"T{i} = {{'k': 'x', 'v': 'y'}}\n" for i in range(3000)).encode()
    store.add_blob("big", fact_rows(extract_module.extract(code)))
    assert read() == ["a", "b"]
    assert _steps_of(store, read) < 2 * alone  # not the 6,000 entries of the other blob


@pytest.mark.parametrize("collecting", [True, False])
def test_a_file_indexed_in_process_is_parsed_with_the_collector_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collecting: bool
) -> None:
    """A syntax tree is acyclic: the cyclic collector would only walk its nodes again and
    again while a cold query or tour indexes a file. It waits while the file is read, and
    is as it was afterwards."""
    import gc

    seen: list[bool] = []
    real = extract_module.extract

    def watched(data: bytes | str) -> object:
        seen.append(gc.isenabled())
        return real(data)

    monkeypatch.setattr(extract_module, "extract", watched)
    checkout = make_toy(tmp_path)
    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        with Workspace(checkout, Store.open(tmp_path / "index.sqlite3")) as workspace:
            assert workspace.facts.module_by_path("src/toypkg/model.py") is not None
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert seen and not any(seen)


def _plans(store: Store, read: Callable[[], object]) -> list[str]:
    """How SQLite reads each query ``read`` makes (its bound values written into it)."""
    queries: list[str] = []
    store.db.set_trace_callback(queries.append)
    read()
    store.db.set_trace_callback(None)
    return [" ".join(str(r[-1]) for r in store.db.execute(f"EXPLAIN QUERY PLAN {q}")) for q in queries]


def test_spans_and_classes_by_base_are_read_from_indexes_of_their_own(tmp_path: Path) -> None:
    """``callers`` reads the function spans of hundreds of files and the classes deriving
    from ``list`` among thousands: the spans come from an index of the functions alone (not
    every definition of each file), and the classes naming a base from the last parts of the bases
    kept (not every class of every file that uses the name ``list``)."""
    checkout = make_toy(tmp_path)
    store = Store.open(tmp_path / "index.sqlite3")
    index_all(store, checkout, workers=1)
    with Workspace(checkout, store) as ws:
        blobs = [r.blob for r in store.files(ws.snap) if r.blob is not None]
        (spans,) = _plans(store, lambda: store.function_spans(blobs))
        (classes,) = _plans(store, lambda: store.classes_naming(ws.snap, ["list", "Model"]))
    assert spans.startswith("SEARCH defs USING INDEX defs_functions (blob=?)")
    assert classes.startswith("SEARCH b USING PRIMARY KEY (name=?)")
