"""``codewalk find`` as a whole process, against ripgrep on the same tree, in one run.

    python bench/bench_find.py [NAME ...]      (default: ForCausalLMLoss LlamaForCausalLM.generate)

Run it with the python of a non-editable install (as users run codewalk: bytecode
written, the ``codewalk`` script pip made). Uses the bench cache ($CODEWALK_BENCH_HOME,
default /tmp/codewalk-bench): the pinned checkout is synced and fully indexed first if
needed. For each name, interleaved over RUNS rounds, min/median/max of:

- ``rg -c NAME src/transformers`` (the baseline) and ``python -c pass`` (the floor);
- warm find, asked again: the ``codewalk`` script and ``python -m codewalk`` (the
  quick path prints the kept answer), and the script with the cache in its default
  place (no CODEWALK_HOME: as most users run it);
- warm find, asked for the first time: the kept answers are cleared before each run
  (outside the timing), so the full path (argparse, pins, resolver) answers;

then the ratios of the medians to ripgrep's, and where a first-time find's imports go;
last, cold find (no index database at all) against its 5 s target.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import sys
from functools import partial
from pathlib import Path

from _common import BENCH_HOME, bench_env, checkout, interleaved, python, spread, wall

RUNS = 9


def main(names: list[str]) -> None:
    co = checkout()
    env = bench_env()
    rg = shutil.which("rg")
    if rg is None:
        sys.exit("bench_find: ripgrep (rg) is the baseline; install it")
    index = BENCH_HOME / "index.sqlite3"
    script = str(Path(python()).with_name("codewalk"))
    # Always: a complete index is only checked (~0.1 s); an index an older codewalk
    # built, or a lazy one, is completed, so that "warm" really is warm.
    wall([python(), "-m", "codewalk", "index", "transformers"], env=env)
    print(f"transformers {co.version}, {co.root}; {RUNS} interleaved rounds; min/median/max")
    for name in names:
        measure(name, script, rg, co.root, env, index)
    print(import_breakdown(names[0], env, index))
    saved = index.with_name("index.saved")
    shutil.move(index, saved)
    try:
        for name in names:
            colds = []
            for _ in range(3):
                for suffix in ("", "-wal", "-shm"):
                    index.with_name(index.name + suffix).unlink(missing_ok=True)
                colds.append(wall([python(), "-m", "codewalk", "find", name], env=env))
            cold = sorted(colds)[1]
            print(f"find {name}: cold (no index) {cold:.2f} s; target 5 s; ratio {cold / 5:.2f}")
    finally:
        for suffix in ("", "-wal", "-shm"):
            index.with_name(index.name + suffix).unlink(missing_ok=True)
        shutil.move(saved, index)


def measure(name: str, script: str, rg: str, root: Path, env: dict[str, str], index: Path) -> None:
    """One name: every command of the module's docstring, interleaved; their spread and
    their medians' ratio to ripgrep's."""
    user = default_home_env(env)
    for _ in range(2):  # the first run may index what the name needs; the second keeps it
        wall([script, "find", name], env=env)
        wall([python(), "-m", "codewalk", "find", name], env=env)
        wall([script, "find", name], env=user)

    def first_time() -> float:
        forget_answers(index)
        return wall([script, "find", name], env=env)

    times = interleaved(
        RUNS,
        {
            "rg": partial(wall, [rg, "-c", name.rpartition(".")[2], "src/transformers"], cwd=root),
            "python -c pass": partial(wall, [python(), "-c", "pass"], env=env),
            "codewalk find, asked again": partial(wall, [script, "find", name], env=env),
            "... the cache in its default place": partial(wall, [script, "find", name], env=user),
            "python -m codewalk find, asked again": partial(
                wall, [python(), "-m", "codewalk", "find", name], env=env
            ),
            "codewalk find, first time": first_time,
        },
    )
    grep = sorted(times["rg"])[RUNS // 2]
    print(f"find {name}:")
    for label, seconds in times.items():
        ratio = sorted(seconds)[RUNS // 2] / grep
        print(f"  {label:40} {spread(seconds):>26}   {ratio:.2f}x rg")
    wall([script, "find", name], env=env)  # keep the answer again for the next bench run


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


def forget_answers(index: Path) -> None:
    """Remove the kept answers: files beside the index, or (a codewalk that kept them in
    the index) its table's rows; a codewalk before the quick path has none."""
    shutil.rmtree(index.with_name("answers"), ignore_errors=True)
    connection = sqlite3.connect(index, isolation_level=None)
    try:
        with contextlib.suppress(sqlite3.OperationalError):
            connection.execute("DELETE FROM answers")
    finally:
        connection.close()  # open, it would hold the log and change the index's files later


_INDEX_PACKAGES = ("codewalk.workspace", "codewalk.index", "codewalk.resolve")
_INDEX_MODULES = {
    "codewalk.cli.commands.find",
    "codewalk.cli.common",
    "codewalk.render.highlight",
    "sqlite3",
    "sqlite3.dbapi2",
    "_sqlite3",
}


def import_breakdown(name: str, env: dict[str, str], index: Path) -> str:
    """Where a first-time warm find's import time goes (``-X importtime`` self times)."""
    import subprocess

    forget_answers(index)

    done = subprocess.run(
        [python(), "-X", "importtime", "-m", "codewalk", "find", name],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    groups = {"index+resolver (+sqlite3)": 0, "other codewalk": 0, "stdlib and the rest": 0}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, module = (part.strip() for part in line[len("import time:") :].split("|"))
        if module in _INDEX_MODULES or module.startswith(_INDEX_PACKAGES):
            groups["index+resolver (+sqlite3)"] += int(self_us)
        elif module.startswith("codewalk"):
            groups["other codewalk"] += int(self_us)
        else:
            groups["stdlib and the rest"] += int(self_us)
    shown = ", ".join(f"{group} {us / 1000:.0f} ms" for group, us in groups.items())
    return f"imports of a first-time warm find ({name}): {shown}"


if __name__ == "__main__":
    main(
        [a for a in sys.argv[1:] if not a.startswith("--")]
        or ["ForCausalLMLoss", "LlamaForCausalLM.generate"]
    )
