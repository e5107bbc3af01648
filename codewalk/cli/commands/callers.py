"""``codewalk callers SYMBOL``: the call sites that reach a definition, binding-precise."""

from __future__ import annotations

import argparse
from typing import Any

from codewalk.cli.common import (
    add_json,
    add_symbol,
    add_trace_option,
    dump_answer,
    open_workspace,
    repo_version,
    result_dict,
    search_scope,
)
from codewalk.visible import visible


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "callers",
        help="the call sites that reach a definition (not every use of its name)",
        description="The call sites that reach SYMBOL: binding-aware (a local of the same name is "
        "not a caller), through the MRO for methods, plus the dispatch-table entries and the "
        "references that pass it as a value; calls of the name on values codewalk cannot type "
        "are listed apart.",
    )
    add_symbol(parser)
    add_json(parser)
    add_trace_option(parser, "mark each call site ran (xN) or not in this recorded run; who else called it")


def run(args: argparse.Namespace) -> int:
    from codewalk.cli.calls_output import caller_dict, format_callers, place, unanswered
    from codewalk.workspace.calling import Ambiguous, NoDefinition

    if args.trace:
        from codewalk.cli.traced_sites import run_callers

        return run_callers(args)
    with open_workspace(args) as workspace:
        checkout = workspace.checkout
        try:
            from codewalk.cli.progress import stderr_progress

            name = args.query.strip().rpartition(".")[2]
            progress = stderr_progress(
                f"callers of {name}: reading", unit="functions that name it", after=1.0
            )
            answer = workspace.callers(args.query, progress=progress, scope=search_scope(args, workspace))
        except (NoDefinition, Ambiguous) as error:
            return unanswered(args, workspace, error, callers=[], complete=workspace.fully_indexed)
        if args.json:
            dump_answer(
                args.query.strip(),
                checkout,
                function=result_dict(answer.target),
                callers=[caller_dict(c) for c in answer.callers],
                complete=answer.complete,
                note=answer.note or None,
            )
            return 0
        target = answer.target
        precise = sum(1 for c in answer.callers if c.kind in ("call", "ref", "decorator", "read"))
        print(visible(f"callers of {target.qualname}  {place(target)}  [{repo_version(target, checkout)}]"))
        print(f"{precise} call site{'s reach' if precise != 1 else ' reaches'} it")
        if answer.note:
            print(visible(answer.note))
        if answer.callers:
            print(visible(format_callers(answer.callers, target.repo or checkout.repo)))
        if not answer.complete:
            print("(the index is partial: `codewalk index` makes callers complete)")
        return 0
