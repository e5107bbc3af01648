"""Helpers shared by the index/find benchmarks: the bench cache and the checkout in it."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

BENCH_HOME = Path(os.environ.get("CODEWALK_BENCH_HOME", "/tmp/codewalk-bench"))


def bench_env() -> dict[str, str]:
    """The environment every measured process runs in: the bench cache as CODEWALK_HOME,
    and bytecode caching on (as in any install: PYTHONDONTWRITEBYTECODE would recompile
    every module of codewalk on every run, ~40 ms)."""
    env = {**os.environ, "CODEWALK_HOME": str(BENCH_HOME)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def checkout():  # type: ignore[no-untyped-def]
    """The pinned transformers checkout in the bench cache (synced if missing)."""
    os.environ["CODEWALK_HOME"] = str(BENCH_HOME)
    try:
        from codewalk.source.sync import open_checkout
    except ImportError:  # a codewalk from before the layered layout, measured for "before"
        from codewalk.sync import open_checkout  # type: ignore[import-not-found,no-redef]

    return open_checkout("transformers")


def wall(argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def median_of(runs: int, action: Callable[[], float]) -> float:
    return statistics.median(action() for _ in range(runs))


def interleaved(
    runs: int, actions: dict[str, Callable[[], float]], cpu: dict[str, list[float]] | None = None
) -> dict[str, list[float]]:
    """Each action's times over ``runs`` rounds, one of each per round, so that load on
    a shared machine falls on all of them alike; ``cpu`` gets the processor time (user
    and system) of the processes each action ran, which load on a shared machine
    stretches far less than their wall time."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            before = children_cpu()
            times[name].append(action())
            if cpu is not None:
                cpu.setdefault(name, []).append(children_cpu() - before)
    return times


def children_cpu() -> float:
    """Seconds of processor time the finished child processes used so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def spread(seconds: list[float]) -> str:
    """``min/median/max`` in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    return f"{ms[0]:.1f}/{statistics.median(ms):.1f}/{ms[-1]:.1f} ms"


def python() -> str:
    return sys.executable


def _parse(path: str) -> int:
    import ast

    with open(path, "rb") as handle:
        data = handle.read()
    try:
        ast.parse(data)
    except (SyntaxError, ValueError):
        return 0
    return 1


def ast_baseline(files: list[str]) -> float:
    """Seconds stdlib ``ast.parse`` takes over ``files`` on 2 processes: the floor of
    any index built on it."""
    import multiprocessing

    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_parse, files, chunksize=16)
    return time.perf_counter() - started


def bench_index() -> Path:
    """The index file codewalk reads in the bench cache (named by its layout)."""
    from codewalk.index.versions import INDEX_VERSION

    return BENCH_HOME / f"index-{INDEX_VERSION}.sqlite3"
