"""Index records to SQLite rows and back: what the extractor made, flattened for
``executemany``, and the definitions read back from a query."""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

from collections.abc import Sequence
from typing import Any, NamedTuple

from codewalk.index.records import LAZY, Definition, FileRow, ModuleFacts, Skipped
from codewalk.index.versions import SEP

_LAZY_MARKERS = ("_LazyModule", "define_import_structure")
DEF_COLUMNS = (
    "qualname, name, kind, parent, line, col, start_line, end_line, signature, doc, bases, "
    "target, decorators, flags, copied_from"
)


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
    lines: int = 0
    basenames: Sequence[tuple[str, str]] = ()  # (a base's last dotted part, the class's qualname)


def fact_rows(facts: ModuleFacts | Skipped) -> FactRows:
    if isinstance(facts, Skipped):
        return FactRows("skipped", facts.reason, "", None, False, [], [], [], {}, 0)
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
            SEP.join(d.bases),
            d.target,
            SEP.join(d.decorators),
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
    classes = (d for d in facts.definitions if d.kind == "class")
    basenames = sorted({(base.rpartition(".")[2], d.qualname) for d in classes for base in d.bases})
    all_names = SEP.join(facts.all_names) if facts.all_names is not None else None
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
        facts.lines,
        basenames,
    )


def file_row(row: Sequence[Any]) -> FileRow:
    """A file's row (path, module, is_package, blob) as its record."""
    return FileRow(str(row[0]), str(row[1]), bool(row[2]), row[3])


def definition(row: Sequence[Any]) -> Definition:
    """A ``defs`` row (:data:`DEF_COLUMNS`) as its record, made from the values as SQLite
    hands them back (the columns are typed and NOT NULL: text, and integers for the
    lines, the column and the flags) through ``tuple.__new__``: a ``path`` or ``callers``
    reads tens of thousands of rows, and a NamedTuple's own ``__new__`` spells out every
    field."""
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
    split_bases = tuple(bases.split(SEP)) if bases else ()
    split_decorators = tuple(decorators.split(SEP)) if decorators else ()
    fields = (qualname, name, kind, parent, line, col, start, end, signature, doc, split_bases, target)
    return _new(Definition, (*fields, split_decorators, flags, copied))


_new = tuple.__new__
