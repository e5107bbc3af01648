"""Small pure helpers over stdlib ``ast`` nodes, shared by the extractor and the
cursor lookup."""

from __future__ import annotations

import ast
import builtins
from collections import deque
from collections.abc import Iterator
from typing import Any

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def dotted(node: ast.expr) -> str:
    """``a.b.c`` for a chain of names and attributes; "" for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def start_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    if decorators:
        return min(node.lineno, *(int(d.lineno) for d in decorators))
    return node.lineno


def decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    return dotted(node)


def unsubscript(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Subscript) else node


def is_dir_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and dotted(node.func) == "dir"


def is_type_checking(test: ast.expr) -> bool:
    return dotted(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def is_none(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and value.value is None


BUILTIN_NAMES = frozenset(dir(builtins))  # a bare name that is one is no class of the module's

_IMPORT_FAILURES = ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")


def catches_import_failure(handler: ast.ExceptHandler) -> bool:
    """Whether an ``except`` clause catches a failed import (``ImportError``, a bare
    ``except``, transformers' ``OptionalDependencyNotAvailable``, or a tuple of them)."""
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for kind in caught:
        name = dotted(kind).rpartition(".")[2] if kind is not None else "BaseException"
        if name in _IMPORT_FAILURES or name.endswith("NotAvailable"):
            return True
    return False


def doc_line(node: ast.ClassDef | FunctionNode) -> str:
    if not node.body:
        return ""
    first = node.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        for line in first.value.value.strip().splitlines():
            if line.strip():
                return line.strip()[:200]
    return ""


def string_list(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return None


def literal_or_dotted(node: ast.expr) -> tuple[str, bool] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value, True)
    text = dotted(node)
    return (text, False) if text else None


_PAIRED = frozenset(("OrderedDict", "collections.OrderedDict", "dict"))


def paired_dict(node: ast.expr) -> ast.Dict | None:
    """A dict made of a literal list (or tuple) of pairs, ``OrderedDict([("k", "V"), ...])``
    (transformers' auto tables), read as the dict literal it makes; None for anything else
    (a pair that is not a 2-tuple makes the whole call unread)."""
    if not isinstance(node, ast.Call) or dotted(node.func) not in _PAIRED or node.keywords:
        return None
    if len(node.args) != 1 or not isinstance(node.args[0], ast.List | ast.Tuple):
        return None
    pairs = node.args[0].elts
    if not all(isinstance(p, ast.Tuple) and len(p.elts) == 2 for p in pairs):
        return None
    keys: list[ast.expr | None] = [p.elts[0] for p in pairs if isinstance(p, ast.Tuple)]
    values = [p.elts[1] for p in pairs if isinstance(p, ast.Tuple)]
    return ast.Dict(keys=keys, values=values)


def dedent(lines: list[str]) -> str:
    if not lines:
        return ""
    indent = len(lines[0]) - len(lines[0].lstrip())
    if indent == 0:
        return "\n".join(lines).rstrip()
    return "\n".join(line[indent:] if line[:indent].isspace() else line.strip() for line in lines).rstrip()


def statements(body: list[ast.stmt], *, into_functions: bool = False) -> Iterator[ast.stmt]:
    """The statements of a body, in source order, into its if/for/while/with/try/match
    blocks; into the functions nested in it when ``into_functions`` (a closure's ``self``
    is the method's), never into nested classes."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.ClassDef):
            continue
        if not into_functions and isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                yield from statements(inner, into_functions=into_functions)
        for block in (*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())):
            yield from statements(block.body, into_functions=into_functions)


def name_uses(tree: ast.AST) -> list[tuple[str, int, int]]:
    """Every use of a name (a ``Name``, the attribute part of ``a.b``, an imported name),
    by position. A walk of its own rather than ``ast.walk``: it is the extractor's
    largest cost on big files, and this one does less work (no generator per node, only
    the fields of each node type that can hold nodes, no descent into a ``Name``'s
    context)."""
    found: list[tuple[str, int, int]] = []
    todo: list[Any] = [tree]  # nodes, and the None a Dict's keys may hold
    pop, push, extend, add = todo.pop, todo.append, todo.extend, found.append
    name_type, attribute_type, alias_type = ast.Name, ast.Attribute, ast.alias
    child_fields = _CHILD_FIELDS
    while todo:
        node = pop()
        if node is None:  # a Dict's key for ``**mapping``
            continue
        kind = node.__class__
        if kind is name_type:
            add((node.id, node.lineno, node.col_offset))
            continue
        if kind is attribute_type:
            end_line, end_col = node.end_lineno, node.end_col_offset
            if end_line is not None and end_col is not None:
                attr = node.attr
                add((attr, end_line, end_col - len(attr)))
            push(node.value)
            continue
        if kind is alias_type:
            if node.name != "*":
                add((node.name.rpartition(".")[2], node.lineno, node.col_offset))
            continue
        # child_nodes()'s step, inlined: the walk is slower through a call a node (bench/bench_index.py)
        fields = child_fields.get(kind)
        if fields is None:
            fields = _child_fields(kind)
        for field in fields:
            value = getattr(node, field, None)
            if value is None:
                continue
            if value.__class__ is list:
                extend(value)
            else:
                push(value)
    found.sort(key=lambda ref: (ref[1], ref[2]))
    return found


# Fields that never hold a node (names, flags, the value of a Constant or of a pattern's
# True, False or None; but a TypeAlias's name is a Name), or hold a list of strings:
# what the walks need not look into.
_SCALAR_FIELDS = frozenset(
    (
        "id",
        "attr",
        "name",
        "arg",
        "asname",
        "module",
        "level",
        "kind",
        "type_comment",
        "conversion",
        "is_async",
        "simple",
        "n",
        "s",
        "ctx",
        "rest",
    )
)
_STRING_FIELDS = frozenset(
    (
        (ast.Global, "names"),
        (ast.Nonlocal, "names"),
        (ast.MatchClass, "kwd_attrs"),
        (ast.Constant, "value"),
        (ast.MatchSingleton, "value"),
    )
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def walk(node: ast.AST) -> Iterator[Any]:
    """The nodes under ``node`` (itself first), breadth first, as ``ast.walk`` yields
    them, less the expression contexts (``Load``, ``Store``) and faster: only the
    fields of each node type that can hold nodes are looked into."""
    todo: deque[Any] = deque([node])
    pop, extend = todo.popleft, todo.extend
    while todo:
        current = pop()
        extend(child_nodes(current))
        yield current


def child_nodes(node: ast.AST) -> list[Any]:
    """The nodes directly under ``node``, in ``ast.iter_child_nodes``'s order, less the
    expression contexts; quicker (the fields of its type that can hold nodes)."""
    kind = node.__class__
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _child_fields(kind)
    found: list[Any] = []
    for field in fields:
        value = getattr(node, field, None)
        if value is None:
            continue
        if value.__class__ is list:  # None only where a field may lack a node (a Dict's ``**`` key)
            found.extend(value if None not in value else [item for item in value if item is not None])
        else:
            found.append(value)
    return found


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of node type ``kind`` that can hold nodes (lists of nodes, or None)."""
    fields = tuple(
        field
        for field in getattr(kind, "_fields", ())
        if (field not in _SCALAR_FIELDS or (field == "name" and kind.__name__ == "TypeAlias"))
        and (kind, field) not in _STRING_FIELDS
    )
    _CHILD_FIELDS[kind] = fields
    return fields
