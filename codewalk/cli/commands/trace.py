"""``codewalk trace [--python PY] [--name NAME] SCRIPT [ARGS...]`` (or ``-m MODULE``):
run a program and keep what it ran in the pinned packages."""

from __future__ import annotations

import argparse
import sys
from typing import Any

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
    parser.add_argument(
        "--python", metavar="PY", help="the interpreter to run it with (default: python on PATH)"
    )
    parser.add_argument(
        "--name",
        dest="trace_name",
        metavar="NAME",
        help="the trace's name (default: the program's and the time)",
    )
    parser.add_argument("--force", action="store_true", help="replace a trace of that name")
    parser.add_argument("-m", dest="module", metavar="MODULE", help="run a module, as python -m does")
    parser.add_argument("program", nargs=argparse.REMAINDER, metavar="SCRIPT [ARGS...]")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from codewalk.errors import TraceError
    from codewalk.traces import store

    program = [args.module, *args.program] if args.module else list(args.program)
    if not program or (not args.module and not program[0]):
        raise TraceError("name the program to trace: codewalk trace SCRIPT [ARGS...] or -m MODULE")
    name = store.check_name(args.trace_name) if args.trace_name else store.default_name(program[0])
    if store.path_of(name).exists() and not args.force:
        raise TraceError(f"a trace named {name!r} exists", hint="--force replaces it, --name names another")
    return record_and_keep(
        name, program, module=bool(args.module), python=args.python, replace=args.force
    )


def record_and_keep(
    name: str,
    program: list[str],
    *,
    module: bool,
    python: str | None,
    stdout: Any = None,
    replace: bool = True,
) -> int:
    """Run ``program`` under the recorder, keep its trace as ``name`` (not over a trace of
    that name kept meanwhile, unless ``replace``); the program's status (its output on
    ``stdout``, default codewalk's own)."""
    from codewalk.errors import TraceError
    from codewalk.files import write_atomically
    from codewalk.traces import store
    from codewalk.traces.run import record

    pins = _pins()
    interpreter = python or _reader_python()
    ran = record(interpreter, _packages(pins), program, module=module, stdout=stdout)
    if ran.record is None:
        print(visible(f"codewalk: no trace: {ran.problem}"), file=sys.stderr)
        return ran.status or 2
    trace = _map(ran.record, pins, name)
    try:
        store.path_of(name).parent.mkdir(parents=True, exist_ok=True)
        write_atomically(store.path_of(name), store.encode(trace), replace=replace)
    except FileExistsError:
        raise TraceError(
            f"a trace named {name!r} was kept by another run while this one ran: this run's is not kept",
            hint="--force replaces it, --name names another",
        ) from None
    except OSError as error:
        raise TraceError(f"cannot keep the trace {name!r}: {error.strerror or error}") from None
    for line in summary(trace):
        print(visible(f"codewalk: {line}"), file=sys.stderr)
    return ran.status


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
    if not trace.functions:
        lines.append(nothing_ran(trace))
    if trace.ended != "returned" or trace.status:
        how = {"exception": "raised", "interrupted": "was interrupted", "exit": "exited"}.get(
            trace.ended, "ended"
        )
        error = f" ({trace.error.splitlines()[0]})" if trace.error else ""
        lines.append(
            f"the program {how} with status {trace.status}{error}: the trace holds what ran until then"
        )
    if trace.functions:  # else there is nothing to read: the line above says why
        lines.append(f"read it: codewalk tour --trace {trace.name}")
    return lines


def nothing_ran(trace: Any) -> str:
    return (
        f"nothing of the pinned packages ran in {trace.executable}: "
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
