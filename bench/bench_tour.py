"""Benchmark: the first step of ``codewalk tour llama-generate``, whole process.

Targets (DESIGN.md s.9): first step on a cold cache (source present, nothing indexed)
<= 3 s; warm <= 0.5 s. Measured as separate processes, against a bare
``python -c pass`` run in the same session (the floor of any Python CLI):

- cold: a fresh ``CODEWALK_HOME`` (empty index) for every run;
- warm: the same home again, after the cold run indexed what the step needed;
- also the whole tour, piped, cold and warm (``codewalk tour llama-generate | head -80``
  shows its first steps as they resolve).

    .venv/bin/python bench/bench_tour.py --cache SYNCED_CODEWALK_HOME [--runs 3]
    .venv/bin/python bench/bench_tour.py --source CHECKOUT_ROOT [--runs 3]

``--cache`` names a ``CODEWALK_HOME`` where ``codewalk sync`` already put the pinned
source (the test suite keeps one in ``.pytest_cache/d/codewalk-release``): every bench
home links to its ``sources/`` (read only) and starts with an empty index, which is
exactly "after the source is synced". ``--source`` instead reads a work tree as a local
checkout (``codewalk tour --source``), which also pays for GitPython to name its
commit. Nothing is downloaded either way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed, result.stdout


def until_lines(argv: list[str], env: dict[str, str], lines: int) -> float:
    """Seconds until the process has printed ``lines`` lines (what ``| head`` waits for)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    assert process.stdout is not None
    for seen, _ in enumerate(process.stdout, start=1):
        if seen >= lines:
            break
    elapsed = time.perf_counter() - start
    process.kill()
    process.wait()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--cache", help="a CODEWALK_HOME with the pinned source already synced")
    where.add_argument("--source", help="the transformers 5.23.0 work tree, read as a local checkout")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tour", default="llama-generate")
    args = parser.parse_args()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CODEWALK_")}
    command = [PYTHON, "-m", "codewalk", "tour", args.tour, "--plain"]
    if args.source:
        source = str(Path(args.source).resolve())
        command += ["--source", source]
    else:
        sources = Path(args.cache, "sources").resolve()
        if not sources.is_dir():
            raise SystemExit(
                f"{sources}: no synced sources there (run 'codewalk sync' with CODEWALK_HOME={args.cache})"
            )
        source = f"synced cache {sources}"
    first_step = [*command, "--step", "1"]
    whole = command

    def home(scratch: str, name: str) -> dict[str, str]:
        directory = Path(scratch, name)
        directory.mkdir()
        if not args.source:
            (directory / "sources").symlink_to(Path(args.cache, "sources").resolve())
        return {**base_env, "CODEWALK_HOME": str(directory), "CODEWALK_STATE": str(Path(scratch, "state"))}

    baseline = statistics.median(timed([PYTHON, "-c", "pass"], base_env)[0] for _ in range(max(5, args.runs)))
    cold: list[float] = []
    warm: list[float] = []
    head_cold: list[float] = []
    whole_cold: list[float] = []
    whole_warm: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-tour-") as scratch:
        for run in range(args.runs):
            env = home(scratch, f"cold-{run}")
            seconds, out = timed(first_step, env)
            cold.append(seconds)
            if "1/" not in out:
                raise SystemExit("the first step was not printed:\n" + out[:2000])
            warm.extend(timed(first_step, env)[0] for _ in range(2))
        for run in range(args.runs):
            env = home(scratch, f"head-{run}")
            head_cold.append(until_lines(whole, env, 80))
        env = home(scratch, "whole")
        whole_cold.append(timed(whole, env)[0])
        whole_warm.extend(timed(whole, env)[0] for _ in range(args.runs))

    def row(label: str, values: list[float], target: float | None = None) -> None:
        median = statistics.median(values)
        goal = f"  target <= {target:.1f} s: {'met' if median <= target else 'MISSED'}" if target else ""
        print(f"{label:<42} {median:7.3f} s  {median / baseline:6.1f}x python -c pass{goal}")

    print(f"tour {args.tour}, source {source}, {args.runs} run(s), medians")
    print(f"{'python -c pass (baseline)':<42} {baseline:7.3f} s")
    row("first step, cold index (whole process)", cold, 3.0)
    row("first step, warm index (whole process)", warm, 0.5)
    row("first 80 lines of the whole tour, cold", head_cold)
    row("whole tour (all steps), cold", whole_cold)
    row("whole tour (all steps), warm", whole_warm)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
