"""Writing where the user said (``export -o FILE``), as a shell redirection would, but
never leaving half a file behind.

- ``-``: standard output.
- A regular file, or a new path: written whole or not at all
  (:func:`codewalk.files.write_atomically`; missing directories are made).
- A symlink: followed, as ``>`` follows it: the file it points to is replaced, the link
  stays a link.
- A FIFO, a device (``/dev/null``, a terminal) or a socket: written through, as ``>``
  writes to it; codewalk never replaces what it does not own with a regular file.
- A directory: refused.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

from codewalk.files import followed, write_atomically


def write_output(name: str, text: str, *, replace: bool = True) -> str:
    """Write ``text`` where ``name`` says; returns what was written to, in words.
    Raises OSError (with ``strerror``) when it cannot be; FileExistsError when a file
    is there and ``replace`` is false (even one made meanwhile)."""
    if name == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return "standard output"
    path = Path(name)
    real = followed(path)
    try:
        info = real.stat()
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_through(real, text)
        return f"{name} (written through: it is not a regular file)"
    if real is path:
        _make_parents(path)
    write_atomically(real, text.encode("utf-8"), replace=replace)
    return name if real is path else f"{name} (the file it links to, {real})"


def _write_through(path: Path, text: str) -> None:
    """Write to an existing FIFO, device or socket the way ``>`` does."""
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _make_parents(path: Path) -> None:
    """Make the missing directories above ``path``; a file among them is ENOTDIR."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # the parent is a file: say so, not "File exists"
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(directory)) from None
