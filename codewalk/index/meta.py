"""Small values kept in the index's ``meta`` table beside its version: what a warm
command would otherwise recompute (the parsed pins file). Never essential: a value that
cannot be read or written is simply not there."""

from __future__ import annotations

import contextlib
import sqlite3


def get(connection: sqlite3.Connection, key: str) -> str | None:
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def put(connection: sqlite3.Connection, key: str, value: str) -> None:
    """Keep ``value`` under ``key``, unless another codewalk is writing (then not now)."""
    if key == "schema_version":
        raise ValueError("the index's version is the database module's to write")
    with contextlib.suppress(sqlite3.Error):
        connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
