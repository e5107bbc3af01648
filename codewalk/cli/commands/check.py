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
from typing import TYPE_CHECKING, Any, NamedTuple

from codewalk.cli.commands.tour import step_json
from codewalk.cli.common import add_python_option, add_tours, add_trace_option, dump
from codewalk.cli.workspaces import Workspaces
from codewalk.visible import visible

if TYPE_CHECKING:  # imported when the check runs, not when the parser is built
    from codewalk.errors import TourError
    from codewalk.tours.model import ResolvedTour, Tour
    from codewalk.tours.note_warnings import NoteWarning


class Reading(NamedTuple):
    """A tour resolved at one set of versions (the ``--at`` list beside it), and the
    warnings of its notes (read at the first set only)."""

    resolved: ResolvedTour
    at: tuple[str, ...]
    warnings: list[NoteWarning]


class Report(NamedTuple):
    """What ``check`` found: each tour's readings, and the tour files that did not load."""

    readings: list[Reading]
    errors: list[str]  # each problem of the tour files that did not load
    tours: int  # tours that loaded
    unloaded: int  # tour files that did not
    strict: bool  # warnings fail the check

    @property
    def broken(self) -> int:
        return sum(len(reading.resolved.broken) for reading in self.readings)

    @property
    def warned(self) -> int:
        return sum(len(reading.warnings) for reading in self.readings)

    @property
    def ok(self) -> bool:
        return not self.broken and not self.errors and not (self.strict and self.warned)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check that tours resolve at the pins",
        description="Resolve every step of the given tours (default: all tours) at the "
        "pinned versions; report each broken step with its file and line. Exit 1 if any "
        "step is broken or any tour file does not load. With --run (each tour's program run "
        "and recorded) or --trace NAME (a run recorded with 'codewalk trace'): say of each "
        "step whether its code ran in that run instead.",
    )
    parser.add_argument("tours", nargs="*", metavar="TOUR", help="tour ids or tour files")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--strict", action="store_true", help="note warnings fail the check too (exit 1), for CI"
    )
    parser.add_argument(
        "--run", action="store_true", help="run each tour's program: and say which steps ran (see README)"
    )
    add_python_option(parser, "with --run: the interpreter")
    add_trace_option(parser, "say which steps ran in this recorded run (see README); nothing runs")
    add_tours(parser)


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


def _refuse_what_run_ignores(args: argparse.Namespace) -> None:
    """``--run`` and ``--trace`` read each tour at the versions a program ran, and only
    ``--run`` runs one."""
    from codewalk.errors import CodewalkError

    if args.run and args.trace:
        raise CodewalkError("check --run records a run of each tour's program; --trace reads one: not both")
    if not args.run and args.python:
        raise CodewalkError("--python names the interpreter of check --run: add --run, or leave it out")
    if not (args.run or args.trace):
        return
    given = {"--at": args.at, "--source": args.source, "--strict": args.strict}
    refused = [name for name, value in given.items() if value]
    if refused:
        how = "--run" if args.run else "--trace"
        raise CodewalkError(
            f"check {how} reads each tour at the versions its program ran: leave out {' and '.join(refused)}"
        )


def run(args: argparse.Namespace) -> int:
    _refuse_what_run_ignores(args)
    tours, unloaded = load(args)
    errors = [str(problem) for error in unloaded for problem in error.problems]
    if args.run or args.trace:
        from codewalk.cli import check_run

        return (check_run.run if args.run else check_run.run_traced)(args, tours, errors)
    report = collect(args, tours, errors, len(unloaded))
    if args.json:
        dump(report_json(report))
    else:
        print(visible(report_text(report)))
    return 0 if report.ok else 1


def load(args: argparse.Namespace) -> tuple[list[Tour], list[TourError]]:
    """The tours ``args`` names (all by default), and why each file that did not load
    did not. A name no tour has is the command's mistake, not a file's: it is raised."""
    from codewalk.errors import TourError, UnknownTour
    from codewalk.tours.discovery import load_tour, scan_tours

    if not args.tours:
        return scan_tours(args.tours_dir)
    tours: list[Tour] = []
    errors: list[TourError] = []
    for name in dict.fromkeys(args.tours):  # each named tour once, in order
        try:
            tours.append(load_tour(name, args.tours_dir))
        except UnknownTour:
            raise
        except TourError as error:
            errors.append(error)
    return tours, errors


def collect(args: argparse.Namespace, tours: list[Tour], errors: list[str], unloaded: int) -> Report:
    """Every step of ``tours``, resolved at the pins and at the releases each tour lists
    (or at ``--at``); ``errors``, the problems of the ``unloaded`` tour files that did
    not load."""
    from codewalk.tours.note_warnings import tour_warnings

    stacks: dict[tuple[str, ...], Workspaces] = {(): Workspaces(args.source)}  # the pins first
    readings: list[Reading] = []
    for tour in tours:
        for number, at in enumerate(versions_to_check(tour, args.at, stacks)):
            if at not in stacks:
                stacks[at] = Workspaces(args.source, at)
            resolved = stacks[at].steps(tour).resolved()
            stacks[at].refuse_unreadable(tour)  # a pin out of reach is not a broken step
            stack = stacks[at]
            warned = tour_warnings(resolved, stack.source_text, stack.defines) if number == 0 else []
            readings.append(Reading(resolved, at, warned))
    return Report(readings, errors, len(tours), unloaded, args.strict)


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
                "warnings": [
                    {"step": w.step, "step_line": w.step_line, "name": w.name, "message": w.message}
                    for w in warned
                ],
            }
            for resolved, at, warned in report.readings
        ],
    }


def report_text(report: Report) -> str:
    """The report for a reader: a line per tour reading, its note warnings, and for each
    broken step its file and line, what went wrong and the nearest names; a summary last."""
    from codewalk.source.checkout import repo_at_version

    lines = [f"error: {message}" for message in report.errors]
    steps = 0
    for resolved, _, warned in report.readings:
        tour = resolved.tour
        steps += len(resolved.steps)
        read = [s for s in resolved.steps if s.status != "skipped"] or list(resolved.steps)
        where_read = ", ".join(dict.fromkeys(repo_at_version(s.repo, s.version) for s in read))
        skipped = len(resolved.steps) - len(read)
        also = f", {skipped} not at this version" if skipped else ""
        count = f"{len(resolved.steps)} step{'s' if len(resolved.steps) != 1 else ''}"
        if not resolved.broken:
            word = "WARNED " if report.strict and warned else "ok     "  # --strict fails on warnings
            lines.append(f"{word} {tour.id} ({count} at {where_read}{also})")
        else:
            broken_of = f"{len(resolved.broken)} of {len(resolved.steps)} steps broken"
            lines.append(f"BROKEN  {tour.id} ({broken_of} at {where_read})")
        lines += [f"  warning: {warning.message}" for warning in warned]
        for step in resolved.broken:
            where = f"{tour.path}:{step.step.line}: step {step.step.index} ({step.step.anchor})"
            status = step.status if step.status != "resolved" else "broken link"
            lines += [f"  {where}: {status}: {problem}" for problem in step.problems]
            if step.suggestions:
                lines.append(f"      did you mean: {', '.join(step.suggestions)}")
    total = report.tours + report.unloaded
    many = len(report.readings) > report.tours
    readings = f" ({len(report.readings)} readings, with their versions)" if many else ""
    warnings = f"{report.warned} note warning(s), " if report.warned else ""
    lines.append(
        f"{total} tour(s){readings}, {steps} step(s): {report.broken} broken step(s), "
        f"{warnings}{len(report.errors)} file error(s)"
    )
    return "\n".join(lines)
