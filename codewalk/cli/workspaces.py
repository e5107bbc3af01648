"""The workspaces a command over tours needs (``tour``, ``check``, ``export``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from codewalk.errors import CodewalkError

if TYPE_CHECKING:
    from codewalk.tours.model import Tour
    from codewalk.workspace.pinned import PinnedStack
    from codewalk.workspace.workspace import Workspace


class Workspaces:
    """The workspaces of the repos a tour names, opened on first use, once each.

    ``None`` (a tour without ``repo:``) means the first pin; it is kept under the
    pin's name, so that the step (asking for ``None``) and its rendering (asking for
    the resolved step's repo) share one checkout, and its notes are printed once."""

    def __init__(self, source_path: str | None, at: Sequence[str] = ()) -> None:
        self.source_path = source_path
        self.at = tuple(at)
        self._pinned: PinnedStack | None = None
        self.problems: dict[str, CodewalkError] = {}  # repo -> why its workspace could not be opened

    @property
    def pinned(self) -> PinnedStack:
        if self._pinned is None:
            import sys

            from codewalk.visible import visible
            from codewalk.workspace.pinned import PinnedStack

            self._pinned = PinnedStack(self.source_path, at=self.at)
            for note in self._pinned.notes:
                print(visible(f"codewalk: {note}"), file=sys.stderr)
        return self._pinned

    def get(self, repo: str | None) -> Workspace:
        return self.pinned.workspace(repo or self.pinned.first_pin)

    def get_or_problem(self, repo: str | None) -> Workspace | CodewalkError:
        """The workspace of ``repo``, or why it cannot be had (an unknown repo, a source
        that cannot be fetched), found once per repo: one tour's bad ``repo:`` is that
        tour's error, not the end of ``check``."""
        name = repo or self.pinned.first_pin
        if name in self.problems:
            return self.problems[name]
        try:
            return self.get(name)
        except CodewalkError as error:
            self.problems[name] = error
            return error

    def by_repo(self, tours: Iterable[Tour]) -> dict[str, Workspace]:
        """Every workspace the tours need that can be opened, keyed by pin name (a tour
        without ``repo`` uses the first pin); the others are in ``problems``."""
        out: dict[str, Workspace] = {}
        for tour in tours:
            for step in tour.steps:
                workspace = self.get_or_problem(tour.step_repo(step))
                if not isinstance(workspace, CodewalkError):
                    out.setdefault(workspace.checkout.repo, workspace)
        return out

    def refuse_unreadable(self, tour: Tour) -> None:
        """Raise why a pin ``tour`` reads cannot be read, when that is the machine's
        doing (an index out of reach, a full disk), not the tour's (an unknown repo):
        ``check`` then says the pin could not be had, never that the tour is broken."""
        from codewalk.errors import PinError

        for step in tour.steps:
            repo = tour.step_repo(step) or self.pinned.first_pin
            error = self.problems.get(repo)
            if error is not None and not isinstance(error, PinError):
                raise type(error)(
                    f"cannot check {tour.id}: the {repo} pin cannot be read: {error.message}", hint=error.hint
                )

    def checkpoint(self) -> None:
        """Copy what this process wrote to the index into its file: a process that wrote
        much and is about to go leaves the last one to close little to copy."""
        if self._pinned is not None:
            self._pinned.stack.store.checkpoint()

    def read_ahead(self, repo: str | None, dotted: str) -> None:
        """Index the module ``dotted`` names (its longest prefix that is a module of the
        repo's checkout), if it is not yet: a process waiting on another may do now what
        that one will need later."""
        from functools import partial

        from codewalk.errors import CodewalkError
        from codewalk.workspace.guard import guarded

        workspace = self.get_or_problem(repo)
        if isinstance(workspace, CodewalkError):
            return
        parts = dotted.split(".")
        try:
            for end in range(len(parts), 0, -1):
                if guarded(workspace, partial(_module, workspace, ".".join(parts[:end]))) is not None:
                    return
        except CodewalkError:
            return  # only a head start: the step, when resolved, says what is wrong

    def source_text(self, repo: str, path: str) -> str:
        return self.get(None).source_text(path, repo)


def _module(workspace: Workspace, name: str) -> object:
    """The facts of module ``name`` of the workspace's checkout, indexed if need be."""
    return workspace.facts.module(name)


def open_index_once() -> None:
    """Open the index and close it: create or rebuild it as needed, saying so. A process
    about to fork a silent child does this first, so that what opening the index has to
    say (a rebuild happens once) is said by the process the reader sees. An index this
    process may not write is left alone: opening it copies it whole into memory, and
    every process that opens it says so itself."""
    from codewalk import locations
    from codewalk.index.database import writable
    from codewalk.index.store import Store
    from codewalk.index.versions import INDEX_VERSION

    path = locations.index_db_path(INDEX_VERSION)
    if writable(path):
        Store.open(path).close()
