"""``tour --trace NAME``: a recorded run read like a tour; the terminal UI on a terminal,
its call tree as text (``--plain``) or JSON (``--json``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codewalk.errors import TourError


def run(args: argparse.Namespace) -> int:
    from codewalk.cli.traced import refuse_versions
    from codewalk.traces.reading import open_trace

    refuse_versions(args)
    from codewalk.traces.rows import folded

    opened = open_trace(args.trace)
    if not opened.trace.functions and not args.json:  # nothing to read: no blank screen
        from codewalk.cli.commands.trace import nothing_ran
        from codewalk.errors import TraceError

        raise TraceError(
            f"trace {args.trace!r} holds no call: {nothing_ran(opened.trace.executable, hint=False)}"
        )
    rows = folded(opened.trace, opened.tree)
    if args.step is not None and not 1 <= args.step <= len(rows):  # as a tour refuses it
        raise TourError(f"trace {opened.trace.name!r} has steps 1-{len(rows)}; there is no step {args.step}")
    if args.json and args.step is not None:  # the JSON is the whole tree, a node naming its parent
        raise TourError("--step K picks a step of the terminal UI or of --plain; --json gives the whole tree")
    if args.json:
        from codewalk.cli.common import dump

        dump(tree_json(opened.trace, opened.tree))
        return 0
    if not args.plain and sys.stdout.isatty() and sys.stdin.isatty():
        try:
            from codewalk.ui import launch
        except ModuleNotFoundError:
            pass  # no UI installed: print the tree
        else:
            return launch.run_trace(args, opened, rows)
    from codewalk.render.trace_tree import render_tree

    sys.stdout.write(render_tree(opened.trace, rows, args.step))
    return 0


def tree_json(trace: Any, tree: Any) -> dict[str, Any]:
    """The whole tree (nothing folded) as a flat list of nodes in the order they first
    ran, each naming its parent by its place in the list (however deep the tree)."""
    from codewalk.cli.traced import function_dict, other_text, via_text
    from codewalk.traces.rows import first_call, folded

    nodes = [
        {
            **function_dict(trace.functions[node.function]),
            "parent": node.parent - 1 if node.parent > 0 else None,
            "calls": node.calls,
            "raised": node.raised,  # of its calls, those that ended by an exception
            "seconds": node.seconds,
            "call_line": node.line,
            "via": via_text(trace, index) or None,
            "passed": [other_text(trace, other) for passed, other in trace.passed if passed == index],
            "wraps": [wrapped - 1 for wrapped in tree.wrapped.get(index, ())],
        }
        for index, node in enumerate(trace.nodes[1:], start=1)
    ]
    rows = folded(trace, tree)
    row = rows[first_call(rows)] if rows else None
    first = row.shown.call - 1 if row is not None and not row.on_import else None
    return {
        "trace": trace.name,
        "program": list(trace.program),
        "module": trace.module,
        "python": trace.python,
        "engine": trace.engine,
        "seconds": trace.seconds,
        "ended": trace.ended,
        "status": trace.status,
        "repos": [
            {"repo": r.repo, "version": r.version, "source": r.source, "root": r.root or None}
            for r in trace.repos
        ],
        "first_call": first,
        "nodes": nodes,
    }
