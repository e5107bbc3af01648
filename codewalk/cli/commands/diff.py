"""``codewalk diff SYMBOL --from A --to B``: one symbol at two versions.

Where it is in each (it may have moved, or been renamed: said how it was matched), and
a unified diff of its code, numbered by the lines of each file.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codewalk.cli.common import dump, result_dict
from codewalk.visible import visible


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="a symbol's code at two versions, and where it moved",
        description="Show where SYMBOL is at two versions and how its code changed. A and B "
        "are REPO@VERSION (transformers@4.57.6), a bare VERSION of --repo (default: the first "
        "pin), REPO alone for its pinned version, or REPO@installed.",
    )
    parser.add_argument("query", metavar="SYMBOL")
    parser.add_argument("--from", dest="before", required=True, metavar="A", help="the older version")
    parser.add_argument("--to", dest="after", required=True, metavar="B", help="the newer version")
    parser.add_argument("--repo", metavar="R", help="the repo a bare VERSION is of (default: the first pin)")
    parser.add_argument("--context", type=int, default=3, metavar="N", help="lines of context (default 3)")
    parser.add_argument("--json", action="store_true", help="machine-readable output (docs/json.md)")
    parser.add_argument("--no-color", action="store_true", help="no ANSI colours (also NO_COLOR=1)")
    parser.set_defaults(handler=run)


def _target(text: str, repo: str | None) -> str:
    """``REPO@VERSION`` from what the user wrote (a bare version is of ``repo``)."""
    if "@" in text or (not text[:1].isdigit() and not (text[:1] == "v" and text[1:2].isdigit())):
        return text
    return f"{repo}@{text}" if repo else text


def run(args: argparse.Namespace) -> int:
    from codewalk.errors import QueryError
    from codewalk.render.highlight import use_color
    from codewalk.tours.model import repo_at_version
    from codewalk.workspace.compare import Located, follow, hunks, locate
    from codewalk.workspace.pinned import PinnedStack

    if args.context < 0:
        raise QueryError(f"--context {args.context}: must be 0 or more")
    first = PinnedStack()
    repo = args.repo or first.first_pin
    first.close()
    sides = []
    for text in (args.before, args.after):
        pinned = PinnedStack(at=[_target(text, repo)])
        for note in pinned.notes:
            print(visible(f"codewalk: {note}"), file=sys.stderr)
        sides.append(pinned)
    try:
        old_ws, new_ws = (side.workspace(side.first) for side in sides)
        before = locate(old_ws, args.query)
        if before.target is not None:
            after = follow(new_ws, args.query, before.target, before.code)
        else:
            after = locate(new_ws, args.query)
            if after.target is not None:
                before = follow(old_ws, args.query, after.target, after.code)
        labels = [repo_at_version(ws.checkout.repo, ws.checkout.version) for ws in (old_ws, new_ws)]
        both = before.target is not None and after.target is not None
        changes = hunks(before, after, args.context) if both else []
        if args.json:
            dump(
                {
                    "query": args.query,
                    "from": _side_json(before, old_ws.checkout),
                    "to": _side_json(after, new_ws.checkout),
                    "hunks": [h._asdict() | {"lines": list(h.lines)} for h in changes],
                }
            )
            return 0 if both else 1
        color = use_color(sys.stdout, disabled=args.no_color)
        print(visible(_where("from", labels[0], before)))
        print(visible(_where("to  ", labels[1], after)))
        missing: Located | None = next((s for s in (before, after) if s.target is None), None)
        if missing is not None:
            where = labels[0] if missing is before else labels[1]
            hint = f"did you mean: {', '.join(missing.suggestions)}" if missing.suggestions else None
            raise QueryError(f"{args.query!r}: not found in {where}", hint=hint)
        assert before.target is not None and after.target is not None
        if not changes:
            print("\nno change in its code")
            return 0
        print(_unified(changes, labels, before.target.path, after.target.path, color=color))
        return 0
    finally:
        for side in sides:
            side.close()


def _side_json(side: Any, checkout: Any) -> dict[str, Any]:
    return {
        "repo": checkout.repo,
        "version": checkout.version,
        "result": result_dict(side.target) if side.target is not None else None,
        "how": side.how,
        "suggestions": list(side.suggestions),
    }


def _where(label: str, version: str, side: Any) -> str:
    if side.target is None:
        return f"{label} {version}: not found ({side.how})"
    t = side.target
    return f"{label} {version}: {t.qualname}  {t.path}:{t.start_line}-{t.end_line}  ({side.how})"


def _unified(changes: list[Any], labels: list[str], old_path: str, new_path: str, *, color: bool) -> str:
    red, green, cyan, bold, reset = (
        ("\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[0m") if color else ("",) * 5
    )
    out = [
        f"{bold}{visible(f'--- {labels[0]} {old_path}')}{reset}",
        f"{bold}{visible(f'+++ {labels[1]} {new_path}')}{reset}",
    ]
    for hunk in changes:
        out.append(
            f"{cyan}@@ -{hunk.from_start},{hunk.from_lines} +{hunk.to_start},{hunk.to_lines} @@{reset}"
        )
        for line in hunk.lines:
            paint = red if line[:1] == "-" else green if line[:1] == "+" else ""
            out.append(f"{paint}{visible(line)}{reset if paint else ''}")
    return "\n".join(out)
