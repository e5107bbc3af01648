"""A trace's call tree as text (``tour --trace NAME --plain``): one line per function
called under a line, from one of its lines or several one after another
(``traces.rows.folded``), numbered by its
step (as ``--step K`` names it), indented under its caller, with its calls and inclusive
time.

What the program's imports ran comes first, as it ran, each import folded into one line;
a line before the tree says how many there are and at which step the program's own calls
start."""

from __future__ import annotations

from collections.abc import Sequence

from codewalk.tours.traced import imported_modules, started_processes
from codewalk.traces.model import Trace
from codewalk.traces.rows import Row, first_call
from codewalk.traces.text import called_from, each_line, header, lines_text, node_label
from codewalk.visible import visible


def render_tree(trace: Trace, rows: Sequence[Row], step: int | None = None) -> str:
    """The tree of ``rows`` (``traces.rows.folded``), each line numbered; with ``step``
    (1-based, in range), that step's line alone, as ``tour --plain --step K`` prints a
    tour's step alone."""
    width = len(str(len(rows)))
    apart = called_from(trace, rows)
    if step is not None:  # a row folding calls from several lines says each, as its note does
        row = rows[step - 1]
        each = f"\n{' ' * width}  calls by line: {each_line(trace, row)}" if lines_text(trace, row) else ""
        return _line(trace, row, step, width, apart[step - 1]) + visible(each) + "\n"
    lines = [visible(header(trace))]
    first = first_call(rows)
    if first:
        function = trace.functions[trace.nodes[rows[first].shown.node].function]
        # a step per call an import made, not per import statement (``from x import a, b``
        # may run two modules' code)
        steps = f"steps 1-{first} are" if first > 1 else "step 1 is"
        lines.append(
            visible(
                f"  {steps} what the program's imports ran, each folded into one line; "
                f"the program's own calls start at step {first + 1}, {function.short}"
            )
        )
    lines.append("")
    lines.extend(
        _line(trace, row, number, width, apart[number - 1]) for number, row in enumerate(rows, start=1)
    )
    return "\n".join(lines) + "\n"


# indentation stops at this depth and says the depth instead: a run recursing 100,000 calls
# deep (sys.setrecursionlimit) would otherwise print gigabytes of spaces
DEEPEST_INDENT = 40


def _line(trace: Trace, row: Row, number: int, width: int, apart: str) -> str:
    started = started_processes(trace, row)
    beside = f"  [{started}: not traced]" if started else ""
    imported = imported_modules(trace, row)
    beside += f"  [{imported}]" if imported else ""
    return visible(f"{number:>{width}}  " + _indent(row.depth) + node_label(trace, row, apart) + beside)


def _indent(depth: int) -> str:
    if depth <= DEEPEST_INDENT:
        return "  " * depth
    return "  " * DEEPEST_INDENT + f"[depth {depth}] "
