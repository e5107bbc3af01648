"""A parameter of a nested function that ``functools.partial`` binds, read through what
the function around it stored on the value it binds.

accelerate's ``add_hook_to_module`` sets ``module._hf_hook = hook`` (``hook: ModelHook``,
or the ``SequentialHook`` made of it), then installs
``functools.partial(new_forward, module)``: ``new_forward``'s first parameter is that
``module`` (bound by position, or by keyword: ``functools.partial(new_forward,
module=module)``), so its ``module._hf_hook.pre_forward(...)`` is ``hook.pre_forward`` as the
enclosing function sees ``hook`` where it stores it (its annotation's class and the
overrides of the classes deriving from it, listed as candidates, as other wide calls are).
"""

from __future__ import annotations

from codewalk.calls.holders import parameter_names
from codewalk.calls.model import Body
from codewalk.calls.reach import Reacher
from codewalk.calls.reached import Reach, found, with_via
from codewalk.calls.records import LOCAL, LOCALS, CallFacts, Name, Origin, Site, enclosing
from codewalk.resolve.model import Resolved

_PARTIALS = frozenset(("functools.partial", "partial"))


def bound_by_partial(r: Reacher, body: Body, parts: list[str], *, depth: int) -> Reach | None:
    """``x.a.m`` (``parts``) where ``x`` is a parameter of the nested function ``body``
    that a ``functools.partial(f, ..., y)`` of the function around it binds to its ``y``,
    and that function stores ``y.a = v`` (a name): what ``v.m`` reaches there, where it is
    stored (not called: the caller calls it). None when no such partial or store is there."""
    if body.host is None or len(parts) < 2 or not body.nested:
        return None
    params = parameter_names(body.target.signature)
    host = r.code.body(body.host) if parts[0] in params else None
    if host is None:
        return None
    facts = r.facts(host)
    scope = enclosing(body.scope)
    own = body.scope.removesuffix(LOCALS).removeprefix(scope)
    slots = (f"#{params.index(parts[0]) + 1}", parts[0])  # by position, or by keyword
    for site in facts.sites:
        given = _binding(site, own, slots, body)
        stores = facts.stored.get(f"{scope}{given.expr}.{parts[1]}", ()) if given is not None else ()
        reach = _stored(r, host, facts, stores, parts, depth=depth)
        if given is not None and reach is not None:
            outer = host.name.rpartition(".")[2]
            keyword = f"{parts[0]}=…" if parts[0] in site.slots else "…"
            bound = (
                f"{parts[0]} is {outer}'s {given.expr}, bound by {site.name.expr}({own}, {keyword}) (line "
                f"{site.line}), on which {outer} sets {parts[1]} (line {stores[-1].line})"
            )
            targets = with_via(list(reach.targets), bound)
            return found(targets, f"{bound}: {reach.how}", instance=reach.instance, loose=reach.loose)
    return None


def _binding(site: Site, function: str, slots: tuple[str, ...], body: Body) -> Name | None:
    """The name ``site`` (a ``functools.partial`` of the local ``function``, outside its
    lines) passes in the first of ``slots`` it fills (the parameter's position, then its
    keyword: ``functools.partial(f, module=m)``); None for another site."""
    if site.kind != "call" or site.name.expr not in _PARTIALS or not site.args:
        return None
    if body.target.start_line <= site.line <= body.target.end_line:
        return None
    first = site.args[0]
    if first.expr != function or first.root != LOCAL or site.slots[:1] != ("#0",):
        return None
    given = dict(zip(site.slots, site.args, strict=False))
    passed = next((given[slot] for slot in slots if slot in given), None)
    return passed if passed is not None and "." not in passed.expr else None


def _stored(
    r: Reacher, host: Body, facts: CallFacts, stores: tuple[Origin, ...], parts: list[str], *, depth: int
) -> Reach | None:
    """What the names stored (``y.a = v``) reach, each at its line, with ``parts[2:]``
    after them; None when none is a name or none reaches a definition."""
    targets: list[Resolved] = []
    hows: list[str] = []
    first: Reach | None = None
    for o in (o for o in stores if o.kind == "name"):
        dotted = ".".join([o.name.expr, *parts[2:]])
        got = r.reach_name(host, facts, o.name._replace(expr=dotted), call=False, depth=depth, line=o.line)
        if got.targets:
            first = first or got
            targets.extend(got.targets)
            hows.append(got.how)
    if first is None:
        return None
    return first._replace(targets=tuple(dict.fromkeys(targets)), how="; or ".join(dict.fromkeys(hows)))
