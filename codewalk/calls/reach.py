"""From a name in a body to the definitions it reaches, the transformers way.

A call site's name is bound as the analysis says (:mod:`codewalk.calls.records`); this
module asks the resolver of the body's repo what each binding reaches:

- ``self.x`` through the class and its MRO (``Resolver.resolve_in``), then, when neither
  defines ``x``, through the classes that mix the class in; ``self.a.b`` through the
  type ``a`` is declared to hold;
- ``super().x`` through the MRO after the class;
- module-level names through the module's namespace (imports, lazy re-exports, aliases);
- locals through what they were assigned (a method, a wrapper around a method passed to
  it, a dispatch table, a registry: :mod:`codewalk.calls.tables`);
- a name of another package (``accelerate.Accelerator.backward``) through
  :meth:`Code.elsewhere`, and listed as such when no pin provides it.

Calling a property reaches the property and what it returns; calling an instance (an
``nn.Module`` held in an attribute) reaches its ``__call__`` or ``forward``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from codewalk.calls.cache import CallFactsTable
from codewalk.calls.model import BUILTIN, EXTERNAL, RESOLVED, UNRESOLVED, Body, Code
from codewalk.calls.records import (
    BUILTIN as BUILTIN_ROOT,
)
from codewalk.calls.records import (
    EXPR,
    GLOBAL,
    IMPORT,
    PARAM,
    SELF,
    SUPER,
    CallFacts,
    Name,
)
from codewalk.resolve.model import Hit, ModuleView, Resolved, to_resolved
from codewalk.resolve.namespace import absolute
from codewalk.resolve.resolver import Resolver
from codewalk.resolve.types import declared_how, declared_type

CALLABLE = ("function", "method")
_MAX_SUBCLASSES = 40  # classes that mix a class in, tried for a member it lacks
MAX_DEPTH = 6  # locals assigned from locals, properties returning properties


class Reach(NamedTuple):
    """What a name reaches: definitions (each with its own ``via``), or what is known."""

    targets: tuple[Resolved, ...]
    how: str
    status: str
    external: str = ""
    instance: bool = False  # the targets are classes whose *instances* the name holds


def unresolved(how: str) -> Reach:
    return Reach((), how, UNRESOLVED)


def found(targets: list[Resolved] | tuple[Resolved, ...], how: str = "", *, instance: bool = False) -> Reach:
    unique: dict[tuple[str, str, int], Resolved] = {}
    for target in targets:
        unique.setdefault((target.repo, target.path, target.line), target)
    if not unique:
        return unresolved(how or "nothing found")
    first = next(iter(unique.values()))
    return Reach(tuple(unique.values()), how or first.via, RESOLVED, instance=instance)


def with_via(targets: list[Resolved], how: str) -> list[Resolved]:
    """``targets``, each reached by ``how`` first (then by its own way, unless direct)."""
    return [t._replace(via=_then(how, t.via)) for t in targets]


def _then(how: str, via: str) -> str:
    rest = via.removeprefix("direct; ") if via != "direct" else ""
    return f"{how}; {rest}" if rest else how


def a(name: str) -> str:
    """``a LlamaModel``, ``an Accelerator``."""
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


class Reacher:
    """Resolves names of bodies; memoises what a (module, class, name) reaches."""

    def __init__(self, code: Code, table: CallFactsTable) -> None:
        self.code = code
        self.table = table
        self._memo: dict[tuple[str, str, str, str, str, str], Reach] = {}

    # -- helpers ----------------------------------------------------------------------------
    def view(self, body: Body) -> tuple[Resolver, ModuleView] | None:
        resolver = self.code.resolver(body.repo)
        view = resolver.facts.module(body.module) if resolver is not None else None
        return (resolver, view) if resolver is not None and view is not None else None

    def place(self, target: Resolved) -> tuple[Resolver, ModuleView, str] | None:
        """The resolver, module view and in-module qualname of a definition."""
        resolver = self.code.resolver(target.repo)
        if resolver is None:
            return None
        view = resolver.facts.module_by_path(target.path, target.repo)
        if view is None or not target.qualname.startswith(view.module + "."):
            return None
        return resolver, view, target.qualname[len(view.module) + 1 :]

    def members(self, cls: Resolved, member: str) -> list[Resolved]:
        """``member`` of the class ``cls``, through its MRO."""
        place = self.place(cls)
        if place is None:
            return []
        resolver, view, qualname = place
        hits = resolver.ns.members(view, qualname, member, ())
        return [to_resolved(h, resolver.facts.repo) for h in hits]

    # -- names ------------------------------------------------------------------------------
    def dotted(self, body: Body, name: Name) -> Reach:
        """The definitions a (non-local) dotted name reaches, memoised."""
        key = (body.repo, body.module, body.cls, name.root, name.expr, name.qualified)
        if key not in self._memo:
            self._memo[key] = self._dotted(body, name)
        return self._memo[key]

    def _dotted(self, body: Body, name: Name) -> Reach:
        where = self.view(body)
        if where is None:
            return unresolved(f"{name.expr}: {body.module} is not in the index")
        resolver, view = where
        parts = name.expr.removesuffix("[]").split(".")
        root = name.root
        if root == SELF:
            return self._self(body, resolver, view, parts)
        if root == SUPER:
            return self._super(body, resolver, view, parts[1:])
        if root in (GLOBAL, BUILTIN_ROOT):
            hits = resolver.resolve_in(body.module, ".".join(parts))
            if hits:
                return found(hits)
            if len(parts) > 1:
                typed = self._through_declared(resolver, body.module, parts)
                if typed is not None:
                    return typed
            if root == BUILTIN_ROOT:
                return Reach((), f"{name.expr}: a Python builtin", BUILTIN)
            return self._outside(resolver, view, parts)
        if root == IMPORT:
            return self._imported(body, resolver, view, name.qualified)
        if root == PARAM:
            return unresolved(f"{parts[0]} is a parameter of {body.name}: its value is the caller's")
        if root == EXPR:
            return unresolved("called on the value of an expression")
        return unresolved(f"{name.expr}: bound in a way codewalk does not follow")

    def _through_declared(self, resolver: Resolver, module: str, parts: list[str]) -> Reach | None:
        """``REGISTRY.get(...)`` where ``REGISTRY`` is a module-level variable declared to
        hold an instance of a class (``ALL_ATTENTION_FUNCTIONS: AttentionInterface = ...``)."""
        for holder in resolver.resolve_in(module, parts[0]):
            if holder.kind not in ("variable", "attribute"):
                continue
            place = self.place(holder)
            if place is None:
                continue
            _, view, qualname = place
            for d in view.defs(qualname):
                type_name = declared_type(d)
                hits = resolver.ns.lookup(view, type_name.split("."), (), 0) if type_name else []
                for cls in [h for h in hits if h.definition.kind == "class"][:1]:
                    members = resolver.ns.members(cls.view, cls.definition.qualname, parts[1], parts[2:])
                    how = f"{parts[0]} is {a(type_name)} ({declared_how(Hit(view, d, '', 0))})"
                    targets = [to_resolved(m, resolver.facts.repo) for m in members]
                    if targets:
                        return found(with_via(targets, how), how)
        return None

    def _self(self, body: Body, resolver: Resolver, view: ModuleView, parts: list[str]) -> Reach:
        if not body.cls:
            return unresolved(f"{parts[0]} is the first parameter, but {body.name} is not in a class")
        if parts[-1] == "__class__":
            parts = parts[:-1]
        if len(parts) == 1:
            classes = [c for c in view.defs(body.cls) if c.kind == "class"]
            hits = [
                to_resolved(Hit(view, c, f"{parts[0]} is {a(c.name)}", 0), resolver.facts.repo)
                for c in classes
            ]
            return found(hits, instance=True)
        hits = resolver.resolve_in(body.module, ".".join(["self", *parts[1:]]), body.cls)
        if hits:
            return found(hits)
        typed = self._through_parameter(body, resolver, view, parts)
        if typed is not None:
            return typed
        if "Mixin" in body.cls.rpartition(".")[2]:
            mixed = self._through_subclasses(body, parts[1:])
            if mixed.targets:
                return mixed
        return self._self_outside(body, resolver, view, parts)

    def _through_parameter(
        self, body: Body, resolver: Resolver, view: ModuleView, parts: list[str]
    ) -> Reach | None:
        """``self.a.b`` where ``self.a = a`` keeps a parameter of the method that sets it,
        annotated with classes (``model: PreTrainedModel | nn.Module | None`` in
        ``Trainer.__init__``): ``b`` of the first of them that has it."""
        if len(parts) < 3:
            return None
        for hit in resolver.ns.members(view, body.cls, parts[1], ()):
            value = hit.definition.signature.partition("=")[2].strip()
            method = self.code.around(hit.view.repo or body.repo, hit.view.path, hit.definition.line)
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
                        f"{'.'.join(parts[:2])} = {value} (line {hit.definition.line}), annotated "
                        f"{name} in {method.name}"
                    )
                    if members:
                        return found(
                            with_via([to_resolved(m, resolver.facts.repo) for m in members], how), how
                        )
        return None

    def _through_subclasses(self, body: Body, parts: list[str]) -> Reach:
        """``self.x`` in a class (a mixin) that does not define ``x``: what the classes
        that mix it in reach (each through its own MRO)."""
        subclasses = self.code.subclasses(body.repo, body.module, body.cls)[:_MAX_SUBCLASSES]
        targets: list[Resolved] = []
        users: list[str] = []
        for sub in subclasses:
            if "/modular_" in sub.path:  # a modular source: its generated twin is what runs
                continue
            place = self.place(sub)
            if place is None:
                continue
            sub_resolver, sub_view, qualname = place
            hits = sub_resolver.resolve_in(sub_view.module, ".".join(["self", *parts]), qualname)
            if hits:
                user = sub.qualname.rpartition(".")[2]
                if user not in users:
                    users.append(user)
                targets.extend(hits)
        if not targets:
            return unresolved("")
        mixin = body.cls.rpartition(".")[2]
        more = f" and {len(users) - 3} more" if len(users) > 3 else ""
        users_text = ", ".join(users[:3]) + more
        how = f"{mixin} does not define {parts[0]}; the classes that mix it in do ({users_text})"
        return found(with_via(targets, how), how)

    def _self_outside(self, body: Body, resolver: Resolver, view: ModuleView, parts: list[str]) -> Reach:
        """``self.a.b`` where ``a`` holds an instance of a class of another package."""
        attrs = resolver.ns.members(view, body.cls, parts[1], ())
        if not attrs:
            return unresolved(
                f"{'.'.join(parts[:2])}: neither {body.cls} nor the bases codewalk can read define "
                f"{parts[1]} (it may come from a base outside the pinned repositories, or be made at "
                "run time)"
            )
        if len(parts) == 2:
            return unresolved(f"{'.'.join(parts)}: {attrs[0].definition.signature}")
        for hit in attrs:
            type_name = declared_type(hit.definition)
            if not type_name:
                continue
            outside = self._outside(resolver, hit.view, [*type_name.split("."), *parts[2:]])
            prefix = f"{'.'.join(parts[:2])} is {a(type_name)} ({declared_how(hit)})"
            if outside.status == EXTERNAL or outside.targets:
                return outside._replace(how=f"{prefix}; {outside.how}")
            return unresolved(f"{prefix}, which defines no {'.'.join(parts[2:])} codewalk can read")
        first = attrs[0]
        return unresolved(
            f"{'.'.join(parts[:2])}: its type is not declared ({first.view.path}:{first.definition.line}: "
            f"{first.definition.signature})"
        )

    def _super(self, body: Body, resolver: Resolver, view: ModuleView, parts: list[str]) -> Reach:
        mro = resolver.ns.mro(view, body.cls) if body.cls else []
        if not parts or not mro:
            return unresolved(f"super().{'.'.join(parts)} outside a class codewalk can read")
        member = parts[0]
        me = body.cls.rpartition(".")[2]
        for owner_view, owner in mro[1:]:
            defs = owner_view.defs(f"{owner.qualname}.{member}")
            if defs:
                how = f"super() in {me}: {owner.name}.{member}, next in the MRO of {me}"
                hits = [to_resolved(Hit(owner_view, d, how, 0), resolver.facts.repo) for d in defs[:1]]
                return found(hits, how)
        for _owner_view, owner in mro:
            for base in owner.bases:
                outside = self._outside(resolver, _owner_view, [*base.split("."), member])
                if outside.status == EXTERNAL or outside.targets:
                    return outside._replace(how=f"super() in {me}: a base outside the repo; {outside.how}")
        return unresolved(f"super().{member}: no class in the MRO of {me} that codewalk can read defines it")

    def _imported(self, body: Body, resolver: Resolver, view: ModuleView, qualified: str) -> Reach:
        """A name imported inside the body (``from accelerate.utils import x``)."""
        level = len(qualified) - len(qualified.lstrip("."))
        dotted = qualified.lstrip(".")
        if level:
            package = view.module if view.is_package else view.module.rpartition(".")[0]
            for _ in range(level - 1):
                package = package.rpartition(".")[0]
            dotted = f"{package}.{dotted}" if dotted else package
        if self.code.owner(dotted) == body.repo:
            hits = resolver.find(dotted, related=False).matches
            how = f"imported in the body from {dotted.rpartition('.')[0]}"
            if hits:
                return found(with_via(list(hits), how), how)
            return unresolved(f"{dotted}: imported in the body, but not found in {body.repo}")
        return self._elsewhere(dotted, f"imported in the body from {dotted.rpartition('.')[0]}")

    def _outside(self, resolver: Resolver, view: ModuleView, parts: list[str]) -> Reach:
        """A module-level name the resolver could not follow: imported from another
        package (then what that package's pin says), or defined as something else."""
        here = view.repo or self.code.owner(view.module)
        for imp in view.imports(parts[0]):
            base = absolute(view, imp)
            full = ".".join(p for p in (base, imp.name, *parts[1:]) if p)
            if self.code.owner(full) != here:
                return self._elsewhere(full, f"{parts[0]} is imported from {base}")
        defs = view.defs(parts[0])
        if defs:
            d = defs[0]
            return unresolved(
                f"{parts[0]} is a {d.kind} of {view.module} ({view.path}:{d.line}: {d.signature})"
            )
        if view.imports(parts[0]):
            return unresolved(f"{'.'.join(parts)}: imported, but codewalk cannot find it")
        return unresolved(f"{parts[0]}: not defined in {view.module}")

    def _elsewhere(self, dotted: str, how: str) -> Reach:
        """A name of another package: its definition in the pin that provides it, else
        the name, and why it is not followed."""
        hits, why = self.code.elsewhere(dotted)
        if hits:
            via = f"{how}, in the {hits[0].repo} pin"
            return found(with_via(hits, via), via)
        owner = self.code.owner(dotted)
        if owner is not None and self.code.resolver(owner) is not None:  # read, and not there
            return unresolved(
                f"{how}; {dotted}: no such definition in the {owner} pin (an attribute "
                "of undeclared type, or made at run time)"
            )
        return Reach((), f"{how} ({why})", EXTERNAL, dotted)

    # -- what the call layer adds (codewalk.calls.sites), named here for tables.py --------
    def reach_name(self, body: Body, facts: CallFacts, name: Name, *, call: bool, depth: int = 0) -> Reach:
        """What ``name`` reaches in ``body``; called, if ``call``."""
        raise NotImplementedError

    def called(self, body: Body, reach: Reach, depth: int = 0) -> Reach:
        """What calling the definitions of ``reach`` runs."""
        raise NotImplementedError


def annotation(signature: str, parameter: str) -> list[str]:
    """The class names a parameter's annotation names, in a ``def`` header as written:
    ``["PreTrainedModel", "nn.Module"]`` for ``model: PreTrainedModel | nn.Module | None``."""
    start = re.search(rf"[(,]\s*{re.escape(parameter)}\s*:", signature)
    if start is None:
        return []
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
    text = signature[start.end() : end].replace('"', "").replace("'", "")
    names = [part.strip() for part in text.split("|")]
    return [n for n in names if re.fullmatch(r"[A-Za-z_][\w.]*", n) and n not in ("None", "Any")]
