"""The cache tells the truth: its files are read-only, one that no longer matches its
recorded blob is restored before an answer is printed from it, a repaired entry gets its
file list read again, and a symlink out of a checkout is neither indexed nor shown."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from codewalk.source import integrity
from codewalk.source.checkout import SourceKind
from codewalk.source.pins import load_pins
from codewalk.ui.outside import editor_command, has_read_only_mode
from tests.hardening import assert_untouched, outside_cache, run, toy_source
from tests.sourcefixtures import Upstream, pin_upstream

LLAMA = "src/transformers/models/llama/modeling_llama.py"
WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


@pytest.fixture()
def pinned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Upstream:
    """A git upstream of the tiny transformers, pinned, fetched into the cache."""
    return pin_upstream(tmp_path, monkeypatch)


def tree(home: Path) -> Path:
    (entry,) = (home / "sources" / "transformers").iterdir()
    return entry / "tree"


def test_cached_files_are_read_only_on_disk(pinned: Upstream, isolated_home: Path) -> None:
    root = tree(isolated_home)
    files = [p for p in root.rglob("*") if p.is_file() and ".git" not in p.relative_to(root).parts]
    assert files and all(not p.stat().st_mode & WRITE for p in files)
    assert not (root.parent / "manifest.json").stat().st_mode & WRITE
    assert integrity.recorded_blobs(_checkout(isolated_home))[LLAMA] == integrity.blob_sha(
        (root / LLAMA).read_bytes()
    )


def _checkout(home: Path):  # type: ignore[no-untyped-def]
    from codewalk import locations
    from codewalk.source import cached

    pin = load_pins(locations.pins_path())["transformers"]
    found = cached.current(pin, (SourceKind.GIT,))
    assert found is not None and found.root == tree(home)
    return found


@pytest.mark.parametrize(
    "damage",
    [lambda text: "# edited\n# twice\n" + text, lambda text: text[:10]],
    ids=["edited", "truncated"],
)
def test_a_damaged_cached_file_is_restored_before_show_prints_it(
    damage,  # type: ignore[no-untyped-def]
    pinned: Upstream,
    tmp_path: Path,
    isolated_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tree(isolated_home) / LLAMA
    pristine = target.read_bytes()
    target.chmod(0o644)  # as an editor forcing its way would
    target.write_text(damage(pristine.decode()))
    before = outside_cache(tmp_path, isolated_home)
    code, out, err = run(capsys, "show", "LlamaModel.__init__", "--no-color")
    assert code == 0, err
    assert out.splitlines()[1].startswith(f"{LLAMA}:2-3")
    assert "3 ▌         self.layers = []" in out or "        self.layers = []" in out
    assert err.strip().splitlines()[-1] == (
        f"codewalk: {LLAMA} in the transformers cache differed from what was fetched (v5.23.0); restored it"
    )
    assert target.read_bytes() == pristine
    assert not target.stat().st_mode & WRITE
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def test_after_sync_repairs_an_entry_its_file_list_is_read_again(
    pinned: Upstream, tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree(isolated_home) / LLAMA).unlink()
    before = outside_cache(tmp_path, isolated_home)
    code, _, err = run(capsys, "find", "LlamaModel")  # indexes the tree as it now is
    assert code == 1 and "no definition found" in err
    code, out, err = run(capsys, "sync")
    assert code == 0, err
    assert "is damaged (files were modified" in err and "downloaded" in out
    code, out, err = run(capsys, "find", "LlamaModel")
    assert code == 0, err
    assert out.splitlines()[1].startswith(f"  {LLAMA}:1  [transformers@v5.23.0]")
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def test_a_cache_copied_with_its_times_keeps_its_index(
    pinned: Upstream,
    tmp_path: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A cache moved, copied with its times (``cp -a``) or restored from a CI job's archive
    (new paths, new inodes) holds the same builds: its index answers at once, complete,
    with no snapshot made again (listing every file of every pin took seconds)."""
    code, _, err = run(capsys, "index")
    assert code == 0, err

    def snapshots(home: Path) -> list[tuple[str, str, int]]:
        with contextlib.closing(sqlite3.connect(next(home.glob("index-*.sqlite3")))) as db:
            return db.execute("SELECT root, commit_id, complete FROM snapshots ORDER BY id").fetchall()

    before = snapshots(isolated_home)
    assert [complete for _, _, complete in before] == [1]
    copy = tmp_path / "elsewhere" / "codewalk"
    shutil.copytree(isolated_home, copy, symlinks=True)  # copy2: the times kept, the inodes new
    monkeypatch.setenv("CODEWALK_HOME", str(copy))
    code, out, err = run(capsys, "callers", "LlamaModel.__init__")
    assert code == 0, err
    assert "the index is partial" not in out
    assert snapshots(copy) == before


