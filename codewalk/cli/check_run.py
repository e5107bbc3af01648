"""``check --run [TOUR...]``: run each tour's ``program:`` under the recorder and say, per
step, whether its code ran (and whether its focus line executed).

A program is code: it runs only here and under ``trace``, and only from a path inside the
tour's own directory (a link out of it is refused). Its output goes to stderr, so the
report (or ``--json``) is alone on stdout. The trace of each run is kept as
``check-TOUR`` for ``tour --trace`` to read.

``check --trace NAME [TOUR...]`` says the same of a run already recorded (``codewalk
trace``), read at the versions that ran; nothing runs.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from codewalk import locations
from codewalk.errors import CodewalkError, TourError, TraceError
from codewalk.visible import visible

if TYPE_CHECKING:
    from collections.abc import Sequence

    from codewalk.tours.model import Lines, ResolvedStep, Tour
    from codewalk.traces.model import Trace
    from codewalk.traces.reading import Opened

STDERR = 2  # the program's output goes to codewalk's standard error (the descriptor: a test's may be no file)


class Verdict(NamedTuple):
    word: str  # ran | not run | not traced | broken
    detail: str
    marked: bool | None = None  # with a ``not_run`` mark: whether the run bore it out

    @property
    def ok(self) -> bool:
        return self.marked if self.marked is not None else self.word in ("ran", "not traced")


def program_path(tour: Tour) -> Path:
    """The tour's program, refused unless it is a file inside the tour's directory."""
    home = Path(os.path.realpath(tour.path.parent))
    script = Path(os.path.realpath(tour.path.parent / tour.program[0]))
    where = f"{tour.path}:{tour.program_line}"
    if home not in script.parents:
        raise TourError(f"{where}: program {tour.program[0]!r} is not inside the tour's directory {home}")
    if not locations.is_file(script):
        raise TourError(f"{where}: program {tour.program[0]!r}: no such file beside the tour")
    return script


def runs_its_program(tour: Tour, trace: Trace) -> bool:
    """Whether ``trace`` is a run of ``tour``'s own ``program:`` (the run its ``not_run``
    marks speak of), with the same arguments; ``check --run`` records such runs."""
    if not tour.program or trace.module or not trace.program:
        return False
    try:
        script = program_path(tour)
    except TourError:
        return False
    ran = Path(os.path.realpath(Path(trace.cwd) / trace.program[0]))
    return ran == script and tuple(trace.program[1:]) == tuple(tour.program[1:])


def verdict(trace: Trace, resolved: ResolvedStep, *, marks: bool = True) -> Verdict:
    """Whether the step's code ran in ``trace``; measured against its ``not_run`` (a
    branch the program does not take) when the tour marks it so and ``marks``: the run is
    of the tour's program. Another run is no test of the mark: it is only said."""
    found = _ran(trace, resolved)
    reason = resolved.step.not_run
    if reason is None or found.word in ("not traced", "broken"):
        return found
    if not marks:
        return found._replace(detail=f"{found.detail}; the tour marks it not_run for its program ({reason})")
    if found.word == "not run":
        return Verdict("not run", f"as marked: {reason}", marked=True)
    stale = f"{found.detail}, though marked not_run ({reason}): the mark is out of date"
    return Verdict("ran", stale, marked=False)


def _ran(trace: Trace, resolved: ResolvedStep) -> Verdict:
    from codewalk.resolve.model import BODY_KINDS
    from codewalk.traces.joined import step_run

    target = resolved.target
    if resolved.status == "skipped":  # a skipped step has no target: not broken
        return Verdict("not traced", resolved.error or "not read at this version")
    if not resolved.ok or target is None:
        return Verdict("broken", resolved.error or resolved.status)
    if target.path.endswith(".pyi"):
        return Verdict("not traced", "a stub: it never runs")
    if not target.path.endswith(".py"):
        return Verdict("not traced", "not Python: a trace sees only Python code")
    if trace.repo_run(target.repo) is None:
        return Verdict("not run", f"nothing of {target.repo} ran")
    run = step_run(trace, target, resolved.regions, resolved.bodies)
    if target.kind in BODY_KINDS:
        ran, what = run.calls > 0, f"x{run.calls}"
    elif target.kind == "class":
        ran = run.calls > 0 or run.executed > 0
        what = (
            f"{run.calls} calls of its methods"
            if run.calls
            else "its class body ran; none of its methods was called"
        )
    else:
        ran, what = run.executed > 0, f"{run.executed} of its lines executed"
    if not ran:
        return Verdict("not run", "its code did not run")
    if run.idle:
        return Verdict("not run", f"ran ({what}), but {_regions_said(resolved, run.idle)} did not execute")
    if run.untaken:  # a focus on an ``if`` or a loop whose test ran: its body tells whether it went on
        untaken = f"{_regions_said(resolved, run.untaken)} ran only its test: the body under it did not"
        if len(run.untaken) == len(resolved.regions):  # the step is about a branch not taken
            return Verdict("not run", f"ran ({what}), but {untaken}")
        return Verdict("ran", f"{what}; {untaken}")
    return Verdict("ran", what)


