"""``export -o`` writes where a shell's ``>`` would, and never replaces what it does not
own: a symlink stays a link (its file is replaced), a FIFO or a device is written
through, ``-`` is standard output, a directory is one line of error."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from tests.hardening import assert_untouched, outside_cache, run, toy_source

TOUR = "title: Export me\nsteps:\n  - at: toypkg.core.helper\n    note: The helper.\n"


@pytest.fixture()
def export_args(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    root = toy_source(tmp_path, monkeypatch)
    tour = tmp_path / "export-me.yaml"
    tour.write_text(TOUR)
    return ["export", str(tour), "--source", str(root)]


def test_dash_is_standard_output(
    export_args: list[str], tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = outside_cache(tmp_path, isolated_home)
    code, out, err = run(capsys, *export_args, "-o", "-")
    assert code == 0, err
    assert out.startswith("# Export me") and "def helper(x):" in out
    assert not Path("-").exists() and not (tmp_path / "-").exists()
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def test_a_symlink_stays_a_link_and_its_file_is_written(
    export_args: list[str], tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notes" / "real.md"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "notes" / "new.md")
    before = outside_cache(tmp_path, isolated_home)
    code, _, err = run(capsys, *export_args, "-o", str(link))
    assert code == 0, err
    assert f"wrote {link} (the file it links to, {target})" in err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith("# Export me")
    code, _, err = run(capsys, *export_args, "-o", str(dangling))
    assert code == 0, err
    assert dangling.is_symlink() and (tmp_path / "notes" / "new.md").read_text().startswith("# Export me")
    assert_untouched(
        before, outside_cache(tmp_path, isolated_home), allowed=["notes/real.md", "notes/new.md", "notes"]
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_written_through(
    export_args: list[str], tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    before = outside_cache(tmp_path, isolated_home)
    code, _, err = run(capsys, *export_args, "-o", str(fifo))
    reader.join(timeout=60)
    assert code == 0, err
    assert f"wrote {fifo} (written through: it is not a regular file)" in err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and received[0].startswith(b"# Export me")
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def _null_device(tmp_path: Path) -> Path:
    """A device node that discards what is written: a fresh one made as root (so that a
    failure could never replace the machine's ``/dev/null``), else ``/dev/null``."""
    if hasattr(os, "geteuid") and os.geteuid() == 0 and hasattr(os, "mknod"):
        node = tmp_path / "null"
        try:
            os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except OSError:
            pass  # a container without CAP_MKNOD: fall back on /dev/null below
        else:
            return node
        if os.geteuid() == 0:
            pytest.skip("as root without mknod, a broken write could replace /dev/null")
    return Path("/dev/null")


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs a null device")
def test_a_device_is_written_through_never_replaced(
    export_args: list[str], tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    device = _null_device(tmp_path)
    before = outside_cache(tmp_path, isolated_home)
    rdev = device.stat().st_rdev
    code, _, err = run(capsys, *export_args, "-o", str(device))
    assert code == 0, err
    assert "written through: it is not a regular file" in err
    info = device.lstat()
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == rdev
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def test_a_directory_is_one_line(
    export_args: list[str], tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    before = outside_cache(tmp_path, isolated_home)
    code, out, err = run(capsys, *export_args, "-o", str(folder))
    assert (code, out) == (2, "")
    assert (
        err.strip().splitlines()[-1] == f"codewalk: error: {folder}: cannot write the export: Is a directory"
    )
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def test_a_regular_file_is_replaced_whole_keeping_its_mode(
    export_args: list[str], tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "tour.md"
    target.write_text("old\n")
    target.chmod(0o640)
    before = outside_cache(tmp_path, isolated_home)
    code, _, err = run(capsys, *export_args, "-o", str(target))
    assert code == 0, err
    assert target.read_text().startswith("# Export me")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.glob(".tour.md.*")) == []  # no temporary left
    assert_untouched(before, outside_cache(tmp_path, isolated_home), allowed=["tour.md"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_draft_writes_through_a_fifo_too(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = toy_source(tmp_path, monkeypatch)
    fifo = tmp_path / "draft.yaml"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    before = outside_cache(tmp_path, isolated_home)
    argv = ["draft", "toypkg.core.Engine.step", "toypkg.core.Base.run", "-o", str(fifo), "--force"]
    code, out, err = run(capsys, *argv, "--source", str(root))
    reader.join(timeout=60)
    assert code == 0, err
    assert "written through: it is not a regular file" in out
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and b"- at: " in received[0]
    assert_untouched(before, outside_cache(tmp_path, isolated_home))
