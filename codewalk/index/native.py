"""Where compiled code is written: the Rust source (PyO3) behind a name a ``.pyi`` stub
declares, when the release carries it (maturin sdists do: ``bindings/python/src/*.rs``).

Read from the files' bytes with a few patterns, no Rust parser: a ``#[pyclass]`` struct
(by its Python ``name = "..."`` or its own name), a ``#[pyfunction]`` (or a ``#[pyo3(name
= "...")]``), and for a method a ``fn`` in a ``#[pymethods]`` block.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from codewalk.index.records import NativeDefinition

_SKIP_DIRS = {".git", "target", "node_modules", "__pycache__"}
_MAX_FILE = 2_000_000  # bytes: generated or vendored monsters are not what a reader wants
_ATTRIBUTE_WINDOW = 12  # lines between a #[pyclass(...)] and its struct


def rust_files(root: Path) -> list[str]:
    """Repo-relative paths of the ``.rs`` files under ``root`` (no symlinks followed)."""
    found: list[str] = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
        for name in sorted(names):
            if name.endswith(".rs"):
                found.append(Path(directory, name).relative_to(root).as_posix())
    return found


def find_native(root: Path, paths: list[str], name: str, kind: str) -> list[NativeDefinition]:
    """Where ``name`` (a class, function or method, by ``kind``) is implemented in the
    Rust files ``paths`` of the checkout at ``root``, best first."""
    found: list[NativeDefinition] = []
    for path in paths:
        try:
            full = root / path
            if full.is_symlink() or full.stat().st_size > _MAX_FILE:
                continue
            text = full.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            continue
        if "pyo3" not in text and "#[py" not in text:
            continue
        found.extend(_in_file(path, text.split("\n"), name, kind))
    return found


def _in_file(path: str, lines: list[str], name: str, kind: str) -> Iterator[NativeDefinition]:
    named = re.compile(r'\bname\s*=\s*"' + re.escape(name) + r'"')
    if kind == "class":
        struct = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?struct\s+(\w+)")
        for number, line in enumerate(lines):
            if "#[pyclass" not in line:
                continue
            window = lines[number : number + _ATTRIBUTE_WINDOW]
            by_name = any(named.search(w) for w in window)
            for offset, candidate in enumerate(window):
                match = struct.match(candidate)
                if match:
                    if by_name or match.group(1) == name:
                        shown = (
                            f'#[pyclass(name = "{name}")] struct {match.group(1)}'
                            if by_name
                            else (f"#[pyclass] struct {name}")
                        )
                        yield NativeDefinition(path, number + offset + 1, candidate.strip(), shown)
                    break
        return
    function = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?fn\s+(\w+)\s*[<(]")
    in_methods = kind == "method" and any("#[pymethods]" in line for line in lines)
    for number, line in enumerate(lines):
        match = function.match(line)
        if match is None:
            continue
        above = "\n".join(lines[max(0, number - 4) : number])
        renamed = bool(named.search(above)) and ("#[pyo3" in above or "#[pyfn" in above)
        if renamed or (match.group(1) == name and ("#[pyfunction" in above or in_methods)):
            how = f'fn {match.group(1)} (#[pyo3(name = "{name}")])' if renamed else f"fn {name}"
            yield NativeDefinition(path, number + 1, line.strip(), how)
