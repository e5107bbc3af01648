"""Facts about what code binds outside its own ``def``: members a class gets from an
import in its body, what a function does to the class it is handed, the keyword
arguments a function takes out of its ``**kwargs``, the module aliases a package table
declares. Pure: ``ast`` nodes in, :mod:`~codewalk.index.records` out.

- A class body's ``from .trainer_pt_utils import save_state`` binds ``Trainer.save_state``:
  an ``alias`` flagged ``BOUND_BY_IMPORT``, whose target is the import as written
  (``.trainer_pt_utils:save_state``).
- A function whose first parameter is ``cls`` (``auto_class_update(cls)``,
  ``__init_subclass__(cls)``, ``wrap_init_to_accept_kwargs(cls)``; also ``experts_class``,
  ``x: type[...]``: :func:`takes_class`):

  - ``cls.NAME = ...`` is a ``rebind`` fact, ``F.NAME``, whose target is what then runs:
    a function reached through wrappers and local names (``copy_func(X.from_pretrained)``
    gives ``X.from_pretrained``), or a ``def`` nested in ``F``, recorded too as
    ``F.<locals>.name`` (Python's own ``__qualname__``);
  - handing ``cls`` to another function (``cls = dataclass(cls)``,
    ``wrap_init_to_accept_kwargs(cls)``) is an ``applies`` fact, ``F.<applies>``, whose
    target is that function.

- ``kwargs.pop("attn_implementation", None)`` (also ``.get``, ``.setdefault``,
  ``kwargs["x"]``) on a function's ``**kwargs`` is a ``keyword`` fact named after the key:
  where a keyword argument is consumed.
- A module-level dict whose name says it holds module aliases (``*MODULE_ALIASES*``) of
  ``"old_name": "new_name"`` becomes imports flagged ``LEGACY_ALIAS``: ``old_name`` is a
  submodule served as ``new_name`` (transformers' ``_LEGACY_MODULE_ALIASES``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from codewalk.index import dataclassing
from codewalk.index.records import BOUND_BY_IMPORT, LEGACY_ALIAS, UNLESS_DEFINED, Definition, Guard, Import
from codewalk.index.syntax import FunctionNode, child_nodes, dotted, statements, walk

CLASS_PARAMETERS = ("cls", "klass", "class_")
_TYPE = ("type", "Type", "typing.Type")  # a parameter annotated type[X] is handed a class
_WRAPPERS_IGNORED = {
    "setattr",
    "getattr",
    "hasattr",
    "delattr",
    "isinstance",
    "issubclass",
    "type",
    "print",
    "len",
    "repr",
    "str",
    "id",
    "vars",
    "dir",
    "super",
    "fields",
    "is_dataclass",
}
_CONSUMERS = ("pop", "get", "setdefault")
_MAX_HOPS = 6  # local names followed from cls.NAME = ... back to what it was made from

Line = Callable[[int], str]  # 1-based line number -> its text, stripped


def class_body_import(
    stmt: ast.Import | ast.ImportFrom, parent: str, flags: int, line: Line
) -> list[Definition]:
    """The members an import in a class body binds."""
    found: list[Definition] = []
    for alias in stmt.names:
        if alias.name == "*":
            continue
        if isinstance(stmt, ast.Import):
            bound = alias.asname or alias.name.partition(".")[0]
            target = f"{alias.name if alias.asname else bound}:"
        else:
            bound = alias.asname or alias.name
            target = f"{'.' * stmt.level}{stmt.module or ''}:{alias.name}"
        found.append(_definition(f"{parent}.{bound}", bound, "alias", parent, stmt, line, target, flags))
    return found


def class_facts(
    node: FunctionNode, qualname: str, line: Line, keywords: dict[str, bool] | None = None
) -> list[Definition]:
    """The ``rebind`` and ``applies`` facts of a function whose first parameter is the
    class it works on (and of the functions nested in it that take one), and the
    nested defs those name. A rebind carries the conditions it is set under
    (:func:`guards`); ``keywords``: the parameters with a literal default of the
    outermost function it is nested in (their truth) its own and those around it do not
    hide, which its conditions may name."""
    params = node.args.posonlyargs + node.args.args
    if not params or not takes_class(params[0]):
        return []
    me = params[0].arg
    # the outermost function's literal defaults are the decorator's keywords; a nested
    # one's parameters hide those names (what its caller passes them is not known here)
    own = literal_defaults(node) if keywords is None else {}
    keywords = {**(keywords or {}), **own}
    for param in (*params, *node.args.kwonlyargs, node.args.vararg, node.args.kwarg):
        if param is not None and (param.arg not in own or param.arg == me):
            keywords.pop(param.arg, None)
    nested = {
        s.name: s for s in statements(node.body) if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    values: dict[str, list[ast.expr]] = {}
    for stmt in statements(node.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            values.setdefault(stmt.targets[0].id, []).append(stmt.value)
    local_names = _bound_names(node)
    found: list[Definition] = []
    named: set[str] = set()
    defaults = _defaults(node.body, me)
    conditions = guards(node.body, me, keywords)

    def local(name: str) -> str:
        named.add(name)
        return f"{qualname}.<locals>.{name}"

    for stmt in statements(node.body):
        for attr, value in _sets(stmt, me):
            source = _source(value, attr, me, nested, (values, local_names), qualname)
            if source.startswith(f"{qualname}.<locals>."):
                named.add(source.rpartition(".")[2])
            flags = UNLESS_DEFINED if (id(stmt), attr) in defaults else 0
            made = _definition(f"{qualname}.{attr}", attr, "rebind", "", stmt, line, source, flags)
            found.append(made._replace(decorators=tuple(g.text() for g in conditions.get(id(stmt), ()))))
        for call in _calls(stmt):
            if not (call.args and _is_name(call.args[0], me)):
                continue
            function = dotted(call.func)
            if not function or function.rpartition(".")[2] in _WRAPPERS_IGNORED:
                continue
            target = local(function) if function in nested else function
            name = function.rpartition(".")[2]
            unmade = dataclassing.unmade(call) if dataclassing.names_dataclass(function) else 0
            applies = f"{qualname}.<applies>"
            found.append(_definition(applies, name, "applies", "", stmt, line, target, unmade))
    for name in sorted(named):  # the nested defs themselves are the extractor's (any def's)
        found += class_facts(nested[name], f"{qualname}.<locals>.{name}", line, keywords)
    return found


def literal_defaults(node: FunctionNode) -> dict[str, bool]:
    """The parameters of ``node`` whose default is a literal (``accept_kwargs=False``),
    with its truth."""
    args = node.args
    positional = args.posonlyargs + args.args
    pairs = [
        *zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True),
        *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None),
    ]
    return {a.arg: bool(d.value) for a, d in pairs if isinstance(d, ast.Constant)}


def guards(body: list[ast.stmt], me: str, keywords: dict[str, bool]) -> dict[int, tuple[Guard, ...]]:
    """(statement id) -> the conditions it runs under that the code states in terms the
    class's own definition answers: ``if accept_kwargs:`` (a parameter in ``keywords``:
    what the decorator is called with, or its default) and ``if
    cls.__dataclass_params__.repr is True:`` (its dataclass keywords); the ``else`` of
    one runs under the opposite. Other conditions are left out (they rule nothing out)."""
    out: dict[int, tuple[Guard, ...]] = {}

    def visit(block: list[ast.stmt], above: tuple[Guard, ...]) -> None:
        for stmt in block:
            if above:
                out[id(stmt)] = above
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(stmt, ast.If):
                guard = _guard(stmt.test, me, keywords)
                visit(stmt.body, above + ((guard,) if guard else ()))
                flipped = guard._replace(wanted=not guard.wanted) if guard else None
                visit(stmt.orelse, above + ((flipped,) if flipped else ()))
                continue
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list):
                    visit(inner, above)
            for handler in (*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())):
                visit(handler.body, above)

    visit(body, ())
    return out


_DATACLASS_KEYWORDS = ("init", "repr", "eq")


def _guard(test: ast.expr, me: str, keywords: dict[str, bool]) -> Guard | None:
    """The condition ``if test:`` states, when it is one :func:`guards` reads."""
    wanted = True
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, wanted = test.operand, False
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is | ast.IsNot):
        against = test.comparators[0]
        if not (isinstance(against, ast.Constant) and isinstance(against.value, bool)):
            return None
        same = isinstance(test.ops[0], ast.Is) == against.value
        test, wanted = test.left, wanted == same
    if isinstance(test, ast.Name) and test.id in keywords:
        return Guard("keyword", test.id, wanted, keywords[test.id], test.lineno)
    if (
        isinstance(test, ast.Attribute)
        and test.attr in _DATACLASS_KEYWORDS
        and isinstance(test.value, ast.Attribute)
        and test.value.attr == "__dataclass_params__"
        and _is_name(test.value.value, me)
    ):
        return Guard("dataclass", test.attr, wanted, True, test.lineno)
    return None


def decorator_facts(node: ast.ClassDef, qualname: str, line: Line) -> list[Definition]:
    """A ``decorator`` fact, ``Class.<decorator>``, per decorator of the class called with
    keywords (``@strict(accept_kwargs=True)``): its name, and the keywords as truths
    (``accept_kwargs=1``; ``=?`` for a value that is no literal). A decorator without
    one passes none: every parameter keeps its default."""
    found: list[Definition] = []
    for decorator in node.decorator_list:
        name = dotted(decorator.func) if isinstance(decorator, ast.Call) else ""
        given = tuple(
            f"{k.arg}={int(bool(k.value.value)) if isinstance(k.value, ast.Constant) else '?'}"
            for k in (decorator.keywords if isinstance(decorator, ast.Call) else ())
            if k.arg
        )
        if name and given:
            made = _definition(f"{qualname}.<decorator>", name, "decorator", "", decorator, line, name, 0)
            found.append(made._replace(decorators=given))
    return found


def sets_keywords(node: FunctionNode) -> bool:
    """A method that sets an attribute of ``self`` per keyword argument: ``for name,
    module in kwargs.items(): ... setattr(self, name, module)`` (diffusers'
    ``register_modules``)."""
    params = node.args.posonlyargs + node.args.args
    if not params or node.args.kwarg is None:
        return False
    me, kwargs = params[0].arg, node.args.kwarg.arg
    for loop in statements(node.body):
        pair = loop.target if isinstance(loop, ast.For) else None
        if not (isinstance(loop, ast.For) and isinstance(pair, ast.Tuple) and len(pair.elts) == 2):
            continue
        items = loop.iter
        over_items = isinstance(items, ast.Call) and dotted(items.func) == f"{kwargs}.items"
        name, value = (dotted(e) for e in pair.elts)
        if not (over_items and name and value):
            continue
        for call in (c for stmt in statements(loop.body) for c in _calls(stmt)):
            given = [dotted(a) for a in call.args]
            if _is_name(call.func, "setattr") and given == [me, name, value]:
                return True
    return False


def takes_class(param: ast.arg) -> bool:
    """A parameter that is handed a class: ``cls``, ``experts_class``, ``x: type[Module]``."""
    name, annotation = param.arg, param.annotation
    if name in CLASS_PARAMETERS or name.endswith(("_class", "_cls")):
        return True
    if isinstance(annotation, ast.BinOp):  # type[X] | None
        annotation = annotation.left
    return isinstance(annotation, ast.Subscript) and dotted(annotation.value) in _TYPE


def _defaults(body: list[ast.stmt], me: str) -> set[tuple[int, str]]:
    """(statement id, NAME) for the statements under ``if not hasattr(me, "NAME"):``:
    what they set is a default, for a class that has no NAME of its own."""
    out: set[tuple[int, str]] = set()
    for stmt in statements(body):
        if not (isinstance(stmt, ast.If) and isinstance(stmt.test, ast.UnaryOp)):
            continue
        call = stmt.test.operand
        asks = isinstance(call, ast.Call) and _is_name(call.func, "hasattr") and len(call.args) == 2
        if isinstance(stmt.test.op, ast.Not) and isinstance(call, ast.Call) and asks:
            name = _string(call.args[1])
            if name is not None and _is_name(call.args[0], me):
                out.update((id(inner), name) for inner in statements(stmt.body))
    return out


def _sets(stmt: ast.stmt, me: str) -> list[tuple[str, ast.expr]]:
    """``me.NAME = value`` and ``setattr(me, "NAME", value)`` in one statement."""
    if isinstance(stmt, ast.Assign):
        return [
            (target.attr, stmt.value)
            for target in stmt.targets
            if isinstance(target, ast.Attribute) and _is_name(target.value, me)
        ]
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    if (
        isinstance(call, ast.Call)
        and _is_name(call.func, "setattr")
        and len(call.args) == 3
        and _is_name(call.args[0], me)
    ):
        name = _string(call.args[1])
        if name is not None:
            return [(name, call.args[2])]
    return []


def _calls(stmt: ast.stmt) -> Iterator[ast.Call]:
    """The calls in one statement's own expressions (not in nested defs or lambdas, not
    in the statements of its blocks, which come on their own)."""
    todo: list[ast.AST] = [
        child
        for field, child in ast.iter_fields(stmt)
        if field not in ("body", "orelse", "finalbody", "handlers") and isinstance(child, ast.AST)
    ]
    for field, child in ast.iter_fields(stmt):
        if field not in ("body", "orelse", "finalbody", "handlers") and isinstance(child, list):
            todo.extend(c for c in child if isinstance(c, ast.AST))
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            yield node
        todo.extend(child_nodes(node))


def keyword_uses(node: FunctionNode, qualname: str, line: Line) -> list[Definition]:
    """Where the function takes a keyword argument out of its ``**kwargs`` by name."""
    if node.args.kwarg is None:
        return []
    kwargs = node.args.kwarg.arg
    if node.body and not _may_take_from(kwargs, node, line):
        return []  # the body never reads an item of it: no need to walk every node
    found: list[Definition] = []
    seen: set[tuple[str, int]] = set()
    for sub in walk(node):
        if not isinstance(sub, ast.expr):
            continue
        key: str | None = None
        if (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr in _CONSUMERS
            and _is_name(sub.func.value, kwargs)
            and sub.args
        ):
            key = _string(sub.args[0])
        elif isinstance(sub, ast.Subscript) and isinstance(sub.ctx, ast.Load) and _is_name(sub.value, kwargs):
            key = _string(sub.slice)
        if key is None or not key.isidentifier() or (key, sub.lineno) in seen:
            continue
        seen.add((key, sub.lineno))
        found.append(
            _definition(
                f"{qualname}({key}=...)", key, "keyword", qualname.rpartition(".")[0], sub, line, "", 0
            )
        )
    return found


def _may_take_from(kwargs: str, node: FunctionNode, line: Line) -> bool:
    """Whether the body's text reads an attribute or an item of ``kwargs`` anywhere
    (``kwargs.pop(``, ``kwargs[``, also across a line break or after a parenthesis): a
    cheap test on the lines, before the walk of every node that finds them."""
    first, last = node.body[0].lineno, node.end_lineno or node.body[-1].lineno
    text = "\n".join(line(number) for number in range(first, last + 1))
    pattern = _KWARGS_READ.get(kwargs)
    if pattern is None:
        pattern = _KWARGS_READ[kwargs] = re.compile(rf"\b{re.escape(kwargs)}\b\)?[\s\\]*[.\[]")
    return pattern.search(text) is not None


_KWARGS_READ: dict[str, re.Pattern[str]] = {}


def module_aliases(table: str, value: ast.Dict) -> list[Import]:
    """``_LEGACY_MODULE_ALIASES = {"old": "new"}``: ``old`` served as the submodule ``new``."""
    if "MODULE_ALIAS" not in table.upper():
        return []
    found: list[Import] = []
    for key, item in zip(value.keys, value.values, strict=False):
        old, new = _string(key) if key is not None else None, _string(item)
        if old and new and old.isidentifier() and all(p.isidentifier() for p in new.split(".")):
            found.append(Import(1, "", new, old, item.lineno, LEGACY_ALIAS))
    return found


def rebound_by(value: ast.expr | None, name: str) -> str:
    """``Name = f(Name, ...)`` at module level: the function ``f`` that remakes ``Name``
    at import time (``AutoModel = auto_class_update(AutoModel)``), else ""."""
    if isinstance(value, ast.Call) and value.args and _is_name(value.args[0], name):
        return dotted(value.func)
    return ""


def _bound_names(node: FunctionNode) -> set[str]:
    """The names a function binds itself: its parameters, and every name it assigns (a
    loop's, a ``with``'s, an import's)."""
    args = node.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a}
    for stmt in node.body:
        for inner in walk(stmt):
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                names.add(inner.id)
            elif isinstance(inner, ast.alias):
                names.add((inner.asname or inner.name).partition(".")[0])
    return names


def _source(
    value: ast.expr,
    attr: str,
    me: str,
    nested: dict[str, FunctionNode],
    local: tuple[dict[str, list[ast.expr]], set[str]],
    qualname: str,
) -> str:
    """What ``cls.attr = value`` makes run: a nested def, a dotted name (one ending in
    ``.attr`` preferred: ``copy_func(_BaseAutoModelClass.from_pretrained)``), or a name
    the function does not bind, its module's (``cls.__str__ = _loud``). ``local``: what
    the function assigns each of its names, and every name it binds."""
    values, bound = local
    candidates: list[str] = []
    todo: list[tuple[ast.expr, int]] = [(value, 0)]
    while todo:
        node, hops = todo.pop(0)
        if hops > _MAX_HOPS:
            continue
        if isinstance(node, ast.Call):
            todo.extend((arg, hops + 1) for arg in node.args[:1])
            if isinstance(node.func, ast.Call):  # decorator_factory(...)(function)
                todo.append((node.func, hops + 1))
        elif isinstance(node, ast.Name):
            if node.id in nested:
                return f"{qualname}.<locals>.{node.id}"
            if node.id not in bound:  # the module's (or a builtin's, which no lookup finds)
                candidates.append(node.id)
            todo.extend((earlier, hops + 1) for earlier in values.get(node.id, []))
        elif isinstance(node, ast.Attribute):
            text = dotted(node)
            if text and not text.startswith(f"{me}."):
                candidates.append(text)
    ending = [c for c in candidates if c.endswith(f".{attr}")]
    return (ending or candidates or [""])[0]


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _string(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _definition(
    qualname: str,
    name: str,
    kind: str,
    parent: str,
    node: ast.stmt | ast.expr,
    line: Line,
    target: str,
    flags: int,
) -> Definition:
    return Definition(
        qualname=qualname,
        name=name,
        kind=kind,
        parent=parent,
        line=node.lineno,
        col=node.col_offset,
        start_line=node.lineno,
        end_line=getattr(node, "end_lineno", None) or node.lineno,
        signature=line(node.lineno)[:300],
        target=target,
        flags=flags | (BOUND_BY_IMPORT if kind == "alias" else 0),
    )
