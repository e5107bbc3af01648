"""Filling the index from a checkout: the whole repo in parallel, or a few modules on demand.

- :func:`index_all` (``codewalk index``): lists the package files, hashes each as git
  does (a blob id), and parses only contents the database has never seen, in worker
  processes; a progress line goes to stderr. All new facts land in one transaction, so
  an interrupted run leaves nothing half-written.
- :func:`index_paths`: the lazy path a tour or a cold ``find`` takes: parse just these
  files, in this process.

This is the I/O edge of the index: ``extract`` (parsing) and ``store`` (SQL) stay pure
of each other and of the disk layout.
"""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

import contextlib
import itertools
import os
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple, TypeVar

from codewalk.index.records import FileRow
from codewalk.index.store import FactRows, Store, fact_rows
from codewalk.source.cache import entry_stamp
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.source.integrity import blob_sha, read_with_sha

Progress = Callable[[int, int], None]
_Job = TypeVar("_Job")
_Done = TypeVar("_Done")


class IndexReport(NamedTuple):
    repo: str
    files: int  # package files in the checkout
    parsed: int  # contents parsed in this run
    reused: int  # contents already in the database (same blob id)
    skipped: tuple[tuple[str, str], ...]  # (path, reason) of files that did not parse
    seconds: float
    workers: int = 1
    notes: tuple[str, ...] = ()


def list_files(checkout: Checkout) -> list[tuple[str, str, bool]]:
    """(repo-relative path, module name, is package) of every ``.py`` file of the
    checkout's packages, and of every ``.pyi`` stub (the Python face of compiled code:
    ``tokenizers/tokenizers.pyi``), sorted by path. A stub and a source of the same
    module share its name; the source answers for the module."""
    return sorted((path, module, is_package) for path, module, is_package, _ in _package_files(checkout))


def _package_files(checkout: Checkout) -> Iterator[tuple[str, str, bool, os.DirEntry[str]]]:
    """Every package file :func:`list_files` lists, with its directory entry."""
    root = checkout.root
    for package in checkout.packages:
        top = checkout.package_dir() / package
        if not inside(root, top):
            continue  # a package that is a symlink out of the checkout
        # plain strings, not Paths: a cold tour lists every file, and pathlib is slower
        base = str(checkout.package_dir())
        prefix = os.path.relpath(base, root).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        pending = [str(top)]
        while pending:  # os.scandir, not os.walk: a walk would lstat every file for symlinks
            directory = pending.pop()
            try:
                with os.scandir(directory) as listing:
                    entries = list(listing)
            except OSError:
                continue
            rel_dir = directory[len(base) :].strip(os.sep)
            parts = tuple(rel_dir.split(os.sep)) if rel_dir else ()
            for entry in entries:
                name = entry.name
                if entry.is_dir():  # symlinked directories are not entered
                    if not entry.is_symlink() and not name.startswith((".", "__pycache__")):
                        pending.append(entry.path)
                    continue
                stem, dot, suffix = name.rpartition(".")
                if not dot or suffix not in ("py", "pyi"):
                    continue
                if entry.is_symlink() and not inside(root, Path(entry.path)):
                    continue  # a symlink out of the checkout: not its code
                path = prefix + "/".join((*parts, name))
                if stem == "__init__":
                    yield path, ".".join(parts), True, entry
                else:
                    yield path, ".".join((*parts, stem)), False, entry


_RACY_NS = 3_000_000_000  # a file changed this recently may change again within its timestamps' tick


def root_key(store: Store, checkout: Checkout) -> str:
    """Where the checkout is, as a snapshot records it: inside the cache the index is
    in, relative to it (a cache moved, copied, or restored from an archive by a CI job
    keeps its snapshots, not listing every file of every pin again); a
    checkout of the reader's own, its absolute path."""
    home = store.path.parent if store.path is not None else None
    if home is not None and checkout.root.is_relative_to(home):
        return checkout.root.relative_to(home).as_posix()
    return str(checkout.root)


