"""A trace's calling-context tree, walked: its nodes in order and
the chains that ran from one function to another (:mod:`codewalk.traces.rows` reads it
as rows).

Pure: a :class:`~codewalk.traces.model.Trace` in, answers out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple, overload

from codewalk.resolve.model import Resolved
from codewalk.traces.model import Function, Trace


class Shown(NamedTuple):
    """A function that ran as a reader reads it: the call of ``node``'s function, through
    the decorators' wrappers it went through (``through``: their nodes, outermost first;
    each one's closure held the next, down to ``node``)."""

    node: int
    through: tuple[int, ...] = ()
    # a wrapper read as itself, beside the functions it wraps: their nodes, each read
    # apart; its time is what it did besides them (:func:`shown_seconds`)
    besides: tuple[int, ...] = ()
    # the node whose time is this one's (-1: ``node``'s): the outermost of the wrappers in
    # ``through`` whose other calls are read as this one's, so its time holds them too
    timed: int = -1

    @property
    def call(self) -> int:
        """The node whose call site is in the caller: the outermost wrapper's, else its own."""
        return self.through[0] if self.through else self.node


class Tree:
    """The children of every node, in the order they first ran, and which nodes are a
    wrapper's call of the function it wraps."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.children: list[list[int]] = [[] for _ in trace.nodes]
        pairs = set(trace.wrappers)
        # a wrapper's node -> the nodes of the functions it wraps: several where one
        # decorator's wrapper, called from one line, ran several functions (a loop over
        # decorated functions), each call of it one of theirs
        self.wrapped: dict[int, list[int]] = {}
        for index, node in enumerate(trace.nodes[1:], start=1):
            self.children[node.parent].append(index)
            wrapper = node.parent
            if wrapper > 0 and (trace.nodes[wrapper].function, node.function) in pairs:
                self.wrapped.setdefault(wrapper, []).append(index)
        self.leads = self._leads()

    def _leads(self) -> dict[int, int]:
        """A wrapper's node -> how many functions its calls went on to, through the
        wrappers below it: 1 when every call of it was a call of one function."""
        leads: dict[int, int] = {}
        for wrapper in sorted(self.wrapped, reverse=True):  # a wrapped node comes after its wrapper
            leads[wrapper] = sum(leads.get(wrapped, 1) for wrapped in self.wrapped[wrapper])
        return leads

    def walk(self, start: int = 0) -> Iterator[tuple[int, int]]:
        """``(node, depth)`` depth first from ``start`` (not included), depth 0 its children."""
        stack = [(child, 0) for child in reversed(self.children[start])]
        while stack:
            node, depth = stack.pop()
            yield node, depth
            stack.extend((child, depth + 1) for child in reversed(self.children[node]))

    def size(self, node: int) -> int:
        """How many nodes are under ``node``."""
        return sum(1 for _ in self.walk(node))

    def ancestors(self, node: int) -> list[int]:
        """The nodes from the root's child down to ``node`` (included)."""
        out: list[int] = []
        nodes = self.trace.nodes
        while node > 0:
            out.append(node)
            node = nodes[node].parent
        out.reverse()
        return out

    # -- as a reader reads it: a wrapper's call is the function it wraps -------------------
    def shown(self, node: int, through: tuple[int, ...] = ()) -> list[Shown]:
        """``node`` read through the wrappers it is, down to each function they wrap. A
        wrapper whose calls ran several functions is no one of them: it is read as itself
        too (before them), for what it called besides them, when it called anything."""
        if node not in self.wrapped:
            return [Shown(node, through, timed=self._outermost(through, 1))]
        wrapped = self.wrapped[node]
        own = (
            []
            if len(wrapped) == 1 or not self._shared_calls(Shown(node, through))
            else [Shown(node, through, tuple(wrapped), self._outermost(through, self.leads[node]))]
        )
        return own + [shown for inner in wrapped for shown in self.shown(inner, (*through, node))]

    def _outermost(self, through: tuple[int, ...], leads: int) -> int:
        """The outermost wrapper of ``through`` whose calls went on to ``leads`` functions
        (-1: none): those read with the function (or the wrapper) they lead to, which
        lead to no more functions than it (:meth:`shown_children`)."""
        return next((wrapper for wrapper in through if self.leads[wrapper] == leads), -1)

    def shown_children(self, shown: Shown) -> list[Shown]:
        """What the function ``shown`` called, with what its wrappers called besides it,
        in the order they first ran (a wrapper whose calls ran several functions: what it
        and the wrappers around it called besides them)."""
        if shown.node in self.wrapped:
            found = self._shared_calls(shown)
        else:  # a wrapper's other calls are this function's where every call of it was one
            single = (wrapper for wrapper in shown.through if self.leads[wrapper] == 1)
            found = [
                *self.children[shown.node],
                *(child for wrapper in single for child in self._others(wrapper)),
            ]
        return [each for child in sorted(found) for each in self.shown(child)]

    def _shared_calls(self, shown: Shown) -> list[int]:
        """What the wrapper ``shown.node`` and the wrappers around it called besides the
        functions they wrap: the wrappers around lead to no more functions than it does."""
        leads = self.leads[shown.node]
        around = [wrapper for wrapper in shown.through if self.leads[wrapper] == leads]
        return [child for wrapper in (*around, shown.node) for child in self._others(wrapper)]

    def _others(self, wrapper: int) -> list[int]:
        return [child for child in self.children[wrapper] if child not in self.wrapped[wrapper]]

    def shown_chain(self, nodes: Sequence[int]) -> list[Shown]:
        """A chain of nodes, each called by the one before, read with each wrapper that
        called the next one folded into it."""
        out: list[Shown] = []
        through: list[int] = []
        for here, following in zip(nodes, [*nodes[1:], None], strict=True):
            if following is not None and following in self.wrapped.get(here, ()):
                through.append(here)
                continue
            out.append(Shown(here, tuple(through)))
            through = []
        return out


