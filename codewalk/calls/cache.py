"""Call facts in the index database: one row per function body, keyed by its file's
blob and the line of its ``def``, so a body is analysed once, ever, across pins.

The table has its own version (``CALLS_VERSION``), apart from the index's schema: an
index built before call facts existed simply lacks the table (it is made on first use),
and a row of another version is treated as absent, then replaced. The symbol index
never waits for call facts; they are computed on demand (:func:`facts_of`) or by the
optional full pass (``codewalk index --calls``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from codewalk.calls.model import Body
from codewalk.calls.records import CALLS_VERSION, CallFacts, from_json, to_json
from codewalk.errors import CacheError

_CHUNK = 400  # bodies asked for in one query (two parameters each)
_BATCH = 64  # bodies analysed whose facts are written together, in one transaction
_CREATE = (
    "CREATE TABLE IF NOT EXISTS callfacts (blob INTEGER NOT NULL, line INTEGER NOT NULL, "
    "version INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (blob, line)) WITHOUT ROWID"
)


class CallFactsTable:
    """The ``callfacts`` table of an index database connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._exists = False
        self._pending: dict[tuple[int, int], CallFacts] = {}  # analysed, not yet written

    def _table_exists(self) -> bool:
        if not self._exists:
            row = self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='callfacts'"
            ).fetchone()
            self._exists = row is not None
        return self._exists

    def get(self, blob: int, line: int) -> CallFacts | None:
        if (blob, line) in self._pending:
            return self._pending[(blob, line)]
        if not self._table_exists():
            return None
        row = self.db.execute(
            "SELECT data FROM callfacts WHERE blob=? AND line=? AND version=?", (blob, line, CALLS_VERSION)
        ).fetchone()
        return from_json(row[0]) if row else None  # a damaged row is absent: analysed again

    def get_many(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], CallFacts]:
        """The facts of many bodies, by (blob, line), in few queries (those the index has)."""
        wanted = list(dict.fromkeys(keys))
        found = {key: self._pending[key] for key in wanted if key in self._pending}
        wanted = [key for key in wanted if key not in found]
        if not self._table_exists():
            return found
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            pairs = ", ".join("(?, ?)" for _ in chunk)
            rows = self.db.execute(  # a join, not ``(blob, line) IN (VALUES ...)``: that scans the table
                f"WITH w(blob, line) AS (VALUES {pairs}) SELECT c.blob, c.line, c.data FROM w "
                "CROSS JOIN callfacts c ON c.blob = w.blob AND c.line = w.line WHERE c.version=?",
                (*(n for key in chunk for n in key), CALLS_VERSION),
            )
            for b, n, data in rows:
                facts = from_json(data)
                if facts is not None:
                    found[(int(b), int(n))] = facts
        return found

    def known(self) -> set[tuple[int, int]]:
        """(blob, line) of every body with facts of this version."""
        if not self._table_exists():
            return set(self._pending)
        rows = self.db.execute("SELECT blob, line FROM callfacts WHERE version=?", (CALLS_VERSION,))
        return {(int(b), int(n)) for b, n in rows} | set(self._pending)

    def keep(self, blob: int, line: int, facts: CallFacts) -> None:
        """Store the facts of a body just analysed, with those of the next few: a
        transaction a body is most of the cost of writing them."""
        self._pending[(blob, line)] = facts
        if len(self._pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the facts kept so far (the workspace does as it closes)."""
        pending, self._pending = self._pending, {}
        self.put((blob, line, facts) for (blob, line), facts in pending.items())

    def put(self, rows: Iterable[tuple[int, int, CallFacts]]) -> None:
        """Store facts, in one transaction (replacing rows of another version)."""
        data = [(blob, line, CALLS_VERSION, to_json(facts)) for blob, line, facts in rows]
        if not data:
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if not self._exists:
                    self.db.execute(_CREATE)
                    self._exists = True
                self.db.executemany("INSERT OR REPLACE INTO callfacts VALUES (?, ?, ?, ?)", data)
            except sqlite3.Error:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:  # locked past the timeout, a read-only file or disk
            raise CacheError(
                f"cannot write call facts to the index: {exc}",
                hint="another codewalk may be indexing; try again, or check CODEWALK_HOME is writable",
            ) from None


def facts_of(
    table: CallFactsTable, body: Body, known: dict[tuple[int, int], CallFacts] | None = None
) -> CallFacts:
    """The call facts of ``body`` (of its host, for a nested function): from ``known``
    (the facts read so far, which they join), the index, else analysed now and kept to
    be stored (:meth:`CallFactsTable.keep`)."""
    analysed = body.host or body.target
    line = analysed.line
    found = known.get((body.blob, line)) if known is not None else None
    found = found if found is not None else table.get(body.blob, line)
    if found is not None:
        if known is not None:
            known[(body.blob, line)] = found
        return found
    from codewalk.calls.extract import call_facts

    facts = call_facts(body.source(), analysed.start_line, method=bool(body.cls))
    table.keep(body.blob, line, facts)
    if known is not None:
        known[(body.blob, line)] = facts
    return facts
