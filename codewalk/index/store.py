"""The index database: one SQLite file in the cache, facts keyed by git blob id.

Layout (``SCHEMA_VERSION`` below; any other version, or a file that is not SQLite, is
replaced with a notice on stderr):

- ``blobs``: one row per file *content* ever indexed (sha1 as git computes it), with its
  status (``ok`` / ``skipped`` + reason), its generated-from header and ``__all__``.
- ``defs``, ``imports``, ``entries``, ``refnames``/``refdata``: the facts of each blob.
  They never mention a path, so identical content (two pins, two copies) is parsed once.
- ``snapshots``: one row per checkout seen (repo, root, commit), ``complete`` once a full
  index has run; ``files``: path -> module and blob for each snapshot (blob is NULL until
  the file is indexed on demand).

This module does SQL only; reading files and parsing belong to ``indexer``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from codewalk.errors import CacheError
from codewalk.index.records import (
    FACTS_VERSION,
    LAZY,
    Definition,
    DictEntry,
    FileRow,
    Import,
    ModuleFacts,
    Skipped,
)

SCHEMA_VERSION = 2
INDEX_VERSION = f"{SCHEMA_VERSION}.{FACTS_VERSION}"  # the layout, and the extractor that filled it
_SEP = "\x1f"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE blobs (
    id INTEGER PRIMARY KEY, sha TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '', generated_from TEXT NOT NULL DEFAULT '', all_names TEXT,
    lazy INTEGER NOT NULL DEFAULT 0
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
CREATE INDEX defs_blob ON defs (blob, qualname);
CREATE INDEX defs_copied ON defs (copied_from) WHERE copied_from != '';
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
CREATE TABLE refnames (name TEXT NOT NULL, blob INTEGER NOT NULL, PRIMARY KEY (name, blob)) WITHOUT ROWID;
CREATE TABLE refdata (blob INTEGER PRIMARY KEY, data TEXT NOT NULL);
"""

_LAZY_MARKERS = ("_LazyModule", "define_import_structure")
_DEF_COLUMNS = (
    "qualname, name, kind, parent, line, col, start_line, end_line, signature, doc, bases, "
    "target, decorators, flags, copied_from"
)


class BlobInfo(NamedTuple):
    status: str  # "ok" | "skipped"
    reason: str
    generated_from: str
    all_names: tuple[str, ...] | None
    lazy: bool  # a ``_LazyModule`` package (lazy ``_import_structure`` / ``define_import_structure``)


class FactRows(NamedTuple):
    """A blob's facts flattened into rows, ready for ``executemany`` (picklable, so a
    worker process can build them)."""

    status: str
    reason: str
    generated_from: str
    all_names: str | None
    lazy: bool
    defs: Sequence[tuple[object, ...]]
    imports: Sequence[tuple[object, ...]]
    entries: Sequence[tuple[object, ...]]
    refs: dict[str, str]  # name -> "line:col line:col ..."


def fact_rows(facts: ModuleFacts | Skipped) -> FactRows:
    if isinstance(facts, Skipped):
        return FactRows("skipped", facts.reason, "", None, False, [], [], [], {})
    defs = [
        (
            d.qualname,
            d.name,
            d.kind,
            d.parent,
            d.line,
            d.col,
            d.start_line,
            d.end_line,
            d.signature,
            d.doc,
            _SEP.join(d.bases),
            d.target,
            _SEP.join(d.decorators),
            d.flags,
            d.copied_from,
        )
        for d in facts.definitions
    ]
    imports = [(i.level, i.module, i.name, i.asname, i.line, i.flags) for i in facts.imports]
    entries = [
        (e.table, e.key, e.value, e.value.rpartition(".")[2], int(e.value_is_str), e.line, e.col)
        for e in facts.entries
    ]
    refs: dict[str, list[str]] = {}
    for name, line, col in facts.refs:
        refs.setdefault(name, []).append(f"{line}:{col}")
    all_names = _SEP.join(facts.all_names) if facts.all_names is not None else None
    lazy = any(i.flags & LAZY or i.asname in _LAZY_MARKERS for i in facts.imports)
    return FactRows(
        "ok",
        "",
        facts.generated_from,
        all_names,
        lazy,
        defs,
        imports,
        entries,
        {name: " ".join(spots) for name, spots in refs.items()},
    )