def _regions_said(resolved: ResolvedStep, regions: Sequence[Lines]) -> str:
    """``its focus (line 65)``, or ``1 of its 2 focus regions (line 65)``: the first of them."""
    from codewalk.tours.shown import span_text

    which = (
        "its focus"
        if len(resolved.regions) == 1
        else f"{len(regions)} of its {len(resolved.regions)} focus regions"
    )
    return f"{which} ({span_text(*regions[0])})"


def run(args: argparse.Namespace, tours: list[Tour], load_errors: list[str]) -> int:
    from codewalk.cli.commands.trace import record_and_keep
    from codewalk.traces.reading import open_trace
    from codewalk.traces.store import check_name

    reports: list[dict[str, Any]] = []
    for tour in tours:
        if not tour.program:
            reports.append(
                {"id": tour.id, "path": str(tour.path), "ok": True, "error": "no program: nothing to run"}
            )
            continue
        name = check_name(f"check-{tour.id}"[:100])
        try:
            script = program_path(tour)
            status, problem = record_and_keep(
                name, [str(script), *tour.program[1:]], module=False, python=args.python, stdout=STDERR
            )
            if problem:  # a trace of that name from an earlier run is not this run's
                raise TraceError(f"no trace kept: {problem}")
            opened = open_trace(name)
        except CodewalkError as error:
            reports.append({"id": tour.id, "path": str(tour.path), "ok": False, "error": error.message})
            continue
        if opened.trace.ended == "interrupted":
            # ctrl+c stopped the check: its steps did not "not run", the reader stopped them
            raise KeyboardInterrupt
        reports.append(_report(tour, opened, status))
    return _finish(args, reports, load_errors)


def run_traced(args: argparse.Namespace, tours: list[Tour], load_errors: list[str]) -> int:
    """``check --trace NAME``: each tour's steps against a run already recorded (the
    reader's own), read at the versions that ran, as ``--run`` reads its program's."""
    from codewalk.traces.reading import open_trace

    opened = open_trace(args.trace)
    reports: list[dict[str, Any]] = []
    for tour in tours:
        try:
            refuse_unrelated(tour, opened)
        except TraceError as error:  # a failure when named; of all tours, one this run is not about
            reports.append(
                {"id": tour.id, "path": str(tour.path), "ok": not args.tours, "error": error.message}
            )
            continue
        reports.append(_report(tour, opened, opened.trace.status))
    return _finish(args, reports, load_errors)


def refuse_unrelated(tour: Tour, opened: Opened) -> None:
    """Raise when the run read ran none of ``tour``'s repositories: every step would be
    "not run" for a reason that is the choice of trace, not the tour."""
    first = opened.stack.first_pin
    wanted = list(dict.fromkeys(tour.step_repo(step) or first for step in tour.steps))
    ran = [repo.repo for repo in opened.trace.repos]
    if wanted and not set(wanted) & set(ran):
        raise TraceError(
            f"trace {opened.trace.name!r} ran none of the repositories of tour {tour.id!r} ({tour.path}): "
            f"the tour reads {', '.join(wanted)}, the run ran {', '.join(ran) or 'nothing pinned'}"
        )


def _report(tour: Tour, opened: Opened, status: int) -> dict[str, Any]:
    steps = _steps(tour, opened)
    return {
        "id": tour.id,
        "path": str(tour.path),
        "trace": opened.trace.name,
        "status": status,
        "ok": all(v.ok for _, v in steps),
        "steps": [
            {
                "index": r.step.index,
                "line": r.step.line,
                "anchor": r.step.anchor,
                "ran": v.word,
                "detail": v.detail,
                "ok": v.ok,
            }
            for r, v in steps
        ],
    }


