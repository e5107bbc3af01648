"""Answers kept for replay: the exact output of a command that read only the index,
keyed by its command line, each in a file of its own beside the index (``answers/``), so
that printing one back needs neither SQLite nor the resolver.

A kept answer holds the state of the index it was computed from, as the index's files
show it (inode, size and modification time of the database and of its write-ahead log):
every change to the index writes one of them, so a changed index is another state and
the answer a miss. An empty log is no log: a reader makes one and leaves it, and it
holds nothing (a checkpoint that empties it writes the database). Not the change time
either: SQLite, run by root, gives the log its owner again each time it opens it.

File times are only as fine as the kernel's clock tick (a second or two on some file
systems), so an answer is kept only if neither file was written within ``SETTLE_NS`` (or
two seconds, where times have no fraction) before the command last saw that no one had
indexed anything: a write after that moment cannot carry the times of the state kept.
What lies outside the index (the code of codewalk, the pins file, the cache entries and
the files the answer printed from) is the caller's ``stamp`` and ``files``.

Nothing but ``os`` and ``binascii`` at import: the quick path (:mod:`codewalk.cli.quick`)
imports this module; ``sqlite3`` only for the full path's :func:`mark`.
"""

from __future__ import annotations

import binascii
import os

from codewalk.locations import read_regular

TYPE_CHECKING = False  # no typing on the quick path
if TYPE_CHECKING:
    import sqlite3

_MAGIC = b"codewalk answer 1\n"
_LIMIT = 16 << 20  # an answer file larger than this is not one codewalk wrote
_MOST = 2000  # answers kept at most; beyond, the directory is emptied and starts again
SETTLE_NS = 50_000_000  # an index written this recently (ns) keeps no answer
_COARSE_SETTLE_NS = 2_000_000_000  # ... where file times have whole seconds only
_STATE = "state"  # the index's state when the kept answers were kept

# Kept: (state, stamp, output, files), as bytes; the caller compares state, stamp and
# files (NULs separate the fields within stamp and files).
Kept = tuple[bytes, bytes, bytes, bytes]
# Mark: the state of the database as one connection saw it, (data_version, changes):
# changed by another connection or by this one since, it is not the state an answer
# was computed from.
Mark = tuple[int, int]


def mark(connection: sqlite3.Connection) -> Mark:
    return connection.execute("PRAGMA data_version").fetchone()[0], connection.total_changes


def state(index: str) -> bytes:
    """The state of the index at ``index`` as its files show it."""
    return _state(index)[0]


def settled_state(index: str, checked_ns: int) -> bytes | None:
    """The index's state, if its files were last written well before ``checked_ns``
    (the time the command saw the index unchanged since it began), by the files' own
    precision; else None. One look at the files for both: a write between two looks
    would pair the new state with the old answer."""
    found, times = _state(index)
    return found if settled_times(times, checked_ns) else None


def settled(index: str, checked_ns: int) -> bool:
    """Whether the index's files were last written well before ``checked_ns``."""
    return settled_state(index, checked_ns) is not None


def _state(index: str) -> tuple[bytes, list[int]]:
    """The state (inode, size, modification time of the database and of its log; an
    empty log is none) and the modification times that count."""
    parts: list[bytes] = []
    times: list[int] = []
    for path in (index, index + "-wal"):
        try:
            st = os.stat(path)
        except OSError:
            parts.append(b"-")
            continue
        if path != index and not st.st_size:
            parts.append(b"-")
            continue
        parts.append(b"%d.%d.%d" % (st.st_ino, st.st_size, st.st_mtime_ns))
        times.append(st.st_mtime_ns)
    return b"\0".join(parts), times


def settled_times(times: list[int], checked_ns: int) -> bool:
    """Whether file times ``times`` are all well before ``checked_ns``: by ``SETTLE_NS``,
    or by two seconds where none has a fraction of a second (a coarse file system)."""
    if not times:
        return True
    coarse = all(ns % 1_000_000_000 == 0 for ns in times)
    return max(times) < checked_ns - (_COARSE_SETTLE_NS if coarse else SETTLE_NS)


def lookup(directory: str, key: str) -> Kept | None:
    """The answer kept under ``key``, if there is one and its file is whole."""
    raw = key.encode("utf-8", "surrogateescape")
    data = read_regular(os.path.join(directory, _name(raw)), _LIMIT + 1)
    return _parse(data, raw) if data is not None else None


def keep(directory: str, key: str, kept: Kept) -> bool:
    """Keep ``kept`` under ``key`` (whole or not at all); whether it was kept. The kept
    answers of an earlier state of the index are removed first: none can hold again."""
    raw = key.encode("utf-8", "surrogateescape")
    fields = (raw, *kept)
    data = b"".join((_MAGIC, b" ".join(b"%d" % len(field) for field in fields), b"\n", *fields))
    if len(data) > _LIMIT:
        return False
    name = _name(raw)
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
    try:
        os.makedirs(directory, exist_ok=True)
        _forget_other_states(directory, kept[0])
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, os.path.join(directory, name))
    except OSError:
        _unlink(temporary)
        return False
    return True


def forget(directory: str, key: str | None = None) -> None:
    """Remove the answer kept under ``key``, or every kept answer (a file another
    codewalk is writing then fails to land)."""
    if key is not None:
        _unlink(os.path.join(directory, _name(key.encode("utf-8", "surrogateescape"))))
        return
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        _unlink(os.path.join(directory, name))


def _unlink(path: str) -> None:
    """Remove ``path`` if it can be (contextlib.suppress would cost the quick path its
    import)."""
    try:
        os.unlink(path)
    except OSError:
        return


def _forget_other_states(directory: str, index_state: bytes) -> None:
    marker = os.path.join(directory, _STATE)
    same = read_regular(marker, len(index_state) + 1) == index_state
    if same and len(os.listdir(directory)) <= _MOST:
        return
    forget(directory)
    with open(marker + f".{os.getpid()}.tmp", "wb") as handle:
        handle.write(index_state)
    os.replace(marker + f".{os.getpid()}.tmp", marker)


def _name(raw: bytes) -> str:
    """The file of a key: its CRC and length (two keys that share one overwrite each
    other; the key itself, kept in the file, is compared on lookup)."""
    return f"{binascii.crc32(raw):08x}-{len(raw):x}"


def _parse(data: bytes, raw: bytes) -> Kept | None:
    if not data.startswith(_MAGIC) or len(data) > _LIMIT:
        return None
    header, newline, body = data[len(_MAGIC) :].partition(b"\n")
    try:
        sizes = [int(part) for part in header.split(b" ")]
    except ValueError:
        return None
    if not newline or len(sizes) != 5 or min(sizes) < 0 or sum(sizes) != len(body):
        return None
    fields, start = [], 0
    for size in sizes:
        fields.append(body[start : start + size])
        start += size
    if fields[0] != raw:
        return None
    return fields[1], fields[2], fields[3], fields[4]
