"""The call graph's oracle, part two: the recorded edges (``callgraph_record.py``), read
back and classified by what their call site says, in Python's terms alone.

An edge's call site is the instruction its caller was executing (line and columns, as
``co_positions`` gives them); the expression with exactly that span in the caller's
installed source is the call as written. Its *kind*:

- ``direct``: a call whose name is the callee's (``f()``, ``self.m()``, ``obj.m()``);
  ``module call`` when its receiver is a module (``torch_utils.f()``);
- ``decorator``: the same, reached through a decorator's wrapper (torch's ``no_grad``,
  a wrapper in a pinned package);
- ``instantiation``: ``X(...)``, ``cls(...)``, running ``__init__``/``__new__``/``__post_init__``;
- ``module protocol``: an ``nn.Module`` called (``self.layer(x)``: torch's
  ``Module._call_impl`` in between), reaching its ``forward``;
- ``property``: an attribute read that ran a getter (``obj.x``, ``getattr(obj, "x")``);
- ``alias``: a module-level name (or a module's attribute) of another name than the
  callee's (``hf_tqdm``, ``A = B``);

those are the kinds a reader follows. Apart: ``attribute`` (an attribute holding a
function of another name), ``local`` (a local holding one: a dispatch table's item),
``instance call`` (``__call__`` of an instance), ``parameter`` (a parameter's value: the
caller decides), ``dynamic`` (a call of an expression), ``generator`` (a generator's
first step), ``callback`` (run by code outside the pinned packages, or by a builtin:
``sorted(key=...)``, ``copy.deepcopy``) and ``implicit`` (operators, ``for``, ``with``,
subscripts: dunder methods no name is written for).
Module and class bodies (import time) are not scored.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "callgraph"

FOLLOWED = (
    "direct",
    "alias",
    "module call",
    "decorator",
    "instantiation",
    "property",
    "module protocol",
)
OTHER = ("attribute", "local", "instance call", "parameter", "dynamic", "generator", "callback", "implicit")
_CONSTRUCTION = ("__init__", "__new__", "__post_init__")
_PROTOCOL = "torch/nn/modules/module.py:Module._call_impl"
_BUILTINS = frozenset(dir(builtins))


class Function(NamedTuple):
    repo: str  # pin name
    path: str  # relative to site-packages ("transformers/trainer.py")
    qualname: str  # co_qualname
    first: int  # co_firstlineno (the first decorator's line)

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]

    @property
    def module(self) -> str:
        dotted = self.path.removesuffix(".py").replace("/", ".")
        return dotted.removesuffix(".__init__")


class Edge(NamedTuple):
    caller: Function
    position: tuple[int, int, int, int]  # line, end line, col, end col of the call instruction
    callee: Function
    chain: tuple[str, ...]  # frames in between ("wrapper:" for a pinned decorator's wrapper)
    receiver: str  # the class of the caller's self at run time ("" when none)
    entry_receiver: str  # for a call from a program: the class of the callee's self
    generator: bool
    count: int
    runs: frozenset[str]


class Classified(NamedTuple):
    edge: Edge
    kind: str
    name_at: tuple[int, int]  # (line, col) of the called name: where a reader's cursor goes
    called: str  # the name written at the call site ("" when none)


def load(out: Path = OUT) -> tuple[list[Edge], set[tuple[str, str, int]], dict[str, str], str]:
    """Every recorded edge, merged across runs; the pinned wrappers; versions; site."""
    merged: dict[tuple[object, ...], Edge] = {}
    wrappers: set[tuple[str, str, int]] = set()
    versions: dict[str, str] = {}
    site = ""
    for path in sorted(out.glob("*.json")):
        data = json.loads(path.read_text())
        site = data["site"]
        versions.update(data["versions"])
        wrappers.update(tuple(w) for w in data["wrappers"])
        for row in data["edges"]:
            (
                c_repo,
                c_path,
                c_qual,
                c_first,
                pos,
                e_repo,
                e_path,
                e_qual,
                e_first,
                chain,
                recv,
                entry,
                gen,
                count,
            ) = row
            edge = Edge(
                Function(c_repo, c_path, c_qual, c_first),
                (
                    pos[0],
                    pos[1] or pos[0],
                    pos[2] if pos[2] is not None else -1,
                    pos[3] if pos[3] is not None else -1,
                ),
                Function(e_repo, e_path, e_qual, e_first),
                tuple(chain),
                recv,
                entry,
                gen,
                count,
                frozenset([data["run"]]),
            )
            key = edge[:7]
            known = merged.get(key)
            if known is not None:
                edge = known._replace(count=known.count + count, runs=known.runs | edge.runs)
            merged[key] = edge
    return list(merged.values()), wrappers, versions, site


class Source:
    """One installed file, parsed: nodes by span, definitions by first line, imports."""

    def __init__(self, text: str, path: str, site: str) -> None:
        self.tree = ast.parse(text)
        self.path = path
        self.site = site
        self.by_span: dict[tuple[int, int, int, int], list[ast.AST]] = {}
        self.defs: dict[int, list[ast.AST]] = {}
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
            if isinstance(node, ast.expr):
                span = (
                    node.lineno,
                    node.end_lineno or node.lineno,
                    node.col_offset,
                    node.end_col_offset or 0,
                )
                self.by_span.setdefault(span, []).append(node)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                self.defs.setdefault(first, []).append(node)
        self.modules = self._module_names()

    def _module_names(self) -> set[str]:
        """Module-level names bound to modules (``import x``, ``from . import sub``)."""
        names: set[str] = set()
        package = self.path.rpartition("/")[0]
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                names.update(a.asname or a.name.partition(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split("/")
                    parts = parts[: len(parts) - (node.level - 1)]
                    base = "/".join([*parts, *base.split(".")]) if base else "/".join(parts)
                else:
                    base = base.replace(".", "/")
                for alias in node.names:
                    where = os.path.join(self.site, base, alias.name)
                    if os.path.exists(where + ".py") or os.path.isdir(where):
                        names.add(alias.asname or alias.name)
        return names

    def node(self, span: tuple[int, int, int, int]) -> ast.AST | None:
        found = self.by_span.get(span, [])
        for kind in (ast.Call, ast.Attribute, ast.Subscript):
            for node in found:
                if isinstance(node, kind):
                    return node
        return found[0] if found else None

    def scopes(self, node: ast.AST) -> Iterator[ast.AST]:
        """The functions and lambdas around ``node``, innermost first."""
        parent = self.parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                yield parent
            parent = self.parents.get(parent)

    def binding(self, node: ast.AST, name: str) -> str:
        """How ``name`` is bound where ``node`` is: parameter, local, or global."""
        for scope in self.scopes(node):
            args = scope.args
            params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            if any(p is not None and p.arg == name for p in params):
                return "parameter"
            if isinstance(scope, ast.Lambda):
                continue
            for inner in ast.walk(scope):
                if isinstance(inner, ast.Name) and inner.id == name and isinstance(inner.ctx, ast.Store):
                    return "local"
                named = isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                if named and inner.name == name and inner is not scope:  # type: ignore[union-attr]
                    return "local"
        return "global"


@lru_cache(maxsize=512)
def source(site: str, path: str) -> Source | None:
    try:
        return Source(Path(site, path).read_text(encoding="utf-8"), path, site)
    except (OSError, SyntaxError, ValueError):
        return None


def scope_of(edge: Edge, site: str) -> str:
    """What the caller is: ``function``, or ``module``/``class`` (import time: not scored)."""
    caller = edge.caller
    if caller.qualname == "<module>":
        return "module"
    src = source(site, caller.path)
    if src is None:
        return "unreadable"
    name = caller.name
    for node in src.defs.get(caller.first, []):
        if getattr(node, "name", None) == name:
            return "class" if isinstance(node, ast.ClassDef) else "function"
    return "function"  # a lambda or a comprehension: inside a function


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node


def name_position(func: ast.expr) -> tuple[tuple[int, int], str]:
    """Where the called name starts, and the name ("" for a call of an expression)."""
    if isinstance(func, ast.Name):
        return (func.lineno, func.col_offset), func.id
    if isinstance(func, ast.Attribute):
        line = func.end_lineno or func.lineno
        return (line, (func.end_col_offset or 0) - len(func.attr)), func.attr
    return (func.lineno, func.col_offset), ""


def classify(edge: Edge, site: str) -> Classified:
    callee = edge.callee.name
    src = source(site, edge.caller.path)
    node = src.node(edge.position) if src is not None else None
    line, _, col, _ = edge.position
    protocol = _PROTOCOL in edge.chain
    wrapped = any(c.startswith("wrapper:") for c in edge.chain)
    if isinstance(node, ast.Call):
        where, called = name_position(node.func)

        def kind() -> str:
            if protocol:
                return "module protocol"
            if callee in _CONSTRUCTION and called != callee:
                # X(...) runs __init__ (a dataclass's made __init__ its __post_init__); code
                # outside the pinned packages making one (copy.deepcopy) is a callback
                return "instantiation" if all(map(_constructing, edge.chain)) else "callback"
            builtin = isinstance(node.func, ast.Name) and node.func.id in _BUILTINS
            if builtin and src.binding(node, node.func.id) == "global" and called != callee:  # type: ignore[union-attr]
                attribute = node.args[1] if len(node.args) >= 2 else None
                named = isinstance(attribute, ast.Constant) and attribute.value == callee
                if called in ("getattr", "hasattr") and named:
                    return "property"  # getattr(obj, "x") reading a property
                return "callback"  # sorted(key=...), map(f, ...): the builtin calls it
            if _dunder(callee) and called != callee and callee != "__call__":
                return "implicit"  # getattr() reaching __getattribute__, a dataclass's __setattr__
            if called == callee:
                if edge.chain and not _decorators(edge.chain):
                    return "callback"  # the import system calling a finder's find_spec
                if edge.chain:
                    return "decorator"
                root = _root(node.func)
                if (
                    isinstance(node.func, ast.Attribute)
                    and isinstance(root, ast.Name)
                    and root.id in src.modules  # type: ignore[union-attr]
                    and src.binding(node, root.id) == "global"  # type: ignore[union-attr]
                ):
                    return "module call"
                return "direct"
            if edge.generator:
                return "generator"
            if callee == "__call__":
                return "instance call"
            if edge.chain and not wrapped:
                return "callback"
            if not called:
                return "dynamic"
            if isinstance(node.func, ast.Name):
                bound = src.binding(node, node.func.id)  # type: ignore[union-attr]
                if bound != "global":
                    return bound
                return "alias"
            root = _root(node.func)
            if isinstance(root, ast.Name) and root.id in src.modules:  # type: ignore[union-attr]
                return "alias"
            if wrapped:
                return "decorator"
            return "attribute"

        return Classified(edge, kind(), where, called)
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
        where = (node.end_lineno or node.lineno, (node.end_col_offset or 0) - len(node.attr))
        if node.attr == callee:
            return Classified(edge, "property", where, node.attr)
        return Classified(edge, "implicit", where, node.attr)
    if edge.generator and src is not None:
        return _generator(edge, src)
    if edge.chain and not wrapped and not protocol:
        return Classified(edge, "callback", (line, col), "")
    return Classified(edge, "implicit", (line, col), "")


def _constructing(frame: str) -> bool:
    """A frame of making an instance: a wrapper, a made ``__init__``, a metaclass's ``__call__``."""
    return frame.startswith("wrapper:") or frame.rpartition(".")[2] in ("__init__", "__new__", "__call__")


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _decorators(chain: tuple[str, ...]) -> bool:
    """Every frame in between is a wrapper: a pinned decorator's, or a nested function
    of code outside the pinned packages (torch's ``no_grad``, ``contextlib``'s)."""
    return all(c.startswith("wrapper:") or ".<locals>." in c.rpartition(":")[2] for c in chain)


