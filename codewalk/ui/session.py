"""Everything one tour needs in the UI, built by the launcher (or a test) and handed in.

A :class:`TourSession` bundles the tour, the navigator over its checkout, a step
resolver and a few small functions (permalinks), so the app itself builds nothing and
reads no configuration. :class:`SerialNavigator` makes every navigator call take one
lock: jedi is not thread-safe, and a cancelled thread worker keeps running until its call
returns, so "exclusive" workers alone would not keep two calls apart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codewalk.tourmodel import ResolvedStep, Tour
from codewalk.ui.ports import Navigator, Reference, Target
from codewalk.ui.state import ProgressStore

StepResolver = Callable[[int], ResolvedStep]  # 0-based step index -> its resolution
Permalink = Callable[[str, int, int], "str | None"]


class SerialNavigator:
    """A navigator whose calls never overlap (one lock around each)."""

    def __init__(self, inner: Navigator) -> None:
        self.inner = inner
        self.lock = threading.Lock()

    def goto(self, path: str, line: int, col: int) -> Target | None:
        with self.lock:
            return self.inner.goto(path, line, col)

    def references(self, qualname: str) -> Sequence[Reference]:
        with self.lock:
            return self.inner.references(qualname)

    def complete(self, text: str, limit: int) -> Sequence[Target]:
        with self.lock:
            return self.inner.complete(text, limit)

    def source_text(self, path: str) -> str:
        return self.inner.source_text(path)  # reads a file: safe beside a jedi call


@dataclass(frozen=True)
class TourSession:
    tour: Tour
    navigator: Navigator
    resolve: StepResolver  # may be slow: called in a worker
    repo: str
    version: str  # for the header, e.g. "v5.23.0" or "transformers==5.23.0"
    root: Path  # the checkout's work tree, for $EDITOR
    permalink: Permalink = field(default=lambda path, start, end: None)
    progress: ProgressStore | None = None
    serial: SerialNavigator = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "serial", SerialNavigator(self.navigator))


@dataclass(frozen=True, slots=True)
class TourEntry:
    id: str
    title: str
    steps: int


class Catalogue:
    """The tours the ``t`` screen lists, and how to open one (slow: sync + index)."""

    def __init__(
        self, entries: Callable[[], Sequence[TourEntry]], open_tour: Callable[[str], TourSession]
    ) -> None:
        self.entries = entries
        self.open_tour = open_tour


def github_permalink(url: str, ref: str) -> Permalink:
    """Permalinks on a GitHub-style host for a pin's ``url`` at ``ref``; ``None``
    elsewhere."""
    base = url.removesuffix(".git").rstrip("/")
    if not base.startswith("https://github.com/") or not ref:
        return lambda path, start, end: None

    def link(path: str, start: int, end: int) -> str:
        lines = f"L{start}" if start == end else f"L{start}-L{end}"
        return f"{base}/blob/{ref}/{path}#{lines}"

    return link
