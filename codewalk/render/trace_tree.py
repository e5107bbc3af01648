"""A trace's call tree as text (``tour --trace NAME --plain``): one line per function
called from one place, indented under its caller, with its calls and inclusive time."""

from __future__ import annotations

import os

from codewalk.traces.model import Node, Trace
from codewalk.traces.tree import Tree, folded
from codewalk.visible import visible


def seconds_text(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1_000_000:.0f} us"


def where_called(trace: Trace, node: Node) -> str:
    """``line 3007``; for a call from outside the pinned packages, where it came from."""
    if node.via < 0:
        return f"line {node.line}"
    other = trace.others[node.via]
    if node.parent == 0:
        return f"from {os.path.basename(other.filename)}:{node.line} {other.name}"
    return f"line {node.line}, through {other.name}"


def node_label(trace: Trace, index: int, hidden: int = 0) -> str:
    node = trace.nodes[index]
    function = trace.functions[node.function]
    inside = f", {hidden} calls inside folded" if hidden else ""
    took = seconds_text(node.seconds)
    return f"{function.short}  x{node.calls}  {took}  ({where_called(trace, node)}{inside})"


def header(trace: Trace) -> str:
    ended = (
        "" if trace.ended == "returned" and not trace.status else f", status {trace.status} ({trace.ended})"
    )
    return (
        f"trace {trace.name!r}: {trace.command}  [{trace.versions or 'no pinned package ran'}]\n"
        f"  Python {trace.python}, {trace.engine}, {seconds_text(trace.seconds)}{ended}"
    )


def render_tree(trace: Trace, tree: Tree) -> str:
    lines = [visible(header(trace)), ""]
    for index, depth, hidden in folded(trace, tree):
        lines.append(visible("  " * (depth + 1) + node_label(trace, index, hidden)))
    return "\n".join(lines) + "\n"
