"""Writing a file whole or not at all: the one way codewalk writes a file, whether it
keeps it (a cache entry's manifest, remembered progress, a trace) or the user named it
(``export -o``, ``draft -o`` through :mod:`codewalk.cli.output`, a recorded tour).

A symlink is followed, as a shell's ``>`` follows it: the file it points to is
replaced, and the link stays a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

_ATTEMPTS = 16  # fresh temporary names tried before giving up (each is 64 random bits)


def write_atomically(path: Path, data: bytes | str, *, replace: bool = True) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file beside it and
    one rename, so that no reader ever sees half a file.

    The temporary file is created exclusively under a name no one can predict: a link
    or a file planted beside ``path`` is never written through. ``path`` gets the mode
    (and, where the process may set it, the owner) a plain ``open(path, "w")`` would
    leave: an existing file's, else ``0o666`` less the umask. With ``replace=False`` a
    file at ``path``, even one made while this one was being written, is kept:
    FileExistsError. Raises OSError as ``open`` does (a missing directory, no space).

    A symlink at ``path`` is followed (:func:`followed`): its target is written, beside
    which the temporary file is made, and the link is left as it is."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = followed(path)
    try:
        existing: os.stat_result | None = path.stat()
    except FileNotFoundError:
        existing = None
    if existing is not None and not replace:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    temporary, descriptor = _create_beside(path, stat.S_IMODE(existing.st_mode) if existing else 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))  # the umask may have cut it
            if hasattr(os, "chown"):
                # root replacing a user's file leaves it theirs; anyone else may not give
                # a file away, and then it is the writer's, as after ``>``
                with contextlib.suppress(OSError):
                    os.chown(temporary, existing.st_uid, existing.st_gid)
        if replace:
            os.replace(temporary, path)
        else:
            _link_new(temporary, path, data)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def followed(path: Path) -> Path:
    """The file a write to ``path`` lands in: the target of a symlink (through every link
    on the way), else ``path`` itself."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _create_beside(path: Path, mode: int) -> tuple[Path, int]:
    """A new file beside ``path``, opened for writing: its path and descriptor."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_ATTEMPTS):
        temporary = path.with_name(f".{path.name}.{_token()}.tmp")
        try:
            return temporary, os.open(temporary, flags, mode)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name beside it", str(path))


def _token() -> str:
    return os.urandom(8).hex()


def _link_new(temporary: Path, path: Path, data: bytes) -> None:
    """``temporary`` made ``path`` if there is no ``path`` yet (a hard link fails rather
    than replace one); where the file system has no hard links, ``path`` is created
    exclusively and written."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:
        with open(path, "xb") as handle:
            handle.write(data)
