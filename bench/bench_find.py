"""``codewalk find`` as a whole process on a warm index, against ripgrep on the same tree.

    python bench/bench_find.py [NAME ...]      (default: ForCausalLMLoss LlamaForCausalLM.generate)

Run it with the python of a non-editable install (as users run codewalk: bytecode
written, the ``codewalk`` command pip made), ``PYTHONDONTWRITEBYTECODE`` unset. Uses the
bench cache ($CODEWALK_BENCH_HOME, default /tmp/codewalk-bench): the pinned checkout is
synced and fully indexed first if needed. For each name, over RUNS interleaved rounds,
min/median/max of:

- ``rg -c NAME src/transformers`` (the baseline) and ``python -c pass`` (the floor);
- ``codewalk find NAME``: every run answers in full (pins, index, resolver), as a warm
  find always does;
- the same with the cache in its default place (no CODEWALK_HOME: as most users run it);

then each median's ratio to ripgrep's, against the targets: <= 100 ms and <= 2.5x rg;
beside it, the median processor time the process used (on a loaded machine, closer to
what it takes on an idle one than its wall time).
Last, a cold find (no index database at all), for the record.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from functools import partial
from pathlib import Path

from _common import BENCH_HOME, bench_env, bench_index, checkout, interleaved, python, spread, wall

RUNS = 9
TARGET_S = 0.100
TARGET_RG = 2.5


def main(names: list[str]) -> None:
    co = checkout()
    env = bench_env()
    rg = shutil.which("rg")
    if rg is None:
        sys.exit("bench_find: ripgrep (rg) is the baseline; install it")
    script = str(Path(python()).with_name("codewalk"))
    # A complete index is only checked; an index an older codewalk built, or a lazy one,
    # is completed, so that "warm" really is warm.
    wall([python(), "-m", "codewalk", "index", "transformers"], env=env)
    print(f"transformers {co.version}, {co.root}; {RUNS} interleaved rounds; min/median/max")
    for name in names:
        measure(name, script, rg, co.root, env)
    index = bench_index()
    saved = index.with_name("index.saved")
    shutil.move(index, saved)
    try:
        for name in names:
            colds = []
            for _ in range(3):
                for suffix in ("", "-wal", "-shm"):
                    index.with_name(index.name + suffix).unlink(missing_ok=True)
                colds.append(wall([script, "find", name], env=env))
            print(f"find {name}: cold (no index) {spread(colds)}")
    finally:
        for suffix in ("", "-wal", "-shm"):
            index.with_name(index.name + suffix).unlink(missing_ok=True)
        shutil.move(saved, index)


def measure(name: str, script: str, rg: str, root: Path, env: dict[str, str]) -> None:
    """One name: ripgrep, the floor and codewalk, interleaved; their spread, their
    medians' ratio to ripgrep's, and the targets."""
    user = default_home_env(env)
    wall([script, "find", name], env=env)  # indexes what the name needs, if anything
    cpu: dict[str, list[float]] = {}
    times = interleaved(
        RUNS,
        {
            "rg (the baseline)": partial(
                wall, [rg, "-c", name.rpartition(".")[2], "src/transformers"], cwd=root
            ),
            "python -c pass (the floor)": partial(wall, [python(), "-c", "pass"], env=env),
            "codewalk find": partial(wall, [script, "find", name], env=env),
            "... the cache in its default place": partial(wall, [script, "find", name], env=user),
        },
        cpu,
    )
    grep = statistics.median(times["rg (the baseline)"])
    print(f"find {name}:")
    for label, seconds in times.items():
        median = statistics.median(seconds)
        verdict = ""
        if label.startswith(("codewalk", "...")):
            met = median <= TARGET_S and median / grep <= TARGET_RG
            verdict = (
                f"   target <= {TARGET_S * 1000:.0f} ms and <= {TARGET_RG}x rg: {'met' if met else 'MISSED'}"
            )
        used = statistics.median(cpu[label]) * 1000
        print(f"  {label:36} {spread(seconds):>26}  cpu {used:5.1f} ms  {median / grep:.2f}x rg{verdict}")


def default_home_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` as a user has it: no CODEWALK_HOME, the cache where codewalk puts it by
    default (a HOME whose ~/.cache/codewalk is the bench cache)."""
    home = BENCH_HOME.with_name(BENCH_HOME.name + "-user")
    link = home / ".cache" / "codewalk"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(BENCH_HOME)
    user = {k: v for k, v in env.items() if k != "CODEWALK_HOME" and not k.startswith("XDG_")}
    user["HOME"] = str(home)
    return user


if __name__ == "__main__":
    main(sys.argv[1:] or ["ForCausalLMLoss", "LlamaForCausalLM.generate"])
