"""``codewalk tour NAME``: walk a tour; the UI on a terminal, plain text when piped.

Plain output resolves and prints one step at a time, so ``codewalk tour NAME | head``
shows the first steps without waiting for the rest.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import TYPE_CHECKING, Any

from codewalk.cli.common import add_tours, add_trace_option
from codewalk.cli.workspaces import Workspaces

if TYPE_CHECKING:  # the records of a tour, needed only when one is read
    from collections.abc import Callable

    from codewalk.cli.check_run import Verdict
    from codewalk.tours.model import ResolvedLink, ResolvedStep, Tour
    from codewalk.traces.reading import Opened
    from codewalk.ui.session import StepVerdict

    Judge = Callable[[ResolvedStep], "Verdict | None"]  # a step's verdict against a trace, if one is read


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tour",
        help="walk through a tour",
        description="Walk through a tour: the terminal UI on a terminal; with --plain, or "
        "when the output is not a terminal, every step printed with its code and note.",
    )
    parser.add_argument(
        "name", nargs="?", metavar="TOUR", help="a tour id (see 'codewalk tours') or a tour file"
    )
    add_trace_option(
        parser, "read this recorded run like a tour; with TOUR: walk TOUR, each step said ran or not in it"
    )
    parser.add_argument(
        "--new",
        metavar="ID",
        help="record a new tour in the terminal UI, written as ID.yaml to the first --tours-dir "
        "(else the first CODEWALK_TOURS_PATH directory, else the current directory)",
    )
    parser.add_argument(
        "--edit",
        action="store_true",
        help="record: edit the tour's steps and notes in the terminal UI, and write them to its file",
    )
    parser.add_argument("--step", type=int, metavar="K", help="start at (or, plain, print only) step K")
    parser.add_argument("--plain", action="store_true", help="print the tour instead of opening the UI")
    parser.add_argument("--json", action="store_true", help="print the resolved steps as JSON")
    add_tours(parser)


def step_json(resolved: ResolvedStep) -> dict[str, object]:
    target = resolved.target
    return {
        "index": resolved.step.index,
        "title": resolved.step.title,
        "anchor": resolved.step.anchor,
        "status": resolved.status,
        "qualname": target.qualname if target else None,
        "path": target.path if target else None,
        "line": target.line if target else None,
        "start_line": target.start_line if target else None,
        "end_line": target.end_line if target else None,
        "focus": list(resolved.focus) if resolved.focus else None,
        "regions": [list(region) for region in resolved.regions],
        "via": target.via if target else None,
        "note": resolved.step.note,
        "error": resolved.error,
        "suggestions": list(resolved.suggestions),
        "repo": resolved.repo,
        "version": resolved.version,
        "links": [link_json(link) for link in resolved.links],
    }


def link_json(link: ResolvedLink) -> dict[str, object]:
    target = link.target
    return {
        "text": link.link.text,
        "target": link.link.target,
        "qualname": target.qualname if target else None,
        "path": target.path if target else None,
        "line": link.line or None,
        "start_line": link.lines[0] if link.lines else None,
        "end_line": link.lines[1] if link.lines else None,
        "repo": link.repo,
        "version": link.version,
        "error": link.error,
    }


def run(args: argparse.Namespace) -> int:
    if args.trace and (args.new is not None or args.edit):  # the recorder reads no trace
        from codewalk.errors import TourError

        raise TourError(
            "--trace reads a run; --new and --edit record a tour: not both",
            hint="in the terminal UI of tour --trace NAME, R records a tour of the run",
        )
    if args.trace and args.name is None:
        from codewalk.cli import trace_tour

        return trace_tour.run(args)
    if args.new is not None or args.edit:
        from codewalk.cli.recording import record

        return record(args)
    if args.name is None:
        from codewalk.errors import TourError

        raise TourError(
            "name a tour (see 'codewalk tours'), record one with --new ID, or read a run with --trace NAME"
        )
    from codewalk.errors import TourError
    from codewalk.tours.discovery import load_tour

    tour = load_tour(args.name, args.tours_dir)
    if args.step is not None and not 1 <= args.step <= len(tour.steps):
        raise TourError(f"tour {tour.id!r} has steps 1-{len(tour.steps)}; there is no step {args.step}")
    opened = _opened_for(tour, args)
    judge = _judge(opened, tour)
    if _interactive(args):
        try:
            from codewalk.ui import launch
        except ModuleNotFoundError:
            pass  # no UI installed: print the tour
        else:
            said = (opened, lambda resolved: _step_verdict(judge(resolved), args.trace)) if opened else None
            return int(launch.run_tour(args, tour, said))
    workspaces = Workspaces(args.source, args.at, opened.stack if opened else None)
    if args.json:
        return _run_json(tour, workspaces, args.step, judge)
    return _run_plain(tour, workspaces, args, judge)


def _opened_for(tour: Tour, args: argparse.Namespace) -> Opened | None:
    """The run ``--trace`` names, to mark each step of ``tour`` by (None: no trace), read
    at the versions that ran, as ``check --trace`` reads it."""
    if not args.trace:
        return None
    from codewalk.cli.check_run import refuse_unrelated
    from codewalk.cli.traced import refuse_versions
    from codewalk.traces.reading import open_trace

    refuse_versions(args)
    opened = open_trace(args.trace)
    refuse_unrelated(tour, opened)
    return opened


def _judge(opened: Opened | None, tour: Tour) -> Judge:
    """Each step's verdict against the run ``opened`` (None: no trace, no verdict); its
    ``not_run`` marks weighed only if the run is of the tour's own program."""
    if opened is None:
        return lambda resolved: None
    from codewalk.cli.check_run import runs_its_program, verdict

    marks = runs_its_program(tour, opened.trace)
    return lambda resolved: verdict(opened.trace, resolved, marks=marks)


