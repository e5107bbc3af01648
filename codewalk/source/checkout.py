"""The record every later stage receives: a pinned repository's files on disk.

Whatever the source (a verified git checkout, a release's source distribution
committed into a local repository, or the user's own checkout), the rest of codewalk
sees one kind of thing: a git work tree at ``root`` with a HEAD ``commit``, and a
``label`` that says honestly where the code came from.
"""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

import enum
from pathlib import Path
from typing import NamedTuple


class SourceKind(str, enum.Enum):
    GIT = "git"  # fetched from the pin's url (or mirror), HEAD verified
    RELEASE = "release"  # the release's source distribution from the package index
    WHEEL = "wheel"  # the release's wheel, for projects that publish no source distribution
    LOCAL = "local"  # the user's own checkout (--source PATH)


class Checkout(NamedTuple):
    """Immutable. A NamedTuple rather than a dataclass: this record is on the path of
    every command, and importing dataclasses costs more than a warm ``find`` may."""

    repo: str  # the pin's name, e.g. "transformers"
    root: Path  # the work tree
    package_root: str  # where the importable packages live, relative to root ("src")
    packages: tuple[str, ...]  # import roots, e.g. ("transformers",)
    kind: SourceKind
    commit: str  # HEAD of the work tree (for a release: the local commit of its files)
    tag: str  # the pin's tag, e.g. "v5.23.0"
    release: str  # the pin's release, e.g. "transformers==5.23.0"
    upstream_commit: str = ""  # the verified upstream commit; empty unless kind is GIT
    tree: str = ""  # the upstream tree id a release was verified to be ("" when not verified)
    tree_omits: tuple[str, ...] = ()  # files of that upstream tree the release leaves out
    recorded_commit: str = ""  # the commit a wheel says it was built from (not verified)

    @property
    def version(self) -> str:
        """Short version string for headers: ``v5.23.0`` or ``transformers==5.23.0``."""
        if self.kind in (SourceKind.RELEASE, SourceKind.WHEEL):
            return self.release
        if self.kind is SourceKind.LOCAL:
            return f"local@{self.commit[:12]}" if self.commit else "local"
        return self.tag

    @property
    def label(self) -> str:
        """Where the code came from, in words, for every answer codewalk prints."""
        if self.kind in (SourceKind.RELEASE, SourceKind.WHEEL):
            return self._release_label()
        if self.kind is SourceKind.LOCAL:
            at = f" at commit {self.commit[:12]}" if self.commit else " (not a git checkout)"
            return f"local checkout {self.root}{at}"
        return f"{self.tag} (commit {self.upstream_commit or self.commit})"

    def _release_label(self) -> str:
        name, _, version = self.release.partition("==")
        if self.kind is SourceKind.WHEEL:
            built = (
                f", built from commit {self.recorded_commit} by its own account (not verified)"
                if self.recorded_commit
                else ""
            )
            return f"release {name} {version} (wheel{built})"
        if not self.tree:
            return f"release {name} {version} (source distribution)"
        less = ""
        if self.tree_omits:
            count = len(self.tree_omits)
            less = f", less the {count} file{'s' if count != 1 else ''} it leaves out"
        return f"release {name} {version}, identical to upstream {self.tag} (tree {self.tree}{less})"

    @property
    def permalink_ref(self) -> str:
        """The ref a web permalink should name: the verified upstream commit; for the
        user's own checkout, its commit (it may be anywhere); else the pinned tag."""
        if self.kind is SourceKind.LOCAL and self.commit:
            return self.commit
        return self.upstream_commit or self.tag

    def package_dir(self) -> Path:
        return self.root / self.package_root


def fetched_again_by(checkout: Checkout) -> str:
    """The command that fetches ``checkout`` into the cache again: ``codewalk sync
    transformers@4.57.6``, its version named (a bare ``codewalk sync transformers`` fetches
    the pin, not another release ``--at`` read); "" for the user's own checkout."""
    if checkout.kind is SourceKind.LOCAL:
        return ""
    version = checkout.release.partition("==")[2]
    return f"codewalk sync {checkout.repo}@{version}" if version else f"codewalk sync {checkout.repo}"


def repo_at_version(repo: str, version: str) -> str:
    """``transformers@v5.23.0``; a version that names its repo already stands alone
    (``transformers==5.23.0`` for a release source), one that names another
    distribution says so (``paddle (paddlepaddle==3.3.1)``)."""
    if not version:
        return repo
    if version.startswith(f"{repo}=="):
        return version
    if "==" in version:
        return f"{repo} ({version})"
    return f"{repo}@{version}"
