"""``codewalk trace`` on a tiny llama's ``generate(max_new_tokens=20)``, against the same
program untraced, in one run; then how fast the trace opens in the terminal UI, and how
many of its recorded call edges land on an indexed ``def``.

    CODEWALK_BENCH_PYTHON=torchenv/bin/python .venv/bin/python bench/bench_trace.py [--rounds N]

``CODEWALK_BENCH_PYTHON`` names a Python with torch and the pinned stack
(bench/requirements-torch.txt). Targets: trace <= 3x untraced with
sys.monitoring (Python 3.12+), <= 8x with sys.settrace (before); the trace opens in the
UI in <= 1 s. Interleaved rounds, min/median/max; the bench cache is CODEWALK_BENCH_HOME.
``no-op settrace`` runs the program under a trace function that records nothing: what
``sys.settrace`` costs by itself, the part of the recorder's figure it cannot cut there.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import BENCH_HOME, bench_env, interleaved, spread

HERE = Path(__file__).resolve().parent
PROGRAM = HERE / "programs" / "generate.py"
NAME = "bench-generate"
ARGS = ["--max-new-tokens", "20"]


def codewalk() -> str:
    return str(Path(sys.executable).with_name("codewalk"))


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=HERE / "programs", capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def overhead(python: str, rounds: int) -> str:
    from codewalk import locations
    from codewalk.source.pins import load_pins
    from codewalk.traces.mapping import packages_of
    from codewalk.traces.run import command

    env = bench_env()
    packages = packages_of(load_pins(locations.pins_path()))  # what codewalk trace records
    alone = command(python, str(BENCH_HOME / "raw.json"), packages, [str(PROGRAM), *ARGS], module=False)
    runs = interleaved(
        rounds,
        {
            "untraced": lambda: timed([python, str(PROGRAM), *ARGS], env),
            # the interpreter's tracing alone: the floor of the sys.settrace engine
            "no-op settrace": lambda: timed(
                [python, str(HERE / "settrace_floor.py"), str(PROGRAM), *ARGS], env
            ),
            "recorder alone": lambda: timed(alone, env),
            "codewalk trace": lambda: timed(
                [codewalk(), "trace", "--python", python, "--name", NAME, "--force", str(PROGRAM), *ARGS], env
            ),
        },
    )
    base = statistics.median(runs["untraced"])
    lines = [f"generate.py {' '.join(ARGS)}, {rounds} interleaved rounds (min/median/max):"]
    for name, samples in runs.items():
        ratio = statistics.median(samples) / base
        lines.append(f"  {name:<16} {spread(samples)}   {ratio:.2f}x untraced")
    return "\n".join(lines)


async def open_in_ui(step_of: str) -> float:
    """Seconds from opening the trace to its step ``step_of`` (a function's short name;
    "" for the first step) drawn in the code view."""
    from codewalk.tours.traced import trace_tour
    from codewalk.traces.reading import open_trace

    started = time.perf_counter()
    opened = open_trace(NAME)
    traced = trace_tour(opened.trace, opened.tree)
    step = traced.first
    if step_of:
        titles = [(s.title or "").strip() for s in traced.tour.steps]
        step = next(i for i, title in enumerate(titles) if title.startswith(step_of + " "))
    return await _drawn(_app(opened, step), started)


async def open_tour_in_ui() -> float:
    """The baseline: the same for the shipped llama-generate tour, at its first step."""
    from codewalk.tours.discovery import load_tour
    from codewalk.ui.app import make_app
    from codewalk.ui.launch import open_session

    started = time.perf_counter()
    return await _drawn(make_app(open_session(load_tour("llama-generate", []))), started)


async def _drawn(app: Any, started: float) -> float:
    from codewalk.ui.code_view import CodeView

    async with app.run_test(size=(160, 48)) as pilot:
        while True:
            await pilot.pause(0.005)
            view = app.screen.query_one(CodeView)
            if view.source is not None and view.display:
                return time.perf_counter() - started


def _app(opened: Any, step: int) -> Any:
    from codewalk.ui.app import make_app
    from codewalk.ui.launch import trace_session

    return make_app(trace_session(opened)[0], start_step=step)


def edges_on_defs() -> str:
    """The share of recorded call edges (caller -> callee, by function) whose two ends are
    an indexed definition: each end read as its own ``def`` only (as before), then as the
    definition it is part of (a module's code: the module; a comprehension or lambda: the
    definition around it); the rest by cause."""
    from codewalk.traces.joined import OWN, definition_of, read_as, why_not_indexed
    from codewalk.traces.reading import open_trace

    opened = open_trace(NAME)
    trace = opened.trace
    cache: dict[int, str] = {}

    def cause(function: int) -> str:
        """ "" when it is read as an indexed definition, else why not."""
        if function not in cache:
            f = trace.functions[function]
            found = definition_of(opened.stack.workspace(f.repo), f)
            cache[function] = "" if found is not None else (why_not_indexed(f) or "no definition found")
        return cache[function]

    def own(function: int) -> bool:
        return not cause(function) and read_as(trace.functions[function]) == OWN

    edges = {(trace.nodes[n.parent].function, n.function) for n in trace.nodes[1:] if n.parent > 0}
    total = len(edges)
    before = sum(1 for caller, callee in edges if own(caller) and own(callee))
    causes: dict[str, int] = {}
    for caller, callee in edges:
        why = cause(caller) or cause(callee)
        causes[why] = causes.get(why, 0) + 1
    kinds: dict[str, int] = {}
    for function in range(len(trace.functions)):
        kind = read_as(trace.functions[function]) if not cause(function) else "none"
        kinds[kind] = kinds.get(kind, 0) + 1
    lines = [
        f"{len(trace.functions)} functions ran, read as: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items(), key=lambda item: -item[1])),
        f"{total} distinct call edges recorded, an indexed definition at each end:",
        f"  {before / total:.1%} with each end read as its own def only",
        f"  {causes.get('', 0) / total:.1%} with a module's code read as the module, a comprehension "
        "or lambda as the definition around it",
    ]
    for why, count in sorted(causes.items(), key=lambda item: -item[1]):
        if why:
            lines.append(f"  {count:>5} ({count / total:.1%}): an end is {why}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kept", action="store_true", help="measure the trace a previous run kept: no runs")
    args = parser.parse_args()
    python = os.environ.get("CODEWALK_BENCH_PYTHON")
    if not python:
        raise SystemExit("set CODEWALK_BENCH_PYTHON to a Python with torch and the pinned stack")
    os.environ["CODEWALK_HOME"] = str(BENCH_HOME)
    engine = subprocess.run(
        [
            python,
            "-c",
            "import sys; print('sys.monitoring' if sys.version_info >= (3, 12) else 'sys.settrace')",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"engine: {engine} (target: <= {'3' if engine == 'sys.monitoring' else '8'}x untraced)")
    if not args.kept:
        print(overhead(python, args.rounds))
    asyncio.run(open_tour_in_ui())  # textual imported, the index opened: not what is measured
    opens = interleaved(
        args.rounds,
        {
            "trace, the program's first call": lambda: asyncio.run(open_in_ui("")),
            "trace, at GenerationMixin.generate": lambda: asyncio.run(open_in_ui("GenerationMixin.generate")),
            "baseline: the llama-generate tour": lambda: asyncio.run(open_tour_in_ui()),
        },
    )
    print("open in the UI, to the step's code drawn (target <= 1000 ms):")
    for label, samples in opens.items():
        print(f"  {label:<36} {spread(samples)}")
    print(edges_on_defs())


if __name__ == "__main__":
    main()
