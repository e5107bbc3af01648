"""What ``self``, ``cls`` and ``super()`` reach in a method.

``self`` is an instance of the body's *receiver* when the question named a concrete
class (``calls LlamaForCausalLM.generate``) or a chain carried one down
(:attr:`~codewalk.calls.model.Body.receiver`): ``self.x`` is then looked up in that
class's MRO, the override wins, ``self(...)`` is its ``forward``, ``super().x`` is the
next class after the body's own in *its* MRO. Without one, ``self`` may be an instance of
the body's class or of any class deriving from it: ``self.x`` is the definition the
class's MRO finds, then every override in a class deriving from it (all of them, said
with their number), and a member only subclasses define is looked for there, or in
another of their bases (``get_input_embeddings`` in ``GenerationMixin``: a model takes
it from ``EmbeddingAccessMixin``, through ``PreTrainedModel``).

``cls`` (a classmethod's first parameter), ``type(self)`` and ``self.__class__`` are the
class itself: calling it constructs one; so is the first parameter of a method of the
receiver's metaclass (``_Cached.__call__`` reached as ``HfFileSystem.__call__``).
``self.a.b``, of what the attribute ``a`` holds, is :mod:`codewalk.calls.assigned`'s.
"""

from __future__ import annotations

import builtins

from codewalk.calls.assigned import (
    annotated_overrides,
    self_outside,
    through_parameter,
    through_property,
    through_table,
    union_outside,
    with_table,
)
from codewalk.calls.derived import overrides, taken
from codewalk.calls.holders import parameter_names
from codewalk.calls.model import BUILTIN, EXTERNAL, Body
from codewalk.calls.reached import Reach, Reaching, a, found, torch_module, unresolved, with_via
from codewalk.calls.records import CLS, Name
from codewalk.resolve.model import Hit, ModuleView, Resolved, chain, to_resolved
from codewalk.resolve.resolver import Resolver

NAMED = 3  # classes named in a ``how`` before "and N more"


def enclosing_class(r: Reaching, body: Body) -> Resolved | None:
    """The class the body is defined in."""
    where = r.view(body)
    if where is None or not body.cls:
        return None
    resolver, view = where
    classes = [d for d in view.defs(body.cls) if d.kind == "class"]
    return to_resolved(Hit(view, classes[0], "direct", 0), resolver.facts.repo) if classes else None


_STR_ATTRIBUTES = ("__name__", "__qualname__", "__module__")  # of every class, a str


def self_class(r: Reaching, body: Body) -> tuple[Resolved | None, str]:
    """The class ``self`` is taken to be in ``body``, and, when it is a receiver, why."""
    if body.receiver is not None:
        name = body.receiver.qualname.rpartition(".")[2]
        # a classmethod's first parameter is the class itself, not an instance of it
        is_class = parameter_names(body.target.signature)[:1] == ["cls"]
        said = f"cls is {name}" if is_class else f"self is {a(name)}"
        return body.receiver, f"{said} ({body.receiver.via})"
    return enclosing_class(r, body), ""


def reach_self(r: Reaching, body: Body, name: Name, *, candidates: bool = True) -> Reach:
    """``self``, ``self.x``, ``self.a.b``, ``cls(...)``, ``type(self)``; without a
    receiver, the overrides of ``self.x`` too, when ``candidates``."""

    parts = name.expr.removesuffix("[]").split(".")
    named = _class_name_method(parts) or _dict_method(parts)
    if named:
        return Reach((), named, BUILTIN)
    if not body.cls and body.receiver is None:
        return _outside_class(r, body, parts, candidates=candidates)
    klass = name.root == CLS or parts[-1] == "__class__"
    if parts[-1] == "__class__":
        parts = parts[:-1]
    cls, said = self_class(r, body)
    place = r.place(cls) if cls is not None else None
    if cls is None or place is None:
        return unresolved(f"{parts[0]}: the class of {body.name} is not in the index")
    resolver, view, qualname = place
    if cls is body.receiver and of_metaclass(r, body):  # a metaclass's method: self is the class
        klass = True
        name_ = cls.qualname.rpartition(".")[2]
        said = f"{parts[0]} is the class {name_} ({cls.via}), an instance of its metaclass {body.cls}"
    if len(parts) == 1:  # self itself: an instance (calling it runs its forward), or the class
        how = said or f"{parts[0]} is {'the class' if klass else a(cls.qualname.rpartition('.')[2])}"
        return found([cls._replace(via=how, receiver=cls.qualname)], how, instance=not klass)
    hits = resolver.resolve_in(view.module, ".".join(["self", *parts[1:]]), qualname)
    if parts[1:] == ["__call__"] and not hits:  # self.__call__ of an nn.Module: calling self
        how = f"{said + '; ' if said else ''}self.__call__ is calling self"
        return found([cls._replace(via=how, receiver=cls.qualname)], how, instance=True)
    return _self_member(r, body, cls, said, place, parts, hits, candidates=candidates)


