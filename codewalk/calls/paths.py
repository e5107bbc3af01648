"""The shortest call chains from one definition to another, searched breadth first over
the call graph (:mod:`codewalk.calls.graph`): a name in another package that no pin
provides ends a chain, and can be its goal (``accelerate.Accelerator.backward``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterator, Sequence
from functools import partial
from typing import NamedTuple

from codewalk.calls import reached as shared
from codewalk.calls.backward import Near
from codewalk.calls.graph import Hop, Node, kept_body, key, node, reached, self_of, wraps_call
from codewalk.calls.model import EXTERNAL, UNRESOLVED, Body, Callee
from codewalk.calls.reached import a, annotation_text
from codewalk.calls.records import LOCAL, PARAM, CallFacts
from codewalk.calls.sites import CallResolver
from codewalk.resolve.model import BODY_KINDS, Resolved

MAX_BODIES = 1500  # bodies a path search analyses before it gives up
NARROW_BODIES = 800  # bodies searched before the calls of many candidates are
# in the order bodies are searched, a hop through one of a call's many candidates counts
# as WIDE_HOP calls; a hop to a definition an untyped x.m(...) may reach by name, as POSSIBLE_HOP
WIDE_HOP = 2
POSSIBLE_HOP = 4
SLACK = 1  # chains up to this many calls dearer than the cheapest are listed after it
CHAINS_READ = 8  # chains read back per chain listed, to list the cheapest
CHAIN_STEPS = 20_000  # steps back through the hops before the chains read so far are listed
Cost = tuple[int, int]  # calls (a guess counting as more), and guesses (a function passed as a value one)


class PathSearch(NamedTuple):
    chains: tuple[tuple[Hop, ...], ...]  # shortest first
    bodies: int  # bodies analysed
    complete: bool  # False when the search stopped at its bounds before finding all
    widened: bool = False  # the calls of many candidates were searched (toward the goal only)
    passed_over: int = 0  # calls of many candidates met and not searched (the search not widened)


def shortest_paths(
    cr: CallResolver,
    start: Body,
    goals: Sequence[Resolved],
    goal_name: str,
    *,
    max_depth: int = 8,
    limit: int = 3,
    max_bodies: int = MAX_BODIES,
    repos: Collection[str] = (),
    toward: Callable[[], Near] | None = None,
    progress: Callable[[int], None] | None = None,
) -> PathSearch:
    """Up to ``limit`` chains from ``start`` to one of ``goals`` (or to the name
    ``goal_name`` of another package), breadth first: the shortest, then those up to
    ``SLACK`` calls longer (the way a run goes is often not the shortest the code allows).
    Bodies are read in ``repos`` only (default: the start's and the goals'); a call into
    another pin ends there.

    A call of more than ``WIDE`` candidates (``self(...)`` in a mixin, an annotated base
    class's instance) is searched lazily: first not at all; then, when no chain was found,
    through the candidates that ``toward()`` says may lead to the goal, as are the calls of
    a method on a value codewalk cannot type, to the definitions of that name. Such a hop
    is a guess: it counts as ``WIDE_HOP`` (``POSSIBLE_HOP``) calls in the order bodies are
    searched, so a chain of definite calls comes before one as long through a guess."""
    within = set(repos) or {start.repo, *(g.repo for g in goals)}
    narrow = max_bodies if toward is None else min(max_bodies, NARROW_BODIES)
    known = _Known({}, {}, {}, progress)  # what the first pass found out, for the second
    first = _search(cr, start, goals, goal_name, max_depth, limit, narrow, within, None, known)
    if first.chains or toward is None:
        return first
    near = toward()
    second = _search(
        cr, start, goals, goal_name, max_depth, limit, max_bodies - first.bodies, within, near, known
    )
    return second._replace(bodies=first.bodies + second.bodies, widened=True)


class _Known(NamedTuple):
    """What a search found out that a second one over the same bodies asks again."""

    bodies: dict[Node, Body | None]  # by definition and receiver
    passed: dict[tuple[Node, int, int, Node], Body]  # a hop's child
    callees: dict[Node, list[Callee]]  # a body's
    progress: Callable[[int], None] | None = None  # told how many bodies were read


Named = dict[str, list[tuple[int, Resolved]]]  # the functions of a Near by name, with their place


def _functions_by_name(near: Near) -> Named:
    """The functions of ``near`` by their name (``forward``), each with its place in ``near``."""
    named: Named = {}
    for place, target in enumerate(near.values()):
        if target.kind in BODY_KINDS:
            named.setdefault(target.qualname.rpartition(".")[2], []).append((place, target))
    return named


def _hops(
    body: Body,
    callees: list[Callee],
    goal_keys: set[tuple[str, str, int]],
    near: Near | None,
    named: Named,
    facts: Callable[[], CallFacts],
    places: dict[tuple[str, str, int], int],
) -> Iterator[tuple[Hop, int]]:
    """A body's hops, each with the calls it counts as: a call of many candidates only
    toward the goal (to those ``places`` numbers in ``near``'s order, nearest the goal
    first; none without ``near``), an untyped method call to the definitions of that name
    ``near`` holds (``facts``: the body's, asked of a bare name called)."""
    for callee in callees:
        if callee.site.kind == "decorator" or not callee.followed:
            continue
        if callee.status == EXTERNAL:
            yield Hop(body, callee, None), 1
        if len(callee.targets) <= shared.WIDE:
            yield from ((Hop(body, callee, target), 1) for target in callee.targets)
        else:  # toward the goal only, those found nearer it first (``places``: their order in near)
            toward = [t for t in callee.targets if key(t) in goal_keys or key(t) in places]
            toward.sort(key=lambda t: places.get(key(t), -1))
            yield from ((Hop(body, callee, target), WIDE_HOP) for target in toward)
        if near is not None and callee.status == UNRESOLVED and callee.site.kind == "call":
            yield from ((hop, POSSIBLE_HOP) for hop in _possible(body, callee, named, facts()))


def _possible(body: Body, callee: Callee, named: Named, facts: CallFacts) -> Iterator[Hop]:
    """``x.m(...)`` on a value codewalk cannot type: the definitions named ``m`` that may
    lead to the goal (each said to be a possible target by :func:`_said`); ``x(...)`` of
    a parameter or of a loop's variable (``for processor in self: processor(...)``): a
    ``forward`` or ``__call__``."""
    expr = callee.site.name.expr
    bare = "." not in expr and not (callee.site.name.root == PARAM or _looped(body, callee, facts))
    if not expr or "[" in expr or "(" in expr or bare:
        return
    if "." not in expr and annotation_text(body.target.signature, expr):
        return  # sampler_fn: Callable[...], operation: str: what the annotation says, not a module
    # x.m(...): a method m; model(...) of a parameter: an nn.Module's forward, a __call__
    names = (expr.rpartition(".")[2],) if "." in expr else ("forward", "__call__")
    for _, target in sorted(found for n in names for found in named.get(n, ())):
        yield Hop(body, callee, target)  # said to be a guess (_said) once the search gets to it


def _looped(body: Body, callee: Callee, facts: CallFacts) -> bool:
    """A local whose every value is a loop's element (of a container codewalk cannot type)."""
    if callee.site.name.root != LOCAL:
        return False
    values = facts.bound(callee.site.name.expr, body.scope, callee.site.line)
    return bool(values) and all(o.kind == "loop" for o in values)


def _said(hop: Hop) -> Hop:
    """A hop of :func:`_possible` (to a definition of an unresolved call) saying it is a
    possible target; any other hop as it is. Said only for the hops the search gets to:
    an untyped ``sampler_fn(...)`` may be any of thousands of ``forward``."""
    if hop.target is None or hop.callee.status != UNRESOLVED:
        return hop
    expr, target = hop.callee.site.name.expr, hop.target.qualname
    how = f"{expr}(…) on a value codewalk cannot type: possibly {target}, which leads on"
    return Hop(hop.caller, hop.callee._replace(how=how), hop.target._replace(via=how))


class _Frontier:
    """The hops still to follow, by cost (a call 1, a guess more), and how each body was
    reached: its least cost, its depth in calls then, and the hops to it (its parents) at
    that cost or up to ``SLACK`` calls more, each with its own cost. A body is searched
    once, at its least cost.

    The body a hop runs is made (told what the call passes on) only when the hops of its
    cost come up, all of them together: the search mostly stops well before it reaches
    the dearest hops, whose bodies are never needed. A hop may come up later than its
    cost (:func:`_searched_at`); the body it reaches keeps its cost."""

    def __init__(self, start: Body, child: Callable[[Hop], Body | None]) -> None:
        self.child = child
        self.parents: dict[Node, list[tuple[Hop, Cost]]] = {}  # each hop with its own cost
        self.cost_of: dict[Node, Cost] = {node(start): (0, 0)}
        self.depth_of: dict[Node, int] = {node(start): 0}
        # by when they come up, with the depth reached, the hop's own cost and the cost reached
        self.hops: dict[Cost, list[tuple[Hop, int, Cost, Cost]]] = {}
        self.bodies: deque[Body] = deque([start])  # those of the least cost, in the order reached
        self.order = (0, 0)

    def next_cost(self, below: int | None) -> tuple[int, int] | None:
        """The cost of the next body to search, if it is fewer calls than ``below``
        (None: no such body is left)."""
        while not self.bodies and self.hops:
            cost = min(self.hops)
            if below is not None and cost[0] >= below:
                return None
            self._reach(cost)
        if not self.bodies or (below is not None and self.order[0] >= below):
            return None
        return self.order

    def pop(self) -> Body:
        return self.bodies.popleft()

    def offer(self, hop: Hop, cost: Cost, depth: int, step: Cost, at: Cost) -> None:
        """``hop`` (of cost ``step``) reaches a body at ``cost``, ``depth`` calls from the
        start, to be searched when the bodies of cost ``at`` are."""
        self.hops.setdefault(at, []).append((hop, depth, step, cost))

    def put_off(self, below: int, max_depth: int) -> bool:
        """Whether a body of fewer calls than ``below`` and within ``max_depth`` calls of
        the start is left unsearched, its hop having come up later than its cost."""
        late = [
            cost[0]
            for at, offered in self.hops.items()
            for _, depth, _, cost in offered
            if cost != at and depth < max_depth
        ]
        reached = map(node, self.bodies)  # at the cost now searched, or put off to it
        late += [
            self.cost_of[n][0]
            for n in reached
            if self.cost_of[n] != self.order and self.depth_of[n] < max_depth
        ]
        return any(cost < below for cost in late)

    def _reach(self, at: Cost) -> None:
        """The bodies the hops that come up at ``at`` reach, in order: each one new is
        searched next, at the cost its hop reached it, and a hop to one already reached at
        that cost, or at up to ``SLACK`` calls less, is one more parent."""
        self.order = at
        for offered, depth, step, cost in self.hops.pop(at):
            hop = _said(offered)
            child = self.child(hop)
            if child is None:
                continue
            there = node(child)  # a class's node is its __init__
            known = self.cost_of.get(there)
            if known is None:
                self.cost_of[there] = cost
                self.depth_of[there] = depth
                self.parents[there] = [(hop, step)]
                self.bodies.append(child)
            elif there in self.parents and cost[0] <= known[0] + SLACK:  # a dearer way (not to the start)
                self.parents[there].append((hop, step))


def _search(
    cr: CallResolver,
    start: Body,
    goals: Sequence[Resolved],
    goal_name: str,
    max_depth: int,
    limit: int,
    max_bodies: int,
    within: set[str],
    near: Near | None,
    known_before: _Known,
) -> PathSearch:
    """Bodies in the order of their cost from ``start`` (a call 1, a guess more; of two as
    costly, the one through fewer guesses first), within ``max_depth`` calls, until no
    body is left cheaper than the cheapest chain found plus ``SLACK``; the chains of the
    least cost first, then those up to ``SLACK`` calls dearer (:func:`_chains`).

    Searching toward the goal (``near``), it stops once it has ``limit`` routes (chains
    that differ only by the candidate they take of a call of many candidates, or by the
    lines of their calls, are one route), cheapest first; when a cheaper one may be left
    unsearched, the search says it is not complete."""
    goal_keys = {key(g) for g in goals}
    named = _functions_by_name(near) if near is not None else {}
    places = {k: place for place, k in enumerate(near or ())}  # nearest the goal first
    bodies = known_before.bodies
    frontier = _Frontier(start, lambda hop: _child(cr, hop, known_before))
    ends: list[tuple[Cost, Hop, Cost]] = []  # each with its cost from the start, and its own
    analysed = 0
    passed_over = 0
    complete = True
    enough = False
    while not enough:
        best = min((end[0][0] for end in ends), default=None)
        if frontier.next_cost(below=None if best is None else best + SLACK) is None:
            break  # none left, or none cheaper than a chain found
        body = frontier.pop()
        here = node(body)
        order = frontier.cost_of[here]
        level = frontier.depth_of[here]
        if level >= max_depth:
            continue
        if analysed >= max_bodies:
            complete = False
            break
        analysed += 1
        if here not in known_before.callees:
            known_before.callees[here] = cr.callees(body)
            if known_before.progress is not None:
                known_before.progress(len(known_before.callees))
        if near is None:
            callees = known_before.callees[here]
            passed_over += sum(1 for c in callees if c.followed and len(c.targets) > shared.WIDE)
        facts = partial(cr.facts, body)
        fanned: dict[tuple[int, int], int] = {}  # the candidates of each call of many offered so far
        for hop, calls in _hops(body, known_before.callees[here], goal_keys, near, named, facts, places):
            step = (calls, int(calls > 1 or hop.callee.site.kind == "ref"))  # passed as a value: may not run
            cost = (order[0] + calls, order[1] + step[1])
            constructs = _constructs_goal(cr, hop, goal_keys, bodies)
            if _is_goal(hop, goal_keys, goal_name) or constructs is not None:
                ends.append((cost, constructs or _said(hop), step))
                enough, complete = _enough(ends, frontier.parents, limit, order, near is not None, complete)
                continue
            if not _searched(cr, hop.target, within):
                continue
            if best is not None and cost[0] >= best + SLACK:
                continue
            # a wrapper and what it wraps count as one call against max_depth
            deeper = level + (0 if wraps_call(known_before.callees[here], hop) else 1)
            frontier.offer(hop, cost, deeper, step, _searched_at(hop, cost, fanned))
    best = min((end[0][0] for end in ends), default=None)
    if best is not None and frontier.put_off(best + SLACK, max_depth):  # a candidate as cheap not searched
        complete = False
    chains = [chain for _, chain in _chains(ends, frontier.parents, limit)]
    return PathSearch(tuple(chains), analysed, complete, passed_over=passed_over)


def _searched(cr: CallResolver, target: Resolved | None, within: set[str]) -> bool:
    """Whether a chain goes on through ``target``: a definition of a pin searched, or a
    function of another that a function there set on a class of a searched pin, reached
    through that class (``@strict``'s ``__init__`` on a transformers config, and the
    ``__init__`` it wraps): it runs as that class's own, so the chain goes on through it
    to what it calls on ``self``."""
    if target is None or target.repo in within:
        return target is not None
    if not target.receiver or ".<locals>." not in target.qualname:
        return False
    cls = cr.class_named(target.receiver)
    return cls is not None and cls.repo in within


def _searched_at(hop: Hop, cost: Cost, fanned: dict[tuple[int, int], int]) -> Cost:
    """When the body a hop reaches is searched: at its cost, but for the candidates of a
    call of many (or the definitions a guess by name may reach): the first ``WIDE`` as a
    call of fewer would be, then one call later each time their number doubles (the next
    ``WIDE`` a call later, the ``2 * WIDE`` after them two...): a call of thousands of
    candidates does not take the search's bound from the narrow calls beside it, and the
    candidates nearest the goal come first (:func:`_hops`). The chain's cost is its
    calls' (:func:`_chains`)."""
    if not hop.guessed:
        return cost
    site = (hop.callee.site.line, hop.callee.site.col)
    rank = fanned.get(site, 0)
    fanned[site] = rank + 1
    return (cost[0] + (rank // shared.WIDE).bit_length(), cost[1])


def _enough(
    ends: list[tuple[Cost, Hop, Cost]],
    parents: dict[Node, list[tuple[Hop, Cost]]],
    limit: int,
    order: Cost,
    widened: bool,
    complete: bool,
) -> tuple[bool, bool]:
    """Whether the routes found are enough to stop, and whether the search is still
    complete: enough routes that nothing searched later can be shorter; or, searching
    through calls of many candidates (``widened``), ``limit`` routes, a shorter one
    perhaps unsearched. Chains that differ only by the lines of their calls are one route
    and count once (:func:`route`)."""
    routes = _routes(ends, parents, limit)
    found = _listed(routes, limit, branched=False)  # the search stops as it would without branches
    if len([cost for cost, _ in found if cost[0] <= order[0] + 1]) >= limit:
        return True, complete
    # through calls of many candidates, ``limit`` chains through other functions are enough
    # (other candidates of one call, one route): a search for as many routes would read every
    # candidate of such a call, to its bound, for routes that may not exist
    if widened and len(_through(routes, found)) >= limit:
        return True, False
    return False, complete


def _child(cr: CallResolver, hop: Hop, known: _Known) -> Body | None:
    """:func:`reached`, once a hop (a second pass asks the same hops again)."""
    site = hop.callee.site
    assert hop.target is not None
    passed = (
        node(hop.caller),
        site.line,
        site.col,
        (*key(hop.target), self_of(hop.target)),
    )
    if passed not in known.passed:
        child = reached(cr, hop, known.bodies)
        if child is None:
            return None
        known.passed[passed] = child
    return known.passed[passed]


def _is_goal(hop: Hop, goal_keys: set[tuple[str, str, int]], goal_name: str) -> bool:
    if hop.target is not None:
        return key(hop.target) in goal_keys
    return bool(goal_name) and (
        hop.callee.external == goal_name or hop.callee.external.endswith("." + goal_name)
    )


def _constructs_goal(
    cr: CallResolver,
    hop: Hop,
    goal_keys: set[tuple[str, str, int]],
    bodies: dict[Node, Body | None],
) -> Hop | None:
    """``X(...)`` where the goal is what constructing ``X`` runs (``X.__init__``): the hop,
    ending at that ``__init__`` as the chains through ``super().__init__`` do."""
    if hop.target is None or hop.target.kind != "class":
        return None
    made = kept_body(cr, hop.target, bodies)
    if made is None or key(made.target) not in goal_keys:
        return None
    name = hop.target.qualname.rpartition(".")[2]
    runs = made.target.qualname.rpartition(".")[2]
    how = f"constructing {a(name)} runs its {runs}"
    if runs == "__post_init__":
        how += ", which the __init__ @dataclass made calls"
    return hop._replace(target=made.target._replace(via=how))


Routes = dict[tuple[tuple[str | int, ...], ...], list[tuple[Cost, "Doubt", tuple[Hop, ...]]]]


def _chains(
    ends: list[tuple[Cost, Hop, Cost]],
    parents: dict[Node, list[tuple[Hop, Cost]]],
    limit: int,
) -> list[tuple[Cost, tuple[Hop, ...]]]:
    """Up to ``limit`` routes back from ``ends`` (:func:`_routes`), cheapest first, each
    as its cheapest chain with its cost, the other lines of each of its calls said
    (``Hop.also``): the cheapest, then those up to ``SLACK`` calls dearer; of chains as
    costly, the least guessed first (:func:`doubt`), then the one through fewer calls in
    branches (:func:`branched_calls`)."""
    return _listed(_routes(ends, parents, limit), limit)


def _routes(
    ends: list[tuple[Cost, Hop, Cost]],
    parents: dict[Node, list[tuple[Hop, Cost]]],
    limit: int,
) -> Routes:
    """The chains back from ``ends`` by :func:`route`, in the order found, each with its
    cost and doubt. A chain goes through a function once: one that comes back to a
    function it went through (``generate`` calling ``generate``) is a loop, not a route."""
    routes: Routes = {}
    budget = [CHAIN_STEPS]

    def back(hop: Hop, cost: Cost, tail: tuple[Hop, ...], through: frozenset[Place]) -> None:
        budget[0] -= 1
        if len(routes) >= limit * CHAINS_READ or budget[0] < 0:
            return
        chain = (hop, *tail)
        here = node(hop.caller)
        if here not in parents:
            routes.setdefault(route(chain), []).append((cost, doubt(chain), chain))
            return
        for parent, step in parents[here]:
            there = _place(parent.caller)
            if there not in through:
                back(parent, (cost[0] + step[0], cost[1] + step[1]), chain, through | {there})

    for _, end, step in sorted(ends, key=lambda end: end[0]):
        back(end, step, (), frozenset({_place(end.caller)}))
    return routes


def _listed(routes: Routes, limit: int, *, branched: bool = True) -> list[tuple[Cost, tuple[Hop, ...]]]:
    """The routes to list, as :func:`_chains` says (``branched``: of routes as costly and
    as guessed, the one through fewer calls in branches first; else in the order found)."""
    out: list[tuple[Cost, Doubt, int, int, tuple[Hop, ...]]] = []
    for found, variants in enumerate(routes.values()):
        cost, guessed, chain = min(variants, key=lambda variant: variant[:2])  # the first of the cheapest
        chains = [v[2] for v in variants]
        rank = branched_calls(chain, chains) if branched else 0
        out.append((cost, guessed, rank, found, _with_lines(chain, chains)))
    out.sort(key=lambda listed: listed[:4])
    cheapest = out[0][0][0] if out else 0
    return [(cost, chain) for cost, _, _, _, chain in out[:limit] if cost[0] <= cheapest + SLACK]


def _through(
    routes: Routes, listed: list[tuple[Cost, tuple[Hop, ...]]]
) -> set[tuple[tuple[Place, str], ...]]:
    """The functions each chain of the ``listed`` routes goes through: several for a route
    through a call of many candidates (one per candidate taken), one for a route whatever
    the lines of its calls."""
    markers = {route(chain) for _, chain in listed}
    return {
        tuple((_place(hop.caller), hop.reached) for hop in chain)
        for marker in markers
        for _, _, chain in routes[marker]
    }


Place = tuple[str, str, int]  # a definition: its repository, file and line


def _place(body: Body) -> Place:
    return body.key[:3]


def _with_lines(chain: tuple[Hop, ...], variants: list[tuple[Hop, ...]]) -> tuple[Hop, ...]:
    """``chain`` with the other lines of each call: those at which a chain of the same
    route (``variants``) calls the same definition from the same function."""
    out: list[Hop] = []
    for at, hop in enumerate(chain):
        same = (_place(hop.caller), hop.reached)
        lines = {v[at].callee.site.line for v in variants if (_place(v[at].caller), v[at].reached) == same}
        out.append(hop._replace(also=tuple(sorted(lines - {hop.callee.site.line}))))
    return tuple(out)


Doubt = tuple[int, int]  # hops to a definition of a name (possibly), then through one of many candidates


def doubt(chain: tuple[Hop, ...]) -> Doubt:
    """How a chain guesses, to order chains as costly: first by its hops to a definition
    an untyped ``x.m(...)`` may reach by its name alone, then by its hops through one of a
    call's many candidates (an override of a method the code names on a class it types).
    Either is one guess in a chain's cost; the second is the narrower."""
    possible = sum(1 for hop in chain if hop.target is not None and hop.callee.status == UNRESOLVED)
    return possible, sum(1 for hop in chain if hop.guessed) - possible


def route(chain: tuple[Hop, ...]) -> tuple[tuple[str | int, ...], ...]:
    """A chain as the functions it goes through, so that chains differing only by the
    lines a function calls the next at are one route, shown once (with each of those
    lines). From a call of many candidates on (or a guess among the definitions of a
    name), whichever candidate it takes: that call and those after it by what they are
    written as (``self.loss_function``), so that chains differing only by the candidate
    are one route."""
    out: list[tuple[str | int, ...]] = []
    fanned = False
    for hop in chain:
        site = hop.callee.site
        caller = hop.caller.target
        fans = hop.guessed
        if fanned:
            out.append((site.name.expr, site.kind))
        elif fans or hop.target is None:
            out.append((caller.path, caller.line, site.name.expr or hop.callee.external, site.kind))
        else:
            out.append((caller.path, caller.line, *key(hop.target)))
        fanned = fanned or fans
    return tuple(out)


def branched_calls(chain: tuple[Hop, ...], variants: Sequence[tuple[Hop, ...]] = ()) -> int:
    """How many of a chain's calls are in a branch of their function (under an ``if``, in
    an ``except``, a loop: :mod:`codewalk.calls.branches`) at
    every line the route makes them (``variants``: the route's chains)."""
    count = 0
    for at, hop in enumerate(chain):
        same = (_place(hop.caller), hop.reached)
        sites = [v[at].callee.site for v in variants if (_place(v[at].caller), v[at].reached) == same]
        count += all(site.branch for site in [hop.callee.site, *sites])
    return count
