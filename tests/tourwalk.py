"""A tour resolved over a few given workspaces (fakes, or real ones opened by a test),
as the commands resolve one over the pinned stack (``Workspaces.steps``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from codewalk.tours.model import ResolvedTour, Tour
from codewalk.tours.resolution import TourSteps


def resolve_tour(workspaces_by_repo: Mapping[str, Any], tour: Tour) -> ResolvedTour:
    """Every step of ``tour``; a step's repo is its own ``repo``, else the tour's, else
    the first workspace's; a repo not given is unknown."""
    default = next(iter(workspaces_by_repo))
    return TourSteps(tour, workspaces_by_repo.get, default, tuple(workspaces_by_repo)).resolved()
