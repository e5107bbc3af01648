"""Full index of ``src/transformers`` against stdlib ``ast`` and universal-ctags, and the
index of a second version (5.22.0) after the pinned one, against that version cold, in
one run.

    python bench/bench_index.py

The previous release is fetched once into the bench cache the way codewalk fetches any
version (``transformers@5.22.0``). Prints seconds and ratios (targets: cold <= 45 s;
a second version: report its cost against cold).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from _common import ast_baseline, checkout

PREVIOUS = "transformers==5.22.0"


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


def previous_release() -> object:
    """The previous release's checkout, fetched like ``--at transformers@5.22.0``."""
    from codewalk import locations
    from codewalk.source.pins import load_pins
    from codewalk.source.sync import ensure_checkout

    pin = load_pins(locations.pins_path())["transformers"].at(PREVIOUS.partition("==")[2])
    return ensure_checkout(pin, mode="release").checkout


def main() -> None:
    from codewalk.index.indexer import index_all, list_files
    from codewalk.index.store import Store

    current = checkout()
    previous = previous_release()
    files = [str(current.root / path) for path, _, _ in list_files(current)]
    lines = sum(Path(f).read_bytes().count(b"\n") for f in files)
    print(f"{len(files)} files, {lines / 1e6:.2f} M lines ({current.version}); 2 workers")

    ctags = ctags_baseline(current.root)
    ast_s = ast_baseline(files)
    with tempfile.TemporaryDirectory() as scratch:
        alone = Store.open(Path(scratch) / "previous-alone.sqlite3")
        cold_previous = index_all(alone, previous, workers=2)  # type: ignore[arg-type]
        alone.close()
        store = Store.open(Path(scratch) / "index.sqlite3")
        cold = index_all(store, current, workers=2)
        moved = index_all(store, previous, workers=2)  # type: ignore[arg-type]
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
    print(f"{PREVIOUS} cold, alone: {cold_previous.seconds:.2f} s ({cold_previous.parsed} parsed)")
    print(
        f"{PREVIOUS} after the pin: {moved.seconds:.2f} s ({moved.parsed} parsed, {moved.reused} unchanged); "
        f"{moved.seconds / cold_previous.seconds:.0%} of {PREVIOUS} cold"
    )
    print(
        f"move pin back (all known): {back.seconds:.2f} s ({back.parsed} parsed); "
        f"{back.seconds / cold.seconds:.0%} of cold"
    )
    print(f"index database: {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
