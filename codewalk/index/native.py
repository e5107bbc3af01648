"""Where compiled code is written: the Rust source (PyO3) behind a name a ``.pyi`` stub
declares, when the release carries it (maturin sdists do: ``bindings/python/src/*.rs``).

Read from the files' bytes with a few patterns, no Rust parser: a ``#[pyclass]`` struct
(by its Python ``name = "..."`` or its own name), a ``#[pyfunction]`` (or a ``#[pyo3(name
= "...")]``), and for a method a ``fn`` in the ``#[pymethods] impl`` block of the struct
its stub's class is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import NamedTuple

from codewalk.index.records import NativeDefinition

_SKIP_DIRS = {".git", "target", "node_modules", "__pycache__"}
_MAX_FILE = 2_000_000  # bytes: generated or vendored monsters are not what a reader wants
_ATTRIBUTE_WINDOW = 12  # lines between a #[pyclass(...)] and its struct
_MAX_ATTRIBUTES = 30  # lines above a fn where its #[pyfunction], #[new] or #[pyo3(name = ...)] is looked for
_IMPL_WINDOW = 4  # lines between a #[pymethods] and its impl
_STRUCT = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?struct\s+(\w+)")
_FUNCTION = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?fn\s+(\w+)\s*[<(]")
_IMPL = re.compile(r"^\s*impl\s*(?:<[^>]*>)?\s*(\w+)")
_NAMED = re.compile(r'\bname\s*=\s*"(\w+)"')
_MODULE = re.compile(r'\bmodule\s*=\s*"([\w.]+)"')
_ACCESSOR = re.compile(r"#\[(getter|setter)(?:\((\w+)\))?\]")  # #[getter] fn get_x, #[getter(x)]
# a string or char literal (a lifetime 'a has no closing quote), then a line comment:
# what a brace or semicolon in them says is not code
_LITERAL = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])\'')
_MAX_ITEM = 400  # lines of a Rust item shown at most (its end found by counting braces)


class _Block(NamedTuple):
    """A ``#[pymethods] impl TYPE`` block: 0-based first line, 1-based last."""

    type: str
    start: int
    end: int


def rust_files(root: Path) -> list[str]:
    """Repo-relative paths of the ``.rs`` files under ``root`` (no symlinks followed)."""
    found: list[str] = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
        for name in sorted(names):
            if name.endswith(".rs"):
                found.append(Path(directory, name).relative_to(root).as_posix())
    return found


@cache
def _lines(root: Path, path: str) -> tuple[str, ...]:
    """The lines of a PyO3 source file (none: not one, or unreadable). Read once per
    process: a release's checkout does not change under its reader."""
    try:
        full = root / path
        if full.is_symlink() or full.stat().st_size > _MAX_FILE:
            return ()
        text = full.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ()
    return tuple(text.split("\n")) if "pyo3" in text or "#[py" in text else ()


@cache
def _blocks(root: Path, path: str) -> tuple[_Block, ...]:
    """The ``#[pymethods] impl`` blocks of a file."""
    lines = _lines(root, path)
    found: list[_Block] = []
    for number, line in enumerate(lines):
        if "#[pymethods]" not in line:
            continue
        for offset, candidate in enumerate(lines[number + 1 : number + 1 + _IMPL_WINDOW], number + 1):
            match = _IMPL.match(candidate)
            if match:
                found.append(_Block(match.group(1), offset, _end(lines, offset, len(lines))))
                break
    return tuple(found)


def find_native(
    root: Path, paths: list[str], name: str, kind: str, owner: str = "", module: str = ""
) -> list[NativeDefinition]:
    """Where ``name`` (a class, function or method, by ``kind``) of the stub of
    ``module`` is implemented in the Rust files ``paths`` of the checkout at ``root``,
    best first; a method, in the ``#[pymethods]`` of the struct exposed as its class
    ``owner``."""
    if kind == "class":
        return [found for path in paths for found in _classes(path, _lines(root, path), name, module)]
    if kind != "method":
        return [found for path in paths for found in _functions(path, _lines(root, path), name, 0, None)]
    # a struct's name is its file's: tokenizers has a PyByteLevel in each of four files,
    # each with its impl beside it
    classes = find_native(root, paths, owner, "class", module=module)
    structs = {(c.path, match.group(1)) for c in classes if (match := _STRUCT.match(c.text))}
    return [
        found
        for path in dict.fromkeys(path for path, _ in structs)
        for block in _blocks(root, path)
        if (path, block.type) in structs
        for found in _functions(path, _lines(root, path), name, block.start + 1, block.end)
    ]


def python_classes(root: Path, path: str, line: int) -> list[str] | None:
    """The Python names of the class whose ``#[pymethods] impl`` holds ``path:line``
    (1-based), as its struct in that file is exposed; None when no such block does (a
    free ``fn`` or a ``struct``)."""
    block = next((b for b in _blocks(root, path) if b.start < line <= b.end), None)
    if block is None:
        return None
    lines = _lines(root, path)
    names: list[str] = []
    for number, text in enumerate(lines):
        match = _STRUCT.match(text)
        if match and match.group(1) == block.type:
            names.extend(n for n in names_at(lines, number + 1) if n not in names)
    return names


