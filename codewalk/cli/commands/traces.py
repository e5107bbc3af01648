"""``codewalk traces``: the traces kept (name, program, versions, when); ``--delete NAME``."""

from __future__ import annotations

import argparse
from typing import Any

from codewalk.cli.common import add_json
from codewalk.visible import visible


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "traces",
        help="list the recorded traces (or delete one)",
        description="The traces `codewalk trace` kept, most recent first: name, program, the "
        "versions it ran, when, how it ended.",
    )
    add_json(parser)
    parser.add_argument(
        "--delete", metavar="NAME", action="append", default=[], help="delete a trace (repeatable)"
    )


def run(args: argparse.Namespace) -> int:
    import time

    from codewalk.cli.common import dump
    from codewalk.traces import store

    if args.delete:
        store.delete(args.delete)
        for name in dict.fromkeys(args.delete):
            print(visible(f"deleted trace {name!r}"))
        return 0
    listed = store.listing()
    if args.json:
        dump({"traces": [_json(item) for item in listed]})
        return 0
    if not listed:
        print("no traces yet: codewalk trace SCRIPT [ARGS...] records one")
        return 0
    for item in listed:
        trace = item.summary
        if trace is None:
            print(visible(f"{item.name}  (cannot be read: {item.problem})"))
            continue
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(trace.started))
        ended = "" if trace.ended_well else f"  [status {trace.status}]"
        print(
            visible(
                f"{trace.name}  {trace.command}  {trace.versions or '(no pinned package ran)'}  {when}{ended}"
            )
        )
    return 0


def _json(item: Any) -> dict[str, Any]:
    trace = item.summary
    if trace is None:
        return {"name": item.name, "error": item.problem}
    return {
        "name": trace.name,
        "program": list(trace.program),
        "module": trace.module,
        "python": trace.python,
        "engine": trace.engine,
        "started": trace.started,
        "seconds": trace.seconds,
        "ended": trace.ended,
        "status": trace.status,
        "error": trace.error or None,
        "repos": [
            {
                "repo": r.repo,
                "version": r.version,
                "source": r.source,
                "root": r.root or None,
                "files": r.files,
                "differs": list(r.differs),
                "why": r.why or None,
            }
            for r in trace.repos
        ],
        "functions": trace.functions,
        "calls": trace.calls,
    }
