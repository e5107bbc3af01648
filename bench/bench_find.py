"""``codewalk find`` as a whole process, against ripgrep on the same tree, in one run.

    python bench/bench_find.py [NAME ...]      (default: ForCausalLMLoss LlamaForCausalLM.generate)

Uses the bench cache ($CODEWALK_BENCH_HOME, default /tmp/codewalk-bench): the pinned
checkout is synced and fully indexed first if needed. Prints medians and ratios:

- warm find (complete index) vs ``rg -c NAME src/transformers`` and ``python -c pass``;
- cold find (no index database at all: the lazy on-demand path) vs the 5 s target.
"""

from __future__ import annotations

import shutil
import sys

from _common import BENCH_HOME, bench_env, checkout, median_of, python, wall

RUNS = 9


def main(names: list[str]) -> None:
    co = checkout()
    env = bench_env()
    rg = shutil.which("rg")
    index = BENCH_HOME / "index.sqlite3"
    # Always: a complete index is only checked (~0.1 s); an index an older codewalk
    # built, or a lazy one, is completed, so that "warm" really is warm.
    wall([python(), "-m", "codewalk", "index", "transformers"], env=env)
    wall([python(), "-m", "codewalk", "find", names[0]], env=env)  # writes the bytecode caches
    base = median_of(RUNS, lambda: wall([python(), "-c", "pass"], env=env))
    print(f"transformers {co.version}, {co.root}")
    print(f"python -c pass: {base * 1000:.0f} ms")
    for name in names:
        find_argv = [python(), "-m", "codewalk", "find", name]
        warm = median_of(RUNS, lambda argv=find_argv: wall(argv, env=env))  # type: ignore[misc]
        line = f"find {name}: warm {warm * 1000:.0f} ms"
        if rg:
            rg_argv = [rg, "-c", name.rpartition(".")[2], "src/transformers"]
            grep = median_of(RUNS, lambda argv=rg_argv: wall(argv, cwd=co.root))  # type: ignore[misc]
            line += f"; ripgrep {grep * 1000:.0f} ms; ratio find/rg {warm / grep:.2f}"
        print(line + f"; python startup share {base / warm:.0%}")
    print(import_breakdown(names[0], env))
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


_INDEX_PACKAGES = ("codewalk.workspace", "codewalk.index", "codewalk.resolve")
_INDEX_MODULES = {
    "codewalk.cli.commands.find",
    "codewalk.cli.common",
    "codewalk.render.highlight",
    "sqlite3",
    "sqlite3.dbapi2",
    "_sqlite3",
}


def import_breakdown(name: str, env: dict[str, str]) -> str:
    """Where a warm find's import time goes (``-X importtime`` self times, one run)."""
    import subprocess

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
    return f"imports of a warm find ({name}): {shown}"


if __name__ == "__main__":
    main(
        [a for a in sys.argv[1:] if not a.startswith("--")]
        or ["ForCausalLMLoss", "LlamaForCausalLM.generate"]
    )
