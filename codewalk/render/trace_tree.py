"""A trace's call tree as text (``tour --trace NAME --plain``): one line per function
called from one place, indented under its caller, with its calls and inclusive time."""

from __future__ import annotations

from codewalk.traces.model import Trace
from codewalk.traces.text import header, node_label
from codewalk.traces.tree import Tree, folded
from codewalk.visible import visible


def render_tree(trace: Trace, tree: Tree) -> str:
    lines = [visible(header(trace)), ""]
    for index, depth, hidden in folded(trace, tree):
        lines.append(visible("  " * (depth + 1) + node_label(trace, index, hidden)))
    return "\n".join(lines) + "\n"