def _self_member(
    r: Reaching,
    body: Body,
    cls: Resolved,
    said: str,
    place: tuple[Resolver, ModuleView, str],
    parts: list[str],
    hits: list[Resolved],
    *,
    candidates: bool,
) -> Reach:
    """``self.x``, ``self.a.b`` where ``self`` is a ``cls`` (``said`` why, ``place`` where
    the class is), ``hits`` what its MRO finds for them: those, with the overrides of
    ``self.x`` when no receiver says which class it is; else through a property, an
    annotated parameter, a class of another package."""
    resolver, view, qualname = place
    if len(parts) == 2:  # the receiver goes on to the body reached; without one, none does
        hits = [h._replace(receiver=cls.qualname if body.receiver is not None else "") for h in hits]
        if body.receiver is None:  # what the class lacks, the classes deriving from it take: its callers too
            others = overrides(r, cls, parts[1]) if candidates else []
            mixed = [] if hits else taken(r, cls, parts[1])
            if others or mixed:
                return _candidates(cls, parts[1], hits, others, mixed)
    if not hits and len(parts) > 2:  # self.prop.x: x of what the property returns
        hits = through_property(r, resolver, view, qualname, parts, cls.qualname if body.receiver else "")
        # self.self_attn.o_proj, self_attn made from a table's item: o_proj of each class
        tabled = [] if hits else through_table(r, resolver, view, qualname, parts)
        if not hits and len(parts) == 3:  # a member only classes deriving from its class have
            # (peft's self.base_model.generate: a tuner's override, or the model's GenerationMixin's)
            hits = annotated_overrides(r, resolver, view, qualname, parts, overriding=candidates, own=True)
        hits = with_table(tabled, hits)
    elif hits and len(parts) > 2:
        if len(parts) == 3 and candidates:  # self.formatter.format_column: its overrides too
            hits += annotated_overrides(r, resolver, view, qualname, parts)
        elif len(parts) == 3:  # model: PreTrainedModel | nn.Module: nn.Module's overrides, as for one
            hits += union_outside(r, resolver, view, qualname, parts, hits)
        hits = with_table(through_table(r, resolver, view, qualname, parts), hits)
    if hits:
        return found(with_via(hits, said)) if said else found(hits)
    if len(parts) > 2 and body.receiver is None:
        owned = _owned_elsewhere(r, body, cls, said, parts, candidates=candidates)
        if owned is not None:
            return owned
    typed = through_parameter(r, body, resolver, view, qualname, parts)
    if typed is not None:
        return typed
    return self_outside(r, body, resolver, view, qualname, parts)


def _owned_elsewhere(
    r: Reaching, body: Body, cls: Resolved, said: str, parts: list[str], *, candidates: bool
) -> Reach | None:
    """``self.config.get_text_config()`` in ``GenerationMixin``, which has no ``config``:
    the rest of the name as the class the classes deriving from ``cls`` take ``config``
    from reads it; when they take it from several (each model family's pretrained class
    annotates its own), as the base introducing it to them does (``PreTrainedModel``, the
    farthest base defining it of the first). None when no such class defines it, or the
    rest resolves to nothing there."""
    hits = taken(r, cls, parts[1])
    first = r.class_named(hits[0].qualname.rpartition(".")[0]) if hits else None
    place = r.place(first) if first is not None else None
    if first is None or place is None:
        return None
    owner, where = first, place
    if len(hits) > 1:
        resolver, view, qualname = place
        for base_view, base in reversed(resolver.ns.mro(view, qualname)):
            if base_view.defs(f"{base.qualname}.{parts[1]}"):
                farthest = r.class_named(f"{base_view.module}.{base.qualname}")
                there = r.place(farthest) if farthest is not None else None
                if farthest is not None and there is not None:
                    owner, where = farthest, there
                break
    resolver, view, qualname = where
    mixin = cls.qualname.rpartition(".")[2]
    how = (
        f"{'.'.join(parts[:2])}: defined in {owner.qualname.rpartition('.')[2]}, a base of classes "
        f"deriving from {mixin}"
    )
    told = f"{said}; {how}" if said else how
    found = resolver.resolve_in(view.module, ".".join(["self", *parts[1:]]), qualname)
    reach = _self_member(r, body, owner, told, where, parts, found, candidates=candidates)
    return reach if reach.targets or reach.status == EXTERNAL else None


