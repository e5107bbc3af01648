"""From a name in a body to the definitions it reaches, the transformers way.

A call site's name is bound as the analysis says (:mod:`codewalk.calls.records`); this
module asks the resolver of the body's repo what each binding reaches:

- ``self.x``, ``cls(...)`` and ``super().x`` as :mod:`codewalk.calls.selves` says (the
  receiver's MRO, or the class's and the overrides in classes deriving from it);
- module-level names through the module's namespace (imports, lazy re-exports, aliases);
- locals through what they were assigned (a method, a wrapper around a method passed to
  it, a dispatch table, a registry: :mod:`codewalk.calls.tables`);
- a name of another package (``accelerate.Accelerator.backward``) through
  :meth:`Code.elsewhere`, and listed as such when no pin provides it.

Calling a property reaches the property and what it returns; calling an instance (an
``nn.Module`` held in an attribute) reaches its ``__call__`` or ``forward``.
"""

from __future__ import annotations

from codewalk.calls import assigned, selves
from codewalk.calls.cache import CallFactsTable, facts_of
from codewalk.calls.holders import Holds, Tabled, holds, parameter_names
from codewalk.calls.model import BUILTIN, EXTERNAL, Body, Code, called_on, unbound
from codewalk.calls.reached import Joined, Reach, a, found, unresolved, with_via
from codewalk.calls.records import (
    BUILTIN as BUILTIN_ROOT,
)
from codewalk.calls.records import (
    CLS,
    EXPR,
    GLOBAL,
    IMPORT,
    PARAM,
    SELF,
    SUPER,
    CallFacts,
    Name,
)
from codewalk.errors import QueryError
from codewalk.index.records import SETS_OUTSIDE, Definition, DictEntry
from codewalk.resolve.model import Hit, ModuleView, Resolved, to_resolved
from codewalk.resolve.namespace import absolute
from codewalk.resolve.ranking import modular_source
from codewalk.resolve.rebinding import rebinds, rebound_to
from codewalk.resolve.resolver import Resolver
from codewalk.resolve.types import builtin_held, declared_how, declared_type, returns

_CONSTANTS = frozenset(("None", "True", "False"))  # builtins no attribute of which is code