def _generator(edge: Edge, src: Source) -> Classified:
    """A generator's first step: the call of it by name in the statement that runs it
    (``for x in self.gen()``, ``with self.context():`` through ``contextlib``), else
    a generator handed over."""
    callee = edge.callee.name
    line = edge.position[0]
    for node in ast.walk(src.tree):
        if not (isinstance(node, ast.stmt) and node.lineno == line):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call):
                where, called = name_position(inner.func)
                if called == callee:
                    through = any("contextlib" in c for c in edge.chain)
                    return Classified(edge, "decorator" if through else "direct", where, called)
        break
    return Classified(edge, "generator", (line, edge.position[2]), "")


def _own_code(edge: Edge) -> bool:
    """A comprehension or generator expression of the caller itself."""
    prefix, _, last = edge.callee.qualname.rpartition(".<locals>.")
    return last.startswith("<") and last != "<lambda>" and edge.caller.qualname.startswith(prefix)


def scored(edges: Iterable[Edge], wrappers: set[tuple[str, str, int]], site: str) -> Iterator[Classified]:
    """The edges a call graph answers for, classified: not at import time, not into a
    wrapper (the edge through it stands for it), not into a module body."""
    for edge in edges:
        callee = edge.callee
        if callee.qualname == "<module>" or (callee.path, callee.qualname, callee.first) in wrappers:
            continue
        if _own_code(edge):
            continue
        if edge.caller.repo == "program" or scope_of(edge, site) != "function":
            continue
        yield classify(edge, site)
