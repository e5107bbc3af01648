"""Everything one tour needs in the UI, built by the launcher (or a test) and handed in.

A :class:`TourSession` bundles the tour, a way to open the navigator over its checkout,
a step resolver and a few small functions (reading a file, permalinks), so the app
builds nothing and reads no configuration.

Every navigator call runs on one dedicated thread (:class:`NavThread`): the index is a
SQLite connection, which belongs to the thread that opened it, and jedi is not
thread-safe; Textual's workers only wait on that thread, so the UI never blocks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from codewalk.errors import CodewalkError
from codewalk.tours.model import ResolvedStep, Tour
from codewalk.ui.ports import Callers, CallList, Navigator, Reached, Reference, Target
from codewalk.ui.state import ProgressStore

T = TypeVar("T")

# (the navigator, 0-based step index) -> the step's resolution; runs on the nav thread
StepResolver = Callable[[Any], Callable[[int], ResolvedStep]]
Permalink = Callable[[str, int, int], "str | None"]


class NavThread:
    """One thread that opens the navigator and makes every call on it."""

    def __init__(self, open_navigator: Callable[[], Navigator]) -> None:
        self._open = open_navigator
        self._navigator: Navigator | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codewalk-nav")

    def call(self, function: Callable[[Navigator], T]) -> T:
        """Run ``function(navigator)`` on the nav thread and wait for its result."""
        return self._executor.submit(self._run, function).result()

    def _run(self, function: Callable[[Navigator], T]) -> T:
        if self._navigator is None:
            self._navigator = self._open()
        return function(self._navigator)

    def goto(self, path: str, line: int, col: int) -> Target | None:
        return self.call(lambda nav: nav.goto(path, line, col))

    def references(self, qualname: str) -> Sequence[Reference]:
        return self.call(lambda nav: list(nav.references(qualname)))

    def complete(self, text: str, limit: int) -> Sequence[Target]:
        return self.call(lambda nav: list(nav.complete(text, limit)))

    def goto_all(self, path: str, line: int, col: int) -> Reached:
        return self.call(lambda nav: nav.goto_all(path, line, col))

    def calls_at(self, path: str, line: int) -> CallList | None:
        return self.call(lambda nav: nav.calls_at(path, line))

    def callers_at(self, path: str, line: int, col: int) -> Callers | None:
        return self.call(lambda nav: nav.callers_at(path, line, col))

    def search(self, text: str, limit: int) -> Sequence[Target]:
        """Symbols for the palette: what the resolver finds for ``text`` (which indexes
        the modules it needs), then the fuzzy completions over what is indexed."""
        return self.call(lambda nav: search_symbols(nav, text, limit))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def search_symbols(navigator: Navigator, text: str, limit: int) -> list[Target]:
    """Symbols matching ``text``, for the palette: the names of the index as the reader
    types; while the index is partial, first what the resolver finds for the text (it
    indexes the files a byte scan picks), which costs more than a keystroke should."""
    found: list[Target] = []
    if text and all(part.isidentifier() for part in text.split(".")) and not navigator.fully_indexed:
        # a text the resolver rejects still gets the fuzzy list below
        with contextlib.suppress(CodewalkError):
            found.extend(navigator.find(text, limit=10).results)
    seen = {(target.path, target.line) for target in found}
    for target in navigator.complete(text, limit):
        if (target.path, target.line) not in seen:
            seen.add((target.path, target.line))
            found.append(target)
    return found[:limit]


@dataclass(frozen=True)
class TourSession:
    tour: Tour
    open_navigator: Callable[[], Navigator]  # called once, on the nav thread
    resolver: StepResolver  # navigator -> (step index -> ResolvedStep), on the nav thread
    read_source: Callable[[str], str]  # repo-relative path -> text; fast, any thread
    repo: str
    version: str  # for the header, e.g. "v5.23.0" or "transformers==5.23.0"
    root: Path  # the checkout's work tree, for $EDITOR
    permalink: Permalink = field(default=lambda path, start, end: None)
    progress: ProgressStore | None = None
    read_only: bool = True  # ``o`` opens the editor read-only (the cache); False: the user's own files
    nav: NavThread = field(init=False)
    _resolve: list[Callable[[int], ResolvedStep]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nav", NavThread(self.open_navigator))

    def resolve(self, index: int) -> ResolvedStep:
        """Resolve step ``index`` (0-based) on the nav thread; slow, call from a worker."""

        def run(navigator: Navigator) -> ResolvedStep:
            if not self._resolve:
                self._resolve.append(self.resolver(navigator))
            return self._resolve[0](index)

        return self.nav.call(run)


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