def _class_name_method(parts: list[str]) -> str:
    """``self.__class__.__name__.lower``: the name of the instance's class is a str, and
    this a method of str; "" for anything else."""
    if len(parts) != 4 or parts[1] != "__class__" or parts[2] not in _STR_ATTRIBUTES:
        return ""
    if not hasattr(str, parts[3]):
        return ""
    return f"{'.'.join(parts)}: a Python builtin, str.{parts[3]} ({'.'.join(parts[:3])} is a str)"


def _dict_method(parts: list[str]) -> str:
    """``self.base_model.__dict__.get``: an object's ``__dict__`` is a dict, whatever its
    class, and this a method of dict; "" for anything else."""
    if len(parts) < 3 or parts[-2] != "__dict__" or not hasattr(dict, parts[-1]):
        return ""
    return f"{'.'.join(parts)}: a Python builtin, dict.{parts[-1]} ({'.'.join(parts[:-1])} is a dict)"


def _outside_class(r: Reaching, body: Body, parts: list[str], *, candidates: bool) -> Reach:
    """``self`` in a function no class holds: of the classes it is set on, if any."""
    installed = installed_self(r, body, parts, candidates=candidates) if body.nested else None
    return installed or unresolved(f"{parts[0]} is the first parameter, but {body.name} is not in a class")


def installed_self(r: Reaching, body: Body, parts: list[str], *, candidates: bool) -> Reach | None:
    """``self`` in a function nested in another that sets it on classes as a method
    (``cls.__init__ = __init__`` in ``@strict``'s ``wrap``): an instance of one of those
    classes or of a class deriving from one; ``self.x`` is each one's ``x`` (and, when
    ``candidates``, the overrides in the classes deriving from it)."""
    classes = r.code.installed_on(body.target)
    if not classes or len(parts) > 2:
        return None
    how = f"self is an instance of a class {classes[0].via}"
    if len(parts) == 1:
        return found([c._replace(via=how, receiver=c.qualname) for c in classes], how, instance=True)
    covered: set[tuple[str, int]] = set()  # classes deriving from one already asked
    targets: list[Resolved] = []
    for cls in classes:
        if (cls.path, cls.line) in covered:
            continue
        below = r.descendants(cls) if candidates else []
        covered.update((c.path, c.line) for c in below)
        targets += r.members(cls, parts[1]) + (overrides(r, cls, parts[1]) if candidates else [])
    return found(with_via(targets, how), how)


def of_metaclass(r: Reaching, body: Body) -> bool:
    """``body`` is a method of the metaclass of its receiver (a class that does not
    derive from the body's class): its first parameter is that class itself."""
    place = r.place(body.receiver) if body.receiver is not None else None
    if place is None:
        return False
    resolver, view, qualname = place
    if any(v.module == body.module and c.qualname == body.cls for v, c in resolver.ns.mro(view, qualname)):
        return False
    meta = resolver.ns.metaclass(view, qualname)
    mro = resolver.ns.mro(meta[0], meta[1].qualname) if meta is not None else []
    return any(v.module == body.module and c.qualname == body.cls for v, c in mro)


