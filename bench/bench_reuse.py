"""How much of a second version's index could sub-file reuse save? The floor, measured.

    python bench/bench_reuse.py [OLD] [NEW]      (default: 5.22.0 5.23.0, transformers)

codewalk reuses a file's facts when its content (git blob) was indexed before. Between
two releases many files differ by a little; reusing facts *per top-level definition*
would still have to read and hash every file and parse every changed one with
``ast.parse`` (the definitions of a changed file are only known once it is parsed). This
script measures, in one process, over the files of OLD whose content NEW does not have:

- how many there are, and how many of their top-level definitions are unchanged
  (same source text at the same path in NEW), i.e. what per-definition reuse could skip;
- the time to extract them in full (what codewalk does today) and the time just to
  ``ast.parse`` them (the floor of any per-definition reuse), against the time to
  extract every file of OLD cold.

Both versions are fetched the way codewalk fetches any version, into the bench cache.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import hashlib
import os
import sys
import time
from pathlib import Path

from _common import BENCH_HOME


def segments(source: bytes) -> dict[str, str]:
    """Top-level statements of a module by a key (``def name``, ``class name``, or the
    statement's first line), each with its source text."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    lines = source.decode("utf-8", errors="replace").split("\n")
    found: dict[str, str] = {}
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
        segment = "\n".join(lines[first - 1 : node.end_lineno or node.lineno])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            key = f"{type(node).__name__} {node.name}"
        else:
            key = segment.split("\n", 1)[0]
        found[key] = segment
    return found


def timed(function, items):  # type: ignore[no-untyped-def]
    gc.disable()
    started = time.perf_counter()
    for item in items:
        function(item)
    elapsed = time.perf_counter() - started
    gc.enable()
    return elapsed


def main(old: str, new: str) -> None:
    os.environ["CODEWALK_HOME"] = str(BENCH_HOME)
    from codewalk import locations
    from codewalk.index.extract import extract
    from codewalk.index.indexer import list_files
    from codewalk.index.rows import fact_rows
    from codewalk.source.pins import load_pins
    from codewalk.source.reporter import Reporter
    from codewalk.source.sync import ensure_checkout

    pin = load_pins(locations.pins_path())["transformers"]
    old_co = ensure_checkout(pin.at(old), mode="release", reporter=Reporter()).checkout
    new_co = ensure_checkout(pin.at(new), mode="release", reporter=Reporter()).checkout

    def read(co, path: str) -> bytes:  # type: ignore[no-untyped-def]
        return Path(co.root, path).read_bytes()

    old_files = {path: read(old_co, path) for path, _, _ in list_files(old_co)}
    new_files = {path: read(new_co, path) for path, _, _ in list_files(new_co)}
    known = {hashlib.sha1(data, usedforsecurity=False).digest() for data in new_files.values()}
    changed = [
        p for p, d in old_files.items() if hashlib.sha1(d, usedforsecurity=False).digest() not in known
    ]
    kept = total = 0
    for path in changed:
        if path in new_files:
            before, after = segments(old_files[path]), segments(new_files[path])
            total += len(before)
            kept += sum(1 for key, text in before.items() if after.get(key) == text)
        else:
            total += len(segments(old_files[path]))
    changed_bytes = sum(len(old_files[p]) for p in changed)
    all_bytes = sum(len(d) for d in old_files.values())
    print(
        f"{old} after {new}: {len(changed)} of {len(old_files)} files differ "
        f"({changed_bytes / all_bytes:.0%} of the bytes)"
    )
    print(f"top-level definitions of those files unchanged: {kept} of {total} ({kept / max(total, 1):.0%})")

    def full(path: str) -> None:
        fact_rows(extract(old_files[path]))

    def parse(path: str) -> None:
        with contextlib.suppress(SyntaxError, ValueError):
            ast.parse(old_files[path])

    def hashing(path: str) -> None:
        data = old_files[path]
        hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).digest()

    cold = min(timed(full, list(old_files)) for _ in range(3))
    today = min(timed(full, changed) for _ in range(3))
    floor_parse = min(timed(parse, changed) for _ in range(3))
    floor_hash = min(timed(hashing, list(old_files)) for _ in range(3))
    print(f"extract every file of {old} (cold, one process):  {cold:6.2f} s")
    print(f"extract the changed files in full (today):        {today:6.2f} s  {today / cold:4.0%} of cold")
    floor = floor_parse + floor_hash
    print(f"hash every file + ast.parse the changed (floor):  {floor:6.2f} s  {floor / cold:4.0%} of cold")


if __name__ == "__main__":
    names = [a for a in sys.argv[1:] if not a.startswith("-")]
    main(*(names or ["5.22.0", "5.23.0"]))