class Reacher:
    """Resolves names of bodies; memoises what a (module, class, name) reaches."""

    def __init__(self, code: Code, table: CallFactsTable) -> None:
        self.code = code
        self.table = table
        self._facts: dict[tuple[int, int], CallFacts] = {}  # the facts read, by (blob, line)
        self._memo: dict[tuple[str, str, str, str, str, str, str, bool], Reach] = {}
        self._descendants: dict[tuple[str, str, int, int], list[Resolved]] = {}
        self._descended: dict[tuple[str, str, int, int], tuple[dict[str, int], frozenset[str]]] = {}
        self._classes: dict[str, Resolved | None] = {}
        self._views: dict[tuple[str, str], ModuleView | None] = {}  # a file's module
        self.returns: dict[tuple[str, str, int, str, str], Reach] = {}  # what properties, functions return
        self.tables: dict[tuple[object, ...], tuple[Resolved, list[DictEntry]] | None] = {}  # a name's table
        # what attributes, variables (by definition) and parameters (and their name) hold
        self.held: dict[tuple[str, str, int, str], Holds] = {}
        self.derived: dict[tuple[str, str, tuple[str, ...]], list[Resolved]] = {}  # derived.overrides_outside
        self.imported: dict[tuple[str, str], tuple[str, ...]] = {}  # ... and the pins a module imports from
        self.outside_bases: dict[tuple[str, str, str, str, int], str] = {}  # derived._written_outside
        self.overriding: dict[tuple[str, str, int, str, int], list[Resolved]] = {}  # derived.overrides
        # derived.joined: the classes with several bases deriving from one, and their other bases
        self.joins: dict[tuple[str, str, int, int], Joined] = {}
        self.filled: dict[tuple[str, int], list[tuple[Body, Resolved]]] = {}  # listed.put_in

    # -- helpers ----------------------------------------------------------------------------
    def facts(self, body: Body) -> CallFacts:
        """The call facts of ``body``, each body's read (or analysed) once."""
        return facts_of(self.table, body, self._facts)

    def view(self, body: Body) -> tuple[Resolver, ModuleView] | None:
        resolver = self.code.resolver(body.repo)
        view = resolver.facts.module(body.module) if resolver is not None else None
        return (resolver, view) if resolver is not None and view is not None else None

    def place(self, target: Resolved) -> tuple[Resolver, ModuleView, str] | None:
        """The resolver, module view and in-module qualname of a definition."""
        resolver = self.code.resolver(target.repo)
        if resolver is None:
            return None
        where = (target.repo, target.path)
        if where not in self._views:
            self._views[where] = resolver.facts.module_by_path(target.path, target.repo)
        view = self._views[where]
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

    def descendants(self, cls: Resolved) -> list[Resolved]:
        """Every class deriving from ``cls`` but modular sources, nearest first (memoised)."""
        key = (cls.repo, cls.path, cls.line, self.code.opened())
        if key not in self._descendants:
            place = self.place(cls)
            found_ = self.code.descendants(cls.repo, place[1].module, place[2]) if place is not None else []
            self._descendants[key] = [c for c in found_ if not modular_source(c.path)]  # its twin runs
        return self._descendants[key]

    def descended(self, cls: Resolved) -> tuple[dict[str, int], frozenset[str]]:
        """The place of each class of :meth:`descendants` by qualname, and the pins
        holding them (memoised): what the overrides of each member of ``cls`` are read
        against, a thousand members of one class each."""
        key = (cls.repo, cls.path, cls.line, self.code.opened())
        if key not in self._descended:
            below = self.descendants(cls)
            order = {d.qualname: index for index, d in enumerate(below)}
            self._descended[key] = (order, frozenset(c.repo for c in below))
        return self._descended[key]

    def class_named(self, qualname: str) -> Resolved | None:
        """The class of a fully qualified name (a receiver's), memoised."""
        if qualname not in self._classes:
            owner = self.code.owner(qualname)
            resolver = self.code.resolver(owner) if owner is not None else None
            try:
                found_ = resolver.find(qualname, related=False).matches if resolver is not None else ()
            except QueryError:  # not a name a question can take
                found_ = ()
            self._classes[qualname] = next((c for c in found_ if c.kind == "class"), None)
        return self._classes[qualname]

    # -- names ------------------------------------------------------------------------------
    def dotted(self, body: Body, name: Name, *, read: bool = False) -> Reach:
        """The definitions a (non-local) dotted name reaches, memoised; ``read``: an
        attribute read (``self.x`` then reaches what the class finds, not the overrides in
        the classes deriving from it)."""
        receiver = body.receiver.qualname if body.receiver is not None else ""
        key = (body.repo, body.module, body.cls, receiver, name.root, name.expr, name.qualified, read)
        if key not in self._memo:
            self._memo[key] = self._dotted(body, name, read)
        return self._memo[key]

    def _dotted(self, body: Body, name: Name, read: bool) -> Reach:
        if "(" in name.expr and name.root != SUPER:  # X().m: CallResolver.reach_name's
            return unresolved(f"{name.expr}: of what a call returns")
        where = self.view(body)
        if where is None:
            return unresolved(f"{name.expr}: {body.module} is not in the index")
        resolver, view = where
        parts = name.expr.removesuffix("[]").split(".")
        root = name.root
        if root in (SELF, CLS):
            return selves.reach_self(self, body, name, candidates=not read)
        if root == SUPER:
            return selves.reach_super(self, body, parts[1:])
        if root in (GLOBAL, BUILTIN_ROOT):
            hits = resolver.resolve_in(body.module, ".".join(parts))
            if hits:
                return found(hits)
            if len(parts) > 1:
                typed = self.through_declared(resolver, body.module, parts)
                if typed is not None:
                    return typed
            if root == BUILTIN_ROOT and len(parts) > 1 and parts[0] in _CONSTANTS:
                # ``outputs = None`` before a loop assigns what ``outputs.x.crop()`` runs
                return unresolved(f"{parts[0]} has no attribute {parts[1]}: not what the call runs")
            if root == BUILTIN_ROOT:
                return Reach((), f"{name.expr}: a Python builtin", BUILTIN)
            return self.outside(resolver, view, parts)
        if root == IMPORT:
            return self._imported(body, resolver, view, name.qualified, name.expr.count("."))
        if root == PARAM:
            return unresolved(f"{parts[0]} is a parameter of {body.name}: its value is the caller's")
        if root == EXPR:
            return unresolved("called on the value of an expression")
        return unresolved(f"{name.expr}: bound in a way codewalk does not follow")

    def through_declared(self, resolver: Resolver, module: str, parts: list[str]) -> Reach | None:
        """``REGISTRY.get(...)`` where ``REGISTRY`` is a module-level variable declared to
        hold an instance of a class (``ALL_ATTENTION_FUNCTIONS: AttentionInterface = ...``),
        or made by calling one (``_CAN_RECORD_REGISTRY = _CanRecordRegistry()``: a class
        whose name does not look like one, which the index keeps as a call's result)."""
        for holder in resolver.resolve_in(module, parts[0]):
            if holder.kind not in ("variable", "attribute"):
                continue
            place = self.place(holder)
            if place is None:
                continue
            _, view, qualname = place
            for d in view.defs(qualname):
                inherited: Reach | None = None  # of a base of another package (logging.LoggerAdapter)
                for owner, cls_view, cls in self._declared_classes(resolver, view, declared_type(d), holder):
                    members = owner.ns.members(cls_view, cls, parts[1], parts[2:])
                    how = f"{parts[0]} is {a(cls.rpartition('.')[2])} ({declared_how(Hit(view, d, '', 0))})"
                    targets = [to_resolved(m, owner.facts.repo) for m in members]
                    if targets:
                        return found(with_via(targets, how), how)
                    if inherited is None and len(parts) == 2:
                        inherited = assigned.member_outside(self, [(owner, cls_view, cls)], parts[1], how)
                patched = (
                    self._set_outside(resolver, view, d, parts)
                    or self._made_outside(resolver, view, d, parts)
                    or inherited
                )
                if patched is not None:
                    return patched
        return None

    def _made_outside(
        self, resolver: Resolver, view: ModuleView, d: Definition, parts: list[str]
    ) -> Reach | None:
        """``logger.error`` of ``logger = get_logger(__name__)``, a factory that makes an
        instance of a class no pin provides: annotated to return it (datasets' ``->
        logging.Logger``), that class's method, in the package that provides it; annotated
        to return a ``Protocol`` (transformers' ``TransformersLogger``, whose methods are
        stubs) and returning another package's call alone (``return logging.getLogger(name)``),
        the method of what that call returns."""
        factories = _factories(resolver, view, d, parts)
        if factories is None:
            return None
        if not factories:
            return self._called_outside(resolver, view, d, parts)
        for factory in factories[:1]:
            home, function = factory.view, factory.definition
            owner = self.code.resolver(home.repo) if home.repo else resolver
            said = returns(function.signature).classes
            if function.kind != "function" or owner is None or len(said) != 1:
                continue
            written = said[0].split(".")
            classes = [h for h in owner.ns.lookup(home, written, (), 0) if h.definition.kind == "class"]
            annotated = f"annotated {said[0]} ({home.path}:{function.line})"
            if not classes:
                reach, made = self.outside(owner, home, [*written, parts[1]]), annotated
            elif _protocol(classes[0].view, classes[0].definition.qualname):
                call = self._returned_outside(owner, home, to_resolved(factory, owner.facts.repo))
                if call is None:
                    continue
                reach = call._replace(external=f"{call.external}(…).{parts[1]}")
                made = f"{annotated}, a Protocol; it returns what {call.external} returns"
            else:
                continue  # a pinned class: _declared_classes's
            if reach.status == EXTERNAL or reach.targets:
                called = declared_type(d).removesuffix("()")
                how = f"{parts[0]} is what {called} returns ({view.path}:{d.line}), {made}; {reach.how}"
                return reach._replace(how=how, targets=tuple(with_via(list(reach.targets), how)))
        return None

    def _called_outside(
        self, resolver: Resolver, view: ModuleView, d: Definition, parts: list[str]
    ) -> Reach | None:
        """``logger.warning`` of ``logger = logging.getLogger(__name__)``, a call of another
        package's function itself (accelerate's, huggingface_hub's, diffusers' modules that
        call the standard library's): the method of what that call returns, as for a
        factory returning that call."""
        called = declared_type(d).removesuffix("()")
        call = self.outside(resolver, view, called.split("."))
        if call.status != EXTERNAL:
            return None
        how = f"{parts[0]} is what {called} returns ({view.path}:{d.line}); {call.how}"
        return call._replace(external=f"{call.external}(…).{parts[1]}", how=how)

    def _returned_outside(self, resolver: Resolver, view: ModuleView, function: Resolved) -> Reach | None:
        """The call of another package's function that ``function`` (of ``view``'s module)
        returns, its every ``return`` being that one call (``return logging.getLogger(name)``):
        where that function is; None otherwise."""
        body = self.code.body(function)
        said = self.facts(body).returned(body.scope) if body is not None else ()
        names = {o.name.expr for o in said if o.kind == "call" and o.name.root in (GLOBAL, IMPORT)}
        if len(names) != 1 or len(said) != len([o for o in said if o.kind == "call"]):
            return None
        reach = self.outside(resolver, view, next(iter(names)).split("."))
        return reach if reach.status == EXTERNAL else None

    def _set_outside(
        self, resolver: Resolver, view: ModuleView, d: Definition, parts: list[str]
    ) -> Reach | None:
        """``logger.warning_once`` of ``logger = logging.get_logger(...)``, a value of no class
        codewalk reads (a ``Protocol`` the factory is annotated to return): the function the
        factory's module sets as that member on a class of another package
        (``logging.Logger.warning_once = warning_once``, transformers' ``utils/logging.py``)."""
        for factory in _factories(resolver, view, d, parts) or []:
            home = factory.view
            owner = self.code.resolver(home.repo) if home.repo else resolver
            if factory.definition.kind != "function" or owner is None:
                continue
            for row, s in owner.facts.defs_named(parts[1]):
                if row.path != home.path or s.kind != "rebind" or not s.flags & SETS_OUTSIDE:
                    continue
                hits = [
                    h
                    for h in owner.ns.lookup(home, s.target.split("."), (), 0)
                    if h.definition.kind == "function"
                ]
                how = (
                    f"{parts[0]} is what {declared_type(d).removesuffix('()')} returns "
                    f"({view.path}:{d.line}), a {s.qualname.rpartition('.')[0]}: {home.module} sets "
                    f"{s.qualname} = {s.target} ({home.path}:{s.line})"
                )
                targets = [to_resolved(h, owner.facts.repo) for h in hits]
                if targets:
                    return found(with_via(targets, how), how)
        return None

    def _declared_classes(
        self, resolver: Resolver, view: ModuleView, type_name: str, holder: Resolved
    ) -> list[tuple[Resolver, ModuleView, str]]:
        """The class (its pin's resolver, its module and in-module qualname) of the instance
        ``type_name``, the type text of ``holder``, says it holds: a class named, or
        (``f()``) the one calling ``f`` makes: not a ``typing.Protocol`` it is declared to
        return (``logger = logging.get_logger(...)``: a ``TransformersLogger``, whose
        methods are stubs; the value is a ``logging.Logger``)."""
        if type_name.endswith("()"):
            made = holds(self, holder).instances[:1]
            places = [where for c in made if (where := self.place(c)) is not None]
            return [(owner, v, cls) for owner, v, cls in places if not _protocol(v, cls)]
        hits = resolver.ns.lookup(view, type_name.split("."), (), 0) if type_name else []
        return [(resolver, h.view, h.definition.qualname) for h in hits if h.definition.kind == "class"][:1]

    def _imported(
        self, body: Body, resolver: Resolver, view: ModuleView, qualified: str, attributes: int
    ) -> Reach:
        """A name imported inside the body (``from accelerate.utils import x``); the
        call reads ``attributes`` attributes of it (``x.setLevel``: 1)."""
        level = len(qualified) - len(qualified.lstrip("."))
        dotted = qualified.lstrip(".")
        if level:
            package = view.module if view.is_package else view.module.rpartition(".")[0]
            for _ in range(level - 1):
                package = package.rpartition(".")[0]
            dotted = f"{package}.{dotted}" if dotted else package
        how = f"imported in the body from {_imported_from(dotted, attributes)}"
        if self.code.owner(dotted) == body.repo:
            # as Python reads it: attributes from the top package down (a package's own
            # import of a name wins over its submodule of that name), else the index's answer
            parts = dotted.split(".")
            top = resolver.facts.module(parts[0]) if len(parts) > 1 else None
            found_ = resolver.ns.lookup(top, parts[1:], (), 0) if top is not None else []
            hits = (
                tuple(to_resolved(h, resolver.facts.repo) for h in found_)
                or resolver.find(dotted, related=False).matches
            )
            if hits:
                return found(with_via(list(hits), how), how)
            builtin = self._imported_builtin(resolver, dotted)
            if builtin is not None:
                return builtin
            declared = self._imported_declared(resolver, dotted)
            if declared is not None:
                return declared
            return unresolved(f"{dotted}: imported in the body, but not found in {body.repo}")
        return self._elsewhere(dotted, how)

    def _imported_builtin(self, resolver: Resolver, dotted: str) -> Reach | None:
        """``X.keys`` of a name ``X`` imported in the body (``dotted``: ``pkg.mod.X.keys``)
        that holds a builtin container: the builtin method, as of a module-level ``X``."""
        holder, _, member = dotted.rpartition(".")
        module, _, name = holder.rpartition(".")
        view = resolver.facts.module(module) if module else None
        return self._builtin_method(resolver, view, [name, member]) if view is not None else None

    def _imported_declared(self, resolver: Resolver, dotted: str) -> Reach | None:
        """``X.m`` of a name ``X`` imported in the body (``dotted``: ``pkg.mod.X.m``) that
        its module declares to hold an instance (``from ..modeling_utils import
        ALL_ATTENTION_FUNCTIONS``, then ``.register``): the class's method, as of a
        module-level ``X``."""
        parts = dotted.split(".")
        for cut in range(len(parts) - 2, 0, -1):
            module = ".".join(parts[:cut])
            if resolver.facts.module(module) is not None:
                return self.through_declared(resolver, module, parts[cut:])
        return None

    def outside(self, resolver: Resolver, view: ModuleView, parts: list[str]) -> Reach:
        """A module-level name the resolver could not follow: imported from another
        package (then what that package's pin says), or defined as something else."""
        here = view.repo or self.code.owner(view.module)
        for imp in view.imports(parts[0]):
            base = absolute(view, imp)
            full = ".".join(p for p in (base, imp.name, *parts[1:]) if p)
            if self.code.owner(full) != here:
                said = f"is imported from {base}" if imp.name else f"is the module {base}"  # import os
                return self._elsewhere(full, f"{parts[0]} {said}")
        held = self._builtin_method(resolver, view, parts)
        if held is not None:
            return held
        defs = view.defs(parts[0])
        if defs:
            d = defs[0]
            taken = self._taken_outside(resolver, view, parts) if d.kind == "class" else None
            if taken is not None:
                return taken
            return unresolved(
                f"{parts[0]} is a {d.kind} of {view.module} ({view.path}:{d.line}: {d.signature})"
            )
        if view.imports(parts[0]):
            taken = self._taken_outside(resolver, view, parts)
            if taken is not None:
                return taken
            return unresolved(f"{'.'.join(parts)}: imported, but codewalk cannot find it")
        return unresolved(f"{parts[0]}: not defined in {view.module}")

    def _taken_outside(self, resolver: Resolver, view: ModuleView, parts: list[str]) -> Reach | None:
        """``X.apply`` of a class ``X`` deriving from ``torch.autograd.Function``, which
        ``view``'s module defines (xformers' ``_fMHA.apply``) or imports (peft's
        ``BlockCircularConvolution``, from its ``utils``), none of whose pinned MRO defines
        ``apply``: the class's ``forward``, which torch's ``apply`` runs; None for any
        other name."""
        if len(parts) != 2 or parts[1] != "apply":
            return None
        classes = [h for h in resolver.ns.lookup(view, parts[:1], (), 0) if h.definition.kind == "class"]
        if not classes:
            return None
        hit = classes[0]
        home, qualname = hit.view, hit.definition.qualname
        said = f"{parts[0]} is a class of {home.module} ({home.path})"
        outside = assigned.member_outside(self, [(resolver, home, qualname)], parts[1], said)
        base = outside.external.rpartition(".")[0] if outside is not None else ""
        if base.partition(".")[0] != "torch" or base.rpartition(".")[2] != "Function":
            return None
        members = resolver.ns.members(home, qualname, "forward", ())
        forwards = [to_resolved(h, resolver.facts.repo) for h in members]
        how = f"{said}, deriving from {base}: its apply runs its forward"
        return found(with_via(forwards, how), how) if forwards else None

    def _builtin_method(self, resolver: Resolver, view: ModuleView, parts: list[str]) -> Reach | None:
        """``X.get`` of a module variable ``X`` holding a dict (a list, a set...): the
        builtin method, not an unknown name."""
        if len(parts) != 2:
            return None
        for hit in resolver.ns.lookup(view, parts[:1], (), 0):
            held = builtin_held(hit.definition)
            if held is not None and hasattr(held, parts[1]):
                kind, where = held.__name__, f"{hit.view.path}:{hit.definition.line}"
                how = f"{kind}.{parts[1]}, a Python builtin ({parts[0]} is {a(kind)}, {where})"
                return Reach((), how, BUILTIN)
        return None

    def _elsewhere(self, dotted: str, how: str) -> Reach:
        """A name of another package: its definition in the pin that provides it, else
        the name, and why it is not followed. A name through what a call returns
        (``BertTokenizer.from_pretrained().add_special_tokens``) names no definition of a
        pin: not found there, so the caller reads what the call returns instead."""
        owner = self.code.owner(dotted)
        if owner is not None and not all(part.isidentifier() for part in dotted.split(".")):
            return unresolved(f"{how}; {dotted}: of what a call returns, no definition of the {owner} pin")
        hits, why = self.code.elsewhere(dotted)
        if hits:
            via = f"{how}, in the {hits[0].repo} pin"
            return found(with_via(hits, via), via)
        if owner is not None and self.code.resolver(owner) is not None:  # read, and not there
            return unresolved(
                f"{how}; {dotted}: no such definition in the {owner} pin (an attribute "
                "of undeclared type, or made at run time)"
            )
        return Reach((), f"{how} ({why})", EXTERNAL, dotted)

    def set_by_enclosing(self, body: Body, parts: list[str], before: int = 0) -> Reach | None:
        """``cls.m`` in a function nested in one handed the class ``cls`` (a class
        decorator's ``wrap(cls)``) that sets ``cls.m = ...``: what it sets last (read
        at ``before``, a line of the enclosing function: what it set before that line).
        Reached through a class it decorates, only what it sets on that class (not what a
        condition rules out for it: ``@strict``'s ``__init__``, set ``if accept_kwargs``),
        and ``self`` in what it reaches is that class. None when no enclosing function
        sets it."""
        outer = body.target.qualname.rpartition(".<locals>.")[0].removeprefix(body.module + ".")
        where = self.view(body)
        if len(parts) != 2 or not outer or where is None:
            return None
        resolver, view = where
        handed = [d for d in view.defs(outer) if parameter_names(d.signature)[:1] == parts[:1]]
        sets = rebinds(view, outer, parts[1])
        if not handed or not sets or parts[0] in parameter_names(body.target.signature):
            return None
        cls = self.decorated(body)
        earlier = [d for d in sets if d.line < before] if before else sets
        if cls is not None:
            earlier = [d for d in earlier if self._set_on(cls, resolver, view, d)]
        if not earlier:
            return self.before_set(body, parts, before, outer.partition(".<locals>.")[0])
        name, member = outer.rpartition(".")[2], ".".join(parts)
        how = f"{name} sets {member} ({view.path}:{earlier[-1].line})"
        hits = [to_resolved(h, resolver.facts.repo) for h in rebound_to(resolver.ns, view, earlier[-1], how)]
        return found([h._replace(receiver=cls.qualname) for h in hits] if cls is not None else hits, how)

    def _set_on(self, cls: Resolved, resolver: Resolver, view: ModuleView, rebind: Definition) -> bool:
        """Whether ``rebind`` (``cls.m = f`` in a class decorator, of ``view``'s module)
        sets ``m`` on the class ``cls``: ``f`` is among the ``m`` its MRO and decorators give."""
        place = self.place(cls)
        if place is None:
            return True
        owner, cls_view, qualname = place
        given = {
            (t.repo, t.path, t.line)
            for t in (
                to_resolved(h, owner.facts.repo)
                for h in owner.ns.members(cls_view, qualname, rebind.name, ())
            )
        }
        bound = (to_resolved(h, resolver.facts.repo) for h in rebound_to(resolver.ns, view, rebind, ""))
        return any((t.repo, t.path, t.line) in given for t in bound)

    def before_set(self, body: Body, parts: list[str], before: int, decorator: str) -> Reach:
        """``cls.m`` read (at line ``before``) before the class decorator ``decorator``
        sets it: the ``m`` the decorated class's body defines (as its first base has it,
        when it defines none), of the class the body was reached through; unknown without
        one."""
        member = ".".join(parts)
        cls = self.decorated(body)
        place = self.place(cls) if cls is not None else None
        if cls is None or place is None:
            return unresolved(
                f"{member} before line {before}: the decorated class's own {parts[1]}, before "
                f"{decorator} sets it (a call through a class says which: `codewalk calls CLASS.{parts[1]}`)"
            )
        resolver, view, qualname = place
        hits = [to_resolved(h, resolver.facts.repo) for h in resolver.ns.as_written(view, qualname, parts[1])]
        name = qualname.rpartition(".")[2]
        if not hits:
            return unresolved(f"{member} before line {before}: {name} has no {parts[1]} codewalk can read")
        where = f"{hits[0].path}:{hits[0].line}"
        inherited = hits[0].qualname.rpartition(".")[0] != cls.qualname
        own = f"{parts[1]} ({hits[0].via}, {where})" if inherited else f"own {parts[1]} ({where})"
        how = f"{name}'s {own}, before {decorator} sets it"
        return found([h._replace(via=how, receiver=cls.qualname) for h in hits[:1]], how)

    def decorated(self, body: Body) -> Resolved | None:
        """The class ``body`` (a function a class decorator sets on the classes it is
        handed) was reached through, when it is one of those classes. (A class deriving
        from one is not: the resolver gives it the body's def, not what the decorator set.)"""
        cls = body.receiver
        installed = {(c.path, c.qualname) for c in self.code.installed_on(body.target)}
        return cls if cls is not None and (cls.path, cls.qualname) in installed else None

    # -- what the call layer adds (codewalk.calls.sites), named here for tables.py --------
    def reach_name(
        self, body: Body, facts: CallFacts, name: Name, *, call: bool, depth: int = 0, line: int = 0
    ) -> Reach:
        """What ``name`` reaches in ``body``, used on ``line`` (a local: as the
        assignments that may reach that line left it; 0: any); called, if ``call``."""
        raise NotImplementedError

    def on_class(
        self, body: Body, facts: CallFacts, name: Name, line: int, targets: tuple[Resolved, ...]
    ) -> tuple[Resolved, ...]:
        """``targets`` of ``name`` (``X.m``, ``TokenizersBackend.from_pretrained(...)``)
        :func:`~codewalk.calls.model.called_on` the class ``X`` is in ``body``, if it is one."""
        if name.root not in (GLOBAL, IMPORT) or "." not in name.expr:
            return targets
        if not any(unbound(t) for t in targets):
            return targets
        owner_name = name._replace(
            expr=name.expr.rpartition(".")[0], qualified=name.qualified.rpartition(".")[0]
        )
        owner = self.reach_name(body, facts, owner_name, call=False, line=line)
        classes = [t for t in owner.targets if t.kind == "class"] if not owner.instance else []
        if len(classes) != 1:
            return targets
        return called_on(targets, classes[0].qualname)

    def called(self, body: Body, reach: Reach, depth: int = 0) -> Reach:
        """What calling the definitions of ``reach`` runs."""
        raise NotImplementedError

    def made_by(self, function: Resolved) -> tuple[Resolved, ...]:
        """The classes whose instances ``function`` returns."""
        raise NotImplementedError

    def body_of(self, function: Resolved) -> Body | None:
        """The body of ``function``: one of its own, or (``f.<locals>.g``) in its host's."""
        raise NotImplementedError

    def table_classes(self, resolver: Resolver, view: ModuleView, table: str, key: str) -> Tabled:
        """The classes the dict ``table`` (a name in ``view``'s module) holds."""
        raise NotImplementedError


