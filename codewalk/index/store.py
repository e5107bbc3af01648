"""Questions and answers over the index database, facts keyed by git blob id.

Layout (the schema is in :mod:`codewalk.index.database`, which opens the file):

- ``blobs``: one row per file *content* ever indexed (sha1 as git computes it), with its
  status (``ok`` / ``skipped`` + reason), its generated-from header and ``__all__``.
- ``defs``, ``imports``, ``entries``, ``refnames``/``refdata``: the facts of each blob;
  ``basenames``, the last dotted part of each base of its classes (what a walk down to the
  subclasses of a class asks by name).
  They never mention a path, so identical content (two pins, two copies) is parsed once.
- ``snapshots``: one row per checkout seen (repo, root, commit), ``complete`` once a full
  index has run; ``files``: path -> module and blob for each snapshot (blob is NULL until
  the file is indexed on demand).

This module does SQL only; reading files and parsing belong to ``indexer``.
"""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from codewalk.errors import CacheError
from codewalk.index.database import (
    FUNCTIONS,
    Transaction,
    memory_database,
    open_database,
    quarantine,
    writable,
)
from codewalk.index.records import Definition, DictEntry, FileRow, Import
from codewalk.index.rows import DEF_COLUMNS, FactRows, definition, fact_rows, file_row
from codewalk.index.versions import INDEX_VERSION, SCHEMA_VERSION, SEP

__all__ = ["INDEX_VERSION", "SCHEMA_VERSION", "BlobInfo", "FactRows", "Store", "fact_rows"]

# a file's row (files f), as rows.file_row reads it; then a definition's (defs d)
_FILE = "f.path, f.module, f.is_package, f.blob"
_DEF = ", ".join(f"d.{c.strip()}" for c in DEF_COLUMNS.split(","))
_FILE_DEF = f"{_FILE}, {_DEF}"
_PAIRS = 400  # pairs asked for in one query (two parameters each: SQLite allows 999)
_PARAMETERS = 500  # values asked for in one query, under SQLite's limit on bound parameters
_T = TypeVar("_T")