class Store:
    """A connection to the index database."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self.db = connection
        self.path = path

    # -- opening ---------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating or rebuilding as needed) the database at ``path``."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(
                f"cannot create the cache directory {path.parent}: {exc.strerror}",
                hint="set CODEWALK_HOME to a writable directory",
            ) from None
        if _check(path) or not path.exists():
            # Create or rebuild under a lock: another codewalk may be creating the same
            # database right now, and must not see (or delete) it half made.
            with _creation_lock(path):
                _replace_if_unusable(path)
                connection = _connect(path)
        else:
            connection = _connect(path)
        return cls(connection, path)

    @classmethod
    def memory(cls) -> Store:
        connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        _create(connection)
        return cls(connection, None)

    def close(self) -> None:
        self.db.close()

    # -- snapshots and files ---------------------------------------------------------
    def snapshot(self, repo: str, root: str, commit: str) -> tuple[int, bool] | None:
        row = self.db.execute(
            "SELECT id, complete FROM snapshots WHERE repo=? AND root=? AND commit_id=?",
            (repo, root, commit),
        ).fetchone()
        return (int(row[0]), bool(row[1])) if row else None

    def create_snapshot(
        self, repo: str, root: str, commit: str, files: Iterable[tuple[str, str, bool]]
    ) -> int:
        with self.transaction():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO snapshots (repo, root, commit_id) VALUES (?, ?, ?)",
                (repo, root, commit),
            )
            found = self.snapshot(repo, root, commit)
            assert found is not None
            snap = found[0]
            if cursor.rowcount:
                self.db.executemany(
                    "INSERT OR IGNORE INTO files (snap, path, module, is_package) VALUES (?, ?, ?, ?)",
                    ((snap, p, m, int(pkg)) for p, m, pkg in files),
                )
        return snap

    def mark_complete(self, snap: int) -> None:
        self.db.execute("UPDATE snapshots SET complete=1 WHERE id=?", (snap,))

    def files(self, snap: int) -> list[FileRow]:
        rows = self.db.execute(
            "SELECT path, module, is_package, blob FROM files WHERE snap=? ORDER BY path", (snap,)
        )
        return [FileRow(p, m, bool(k), b) for p, m, k, b in rows]

    def file(self, snap: int, path: str) -> FileRow | None:
        row = self.db.execute(
            "SELECT path, module, is_package, blob FROM files WHERE snap=? AND path=?", (snap, path)
        ).fetchone()
        return FileRow(row[0], row[1], bool(row[2]), row[3]) if row else None

    def module_file(self, snap: int, module: str) -> FileRow | None:
        row = self.db.execute(
            "SELECT path, module, is_package, blob FROM files WHERE snap=? AND module=?",
            (snap, module),
        ).fetchone()
        return FileRow(row[0], row[1], bool(row[2]), row[3]) if row else None

    def modules_ending(self, snap: int, last: str) -> list[str]:
        """Modules whose dotted name ends with the part ``last`` (``logging`` ->
        ``transformers.utils.logging``), shallowest first."""
        rows = self.db.execute(
            "SELECT module FROM files WHERE snap=? AND (module=? OR module LIKE ? ESCAPE '\\')",
            (snap, last, "%." + last.replace("_", "\\_")),
        )
        return sorted((r[0] for r in rows), key=lambda m: (m.count("."), m))

    def set_blob(self, snap: int, path: str, blob: int) -> None:
        self.db.execute("UPDATE files SET blob=? WHERE snap=? AND path=?", (blob, snap, path))

    def set_blobs(self, snap: int, pairs: Sequence[tuple[str, int]]) -> None:
        self.db.executemany(
            "UPDATE files SET blob=? WHERE snap=? AND path=?", ((b, snap, p) for p, b in pairs)
        )

    # -- blobs -----------------------------------------------------------------------
    def blob_ids(self) -> dict[str, int]:
        return {sha: int(i) for i, sha in self.db.execute("SELECT id, sha FROM blobs")}

    def blob_id(self, sha: str) -> int | None:
        row = self.db.execute("SELECT id FROM blobs WHERE sha=?", (sha,)).fetchone()
        return int(row[0]) if row else None

    def add_blob(self, sha: str, rows: FactRows) -> int:
        """Store one blob's facts (in the caller's transaction, if any)."""
        existing = self.blob_id(sha)
        if existing is not None:
            return existing
        cursor = self.db.execute(
            "INSERT INTO blobs (sha, status, reason, generated_from, all_names, lazy) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (sha, rows.status, rows.reason, rows.generated_from, rows.all_names, int(rows.lazy)),
        )
        blob = cursor.lastrowid
        assert blob is not None
        self.db.executemany(
            f"INSERT INTO defs (blob, {_DEF_COLUMNS}) VALUES ({', '.join('?' * 16)})",
            ((blob, *row) for row in rows.defs),
        )
        self.db.executemany(
            "INSERT INTO imports (blob, level, module, name, asname, line, flags) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((blob, *row) for row in rows.imports),
        )
        self.db.executemany(
            "INSERT INTO entries (blob, tbl, key, value, value_name, value_is_str, line, col) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((blob, *row) for row in rows.entries),
        )
        if rows.refs:
            self.db.executemany(
                "INSERT INTO refnames (name, blob) VALUES (?, ?)", ((n, blob) for n in rows.refs)
            )
            self.db.execute(
                "INSERT INTO refdata (blob, data) VALUES (?, ?)",
                (blob, "\n".join(f"{n}\t{spots}" for n, spots in rows.refs.items())),
            )
        return blob

    def blob_info(self, blob: int) -> BlobInfo:
        row = self.db.execute(
            "SELECT status, reason, generated_from, all_names, lazy FROM blobs WHERE id=?", (blob,)
        ).fetchone()
        if row is None:
            return BlobInfo("missing", "not indexed", "", None, False)
        names = tuple(row[3].split(_SEP)) if row[3] else (() if row[3] == "" else None)
        return BlobInfo(row[0], row[1], row[2], names, bool(row[4]))

    def skipped(self, snap: int) -> list[tuple[str, str]]:
        rows = self.db.execute(
            "SELECT f.path, b.reason FROM files f JOIN blobs b ON b.id = f.blob "
            "WHERE f.snap=? AND b.status='skipped' ORDER BY f.path",
            (snap,),
        )
        return [(p, r) for p, r in rows]

    # -- facts -----------------------------------------------------------------------
    def defs_of(self, blob: int) -> list[Definition]:
        rows = self.db.execute(f"SELECT {_DEF_COLUMNS} FROM defs WHERE blob=? ORDER BY rowid", (blob,))
        return [_definition(row) for row in rows]

    def defs_where(self, blob: int, column: str, value: object) -> list[Definition]:
        """A blob's definitions with ``column`` (``qualname`` or ``line``) equal to ``value``."""
        assert column in ("qualname", "line")
        rows = self.db.execute(
            f"SELECT {_DEF_COLUMNS} FROM defs WHERE blob=? AND {column}=? ORDER BY rowid", (blob, value)
        )
        return [_definition(row) for row in rows]

    def imports_binding(self, blob: int, asname: str) -> list[Import]:
        rows = self.db.execute(
            "SELECT level, module, name, asname, line, flags FROM imports WHERE blob=? AND asname=? "
            "ORDER BY rowid",
            (blob, asname),
        )
        return [Import(*row) for row in rows]

    def last_line(self, blob: int) -> int:
        row = self.db.execute("SELECT max(end_line) FROM defs WHERE blob=?", (blob,)).fetchone()
        return int(row[0]) if row and row[0] is not None else 1

    def imports_of(self, blob: int) -> list[Import]:
        rows = self.db.execute(
            "SELECT level, module, name, asname, line, flags FROM imports WHERE blob=? ORDER BY rowid",
            (blob,),
        )
        return [Import(*row) for row in rows]

    def defs_named(self, snap: int, name: str) -> list[tuple[FileRow, Definition]]:
        return self._defs_where(snap, "d.name=?", (name,))

    def defs_copied_from(self, snap: int, target: str) -> list[tuple[FileRow, Definition]]:
        return self._defs_where(snap, "d.copied_from=? AND d.copied_from != ''", (target,))

    def _defs_where(
        self, snap: int, where: str, args: tuple[object, ...], limit: int = -1
    ) -> list[tuple[FileRow, Definition]]:
        columns = ", ".join(f"d.{c.strip()}" for c in _DEF_COLUMNS.split(","))
        rows = self.db.execute(
            f"SELECT f.path, f.module, f.is_package, f.blob, {columns} FROM defs d "
            f"CROSS JOIN files f ON f.blob = d.blob AND f.snap = ? WHERE {where} "
            "ORDER BY f.path, d.rowid LIMIT ?",
            (snap, *args, limit),
        )
        return [(FileRow(r[0], r[1], bool(r[2]), r[3]), _definition(r[4:])) for r in rows]

    def entries_valued(self, snap: int, name: str) -> list[tuple[FileRow, DictEntry]]:
        rows = self.db.execute(
            "SELECT f.path, f.module, f.is_package, f.blob, e.tbl, e.key, e.value, e.value_is_str, "
            "e.line, e.col FROM entries e CROSS JOIN files f ON f.blob = e.blob AND f.snap = ? "
            "WHERE e.value_name=? ORDER BY f.path, e.line",
            (snap, name),
        )
        return [
            (FileRow(r[0], r[1], bool(r[2]), r[3]), DictEntry(r[4], r[5], r[6], bool(r[7]), r[8], r[9]))
            for r in rows
        ]

    def references(self, snap: int, name: str) -> list[tuple[str, int, int]]:
        """(path, line, col) of every use of ``name`` in the indexed files of ``snap``."""
        rows = self.db.execute(
            "SELECT f.path, d.data FROM refnames r CROSS JOIN refdata d ON d.blob = r.blob "
            "CROSS JOIN files f ON f.blob = r.blob AND f.snap = ? WHERE r.name = ? ORDER BY f.path",
            (snap, name),
        )
        found: list[tuple[str, int, int]] = []
        prefix = f"{name}\t"
        for path, data in rows:
            for line in data.split("\n"):
                if line.startswith(prefix):
                    for spot in line[len(prefix) :].split():
                        row, _, col = spot.partition(":")
                        found.append((path, int(row), int(col)))
        return sorted(found)

    def names_like(self, snap: int, pattern: str, limit: int = 2000) -> list[str]:
        """Distinct definition names matching a SQL LIKE pattern (case-insensitive)."""
        rows = self.db.execute(
            "SELECT DISTINCT d.name FROM defs d CROSS JOIN files f ON f.blob = d.blob AND f.snap = ? "
            "WHERE d.name LIKE ? LIMIT ?",
            (snap, pattern, limit),
        )
        return [r[0] for r in rows]

    def defs_like(self, snap: int, pattern: str, limit: int) -> list[tuple[FileRow, Definition]]:
        """Definitions (module level and class members) whose name matches a LIKE pattern."""
        return self._defs_where(
            snap, "d.name LIKE ? AND d.kind NOT IN ('variable', 'attribute')", (pattern,), limit
        )

    def transaction(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
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

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def _definition(row: Sequence[Any]) -> Definition:
    (
        qualname,
        name,
        kind,
        parent,
        line,
        col,
        start,
        end,
        signature,
        doc,
        bases,
        target,
        decorators,
        flags,
        copied,
    ) = row
    return Definition(
        qualname=str(qualname),
        name=str(name),
        kind=str(kind),
        parent=str(parent),
        line=int(line),
        col=int(col),
        start_line=int(start),
        end_line=int(end),
        signature=str(signature),
        doc=str(doc),
        bases=tuple(str(bases).split(_SEP)) if bases else (),
        target=str(target),
        decorators=tuple(str(decorators).split(_SEP)) if decorators else (),
        flags=int(flags),
        copied_from=str(copied),
    )


def _has_meta(connection: sqlite3.Connection) -> bool:
    row = connection.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
    return row is not None


def _create(connection: sqlite3.Connection) -> None:
    """The schema and its version, in one transaction: never seen half made."""
    connection.execute("BEGIN IMMEDIATE")
    if _has_meta(connection):  # another codewalk made it while this one waited
        connection.execute("COMMIT")
        return
    try:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (INDEX_VERSION,))
    except sqlite3.Error:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _connect(path: Path) -> sqlite3.Connection:
    try:
        # shared across threads behind the workspace's lock (the UI calls from workers)
        connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        if not _has_meta(connection):
            _create(connection)
    except sqlite3.Error as exc:
        raise CacheError(
            f"cannot open the index {path}: {exc}", hint="delete it, or set CODEWALK_HOME"
        ) from None
    return connection


@contextlib.contextmanager
def _creation_lock(path: Path) -> Iterator[None]:
    from filelock import FileLock, Timeout

    lock = FileLock(f"{path}.lock")
    try:
        with lock.acquire(timeout=120):
            yield
    except Timeout:
        raise CacheError(f"{path}: another codewalk has been creating the index for 2 minutes") from None


def _replace_if_unusable(path: Path) -> None:
    """Delete the database at ``path`` when it cannot be used as is (call under the
    creation lock, so that no other codewalk is making it at the same time)."""
    problem = _check(path)
    if not problem:
        return
    print(f"codewalk: {problem}; rebuilding the index at {path}", file=sys.stderr)
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CacheError(f"cannot replace the index {path}: {exc.strerror}") from None


def _check(path: Path) -> str:
    """Why the database at ``path`` can't be used as is ("" if it can, or is absent)."""
    if not path.exists():
        return ""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            if not _has_meta(connection):
                tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                return "the index has an unknown layout" if tables else ""
            row = connection.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return f"the index is unreadable ({exc})"
    if row is None or row[0] != INDEX_VERSION:
        found = row[0] if row else "none"
        return f"the index has version {found}, this codewalk uses {INDEX_VERSION}"
    return ""


def iter_chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
