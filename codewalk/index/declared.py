"""The type an assignment declares, read from its syntax alone: what the index keeps as
an attribute's or a variable's ``target`` (:class:`~codewalk.index.records.Definition`).

The text is a small type expression, names as written in the module:

- ``LlamaModel``: an instance, constructed (``self.model = LlamaModel(config)``);
- ``:PreTrainedModel|nn.Module``: annotated (``model: PreTrainedModel | nn.Module | None``,
  ``Optional[X]``, ``"X"``): an instance of one of them, or of a class deriving from one;
- ``nn.ModuleList[LlamaDecoderLayer]``: a container and its elements' classes, from a list
  literal, a comprehension, ``[X(...)] * n``, the ``append`` calls that fill a list, the
  arguments of ``nn.Sequential``, the values of ``nn.ModuleDict`` (or ``list[X]``,
  ``Sequence[X]`` in an annotation);
- ``type[SomeClass]``: the class itself (``self.factory = SomeClass``);
- a copy (``copy(x)``, ``copy.deepcopy(x)``) declares what ``x`` does;
- ``make_block()``: what the function ``make_block`` returns (an instance made by a
  factory: ``self.blocks.append(get_down_block(...))``);
- ``item[TABLE]``, ``item[TABLE:sdpa]``: an instance of a class an item of the dict
  ``TABLE`` holds, made by calling it (``LLAMA_ATTENTION_CLASSES[config._attn_implementation](...)``
  in transformers 4.36-4.47); after ``:`` the key, when the code names it as a literal.

"" when the syntax says nothing. Pure: ``ast`` nodes in, text out.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Sequence

from codewalk import parsing
from codewalk.index.records import ANNOTATED
from codewalk.index.syntax import BUILTIN_NAMES, dotted, walk

_CONTAINERS = ("ModuleList", "Sequential", "ModuleDict", "ParameterList", "list", "tuple")
_ELEMENT_ANNOTATIONS = ("list", "List", "Sequence", "Iterable", "Iterator", "tuple", "Tuple", "set", "Set")
_MAPPINGS = ("dict", "Dict", "Mapping", "MutableMapping", "OrderedDict", "defaultdict", "DefaultDict")
_UNIONS = ("Optional", "Union")
# the standard library's copies, as modules call them (``from copy import copy``)
_COPIES = frozenset(("copy", "deepcopy", "copy.copy", "copy.deepcopy"))
_NOT_CLASSES = frozenset(("None", "Any", "object", "Callable", "type", "Type"))


def declared(
    value: ast.expr | None,
    annotation: ast.expr | None = None,
    lists: dict[str, list[str]] | None = None,
    params: dict[str, ast.expr] | None = None,
) -> str:
    """The type an assignment of ``value`` (annotated ``annotation``) declares.
    ``lists``: the element classes of the local lists the function fills; ``params``:
    its parameters' annotations (``self.model = model``)."""
    if annotation is not None:
        found = annotated(annotation)
        if found:
            return ANNOTATED + found
    if value is None:
        return ""
    if isinstance(value, ast.IfExp | ast.BoolOp):  # X() if ... else Y(), x or X(): either
        either = [value.body, value.orelse] if isinstance(value, ast.IfExp) else value.values
        branches = [declared(branch, None, lists, params) for branch in either]
        joined = "|".join(dict.fromkeys(b.removeprefix(ANNOTATED) for b in branches if b))
        return ANNOTATED + joined if joined and any(b.startswith(ANNOTATED) for b in branches) else joined
    if isinstance(value, ast.Name) and params and value.id in params:
        found = annotated(params[value.id])
        return ANNOTATED + found if found else ""
    if isinstance(value, ast.Call) and dotted(value.func) in _COPIES and len(value.args) == 1:
        copied = declared(value.args[0], None, lists, params)  # a copy is of its original's class
        if copied:
            return copied
    return _value(value, lists or {})


