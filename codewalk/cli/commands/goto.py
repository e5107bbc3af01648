"""``codewalk goto PATH:LINE:COL``: what the name at a position refers to.

LINE and COL are 1-based, as editors and compilers print them. At a call site the call
facts answer first (every target of a dispatch table, a property and what it returns);
then the resolver; jedi (codewalk.workspace.navigation) answers what the index can't.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codewalk.cli.common import add_common, add_json, dump, format_result, open_workspace, result_dict
from codewalk.errors import QueryError
from codewalk.visible import quoted

LINE_SHOWN = 120  # characters of a line an error quotes whole (transformers' lines are at most 119)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("goto", help="go to the definition of the name at PATH:LINE:COL")
    parser.add_argument(
        "position", metavar="PATH:LINE:COL", help="repo-relative path, 1-based line and column"
    )
    add_common(parser)
    add_json(parser)
    parser.set_defaults(handler=run)


def parse_position(text: str) -> tuple[str, int, int]:
    path, _, rest = text.partition(":")
    line_text, _, col_text = rest.partition(":")
    try:
        line, col = int(line_text), int(col_text or "1")
    except ValueError:
        raise QueryError(f"malformed position {text!r}: expected PATH:LINE:COL, e.g. src/x.py:12:5") from None
    if not path or line < 1 or col < 1:
        raise QueryError(f"malformed position {text!r}: PATH:LINE:COL with LINE and COL from 1")
    return path, line, col


def run(args: argparse.Namespace) -> int:
    from codewalk.render.highlight import use_color

    path, line, col = parse_position(args.position)
    with open_workspace(args) as workspace:
        checkout = workspace.checkout
        answer = workspace.goto_all(path, line, col - 1)
        result = answer.results[0] if answer.results else None
        if args.json:
            data = {
                "repo": checkout.repo,
                "version": checkout.version,
                "source": checkout.label,
                "position": {"path": path, "line": line, "col": col},
                "result": result_dict(result) if result else None,
                "results": [result_dict(r) for r in answer.results],
                "note": answer.note or None,
            }
            dump(data)
            return 0 if result else 1
        if result is None:
            said = _nothing_there(workspace.source_text(path), line, col)
            raise QueryError(
                f"{path}:{line}:{col}: {said or 'no definition found for the name there'}",
                hint=answer.note or None,
            )
        color = use_color(sys.stdout, disabled=args.no_color)
        print("\n\n".join(format_result(r, checkout, color=color) for r in answer.results))
        return 0


def _nothing_there(text: str, line: int, col: int) -> str | None:
    """What is wrong with the position itself (past the file's end, or on no name), or
    None when a name stands there."""
    lines = text.splitlines()
    if line > len(lines):
        return f"past the end of the file (it has {len(lines)} lines)"
    here = lines[line - 1]
    if col > len(here) or not (here[col - 1].isidentifier() or here[col - 1].isdigit()):
        return f"no name at column {col} (the line is {quoted(here, LINE_SHOWN)})"
    return None
