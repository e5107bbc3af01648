"""From what the recorder wrote to a :class:`~codewalk.traces.model.Trace`: every file
that ran mapped onto the exact source codewalk reads.

Each pinned repository that ran is read at the version its installed distribution's
metadata names (``REPO@VERSION``, fetched and verified as any other version), and every
file of it that ran is checked against that release's blob. When one differs (an
editable install, a local patch), or the release cannot be had, the repository is read
from the installed copy, as a local source, and the trace says why: a frame is never
shown on another file's lines.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from codewalk.errors import CodewalkError, TraceError
from codewalk.source.checkout import Checkout
from codewalk.source.integrity import blob_sha, recorded_blobs
from codewalk.source.pins import Pin
from codewalk.traces.model import LOCAL, PROGRAM, RELEASE, Function, Node, Other, RepoRun, Trace
from codewalk.traces.own import remote_base

Fetch = Callable[[Pin], Checkout]  # a pin at a version -> its verified checkout (may download)
_SHOWN_DIFFERENT = 3  # files named in the note of a repository read from its installed copy


def packages_of(pins: Mapping[str, Pin]) -> list[tuple[str, str]]:
    """``(import root, distribution)`` of every pin: what the recorder is told to record."""
    return [(package, pin.release_name) for pin in pins.values() for package in pin.packages]


def installed(raw: Mapping[str, Any]) -> bool:
    """Whether any pinned package is installed in the interpreter that wrote the
    recorder's output ``raw`` (found on its path, or its distribution's metadata), as it
    said before the program ran."""
    packages = raw.get("packages")
    entries = packages.values() if isinstance(packages, Mapping) else ()
    return any(
        isinstance(entry, Mapping) and bool(entry.get("dirs") or entry.get("version")) for entry in entries
    )


class _Located:
    """Which pinned package directory a file that ran is in."""

    def __init__(self, raw: Mapping[str, Any], owners: Mapping[str, Pin]) -> None:
        self.dirs: list[tuple[str, str]] = []  # (directory, import root), longest first
        for root, entry in raw.items():
            if root in owners:
                for directory in entry.get("dirs", []):
                    self.dirs.append((str(directory), root))
        self.dirs.sort(key=lambda item: -len(item[0]))

    def find(self, filename: str) -> tuple[str, str] | None:
        for candidate in (filename, os.path.realpath(filename)):
            for directory, root in self.dirs:
                if candidate.startswith(os.path.join(directory, "")):
                    return directory, root
        return None


def map_record(raw: Mapping[str, Any], pins: Mapping[str, Pin], name: str, fetch: Fetch) -> Trace:
    """The trace named ``name`` of the recorder's output ``raw``; TraceError when that is
    not what the recorder writes."""
    try:
        return _map(raw, pins, name, fetch)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise TraceError(f"the recorder's output is malformed: {error!r}") from None


def _map(raw: Mapping[str, Any], pins: Mapping[str, Pin], name: str, fetch: Fetch) -> Trace:
    owners = {package: pin for pin in pins.values() for package in pin.packages}
    packages: Mapping[str, Any] = raw["packages"]
    located = _Located(packages, owners)
    own = _Own(raw)
    placed, files = _placed(raw["codes"], located, owners, own)
    notes = _import_notes(raw.get("imported_from") or {}, packages)
    runs = {repo: _read_as(pins[repo], ran, packages, located, fetch) for repo, ran in sorted(files.items())}
    functions, lines_of, remap = _functions(placed, raw["lines"])
    others = tuple(Other(str(f), str(q), int(n)) for f, q, n in raw["others"])
    nodes = _nodes(raw["nodes"], remap)
    wrappers = {(remap[outer], remap[inner]) for outer, inner in raw["wraps"]}
    dropped = sum(1 for index, place in enumerate(placed) if place is None and index not in own.unused)
    if dropped:
        notes.append(f"{dropped} recorded functions are in no pinned package's directory")
    return Trace(
        name=name,
        program=tuple(str(p) for p in raw["program"]),
        module=bool(raw["module"]),
        cwd=str(raw["cwd"]),
        python=str(raw["python"]),
        executable=str(raw["executable"]),
        engine=str(raw["engine"]),
        started=float(raw["started"]),
        seconds=float(raw["seconds"]),
        ended=str(raw["ended"]),
        status=int(raw["status"]),
        error=str(raw["error"]),
        repos=tuple(runs.values()),
        functions=tuple(functions),
        others=others,
        nodes=tuple(nodes),
        lines=tuple(tuple(sorted(lines)) for lines in lines_of),
        notes=tuple(notes),
        wrappers=tuple(sorted((a, b) for a, b in wrappers if a >= 0 and b >= 0)),
        passed=tuple((int(node), int(other)) for node, other in raw["passed"]),
        # by node (a thread's call may have come between another's frames), each in order
        between=tuple(sorted(((int(n), int(o)) for n, o in raw.get("between", [])), key=lambda p: p[0])),
        processes=tuple((int(node), int(line), int(n)) for node, line, n in raw.get("processes", [])),
        imports=tuple(
            (int(node), int(line), str(module), int(n)) for node, line, module, n in raw.get("imports", [])
        ),
        own=own.blobs(functions),
        own_dirs=tuple(directory for directory, _ in own.dirs if directory),
        imported=frozenset(int(node) for node in raw.get("imported", [])),
        direct=frozenset(int(node) for node in raw["direct"]) if "direct" in raw else None,
    )


class _Own:
    """The program's own files that ran: which codes are, and the module each file is."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        learnt = {int(index) for index in raw.get("own", [])}
        called = {int(node[2]) for node in raw["nodes"][1:]}
        self.codes = learnt & called  # called under a recorded call: the program itself is not
        self.unused = learnt - called
        self.dir = str(raw.get("own_dir") or "")
        # each directory of the program's files, and where its modules are named from (a
        # trace recorded before ``-m``'s package was the program's has the one directory)
        dirs = raw.get("own_dirs") or [[self.dir, self.dir]]
        self.dirs = sorted(((str(d), str(base)) for d, base in dirs), key=lambda pair: -len(pair[0]))
        program = [str(p) for p in raw["program"]]
        self.script = "" if raw["module"] else os.path.join(str(raw["cwd"]), program[0])

    def base(self, filename: str) -> str:
        """The directory the module of the program's file ``filename`` is named from: that
        of the innermost of the program's directories holding it; for a model's remote
        code, ``HF_MODULES_CACHE`` (``transformers_modules.NAME.HASH.modeling_x``)."""
        remote = remote_base(filename)
        if remote is not None:
            return remote
        for directory, base in self.dirs:
            if filename.startswith(os.path.join(directory, "")):
                return base
        return self.dir

    def module(self, filename: str) -> str:
        """``__main__`` for the script; a file beside it by its path from there (a file of
        ``-m``'s package, by its path from the directory the package is in)."""
        if self.script and os.path.realpath(filename) == os.path.realpath(self.script):
            return "__main__"
        return _module(os.path.relpath(filename, self.base(filename)).replace(os.sep, "/"))

    @staticmethod
    def blobs(functions: Sequence[Function]) -> tuple[tuple[str, str], ...]:
        """Each of the program's files that ran with its blob id as it is now, when the
        run has just ended ("" when it cannot be read)."""
        found: dict[str, str] = {}
        for function in functions:
            if function.own and function.path not in found:
                try:
                    with open(function.path, "rb") as handle:
                        found[function.path] = blob_sha(handle.read())
                except OSError:
                    found[function.path] = ""
        return tuple(sorted(found.items()))


