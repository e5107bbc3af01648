"""``codewalk tours``: every tour codewalk can find, one line each."""

from __future__ import annotations

import argparse
from typing import Any

from codewalk.cli.common import add_json, add_tours_dir


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tours",
        help="list the available tours",
        description="List the tours in the shipped tours/ directory, CODEWALK_TOURS_PATH "
        "and --tours-dir: id, number of steps, title. A file that does not load is "
        "skipped with a warning on stderr ('codewalk check' reports it as an error).",
    )
    add_tours_dir(parser)
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the listing could be made, also when some files did not load: those
    are warned about on stderr, one line each, and one more for each problem of a file
    with several (``codewalk check`` fails on them)."""
    import sys

    from codewalk.cli.common import dump
    from codewalk.tours.discovery import scan_tours
    from codewalk.visible import visible

    tours, problems = scan_tours(args.tours_dir)
    for problem in problems:
        print(visible(f"codewalk: warning: {problem.message} (skipped)"), file=sys.stderr)
        for each in problem.problems if len(problem.problems) > 1 else ():
            print(visible(f"  {each.message}"), file=sys.stderr)
    if args.json:
        data = [
            {"id": t.id, "title": t.title, "steps": len(t.steps), "repo": t.repo, "path": str(t.path)}
            for t in tours
        ]
        dump({"tours": data, "errors": [p.message for problem in problems for p in problem.problems]})
        return 0
    if not tours:
        print("no tours found (add YAML files to a directory in CODEWALK_TOURS_PATH)")
        return 0
    width = max(len(t.id) for t in tours)
    for tour in tours:
        steps = f"{len(tour.steps):>2} step{'s' if len(tour.steps) != 1 else ' '}"  # the titles aligned
        print(visible(f"{tour.id:<{width}}  {steps}  {tour.title}"))
    return 0
