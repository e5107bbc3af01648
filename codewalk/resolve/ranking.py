"""Which of several candidates a reader means first.

A candidate's *penalty* comes from what the definition is (a ``DummyObject``
placeholder, a ``TYPE_CHECKING`` import, an ``@overload`` or ``Protocol`` stub, a copy,
a modular source, test or template code, a method rather than a class); the modules a
tour has visited so far (``context``) pull their own definitions forward. At equal
penalty, *importance* decides: whether the class (a method's class) is public API, then
how many modules use its name (``PreTrainedModel``: every modeling file derives from it;
an activation function: its own module). ``docs/resolution.md`` says the same in prose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from codewalk.index.records import (
    DUMMY,
    FALLBACK,
    OVERLOAD,
    PROTOCOL,
    SETTER,
    TYPE_CHECKING_ONLY,
    Definition,
)
from codewalk.resolve.model import Hit, ModuleView, Resolved, chain


def penalty(view: ModuleView, d: Definition) -> int:
    """How far down a definition ranks for what it is (0: a plain class or function)."""
    generated = 3 if view.generated_from and not d.copied_from else 0  # generated code: its original first
    return definition_penalty(d, view.path) + generated


def definition_penalty(d: Definition, path: str) -> int:
    """:func:`penalty` from the definition and its file's path alone, without the module's
    facts (what the palette has of each name it lists)."""
    score = 0
    if d.flags & DUMMY or "/dummy_" in path:
        score += 100
    if d.flags & TYPE_CHECKING_ONLY:
        score += 50
    if d.flags & FALLBACK:
        score += 40  # ``X = None`` where an import failed: the name's stand-in, not the name
    if d.flags & OVERLOAD:
        score += 20
    if d.flags & SETTER:
        score += 5
    if d.copied_from:
        score += 3  # a copy: its original reads first
    if d.flags & PROTOCOL:
        score += 20  # a typing.Protocol member is a stub, like an @overload
    if modular_source(path):
        score += 10
    if path.endswith(".pyi"):
        score += 2  # a stub's declaration: the module's Python source, where it has one, reads first
    if any(part in path for part in ("/tests/", "/templates/", "/examples/", "/commands/")):
        score += 30
    if d.kind in ("method", "property"):
        score += 2
    elif d.kind in ("variable", "alias"):
        score += 3
    elif d.kind == "attribute":
        score += 4
    if d.name.startswith("_"):
        score += 1
    if "<locals>" in d.qualname:
        score += 3  # made inside another function: reached through what binds it, not by its name
    return score


Importance = Mapping[str, tuple[bool, int]]  # owner name -> (public API, modules using the name)


def owner_name(hit: Hit) -> str:
    """The class whose importance ranks ``hit``: its class for a member, else itself."""
    d = hit.definition
    return d.parent.rpartition(".")[2] if d.parent else d.name


def rank(
    hits: list[Hit],
    context: Sequence[str],
    primary: str = "",
    importance: Importance | None = None,
    named: Mapping[str, int] | None = None,
) -> list[Hit]:
    """``hits`` best first, one per place (repository, path and line); at equal merit,
    the more important owner first (``importance``), then among copies of one name the
    one more modules name (``named``: module -> imports of it and ``# Copied from`` it),
    then the ``primary`` repository's (the one asked about); last, by place, so that
    equal answers always come in the same order."""
    weight = importance or {}
    naming = named or {}

    def score(hit: Hit) -> tuple[int, bool, bool, int, int, int, str, str, int]:
        value = hit.penalty
        module = hit.view.module
        for ctx in context:
            if module == ctx:
                value -= 20
            elif module.rpartition(".")[0] == ctx.rpartition(".")[0]:
                value -= 4
        other = bool(primary) and hit.view.repo not in ("", primary)
        public, derived = weight.get(owner_name(hit), (False, 0))
        named_by = naming.get(module, 0)
        place = (hit.view.repo, hit.view.path, hit.definition.line)
        return (value, other, not public, -derived, -named_by, module.count("."), *place)

    unique: dict[tuple[str, str, int], Hit] = {}
    for hit in sorted(hits, key=score):
        unique.setdefault((hit.view.repo, hit.view.path, hit.definition.line), hit)
    return list(unique.values())


def without_overload_stubs(hits: list[Hit]) -> list[Hit]:
    """Drop an ``@overload`` signature of a function its module also defines plainly:
    Python binds the name to that one, which is listed; the signatures are its own
    (a stub with no such definition, in a ``.pyi``, stays)."""
    return [
        hit
        for hit in hits
        if not hit.definition.flags & OVERLOAD
        or not any(not d.flags & OVERLOAD for d in hit.view.defs(hit.definition.qualname))
    ]


def shadowed_stubs_last(ranked: list[Hit]) -> list[Hit]:
    """A module's stub beside a package's stub of the same name (tokenizers ships
    ``trainers.pyi`` and ``trainers/__init__.pyi``): the package's is the one Python
    imports and type checkers read, the module's is shadowed; kept, for its own path,
    said so and listed after the others."""
    packages = {
        (h.view.repo, h.view.path.removesuffix("/__init__.pyi"))
        for h in ranked
        if h.view.path.endswith("/__init__.pyi")
    }
    kept: list[Hit] = []
    shadowed: list[Hit] = []
    for hit in ranked:
        stem = hit.view.path.removesuffix(".pyi")
        if hit.view.is_stub and (hit.view.repo, stem) in packages:
            how = f"shadowed by the package's stub {stem}/__init__.pyi, which type checkers read"
            shadowed.append(hit._replace(via=chain(hit.via, how)))
        else:
            kept.append(hit)
    return kept + shadowed


def is_fallback(hit: Hit) -> bool:
    """A module-level stand-in for a name whose import failed (``X = None``)."""
    return bool(hit.definition.flags & FALLBACK)


def modular_source(path: str) -> bool:
    """Whether ``path`` is a ``modular_*.py`` source: the code a ``modeling_*.py`` is
    generated from, never imported itself (the generated file runs)."""
    return "/modular_" in path


def without_modular_twins(hits: list[Hit], context: Sequence[str] = ()) -> list[Hit]:
    """Drop a definition in a ``modular_x.py`` when the ``modeling_x.py`` generated
    from it defines the same name: the generated class is the one that runs (its bases
    are the real ones), and the modular source is listed as related to it anyway.
    A reader already in the modular file (``context``) keeps it."""
    generated = {
        (hit.view.generated_from, hit.definition.qualname) for hit in hits if hit.view.generated_from
    }
    return [
        hit
        for hit in hits
        if hit.view.module in context or (hit.view.path, hit.definition.qualname) not in generated
    ]


def dedupe(results: list[Resolved]) -> list[Resolved]:
    """One result per place; table entries at a place are kept apart from definitions."""
    seen: set[tuple[str, str, int, str]] = set()
    unique: list[Resolved] = []
    for result in results:
        key = (result.repo, result.path, result.line, result.kind if result.kind == "entry" else "")
        if key in seen:
            continue
        seen.add(key)
        unique.append(result)
    return unique
