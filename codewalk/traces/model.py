"""The records of a trace, as codewalk keeps and reads it (``store`` writes them as JSON).

A trace is a calling-context tree: node 0 is the program, every other node one function
of a pinned package called from its parent at a call-site line, with how many times and
for how long (inclusive). Each function is named by the repository and the file it ran
from as codewalk reads it (the release, or the installed copy when that differs), so a
frame is always shown on the lines that ran.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

RELEASE = "release"  # the installed files are the release's, blob for blob
LOCAL = "local"  # read from the installed copy (it differs from the release, or has no version)
# the repository of the program's own functions (a callback the pinned code called): no
# pin can be named so, and its files are read from disk, where the program ran them
PROGRAM = "<program>"


def repo_shown(repo: str) -> str:
    """A repository as a screen names it: the program's own code as "your program"."""
    return "your program" if repo == PROGRAM else repo


class Function(NamedTuple):
    repo: str  # PROGRAM for the program's own code
    path: str  # posix, relative to the directory holding the package ("transformers/trainer.py");
    # repo-relative once the trace is opened on its checkouts (Trace.placed); the program's
    # own: the file's absolute path, as it ran
    module: str  # "transformers.generation.utils"; the program's script: "__main__"
    name: str  # inside the module: "GenerationMixin.generate", "<module>", "f.<locals>.g"
    line: int  # the code's first line (its first decorator's, as Python counts it)

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}" if self.name != "<module>" else self.module

    @property
    def short(self) -> str:
        """``GenerationMixin.generate``; a module's code is ``<module transformers.x>``."""
        return self.name if self.name != "<module>" else f"<module {self.module}>"

    @property
    def own(self) -> bool:
        """Whether it is the program's own code, not a pinned package's."""
        return self.repo == PROGRAM


class Other(NamedTuple):
    """A frame of code outside the pinned packages that a call passed through."""

    filename: str
    name: str
    line: int


class Node(NamedTuple):
    parent: int  # -1 for the program (node 0)
    line: int  # the call-site line in the parent's function (for a root: in the program)
    function: int  # index in Trace.functions; -1 for node 0
    via: int  # index in Trace.others: the first frame of other code on the way; -1: direct
    calls: int
    seconds: float  # inclusive
    raised: int = 0  # how many of its calls ended by an exception


class RepoRun(NamedTuple):
    """A pinned repository as the program ran it."""

    repo: str
    version: str  # the installed distribution's version ("" when it has none)
    source: str  # RELEASE | LOCAL
    root: str  # for LOCAL: the directory holding the package (read as a local checkout)
    files: int  # its files that ran
    differs: tuple[str, ...]  # files that are not the release's (LOCAL only)
    why: str  # why it is LOCAL, in words ("" for RELEASE)

    @property
    def label(self) -> str:
        if self.source == RELEASE:
            return f"{self.repo} {self.version}"
        return f"{self.repo} {self.version or '(no version)'} (installed copy at {self.root})"


def command_of(program: tuple[str, ...], module: bool) -> str:
    """How the program was run: ``generate.py --assistant``, ``-m pkg.train``."""
    return " ".join(("-m", *program) if module else program)


def versions_of(repos: tuple[RepoRun, ...]) -> str:
    return ", ".join(repo.label for repo in repos)


def ended_well(ended: str, status: int) -> bool:
    """The program ran to its end: it returned, or called ``sys.exit`` with status 0."""
    return ended in ("returned", "exit") and not status


class Summary(NamedTuple):
    """What a trace file says of itself in its first line: enough to list it without
    reading the rest."""

    name: str
    program: tuple[str, ...]
    module: bool
    python: str
    engine: str
    started: float
    seconds: float
    ended: str
    status: int
    error: str
    repos: tuple[RepoRun, ...]
    functions: int  # how many functions ran
    calls: int  # how many calls of them

    @property
    def command(self) -> str:
        return command_of(self.program, self.module)

    @property
    def versions(self) -> str:
        return versions_of(self.repos)

    @property
    def ended_well(self) -> bool:
        return ended_well(self.ended, self.status)