def _read_as(
    pin: Pin, ran: Mapping[str, str], packages: Mapping[str, Any], located: _Located, fetch: Fetch
) -> RepoRun:
    """How the files of ``pin`` that ran (``ran``) are read: at the installed version's
    release, or from the installed copy (an editable install says so)."""
    roots = [package for package in pin.packages if package in packages]
    version = next((str(packages[r]["version"]) for r in roots if packages[r].get("version")), "")
    directory = next(d for d, r in located.dirs if r in roots)
    run = _repo_run(pin, version, os.path.dirname(os.path.realpath(directory)), ran, fetch)
    if run.why and any(packages[r].get("editable") for r in roots):
        run = run._replace(why=f"an editable install; {run.why}")
    return run


def _nodes(recorded: Sequence[Any], remap: Sequence[int]) -> list[Node]:
    """The recorded tree's nodes, each naming its function (``remap``: code -> function);
    node 0 is the program."""
    nodes = [Node(-1, 0, -1, -1, 0, 0.0)]
    for parent, site, code, via, count, seconds, raised in recorded[1:]:
        function = remap[code]
        if function < 0:
            raise ValueError(f"a node of code {code} that is in no pinned package")
        nodes.append(
            Node(int(parent), int(site), function, int(via), int(count), float(seconds), int(raised))
        )
    return nodes


