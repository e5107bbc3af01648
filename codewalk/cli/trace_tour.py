"""``tour --trace NAME``: a recorded run read like a tour; the terminal UI on a terminal,
its call tree as text (``--plain``) or JSON (``--json``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codewalk.errors import TourError


def run(args: argparse.Namespace) -> int:
    from codewalk.traces.reading import open_trace

    if args.name:
        raise TourError("name a tour or --trace NAME, not both")
    if args.at or args.source:
        raise TourError("--trace reads each repository at the version that ran: leave out --at and --source")
    opened = open_trace(args.trace)
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
            return launch.run_trace(args, opened)
    from codewalk.render.trace_tree import render_tree

    sys.stdout.write(render_tree(opened.trace, opened.tree))
    return 0


def tree_json(trace: Any, tree: Any) -> dict[str, Any]:
    """The whole tree (nothing folded), nested: each node its function, calls, seconds,
    call-site line and children."""
    from codewalk.cli.traced import function_dict, via_text

    def node_dict(index: int) -> dict[str, Any]:
        node = trace.nodes[index]
        return {
            **function_dict(trace.functions[node.function]),
            "calls": node.calls,
            "seconds": node.seconds,
            "call_line": node.line,
            "via": via_text(trace, node.via) or None,
            "calls_made": [],
        }

    roots: list[dict[str, Any]] = []
    made: dict[int, dict[str, Any]] = {}
    for index, _depth in tree.walk():
        item = made[index] = node_dict(index)
        parent = trace.nodes[index].parent
        (roots if parent == 0 else made[parent]["calls_made"]).append(item)
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
        "tree": roots,
    }