def test_a_symlink_out_of_the_checkout_is_neither_indexed_nor_shown(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = toy_source(tmp_path, monkeypatch)
    secret = tmp_path / "elsewhere" / "secret.py"
    secret.parent.mkdir()
    secret.write_text("class Secret:\n    TOKEN = 'do not show'\n")
    (root / "src" / "toypkg" / "leak.py").symlink_to(secret)
    (root / "src" / "toypkg" / "leakdir").symlink_to(secret.parent, target_is_directory=True)
    tour = tmp_path / "leak.yaml"
    tour.write_text(
        "title: Leak\nsteps:\n  - file: src/toypkg/leak.py\n  - file: src/toypkg/leakdir/secret.py\n"
    )
    before = outside_cache(tmp_path, isolated_home)
    for argv in (["find", "Secret"], ["show", "toypkg.leak.Secret"], ["index"]):
        code, out, err = run(capsys, *argv, "--source", str(root))
        assert "do not show" not in out + err
        assert code == (0 if argv == ["index"] else 1), err
    code, out, _ = run(capsys, "find", "Secret", "--source", str(root))
    assert code == 1
    code, out, _ = run(capsys, "tour", str(tour), "--plain", "--no-color", "--source", str(root))
    assert code == 1
    assert "missing: file 'src/toypkg/leak.py' leaves the checkout" in out
    assert "did you mean: src/toypkg/leak.py" not in out
    assert "missing: file 'src/toypkg/leakdir/secret.py' leaves the checkout" in out
    assert "do not show" not in out
    code, _, err = run(capsys, "goto", "src/toypkg/leak.py:1:7", "--source", str(root))
    assert code == 1 and "not a path inside the toy checkout" in err
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def test_the_editor_opens_cached_files_read_only_where_it_can() -> None:
    path = Path("/cache/tree/src/x.py")
    assert editor_command({"EDITOR": "vim"}, 7, path, read_only=True) == ["vim", "-R", "+7", str(path)]
    assert editor_command({"EDITOR": "/usr/bin/nvim"}, 7, path, read_only=True)[1] == "-R"
    assert editor_command({"EDITOR": "nano"}, 7, path, read_only=True) == ["nano", "-v", "+7", str(path)]
    assert editor_command({"EDITOR": "emacs -nw"}, 7, path, read_only=True) == [
        "emacs",
        "-nw",
        "+7",
        str(path),
        "-f",
        "view-mode",
    ]
    assert editor_command({"EDITOR": "vim"}, 7, path) == ["vim", "+7", str(path)]  # the user's own files
    assert not has_read_only_mode(editor_command({"EDITOR": "code --wait"}, 7, path, read_only=True))


def test_a_link_planted_in_the_cache_is_never_written_through(
    pinned: Upstream, isolated_home: Path, tmp_path: Path
) -> None:
    """Whoever may write to a shared cache may plant a link where a codewalk would write a
    temporary file at a name it can guess (its PID, a hash of the command line): no
    command writes through one. (Such names were those of answers kept for replay.)"""
    import binascii
    import os
    import subprocess
    import sys
    import time

    victim = tmp_path / "victim.txt"
    victim.write_text("mine\n")
    argv = ["find", "LlamaModel"]
    key = repr(("plain", os.environ.get("CODEWALK_SOURCE", ""), *argv)).encode()
    name = f"{binascii.crc32(key):08x}-{len(key):x}"
    answers = isolated_home / "answers"
    answers.mkdir()
    for _ in range(3):  # the first indexes; a later one finds the index settled
        done = subprocess.run([sys.executable, "-m", "codewalk", *argv], capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        time.sleep(0.2)
    (answers / name).unlink(missing_ok=True)
    plant = f'ln -s "$0" "{answers}/.{name}.$$.tmp"; exec "$@"'
    command = ["bash", "-c", plant, str(victim), sys.executable, "-m", "codewalk", *argv]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "modeling_llama.py" in done.stdout, done.stderr
    assert victim.read_text() == "mine\n"


def test_the_call_facts_pass_never_keeps_an_edited_cached_files_calls(
    pinned: Upstream, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``index --calls`` reads each file itself: one edited in the cache since it was
    indexed is passed over (a command reads it restored), never analysed as its blob."""
    code, _, err = run(capsys, "index")
    assert code == 0, err
    target = tree(isolated_home) / LLAMA
    pristine = target.read_bytes()
    target.chmod(0o644)
    target.write_bytes(pristine.replace(b"self.layers = []", b"self.layers = edited()"))
    code, _, err = run(capsys, "index", "--calls")
    assert code == 0, err
    code, out, err = run(capsys, "calls", "LlamaModel.__init__", "--all", "--json")
    assert code == 0, err
    assert "edited" not in out
    assert target.read_bytes() == pristine
