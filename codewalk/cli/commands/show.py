"""``codewalk show QUERY``: the source of the best match, with line numbers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from codewalk.cli.common import (
    add_json,
    add_symbol,
    dump_answer,
    no_definition,
    open_workspace,
    repo_version,
    result_dict,
    search_scope,
)
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.resolve.model import Resolved


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("show", help="print the source of a symbol's best match")
    add_symbol(parser, "QUERY")
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    from codewalk.color import use_color
    from codewalk.render.highlight import numbered

    with open_workspace(args) as workspace:
        checkout = workspace.checkout
        found = workspace.find(args.query, scope=search_scope(args, workspace))
        if found.results:
            from codewalk.workspace.calling import Ambiguous, unambiguous

            try:
                unambiguous(found)
            except Ambiguous as error:
                if not args.json:
                    raise
                candidates = [result_dict(c) for c in error.candidates]
                dump_answer(found.query, checkout, result=None, source_text="", candidates=candidates)
                return 1
        if not found.results:
            if args.json:
                suggestions = list(found.suggestions)
                dump_answer(found.query, checkout, result=None, source_text="", suggestions=suggestions)
                return 1
            raise no_definition(args, workspace, found)
        best = found.results[0]
        lines = workspace.source_text(best.path, best.repo).splitlines()
        code = "\n".join(lines[best.start_line - 1 : best.end_line])
        if args.json:
            dump_answer(found.query, checkout, result=result_dict(best), source_text=code)
            return 0
        color = use_color(sys.stdout)
        print(visible(f"{best.qualname}  {best.kind}  [{repo_version(best, checkout)}]"))
        print(visible(f"{best.path}:{best.start_line}-{best.end_line}  via: {best.via}"))
        for native in compiled(best, found.results):
            print(
                visible(
                    f"its Rust source is {native.path}:{native.line}; "
                    f"`codewalk show '{native.qualname}'` shows it"
                )
            )
        print()
        print(numbered(visible(code), best.start_line, color=color, mark={best.line}))
        return 0


def compiled(best: Resolved, results: Sequence[Resolved]) -> list[Resolved]:
    """The Rust that implements ``best`` when it is a stub's declaration (``find`` lists
    it among the related answers): a reader of a stub wants the code that runs."""
    if not best.path.endswith(".pyi"):
        return []
    return [r for r in results if r.kind == "native" and r.qualname == f"{best.qualname} (compiled)"]
