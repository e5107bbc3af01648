"""Names the index holds that start with a prefix: what ``codewalk find LlamaFor<TAB>``
offers. The index is opened read-only: shell completion never creates, fills or waits on
it.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from codewalk.index.versions import SEP
from codewalk.index.versions import index_path as index_path  # the index a TAB reads

LIMIT = 200  # names offered at most


def read_only(path: Path, *, timeout: float) -> sqlite3.Connection:
    """The database at ``path``, opened read-only (never created, never changed)."""
    # a file: URI reads "?" and "#" in the path as its own, and "%" as an escape
    quoted = os.path.abspath(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return sqlite3.connect(f"file:{quoted}?mode=ro", uri=True, timeout=timeout)


def starting_with(index: Path, prefix: str) -> list[str]:
    """Names the index at ``index`` knows that start with ``prefix``: definitions by
    name, and for a dotted prefix, the members of a class (``LlamaForCausalLM.ge``) or
    the modules and names of a package path (``transformers.models.ll``). No index, or
    one that cannot be read, knows none; nothing is ever created or indexed."""
    if not prefix or not all(part.isidentifier() for part in prefix.split(".")[:-1]):
        return []
    if not index.is_file():
        return []
    try:
        db = read_only(index, timeout=1)
    except sqlite3.Error:
        return []
    try:
        return _starting_with(db, prefix)
    except sqlite3.Error:
        return []
    finally:
        db.close()


def _starting_with(db: sqlite3.Connection, prefix: str) -> list[str]:
    if "." not in prefix:
        rows = db.execute(
            "SELECT DISTINCT name FROM defs WHERE name >= ? AND name < ? AND parent = '' LIMIT ?",
            (prefix, prefix + "\uffff", LIMIT),
        )
        return [row[0] for row in rows]
    owner, _, start = prefix.rpartition(".")
    classes = _class_and_bases(db, owner.rpartition(".")[2])
    marks = ", ".join("?" * len(classes))
    found = [
        f"{owner}.{row[0]}"
        for row in db.execute(
            f"SELECT DISTINCT name FROM defs WHERE parent IN ({marks}) AND name >= ? AND name < ? LIMIT ?",
            (*classes, start, start + "\uffff", LIMIT),
        )
    ]
    found += [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT module FROM files WHERE module >= ? AND module < ? LIMIT ?",
            (prefix, prefix + "\uffff", LIMIT),
        )
    ]
    return sorted(set(found))[:LIMIT]


def _class_and_bases(db: sqlite3.Connection, name: str, depth: int = 6) -> list[str]:
    """``name`` and the names of its bases, as written, some levels up (members come
    through the MRO; a completion need not be exact, only quick)."""
    seen = [name]
    frontier = [name]
    for _ in range(depth):
        found: list[str] = []
        for cls in frontier:
            for (bases,) in db.execute(
                "SELECT bases FROM defs WHERE name = ? AND kind = 'class' LIMIT 20", (cls,)
            ):
                found += [base.rpartition(".")[2] for base in bases.split(SEP) if base]
        frontier = [b for b in dict.fromkeys(found) if b not in seen]
        seen += frontier
        if not frontier:
            break
    return seen
