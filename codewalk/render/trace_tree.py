"""A trace's call tree as text (``tour --trace NAME --plain``): one line per function
called from one place, indented under its caller, with its calls and inclusive time.

What the program's imports ran comes first, as it ran, each import folded into one line;
a line before the tree says how many there are and where the program's own calls start."""

from __future__ import annotations

from codewalk.traces.model import Trace
from codewalk.traces.text import header, node_label
from codewalk.traces.tree import Tree, first_call, folded
from codewalk.visible import visible


def render_tree(trace: Trace, tree: Tree) -> str:
    rows = folded(trace, tree)
    lines = [visible(header(trace))]
    first = first_call(rows)
    if first:
        function = trace.functions[trace.nodes[rows[first].shown.node].function]
        lines.append(
            visible(
                f"  {first} import{'s' if first != 1 else ''} ran first, each folded into one line; "
                f"the program's own calls start at {function.short}"
            )
        )
    lines.append("")
    for row in rows:
        lines.append(visible("  " * (row.depth + 1) + node_label(trace, row.shown, row.hidden)))
    return "\n".join(lines) + "\n"