def run_field(verdict: Verdict | None) -> dict[str, object]:
    """A step's ``run`` field: its verdict against the trace (as ``check --run`` says it)."""
    if verdict is None:
        return {}
    return {"run": {"ran": verdict.word, "detail": verdict.detail, "ok": verdict.ok}}


def _interactive(args: argparse.Namespace) -> bool:
    """Whether the tour is read in the terminal UI (not asked for as text or JSON)."""
    return not (args.plain or args.json) and sys.stdout.isatty() and sys.stdin.isatty()


def _run_json(tour: Tour, workspaces: Workspaces, step: int | None, judge: Judge) -> int:
    """The resolved steps as JSON; with ``step`` (1-based), that step alone (the steps
    before it resolved for its context), as ``--plain --step K`` prints it."""
    from codewalk.cli.common import dump

    steps = workspaces.steps(tour)
    chosen = [steps(step - 1)] if step is not None else list(steps.resolved().steps)
    first = steps(0)
    data = {
        "id": tour.id,
        "title": tour.title,
        "summary": tour.summary,
        "repo": first.repo,
        "version": first.version,
        "steps": [step_json(resolved) | run_field(judge(resolved)) for resolved in chosen],
    }
    dump(data)
    return 0 if all(resolved.ok for resolved in chosen) else 1


def _run_plain(tour: Tour, workspaces: Workspaces, args: argparse.Namespace, judge: Judge) -> int:
    """Each step printed as soon as it is resolved (``| head`` shows the first at once);
    with ``--step K``, step K alone (the steps before it are resolved for its context)."""
    from codewalk.color import use_color
    from codewalk.render.plain import render_intro, render_step

    color = use_color(sys.stdout, piped=True)
    width = min(shutil.get_terminal_size((100, 24)).columns, 120)
    steps = workspaces.steps(tour)
    out = sys.stdout
    if args.step is None:
        out.write(render_intro(tour, color=color, width=width))
        out.flush()
    shown = [args.step - 1] if args.step is not None else range(len(tour.steps))
    broken = 0
    for index in shown:
        resolved = steps(index)
        broken += not resolved.ok
        ran = _ran_line(judge(resolved), args.trace)
        out.write(
            render_step(resolved, len(tour.steps), workspaces.source_text, color=color, width=width, ran=ran)
        )
        out.flush()
    return 1 if broken else 0


def _step_verdict(verdict: Verdict | None, trace: str | None) -> StepVerdict | None:
    """The verdict the terminal UI shows: its word marks the step in the list, its line
    is said under the title."""
    from codewalk.ui.session import StepVerdict

    said = _ran_line(verdict, trace)
    return StepVerdict(verdict.word, *said) if verdict is not None and said is not None else None


def _ran_line(verdict: Verdict | None, trace: str | None) -> tuple[str, bool] | None:
    """The line under a step's header saying whether it ran in ``trace``, and whether
    that bears the tour out."""
    if verdict is None:
        return None
    return f"trace {trace!r}: {verdict.word} ({verdict.detail})", verdict.ok
