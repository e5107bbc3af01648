"""How conditional each place of one function body is: the code under an ``if``, its
``else``, an ``except``, a ``case`` or a loop's body, each a branch of its own.

A call on the function's main line runs whenever the function does; one in a branch only
when the run goes that way. ``path`` lists a route through main-line calls before one
through branches. What is *not* a branch: the test of an ``if`` (it runs to decide), a
``try:`` body and its ``finally:`` (they run unless an exception is raised), a ``with``
body (it runs whenever the statement does), a loop's ``else:`` (it runs once, after it),
the body of a function defined in a branch (it runs when called: its own main line), the
rest of a body after a guard (``if x: return``, then the rest: a reader reads the guard as
a precondition and the rest as the function; half of ``generate``'s calls follow an early
exit a run rarely takes) -- but for a guard that returns when a parameter the function
may be called without is ``None`` (``def f(self, trial=None)``, or annotated ``... |
None``; ``if trial is None: return``, alone or among ``or``'s tests, at the top level of
the body): the rest runs only when a caller passes that parameter, a branch.

Pure: the body's ``ast`` in (positions mapped to the file by the caller), regions out.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

Point = tuple[int, int]  # a file line (1-based) and column (0-based characters)

IF = "if"  # the body of an ``if`` or ``elif``
ELSE = "else"  # the ``else:`` of an ``if`` (an ``elif`` too is in it)
EXCEPT = "except"  # a ``try``'s handler
CASE = "case"  # a ``match``'s case
LOOP = "loop"  # a ``for`` or ``while`` body (it may run no time)
GUARD = "guard"  # the rest of a body after ``if p is None: return``, ``p`` an optional parameter


class Branch(NamedTuple):
    """Where the code from ``start`` to ``end`` is conditional: ``kind`` (one of the
    constants above), and the line of the statement that makes it so (the ``if``, the
    ``except``, the loop's header)."""

    start: Point
    end: Point
    kind: str
    line: int


_SAID = {
    IF: "under the if at line {}",
    ELSE: "in the else of the if at line {}",
    EXCEPT: "in the except at line {}",
    CASE: "in the case at line {}",
    LOOP: "in the loop at line {}",
    GUARD: "after the early return at line {}",
}


def said(kind: str, line: int) -> str:
    """A branch as a reader is told it ("under the if at line 2907"); "" for the main line."""
    return _SAID[kind].format(line) if kind in _SAID else ""


def branches(tree: ast.Module, position: Callable[[int, int], Point]) -> list[Branch]:
    """The branches of ``tree``, nested ones included (its statements only: what an
    expression runs is where its statement is); ``position`` maps a line and byte offset
    of the parsed text to the file's line and column."""
    out: list[Branch] = []
    for kind, line, block in _blocks(tree.body):
        first, last = block[0], block[-1]
        start = position(first.lineno, first.col_offset)
        end = position(last.end_lineno or last.lineno, last.end_col_offset or 0)
        out.append(Branch(start, end, kind, position(line, 0)[0]))
    return out


def innermost(found: Sequence[Branch], at: Point) -> Branch | None:
    """The innermost of ``found`` holding ``at`` (None: ``at`` is on the main line, its
    function's: a function defined in a branch has a main line of its own)."""
    holding = [b for b in found if b.start <= at < b.end]
    inner = max(holding, key=lambda b: (b.start, (-b.end[0], -b.end[1])), default=None)
    return inner if inner is not None and inner.kind != _OWN else None


_Block = tuple[str, int, list[ast.stmt]]
_OWN = ""  # the body of a function defined in the one read: its own main line, not a branch


def _blocks(statements: list[ast.stmt]) -> Iterator[_Block]:
    """The conditional blocks in ``statements`` and in those nested in them (each
    non-empty), with their kind and line; the body of a ``def`` as ``_OWN``, and the rest
    of it after a guard on an optional parameter (:func:`_guarded`) as ``GUARD``."""
    for node in statements:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _guarded(node)
        if isinstance(node, ast.If):
            yield IF, node.lineno, node.body
            if node.orelse:
                yield ELSE, node.lineno, node.orelse
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            yield LOOP, node.lineno, node.body
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):  # runs when called
            yield _OWN, node.lineno, node.body
        for handler in getattr(node, "handlers", ()):  # a try's (or a try/except*'s)
            yield EXCEPT, handler.lineno, handler.body
            yield from _blocks(handler.body)
        for case in getattr(node, "cases", ()):  # a match's
            yield CASE, case.pattern.lineno, case.body
            yield from _blocks(case.body)
        for field in ("body", "orelse", "finalbody"):  # the statements nested in it
            nested = getattr(node, field, None)
            if isinstance(nested, list) and nested:
                yield from _blocks(nested)


def _guarded(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[_Block]:
    """The rest of ``function``'s body after its first guard ``if p is None: return``
    (``p`` among the tests of an ``or``, an ``if`` without ``else``), ``p`` a parameter the
    function may be called without: one defaulting to ``None`` or annotated ``... | None``
    (``Optional[...]``)."""
    optional = _optional_parameters(function.args)
    body = function.body
    for at, node in enumerate(body[:-1]):
        if (
            isinstance(node, ast.If)
            and not node.orelse
            and isinstance(node.body[-1], ast.Return)
            and optional & _tested_none(node.test)
        ):
            yield GUARD, node.lineno, body[at + 1 :]
            return


def _optional_parameters(args: ast.arguments) -> set[str]:
    """The parameters that default to ``None`` or are annotated to be ``None`` too."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    pairs = [*zip(positional, [*defaults, *args.defaults], strict=True)]
    pairs += zip(args.kwonlyargs, args.kw_defaults, strict=True)
    return {
        arg.arg
        for arg, default in pairs
        if (isinstance(default, ast.Constant) and default.value is None) or _may_be_none(arg.annotation)
    }


def _may_be_none(annotation: ast.expr | None) -> bool:
    """``X | None``, ``Optional[X]``, ``"X | None"`` (a string read as written)."""
    if annotation is None:
        return False
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        text = annotation.value.replace(" ", "")
        return text.endswith("|None") or text.startswith(("None|", "Optional["))
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return any(_may_be_none(side) or _is_none(side) for side in (annotation.left, annotation.right))
    if isinstance(annotation, ast.Subscript):
        base = annotation.value
        return (isinstance(base, ast.Name) and base.id == "Optional") or (
            isinstance(base, ast.Attribute) and base.attr == "Optional"
        )
    return False


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _tested_none(test: ast.expr) -> set[str]:
    """The names ``test`` returns on when ``None``: ``p is None``, each of an ``or``'s."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return {name for value in test.values for name in _tested_none(value)}
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is)
        and _is_none(test.comparators[0])
    ):
        return {test.left.id}
    return set()