def is_definition(function: Function, target: Resolved) -> bool:
    """Whether ``function`` (a placed trace's) is the code of the definition ``target``
    (a module's code starts at line 1, as a function defined on its first line does)."""
    return (
        function.repo == target.repo
        and function.path == target.path
        and function.line in (target.start_line, target.line)
        and (function.name == "<module>") == (target.kind == "module")
    )


def functions_of(trace: Trace, targets: Sequence[Resolved]) -> set[int]:
    return {i for i, f in enumerate(trace.functions) if any(is_definition(f, t) for t in targets)}


class Chain(NamedTuple):
    """Nodes from a call of the start to a call of the goal, each called by the one before,
    and per node the calls made at its place over the whole run: a chain that ran from
    several calls of the start (a layer's forward at each step of a generation) is one
    chain, its nodes those of the first, its counts those of all."""

    nodes: tuple[int, ...]
    calls: tuple[int, ...]

    def ran(self, node: int) -> int:
        """The calls over the run at the place of ``node``, one of the chain's."""
        return self.calls[self.nodes.index(node)]


def chains(trace: Trace, tree: Tree, starts: set[int], goals: set[int]) -> Chains:
    """Every distinct chain that ran from a function in ``starts`` to one in ``goals``
    (by the functions and call-site lines it passes from the start on, shortest first,
    then most called over the run),
    each from the outermost call of a start: a start called again below it (an assistant
    model's ``generate`` inside the reader's) is a part of that chain, not one of its own.

    Found in one pass down the tree, each chain named by a number for its functions and
    lines (a trie: a chain one longer than another is its number and one more hop), and
    made of nodes only when read: a run recursing N deep holds N chains N long, and
    writing each out took N² time and memory (gigabytes) to print the first few."""
    nodes = trace.nodes
    outermost = [-1] * len(nodes)  # each node's outermost start at or above it (-1: none)
    place = [-1] * len(nodes)  # under a start: the number of the chain from it down to here
    length = [0] * len(nodes)  # under a start: how many nodes that chain has
    named: dict[tuple[int, int, int], int] = {}  # (chain above, function, line) -> its number
    found: dict[int, list[int]] = {}  # a chain's number -> the goal nodes it ends at
    for index in range(1, len(nodes)):
        node = nodes[index]
        above = outermost[node.parent] if node.parent > 0 else -1
        if above < 0 and node.function not in starts:
            continue
        # where the start was called from is no part of the chain (nor shown)
        hop = (place[node.parent], node.function, node.line) if above >= 0 else (-1, node.function, 0)
        outermost[index], place[index] = (above if above >= 0 else index), named.setdefault(hop, len(named))
        length[index] = length[node.parent] + 1 if above >= 0 else 1
        if above >= 0 and node.function in goals:
            found.setdefault(place[index], []).append(index)
    ordered = sorted(found.values(), key=lambda ends: (length[ends[0]], -sum(nodes[n].calls for n in ends)))
    return Chains(trace, tree, outermost, ordered)


