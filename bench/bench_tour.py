"""Benchmark: ``codewalk tour llama-generate --plain``, whole process.

Target: the whole tour on a cold index (the source present, nothing indexed) <= 1.0 s.
Measured as separate processes over interleaved rounds (min/median/max, and the median
processor time they used), against a bare ``python -c pass`` run in the same rounds (the
floor of any Python CLI):

- cold: a fresh ``CODEWALK_HOME`` (empty index) for every run;
- warm: the same home again, after the cold run indexed what the tour needed;
- the first step alone (``--step 1``) and the whole tour, each cold and warm; and in the
  cold whole tour, when its first step is on stdout.

    python bench/bench_tour.py --cache SYNCED_CODEWALK_HOME [--runs 7]
    python bench/bench_tour.py --source CHECKOUT_ROOT [--runs 7]

Run it with the python of a non-editable install (bytecode written, the ``codewalk``
command pip made), ``PYTHONDONTWRITEBYTECODE`` unset. ``--cache`` names a
``CODEWALK_HOME`` where ``codewalk sync`` already put the pinned source (the test suite
keeps one in ``.pytest_cache/d/codewalk-release``, or ``$CODEWALK_TEST_CACHE``): every
bench home links to its ``sources/`` (read only) and starts with an empty index, which is
exactly "after the source is synced". ``--source`` instead reads a work tree as a local
checkout (``codewalk tour --source``), which also pays for git to name its commit.
Nothing is downloaded either way.
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


CPU: dict[str, list[float]] = {}  # processor time of each figure's processes


def children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str], name: str = "") -> tuple[float, str]:
    start, cpu = time.perf_counter(), children_cpu()
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    elapsed = time.perf_counter() - start
    CPU.setdefault(name, []).append(children_cpu() - cpu)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed, result.stdout


def printed(argv: list[str], env: dict[str, str], marker: bytes) -> tuple[float, float]:
    """Seconds until ``marker`` (the first step's header) is on the process's stdout, and
    until the process has ended."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert process.stdout is not None
    seen, out = None, b""
    while chunk := os.read(process.stdout.fileno(), 1 << 16):
        out += chunk
        if seen is None and marker in out:
            seen = time.perf_counter() - start
    code = process.wait(600)
    if code != 0 or seen is None:
        raise SystemExit(f"{' '.join(argv)} failed ({code}) or printed no {marker!r}")
    return seen, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--cache", help="a CODEWALK_HOME with the pinned source already synced")
    where.add_argument("--source", help="the transformers 5.23.0 work tree, read as a local checkout")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tour", default="llama-generate")
    args = parser.parse_args()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CODEWALK_")}
    # the `codewalk` command beside the interpreter, as users run it (else `python -m`)
    script = Path(PYTHON).with_name("codewalk")
    launcher = [str(script)] if script.exists() else [PYTHON, "-m", "codewalk"]
    command = [*launcher, "tour", args.tour, "--plain"]
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

    # Interleaved rounds: each round measures every figure once, so that load on a shared
    # machine falls on all of them alike. Cold figures get a fresh home (empty index).
    names = (
        "python -c pass",
        "first step, cold",
        "whole tour, cold",
        "  its first step printed",
        "first step, warm",
        "whole tour, warm",
    )
    times: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="bench-tour-") as scratch:
        for run in range(args.runs):
            times["python -c pass"].append(timed([PYTHON, "-c", "pass"], base_env, "python -c pass")[0])
            env = home(scratch, f"first-{run}")
            seconds, out = timed(first_step, env, "first step, cold")
            if "1/" not in out:
                raise SystemExit("the first step was not printed:\n" + out[:2000])
            times["first step, cold"].append(seconds)
            times["first step, warm"].append(timed(first_step, env, "first step, warm")[0])
            env = home(scratch, f"whole-{run}")
            cpu = children_cpu()
            first_printed, ended = printed(whole, env, b"\x1b[1m1/")  # the step-1 header, in bold
            CPU.setdefault("whole tour, cold", []).append(children_cpu() - cpu)
            times["whole tour, cold"].append(ended)
            times["  its first step printed"].append(first_printed)
            times["whole tour, warm"].append(timed(whole, env, "whole tour, warm")[0])
    baseline = statistics.median(times["python -c pass"])
    targets = {"whole tour, cold": 1.0}
    print(f"tour {args.tour}, source {source}; {args.runs} interleaved rounds; min/median/max")
    for name, values in times.items():
        ms = sorted(v * 1000 for v in values)
        median = statistics.median(ms) / 1000
        target = targets.get(name)
        goal = f"  target <= {target:.1f} s: {'met' if median <= target else 'MISSED'}" if target else ""
        used = f"cpu {statistics.median(CPU[name]) * 1000:5.0f} ms" if name in CPU else " " * 12
        print(
            f"{name:<20} {ms[0]:7.0f}/{statistics.median(ms):.0f}/{ms[-1]:.0f} ms  {used}"
            f"  {median / baseline:5.1f}x python -c pass{goal}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
