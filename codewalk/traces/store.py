"""Traces on disk: one file per trace under the cache (``locations.traces_dir``), named
by the trace (the file's name is the trace's name: a copy is a trace of its own).

A trace file is two lines of JSON: a summary (its format version, the program, how it
ended, the versions that ran, how many functions and calls), which is all ``traces``
reads to list it, then the records. One that is not that, of another format, or whose
records do not hold together (a node naming a function that is not there, a function of
a repository the trace does not name) is refused in one line naming it, never half-read.
Names are validated: a name is a file name, never a path. The caller writes the text
:func:`encode` gives through the project's atomic writer, so a reader never sees half a
trace.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from codewalk import locations
from codewalk.errors import TraceError, system_words
from codewalk.source.versions import valid_version
from codewalk.traces.model import LOCAL, PROGRAM, RELEASE, Function, Node, Other, RepoRun, Summary, Trace
from codewalk.visible import quoted

FORMAT = 3
# the formats this codewalk reads: 2 has no program's own functions, nor which calls raised
READS = (2, FORMAT)
# (a format 3 trace kept before the frames a call went through after its first were kept
# has no ``between``: it reads, naming the first alone)
SUFFIX = ".json"
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
LIMIT = 64 << 20  # a tiny llama's generate is 0.6 MiB: a runaway or planted file is not read whole
SUMMARY_LIMIT = 1 << 20  # the first line, where the summary is
_Read = TypeVar("_Read")


def check_name(name: str) -> str:
    """``name`` if it can name a trace (letters, digits, '.', '_', '-'; at most 100)."""
    if not _can_name(name):
        raise TraceError(
            f"{quoted(name, 110)} cannot name a trace: use letters, digits, '.', '_' and '-' (at most 100), "
            "starting with a letter or digit"
        )
    return name


def _can_name(name: str) -> bool:
    return bool(_NAME_RE.fullmatch(name)) and not name.endswith(SUFFIX)


def default_name(program: str) -> str:
    """``generate-20250101-120000``: the program's stem and the time it ran."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(program).stem.rsplit(".", 1)[-1]).strip("-.") or "trace"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{stem[:60]}-{stamp}"


def path_of(name: str) -> Path:
    return locations.traces_dir() / f"{check_name(name)}{SUFFIX}"


class Listed(NamedTuple):
    name: str
    summary: Summary | None  # None: the file could not be read
    problem: str


def names() -> list[str]:
    directory = locations.traces_dir()
    try:
        found = [p.name[: -len(SUFFIX)] for p in directory.iterdir() if p.name.endswith(SUFFIX)]
    except OSError:
        return []
    return sorted(name for name in found if _can_name(name))  # a file no name reaches is not listed


def listing() -> list[Listed]:
    """Every kept trace (most recent first), from its summary alone, or why one cannot be
    read."""
    out: list[Listed] = []
    for name in names():
        try:
            out.append(Listed(name, summary(name), ""))
        except TraceError as error:
            out.append(Listed(name, None, error.message))
    return sorted(out, key=lambda item: -(item.summary.started if item.summary else 0.0))


def delete(names: Sequence[str]) -> None:
    """Delete the traces ``names``: none unless each is there (a typo deletes nothing)."""
    paths = {name: path_of(name) for name in names}
    for name, path in paths.items():
        if not (path.is_symlink() or path.exists()):
            raise TraceError(f"no trace named {name!r}", hint=_known_hint())
    for name, path in paths.items():
        try:
            path.unlink()
        except FileNotFoundError:  # deleted meanwhile: as asked
            pass
        except OSError as error:
            raise TraceError(f"trace {name!r}: cannot delete {path}: {system_words(error)}") from None


def _known_hint() -> str:
    known = names()
    return f"the traces are: {', '.join(known[:10])}" if known else "record one: codewalk trace SCRIPT"


def load(name: str) -> Trace:
    path = path_of(name)
    data = _read(name, path, lambda: locations.read_limited(path, LIMIT))
    return decode(data, f"trace {name!r} ({path})", name)


