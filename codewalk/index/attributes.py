"""What the methods of a class set on ``self``, statement by statement, with the type each
gives (:mod:`codewalk.index.declared`): ``self.x = value``, and the calls that set one:

- ``self.set_processor(processor)``, where the class's own ``set_processor`` assigns its
  parameter to ``self.processor`` (diffusers' ``Attention``, which picks its default
  processor in ``__init__``): ``self.processor`` holds what the call passes, as the calling
  method made it (``processor = AttnProcessor2_0() if ... else AttnProcessor()``);
- ``self.register_modules(unet=unet)``: ``self.unet`` holds ``unet`` where the method sets
  its keywords as attributes: said here when the class defines it; when a base does, the
  attribute is flagged (:data:`~codewalk.index.records.SET_BY_CALL`) and the resolver,
  which reads the whole class hierarchy, decides when the name is looked up.

Pure: ``ast`` nodes in, tuples out.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from codewalk.index.bindings import sets_keywords
from codewalk.index.declared import (
    class_like,
    declared,
    filled_lists,
    made_from_table,
    parameters,
    unpacked,
    unpacking,
)
from codewalk.index.records import ANNOTATED, SET_BY_CALL, Definition
from codewalk.index.syntax import FunctionNode, statements

Held = Callable[[ast.expr], str]  # the type text of a value, where the method has it


class Setter(NamedTuple):
    """A method's ``self.attribute = parameter``: what calling it sets."""

    attribute: str
    position: int  # the parameter's position after ``self`` (-1: keyword-only)
    parameter: str


class Set(NamedTuple):
    """What one statement sets on ``self``."""

    stmt: ast.stmt
    attribute: str
    at: tuple[int, int]  # the line and column of the name (or of the value passed)
    held: str  # the type text it is given
    flags: int  # SET_BY_CALL: set only if the method called sets its keywords


class Calling(NamedTuple):
    """What calling a method the class defines sets on ``self``."""

    setters: list[Setter]  # the attributes it assigns its parameters to
    keywords: bool  # it sets each keyword it is given (``register_modules``)


class Setters:
    """The methods of a class, each read for what it sets when a call names it (most
    methods are never called on ``self`` in the class)."""

    def __init__(self, methods: Sequence[FunctionNode]) -> None:
        self._methods = {node.name: node for node in methods}
        self._read: dict[str, Calling] = {}

    def get(self, name: str) -> Calling | None:
        """What calling the method ``name`` sets; None when the class defines no such
        method (a base may: then whether it sets its keywords is the resolver's to say)."""
        node = self._methods.get(name)
        if node is None:
            return None
        if name not in self._read:
            self._read[name] = Calling(_setters_of(node), sets_keywords(node))
        return self._read[name]


def _setters_of(node: FunctionNode) -> list[Setter]:
    """``self.x = parameter`` in a method, for a parameter it never rebinds (``p =
    wrap(p)`` first: then not what the caller passed); a keyword-only one has no position."""
    args = node.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    if not positional:
        return []
    me, given = positional[0], positional[1:]
    rebound = {
        t.id
        for stmt in statements(node.body)
        if isinstance(stmt, ast.Assign | ast.AugAssign | ast.AnnAssign)
        for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
        if isinstance(t, ast.Name)
    }
    parameters = {name: index for index, name in enumerate(given)} | {a.arg: -1 for a in args.kwonlyargs}
    found: list[Setter] = []
    for stmt in statements(node.body):
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Name)):
            continue
        name = stmt.value.id
        if name not in parameters or name in rebound:
            continue
        for target in stmt.targets:
            if isinstance(target, ast.Attribute) and _is_name(target.value, me):
                found.append(Setter(target.attr, parameters[name], name))
    return found


def instance_sets(
    node: FunctionNode, me: str, calls_setting: Setters, classes: Mapping[str, str] | None = None
) -> Iterator[Set]:
    """In source order, what each statement of method ``node`` sets on ``me``; a call of
    one of ``calls_setting`` (the class's :class:`Setters`) sets what that method assigns;
    a list the method fills (``self.layers.append(X(...))``) holds what it puts in.
    ``classes``: the names the class body binds to a class (``config_class =
    GenerationConfig``, ``config_class: type[GenerationConfig]``), each with that class:
    ``self.config_class(...)`` makes one of it (or of a class deriving from it, which a
    class deriving from this one may name instead), ``self.config_class.load(...)`` holds
    what its ``load`` returns."""
    lists: list[dict[str, list[str]]] = []

    def filled() -> dict[str, list[str]]:
        if not lists:  # read when first asked: most methods set nothing on ``self``
            lists.append(filled_lists(node.body))
        return lists[0]

    for found in _sets(node, me, calls_setting, filled, classes or {}):
        filled_with = filled().get(f"{me}.{found.attribute}")
        if filled_with and "[" not in found.held and not found.held.startswith(ANNOTATED):
            found = found._replace(held=f"{found.held or 'list'}[{'|'.join(filled_with)}]")
        yield found