def unpacking(target: ast.expr) -> list[tuple[ast.expr, int]]:
    """The names an assignment target binds, each with its index in the tuple unpacked
    (-1: the whole value)."""
    if isinstance(target, ast.Tuple | ast.List) and not any(isinstance(e, ast.Starred) for e in target.elts):
        return [(element, index) for index, element in enumerate(target.elts)]
    return [(target, -1)]


def unpacked(
    value: ast.expr | None, index: int, lists: dict[str, list[str]], params: dict[str, ast.expr]
) -> str:
    """The type the name at ``index`` of ``a, b = value`` declares: that element of a
    tuple written out, or of a parameter annotated ``tuple[A, B]``."""
    if isinstance(value, ast.Tuple) and index < len(value.elts):
        return declared(value.elts[index], None, lists, params)
    node = params.get(value.id) if isinstance(value, ast.Name) else None
    if not (isinstance(node, ast.Subscript) and dotted(node.value).rpartition(".")[2] in ("tuple", "Tuple")):
        return ""
    items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if index >= len(items) or any(_is_ellipsis(item) for item in items):
        return ""
    found = annotated(items[index])
    return ANNOTATED + found if found else ""


def annotated(node: ast.expr) -> str:
    """The classes an annotation names (``Optional``, ``|``, quotes and containers read)."""
    return "|".join(annotated_names(node))


def annotated_names(node: ast.expr) -> list[str]:
    """The classes an annotation names, each whole: a container is one name with its
    elements (``dict[A|B]``), never cut at the ``|`` inside its brackets."""
    return _annotation(node)


def _annotation(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            inner = parsing.parse_expression(node.value.strip()).body
        except SyntaxError:
            return []
        return _annotation(inner)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_annotation(node.left), *_annotation(node.right)]
    if isinstance(node, ast.Subscript):
        outer = dotted(node.value)
        last = outer.rpartition(".")[2]
        items = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if last in _UNIONS:
            return [t for item in items for t in _annotation(item)]
        if last in _ELEMENT_ANNOTATIONS or last in _CONTAINERS:
            elements = [t for item in items if not _is_ellipsis(item) for t in _annotation(item)]
            return [f"list[{'|'.join(elements)}]"] if elements else []
        if last in _MAPPINGS and len(items) == 2:
            elements = _annotation(items[1])
            return [f"dict[{'|'.join(elements)}]"] if elements else []
        if last in ("type", "Type") and items:
            return [f"type[{t}]" for t in _annotation(items[0]) if "[" not in t]
        return []
    name = dotted(node)
    return [name] if class_like(name) else []


def _value(value: ast.expr, lists: dict[str, list[str]]) -> str:
    if isinstance(value, ast.Call):
        name = dotted(value.func)
        last = name.rpartition(".")[2]
        if last in _CONTAINERS:
            elements = _elements(value, lists)
            return f"{name}[{'|'.join(elements)}]" if elements else name
        return "|".join(constructed(value))
    if isinstance(value, ast.List | ast.ListComp | ast.Tuple | ast.BinOp):
        elements = list(dict.fromkeys(elements_of(value, lists)))
        return f"list[{'|'.join(elements)}]" if elements else ""
    name = dotted(value)
    return f"type[{name}]" if class_like(name) else ""


def _elements(call: ast.Call, lists: dict[str, list[str]]) -> list[str]:
    """The element classes of a container built by ``call`` (``nn.ModuleList([...])``,
    ``nn.Sequential(a, b)``, ``nn.ModuleDict({...})``)."""
    found: list[str] = []
    if dotted(call.func).rpartition(".")[2] == "Sequential":
        for arg in call.args:
            found.extend(constructed(arg) or elements_of(arg, lists))
    elif call.args:
        found.extend(elements_of(call.args[0], lists))
    return list(dict.fromkeys(found))


