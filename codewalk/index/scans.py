"""What the byte scans of a snapshot found, kept in the index so that no later process
scans again: a snapshot's files never change.

- a scan for a name indexes every file that may hold it (``scan.scan_paths``): once it
  has run, :func:`done` says so;
- how many files use a name (``scan.scan_counts`` over the files not indexed yet, plus
  the index's count over the others) is the same total whichever files were indexed
  since: :func:`counts` keeps it.
"""

from __future__ import annotations

import contextlib
import sqlite3

from codewalk.index.store import Store


def done(store: Store, snap: int, kind: str, needle: str) -> bool:
    """Whether the scan for ``needle`` as ``kind`` has run over ``snap``'s files."""
    row = store.db.execute(
        "SELECT 1 FROM scans WHERE snap=? AND kind=? AND needle=?", (snap, kind, needle)
    ).fetchone()
    return row is not None


def record(store: Store, snap: int, kind: str, needle: str) -> None:
    """Remember that the scan ran, and indexed what it found (a read-only index keeps
    nothing: the next process scans again)."""
    with contextlib.suppress(sqlite3.OperationalError):
        store.db.execute(
            "INSERT OR IGNORE INTO scans (snap, kind, needle) VALUES (?, ?, ?)", (snap, kind, needle)
        )


def counts(store: Store, snap: int, names: list[str]) -> dict[str, int]:
    """The totals kept for ``names`` (those not kept are absent)."""
    found: dict[str, int] = {}
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        rows = store.db.execute(
            f"SELECT name, n FROM counts WHERE snap=? AND name IN ({', '.join('?' * len(chunk))})",
            (snap, *chunk),
        )
        found.update((name, int(n)) for name, n in rows)
    return found


def record_counts(store: Store, snap: int, totals: dict[str, int]) -> None:
    with contextlib.suppress(sqlite3.OperationalError):
        store.db.executemany(
            "INSERT OR REPLACE INTO counts (snap, name, n) VALUES (?, ?, ?)",
            ((snap, name, n) for name, n in totals.items()),
        )
