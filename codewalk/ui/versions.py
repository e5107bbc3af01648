"""Another version of a step's symbol: which versions to offer, what the reader may
type, and the comparison the diff view shows (``v``). Pure: no textual, no disk.

A version is always of the step's own repository: ``4.57.6``, ``v4.57.6``,
``transformers@4.57.6`` or ``installed`` (the one the reader's Python has).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from codewalk.source.targets import INSTALLED
from codewalk.source.versions import older, release_of, same_version, valid_version
from codewalk.ui.ports import Hunk, Target


@dataclass(frozen=True, slots=True)
class Offer:
    """A version the chooser lists: ``REPO@VERSION`` and why it is there."""

    spec: str
    why: str


def offers(
    repo: str,
    read: str,
    *,
    pinned: str = "",
    tour_versions: Sequence[str] = (),
    asked: Sequence[str] = (),
) -> list[Offer]:
    """The versions of ``repo`` worth comparing with ``read`` (the release on screen):
    those the reader asked for before, the tour's (when the step is in the tour's
    repository), the pin; each once, never the one on screen."""
    found: list[Offer] = []
    seen = [read]
    candidates = [
        *((spec.partition("@")[2], "asked before") for spec in asked if spec.partition("@")[0] == repo),
        *((version, "a version the tour is meant for") for version in tour_versions),
        (pinned, "the pin"),
    ]
    for version, why in candidates:
        if version and not any(same_version(version, known) for known in seen):
            seen.append(version)
            found.append(Offer(f"{repo}@{release_of(version)}", why))
    return found


def example_version(read: str) -> str:
    """A version to show as an example beside ``read`` (the release on screen): the
    minor release before it (``5.23.0`` -> ``5.22.0``, ``0.0.35`` -> ``0.0.34``)."""
    try:
        major, minor, micro = (*Version(release_of(read)).release, 0, 0)[:3]
    except InvalidVersion:
        return "1.0.0"
    if minor:
        return f"{major}.{minor - 1}.0"
    if micro:
        return f"{major}.{minor}.{micro - 1}"
    return f"{max(major - 1, 0)}.0.0"


def parse_choice(text: str, repo: str, read: str) -> str:
    """``REPO@VERSION`` for what the reader typed, of ``repo`` (the step's) and not
    ``read`` (the release on screen); ValueError with what to type instead."""
    text = text.strip()
    example = f"e.g. {example_version(read)}, {repo}@{example_version(read)} or {INSTALLED}"
    if not text:
        raise ValueError(f"type a version of {repo}: {example}")
    named, at, version = text.rpartition("@")
    if at and named != repo:
        raise ValueError(f"this step is in {repo}: type a version of {repo} ({example})")
    if version[:1] == "v" and version[1:2].isdigit():
        version = version[1:]
    if version != INSTALLED:
        if valid_version(version) is not None:
            raise ValueError(f"{version!r} is not a release version: {example}")
        if same_version(version, read):
            raise ValueError(f"{repo}@{version} is the version on screen")
    return f"{repo}@{version}"


@dataclass(frozen=True, slots=True)
class DiffSide:
    """The symbol at one version: where it is (None: not there), how it was matched
    (or why it is not there), and its code."""

    label: str  # "transformers@4.57.6"
    target: Target | None
    how: str
    code: str = ""
    on_screen: bool = False  # the version the tour is read at


@dataclass(frozen=True, slots=True)
class StepDiff:
    """A step's symbol at two versions, the older first."""

    name: str  # the symbol, as the step names it
    before: DiffSide
    after: DiffSide
    hunks: tuple[Hunk, ...]
    suggestions: tuple[str, ...] = ()  # "did you mean", at the version it is missing from
    note: str = ""  # anything else the reader should know (both sides read one checkout)

    @property
    def missing(self) -> DiffSide | None:
        """The side the symbol is not at, if any."""
        return next((side for side in (self.before, self.after) if side.target is None), None)

    @property
    def counts(self) -> tuple[int, int]:
        """Lines removed and added."""
        lines = [line for hunk in self.hunks for line in hunk.lines]
        return sum(line[:1] == "-" for line in lines), sum(line[:1] == "+" for line in lines)


def older_first(here: DiffSide, there: DiffSide) -> tuple[DiffSide, DiffSide]:
    """The two sides in release order (the one on screen first when they cannot be
    ordered, e.g. a local checkout)."""
    if older(there.label.rpartition("@")[2], here.label.rpartition("@")[2]):
        return there, here
    return here, there


def version_label(repo: str, version: str) -> str:
    """``transformers@4.57.6`` for a checkout's version (``transformers==4.57.6``,
    ``v4.57.6``)."""
    return f"{repo}@{release_of(version)}" if version else repo
