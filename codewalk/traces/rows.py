"""A trace's call tree read as rows, as the plain tree and the trace's tour show it: the
calls of one function folded into one row (what an import ran, a wrapper's call read as
the function it wraps, a caller's calls of one function from lines one after another),
with each row's counts, time and lines.

Pure: a :class:`~codewalk.traces.model.Trace` and its :class:`~codewalk.traces.tree.Tree`
in, rows out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from codewalk.traces.model import Trace
from codewalk.traces.tree import Shown, Tree, on_import


class Row(NamedTuple):
    """A line of the tree as it is read (the plain tree, a step of the trace's tour): the
    calls of one function folded into it, ``shown`` the first to run."""

    shown: Shown
    depth: int
    hidden: int  # how many calls it folds (a module's code, an import), else 0
    on_import: bool  # an import the program made, folded into this line
    # the function's other calls folded into this line, in the order they first ran: its
    # caller's (or its caller's row's) calls of it from other lines, or from the same line
    # under another of the calls its caller's row folds
    also: tuple[Shown, ...] = ()
    under: int = -1  # the function of the row it is under (-1: the program's call)

    @property
    def members(self) -> tuple[Shown, ...]:
        return (self.shown, *self.also)


def made_by(trace: Trace, row: Row) -> int:
    """The function whose code made the row's call when it is not the one of the row it
    is under (-1 otherwise): a wrapper read through to the function it wraps, whose
    calls are under that function, at the wrapper's lines."""
    parent = trace.nodes[row.shown.call].parent
    if parent <= 0 or row.under < 0:
        return -1
    function = trace.nodes[parent].function
    return function if function != row.under else -1


def row_calls(trace: Trace, row: Row) -> int:
    return sum(trace.nodes[shown.node].calls for shown in row.members)


def row_raised(trace: Trace, row: Row) -> int:
    """How many of the row's calls ended by an exception."""
    return sum(trace.nodes[shown.node].raised for shown in row.members)


def shown_seconds(trace: Trace, shown: Shown) -> float:
    """The inclusive time of ``shown``'s calls, with the wrappers' whose other calls are
    read as its own; for a wrapper read beside the functions it wraps, what it did
    besides them (their time is in their rows)."""
    nodes = trace.nodes
    seconds = nodes[shown.timed if shown.timed >= 0 else shown.node].seconds
    if not shown.besides:
        return seconds
    return max(0.0, seconds - sum(nodes[wrapped].seconds for wrapped in shown.besides))


def row_seconds(trace: Trace, row: Row) -> float:
    """The inclusive time of the row's calls: none of them runs inside another (each is
    a call of its caller's row), so their times add."""
    return sum(shown_seconds(trace, shown) for shown in row.members)


def besides(row: Row) -> bool:
    """Whether the row is a wrapper's read beside the functions it wraps (its time is
    what it did besides them)."""
    return any(shown.besides for shown in row.members)


class AtLine(NamedTuple):
    calls: int
    seconds: float


def call_lines(trace: Trace, row: Row) -> dict[int, AtLine]:
    """``call-site line -> its calls and their time`` of the row's calls, by line."""
    out: dict[int, AtLine] = {}
    for shown in row.members:
        calls, seconds = out.get(trace.nodes[shown.call].line, AtLine(0, 0.0))
        took = shown_seconds(trace, shown)
        out[trace.nodes[shown.call].line] = AtLine(calls + trace.nodes[shown.node].calls, seconds + took)
    return dict(sorted(out.items()))


def folded(trace: Trace, tree: Tree) -> list[Row]:
    """The rows of the tree depth first: what an import ran folded into one row (a
    module's own code wherever it ran; at the top, all an import of the program ran), a
    wrapper's call read as the function it wraps, and a caller's calls of one function
    from lines one after another folded into one row (:func:`_fold`)."""
    passed: dict[int, tuple[int, ...]] = {}
    for node, other in trace.passed:
        passed[node] = (*passed.get(node, ()), other)
    rows: list[Row] = []
    roots = [shown for child in tree.children[0] for shown in tree.shown(child)]
    stack = [(group, 0, -1) for group in reversed(_fold(trace, roots, passed, apart=True))]
    while stack:
        group, depth, under = stack.pop()
        first = group[0]
        imported = depth == 0 and on_import(trace, first.call)
        function = trace.nodes[first.node].function
        if imported or trace.functions[function].name == "<module>":
            hidden = sum(tree.size(shown.call) - len(shown.through) for shown in group)
            rows.append(Row(first, depth, hidden, imported, group[1:], under))
            continue
        rows.append(Row(first, depth, 0, False, group[1:], under))
        # the calls of all the row's calls, in the order they first ran (a node's number)
        called = sorted((child for shown in group for child in tree.shown_children(shown)), key=_first_ran)
        stack.extend((child, depth + 1, function) for child in reversed(_fold(trace, called, passed)))
    return rows


def _first_ran(shown: Shown) -> int:
    return shown.call  # nodes are numbered as they first ran


# what a row says of a call besides its lines, counts and time: its function, the first
# frame of other code it came through, the wrappers of other code it went through (a root's)
# and those of the pinned packages (their functions)
ReadAs = tuple[int, int, tuple[int, ...], tuple[int, ...]]


def _fold(
    trace: Trace, called: Sequence[Shown], passed: dict[int, tuple[int, ...]], apart: bool = False
) -> list[tuple[Shown, ...]]:
    """The rows of ``called`` (what one row's calls called, in the order they first ran).

    Calls from one line, read alike, are one row: the recording already makes a loop's
    calls at one line one node, and the calls a row folds, each of which called from that
    line, merge the same way. Calls of one function from lines one after another fold into
    one row too, as a profiler's tree folds them (attributes set through ``__setattr__``
    line by line, a table built of constructor calls): its lines stay in its text, its
    counts and time are their sums. A call of anything else between them keeps them
    apart, so the rows keep the order the calls first ran (a layer's norm, attention, then
    its second norm: three rows).

    ``apart``: the program's calls (the roots), where the recording keeps the calls of
    each of its statements a node of their own, though they share their line (a helper
    of the program's, called after each of three ``generate``): each is its place, and
    its own row (three ``generate`` statements one after another are three rows, each
    with what it ran: a greedy, a beam and an assisted one are not merged)."""
    at_line: dict[tuple[int, ReadAs], list[Shown]] = {}
    for shown in called:
        place = shown.call if apart else trace.nodes[shown.call].line
        at_line.setdefault((place, _read_as(trace, shown, passed)), []).append(shown)
    rows: list[list[Shown]] = []
    last: ReadAs | None = None
    for (_, read_as), calls in at_line.items():
        if rows and read_as == last and not apart:
            rows[-1].extend(calls)
        else:
            rows.append(list(calls))
        last = read_as
    return [tuple(sorted(row, key=_first_ran)) for row in rows]


def _read_as(trace: Trace, shown: Shown, passed: dict[int, tuple[int, ...]]) -> ReadAs:
    nodes = trace.nodes
    through = tuple(nodes[wrapper].function for wrapper in shown.through)
    return (nodes[shown.node].function, nodes[shown.call].via, passed.get(shown.call, ()), through)


def first_call(rows: Sequence[Row]) -> int:
    """The row of the program's first call that is not an import (0 when all are)."""
    return next((number for number, row in enumerate(rows) if row.depth == 0 and not row.on_import), 0)
