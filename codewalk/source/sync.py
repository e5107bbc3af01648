"""Getting a pin's code onto this machine, first way that works (DESIGN.md section 4):

1. a complete, verified entry already in the cache;
2. git: a shallow fetch of the pinned commit (or tag) from the pin's url or the mirror;
3. when the git host can't be reached (or ``CODEWALK_SOURCE=release``): the release's
   source distribution from the package index, committed into a local repository;
4. ``--source PATH`` / ``CODEWALK_SOURCE_PATH``: the user's own checkout, used as is.

``open_checkout`` is what every command calls: it reads the cache without importing
git, and only syncs when nothing usable is cached.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from codewalk import locations
from codewalk.errors import CodewalkError, NetworkError, SourceError
from codewalk.source import cache
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.source.pins import Pin, get_pin, load_pins, redact_url

SOURCE_MODE_ENV = "CODEWALK_SOURCE"  # auto (default) | git | release
SOURCE_PATH_ENV = "CODEWALK_SOURCE_PATH"
MODES = ("auto", "git", "release")


class Reporter:
    """Receives what a sync is doing. The default says nothing; the CLI shows progress."""

    def phase(self, text: str) -> None:
        """A new phase begins: fetching, downloading, unpacking, recording, verifying."""

    def transfer(self, done: int, total: int | None) -> None:
        """Bytes downloaded so far of the current phase."""

    def note(self, text: str) -> None:
        """Something the user should know (a fallback, a mismatch)."""


class SyncOutcome(NamedTuple):
    checkout: Checkout
    downloaded: bool  # False when the cache already held a verified entry
    notes: list[str]


def source_mode(explicit: str | None = None) -> str:
    mode = (explicit or os.environ.get(SOURCE_MODE_ENV) or "auto").strip().lower()
    if mode not in MODES:
        raise CodewalkError(
            f"{SOURCE_MODE_ENV}={mode!r} is not a source mode",
            hint="use one of: " + ", ".join(MODES),
        )
    return mode


def load_pin(repo: str | None) -> Pin:
    path = locations.pins_path()
    return get_pin(load_pins(path), repo, str(path))


def open_checkout(repo: str | None = None, source_path: str | None = None) -> Checkout:
    """The checkout commands read: ``--source``/``CODEWALK_SOURCE_PATH`` if given, the
    cached entry if complete (fast, no git), else a sync (printing progress)."""
    pin = load_pin(repo)
    local = source_path or os.environ.get(SOURCE_PATH_ENV)
    if local:
        outcome = local_checkout(pin, Path(local))
        _print_notes(outcome.notes)
        return outcome.checkout
    mode = source_mode()
    kinds = {"auto": None, "git": (SourceKind.GIT,), "release": (SourceKind.RELEASE,)}[mode]
    cached = cache.current_checkout(pin, kinds)
    if cached is not None:
        return cached
    from codewalk.render.progress import TerminalReporter

    # The reporter already shows the notes (fallbacks, damaged entries) as they happen.
    return ensure_checkout(pin, mode=mode, reporter=TerminalReporter()).checkout


_shown_notes: set[str] = set()


def _print_notes(notes: list[str]) -> None:
    """Warnings about a checkout, each shown once per process however often it is
    opened (a tour opens it per repo, the UI again per session)."""
    import sys

    for text in notes:
        if text not in _shown_notes:
            _shown_notes.add(text)
            print(f"codewalk: {text}", file=sys.stderr)


def ensure_checkout(pin: Pin, *, mode: str | None = None, reporter: Reporter | None = None) -> SyncOutcome:
    """Make sure a verified checkout of ``pin`` is in the cache; return it."""
    mode = source_mode(mode)
    reporter = reporter or Reporter()
    notes: list[str] = []
    with cache.repo_lock(pin.name):
        cache.clear_scratch(pin.name)
        kinds = {
            "auto": (SourceKind.GIT, SourceKind.RELEASE),
            "git": (SourceKind.GIT,),
            "release": (SourceKind.RELEASE,),
        }[mode]
        for kind in kinds:
            found = _verified_entry(pin, kind, reporter, notes)
            if found is not None:
                return SyncOutcome(found, downloaded=False, notes=notes)
        if mode in ("auto", "git"):
            try:
                return SyncOutcome(_sync_git(pin, reporter), downloaded=True, notes=notes)
            except NetworkError as exc:
                if mode == "git":
                    raise
                notes.append(f"git host unreachable ({exc.message}); using the release {pin.release} instead")
                reporter.note(notes[-1])
        return SyncOutcome(_sync_release(pin, reporter), downloaded=True, notes=notes)


def _verified_entry(pin: Pin, kind: SourceKind, reporter: Reporter, notes: list[str]) -> Checkout | None:
    entry = cache.entry_dir(pin, kind)
    if not entry.exists():
        return None
    manifest = cache.read_manifest(entry)
    problem = "it has no readable manifest (an interrupted run?)" if manifest is None else None
    if manifest is not None:
        from codewalk.source import gitsource

        reporter.phase(f"verifying {entry.name}")
        problem = gitsource.verify_tree(entry / "tree", manifest.commit)
        if (
            problem is None
            and pin.commit
            and kind is SourceKind.GIT
            and manifest.upstream_commit != pin.commit
        ):
            problem = f"it holds {manifest.upstream_commit}, not the pinned {pin.commit}"
    if problem is None and manifest is not None:
        return cache.checkout_from(pin, entry, manifest)
    notes.append(f"cached {pin.name} entry {entry.name} is damaged ({problem}); fetching it again")
    reporter.note(notes[-1])
    cache.discard(entry)
    return None


def _sync_git(pin: Pin, reporter: Reporter) -> Checkout:
    import shutil

    from codewalk.source import gitsource

    url = gitsource.effective_url(pin)
    scratch = cache.make_scratch(pin.name)
    try:
        reporter.phase(f"fetching {pin.tag} from {redact_url(url)}")
        head, upstream = gitsource.fetch_pinned(pin, scratch / "tree", url=url, timeout=_git_timeout())
        manifest = cache.Manifest(
            repo=pin.name,
            kind=SourceKind.GIT.value,
            commit=head,
            upstream_commit=upstream,
            tag=pin.tag,
            release=pin.release,
            origin=redact_url(url),
        )
        return _install(pin, SourceKind.GIT, scratch, manifest)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _sync_release(pin: Pin, reporter: Reporter) -> Checkout:
    import shutil

    from codewalk.source import gitsource, release

    scratch = cache.make_scratch(pin.name)
    try:
        reporter.phase(f"looking up {pin.release} on the package index")
        dist = release.find_sdist(pin.release_name, pin.release_version, release.configured_indexes())
        reporter.phase(f"downloading {dist.filename}")
        archive = release.download(dist, scratch, reporter.transfer)
        reporter.phase(f"unpacking {dist.filename}")
        release.unpack(archive, scratch / "tree")
        archive.unlink()
        package = scratch / "tree" / pin.package_root / pin.packages[0]
        if not package.is_dir():
            raise SourceError(
                f"{dist.filename} has no {pin.package_root}/{pin.packages[0]}/",
                hint="check package_root and packages in vendor_pins.toml",
            )
        reporter.phase("recording the release files in a local git repository")
        head = gitsource.commit_tree(scratch / "tree", f"{pin.release} (source distribution {dist.filename})")
        manifest = cache.Manifest(
            repo=pin.name,
            kind=SourceKind.RELEASE.value,
            commit=head,
            upstream_commit="",
            tag=pin.tag,
            release=pin.release,
            origin=redact_url(dist.url),
            sha256=dist.sha256,
        )
        return _install(pin, SourceKind.RELEASE, scratch, manifest)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _install(pin: Pin, kind: SourceKind, scratch: Path, manifest: cache.Manifest) -> Checkout:
    built = scratch / "entry"
    built.mkdir()
    os.replace(scratch / "tree", built / "tree")
    cache.write_manifest(built, manifest)  # last: an entry with a manifest is complete
    entry = cache.entry_dir(pin, kind)
    cache.install(built, entry)
    return cache.checkout_from(pin, entry, manifest)


def _git_timeout() -> float:
    raw = os.environ.get("CODEWALK_GIT_TIMEOUT", "")
    try:
        seconds = float(raw) if raw else 120.0
    except ValueError:
        seconds = -1.0
    if not seconds > 0:  # also NaN
        raise CodewalkError(f"CODEWALK_GIT_TIMEOUT={raw!r} is not a positive number of seconds")
    return seconds


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
    from codewalk.source import gitsource

    head, dirty, tags = gitsource.describe(root)
    notes: list[str] = []
    if not head:
        notes.append(f"{root} is not a git checkout; reading its files as they are")
    elif pin.commit and head != pin.commit:
        notes.append(f"{root} is at {head[:12]}, not the pinned {pin.tag} ({pin.commit[:12]})")
    elif not pin.commit and pin.tag not in tags:
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
