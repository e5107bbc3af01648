"""``codewalk find QUERY``: where a name is defined, how it was reached, what uses it.

Also home of the small helpers ``show``, ``goto`` and ``index`` share (options, opening
the workspace, the JSON shape of a result). The warm path imports only argparse, json,
sqlite3 and codewalk's own small modules: ``find`` must beat ripgrep.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codewalk.errors import QueryError
from codewalk.source.checkout import Checkout

# imported lazily in run(); named here for type checkers only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from codewalk.resolve.model import FindResult, Resolved
    from codewalk.workspace.workspace import Workspace

KINDS = ("class", "function", "method", "property", "variable", "alias", "attribute", "module", "entry")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "find",
        help="where a symbol is defined (re-exports, MRO, aliases, dispatch tables resolved)",
        description="Find the definition(s) of QUERY at the pinned version: a short name "
        "(ForCausalLMLoss), Class.member (LlamaForCausalLM.generate), a public name "
        "(transformers.PreTrainedModel) or a full dotted path.",
    )
    parser.add_argument("query", metavar="QUERY")
    add_common(parser)
    parser.add_argument("--kind", choices=KINDS, help="only definitions of this kind")
    parser.add_argument("--limit", type=_positive, metavar="N", help="at most N results (default 20)")
    parser.add_argument("--refs", action="store_true", help="also list uses of the name, grouped by file")
    parser.add_argument("--json", action="store_true", help="machine-readable output (docs/json.md)")
    parser.set_defaults(handler=run)


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repo", metavar="R", help="a repo named in vendor_pins.toml (default: the first)")
    parser.add_argument("--source", metavar="PATH", help="read this local checkout instead of the pinned one")
    parser.add_argument("--no-color", action="store_true", help="no ANSI colours (also NO_COLOR=1)")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def open_workspace(args: argparse.Namespace) -> Workspace:
    from codewalk.source.sync import open_checkout
    from codewalk.workspace.workspace import Workspace

    checkout = open_checkout(getattr(args, "repo", None), getattr(args, "source", None))
    return Workspace.open(checkout)


def result_dict(result: Resolved) -> dict[str, Any]:
    return {
        "qualname": result.qualname,
        "kind": result.kind,
        "path": result.path,
        "line": result.line,
        "start_line": result.start_line,
        "end_line": result.end_line,
        "via": result.via,
        "signature": result.signature,
        "role": result.role,
    }


def header_dict(query: str, checkout: Checkout) -> dict[str, Any]:
    return {"query": query, "repo": checkout.repo, "version": checkout.version, "source": checkout.label}


def dump(data: dict[str, Any]) -> None:
    import json

    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def not_found(found: FindResult, checkout: Checkout, *, fully_indexed: bool = True) -> QueryError:
    hint = f"did you mean: {', '.join(found.suggestions)}" if found.suggestions else None
    if found.note:
        hint = f"{found.note}; {hint}" if hint else found.note
    if not fully_indexed:
        partial = f"only part of {checkout.repo} is indexed yet: `codewalk index` makes every name findable"
        hint = f"{hint}; {partial}" if hint else partial
    return QueryError(
        f"{found.query!r}: no definition found in {checkout.repo} {checkout.version}", hint=hint
    )


def format_result(result: Resolved, checkout: Checkout, *, color: bool) -> str:
    from codewalk.render.highlight import signature

    bold, reset = ("\x1b[1m", "\x1b[0m") if color else ("", "")
    tag = "" if result.role == "match" else "  (related)"
    lines = [
        f"{bold}{result.qualname}{reset}  {result.kind}{tag}",
        f"  {result.path}:{result.line}  [{checkout.repo} {checkout.version}]",
    ]
    head = result.signature.splitlines()
    if head:
        first = head[0] + (" ..." if len(head) > 1 else "")
        lines.append("  " + signature(first, color=color))
    lines.append(f"  via: {result.via}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from codewalk.render.highlight import use_color

    workspace = open_workspace(args)
    try:
        checkout = workspace.checkout
        limit = args.limit if args.limit is not None else 20
        found = workspace.find(args.query, kind=args.kind, limit=limit + 1)
        truncated = len(found.results) > limit
        found = found._replace(results=found.results[:limit])
        references = workspace.references(args.query) if args.refs and found.results else []
        if args.json:
            data = header_dict(found.query, checkout)
            data["results"] = [result_dict(r) for r in found.results]
            data["suggestions"] = list(found.suggestions)
            data["truncated"] = truncated
            if found.note:
                data["note"] = found.note
            if args.refs:
                data["references"] = [
                    {"path": r.path, "line": r.line, "col": r.col + 1, "text": r.text} for r in references
                ]
            dump(data)
            return 0 if found.results else 1
        if not found.results:
            raise not_found(found, checkout, fully_indexed=workspace.fully_indexed)
        color = use_color(sys.stdout, disabled=args.no_color)
        out = [format_result(r, checkout, color=color) for r in found.results]
        print("\n\n".join(out))
        if truncated:
            print(f"\n(more than {limit} results: --limit N shows more)")
        if args.refs:
            print()
            print(format_references(args.query, references, workspace.fully_indexed))
        return 0
    finally:
        workspace.close()


def format_references(query: str, references: list[Any], complete: bool) -> str:
    name = query.rpartition(".")[2]
    files = sorted({r.path for r in references})
    lines = [f"uses of {name} (by name): {len(references)} in {len(files)} files"]
    if not complete:
        lines.append("  (the index is partial: run `codewalk index` for every use)")
    current = ""
    for ref in references:
        if ref.path != current:
            current = ref.path
            lines.append(f"  {current}")
        lines.append(f"    {ref.line}:{ref.col + 1}  {ref.text}")
    return "\n".join(lines)