def _candidates(
    cls: Resolved, member: str, own: list[Resolved], others: list[Resolved], mixed: list[Resolved]
) -> Reach:
    """``self.member`` where ``self`` may be any class deriving from ``cls``: ``own``
    what its MRO finds, ``others`` the overrides in classes deriving from it, ``mixed``
    (when it has none) what they take from another of their bases."""

    owners = [o.qualname.rpartition(".")[0].rpartition(".")[2] for o in others]
    more = f" and {len(owners) - NAMED:,} more" if len(owners) > NAMED else ""
    listed = f"{', '.join(owners[:NAMED])}{more}"
    name = cls.qualname.rpartition(".")[2]
    count = len(others)
    if own:
        how = (
            f"self may be any {name}: its {member}, then the {count:,} override{'s' if count != 1 else ''} "
            f"in classes deriving from it ({listed})"
        )
        word = "an override in"
    else:
        classes = f"{count:,} class{'es' if count != 1 else ''}"
        verb = "do" if count != 1 else "does"
        said = [f"{classes} deriving from it {verb} ({listed})"] if others else []
        if mixed:
            bases = [m.qualname.rpartition(".")[0].rpartition(".")[2] for m in mixed]
            more = f" and {len(bases) - NAMED} more" if len(bases) > NAMED else ""
            listed_bases = f"{', '.join(bases[:NAMED])}{more}"
            said.insert(0, f"classes deriving from it take it from another base ({listed_bases})")
        how = f"{name} does not define {member}; {', and '.join(said)}"
        word = "defined in"
    overriding = [
        o._replace(via=chain(f"{word} {owner}, a class deriving from {name}", o.via))
        for o, owner in zip(others, owners, strict=True)
    ]
    return found([*own, *mixed, *overriding], how)


def reach_super(r: Reaching, body: Body, parts: list[str]) -> Reach:
    """``super().x``: the next class after the body's own in the MRO of ``self``'s class."""

    cls, said = self_class(r, body)
    place = r.place(cls) if cls is not None else None
    if not parts or cls is None or place is None:
        return unresolved(f"super().{'.'.join(parts)} outside a class codewalk can read")
    resolver, view, qualname = place
    mro = resolver.ns.mro(view, qualname)
    me = body.cls.rpartition(".")[2]
    own = [i for i, (v, c) in enumerate(mro) if v.module == body.module and c.qualname == body.cls]
    after = mro[own[0] + 1 :] if own else mro[1:]
    member = parts[0]
    within = f"the MRO of {cls.qualname.rpartition('.')[2]}" if said else f"the MRO of {me}"
    for owner_view, owner in after:
        defs = owner_view.defs(f"{owner.qualname}.{member}")
        if defs:
            how = f"super() in {me}: {owner.name}.{member}, next in {within}" + (f"; {said}" if said else "")
            hits = [to_resolved(Hit(owner_view, d, how, 0), resolver.facts.repo) for d in defs[:1]]
            return found([h._replace(receiver=cls.qualname) for h in hits], how)
    for owner_view, owner in mro:
        for base in owner.bases:
            outside = r.outside(resolver, owner_view, [*base.split("."), member])
            if outside.status == EXTERNAL or outside.targets:
                runs = _module_call(r, cls, outside, me, said) if member == "__call__" else None
                how = f"super() in {me}: a base outside the repo; {outside.how}"
                return runs or outside._replace(how=how)
            builtin = _BUILTIN_TYPES.get(base)
            if builtin is not None and hasattr(builtin, member) and not owner_view.imports(base):
                return Reach((), f"super() in {me}: {base}.{member}, a Python builtin", BUILTIN)
    return unresolved(f"super().{member}: no class in {within} that codewalk can read defines it")


_BUILTIN_TYPES = {
    name: t for name, t in vars(builtins).items() if isinstance(t, type)
}  # dict, list, Exception


def _module_call(r: Reaching, cls: Resolved, outside: Reach, me: str, said: str) -> Reach | None:
    """``super().__call__`` reaching torch's ``nn.Module.__call__``, from a class that
    wraps it (transformers 4.x's ``GradientCheckpointingLayer.__call__``): it runs the
    ``forward`` of ``self``'s class, as calling the module would; None when that class
    has none codewalk can read (the wrapper asked about alone)."""
    if not torch_module(outside.external.rpartition(".")[0]):
        return None
    forward = r.members(cls, "forward")[:1]
    if not forward:
        return None
    name = cls.qualname.rpartition(".")[2]
    how = f"super() in {me}: torch.nn.Module.__call__, which runs the forward of {a(name)}"
    how += f"; {said}" if said else ""
    return found([f._replace(receiver=cls.qualname) for f in with_via(forward, how)], how)
