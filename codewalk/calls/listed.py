"""The elements of a class deriving from ``list`` (transformers' ``LogitsProcessorList``),
as the functions making one fill it: ``processors = LogitsProcessorList()``, then
``processors.append(TopPLogitsWarper(...))`` (the call facts' ``filled``). A loop over
``self`` in one of its methods gives an instance of each class put in it
(``for processor in self: processor(...)`` runs their ``__call__``), and so ``callers``
of such a class's method reads the methods of the lists it is put in."""

from __future__ import annotations

from typing import Protocol

from codewalk.calls.model import Body, Code
from codewalk.calls.reached import CALLABLE, Reach
from codewalk.calls.records import CallFacts, Name, Origin
from codewalk.resolve.model import ModuleView, Resolved
from codewalk.resolve.resolver import Resolver

_LISTS = frozenset(("list", "List", "UserList"))  # a base that makes a class a list


class Filling(Protocol):
    """What is asked of the :class:`~codewalk.calls.reach.Reacher` here."""

    code: Code
    filled: dict[tuple[str, int], list[tuple[Body, Resolved]]]  # put_in's, by class and pins open

    def facts(self, body: Body) -> CallFacts: ...

    def place(self, target: Resolved) -> tuple[Resolver, ModuleView, str] | None: ...

    def reach_name(
        self, body: Body, facts: CallFacts, name: Name, *, call: bool, depth: int, line: int = 0
    ) -> Reach: ...

    def made_by(self, function: Resolved) -> tuple[Resolved, ...]: ...


def is_list(r: Filling, cls: Resolved) -> bool:
    """Whether ``cls`` or a class of its MRO is written deriving from ``list``."""
    place = r.place(cls)
    if place is None:
        return False
    resolver, view, qualname = place
    return any(
        base.rpartition(".")[2] in _LISTS for _, c in resolver.ns.mro(view, qualname) for base in c.bases
    )


def put_in(r: Filling, cls: Resolved) -> list[tuple[Body, Resolved]]:
    """The classes whose instances the functions making a ``cls`` put in it, each with the
    function (in the order the mentions of ``cls``'s name come, each class once)."""
    key = (cls.qualname, r.code.opened())
    if key not in r.filled:
        r.filled[key] = _put_in(r, cls)
    return r.filled[key]


def _put_in(r: Filling, cls: Resolved) -> list[tuple[Body, Resolved]]:
    short = cls.qualname.rpartition(".")[2]
    out: dict[str, tuple[Body, Resolved]] = {}
    for mention in r.code.mentions(short):
        body = mention.body
        if body is None:
            continue
        facts = r.facts(body)
        for local, put in facts.filled.items():
            made = facts.locals.get(local, ())
            if any(_makes(r, body, facts, o, cls) for o in made if o.line == mention.line):
                for element in _classes(r, body, facts, put):
                    out.setdefault(element.qualname, (body, element))
    return list(out.values())


def _makes(r: Filling, body: Body, facts: CallFacts, origin: Origin, cls: Resolved) -> bool:
    """Whether the assignment ``origin`` makes a ``cls`` (``processors = LogitsProcessorList()``)."""
    if origin.kind != "call" or origin.name.expr.rpartition(".")[2] != cls.qualname.rpartition(".")[2]:
        return False
    reach = r.reach_name(body, facts, origin.name, call=False, depth=1, line=origin.line)
    return any(t.qualname == cls.qualname and t.kind == "class" for t in reach.targets)


def _classes(r: Filling, body: Body, facts: CallFacts, put: tuple[Origin, ...]) -> list[Resolved]:
    """The classes of the instances ``put`` in a list: a class constructed there, what a
    function called there returns (``processors.append(watermarking_config.construct_processor(
    ...))``), or a local holding an instance (``w = MinP()``, then ``items.append(w)``)."""
    out: list[Resolved] = []
    for origin in put:
        if origin.kind not in ("call", "name"):
            continue
        reach = r.reach_name(body, facts, origin.name, call=False, depth=1, line=origin.line)
        if origin.kind == "call" or reach.instance:
            out.extend(t for t in reach.targets if t.kind == "class")
        if origin.kind == "call":
            out.extend(c for t in reach.targets if t.kind in CALLABLE for c in r.made_by(t))
    return out


def holding(r: Filling, cls: Resolved) -> list[Resolved]:
    """The classes deriving from ``list`` (written so) that the functions making one put an
    instance of ``cls`` in, or of a class deriving from it (``processors.append(
    TopPLogitsWarper(...))`` in a ``LogitsProcessorList``)."""
    out: list[Resolved] = []
    for listing in r.code.classes_naming(sorted(_LISTS)):
        if any(_derives(r, element, cls) for _, element in put_in(r, listing)):
            out.append(listing)
    return out


def _derives(r: Filling, cls: Resolved, base: Resolved) -> bool:
    """Whether ``cls`` is ``base`` or derives from it."""
    place = r.place(cls)
    if cls.qualname == base.qualname or place is None:
        return cls.qualname == base.qualname
    resolver, view, qualname = place
    return any(f"{v.module}.{c.qualname}" == base.qualname for v, c in resolver.ns.mro(view, qualname))
