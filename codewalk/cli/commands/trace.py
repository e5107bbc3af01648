"""``codewalk trace [--python PY] [--name NAME] SCRIPT [ARGS...]`` (or ``-m MODULE``):
run a program and keep what it ran in the pinned packages."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NamedTuple

from codewalk.cli.common import add_python_option
from codewalk.visible import visible


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "trace",
        help="run a program and record what it ran in the pinned packages",
        description="Run SCRIPT (or -m MODULE) with its arguments in your Python (the python on "
        "PATH, or --python), recording the calls, their call sites, counts and time, and the lines "
        "that executed in the pinned packages' files; keep it as NAME. The program's output and exit "
        "status are its own. Read it with `codewalk tour --trace NAME`.",
        usage="codewalk trace [--python PY] [--name NAME] [--force] (SCRIPT | -m MODULE) [ARGS...]",
    )
    add_python_option(parser, "the interpreter to run it with")
    parser.add_argument(
        "--name",
        dest="trace_name",
        metavar="NAME",
        help="the trace's name (default: the program's and the time)",
    )
    parser.add_argument("--force", action="store_true", help="replace a trace of that name")
    parser.add_argument(  # what follows MODULE is the module's, options too, as python -m takes them
        "-m",
        dest="module",
        nargs=argparse.REMAINDER,
        metavar="MODULE [ARGS...]",
        help="run a module, as python -m does",
    )
    parser.add_argument("program", nargs=argparse.REMAINDER, metavar="SCRIPT [ARGS...]")


def run(args: argparse.Namespace) -> int:
    from codewalk.errors import TraceError
    from codewalk.traces import store

    given = list(args.program)
    if given[:1] == ["--"]:  # codewalk's own end of options (trace -- SCRIPT): not the program's
        given = given[1:]
    module = args.module or []  # -m MODULE [ARGS...]
    program = [*module, *given]
    if not program or not program[0]:
        raise TraceError("name the program to trace: codewalk trace SCRIPT [ARGS...] or -m MODULE")
    name = (
        store.check_name(args.trace_name) if args.trace_name is not None else store.default_name(program[0])
    )
    if store.path_of(name).exists() and not args.force:
        raise TraceError(f"a trace named {name!r} exists", hint="--force replaces it, --name names another")
    return record_and_keep(name, program, module=bool(module), python=args.python, replace=args.force).status


class Kept(NamedTuple):
    status: int  # the program's exit status (2 in its place when it ended well and nothing was kept)
    problem: str  # why no trace was kept; "" when it was


def record_and_keep(
    name: str,
    program: list[str],
    *,
    module: bool,
    python: str | None,
    stdout: Any = None,
    replace: bool = True,
) -> Kept:
    """Run ``program`` under the recorder, keep its trace as ``name`` (not over a trace of
    that name kept meanwhile, unless ``replace``); the program's status (its output on
    ``stdout``, default codewalk's own), and why no trace was kept. A run in which
    nothing of the pinned packages ran is not kept: there would be nothing to read, and it
    would replace a trace that has."""
    from codewalk.errors import TraceError, system_words
    from codewalk.files import write_atomically
    from codewalk.traces import store
    from codewalk.traces.mapping import installed
    from codewalk.traces.run import record

    pins = _pins()
    interpreter = python or _reader_python()
    _make_room(name)  # before the program runs: a long run's trace is not lost at its end
    ran = record(interpreter, _packages(pins), program, module=module, stdout=stdout)
    if ran.record is None:
        print(visible(f"codewalk: no trace: {ran.problem}"), file=sys.stderr)
        return Kept(ran.status or 2, ran.problem)
    trace = _map(ran.record, pins, name)
    if not trace.functions:
        problem = nothing_ran(trace.executable, hint=not installed(ran.record))
        for line in [*_ending(trace), *trace.notes, f"no trace kept: {problem}"]:
            print(visible(f"codewalk: {line}"), file=sys.stderr)
        return Kept(ran.status or 2, problem)
    _refuse_link(name)  # again: one may have been made while the program ran
    try:
        write_atomically(store.path_of(name), store.encode(trace), replace=replace)
    except FileExistsError:
        raise TraceError(
            f"a trace named {name!r} was kept by another run while this one ran: this run's is not kept",
            hint="--force replaces it, --name names another",
        ) from None
    except OSError as error:
        raise TraceError(f"cannot keep the trace {name!r}: {system_words(error)}") from None
    for line in summary(trace):
        print(visible(f"codewalk: {line}"), file=sys.stderr)
    return Kept(ran.status, "")


def _make_room(name: str) -> None:
    """The directory trace ``name`` is kept in, made if need be, and no link where the
    trace goes; TraceError saying why it cannot be (a file in its place, no permission)."""
    from codewalk.errors import TraceError, system_words
    from codewalk.traces import store

    _refuse_link(name)
    directory = store.path_of(name).parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        # mkdir(exist_ok=True) says "File exists" of what is there but no directory
        why = (
            "something that is not a directory is in its place"
            if isinstance(error, FileExistsError)
            else None
        )
        raise TraceError(
            f"cannot keep traces in {directory}: {why or system_words(error)}",
            hint="nothing was run; move what is in its place",
        ) from None


def _refuse_link(name: str) -> None:
    """A link where trace ``name`` goes is refused: the writer follows links, and a trace
    replaced would be the file it points to, wherever that is (or one made there)."""
    import os

    from codewalk.errors import TraceError
    from codewalk.traces import store

    path = store.path_of(name)
    if path.is_symlink():
        raise TraceError(
            f"trace {name!r} ({path}) is a link to {os.readlink(path)}: codewalk does not write through it",
            hint=f"delete it (codewalk traces --delete {name}) or --name names another",
        )


def summary(trace: Any) -> list[str]:
    """What a reader is told once a trace is kept."""
    kept = trace.summary
    lines = [
        f"trace {trace.name!r}: {kept.functions:,} functions, {kept.calls:,} calls in "
        f"{kept.versions or 'no pinned package'} ({trace.seconds:.1f} s, {trace.engine})"
    ]
    for repo in trace.repos:
        if repo.why:
            lines.append(f"{repo.repo} is read from the installed copy at {repo.root}: {repo.why}")
    lines.extend(trace.notes)
    lines.extend(f"{ending}: the trace holds what ran until then" for ending in _ending(trace))
    lines.append(f"read it: codewalk tour --trace {trace.name}")
    return lines


def _ending(trace: Any) -> list[str]:
    """How the program ended, when it did not end well: by returning or by ``sys.exit``
    with status 0 (none or one line)."""
    if trace.ended_well:
        return []
    how = {
        "exception": "raised",
        "interrupted": "was interrupted",
        "exit": "exited",
        "terminated": "was terminated by a signal",
    }.get(trace.ended, "ended")
    error = f" ({trace.error.splitlines()[0]})" if trace.error else ""
    return [f"the program {how} with status {trace.status}{error}"]


def nothing_ran(executable: str, *, hint: bool) -> str:
    """Nothing of the pinned packages ran in ``executable``; with ``hint`` (none of them
    is installed there), whether it is the Python meant."""
    if not hint:
        return f"nothing of the pinned packages ran in {executable}"
    return (
        f"nothing of the pinned packages ran in {executable}, and none of them is installed there: "
        "is it the Python that has them? (--python PY names another)"
    )


def _pins() -> Any:
    from codewalk import locations
    from codewalk.source.pins import load_pins

    return load_pins(locations.pins_path())


def _packages(pins: Any) -> list[tuple[str, str]]:
    from codewalk.traces.mapping import packages_of

    return packages_of(pins)


def _reader_python() -> str:
    from codewalk.errors import TraceError
    from codewalk.source.targets import reader_python

    found = reader_python()
    if found is None:
        raise TraceError("no python on PATH to run the program with", hint="--python PY names one")
    return found


def _map(raw: Any, pins: Any, name: str) -> Any:
    from codewalk.source.sync import open_checkout
    from codewalk.traces.mapping import map_record

    return map_record(raw, pins, name, lambda pin: open_checkout(pin.name, None, pin=pin, local=False))
