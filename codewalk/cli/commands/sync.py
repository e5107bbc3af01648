"""``codewalk sync [REPO]``: fetch the pinned source into the cache and verify it."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="fetch and verify the pinned source of a repo (all repos by default)",
        description=(
            "Fetch the pinned source into the cache and verify it: a git checkout of the "
            "pinned commit, or, when the git host can't be reached, the same release from "
            "the package index. A verified cache entry is reused without any download."
        ),
    )
    parser.add_argument("repo", nargs="?", help="a repo named in vendor_pins.toml (default: all)")
    parser.add_argument(
        "--from",
        dest="mode",
        choices=("auto", "git", "release"),
        help="where to fetch from (default: $CODEWALK_SOURCE, else auto: git, then the release)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from codewalk import locations
    from codewalk.source.pins import get_pin, load_pins
    from codewalk.source.reporter import TerminalReporter
    from codewalk.source.sync import ensure_checkout

    path = locations.pins_path()
    pins = load_pins(path)
    selected = [get_pin(pins, args.repo, str(path))] if args.repo else list(pins.values())
    for pin in selected:
        outcome = ensure_checkout(pin, mode=args.mode, reporter=TerminalReporter())
        checkout = outcome.checkout
        state = "downloaded" if outcome.downloaded else "already in the cache, verified"
        print(f"{pin.name}: {checkout.label}: {state}")
        print(f"  {checkout.root}")
    sys.stdout.flush()
    return 0
