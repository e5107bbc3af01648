"""A trace's calling-context tree, walked: its nodes in order, each function's totals, and
the chains that ran from one function to another.

Pure: a :class:`~codewalk.traces.model.Trace` in, answers out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from codewalk.resolve.model import Resolved
from codewalk.traces.model import Function, Trace


class Tree:
    """The children of every node, in the order they first ran."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.children: list[list[int]] = [[] for _ in trace.nodes]
        for index, node in enumerate(trace.nodes[1:], start=1):
            self.children[node.parent].append(index)

    def walk(self, start: int = 0) -> Iterator[tuple[int, int]]:
        """``(node, depth)`` depth first from ``start`` (not included), depth 0 its children."""
        stack = [(child, 0) for child in reversed(self.children[start])]
        while stack:
            node, depth = stack.pop()
            yield node, depth
            stack.extend((child, depth + 1) for child in reversed(self.children[node]))

    def ancestors(self, node: int) -> list[int]:
        """The nodes from the root's child down to ``node`` (included)."""
        out: list[int] = []
        nodes = self.trace.nodes
        while node > 0:
            out.append(node)
            node = nodes[node].parent
        out.reverse()
        return out


class Totals(NamedTuple):
    calls: int
    seconds: float  # inclusive, a recursive function's inner calls not counted twice


def totals(trace: Trace, tree: Tree) -> list[Totals]:
    """Each function's calls and inclusive time over the whole tree."""
    calls = [0] * len(trace.functions)
    seconds = [0.0] * len(trace.functions)
    nodes = trace.nodes
    active: dict[int, int] = {}  # function -> how many of the current node's ancestors run it
    stack: list[tuple[int, bool]] = [(child, True) for child in reversed(tree.children[0])]
    while stack:
        index, entering = stack.pop()
        function = nodes[index].function
        if not entering:
            active[function] -= 1
            continue
        calls[function] += nodes[index].calls
        if not active.get(function):
            seconds[function] += nodes[index].seconds
        active[function] = active.get(function, 0) + 1
        stack.append((index, False))
        stack.extend((child, True) for child in reversed(tree.children[index]))
    return [Totals(c, s) for c, s in zip(calls, seconds, strict=True)]


def is_definition(function: Function, target: Resolved) -> bool:
    """Whether ``function`` (a placed trace's) is the code of the definition ``target``."""
    return (
        function.repo == target.repo
        and function.path == target.path
        and function.line in (target.start_line, target.line)
    )


def functions_of(trace: Trace, targets: Sequence[Resolved]) -> set[int]:
    return {i for i, f in enumerate(trace.functions) if any(is_definition(f, t) for t in targets)}


class Chain(NamedTuple):
    """Nodes from a call of the start to a call of the goal, each called by the one before."""

    nodes: tuple[int, ...]

    def key(self, trace: Trace) -> tuple[tuple[int, int], ...]:
        return tuple((trace.nodes[n].function, trace.nodes[n].line) for n in self.nodes)


def chains(trace: Trace, tree: Tree, starts: set[int], goals: set[int]) -> list[Chain]:
    """Every distinct chain that ran from a function in ``starts`` to one in ``goals``
    (by the functions and call-site lines it passes, shortest first, then most called)."""
    found: dict[tuple[tuple[int, int], ...], Chain] = {}
    calls: dict[tuple[tuple[int, int], ...], int] = {}
    nodes = trace.nodes
    for index, node in enumerate(nodes):
        if node.function not in goals or index == 0:
            continue
        path = tree.ancestors(index)
        for at, ancestor in enumerate(path[:-1]):
            if nodes[ancestor].function in starts:
                chain = Chain(tuple(path[at:]))
                key = chain.key(trace)
                found.setdefault(key, chain)
                calls[key] = calls.get(key, 0) + nodes[index].calls

    def order(key: tuple[tuple[int, int], ...]) -> tuple[int, int]:
        return (len(key), -calls[key])

    return [found[key] for key in sorted(found, key=order)]


def calls_from(trace: Trace, tree: Tree, functions: set[int]) -> dict[tuple[int, int], int]:
    """``(call-site line, callee function) -> calls`` out of every call of ``functions``."""
    out: dict[tuple[int, int], int] = {}
    for index, node in enumerate(trace.nodes):
        if index and node.function in functions:
            for child in tree.children[index]:
                callee = trace.nodes[child]
                key = (callee.line, callee.function)
                out[key] = out.get(key, 0) + callee.calls
    return out


def folded(trace: Trace, tree: Tree) -> Iterator[tuple[int, int, int]]:
    """``(node, depth, folded)`` depth first, what ran while a module was imported folded
    into the module's node (``folded``: how many nodes it hides)."""
    stack = [(child, 0) for child in reversed(tree.children[0])]
    while stack:
        node, depth = stack.pop()
        if trace.functions[trace.nodes[node].function].name == "<module>":
            yield node, depth, sum(1 for _ in tree.walk(node))
            continue
        yield node, depth, 0
        stack.extend((child, depth + 1) for child in reversed(tree.children[node]))