def _classes(path: str, lines: Sequence[str], name: str, module: str) -> Iterator[NativeDefinition]:
    """The ``#[pyclass]`` structs exposed as ``name``; of ``module`` (when given), if
    their ``module = "..."`` says one (tokenizers has a ``ByteLevel`` in four modules)."""
    named = re.compile(r'\bname\s*=\s*"' + re.escape(name) + r'"')
    for number, line in enumerate(lines):
        if "#[pyclass" not in line:
            continue
        window = lines[number : number + _ATTRIBUTE_WINDOW]
        declared = _MODULE.findall("\n".join(window))[:1]
        if module and declared and declared[0] != module:
            continue
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


def _functions(
    path: str, lines: Sequence[str], name: str, start: int, end: int | None
) -> Iterator[NativeDefinition]:
    """The ``fn`` exposed as ``name`` among the items of lines ``start`` (0-based) to
    ``end`` (a method block's; None: the whole file, where a free fn needs its
    ``#[pyfunction]``). A fn nested in a method's body is no method; one nested in a
    ``#[pymodule]`` fn may be a function (the old ``#[pyfn(m)]`` style)."""
    number = start
    while number < (len(lines) if end is None else end):
        match = _FUNCTION.match(lines[number])
        if match is None:
            number += 1
            continue
        attributes = _attributes(lines, number)
        exposed, because = _exposed(attributes, match.group(1))
        last = _end(lines, number)
        if exposed == name and (end is not None or because or "#[pyfunction" in attributes):
            how = f"fn {match.group(1)}" + (f" ({because})" if because else "")
            yield NativeDefinition(path, number + 1, lines[number].strip(), how, last)
        number = max(last, number + 1) if end is not None else number + 1


def _attributes(lines: Sequence[str], number: int) -> str:
    """The attributes above the item at 0-based ``number`` (not its doc comment): the
    lines after the previous item's end or its block's opening (a ``#[pyo3(...)]`` may
    span several, as tokenizers' ``signature = ...`` ones do)."""
    first = number
    while first > max(0, number - _MAX_ATTRIBUTES):
        text = lines[first - 1].strip()
        if not text.startswith("//") and (not text or text.endswith(("{", "}", ";"))):
            break
        first -= 1
    return "\n".join(text for text in lines[first:number] if not text.strip().startswith("//"))


def _exposed(attributes: str, fn: str) -> tuple[str, str]:
    """The Python name of the ``fn`` under ``attributes``, and the attribute that makes
    it not the fn's own ("": none does)."""
    if "#[new]" in attributes:
        return "__new__", "#[new]"
    renamed = _NAMED.findall(attributes) if "#[pyo3" in attributes or "#[pyfn" in attributes else []
    if renamed:
        return renamed[-1], f'#[pyo3(name = "{renamed[-1]}")]'
    accessor = _ACCESSOR.search(attributes)
    if accessor is not None:
        kind, given = accessor.groups()
        return given or fn.removeprefix(f"{kind[:3]}_"), f"#[{kind}]"
    return fn, ""


def names_at(lines: Sequence[str], line: int) -> list[str]:
    """The Python names the Rust ``fn`` or ``struct`` at ``line`` (1-based) may be exposed
    as ([] when the line starts no such item): a fn's (:func:`_exposed`), a struct's
    ``name = "..."`` in the attributes above it, then its own name."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    function = _FUNCTION.match(text)
    if function is not None:
        return [_exposed(_attributes(lines, line - 1), function.group(1))[0]]
    match = _STRUCT.match(text)
    if match is None:
        return []
    renamed = _NAMED.findall("\n".join(lines[max(0, line - 1 - _ATTRIBUTE_WINDOW) : line - 1]))
    return list(dict.fromkeys([*renamed[-1:], match.group(1)]))


def _end(lines: Sequence[str], start: int, most: int = _MAX_ITEM) -> int:
    """The 1-based last line of the item starting at 0-based ``start``: where its braces
    close (``pub struct PyBPE {}``: its own line), or its ``;`` before any brace (one
    outside brackets: ``x: [u8; 4]`` in a signature ends nothing), looked for in ``most``
    lines (an impl block's fns are all of it: tokenizers' ``PyTokenizer`` has 900 lines)."""
    braces, nesting, opened = 0, 0, False
    for number in range(start, min(len(lines), start + most)):
        for char in _LITERAL.sub('""', lines[number]).split("//")[0]:
            if char in "([":
                nesting += 1
            elif char in ")]":
                nesting -= 1
            elif char == "{":
                braces, opened = braces + 1, True
            elif char == "}":
                braces -= 1
            elif char == ";" and not opened and nesting <= 0:
                return number + 1
        if opened and braces <= 0:
            return number + 1
    return start + 1
