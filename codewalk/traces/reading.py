"""A kept trace opened for reading: its repositories at the versions that ran (or their
installed copies), and its functions placed in those checkouts."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

from codewalk.errors import CodewalkError, TraceError
from codewalk.traces import store
from codewalk.traces.model import LOCAL, RepoRun, Trace
from codewalk.traces.tree import Tree
from codewalk.workspace.pinned import PinnedStack


class Opened(NamedTuple):
    trace: Trace  # each function's path repo-relative, in the checkout it is read from
    tree: Tree
    stack: PinnedStack  # every pin; those that ran at the version that ran

    @property
    def home(self) -> str:
        """The repository a question names by default: the first pin that ran."""
        ran = {repo.repo for repo in self.trace.repos}
        return next((name for name in self.stack.pins if name in ran), self.stack.first_pin)


def versions_that_ran(trace: Trace, pins: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """``REPO@VERSION`` of each repository read at its release (in the pins' order), and
    the directory of each read from its installed copy."""
    order = {name: i for i, name in enumerate(pins)}
    at = [
        f"{r.repo}@{r.version}"
        for r in sorted(trace.repos, key=lambda r: order.get(r.repo, 0))
        if r.source != LOCAL
    ]
    local = {r.repo: r.root for r in trace.repos if r.source == LOCAL}
    return at, local


def open_trace(name: str) -> Opened:
    """The trace ``name``, its repositories opened (a release fetched if the cache lost it)."""
    trace = store.load(name)
    pins = PinnedStack().pins
    unknown = [r.repo for r in trace.repos if r.repo not in pins]
    if unknown:
        raise TraceError(f"trace {name!r} ran {', '.join(unknown)}, which the pins file no longer pins")
    gone = [r for r in trace.repos if r.source == LOCAL and not os.path.isdir(r.root)]
    if gone:
        raise TraceError(
            f"trace {name!r} ran {gone[0].repo} from its installed copy at {gone[0].root}, which is gone",
            hint="record it again where the program's packages are installed",
        )
    at, local = versions_that_ran(trace, list(pins))
    stack = PinnedStack(None, at=at, local=local)
    roots = {r.repo: _package_root(name, stack, r) for r in trace.repos}
    placed = trace.placed(roots)
    return Opened(placed, Tree(placed), stack)


def _package_root(name: str, stack: PinnedStack, ran: RepoRun) -> str:
    """Where the checkout of a repository that ran holds its packages (fetched if the
    cache lost it), the error naming the trace when it cannot be had."""
    if ran.source == LOCAL:
        return "."
    try:
        return stack.checkout(ran.repo).package_root
    except CodewalkError as error:
        raise TraceError(
            f"trace {name!r} ran {ran.repo} {ran.version}, which cannot be read: {error.message}",
            hint=error.hint,
        ) from None
