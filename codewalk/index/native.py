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
_FN_ATTRIBUTES = 4  # lines above a fn where its #[pyfunction] or #[pyo3(name = ...)] is looked for
_STRUCT = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?struct\s+(\w+)")
_FUNCTION = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?fn\s+(\w+)\s*[<(]")
_NAMED = re.compile(r'\bname\s*=\s*"(\w+)"')
_MAX_ITEM = 400  # lines of a Rust item shown at most (its end found by counting braces)


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
        for number, line in enumerate(lines):
            if "#[pyclass" not in line:
                continue
            window = lines[number : number + _ATTRIBUTE_WINDOW]
            by_name = any(named.search(w) for w in window)
            for offset, candidate in enumerate(window):
                match = _STRUCT.match(candidate)
                if match:
                    if by_name or match.group(1) == name:
                        shown = (
                            f'#[pyclass(name = "{name}")] struct {match.group(1)}'
                            if by_name
                            else (f"#[pyclass] struct {name}")
                        )
                        start = number + offset
                        yield NativeDefinition(path, start + 1, candidate.strip(), shown, _end(lines, start))
                    break
        return
    in_methods = kind == "method" and any("#[pymethods]" in line for line in lines)
    for number, line in enumerate(lines):
        match = _FUNCTION.match(line)
        if match is None:
            continue
        above = "\n".join(lines[max(0, number - _FN_ATTRIBUTES) : number])
        renamed = bool(named.search(above)) and ("#[pyo3" in above or "#[pyfn" in above)
        if renamed or (match.group(1) == name and ("#[pyfunction" in above or in_methods)):
            how = f'fn {match.group(1)} (#[pyo3(name = "{name}")])' if renamed else f"fn {name}"
            yield NativeDefinition(path, number + 1, line.strip(), how, _end(lines, number))


def names_at(lines: list[str], line: int) -> list[str]:
    """The Python names the Rust ``fn`` or ``struct`` at ``line`` (1-based) may be exposed
    as: a ``name = "..."`` in the attributes above it, then its own name ([] when the line
    starts no such item)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    match = _STRUCT.match(text)
    window = _ATTRIBUTE_WINDOW if match else _FN_ATTRIBUTES
    match = match or _FUNCTION.match(text)
    if match is None:
        return []
    renamed = _NAMED.findall("\n".join(lines[max(0, line - 1 - window) : line - 1]))
    return list(dict.fromkeys([*renamed[-1:], match.group(1)]))


def _end(lines: list[str], start: int) -> int:
    """The 1-based last line of the item starting at 0-based ``start``: where its braces
    close (``pub struct PyBPE {}``: its own line), or its ``;`` before any brace."""
    depth, opened = 0, False
    for number in range(start, min(len(lines), start + _MAX_ITEM)):
        code = lines[number].split("//")[0]  # a brace in a line comment does not count
        if not opened and ";" in code and "{" not in code:
            return number + 1
        depth += code.count("{") - code.count("}")
        opened = opened or "{" in code
        if opened and depth <= 0:
            return number + 1
    return start + 1
