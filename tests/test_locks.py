"""Locks between codewalk processes: held by one process (or thread) at a time, entered
again by the thread holding it, and the same lock the filelock package takes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from codewalk import locks

HOLDER = """\
import sys, time
from codewalk import locks
with locks.held(sys.argv[1], timeout=5):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_another_process_holding_it_makes_a_try_fail_and_a_wait_succeed(tmp_path: Path) -> None:
    lock = str(tmp_path / "repo.lock")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, lock, "0.5"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(locks.Timeout), locks.held(lock, timeout=0):
            pass
        started = time.monotonic()
        with locks.held(lock, timeout=10):
            waited = time.monotonic() - started
        assert waited > 0.1  # it waited for the holder to let go
    finally:
        holder.wait(10)


def test_the_thread_holding_it_enters_again_and_another_thread_waits(tmp_path: Path) -> None:
    lock = str(tmp_path / "index.lock")
    got: list[str] = []

    def other() -> None:
        with locks.held(lock, timeout=10):
            got.append("other")

    with locks.held(lock, timeout=0):
        with locks.held(lock, timeout=0):  # re-entered, not waited for
            got.append("inner")
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.2)
        assert got == ["inner"]  # the other thread is still waiting
    thread.join(10)
    assert got == ["inner", "other"]


def test_it_is_the_lock_filelock_takes(tmp_path: Path) -> None:
    from filelock import FileLock, Timeout

    lock = str(tmp_path / "repo.lock")
    with locks.held(lock, timeout=0), pytest.raises(Timeout):
        FileLock(lock).acquire(timeout=0)
    with FileLock(lock), pytest.raises(locks.Timeout), locks.held(lock, timeout=0):
        pass


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_directory_not_ours_to_write_is_a_permission_error(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    closed.mkdir()
    closed.chmod(0o500)
    try:
        with pytest.raises(PermissionError), locks.held(str(closed / "x.lock"), timeout=0):
            pass
    finally:
        closed.chmod(0o700)
