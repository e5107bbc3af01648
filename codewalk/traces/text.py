"""A trace's parts in words: durations, where a call came from, a node's line, the
trace's heading. Shared by the plain tree (``render/trace_tree.py``) and a trace read
as a tour (``tours/traced.py``)."""

from __future__ import annotations

import os
from collections.abc import Callable

from codewalk.traces.model import Node, Trace, versions_of
from codewalk.traces.tree import Shown


def seconds_text(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1_000_000:.0f} us"


def where_called(trace: Trace, node: Node, name: Callable[[str], str] = str) -> str:
    """``line 3007``; for a call from outside the pinned packages, where it came from.
    ``name`` writes a name of code (a Markdown note puts it in a code span)."""
    if node.via < 0:
        return f"line {node.line}"
    other = trace.others[node.via]
    if node.parent == 0:
        return f"from {name(f'{os.path.basename(other.filename)}:{node.line}')} {name(other.name)}"
    return f"line {node.line}, through {name(other.name)}"


def where_shown(trace: Trace, shown: Shown, name: Callable[[str], str] = str) -> str:
    """Where the call of a function read through its wrappers came from, and each
    wrapper it went through: ``line 172, through can_return_tuple.<locals>.wrapper``
    (first those of code outside the pinned packages, for a call of the program)."""
    outside = (trace.others[other].name for node, other in trace.passed if node == shown.call)
    inside = (trace.functions[trace.nodes[node].function].short for node in shown.through)
    where = where_called(trace, trace.nodes[shown.call], name)
    return ", ".join([where, *(f"through {name(wrapper)}" for wrapper in [*outside, *inside])])


def node_label(trace: Trace, shown: Shown, hidden: int = 0) -> str:
    node = trace.nodes[shown.node]
    function = trace.functions[node.function]
    inside = f", {hidden} calls inside folded" if hidden else ""
    took = seconds_text(node.seconds)
    where = f"({where_shown(trace, shown)}{inside})"
    return f"{function.short}{_crossing(trace, shown)}  x{node.calls}  {took}  {where}"


def _crossing(trace: Trace, shown: Shown) -> str:
    """``  [transformers]`` where a call comes from another repository's code (or from the
    program): the row's line is in its caller's file, and this says the row's is another."""
    repo = trace.functions[trace.nodes[shown.node].function].repo
    parent = trace.nodes[shown.call].parent  # past the wrappers it was called through
    caller = trace.nodes[parent].function if parent > 0 else -1
    return "" if caller >= 0 and trace.functions[caller].repo == repo else f"  [{repo}]"


def header(trace: Trace) -> str:
    ended = (
        "" if trace.ended == "returned" and not trace.status else f", status {trace.status} ({trace.ended})"
    )
    return (
        f"trace {trace.name!r}: {trace.command}  [{versions_of(trace.repos) or 'no pinned package ran'}]\n"
        f"  Python {trace.python}, {trace.engine}, {seconds_text(trace.seconds)}{ended}"
    )
