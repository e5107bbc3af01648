"""Traces on disk: one JSON file per trace under the cache (``locations.traces_dir``).

A trace file carries its format version; one that is not JSON, of another format, or
whose records do not hold together (a node naming a function that is not there) is
refused in one line naming it, never half-read. Names are validated: a name is a file
name, never a path. The caller writes the text :func:`encode` gives through the
project's atomic writer, so a reader never sees half a trace.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, NamedTuple

from codewalk import locations
from codewalk.errors import TraceError
from codewalk.traces.model import LOCAL, RELEASE, Function, Node, Other, RepoRun, Trace

FORMAT = 1
SUFFIX = ".json"
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
LIMIT = 512 << 20  # no trace of a real run comes near; a device or a runaway file is not read whole


def check_name(name: str) -> str:
    """``name`` if it can name a trace (letters, digits, '.', '_', '-'; at most 100)."""
    if not _NAME_RE.fullmatch(name) or name.endswith(SUFFIX):
        raise TraceError(
            f"{name!r} cannot name a trace: use letters, digits, '.', '_' and '-' (at most 100), "
            "starting with a letter or digit"
        )
    return name


def default_name(program: str, when: float | None = None) -> str:
    """``generate-20250101-120000``: the program's stem and the time it ran."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(program).stem.rsplit(".", 1)[-1]).strip("-.") or "trace"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(when))
    return f"{stem[:60]}-{stamp}"


def path_of(name: str) -> Path:
    return locations.traces_dir() / f"{check_name(name)}{SUFFIX}"


class Listed(NamedTuple):
    name: str
    trace: Trace | None  # None: the file could not be read
    problem: str


def names() -> list[str]:
    directory = locations.traces_dir()
    try:
        found = [p.name[: -len(SUFFIX)] for p in directory.iterdir() if p.name.endswith(SUFFIX)]
    except OSError:
        return []
    return sorted(name for name in found if _NAME_RE.fullmatch(name))


def listing() -> list[Listed]:
    """Every kept trace (most recent first), or why one cannot be read."""
    out: list[Listed] = []
    for name in names():
        try:
            out.append(Listed(name, load(name), ""))
        except TraceError as error:
            out.append(Listed(name, None, error.message))
    return sorted(out, key=lambda item: -(item.trace.started if item.trace else 0.0))


def delete(name: str) -> None:
    path = path_of(name)
    try:
        path.unlink()
    except FileNotFoundError:
        raise TraceError(f"no trace named {name!r}", hint=_known_hint()) from None
    except OSError as error:
        raise TraceError(f"trace {name!r}: cannot delete {path}: {error.strerror or error}") from None


def _known_hint() -> str:
    known = names()
    return f"the traces are: {', '.join(known[:10])}" if known else "record one: codewalk trace SCRIPT"


def load(name: str) -> Trace:
    path = path_of(name)
    try:
        data = locations.read_limited(path, LIMIT)
    except FileNotFoundError:
        raise TraceError(f"no trace named {name!r}", hint=_known_hint()) from None
    except locations.TooLarge:
        raise TraceError(f"trace {name!r} ({path}) is larger than any trace codewalk writes") from None
    except locations.NotRegular as error:
        raise TraceError(f"trace {name!r} ({path}) is {error}") from None
    except OSError as error:
        raise TraceError(f"trace {name!r}: cannot read {path}: {error.strerror or error}") from None
    return decode(data, f"trace {name!r} ({path})")


def encode(trace: Trace) -> str:
    record: dict[str, Any] = {
        "format": FORMAT,
        **{field: getattr(trace, field) for field in _SCALARS},
        "program": list(trace.program),
        "repos": [list(repo) for repo in trace.repos],
        "functions": [list(f) for f in trace.functions],
        "others": [list(o) for o in trace.others],
        "nodes": [list(n) for n in trace.nodes],
        "lines": [list(lines) for lines in trace.lines],
        "notes": list(trace.notes),
    }
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


