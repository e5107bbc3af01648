"""An attribute whose class a class deriving from its owner names in its body:
transformers' processors keep ``feature_extractor`` (declared ``feature_extractor: Any``
on ``ProcessorMixin``, set by its ``__init__`` from whatever is passed) and say which class
it is with ``feature_extractor_class = "WhisperFeatureExtractor"`` (or a tuple of names,
``tokenizer_class = ("LlamaTokenizer", "LlamaTokenizerFast")``): ``self.feature_extractor``
in such a class holds one of those, named as its module or the package exports them.

A class that names none is named by the auto tables instead (transformers 5's
``WhisperProcessor``): ``PROCESSOR_MAPPING_NAMES`` maps a model type to it
(``("whisper", "WhisperProcessor")``), and the table of the attribute beside it,
``FEATURE_EXTRACTOR_MAPPING_NAMES``, maps the same model type to the class that
``AutoFeatureExtractor`` makes for it (``"WhisperFeatureExtractor"``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from codewalk import parsing
from codewalk.calls.reach import Reacher
from codewalk.resolve.model import Resolved

if TYPE_CHECKING:
    from codewalk.resolve.resolver import Resolver

_SUFFIX = "_class"
_TABLES = "_MAPPING_NAMES"  # an auto table: a model type to a class's name
_PROCESSORS = "PROCESSOR" + _TABLES  # the model types' processors (MISSING_...: those added to it)


def named_classes(r: Reacher, holder: Resolved, cls: Resolved | None) -> list[Resolved]:
    """The classes ``cls`` (the class ``self`` is, deriving from the holder's) names for
    the attribute ``holder`` in ``<attribute>_class``: each as its package exports it,
    its ``via`` saying where it is named. [] when it names none codewalk finds."""
    place = r.place(cls) if cls is not None and holder.kind in ("attribute", "variable") else None
    if place is None:
        return []
    resolver, view, qualname = place
    attribute = holder.qualname.rpartition(".")[2]
    hits = resolver.ns.members(view, qualname, attribute + _SUFFIX, ())[:1]
    if not hits:
        return _tabled(r, resolver, view.module, qualname.rpartition(".")[2], attribute)
    names = _strings(hits[0].definition.signature)
    out: list[Resolved] = []
    where = f"{hits[0].view.path}:{hits[0].definition.line}"
    for name in names:
        # the module's own (defined or imported there), else as the package exports it
        named = r.class_named(f"{view.module}.{name}") or r.class_named(
            f"{view.module.partition('.')[0]}.{name}"
        )
        how = f"{qualname.rpartition('.')[2]}.{attribute}{_SUFFIX} names {name} ({where})"
        out.extend([named._replace(via=how)] if named is not None else [])
    return out


def _tabled(r: Reacher, resolver: Resolver, module: str, cls: str, attribute: str) -> list[Resolved]:
    """The classes the auto table of ``attribute`` (``FEATURE_EXTRACTOR_MAPPING_NAMES``)
    names for the model types ``PROCESSOR_MAPPING_NAMES`` beside it maps to the class named
    ``cls`` (``"whisper"`` to ``"WhisperProcessor"``), each as the class's ``module``
    names it, else as its package exports it. Only the processors' table: another auto
    table mapping a model type to ``cls`` (a model's) says nothing of its attributes."""
    wanted = f"{attribute.upper()}{_TABLES}"
    out: list[Resolved] = []
    for row, entry in resolver.facts.entries_valued(cls):
        if not entry.value_is_str or entry.table.removeprefix("MISSING_") != _PROCESSORS:
            continue
        view = resolver.ns.view_of(row)
        table = r.code.table(view.repo or resolver.facts.repo, view.module, wanted) if view else []
        for item in (item for item in table if item.key == entry.key and item.value_is_str):
            named = r.class_named(f"{module}.{item.value}") or r.class_named(
                f"{module.partition('.')[0]}.{item.value}"
            )
            how = (
                f"{entry.table} maps {entry.key!r} to {cls} ({row.path}:{entry.line}), "
                f"{wanted} to {item.value} (line {item.line})"
            )
            out.extend([named._replace(via=how)] if named is not None else [])
    return list(dict.fromkeys(out))


def _strings(statement: str) -> list[str]:
    """The names ``X_class = "A"`` or ``X_class = ("A", "B")`` (a class body's statement,
    as the index keeps it) gives, None left out."""
    value = assigned_value(statement)
    values = value.elts if isinstance(value, ast.Tuple | ast.List) else [value] if value is not None else []
    return [
        v.value
        for v in values
        if isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value.isidentifier()
    ]


def assigned_value(statement: str) -> ast.expr | None:
    """The value of a class body's single assignment ``X = value`` or ``X: T = value``
    (the statement as the index keeps it); None for anything else."""
    try:
        tree = parsing.parse(statement.strip())
    except (SyntaxError, ValueError):
        return None
    assigned = tree.body[0] if len(tree.body) == 1 else None
    return assigned.value if isinstance(assigned, ast.Assign | ast.AnnAssign) else None
