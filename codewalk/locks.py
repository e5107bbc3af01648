"""Locks between codewalk processes: a file each, held with the system's advisory lock.

``fcntl.flock`` where there is one (POSIX): nothing to install or import, where the
filelock package's import is a noticeable part of a command that must start at once. It
is the lock filelock itself takes there, so a codewalk of either kind waits for the
other. Elsewhere (Windows), filelock's (a dependency there only). Held again by the
thread that holds it, a lock is re-entered (counted), never waited for; another thread
waits as another process does.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator

_POLL_S = 0.05
_held: dict[tuple[str, int], tuple[int, int]] = {}  # (path, thread) -> (descriptor, depth)


class Timeout(Exception):
    """The lock stayed held by another process for all the time given."""


@contextlib.contextmanager
def held(path: str, *, timeout: float) -> Iterator[None]:
    """Hold the lock of ``path`` (the file is made if absent), waiting up to ``timeout``
    seconds for another process to let go (0: try once). Raises Timeout, or OSError
    (PermissionError: a directory not this user's to write)."""
    try:
        import fcntl
    except ImportError:  # no flock here
        with _filelock(path, timeout):
            yield
        return
    key = (path, threading.get_ident())
    if key in _held:
        descriptor, depth = _held[key]
        _held[key] = (descriptor, depth + 1)
    else:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _acquire(fcntl, descriptor, timeout)
        except BaseException:
            os.close(descriptor)
            raise
        _held[key] = (descriptor, 1)
    try:
        yield
    finally:
        descriptor, depth = _held[key]
        if depth > 1:
            _held[key] = (descriptor, depth - 1)
        else:
            del _held[key]
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)


def _acquire(fcntl: object, descriptor: int, timeout: float) -> None:
    flock, exclusive, nonblocking = fcntl.flock, fcntl.LOCK_EX, fcntl.LOCK_NB  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while True:
        try:
            flock(descriptor, exclusive | nonblocking)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise Timeout("held by another process") from None
            time.sleep(_POLL_S)


@contextlib.contextmanager
def _filelock(path: str, timeout: float) -> Iterator[None]:
    import filelock

    try:
        with filelock.FileLock(path).acquire(timeout=timeout):
            yield
    except filelock.Timeout:
        raise Timeout(path) from None
