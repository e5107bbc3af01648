"""What an attribute or a variable holds, as its declaration says (the index's type text,
:func:`codewalk.resolve.types.declared`), resolved to classes: an instance of a class
(constructed, or annotated: then of it or of a class deriving from it), a container of
instances (``nn.ModuleList([LlamaDecoderLayer(...) ...])``: what a loop over it, an index
into it, or ``zip``/``enumerate`` of it gives), or a class itself."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from codewalk.resolve.model import Hit, ModuleView, Resolved, to_resolved
from codewalk.resolve.resolver import Resolver
from codewalk.resolve.types import declared, declared_how


class Holds(NamedTuple):
    instances: tuple[Resolved, ...] = ()  # an instance of one of these
    elements: tuple[Resolved, ...] = ()  # a container of instances of these
    classes: tuple[Resolved, ...] = ()  # one of these classes itself
    annotated: bool = False  # annotated only: of a class deriving from one of them, maybe
    how: str = ""  # "self.layers holds LlamaDecoderLayer elements (set at path:line)"


class Places(Protocol):
    """What :func:`holds` asks of the :class:`~codewalk.calls.reach.Reacher`."""

    held: dict[tuple[str, str, int], Holds]

    def place(self, target: Resolved) -> tuple[Resolver, ModuleView, str] | None: ...


def holds(r: Places, holder: Resolved) -> Holds:
    """What ``holder`` (an attribute or a variable) holds, memoised."""
    key = (holder.repo, holder.path, holder.line)
    if key not in r.held:
        r.held[key] = _holds(r, holder)
    return r.held[key]


def _holds(r: Places, holder: Resolved) -> Holds:
    place = r.place(holder)
    if place is None or holder.kind not in ("attribute", "variable"):
        return Holds()
    resolver, view, qualname = place
    for d in view.defs(qualname):
        said = declared(d)
        if not (said.classes or said.elements or said.held):
            continue

        def classes(names: tuple[str, ...]) -> tuple[Resolved, ...]:
            out: list[Resolved] = []
            for name in names:
                hits = [
                    h
                    for h in resolver.ns.lookup(view, name.split("."), (), 0)
                    if h.definition.kind == "class"
                ]
                out.extend(to_resolved(h, resolver.facts.repo) for h in hits[:1])
            return tuple(out)

        found = Holds(classes(said.classes), classes(said.elements), classes(said.held), said.annotated)
        held = f"self.{d.name}" if d.kind == "attribute" else d.name
        where = declared_how(Hit(view, d, "", 0))
        if found.elements:
            names = ", ".join(c.qualname.rpartition(".")[2] for c in found.elements)
            return found._replace(how=f"{held} holds {names} elements ({where})")
        if found.classes:
            names = " or ".join(c.qualname.rpartition(".")[2] for c in found.classes)
            return found._replace(how=f"{held} holds the class {names} ({where})")
        if found.instances:
            names = " or ".join(c.qualname.rpartition(".")[2] for c in found.instances)
            article = "an" if names[:1].lower() in "aeiou" else "a"
            return found._replace(how=f"{held} is {article} {names} ({where})")
    return Holds()
