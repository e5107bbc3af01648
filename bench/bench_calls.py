"""Call facts: ``codewalk calls Trainer.train`` cold and warm, the full pass over the
tree against ``ast.parse`` of the same files, and ``index --calls`` against plain
``index`` (the symbol index must not wait for call facts).

    .venv/bin/python bench/bench_calls.py [--part calls|tree|index|all]

Uses the bench cache (CODEWALK_BENCH_HOME, default /tmp/codewalk-bench); ``calls`` and
``tree`` need ``codewalk index`` to have run there. Figures are seconds and ratios
against baselines run in the same session: ``python -c pass`` and a warm ``find`` for
the command, stdlib ``ast`` on two processes for the tree.

- calls: the call facts table is emptied, then ``calls Trainer.train`` runs once
  (cold: libcst imported, the body analysed) and five more times (warm: read back).
- tree: every function, method and property body of the checkout analysed, as
  ``index --calls`` does (2 workers), against ``ast.parse`` of the files they are in.
- sample: a sample of files, each parsed by ``ast`` then its bodies analysed, back
  to back in one process (a ratio that the machine's other work does not skew).
- index: plain ``codewalk index`` and ``codewalk index --calls``, each into a fresh
  index database; the symbol part of both is the same work.
"""

from __future__ import annotations

import argparse
import ast
import multiprocessing
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from _common import BENCH_HOME, bench_env, bench_index, checkout, median_of, python, wall


def _empty_call_facts(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TABLE IF EXISTS callfacts")


def part_calls() -> None:
    env = bench_env()
    cw = [python(), "-m", "codewalk"]
    baseline = median_of(5, lambda: wall([python(), "-c", "pass"], env=env))
    find = median_of(5, lambda: wall([*cw, "find", "Trainer.train"], env=env))
    _empty_call_facts(bench_index())
    cold = wall([*cw, "calls", "Trainer.train"], env=env)
    warm = median_of(5, lambda: wall([*cw, "calls", "Trainer.train"], env=env))
    print("calls Trainer.train, whole process:")
    print(f"  python -c pass      {baseline:6.2f} s")
    print(f"  find Trainer.train  {find:6.2f} s  ({find / baseline:.1f}x python)")
    print(f"  calls, cold         {cold:6.2f} s  ({cold / baseline:.1f}x python, {cold / find:.1f}x find)")
    print(f"  calls, warm         {warm:6.2f} s  ({warm / baseline:.1f}x python, {warm / find:.1f}x find)")


def _parse(path: str) -> None:
    ast.parse(Path(path).read_bytes())


def part_tree() -> None:
    from codewalk.calls.cache import CallFactsTable
    from codewalk.calls.fullpass import index_calls, plan
    from codewalk.index.store import Store
    from codewalk.workspace.workspace import Workspace

    co = checkout()
    db = bench_index()
    _empty_call_facts(db)
    with Workspace.open(co, Store.open(db)) as ws:
        if not ws.fully_indexed:
            raise SystemExit("run `codewalk index` in the bench cache first")
        jobs, _known = plan(ws.store, ws.snap, CallFactsTable(ws.store.db))
        files = [str(co.root / job.path) for job in jobs]
        bodies = sum(len(job.spans) for job in jobs)
        lines = sum(last - first + 1 for job in jobs for _, _, first, last, _ in job.spans)
        started = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(2) as pool:
            pool.map(_parse, files, chunksize=16)
        ast_seconds = time.perf_counter() - started
        report = index_calls(ws.store, ws.snap, co, workers=2)
    per_body = report.seconds / max(1, bodies) * 2000  # two workers: ms of one core per body
    print(f"call facts of the whole tree: {bodies} bodies ({lines} lines) in {len(files)} files")
    print(f"  ast.parse of those files, 2 processes  {ast_seconds:7.1f} s")
    print(f"  call facts, 2 workers                  {report.seconds:7.1f} s")
    print(f"  ratio {report.seconds / ast_seconds:.0f}x; {per_body:.1f} ms a body on one core")
    print(f"  {report.failed} bodies do not parse on their own")


def part_sample(count: int = 150) -> None:
    """The ratio on a sample of files, each parsed by ``ast`` then its bodies analysed,
    back to back in one process: a ratio the machine's other work does not skew."""
    import random

    from codewalk.calls.extract import call_facts
    from codewalk.index.store import Store
    from codewalk.workspace.workspace import Workspace

    co = checkout()
    with Workspace.open(co, Store.open(bench_index())) as ws:
        files = [row for row in ws.store.files(ws.snap) if row.blob is not None]
        chosen = random.Random(0).sample(files, min(count, len(files)))
        parse = facts = 0.0
        bodies = 0
        for row in chosen:
            data = (co.root / row.path).read_bytes()
            started = time.perf_counter()
            ast.parse(data)
            parse += time.perf_counter() - started
            lines = data.decode("utf-8", errors="replace").splitlines(keepends=True)
            for d in ws.store.defs_of(row.blob):
                if d.kind in ("function", "method", "property"):
                    text = "".join(lines[d.start_line - 1 : d.end_line])
                    started = time.perf_counter()
                    call_facts(text, d.start_line, method=bool(d.parent))
                    facts += time.perf_counter() - started
                    bodies += 1
    print(f"sample of {len(chosen)} files ({bodies} bodies), one process, each file then its bodies:")
    print(f"  ast.parse {parse:6.2f} s, call facts {facts:6.2f} s: {facts / parse:.1f}x")
    print(f"  {facts / max(1, bodies) * 1000:.1f} ms a body")


def part_index() -> None:
    env = bench_env()
    home = Path(tempfile.mkdtemp(prefix="codewalk-bench-index-"))
    try:
        (home / "sources").symlink_to(BENCH_HOME / "sources", target_is_directory=True)
        env = {**env, "CODEWALK_HOME": str(home)}
        cw = [python(), "-m", "codewalk", "index"]
        plain, plain_out = _timed(cw, env)
        next(home.glob("index-*.sqlite3")).unlink()
        with_calls, calls_out = _timed([*cw, "--calls"], env)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print("codewalk index into a fresh database, whole process:")
    print(f"  plain            {plain:7.1f} s   | {plain_out[0]}")
    print(f"  --calls          {with_calls:7.1f} s   | {calls_out[0]}")
    print(f"                              | {calls_out[-1]}")


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, list[str]]:
    import subprocess

    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done.stdout.strip().splitlines() or [done.stderr.strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=("calls", "tree", "sample", "index", "all"), default="all")
    part = parser.parse_args().part
    if part in ("calls", "all"):
        part_calls()
    if part in ("tree", "all"):
        part_tree()
    if part in ("sample", "all"):
        part_sample()
    if part in ("index", "all"):
        part_index()


if __name__ == "__main__":
    main()