class Chains(Sequence[Chain]):
    """The chains :func:`chains` found, in order, each made of its nodes when read."""

    def __init__(self, trace: Trace, tree: Tree, outermost: list[int], ends: list[list[int]]) -> None:
        self.trace, self.tree, self.outermost = trace, tree, outermost
        self.ends = ends  # per chain, in order, the goal nodes it ends at (the first first)

    def __len__(self) -> int:
        return len(self.ends)

    @overload
    def __getitem__(self, index: int) -> Chain: ...

    @overload
    def __getitem__(self, index: slice) -> list[Chain]: ...

    def __getitem__(self, index: int | slice) -> Chain | list[Chain]:
        if isinstance(index, slice):
            return [self._chain(ends) for ends in self.ends[index]]
        return self._chain(self.ends[index])

    def _chain(self, ends: list[int]) -> Chain:
        """The chain ending at the goal nodes ``ends``: the nodes of the first, and at each
        place the calls of every node there (a set: chains to two goals may share one)."""
        here = self._from_start(ends[0])
        places: list[set[int]] = [set() for _ in here]
        for end in ends:
            for at, node in zip(places, self._from_start(end), strict=True):
                at.add(node)
        nodes = self.trace.nodes
        return Chain(tuple(here), tuple(sum(nodes[n].calls for n in at) for at in places))

    def _from_start(self, end: int) -> list[int]:
        path = self.tree.ancestors(end)
        return path[path.index(self.outermost[end]) :]


def calls_from(trace: Trace, tree: Tree, functions: set[int]) -> dict[tuple[int, int], int]:
    """``(call-site line, callee function) -> calls`` out of every call of ``functions``
    (a call through a decorator's wrapper is a call of the function it wraps; a call made
    by a comprehension or lambda of its body is its own: :func:`own_calls`). A call of
    ``functions`` is one of them, never read through (a wrapper around another wrapper
    of its code, as two ``@strict`` make: what the inner one called is its own call)."""
    out: dict[tuple[int, int], int] = {}
    nodes = trace.nodes
    for index, node in enumerate(nodes):
        if index and node.function in functions:
            for child in own_calls(trace, tree, index, functions):
                if nodes[child].function in functions:
                    key = (nodes[child].line, nodes[child].function)
                    out[key] = out.get(key, 0) + nodes[child].calls
                    continue
                for shown in tree.shown(child):
                    if shown.node not in tree.wrapped:  # a function's call, not a shared wrapper's
                        key = (trace.nodes[shown.call].line, trace.nodes[shown.node].function)
                        out[key] = out.get(key, 0) + trace.nodes[shown.node].calls
    return out


ANONYMOUS = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>", "<lambda>")
GENEXPR = "<genexpr>"


def owner_name(name: str) -> str:
    """The name of the definition code named ``name`` (inside its module) is part of:
    itself, or for a comprehension or lambda the code around it (``f.<locals>.<listcomp>``
    -> ``f``); "" for the module's own code."""
    parts = [] if name == "<module>" else name.split(".")
    while parts and parts[-1] in ANONYMOUS:
        parts.pop()
        if parts and parts[-1] == "<locals>":
            parts.pop()
    return ".".join(parts)


def part_of(function: Function, host: Function) -> bool:
    """Whether ``function`` is a comprehension, generator expression or lambda written in
    ``host``'s body (or in one of those, nested)."""
    return (
        function.name != host.name
        and owner_name(function.name) == host.name
        and (function.repo, function.path) == (host.repo, host.path)
        and function.line >= host.line
    )