def _protocol(view: ModuleView, cls: str) -> bool:
    """Whether the class ``cls`` of ``view``'s module is a ``typing.Protocol``."""
    return any(
        b.rpartition(".")[2] == "Protocol" for d in view.defs(cls) if d.kind == "class" for b in d.bases
    )


def _factories(resolver: Resolver, view: ModuleView, d: Definition, parts: list[str]) -> list[Hit] | None:
    """The definition of the pins (its first) of ``f`` in ``x.m`` where ``x = f(...)`` is
    the variable ``d`` of ``view``'s module: none when ``f`` is no pin's
    (``logging.getLogger``); None when ``parts`` is no ``x.m`` or ``d`` no call's result."""
    type_name = declared_type(d)
    if len(parts) != 2 or not type_name.endswith("()"):
        return None
    return resolver.ns.lookup(view, type_name.removesuffix("()").split("."), (), 0)[:1]


def _imported_from(dotted: str, attributes: int) -> str:
    """The module a name imported in a body comes from, given the dotted name a call
    reads (``deepspeed.utils.logger.setLevel`` of ``from deepspeed.utils import logger``,
    1 attribute: ``deepspeed.utils``; ``torch.cat`` of ``import torch``: ``torch``)."""
    parts = dotted.split(".")
    bound = parts[: len(parts) - attributes] if 0 <= attributes < len(parts) else parts[:-1]
    return ".".join(bound[:-1]) or ".".join(bound)
