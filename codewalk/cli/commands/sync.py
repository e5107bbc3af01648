"""``codewalk sync [REPO[@VERSION] ...] [--all]``: fetch pinned source into the cache and verify it."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="fetch and verify the source of a pin (the first pin by default; --all for every one)",
        description=(
            "Fetch pinned source into the cache and verify it: a git checkout of the "
            "pinned commit, or, when the git host can't be reached, the same release from "
            "the package index (checked against upstream's tree when the pin records it). "
            "A verified cache entry is reused without any download. REPO@VERSION fetches "
            "another release of a pinned repo (REPO@installed: the one your Python has)."
        ),
    )
    parser.add_argument(
        "targets", nargs="*", metavar="REPO[@VERSION]", help="pins to sync (default: the first pin)"
    )
    parser.add_argument("--all", action="store_true", help="every pin in vendor_pins.toml")
    parser.add_argument(
        "--from",
        dest="mode",
        choices=("auto", "git", "release"),
        help="where to fetch from (default: $CODEWALK_SOURCE, else auto: git, then the release)",
    )


def run(args: argparse.Namespace) -> int:
    from codewalk import locations
    from codewalk.errors import CodewalkError
    from codewalk.source.pins import load_pins
    from codewalk.source.reporter import TerminalReporter
    from codewalk.source.sync import cached_repos, ensure_checkout
    from codewalk.source.targets import resolve_target
    from codewalk.visible import visible

    if args.all and args.targets:
        raise CodewalkError("give REPO names or --all, not both")
    pins = load_pins(locations.pins_path())
    names = list(pins) if args.all else (args.targets or [None])
    targets = [resolve_target(pins, name, locations.pins_named()) for name in names]
    for target in targets:
        if target.how:
            print(visible(f"{target.pin.name}: version {target.pin.release_version}, {target.how}"))
        outcome = ensure_checkout(target.pin, mode=args.mode, reporter=TerminalReporter())
        checkout = outcome.checkout
        state = "downloaded" if outcome.downloaded else "already in the cache, verified"
        print(visible(f"{target.pin.name}: {checkout.label}: {state}"))
        print(visible(f"  {checkout.root}"))
        sys.stdout.flush()
    if not args.all and not args.targets:
        there = {target.pin.name for target in targets}.union(cached_repos(pins))
        missing = [name for name in pins if name not in there]
        if missing:
            many = len(missing) > 1
            print(
                f"({len(missing)} other pin{'s are' if many else ' is'} not in the cache yet: "
                f"fetched when a command first needs {'them' if many else 'it'}, or with --all)"
            )
    return 0
