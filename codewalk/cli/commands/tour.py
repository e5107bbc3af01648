"""``codewalk tour NAME``: walk a tour; the UI on a terminal, plain text when piped.

Plain output resolves and prints one step at a time, so ``codewalk tour NAME | head``
shows the first steps without waiting for the rest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import TYPE_CHECKING, Any

from codewalk.cli.common import add_at
from codewalk.cli.workspaces import Workspaces

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from codewalk.cli.ahead import Ahead
    from codewalk.tours.model import ResolvedLink, ResolvedStep, Step, Tour


def add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tours-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="also read tours from DIR (repeatable; CODEWALK_TOURS_PATH works too)",
    )
    parser.add_argument(
        "--source",
        metavar="PATH",
        default=None,
        help="read the code from this local checkout instead of the pinned cache",
    )
    add_at(parser)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tour",
        help="walk through a tour",
        description="Walk through a tour: the terminal UI on a terminal; with --plain, or "
        "when the output is not a terminal, every step printed with its code and note.",
    )
    parser.add_argument(
        "name", nargs="?", metavar="NAME", help="tour id (see 'codewalk tours') or a tour file"
    )
    parser.add_argument("--trace", metavar="TRACE", help="read a recorded run (codewalk trace) like a tour")
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
    parser.add_argument("--no-color", action="store_true", help="no ANSI colours (also NO_COLOR=1)")
    add_source_options(parser)
    parser.set_defaults(handler=run)


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


def use_color(args: argparse.Namespace) -> bool:
    if getattr(args, "no_color", False) or os.environ.get("NO_COLOR"):
        return False
    return os.environ.get("TERM", "") != "dumb"


def run(args: argparse.Namespace) -> int:
    if args.trace:
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
    if _interactive(args) or args.json:
        return _run(args, None)
    from codewalk.cli.ahead import Ahead
    from codewalk.cli.workspaces import open_index_once

    # A child resolves the steps, ahead of this process printing them (cli/ahead.py): it
    # opens the workspace while this process reads the tour, which it is then handed.
    open_index_once()  # what opening it says (a rebuild), this process says
    ahead = Ahead.start(lambda receive, send: _resolve_ahead(args, receive, send))
    try:
        return _run(args, ahead)
    finally:
        if ahead is not None:
            ahead.stop()


def _run(args: argparse.Namespace, ahead: Ahead | None) -> int:
    from codewalk.errors import TourError
    from codewalk.tours.discovery import load_tour

    tour = load_tour(args.name, args.tours_dir)
    if args.step is not None and not 1 <= args.step <= len(tour.steps):
        raise TourError(f"tour {tour.id!r} has steps 1-{len(tour.steps)}; there is no step {args.step}")
    if ahead is not None:
        ahead.give(tour)
    if _interactive(args):
        try:
            from codewalk.ui import launch
        except ModuleNotFoundError:
            pass  # no UI installed: print the tour
        else:
            return int(launch.run_tour(args, tour))
    workspaces = Workspaces(args.source, args.at)
    if args.json:
        return _run_json(tour, workspaces)
    return _run_plain(tour, workspaces, args, ahead)


def _interactive(args: argparse.Namespace) -> bool:
    """Whether the tour is read in the terminal UI (not asked for as text or JSON)."""
    return not (args.plain or args.json) and sys.stdout.isatty() and sys.stdin.isatty()


def _resolve_ahead(
    args: argparse.Namespace, receive: Callable[[], object], send: Callable[[ResolvedStep], None]
) -> None:
    """The child's work: open the first pin's workspace (most tours read it), then
    resolve the steps of the tour it is handed, in order."""
    from codewalk.tours.model import Tour

    workspaces = Workspaces(args.source, args.at)
    workspaces.get_or_problem(None)
    tour = receive()
    if not isinstance(tour, Tour):
        return  # the parent could not read the tour: it says why
    steps = tour.steps[: args.step] if args.step is not None else tour.steps
    _Walk(tour, workspaces).resolve_all(steps, send)


def _run_json(tour: Tour, workspaces: Workspaces) -> int:
    from codewalk.cli.common import dump
    from codewalk.tours.resolution import resolve_tour

    resolved = resolve_tour(workspaces.by_repo([tour]), tour, workspaces.problems, workspaces.get)
    first = resolved.steps[0]
    data = {
        "id": tour.id,
        "title": tour.title,
        "repo": first.repo,
        "version": first.version,
        "steps": [step_json(step) for step in resolved.steps],
    }
    dump(data)
    return 1 if resolved.broken else 0


def _run_plain(tour: Tour, workspaces: Workspaces, args: argparse.Namespace, ahead: Ahead | None) -> int:
    from codewalk.render.plain import render_intro, render_step

    color = use_color(args)
    width = min(shutil.get_terminal_size((100, 24)).columns, 120)
    steps = tour.steps[: args.step] if args.step is not None else tour.steps
    walk = _Walk(tour, workspaces)
    out = sys.stdout
    if args.step is None:
        out.write(render_intro(tour, color=color, width=width))
        out.flush()
    if color:
        from codewalk.render.highlight import prepare

        prepare()
    if ahead is not None and steps:
        _open_for_printing(workspaces, tour.step_repo(steps[0]))
    # what later steps of the first step's repo name by module, last first: read ahead
    # while the child works (never a repo not yet open: that could mean a fetch)
    first_repo = tour.step_repo(steps[0]) if steps else None
    later = [
        (first_repo, later_step.at)
        for later_step in steps[1:]
        if later_step.at and "." in later_step.at and tour.step_repo(later_step) == first_repo
    ]
    broken = 0
    for step in steps:
        while ahead is not None and later and not ahead.ready():
            workspaces.read_ahead(*later.pop())
        resolved = ahead.take(step) if ahead is not None else None
        resolved = walk.resolve(step) if resolved is None else walk.follow(step, resolved)
        if args.step is not None and step.index != args.step:
            continue  # resolved for its context only
        broken += not resolved.ok
        text = render_step(resolved, len(tour.steps), workspaces.source_text, color=color, width=width)
        out.write(text)
        out.flush()
    return 1 if broken else 0


def _open_for_printing(workspaces: Workspaces, repo: str | None) -> None:
    """While the child resolves the first step: open what printing it reads, the
    workspace and the cache's record of its files (each read is checked against it)."""
    from codewalk.source.integrity import recorded_blobs

    workspace = workspaces.get_or_problem(repo)
    if not isinstance(workspace, str):
        recorded_blobs(workspace.checkout)


