"""What an attribute, a variable or a property holds, as its declaration says (the index's
type text, a property's return annotation: :func:`codewalk.resolve.types.declared`),
resolved to classes: an instance of a class
(constructed, or annotated: then of it or of a class deriving from it), a container of
instances (``nn.ModuleList([LlamaDecoderLayer(...) ...])``: what a loop over it, an index
into it, or ``zip``/``enumerate`` of it gives), or a class itself. An instance made by
calling an item of a table of classes (``LLAMA_ATTENTION_CLASSES[key](...)``) is one of
each class the table holds, read by :mod:`codewalk.calls.tables`."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from codewalk import parsing
from codewalk.calls.model import called_on, unbound
from codewalk.index.declared import annotated, parameters
from codewalk.index.records import ANNOTATED, Definition
from codewalk.resolve.model import Hit, ModuleView, Resolved, to_resolved
from codewalk.resolve.resolver import Resolver
from codewalk.resolve.types import declared, declared_how, header, parse

_ITEM = re.compile(r"item\[([\w.]+)(?::([^\]|]*))?\]")  # the index's text for TABLE[key](...)


class Holds(NamedTuple):
    instances: tuple[Resolved, ...] = ()  # an instance of one of these
    elements: tuple[Resolved, ...] = ()  # a container of instances of these
    classes: tuple[Resolved, ...] = ()  # one of these classes itself
    annotated: bool = False  # annotated only: of a class deriving from one of them, maybe
    how: str = ""  # "self.layers holds LlamaDecoderLayer elements (set at path:line)"
    element_classes: tuple[Resolved, ...] = ()  # a container of these classes themselves
    # an attribute its class assigns instances of several classes: "one of 2 assignments
    # to self.time_proj: GaussianFourierProjection at line 562, Timesteps at line 569", or
    # makes from a table's item: "self.self_attn is made from one of the 3 entries of ..."
    choice: str = ""
    # an instance of a class no pin defines, as written where it is set ("torch.nn.Linear"),
    # or one of those a union names beside ``instances`` (``PreTrainedModel | nn.Module``)
    outside: tuple[str, ...] = ()
    # those of ``instances`` made from a table's item, each ``via`` naming its entry
    from_table: tuple[Resolved, ...] = ()


class Places(Protocol):
    """What :func:`holds` asks of the :class:`~codewalk.calls.reach.Reacher`."""

    held: dict[tuple[str, str, int, str], Holds]

    def place(self, target: Resolved) -> tuple[Resolver, ModuleView, str] | None: ...

    def made_by(self, function: Resolved) -> tuple[Resolved, ...]:
        """The classes whose instances ``function`` returns."""
        ...

    def table_classes(self, resolver: Resolver, view: ModuleView, table: str, key: str) -> Tabled:
        """The classes the dict ``table`` (a name in ``view``'s module) holds, in its
        order, the entry of ``key`` first."""
        ...


class Tabled(NamedTuple):
    """The classes a table holds, each ``via`` its entry, and where the table is."""

    classes: tuple[Resolved, ...] = ()
    how: str = ""  # "one of the 3 entries of LLAMA_ATTENTION_CLASSES (path:619)"


def holds(r: Places, holder: Resolved) -> Holds:
    """What ``holder`` (an attribute or a variable) holds, memoised by its name too:
    attributes set on one line (``self.register_modules(unet=unet, scheduler=scheduler)``)
    hold each its own (a parameter's key ends in its name, which has no dot)."""
    key = (holder.repo, holder.path, holder.line, holder.qualname)
    if key not in r.held:
        r.held[key] = _holds(r, holder)
    return r.held[key]


def _holds(r: Places, holder: Resolved) -> Holds:
    place = r.place(holder)
    if place is None or holder.kind not in ("attribute", "variable", "property"):
        return Holds()
    resolver, view, qualname = place
    defs = view.defs(qualname)
    assigned = [d for d in defs if d.kind == "attribute"]
    if len(assigned) > 1:  # each assignment holds its own class: this one's
        defs = [d for d in assigned if d.line == holder.line]
    for d in defs:
        said = declared(d)
        if not (said.classes or said.elements or said.held or said.element_classes or said.made_from):
            continue
        tabled = [r.table_classes(resolver, view, table, key) for table, key in said.made_from]
        from_table = tuple(c for t in tabled for c in t.classes)
        found = Holds(
            _classes(r, resolver, view, said.classes) + from_table,
            _classes(r, resolver, view, said.elements),
            _classes(r, resolver, view, said.held),
            said.annotated,
            element_classes=_classes(r, resolver, view, said.element_classes),
            from_table=from_table,
        )
        held = f"self.{d.name}" if d.kind in ("attribute", "property") else d.name
        where = declared_how(Hit(view, d, "", 0))
        if len(assigned) > 1:
            where = f"{where}, one of {len(assigned)} assignments"
            found = found._replace(choice=_choice(held, assigned))
        if from_table and len(from_table) == len(found.instances):
            made = f"{held} is made from {' or '.join(t.how for t in tabled if t.classes)}"
            choice = "; ".join(c for c in (found.choice, made) if c)  # said on the attribute itself
            return found._replace(how=f"{made}, {where}", choice=choice)
        if found.instances and len(said.classes) > 1:  # PreTrainedModel | nn.Module: one of them
            found = found._replace(outside=_unpinned(r, resolver, view, said.classes))
        worded = _worded(found, said.classes, held, where)
        if worded is not None:
            return worded
    return Holds()


def _choice(held: str, assigned: list[Definition]) -> str:
    """What an attribute assigned instances of several classes may hold, each where it is set."""
    each = ", ".join(f"{_as_written(d.target)} at line {d.line}" for d in assigned)
    return f"one of {len(assigned)} assignments to {held}: {each}"


def _as_written(target: str) -> str:
    """An assignment's type text as the code says it: an instance made by calling a
    table's item (the index's ``item[TABLE:key]``) is ``TABLE['key'](…)``."""
    return _ITEM.sub(
        lambda m: f"{m[1]}[{m[2]!r}](…)" if m[2] else f"{m[1]}[…](…)", target.removeprefix(ANNOTATED)
    )


def _classes(r: Places, resolver: Resolver, view: ModuleView, names: tuple[str, ...]) -> tuple[Resolved, ...]:
    """The classes ``names`` (as written in ``view``'s module) are: a class, or for
    ``f()`` the classes whose instances the function ``f`` returns (``f`` a class named in
    lower case, ``tqdm = _tqdm_cls()``: that class)."""
    out: list[Resolved] = []
    for name in names:
        made = name.endswith("()")
        hits = resolver.ns.lookup(view, name.removesuffix("()").split("."), (), 0)
        for hit in hits[:1]:
            target = to_resolved(hit, resolver.facts.repo)
            if made and hit.definition.kind in ("function", "method"):
                out.extend(r.made_by(_on_class(resolver, view, name, target)))
            elif hit.definition.kind == "class":
                out.append(target)
    return tuple(out)


def _on_class(resolver: Resolver, view: ModuleView, name: str, method: Resolved) -> Resolved:
    """``method`` of ``X.m()`` (as written in ``view``'s module)
    :func:`~codewalk.calls.model.called_on` the class ``X``, if ``X`` is one there."""
    owner = name.removesuffix("()").split(".")[:-1]
    if not unbound(method) or not owner:
        return method
    hits = resolver.ns.lookup(view, owner, (), 0)
    if not hits or hits[0].definition.kind != "class":
        return method
    return called_on((method,), to_resolved(hits[0], resolver.facts.repo).qualname)[0]


def _unpinned(r: Places, resolver: Resolver, view: ModuleView, names: tuple[str, ...]) -> tuple[str, ...]:
    """Those of ``names`` (classes as written in ``view``'s module) that are no class of
    the pins (``nn.Module``), of a union that names a pinned one too."""
    return tuple(n for n in names if not n.endswith("()") and not _classes(r, resolver, view, (n,)))


def _worded(found: Holds, written: Sequence[str], held: str, where: str) -> Holds | None:
    """``found`` with ``how`` it is held said (``held`` the name, ``where`` its
    declaration), or None when it holds nothing: elements, classes, instances, or an
    instance of a class no pin provides, as ``written`` there (``torch.nn.Linear``)."""
    if found.elements:
        names = ", ".join(dict.fromkeys(c.qualname.rpartition(".")[2] for c in found.elements))
        return found._replace(how=f"{held} holds {names} elements ({where})")
    if found.classes:
        names = " or ".join(c.qualname.rpartition(".")[2] for c in found.classes)
        return found._replace(how=f"{held} holds the class {names} ({where})")
    if found.element_classes:
        names = " or ".join(c.qualname.rpartition(".")[2] for c in found.element_classes)
        return found._replace(how=f"{held} holds {names} classes, or classes deriving from it ({where})")
    names = " or ".join(dict.fromkeys(c.qualname.rpartition(".")[2] for c in found.instances))
    unpinned = tuple(name for name in written if not name.endswith("()"))
    if not names and unpinned:
        found, names = found._replace(outside=unpinned), unpinned[0]
    elif found.outside:  # one of a union's classes is of a package no pin provides
        names = " or ".join((names, *found.outside))
    if not names:
        return None
    article = "an" if names[:1].lower() in "aeiou" else "a"
    return found._replace(how=f"{held} is {article} {names} ({where})")


def parameter(r: Places, function: Resolved, name: str) -> Holds:
    """What the parameter ``name`` of ``function`` holds, as its annotation says (an
    instance of those classes or of classes deriving from them), memoised."""
    key = (function.repo, function.path, -function.line, name)
    if key not in r.held:
        r.held[key] = _parameter(r, function, name)
    return r.held[key]


def _parameter(r: Places, function: Resolved, name: str) -> Holds:
    place = r.place(function)
    annotation = parameter_annotations(function.signature).get(name)
    if place is None or annotation is None:
        return Holds()
    resolver, view, _ = place
    text = ast.unparse(annotation)
    said = parse(ANNOTATED + annotated(_type_variables_read(view, annotation)))

    def classes(names: tuple[str, ...]) -> tuple[Resolved, ...]:
        return _classes(r, resolver, view, names)

    where = f"{name}: {text} in {function.qualname.rpartition('.')[2]}"
    return Holds(
        classes(said.classes),
        classes(said.elements),
        classes(said.held),
        True,
        f"{name} is annotated ({where})",
        element_classes=classes(said.element_classes),
    )


def _type_variables_read(view: ModuleView, annotation: ast.expr) -> ast.expr:
    """``annotation`` with each name of a ``TypeVar`` ``view``'s module defines read as
    what it may be: its constraints, or its bound (xformers' ``Sequence[T]``, ``T =
    TypeVar("T", Type[AttentionFwOpBase], Type[AttentionBwOpBase])``); as it is when it
    names none, or when the module does not import ``TypeVar`` by that name (most do not:
    their names are then not looked for, one question of the index each)."""
    if not view.imports("TypeVar"):
        return annotation
    names = {node.id for node in ast.walk(annotation) if isinstance(node, ast.Name)}
    read: dict[str, ast.expr] = {}
    for name in names:
        for d in view.defs(name)[:1]:  # a module's own: a TypeVar is rarely imported
            bound = _type_variable(d) if d.kind == "variable" else None
            if bound is not None:
                read[name] = bound
    if not read:
        return annotation

    class Reading(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:
            return read.get(node.id, node)

    copy = parsing.parse_expression(ast.unparse(annotation)).body  # the header's nodes are shared
    read_copy: ast.expr = Reading().visit(copy)
    return read_copy


def _type_variable(d: Definition) -> ast.expr | None:
    """What the ``TypeVar`` a module variable is assigned may be, as one annotation (its
    constraints joined by ``|``, else its bound); None for any other variable, or one
    whose statement goes on past the line the index keeps."""
    try:
        tree = parsing.parse(d.signature.strip())
    except SyntaxError:
        return None
    node = tree.body[0] if len(tree.body) == 1 else None
    call = node.value if isinstance(node, ast.Assign) else None
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name | ast.Attribute):
        return None
    if (call.func.id if isinstance(call.func, ast.Name) else call.func.attr) != "TypeVar":
        return None
    kinds = list(call.args[1:]) or [k.value for k in call.keywords if k.arg == "bound"]
    if not kinds:
        return None
    joined = kinds[0]
    for kind in kinds[1:]:
        joined = ast.BinOp(joined, ast.BitOr(), kind)
    return joined


def parameter_names(signature: str) -> list[str]:
    """A ``def`` header's parameters in order, positional ones first ([] when it does not parse)."""
    node = header(signature)
    if node is None:
        return []
    args = node.args
    return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]


def parameter_default(signature: str, name: str) -> str:
    """The default of the parameter ``name`` of a ``def`` header, as written ("" when it
    has none, or the header does not parse)."""
    node = header(signature)
    if node is None:
        return ""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    pairs = [
        *zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True),
        *zip(args.kwonlyargs, args.kw_defaults, strict=True),
    ]
    return next((ast.unparse(d) for a, d in pairs if a.arg == name and d is not None), "")


def parameter_annotations(signature: str) -> dict[str, ast.expr]:
    """The annotations of a ``def`` header's parameters, by name ({} when it does not parse)."""
    node = header(signature)
    return parameters(node) if node is not None else {}
