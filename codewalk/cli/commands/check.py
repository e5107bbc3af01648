"""``codewalk check [TOUR...]``: does every step of every tour still resolve at the pin?

For each broken step: the tour file and the step's line in it, what went wrong, and
"did you mean" candidates. Exit 1 if any step is broken or any tour file fails to
load, so it fits a tour author's CI.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NamedTuple

from codewalk.cli.commands.tour import step_json
from codewalk.cli.common import add_tours, dump
from codewalk.cli.workspaces import Workspaces
from codewalk.tours.model import ResolvedTour, Tour
from codewalk.visible import visible


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
    add_tours(parser)
    parser.set_defaults(handler=run)


def versions_to_check(
    tour: Tour, at: Sequence[str], stacks: dict[tuple[str, ...], Workspaces]
) -> list[tuple[str, ...]]:
    """The ``--at`` lists a tour is checked at: the ones asked for; else the pins
    (``stacks[()]``), and each release the tour lists in ``versions`` (of its repository)
    besides its pin's."""
    if at:
        return [tuple(at)]
    pins = stacks[()].pinned.pins
    repo = tour.repo or next(iter(pins))
    pinned = pins[repo].release_version if repo in pins else ""
    return [(), *((f"{repo}@{version}",) for version in tour.versions if version != pinned)]


class Report(NamedTuple):
    """What ``check`` found: each tour resolved at each set of versions it is read at
    (the ``--at`` list beside it), and the tour files that did not load."""

    readings: list[tuple[ResolvedTour, tuple[str, ...]]]
    errors: list[str]
    tours: int  # tours that loaded

    @property
    def broken(self) -> int:
        return sum(len(resolved.broken) for resolved, _ in self.readings)

    @property
    def ok(self) -> bool:
        return not self.broken and not self.errors


def run(args: argparse.Namespace) -> int:
    report = collect(args)
    if args.json:
        dump(report_json(report))
    else:
        print(visible(report_text(report)))
    return 0 if report.ok else 1


def collect(args: argparse.Namespace) -> Report:
    """Every step of the tours ``args`` names (all by default), resolved at the pins and
    at the releases each tour lists (or at ``--at``)."""
    from codewalk.errors import TourError
    from codewalk.tours.discovery import load_tour, scan_tours

    tours: list[Tour] = []
    errors: list[str] = []
    if args.tours:
        for name in dict.fromkeys(args.tours):  # each named tour once, in order
            try:
                tours.append(load_tour(name, args.tours_dir))
            except TourError as error:
                errors.append(str(error))
    else:
        tours, problems = scan_tours(args.tours_dir)
        errors = [str(problem) for problem in problems]
    stacks: dict[tuple[str, ...], Workspaces] = {(): Workspaces(args.source)}  # the pins first
    readings: list[tuple[ResolvedTour, tuple[str, ...]]] = []
    for tour in tours:
        for at in versions_to_check(tour, args.at, stacks):
            if at not in stacks:
                stacks[at] = Workspaces(args.source, at)
            readings.append((stacks[at].steps(tour).resolved(), at))
    return Report(readings, errors, len(tours))


def report_json(report: Report) -> dict[str, Any]:
    """The report as docs/json.md describes it."""
    return {
        "ok": report.ok,
        "errors": report.errors,
        "tours": [
            {
                "id": resolved.tour.id,
                "path": str(resolved.tour.path),
                "at": list(at),
                "ok": not resolved.broken,
                "steps": [
                    step_json(s)
                    | {"step_line": s.step.line, "candidates": [c.qualname for c in s.candidates]}
                    for s in resolved.steps
                ],
            }
            for resolved, at in report.readings
        ],
    }


def report_text(report: Report) -> str:
    """The report for a reader: a line per tour reading, and for each broken step its
    file and line, what went wrong and the nearest names; a summary last."""
    from codewalk.tours.model import repo_at_version

    lines = [f"error: {message}" for message in report.errors]
    steps = 0
    for resolved, _ in report.readings:
        tour = resolved.tour
        steps += len(resolved.steps)
        read = [s for s in resolved.steps if s.status != "skipped"] or list(resolved.steps)
        where_read = ", ".join(dict.fromkeys(repo_at_version(s.repo, s.version) for s in read))
        skipped = len(resolved.steps) - len(read)
        also = f", {skipped} not at this version" if skipped else ""
        if not resolved.broken:
            lines.append(f"ok      {tour.id} ({len(resolved.steps)} steps at {where_read}{also})")
            continue
        lines.append(
            f"BROKEN  {tour.id} ({len(resolved.broken)} of {len(resolved.steps)} steps at {where_read})"
        )
        for step in resolved.broken:
            where = f"{tour.path}:{step.step.line}: step {step.step.index} ({step.step.anchor})"
            lines.append(f"  {where}: {step.status}: {step.error}")
            if step.status == "ambiguous":
                lines += [f"      candidate: {c.qualname}  {c.path}:{c.line}" for c in step.candidates[:5]]
            if step.suggestions:
                lines.append(f"      did you mean: {', '.join(step.suggestions)}")
    total = report.tours + len(report.errors)
    readings = (
        f" ({len(report.readings)} readings, with their versions)"
        if len(report.readings) > report.tours
        else ""
    )
    lines.append(
        f"{total} tour(s){readings}, {steps} step(s): {report.broken} broken step(s), "
        f"{len(report.errors)} file error(s)"
    )
    return "\n".join(lines)
