"""A damaged index (bad pages, not just a bad header) is moved aside and rebuilt in one
line; a cache this user may not write answers from what it holds or says in one line
why it cannot, never with a PermissionError."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from codewalk import locations
from codewalk.index.versions import INDEX_VERSION
from codewalk.source.pins import load_pins
from codewalk.source.sync import ensure_checkout
from tests.hardening import assert_untouched, outside_cache, picture, run, toy_source
from tests.sourcefixtures import make_upstream, write_pins

PAGE = 4096


def damage_pages(database: Path, *tables: str) -> None:
    """Overwrite the pages of ``tables`` (their b-tree roots and what follows) in the
    middle of the file with garbage: the header and the schema stay readable."""
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = connection.execute("PRAGMA page_size").fetchone()[0]
        roots = [
            connection.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
            for table in tables
        ]
    with database.open("r+b") as handle:
        for root in roots:
            handle.seek((root - 1) * size)
            handle.write(b"\xa5" * size * 2)


def test_bad_pages_in_the_middle_are_moved_aside_and_rebuilt_in_one_line(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = toy_source(tmp_path, monkeypatch)
    assert run(capsys, "index", "--source", str(root))[0] == 0
    database = locations.index_db_path(INDEX_VERSION)
    damage_pages(database, "defs", "defs_name")
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:  # the header still reads
        assert connection.execute("SELECT value FROM meta").fetchone()
    before = outside_cache(tmp_path, isolated_home)
    code, out, err = run(capsys, "find", "Engine.generate", "--source", str(root))
    assert code == 0, err
    assert out.splitlines()[0] == "toypkg.core.Mixin.generate  method"
    notice = [line for line in err.splitlines() if "damaged" in line]
    assert notice == [
        f"codewalk: the index {database} was damaged (database disk image is malformed); "
        f"moved it to {database.name}.damaged and started a new one"
    ]
    assert database.with_name(database.name + ".damaged").is_file()
    code, out, err = run(capsys, "find", "Engine.generate", "--source", str(root))
    assert (code, "damaged" in err) == (0, False)  # the new index is sound
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def _as_another_user(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``codewalk ARGV`` in a process that may not write the cache: as root, in a user
    namespace of its own (root's files are then not its to change); else as is, the
    cache having been made read-only."""
    command = [sys.executable, "-m", "codewalk", *argv]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        unshare = shutil.which("unshare")
        if unshare is None or subprocess.run([unshare, "--user", "true"], capture_output=True).returncode:
            pytest.skip("as root, a read-only cache needs user namespaces (unshare --user)")
        command = [unshare, "--user", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=dict(os.environ))


def read_only(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)


def writable_again(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.stat().st_mode) | 0o200)


def test_a_read_only_cache_answers_from_what_it_holds(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = toy_source(tmp_path, monkeypatch)
    assert run(capsys, "index", "--source", str(root))[0] == 0
    read_only(isolated_home)
    try:
        cache_before = picture(isolated_home)
        before = outside_cache(tmp_path, isolated_home)
        done = _as_another_user(["find", "Engine.generate", "--source", str(root)])
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[0] == "toypkg.core.Mixin.generate  method"
        assert (
            f"codewalk: the index {locations.index_db_path(INDEX_VERSION)} is read-only (another user's?); "
            "answering from what it holds"
        ) in done.stderr
        done = _as_another_user(["find", "Engin", "--source", str(root)])
        assert done.returncode == 1
        assert "no definition found" in done.stderr and "Traceback" not in done.stderr
        done = _as_another_user(["index", "--source", str(root)])  # in memory, said so
        assert done.returncode == 0 and "Traceback" not in done.stderr
        assert picture(isolated_home) == cache_before
        assert_untouched(before, outside_cache(tmp_path, isolated_home))
    finally:
        writable_again(isolated_home)


def test_a_read_only_cache_says_in_one_line_what_it_cannot_do(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(tmp_path / "remote")
    pins = write_pins(tmp_path / "vendor_pins.toml", url=upstream.url, commit=upstream.commit)
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    monkeypatch.setenv("CODEWALK_SOURCE", "git")
    checkout = ensure_checkout(load_pins(pins)["transformers"], mode="git").checkout
    llama = checkout.root / "src/transformers/models/llama/modeling_llama.py"
    llama.chmod(0o644)
    llama.write_text("# edited\n" + llama.read_text())
    read_only(isolated_home)
    try:
        cache_before = picture(isolated_home)
        done = _as_another_user(["show", "LlamaModel.__init__", "--no-color"])
        assert done.returncode == 2, done.stdout
        assert done.stdout == ""
        error = done.stderr.strip().splitlines()[-1]
        assert error == (
            "codewalk: error: src/transformers/models/llama/modeling_llama.py: the cached transformers file "
            "differs from what was fetched (v5.23.0), and this cache is read-only: ask its owner to run "
            "`codewalk sync transformers@5.23.0`, or set CODEWALK_HOME to a cache of your own"
        )
        assert "PermissionError" not in done.stderr
        done = _as_another_user(["sync"])
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "not writable" in done.stderr or "Permission denied" in done.stderr
        assert picture(isolated_home) == cache_before
    finally:
        writable_again(isolated_home)


def test_the_index_of_another_codewalk_version_on_the_same_home_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two codewalk versions used in turn on one home: each keeps its own index, so
    neither rebuilds the other's (130 MB of facts) at each switch."""
    root = toy_source(tmp_path, monkeypatch)
    isolated_home.mkdir(parents=True)
    others = [isolated_home / "index.sqlite3", isolated_home / "index-99.1.sqlite3"]  # older, newer
    for path, version in zip(others, ("6.7", "99.1"), strict=True):
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            connection.execute("INSERT INTO meta VALUES ('schema_version', ?)", (version,))
            connection.execute("CREATE TABLE facts (x)")
            connection.executemany("INSERT INTO facts VALUES (?)", [(n,) for n in range(1000)])
    before = {path: path.read_bytes() for path in others}
    for _ in range(2):
        code, _out, err = run(capsys, "find", "Engine", "--source", str(root))
        assert code == 0, err
        assert "rebuilding" not in err
    assert {path: path.read_bytes() for path in others} == before
    mine = locations.index_db_path(INDEX_VERSION)
    assert mine not in others and mine.is_file()