class Trace(NamedTuple):
    name: str
    program: tuple[str, ...]  # the script (or module) and its arguments
    module: bool  # run as ``-m MODULE``
    cwd: str  # where the program started
    python: str  # its version
    executable: str
    engine: str  # sys.monitoring | sys.settrace
    started: float  # seconds since the epoch
    seconds: float  # the program's wall time, recorded
    ended: str  # returned | exit | exception | interrupted | terminated
    status: int  # its exit status
    error: str  # the exception that ended it, in one line
    repos: tuple[RepoRun, ...]
    functions: tuple[Function, ...]
    others: tuple[Other, ...]
    nodes: tuple[Node, ...]
    lines: tuple[tuple[int, ...], ...]  # by function: the lines that executed
    notes: tuple[str, ...]  # what the mapping has to say (a package imported from elsewhere)
    # (wrapper, wrapped), by function: a nested function that called the function its
    # closure holds (a decorator's wrapper and the function it wraps), as the run saw it
    wrappers: tuple[tuple[int, int], ...] = ()
    # (root node, index in ``others``): a wrapper of code outside the pinned packages that
    # the program's call of a root went through (torch.no_grad's), outermost first
    passed: tuple[tuple[int, int], ...] = ()
    # (node, index in ``others``): the frames of code outside the pinned packages a call
    # went through after its ``via`` (torch's ``_call_impl`` after ``_wrapped_call_impl``),
    # outermost first, ordered by node (see :func:`outside_run`)
    between: tuple[tuple[int, int], ...] = ()
    # (node, line, count): processes the program started (a fork, a subprocess) during the
    # call of ``node`` at its function's ``line``; node 0, line 0: from the program's own
    # code. What ran in them is not recorded.
    processes: tuple[tuple[int, int, int], ...] = ()
    # (node, line, module, count): a module not imported yet that the call of ``node``
    # imported at its function's ``line`` (``import torch`` in a function's body), which
    # took the time it took to load within that call's. What the import ran is not recorded.
    imports: tuple[tuple[int, int, str, int], ...] = ()
    # (absolute path, git blob id) of each of the program's own files that ran, read when
    # the run ended ("" when it could not be): the file is shown only while it still is that
    own: tuple[tuple[str, str], ...] = ()
    # the directories of the program's own files, as the recorder told them (where it ran,
    # and for ``-m`` the module's top package wherever it was imported from)
    own_dirs: tuple[str, ...] = ()
    # the roots the recorder saw called inside an import (a module's code running above
    # them: ``inspect`` asking a lazy module while torch is imported); a
    # trace recorded before it said so has none (its roots' callers tell)
    imported: frozenset[int] = frozenset()
    # the roots the program's own code called, as the recorder told them (a statement of
    # its script, a helper of its own, a model's remote code); None in a trace recorded
    # before it said so, read then from where each root's caller's file is
    direct: frozenset[int] | None = None

    @property
    def command(self) -> str:
        return command_of(self.program, self.module)

    @property
    def ended_well(self) -> bool:
        return ended_well(self.ended, self.status)

    @property
    def summary(self) -> Summary:
        return Summary(
            self.name,
            self.program,
            self.module,
            self.python,
            self.engine,
            self.started,
            self.seconds,
            self.ended,
            self.status,
            self.error,
            self.repos,
            len(self.functions),
            sum(node.calls for node in self.nodes),
        )

    def repo_run(self, repo: str) -> RepoRun | None:
        return next((r for r in self.repos if r.repo == repo), None)

    def executed(self, repo: str, path: str) -> frozenset[int]:
        """The lines of a file that executed (empty when none of its code ran)."""
        return self.executed_by_file().get((repo, path), frozenset())

    def executed_by_file(self) -> dict[tuple[str, str], frozenset[int]]:
        """``(repo, path) -> the lines that executed`` of every file that ran."""
        found: dict[tuple[str, str], set[int]] = {}
        for function, lines in zip(self.functions, self.lines, strict=True):
            found.setdefault((function.repo, function.path), set()).update(lines)
        return {key: frozenset(lines) for key, lines in found.items()}

    def files(self) -> set[tuple[str, str]]:
        return {(f.repo, f.path) for f in self.functions}

    def placed(self, package_roots: dict[str, str]) -> Trace:
        """The trace with each function's path made repo-relative, ``package_roots``
        naming where each repository's checkout holds its packages."""

        def place(function: Function) -> Function:
            if function.own:  # its absolute path, as it ran
                return function
            root = package_roots.get(function.repo, ".")
            path = function.path if root in ("", ".") else f"{root}/{function.path}"
            return function._replace(path=path)

        return self._replace(functions=tuple(place(f) for f in self.functions))


def outside_run(trace: Trace, node: int) -> list[int]:
    """The frames of code outside the pinned packages the call of ``node`` went through,
    outermost first, as indices in ``trace.others``: its ``via`` and those after it."""
    via = trace.nodes[node].via
    if via < 0:
        return []
    run = [via]
    at = bisect.bisect_left(trace.between, (node, -1))
    while at < len(trace.between) and trace.between[at][0] == node:
        run.append(trace.between[at][1])
        at += 1
    return run
