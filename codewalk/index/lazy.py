"""Lazy re-exports, as transformers declares them without importing anything:

- ``_import_structure = {"submodule": ["Name", ...]}`` (and ``_import_structure["x"] =``,
  ``.extend([...])``, ``.append("...")``, ``[name for name in dir(dummy_module)]``);
- a module-level ``__getattr__`` with a table ``{"Name": "package.module"}``
  (``transformers.pipelines``).

Each becomes an :class:`~codewalk.index.records.Import` flagged ``LAZY``. Pure.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from codewalk.index.records import LAZY, Definition, DictEntry, Import
from codewalk.index.syntax import is_dir_call, string_list

STRUCTURE = "_import_structure"
_MODULE_PATH_RE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def from_dict(value: ast.Dict) -> list[Import]:
    """``_import_structure = {"submodule": [...], ...}``."""
    found: list[Import] = []
    for key, names in zip(value.keys, value.values, strict=False):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found += from_names(key.value, names)
    return found


def from_subscript(target: ast.Subscript, value: ast.expr | None) -> list[Import]:
    """``_import_structure["submodule"] = [...]`` (or ``+=``)."""
    if not (isinstance(target.value, ast.Name) and target.value.id == STRUCTURE):
        return []
    key = target.slice
    if isinstance(key, ast.Constant) and isinstance(key.value, str) and value is not None:
        return from_names(key.value, value)
    return []


def from_call(stmt: ast.Expr) -> list[Import]:
    """``_import_structure["submodule"].extend([...])`` or ``.append("Name")``."""
    call = stmt.value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
        return []
    if call.func.attr not in ("extend", "append") or not call.args:
        return []
    owner = call.func.value
    if not isinstance(owner, ast.Subscript):
        return []
    arg = call.args[0]
    if call.func.attr == "append":
        arg = ast.List(elts=[arg], ctx=ast.Load())
    return from_subscript(owner, arg)


def from_names(submodule: str, value: ast.expr) -> list[Import]:
    """The names a lazy entry promises from ``submodule`` (relative to the package)."""
    line = value.lineno if hasattr(value, "lineno") else 0
    if isinstance(value, ast.ListComp) and is_dir_call(value.generators[0].iter):
        # ``[name for name in dir(dummy_pt_objects) if ...]``: every public name of it
        return [Import(1, submodule, "*", "*", line, LAZY)]
    return [Import(1, submodule, name, name, line, LAZY) for name in string_list(value) or []]


def getattr_tables(definitions: Sequence[Definition], entries: Sequence[DictEntry]) -> list[Import]:
    """A module with a module-level ``__getattr__`` and a table ``{"Name": "pkg.module"}``
    (``transformers.pipelines``) exposes each name lazily from that module."""
    if not any(d.qualname == "__getattr__" for d in definitions):
        return []
    tables: dict[str, list[DictEntry]] = {}
    for entry in entries:
        if "." not in entry.table:
            tables.setdefault(entry.table, []).append(entry)
    found: list[Import] = []
    for group in tables.values():
        if all(e.value_is_str and e.key.isidentifier() and _MODULE_PATH_RE.fullmatch(e.value) for e in group):
            found.extend(Import(0, e.value, e.key, e.key, e.line, LAZY) for e in group)
    return found
