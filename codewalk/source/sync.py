"""Getting a pin's code onto this machine: the one place that decides the order in
which sources are tried, first that works:

1. a complete, verified entry already in the cache (:mod:`~codewalk.source.cached`);
2. git: a shallow fetch of the pinned tag from the pin's url or the mirror
   (:mod:`~codewalk.source.gitsource`);
3. when the git host can't be reached (or ``CODEWALK_SOURCE=release``): the release's
   source distribution from the package index (:mod:`~codewalk.source.release`);
4. ``--source PATH`` / ``CODEWALK_SOURCE_PATH``: the user's own checkout, used as is
   (:mod:`~codewalk.source.local`).

``open_checkout`` is what every command calls: it reads the cache without importing
git, and only syncs when nothing usable is cached.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from codewalk import locations
from codewalk.errors import CodewalkError, NetworkError
from codewalk.source import cache, cached, integrity
from codewalk.source.base import Source
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.source.local import SyncOutcome, local_checkout
from codewalk.source.pins import Pin, get_pin, load_pins
from codewalk.source.reporter import Reporter, TerminalReporter
from codewalk.visible import visible

__all__ = ["SyncOutcome", "ensure_checkout", "local_checkout", "open_checkout"]

SOURCE_MODE_ENV = "CODEWALK_SOURCE"  # auto (default) | git | release
SOURCE_PATH_ENV = "CODEWALK_SOURCE_PATH"
MODES = ("auto", "git", "release")


def kinds_for(pin: Pin, mode: str) -> tuple[SourceKind, ...]:
    """The kinds of source ``mode`` allows for ``pin``, in the order they are tried: the
    release is the wheel for a pin that names one, else the source distribution."""
    release = SourceKind.WHEEL if pin.wheel else SourceKind.RELEASE
    return {"auto": (SourceKind.GIT, release), "git": (SourceKind.GIT,), "release": (release,)}[mode]


def source_mode(explicit: str | None = None) -> str:
    mode = (explicit or os.environ.get(SOURCE_MODE_ENV) or "auto").strip().lower()
    if mode not in MODES:
        raise CodewalkError(
            f"{SOURCE_MODE_ENV}={mode!r} is not a source mode",
            hint="use one of: " + ", ".join(MODES),
        )
    return mode


def local_path(explicit: str | None = None) -> str | None:
    """The user's own checkout to read instead of the cache: ``--source``, else
    ``CODEWALK_SOURCE_PATH`` (an empty one is none)."""
    return explicit or os.environ.get(SOURCE_PATH_ENV) or None


def load_pin(repo: str | None) -> Pin:
    path = locations.pins_path()
    return get_pin(load_pins(path), repo, locations.pins_named())


def cached_repos(pins: Mapping[str, Pin]) -> list[str]:
    """The pinned repositories whose source is in the cache (opening them fetches nothing)."""
    home = locations.cache_home()
    return [name for name, pin in pins.items() if cached_checkout(pin, home) is not None]


def open_checkout(
    repo: str | None = None,
    source_path: str | None = None,
    *,
    pin: Pin | None = None,
    local: bool = True,
    reporter: Reporter | None = None,
    home: Path | None = None,
) -> Checkout:
    """The checkout commands read: ``--source``/``CODEWALK_SOURCE_PATH`` if given (and
    ``local``: a repository other than the one asked about never reads them), the cached
    entry if complete (fast, no git), else a sync (its progress told to ``reporter``,
    by default on stderr). ``pin`` reads another version than the pinned one
    (``REPO@VERSION``); ``home``, the cache's root, if the caller found it already."""
    pin = pin or load_pin(repo)
    own = local_path(source_path) if local else None
    if own:
        outcome = local_checkout(pin, Path(own))
        _print_notes(outcome.notes)
        return outcome.checkout
    found = cached_checkout(pin, home)
    if found is not None:
        return found
    # The reporter already shows the notes (fallbacks, damaged entries) as they happen.
    return ensure_checkout(pin, reporter=reporter or TerminalReporter()).checkout


def cached_checkout(pin: Pin, home: Path | None = None) -> Checkout | None:
    """The complete cache entry a command reads for ``pin`` without fetching (of a kind
    ``CODEWALK_SOURCE`` allows), or None: the command would fetch it first. ``home``:
    the cache's root, if the caller found it already."""
    return cached.current(pin, kinds_for(pin, source_mode()), home)


_shown_notes: set[str] = set()


def _print_notes(notes: list[str]) -> None:
    """Warnings about a checkout, each shown once per process however often it is
    opened (a tour opens it per repo, the UI again per session)."""
    for text in notes:
        if text not in _shown_notes:
            _shown_notes.add(text)
            print(f"codewalk: {visible(text)}", file=sys.stderr)


def _sources(kinds: tuple[SourceKind, ...]) -> list[Source]:
    """The source of each kind, in order (each imported only when asked for)."""
    found: list[Source] = []
    for kind in kinds:
        if kind is SourceKind.GIT:
            from codewalk.source.gitsource import GitSource

            found.append(GitSource())
        elif kind is SourceKind.RELEASE:
            from codewalk.source.release import ReleaseSource

            found.append(ReleaseSource())
        elif kind is SourceKind.WHEEL:
            from codewalk.source.wheel import WheelSource

            found.append(WheelSource())
    return found


def ensure_checkout(pin: Pin, *, mode: str | None = None, reporter: Reporter | None = None) -> SyncOutcome:
    """Make sure a verified checkout of ``pin`` is in the cache; return it."""
    mode = source_mode(mode)
    reporter = reporter or Reporter()
    notes: list[str] = []
    sources = _sources(kinds_for(pin, mode))
    with cache.repo_lock(pin.name):
        cache.clear_scratch(pin.name)
        damaged: list[Path] = []  # kept until a good entry is there to be read instead
        for source in sources:
            found = cached.verified(pin, source, reporter, notes)
            if found is not None:
                _discard_all(damaged)
                return SyncOutcome(found, downloaded=False, notes=notes)
            if cache.entry_dir(pin, source.kind).exists():
                damaged.append(cache.entry_dir(pin, source.kind))
        for number, source in enumerate(sources):
            try:
                built = _build(pin, source, reporter)
                _discard_all([entry for entry in damaged if entry.exists() and entry != built.root.parent])
                return SyncOutcome(built, downloaded=True, notes=notes)
            except NetworkError as exc:
                if number == len(sources) - 1:
                    raise
                notes.append(f"git host unreachable ({exc.message}); using the release {pin.release} instead")
                reporter.note(notes[-1])
    raise AssertionError("unreachable: every mode names at least one source")


def _discard_all(entries: list[Path]) -> None:
    for entry in entries:
        cache.discard(entry)


def _build(pin: Pin, source: Source, reporter: Reporter) -> Checkout:
    """Build an entry of ``source`` in scratch space and move it into place."""
    import shutil

    scratch = cache.make_scratch(pin.name)
    try:
        manifest = source.build(pin, scratch / "tree", reporter)
        built = scratch / "entry"
        built.mkdir()
        os.replace(scratch / "tree", built / "tree")
        cache.write_manifest(built, manifest)  # last: an entry with a manifest is complete
        integrity.protect_entry(built)  # read-only: a reader's editor cannot change it by accident
        entry = cache.entry_dir(pin, source.kind)
        cache.install(built, entry)
        return cache.checkout_from(pin, entry, manifest)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
