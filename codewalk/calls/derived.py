"""What the classes deriving from a class define of a member: their overrides, what
they take from another of their bases when the class has none (``generate`` of a
``PreTrainedModel``), and, from a class of another package (``nn.Module``), the
overrides in the pinned classes deriving from it; each found once per question; and a
definition several classes a value may be take from one base, which runs with ``self``
any class deriving from it (:func:`shared`)."""

from __future__ import annotations

from collections.abc import Sequence

from codewalk.calls.reached import Joined, Reach, Reaching, found
from codewalk.resolve.model import ModuleView, Resolved, chain
from codewalk.resolve.namespace import absolute
from codewalk.resolve.ranking import modular_source
from codewalk.resolve.resolver import Resolver

_MEMBER_KINDS = ("method", "property", "function", "attribute", "variable", "alias")
_OVERRIDING_KINDS = ("method", "property")  # what overrides a member of a class of another package


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
    for d in r.code.named(member, also, kinds=_OVERRIDING_KINDS):
        place = r.place(d)
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


def shared(hits: Sequence[Resolved]) -> list[Resolved]:
    """``hits`` (a member of each of several classes), each definition once: one that
    several of those classes take from a base (``preprocess_model`` of any of the
    quantizers a table holds) runs with ``self`` any of them, so it goes on reached
    through none (``self.x`` there is then the base's and every override's), its ``via``
    naming the others."""
    by_definition: dict[tuple[str, str, int], list[Resolved]] = {}
    for hit in hits:
        by_definition.setdefault((hit.repo, hit.path, hit.line), []).append(hit)
    out: list[Resolved] = []
    for group in by_definition.values():
        first = group[0]
        receivers = list(dict.fromkeys(h.receiver for h in group))
        if len(receivers) < 2:
            out.append(first)
            continue
        names = [q.rpartition(".")[2] for q in receivers[1:] if q]
        listed = ", ".join(names[:3]) + (f" and {len(names) - 3:,} more" if len(names) > 3 else "")
        owner = first.qualname.rpartition(".")[0].rpartition(".")[2]
        if first.via == "direct" and names:  # the first is the class defining it: the others take it
            takes = f"{listed} take{'s' if len(names) == 1 else ''} it from {owner}, "
            how = f"{owner}'s own; {takes}so self there may be any {owner}"
        else:
            also = f"so {'does' if len(names) == 1 else 'do'} {listed}; " if names else ""
            how = f"{first.via}; {also}self there may be any {owner}"
        out.append(first._replace(via=how, receiver=""))
    return out
