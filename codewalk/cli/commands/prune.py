"""``codewalk prune``: delete from the cache what this codewalk never reads again."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codewalk.cli.common import add_json

if TYPE_CHECKING:
    from codewalk.workspace.prunable import Removal


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "prune",
        help="delete what the cache holds that no command reads again",
        description="Delete the index files of older codewalk versions (and any moved aside "
        "as damaged), cache entries without a readable manifest and what interrupted fetches "
        "left; with --releases, also the cached releases no pin names (what --at, diff, "
        "traces and check of a tour's versions read without a fetch: they fetch them again). "
        "The pinned sources, the index in use, traces and remembered progress are kept.",
    )
    parser.add_argument(
        "--releases", action="store_true", help="also delete the cached releases no pin names"
    )
    parser.add_argument("--dry-run", action="store_true", help="say what would be deleted, delete nothing")
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    from codewalk import locations
    from codewalk.cli.common import dump
    from codewalk.source.pins import load_pins
    from codewalk.workspace.prunable import found, remove

    removals, kept = found(load_pins(locations.pins_path()), releases=args.releases)
    failed = {} if args.dry_run else remove(removals)
    done = [r for r in removals if r.path not in failed]
    if args.json:
        dump(
            {
                "dry_run": args.dry_run,
                "removed": [_json(r) for r in done],
                "failed": [{**_json(r), "error": failed[r.path]} for r in removals if r.path in failed],
                "kept": [_json(r) for r in kept],
                "freed": sum(r.size for r in done),
            }
        )
    else:
        _print(args.dry_run, done, failed, kept)
    return 1 if failed else 0


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _json(removal: Removal) -> dict[str, Any]:
    return {"path": str(removal.path), "why": removal.why, "bytes": removal.size}


def _print(dry_run: bool, done: list[Removal], failed: dict[Path, str], kept: list[Removal]) -> None:
    from codewalk import locations
    from codewalk.visible import visible

    home = locations.cache_home()
    verb = "would delete" if dry_run else "deleted"

    def shown(path: Path) -> str:
        return str(path.relative_to(home)) if path.is_relative_to(home) else str(path)

    print(visible(f"cache: {home}"))
    for removal in done:
        print(visible(f"  {verb:12}  {_megabytes(removal.size):>9}  {shown(removal.path)}: {removal.why}"))
    for path, error in failed.items():
        print(visible(f"  not deleted   {shown(path)}: {error}"))
    for removal in kept:
        print(visible(f"  kept          {_megabytes(removal.size):>9}  {shown(removal.path)}: {removal.why}"))
    freed = sum(removal.size for removal in done)
    if not done and not failed:
        print("  nothing to delete")
    else:
        print(f"{'would free' if dry_run else 'freed'} {_megabytes(freed)}")
    if kept:
        print("(--releases deletes the releases kept; --at, diff, traces and check then fetch them again)")