def _like_escaped(text: str) -> str:
    """``text`` matched literally by a ``LIKE ... ESCAPE '\\'`` pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(items: Sequence[_T]) -> Iterator[tuple[list[_T], str]]:
    """``items`` in slices one query can bind, each with its marks (``?, ?, ?``)."""
    for start in range(0, len(items), _PARAMETERS):
        chunk = list(items[start : start + _PARAMETERS])
        yield chunk, ", ".join("?" * len(chunk))


class BlobInfo(NamedTuple):
    status: str  # "ok" | "skipped"
    reason: str
    generated_from: str
    all_names: tuple[str, ...] | None
    lazy: bool  # a ``_LazyModule`` package (lazy ``_import_structure`` / ``define_import_structure``)


class Store:
    """A connection to the index database."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self.db = connection
        self.path = path
        self.read_only = False  # a copy in memory of a database this process may not write
        self._inode: int | None = None  # the file opened, to recognise it once replaced

    # -- opening ---------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path) -> "Store":
        """Open (creating or rebuilding as needed) the database at ``path``."""
        store = cls(open_database(path), path)
        store.read_only = not writable(path)
        if not store.read_only:
            store._inode = path.stat().st_ino
        return store

    def recover(self, reason: str) -> None:
        """After a query met damage in the file (bad pages): move it aside, start a new
        one and reconnect; the caller reopens its snapshots. One line says so. A copy
        of a read-only database cannot be replaced: that is one line of error."""
        if self.path is None or self._inode is None:
            where = f"the index {self.path}" if self.path is not None else "the index in memory"
            raise CacheError(
                f"{where} is damaged ({reason}) and cannot be replaced here",
                hint="ask the cache's owner to run any codewalk command, or set CODEWALK_HOME",
            )
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        quarantine(self.path, reason, self._inode)
        self.db = open_database(self.path)
        self._inode = self.path.stat().st_ino

    @classmethod
    def memory(cls) -> "Store":
        return cls(memory_database(), None)

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
        return [file_row(row) for row in rows]

    def file(self, snap: int, path: str) -> FileRow | None:
        row = self.db.execute(
            "SELECT path, module, is_package, blob FROM files WHERE snap=? AND path=?", (snap, path)
        ).fetchone()
        return file_row(row) if row else None

    def module_file(self, snap: int, module: str, *, stub: bool = False) -> FileRow | None:
        """The file of ``module``: its source (a ``.py``) if it has one, else its stub;
        with ``stub``, only its ``.pyi`` stub."""
        where = "snap=? AND module=?" + (" AND path LIKE '%.pyi'" if stub else "")
        # a package's __init__ before a module file of its name (tokenizers ships both
        # trainers.pyi and trainers/__init__.pyi): the one import and type checkers read
        row = self.db.execute(
            f"SELECT path, module, is_package, blob FROM files WHERE {where} "
            "ORDER BY path LIKE '%.pyi', is_package DESC, path LIMIT 1",
            (snap, module),
        ).fetchone()
        return file_row(row) if row else None

    def files_beside(self, snap: int, paths: Sequence[str]) -> list[FileRow]:
        """The rows of ``paths`` and of the other files of their modules (a stub beside
        its source), in few queries."""
        found: list[FileRow] = []
        for chunk, marks in _chunks(paths):
            rows = self.db.execute(
                "SELECT path, module, is_package, blob FROM files WHERE snap=? AND module IN "
                f"(SELECT module FROM files WHERE snap=? AND path IN ({marks}))",
                (snap, snap, *chunk),
            )
            found.extend(file_row(row) for row in rows)
        return found

    def modules_ending(self, snap: int, last: str) -> list[str]:
        """Modules whose dotted name ends with the part ``last`` (``logging`` ->
        ``transformers.utils.logging``), shallowest first."""
        rows = self.db.execute(
            "SELECT module FROM files WHERE snap=? AND (module=? OR module LIKE ? ESCAPE '\\')",
            (snap, last, "%." + last.replace("_", "\\_")),
        )
        return sorted({r[0] for r in rows}, key=lambda m: (m.count("."), m))

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
            "INSERT INTO blobs (sha, status, reason, generated_from, all_names, lazy, lines) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sha, rows.status, rows.reason, rows.generated_from, rows.all_names, int(rows.lazy), rows.lines),
        )
        blob = cursor.lastrowid
        assert blob is not None
        self.db.executemany(
            f"INSERT INTO defs (blob, {DEF_COLUMNS}) VALUES ({', '.join('?' * 16)})",
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
        self.db.executemany(
            "INSERT INTO basenames (name, blob, qualname) VALUES (?, ?, ?)",
            ((name, blob, qualname) for name, qualname in rows.basenames),
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
        return self.blob_infos([blob])[blob]

    def blob_infos(self, blobs: Sequence[int]) -> dict[int, BlobInfo]:
        """What the index says of each of ``blobs`` (one it lacks: "missing")."""
        found = {blob: BlobInfo("missing", "not indexed", "", None, False) for blob in blobs}
        wanted = list(found)
        for chunk, marks in _chunks(wanted):
            rows = self.db.execute(
                "SELECT id, status, reason, generated_from, all_names, lazy FROM blobs "
                f"WHERE id IN ({marks})",
                chunk,
            )
            for blob, status, reason, generated_from, all_names, lazy in rows:
                names = tuple(all_names.split(SEP)) if all_names else (() if all_names == "" else None)
                found[blob] = BlobInfo(status, reason, generated_from, names, bool(lazy))
        return found

    def skipped(self, snap: int) -> list[tuple[str, str]]:
        rows = self.db.execute(
            "SELECT f.path, b.reason FROM files f JOIN blobs b ON b.id = f.blob "
            "WHERE f.snap=? AND b.status='skipped' ORDER BY f.path",
            (snap,),
        )
        return [(p, r) for p, r in rows]

    # -- facts -----------------------------------------------------------------------
    def defs_of(self, blob: int) -> list[Definition]:
        return self._blob_defs(blob, "1")

    def functions_of(self, blob: int) -> list[Definition]:
        """A blob's functions, methods and properties (the bodies it holds; not those
        defined in a function, read in their host's)."""
        return self._blob_defs(blob, FUNCTIONS)

    def attributes_of(self, blob: int) -> list[Definition]:
        """A blob's instance attributes (``self.x = ...`` in its classes' methods)."""
        return self._blob_defs(blob, "kind='attribute'")

    def assigned_of(self, blob: int) -> list[Definition]:
        """A blob's module-level variables and aliases (the names its assignments bind)."""
        return self._blob_defs(blob, "parent='' AND kind IN ('variable', 'alias')")

    def _blob_defs(self, blob: int, where: str) -> list[Definition]:
        query = f"SELECT {DEF_COLUMNS} FROM defs WHERE blob=? AND {where} ORDER BY rowid"
        return [definition(row) for row in self.db.execute(query, (blob,))]

    def function_spans(self, blobs: Sequence[int]) -> dict[int, list[tuple[int, int, int]]]:
        """(row id, first line, last line) of each blob's functions, methods and
        properties, in the order ``functions_of`` reads them; every blob of ``blobs`` has
        its list (empty without any), read in few queries (``callers`` reads hundreds)."""
        found: dict[int, list[tuple[int, int, int]]] = {blob: [] for blob in blobs}
        wanted = list(found)
        for chunk, marks in _chunks(wanted):
            query = (
                f"SELECT blob, rowid, start_line, end_line FROM defs WHERE blob IN ({marks}) "
                f"AND {FUNCTIONS} ORDER BY rowid"
            )
            for blob, r, first, last in self.db.execute(query, chunk):
                found[blob].append((int(r), int(first), int(last)))
        return found

    def defs_by_row(self, rows: Sequence[int]) -> dict[int, Definition]:
        """The definitions of ``rows`` (row ids from :meth:`function_spans`)."""
        found: dict[int, Definition] = {}
        for chunk, marks in _chunks(rows):
            query = f"SELECT rowid, {DEF_COLUMNS} FROM defs WHERE rowid IN ({marks})"
            found.update((int(r[0]), definition(r[1:])) for r in self.db.execute(query, chunk))
        return found

    def defs_where(self, blob: int, column: str, value: object) -> list[Definition]:
        """A blob's definitions with ``column`` (``qualname``, ``line`` or ``target``)
        equal to ``value``."""
        assert column in ("qualname", "line", "target")
        rows = self.db.execute(
            f"SELECT {DEF_COLUMNS} FROM defs WHERE blob=? AND {column}=? ORDER BY rowid", (blob, value)
        )
        return [definition(row) for row in rows]

    def qualnames_of(self, blob: int) -> frozenset[str]:
        """The qualnames a blob defines (read from the index alone, not the table)."""
        rows = self.db.execute("SELECT DISTINCT qualname FROM defs WHERE blob=?", (blob,))
        return frozenset(chain.from_iterable(rows))  # each row a 1-tuple: no Python step a row

    def defs_at(self, pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], list[Definition]]:
        """The definitions of each (blob, qualname) of ``pairs``, as :meth:`defs_where`
        reads one, in few queries; every pair has its list, empty without any."""
        found: dict[tuple[int, str], list[Definition]] = {pair: [] for pair in pairs}
        select = (
            f"SELECT d.rowid, d.blob, {_DEF} FROM w "
            "CROSS JOIN defs d ON d.blob = w.blob AND d.qualname = w.name"
        )
        for row in self._joined(list(found), select):
            d = definition(row[2:])
            found[(row[1], d.qualname)].append(d)
        return found

    def imports_at(self, pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], list[Import]]:
        """The imports binding each (blob, asname) of ``pairs``, as :meth:`imports_binding`
        reads one, in few queries; every pair has its list, empty without any."""
        found: dict[tuple[int, str], list[Import]] = {pair: [] for pair in pairs}
        select = (
            "SELECT i.rowid, i.blob, i.level, i.module, i.name, i.asname, i.line, i.flags FROM w "
            "CROSS JOIN imports i ON i.blob = w.blob AND i.asname = w.name"
        )
        for _, blob, *fields in self._joined(list(found), select):
            found[(blob, fields[3])].append(Import(*fields))
        return found

    def _joined(self, pairs: list[tuple[int, str]], select: str) -> list[tuple[Any, ...]]:
        """The rows of ``select`` over the table ``w(blob, name)`` of ``pairs``, a chunk of
        them at a time, in row order (``select`` reads the row id first): not by ORDER BY,
        for which SQLite would index the whole table."""
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(pairs), _PAIRS):
            chunk = pairs[start : start + _PAIRS]
            values = ", ".join("(?, ?)" for _ in chunk)
            rows += self.db.execute(
                f"WITH w(blob, name) AS (VALUES {values}) {select}", [p for pair in chunk for p in pair]
            )
        return sorted(rows)

    def imports_binding(self, blob: int, asname: str) -> list[Import]:
        rows = self.db.execute(
            "SELECT level, module, name, asname, line, flags FROM imports WHERE blob=? AND asname=? "
            "ORDER BY rowid",
            (blob, asname),
        )
        return [Import(*row) for row in rows]

    def last_line(self, blob: int) -> int:
        """The last line of the file: its line count (else its last definition's end)."""
        row = self.db.execute(
            "SELECT max(b.lines, coalesce((SELECT max(end_line) FROM defs WHERE blob=b.id), 1)) "
            "FROM blobs b WHERE b.id=?",
            (blob,),
        ).fetchone()
        return int(row[0]) if row and row[0] is not None else 1

    def imports_named(self, snap: int, asname: str) -> list[tuple[FileRow, Import]]:
        """Every import binding ``asname`` in the indexed files of ``snap``."""
        rows = self.db.execute(
            f"SELECT {_FILE}, i.level, i.module, i.name, i.asname, i.line, i.flags "
            "FROM files f CROSS JOIN imports i ON i.blob = f.blob AND i.asname = ? "
            "WHERE f.snap = ? AND f.blob IS NOT NULL ORDER BY f.path, i.rowid",
            (asname, snap),
        )
        return [(file_row(r), Import(*r[4:])) for r in rows]

    def imports_of(self, blob: int) -> list[Import]:
        rows = self.db.execute(
            "SELECT level, module, name, asname, line, flags FROM imports WHERE blob=? ORDER BY rowid",
            (blob,),
        )
        return [Import(*row) for row in rows]

    def defs_named(self, snap: int, name: str) -> list[tuple[FileRow, Definition]]:
        return self._defs_where(snap, "d.name=?", (name,))

    def defs_in(
        self, snap: int, names: Sequence[str], per_name: int, holding: str = ""
    ) -> list[tuple[FileRow, Definition]]:
        """Definitions named any of ``names``, at most ``per_name`` of each (in no
        particular order: a name such as ``forward`` has thousands); with ``holding``,
        only those whose qualified name holds it (case-insensitive), chosen before the
        cap: ``AssistedCandidateGenerator`` among the thousands of ``__init__``."""
        found: list[tuple[FileRow, Definition]] = []
        for name in names:
            rows = self.db.execute(
                f"SELECT {_FILE_DEF} FROM defs d "
                "CROSS JOIN files f ON f.blob = d.blob AND f.snap = ? WHERE d.name = ? "
                "AND (f.module || '.' || d.qualname) LIKE ? ESCAPE '\\' LIMIT ?",
                (snap, name, f"%{_like_escaped(holding)}%", per_name),
            )
            found.extend((file_row(r), definition(r[4:])) for r in rows)
        return found

    def defs_copied_from(self, snap: int, target: str) -> list[tuple[FileRow, Definition]]:
        return self._defs_where(snap, "d.copied_from=? AND d.copied_from != ''", (target,))

    def copy_counts(self, snap: int, name: str) -> dict[str, int]:
        """For each ``# Copied from`` target ending in ``.name``: how many definitions of
        the indexed files of ``snap`` name it."""
        rows = self.db.execute(
            "SELECT d.copied_from, count(*) FROM defs d CROSS JOIN files f ON f.blob = d.blob AND f.snap = ? "
            "WHERE d.copied_from != '' AND d.copied_from LIKE ? ESCAPE '\\' GROUP BY d.copied_from",
            (snap, f"%.{_like_escaped(name)}"),
        )
        return {original: int(count) for original, count in rows}

    def _defs_where(self, snap: int, where: str, args: tuple[str, ...]) -> list[tuple[FileRow, Definition]]:
        rows = self.db.execute(
            f"SELECT {_FILE_DEF} FROM defs d "
            f"CROSS JOIN files f ON f.blob = d.blob AND f.snap = ? WHERE {where} ORDER BY f.path, d.rowid",
            (snap, *args),
        )
        return [(file_row(r), definition(r[4:])) for r in rows]

    def entries_valued(self, snap: int, name: str) -> list[tuple[FileRow, DictEntry]]:
        rows = self.db.execute(
            f"SELECT {_FILE}, e.tbl, e.key, e.value, e.value_is_str, e.line, e.col "
            "FROM entries e CROSS JOIN files f ON f.blob = e.blob AND f.snap = ? "
            "WHERE e.value_name=? ORDER BY f.path, e.line",
            (snap, name),
        )
        return [(file_row(r), DictEntry(r[4], r[5], r[6], bool(r[7]), r[8], r[9])) for r in rows]

    def table_entries(self, blob: int, table: str) -> list[DictEntry]:
        """The entries of the dict literal assigned to ``table`` in a blob; for a class's
        qualname, those of the dicts assigned in its body (``Cls._global_mapping``)."""
        rows = self.db.execute(
            "SELECT tbl, key, value, value_is_str, line, col FROM entries WHERE blob=? "
            "AND (tbl=? OR (substr(tbl, 1, ?)=? AND instr(substr(tbl, ?), '.')=0)) ORDER BY line, col",
            (blob, table, len(table) + 1, table + ".", len(table) + 2),
        )
        return [DictEntry(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) for r in rows]

    def indexed_count(self, snap: int) -> int:
        """How many of ``snap``'s files are indexed (a number that only grows)."""
        rows = self.db.execute("SELECT count(*) FROM files WHERE snap=? AND blob IS NOT NULL", (snap,))
        return int(rows.fetchone()[0])

    def classes_naming(self, snap: int, names: Sequence[str]) -> list[tuple[FileRow, Definition]]:
        """The classes of ``snap``'s indexed files one of whose bases, as written, ends with
        one of ``names`` (``GenerationMixin``, ``generation.GenerationMixin``), each once, in
        path and line order: found by the last part of each base the index keeps (a blob
        two files share gives the class of each)."""
        found: dict[tuple[str, int], tuple[FileRow, Definition]] = {}
        wanted = set(names)
        for chunk, marks in _chunks(names):
            rows = self.db.execute(
                f"SELECT d.rowid, {_FILE_DEF} FROM basenames b "
                "CROSS JOIN files f ON f.blob = b.blob AND f.snap = ? "
                "CROSS JOIN defs d ON d.blob = b.blob AND d.qualname = b.qualname "
                f"WHERE b.name IN ({marks}) AND d.kind = 'class'",
                (snap, *chunk),
            )
            for r in rows:
                d = definition(r[5:])  # of two classes of one name, the one that names the base
                if any(base.rpartition(".")[2] in wanted for base in d.bases):
                    row = file_row(r[1:])
                    found[(row.path, int(r[0]))] = (row, d)
        order = sorted(found, key=lambda k: (k[0], found[k][1].line, k[1]))
        return [found[k] for k in order]

    def classes_decorated(self, snap: int, name: str) -> list[tuple[FileRow, Definition]]:
        """The classes of ``snap`` with a decorator whose last dotted part is ``name``
        (``@strict``, ``@strict(...)``, ``@dataclasses.dataclass``), in path and line order."""
        rows = self.db.execute(
            f"SELECT {_FILE_DEF} FROM refnames r CROSS JOIN defs d ON d.blob = r.blob "
            "CROSS JOIN files f ON f.blob = r.blob AND f.snap = ? "
            "WHERE r.name = ? AND d.kind = 'class' AND d.decorators != '' ORDER BY f.path, d.rowid",
            (snap, name),
        )
        found = ((file_row(r), definition(r[4:])) for r in rows)
        return [(row, d) for row, d in found if any(x.rpartition(".")[2] == name for x in d.decorators)]

    def references(self, snap: int, name: str) -> list[tuple[str, int, int]]:
        """(path, line, col) of every use of ``name`` in the indexed files of ``snap``."""
        return self.references_of(snap, [name]).get(name, [])

    def references_of(self, snap: int, names: Sequence[str]) -> dict[str, list[tuple[str, int, int]]]:
        """:meth:`references` of each of ``names`` that is used, in few queries."""
        found: dict[str, list[tuple[str, int, int]]] = {}
        for chunk, marks in _chunks(names):
            rows = self.db.execute(
                "SELECT r.name, f.path, d.data FROM refnames r CROSS JOIN refdata d ON d.blob = r.blob "
                f"CROSS JOIN files f ON f.blob = r.blob AND f.snap = ? WHERE r.name IN ({marks})",
                (snap, *chunk),
            )
            for name, path, data in rows:
                spots = found.setdefault(name, [])
                for spot in _spots(data, name):
                    row, _, col = spot.partition(":")
                    spots.append((path, int(row), int(col)))
        return {name: sorted(spots) for name, spots in found.items()}

    def names_like(
        self, snaps: Sequence[int], patterns: Sequence[str], limit: int = 2000
    ) -> dict[int, list[str]]:
        """Per snapshot of ``snaps``, the distinct definition names matching any of the SQL
        LIKE ``patterns`` (case-insensitive), at most ``limit`` a pattern and snapshot: one
        pass over the names for all of them (a pass each took as long: the LIKE is the cost)."""
        if not patterns or not snaps:
            return {}
        like = " OR ".join(["d.name LIKE ?"] * len(patterns))
        marks = ",".join("?" * len(snaps))
        rows = self.db.execute(
            f"SELECT DISTINCT f.snap, d.name FROM defs d CROSS JOIN files f ON f.blob = d.blob "
            f"AND f.snap IN ({marks}) WHERE {like} LIMIT ?",
            (*snaps, *patterns, limit * len(patterns) * len(snaps)),
        )
        found: dict[int, list[str]] = {}
        for snap, name in rows:
            found.setdefault(snap, []).append(name)
        return found

    def reference_counts(self, snap: int, names: Sequence[str]) -> dict[str, int]:
        """For each of ``names``: how many indexed files of ``snap`` use it."""
        found: dict[str, int] = {}
        for chunk, marks in _chunks(names):
            rows = self.db.execute(
                "SELECT r.name, count(*) FROM refnames r CROSS JOIN files f "
                "ON f.blob = r.blob AND f.snap = ? "
                f"WHERE r.name IN ({marks}) GROUP BY r.name",
                (snap, *chunk),
            )
            found.update((name, int(count)) for name, count in rows)
        return found

    def def_names(self, snap: int, kinds: Sequence[str], module_kinds: Sequence[str] = ()) -> list[str]:
        """The distinct names of the definitions of ``kinds`` in ``snap``'s indexed files,
        and of ``module_kinds`` at module level only (a module's variables, not a class's).

        ``snap``'s files first, then each one's definitions: read from the definitions
        first, the query went through those of every snapshot in the index: each
        repository's names cost as much as all of theirs."""
        rows = self.db.execute(
            "SELECT DISTINCT d.name FROM files f CROSS JOIN defs d ON d.blob = f.blob "
            f"WHERE f.snap = ? AND (d.kind IN ({', '.join('?' * len(kinds))}) "
            f"OR (d.kind IN ({', '.join('?' * len(module_kinds))}) AND d.parent = ''))",
            (snap, *kinds, *module_kinds),
        )
        return [r[0] for r in rows]

    # -- what the byte scans of a snapshot found (a snapshot's files never change) ------
    def scanned(self, snap: int, kind: str, needles: Sequence[str]) -> set[str]:
        """Those of ``needles`` whose scan as ``kind`` has run over ``snap``'s files (and
        indexed every file that may hold them): no later process need scan again."""
        found: set[str] = set()
        for chunk, marks in _chunks(needles):
            rows = self.db.execute(
                f"SELECT needle FROM scans WHERE snap=? AND kind=? AND needle IN ({marks})",
                (snap, kind, *chunk),
            )
            found.update(str(needle) for (needle,) in rows)
        return found

    def record_scan(self, snap: int, kind: str, needle: str) -> None:
        """Remember that the scan ran (a read-only index keeps nothing: the next process
        scans again)."""
        with contextlib.suppress(sqlite3.OperationalError):
            self.db.execute(
                "INSERT OR IGNORE INTO scans (snap, kind, needle) VALUES (?, ?, ?)", (snap, kind, needle)
            )

    def scanned_counts(self, snap: int, names: Sequence[str]) -> dict[str, int]:
        """The use counts kept for ``names`` (those not kept are absent): how many files
        use each, the same total whichever files were indexed since."""
        found: dict[str, int] = {}
        for chunk, marks in _chunks(names):
            rows = self.db.execute(
                f"SELECT name, n FROM counts WHERE snap=? AND name IN ({marks})",
                (snap, *chunk),
            )
            found.update((name, int(n)) for name, n in rows)
        return found

    def record_counts(self, snap: int, totals: dict[str, int]) -> None:
        with contextlib.suppress(sqlite3.OperationalError):
            self.db.executemany(
                "INSERT OR REPLACE INTO counts (snap, name, n) VALUES (?, ?, ?)",
                ((snap, name, n) for name, n in totals.items()),
            )

    def transaction(self) -> Transaction:
        return Transaction(self.db)


def _spots(data: str, name: str) -> list[str]:
    """The ``line:col`` places of ``name`` in a blob's ``refdata`` (a line a name:
    ``name<TAB>spots``), read without splitting the lines of the other names (a module
    uses hundreds; ``path`` asks about hundreds)."""
    prefix = f"{name}\t"
    if data.startswith(prefix):
        start = len(prefix)
    else:
        at = data.find(f"\n{prefix}")
        if at < 0:
            return []
        start = at + 1 + len(prefix)
    end = data.find("\n", start)
    return data[start : end if end >= 0 else None].split()
