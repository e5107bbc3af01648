"""Full index of ``src/transformers`` against stdlib ``ast`` and universal-ctags, and the
re-index after moving the pin to the previous release, in one run.

    python bench/bench_index.py [--previous PATH_TO_UNPACKED_5.22.x]

Without ``--previous``, the previous release's source distribution is fetched once with
``pip download --no-deps --no-binary :all: transformers==5.22.0`` into the bench cache.
Prints seconds and ratios (targets: cold <= 45 s; re-index <= 15 % of cold).
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from _common import BENCH_HOME, checkout, python

PREVIOUS = "transformers==5.22.0"


def _parse(path: str) -> int:
    import ast

    with open(path, "rb") as handle:
        data = handle.read()
    try:
        ast.parse(data)
    except SyntaxError:
        return 0
    return 1


def ast_baseline(files: list[str]) -> float:
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_parse, files, chunksize=16)
    return time.perf_counter() - started


def ctags_baseline(root: Path) -> float | None:
    if not Path("/usr/bin/ctags").exists():
        return None
    started = time.perf_counter()
    subprocess.run(
        ["/usr/bin/ctags", "-R", "-f", os.devnull, "--languages=Python", "src/transformers"],
        cwd=root,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def previous_release(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    name, _, version = PREVIOUS.partition("==")
    target = BENCH_HOME / "previous" / f"{name}-{version}"
    if target.exists():
        return target
    downloads = BENCH_HOME / "previous" / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            python(),
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            PREVIOUS,
            "-d",
            str(downloads),
        ],
        check=True,
    )
    archive = next(downloads.glob(f"{name}-{version}*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(target.parent, filter="data")
    return target


def main() -> None:
    from codewalk.index.indexer import index_all, list_files
    from codewalk.index.store import Store

    args = sys.argv[1:]
    explicit = args[args.index("--previous") + 1] if "--previous" in args else None
    current = checkout()
    previous = current._replace(
        root=previous_release(explicit), commit="bench-previous", release=PREVIOUS, tag="v5.22.0"
    )
    files = [str(current.root / path) for path, _, _ in list_files(current)]
    lines = sum(Path(f).read_bytes().count(b"\n") for f in files)
    print(f"{len(files)} files, {lines / 1e6:.2f} M lines ({current.version}); 2 workers")

    ctags = ctags_baseline(current.root)
    ast_s = ast_baseline(files)
    with tempfile.TemporaryDirectory() as scratch:
        store = Store.open(Path(scratch) / "index.sqlite3")
        cold = index_all(store, current, workers=2)
        moved = index_all(store, previous, workers=2)
        back = index_all(store, current, workers=2)
        size = (Path(scratch) / "index.sqlite3").stat().st_size
        store.close()
    print(f"stdlib ast.parse, 2 processes: {ast_s:.2f} s")
    if ctags is not None:
        print(f"universal-ctags -R: {ctags:.2f} s")
    print(
        f"codewalk cold full index: {cold.seconds:.2f} s "
        f"({cold.parsed} parsed, {len(cold.skipped)} skipped); "
        f"ratio to ast {cold.seconds / ast_s:.1f}x"
        + (f", to ctags {cold.seconds / ctags:.1f}x" if ctags else "")
        + f"; target 45 s ({cold.seconds / 45:.0%} of it)"
    )
    print(
        f"move pin to {PREVIOUS}: {moved.seconds:.2f} s ({moved.parsed} parsed, {moved.reused} unchanged); "
        f"{moved.seconds / cold.seconds:.0%} of cold (target <= 15%)"
    )
    print(
        f"move pin back (all known): {back.seconds:.2f} s ({back.parsed} parsed); "
        f"{back.seconds / cold.seconds:.0%} of cold"
    )
    print(f"index database: {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
