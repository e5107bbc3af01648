"""What ``self.a.b`` reaches, typed from the assignments of the attribute ``a``: a class
it holds, a parameter it keeps, what a property or a table gives, a class imported in
the body that sets it, a module-level variable, a class of another package.

A value annotated with a class may hold an instance of a class deriving from it:
``self.a.m`` lists the overrides of ``m`` there too, and, when the class has no ``m``,
what those classes take from another base (``assistant_model: PreTrainedModel``:
``generate`` is ``GenerationMixin``'s); when the class is another package's
(``model: nn.Module``), the overrides in the pinned classes deriving from it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence

from codewalk.calls.derived import overrides, overrides_outside, taken, with_overrides
from codewalk.calls.holders import Holds, holds
from codewalk.calls.model import BUILTIN, EXTERNAL, Body
from codewalk.calls.reached import (
    COPIES,
    Reach,
    Reaching,
    a,
    annotation,
    enum_note,
    found,
    unresolved,
    with_via,
)
from codewalk.calls.records import IMPORT, Name
from codewalk.resolve.model import Hit, ModuleView, Resolved, chain, to_resolved
from codewalk.resolve.resolver import Resolver
from codewalk.resolve.types import builtin_held, declared, declared_how, declared_type, made_by


def annotated_overrides(
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


def union_outside(
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


def through_property(
    r: Reaching, resolver: Resolver, view: ModuleView, qualname: str, parts: list[str], receiver: str = ""
) -> list[Resolved]:
    """``self.prop.x...`` where the property ``prop`` declares no type codewalk reads: ``x``
    of the classes whose instances its return statements give, read with ``self`` the
    ``receiver`` class when one is known (``base_model``'s ``getattr(self,
    self.base_model_prefix, self)`` is the attribute that class names)."""
    out: list[Resolved] = []
    for prop in resolver.resolve_in(view.module, f"self.{parts[1]}", qualname):
        if prop.kind != "property":
            continue
        how = f"{'.'.join(parts[:2])} returns what its return statements give"
        for cls in r.made_by(prop._replace(receiver=receiver) if receiver else prop):
            place = r.place(cls)
            if place is not None:
                hits = place[0].resolve_in(place[1].module, ".".join(["self", *parts[2:]]), place[2])
                if receiver and len(parts) == 3:  # self there is that instance
                    hits = [h._replace(receiver=cls.qualname) if h.kind == "method" else h for h in hits]
                out.extend(with_via(hits, f"{how}: {a(cls.qualname.rpartition('.')[2])}"))
    return out


def through_table(
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


def with_table(tabled: list[Resolved], hits: list[Resolved]) -> list[Resolved]:
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
    typed = typed_member(r, resolver, attrs, parts)
    if typed is not None:
        return typed
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
    d = first.definition
    if d.kind == "property":  # read, not set: what its getter returns is of no declared type
        where = f"{first.view.path}:{d.line}: {d.signature}"
        return unresolved(f"{'.'.join(parts[:2])}: a property that declares no return type ({where})")
    return unresolved(f"{'.'.join(parts[:2])}: its type is not declared (first set at {_set_at(first)})")


def typed_member(r: Reaching, resolver: Resolver, attrs: list[Hit], parts: list[str]) -> Reach | None:
    """``self.a.b`` of the type the assignments of ``a`` (``attrs``) say, the first whose
    ``b`` codewalk reaches or places in another package: an assignment of what a call
    returns, of no class codewalk knows, does not hide a later one that says a class
    (transformers' ``GenerationConfig.watermarking_config``: ``kwargs.pop(...)``, then
    ``WatermarkingConfig.from_dict(...)`` when given a dict). When none does, why the first
    typed one does not; None when none says a type."""
    first: Reach | None = None
    for hit in attrs:
        type_name = _type_read(r, resolver, hit, parts)
        if not type_name:
            continue
        reach = _member_of_type(r, resolver, hit, parts, type_name)
        if reach.targets or reach.status == EXTERNAL:
            return reach
        first = first or reach
    return first


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
