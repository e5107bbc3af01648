"""Answers kept for replay: the exact output of a command that read only the index,
keyed by its command line, valid while nothing it depends on has changed.

The table is emptied by triggers whenever the index itself changes (a snapshot, a
file list or a blob added, changed or removed), so a kept answer can only be as old as
the index it was computed from. What lies outside the index (the code of codewalk, the
pins file, the cache entries and the files the answer printed from) is the caller's
``stamp`` and ``files``: :func:`lookup` hands back the row, the caller compares.

Only ``sqlite3`` here: the quick path (:mod:`codewalk.cli.quick`) imports this module
and nothing of the resolver.
"""

from __future__ import annotations

import sqlite3

_TABLE = """CREATE TABLE answers (
    key TEXT PRIMARY KEY, stamp BLOB NOT NULL, output TEXT NOT NULL, files BLOB NOT NULL
)"""
_WATCHED = ("snapshots", "files", "blobs")


def schema() -> list[str]:
    """The statements that make the table and its triggers (one statement each: a
    trigger's body holds a semicolon)."""
    statements = [_TABLE]
    for table in _WATCHED:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER answers_after_{table}_{event.lower()} AFTER {event} ON {table} "
                "BEGIN DELETE FROM answers; END"
            )
    return statements


# Plain tuples, not NamedTuples: this module is on the quick path, which takes no typing.
# Kept: (stamp, output, files), as bytes, str, bytes (NULs separate their fields).
Kept = tuple[bytes, str, bytes]
# Mark: the state of the database as one connection saw it, (data_version, changes):
# changed by another connection or by this one since, it is not the state an answer
# was computed from.
Mark = tuple[int, int]


def lookup(connection: sqlite3.Connection, key: str) -> Kept | None:
    row = connection.execute("SELECT stamp, output, files FROM answers WHERE key = ?", (key,)).fetchone()
    return (bytes(row[0]), str(row[1]), bytes(row[2])) if row else None


def mark(connection: sqlite3.Connection) -> Mark:
    return connection.execute("PRAGMA data_version").fetchone()[0], connection.total_changes


def keep(connection: sqlite3.Connection, since: Mark, key: str, kept: Kept) -> bool:
    """Keep ``kept`` (stamp, output, files) under ``key`` if the database is still as it
    was at ``since`` (no one has indexed anything meanwhile); whether it was kept."""
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # busy: another codewalk is writing; keep nothing
        return False
    try:
        if mark(connection) != since:
            connection.execute("ROLLBACK")
            return False
        connection.execute(
            "INSERT OR REPLACE INTO answers (key, stamp, output, files) VALUES (?, ?, ?, ?)",
            (key, *kept),
        )
        connection.execute("COMMIT")
    except sqlite3.Error:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        return False
    return True