class _Walk:
    """A tour's steps resolved in order, each short name read in the context of the
    modules of the steps before it in the same repo."""

    def __init__(self, tour: Tour, workspaces: Workspaces) -> None:
        self.tour = tour
        self.workspaces = workspaces
        self.contexts: dict[str, tuple[str, ...]] = {}

    def resolve(self, step: Step) -> ResolvedStep:
        from codewalk.tours.linking import resolve_links
        from codewalk.tours.resolution import resolve_step, unopened

        workspace = self.workspaces.get_or_problem(self.tour.step_repo(step))
        if isinstance(workspace, str):
            return unopened(step, self.tour.step_repo(step) or "", workspace)
        resolved = resolve_step(workspace, self.tour, step, self.contexts.get(workspace.checkout.repo, ()))
        self.follow(step, resolved)
        return resolve_links(resolved, workspace, self.workspaces.get, self.contexts[workspace.checkout.repo])

    def follow(self, step: Step, resolved: ResolvedStep) -> ResolvedStep:
        """Take ``resolved`` (resolved elsewhere) as this walk's step: its context."""
        from codewalk.tours.resolution import context_after

        workspace = self.workspaces.get_or_problem(self.tour.step_repo(step))
        if not isinstance(workspace, str):
            checkout = workspace.checkout
            before = self.contexts.get(checkout.repo, ())
            self.contexts[checkout.repo] = context_after(before, resolved, checkout.package_root)
        return resolved

    def resolve_all(self, steps: Sequence[Step], send: Callable[[ResolvedStep], None]) -> None:
        for step in steps:
            send(self.resolve(step))
        self.workspaces.checkpoint()
