"""What a local annotated with a container holds (transformers'
``param_name_to_load: dict[str, WeightRenaming | WeightConverter] = {}``): its elements
(a mapping's values) are instances of the classes the annotation names, or of classes
deriving from them, as an item of it, ``get``, ``setdefault``, ``pop`` and a loop over
it (its ``values()``, its ``items()``) give them; its own methods are the builtin
container's (``dict.setdefault``), as are those of a local assigned a literal
(``x = {k: v for ...}``: ``x.update`` is ``dict.update``) or a call of the builtin class
(``x = set()``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from codewalk.calls.model import BUILTIN, RESOLVED, Body
from codewalk.calls.reach import Reacher
from codewalk.calls.reached import Reach, unresolved
from codewalk.calls.records import BUILTIN as BUILTIN_ROOT
from codewalk.calls.records import HOLDING, CallFacts, Origin
from codewalk.index.records import ANNOTATED
from codewalk.resolve.model import Resolved, to_resolved
from codewalk.resolve.types import parse

ELEMENT_METHODS = frozenset(("get", "setdefault", "pop"))  # a container's methods that return an element
# the builtin class behind a container annotation, by the name written
_BUILTIN = {
    "dict": dict, "Dict": dict, "OrderedDict": dict, "defaultdict": dict, "DefaultDict": dict,
    "Mapping": dict, "MutableMapping": dict, "list": list, "List": list, "Sequence": list,
    "MutableSequence": list, "set": set, "Set": set, "tuple": tuple, "Tuple": tuple,
}  # fmt: skip
_MADE = ("dict", "list", "set", "tuple")  # the builtin classes a call (``set()``) makes one of
_OUTER = re.compile(r"\b(" + "|".join(_BUILTIN) + r")\[")


def is_container(o: Origin) -> bool:
    """``o`` is a local's annotation naming a container of instances (``dict[A|B]``)."""
    return o.kind == "annotated" and o.name.expr.startswith(HOLDING)


def written(o: Origin, name: str) -> str:
    """The annotation of a local as the code writes it: ``x: dict[str, A | B]``."""
    said = o.text.split("=", 1)[0].strip()
    return said if said.startswith(f"{name}:") else f"{name}: {o.name.expr}"


def container_member(o: Origin, name: str, member: Sequence[str]) -> Reach:
    """``x.setdefault`` where the local ``x`` is annotated with a container: the builtin
    container's method (``dict.setdefault``), else what is known."""
    annotation = written(o, name)
    outer = _OUTER.search(annotation.partition(":")[2])
    kind = _BUILTIN[outer.group(1)] if outer is not None else None
    if kind is not None and len(member) == 1 and hasattr(kind, member[0]):
        how = f"{kind.__name__}.{member[0]}, a Python builtin ({annotation}, line {o.line})"
        return Reach((), how, BUILTIN)
    return unresolved(f"{'.'.join(member) or name} of a container ({annotation}, line {o.line})")


def is_literal(o: Origin) -> bool:
    """``o`` is a literal dict, list, set or tuple (a comprehension too): ``x = {}``; or
    a call of one of those builtin classes: ``x = set()``."""
    if o.kind == "call":
        return o.name.root == BUILTIN_ROOT and o.name.expr in _MADE
    return o.kind == "literal" and o.name.expr in _BUILTIN


def literal_member(o: Origin, member: Sequence[str]) -> Reach:
    """``x.update`` where the local ``x`` was assigned a literal (``x = {k: v for ...}``):
    the builtin's method (``dict.update``), else what is known."""
    kind = _BUILTIN[o.name.expr]
    if len(member) == 1 and hasattr(kind, member[0]):
        return Reach((), f"{kind.__name__}.{member[0]}, a Python builtin", BUILTIN)
    return unresolved(f"{'.'.join(member)} of a {kind.__name__}" if member else f"a {kind.__name__}")


def annotated_elements(r: Reacher, body: Body, facts: CallFacts, name: str, line: int) -> Reach | None:
    """An element of the local ``name`` used on ``line``, as the container annotations
    that reach that line say: an instance of each class they name (or of a class
    deriving from it); None when none does."""
    place = r.view(body)
    if place is None:
        return None
    resolver, view = place
    out: list[Resolved] = []
    for o in facts.bound(name, body.scope, line):
        if not is_container(o):
            continue
        how = f"an element of {written(o, name)} (annotated at {view.path}:{o.line})"
        for class_name in parse(ANNOTATED + o.name.expr).elements:
            hits = resolver.ns.lookup(view, class_name.split("."), (), 0)
            out.extend(
                to_resolved(h, resolver.facts.repo)._replace(via=how, receiver="")
                for h in hits[:1]
                if h.definition.kind == "class"
            )
    if not out:
        return None
    return Reach(tuple(out), out[0].via, RESOLVED, instance=True, loose=True)
