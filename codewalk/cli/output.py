"""Writing where the user said (``export -o FILE``), as a shell redirection would, but
never leaving half a file behind.

- ``-``: standard output.
- A regular file, or a new path: a temporary file in the same directory, then one
  rename, so a reader never sees half a file (missing directories are made).
- A symlink: followed, as ``>`` follows it: the file it points to is replaced, the link
  stays a link.
- A FIFO, a device (``/dev/null``, a terminal) or a socket: written through, as ``>``
  writes to it; codewalk never replaces what it does not own with a regular file.
- A directory: refused.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from pathlib import Path


def write_output(name: str, text: str) -> str:
    """Write ``text`` where ``name`` says; returns what was written to, in words.
    Raises OSError (with ``strerror``) when it cannot be."""
    if name == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return "standard output"
    path = Path(name)
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        info = real.stat()
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_through(real, text)
        return f"{name} (written through: it is not a regular file)"
    write_atomically(real, text, make_parents=real is path)
    return name if real is path else f"{name} (the file it links to, {real})"


def _write_through(path: Path, text: str) -> None:
    """Write to an existing FIFO, device or socket the way ``>`` does."""
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def write_atomically(path: Path, text: str, *, make_parents: bool = True) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and
    one rename, so a reader never sees half a file. Missing parent directories are
    made (unless ``make_parents`` is false); the file gets the mode (and, where the
    process may set it, the owner) a plain ``open(path, "w")`` would leave: an
    existing file's, else ``0o666`` less the umask (not ``mkstemp``'s ``0o600``)."""
    directory = path.parent if str(path.parent) else Path(".")
    if make_parents:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # the parent is a file: say so, not "File exists"
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(directory)) from None
    try:
        existing: os.stat_result | None = path.stat()
    except OSError:
        existing = None
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask()
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        if existing is not None and hasattr(os, "chown"):
            # root replacing a user's file leaves it theirs; anyone else may not give
            # a file away, and then it is the writer's, as after ``>``
            with contextlib.suppress(OSError):
                os.chown(temporary, existing.st_uid, existing.st_gid)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (reading it means setting it; it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
