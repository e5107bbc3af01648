"""Where a parameter no longer holds what the caller passed: the reads of it that every
way through the function reaches only after the body assigned it again.

peft's ``PeftModel.from_pretrained(cls, model: nn.Module, ...)`` assigns ``model = cls(model,
...)`` under an ``if`` and ``model = MAPPING[...](model, ...)`` under its ``else``: the
``model.load_adapter(...)`` after them never sees the ``nn.Module`` that came in, so its
annotation is no candidate there. A definite-assignment walk over the statements, in
order: an ``if`` assigns a name when both of its arms do (an arm that returns, raises,
breaks or continues counts as assigning everything: no way goes on from it); a loop's body
or an ``except`` may not run, so what they assign is not counted after them; a ``with ...
as x`` and an unpacking assign their names. A read inside a function or class defined in
the body, or in a lambda, is left out (it may run at any time); each function defined in
the body is walked for its own parameters, keyed by its scope (``inner.<locals>.x``).

Pure: a parsed function in, lines out.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from codewalk.calls.records import LOCALS

_Function = ast.FunctionDef | ast.AsyncFunctionDef
_ENDS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
Lines = dict[str, set[int]]


def rebound(function: _Function, line: Callable[[int], int], scope: str = "") -> dict[str, tuple[int, ...]]:
    """For each parameter of ``function`` (and of the functions it defines, keyed by their
    scope) the body assigns again: the file lines (``line`` maps a parsed line to the
    file's) where every read of it comes after such an assignment, whichever way the run
    went. A line that also holds a read the given value may reach is left out."""
    walk = _Walk(_parameters(function))
    walk.block(function.body, frozenset())
    out: dict[str, tuple[int, ...]] = {}
    for name, lines in walk.after.items():
        kept = sorted({line(n) for n in lines - walk.before.get(name, set())})
        if kept:
            out[scope + name] = tuple(kept)
    for node in walk.nested:
        out.update(rebound(node, line, f"{scope}{node.name}{LOCALS}"))
    return out


def _parameters(function: _Function) -> frozenset[str]:
    a = function.args
    names = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
    names += [p.arg for p in (a.vararg, a.kwarg) if p is not None]
    return frozenset(names)


_ALL = frozenset(("*",))  # what a block that never goes on assigns: everything


class _Walk:
    def __init__(self, params: frozenset[str]) -> None:
        self.params = params
        self.after: Lines = {}  # parameter -> lines of reads after an assignment on every way
        self.before: Lines = {}  # parameter -> lines of reads the given value may reach
        self.nested: list[_Function] = []

    def block(self, statements: list[ast.stmt], assigned: frozenset[str]) -> frozenset[str]:
        """What is assigned on every way out of ``statements``, entered with ``assigned``
        (:data:`_ALL` when no way goes on past them)."""
        for node in statements:
            assigned = self.statement(node, assigned)
            if assigned is _ALL:
                return _ALL
        return assigned

    def statement(self, node: ast.stmt, assigned: frozenset[str]) -> frozenset[str]:
        if isinstance(node, _ENDS):
            self.reads(node, assigned)
            return _ALL
        if isinstance(node, ast.If):
            self.reads(node.test, assigned)
            return _both(self.block(node.body, assigned), self.block(node.orelse, assigned))
        if isinstance(node, ast.For | ast.AsyncFor | ast.While):
            self.reads(node.iter if not isinstance(node, ast.While) else node.test, assigned)
            inside = assigned | self.targets(getattr(node, "target", None))
            self.block(node.body, inside)
            self.block(node.orelse, assigned)
            return assigned
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                self.reads(item.context_expr, assigned)
                assigned = assigned | self.targets(item.optional_vars)
            return self.block(node.body, assigned)
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":  # except* alike (3.11)
            return self.tried(node, assigned)
        if isinstance(node, ast.Match):
            self.reads(node.subject, assigned)
            for case in node.cases:
                self.block(case.body, assigned)
            return assigned
        if isinstance(node, _Function):
            self.nested.append(node)
            return assigned
        if isinstance(node, ast.ClassDef):
            return assigned
        self.reads(node, assigned)
        if isinstance(node, ast.Assign):
            return assigned | frozenset().union(*(self.targets(t) for t in node.targets))
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            return assigned | self.targets(node.target)
        return assigned

    def tried(self, node: ast.stmt, assigned: frozenset[str]) -> frozenset[str]:
        """A ``try``: its body and ``else:`` on one way, each handler (entered from
        anywhere in the body, so with what came in) on another; its ``finally:`` read."""
        out = self.block([*getattr(node, "body", ()), *getattr(node, "orelse", ())], assigned)
        for handler in getattr(node, "handlers", ()):
            out = _both(out, self.block(handler.body, assigned))
        self.block(getattr(node, "finalbody", []), assigned)
        return out

    def targets(self, target: ast.expr | None) -> frozenset[str]:
        """The parameters ``target`` assigns (a name, or names unpacked)."""
        if isinstance(target, ast.Name):
            return frozenset((target.id,)) & self.params
        if isinstance(target, ast.Tuple | ast.List):
            return frozenset().union(*(self.targets(t) for t in target.elts))
        if isinstance(target, ast.Starred):
            return self.targets(target.value)
        return frozenset()

    def reads(self, node: ast.AST, assigned: frozenset[str]) -> None:
        """Note each read of a parameter in ``node`` (not in what it defines to run later)."""
        stack = [node]
        while stack:
            here = stack.pop()
            if isinstance(here, _Function | ast.ClassDef | ast.Lambda):
                continue
            if isinstance(here, ast.Name) and here.id in self.params and isinstance(here.ctx, ast.Load):
                kept = self.after if here.id in assigned else self.before
                kept.setdefault(here.id, set()).add(here.lineno)
            stack.extend(ast.iter_child_nodes(here))


def _both(one: frozenset[str], other: frozenset[str]) -> frozenset[str]:
    """What two ways assign both (a way that never goes on assigns everything)."""
    if one is _ALL:
        return other
    if other is _ALL:
        return one
    return one & other
