"""Real file systems for the tests of a full disk and a read-only mount: a small tmpfs
(filled up, or remounted read-only) where the tests run as root and may mount, skipped
in one line elsewhere. Nothing is simulated: codewalk meets ENOSPC and EROFS from the
kernel, as a user's full disk or read-only volume gives them."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@contextlib.contextmanager
def small_tmpfs(where: Path, megabytes: int = 8) -> Iterator[Path]:
    """A tmpfs of ``megabytes`` mounted at ``where`` (made if absent), unmounted after."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (a real full disk or read-only mount)")
    where.mkdir(parents=True, exist_ok=True)
    done = _mount("-t", "tmpfs", "-o", f"size={megabytes}m,mode=0755", "tmpfs", str(where))
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def remount_read_only(where: Path) -> None:
    """Make the tmpfs at ``where`` read-only (EROFS on every write)."""
    done = _mount("-o", "remount,ro", str(where))
    if done.returncode != 0:
        pytest.skip(f"cannot remount {where} read-only: {done.stderr.strip()}")


def fill(where: Path, leave: int = 0) -> Path:
    """Write a file at ``where`` until the file system is full, then give back ``leave``
    bytes of it; returns it (delete it to free the space)."""
    filler = where / "filler"
    block = b"\0" * (1 << 16)
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(block)
                handle.flush()
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
    with contextlib.suppress(OSError), open(filler, "ab") as handle:  # the last bytes of the last block
        while True:
            handle.write(b"\0")
            handle.flush()
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler
