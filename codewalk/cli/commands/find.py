"""``codewalk find QUERY``: where a name is defined, how it was reached, what uses it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from codewalk.cli.common import (
    add_json,
    add_symbol,
    at_the_pin,
    dump,
    format_result,
    header_dict,
    in_a_cached_release,
    no_definition,
    open_stack,
    positive,
    result_dict,
    search_scope,
)
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.source.checkout import Checkout

KINDS = (
    "class",
    "function",
    "method",
    "property",
    "variable",
    "alias",
    "attribute",
    "module",
    "entry",
    "keyword",
    "rebind",
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "find",
        help="where a symbol is defined (re-exports, MRO, aliases, dispatch tables resolved)",
        description="Find the definition(s) of QUERY at the pinned version: a short name "
        "(ForCausalLMLoss), Class.member (LlamaForCausalLM.generate), a public name "
        "(transformers.PreTrainedModel) or a full dotted path.",
    )
    add_symbol(parser, "QUERY")
    parser.add_argument("--kind", choices=KINDS, help="only definitions of this kind")
    parser.add_argument("--limit", type=positive, metavar="N", help="at most N results (default 20)")
    parser.add_argument("--refs", action="store_true", help="also list uses of the name, grouped by file")
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    from codewalk.color import use_color

    stack = open_stack(args)
    with stack.workspace(getattr(args, "repo", None)) as workspace:
        checkout = workspace.checkout
        limit = args.limit if args.limit is not None else 20
        found = workspace.find(
            args.query, kind=args.kind, limit=limit + 1, scope=search_scope(args, workspace)
        )
        truncated = len(found.results) > limit
        found = found._replace(results=found.results[:limit])
        used_in, references = workspace, []
        if args.refs and found.results:  # where the answer shown first is defined (diffusers')
            used_in = stack.workspace(found.results[0].repo)
            references = used_in.references(args.query)
        if args.json:
            data = header_dict(found.query, checkout)
            data["results"] = [result_dict(r) for r in found.results]
            data["suggestions"] = list(found.suggestions)
            data["truncated"] = truncated
            pinned = None if found.results else at_the_pin(args, workspace, args.query)
            released = None if found.results else in_a_cached_release(args, workspace, args.query)
            if pinned is not None:  # not a base outside the pins, nor made at run time: another version's
                data["at_the_pin"] = result_dict(pinned)
            elif released is not None:
                data["in_a_release"] = result_dict(released)
            elif found.note:
                data["note"] = found.note
            if args.refs:
                data["references_repo"] = used_in.checkout.repo
                data["references"] = [
                    {"path": r.path, "line": r.line, "col": r.col + 1, "text": r.text} for r in references
                ]
            dump(data)
            return 0 if found.results else 1
        if not found.results:
            raise no_definition(args, workspace, found)
        color = use_color(sys.stdout)
        out = [format_result(r, checkout, color=color) for r in found.results]
        print("\n\n".join(out))
        if found.note:  # an answer to take with care (only a fallback stand-in was found)
            why = "; ".join(f"{repo}: {reason}" for repo, reason in workspace.stack.unavailable.items())
            print(visible(f"codewalk: {found.note}" + (f" ({why})" if why else "")), file=sys.stderr)
        if truncated:
            print(f"\n(more than {limit} results: --limit N shows more)")
        if args.refs:
            print()
            print(format_references(args.query, references, used_in.checkout, used_in.fully_indexed))
        return 0


def format_references(query: str, references: list[Any], checkout: Checkout, complete: bool) -> str:
    name = query.rpartition(".")[2]
    files = sorted({r.path for r in references})
    lines = [f"uses of {name} (by name) in {checkout.release}: {len(references)} in {len(files)} files"]
    if not complete:
        lines.append("  (the index is partial: run `codewalk index` for every use)")
    current = ""
    for ref in references:
        if ref.path != current:
            current = ref.path
            lines.append(f"  {current}")
        lines.append(f"    {ref.line}:{ref.col + 1}  {ref.text}")
    return visible("\n".join(lines))