def snapshot_key(checkout: Checkout) -> str:
    """What identifies the checkout's content: its commit, and for the user's own
    checkout (``--source``, maybe edited or not under git) a fingerprint of every file
    :func:`list_files` lists (``.pyi`` stubs too).

    A file is known by its stat: size, modification time, and the inode change time,
    which no tool sets back (``touch -d``, ``cp -p``, ``rsync -a`` and ``tar x`` keep an
    old mtime, never an old ctime), with the inode (a file replaced by a rename). The
    only change a stat can miss is a second one within the same tick of the clock that
    stamps files (coarse on some file systems): a file changed within the last seconds
    is known by its content as well."""
    if checkout.kind is not SourceKind.LOCAL:
        # the entry's build as well: an entry fetched again (``sync`` repairing it)
        # gets a new snapshot, whose file list is read from the new tree
        return f"{checkout.commit}@{entry_stamp(checkout)}"
    import hashlib
    import time

    digest = hashlib.sha1(usedforsecurity=False)
    now = time.time_ns()
    for path, _module, _is_package, entry in sorted(_package_files(checkout), key=lambda found: found[0]):
        try:
            info = entry.stat()
        except OSError:
            continue
        digest.update(f"{path}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}\n".encode())
        if now - max(info.st_mtime_ns, info.st_ctime_ns) < _RACY_NS:
            try:
                with open(entry.path, "rb") as handle:
                    digest.update(blob_sha(handle.read()).encode())
            except OSError:
                continue
    return f"{checkout.commit}+{digest.hexdigest()[:16]}"


def open_snapshot(store: Store, checkout: Checkout) -> tuple[int, bool]:
    """The snapshot of this checkout in the store (created with its file list if new)."""
    key = (checkout.repo, root_key(store, checkout), snapshot_key(checkout))
    found = store.snapshot(*key)
    if found is not None:
        return found
    return store.create_snapshot(*key, list_files(checkout)), False


