"""Writing a file whole or not at all (codewalk/files.py): what every writer of codewalk
uses, the cache's manifests, remembered progress, exports and drafts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from codewalk import files
from codewalk.files import write_atomically


def test_write_atomically_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.tour"
    target.write_text("old", encoding="utf-8")
    write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.tour"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_write_atomically_follows_the_umask(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        target = tmp_path / "new.tour"
        write_atomically(target, "x\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_write_atomically_keeps_an_existing_files_mode(tmp_path: Path) -> None:
    target = tmp_path / "shared.tour"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_atomically(target, "new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text(encoding="utf-8") == "new\n"


def test_a_link_planted_at_a_temporary_name_is_never_written_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary file is created exclusively: were its name guessed and a link put
    there, the link's target is left alone and another name taken."""
    victim = tmp_path / "victim.txt"
    victim.write_text("mine\n")
    target = tmp_path / "progress.json"
    (tmp_path / ".progress.json.guessed.tmp").symlink_to(victim)
    names = iter(["guessed", "fresh"])
    monkeypatch.setattr(files, "_token", lambda: next(names))
    write_atomically(target, "{}\n")
    assert (victim.read_text(), target.read_text()) == ("mine\n", "{}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".progress.json.guessed.tmp",
        "progress.json",
        "victim.txt",
    ]


def test_without_replace_a_file_made_meanwhile_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "draft.yaml"
    with pytest.raises(FileExistsError):
        target.write_text("there before\n")
        write_atomically(target, "draft\n", replace=False)
    target.unlink()
    create = files._create_beside

    def and_meanwhile(path: Path, mode: int) -> tuple[Path, int]:
        found = create(path, mode)
        target.write_text("my precious notes\n")  # made while the draft is written
        return found

    monkeypatch.setattr(files, "_create_beside", and_meanwhile)
    with pytest.raises(FileExistsError):
        write_atomically(target, "draft\n", replace=False)
    assert target.read_text() == "my precious notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["draft.yaml"]
    monkeypatch.undo()
    target.unlink()
    write_atomically(target, "draft\n", replace=False)
    assert target.read_text() == "draft\n"


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    """As ``>`` does: the file at the end of the links is replaced, every link kept; a
    new file is made where a dangling link points, unless ``replace`` is false."""
    real = tmp_path / "real" / "notes.yaml"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    middle = tmp_path / "middle.yaml"
    middle.symlink_to(real)
    link = tmp_path / "link.yaml"
    link.symlink_to(middle)
    write_atomically(link, "new\n")
    assert link.is_symlink() and middle.is_symlink()
    assert real.read_text() == "new\n" and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["notes.yaml"]
    with pytest.raises(FileExistsError):
        write_atomically(link, "again\n", replace=False)
    assert real.read_text() == "new\n"
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "real" / "made.yaml")
    write_atomically(dangling, "made\n", replace=False)
    assert dangling.is_symlink() and (tmp_path / "real" / "made.yaml").read_text() == "made\n"
