"""A cache on a disk that fills up or is mounted read-only, for real (a small tmpfs, as
root; skipped elsewhere): codewalk says "disk full" or "read-only" in one line, keeps
what the cache holds, and never turns the system's refusal into damage."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk import locations
from codewalk.index.versions import INDEX_VERSION
from tests.hardening import assert_untouched, picture, run, toy_source
from tests.mounts import fill, remount_read_only, small_tmpfs
from tests.sourcefixtures import Upstream, make_upstream, write_pins


@pytest.fixture()
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path / "disk", megabytes=16) as where:
        yield where


@pytest.fixture()
def home_on_disk(disk: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = disk / "home"
    monkeypatch.setenv("CODEWALK_HOME", str(home))
    return home


@pytest.fixture()
def pinned_upstream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Upstream:
    """A git upstream of the tiny transformers, pinned (git only), not fetched yet."""
    upstream = make_upstream(tmp_path / "remote")
    pins = write_pins(tmp_path / "vendor_pins.toml", url=upstream.url, commit=upstream.commit)
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    monkeypatch.setenv("CODEWALK_SOURCE", "git")
    return upstream


def test_a_fetch_into_a_home_mounted_read_only_is_one_line(
    home_on_disk: Path, disk: Path, pinned_upstream: Upstream, capsys: pytest.CaptureFixture[str]
) -> None:
    (home_on_disk / "locks").mkdir(parents=True)  # a home used before, now mounted read-only
    remount_read_only(disk)
    code, _out, err = run(capsys, "sync")
    assert code == 2
    assert err.splitlines() == [
        f"codewalk: error: cannot fetch transformers into the cache at {home_on_disk}: "
        "it is on a read-only file system",
        "  hint: set CODEWALK_HOME to a directory of your own",
    ]


def _entry(home: Path) -> Path:
    (entry,) = (home / "sources" / "transformers").iterdir()
    return entry


def test_sync_on_a_full_disk_says_so_and_keeps_the_verified_entry(
    home_on_disk: Path, disk: Path, pinned_upstream: Upstream, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "sync")[0] == 0
    entry = _entry(home_on_disk)
    before = picture(entry, skip=[entry / "tree" / ".git"])
    llama = entry / "tree" / "src/transformers/models/llama/modeling_llama.py"
    os.utime(llama, (1_000_000_000, 1_000_000_000))  # same bytes: git must refresh its index to say so
    filler = fill(disk)
    code, _out, err = run(capsys, "sync")
    assert code == 2
    lines = err.strip().splitlines()
    said = f"codewalk: error: the disk is full: git could not check the cached entry {entry.name}"
    assert lines[-2].startswith(said)
    assert lines[-2].endswith("; the entry is kept as it is")
    assert lines[-1].startswith("  hint: free some space there")
    assert "damaged" not in err
    after = picture(entry, skip=[entry / "tree" / ".git"])
    assert_untouched(before, after, allowed=["tree/src/transformers/models/llama"])  # its mtime only
    filler.unlink()  # space again, and the upstream out of reach: the entry is all there is
    pinned_upstream.bare.rename(pinned_upstream.bare.with_name("gone.git"))
    code, out, err = run(capsys, "find", "LlamaModel", "--no-color")
    assert code == 0, err
    assert "src/transformers/models/llama/modeling_llama.py:1" in out
    code, out, err = run(capsys, "sync")
    assert code == 0, err
    assert "already in the cache, verified" in out


def _generated_package(root: Path, modules: int = 150) -> None:
    """Enough code that indexing it writes megabytes: a full disk is met half-way."""
    generated = root / "src" / "toypkg" / "generated"
    generated.mkdir()
    (generated / "__init__.py").write_text("")
    body = "".join(
        f"def function_{n}(first, second=None):\n    '''Return the {n}th thing.'''\n"
        f"    value = helper_{n}(first) + other_{n}(second)\n    return value\n\n\n"
        for n in range(60)
    )
    for number in range(modules):
        (generated / f"module_{number}.py").write_text(f"class Generated{number}:\n    pass\n\n\n{body}")


def test_index_on_a_disk_that_fills_says_disk_full_and_the_index_still_answers(
    home_on_disk: Path,
    disk: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = toy_source(tmp_path, monkeypatch)
    _generated_package(root)
    assert run(capsys, "find", "Engine", "--source", str(root))[0] == 0
    filler = fill(disk, leave=300_000)
    code, _out, err = run(capsys, "index", "--source", str(root))
    assert code == 2
    assert "rollback" not in err
    line = err.strip().splitlines()[-2]
    assert line.startswith(f"codewalk: error: the disk holding the index {home_on_disk}/index")
    assert line.endswith("is full (database or disk is full); the index is left as it was")
    assert err.strip().splitlines()[-1].startswith("  hint: free some space there")
    filler.unlink()
    assert run(capsys, "index", "--source", str(root))[0] == 0
    code, out, err = run(capsys, "find", "Generated149", "--source", str(root), "--no-color")
    assert code == 0, err
    assert "src/toypkg/generated/module_149.py:1" in out


def test_a_query_on_a_full_disk_says_disk_full_not_delete_the_index(
    home_on_disk: Path,
    disk: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = toy_source(tmp_path, monkeypatch)
    assert run(capsys, "find", "Engine", "--source", str(root))[0] == 0
    before = picture(home_on_disk)
    filler = fill(disk)
    code, _out, err = run(capsys, "find", "Base", "--source", str(root))
    assert code == 2
    said = err.strip().splitlines()
    assert said[-2].startswith(f"codewalk: error: the disk holding the index {home_on_disk}/index")
    assert said[-2].endswith("; the index is left as it was")
    assert said[-1].startswith("  hint: free some space there")
    assert "delete" not in err
    # the index's file as it was (SQLite may leave its empty log and shared-memory files)
    index = locations.index_db_path(INDEX_VERSION).name
    assert_untouched(before, picture(home_on_disk), allowed=[f"{index}-wal", f"{index}-shm"])
    filler.unlink()
    assert run(capsys, "find", "Base", "--source", str(root))[0] == 0


@pytest.mark.parametrize("leave", [0, 180_000], ids=["full", "fills-while-indexing"])
def test_check_on_a_full_disk_says_disk_full_not_broken_steps(
    leave: int,
    home_on_disk: Path,
    disk: Path,
    pinned_upstream: Upstream,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Full from the start; or with room to make the index (SQLite here) but not to fill
    it, where steps came out BROKEN, each citing the disk."""
    assert run(capsys, "sync")[0] == 0
    tour = tmp_path / "t.yaml"
    tour.write_text("title: T\nsteps:\n  - at: LlamaModel\n  - at: LlamaModel.__init__\n")
    filler = fill(disk, leave=leave)
    code, out, err = run(capsys, "check", str(tour))
    assert code == 2
    assert "BROKEN" not in out and "missing" not in out
    said = err.strip().splitlines()
    assert "the disk holding the index" in said[-2] and "is full" in said[-2]
    assert said[-1].startswith("  hint: free some space there")
    filler.unlink()
    code, out, err = run(capsys, "check", str(tour))
    assert code == 0, out + err
    assert out.startswith("ok      t (2 steps at transformers")
