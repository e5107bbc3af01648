"""A local checkout (``--source DIR``) answers what its files say now: an edit that keeps
the file's size and modification time is seen, ``.pyi`` stubs are listed and read
again, and "did you mean" draws on the checkout asked about first."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.hardening import run
from tests.sourcefixtures import pin_hub, write_pins

INIT = "src/transformers/__init__.py"


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git checkout of a tiny transformers of the user's own, and pins naming it."""
    pins = write_pins(tmp_path / "vendor_pins.toml", url="https://example.invalid/transformers.git")
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    root = tmp_path / "mine"
    (root / "src" / "transformers").mkdir(parents=True)
    (root / INIT).write_text("def hello():\n    return 1\n")
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a"}
    env["GIT_COMMITTER_EMAIL"] = "a@b"
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "mine"]):
        subprocess.run(["git", *command], cwd=root, env=env, check=True, capture_output=True)
    return root


def found(capsys: pytest.CaptureFixture[str], root: Path, name: str) -> bool:
    code, _out, err = run(capsys, "find", name, "--source", str(root), "--no-color")
    assert code in (0, 1), err
    return code == 0


def rewrite_keeping_size_and_mtime(path: Path, text: str) -> None:
    """What ``cp -p``, ``rsync -a`` or ``touch -d`` leave: new bytes, same size, old mtime."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_an_edit_keeping_size_and_mtime_is_seen(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert found(capsys, checkout, "hello")
    rewrite_keeping_size_and_mtime(checkout / INIT, "def hellq():\n    return 1\n")
    assert found(capsys, checkout, "hellq")
    assert not found(capsys, checkout, "hello")


def test_an_edit_long_after_the_last_query_is_seen_by_its_stat(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past the seconds in which a file's timestamps may not tell two changes apart:
    the inode change time, which no tool sets back, tells this one."""
    assert found(capsys, checkout, "hello")
    time.sleep(3.5)
    rewrite_keeping_size_and_mtime(checkout / INIT, "def hellq():\n    return 1\n")
    time.sleep(3.5)
    assert found(capsys, checkout, "hellq")
    assert not found(capsys, checkout, "hello")


def test_a_stub_is_listed_and_read_again_when_it_changes(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert found(capsys, checkout, "hello")
    stub = checkout / "src" / "transformers" / "stubs.pyi"
    stub.write_text("def stubbed_one() -> int: ...\n")
    code, out, _err = run(capsys, "index", "--source", str(checkout))
    assert code == 0 and "2 files" in out
    assert found(capsys, checkout, "stubbed_one")
    stub.write_text("def stubbed_two() -> int: ...\n")
    assert found(capsys, checkout, "stubbed_two")
    assert not found(capsys, checkout, "stubbed_one")


def test_did_you_mean_names_the_closest_name_of_the_checkout_or_another_pin_first(
    checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another pin in the cache (``hub``) defines a name closer to the query than the
    checkout does: it comes first, and the error names both (the checkout's name comes
    first only when as close)."""
    pin_hub(tmp_path, monkeypatch)
    assert run(capsys, "sync", "hub")[0] == 0
    (checkout / INIT).write_text("def hello():\n    return 1\n\n\nSECRET_TOKEN_VALUE = 2\n")
    code, _out, err = run(capsys, "find", "SECRET_TOKEN", "--source", str(checkout))
    assert code == 1
    assert "nor in the other pins in the cache (hub)" in err
    assert "did you mean: SECRET_TOKENS, SECRET_TOKEN_VALUE" in err


def test_answers_made_while_a_pin_is_not_fetched_are_not_kept(
    checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question that must not fetch (the UI's palette, ``path``) reads a name imported
    from a pin not in the cache as unreadable; the next question, free to fetch, fetches
    that pin and follows the import, as if the first had not been asked."""
    from codewalk.workspace.pinned import PinnedStack

    pin_hub(tmp_path, monkeypatch)
    (checkout / INIT).write_text("from hub import SECRET_TOKENS\n\n\ndef hello():\n    return 1\n")
    stack = PinnedStack(str(checkout))
    try:
        with stack.fetching_only(()):
            before = stack.workspace().find("transformers.SECRET_TOKENS").results
        assert stack.stack.skipped == {"hub"} and "hub" not in stack.stack.members
        assert all(r.repo != "hub" for r in before)
        after = stack.workspace().find("transformers.SECRET_TOKENS").results
        assert [(r.repo, r.path) for r in after][:1] == [("hub", "src/hub/__init__.py")]
    finally:
        stack.close()


def test_the_recorders_check_over_a_real_stack_tells_a_broken_step_from_a_note_warning(
    checkout: Path, tmp_path: Path
) -> None:
    """What the recorder shows after ``w`` (``ui.stack.check_tour``), on the pins as
    ``check`` reads them: a step that does not resolve is broken, a note naming code its
    step does not show is a warning of its step, a good step says nothing."""
    from codewalk.tours.loader import parse_tour
    from codewalk.ui.stack import check_tour
    from codewalk.workspace.pinned import PinnedStack

    text = (
        "title: T\nrepo: transformers\nsteps:\n"
        "  - at: transformers.hello\n    note: Returns one.\n"
        "  - at: transformers.nothere\n"
        "  - at: transformers.hello\n    note: It calls `frobnicate_everything`.\n"
    )
    tour = parse_tour(text, tmp_path / "t.yaml")
    stack = PinnedStack(str(checkout))
    try:
        found = check_tour(stack, tour)
    finally:
        stack.close()
    assert [(f.step, f.broken) for f in found] == [(1, True), (2, False)]
    assert "step 2 (transformers.nothere)" in found[0].message
    assert "frobnicate_everything" in found[1].message


def test_a_find_over_every_pin_in_the_cache_reads_each_entry_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``find`` asks which pins are in the cache, then opens each of them to search it:
    the manifest each entry was found by is the one it is opened with, read once."""
    from collections import Counter

    from codewalk.source import cache
    from codewalk.source.pins import load_pins
    from codewalk.source.sync import ensure_checkout
    from tests.sourcefixtures import pin_upstream

    pin_upstream(tmp_path, monkeypatch)
    pin_hub(tmp_path, monkeypatch)
    ensure_checkout(load_pins(Path(os.environ["CODEWALK_PINS"]))["hub"], mode="git")
    read: list[str] = []
    real = cache.read_manifest
    monkeypatch.setattr(cache, "read_manifest", lambda entry: read.append(entry.parent.name) or real(entry))
    code, out, err = run(capsys, "find", "SECRET_TOKENS", "--no-color")
    assert code == 0, err
    assert "hub.SECRET_TOKENS" in out and "[hub@v1.0]" in out
    assert Counter(read) == {"transformers": 1, "hub": 1}