def inside(root: Path, path: Path) -> bool:
    """Whether ``path`` is in the tree at ``root`` once symlinks are followed."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, ValueError):
        return False


# Verified bytes of cached (pinned, read-only) files, kept for the process: a cold query
# or tour scans the same files for several names, and each read is checked against its
# blob. The user's own checkout is never kept: it may change under a long session.
_KEPT: dict[tuple[str, str], tuple[bytes, str]] = {}
_KEPT_LIMIT = 160 << 20  # bytes
_kept_size = 0


def read_checked(checkout: Checkout, path: str) -> tuple[bytes, str] | None:
    """A file's bytes and blob id as the pin records them (a damaged cached file is
    restored first), or None when it cannot be read or leaves the tree."""
    global _kept_size
    key = (str(checkout.root), path)
    kept = _KEPT.get(key)
    if kept is not None:
        return kept
    full = os.path.join(checkout.root, path)
    if os.path.islink(full) and not inside(checkout.root, Path(full)):
        return None
    try:
        read = read_with_sha(checkout, path)
    except OSError:
        return None
    if checkout.kind is not SourceKind.LOCAL and _kept_size + len(read[0]) <= _KEPT_LIMIT:
        _KEPT[key] = read
        _kept_size += len(read[0])
    return read


def index_paths(store: Store, snap: int, checkout: Checkout, rows: Iterable[FileRow]) -> list[FileRow]:
    """Index these files now, in this process; returns them with their blob ids. The
    files are parsed before the index is locked for writing, which then takes only the
    writes: another codewalk indexing at the same time waits for those alone."""
    done: list[FileRow] = []
    read: list[tuple[FileRow, bytes, str, FactRows | None]] = []
    for row in rows:
        if row.blob is not None:
            continue
        found = read_checked(checkout, row.path)
        if found is None:
            continue
        data, sha = found
        facts = extracted(data) if store.blob_id(sha) is None else None
        read.append((row, data, sha, facts))
    if not read:
        return done
    with store.transaction():
        for row, data, sha, facts in read:
            blob = store.blob_id(sha)  # another codewalk may have added it meanwhile
            if blob is None:
                blob = store.add_blob(sha, facts if facts is not None else extracted(data))
            store.set_blob(snap, row.path, blob)
            done.append(FileRow(row.path, row.module, row.is_package, blob))
    return done


def extracted(data: bytes) -> FactRows:
    """The facts of a file's bytes, as rows. The cyclic collector waits meanwhile: a
    syntax tree is acyclic, so refcounting frees it, and the collector would only walk
    its hundred thousand nodes again and again (it is switched back on only if it was on)."""
    import gc

    from codewalk.index.extract import extract

    collecting = gc.isenabled()
    gc.disable()
    try:
        return fact_rows(extract(data))
    finally:
        if collecting:
            gc.enable()


def _work(job: tuple[str, str]) -> tuple[str, str, FactRows]:
    root, path = job
    data = Path(root, path).read_bytes()  # read_checked made it what the pin records
    return path, blob_sha(data), extracted(data)


_BATCH = 100  # files per transaction in a full index


def index_all(
    store: Store, checkout: Checkout, *, workers: int = 2, progress: Progress | None = None
) -> IndexReport:
    """Index every package file of ``checkout``; contents seen before are not parsed."""
    started = time.perf_counter()
    snap, _complete = open_snapshot(store, checkout)
    files = store.files(snap)
    known = store.blob_ids()
    have: list[tuple[str, int]] = []
    new: dict[str, str] = {}  # sha -> first path with that content
    same: list[tuple[str, str]] = []  # (path, sha) of duplicates of a new content
    unreadable: list[tuple[str, str]] = []
    for row in files:
        read = read_checked(checkout, row.path)
        if read is None:
            unreadable.append((row.path, "cannot read the file"))
            continue
        sha = read[1]
        if sha in known:
            have.append((row.path, known[sha]))
        elif sha in new:
            same.append((row.path, sha))
        else:
            new[sha] = row.path
    total, count = len(files), len(have)
    jobs = [(str(checkout.root), path) for path in new.values()]
    with store.transaction():
        store.set_blobs(snap, have)
    if progress:
        progress(count, total)
    # Committed in batches: every file's facts stand alone, so an interrupted run keeps
    # what it parsed (the snapshot stays lazy until the end), and the write lock is
    # held for moments, not for the whole run.
    # closed however the loop ends: a write that fails (a full disk) stops the workers
    # now, not whenever the generator holding their pool is collected
    with contextlib.closing(in_workers(_work, jobs, workers, _size, 8)) as results:
        while batch := list(itertools.islice(results, _BATCH)):
            with store.transaction():
                for path, sha, rows in batch:
                    store.set_blob(snap, path, store.add_blob(sha, rows))
            count += len(batch)
            if progress:
                progress(count, total)
    with store.transaction():
        ids = store.blob_ids()
        store.set_blobs(snap, [(path, ids[sha]) for path, sha in same])
        store.mark_complete(snap)
    if progress and count < total:
        progress(total, total)
    skipped = tuple(sorted([*store.skipped(snap), *unreadable]))
    return IndexReport(
        repo=checkout.repo,
        files=total,
        parsed=len(jobs),
        reused=len(have) + len(same),
        skipped=skipped,
        seconds=time.perf_counter() - started,
        workers=workers,
    )


def in_workers(
    work: Callable[[_Job], _Done],
    jobs: Sequence[_Job],
    workers: int,
    size: Callable[[_Job], int],
    chunks: int,
) -> Generator[_Done]:
    """``work`` of each of ``jobs``, in any order: in ``workers`` processes, the biggest
    jobs first (no worker ends the run alone on trainer.py); in this one for a few."""
    if workers <= 1 or len(jobs) < 8:
        yield from map(work, jobs)
        return
    import multiprocessing

    ordered = sorted(jobs, key=lambda job: -size(job))
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with context.Pool(workers) as pool:
        yield from pool.imap_unordered(work, ordered, chunksize=chunks)


def _size(job: tuple[str, str]) -> int:
    try:
        return os.path.getsize(os.path.join(*job))
    except OSError:
        return 0
