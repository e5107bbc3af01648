"""``codewalk tours``: every tour codewalk can find, one line each."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tours",
        help="list the available tours",
        description="List the tours in the shipped tours/ directory, CODEWALK_TOURS_PATH "
        "and --tours-dir: id, number of steps, title.",
    )
    parser.add_argument(
        "--tours-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="also read tours from DIR (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from codewalk.tourlib import discover_tours

    tours = discover_tours(args.tours_dir)
    if args.json:
        data = [
            {"id": t.id, "title": t.title, "steps": len(t.steps), "repo": t.repo, "path": str(t.path)}
            for t in tours
        ]
        print(json.dumps({"tours": data}, indent=2))
        return 0
    if not tours:
        print("no tours found (add YAML files to a directory in CODEWALK_TOURS_PATH)")
        return 0
    width = max(len(t.id) for t in tours)
    for tour in tours:
        print(f"{tour.id:<{width}}  {len(tour.steps):>2} steps  {tour.title}")
    return 0
