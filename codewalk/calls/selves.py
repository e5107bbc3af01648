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

A value annotated with a class may hold an instance of a class deriving from it:
``self.a.m`` lists the overrides of ``m`` there too, and, when the class has no ``m``,
what those classes take from another base (``assistant_model: PreTrainedModel``:
``generate`` is ``GenerationMixin``'s); when the class is another package's
(``model: nn.Module``), the overrides in the pinned classes deriving from it.
"""

from __future__ import annotations

import builtins
import textwrap
from collections.abc import Iterator, Sequence

from codewalk.calls.holders import Holds, holds, parameter_names
from codewalk.calls.model import BUILTIN, EXTERNAL, Body
from codewalk.calls.reached import (
    COPIES,
    Joined,
    Reach,
    Reaching,
    a,
    annotation,
    enum_note,
    found,
    torch_module,
    unresolved,
    with_via,
)
from codewalk.calls.records import CLS, IMPORT, Name
from codewalk.resolve.model import Hit, ModuleView, Resolved, chain, to_resolved
from codewalk.resolve.namespace import absolute
from codewalk.resolve.ranking import modular_source
from codewalk.resolve.resolver import Resolver
from codewalk.resolve.types import builtin_held, declared, declared_how, declared_type, made_by

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
        hits = _through_property(r, resolver, view, qualname, parts)
        # self.self_attn.o_proj, self_attn made from a table's item: o_proj of each class
        tabled = [] if hits else _through_table(r, resolver, view, qualname, parts)
        if not hits and len(parts) == 3:  # a member only classes deriving from its class have
            # (peft's self.base_model.generate: a tuner's override, or the model's GenerationMixin's)
            hits = _annotated_overrides(r, resolver, view, qualname, parts, overriding=candidates, own=True)
        hits = _with_table(tabled, hits)
    elif hits and len(parts) > 2:
        if len(parts) == 3 and candidates:  # self.formatter.format_column: its overrides too
            hits += _annotated_overrides(r, resolver, view, qualname, parts)
        elif len(parts) == 3:  # model: PreTrainedModel | nn.Module: nn.Module's overrides, as for one
            hits += _union_outside(r, resolver, view, qualname, parts, hits)
        hits = _with_table(_through_table(r, resolver, view, qualname, parts), hits)
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


_MEMBER_KINDS = ("method", "property", "function", "attribute", "variable", "alias")


def overrides(r: Reaching, cls: Resolved, member: str) -> list[Resolved]:
    """The definitions of ``member`` in the classes deriving from ``cls`` (each class's
    own, not inherited), in the order of :meth:`Reaching.descendants`; found once per
    question (``self.forward`` of PreTrainedModel: 3,800 of them, asked at every call of
    an instance annotated as one)."""
    key = (cls.repo, cls.path, cls.line, member, r.code.opened())
    if key not in r.overriding:
        r.overriding[key] = _overrides(r, cls, member)
    return r.overriding[key]


def _overrides(r: Reaching, cls: Resolved, member: str) -> list[Resolved]:
    order, pins = r.descended(cls)
    if not order:
        return []
    own: dict[str, Resolved] = {}
    for d in r.code.members_named(member, order, pins):  # a pin holding no such class has none
        owner = d.qualname.rpartition(".")[0]
        if owner in order and d.kind in _MEMBER_KINDS and owner not in own:
            own[owner] = d
    return sorted(own.values(), key=lambda d: order[d.qualname.rpartition(".")[0]])


def taken(r: Reaching, cls: Resolved, member: str) -> list[Resolved]:
    """``member`` as the classes deriving from ``cls`` take it from another of their
    bases, when ``cls`` has none: ``generate`` of a ``PreTrainedModel``, which
    ``LlamaForCausalLM(LlamaPreTrainedModel, GenerationMixin)`` takes from
    ``GenerationMixin``; ``get_input_embeddings`` of a ``GenerationMixin``, which it takes
    from ``EmbeddingAccessMixin`` through ``PreTrainedModel``. Each definition once, in the
    order of :meth:`Reaching.descendants` (memoised)."""
    key = (cls.repo, cls.path, cls.line, f"{member} of another base", r.code.opened())
    if key not in r.overriding:
        r.overriding[key] = _taken(r, cls, member) if not r.members(cls, member) else []
    return r.overriding[key]


def _taken(r: Reaching, cls: Resolved, member: str) -> list[Resolved]:
    order, pins = r.descended(cls)
    joins, others, theirs = joined(r, cls)
    within = pins | theirs  # those classes may be another pin's, which no class deriving from cls is in
    elsewhere = {  # what there is to take: a definition in a class of those MROs not deriving from cls
        (d.path, d.line) for d in r.code.members_named(member, others, within) if d.kind in _MEMBER_KINDS
    }
    name = cls.qualname.rpartition(".")[2]
    out: dict[tuple[str, int], Resolved] = {}
    for sub in joins if elsewhere else ():
        if len(out) == len(elsewhere):
            break
        for hit in r.members(sub, member)[:1]:
            owner = hit.qualname.rpartition(".")[0]
            if owner not in order and (hit.path, hit.line) not in out:
                taker = sub.qualname.rpartition(".")[2]
                via = f"defined in {owner.rpartition('.')[2]}, a base of {taker}, which derives from {name}"
                out[(hit.path, hit.line)] = hit._replace(via=via)
    return list(out.values())


def joined(r: Reaching, cls: Resolved) -> Joined:
    """The classes deriving from ``cls`` with more than one base, in the order of
    :meth:`Reaching.descendants` (one that has one base takes what that base took), the
    classes of their MROs that do not derive from ``cls``, by qualname, and the pins
    those are in (memoised)."""
    key = (cls.repo, cls.path, cls.line, r.code.opened())
    if key not in r.joins:
        order, _ = r.descended(cls)
        joins: list[Resolved] = []
        others: set[str] = set()
        for sub in r.descendants(cls):
            place = r.place(sub)
            if place is None or all(len(c.bases) < 2 for c in place[1].defs(place[2]) if c.kind == "class"):
                continue
            joins.append(sub)
            mro = place[0].ns.mro(place[1], place[2])
            others.update(f"{v.module}.{c.qualname}" for v, c in mro)
        outside = frozenset(others.difference(order))
        pins = frozenset(repo for repo in map(r.code.owner, outside) if repo is not None)
        r.joins[key] = (joins, outside, pins)
    return r.joins[key]


def overrides_outside(r: Reaching, view: ModuleView, base: str, member: str) -> list[Resolved]:
    """The definitions of ``member`` in the classes of the pinned repositories that derive
    from ``base``, a class of another package (``torch.nn.Module``: ``PreTrainedModel.to``),
    those of the repositories ``view``'s module imports from included (opened to be read);
    a base is the same class when its package and name are (``torch.nn.modules.module.Module``).
    A modular source's (``modular_csm.py``) is left out: it never runs, its generated twin does."""
    where = (view.repo, view.path)
    if where not in r.imported:
        owners = {r.code.owner(absolute(view, imp)) for imp in view.all_imports()}
        r.imported[where] = tuple(sorted(repo for repo in owners if repo is not None))
    key = (base, member, r.imported[where])
    if key not in r.derived:
        r.derived[key] = _overrides_outside(r, base, member, key[2])
    return r.derived[key]


def _overrides_outside(r: Reaching, base: str, member: str, also: tuple[str, ...]) -> list[Resolved]:
    out: list[Resolved] = []
    mixins: list[tuple[Resolved, str, str]] = []  # a definition, its class's module and qualname
    for d in r.code.named(member, also):
        place = r.place(d) if d.kind in ("method", "property") else None
        if place is None or "<locals>" in d.qualname or modular_source(d.path):
            continue
        resolver, module_view, qualname = place
        owner = qualname.rpartition(".")[0]
        if _derives_outside(r, resolver, module_view, owner, base):
            via = f"an override in {owner}, a class deriving from {base}"
            out.append(d._replace(via=chain(via, d.via)))
        elif _a_mixin(module_view, owner):
            mixins.append((d, module_view.module, owner))
    children = r.code.children([(module, owner) for _, module, owner in mixins])
    for d, module, owner in mixins:  # a mixin's: FluxAttention(nn.Module, AttentionModuleMixin)
        taker = _taken_by(r, children[(module, owner)], d, base)
        if taker:
            via = f"defined in {owner}, a base of {taker}, which derives from {base}"
            out.append(d._replace(via=chain(via, d.via)))
    return out


def _a_mixin(view: ModuleView, qualname: str) -> bool:
    """A class written with no bases, or only ``object`` (``class AttentionModuleMixin:``):
    made to be mixed into others, which may derive from a class of another package."""
    classes = [c for c in view.defs(qualname) if c.kind == "class"]
    return bool(classes) and all(base == "object" for c in classes for base in c.bases)


def _derives_outside(r: Reaching, resolver: Resolver, view: ModuleView, qualname: str, base: str) -> bool:
    """Whether the class ``qualname`` derives from ``base``, a class of another package,
    through the pinned classes of its MRO."""
    top, name = base.partition(".")[0], base.rpartition(".")[2]
    for cls_view, cls in resolver.ns.mro(view, qualname):
        outside = [_written_outside(r, resolver, cls_view, b) for b in cls.bases]
        if any(o.partition(".")[0] == top and o.rpartition(".")[2] == name for o in outside):
            return True
    return False


def _written_outside(r: Reaching, resolver: Resolver, view: ModuleView, written: str) -> str:
    """The class of another package a base written ``written`` in ``view``'s module is
    ("" when none), as :meth:`Reaching.outside` says; memoised: the classes of a module
    write the same bases, and ``PreTrainedModel`` is in the MRO of thousands of classes
    whose overrides of each member asked about are read (again once another pin opens)."""
    key = (resolver.facts.repo, view.repo, view.path, written, r.code.opened())
    if key not in r.outside_bases:
        r.outside_bases[key] = r.outside(resolver, view, written.split(".")).external
    return r.outside_bases[key]


def _taken_by(r: Reaching, children: Sequence[Resolved], d: Resolved, base: str) -> str:
    """Of ``children``, the classes deriving directly from a class that does not derive
    from ``base`` (a mixin), the first that derives from ``base`` too and whose member of
    ``d``'s name is ``d`` (``FluxAttention(nn.Module, AttentionModuleMixin)`` takes
    ``set_processor`` from the mixin); "" when none does."""
    name = d.qualname.rpartition(".")[2]
    for cls in children:
        place = r.place(cls)
        if place is None:
            continue
        resolver, view, qualname = place
        if all(len(c.bases) < 2 for c in view.defs(qualname) if c.kind == "class"):
            continue  # deriving from the mixin alone, it derives from base no more than the mixin
        taken = resolver.ns.members(view, qualname, name, ())
        own = bool(taken) and (taken[0].view.path, taken[0].definition.line) == (d.path, d.line)
        if own and _derives_outside(r, resolver, view, qualname, base):
            return qualname.rpartition(".")[2]
    return ""


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


def _annotated_overrides(
    r: Reaching,
    resolver: Resolver,
    view: ModuleView,
    qualname: str,
    parts: list[str],
    *,
    overriding: bool = True,
    own: bool = False,
) -> list[Resolved]:
    """``self.a.m`` where ``a`` is annotated with a class (``formatter: Formatter``): it
    may hold an instance of a class deriving from it, so what those take from another
    base when the class has no ``m``, and (``overriding``) the overrides of ``m`` there.
    ``own``: the class's own ``m`` too, which the resolver did not find (the index's first
    type for ``a`` is no class: diffusers' ``scheduler = DDIMScheduler.from_config(...)``,
    then ``self.register_modules(scheduler=scheduler)``, what the call returns, which the
    holder's analysis reads)."""
    for hit in resolver.ns.members(view, qualname, parts[1], ())[:1]:
        said = holds(r, to_resolved(hit, resolver.facts.repo))
        if not said.annotated:
            return []
        out: list[Resolved] = []
        for cls in {c.qualname: c for c in said.instances}.values():
            name = cls.qualname.rpartition(".")[2]
            mine = r.members(cls, parts[2]) if own else []
            out += with_via(mine or taken(r, cls, parts[2]), said.how)
            for o in overrides(r, cls, parts[2]) if overriding else ():
                owner = o.qualname.rpartition(".")[0].rpartition(".")[2]
                how = f"{said.how}: an override in {owner}, deriving from {name}"
                out.append(o._replace(via=chain(how, o.via)))
        if said.instances:  # a union's class of another package: its overrides
            out += _outside_overrides(r, resolver, hit.view, said, parts[2], out)
        return out
    return []


def _union_outside(
    r: Reaching, resolver: Resolver, view: ModuleView, qualname: str, parts: list[str], known: list[Resolved]
) -> list[Resolved]:
    """``self.a.m`` where ``a`` is annotated with a union naming a class of another package
    beside pinned ones: that class's overrides of ``m`` (:func:`_outside_overrides`), as
    an annotation naming it alone gives them (:func:`with_overrides`)."""
    for hit in resolver.ns.members(view, qualname, parts[1], ())[:1]:
        said = holds(r, to_resolved(hit, resolver.facts.repo))
        if said.instances and said.outside:
            return _outside_overrides(r, resolver, hit.view, said, parts[2], known)
    return []


def _outside_overrides(
    r: Reaching, resolver: Resolver, view: ModuleView, said: Holds, member: str, known: list[Resolved]
) -> list[Resolved]:
    """``self.a.m`` where ``a`` is annotated with a union naming a class of another package
    beside pinned ones (``model: PreTrainedModel | nn.Module``): the overrides of ``m`` in
    the pinned classes deriving from that one (``PeftModel.save_pretrained``), but those
    already ``known``."""
    seen = {(t.path, t.line) for t in known}
    out: list[Resolved] = []
    for name in said.outside:
        outside = r.outside(resolver, view, [*name.split("."), member])
        if outside.status != EXTERNAL:
            continue
        base = outside.external.rpartition(".")[0]
        for o in overrides_outside(r, view, base, member):
            if (o.path, o.line) not in seen:
                seen.add((o.path, o.line))
                out.append(o._replace(via=chain(said.how, o.via)))
    return out


def _through_property(
    r: Reaching, resolver: Resolver, view: ModuleView, qualname: str, parts: list[str]
) -> list[Resolved]:
    """``self.prop.x...`` where the property ``prop`` declares no type: ``x`` of the
    classes whose instances its return statements give."""
    out: list[Resolved] = []
    for prop in resolver.resolve_in(view.module, f"self.{parts[1]}", qualname):
        if prop.kind != "property":
            continue
        how = f"{'.'.join(parts[:2])} returns what its return statements give"
        for cls in r.made_by(prop):
            place = r.place(cls)
            if place is not None:
                hits = place[0].resolve_in(place[1].module, ".".join(["self", *parts[2:]]), place[2])
                out.extend(with_via(hits, f"{how}: {a(cls.qualname.rpartition('.')[2])}"))
    return out


def _through_table(
    r: Reaching, resolver: Resolver, view: ModuleView, qualname: str, parts: list[str]
) -> list[Resolved]:
    """``self.a.x...`` where ``a`` is made by calling an item of a table of classes
    (``LLAMA_ATTENTION_CLASSES[...](...)``): ``x`` of each class the table holds; of a
    table annotated to hold a class (``dict[PeftType, type[BaseTuner]]``), its ``x`` and
    every override of it in a class deriving from it."""
    out: list[Resolved] = []
    for attribute in _assignments(resolver.ns.members(view, qualname, parts[1], ())):
        said = holds(r, to_resolved(attribute, resolver.facts.repo))
        for cls in said.from_table:
            place = r.place(cls)
            if place is None:
                continue
            how = said.how if cls.via in said.how else f"{said.how}: {cls.via}"
            hits = place[0].resolve_in(place[1].module, ".".join(["self", *parts[2:]]), place[2])
            out.extend(with_via(hits, how))
            if cls.loose and len(parts) == 3:  # any class deriving from it: its overrides too
                name = cls.qualname.rpartition(".")[2]
                for o in overrides(r, cls, parts[2]):
                    owner = o.qualname.rpartition(".")[0].rpartition(".")[2]
                    out.append(
                        o._replace(via=chain(f"{how}: an override in {owner}, deriving from {name}", o.via))
                    )
    once: dict[tuple[str, int], Resolved] = {}  # a member the classes inherit from one, once
    for hit in out:
        once.setdefault((hit.path, hit.line), hit)
    return list(once.values())


def _assignments(hits: list[Hit]) -> list[Hit]:
    """The definitions of an attribute as its class's MRO finds it: every assignment to it
    in the class that first assigns it (``PeftModel.base_model``: the model at line 157,
    a tuner made from a table at line 164), else the first definition alone."""
    first = hits[:1]
    if not first or first[0].definition.kind != "attribute":
        return first
    owner = first[0].definition.qualname
    return [h for h in hits if h.definition.kind == "attribute" and h.definition.qualname == owner]


def _with_table(tabled: list[Resolved], hits: list[Resolved]) -> list[Resolved]:
    """``self.a.m`` found through one of ``a``'s assignments (``hits``), with ``m`` of the
    classes another assignment makes from a table (``tabled``) first, each once: the
    attribute made by the code from a table, before a value it was given (peft's
    ``self.base_model``: the tuner a LoRA model runs, before the model prompt learning
    keeps), as calling the attribute lists them."""
    if not tabled:
        return hits
    seen = {(t.path, t.line) for t in tabled}
    return tabled + [h for h in hits if (h.path, h.line) not in seen]


def through_parameter(
    r: Reaching, body: Body, resolver: Resolver, view: ModuleView, qualname: str, parts: list[str]
) -> Reach | None:
    """``self.a.b`` where ``self.a = a`` keeps a parameter of the method that sets it,
    annotated with classes (``model: PreTrainedModel | nn.Module | None`` in
    ``Trainer.__init__``): ``b`` of the first of them that has it. ``qualname``: the class
    ``self`` is, in ``view``'s module (the receiver's, when there is one)."""

    if len(parts) < 3:
        return None
    for hit in resolver.ns.members(view, qualname, parts[1], ()):
        value = hit.definition.signature.partition("=")[2].strip()
        method = r.code.around(hit.view.repo or body.repo, hit.view.path, hit.definition.line)
        if not value.isidentifier() or method is None:
            continue
        for name in annotation(method.target.signature, value):
            classes = [
                c
                for c in resolver.ns.lookup(hit.view, name.split("."), (), 0)
                if c.definition.kind == "class"
            ]
            for cls in classes[:1]:
                members = resolver.ns.members(cls.view, cls.definition.qualname, parts[2], parts[3:])
                how = (
                    f"{'.'.join(parts[:2])} = {value} (line {hit.definition.line}), annotated {name} "
                    f"in {method.name}"
                )
                if members:
                    return found(with_via([to_resolved(m, resolver.facts.repo) for m in members], how), how)
    return None


def self_outside(
    r: Reaching, body: Body, resolver: Resolver, view: ModuleView, qualname: str, parts: list[str]
) -> Reach:
    """``self.a.b`` where ``a`` holds an instance of a class of another package (``self`` an
    instance of the class ``qualname`` of ``view``'s module)."""

    attrs = resolver.ns.members(view, qualname, parts[1], ())
    base = _outside_base(r, resolver, view, qualname) if not attrs and len(parts) == 2 else ""
    if base:  # self.named_children() in an nn.Module: the base's method, which no pin has
        how = (
            f"{'.'.join(parts)}: no class of {qualname.rpartition('.')[2]}'s MRO codewalk can read "
            f"defines {parts[1]}; it derives from {base}, of another package"
        )
        return Reach((), how, EXTERNAL, f"{base}.{parts[1]}")
    if not attrs:
        return unresolved(
            f"{'.'.join(parts[:2])}: neither {qualname} nor the bases codewalk can read define "
            f"{parts[1]} (it may come from a base outside the pinned repositories, or be made at "
            "run time)"
        )
    if len(parts) == 2:
        return unresolved(f"{'.'.join(parts)}: {attrs[0].definition.signature}")
    held = next((hit for hit in attrs if hit.definition.kind == "class"), None)
    if held is not None and len(parts) == 3:  # self.OP.m of OP = cutlass.FwOp: the class's m
        reach = _held_class_member(resolver, held, parts)
        cls = r.class_named(f"{view.module}.{qualname}") if body.receiver is None else None
        return _held_by_overrides(r, cls, parts, reach) if cls is not None else reach
    kept = _kept_class_member(resolver, attrs, parts) if len(parts) == 3 else None
    if kept is not None:
        return kept
    for hit in attrs:
        type_name = _type_read(r, resolver, hit, parts)
        if type_name:
            return _member_of_type(r, resolver, hit, parts, type_name)
    first = attrs[0]
    builtin = builtin_held(first.definition) if len(parts) == 3 else None
    if builtin is not None and hasattr(builtin, parts[2]):  # self.attn_processors.keys() of a dict
        kind, where = builtin.__name__, f"{first.view.path}:{first.definition.line}"
        return Reach(
            (), f"{kind}.{parts[2]}, a Python builtin ({'.'.join(parts[:2])} is {a(kind)}, {where})", BUILTIN
        )
    named = _through_module_variable(r, resolver, attrs, parts) if len(parts) >= 3 else None
    cls = r.class_named(f"{view.module}.{qualname}") if named is None and body.receiver is None else None
    named = _named_by_overrides(r, cls, parts) if cls is not None and len(parts) >= 3 else named
    if named is not None:
        return named
    # the index keeps each assignment that says a type none before it said: none of these does
    return unresolved(f"{'.'.join(parts[:2])}: its type is not declared (first set at {_set_at(first)})")


def _through_module_variable(
    r: Reaching, resolver: Resolver, attrs: list[Hit], parts: list[str]
) -> Reach | None:
    """``cls.a.b`` where a class body sets ``a = NAME``, a module-level variable of its
    module that holds an instance (``_model_mapping = MODEL_FOR_CAUSAL_LM_MAPPING`` in
    transformers' ``AutoModelForCausalLM``, ``MODEL_FOR_CAUSAL_LM_MAPPING =
    _LazyAutoMapping(...)``): ``b`` of that instance's class, as of ``NAME.b``."""
    for hit in attrs:
        value = hit.definition.signature.partition("=")[2].strip()
        if hit.definition.kind not in ("attribute", "alias") or not value.isidentifier() or value == parts[1]:
            continue
        reach = r.through_declared(resolver, hit.view.module, [value, *parts[2:]])
        if reach is not None and reach.targets:
            how = f"{'.'.join(parts[:2])} = {value} ({hit.view.path}:{hit.definition.line}); {reach.how}"
            return found([t._replace(via=how) for t in reach.targets], how)
    return None


def _setting(r: Reaching, cls: Resolved, attribute: str) -> Iterator[tuple[Resolved, Resolver, list[Hit]]]:
    """Each class deriving from ``cls`` that sets ``attribute`` again, with the resolver of
    its pin and what ``attribute`` is in it (through its MRO)."""
    for override in overrides(r, cls, attribute):
        owner = r.class_named(override.qualname.rpartition(".")[0])
        place = r.place(owner) if owner is not None else None
        if owner is None or place is None:
            continue
        resolver, view, qualname = place
        yield owner, resolver, resolver.ns.members(view, qualname, attribute, ())


def _named_by_overrides(r: Reaching, cls: Resolved, parts: list[str]) -> Reach | None:
    """``cls.a.b`` where ``cls`` leaves ``a`` untyped (``_model_mapping = None`` in
    ``_BaseAutoModelClass``) and no receiver says which class ``cls`` is: the ``b`` of what
    the classes deriving from it set ``a`` to, a module-level variable each
    (``AutoModelForCausalLM._model_mapping = MODEL_FOR_CAUSAL_LM_MAPPING``), once per target."""
    targets: dict[tuple[str, str, int], Resolved] = {}
    owners = 0
    for owner, resolver, members in _setting(r, cls, parts[1]):
        reach = _through_module_variable(r, resolver, members, parts)
        owners += 1 if reach is not None and reach.targets else 0
        derived = (
            f"in {owner.qualname.rpartition('.')[2]}, a class deriving from {cls.qualname.rpartition('.')[2]}"
        )
        for target in reach.targets if reach is not None else ():
            how = f"{derived}, "
            targets.setdefault((target.repo, target.path, target.line), target._replace(via=how + target.via))
    if not targets:
        return None
    others = f" (and so in {owners - 1} other classes deriving from it)" if owners > 1 else ""
    said = [t._replace(via=t.via + others) for t in targets.values()]
    return found(said, said[0].via)


def _member_of_type(r: Reaching, resolver: Resolver, hit: Hit, parts: list[str], type_name: str) -> Reach:
    """``self.a.b`` where the attribute ``hit`` holds ``type_name`` (a class, or what a
    function returns, ``name()``): ``b`` of it, outside the pins or in them, or why not."""
    outside = r.outside(resolver, hit.view, [*type_name.split("."), *parts[2:]])
    prefix = f"{'.'.join(parts[:2])} is {a(type_name)} ({declared_how(hit)})"
    if outside.status == EXTERNAL and type_name.endswith("()"):
        maker = type_name.removesuffix("()")
        if maker in COPIES:  # copy.deepcopy(x): of no class known
            return unresolved(f"{_returned(parts, type_name, hit)}; {outside.how}")
        # self.logger = logging.getLogger(...): of what that call returns, in that package
        made = f"{'.'.join(parts[:2])} is what {maker}(…) returns ({declared_how(hit)})"
        return outside._replace(external=f"{maker}(…).{'.'.join(parts[2:])}", how=f"{made}; {outside.how}")
    if outside.status == EXTERNAL and len(parts) == 3 and not _made_there(r, hit, type_name):
        return with_overrides(r, hit.view, outside, prefix)
    if outside.status == EXTERNAL or outside.targets:
        return outside._replace(how=f"{prefix}; {outside.how}")
    named = resolver.ns.lookup(hit.view, type_name.split("."), (), 0)
    classes = [(c.view, c.definition.qualname) for c in named if c.definition.kind == "class"]
    imported = None if classes or len(parts) != 3 else _imported_there(r, resolver, hit, parts, type_name)
    if imported is not None:
        return imported
    untyped = _untyped_member(resolver, classes, parts) if len(parts) > 3 else ""
    if untyped:
        return unresolved(f"{prefix}; {untyped}")
    if not classes and type_name.endswith("()"):  # made by a function: of the classes it returns, else any
        return _made_member(r, resolver, hit, parts) or unresolved(_returned(parts, type_name, hit))
    kinds = enum_note(resolver, classes)
    return unresolved(f"{prefix}, which defines no {'.'.join(parts[2:])} codewalk can read{kinds}")


def _imported_there(
    r: Reaching, resolver: Resolver, hit: Hit, parts: list[str], type_name: str
) -> Reach | None:
    """``self.a.m`` where the method that sets ``a`` makes it of a class it imports in its
    body (``from ..cache_utils import MtpCache``, then ``self.mtp_cache = MtpCache(...)``,
    transformers' ``MTPCandidateGenerator``): ``m`` of that class; None when the method
    imports no such name."""
    method = r.code.around(hit.view.repo or resolver.facts.repo, hit.view.path, hit.definition.line)
    if method is None:
        return None
    head, _, rest = type_name.partition(".")
    facts = r.facts(method)
    names = [site.name for site in facts.sites] + [o.name for said in facts.locals.values() for o in said]
    imported = next((n for n in names if n.root == IMPORT and n.expr.split(".")[0] == head), None)
    if imported is None:
        return None
    attributes = imported.expr.count(".")  # ``MtpCache.x`` qualified ``..cache_utils.MtpCache.x``
    base = imported.qualified.rsplit(".", attributes)[0] if attributes else imported.qualified
    reach = r.dotted(method, Name(type_name, IMPORT, f"{base}.{rest}" if rest else base), read=True)
    classes = [t for t in reach.targets if t.kind == "class"]
    if not classes:
        return None
    how = f"{'.'.join(parts[:2])} is {a(type_name)} ({declared_how(hit)}), imported in {method.name}'s body"
    members = r.members(classes[0], parts[2])
    if not members:
        return unresolved(f"{how}, which defines no {parts[2]} codewalk can read")
    return found(with_via(members, how), how)


def _made_member(r: Reaching, resolver: Resolver, hit: Hit, parts: list[str]) -> Reach | None:
    """``self.a.b`` where the attribute ``hit`` holds what a function returns, of classes
    codewalk reads (``scheduler = EulerScheduler.from_config(...)``, a classmethod
    annotated ``-> Self``; a function whose returns construct one): ``b`` of those
    classes; None when it returns none codewalk knows."""
    said = holds(r, to_resolved(hit, resolver.facts.repo))
    targets: list[Resolved] = []
    for cls in {c.qualname: c for c in said.instances}.values():
        place = r.place(cls)
        if place is not None:
            owner, view, qualname = place
            members = owner.ns.members(view, qualname, parts[2], tuple(parts[3:]))
            targets.extend(to_resolved(m, owner.facts.repo) for m in members)
    return found(with_via(targets, said.how), said.how) if targets else None


def _held_class_member(resolver: Resolver, held: Hit, parts: list[str]) -> Reach:
    """``self.a.m`` where the class attribute ``a`` holds the class ``held`` itself
    (transformers' ``generation_config_class: type[GenerationConfig] = GenerationConfig``):
    that class's ``m``, through its MRO (a classmethod, or a function of the class)."""
    setting = held.alias if held.alias is not None else (held.view, held.definition)
    how = (
        f"{'.'.join(parts[:2])} holds the class {held.definition.qualname} "
        f"(set at {setting[0].path}:{setting[1].line})"
    )
    return _class_member(resolver, held, parts[2], how)


def _class_member(resolver: Resolver, cls: Hit, member: str, how: str) -> Reach:
    """``member`` of the class ``cls``, through its MRO, each said reached ``how``."""
    members = resolver.ns.members(cls.view, cls.definition.qualname, member, ())
    if not members:
        return unresolved(f"{how}, which defines no {member} codewalk can read")
    repo = cls.view.repo or resolver.facts.repo
    return found(with_via([to_resolved(m, repo) for m in members], how), how)


def _kept_class_member(resolver: Resolver, attrs: list[Hit], parts: list[str]) -> Reach | None:
    """``self.a.m`` where a method stores a class itself in ``a`` (``self.extractor =
    Extractor``, datasets' ``ExtractManager``): that class's ``m`` (a classmethod or a
    staticmethod, called on the class); None when no assignment of ``a`` holds a class
    codewalk reads."""
    for hit in attrs:
        for name in declared(hit.definition).held if hit.definition.kind == "attribute" else ():
            named = resolver.ns.lookup(hit.view, name.split("."), (), 0)
            classes = [c for c in named if c.definition.kind == "class"]
            if not classes:
                continue
            cls = classes[0]
            how = (
                f"{'.'.join(parts[:2])} holds the class {cls.definition.qualname.rpartition('.')[2]} "
                f"(set at {hit.view.path}:{hit.definition.line})"
            )
            return _class_member(resolver, cls, parts[2], how)
    return None


def _held_by_overrides(r: Reaching, cls: Resolved, parts: list[str], reach: Reach) -> Reach:
    """``reach`` (``self.a.m`` of the class ``a`` holds in ``cls``) with the ``m`` of the
    classes an override of ``a`` in a class deriving from ``cls`` holds, when no receiver
    says which class ``self`` is (``DiffusionGemmaForBlockDiffusion``'s
    ``generation_config_class``, whose class overrides ``from_model_config``)."""
    name = cls.qualname.rpartition(".")[2]
    targets = list(reach.targets)
    seen = {(t.path, t.line) for t in targets}
    for owner, resolver, members in _setting(r, cls, parts[1]):
        holds = [h for h in members if h.definition.kind == "class"]
        for held in holds[:1]:
            setting = held.alias if held.alias is not None else (held.view, held.definition)
            how = (
                f"{'.'.join(parts[:2])} holds the class {held.definition.qualname} in "
                f"{owner.qualname.rpartition('.')[2]}, a class deriving from {name} "
                f"(set at {setting[0].path}:{setting[1].line})"
            )
            repo = held.view.repo or resolver.facts.repo
            for m in resolver.ns.members(held.view, held.definition.qualname, parts[2], ()):
                target = to_resolved(m, repo)
                if (target.path, target.line) not in seen:
                    seen.add((target.path, target.line))
                    targets.append(target._replace(via=how))
    if len(targets) == len(reach.targets):
        return reach
    return found(targets, reach.how) if reach.targets else found(targets, targets[len(reach.targets)].via)


def _returned(parts: list[str], maker: str, hit: Hit) -> str:
    """``self.a`` holds what the function ``maker`` (``f()``) returns, of no class codewalk knows."""
    return (
        f"{'.'.join(parts[:2])} is what {maker.removesuffix('()')}(…) returns ({declared_how(hit)}), "
        "whose class codewalk does not know"
    )


def _type_read(r: Reaching, resolver: Resolver, hit: Hit, parts: list[str]) -> str:
    """The class the attribute ``hit`` is read as holding, for ``parts[2:]`` on it: the
    first its assignment names, unless that is what a function returns
    (``copy.deepcopy(tokenizer_object)``) and a later one is a class whose member codewalk
    reaches (``TokenizerFast(...)``, assigned in another branch: transformers'
    ``TokenizersBackend._tokenizer``)."""
    names = declared(hit.definition).classes
    if not names or not names[0].endswith("()"):
        return names[0] if names else ""
    for name in names[1:]:
        if not name.endswith("()") and r.outside(resolver, hit.view, [*name.split("."), *parts[2:]]).targets:
            return name
    return names[0]


def _made_there(r: Reaching, hit: Hit, type_name: str) -> bool:
    """Whether the attribute ``hit`` is assigned an instance made by calling ``type_name``
    itself, read from its whole statement when it goes on past the first line the index
    keeps (paddle's ``self._forward_post_hooks: OrderedDict[int, Hook] = (``)."""
    d = hit.definition
    if d.end_line <= d.start_line:
        return made_by(d, type_name)
    lines = r.code.lines(hit.view.repo, hit.view.path)[d.start_line - 1 : d.end_line]
    return made_by(d, type_name, textwrap.dedent("".join(lines)))


def _untyped_member(resolver: Resolver, classes: list[tuple[ModuleView, str]], parts: list[str]) -> str:
    """``self.a.b.m()`` where ``a`` holds one of ``classes``: where the first of them sets
    ``b``, when it does and codewalk cannot type it (accelerate's ``GradientState`` sets
    ``plugin_kwargs`` to a plugin's ``to_kwargs()`` or ``{}``); "" when none sets it."""
    for view, qualname in classes[:1]:
        for member in resolver.ns.members(view, qualname, parts[2], ()):
            d = member.definition
            if d.kind == "attribute" and not _names_a_class(resolver, member.view, declared_type(d)):
                return f"its {parts[2]}: its type is not declared (first set at {_set_at(member)})"
    return ""


def _set_at(hit: Hit) -> str:
    """Where an attribute is set and the statement's first line, marked cut when the
    statement goes on (``self.plugin_kwargs = ( …``: not an empty tuple)."""
    d = hit.definition
    cut = " …" if d.end_line > d.start_line else ""
    return f"{hit.view.path}:{d.line}: {d.signature}{cut}"


def _names_a_class(resolver: Resolver, view: ModuleView, type_name: str) -> bool:
    """Whether ``type_name``, as ``view``'s module reads it, is a class codewalk reads (a
    type the index keeps may be a call's result instead: ``plugin.to_kwargs()``)."""
    if not type_name or not all(part.isidentifier() for part in type_name.split(".")):
        return False
    return any(c.definition.kind == "class" for c in resolver.ns.lookup(view, type_name.split("."), (), 0))


def member_outside(
    r: Reaching, places: Sequence[tuple[Resolver, ModuleView, str]], member: str, said: str
) -> Reach | None:
    """``x.m`` where ``x`` (``said``) holds an instance of the classes of ``places``, none
    of whose pinned MRO defines ``m``: the ``m`` of the first base of another package
    their MRO has (``torch.nn.Module.state_dict``), as ``self.m`` is said; None when
    every base is pinned."""
    for resolver, view, qualname in places:
        base = _outside_base(r, resolver, view, qualname)
        if base:
            how = (
                f"{said}; no class of {qualname.rpartition('.')[2]}'s MRO codewalk can read "
                f"defines {member}; it derives from {base}, of another package"
            )
            return Reach((), how, EXTERNAL, f"{base}.{member}")
    return None


def _outside_base(r: Reaching, resolver: Resolver, view: ModuleView, qualname: str) -> str:
    """The first base of a class of another package (``torch.nn.Module``), through the
    pinned classes of its MRO; "" when every base is pinned."""
    for cls_view, cls in resolver.ns.mro(view, qualname):
        for base in cls.bases:
            outside = r.outside(resolver, cls_view, base.split("."))
            if outside.status == EXTERNAL and outside.external.partition(".")[0] not in _MARKERS:
                return outside.external
    return ""


_MARKERS = ("typing", "typing_extensions", "abc")  # bases that give a class no methods to call


def with_overrides(r: Reaching, view: ModuleView, outside: Reach, said: str) -> Reach:
    """``x.m`` where ``x`` is said (``said``) to be an instance of a class of another
    package: ``outside`` (that class's ``m``, not read), and the overrides of ``m`` in
    the pinned classes deriving from it, which may be what ``x`` is."""
    base, _, member = outside.external.rpartition(".")
    others = overrides_outside(r, view, base, member)
    if not others:
        return outside._replace(how=f"{said}; {outside.how}")
    count = len(others)
    how = (
        f"{said}: {outside.external} (in another package), or the {count:,} override"
        f"{'s' if count != 1 else ''} in classes deriving from it"
    )
    return found(others, how)