_SCALARS = {
    "name": str,
    "module": bool,
    "cwd": str,
    "python": str,
    "executable": str,
    "engine": str,
    "started": float,
    "seconds": float,
    "ended": str,
    "status": int,
    "error": str,
}


def decode(data: bytes, where: str) -> Trace:
    """A trace from the bytes of its file; TraceError naming ``where`` and what is wrong."""
    try:
        record = json.loads(data)
    except (ValueError, RecursionError):
        raise TraceError(
            f"{where} is not a trace file (not JSON); delete it: codewalk traces --delete NAME"
        ) from None
    if not isinstance(record, dict):
        raise TraceError(f"{where} is not a trace file")
    version = record.get("format")
    if version != FORMAT:
        newer = isinstance(version, int) and version > FORMAT
        raise TraceError(
            f"{where} is of trace format {version!r}, and this codewalk reads format {FORMAT}",
            hint="a newer codewalk wrote it" if newer else "record it again with codewalk trace",
        )
    try:
        return _trace(record)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise TraceError(f"{where} is damaged: {error}") from None


def _typed(value: Any, kind: type, what: str) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{what} is not {kind.__name__}")
    return value


def _trace(record: dict[str, Any]) -> Trace:
    scalars = {field: _typed(record[field], kind, field) for field, kind in _SCALARS.items()}
    program = tuple(_typed(p, str, "program") for p in record["program"])
    repos = tuple(_repo(r) for r in record["repos"])
    functions = tuple(_function(f) for f in record["functions"])
    others = tuple(
        Other(_typed(o[0], str, "other"), _typed(o[1], str, "other"), _typed(o[2], int, "other"))
        for o in record["others"]
    )
    nodes = _nodes(record["nodes"], len(functions), len(others))
    lines = tuple(_ints(ls, "line") for ls in record["lines"])
    if len(lines) != len(functions):
        raise ValueError("the lines do not match the functions")
    notes = tuple(_typed(n, str, "note") for n in record["notes"])
    return Trace(
        program=program,
        repos=repos,
        functions=functions,
        others=others,
        nodes=nodes,
        lines=lines,
        notes=notes,
        **scalars,
    )


def _ints(values: list[Any], what: str) -> tuple[int, ...]:
    if {type(value) for value in values} - {int}:
        raise ValueError(f"a {what} is not a whole number")
    return tuple(values)


def _nodes(raw: list[Any], functions: int, others: int) -> tuple[Node, ...]:
    """The tree's nodes, each checked to name only what is there (node 0: the program)."""
    out: list[Node] = []
    for index, item in enumerate(raw):
        parent, line, function, via, calls, seconds = item
        if type(seconds) is int:
            seconds = float(seconds)
        if {type(parent), type(line), type(function), type(via), type(calls)} != {int} or type(
            seconds
        ) is not float:
            raise ValueError(f"node {index} is not numbers")
        if index == 0:
            if parent != -1 or function != -1:
                raise ValueError("no program node")
        elif not (0 <= parent < index and 0 <= function < functions and -1 <= via < others):
            raise ValueError(f"node {index} names what is not there")
        out.append(Node(parent, line, function, via, calls, seconds))
    if not out:
        raise ValueError("no program node")
    return tuple(out)


def _repo(r: list[Any]) -> RepoRun:
    repo, version, source, root, files, differs, why = r
    if source not in (RELEASE, LOCAL):
        raise ValueError(f"source {source!r}")
    return RepoRun(
        _typed(repo, str, "repo"),
        _typed(version, str, "version"),
        source,
        _typed(root, str, "root"),
        _typed(files, int, "files"),
        tuple(_typed(d, str, "path") for d in differs),
        _typed(why, str, "why"),
    )


def _function(f: list[Any]) -> Function:
    repo, path, module, name, line = f
    return Function(
        _typed(repo, str, "repo"),
        _typed(path, str, "path"),
        _typed(module, str, "module"),
        _typed(name, str, "name"),
        _typed(line, int, "line"),
    )
