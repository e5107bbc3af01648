"""Entry points the CLI calls on a terminal: ``run_tour`` and ``run_picker``.

This is where real objects are built (the pinned stack, the step resolver, how each
repository is described, the comparison with other versions, the progress store) and
handed to :func:`codewalk.ui.app.make_app`; the app builds nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from codewalk.errors import CodewalkError
from codewalk.tours.model import Tour
from codewalk.traces.model import PROGRAM
from codewalk.ui.session import (
    Activity,
    Catalogue,
    RanSaid,
    RanTargets,
    RepoInfo,
    TargetsRan,
    TourEntry,
    TourSession,
)
from codewalk.ui.state import ProgressStore

if TYPE_CHECKING:
    from collections.abc import Callable

    from codewalk.tours.recording import Draft
    from codewalk.traces.joined import RanThere
    from codewalk.traces.model import Trace
    from codewalk.traces.reading import Opened
    from codewalk.traces.rows import Row
    from codewalk.ui.ports import CallList, Target
    from codewalk.workspace.pinned import PinnedStack


def open_session(
    tour: Tour,
    *,
    source_path: str | None = None,
    at: Sequence[str] = (),
    progress: ProgressStore | None = None,
    stack: PinnedStack | None = None,
    traced: tuple[Opened, RanSaid] | None = None,
) -> TourSession:
    """A session on ``tour`` over every pinned repository, ``at`` naming those read at
    another version (``REPO@VERSION``). The tour's repository is opened here (fast when
    cached, a sync with progress on the terminal otherwise); the index is opened later,
    on the session's nav thread, and other repositories when a step or a jump reaches
    them. ``stack``: the repositories to read instead (a trace's, at the versions that
    ran, opened as they are needed). ``traced``: a run the tour is walked against, read
    at the versions that ran, the lines that ran lit and each step said ran or not."""
    from codewalk import locations
    from codewalk.source.pins import load_pins
    from codewalk.source.sync import open_checkout
    from codewalk.tours.resolution import TourSteps, steps_over
    from codewalk.ui.stack import Saying, VersionReader, check_tour, describer
    from codewalk.workspace.pinned import PinnedStack

    activity = Activity()  # a repository fetched once the UI runs says how it goes there

    def saying(name: str) -> Saying:
        return Saying(activity.say, f"fetching {name}")

    if traced is not None:
        stack = traced[0].stack
    pinned = stack if stack is not None else PinnedStack(source_path, at=at, reporter=saying)
    repo = tour.repo or pinned.first_pin
    if repo in pinned.pins and stack is None:  # before the UI runs: its progress on stderr
        open_checkout(repo, pinned.source_path, pin=pinned.pins[repo])

    def steps(repos: PinnedStack) -> TourSteps:
        return steps_over(tour, repos)

    return TourSession(
        tour=tour,
        open_repos=lambda: pinned,
        resolver=steps,
        describe=describer(load_pins(locations.pins_path())),
        repo=repo,
        versions=VersionReader(),
        progress=progress if progress is not None else ProgressStore(),
        notes=tuple(pinned.notes),
        activity=activity,
        check=check_tour,
        executed=executed_lines(traced[0].trace) if traced is not None else None,
        ran_at_calls=ran_at_calls(traced[0]) if traced is not None else None,
        ran_targets=ran_targets(traced[0]) if traced is not None else None,
        judge_step=traced[1] if traced is not None else None,
    )


def executed_lines(trace: Trace) -> Callable[[str, str], frozenset[int] | None]:
    """The lines of a file that ran in ``trace`` (None: a repository it did not run, whose
    lines are then not dimmed)."""
    ran = trace.executed_by_file()
    repos = {repo.repo for repo in trace.repos} | {PROGRAM}

    def executed(repo: str, path: str) -> frozenset[int] | None:
        return ran.get((repo, path), frozenset()) if repo in repos else None

    return executed


def ran_at_calls(opened: Opened) -> Callable[[CallList], Sequence[Sequence[RanThere]]]:
    """Per call of a function the ``c`` panel lists, what ran there in the trace."""
    from typing import cast

    from codewalk.resolve.model import Resolved
    from codewalk.traces.joined import ran_at_sites

    def ran(calls: CallList) -> Sequence[Sequence[RanThere]]:
        # the nav thread's CallList: the workspace's, whose function is a Resolved
        return ran_at_sites(opened.trace, opened.tree, cast(Resolved, calls.function), calls.callees)

    return ran


def ran_targets(opened: Opened) -> RanTargets:
    """Of the definitions a call at a line may reach (``g`` lists them), the calls of each
    the trace made there (a wrapper's call read as the function it wraps), as ``goto
    --trace`` counts them: in the program's own file, what its statements the run did not
    record called too (the script's ``toypkg.fib(4)``)."""
    from typing import cast

    from codewalk.resolve.model import Resolved
    from codewalk.traces.called import program_ran_at_line, ran_at_line
    from codewalk.traces.tree import is_definition

    trace = opened.trace

    def ran(repo: str, path: str, line: int, targets: Sequence[Target]) -> TargetsRan:
        found = (
            program_ran_at_line(trace, opened.tree, path, line)
            if repo == PROGRAM
            else ran_at_line(trace, opened.tree, repo, path, line)
        )
        called = [(trace.functions[f], n) for f, n in found]
        # the workspace's answers: each a Resolved
        calls = tuple(sum(n for f, n in called if is_definition(f, cast(Resolved, t))) for t in targets)
        return TargetsRan(calls, bool(called) or line in trace.executed(repo, path))

    return ran


def start_step(args: argparse.Namespace, session: TourSession) -> int:
    """0-based: ``--step K`` (1-based) when given, else the remembered step, else 0."""
    explicit = getattr(args, "step", None)
    total = len(session.tour.steps)
    if explicit is not None:
        if not 1 <= int(explicit) <= total:
            raise CodewalkError(f"--step {explicit}: tour {session.tour.id!r} has steps 1 to {total}")
        return int(explicit) - 1
    remembered = session.progress.step(session.tour.id) if session.progress else None
    return remembered if remembered is not None and remembered < total else 0


def _catalogue(source_path: str | None, at: Sequence[str], tours_dirs: Iterable[str] = ()) -> Catalogue:
    from codewalk.tours.discovery import discover_tours, load_tour

    dirs = list(tours_dirs)

    def entries() -> Sequence[TourEntry]:
        return [TourEntry(t.id, t.title, len(t.steps)) for t in discover_tours(dirs)]

    def open_tour(tour_id: str) -> TourSession:
        return open_session(load_tour(tour_id, dirs), source_path=source_path, at=at)

    return Catalogue(entries, open_tour)


def run_tour(args: argparse.Namespace, tour: Tour, traced: tuple[Opened, RanSaid] | None = None) -> int:
    """Open the app on ``tour``. Reads ``args.step`` (1-based start step),
    ``args.source`` (a local checkout), ``args.at`` (repositories at another version)
    and ``args.tours_dir`` (for the tours list), each optional; ``traced``: a run the
    tour is walked against (see :func:`open_session`)."""
    from codewalk.ui.app import make_app

    source_path = getattr(args, "source", None)
    at = tuple(getattr(args, "at", None) or ())
    session = open_session(tour, source_path=source_path, at=at, traced=traced)
    for note in session.notes:
        print(f"codewalk: {note}", file=sys.stderr)
    catalogue = _catalogue(source_path, at, getattr(args, "tours_dir", None) or ())
    app = make_app(session, start_step=start_step(args, session), catalogue=catalogue)
    app.run()
    return app.return_code or 0


def run_recording(
    args: argparse.Namespace, tour: Tour, draft: Draft, on_disk: str | None, stack: PinnedStack | None = None
) -> int:
    """Record ``draft``, read from ``tour`` (its steps are where the draft's resolve; a
    new tour has none) with ``on_disk`` its file's text (None: a new file), over every
    pinned repository (``stack``: these instead); ``args.source`` and ``args.at`` as for
    a tour."""
    from codewalk.ui.app import make_app

    at = tuple(getattr(args, "at", None) or ())
    session = open_session(tour, source_path=getattr(args, "source", None), at=at, stack=stack)
    for note in session.notes:
        print(f"codewalk: {note}", file=sys.stderr)
    app = make_app(session, recording=(draft, on_disk))
    app.run()
    return app.return_code or 0


def run_picker(args: argparse.Namespace) -> int:
    """``codewalk`` alone on a terminal: choose a tour, then walk it."""
    from codewalk.ui.app import make_app

    at = tuple(getattr(args, "at", None) or ())
    catalogue = _catalogue(getattr(args, "source", None), at, getattr(args, "tours_dir", None) or ())
    app = make_app(None, catalogue=catalogue)
    app.run()
    return app.return_code or 0


def trace_session(
    opened: Opened, tours_dirs: Sequence[str] = (), rows: Sequence[Row] | None = None
) -> tuple[TourSession, int]:
    """A session on a trace read like a tour: its call tree as the steps (``rows``: the
    tree folded, when the caller has it), the lines that ran lit in the code; and the step
    of the program's first call (past its imports)."""
    from codewalk import locations
    from codewalk.source.pins import load_pins
    from codewalk.tours.traced import TraceSteps, trace_tour
    from codewalk.traces.own_calls import own_calls
    from codewalk.ui.stack import VersionReader, check_tour, describer

    trace = opened.trace
    traced = trace_tour(trace, opened.tree, rows)

    def steps(stack: PinnedStack) -> TraceSteps:
        return TraceSteps(traced, trace, stack.workspace)

    session = TourSession(
        tour=traced.tour,
        open_repos=lambda: opened.stack,
        resolver=steps,
        describe=describer(load_pins(locations.pins_path())),
        repo=traced.tour.repo or opened.home,
        versions=VersionReader(),
        progress=None,
        executed=executed_lines(trace),
        ran_at_calls=ran_at_calls(opened),
        ran_targets=ran_targets(opened),
        own_calls=partial(own_calls, opened.trace, opened.tree),
        check=check_tour,  # a tour recorded from the trace (R), at the versions that ran
        trace=trace.name,
        tours_dirs=tuple(tours_dirs),
        depths=traced.depths,
        known=(own_files(trace),),
    )
    return session, traced.first


def own_files(trace: Trace) -> RepoInfo:
    """The program's own files that ran, as the UI reads a repository: each by its
    absolute path, from disk, while it is the file that ran (else the read says why)."""
    from codewalk.traces.own import read_own

    return RepoInfo(
        repo=PROGRAM,
        version="",
        read=lambda path: read_own(trace, path),
        root=Path("/"),
        read_only=False,  # the reader's own files
        unread=(
            "the program's own code is in no pinned repository: codewalk indexes and follows the pins only"
        ),
        changes=True,
    )


def run_trace(args: argparse.Namespace, opened: Opened, rows: Sequence[Row]) -> int:
    """Open the app on a trace (``rows``: its tree folded), at the program's first call
    (``args.step``: the 1-based step to start at instead)."""
    from codewalk.ui.app import make_app

    session, first = trace_session(opened, getattr(args, "tours_dir", None) or (), rows)
    start = start_step(args, session) if getattr(args, "step", None) is not None else first
    app = make_app(session, start_step=start)
    app.run()
    return app.return_code or 0
