"""Values that lead to calls: locals' origins, dispatch tables, registries, properties.

What a local holds is what it was assigned (:class:`~codewalk.calls.records.Origin`):

- ``TABLE[key]`` / ``TABLE.get(key, default)``: the table's entries, resolved in its
  module; the default the code names first (``LOSS_MAPPING["ForCausalLM"]``), and, for a
  property called from a class, the entry whose key is in that class's name before it;
- ``getattr(self, TABLE[mode])``: the methods the table's strings name
  (``GENERATION_MODES_MAPPING``);
- ``REGISTRY.get_interface(key, default)``: a registry object whose class keeps a dict
  of functions (``ALL_ATTENTION_FUNCTIONS``): the default passed first, then the entries;
- ``f(self.method, ...)``: a wrapper called with a method (``find_executable_batch_size``)
  returns something that runs that method;
- ``Cls(...)``: an instance, whose call runs ``__call__`` or ``forward``.

An attribute assigned ``TABLE[key](...)`` holds an instance of each class the table
holds (:func:`table_classes`, for :mod:`codewalk.calls.holders`).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from codewalk.calls import listed
from codewalk.calls.contained import ELEMENT_METHODS, annotated_elements, is_container
from codewalk.calls.holders import Tabled, holds, parameter
from codewalk.calls.model import RESOLVED, Body
from codewalk.calls.named import assigned_value
from codewalk.calls.passed import copied_argument, returned_argument
from codewalk.calls.reach import Reacher
from codewalk.calls.reached import CALLABLE, MAX_DEPTH, WIDE, Reach, a, found, unresolved, with_via
from codewalk.calls.records import BUILTIN as BUILTIN_ROOT
from codewalk.calls.records import CLS, EXPR, GLOBAL, IMPORT, LOCAL, PARAM, SELF, CallFacts, Name, Origin
from codewalk.calls.selves import self_class
from codewalk.index.records import DictEntry
from codewalk.resolve.model import BODY_KINDS, ModuleView, Resolved, to_resolved
from codewalk.resolve.query import is_dotted
from codewalk.resolve.resolver import Resolver
from codewalk.resolve.types import declared_type, returns

_PARTIAL = ("functools.partial", "functools.wraps")  # another package's wrappers that run their argument


def origin(
    r: Reacher, body: Body, facts: CallFacts, o: Origin, *, call: bool, depth: int, for_class: str = ""
) -> Reach:
    """What a local (or a return value) holds, from one of its assignments."""
    if o.kind == "name":
        parts = o.name.expr.split(".")
        early = r.set_by_enclosing(body, parts, before=o.line) if o.name.root == PARAM else None
        if early is not None:  # x = cls.m in a class decorator: what it had set by then
            return r.called(body, early, depth) if call else early
        return r.reach_name(body, facts, o.name, call=call, depth=depth, line=o.line)
    if o.kind == "call":
        return _call_result(r, body, facts, o, call=call, depth=depth, for_class=for_class)
    if o.kind == "item":
        table = r.reach_name(body, facts, o.name, call=False, depth=depth, line=o.line)
        defaults = _callable_args(r, body, facts, o.args, depth, o.line)
        reach = subscript(r, table, o.keys, defaults, for_class, exact=o.exact)
        if not reach.targets and o.name.root in (LOCAL, PARAM):  # x[k], x.get(k) of x: dict[K, V]
            reach = element(r, body, facts, o.name, depth, o.line) or reach
        return r.called(body, reach, depth) if call else reach
    if o.kind == "getattr":
        return _getattr(r, body, facts, o, depth)
    if o.kind == "loop":
        reach = _element(r, body, facts, o.name, depth, o.line)
        return r.called(body, reach, depth) if call and reach.targets else reach
    if o.kind == "def" and o.span != (0, 0):
        target = nested_definition(body, o)
        reach = found([target], target.via) if target.kind == "function" else unresolved(target.via)
        return r.called(body, reach, depth) if call else reach
    if o.kind == "annotated" and is_container(o):  # x: dict[K, V]: no instance of V itself
        return unresolved(f"{o.text} (line {o.line}): a container")
    if o.kind in ("annotated", "narrowed"):
        reach = _declared_instance(r, body, o)
        return r.called(body, reach, depth) if call else reach
    return unresolved("")


def _declared_instance(r: Reacher, body: Body, o: Origin) -> Reach:
    """A local annotated with a class (``builder_instance: DatasetBuilder = ...``), or left
    one by an ``isinstance`` guard: an instance of it, or of a class deriving from it."""
    place = r.view(body)
    if place is None:
        return unresolved("")
    resolver, view = place
    hits = [
        h for h in resolver.ns.lookup(view, o.name.expr.split("."), (), 0) if h.definition.kind == "class"
    ]
    if not hits:
        return unresolved(f"{o.name.expr}, the class it is annotated with, is not one codewalk reads")
    cls = to_resolved(hits[0], resolver.facts.repo)
    said = "annotated" if o.kind == "annotated" else f"the isinstance guard at line {o.line}"
    how = f"{a(o.name.expr.rpartition('.')[2])}, or an instance of a class deriving from it ({said})"
    return found([cls._replace(via=how, receiver="")], how, instance=True, loose=True)


def nested_definition(body: Body, o: Origin) -> Resolved:
    """A function (or class) defined in ``body``, named as Python names it
    (``Trainer.train.<locals>.inner``)."""
    host = body.host or body.target
    kind = "class" if o.text.startswith("class ") else "function"
    return Resolved(
        repo=host.repo,
        qualname=f"{host.qualname}.<locals>.{o.name.qualified}",
        kind=kind,
        path=host.path,
        line=o.line,
        start_line=o.span[0],
        end_line=o.span[1],
        via=f"defined in {host.qualname.rpartition('.')[2]} (line {o.line})",
        signature=o.text,
        version=host.version,
    )


def _element(r: Reacher, body: Body, facts: CallFacts, over: Name, depth: int, line: int) -> Reach:
    """A loop variable over ``over``: an element of the container it names."""
    what = over.expr.removesuffix("[]")
    if not what:
        return unresolved("a loop variable over an expression")
    if over.root == LOCAL and "." not in what:
        put = _put_in(r, body, facts, what, depth)
        if put is not None:
            return put
    if over.root == SELF and what == over.expr and "." not in what:  # for x in self: of a list
        held = _listed(r, body)
        if held is not None:
            return held
    return element(r, body, facts, over, depth, line) or unresolved(f"a loop variable over {what}")


def _listed(r: Reacher, body: Body) -> Reach | None:
    """An element of ``self``, of a class deriving from ``list``: an instance of each class
    the functions making one put in it (:mod:`codewalk.calls.listed`); None otherwise."""
    cls, _ = self_class(r, body)
    if cls is None or not listed.is_list(r, cls):
        return None
    put = listed.put_in(r, cls)
    if not put:
        return None
    short = cls.qualname.rpartition(".")[2]
    makers = list(
        dict.fromkeys(f"{maker.target.qualname.rpartition('.')[2]} ({maker.target.path})" for maker, _ in put)
    )
    how = (
        f"an element of self, {a(short)} (a list): "
        f"{f'one of the {len(put)} classes' if len(put) > 1 else 'the class'} put in one by "
        f"{', '.join(makers[:3])}{' and others' if len(makers) > 3 else ''}"
    )
    return Reach(tuple(c._replace(via=how) for _, c in put), how, RESOLVED, instance=True)


def element(r: Reacher, body: Body, facts: CallFacts, container: Name, depth: int, line: int) -> Reach | None:
    """An element of what ``container`` (used on ``line``) holds, as declared: a
    parameter or a local annotated ``dict[K, V]``, ``list[V]`` (an instance of ``V``, or
    of a class deriving from it), an attribute or a variable declared to hold them; None
    when nothing says."""
    what = container.expr.removesuffix("[]")
    if not what or "(" in what or "[" in what:  # an element of an item, of what a call returns
        return None
    if container.root == PARAM and "." not in what:  # items: list[Item]
        said = parameter(r, body.target, what)
        if said.elements:
            return Reach(said.elements, said.how, RESOLVED, instance=True, loose=True)
        if said.element_classes:  # ops: Sequence[type[Op]]: the classes themselves
            return Reach(
                tuple(c._replace(via=said.how, loose=True) for c in said.element_classes), said.how, RESOLVED
            )
    if container.root == LOCAL and "." not in what:
        annotated = annotated_elements(r, body, facts, what, line)
        if annotated is not None:
            return annotated
    reach = r.reach_name(body, facts, container._replace(expr=what), call=False, depth=depth + 1, line=line)
    return elements(r, reach)


_PUT = ("append", "extend", "insert")  # what fills a list


def _put_in(r: Reacher, body: Body, facts: CallFacts, local: str, depth: int) -> Reach | None:
    """A local list the body fills with functions or classes (``dispatchers.append(f)``,
    ``dispatchers.extend([f, g])``, peft's LoRA dispatchers): what it puts in, in order."""
    adders = {f"{local}.{method}" for method in _PUT}
    out: list[Resolved] = []
    lines: list[int] = []
    for site in facts.sites:
        if site.kind == "ref" and site.args and site.args[0].root == LOCAL and site.args[0].expr in adders:
            reach = r.reach_name(body, facts, site.name, call=False, depth=depth + 1, line=site.line)
            out.extend(t for t in reach.targets if t.kind in (*CALLABLE, "class"))
            lines.append(site.line)
    if not out:
        return None
    span = f"line {lines[0]}" if lines[0] == lines[-1] else f"lines {lines[0]}-{lines[-1]}"
    how = f"an item of {local}, which the body fills with what it names ({span})"
    return found(with_via(out, how), how)


def elements(r: Reacher, container: Reach) -> Reach | None:
    """The elements of the containers ``container`` reaches, as their declarations say."""
    out: list[Resolved] = []
    classes: list[Resolved] = []  # a container of classes: MAPPING[key](...) constructs one
    hows: list[str] = []
    loose = False  # annotated: of those classes or of classes deriving from them
    for target in container.targets:
        if target.kind in ("attribute", "variable", "property"):
            found = holds(r, target)
            out.extend(c._replace(via=found.how) for c in found.elements)
            classes.extend(c._replace(via=found.how, loose=True) for c in found.element_classes)  # type[X]
            hows.extend([found.how] if found.elements or found.element_classes else [])
            loose = loose or (found.annotated and bool(found.elements))
    if out:
        return Reach(tuple(out), hows[0], RESOLVED, instance=True, loose=loose)
    return Reach(tuple(classes), hows[0], RESOLVED) if classes else None


def _callable_args(
    r: Reacher, body: Body, facts: CallFacts, args: Sequence[Name], depth: int, line: int
) -> list[Resolved]:
    out: list[Resolved] = []
    for arg in args:
        reach = r.reach_name(body, facts, arg, call=False, depth=depth + 1, line=line)
        out.extend(t for t in reach.targets if t.kind in CALLABLE)
    return out


def _call_result(
    r: Reacher, body: Body, facts: CallFacts, o: Origin, *, call: bool, depth: int, for_class: str
) -> Reach:
    what = o.name.expr or "an expression"
    named = _getattr_named(r, body, facts, o, depth)
    if named is not None:  # getattr(self, self.base_model_prefix, self): the attribute the class names
        return r.called(body, named, depth) if call else named
    callee = r.reach_name(body, facts, o.name, call=False, depth=depth, line=o.line)
    callee = callee._replace(targets=r.on_class(body, facts, o.name, o.line, callee.targets))
    registry = _registry(r, body, facts, o, depth, for_class)
    if registry is not None:
        return r.called(body, registry, depth) if call else registry
    wraps = callee.status == RESOLVED and any(t.kind in CALLABLE for t in callee.targets)
    if call and (wraps or callee.external in _PARTIAL):
        wrapped = _callable_args(r, body, facts, o.args, depth, o.line)
        if wrapped:
            name = wrapped[0].qualname.rpartition(".")[2]
            how = f"returned by {what}(…), a wrapper around {name}, passed to it"
            return found([t._replace(via=how) for t in wrapped[:1]], how)
    if callee.instance:  # calling an instance: what its __call__ (a module's forward) returns
        callee = r.called(body, callee, depth)
        if len(callee.targets) > WIDE:  # any of many models: what each returns is no type to go on
            return unresolved(f"what {what}(…) returns")
    result = call_result(r, callee, depth, o.part)
    if not result.targets and o.slots and not of_many(callee):
        result = returned_argument(r, body, facts, o, callee, depth)
        result = result if result.targets else copied_argument(r, body, facts, o, callee, depth)
    receiver, _, method = o.name.expr.rpartition(".")
    if not result.targets and callee.status != RESOLVED and method in ELEMENT_METHODS and receiver:
        result = element(r, body, facts, o.name._replace(expr=receiver), depth, o.line) or result
    if result.targets:
        return r.called(body, result, depth) if call else result
    return unresolved(f"what {what}(…) returns")


def _getattr_named(r: Reacher, body: Body, facts: CallFacts, o: Origin, depth: int) -> Reach | None:
    """``getattr(obj, self.prefix[, default])`` where the class ``self`` is (the receiver,
    else the body's own) sets ``prefix = "model"`` in its body (transformers'
    ``base_model``, ``getattr(self, self.base_model_prefix, self)``): ``obj.model``, which
    the class's attribute names; else the default, when the class has no such
    attribute. None for another call, or a name no class attribute holds as a string."""
    if o.name.root != BUILTIN_ROOT or o.name.expr != "getattr" or o.slots[:2] != ("#0", "#1"):
        return None
    obj, key = o.args[0], o.args[1]
    if key.root != SELF or key.expr.count(".") != 1 or obj.root in (BUILTIN_ROOT, EXPR):
        return None
    cls = body.receiver or (r.class_named(f"{body.module}.{body.cls}") if body.cls else None)
    place = r.place(cls) if cls is not None else None
    if place is None:
        return None
    resolver, view, qualname = place
    member = key.expr.partition(".")[2]
    held = [
        (h, value)
        for h in resolver.ns.members(view, qualname, member, ())[:1]
        if (value := _literal(h.definition.signature))
    ]
    if not held:
        return None
    hit, value = held[0]
    name = qualname.rpartition(".")[2]
    where = f"{hit.view.path}:{hit.definition.line}"
    how = f"getattr({obj.expr}, {key.expr}): {obj.expr}.{value}, {name}.{member} being {value!r} ({where})"
    reach = r.reach_name(
        body, facts, obj._replace(expr=f"{obj.expr}.{value}"), call=False, depth=depth + 1, line=o.line
    )
    if not reach.targets and o.slots[2:3] == ("#2",) and len(o.args) > 2:  # the default, when there is none
        reach = r.reach_name(body, facts, o.args[2], call=False, depth=depth + 1, line=o.line)
        how = f"{how}, which {name} does not have: the default {o.args[2].expr}"
    return reach._replace(how=f"{how}; {reach.how}" if reach.how else how) if reach.targets else None


def _literal(statement: str) -> str:
    """``"model"`` of a class body's ``base_model_prefix = "model"`` (the statement as the
    index keeps it), else ""."""
    value = assigned_value(statement)
    text = value.value if isinstance(value, ast.Constant) else None
    return text if isinstance(text, str) and text.isidentifier() else ""


def call_result(r: Reacher, callee: Reach, depth: int, part: int = -1) -> Reach:
    """What calling the definitions of ``callee`` returns, as instances: of a class it
    constructs (``cls(...)``, ``X(...)``), of what a function's return annotation names,
    else of the classes its ``return`` statements construct; ``part``: of the element of
    that index of the tuple it returns. Nothing for a call of many functions (:func:`of_many`)."""
    if of_many(callee):
        return unresolved("")
    out: list[Resolved] = []
    loose = False
    classes = True  # every function called returns a class itself (-> type[X]), not an instance
    for target in callee.targets if callee.status == RESOLVED else ():
        if target.kind == "class" and not callee.instance and part < 0:
            out.append(target._replace(via=f"an instance of {target.qualname.rpartition('.')[2]}"))
            classes = False
            loose = loose or target.loose  # of a class a -> type[X] returns: X or one deriving from it
        elif target.kind in BODY_KINDS and depth < MAX_DEPTH:
            made = returned_instances(r, target, depth + 1, part)
            out.extend(made.targets)
            loose = loose or made.loose
            classes = classes and not (made.targets and made.instance)
    if not out:
        return unresolved("")
    if classes:  # calling one constructs it
        return found(out, out[0].via, loose=loose)
    return found(
        [c._replace(receiver="" if loose else c.qualname) for c in out],
        out[0].via,
        instance=True,
        loose=loose,
    )


def of_many(callee: Reach) -> bool:
    """A call of more than ``WIDE`` functions (``model.get_input_embeddings()`` on a base
    hundreds of models derive from, each overriding it): what each returns, or returns of
    what it was passed, is no type to go on, as for calling any of many modules; reading
    every one's ``return``s read hundreds of bodies that nothing else asked for."""
    return callee.status == RESOLVED and sum(1 for t in callee.targets if t.kind in BODY_KINDS) > WIDE


def returned_instances(r: Reacher, function: Resolved, depth: int, part: int = -1) -> Reach:
    """The instances ``function`` returns (memoised): what its return annotation names,
    else what its ``return`` statements construct or return from other calls; ``part``:
    the element of that index of the tuples it returns."""
    key = (function.repo, function.path, function.line, function.receiver, f"instances{part}")
    if key not in r.returns:
        r.returns[key] = unresolved("")  # a function returning what it returns
        r.returns[key] = _returned_instances(r, function, depth, part)
    return r.returns[key]


def _returned_instances(r: Reacher, function: Resolved, depth: int, part: int) -> Reach:
    name = function.qualname.rpartition(".")[2]
    annotated = _annotated_return(r, function) if part < 0 else None
    if annotated is not None:
        return annotated
    body = r.body_of(function) if function.kind != "class" else None
    if body is None:
        return unresolved("")
    receiver = r.class_named(function.receiver) if function.receiver and body.cls else None
    if receiver is not None:  # self is the class it was called on: return self, self.x
        body = body._replace(receiver=receiver._replace(via="the class the call reached it through"))
    facts = r.facts(body)
    out: list[Resolved] = []
    loose = False
    for o in facts.returned(body.scope):
        if o.kind in ("call", "name", "item") and o.part == part:
            reach = origin(r, body, facts, o._replace(part=-1), call=False, depth=depth)
            if reach.instance:
                out.extend(t._replace(via=f"returned by {name} (line {o.line})") for t in reach.targets)
                loose = loose or reach.loose
            for held in (holds(r, t) for t in reach.targets if _declared_for(r, function, t)):
                how = f"returned by {name} (line {o.line}): {held.how}"
                out.extend(c._replace(via=how) for c in held.instances)  # return self.base_model
                loose = loose or (held.annotated and bool(held.instances))
    return found(out, out[0].via, instance=True, loose=loose) if out else unresolved("")


def _annotated_return(r: Reacher, function: Resolved) -> Reach | None:
    """What ``function``'s return annotation names, when codewalk reads its classes: an
    instance of one (or of a class deriving from it), or (``-> type[X]``,
    ``get_dataset_builder_class``) the class itself, or one deriving from it. None for a
    class outside the pins (``torch.nn.Module``): what its returns say is more."""
    place = r.place(function)
    said = returns(function.signature)
    if place is None or not (said.classes or said.held):
        return None
    resolver, view, _ = place
    classes: list[Resolved] = []
    exact = False  # -> Self, called on a class known
    for dotted in said.classes or said.held:
        if dotted.rpartition(".")[2] == "Self":
            mine = _self_class(r, function)
            classes.extend(mine[:1])
            exact = exact or bool(mine and function.receiver)
            continue
        hits = [h for h in resolver.ns.lookup(view, dotted.split("."), (), 0) if h.definition.kind == "class"]
        classes.extend(to_resolved(h, resolver.facts.repo) for h in hits[:1])
    if not classes:
        return None
    name, names = (
        function.qualname.rpartition(".")[2],
        " or ".join(c.qualname.rpartition(".")[2] for c in classes),
    )
    if said.classes:
        how = f"{name} returns {names} (annotated)"
        loose = not (exact and len(classes) == 1)
        return found([c._replace(via=how) for c in classes], how, instance=True, loose=loose)
    how = f"{name} returns the class {names}, or one deriving from it (annotated)"
    return found([c._replace(via=how, loose=True) for c in classes], how, loose=True)


def _self_class(r: Reacher, function: Resolved) -> list[Resolved]:
    """What ``Self`` in ``function``'s return annotation is: the class the call reached
    it through, else the class defining it (or one deriving from it)."""
    owner = function.receiver or function.qualname.rpartition(".")[0]
    cls = r.class_named(owner) if function.kind in ("method", "property") and owner else None
    return [cls] if cls is not None else []


def _declared_for(r: Reacher, function: Resolved, held: Resolved) -> bool:
    """``held`` is a module's variable, or an attribute of the class of ``function`` (or
    of a class it derives from; of the class ``self`` is taken to be there, when the call
    said: ``getattr(self, "encoder")`` of a T5 model): what its declaration says holds for
    what the function returns, not an attribute of the same name some class deriving from
    it declares."""
    if held.kind == "variable":
        return True
    receiver = r.class_named(function.receiver) if function.receiver else None
    place = r.place(receiver or function) if held.kind == "attribute" else None
    if place is None:
        return False
    resolver, view, qualname = place
    owner = qualname if receiver is not None else qualname.rpartition(".")[0]
    mro = resolver.ns.mro(view, owner) if owner else []
    return held.qualname.rpartition(".")[0] in {f"{v.module}.{c.qualname}" for v, c in mro}


def _registry(
    r: Reacher, body: Body, facts: CallFacts, o: Origin, depth: int, for_class: str
) -> Reach | None:
    """``REGISTRY.method(key, default)``: a registry object whose class keeps a dict of
    functions (``ALL_ATTENTION_FUNCTIONS.get_interface``), or a dict table itself."""
    receiver, _, method = o.name.expr.rpartition(".")
    if not receiver or receiver.endswith(("]", ")")) or o.name.root not in (GLOBAL, IMPORT, PARAM):
        return None  # a registry is an object a module holds, or a parameter annotated to hold one
    holder = r.reach_name(
        body, facts, o.name._replace(expr=receiver), call=False, depth=depth + 1, line=o.line
    )
    entries = _entries_of(r, holder)
    if entries is None:
        return None
    table, items = entries
    defaults = _callable_args(r, body, facts, o.args, depth, o.line)
    reach = _targets(r, table, items, o.keys, defaults, for_class)
    how = f"{receiver}.{method}(…): a registry, {len(items)} entries ({table.path}:{table.line})"
    unknown = "" if defaults else _unknown_default(r, body, facts, o, depth)
    if unknown and reach.targets:  # said before the entries, where the default would be
        first = reach.targets[0]
        reach = reach._replace(targets=(first._replace(via=f"{unknown}; {first.via}"), *reach.targets[1:]))
    return reach._replace(how=how) if reach.targets else None


def _unknown_default(r: Reacher, body: Body, facts: CallFacts, o: Origin, depth: int) -> str:
    """What is known of a registry call's default (a name after its key) that reaches no
    function here: ``original_forward`` in a class decorator's dispatcher, the decorated
    class's own ``forward``, which only a known class says."""
    for arg in o.args[1:]:
        if arg.root in (LOCAL, PARAM) and "." not in arg.expr:
            reach = r.reach_name(body, facts, arg, call=False, depth=depth + 1, line=o.line)
            if not reach.targets and reach.how:
                return f"the default {arg.expr}, not known here: {reach.how}"
    return ""


def _entries_of(r: Reacher, holder: Reach) -> tuple[Resolved, list[DictEntry]] | None:
    """The table a name holds: a dict literal, or the dicts the class of the object it
    holds keeps at class level (through the MRO); None when it holds neither (memoised)."""
    key = (holder.instance, *((t.repo, t.path, t.line) for t in holder.targets))
    if key not in r.tables:
        r.tables[key] = _find_entries(r, holder)
    return r.tables[key]


def _find_entries(r: Reacher, holder: Reach) -> tuple[Resolved, list[DictEntry]] | None:
    for target in holder.targets:
        place = r.place(target)
        if place is None:
            continue
        _resolver, view, qualname = place
        if target.kind in ("variable", "attribute"):
            items = r.code.table(target.repo, view.module, qualname)
            if items:
                return target, items
            classes = _declared_classes(r, target)
        elif target.kind == "class" and holder.instance:
            classes = [target]
        else:
            continue
        for cls in classes:
            cls_place = r.place(cls)
            if cls_place is None:
                continue
            cls_resolver, cls_view, cls_name = cls_place
            for owner_view, owner in cls_resolver.ns.mro(cls_view, cls_name):
                items = r.code.table(cls.repo, owner_view.module, owner.qualname)
                if items:
                    where = [t for t in r.members(cls, items[0].table.rpartition(".")[2])]
                    return (where[0] if where else cls), items
    return None


def _declared_classes(r: Reacher, holder: Resolved) -> list[Resolved]:
    """The classes a variable or attribute is declared to hold (annotation, constructor)."""
    place = r.place(holder)
    if place is None:
        return []
    resolver, view, qualname = place
    out: list[Resolved] = []
    for d in view.defs(qualname):
        type_name = declared_type(d)
        if type_name:
            hits = resolver.ns.lookup(view, type_name.split("."), (), 0)
            out.extend(to_resolved(h, resolver.facts.repo) for h in hits if h.definition.kind == "class")
    return out


def subscript(
    r: Reacher,
    table: Reach,
    keys: Sequence[str],
    defaults: list[Resolved],
    for_class: str,
    *,
    exact: bool = False,
) -> Reach:
    """What ``TABLE[key]`` holds: the entries named by ``keys`` only, when ``exact``."""
    entries = _entries_of(r, table)
    if entries is None:
        held = elements(r, table)  # self.layers[i]: an element of a module list
        if held is not None:
            return held
        return unresolved(_no_entries(r, table))
    items = entries[1]
    if exact:
        items = [e for e in items if e.key in keys] or items
    return _targets(r, entries[0], items, keys, defaults, for_class)


def _no_entries(r: Reacher, table: Reach) -> str:
    """Why an item of ``table`` is not read: it is no dict literal, or it holds an
    instance of a class no pin provides (torch's ``nn.ModuleDict``), filled at run time."""
    target = table.targets[0] if table.targets else None
    if target is None:
        return "an item of a value, which is not a dict literal codewalk can read"
    outside = holds(r, target).outside if target.kind in ("attribute", "variable") else ()
    if outside:
        held = f"{a(outside[0])} (of a package no pin provides)"
        return f"an item of {target.qualname}, {held}, filled at run time"
    return f"an item of {target.qualname}, which is not a dict literal codewalk can read"


def table_classes(r: Reacher, resolver: Resolver, view: ModuleView, table: str, key: str) -> Tabled:
    """The classes the dict ``table`` (as named in ``view``'s module: its own, or
    imported) holds, in the table's order, the entry of ``key`` first; each ``via``
    names its entry. Its other values (functions, classes no pin has) are left out."""
    hits = resolver.ns.lookup(view, table.split("."), (), 0)
    holder = found([to_resolved(h, resolver.facts.repo) for h in hits[:1]])
    entries = _entries_of(r, holder) if holder.targets else None
    if entries is not None:
        where, items = entries
        reach = _targets(r, where, items, [key] if key else [], [], "")
        classes = tuple(t for t in reach.targets if t.kind == "class")
        if classes:
            return Tabled(
                classes, f"one of the {len(items)} entries of {items[0].table} ({where.path}:{where.line})"
            )
    return _annotated_classes(r, holder)


def _annotated_classes(r: Reacher, table: Reach) -> Tabled:
    """The classes ``table`` is annotated to hold (``dict[PeftType, type[BaseTuner]]``),
    for a table a registry fills at run time, whose entries are not in the code: an item
    is one of them, or of a class deriving from one."""
    for target in table.targets:
        if target.kind in ("attribute", "variable"):
            said = holds(r, target)
            if said.element_classes:
                classes = tuple(c._replace(via=said.how, loose=True) for c in said.element_classes)
                return Tabled(classes, f"an entry of a table: {said.how}")
    return Tabled()


def _targets(
    r: Reacher,
    table: Resolved,
    items: list[DictEntry],
    keys: Sequence[str],
    defaults: list[Resolved],
    for_class: str,
) -> Reach:
    """The entries' values, resolved in the table's module: the default the call names
    first, then the entry for the calling class, the keys the code names, the rest."""
    place = r.place(table)
    if place is None:
        return unresolved("")
    resolver, view, _ = place
    name = items[0].table if items else table.qualname.rpartition(".")[2]

    def rank(entry: DictEntry) -> int:
        if for_class and entry.value_is_str is False and entry.key and entry.key in for_class:
            return 0
        return 1 if entry.key in keys else 2

    ordered = sorted(items, key=rank)
    out: list[Resolved] = [t._replace(via=f"the default named by the call: {t.via}") for t in defaults]
    for entry in ordered:
        if entry.value_is_str or not (is_dotted(entry.value) or entry.value.isidentifier()):
            continue
        key = entry.key if is_dotted(entry.key) else repr(entry.key)
        note = ""
        if rank(entry) == 0:
            note = f" (the key in {for_class}'s name)"
        elif rank(entry) == 1:
            note = " (the key the code names)"
        via = f"{name}[{key}] -> {entry.value} ({view.path}:{entry.line}){note}"
        hits = resolver.resolve_in(view.module, entry.value)
        out.extend(h._replace(via=f"{via}; {h.via}" if h.via != "direct" else via) for h in hits[:1])
    return found(out, f"through the table {name} ({view.path}:{table.line}), {len(items)} entries")


def _getattr(r: Reacher, body: Body, facts: CallFacts, o: Origin, depth: int) -> Reach:
    """``getattr(self, TABLE[key])``: the methods the table's strings name."""
    table = r.reach_name(body, facts, o.name, call=False, depth=depth, line=o.line)
    entries = _entries_of(r, table)
    if entries is None:
        return unresolved(f"getattr through {o.name.expr}, which is not a dict literal codewalk can read")
    where, items = entries
    owner = o.args[0] if o.args else Name("", "expr")
    out: list[Resolved] = []
    other: list[str] = []
    if o.exact:  # getattr(self, TABLE["fast"]): that entry, no other
        items = [e for e in items if e.key in o.keys] or items
    for entry in sorted(items, key=lambda e: e.key not in o.keys):
        if not (entry.value_is_str and entry.value.isidentifier()):
            other.append(entry.value)
            continue
        if owner.root in (SELF, CLS):
            member = owner._replace(expr=f"{owner.expr.split('.')[0]}.{entry.value}")
        else:
            member = owner._replace(expr=f"{owner.expr}.{entry.value}")
        reach = r.reach_name(body, facts, member, call=False, depth=depth + 1, line=o.line)
        key = entry.key if is_dotted(entry.key) else repr(entry.key)
        table_name = entries[1][0].table
        entry_text = f"{table_name}[{key}] -> {entry.value!r} ({where.path}:{entry.line})"
        via = f"getattr through the dispatch table {entry_text}"
        out.extend(t._replace(via=f"{via}; {t.via}" if t.via != "direct" else via) for t in reach.targets[:1])
    extra = f"; {len(other)} entries name no method ({other[0]!r}…)" if other else ""
    return found(out, f"through the dispatch table {entries[1][0].table} ({where.path}:{where.line}){extra}")


def returned(r: Reacher, prop: Resolved, caller: Body, depth: int) -> Reach:
    """What the property ``prop`` returns, as the class of ``caller`` would get it
    (memoised)."""
    key = (prop.repo, prop.path, prop.line, caller.cls, caller.key[3])
    if key not in r.returns:
        r.returns[key] = unresolved("")  # a property returning itself, through others
        r.returns[key] = _returned(r, prop, caller, depth)
    return r.returns[key]


def _returned(r: Reacher, prop: Resolved, caller: Body, depth: int) -> Reach:
    body = r.code.body(prop)
    if body is None:
        return unresolved("")
    facts = r.facts(body)
    for_class = caller.cls.rpartition(".")[2]
    targets: list[Resolved] = []
    for o in (o for o in facts.returns if o.part < 0):
        reach = origin(r, body, facts, o, call=True, depth=depth, for_class=for_class)
        where = f"returned by the property {prop.qualname.rpartition('.')[2]} ({prop.path}:{o.line})"
        targets.extend(t._replace(via=f"{where}: {t.via}") for t in reach.targets)
    return found(targets, f"what the property {prop.qualname.rpartition('.')[2]} returns")
