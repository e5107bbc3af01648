"""What a name in a body reaches (:class:`Reach`) and the helpers every resolving
module shares; :class:`Reaching` is what :mod:`codewalk.calls.selves` (``assigned``,
``derived``), :mod:`codewalk.calls.holders` and :mod:`codewalk.calls.tables` ask of the
:class:`~codewalk.calls.reach.Reacher` (so that they need not import it)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from codewalk.calls.holders import Holds, Tabled
from codewalk.calls.model import RESOLVED, UNRESOLVED, Body, Code
from codewalk.calls.records import CallFacts, Name
from codewalk.resolve.model import ModuleView, Resolved
from codewalk.resolve.resolver import Resolver

CALLABLE = ("function", "method")
MAX_DEPTH = 6  # locals assigned from locals, properties returning properties
COPIES = frozenset(("copy.copy", "copy.deepcopy"))  # functions of another package returning their argument
# candidates of a call above which it is "many": path searches it lazily, and what each
# returns is not read (a module called may be any of 1,818 models)
WIDE = 12
# derived.joined: the classes deriving from one with several bases, the classes of their
# MROs not deriving from it, and the pins those are in
Joined = tuple[list[Resolved], frozenset[str], frozenset[str]]


class Reach(NamedTuple):
    """What a name reaches: definitions (each with its own ``via``), or what is known."""

    targets: tuple[Resolved, ...]
    how: str
    status: str
    external: str = ""
    instance: bool = False  # the targets are classes whose *instances* the name holds
    loose: bool = False  # instances of them or of classes deriving from them (an annotation said)


def unresolved(how: str) -> Reach:
    return Reach((), how, UNRESOLVED)


def found(
    targets: list[Resolved] | tuple[Resolved, ...],
    how: str = "",
    *,
    instance: bool = False,
    loose: bool = False,
) -> Reach:
    unique: dict[tuple[str, str, int], Resolved] = {}
    for target in targets:
        unique.setdefault((target.repo, target.path, target.line), target)
    if not unique:
        return unresolved(how or "nothing found")
    first = next(iter(unique.values()))
    return Reach(tuple(unique.values()), how or first.via, RESOLVED, instance=instance, loose=loose)


def with_via(targets: list[Resolved], how: str) -> list[Resolved]:
    """``targets``, each reached by ``how`` first (then by its own way, unless direct);
    each made through ``tuple.__new__``: a call of a class's thousands of overrides says
    how for each, and ``_replace`` names every field."""
    return [_new(Resolved, (*t[:_VIA], _then(how, t.via), *t[_VIA + 1 :])) for t in targets]


_new = tuple.__new__
_VIA = Resolved._fields.index("via")


def _then(how: str, via: str) -> str:
    rest = via.removeprefix("direct; ") if via != "direct" else ""
    return f"{how}; {rest}" if rest else how


def a(name: str) -> str:
    """``a LlamaModel``, ``an Accelerator``."""
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


class Reaching(Protocol):
    """What the resolving modules ask of the :class:`~codewalk.calls.reach.Reacher`."""

    code: Code
    held: dict[tuple[str, str, int, str], Holds]
    # the overrides of a member in the classes deriving from a class of another package,
    # by (that class, the member, the pins read)
    derived: dict[tuple[str, str, tuple[str, ...]], list[Resolved]]
    imported: dict[tuple[str, str], tuple[str, ...]]  # the pins a module imports from, by its file
    # the class of another package a base is, by the resolver asking, the module's file,
    # the base as written and the pins open
    outside_bases: dict[tuple[str, str, str, str, int], str]
    # the overrides of a member in the classes deriving from a pinned class, by (the
    # class, the member, the pins open)
    overriding: dict[tuple[str, str, int, str, int], list[Resolved]]
    # derived.joined, by (the class, the pins open)
    joins: dict[tuple[str, str, int, int], Joined]

    def facts(self, body: Body) -> CallFacts: ...

    def dotted(self, body: Body, name: Name, *, read: bool = False) -> Reach: ...

    def view(self, body: Body) -> tuple[Resolver, ModuleView] | None: ...

    def place(self, target: Resolved) -> tuple[Resolver, ModuleView, str] | None: ...

    def members(self, cls: Resolved, member: str) -> list[Resolved]: ...

    def class_named(self, qualname: str) -> Resolved | None: ...

    def descendants(self, cls: Resolved) -> list[Resolved]: ...

    def descended(self, cls: Resolved) -> tuple[dict[str, int], frozenset[str]]: ...

    def outside(self, resolver: Resolver, view: ModuleView, parts: list[str]) -> Reach: ...

    def made_by(self, function: Resolved) -> tuple[Resolved, ...]: ...

    def through_declared(self, resolver: Resolver, module: str, parts: list[str]) -> Reach | None: ...

    def table_classes(self, resolver: Resolver, view: ModuleView, table: str, key: str) -> Tabled: ...


def torch_module(external: str) -> bool:
    """``torch.nn.Module`` (as imported: ``torch.nn.modules.module.Module`` too)."""
    return external.partition(".")[0] == "torch" and external.rpartition(".")[2] == "Module"


def annotation(signature: str, parameter: str) -> list[str]:
    """The class names a parameter's annotation names, in a ``def`` header as written:
    ``["PreTrainedModel", "nn.Module"]`` for ``model: PreTrainedModel | nn.Module | None``."""
    names = [part.strip() for part in annotation_text(signature, parameter).split("|")]
    return [n for n in names if re.fullmatch(r"[A-Za-z_][\w.]*", n) and n not in ("None", "Any")]


def annotation_text(signature: str, parameter: str) -> str:
    """A parameter's annotation in a ``def`` header, quotes taken out ("" if none)."""
    start = re.search(rf"[(,]\s*{re.escape(parameter)}\s*:", signature)
    if start is None:
        return ""
    depth, end = 0, len(signature)
    for index in range(start.end(), len(signature)):
        char = signature[index]
        if char in "([":
            depth += 1
        elif char in ")]":
            if depth == 0:
                end = index
                break
            depth -= 1
        elif char in "=," and depth == 0:
            end = index
            break
    return signature[start.end() : end].replace('"', "").replace("'", "").strip()


_ENUMS = ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag")


def enum_note(resolver: Resolver, classes: Sequence[tuple[ModuleView, str]]) -> str:
    """What to add where a value annotated with an Enum (``scheduler:
    KarrasDiffusionSchedulers``, diffusers' pipelines) lacks the member called: the
    annotation names the kinds the value may be, not its class. "" when none of
    ``classes`` (each a module's view and a class's qualname in it) is an Enum."""
    named = (qualname.rpartition(".")[2] for view, qualname in classes if _is_enum(resolver, view, qualname))
    enums = list(dict.fromkeys(named))
    if not enums:
        return ""
    return f" ({', '.join(enums)} is an Enum: the annotation names the kinds of value, not its class)"


def _is_enum(resolver: Resolver, view: ModuleView, qualname: str) -> bool:
    """Whether a class derives from the standard library's ``Enum`` (through the pinned
    classes of its MRO: ``ExplicitEnum(str, Enum)``)."""
    mro = resolver.ns.mro(view, qualname)
    return any(base.rpartition(".")[2] in _ENUMS for _, cls in mro for base in cls.bases)
