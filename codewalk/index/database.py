"""The index database file: its schema, and opening it safely.

One SQLite file in the cache (``SCHEMA_VERSION`` below). A file that is not SQLite, has
another layout or was built by another version is replaced, with a notice on stderr;
creating or replacing happens under a file lock and in one transaction, so two
codewalk processes never see (or delete) each other's half-made database.

A database damaged inside (bad pages: SQLite says "malformed" only when a query reaches
them) is moved aside whole, and a new one started (:func:`quarantine`, called by the
workspace when a query meets the damage). A database this process may not write (a
shared cache, another user's) is read into memory and answered from there: queries see
what it holds, and what this run indexes is not kept (:func:`read_only_copy`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

from codewalk.errors import DISK_FULL_HINT, CacheError, cache_refused, system_words
from codewalk.index.versions import INDEX_VERSION
from codewalk.visible import visible

# the definitions with a body of their own: not those defined in a function (``f.<locals>.g``),
# whose lines are their host's (its closure names what they read); a query's terms must be
# these, word for word, for SQLite to read the spans from the partial index ``defs_functions``
FUNCTIONS = "kind IN ('function', 'method', 'property') AND qualname NOT LIKE '%<locals>%'"

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE blobs (
    id INTEGER PRIMARY KEY, sha TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '', generated_from TEXT NOT NULL DEFAULT '', all_names TEXT,
    lazy INTEGER NOT NULL DEFAULT 0, lines INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY, repo TEXT NOT NULL, root TEXT NOT NULL, commit_id TEXT NOT NULL,
    complete INTEGER NOT NULL DEFAULT 0, UNIQUE (repo, root, commit_id)
);
CREATE TABLE files (
    snap INTEGER NOT NULL, path TEXT NOT NULL, module TEXT NOT NULL, is_package INTEGER NOT NULL,
    blob INTEGER, PRIMARY KEY (snap, path)
);
CREATE INDEX files_module ON files (snap, module);
CREATE INDEX files_blob ON files (blob, snap);
CREATE TABLE defs (
    blob INTEGER NOT NULL, qualname TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    parent TEXT NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL, start_line INTEGER NOT NULL,
    end_line INTEGER NOT NULL, signature TEXT NOT NULL, doc TEXT NOT NULL, bases TEXT NOT NULL,
    target TEXT NOT NULL, decorators TEXT NOT NULL, flags INTEGER NOT NULL, copied_from TEXT NOT NULL
);
CREATE INDEX defs_name ON defs (name);
CREATE INDEX defs_parent ON defs (parent, name);
CREATE INDEX defs_blob ON defs (blob, qualname);
CREATE INDEX defs_copied ON defs (copied_from) WHERE copied_from != '';
CREATE INDEX defs_functions ON defs (blob, start_line, end_line) WHERE {FUNCTIONS};
CREATE TABLE basenames (
    name TEXT NOT NULL, blob INTEGER NOT NULL, qualname TEXT NOT NULL, PRIMARY KEY (name, blob, qualname)
) WITHOUT ROWID;
CREATE TABLE imports (
    blob INTEGER NOT NULL, level INTEGER NOT NULL, module TEXT NOT NULL, name TEXT NOT NULL,
    asname TEXT NOT NULL, line INTEGER NOT NULL, flags INTEGER NOT NULL
);
CREATE INDEX imports_blob ON imports (blob, asname);
CREATE TABLE entries (
    blob INTEGER NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    value_name TEXT NOT NULL, value_is_str INTEGER NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL
);
CREATE INDEX entries_value ON entries (value_name);
CREATE INDEX entries_blob ON entries (blob, tbl);
CREATE TABLE refnames (name TEXT NOT NULL, blob INTEGER NOT NULL, PRIMARY KEY (name, blob)) WITHOUT ROWID;
CREATE TABLE counts (
    snap INTEGER NOT NULL, name TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (snap, name)
) WITHOUT ROWID;
CREATE TABLE refdata (blob INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE scans (
    snap INTEGER NOT NULL, kind TEXT NOT NULL, needle TEXT NOT NULL, PRIMARY KEY (snap, kind, needle)
) WITHOUT ROWID;
"""