def summary(name: str) -> Summary:
    """What trace ``name`` says of itself, from its first line."""
    path = path_of(name)
    where = f"trace {name!r} ({path})"
    start, end = _ends(name, path)
    head, _, _ = start.partition(b"\n")
    found = _summary(_header(head, where), where, name)
    if not end.endswith(b"}\n"):  # its records are one JSON object on the last line
        raise TraceError(f"{where} is damaged: it ends before its records do")
    return found


def _ends(name: str, path: Path) -> tuple[bytes, bytes]:
    """The start of a trace file (its summary) and its last bytes."""
    return _read(name, path, lambda: locations.read_start(path, SUMMARY_LIMIT, end=2))


def _read(name: str, path: Path, reading: Callable[[], _Read]) -> _Read:
    try:
        return reading()
    except FileNotFoundError:
        raise TraceError(f"no trace named {name!r}", hint=_known_hint()) from None
    except locations.TooLarge:
        raise TraceError(f"trace {name!r} ({path}) is larger than any trace codewalk writes") from None
    except locations.NotRegular as error:
        raise TraceError(f"trace {name!r} ({path}) is {error}") from None
    except OSError as error:
        raise TraceError(f"trace {name!r}: cannot read {path}: {system_words(error)}") from None


def encode(trace: Trace) -> str:
    """The two lines of a trace file: its summary, then its records."""
    head = trace.summary
    header: dict[str, Any] = {
        "format": FORMAT,
        **{field: getattr(head, field) for field in _SCALARS},
        "program": list(head.program),
        "repos": [list(repo) for repo in head.repos],
        "functions": head.functions,
        "calls": head.calls,
    }
    body: dict[str, Any] = {
        "cwd": trace.cwd,
        "executable": trace.executable,
        "functions": [list(f) for f in trace.functions],
        "others": [list(o) for o in trace.others],
        "nodes": [list(n) for n in trace.nodes],
        "lines": [list(lines) for lines in trace.lines],
        "notes": list(trace.notes),
        "wrappers": [list(pair) for pair in trace.wrappers],
        "passed": [list(pair) for pair in trace.passed],
        "between": [list(pair) for pair in trace.between],
        "processes": [list(started) for started in trace.processes],
        "imports": [list(imported) for imported in trace.imports],
        "own": [list(own) for own in trace.own],
        "own_dirs": list(trace.own_dirs),
        "imported": sorted(trace.imported),
        **({"direct": sorted(trace.direct)} if trace.direct is not None else {}),
    }
    # ASCII: a path or argument that is not UTF-8 is a lone surrogate, which UTF-8 cannot
    # write but a JSON escape can (and reads back as it was)
    lines = (json.dumps(part, separators=(",", ":")) for part in (header, body))
    return "".join(f"{line}\n" for line in lines)


_SCALARS = {
    "module": bool,
    "python": str,
    "engine": str,
    "started": float,
    "seconds": float,
    "ended": str,
    "status": int,
    "error": str,
}


def decode(data: bytes, where: str, name: str) -> Trace:
    """Trace ``name`` from the bytes of its file; TraceError naming ``where`` and what
    is wrong."""
    head, _, rest = data.partition(b"\n")
    header = _header(head, where)
    summary = _summary(header, where, name)
    try:
        body = json.loads(rest)
    except (ValueError, RecursionError):
        raise TraceError(f"{where} is damaged: its records are not JSON") from None
    if not isinstance(body, dict):
        raise TraceError(f"{where} is damaged: its records are not an object")
    try:
        trace = _trace(summary, body)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise TraceError(f"{where} is damaged: {error}") from None
    if len(trace.functions) != summary.functions:
        raise TraceError(f"{where} is damaged: its summary counts another number of functions")
    return trace


def _header(head: bytes, where: str) -> dict[str, Any]:
    try:
        header = json.loads(head)
    except (ValueError, RecursionError):
        raise TraceError(
            f"{where} is not a trace file (not JSON); delete it: codewalk traces --delete NAME"
        ) from None
    if not isinstance(header, dict):
        raise TraceError(f"{where} is not a trace file")
    version = header.get("format")
    if version not in READS or isinstance(version, bool):
        newer = isinstance(version, int) and version > FORMAT
        raise TraceError(
            f"{where} is of trace format {version!r}, and this codewalk reads formats "
            + " and ".join(map(str, READS)),
            hint="a newer codewalk wrote it" if newer else "record it again with codewalk trace",
        )
    return header


