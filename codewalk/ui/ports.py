"""What the UI needs from the rest of codewalk, as small protocols.

The app is built from these, never from concrete classes, so tests can drive it with a
fake workspace and the real one (``codewalk.workspace.workspace.Workspace``) fits without an
adapter. Every method here may be slow (index, jedi): the UI calls them in workers only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Target(Protocol):
    """A definition the resolver found (``codewalk.resolve.model.Resolved`` fits)."""

    @property
    def repo(self) -> str: ...
    @property
    def qualname(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def start_line(self) -> int: ...
    @property
    def end_line(self) -> int: ...
    @property
    def via(self) -> str: ...
    @property
    def version(self) -> str: ...  # of ``repo`` ("" when the answer does not say)


class Reference(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def col(self) -> int: ...
    @property
    def text(self) -> str: ...


class CallRow(Protocol):
    """One call of a function (``codewalk.workspace.calling.CallRow`` fits)."""

    @property
    def line(self) -> int: ...
    @property
    def col(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def expr(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def how(self) -> str: ...
    @property
    def targets(self) -> Sequence[Target]: ...
    @property
    def external(self) -> str: ...
    @property
    def minor(self) -> bool: ...


class CallList(Protocol):
    """A function and its calls, in source order."""

    @property
    def function(self) -> Target: ...
    @property
    def rows(self) -> Sequence[CallRow]: ...
    @property
    def callees(self) -> Sequence[Any]: ...  # what the rows are made of (a trace joins them)


class Caller(Reference, Protocol):
    """A call site that reaches a definition (``codewalk.calls.callers.Caller`` fits)."""

    @property
    def kind(self) -> str: ...
    @property
    def repo(self) -> str: ...


class Callers(Protocol):
    """The callers of a definition (``codewalk.workspace.calling.CallersAnswer`` fits)."""

    @property
    def target(self) -> Target: ...
    @property
    def callers(self) -> Sequence[Caller]: ...


class Reached(Protocol):
    """What a name may reach (``codewalk.workspace.calling.GotoAnswer`` fits)."""

    @property
    def results(self) -> Sequence[Target]: ...
    @property
    def note(self) -> str: ...


class Found(Protocol):
    """A ``codewalk.resolve.model.FindResult``: ranked answers to a query."""

    @property
    def results(self) -> Sequence[Target]: ...


class Navigator(Protocol):
    """The subset of ``codewalk.workspace.workspace.Workspace`` the UI uses: questions
    about the code of one repository (its paths are that repository's)."""

    @property
    def fully_indexed(self) -> bool: ...

    def goto(self, path: str, line: int, col: int) -> Target | None: ...
    def goto_all(self, path: str, line: int, col: int, *, fallback: bool = True) -> Reached: ...
    def jedi_query(self, path: str, line: int, col: int) -> Callable[[], Any]:
        """jedi's question about the name there: a call that reads no index (any thread)."""
        ...

    def from_jedi(self, target: Any) -> Reached:
        """jedi's answer (what the query returned) as definitions of this repository."""
        ...

    def references(self, qualname: str) -> Sequence[Reference]: ...
    def complete(self, text: str, limit: int) -> Sequence[Target]: ...
    def find(self, query: str, *, limit: int | None = None, suggest: bool = True) -> Found: ...
    def source_text(self, path: str) -> str: ...
    def calls_at(self, path: str, line: int) -> CallList | None: ...
    def callers_at(self, path: str, line: int, col: int) -> Callers | None: ...


class Repos(Protocol):
    """Every pinned repository, each read through its own navigator
    (``codewalk.workspace.pinned.PinnedStack`` fits)."""

    def workspace(self, repo: str | None = None) -> Navigator:
        """``repo``'s navigator (opened, and fetched, on first use); raises
        ``CodewalkError`` when it cannot be read."""
        ...

    def synced(self) -> Sequence[str]:
        """The repositories open, or whose source is in the cache: opening one fetches
        nothing."""
        ...

    def pinned(self) -> Sequence[str]:
        """Every pinned repository, in the pins file's order."""
        ...

    def fetching_only(self, repos: Collection[str]) -> AbstractContextManager[None]:
        """While the block runs, a repository not open yet is opened only if it is one of
        ``repos`` or its source is in the cache: the others are not fetched (their
        modules do not resolve)."""
        ...


class Hunk(Protocol):
    """Changed lines of a symbol at two versions (``codewalk.workspace.compare.Hunk`` fits)."""

    @property
    def from_start(self) -> int: ...
    @property
    def from_lines(self) -> int: ...
    @property
    def to_start(self) -> int: ...
    @property
    def to_lines(self) -> int: ...
    @property
    def lines(self) -> tuple[str, ...]: ...  # " x", "-x", "+x"
