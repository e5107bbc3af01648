"""What the cache holds that no command reads again (``codewalk prune``): older
layouts of the index and damaged ones, cache entries without a manifest, scratch left by
interrupted fetches, and the releases no pin names; and their deletion, each entry under
its repo's lock as a fetch would."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from codewalk.index.versions import UnusedIndex
from codewalk.source.pins import Pin


class Removal(NamedTuple):
    """A file or directory of the cache, why it may go, and its size in bytes."""

    path: Path
    why: str
    size: int
    repo: str = ""  # a cache entry's or scratch directory's repo: removed under its lock
    also: tuple[Path, ...] = ()  # an index's lock, journal and write-ahead files


def found(pins: dict[str, Pin], *, releases: bool) -> tuple[list[Removal], list[Removal]]:
    """What may be removed, and the releases kept because ``--releases`` was not given."""
    from codewalk import locations
    from codewalk.index.versions import unused_files
    from codewalk.source import cache

    home = locations.cache_home()
    _a_directory(home)
    removals = [
        Removal(unused.files[0], _index_why(unused), sum(map(_size, unused.files)), also=unused.files[1:])
        for unused in unused_files(home)
    ]
    kept: list[Removal] = []
    for entry, manifest in cache.unpinned(pins):
        repo = entry.parent.name
        if manifest is None:
            removals.append(Removal(entry, "a cache entry without a readable manifest", _size(entry), repo))
            continue
        version = manifest.release.partition("==")[2] or manifest.tag or manifest.commit[:12]
        release = Removal(entry, f"{repo} {version}, a release no pin names", _size(entry), repo)
        (removals if releases else kept).append(release)
    for leftover in cache.scratch_leftovers():
        repo = leftover.parent.name
        removals.append(Removal(leftover, "left by an interrupted fetch", _size(leftover), repo))
    return removals, kept


def _a_directory(home: Path) -> None:
    """A CacheError when the cache's home is, or lies under, something other than a
    directory (``CODEWALK_HOME`` set to a file): not an empty cache to report as such."""
    from codewalk.errors import CacheError

    there = next((path for path in (home, *home.parents) if path.exists() or path.is_symlink()), None)
    if there is not None and not there.is_dir():
        what = "the cache's home" if there == home else str(there)
        raise CacheError(f"{home}: {what} is not a directory", hint="set CODEWALK_HOME to a directory")


def _index_why(unused: UnusedIndex) -> str:
    from codewalk.index.versions import INDEX_VERSION

    if unused.damaged:
        return "an index moved aside as damaged"
    return f"an older codewalk's index (layout {unused.layout}; this one reads {INDEX_VERSION})"


def remove(removals: list[Removal]) -> dict[Path, str]:
    """Delete each removal (a cache entry or scratch directory under its repo's lock, as
    a fetch would); what could not be deleted, with why."""
    from codewalk.errors import CodewalkError, system_words
    from codewalk.source import cache

    failed: dict[Path, str] = {}
    for removal in removals:
        try:
            if not removal.repo:
                for path in (removal.path, *removal.also):
                    path.unlink(missing_ok=True)
                continue
            with cache.repo_lock(removal.repo):
                cache.discard(removal.path)
        except OSError as error:
            failed[removal.path] = system_words(error)
        except CodewalkError as error:
            failed[removal.path] = error.message
    return failed


def _size(path: Path) -> int:
    """Bytes on disk under ``path`` (links not followed)."""
    import os

    try:
        if not path.is_dir() or path.is_symlink():
            return path.lstat().st_size
    except OSError:
        return 0
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total
