"""The cached entry as a source: found without git on every command's fast path, and
re-verified (with git) before ``sync`` trusts it. A damaged entry is never trusted, and
is replaced once a new one is built."""

from __future__ import annotations

from pathlib import Path

from codewalk import locations
from codewalk.source import cache, integrity
from codewalk.source.base import Source
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.source.pins import Pin
from codewalk.source.reporter import Reporter


def current(
    pin: Pin, kinds: tuple[SourceKind, ...] | None = None, home: Path | None = None
) -> Checkout | None:
    """The cached checkout of ``pin`` if one is complete (git preferred), else None;
    ``home``: the cache's root, if the caller found it already.

    Cheap: reads one small JSON file per candidate; verification of the tree itself
    is ``sync``'s job."""
    home = home or locations.cache_home()
    for kind in kinds or (SourceKind.GIT, SourceKind.RELEASE, SourceKind.WHEEL):
        entry = cache.entry_dir(pin, kind, home)
        manifest = cache.read_manifest(entry)
        if manifest is not None and manifest.repo == pin.name and _still_pinned(pin, kind, manifest):
            integrity.protect_entry(entry)  # an entry made before files were protected
            return cache.checkout_from(pin, entry, manifest)
    return None


def _still_pinned(pin: Pin, kind: SourceKind, manifest: cache.Manifest) -> bool:
    """Whether an entry still answers to the pin as written now (no git needed): the
    pinned commit, or the upstream tree a release was verified against."""
    if kind is SourceKind.GIT:
        return not pin.commit or manifest.upstream_commit == pin.commit
    return manifest.tree == pin.tree


def verified(pin: Pin, source: Source, reporter: Reporter, notes: list[str]) -> Checkout | None:
    """The cached entry ``source`` made for ``pin``, re-verified; None when there is
    none, or it is damaged (``notes`` say so). A damaged entry stays where it is until
    a new one is built to replace it (:func:`codewalk.source.cache.install`): a fetch
    that fails, offline, leaves the reader what the cache held. When git cannot check
    the entry (a full disk), that is a CacheError, and the entry is kept as it is."""
    entry = cache.entry_dir(pin, source.kind)
    if not entry.exists():
        return None
    manifest = cache.read_manifest(entry)
    if manifest is None:
        problem: str | None = "it has no readable manifest (an interrupted run?)"
    else:
        reporter.phase(f"verifying {entry.name}")
        problem = source.verify(pin, entry / "tree", manifest)
        if problem is None:
            return cache.checkout_from(pin, entry, manifest)
    notes.append(f"cached {pin.name} entry {entry.name} is damaged ({problem}); fetching it again")
    reporter.note(notes[-1])
    return None
