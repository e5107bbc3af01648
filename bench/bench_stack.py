"""The whole pinned stack: sync time and size per pin, and the full index of every pin's
files against stdlib ``ast.parse`` of the same files on 2 processes and universal-ctags
over the same directories, in one run.

    python bench/bench_stack.py [--runs N]

Uses the bench cache ($CODEWALK_BENCH_HOME, default /tmp/codewalk-bench): pins missing
from it are synced first (timed, with their download size). Each index run starts from
an empty database (cold). Target (issue "Speed"): the stack's index <= 3x ast.parse.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import BENCH_HOME, ast_baseline


def ctags_baseline(dirs: list[Path]) -> float | None:
    if not Path("/usr/bin/ctags").exists():
        return None
    started = time.perf_counter()
    subprocess.run(
        ["/usr/bin/ctags", "-R", "-f", os.devnull, "--languages=Python", *map(str, dirs)],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    os.environ["CODEWALK_HOME"] = str(BENCH_HOME)
    os.environ.setdefault("CODEWALK_SOURCE", "release")
    from codewalk import locations
    from codewalk.index.indexer import index_all, list_files
    from codewalk.index.store import Store
    from codewalk.source import cached
    from codewalk.source.pins import load_pins
    from codewalk.source.reporter import Reporter
    from codewalk.source.sync import ensure_checkout

    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    pins = load_pins(locations.pins_path())
    checkouts = []
    print("pin                  sync      size   source")
    for pin in pins.values():
        before = cached.current(pin)
        started = time.perf_counter()
        outcome = ensure_checkout(pin, reporter=Reporter())
        seconds = time.perf_counter() - started
        tree = outcome.checkout.root
        size = sum(f.stat().st_size for f in tree.rglob("*") if f.is_file() and ".git" not in f.parts)
        when = f"{seconds:6.1f} s" if before is None else "cached  "
        print(f"{pin.name:<20} {when} {size / 1e6:6.1f} MB  {outcome.checkout.label}")
        checkouts.append(outcome.checkout)
    files: list[str] = []
    dirs: list[Path] = []
    for co in checkouts:
        files += [str(co.root / path) for path, _, _ in list_files(co)]
        dirs += [co.package_dir() / package for package in co.packages]
    lines = sum(Path(f).read_bytes().count(b"\n") for f in files)
    print(f"\n{len(files)} files, {lines / 1e6:.2f} M lines in {len(checkouts)} pins; 2 workers; {runs} runs")
    asts, ctags, indexes = [], [], []
    for _ in range(runs):  # interleaved, so that load on the machine hits each alike
        asts.append(ast_baseline(files))
        found = ctags_baseline(dirs)
        if found is not None:
            ctags.append(found)
        with tempfile.TemporaryDirectory() as scratch:
            store = Store.open(Path(scratch) / "index.sqlite3")
            started = time.perf_counter()
            for co in checkouts:
                index_all(store, co, workers=2)
            indexes.append(time.perf_counter() - started)
            store.close()

    def show(name: str, values: list[float]) -> str:
        low, mid, high = min(values), statistics.median(values), max(values)
        return f"{name:<34} min {low:6.2f} s  median {mid:6.2f} s  max {high:6.2f} s"

    print(show("stdlib ast.parse, 2 processes", asts))
    if ctags:
        print(show("universal-ctags -R", ctags))
    print(show("codewalk full index, cold", indexes))
    ratio = statistics.median(indexes) / statistics.median(asts)
    print(f"ratio index / ast.parse: {ratio:.2f}x (target <= 3x)")
    if ctags:
        print(f"ratio index / ctags: {statistics.median(indexes) / statistics.median(ctags):.1f}x")


if __name__ == "__main__":
    main()
