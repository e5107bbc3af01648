"""The source cache on disk: entries, their manifests, the lock, scratch space.

Layout under ``$CODEWALK_HOME``::

    sources/<repo>/<entry>/tree/           the work tree (a git repository)
    sources/<repo>/<entry>/manifest.json   what the entry is; written last
    locks/<repo>.lock                      held while an entry is built or replaced
    tmp/<repo>/*/                          scratch; an entry is built here in full

An entry is built in scratch space and moved into place with one ``rename``, so a
crash leaves at worst a scratch directory that the next run deletes; an entry
directory without a readable manifest is damaged, and is rebuilt and replaced, never
trusted. This module imports no git: reading the cache is the fast path of every
command.
"""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from codewalk import locations
from codewalk.errors import CacheError, cache_refused, system_words
from codewalk.files import write_atomically
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.source.pins import Pin

MANIFEST_SCHEMA = 1
LOCK_TIMEOUT_S = 900.0


class Manifest(NamedTuple):
    """What a cache entry holds, as recorded when it was completed."""

    repo: str
    kind: str  # SourceKind value
    commit: str  # HEAD of tree/
    upstream_commit: str  # verified upstream commit ("" for a release)
    tag: str
    release: str
    origin: str  # the URL fetched, or the sdist URL
    sha256: str = ""  # of the source distribution (or wheel), for a release
    schema: int = MANIFEST_SCHEMA
    tree: str = ""  # the upstream tree id the release was verified to be, or ""
    recorded_commit: str = ""  # the commit a wheel says it was built from (not verified)


def entry_name(pin: Pin, kind: SourceKind) -> str:
    """The directory name of the entry a pin maps to: a new pin, a new entry."""
    if kind is SourceKind.RELEASE:
        return f"release-{pin.release_name}-{pin.release_version}"
    if kind is SourceKind.WHEEL:
        return f"wheel-{pin.release_name}-{pin.release_version}"
    return f"git-{pin.commit or pin.tag}"


def entry_dir(pin: Pin, kind: SourceKind, home: Path | None = None) -> Path:
    """Where the entry ``pin`` maps to is, of ``kind`` (under the cache's root ``home``
    when the caller found it already)."""
    return locations.sources_dir(home) / pin.name / entry_name(pin, kind)


def entries(repo: str, home: Path | None = None) -> list[tuple[Path, Manifest]]:
    """Every complete entry the cache holds of ``repo`` (any version), by name: what
    ``--at``, ``diff`` and traces read without a fetch (under the cache's root ``home``
    when the caller found it already)."""
    try:
        found = sorted(locations.sources_dir(home).joinpath(repo).iterdir())
    except OSError:  # no entry yet
        return []
    readable = ((entry, read_manifest(entry)) for entry in found if entry.is_dir())
    return [
        (entry, manifest) for entry, manifest in readable if manifest is not None and manifest.repo == repo
    ]


def unpinned(pins: dict[str, Pin]) -> list[tuple[Path, Manifest | None]]:
    """The entries of the cache no pin of ``pins`` maps to: other releases of a pinned
    repo (``--at``, ``diff`` and traces read them), entries of a repo no pin names, and
    entries without a readable manifest (damaged; never read). None: no manifest."""
    found: list[tuple[Path, Manifest | None]] = []
    for repo in _own_dirs(locations.sources_dir()):
        pin = pins.get(repo.name)
        current = {entry_dir(pin, kind) for kind in SourceKind} if pin is not None else set()
        found += [(entry, read_manifest(entry)) for entry in _own_dirs(repo) if entry not in current]
    return found


def _own_dirs(directory: Path) -> list[Path]:
    """The directories in ``directory``, by name; a symbolic link is not the cache's own
    (it may lead to the reader's files): neither listed nor looked into."""
    if directory.is_symlink():
        return []
    try:
        return sorted(path for path in directory.iterdir() if path.is_dir() and not path.is_symlink())
    except OSError:  # not there yet
        return []


