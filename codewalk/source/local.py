"""The user's own checkout (``--source PATH``, ``CODEWALK_SOURCE_PATH``): read in place,
as it is, named by its commit, with a warning when it is not the pinned version."""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

from pathlib import Path
from typing import NamedTuple

from codewalk.errors import GitMissing, SourceError
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.source.pins import Pin


class SyncOutcome(NamedTuple):
    checkout: Checkout
    downloaded: bool  # False when the cache already held a verified entry
    notes: list[str]


def local_checkout(pin: Pin, path: Path) -> SyncOutcome:
    """The user's own checkout at ``path``: used as is, named by its commit, with a
    warning when it is not the pinned version."""
    root = path.expanduser().resolve()
    package = root / pin.package_root / pin.packages[0]
    if not package.is_dir():
        raise SourceError(
            f"{path}: no {pin.package_root}/{pin.packages[0]}/ inside, so it is not a {pin.name} checkout",
            hint="point --source at the repository's top directory",
        )
    notes: list[str] = []
    tags: tuple[str, ...] = ()
    try:
        from codewalk.source import gitsource
    except GitMissing as missing:  # its files are read without git; only its commit is not named
        head, dirty = "", False
        notes.append(f"{root}: {missing.message}; reading its files as they are")
    else:
        head, dirty, tags = gitsource.describe(root)
        if not head:
            notes.append(f"{root} is not a git checkout; reading its files as they are")
    if head and pin.commit and head != pin.commit:
        notes.append(f"{root} is at {head[:12]}, not the pinned {pin.tag} ({pin.commit[:12]})")
    elif head and not pin.commit and pin.tag not in tags:
        notes.append(f"{root} is at {head[:12]}, which is not tagged {pin.tag} (the pin)")
    if dirty:
        notes.append(f"{root} has uncommitted changes; answers describe the files as they are now")
    checkout = Checkout(
        repo=pin.name,
        root=root,
        package_root=pin.package_root,
        packages=pin.packages,
        kind=SourceKind.LOCAL,
        commit=head,
        tag=pin.tag,
        release=pin.release,
    )
    return SyncOutcome(checkout, downloaded=False, notes=notes)
