"""How each name of one function body is bound, by Python's plain scope rules, on the
body's ``ast``: the function's own scope, the functions, lambdas and comprehensions
nested in it, and the module beyond (the resolver answers module-level names later).

A name used in a scope is that scope's own when the scope binds it (a parameter, an
assignment, a loop or ``with`` target, an import, a ``def``); else the enclosing
function's, and so on out to the module; a comprehension's first iterable is read in
the scope around it; ``:=`` in a comprehension binds in the function around it, a
``match`` capture in the scope of the ``match`` (two rules libcst's analysis misses); a
name a scope declares ``global`` is the module's there, one it declares ``nonlocal`` the
enclosing function's. That covers nearly every body. The rest is *in doubt* here and is
left to libcst's binding analysis (:mod:`codewalk.calls.analyse`): a name bound (or
declared) in a class body inside the function, or deleted where it is not bound (``del
x`` of a name the scope assigns is read as the assignment says).

Pure: an ``ast`` tree in, bindings out.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from typing import NamedTuple

from codewalk.calls.records import BUILTIN, CLS, GLOBAL, IMPORT, LOCAL, PARAM, SELF
from codewalk.index.syntax import child_nodes, walk

_BUILTINS = frozenset(dir(builtins))
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
# the node types :meth:`Scopes._visit` reads for what they bind or where they scope (and
# ``Name``); under any other, only the nodes it holds are read
_BINDING = frozenset(
    (
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.Lambda,
        *_COMPREHENSIONS,
        ast.ClassDef,
        ast.Global,
        ast.Nonlocal,
        ast.Import,
        ast.ImportFrom,
        ast.ExceptHandler,
        ast.NamedExpr,
        ast.MatchAs,
        ast.MatchStar,
        ast.MatchMapping,
    )
)


class Binding(NamedTuple):
    root: str  # records.SELF, CLS, PARAM, LOCAL, IMPORT, GLOBAL or BUILTIN
    qualified: str = ""  # IMPORT: the dotted name imported ("..utils.helper"); BUILTIN: the name


class _Scope:
    __slots__ = ("bound", "declared", "imports", "kind", "params", "parent")

    def __init__(self, kind: str, parent: _Scope | None) -> None:
        self.kind = kind  # function | lambda | comprehension | module
        self.parent = parent
        self.params: list[str] = []
        self.bound: set[str] = set()
        self.imports: dict[str, str] = {}  # name -> the dotted name it imports (the first import)
        self.declared: dict[str, bool] = {}  # ``global`` (True) or ``nonlocal`` (False) names


class Scopes:
    """The bindings of the names of one function (``tree``'s only statement).

    ``method``: the function is defined in a class, so its first parameter is the
    instance (or the class) unless it is a ``staticmethod``."""

    def __init__(self, tree: ast.Module, *, method: bool) -> None:
        self.module = _Scope("module", None)
        self.scope_of: dict[int, _Scope] = {}  # id(Name node) -> the scope it is read in
        self.doubtful: set[str] = set()
        self.self_name = ""
        self.self_root = SELF  # CLS in a classmethod
        self._top: _Scope | None = None
        self._deleted: list[tuple[_Scope, str]] = []  # ``del name``, in the scope it is in
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                if method and stmt.args.posonlyargs + stmt.args.args and not _static(stmt):
                    self.self_name = (stmt.args.posonlyargs + stmt.args.args)[0].arg
                    self.self_root = CLS if takes_class(stmt) else SELF
                self._function(stmt, self.module, top=True)
            else:
                self._visit(stmt, self.module)
        # a name deleted where it is also bound (``out = f(); ...; del out``) is that scope's,
        # as the binding says; one deleted but bound nowhere there is in doubt
        for scope, name in self._deleted:
            if name not in scope.bound and name not in scope.params:
                self.doubtful.add(name)

    def bind(self, node: ast.Name) -> Binding | None:
        """How the name ``node`` is bound where it is read; None when it is in doubt."""
        name = node.id
        if name in self.doubtful:
            return None
        scope: _Scope | None = self.scope_of.get(id(node), self.module)
        while scope is not None and scope.kind != "module":
            if name in scope.declared:  # bound at module level, or in a function around it
                if scope.declared[name]:
                    return Binding(GLOBAL)
                scope = scope.parent
                continue
            if name in scope.imports:
                return Binding(IMPORT, scope.imports[name])
            if name in scope.params or name in scope.bound:
                if scope is self._top and name == self.self_name:
                    return Binding(self.self_root)
                return Binding(PARAM if name in scope.params else LOCAL)
            scope = scope.parent
        if name not in self.module.bound and name in _BUILTINS:
            return Binding(BUILTIN, name)
        return Binding(GLOBAL)

    # -- building the scopes ------------------------------------------------------------
    def _function(self, node: FunctionNode | ast.Lambda, outer: _Scope, *, top: bool = False) -> None:
        """A ``def`` or a lambda: decorators, defaults and annotations are read in the
        scope around it; its parameters and body make a scope of its own."""
        args = node.args
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self._visit(default, outer)
        if isinstance(node, ast.Lambda):
            inner = _Scope("lambda", outer)
        else:
            for decorator in node.decorator_list:
                self._visit(decorator, outer)
            for annotation in _annotations(node):
                self._visit(annotation, outer)
            if node.returns is not None:
                self._visit(node.returns, outer)
            outer.bound.add(node.name)
            inner = _Scope("function", outer)
        if top:
            self._top = inner
        params = [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg]
        inner.params = [p.arg for p in params if p is not None]
        body = node.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else [node.body]
        for stmt in body:
            self._visit(stmt, inner)

    def _visit(self, node: ast.AST, scope: _Scope) -> None:
        kind = node.__class__
        if kind is ast.Name:  # most nodes are names, or bind nothing: told apart at once
            self._name(node, scope)  # type: ignore[arg-type]
        elif kind not in _BINDING:
            self._children(node, scope)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            self._function(node, scope)
        elif isinstance(node, _COMPREHENSIONS):
            self._comprehension(node, scope)
        elif isinstance(node, ast.ClassDef):
            scope.bound.add(node.name)
            self._in_doubt(node)  # a class body's own scope rules
            for child in [*node.decorator_list, *node.bases, *node.keywords]:
                self._visit(child, scope)
            for stmt in node.body:
                self._visit(stmt, scope)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            scope.declared.update(dict.fromkeys(node.names, isinstance(node, ast.Global)))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                bound, dotted = _imported(node, alias)
                if bound != "*":
                    scope.bound.add(bound)
                    scope.imports.setdefault(bound, dotted)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            scope.bound.add(node.name)
            self._children(node, scope)
        elif isinstance(node, ast.NamedExpr) and scope.kind == "comprehension":
            owner = scope  # := in a comprehension binds in the function around it
            while owner.kind == "comprehension" and owner.parent is not None:
                owner = owner.parent
            owner.bound.add(node.target.id)
            self._visit(node.value, scope)
        elif isinstance(node, ast.MatchAs | ast.MatchStar | ast.MatchMapping):
            name = node.rest if isinstance(node, ast.MatchMapping) else node.name
            if name:  # a capture pattern binds in the scope of the match
                scope.bound.add(name)
            self._children(node, scope)
        else:
            self._children(node, scope)

    def _name(self, node: ast.Name, scope: _Scope) -> None:
        if isinstance(node.ctx, ast.Store):
            scope.bound.add(node.id)
        elif isinstance(node.ctx, ast.Del):
            self._deleted.append((scope, node.id))
        else:
            self.scope_of[id(node)] = scope

    def _children(self, node: ast.AST, scope: _Scope) -> None:
        for child in child_nodes(node):  # less the expression contexts, which bind nothing
            self._visit(child, scope)

    def _comprehension(self, node: ast.expr, outer: _Scope) -> None:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        inner = _Scope("comprehension", outer)
        for index, generator in enumerate(generators):
            self._visit(generator.iter, outer if index == 0 else inner)
            self._visit(generator.target, inner)
            for condition in generator.ifs:
                self._visit(condition, inner)
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]  # type: ignore[attr-defined]
        for part in parts:
            self._visit(part, inner)

    def _in_doubt(self, node: ast.ClassDef) -> None:
        """Every name a class statement binds (or declares ``global``) is left to libcst,
        but the class's own name: bound in the scope around it, as the ``ast`` pass has it."""
        for inner in walk(node):
            if inner is node:
                continue
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                self.doubtful.add(inner.id)
            elif isinstance(inner, ast.Global | ast.Nonlocal):
                self.doubtful.update(inner.names)
            elif isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.doubtful.add(inner.name)


def _static(node: FunctionNode) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def takes_class(node: FunctionNode) -> bool:
    """A method whose first parameter is the class: a classmethod, or one Python makes
    so (``__new__``, ``__init_subclass__``, ``__class_getitem__``)."""
    if node.name in ("__new__", "__init_subclass__", "__class_getitem__"):
        return True
    return any(isinstance(d, ast.Name) and d.id == "classmethod" for d in node.decorator_list)


def _annotations(node: FunctionNode) -> Iterator[ast.expr]:
    args = node.args
    for arg in [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg]:
        if arg is not None and arg.annotation is not None:
            yield arg.annotation


def _imported(node: ast.Import | ast.ImportFrom, alias: ast.alias) -> tuple[str, str]:
    """(the name bound, the dotted name it imports), as libcst's qualified names say:
    ``import a.b`` binds ``a`` to ``a``; ``import a.b as c``, ``c`` to ``a.b``;
    ``from ..m import x as y``, ``y`` to ``..m.x``."""
    if isinstance(node, ast.Import):
        if alias.asname:
            return alias.asname, alias.name
        first = alias.name.partition(".")[0]
        return first, first
    base = "." * node.level + (node.module or "")
    dotted = f"{base}.{alias.name}" if base and not base.endswith(".") else f"{base}{alias.name}"
    return alias.asname or alias.name, dotted
