"""What the UI needs from the rest of codewalk, as small protocols.

The app is built from these, never from concrete classes, so tests can drive it with a
fake workspace and the real one (``codewalk.workspace.workspace.Workspace``) fits without an
adapter. Every method here may be slow (index, jedi): the UI calls them in workers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


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


class Reference(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def col(self) -> int: ...
    @property
    def text(self) -> str: ...


class Found(Protocol):
    """A ``codewalk.resolve.model.FindResult``: ranked answers to a query."""

    @property
    def results(self) -> Sequence[Target]: ...


class Navigator(Protocol):
    """The subset of ``codewalk.workspace.workspace.Workspace`` the UI uses."""

    def goto(self, path: str, line: int, col: int) -> Target | None: ...
    def references(self, qualname: str) -> Sequence[Reference]: ...
    def complete(self, text: str, limit: int) -> Sequence[Target]: ...
    def find(self, query: str, *, limit: int | None = None) -> Found: ...
    def source_text(self, path: str) -> str: ...