def open_database(path: Path) -> sqlite3.Connection:
    """Open (creating or rebuilding as needed) the database at ``path``; a copy in
    memory when it may not be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CacheError(
            f"cannot create the cache directory {path.parent}: {system_words(exc)}",
            hint="set CODEWALK_HOME to a writable directory",
        ) from None
    if not writable(path):
        return read_only_copy(path)
    problem, ready = _inspect(path)
    if problem or not ready:
        # Create, rebuild or wait for it under a lock: another codewalk may be creating
        # the same database right now (switching it to WAL needs it alone), and must not
        # see (or delete) it half made.
        with _creation_lock(path):
            _replace_if_unusable(path)
            return _connect(path)
    return _connect(path)


def memory_database() -> sqlite3.Connection:
    """A fresh database in memory (tests)."""
    connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    create(connection)
    return connection


def _has_meta(connection: sqlite3.Connection) -> bool:
    row = connection.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
    return row is not None


def create(connection: sqlite3.Connection) -> None:
    """The schema and its version, in one transaction: never seen half made."""
    connection.execute("BEGIN IMMEDIATE")
    if _has_meta(connection):  # another codewalk made it while this one waited
        connection.execute("COMMIT")
        return
    try:
        statements = [s for s in _SCHEMA.split(";") if s.strip()]
        for statement in statements:
            connection.execute(statement)
        connection.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (INDEX_VERSION,))
    except sqlite3.Error:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _connect(path: Path) -> sqlite3.Connection:
    connection: sqlite3.Connection | None = None
    try:
        # shared across threads behind the workspace's lock (the UI calls from workers)
        connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        if not _has_meta(connection):
            create(connection)
    except sqlite3.Error as exc:
        if connection is not None:
            connection.close()
        if is_full(exc, path):
            raise disk_full(path, exc) from None
        raise CacheError(
            f"cannot open the index {path}: {exc}", hint="delete it, or set CODEWALK_HOME"
        ) from None
    return connection


_NEARLY_FULL = 1 << 20  # bytes: less than this left, an I/O error is the disk filling up


def is_full(error: sqlite3.Error, path: Path | None) -> bool:
    """Whether ``error`` is the disk holding the index at ``path`` running out of space:
    SQLite's "database or disk is full", or an I/O error (creating its shared-memory
    file, writing its log) where the file system has next to nothing left."""
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(error).lower()
    if primary == 13 or "database or disk is full" in text:  # SQLITE_FULL
        return True
    if path is None or not (primary == 10 or "disk i/o error" in text):  # SQLITE_IOERR
        return False
    try:
        info = os.statvfs(path.parent)
    except (OSError, AttributeError):  # no statvfs (Windows)
        return False
    return info.f_bavail * info.f_frsize < _NEARLY_FULL


def disk_full(path: Path, error: sqlite3.Error) -> CacheError:
    """The one message for an index on a full disk: nothing to delete, space to free."""
    return CacheError(
        f"the disk holding the index {path} is full ({error}); the index is left as it was",
        hint=DISK_FULL_HINT,
    )


@contextlib.contextmanager
def _creation_lock(path: Path) -> Iterator[None]:
    from codewalk import locks

    with contextlib.ExitStack() as holding:
        try:
            holding.enter_context(locks.held(f"{path}.lock", timeout=120))
        except locks.Timeout:
            raise CacheError(f"{path}: another codewalk has been creating the index for 2 minutes") from None
        except OSError as exc:  # the lock file cannot be made: a full disk, a read-only mount
            raise cache_refused(f"cannot open the index {path}", exc) from None
        yield


def _replace_if_unusable(path: Path) -> None:
    """Delete the database at ``path`` when it cannot be used as is (call under the
    creation lock, so that no other codewalk is making it at the same time)."""
    problem = _check(path)
    if not problem:
        return
    print(visible(f"codewalk: {problem}; rebuilding the index at {path}"), file=sys.stderr)
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CacheError(f"cannot replace the index {path}: {system_words(exc)}") from None


def writable(path: Path) -> bool:
    """Whether this process may change the database at ``path`` (and its directory,
    where SQLite keeps its journal and lock files)."""
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return False
    return not path.exists() or os.access(path, os.R_OK | os.W_OK)


def read_only_copy(path: Path) -> sqlite3.Connection:
    """The database at ``path``, which may not be written, copied into memory: queries
    answer from what it holds; what is indexed now is kept for this run only."""
    note = "set CODEWALK_HOME to a directory of your own to keep what this run indexes"
    if path.exists():
        for uri in (f"file:{path}?mode=ro", f"file:{path}?immutable=1"):
            memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            try:  # a WAL database in a read-only directory opens only as immutable
                disk = sqlite3.connect(uri, uri=True, timeout=30)
                try:
                    disk.backup(memory)
                finally:
                    disk.close()
                usable = _has_meta(memory) and _version(memory) == INDEX_VERSION
            except sqlite3.Error:
                memory.close()
                continue
            if usable:
                _say(f"the index {path} is read-only (another user's?); answering from what it holds: {note}")
                return memory
            memory.close()
            break
    memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    create(memory)
    _say(f"the index {path} cannot be used or replaced here; indexing in memory for this run: {note}")
    return memory


def _version(connection: sqlite3.Connection) -> str:
    row = connection.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return str(row[0]) if row else ""


_said: set[str] = set()


def _say(text: str) -> None:
    """One line on stderr, once per process."""
    if text not in _said:
        _said.add(text)
        print(visible(f"codewalk: {text}"), file=sys.stderr)


def is_damage(error: sqlite3.DatabaseError) -> bool:
    """Whether ``error`` says the database file is damaged (SQLITE_CORRUPT or NOTADB),
    not that it is busy, read-only or full."""
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
    if isinstance(code, int):
        return code & 0xFF in (11, 26)
    text = str(error).lower()
    return "malformed" in text or "not a database" in text


def quarantine(path: Path, reason: str, inode: int | None) -> None:
    """Move the damaged database at ``path`` aside (to ``<name>.damaged``) and start a
    new one there, saying so in one line. ``inode`` is the file the caller found
    damaged: when ``path`` is another file by now, another codewalk has replaced it."""
    with _creation_lock(path):
        try:
            current = path.stat().st_ino
        except FileNotFoundError:
            current = None
        if current is not None and current == inode:
            aside = path.with_name(path.name + ".damaged")
            try:
                os.replace(path, aside)
                for suffix in ("-wal", "-shm", "-journal"):  # they belong to the damaged file
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            except OSError as exc:
                raise CacheError(
                    f"the index {path} is damaged ({reason}) and cannot be moved aside: {system_words(exc)}",
                    hint=f"delete {path}, or set CODEWALK_HOME to another directory",
                ) from None
            _say(f"the index {path} was damaged ({reason}); moved it to {aside.name} and started a new one")
        _connect(path).close()


def _check(path: Path) -> str:
    """Why the database at ``path`` can't be used as is ("" if it can, or is absent)."""
    return _inspect(path)[0]


