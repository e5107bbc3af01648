"""The call graph, walked on demand: a function's callees to some depth, and the edges
the path search (:mod:`codewalk.calls.paths`) follows.

Only the bodies a walk reaches are analysed (each once, ever: the facts are kept in the
index). An edge goes from a body to each definition a call site or a callable reference
of it reaches; constructing a class goes on into its ``__init__``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from codewalk.calls import reached as shared
from codewalk.calls.model import UNRESOLVED, Body, Callee, is_holder
from codewalk.calls.sites import CallResolver
from codewalk.resolve.model import BODY_KINDS, Resolved


def key(target: Resolved) -> tuple[str, str, int]:
    return (target.repo, target.path, target.line)


Node = tuple[str, str, int, str]  # a body: its definition and the class self is taken to be


def node(body: Body) -> Node:
    return body.key


def self_of(target: Resolved) -> str:
    """The class ``self`` is taken to be where ``target`` runs: the class it was reached
    through, else its own; none for a class reached as any class deriving from it."""
    return "" if target.loose else target.receiver or target.qualname


def reached(cr: CallResolver, hop: Hop, bodies: dict[Node, Body | None]) -> Body | None:
    """The body a hop runs (``bodies`` keeps them by definition and receiver), told what
    the call passed to its parameters."""
    assert hop.target is not None
    child = kept_body(cr, hop.target, bodies)
    if child is None or hop.callee.site.kind != "call" or not hop.callee.site.slots:
        return child
    return child._replace(arguments=cr.passed_in(hop.caller, hop.callee.site, child))


def kept_body(cr: CallResolver, target: Resolved, bodies: dict[Node, Body | None]) -> Body | None:
    """:func:`body_for`, once per definition and receiver (``bodies`` keeps them)."""
    target_key = (*key(target), self_of(target))
    if target_key not in bodies:
        bodies[target_key] = body_for(cr, target)
    return bodies[target_key]


def body_for(cr: CallResolver, target: Resolved) -> Body | None:
    """The body that runs when ``target`` is called: itself, or a class's ``__init__``
    (a dataclass's, which ``@dataclass`` made from the fields: the ``__post_init__`` it
    calls); ``self`` there is the class the call reached it through, when the call said."""
    body: Body | None = None
    receiver = target.receiver
    if target.kind in BODY_KINDS:  # a function, or one nested in another: in its host's lines
        body = cr.body_of(target)
    elif target.kind == "class":
        receiver = "" if target.loose else target.qualname
        for init in cr.members(target, "__init__"):
            if init.kind == "class":  # made by @dataclass, without source: it runs __post_init__
                made = cr.members(target, "__post_init__")
                body = cr.body_of(made[0]) if made else None
            else:
                body = cr.body_of(init)  # a def of its own, or one a class decorator set (nested in it)
            break
    if body is None or not receiver or not (body.cls or body.nested):  # a nested def a class is given
        return body
    cls = cr.class_named(receiver)
    if cls is None:
        return body
    return body._replace(receiver=cls._replace(via="the class the call reached it through"))


class Hop(NamedTuple):
    """One edge of a chain: ``caller``'s call site ``callee`` reaches ``target``."""

    caller: Body
    callee: Callee
    target: Resolved | None  # None: the name of another package in ``callee.external``
    # the other lines ``caller`` makes this call at, in a route listed once (:func:`.paths._chains`)
    also: tuple[int, ...] = ()

    @property
    def lines(self) -> tuple[int, ...]:
        """Every line ``caller`` makes this call at in the route: its own, then the others."""
        return (self.callee.site.line, *self.also)

    @property
    def reached(self) -> str:
        return self.target.qualname if self.target is not None else self.callee.external

    @property
    def guessed(self) -> bool:
        """The call may run ``target`` but codewalk cannot say it does: one of many
        candidates (``self(...)`` in a mixin), or a definition of the name an untyped
        value's method call has."""
        possible = self.callee.status == UNRESOLVED and self.target is not None
        return possible or len(self.callee.targets) > shared.WIDE


class Level(NamedTuple):
    """One callee of a ``calls --depth N`` tree, at its depth (1: called by the root)."""

    depth: int
    callee: Callee
    # the line of the call site under which its first target's calls are already listed
    # (0: not so; -1: it is the function asked about): not listed again
    expanded_above: int = 0


def tree(cr: CallResolver, root: Body, depth: int) -> list[Level]:
    """The callees of ``root``, then (depth first) theirs, to ``depth`` levels; a
    definition already expanded is not expanded again, and says where it was."""
    out: list[Level] = []
    seen = {node(root): -1}  # each definition expanded: the line of the site it is under

    bodies: dict[Node, Body | None] = {}

    def visit(body: Body, level: int) -> None:
        for callee in cr.callees(body):
            target = _runs(callee)
            child = (
                reached(cr, Hop(body, callee, target), bodies)
                if target is not None and level < depth
                else None
            )
            if child is None:
                out.append(Level(level, callee))
            elif node(child) in seen:
                out.append(Level(level, callee, seen[node(child)]))
            else:
                out.append(Level(level, callee))
                seen[node(child)] = callee.site.line
                visit(child, level + 1)

    visit(root, 1)
    return out


def _runs(callee: Callee) -> Resolved | None:
    """What a call runs first: its first target that holds nothing (past ``self.unet``, an
    attribute, or its several assignments: ``UNet2DModel.forward``), else its first."""
    targets = callee.targets
    return next((t for t in targets if not is_holder(t.kind)), targets[0] if targets else None)


_WRAPS = re.compile(r"@(?:functools\.)?wraps\(\s*([A-Za-z_]\w*)\s*[,)]")  # @wraps(f), as written


def wraps_call(callees: Sequence[Callee], hop: Hop) -> bool:
    """Whether ``hop`` is a decorator's wrapper calling the function it wraps: its caller,
    whose ``callees`` are given, is written ``@wraps(f)`` (``@functools.wraps(f)``) and the
    call is ``f(...)`` (``@strict``'s ``init_with_validate`` calling ``initial_init``). A run
    reads such a wrapper as the function it wraps: one call, not two."""
    site = hop.callee.site
    if site.kind != "call" or "." in site.name.expr:
        return False
    wrapped = (_WRAPS.match(c.site.text) for c in callees if c.site.kind == "decorator")
    return any(m is not None and m[1] == site.name.expr for m in wrapped)
