"""The quick path: a ``find`` asked again is printed back from the answer kept for it,
exactly as the full path printed it, and never once anything it depends on has changed."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
import time
from pathlib import Path

import pytest

from codewalk import locations
from codewalk.cli import parser as parser_module
from codewalk.cli import quick
from codewalk.index import answers, names
from codewalk.index.versions import INDEX_VERSION
from tests.hardening import run
from tests.sourcefixtures import Upstream, pin_upstream

LLAMA = "src/transformers/models/llama/modeling_llama.py"
QUERY = ("find", "LlamaModel")


@pytest.fixture()
def pinned(tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Upstream:
    """A git upstream of the tiny transformers, pinned, fetched into the cache."""
    return pin_upstream(tmp_path, monkeypatch)


def _kept(home: Path) -> int:
    directory = home / "answers"
    return len([p for p in directory.iterdir() if p.name != "state"]) if directory.is_dir() else 0


def _settle() -> None:
    """An index written in the last moment keeps no answer (its files' times could be
    a later write's too): let it settle."""
    time.sleep(answers.SETTLE_NS / 1e9 * 2)


def _no_full_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(argv: object) -> None:
        raise AssertionError("the full path ran")

    monkeypatch.setattr(parser_module, "build_parser", refuse)


def _answered_and_kept(capsys: pytest.CaptureFixture[str], home: Path) -> str:
    """Ask until the answer is kept (the first run indexes, so keeps nothing)."""
    code, first, err = run(capsys, *QUERY)
    assert (code, err) == (0, "")
    assert _kept(home) == 0  # it indexed while answering: nothing kept
    _settle()
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
    connection = sqlite3.connect(locations.index_db_path(INDEX_VERSION), isolation_level=None)
    try:
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('touched', hex(randomblob(8)))")
    finally:
        connection.close()


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
    answers.forget(str(isolated_home / "answers"))
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
    index = locations.index_db_path(INDEX_VERSION)
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
        ["find", "X", "--sou", "."],  # argparse reads a long option's beginning as it
        ["find", "X", "--ref"],
        ["find", "X", "--he"],
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
    reader = names.read_only(str(path), timeout=0.1)
    try:
        assert reader.execute("SELECT x FROM t").fetchall() == [(1,)]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.execute("INSERT INTO t VALUES (2)")
    finally:
        reader.close()
    assert not (tmp_path / "odd").exists()  # not a database made at the path cut at "?"


def test_an_index_written_too_recently_to_tell_apart_keeps_no_answer(tmp_path: Path) -> None:
    """File times are only as fine as the clock's tick: an index written within the
    settling time of the moment the answer was checked could be written again with the
    same times, so no answer is kept; older, it is. Whole-second times need two seconds."""
    index = tmp_path / "index.sqlite3"
    index.write_bytes(b"x")
    written = index.stat().st_mtime_ns
    assert not answers.settled(str(index), written + answers.SETTLE_NS // 2)
    assert answers.settled(str(index), written + 2 * answers.SETTLE_NS)
    wal = Path(f"{index}-wal")
    wal.write_bytes(b"y")  # the log counts as much as the database
    logged = wal.stat().st_mtime_ns
    assert not answers.settled(str(index), logged + answers.SETTLE_NS // 2)
    assert answers.settled(str(index), logged + 2 * answers.SETTLE_NS)
    fine, whole = 1_700_000_000_123_456_789, 1_700_000_000_000_000_000
    assert answers.settled_times([fine], fine + 2 * answers.SETTLE_NS)
    assert not answers.settled_times([whole, whole], whole + 2 * answers.SETTLE_NS)
    assert not answers.settled_times([whole], whole + 1_900_000_000)
    assert answers.settled_times([whole], whole + 2_100_000_000)
    assert answers.settled_times([], 0)  # no index at all: nothing can be mistaken


def test_an_index_changed_after_the_answer_was_checked_keeps_it_not(
    pinned: Upstream, isolated_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another codewalk indexing between the check and the keep: the answer may predate
    its write, so it is not kept (the write is too recent to tell apart)."""
    run(capsys, *QUERY)
    _settle()
    remember = quick.remember

    def then_another_codewalk_writes(*args: object) -> None:
        remember(*args)  # type: ignore[arg-type]
        _change_index(isolated_home, pinned)

    monkeypatch.setattr(quick, "remember", then_another_codewalk_writes)
    assert run(capsys, *QUERY)[0] == 0
    assert _kept(isolated_home) == 0


def test_a_damaged_or_foreign_answer_file_is_a_miss(
    pinned: Upstream, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _answered_and_kept(capsys, isolated_home)
    (kept,) = [p for p in (isolated_home / "answers").iterdir() if p.name != "state"]
    whole = kept.read_bytes()
    for damaged in (
        whole[:-1],  # cut short
        whole + b"x",  # grown
        b"",
        whole.replace(b"codewalk answer 1", b"codewalk answer 9"),
        whole.replace(b"LlamaModel", b"LlamaModeL", 1),  # another question's answer
        whole[:-3] + b"\xff" + whole[-2:],  # not UTF-8 where the output is
        os.urandom(200),
    ):
        kept.write_bytes(damaged)
        assert quick.replay(list(QUERY)) is None, damaged[:80]
        assert capsys.readouterr().out == ""
    kept.unlink()
    os.mkfifo(kept)  # a FIFO in its place would block a plain open
    started = time.monotonic()
    assert quick.replay(list(QUERY)) is None
    assert time.monotonic() - started < 2
    kept.unlink()
    _settle()
    code, out, err = run(capsys, *QUERY)  # the full path answers, and keeps it again
    assert (code, out, err) == (0, first, "")
    assert kept.read_bytes() == whole


def test_answers_of_an_older_index_are_removed_when_one_is_kept(
    pinned: Upstream, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _answered_and_kept(capsys, isolated_home)
    _change_index(isolated_home, pinned)
    _settle()
    other = ("find", "LlamaModel.__init__")
    for _ in range(2):
        assert run(capsys, *other)[0] == 0
        _settle()
    assert _kept(isolated_home) == 1
    assert quick.replay(list(QUERY)) is None
    assert quick.replay(list(other)) == 0


def test_a_place_for_answers_that_cannot_be_written_costs_nothing_but_speed(
    pinned: Upstream, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated_home / "answers").write_text("a file where the directory would go")
    first = run(capsys, *QUERY)
    _settle()
    assert run(capsys, *QUERY) == first == (0, first[1], "")
    assert (isolated_home / "answers").read_text() == "a file where the directory would go"
    assert quick.replay(list(QUERY)) is None


def test_reading_the_index_leaves_the_kept_answers_standing(
    pinned: Upstream, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A TAB reads the index between two finds; SQLite, run by root, gives the log its
    owner again when it opens it (its change time moves, its content does not)."""
    _answered_and_kept(capsys, isolated_home)
    index = locations.index_db_path(INDEX_VERSION)
    assert names.starting_with(str(index), "Llama")
    for path in (index, Path(f"{index}-wal")):
        if path.exists():
            os.chown(path, path.stat().st_uid, path.stat().st_gid)
    assert quick.replay(list(QUERY)) == 0


def test_an_index_changed_right_after_its_files_were_looked_at_keeps_a_stale_answer_not(
    pinned: Upstream, isolated_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state kept with an answer and the check that the index had settled come from
    one look at its files: a write just after that look is a state the answer lacks."""
    run(capsys, *QUERY)
    _settle()
    look = answers._state
    writes = []

    def then_another_codewalk_writes(index: str) -> tuple[bytes, list[int]]:
        seen = look(index)
        if not writes:  # once, just after the first look
            writes.append(_change_index(isolated_home, pinned))
        return seen

    monkeypatch.setattr(answers, "_state", then_another_codewalk_writes)
    assert run(capsys, *QUERY)[0] == 0
    monkeypatch.setattr(answers, "_state", look)
    assert quick.replay(list(QUERY)) is None  # kept, perhaps, but for the state before the write
