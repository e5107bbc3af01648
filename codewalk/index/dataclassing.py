"""What ``dataclass`` and ``field`` say, read from their syntax: which special methods a
``@dataclass(init=False, ...)`` (or ``dataclass(cls, repr=False)``) leaves unmade, and the
value a field's default makes (``field(default_factory=Registry)``: a ``Registry``).
Pure: ``ast`` nodes in, flags and nodes out."""

from __future__ import annotations

import ast

from codewalk.index.records import DATACLASS_MADE
from codewalk.index.syntax import BUILTIN_NAMES, dotted

_KEYWORDS = {"init": "__init__", "repr": "__repr__", "eq": "__eq__"}


def names_dataclass(name: str) -> bool:
    """A dotted decorator or function name that is ``dataclass`` (``dataclasses.dataclass``)."""
    return name.rpartition(".")[2] == "dataclass"


def unmade(node: ast.expr) -> int:
    """The ``NO_DATACLASS_*`` flags of a ``dataclass(...)`` call's keywords written
    ``False`` (a bare ``@dataclass`` makes every one: 0)."""
    if not isinstance(node, ast.Call):
        return 0
    flags = 0
    for keyword in node.keywords:
        member = _KEYWORDS.get(keyword.arg or "")
        if member and isinstance(keyword.value, ast.Constant) and keyword.value.value is False:
            flags |= DATACLASS_MADE[member]
    return flags


def field_default(value: ast.expr | None) -> ast.expr | None:
    """What a class body's ``x = field(...)`` holds by default, as an expression of it:
    ``Registry()`` for ``default_factory=Registry`` (or a lambda's body), the ``default=``
    value; ``value`` itself when it is no ``field(...)`` call; None when the field says
    nothing (``field(init=False)``)."""
    if not (isinstance(value, ast.Call) and dotted(value.func).rpartition(".")[2] == "field"):
        return value
    for keyword in value.keywords:
        if keyword.arg == "default":
            return keyword.value
        if keyword.arg == "default_factory":
            factory = keyword.value
            if isinstance(factory, ast.Lambda):
                return factory.body
            if isinstance(factory, ast.Name) and factory.id in BUILTIN_NAMES:
                return None  # list, dict: the annotation says what it holds
            return ast.Call(func=factory, args=[], keywords=[])
    return None
