"""What the methods of a class set on ``self``, statement by statement, with the type each
gives (:mod:`codewalk.index.declared`): ``self.x = value``, and the calls that set one:

- ``self.set_processor(processor)``, where the class's own ``set_processor`` assigns its
  parameter to ``self.processor`` (diffusers' ``Attention``, which picks its default
  processor in ``__init__``): ``self.processor`` holds what the call passes, as the calling
  method made it (``processor = AttnProcessor2_0() if ... else AttnProcessor()``);
- ``self.register_modules(unet=unet)``: ``self.unet`` holds ``unet``, if the method sets its
  keywords as attributes, which only the whole class hierarchy can say
  (:data:`~codewalk.index.records.SET_BY_CALL`, checked when the name is looked up).

Pure: ``ast`` nodes in, tuples out.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from codewalk.index.declared import ANNOTATED, declared, filled_lists, parameters, unpacked, unpacking
from codewalk.index.records import SET_BY_CALL
from codewalk.index.syntax import FunctionNode, statements

Held = Callable[[ast.expr], str]  # the type text of a value, where the method has it


class Setter(NamedTuple):
    """A method's ``self.attribute = parameter``: what calling it sets."""

    attribute: str
    position: int  # the parameter's position after ``self``
    parameter: str


class Set(NamedTuple):
    """What one statement sets on ``self``."""

    stmt: ast.stmt
    attribute: str
    at: tuple[int, int]  # the line and column of the name (or of the value passed)
    held: str  # the type text it is given
    flags: int  # SET_BY_CALL: set only if the method called sets its keywords


class Setters:
    """The methods of a class that assign a parameter of theirs to an attribute, each read
    when a call names it (most methods are never called on ``self`` in the class)."""

    def __init__(self, methods: Sequence[FunctionNode]) -> None:
        self._methods = {node.name: node for node in methods}
        self._read: dict[str, list[Setter]] = {}

    def get(self, name: str) -> list[Setter] | None:
        """What calling the method ``name`` sets; None when it sets nothing (or the class has none)."""
        if name not in self._read:
            node = self._methods.get(name)
            self._read[name] = _setters_of(node) if node is not None else []
        return self._read[name] or None


def _setters_of(node: FunctionNode) -> list[Setter]:
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
    if len(params) < 2:
        return []
    me, given = params[0], params[1:]
    found: list[Setter] = []
    for stmt in statements(node.body):
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Name)):
            continue
        if stmt.value.id not in given:
            continue
        for target in stmt.targets:
            if isinstance(target, ast.Attribute) and _is_name(target.value, me):
                found.append(Setter(target.attr, given.index(stmt.value.id), stmt.value.id))
    return found


def instance_sets(node: FunctionNode, me: str, calls_setting: Setters) -> Iterator[Set]:
    """In source order, what each statement of method ``node`` sets on ``me``; a call of
    one of ``calls_setting`` (the class's :class:`Setters`) sets what that method assigns;
    a list the method fills (``self.layers.append(X(...))``) holds what it puts in."""
    lists = filled_lists(node.body)
    for found in _sets(node, me, calls_setting, lists):
        filled = lists.get(f"{me}.{found.attribute}")
        if filled and "[" not in found.held and not found.held.startswith(ANNOTATED):
            found = found._replace(held=f"{found.held or 'list'}[{'|'.join(filled)}]")
        yield found


def _sets(node: FunctionNode, me: str, calls_setting: Setters, lists: dict[str, list[str]]) -> Iterator[Set]:
    params = parameters(node)
    values: dict[str, list[ast.expr]] = {}

    def held(value: ast.expr) -> str:
        """The type ``value`` has; a local, the types of what the method assigns it."""
        if not values:
            values.update(_local_values(node.body) or {"": []})  # read once, when first asked
        if not isinstance(value, ast.Name) or value.id not in values:
            return declared(value, None, lists, params)
        types = [declared(v, None, lists, params) for v in values[value.id]]
        if value.id in params:  # ``processor: X | None = None``, replaced when None
            types.append(declared(value, None, lists, params))
        plain = "|".join(
            dict.fromkeys(part for t in types if t for part in t.removeprefix(ANNOTATED).split("|"))
        )
        return ANNOTATED + plain if plain and any(t.startswith(ANNOTATED) for t in types) else plain

    for stmt in statements(node.body, into_functions=True):
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        method = call.func if isinstance(call, ast.Call) else None
        if isinstance(call, ast.Call) and isinstance(method, ast.Attribute) and _is_name(method.value, me):
            yield from _set_by(stmt, call, calls_setting.get(method.attr), held)
        if not isinstance(stmt, ast.Assign | ast.AnnAssign):
            continue
        annotation = stmt.annotation if isinstance(stmt, ast.AnnAssign) else None
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target, part in (pair for t in targets for pair in unpacking(t)):
            if not (isinstance(target, ast.Attribute) and _is_name(target.value, me)):
                continue
            if part < 0:
                given = declared(stmt.value, annotation, lists, params)
            else:  # self.optimizer, self.lr_scheduler = optimizers: kept where it says a type
                given = unpacked(stmt.value, part, lists, params)
                if not given:
                    continue
            yield Set(stmt, target.attr, (stmt.lineno, target.col_offset), given, 0)


def _set_by(stmt: ast.stmt, call: ast.Call, setting: list[Setter] | None, held: Held) -> Iterator[Set]:
    """What ``self.M(...)`` sets: the attributes ``M`` assigns its parameters to, where the
    class defines ``M`` (``setting``); else each keyword, if ``M`` sets its keywords."""
    if setting is None:
        for keyword in call.keywords:
            if keyword.arg is not None:
                at = (keyword.lineno, keyword.col_offset)
                yield Set(stmt, keyword.arg, at, held(keyword.value), SET_BY_CALL)
        return
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    for setter in setting:
        value = (
            call.args[setter.position] if setter.position < len(call.args) else keywords.get(setter.parameter)
        )
        if value is None or isinstance(value, ast.Starred):
            continue
        given = held(value)
        if given:  # an untyped value says nothing the method's own assignment does not
            yield Set(stmt, setter.attribute, (value.lineno, value.col_offset), given, 0)


def _local_values(body: list[ast.stmt]) -> dict[str, list[ast.expr]]:
    """What a method assigns each of its plain names (``processor = ...``)."""
    found: dict[str, list[ast.expr]] = {}
    for stmt in statements(body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            found.setdefault(stmt.targets[0].id, []).append(stmt.value)
    return found


def another_type(given: list[str], held: str) -> bool:
    """A later ``self.x = ...`` holding ``held`` says something its earlier ones did not
    (the types they were ``given``): a type none of them has, where the first had one
    (after ``self.x = None`` the later assignments are left as before). A class made
    where it was annotated (``self.cache: Cache | None = None``, then ``Cache()``) is none."""
    plain = held.removeprefix(ANNOTATED)
    return bool(held) and all(given) and plain not in (g.removeprefix(ANNOTATED) for g in given)


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