def _inspect(path: Path) -> tuple[str, bool]:
    """Why the database at ``path`` must be replaced ("" if not), and whether it is
    ready: made in full and readable now. One not ready (absent, being made by another
    codewalk, busy) is opened under the creation lock, never deleted."""
    if not path.exists():
        return "", False
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            if not _has_meta(connection):
                tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                return ("the index has an unknown layout" if tables else ""), False
            row = connection.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        # Busy or locked is another codewalk creating or writing it: not a reason to
        # delete it (connecting waits for the lock); only damage is.
        return (f"the index is unreadable ({exc})" if is_damage(exc) else ""), False
    if row is None or row[0] != INDEX_VERSION:
        found = row[0] if row else "none"
        return f"the index has version {found}, this codewalk uses {INDEX_VERSION}", False
    return "", True


class Transaction:
    """One write transaction: the index locked for writing from the start (IMMEDIATE),
    committed, or rolled back on an exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # locked past the timeout, read-only file
            raise CacheError(
                f"cannot write the index: {exc}",
                hint="another codewalk may be indexing; try again, or check CODEWALK_HOME is writable",
            ) from None

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self.db.execute("COMMIT")
        elif self.db.in_transaction:  # SQLite ends some failed ones itself (a full disk)
            with contextlib.suppress(sqlite3.Error):  # the error that ended it says more
                self.db.execute("ROLLBACK")