def elements_of(node: ast.expr, lists: dict[str, list[str]]) -> list[str]:
    """The classes of the elements a list expression builds."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [c for element in node.elts for c in constructed(element)]
    if isinstance(node, ast.ListComp | ast.GeneratorExp):
        return constructed(node.elt)
    if isinstance(node, ast.Dict):
        return [c for element in node.values for c in constructed(element)]
    if isinstance(node, ast.DictComp):
        return constructed(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add):
        return [*elements_of(node.left, lists), *elements_of(node.right, lists)]
    if isinstance(node, ast.Name):
        return lists.get(node.id, [])
    if isinstance(node, ast.Call) and dotted(node.func).rpartition(".")[2] in _CONTAINERS and node.args:
        return elements_of(node.args[0], lists)  # list(...), nn.ModuleList(...) inside
    return []


def constructed(node: ast.expr) -> list[str]:
    """The class a ``Class(...)`` expression constructs (both of a conditional one),
    ``f()`` for what a function ``f(...)`` returns (``get_down_block(...)``), or
    ``item[TABLE]`` for an instance of a class a table holds (``TABLE[key](...)``)."""
    if isinstance(node, ast.IfExp):
        return [*constructed(node.body), *constructed(node.orelse)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Subscript):
        return made_from_table(node.func)
    if isinstance(node, ast.Call):
        name = dotted(node.func)
        if class_like(name):
            return [name]
        if name and name not in BUILTIN_NAMES and not name.startswith(("self.", "cls.")):
            return [f"{name}()"]
    return []


_KEY = re.compile(r"[\w.-]+")  # a key the type text can carry (no "|", "[", "]" nor ":")


def made_from_table(item: ast.Subscript) -> list[str]:
    """``item[TABLE]`` for ``TABLE[key](...)``, with ``:key`` when the key is a string
    literal: TABLE a module-level name (an attribute's table is no dict the index keeps)."""
    table = dotted(item.value)
    if not table or table.split(".")[0] in ("self", "cls"):
        return []
    key = item.slice.value if isinstance(item.slice, ast.Constant) else None
    if isinstance(key, str) and _KEY.fullmatch(key):
        return [f"item[{table}:{key}]"]
    return [f"item[{table}]"]


def filled_lists(body: Sequence[ast.stmt]) -> dict[str, list[str]]:
    """The element classes of the lists a function builds and fills, by name: a local
    (``resnets = []``, then ``resnets.append(ResnetBlock2D(...))``) or an attribute
    (``self.layers.append(...)``, as ``self.layers``)."""
    found: dict[str, list[str]] = {}
    for node in _walk(body):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = dotted(node.targets[0])
            if target:
                elements = elements_of(node.value, found)
                if elements:
                    found.setdefault(target, []).extend(elements)
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
            target = dotted(node.target)
            if target:
                found.setdefault(target, []).extend(elements_of(node.value, found))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            owner = dotted(node.func.value)
            if owner and node.func.attr == "append":
                found.setdefault(owner, []).extend(constructed(node.args[0]) or _named(node.args[0], body))
            elif owner and node.func.attr == "extend":
                found.setdefault(owner, []).extend(elements_of(node.args[0], found))
    return {name: list(dict.fromkeys(classes)) for name, classes in found.items() if classes}


def _named(node: ast.expr, body: Sequence[ast.stmt]) -> list[str]:
    """The class a local holding one instance was assigned (``layer = X(...)`` before
    ``layers.append(layer)``)."""
    if not isinstance(node, ast.Name):
        return []
    return [
        c
        for stmt in _walk(body)
        if isinstance(stmt, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets)
        for c in constructed(stmt.value)
    ]


def parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """A function's parameters' annotations, by name."""
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    return {a.arg: a.annotation for a in every if a.annotation is not None}


def _walk(body: Iterable[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of ``body``, as ``ast.walk`` yields them, by the index's fast walk: every
    method of every class indexed is walked here."""
    for stmt in body:
        yield from walk(stmt)


def class_like(name: str) -> bool:
    """A dotted name that may be a class: its last part capitalised (after the underscores
    of a private one: ``_BaseExamplesIterable``) and not a constant."""
    last = name.rpartition(".")[2]
    return bool(last.lstrip("_")[:1].isupper()) and not last.isupper() and last not in _NOT_CLASSES


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis
