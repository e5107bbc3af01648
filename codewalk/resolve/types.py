"""The class an attribute, a variable or a property holds, as its source declares it
(the index's type text, :mod:`codewalk.index.declared`; a property's or a function's
return annotation): ``self.config.vocab_size`` goes on from ``config`` to the class its
annotation or constructor names; ``for layer in self.layers`` to the class of the
elements ``nn.ModuleList([...])`` was built with."""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

import functools
import re
from typing import TYPE_CHECKING, NamedTuple

from codewalk.index.records import ANNOTATED, SET_BY_CALL, Definition
from codewalk.resolve.model import Hit

if TYPE_CHECKING:
    import ast

_CALLED = r"\w+\.(\w+)\s*\("  # the method of ``self.M(x=...)``, as its line begins
_ANNOTATES = r"[\w.]+\s*:(?!=)"  # ``self.x: T = ...``, ``X: T``: the line annotates its target
_HELD_CALLED = r"\w+\.\w+\s*=\s*(\w+\.\w+)\("  # ``self.x = self.config_class(``
_CONTAINERS = ("list", "dict", "ModuleList", "Sequential", "ModuleDict", "ParameterList", "tuple")


class Declared(NamedTuple):
    """What a declaration says a name holds."""

    classes: tuple[str, ...] = ()  # an instance of one of these (names as written in its module)
    elements: tuple[str, ...] = ()  # a container of instances of these
    held: tuple[str, ...] = ()  # the class itself (``type[X]``)
    annotated: bool = False  # only annotated: an instance of one of them or of a class deriving from one
    element_classes: tuple[str, ...] = ()  # a container of classes (``dict[K, type[X]]``)
    # an instance of a class an item of a table holds: (the table's name, the key the code
    # names or ""), for ``TABLE[key](...)``
    made_from: tuple[tuple[str, str], ...] = ()


def declared(d: Definition) -> Declared:
    """What an attribute, a variable, a property or a function is declared to hold or return."""
    if d.kind in ("property", "function", "method"):
        return returns(d.signature)
    if d.kind in ("attribute", "variable"):
        return parse(d.target)
    return Declared()


@functools.lru_cache(maxsize=4096)
def returns(signature: str) -> Declared:
    """What a ``def`` header's return annotation names (``-> Optional[Cache]``)."""
    if "->" not in signature:
        return Declared()
    from codewalk.index.declared import annotated

    node = header(signature)
    if node is None or node.returns is None:
        return Declared()
    return parse(ANNOTATED + annotated(node.returns))


@functools.lru_cache(maxsize=4096)
def header(signature: str) -> "ast.FunctionDef | ast.AsyncFunctionDef | None":
    """A ``def`` header parsed (shared: read it, never change it); None when it does not
    parse. A header holds the lines up to its colon, and the body written on that line
    after it (a stub's ``def run(self) -> None: ...``): then it is a whole ``def``."""
    import ast  # the extractor's reading of an annotation: only a signature's needs it here

    from codewalk import parsing

    for tail in ("\n    pass\n", "\n"):
        try:
            tree = parsing.parse(signature.strip() + tail)
        except SyntaxError:
            continue
        node = tree.body[0] if tree.body else None
        return node if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else None
    return None


def parse(text: str) -> Declared:
    """The type text of the index (``:A|B``, ``nn.ModuleList[X|Y]``, ``type[X]``,
    ``item[TABLE:key]``)."""
    is_annotated = text.startswith(ANNOTATED)
    classes: list[str] = []
    elements: list[str] = []
    held: list[str] = []
    element_classes: list[str] = []
    made_from: list[tuple[str, str]] = []
    for alternative in _split(text.removeprefix(ANNOTATED)):
        outer, bracket, inner = alternative.partition("[")
        if not bracket:
            classes.append(outer)
        elif outer == "type":
            held.extend(_split(inner[:-1]))
        elif outer == "item":
            table, _, key = inner[:-1].partition(":")
            made_from.append((table, key))
        elif outer.rpartition(".")[2] in _CONTAINERS:
            items = _split(inner[:-1])
            elements.extend(a for a in items if "[" not in a)
            element_classes.extend(a[5:-1] for a in items if a.startswith("type[") and "[" not in a[5:-1])
    return Declared(
        tuple(classes), tuple(elements), tuple(held), is_annotated, tuple(element_classes), tuple(made_from)
    )


def _split(text: str) -> list[str]:
    """``A|B[C|D]|E`` into ``A``, ``B[C|D]``, ``E``."""
    out: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "|" and depth == 0:
            out.append(text[start:index])
            start = index + 1
    out.append(text[start:])
    return [part for part in out if part]


def declared_type(d: Definition) -> str:
    """The class name an attribute, field or property is declared to hold (the first),
    or ""."""
    found = declared(d)
    return found.classes[0] if found.classes else ""


_BUILTIN_CONTAINERS: dict[str, type] = {
    "dict": dict, "Dict": dict, "OrderedDict": dict, "defaultdict": dict,
    "list": list, "List": list, "set": set, "Set": set, "frozenset": frozenset, "FrozenSet": frozenset,
    "tuple": tuple, "Tuple": tuple, "str": str,
}  # fmt: skip
_MADE = r"([\w.]+)\("  # a constructor's call: collections.OrderedDict(
_RETURNS = r"->\s*([\w.]+)"  # a def's return annotation, as written
_ASSIGNED = r"\s*[\w.]+\s*(?::\s*(?P<annotation>[\w.]+)[^=]*)?=\s*(?P<value>.*)"


def builtin_held(d: Definition) -> type | None:
    """The builtin container a variable or an attribute holds (``dict``, ``list``, ``set``,
    ``tuple``, ``str``), as its annotation (``X: dict[K, V] = ...``), the literal it is
    assigned (``X = {``, ``self.x = [``) or the container it is made by (``X =
    OrderedDict(``) says, or a property's return annotation (``-> dict[str, X]``), else
    as its type text does (``self.layers = layers if ... else []``, ``layers`` a
    parameter annotated ``list[X] | None``); None for anything else."""
    if d.kind == "property":
        returned = re.search(_RETURNS, d.signature)
        return _BUILTIN_CONTAINERS.get(returned[1].rpartition(".")[2]) if returned else None
    if d.kind not in ("variable", "attribute"):
        return None
    return _held_as_written(d.signature) or _held_as_typed(d.target)


def _held_as_typed(target: str) -> type | None:
    """The builtin container each alternative of the type text ``target`` names, when
    they all name the same one (``:list[A|B]``: list), else None."""
    kinds = {
        _BUILTIN_CONTAINERS.get(part.partition("[")[0].rpartition(".")[2])
        for part in _split(target.removeprefix(ANNOTATED))
    }
    return kinds.pop() if len(kinds) == 1 and None not in kinds else None


def _held_as_written(signature: str) -> type | None:
    """The builtin container an assignment's annotation, literal or constructor says."""
    match = re.fullmatch(_ASSIGNED, signature)
    if match is None:
        return None
    annotation = (match["annotation"] or "").rpartition(".")[2]
    if annotation:
        return _BUILTIN_CONTAINERS.get(annotation)
    value = match["value"]
    if value.startswith("{"):  # a set literal names its items without ":"; {} and {\n are dicts
        return set if value not in ("{", "{}") and ":" not in value and "**" not in value else dict
    if value.startswith("["):
        return list
    made = re.match(_MADE, value)
    if made is not None:
        return _BUILTIN_CONTAINERS.get(made[1].rpartition(".")[2])
    return str if value[:1] in ("'", '"') else None


def made_by(d: Definition, type_name: str, statement: str = "") -> bool:
    """Whether the attribute or variable ``d`` is assigned an instance made by calling the
    class ``type_name`` itself (``self.hooks = OrderedDict()``): one of that class, never of
    a class deriving from it, as a value only annotated or returned may be. ``statement``:
    the whole assignment, dedented, when it goes on past the first line the index keeps
    (paddle's ``self._forward_post_hooks: OrderedDict[int, Hook] = (``, then
    ``OrderedDict()``). An annotation beside such a call does not change what it makes
    (``x: Base = Derived()`` names ``Base``, which made nothing)."""
    if d.kind not in ("variable", "attribute"):
        return False
    if statement:
        return _called_by(statement) == type_name
    match = re.fullmatch(_ASSIGNED, d.signature)
    made = re.match(_MADE, match["value"]) if match is not None else None
    return made is not None and made[1] == type_name


def _called_by(statement: str) -> str:
    """The dotted name an assignment's value calls (``OrderedDict`` of ``x: T = (OrderedDict())``),
    "" for any other statement or value."""
    import ast  # as header's: only a statement that goes on past its first line needs it

    from codewalk import parsing
    from codewalk.index.syntax import dotted

    try:
        body = parsing.parse(statement).body
    except SyntaxError:
        return ""
    value = body[0].value if len(body) == 1 and isinstance(body[0], ast.Assign | ast.AnnAssign) else None
    return dotted(value.func) if isinstance(value, ast.Call) else ""


def declared_how(hit: Hit) -> str:
    """Where and how the type was declared, for ``via``."""
    d = hit.definition
    if d.kind in ("property", "function", "method"):
        what = "property" if d.kind == "property" else "function"
        return f"returned by the {what} at {hit.view.path}:{d.line}"
    how = "annotated" if d.target.startswith(ANNOTATED) else "set"
    method = setting_method(d)
    called = re.match(_HELD_CALLED, d.signature) if how == "annotated" and not method else None
    if called is not None:  # the class a name of the class body holds, or one deriving from it
        return f"set at {hit.view.path}:{d.line} by calling {called[1]}, a class the class body names"
    if how == "annotated" and not method and not re.match(_ANNOTATES, d.signature):
        return f"set at {hit.view.path}:{d.line} from an annotated parameter"  # self.x = x, of x: T
    if method:  # where the value is passed; its annotation, if any, is the caller's parameter's
        passed = f"{d.name}=..." if d.flags & SET_BY_CALL else "..."
        annotated = " (annotated)" if how == "annotated" else ""
        return f"passed to self.{method}({passed}) at {hit.view.path}:{d.line}{annotated}"
    return f"{how} at {hit.view.path}:{d.line}"


def setting_method(attribute: Definition) -> str:
    """The method ``M`` of ``self.M(...)``, for an attribute that call sets (the index
    keeps the call's first line), else ""."""
    called = re.match(_CALLED, attribute.signature) if attribute.kind == "attribute" else None
    return called[1] if called else ""
