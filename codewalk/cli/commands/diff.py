"""``codewalk diff SYMBOL --from A --to B``: one symbol at two versions.

Where it is in each (it may have moved, or been renamed: said how it was matched), and
a unified diff of its code, numbered by the lines of each file.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

from codewalk.cli.common import add_json, dump, repo_name, result_dict
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.source.checkout import Checkout
    from codewalk.workspace.compare import Hunk, Located


class Comparison(NamedTuple):
    """A symbol at two versions of one repository: each side's checkout and where the
    symbol is there (or why not), and the hunks of its code."""

    query: str
    sides: tuple[tuple[Checkout, Located], tuple[Checkout, Located]]
    hunks: list[Hunk]

    @property
    def found(self) -> bool:
        return all(located.target is not None for _, located in self.sides)

    @property
    def labels(self) -> list[str]:
        """``transformers==4.57.6``: each side's version, as answers name it."""
        from codewalk.source.checkout import repo_at_version

        return [repo_at_version(checkout.repo, checkout.version) for checkout, _ in self.sides]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="a symbol's code at two versions, and where it moved",
        description="Show where SYMBOL is at two versions and how its code changed. A and B "
        "are REPO@VERSION (transformers@4.57.6), a bare VERSION of --repo (default: the first "
        "pin), REPO alone for its pinned version, REPO@installed, or installed (of --repo).",
    )
    parser.add_argument("query", metavar="SYMBOL")
    parser.add_argument("--from", dest="before", required=True, metavar="A", help="the older version")
    parser.add_argument("--to", dest="after", required=True, metavar="B", help="the newer version")
    parser.add_argument(
        "--repo", type=repo_name, metavar="R", help="the repo a bare VERSION is of (default: the first pin)"
    )
    parser.add_argument("--context", type=int, default=3, metavar="N", help="lines of context (default 3)")
    add_json(parser)


def _target(text: str, repo: str | None) -> str:
    """``REPO@VERSION`` from what the user wrote: a bare version (``4.57.6``, ``v4.57.6``,
    ``installed``) is of ``repo``; a name alone is a repository at its pin."""
    from codewalk.source.targets import INSTALLED

    text = text.strip()
    bare = text == INSTALLED or text[:1].isdigit() or (text[:1] == "v" and text[1:2].isdigit())
    return f"{repo}@{text}" if bare and repo else text


def run(args: argparse.Namespace) -> int:
    from codewalk.color import use_color
    from codewalk.errors import QueryError

    comparison = collect(args)
    if args.json:
        dump(comparison_json(comparison))
        return 0 if comparison.found else 1
    print(comparison_text(comparison, color=use_color(sys.stdout)))
    missing = [
        (label, located)
        for label, (_, located) in zip(comparison.labels, comparison.sides, strict=True)
        if located.target is None
    ]
    if len(missing) == 1:  # the names like it there are not what the reader asked
        label = missing[0][0]
        (other,) = (other for other in comparison.labels if other != label)
        raise QueryError(
            f"{comparison.query!r} is in {other} only: {label} has no definition by that name, "
            "nor one alike enough to be it renamed"
        )
    for label, located in missing:
        hint = f"did you mean: {', '.join(located.suggestions)}" if located.suggestions else None
        raise QueryError(f"{comparison.query!r}: not found in {label}", hint=hint)
    return 0


def collect(args: argparse.Namespace) -> Comparison:
    """``args.query`` at ``--from`` and at ``--to``: found at one, followed into the other."""
    from codewalk.errors import QueryError
    from codewalk.workspace.compare import follow, hunks, locate
    from codewalk.workspace.pinned import PinnedStack

    if args.context < 0:
        raise QueryError(f"--context {args.context}: must be 0 or more")
    first = PinnedStack()
    repo = args.repo or first.first_pin
    first.close()
    stacks: list[PinnedStack] = []
    try:
        for text in (args.before, args.after):
            stacks.append(PinnedStack(at=[_target(text, repo)]))
            for note in stacks[-1].notes:
                print(visible(f"codewalk: {note}"), file=sys.stderr)
        if stacks[0].first != stacks[1].first:  # before either is fetched
            raise QueryError(
                f"--from {args.before} and --to {args.after} name different repositories "
                f"({stacks[0].first}, {stacks[1].first})",
                hint="diff reads one repository at two versions: --from transformers@4.57.6 --to 5.23.0",
            )
        old_ws, new_ws = (stack.workspace(stack.first) for stack in stacks)
        before = locate(old_ws, args.query)
        if before.target is not None:
            after = follow(new_ws, args.query, before.target, before.code)
        else:
            after = locate(new_ws, args.query)
            if after.target is not None:
                before = follow(old_ws, args.query, after.target, after.code)
        found = before.target is not None and after.target is not None
        changes = hunks(before, after, args.context) if found else []
        return Comparison(args.query, ((old_ws.checkout, before), (new_ws.checkout, after)), changes)
    finally:
        for stack in stacks:
            stack.close()


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """The comparison as docs/json.md describes it."""

    def side(checkout: Checkout, located: Located) -> dict[str, Any]:
        return {
            "repo": checkout.repo,
            "version": checkout.version,
            "result": result_dict(located.target) if located.target is not None else None,
            "how": located.how,
            "suggestions": list(located.suggestions),
        }

    return {
        "query": comparison.query,
        "from": side(*comparison.sides[0]),
        "to": side(*comparison.sides[1]),
        "hunks": [h._asdict() | {"lines": list(h.lines)} for h in comparison.hunks],
    }


def comparison_text(comparison: Comparison, *, color: bool) -> str:
    """Where the symbol is at each version, then a unified diff of its code (or that it
    did not change); the where-lines alone when one side lacks it."""
    labels = comparison.labels
    where = [_where(*row) for row in zip(("from", "to  "), labels, comparison.sides, strict=True)]
    (_, before), (_, after) = comparison.sides
    if before.target is None or after.target is None:
        return "\n".join(where)
    if not comparison.hunks:
        return "\n".join([*where, "", "no change in its code"])
    paths = (before.target.path, after.target.path)
    return "\n".join([*where, _unified(comparison.hunks, labels, *paths, color=color)])


def _where(label: str, version: str, side: tuple[Checkout, Located]) -> str:
    located = side[1]
    if located.target is None:
        return visible(f"{label} {version}: not found ({located.how})")
    t = located.target
    return visible(f"{label} {version}: {t.qualname}  {t.path}:{t.start_line}-{t.end_line}  ({located.how})")


def _unified(changes: list[Hunk], labels: list[str], old_path: str, new_path: str, *, color: bool) -> str:
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