def own_calls(trace: Trace, tree: Tree, index: int, functions: set[int]) -> Iterator[int]:
    """The calls that node ``index``'s code made, at the lines of its body. Python runs a
    comprehension, a generator expression and a lambda in frames of their own, yet their
    code is the body's, and ``calls`` lists their call sites as the function's: so

    - a comprehension of the body is run by the body itself (directly, or by a builtin
      such as ``tuple()`` or ``any()``, which a trace does not record): what it called is
      the function's, and the comprehension's own frame is no call of it;
    - a generator expression runs where it is consumed, which may be a function of the
      pins the body handed it to: what it called beneath this call of the function is
      the function's too (one consumed after the function returned is not: the function
      was no longer running);
    - a lambda is a function value: only when the body called it (directly, or through a
      builtin such as ``sorted(key=...)``) is what it called the function's, its frame
      read as the body's code, as a comprehension's is; a lambda another function calls
      is that function's call.

    A call of ``functions`` below (recursion) counts for itself, not for this one."""
    host = trace.functions[trace.nodes[index].function]
    nodes = trace.nodes
    pending = list(reversed(tree.children[index]))
    while pending:
        node = pending.pop()
        function = trace.functions[nodes[node].function]
        if not part_of(function, host):
            yield node
            if nodes[node].function not in functions:
                pending.extend(_generators_below(trace, tree, node, host, functions))
            continue
        pending.extend(reversed(tree.children[node]))


def _generators_below(trace: Trace, tree: Tree, node: int, host: Function, functions: set[int]) -> list[int]:
    """The generator expressions of ``host``'s body that ran beneath ``node`` (consumed by
    a function it called), not looking below a call of ``functions``."""
    found: list[int] = []
    pending = list(reversed(tree.children[node]))
    while pending:
        below = pending.pop()
        here = trace.functions[trace.nodes[below].function]
        if trace.nodes[below].function in functions:
            continue
        if here.name.rpartition(".")[2] == GENEXPR and part_of(here, host):
            found.append(below)
            continue
        pending.extend(reversed(tree.children[below]))
    return found


GETATTRIBUTE = "__getattribute__"


def looked_up(trace: Trace, tree: Tree, functions: set[int]) -> dict[tuple[int, int], int]:
    """``(call-site line, function) -> calls`` of the functions run beneath a
    ``__getattribute__`` recorded at a line of a call of ``functions`` (through the
    ``super().__getattribute__`` it may go on to): what an attribute read ran, a property's
    getter called from C code under the class's own attribute lookup."""
    out: dict[tuple[int, int], int] = {}
    for index, node in enumerate(trace.nodes):
        if not index or node.function not in functions:
            continue
        for child in own_calls(trace, tree, index, functions):
            line, lookups = trace.nodes[child].line, [child] if _is_lookup(trace, child) else []
            while lookups:
                for below in tree.children[lookups.pop()]:
                    if _is_lookup(trace, below):
                        lookups.append(below)
                    else:
                        key = (line, trace.nodes[below].function)
                        out[key] = out.get(key, 0) + trace.nodes[below].calls
    return out


def _is_lookup(trace: Trace, node: int) -> bool:
    return trace.functions[trace.nodes[node].function].name.rpartition(".")[2] == GETATTRIBUTE


_IMPORTLIB = ("<frozen importlib.", "importlib/_bootstrap.py", "importlib/_bootstrap_external.py")


def on_import(trace: Trace, node: int) -> bool:
    """Whether a root of the tree is what an import ran: a module's own code, a call from
    the import machinery (a lazy module's ``__getattr__`` asked by ``from x import y``), or
    a module's own ``__getattr__`` (PEP 562) asked by the program: ``from x import y`` asks
    it again for each name (huggingface_hub's, which keeps no name it gives), as ``x.y`` does;
    or any call the recorder saw made inside an import (``inspect`` asking a lazy module
    for its ``__file__`` while torch is imported)."""
    if node in trace.imported:
        return True
    here = trace.nodes[node]
    name = trace.functions[here.function].name
    if name == "<module>" or name == _GETATTR or name.endswith(f".<locals>.{_GETATTR}"):
        return True
    if here.via < 0:
        return False
    filename = trace.others[here.via].filename.replace("\\", "/")
    return filename.startswith(_IMPORTLIB[0]) or filename.endswith(_IMPORTLIB[1:])


_GETATTR = "__getattr__"  # a module's: the function, at its top level or made by another