def _sets(
    node: FunctionNode,
    me: str,
    calls_setting: Setters,
    filled: Callable[[], dict[str, list[str]]],
    classes: Mapping[str, str],
) -> Iterator[Set]:
    params = parameters(node)
    values: dict[str, list[ast.expr]] = {}

    def local_values() -> dict[str, list[ast.expr]]:
        if not values:  # read when first asked (most methods need none)
            values.update(_local_values(node.body) or {"": []})  # {"": []}: read, and none
        return values

    def held(value: ast.expr) -> str:
        """The type ``value`` has; a local, the types of what the method assigns it."""
        if not isinstance(value, ast.Name) or value.id not in local_values():
            return declared(value, None, filled(), params)
        types = [declared(v, None, filled(), params) for v in values[value.id]]
        if value.id in params:  # ``processor: X | None = None``, replaced when None
            types.append(declared(value, None, filled(), params))
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
                picked = _picked(stmt.value, local_values) if annotation is None else ""  # annotated: as said
                picked = picked or (_made_by_held(stmt.value, me, classes) if annotation is None else "")
                given = picked or declared(stmt.value, annotation, filled(), params)
                if not given and isinstance(stmt.value, ast.Name):  # a local: what the method assigns it
                    given = held(stmt.value)
            else:  # self.optimizer, self.lr_scheduler = optimizers: kept where it says a type
                given = unpacked(stmt.value, part, filled(), params)
                if not given:
                    continue
            yield Set(stmt, target.attr, (stmt.lineno, target.col_offset), given, 0)


def _set_by(stmt: ast.stmt, call: ast.Call, calling: Calling | None, held: Held) -> Iterator[Set]:
    """What ``self.M(...)`` sets: where the class defines ``M`` (``calling``), the
    attributes ``M`` assigns its parameters to, and each keyword if it sets its keywords;
    where it does not, each keyword, flagged: a base's ``M`` may set it."""
    if calling is None or calling.keywords:
        flags = SET_BY_CALL if calling is None else 0
        for keyword in call.keywords:
            given = held(keyword.value) if keyword.arg is not None else ""
            if keyword.arg is not None and given:
                yield Set(stmt, keyword.arg, (keyword.lineno, keyword.col_offset), given, flags)
    if calling is None:
        return
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    starred = next((n for n, arg in enumerate(call.args) if isinstance(arg, ast.Starred)), len(call.args))
    for setter in calling.setters:
        if 0 <= setter.position < len(call.args):  # passed by position: known up to a *args
            value = call.args[setter.position] if setter.position < starred else None
        else:
            value = keywords.get(setter.parameter)
        given = held(value) if value is not None else ""
        if value is not None and given:  # an untyped value says nothing the method's own assignment does not
            yield Set(stmt, setter.attribute, (value.lineno, value.col_offset), given, 0)


def _picked(value: ast.expr | None, local_values: Callable[[], dict[str, list[ast.expr]]]) -> str:
    """``local(...)`` where the method assigns ``local`` a table's item, and nothing else
    (``attention_class = GPT2_ATTENTION_CLASSES[...]``, then ``self.attn =
    attention_class(...)``): an instance of a class the table holds."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)):
        return ""
    if value.func.id[:1].isupper():  # a class (the locals are read only for a name in lower case)
        return ""
    assigned = local_values().get(value.func.id, [])
    items = [v for v in assigned if isinstance(v, ast.Subscript)]
    if not items or len(items) != len(assigned):
        return ""
    return "|".join(dict.fromkeys(t for item in items for t in made_from_table(item)))


def _made_by_held(value: ast.expr | None, me: str, classes: Mapping[str, str]) -> str:
    """``self.K(...)`` or ``self.K.m(...)``, where the class body binds ``K`` to a class
    (``classes``): an instance of it or of a class deriving from it (a class deriving from
    this one may bind ``K`` to one), or what its ``m`` returns (``C.m()``)."""
    if not isinstance(value, ast.Call):
        return ""
    func = value.func
    if isinstance(func, ast.Attribute) and _is_name(func.value, me):
        held = classes.get(func.attr, "")
        return ANNOTATED + held if held else ""
    owner = func.value if isinstance(func, ast.Attribute) else None
    if isinstance(func, ast.Attribute) and isinstance(owner, ast.Attribute) and _is_name(owner.value, me):
        held = classes.get(owner.attr, "")
        return f"{held}.{func.attr}()" if held else ""
    return ""


def _local_values(body: list[ast.stmt]) -> dict[str, list[ast.expr]]:
    """What a method assigns each of its plain names (``processor = ...``)."""
    found: dict[str, list[ast.expr]] = {}
    for stmt in statements(body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            found.setdefault(stmt.targets[0].id, []).append(stmt.value)
    return found


def held_classes(body: Iterable[Definition]) -> dict[str, str]:
    """The names a class body binds to a class, each with the class as written (``config_class
    = GenerationConfig``, an alias; ``config_class: type[GenerationConfig]``, annotated)."""
    found: dict[str, str] = {}
    for d in body:
        if d.kind == "alias" and class_like(d.target):
            found[d.name] = d.target
        elif d.kind == "variable":
            named = d.target.removeprefix(ANNOTATED)
            inner = named[5:-1] if named.startswith("type[") and named.endswith("]") else ""
            if inner and "|" not in inner and "[" not in inner:
                found[d.name] = inner
    return found


def another_type(given: list[str], held: str) -> bool:
    """A later ``self.x = ...`` holding ``held`` says something its earlier ones did not
    (the types they were ``given``): a type none of them has, also where the earlier ones
    said none (transformers' ``self.generation_config = self.generation_config.from_dict(...)``
    before ``GenerationConfig.from_pretrained(...)``: each may be what it holds); a first
    ``self.x = None`` is replaced by the extractor, not added to. A class made
    where it was annotated (``self.cache: Cache | None = None``, then ``Cache()``) is none."""
    plain = held.removeprefix(ANNOTATED)
    return bool(held) and plain not in (g.removeprefix(ANNOTATED) for g in given)


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