# (repo, directory, path from its parent, name, line, module); the program's own: PROGRAM,
# its directory, its absolute path
Placed = tuple[str, str, str, str, int, str]


def _placed(
    codes: Sequence[Any], located: _Located, owners: Mapping[str, Pin], own: _Own
) -> tuple[list[Placed | None], dict[str, dict[str, str]]]:
    """Where each recorded code is (None: in no pinned package), and the files that ran,
    by repository (path relative to its package directory's parent -> installed file)."""
    placed: list[Placed | None] = []
    files: dict[str, dict[str, str]] = {}
    for index, (filename, qualname, line) in enumerate(codes):
        if index in own.unused:
            placed.append(None)
            continue
        if index in own.codes:
            path = os.path.abspath(str(filename))
            placed.append((PROGRAM, own.base(path), path, str(qualname), int(line), own.module(path)))
            continue
        where = located.find(str(filename))
        if where is None:
            placed.append(None)
            continue
        directory, root = where
        repo = owners[root].name
        relative = os.path.relpath(os.path.realpath(filename), os.path.dirname(os.path.realpath(directory)))
        relative = relative.replace(os.sep, "/")
        files.setdefault(repo, {})[relative] = str(filename)
        placed.append((repo, directory, relative, str(qualname), int(line), _module(relative)))
    return placed, files


def _import_notes(imported_from: Mapping[str, Any], packages: Mapping[str, Any]) -> list[str]:
    """A package imported from somewhere other than where it is installed: not traced."""
    notes: list[str] = []
    for root, where in imported_from.items():
        expected = packages.get(root, {}).get("dirs", [])
        if where and sorted(where) != sorted(expected):
            installed = ", ".join(expected) or "where it is installed"
            notes.append(f"{root} was imported from {', '.join(where)}, not {installed}: not in the trace")
    return notes


def _functions(
    placed: Sequence[Placed | None], recorded_lines: Sequence[Any]
) -> tuple[list[Function], list[set[int]], list[int]]:
    """The functions that ran (one per place, however many codes), the lines each ran,
    and each recorded code's function (-1: in no pinned package)."""
    functions: list[Function] = []
    index_of: dict[Function, int] = {}
    remap: list[int] = []
    lines_of: list[set[int]] = []
    for place, lines in zip(placed, recorded_lines, strict=True):
        if place is None:
            remap.append(-1)
            continue
        repo, _directory, relative, qualname, line, module = place
        function = Function(repo, relative, module, qualname, line)
        index = index_of.get(function)
        if index is None:
            index = index_of[function] = len(functions)
            functions.append(function)
            lines_of.append(set())
        lines_of[index].update(int(n) for n in lines)
        remap.append(index)
    return functions, lines_of, remap


def _repo_run(pin: Pin, version: str, root: str, ran: Mapping[str, str], fetch: Fetch) -> RepoRun:
    """How ``pin``'s files that ran are read: at the release ``version`` when each is that
    release's blob, else from the installed copy under ``root``."""

    def local(why: str, differs: tuple[str, ...] = ()) -> RepoRun:
        return RepoRun(pin.name, version, LOCAL, root, len(ran), differs, why)

    if not version:
        return local(f"the installed {pin.release_name} has no version in its metadata")
    try:
        checkout = fetch(pin.at(version))
    except CodewalkError as error:
        return local(f"{pin.name} {version} cannot be had ({error.message})")
    recorded = recorded_blobs(checkout) or {}
    differs: list[str] = []
    for relative, installed in sorted(ran.items()):
        try:
            with open(installed, "rb") as handle:
                sha = blob_sha(handle.read())
        except OSError:
            differs.append(relative)
            continue
        if recorded.get(in_repo(checkout.package_root, relative)) != sha:
            differs.append(relative)
    if not differs:
        return RepoRun(pin.name, version, RELEASE, "", len(ran), (), "")
    shown = ", ".join(differs[:_SHOWN_DIFFERENT]) + (" ..." if len(differs) > _SHOWN_DIFFERENT else "")
    why = f"{len(differs)} of the {len(ran)} files that ran differ from the release {version}: {shown}"
    return local(why, tuple(differs))


def in_repo(package_root: str, relative: str) -> str:
    """The repo-relative path of a file ``relative`` to the directory holding the package."""
    return relative if package_root in ("", ".") else f"{package_root}/{relative}"


def _module(relative: str) -> str:
    parts = list(PurePosixPath(relative).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)