def _finish(args: argparse.Namespace, reports: list[dict[str, Any]], load_errors: list[str]) -> int:
    """The reports printed (or dumped as JSON); 0 when every tour's steps are borne out."""
    ok = not load_errors and all(report["ok"] for report in reports)
    if args.json:
        from codewalk.cli.common import dump

        dump({"ok": ok, "errors": load_errors, "tours": reports})
        return 0 if ok else 1
    for message in load_errors:
        print(visible(f"error: {message}"))
    if args.trace and not args.tours:
        _print_every_tour(reports, args.trace)
        return 0 if ok else 1
    for report in reports:
        _print(report)
    return 0 if ok else 1


def _steps(tour: Tour, opened: Opened) -> list[tuple[ResolvedStep, Verdict]]:
    from codewalk.cli.workspaces import Workspaces

    resolved = Workspaces(None, pinned=opened.stack).steps(tour).resolved()
    marks = runs_its_program(tour, opened.trace)
    return [(step, verdict(opened.trace, step, marks=marks)) for step in resolved.steps]


def _print_every_tour(reports: list[dict[str, Any]], trace: str) -> None:
    """Every tour against one run, as a reader asks which tours the run took: a line for
    each tour it took steps of, most steps first; one line naming the tours of whose
    steps none ran, one the tours with steps that do not resolve at the versions that
    ran (a step "broken": no run tells of it), and one the tours about none of its
    repositories; then how to see a tour's steps."""
    read = [r for r in reports if "steps" in r]
    took = [r for r in read if any(s["ran"] == "ran" for s in r["steps"])]
    took.sort(key=lambda r: -sum(s["ran"] == "ran" for s in r["steps"]))  # stable: by id within
    for report in took:
        print(visible(_headline(report)))
    broken = [r for r in read if any(s["ran"] == "broken" for s in r["steps"])]
    # a tour every step of which is broken says nothing of the run: only that it is broken
    untaken = [r["id"] for r in read if r not in took and not (r in broken and _all_broken(r))]
    if untaken:
        print(visible(f"none    {', '.join(untaken)}: none of their steps ran"))
    if broken:
        names = ", ".join(r["id"] for r in broken)
        print(visible(f"broken  {names}: steps of theirs do not resolve at the versions that ran"))
    about_others = [r["id"] for r in reports if "steps" not in r]
    if about_others:
        print(visible(f"no run  {', '.join(about_others)}: of repositories the run did not run"))
    print(visible(f"each step of a tour: codewalk check TOUR --trace {trace}"))


def _all_broken(report: dict[str, Any]) -> bool:
    return all(s["ran"] == "broken" for s in report["steps"])


def _print(report: dict[str, Any]) -> None:
    if "steps" not in report:
        word = "no run " if report["ok"] else "FAILED "
        print(visible(f"{word} {report['id']}: {report['error']}"))
        return
    print(visible(_headline(report)))
    for step in report["steps"]:
        where = f"{report['path']}:{step['line']}: step {step['index']} ({step['anchor']})"
        print(visible(f"  {step['ran']:<10} {where}: {step['detail']}"))


def _headline(report: dict[str, Any]) -> str:
    """A tour's line: its verdict, how many of its steps ran, the run."""
    steps = report["steps"]
    ran = sum(1 for s in steps if s["ran"] == "ran")
    failed = [s for s in steps if not s["ok"]]
    word = "ran    " if report["ok"] else "STALE  " if all(s["ran"] == "ran" for s in failed) else "NOT RUN"
    marked = sum(1 for s in steps if s["ok"] and s["ran"] == "not run")
    untraced = sum(1 for s in steps if s["ran"] == "not traced")  # a stub, Rust: never counted as ran
    also = f", {marked} not run as marked" if marked else ""
    also += f", {untraced} not traced" if untraced else ""
    status = f", the program exited with {report['status']}" if report["status"] else ""
    counted = f"{ran} of {len(steps)} steps ran{also}"
    return f"{word} {report['id']}: {counted} (trace {report['trace']!r}{status})"
