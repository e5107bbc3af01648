"""``codewalk index [REPO[@VERSION]]``: index whole checkouts, in parallel, and report
skipped files: REPO's (at another release, as ``--at`` reads it), or every pin a short
name is searched in (the first, and those in the cache)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from codewalk.cli.common import positive

if TYPE_CHECKING:
    from codewalk.source.checkout import Checkout
    from codewalk.source.pins import Pin


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "index", help="index every module of the pinned checkouts (for global find)"
    )
    parser.add_argument(
        "repo",
        nargs="?",
        help="a repo named in vendor_pins.toml, or REPO@VERSION: another release, as --at reads it "
        "(default: the first, and every pin in the cache)",
    )
    parser.add_argument(
        "--source", metavar="PATH", help="index this local checkout instead of the pinned one"
    )
    parser.add_argument(
        "--workers",
        type=workers,
        default=2,
        metavar="N",
        help=f"worker processes (default 2, at most {MAX_WORKERS})",
    )
    parser.add_argument(
        "--calls",
        action="store_true",
        help="also analyse the calls of every function now (commands otherwise do it on demand)",
    )


MAX_WORKERS = 64


def workers(text: str) -> int:
    """``--workers N``: a number of processes this machine can start."""
    return positive(text, MAX_WORKERS)


def run(args: argparse.Namespace) -> int:
    from codewalk import locations
    from codewalk.source.pins import load_pins
    from codewalk.source.sync import cached_repos, local_path, open_checkout

    pins = load_pins(locations.pins_path())
    if args.repo or local_path(args.source):
        _index(open_checkout(source_path=args.source, pin=_asked(pins, args.repo)), args)
        return 0
    # every pin a short name is searched in (find's): the first, and those in the cache
    for repo in dict.fromkeys([next(iter(pins)), *cached_repos(pins)]):
        _index(open_checkout(repo), args)
    return 0


def _asked(pins: dict[str, Pin], text: str | None) -> Pin | None:
    """The pin ``REPO[@VERSION]`` names, at that version (said for ``@installed``), as
    ``--at`` reads it: a release ``find --at`` read is indexed by naming it; None: the
    first pin's."""
    from codewalk import locations
    from codewalk.source.targets import resolve_target
    from codewalk.visible import visible

    if text is None:
        return None
    target = resolve_target(pins, text, locations.pins_named())
    if target.note:
        print(visible(f"codewalk: {target.note}"), file=sys.stderr)
    return target.pin


def _index(checkout: Checkout, args: argparse.Namespace) -> None:
    from codewalk.cli.progress import stderr_progress
    from codewalk.source.checkout import repo_at_version
    from codewalk.visible import visible
    from codewalk.workspace.workspace import Workspace

    with Workspace.open(checkout) as workspace:
        report = workspace.index_all(
            workers=max(1, args.workers), progress=stderr_progress(f"indexing {checkout.repo}")
        )
        calls = None
        if args.calls:
            label = f"call facts of {checkout.repo}"
            calls = workspace.index_calls(workers=max(1, args.workers), progress=stderr_progress(label))
    print(
        f"indexed {repo_at_version(checkout.repo, checkout.version)}: {report.files} files "
        f"({report.parsed} parsed, {report.reused} unchanged) in {report.seconds:.1f} s "
        f"with {report.workers} workers"
    )
    if report.skipped:
        count = len(report.skipped)
        print(f"skipped {count} file{'s that do' if count != 1 else ' that does'} not parse:")
    for path, reason in report.skipped:
        print(visible(f"  {path}: {reason}"))
    if calls is not None:
        print(
            f"call facts: {calls.bodies} bodies analysed in {calls.files} files, {calls.known} already "
            f"known, in {calls.seconds:.1f} s with {calls.workers} workers"
            + (f"; {calls.failed} do not parse on their own" if calls.failed else "")
        )
