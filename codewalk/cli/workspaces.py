"""The workspaces a command over tours needs (``tour``, ``check``, ``export``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from codewalk.errors import CodewalkError
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.tours.model import Tour
    from codewalk.tours.resolution import TourSteps
    from codewalk.workspace.pinned import PinnedStack
    from codewalk.workspace.workspace import Workspace


class Workspaces:
    """The workspaces of the repos a tour names, opened on first use, once each.

    ``None`` (a tour without ``repo:``) means the first pin; it is kept under the
    pin's name, so that the step (asking for ``None``) and its rendering (asking for
    the resolved step's repo) share one checkout, and its notes are printed once."""

    def __init__(
        self, source_path: str | None, at: Sequence[str] = (), pinned: PinnedStack | None = None
    ) -> None:
        self.source_path = source_path
        self.at = tuple(at)
        self._pinned = pinned  # else opened on first use
        self.problems: dict[str, CodewalkError] = {}  # repo -> why its workspace could not be opened

    @property
    def pinned(self) -> PinnedStack:
        if self._pinned is None:
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

    def steps(self, tour: Tour) -> TourSteps:
        """``tour``'s steps, each resolved in the workspace of its repository."""
        from codewalk.tours.resolution import steps_over

        def workspace_of(repo: str) -> Workspace | None:
            if repo not in self.pinned.pins:
                return None  # unknown: the step says so, and names the pins
            found = self.get_or_problem(repo)
            if isinstance(found, CodewalkError):
                raise found
            return found

        return steps_over(tour, self.pinned, workspace_of)

    def refuse_unreadable(self, tour: Tour) -> None:
        """Raise why a pin ``tour`` reads cannot be read, when that is the machine's
        doing (an index out of reach, a full disk), not the tour's (an unknown repo):
        ``check`` then says the pin could not be had, never that the tour is broken."""
        for step in tour.steps:
            repo = tour.step_repo(step) or self.pinned.first_pin
            error = self.problems.get(repo)
            if error is not None and repo in self.pinned.pins:
                asked = next((spec for spec in self.at if spec.partition("@")[0].strip() == repo), None)
                what = asked.strip() if asked else f"the {repo} pin"  # --at named another release
                why = f"cannot check {tour.id}: {what} cannot be read: {error.message}"
                raise type(error)(why, hint=error.hint)

    def source_text(self, repo: str, path: str) -> str:
        return self.get(None).source_text(path, repo)

    def defines(self, repo: str, name: str) -> bool:
        """Whether ``repo``'s pin defines something by ``name`` (a note's name)."""
        from codewalk.tours.targets import names_a_definition

        return names_a_definition(self.get(repo), name)
