"""Call sites resolved: :class:`CallResolver`, the one object commands and the graph use.

It completes :class:`~codewalk.calls.reach.Reacher` (module-level names, ``self``,
``super()``, imports, other packages) with what needs the body's own facts: locals and
what they were assigned (:mod:`codewalk.calls.tables`), subscripted tables, and what
calling a definition runs (a property and what it returns, an instance's ``forward``).
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterable

from codewalk import parsing
from codewalk.calls import outside
from codewalk.calls.assigned import member_outside, typed_member
from codewalk.calls.cache import CallFactsTable
from codewalk.calls.contained import (
    ELEMENT_METHODS,
    container_member,
    is_container,
    is_literal,
    literal_member,
)
from codewalk.calls.derived import overrides, shared, taken, with_overrides
from codewalk.calls.holders import Tabled, holds, parameter_default, parameter_names
from codewalk.calls.holders import parameter as holds_parameter
from codewalk.calls.model import BUILTIN, EXTERNAL, RESOLVED, Body, Callee, Code
from codewalk.calls.named import named_classes
from codewalk.calls.partial import bound_by_partial
from codewalk.calls.passed import instances, passed_to_init
from codewalk.calls.reach import Reacher
from codewalk.calls.reached import (
    CALLABLE,
    MAX_DEPTH,
    WIDE,
    Reach,
    a,
    annotation,
    enum_note,
    found,
    torch_module,
    unresolved,
    with_via,
)
from codewalk.calls.records import BUILTIN as BUILTIN_ROOT
from codewalk.calls.records import (
    DECLARED,
    GLOBAL,
    IMPORT,
    LOCAL,
    LOCALS,
    PARAM,
    SELF,
    CallFacts,
    Name,
    Origin,
    Site,
)
from codewalk.calls.selves import reach_self
from codewalk.calls.tables import (
    call_result,
    element,
    nested_definition,
    origin,
    returned,
    returned_instances,
    subscript,
    table_classes,
)
from codewalk.index.syntax import dotted
from codewalk.resolve.model import ModuleView, Resolved
from codewalk.resolve.resolver import Resolver


class CallResolver(Reacher):
    """Resolves the call sites of bodies (memoising what names reach)."""

    def __init__(self, code: Code, table: CallFactsTable) -> None:
        super().__init__(code, table)
        # what a local reaches, by the body, the name, called or not, and the lines of the
        # assignments that reach its use (each with the use's line where it comes later)
        self._locals: dict[tuple[str, str, int, str, str, bool, tuple[tuple[int, int], ...]], Reach] = {}
        self._overridden: dict[tuple[str, str, int, int], list[Resolved]] = {}  # overridden_call's
        self._passed: dict[tuple[str, str, int], list[Resolved]] = {}  # held_passed's, by the attribute

    def read_ahead(self, bodies: Iterable[Body]) -> None:
        """Read the kept facts of many bodies at once (``callers`` reads thousands)."""
        wanted = [(b.blob, (b.host or b.target).line) for b in bodies]
        self._facts.update(self.table.get_many(k for k in wanted if k not in self._facts))

    def callees(self, body: Body) -> list[Callee]:
        """Every call, decorator and callable reference of ``body``, in source order,
        each resolved (or saying what is known). References that do not reach a
        function or method (``self.args``) are left out: they are not calls."""
        facts = self.facts(body)
        found = (self.callee(body, site, facts) for site in own_sites(body, facts))
        return [callee for callee in found if callee is not None]

    def passed(self, body: Body, facts: CallFacts, site: Site) -> tuple[str, bool]:
        """How a reference is used, and whether a path goes through it: passed to a
        function codewalk can read (which may call it), yes; passed to one it cannot read
        (``inspect.signature``), or only stored, no."""
        if not site.args:
            return "passed as a value", False
        to = site.args[0]
        reach = self.reach_name(body, facts, to, call=False, line=site.line)
        read = reach.status == RESOLVED and any(t.kind in (*CALLABLE, "class") for t in reach.targets)
        if read:
            return f"passed as a value to {to.expr}", True
        return (
            f"passed as a value to {to.expr or 'an expression'} (code codewalk cannot read: not followed)",
            False,
        )

    def passed_in(
        self, caller: Body, site: Site, callee: Body
    ) -> tuple[tuple[str, tuple[Resolved, ...], bool], ...]:
        """What ``site`` of ``caller`` passes to the parameters of ``callee`` it reaches
        that no annotation types (none, or another package's: ``model: nn.Module``): the
        instances its arguments hold, when the caller can tell."""
        params = parameter_names(callee.target.signature)
        unbound = site.name.root in (GLOBAL, IMPORT)  # Class.method(self, ...), a function
        bound = callee.cls and params[:1] in (["self"], ["cls"]) and not unbound
        offset = 1 if bound or callee.target.kind == "class" else 0
        facts = self.facts(caller)
        out: list[tuple[str, tuple[Resolved, ...], bool]] = []
        for arg, slot in zip(site.args, site.slots, strict=False):
            if slot.startswith("#"):
                index = int(slot[1:]) + offset
                param = params[index] if index < len(params) else ""
            else:
                param = slot if slot in params else ""
            if not param or param in ("self", "cls"):
                continue
            said = holds_parameter(self, callee.target, param)
            if said.instances or said.classes:  # annotated with a class codewalk reads
                continue
            reach = instances(self, self.reach_name(caller, facts, arg, call=False, line=site.line))
            classes = tuple(c for c in reach.targets if c.kind == "class")
            if reach.instance and classes:
                out.append((param, classes, reach.loose))
        return tuple(out)

    def made_by(self, function: Resolved) -> tuple[Resolved, ...]:
        made = returned_instances(self, function, 0)
        return made.targets if made.instance else ()  # not the class a -> type[X] returns

    def table_classes(self, resolver: Resolver, view: ModuleView, table: str, key: str) -> Tabled:
        return table_classes(self, resolver, view, table, key)

    def body_of(self, function: Resolved) -> Body | None:
        path = function.qualname.partition(LOCALS)[2]
        if not path:
            return self.code.body(function)
        host = self.host_of(function)
        return self.nested(host, path) if host is not None else None

    def host_of(self, nested: Resolved) -> Body | None:
        """The body of the function (not nested) that defines ``nested``."""
        host = nested.qualname.partition(".<locals>.")[0]
        resolver = self.code.resolver(nested.repo)
        for match in resolver.find(host, related=False).matches if resolver is not None else ():
            if match.path == nested.path and match.start_line <= nested.start_line <= match.end_line:
                return self.code.body(match)
        return None

    def nested(self, host: Body, path: str) -> Body | None:
        """The function ``path`` (``inner``, ``inner.<locals>.deeper``) defined in ``host``."""
        for o in self.facts(host).locals.get(path, ()):  # bound where it is defined: keyed by its path
            if o.kind == "def" and o.name.qualified == path:
                target = nested_definition(host, o)
                return host._replace(target=target, host=host.host or host.target)
        return None

    def nested_in(self, host: Body) -> list[Body]:
        """The functions ``host`` defines, at any depth (``add_hook_to_module.<locals>.new_forward``):
        the index keeps no span of them, so a line in one is found in ``host``."""
        locals_ = self.facts(host).locals
        paths = (path for path, origins in locals_.items() for o in origins if o.kind == "def")
        return [b for path in dict.fromkeys(paths) if (b := self.nested(host, path)) is not None]

    def callee(
        self, body: Body, site: Site, facts: CallFacts | None = None, *, candidates: bool = True
    ) -> Callee | None:
        """What one site of ``body`` reaches; None for a reference to no function.
        Without ``candidates``, ``self.m()`` reaches what the class finds (not the
        overrides in classes deriving from it)."""
        facts = facts if facts is not None else self.facts(body)
        if site.kind == "ref":
            reach = self.reach_name(body, facts, site.name, call=False, line=site.line)
            passed, followed = self.passed(body, facts, site)
            targets = tuple(
                t._replace(via=f"{passed}; {t.via}" if t.via != "direct" else passed)
                for t in reach.targets
                if t.kind in CALLABLE
            )
            return Callee(site, targets, targets[0].via, RESOLVED, followed=followed) if targets else None
        if site.kind == "read":  # a property's overrides as a method's: the receiver may derive
            reach = self.reach_name(body, facts, site.name, call=False, read=not candidates, line=site.line)
            props = without_setters(t for t in reach.targets if t.kind == "property")
            return Callee(site, props, props[0].via, RESOLVED) if props else None
        first = site.args[0] if site.args else None
        if site.name.expr == "type.__call__" and site.name.root == BUILTIN_ROOT and first is not None:
            return self.constructed(body, facts, site, first)
        call = site.kind == "call"
        reach = self.reach_name(body, facts, site.name, call=call, read=not candidates, line=site.line)
        targets = without_setters(reach.targets)
        unbound = site.name.root in (GLOBAL, IMPORT) and "." in site.name.expr  # Class.method(self, ...)
        if (
            unbound
            and body.receiver is not None
            and first is not None
            and first.root == SELF
            and "." not in first.expr
        ):
            # GenerationMixin.generate(self, ...): the method runs on this self
            mine = body.receiver.qualname
            targets = tuple(t._replace(receiver=mine) if t.kind == "method" else t for t in targets)
        elif unbound:
            targets = self.on_class(body, facts, site.name, site.line, targets)
        return Callee(site, targets, reach.how, reach.status, reach.external)

    def constructed(self, body: Body, facts: CallFacts, site: Site, cls: Name) -> Callee:
        """``type.__call__(cls, ...)`` (in a metaclass's ``__call__``): the class ``cls``
        holds constructed, as ``cls(...)`` would without the metaclass's ``__call__``."""
        reach = self.reach_name(body, facts, cls, call=False, line=site.line)
        classes = () if reach.instance else tuple(t for t in reach.targets if t.kind == "class")
        if not classes:
            return Callee(site, (), "type.__call__: a Python builtin", BUILTIN)
        how = f"type.__call__({cls.expr}, …) makes {a(classes[0].qualname.rpartition('.')[2])}"
        return Callee(site, tuple(with_via(list(classes), how)), how, RESOLVED)

    # -- Reacher ------------------------------------------------------------------------------
    def reach_name(
        self,
        body: Body,
        facts: CallFacts,
        name: Name,
        *,
        call: bool,
        depth: int = 0,
        read: bool = False,
        line: int = 0,
    ) -> Reach:
        """What ``name`` reaches in ``body``, used on ``line`` (a local: as the
        assignments that may reach that line left it; 0: any); called, if ``call``.
        ``read``: an attribute read, which runs what the owner's class finds (not the
        overrides in the classes deriving from it)."""
        container, _, member = name.expr.rpartition("[].")
        if container and "()." not in member:  # X[i].m: m of an item of X
            items = self.reach_name(
                body, facts, name._replace(expr=container + "[]"), call=False, depth=depth, line=line
            )
            return self.member_of(body, items, member.split("."), call, depth, read=read)
        if name.expr.endswith("()"):  # X(...)(...): calling what calling X returns
            head = name.expr.removesuffix("()")
            made = self._returned(body, facts, name, head, depth, line)
            if not made.targets:
                return unresolved(f"what {head}(…) returns, whose class codewalk does not know")
            return self.called(body, made, depth) if call else made
        head, _, rest = name.expr.rpartition("().")
        if head and head != "super":  # X(...).m: m of what calling X returns
            made = self._returned(body, facts, name, head, depth, line)
            if not made.targets:
                value = self._outside_value(body, facts, name._replace(expr=head), rest, depth, line)
                return value or unresolved(
                    f"{rest} of what {head}(…) returns, whose class codewalk does not know"
                )
            return self.member_of(body, made, rest.split("."), call, depth, read=read)
        if name.root in (LOCAL, PARAM):
            if name.root == LOCAL:
                reach = self.local(body, facts, name.expr, call=call, depth=depth, line=line)
            else:
                reach = self.parameter(body, facts, name, call=call, depth=depth, read=read, line=line)
            if reach.targets or not name.expr.endswith("[]"):
                return reach
            item = element(self, body, facts, name, depth, line)  # x[k] of x: dict[K, V]: a V
            if item is None:
                return reach
            return self.called(body, item, depth) if call else item
        reach = self.dotted(body, name, read=read)
        if name.expr.endswith("[]"):
            reach = subscript(self, reach, (), [], "")
        return self.called(body, reach, depth) if call else reach

    def _returned(self, body: Body, facts: CallFacts, name: Name, head: str, depth: int, line: int) -> Reach:
        """What calling ``head`` (``X`` of ``X(...)``) returns: what its definitions return
        or make, else an element of the container it gets one from (``x.get(k)``)."""
        named = name._replace(expr=head)
        callee = self.reach_name(body, facts, named, call=False, line=line)
        callee = callee._replace(targets=self.on_class(body, facts, named, line, callee.targets))
        made = call_result(self, callee, depth)
        if made.targets:
            return made
        return self.element_got(body, facts, name, head, callee, depth, line) or made

    def element_got(
        self, body: Body, facts: CallFacts, name: Name, head: str, callee: Reach, depth: int, line: int
    ) -> Reach | None:
        """``x.get(k)``, ``x.setdefault(k, v)``, ``x.pop(k)`` (``head``) of a container
        ``x`` declared to hold instances (``x: dict[K, V]``): an element of it; None else."""
        receiver, _, method = head.rpartition(".")
        if callee.status == RESOLVED or method not in ELEMENT_METHODS or not receiver:
            return None
        return element(self, body, facts, name._replace(expr=receiver), depth, line)

    # -- calling what a name reaches ---------------------------------------------------------
    def called(self, body: Body, reach: Reach, depth: int = 0) -> Reach:
        """What calling the definitions of ``reach`` runs: a function itself, a property
        and what it returns, an instance's ``__call__`` or ``forward``, a class's
        construction."""
        if reach.status != RESOLVED:
            return reach
        groups: list[list[Resolved]] = []  # what each target runs
        held: list[int] = []  # the groups of the assignments of an attribute
        notes: list[str] = []  # what an attribute holds when no pin defines its class
        for target in reach.targets:
            if reach.instance and target.kind == "class":
                runs = self.instance_call(target)
                if reach.loose:  # of this class or of one deriving from it
                    runs = [t._replace(receiver="") for t in runs] or self.overridden_call(target)
                elif not runs and body.receiver is None and target.qualname == f"{body.module}.{body.cls}":
                    runs = self.overridden_call(target)  # self(...) in a mixin: any class deriving from it
                groups.append(with_via(runs, target.via) if target.via != "direct" else runs)
            elif target.kind == "property":
                returns = returned(self, target, body, depth + 1).targets if depth < MAX_DEPTH else []
                groups.append([target, *returns])
            elif target.kind in ("attribute", "variable"):
                runs = self.attribute_call(body, target)
                held.append(len(groups))
                # the attribute (its type shows), then what calling it runs
                groups.append([self.assigned(target), *runs])
                notes.extend(self.held_outside(target) or self.held_argument(target) if not runs else ())
            else:
                groups.append([target])
        # of several assignments, those that may run more than WIDE functions last, in the
        # code's order: PeftModel.base_model, a tuner made from a table (line 164) before any
        # of the 1,800 models a parameter annotated PreTrainedModel may be (line 157)
        ranked = sorted(held, key=lambda i: len(groups[i]) > WIDE + 1)  # the attribute, what it runs
        for slot, group in zip(held, [groups[i] for i in ranked], strict=True):
            groups[slot] = group
        out = [target for group in groups for target in group]
        if not out and reach.instance:
            name = reach.targets[0].qualname.rpartition(".")[2]
            return unresolved(f"calling {a(name)}: it defines no __call__ or forward codewalk can read")
        how = reach.how if out == list(reach.targets) else ""
        if notes:  # said after the first target's via, as the line under it shows
            if any(len(groups[i]) > 1 for i in held):  # another assignment runs code of the pins
                notes = [f"or {note}" for note in notes]
            how = "; ".join(dict.fromkeys([how or out[0].via, *notes]))
        return found(out, how)

    def instance_call(self, cls: Resolved) -> list[Resolved]:
        """Calling an instance of ``cls``: its ``__call__``, else (a torch module) ``forward``."""
        name = cls.qualname.rpartition(".")[2]
        for member in ("__call__", "forward"):
            hits = self.members(cls, member)
            if hits:
                how = f"calling {a(name)} runs its {member}" + (
                    " (nn.Module.__call__)" if member == "forward" else ""
                )
                return [h._replace(receiver=cls.qualname) for h in with_via(hits[:1], how)]
        return []

    def overridden_call(self, cls: Resolved) -> list[Resolved]:
        """Calling an instance of a class deriving from ``cls`` (which defines neither
        ``__call__`` nor ``forward``): each one's ``forward``."""
        key = (cls.repo, cls.path, cls.line, self.code.opened())
        if key not in self._overridden:  # each call of an instance annotated as one asks
            name = cls.qualname.rpartition(".")[2]
            found_ = overrides(self, cls, "forward")
            how = f"it may be any {name}: calling one runs its forward"
            how += f" ({len(found_):,} classes deriving from it)"
            self._overridden[key] = with_via(found_, how)
        return self._overridden[key]

    def assigned(self, holder: Resolved) -> Resolved:
        """An attribute or variable, its ``via`` saying when it is one of several
        assignments of instances of different classes (each one a target of its own)."""
        choice = holds(self, holder).choice
        if not choice:
            return holder
        return holder._replace(via=choice if holder.via == "direct" else f"{holder.via}; {choice}")

    def held_call(self, holder: Resolved) -> list[Resolved]:
        """Calling an attribute or variable: an instance it holds (its ``__call__`` or
        ``forward``; every class deriving from an annotated class without one), or a class
        it holds (constructing one)."""
        found = holds(self, holder)
        out: list[Resolved] = []
        for cls in found.instances:
            runs = self.instance_call(cls)
            if found.annotated:  # of this class, or of one deriving from it
                runs = [t._replace(receiver="") for t in runs] or self.overridden_call(cls)
            # which entry, unless that is what the attribute's account says already (every
            # entry of a table annotated to hold classes is said as the table is)
            how = (
                f"{found.how}: {cls.via}"
                if cls in found.from_table and cls.via not in found.how
                else found.how
            )
            out.extend(with_via(runs, how))
        out.extend(c._replace(via=f"{found.how}; calling it makes one") for c in found.classes)
        return out or self.held_method(holder)

    def held_method(self, holder: Resolved) -> list[Resolved]:
        """Calling an attribute assigned a method read off ``self`` and not called
        (``self.gather_function = self.accelerator.gather_for_metrics``): that method, as
        the method that assigns it reads the name."""
        value = _method_assigned(holder.signature) if holder.kind == "attribute" else ""
        body = self.code.around(holder.repo, holder.path, holder.line) if value else None
        if body is None:
            return []
        reach = self.dotted(body, Name(value, SELF), read=True)
        methods = [t for t in reach.targets if t.kind in ("function", "method")]
        attribute = holder.qualname.rpartition(".")[2]
        how = f"self.{attribute} holds the method {value} (set at {holder.path}:{holder.line})"
        return with_via(methods, how) if reach.status == RESOLVED else []

    def held_outside(self, holder: Resolved) -> list[str]:
        """What an attribute holds when its class is in another package no pin provides
        (``self.shared_expert_gate = torch.nn.Linear(...)``), said as an annotated
        parameter's type is: the class, and where its package is."""
        found = holds(self, holder)
        place = self.place(holder)
        if not found.outside or place is None:
            return []
        resolver, view, _ = place
        outside = self.outside(resolver, view, found.outside[0].split("."))
        if outside.status != EXTERNAL:
            return []
        return [f"{found.how}; {outside.how}"]

    def attribute_call(self, body: Body, holder: Resolved) -> list[Resolved]:
        """Calling an attribute or variable in ``body``: what it holds runs (:meth:`held_call`),
        else what the constructions pass to the ``__init__`` keeping it, else the class
        the class ``self`` is names for it."""
        return self.held_call(holder) or self.held_passed(holder) or self.held_named(body, holder)

    def held_named(self, body: Body, holder: Resolved) -> list[Resolved]:
        """Calling an attribute the class ``self`` is in ``body`` names the class of
        (``feature_extractor_class = "WhisperFeatureExtractor"``): an instance of it."""
        cls = body.receiver or (self.class_named(f"{body.module}.{body.cls}") if body.cls else None)
        out: list[Resolved] = []
        for named in named_classes(self, holder, cls):
            out.extend(with_via(self.instance_call(named), named.via))
        return out

    def held_passed(self, holder: Resolved) -> list[Resolved]:
        """An attribute ``__init__`` sets to one of its parameters (``self.infer = infer``):
        the functions the class's constructions pass in it (``Pipeline.forward``)."""
        key = (holder.repo, holder.path, holder.line)
        if key not in self._passed:  # the constructions are looked for once per attribute
            self._passed[key] = self._passed_in(holder)
        return self._passed[key]

    def _passed_in(self, holder: Resolved) -> list[Resolved]:
        value = _name_assigned(holder.signature) if holder.kind == "attribute" else ""
        body = self.code.around(holder.repo, holder.path, holder.line) if value else None
        if body is None or body.target.qualname.rpartition(".")[2] != "__init__":
            return []
        taken = value in parameter_names(body.target.signature)
        return passed_to_init(self, holder, body, value) if taken else []

    def held_argument(self, holder: Resolved) -> list[str]:
        """What an attribute holds when its method sets it to one of its own parameters
        (``self.infer = infer`` in ``PipelineIterator.__init__``): what whoever calls that
        method passes, which a call of the attribute does not follow; said, with where."""
        value = _name_assigned(holder.signature) if holder.kind == "attribute" else ""
        body = self.code.around(holder.repo, holder.path, holder.line) if value else None
        if body is None or value not in parameter_names(body.target.signature):
            return []
        attribute, method = holder.qualname.rpartition(".")[2], body.target.qualname.rpartition(".")[2]
        made = body.cls if method == "__init__" and body.cls else method
        default = parameter_default(body.target.signature, value)
        unless = f", {default} when none is passed" if default and default != "None" else ""
        return [
            f"self.{attribute} holds the argument {value} of {made}(...) (set at "
            f"{holder.path}:{holder.line}){unless}: what it runs is what the callers of {made} pass, "
            "which codewalk does not follow from here"
        ]

    # -- locals ------------------------------------------------------------------------------
    def local(
        self, body: Body, facts: CallFacts, expr: str, *, call: bool, depth: int, line: int = 0
    ) -> Reach:
        """What a local name (or an attribute of it) used on ``line`` reaches: what the
        assignments that may reach that line assigned (:meth:`CallFacts.bound`);
        memoised per body and those assignments (a local assigned from itself,
        ``x = f(x)``, is cut where it loops)."""
        origins = facts.bound(expr.removesuffix("[]").partition(".")[0], body.scope, line)
        # each assignment's line, and the use's where the assignment comes later (its step says it)
        later = tuple(dict.fromkeys((o.line, line if o.line > line else 0) for o in origins))
        reaching = later or ((-line, 0),)
        key = (*body.key, expr, call, reaching)
        known = self._locals.get(key)
        if known is not None:
            return known
        self._locals[key] = unresolved(f"{expr}: assigned from itself")
        reach = self._local(body, facts, expr, origins, call=call, depth=depth, line=line)
        self._locals[key] = reach
        return reach

    def _local(
        self,
        body: Body,
        facts: CallFacts,
        expr: str,
        origins: tuple[Origin, ...],
        *,
        call: bool,
        depth: int,
        line: int,
    ) -> Reach:
        parts = expr.removesuffix("[]").split(".")
        if not origins and line and facts.bound(parts[0], body.scope):
            later = ", ".join(str(o.line) for o in facts.bound(parts[0], body.scope))
            return unresolved(f"{parts[0]}: a local assigned only after line {line} (line {later})")
        if not origins or depth > MAX_DEPTH:
            return unresolved(f"{parts[0]}: a local name codewalk cannot follow")
        targets: list[Resolved] = []
        known: list[str] = []
        external = ""
        statuses: list[str] = []
        instances: list[bool] = []  # each assignment that reaches something holds instances
        loose = False  # of a class deriving from those too, as one assignment says
        declared: Reach | None = None  # a container's builtin method, as its annotation says
        valued: list[Origin] = []  # the assignments reaching nothing pinned (with statuses)
        assigned = False  # an assignment (not a declaration) reached something pinned
        # the values assigned first; what the name is annotated with when they say nothing
        for o in sorted(origins, key=lambda o: o.kind in DECLARED):
            if _said_enough(o, bool(targets), assigned):
                break
            reach = self._assigned(body, facts, o, parts, call=call, depth=depth)
            if is_container(o) and reach.status == BUILTIN:  # x: dict[K, V]: x.setdefault is dict's
                declared = declared or reach
            again = _later(facts, o.line, line)
            step = f"{o.text or parts[0] + ' = ' + o.name.expr} (line {o.line}{again})"
            if reach.targets:
                assigned = assigned or o.kind not in DECLARED
                targets.extend(with_via(list(reach.targets), step))
                instances.append(reach.instance)
                loose = loose or reach.loose
            else:
                known.append(f"{step}: {reach.how}" if reach.how else step)
                statuses.append(reach.status)
                valued.append(o)
                external = external or reach.external
        held = bool(instances) and all(instances) and not call
        if targets and known:  # the other assignments stay in view: none is dropped
            also = f"{targets[0].via}; also {'; '.join(known[:2])}"
            return found(targets, also, instance=held, loose=held and loose)
        if targets:
            return found(targets, instance=held, loose=held and loose)
        if declared is not None:
            return declared
        return outside.unpinned(parts[0], len(origins), valued, statuses, known, external)

    def _assigned(
        self, body: Body, facts: CallFacts, o: Origin, parts: list[str], *, call: bool, depth: int
    ) -> Reach:
        """What ``parts`` (a local, then attributes of it: ``x.y.z``) reach as the assignment
        (or the annotation) ``o`` of the local leaves them."""
        if is_container(o):  # x: dict[K, V]: its own methods are the builtin container's
            return container_member(o, parts[0], parts[1:])
        if is_literal(o):  # x = {...}: x.update is dict's
            return literal_member(o, parts[1:])
        if len(parts) > 1 and o.kind == "name" and o.name.root != LOCAL:  # x = self.a: x.y is self.a.y
            longer = o.name._replace(expr=".".join([o.name.expr, *parts[1:]]))
            return self.reach_name(body, facts, longer, call=call, depth=depth + 1, line=o.line)
        if len(parts) > 1:
            reach = origin(self, body, facts, o, call=False, depth=depth + 1)
            if o.kind == "call" and not reach.targets:
                outside = self._local_made_outside(body, facts, o, parts, depth)
                if outside is not None:
                    return outside
            return self.member_of(body, reach, parts[1:], call, depth)
        return origin(self, body, facts, o, call=call, depth=depth + 1)

    def _local_made_outside(
        self, body: Body, facts: CallFacts, o: Origin, parts: list[str], depth: int
    ) -> Reach | None:
        """``log.info`` of ``log = logging.getLogger(...)``, a call of another package's
        function (not a copy, which returns its argument): the member of what that call
        returns, in that package, as for a module-level name; None otherwise."""
        return self._outside_value(body, facts, o.name, ".".join(parts[1:]), depth, o.line)

    def _outside_value(
        self, body: Body, facts: CallFacts, called: Name, rest: str, depth: int, line: int
    ) -> Reach | None:
        """``rest`` of what calling ``called`` returns, when that is another package's value
        (:mod:`codewalk.calls.outside`): of ``logging.getLogger(...)``, of
        ``torch.randn(...)``, of a pinned function every ``return`` of which gives one
        (diffusers' ``randn_tensor``); None otherwise."""
        callee = self.reach_name(body, facts, called, call=False, depth=depth + 1, line=line)
        direct = outside.member(callee, rest)
        if direct is not None or callee.status != RESOLVED or len(callee.targets) != 1 or depth >= MAX_DEPTH:
            return direct
        function = callee.targets[0]
        made = outside.returns_outside(self, function, depth + 1)
        if not made:
            return None
        said = made.removesuffix("(…)")
        how = f"{called.expr} returns what {said} returns ({function.path}:{function.line})"
        return Reach((), how, EXTERNAL, f"{made}.{rest}")

    def member_of(
        self, body: Body, reach: Reach, rest: list[str], call: bool, depth: int, *, read: bool = False
    ) -> Reach:
        """``x.y...`` where ``x`` holds an instance of the classes of ``reach`` (of classes
        deriving from them too, when ``reach`` is loose: then every override of ``y``), or
        one of those classes itself (``TABLE[key].from_pretrained``, ``TABLE`` annotated
        ``dict[K, type[X]]``: a class's member, read as ``self.y`` is)."""
        classes = reach.targets and all(t.kind == "class" for t in reach.targets)
        if not reach.targets or not (reach.instance or classes):
            return unresolved(f"{'.'.join(rest)} of a value whose type codewalk does not know")
        hits: list[Resolved] = []
        places: list[tuple[Resolver, ModuleView, str]] = []
        for cls in reach.targets:
            place = self.place(cls)
            if place is None:
                continue
            resolver, view, qualname = place
            # in the file that declares the class: a stub's, not the ``__init__.py`` beside it
            own = resolver.resolve_in(
                view.module, ".".join(["self", *rest]), qualname, path=view.path, repo=view.repo
            )
            if len(rest) == 1:
                loose = reach.loose or cls.loose  # of a class or of one deriving from it
                own = [h._replace(receiver="" if loose else cls.qualname) for h in own]
                # what classes deriving from it take from another base (when it has none), its overrides
                own += taken(self, cls, rest[0]) if loose else []
                own += overrides(self, cls, rest[0]) if loose and not read else []
            elif not own:  # x.a.b, a of what a call returns (kwargs.pop(...), then A.from_dict(...))
                own = _typed_attribute(self, resolver, view, qualname, rest)
            hits.extend(own)
            places.append((resolver, view, qualname))
        outside = member_outside(self, places, rest[0], reach.how) if not hits and len(rest) == 1 else None
        if outside is not None:  # model_to_save.state_dict(): torch's nn.Module.state_dict
            return outside
        result = (
            found(with_via(shared(hits), reach.how), reach.how)
            if hits
            else unresolved(
                f"{reach.how}, which defines no {'.'.join(rest)} codewalk can read{_kinds(places)}"
            )
        )
        return self.called(body, result, depth) if call else result

    def parameter(
        self,
        body: Body,
        facts: CallFacts,
        name: Name,
        *,
        call: bool,
        depth: int,
        read: bool = False,
        line: int = 0,
    ) -> Reach:
        """A parameter: what the body assigns it again first (``model = cls(model, ...)``
        in peft's ``from_pretrained``, where ``model: nn.Module`` came in), then what it
        holds as given (:meth:`given`), unless every way to ``line`` assigned it again
        (:attr:`CallFacts.rebound`: both arms of an ``if``). Read again at the call asked
        about only, not in the bodies its values are read from (``depth``): there, each reassignment's value,
        read through the callers' arguments, multiplied a path search's work many times
        over (``bench/callgraph_score.py``'s pairs from peft's ``get_peft_model``)."""
        root = name.expr.removesuffix("[]").partition(".")[0]
        if depth or not facts.bound(root, body.scope, line):
            return self.given(body, facts, name, call=call, depth=depth, read=read)
        again = self.local(body, facts, name.expr, call=call, depth=depth, line=line)
        if line in facts.rebound.get(body.scope + root, ()):  # every way here assigned it again
            return again
        given = self.given(body, facts, name, call=call, depth=depth, read=read)
        if not again.targets:
            return given
        if given.status != RESOLVED or not given.targets:
            return again
        how = f"{again.how}; or as given: {given.how}" if given.how else again.how
        return found([*again.targets, *given.targets], how)

    def given(
        self, body: Body, facts: CallFacts, name: Name, *, call: bool, depth: int, read: bool = False
    ) -> Reach:
        """A parameter as it comes in: as its annotation says (an instance of those
        classes or of classes deriving from them), else as the call that reached the body
        passed it; else its value is the caller's."""
        parts = name.expr.removesuffix("[]").split(".")
        found_ = holds_parameter(self, self.declaring(body, parts[0]), parts[0])
        for param, classes, loose in body.arguments if not (found_.instances or found_.classes) else ():
            if param == parts[0]:
                names = " or ".join(c.qualname.rpartition(".")[2] for c in classes)
                how = f"{param} is {a(names)}, passed by the call that reached {body.name}"
                passed = tuple(c._replace(via=f"{how} ({_first_passed(c.via)})") for c in classes)
                found_ = found_._replace(instances=passed, annotated=loose, how=how)
        if not found_.instances and not found_.classes and self.installed_as_method(body, parts[0]):
            reach = reach_self(self, body, name._replace(root=SELF), candidates=not read)
            return self.called(body, reach, depth) if call else reach
        if not found_.instances and not found_.classes:
            set_there = (
                self.set_by_enclosing(body, parts)
                or bound_by_partial(self, body, parts, depth=depth)
                or self.annotated_outside(body, parts, call=call)
            )
            if set_there is not None:
                return self.called(body, set_there, depth) if call else set_there
            return unresolved(f"{parts[0]} is a parameter of {body.name}: its value is the caller's")
        if found_.classes:  # type[X]: the class itself
            reach = Reach(found_.classes, found_.how, RESOLVED)
        else:
            reach = Reach(found_.instances, found_.how, RESOLVED, instance=True, loose=found_.annotated)
        if len(parts) > 1:
            return self.member_of(body, reach, parts[1:], call, depth, read=read)
        return self.called(body, reach, depth) if call else reach

    def declaring(self, body: Body, param: str) -> Resolved:
        """The function ``param`` is a parameter of: the body's own, else (a closure's free
        variable: ``experts_interface`` in a decorator's inner ``forward``) the innermost
        function around it that takes it."""
        if body.host is None or param in parameter_names(body.target.signature):
            return body.target
        host = self.code.body(body.host)
        path = body.target.qualname.removeprefix(body.host.qualname + ".<locals>.")
        while host is not None and ".<locals>." in path:
            path = path.rpartition(".<locals>.")[0]
            around = self.nested(host, path)
            if around is not None and param in parameter_names(around.target.signature):
                return around.target
        return body.host if param in parameter_names(body.host.signature) else body.target

    def installed_as_method(self, body: Body, param: str) -> bool:
        """``param`` is the first parameter of a nested function that the function around
        it sets on classes as a method (``cls.__init__ = __init__``): their ``self``."""
        if not body.nested or body.cls or parameter_names(body.target.signature)[:1] != [param]:
            return False
        return body.receiver is not None or bool(self.code.installed_on(body.target))

    def annotated_outside(self, body: Body, parts: list[str], *, call: bool = False) -> Reach | None:
        """``x.m`` where the parameter ``x`` is annotated with a class of another package
        (``model: nn.Module``): as :func:`~codewalk.calls.derived.with_overrides` says; so is
        ``model(...)`` of a torch module, which runs its ``forward``."""
        where = self.view(body)
        if where is None or not (len(parts) == 2 or (len(parts) == 1 and call)):
            return None
        resolver, view = where
        names = annotation(body.target.signature, parts[0])
        builtin = next((n for n in names if len(parts) == 2 and _builtin_has(n, parts[1])), None)
        if builtin is not None:  # ``path: str | os.PathLike``: ``path.count`` is str's
            said = f"{parts[0]} is annotated {' | '.join(names)} in {body.name}"
            return Reach((), f"{said}: {builtin}.{parts[1]}, a Python builtin", BUILTIN)
        for name in names:
            said = f"{parts[0]} is annotated {name} in {body.name}"
            member = parts[1:]
            if not member:  # calling the instance: only a torch module's is known (nn.Module.__call__)
                if not torch_module(self.outside(resolver, view, name.split(".")).external):
                    continue
                member, said = ["forward"], f"{said}; calling one runs its forward (nn.Module.__call__)"
            outside = self.outside(resolver, view, [*name.split("."), *member])
            if outside.status == EXTERNAL:
                return with_overrides(self, view, outside, said)
        return None


def _builtin_has(name: str, member: str) -> bool:
    """Whether ``name`` is a builtin class (``str``, ``dict``) that has ``member``."""
    found = getattr(builtins, name, None) if name.isidentifier() else None
    return isinstance(found, type) and hasattr(found, member)


def own_sites(body: Body, facts: CallFacts) -> tuple[Site, ...]:
    """The sites that run when ``body`` runs: its own lines (of its host's, for a nested
    function), less the bodies of the functions it defines (they run when called; their
    decorators run here)."""
    first, last = body.target.start_line, body.target.end_line
    inner = [
        (o.line, o.span[1])
        for origins in facts.locals.values()
        for o in origins
        if o.kind == "def"
        and o.span != (0, 0)
        and first <= o.line
        and o.span[1] <= last
        and (o.line, o.span[1]) != (body.target.line, last)
    ]
    return tuple(
        s
        for s in facts.sites
        if first <= s.line <= last and not any(start <= s.line <= end for start, end in inner)
    )


_PASSED = re.compile(r"\w+ is an? [\w .]+, passed by the call that reached [\w.<>]+ \((.*)\)")


def _first_passed(via: str) -> str:
    """Where a value passed down several calls came from, said once."""
    while (match := _PASSED.fullmatch(via)) is not None:
        via = match.group(1)
    return via


def without_setters(targets: Iterable[Resolved]) -> tuple[Resolved, ...]:
    """``targets`` but the definitions of a property that reading it never runs: its
    getter is the first (an ``@x.setter`` or ``@x.deleter`` needs ``x`` defined above it),
    the setter and the deleter, of the same name, come after it."""
    targets = tuple(targets)
    getter: dict[tuple[str, str, str], Resolved] = {}
    for t in targets:
        place = (t.repo, t.path, t.qualname)
        if t.kind == "property" and (place not in getter or t.line < getter[place].line):
            getter[place] = t
    return tuple(t for t in targets if t.kind != "property" or getter[(t.repo, t.path, t.qualname)] is t)


def _kinds(places: list[tuple[Resolver, ModuleView, str]]) -> str:
    """What to say of the classes a value was annotated with, where none defines the member
    called: that one is an Enum (``scheduler: KarrasDiffusionSchedulers``), if one is."""
    return next((note for r, view, name in places if (note := enum_note(r, [(view, name)]))), "")


def _method_assigned(signature: str) -> str:
    """``self.a.b`` of an assignment ``self.x = self.a.b`` (an attribute's first line, as
    the index keeps it), else ""."""
    value = _assigned(signature)
    named = dotted(value) if isinstance(value, ast.Attribute) else ""
    return named if named.startswith("self.") else ""


def _name_assigned(signature: str) -> str:
    """``x`` of an assignment ``self.a = x`` (an attribute's first line, as the index keeps
    it), else ""."""
    value = _assigned(signature)
    return value.id if isinstance(value, ast.Name) else ""


def _assigned(signature: str) -> ast.expr | None:
    """The value of the one assignment ``signature`` is (``self.fn: T = fn`` too), else None."""
    try:
        tree = parsing.parse(signature.strip())
    except SyntaxError:
        return None
    statement = tree.body[0] if len(tree.body) == 1 else None
    return statement.value if isinstance(statement, ast.Assign | ast.AnnAssign) else None


def _said_enough(o: Origin, reached: bool, assigned: bool) -> bool:
    """Whether the declaration ``o`` of a local (read after its values) adds nothing: an
    annotation once anything is reached; an ``isinstance`` guard's class once a value is
    (each class of ``(A, B)`` is read)."""
    return o.kind in DECLARED and (reached if o.kind == "annotated" else assigned)


def _later(facts: CallFacts, assigned: int, line: int) -> str:
    """What a step says of an assignment on a line after the use it reaches: a loop runs
    it first, or the use runs later (in a lambda, a generator expression, a nested function)."""
    if not line or assigned <= line:
        return ""
    if facts.looped(assigned, line):
        return f": a loop runs it before line {line}"
    return f": line {line} runs later than it is written"


def _typed_attribute(
    r: Reacher, resolver: Resolver, view: ModuleView, qualname: str, rest: list[str]
) -> list[Resolved]:
    """``x.a.b...`` where ``x`` holds an instance of the class ``qualname`` of ``view``'s
    module, whose ``a`` the resolver does not type: ``b`` of what an assignment of ``a``
    says it holds, the first that says a class codewalk reads (transformers'
    ``generation_config.watermarking_config.construct_processor``, ``watermarking_config``
    set from ``kwargs.pop(...)``, then ``WatermarkingConfig.from_dict(...)``)."""
    attrs = resolver.ns.members(view, qualname, rest[0], ())
    typed = typed_member(r, resolver, attrs, [qualname.rpartition(".")[2], *rest]) if attrs else None
    return list(typed.targets) if typed is not None else []  # each says how already
