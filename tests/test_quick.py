"""The quick path: a ``find`` asked again is printed back from the index, exactly as
the full path printed it, and never once anything it depends on has changed."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from codewalk.cli import parser as parser_module
from codewalk.cli import quick
from tests.hardening import run
from tests.sourcefixtures import Upstream, pin_upstream

LLAMA = "src/transformers/models/llama/modeling_llama.py"
QUERY = ("find", "LlamaModel")


@pytest.fixture()
def pinned(tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Upstream:
    """A git upstream of the tiny transformers, pinned, fetched into the cache."""
    return pin_upstream(tmp_path, monkeypatch)


def _kept(home: Path) -> int:
    with sqlite3.connect(home / "index.sqlite3") as connection:
        return int(connection.execute("SELECT count(*) FROM answers").fetchone()[0])


def _no_full_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(argv: object) -> None:
        raise AssertionError("the full path ran")

    monkeypatch.setattr(parser_module, "build_parser", refuse)


def _answered_and_kept(capsys: pytest.CaptureFixture[str], home: Path) -> str:
    """Ask until the answer is kept (the first run indexes, so keeps nothing)."""
    code, first, err = run(capsys, *QUERY)
    assert (code, err) == (0, "")
    assert _kept(home) == 0  # it indexed while answering: nothing kept
    code, second, err = run(capsys, *QUERY)
    assert (code, second, err) == (0, first, "")
    assert _kept(home) == 1
    return first


def test_a_find_asked_again_is_printed_back_without_the_full_path(
    pinned: Upstream, isolated_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _answered_and_kept(capsys, isolated_home)
    assert first.startswith("transformers.models.llama.modeling_llama.LlamaModel  class")
    _no_full_path(monkeypatch)
    assert run(capsys, *QUERY) == (0, first, "")


def test_a_kept_answer_is_replayed_only_for_its_own_command_line(
    pinned: Upstream, isolated_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _answered_and_kept(capsys, isolated_home)
    _no_full_path(monkeypatch)
    for other in (
        ["find", "LlamaModel", "--json"],
        ["find", "LlamaMode"],
        ["find", "LlamaModel", "--no-color"],
    ):
        with pytest.raises(AssertionError, match="the full path ran"):
            run(capsys, *other)


def test_colour_is_part_of_the_question() -> None:
    class Terminal:
        def isatty(self) -> bool:
            return True

    class Pipe:
        def isatty(self) -> bool:
            return False

    assert quick._key(QUERY, Terminal()) != quick._key(QUERY, Pipe())
    os.environ["NO_COLOR"] = "1"
    try:
        assert quick._key(QUERY, Terminal()) == quick._key(QUERY, Pipe())
    finally:
        del os.environ["NO_COLOR"]


def test_the_kind_of_source_asked_for_is_part_of_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """A git entry and a release of one pin may both be cached: CODEWALK_SOURCE picks."""
    monkeypatch.setenv("CODEWALK_SOURCE", "git")
    as_git = quick._key(QUERY, None)
    monkeypatch.setenv("CODEWALK_SOURCE", "release")
    assert quick._key(QUERY, None) != as_git


def _edit_file(home: Path, upstream: Upstream) -> None:
    (entry,) = (home / "sources" / "transformers").iterdir()
    path = entry / "tree" / LLAMA
    path.chmod(path.stat().st_mode | stat.S_IWUSR)
    path.write_text(path.read_text().replace("class LlamaModel", "class LlamaModel  "))


def _touch_manifest(home: Path, upstream: Upstream) -> None:
    (entry,) = (home / "sources" / "transformers").iterdir()
    manifest = entry / "manifest.json"
    os.utime(manifest, ns=(manifest.stat().st_atime_ns, manifest.stat().st_mtime_ns + 1_000_000_000))


def _new_entry(home: Path, upstream: Upstream) -> None:
    (home / "sources" / "accelerate" / "release-accelerate-1.14.0").mkdir(parents=True)


def _edit_pins(home: Path, upstream: Upstream) -> None:
    pins = Path(os.environ["CODEWALK_PINS"])
    pins.write_text(pins.read_text() + "# a comment changes nothing but the bytes\n")


def _change_index(home: Path, upstream: Upstream) -> None:
    with sqlite3.connect(home / "index.sqlite3") as connection:
        connection.execute("UPDATE snapshots SET complete = complete")


def _other_codewalk(home: Path, upstream: Upstream) -> None:
    other = home / "another-codewalk"  # an upgrade: other modules, other times
    other.mkdir()
    (other / "cli.py").write_text("")
    quick._PACKAGE = str(other)  # restored by the test's monkeypatch


@pytest.mark.parametrize(
    "change",
    [_edit_file, _touch_manifest, _new_entry, _edit_pins, _change_index, _other_codewalk],
    ids=[
        "file-edited",
        "entry-rewritten",
        "another-repo-synced",
        "pins-edited",
        "index-changed",
        "codewalk-changed",
    ],
)
def test_a_kept_answer_is_not_replayed_once_what_it_depends_on_changed(
    change: object,
    pinned: Upstream,
    isolated_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _answered_and_kept(capsys, isolated_home)
    assert quick.replay(list(QUERY)) == 0
    capsys.readouterr()
    monkeypatch.setattr(quick, "_PACKAGE", quick._PACKAGE)
    change(isolated_home, pinned)  # type: ignore[operator]
    assert quick.replay(list(QUERY)) is None
    assert capsys.readouterr().out == ""


def test_an_answer_that_said_something_on_stderr_or_was_not_found_is_not_kept(
    pinned: Upstream, isolated_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _answered_and_kept(capsys, isolated_home)
    for _ in range(2):
        code, _out, err = run(capsys, "find", "NoSuchNameAnywhere")
        assert code == 1 and "NoSuchNameAnywhere" in err
    assert _kept(isolated_home) == 1
    with sqlite3.connect(isolated_home / "index.sqlite3") as connection:
        connection.execute("DELETE FROM answers")
    from codewalk.cli.commands import find

    format_result = find.format_result

    def with_a_note(*args: object, **kwargs: object) -> str:
        print("codewalk: a note the reader must see", file=sys.stderr)
        return format_result(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(find, "format_result", with_a_note)
    code, _, err = run(capsys, *QUERY)
    assert code == 0 and "a note the reader must see" in err
    assert _kept(isolated_home) == 0  # replayed, the note would be lost
    assert quick._recording is None and not isinstance(sys.stdout, quick._Tee)  # streams given back


def test_a_damaged_or_foreign_index_is_a_miss_not_an_error(
    pinned: Upstream, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _answered_and_kept(capsys, isolated_home)
    index = isolated_home / "index.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(f"{index}{suffix}").unlink(missing_ok=True)
    index.write_bytes(b"not a database at all" * 100)
    assert quick.replay(list(QUERY)) is None
    code, out, err = run(capsys, *QUERY)  # the full path rebuilds, and says so
    assert code == 0 and "rebuilding the index" in err
    assert out.startswith("transformers.models.llama.modeling_llama.LlamaModel  class")


@pytest.mark.parametrize(
    "argv",
    [
        ["find", "X", "--source", "."],
        ["find", "X", "--source=."],
        ["find", "X", "--refs"],
        ["find", "X", "--at", "transformers@installed"],
        ["find", "X", "-h"],
        ["show", "X"],
        [],
    ],
)
def test_what_the_quick_path_never_answers(argv: list[str]) -> None:
    assert not quick.eligible(argv)


def test_an_index_whose_path_holds_uri_characters_opens_read_only(tmp_path: Path) -> None:
    home = tmp_path / "odd?name#here%20"
    home.mkdir()
    path = home / "index.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
    reader = quick.read_only(str(path), timeout=0.1)
    try:
        assert reader.execute("SELECT x FROM t").fetchall() == [(1,)]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.execute("INSERT INTO t VALUES (2)")
    finally:
        reader.close()
    assert not (tmp_path / "odd").exists()  # not a database made at the path cut at "?"
