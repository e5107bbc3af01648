"""``codewalk calls SYMBOL``: what a function calls, each call resolved (or saying why not)."""

from __future__ import annotations

import argparse
from typing import Any

from codewalk.cli.common import (
    add_json,
    add_symbol,
    add_trace_option,
    dump_answer,
    open_workspace,
    positive,
    repo_version,
    result_dict,
    said_when_slow,
    search_scope,
)
from codewalk.visible import visible


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "calls",
        help="what a function calls, in order, each call resolved",
        description="The calls and callable references of SYMBOL's body, in source order, each "
        "resolved the transformers way (self and the MRO, super(), properties, dispatch tables, "
        "methods passed as values, attribute types) and saying how; what cannot be resolved is "
        "listed as such.",
    )
    add_symbol(parser)
    parser.add_argument("--depth", type=positive, default=1, metavar="N", help="follow callees N levels deep")
    parser.add_argument("--all", action="store_true", help="list builtins and calls on untyped values too")
    add_json(parser)
    add_trace_option(parser, "mark each call ran (xN) or not in this recorded run")


def run(args: argparse.Namespace) -> int:
    from codewalk.cli.calls_output import format_levels, levels_json, place, unanswered
    from codewalk.workspace.calling import Ambiguous, NoDefinition

    if args.trace:
        from codewalk.cli.traced import run_calls

        return run_calls(args)

    with open_workspace(args) as workspace:
        checkout = workspace.checkout
        try:
            with said_when_slow(args, workspace, "calls"):
                answer = workspace.calls(args.query, depth=args.depth, scope=search_scope(args, workspace))
        except (NoDefinition, Ambiguous) as error:
            return unanswered(args, workspace, error, calls=[])
        if args.json:
            calls = levels_json(answer.levels)
            dump_answer(args.query.strip(), checkout, function=result_dict(answer.target), calls=calls)
            return 0
        target = answer.target
        print(
            visible(f"{target.qualname}  {target.kind}  {place(target)}  [{repo_version(target, checkout)}]")
        )
        if target.via != "direct":
            print(visible(f"  via: {target.via}"))
        body = format_levels(answer.levels, show_all=args.all, home=target.repo or checkout.repo)
        print(visible(body) if body else "  (calls nothing)")
        return 0