def read_manifest(entry: Path) -> Manifest | None:
    """The entry's manifest, or None when the entry is missing or damaged."""
    import json

    try:
        data = json.loads((entry / "manifest.json").read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    if manifest.schema != MANIFEST_SCHEMA or not (entry / "tree").is_dir():
        return None
    return manifest


def checkout_from(pin: Pin, entry: Path, manifest: Manifest) -> Checkout:
    kind = SourceKind(manifest.kind)
    return Checkout(
        repo=pin.name,
        root=entry / "tree",
        package_root=pin.package_root if kind is SourceKind.GIT else pin.archive_root,
        packages=pin.packages,
        kind=kind,
        commit=manifest.commit,
        tag=manifest.tag,
        release=manifest.release,
        upstream_commit=manifest.upstream_commit,
        tree=manifest.tree,
        tree_omits=pin.tree_omits if manifest.tree else (),
        recorded_commit=manifest.recorded_commit,
    )


def entry_stamp(checkout: Checkout) -> str:
    """What tells one build of a cached entry from the next: its manifest, written last
    when the entry was built (``""`` when there is none to read), by its time and size.
    Not by its inode: a cache copied with its times (``cp -a``, ``rsync -a``, a CI job's
    archive restored) holds the same builds."""
    try:
        info = (checkout.root.parent / "manifest.json").stat()
    except OSError:
        return ""
    return f"{info.st_mtime_ns}.{info.st_size}"


def write_manifest(directory: Path, manifest: Manifest) -> None:
    import json

    write_atomically(
        directory / "manifest.json", json.dumps(manifest._asdict(), indent=2, sort_keys=True) + "\n"
    )


@contextlib.contextmanager
def repo_lock(repo: str, *, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the cache lock of ``repo``: one process at a time builds or replaces its
    entries. Another process waits (and says so) rather than racing it."""
    from codewalk import locks

    path = locations.locks_dir() / f"{repo}.lock"
    _mkdir(path.parent)
    with contextlib.ExitStack() as holding:
        try:
            holding.enter_context(locks.held(str(path), timeout=0))
        except OSError as error:  # not this user's, a read-only mount, a full disk
            what = f"cannot fetch {repo} into the cache at {locations.cache_home()}"
            raise cache_refused(what, error) from None
        except locks.Timeout:
            waiting = f"codewalk: waiting for another codewalk process using the {repo} cache..."
            print(waiting, file=sys.stderr)
            try:
                holding.enter_context(locks.held(str(path), timeout=timeout))
            except locks.Timeout:
                raise CacheError(
                    f"{path}: still locked by another codewalk process after {timeout:.0f} s",
                    hint="if no other codewalk is running, delete the lock file",
                ) from None
        yield


def make_scratch(repo: str) -> Path:
    """A fresh scratch directory on the cache's filesystem (call with the lock held)."""
    import tempfile

    root = locations.scratch_dir() / repo
    _mkdir(root)
    return Path(tempfile.mkdtemp(dir=root))


def clear_scratch(repo: str) -> None:
    """Remove what interrupted runs left behind (call with the lock held)."""
    import shutil

    for leftover in _own_dirs(locations.scratch_dir() / repo):
        shutil.rmtree(leftover, ignore_errors=True)


def scratch_leftovers() -> list[Path]:
    """What interrupted runs left in scratch space: not the scratch of a repo a fetch is
    building now (its lock held); remove it with the repo's lock held."""
    return [
        leftover
        for repo in _own_dirs(locations.scratch_dir())
        if not _fetching(repo.name)
        for leftover in _own_dirs(repo)
    ]


def _fetching(repo: str) -> bool:
    """Whether another process holds ``repo``'s cache lock (a fetch under way)."""
    from codewalk import locks

    path = locations.locks_dir() / f"{repo}.lock"
    if not path.exists():
        return False
    try:
        with locks.held(str(path), timeout=0):
            return False
    except locks.Timeout:
        return True
    except OSError:  # not ours to lock: it is not ours to delete either
        return True


def discard(entry: Path) -> None:
    """Remove a damaged entry that a good one of another kind replaces: moved aside in
    one rename, so that nothing ever sees it half-deleted, then deleted."""
    import shutil

    if not entry.exists():
        return
    graveyard = make_scratch(entry.parent.name)
    os.replace(entry, graveyard / "discarded")
    shutil.rmtree(graveyard, ignore_errors=True)


def install(built: Path, entry: Path) -> None:
    """Move a completed entry from scratch into place (one atomic rename). A damaged
    entry there is replaced only now that its replacement exists: moved aside in one
    rename (nothing ever sees it half-deleted), the new one moved in, the old deleted."""
    import shutil

    _mkdir(entry.parent)
    aside: Path | None = None
    try:
        if entry.exists():
            aside = make_scratch(entry.parent.name)
            os.replace(entry, aside / "replaced")
        os.replace(built, entry)
    except OSError as exc:
        why = system_words(exc)
        raise CacheError(f"{entry}: cannot move the finished checkout into place: {why}") from None
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CacheError(
            f"{path}: cannot create the cache directory: {system_words(exc)}",
            hint="set CODEWALK_HOME to a writable directory",
        ) from None