def _summary(header: dict[str, Any], where: str, name: str) -> Summary:
    try:
        scalars = {field: _typed(header[field], kind, field) for field, kind in _SCALARS.items()}
        _moment(scalars["started"])
        if scalars["seconds"] < 0:
            raise ValueError("seconds is negative")
        return Summary(
            name=name,
            program=tuple(_typed(p, str, "program") for p in header["program"]),
            repos=tuple(_repo(r) for r in header["repos"]),
            functions=_typed(header["functions"], int, "functions"),
            calls=_typed(header["calls"], int, "calls"),
            **scalars,
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise TraceError(f"{where} is damaged: {error}") from None


def _typed(value: Any, kind: type, what: str) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{what} is not {kind.__name__}")
    if isinstance(value, float) and not math.isfinite(value):  # Python's JSON reads NaN, Infinity and 1e999
        raise ValueError(f"{what} is not a finite number")
    return value


def _moment(started: float) -> None:
    """Refuse a start the clock cannot show: ``traces`` prints it as a date."""
    try:
        time.localtime(started)
    except (OverflowError, OSError, ValueError):
        raise ValueError("started is not a time") from None


def _trace(summary: Summary, body: dict[str, Any]) -> Trace:
    repos = {repo.repo for repo in summary.repos} | {PROGRAM}
    functions = tuple(_function(f, repos) for f in body["functions"])
    others = tuple(
        Other(_typed(o[0], str, "other"), _typed(o[1], str, "other"), _typed(o[2], int, "other"))
        for o in body["others"]
    )
    nodes = _nodes(body["nodes"], len(functions), len(others))
    lines = tuple(_ints(ls, "line") for ls in body["lines"])
    if len(lines) != len(functions):
        raise ValueError("the lines do not match the functions")
    wrappers = tuple(_pair(pair, len(functions)) for pair in body["wrappers"])
    # (a trace kept by an earlier codewalk has none: its roots name the wrapper as their caller)
    passed = tuple(_passed(pair, len(nodes), len(others)) for pair in body.get("passed", []))
    processes = tuple(_process(started, len(nodes)) for started in body.get("processes", []))  # likewise
    imports = tuple(_import(imported, len(nodes)) for imported in body.get("imports", []))  # likewise
    between = tuple(_passed(pair, len(nodes), len(others)) for pair in body.get("between", []))
    if list(between) != sorted(between, key=lambda pair: pair[0]):
        raise ValueError("the frames calls went through are not in the order of their nodes")
    own = tuple(_own(pair) for pair in body.get("own", []))  # format 2 has none
    if {f.path for f in functions if f.own} - {path for path, _ in own}:
        raise ValueError("a function of the program's names a file the trace does not")
    own_dirs = tuple(_own_dir(d) for d in body.get("own_dirs", []))  # none before -m's package was
    # none before the recorder said them
    imported = frozenset(_root(node, nodes) for node in _list(body.get("imported", [])))
    direct = body.get("direct")
    if direct is not None:
        direct = frozenset(_root(node, nodes, "a call said to be the program's") for node in _list(direct))
    said = {key: value for key, value in summary._asdict().items() if key not in ("functions", "calls")}
    return Trace(
        **said,  # what the summary line says: name, program, python, engine, how it ended, repos
        cwd=_typed(body["cwd"], str, "cwd"),
        executable=_typed(body["executable"], str, "executable"),
        functions=functions,
        others=others,
        nodes=nodes,
        lines=lines,
        notes=tuple(_typed(n, str, "note") for n in body["notes"]),
        wrappers=wrappers,
        passed=passed,
        between=between,
        processes=processes,
        imports=imports,
        own=own,
        own_dirs=own_dirs,
        imported=imported,
        direct=direct,
    )


def _own_dir(directory: Any) -> str:
    if not os.path.isabs(_typed(directory, str, "directory")):
        raise ValueError(f"the program's directory {directory!r} is not an absolute path")
    return str(directory)


def _own(pair: list[Any]) -> tuple[str, str]:
    path, blob = pair
    if not os.path.isabs(_typed(path, str, "path")) or not isinstance(blob, str):
        raise ValueError(f"the program's file {path!r} is not an absolute path with its blob")
    return path, blob


def _ints(values: list[Any], what: str) -> tuple[int, ...]:
    if {type(value) for value in values} - {int}:
        raise ValueError(f"a {what} is not a whole number")
    return tuple(values)


def _pair(pair: list[Any], functions: int) -> tuple[int, int]:
    wrapper, wrapped = _ints(pair, "wrapper")
    if not (0 <= wrapper < functions and 0 <= wrapped < functions):
        raise ValueError("a wrapper names a function that is not there")
    return wrapper, wrapped


def _passed(pair: list[Any], nodes: int, others: int) -> tuple[int, int]:
    node, other = _ints(pair, "wrapper")
    if not (0 < node < nodes and 0 <= other < others):
        raise ValueError("a wrapper of other code names what is not there")
    return node, other


def _root(node: Any, nodes: tuple[Node, ...], what: str = "a call said to run inside an import") -> int:
    if type(node) is not int or not 0 < node < len(nodes) or nodes[node].parent != 0:
        raise ValueError(f"{what} is not a root of the tree")
    return node


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("a list of the tree's roots is not a list")
    return value


def _process(started: list[Any], nodes: int) -> tuple[int, int, int]:
    node, line, count = _ints(started, "process start")
    if not (0 <= node < nodes and line >= 0 and count > 0):
        raise ValueError("a process start names what is not there")
    return node, line, count


def _import(imported: list[Any], nodes: int) -> tuple[int, int, str, int]:
    node, line, module, count = imported
    _ints([node, line, count], "module import")
    if not (0 < node < nodes and line > 0 and count > 0 and isinstance(module, str) and module):
        raise ValueError("a module import names what is not there")
    return node, line, module, count


def _nodes(raw: list[Any], functions: int, others: int) -> tuple[Node, ...]:
    """The tree's nodes, each checked to name only what is there (node 0: the program)."""
    out: list[Node] = []
    for index, item in enumerate(raw):
        parent, line, function, via, calls, seconds, *more = item  # format 2: no raised
        raised: Any = more[0] if len(more) == 1 else (0 if not more else None)
        if type(seconds) is int:
            seconds = float(seconds)
        if {type(parent), type(line), type(function), type(via), type(calls), type(raised)} != {int} or type(
            seconds
        ) is not float:
            raise ValueError(f"node {index} is not numbers")
        if calls < 0 or not (math.isfinite(seconds) and seconds >= 0) or not 0 <= raised <= calls:
            raise ValueError(f"node {index} has a negative or non-finite count")
        if index == 0:
            if parent != -1 or function != -1:
                raise ValueError("no program node")
        elif not (0 <= parent < index and 0 <= function < functions and -1 <= via < others):
            raise ValueError(f"node {index} names what is not there")
        out.append(Node(parent, line, function, via, calls, seconds, raised))
    if not out:
        raise ValueError("no program node")
    return tuple(out)


def _repo(r: list[Any]) -> RepoRun:
    repo, version, source, root, files, differs, why = r
    if source not in (RELEASE, LOCAL):
        raise ValueError(f"source {source!r}")
    if source == LOCAL and not os.path.isabs(_typed(root, str, "root")):
        raise ValueError(f"the installed copy of {repo!r} is not at an absolute path: {root!r}")
    if source == RELEASE and valid_version(_typed(version, str, "version")) is not None:
        # a release is fetched by its version: one no release has is no version to fetch
        raise ValueError(f"{repo!r} ran at {version!r}, which is not a release version")
    return RepoRun(
        _typed(repo, str, "repo"),
        _typed(version, str, "version"),
        source,
        _typed(root, str, "root"),
        _typed(files, int, "files"),
        tuple(_typed(d, str, "path") for d in differs),
        _typed(why, str, "why"),
    )


def _function(f: list[Any], repos: set[str]) -> Function:
    repo, path, module, name, line = f
    if repo not in repos:
        raise ValueError(f"a function of {repo!r}, a repository the trace does not name")
    return Function(
        _typed(repo, str, "repo"),
        _typed(path, str, "path"),
        _typed(module, str, "module"),
        _typed(name, str, "name"),
        _typed(line, int, "line"),
    )
