"""``codewalk check [TOUR...]``: does every step of every tour still resolve at the pin?

For each broken step (its symbol, a region, a link of its note): the tour file and the
step's line in it, what went wrong, and "did you mean" candidates. Exit 1 if any step
is broken or any tour file fails to load, so it fits a tour author's CI. Notes that name
code the step does not show are warnings (:mod:`codewalk.tours.note_warnings`), read at
the pins (or at ``--at``); they fail the check only with ``--strict``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from codewalk.cli.commands.tour import add_source_options, step_json
from codewalk.cli.common import dump
from codewalk.cli.workspaces import Workspaces
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.source.pins import Pin
    from codewalk.tours.model import ResolvedTour, Tour


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check that tours resolve at the pins",
        description="Resolve every step of the given tours (default: all tours) at the "
        "pinned versions; report each broken step with its file and line. Exit 1 if any "
        "step is broken or any tour file does not load.",
    )
    parser.add_argument("tours", nargs="*", metavar="TOUR", help="tour ids or tour files")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--strict", action="store_true", help="note warnings fail the check too (exit 1), for CI"
    )
    parser.add_argument(
        "--run", action="store_true", help="run each tour's program: and say which steps ran (see README)"
    )
    parser.add_argument(
        "--python", metavar="PY", help="with --run: the interpreter (default: python on PATH)"
    )
    add_source_options(parser)
    parser.set_defaults(handler=run)


def versions_to_check(
    tour: Tour, at: Sequence[str], stacks: dict[tuple[str, ...], Workspaces]
) -> list[tuple[str, ...]]:
    """The ``--at`` lists a tour is checked at: the ones asked for; else the pins, and
    each release the tour lists in ``versions`` (of its repository) besides its pin's."""
    if at:
        return [tuple(at)]
    pins = next(iter(stacks.values())).pinned.pins if stacks else _pins()
    repo = tour.repo or next(iter(pins))
    pinned = pins[repo].release_version if repo in pins else ""
    return [(), *((f"{repo}@{version}",) for version in tour.versions if version != pinned)]


def _pins() -> dict[str, Pin]:
    from codewalk import locations
    from codewalk.source.pins import load_pins

    return load_pins(locations.pins_path())


def run(args: argparse.Namespace) -> int:
    from codewalk.errors import TourError
    from codewalk.tours.discovery import load_tour, scan_tours
    from codewalk.tours.model import repo_at_version
    from codewalk.tours.note_warnings import NoteWarning, tour_warnings
    from codewalk.tours.resolution import resolve_tour

    tours: list[Tour] = []
    load_errors: list[str] = []
    if args.tours:
        for name in dict.fromkeys(args.tours):  # each named tour once, in order
            try:
                tours.append(load_tour(name, args.tours_dir))
            except TourError as error:
                load_errors.append(str(error))
    else:
        tours, problems = scan_tours(args.tours_dir)
        load_errors = [str(problem) for problem in problems]

    if args.run:
        from codewalk.cli import check_run

        return check_run.run(args, tours, load_errors)
    stacks: dict[tuple[str, ...], Workspaces] = {}
    results: list[ResolvedTour] = []
    runs: list[tuple[str, ...]] = []  # the REPO@VERSION each result was resolved at
    warnings: list[list[NoteWarning]] = []  # each result's (a note is read at the pins, or --at)
    for tour in tours:
        for number, at in enumerate(versions_to_check(tour, args.at, stacks)):
            if at not in stacks:
                stacks[at] = Workspaces(args.source, at)
            by_repo = stacks[at].by_repo([tour])
            results.append(resolve_tour(by_repo, tour, stacks[at].problems, stacks[at].get))
            runs.append(at)
            warnings.append(tour_warnings(results[-1], stacks[at].source_text) if number == 0 else [])
    broken = sum(len(r.broken) for r in results)
    warned = sum(len(w) for w in warnings)
    ok = not broken and not load_errors and not (args.strict and warned)
    if args.json:
        data = {
            "ok": ok,
            "errors": load_errors,
            "tours": [
                {
                    "id": r.tour.id,
                    "path": str(r.tour.path),
                    "at": list(at),
                    "ok": not r.broken,
                    "steps": [
                        step_json(s)
                        | {
                            "step_line": s.step.line,
                            "candidates": [c.qualname for c in s.candidates],
                        }
                        for s in r.steps
                    ],
                    "warnings": [
                        {"step": w.step, "step_line": w.step_line, "name": w.name, "message": w.message}
                        for w in tour_warned
                    ],
                }
                for r, at, tour_warned in zip(results, runs, warnings, strict=True)
            ],
        }
        dump(data)
        return 0 if ok else 1

    for message in load_errors:
        print(visible(f"error: {message}"))
    steps = 0
    for result, tour_warned in zip(results, warnings, strict=True):
        tour = result.tour
        steps += len(result.steps)
        read = [s for s in result.steps if s.status != "skipped"] or list(result.steps)
        where_read = ", ".join(dict.fromkeys(repo_at_version(s.repo, s.version) for s in read))
        skipped = len(result.steps) - len(read)
        also = f", {skipped} not at this version" if skipped else ""
        if not result.broken:
            print(visible(f"ok      {tour.id} ({len(result.steps)} steps at {where_read}{also})"))
        else:
            broken_of = f"{len(result.broken)} of {len(result.steps)} steps"
            print(visible(f"BROKEN  {tour.id} ({broken_of} at {where_read})"))
        for warning in tour_warned:
            print(visible(f"  warning: {warning.message}"))
        for resolved in result.broken:
            step = resolved.step
            where = f"{tour.path}:{step.line}: step {step.index} ({step.anchor})"
            status = resolved.status if resolved.status != "resolved" else "broken link"
            for problem in resolved.problems:
                print(visible(f"  {where}: {status}: {problem}"))
            if resolved.status == "ambiguous":
                for candidate in resolved.candidates[:5]:
                    print(
                        visible(f"      candidate: {candidate.qualname}  {candidate.path}:{candidate.line}")
                    )
            if resolved.suggestions:
                print(visible(f"      did you mean: {', '.join(resolved.suggestions)}"))
    total = len(tours) + len(load_errors)
    readings = f" ({len(results)} readings, with their versions)" if len(results) > len(tours) else ""
    summary = (
        f"{total} tour(s){readings}, {steps} step(s): {broken} broken step(s), "
        + (f"{warned} note warning(s), " if warned else "")
        + f"{len(load_errors)} file error(s)"
    )
    print(summary)
    return 0 if ok else 1
