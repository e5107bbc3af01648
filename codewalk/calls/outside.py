"""Values another package makes: what a function of a package no pin provides returns
(``torch.randn(...)``), and what a pinned function returns when each of its ``return``s is
such a value (diffusers' ``randn_tensor``). A method called on one is that package's
(``torch.randn(…).to``): not a pinned definition found by its name alone, which ``path``
would otherwise try as a possible target (``image.to(...)`` as ``ModelMixin.to``).

Pure reading of the facts the resolver gives; the resolver asks it (:mod:`codewalk.calls.sites`).
"""

from __future__ import annotations

import re
from typing import Protocol

from codewalk.calls.model import BUILTIN, EXTERNAL, Body
from codewalk.calls.reached import COPIES, Reach, unresolved
from codewalk.calls.records import LOCAL, CallFacts, Name, Origin
from codewalk.resolve.model import Resolved

MAX_LOCAL_DEPTH = 2  # locals followed back from a ``return`` (``latents = ...; return latents``)


class Asking(Protocol):
    """What reading another package's values asks of the resolver."""

    def facts(self, body: Body) -> CallFacts: ...

    def body_of(self, function: Resolved) -> Body | None: ...

    def reach_name(
        self, body: Body, facts: CallFacts, name: Name, *, call: bool, depth: int, line: int = 0
    ) -> Reach: ...


def maker(callee: Reach) -> str:
    """The external function ``callee`` (what a call's name reaches) names, when what it
    returns is that package's value: "" for a pinned one, a builtin, or a copy (which
    returns its argument, perhaps a pinned instance)."""
    if callee.status != EXTERNAL or not callee.external or callee.external in COPIES:
        return ""
    return callee.external


def member(callee: Reach, rest: str) -> Reach | None:
    """``X(...).rest`` where ``X`` reaches ``callee``: ``rest`` of what another package's
    ``X`` returns, in that package (None when ``X`` is not such a function)."""
    made = maker(callee)
    if not made:
        return None
    how = f"what {made} returns" + (f"; {callee.how}" if callee.how else "")
    return callee._replace(external=f"{made}(…).{rest}", how=how)


def unpinned(
    name: str, count: int, values: list[Origin], statuses: list[str], said: list[str], external: str
) -> Reach:
    """What a local reaches when none of its ``count`` assignments reaches a pinned
    definition (``values``, with each one's status and what is said of it): the one
    assignment's another package's name, or builtin; else another package's value when
    each is one (:func:`every_value`); else what is known."""
    if count == 1 and statuses[0] in (EXTERNAL, BUILTIN):
        return Reach((), said[0], statuses[0], external)
    return every_value(name, values, statuses, said, external) or unresolved("; ".join(said[:3]))


def every_value(
    name: str, values: list[Origin], statuses: list[str], said: list[str], external: str
) -> Reach | None:
    """A local none of whose ``values`` (with each one's status and what is said of it)
    reaches a pinned definition: another package's value when each is one (``image =
    randn_tensor(...)``), but for those made by calling its own method (``image =
    image.to(...)``: of that package too); None otherwise."""
    own = [
        (status, text)
        for o, status, text in zip(values, statuses, said, strict=True)
        if o.kind != "call" or not o.name.expr.startswith(name + ".")
    ]
    if not own or any(status != EXTERNAL for status, _ in own):
        return None
    return Reach((), "; ".join(text for _, text in own[:3]), EXTERNAL, external)


def returns_outside(r: Asking, function: Resolved, depth: int) -> str:
    """What ``function`` (a pinned one) returns, when every ``return`` of it gives a value
    another package made (``return torch.cat(...).to(device)``, or a local every
    assignment of which is one): that call as written (``torch.randn(…).to(…)``); ""
    when one does not, or it returns nothing."""
    if function.kind not in ("function", "method"):
        return ""
    body = r.body_of(function)
    if body is None:
        return ""
    facts = r.facts(body)
    returned = facts.returned(body.scope)
    made = [_made(r, body, facts, o, depth, MAX_LOCAL_DEPTH) for o in returned]
    return made[0] if made and all(made) else ""


def _made(r: Asking, body: Body, facts: CallFacts, o: Origin, depth: int, locals_left: int) -> str:
    """The external call ``o`` (a ``return``'s or a local's value) gives the value of, as
    written; "" when it is not one (a local: every one of its assignments must be)."""
    if o.kind == "call":
        callee = r.reach_name(body, facts, o.name, call=False, depth=depth + 1, line=o.line)
        made = maker(callee)
        return f"{made}(…)" if made else ""
    if o.kind == "name" and o.name.root == LOCAL and "." not in o.name.expr and locals_left:
        values = _kept(o.name.expr, facts.bound(o.name.expr, body.scope, o.line))
        given = [_made(r, body, facts, v, depth, locals_left - 1) for v in values]
        return given[0] if given and all(given) else ""
    return ""


def _kept(name: str, values: tuple[Origin, ...]) -> list[Origin]:
    """The assignments of the local ``name`` that may give its value, but for one a later
    assignment makes its value from (``latents = [...]``, then ``latents =
    torch.cat(latents, dim=0)``): that one is what the name holds after both."""
    read = re.compile(rf"\b{re.escape(name)}\b")
    return [
        o
        for o in values
        if not any(later.line > o.line and read.search(later.text.partition("=")[2]) for later in values)
    ]
