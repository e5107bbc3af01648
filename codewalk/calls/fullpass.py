"""The optional full pass (``codewalk index --calls``): the call facts of every function,
method and property of an indexed checkout, in worker processes, with progress.

Commands compute the facts they need on demand; this pass is for a reader who wants
every answer warm (``callers`` of a common name reads many bodies). Bodies whose facts
the index already has (by blob and line, at this version) are skipped, so a second run,
or a second version sharing most files, costs little. The symbol index never waits for
it: ``codewalk index`` alone does not run it.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from codewalk.calls.cache import CallFactsTable
from codewalk.calls.records import CallFacts
from codewalk.index.indexer import in_workers
from codewalk.index.store import Store
from codewalk.resolve.model import BODY_KINDS
from codewalk.source.checkout import Checkout
from codewalk.source.integrity import as_text, blob_sha

Progress = Callable[[int, int], None]
_BATCH = 50  # files per transaction

# (blob, def line, first line, last line, in a class) of one body
Span = tuple[int, int, int, int, bool]


class FileJob(NamedTuple):
    """The bodies of one file still to analyse."""

    path: str
    sha: str  # the blob the index read: the file analysed must still be it
    spans: list[Span]


class CallsReport(NamedTuple):
    files: int  # files with bodies to analyse
    bodies: int  # bodies analysed in this run
    known: int  # bodies whose facts the index had
    failed: int  # bodies that did not parse on their own
    seconds: float
    workers: int


def plan(store: Store, snap: int, table: CallFactsTable) -> tuple[list[FileJob], int]:
    """Per file (one per blob), the bodies still to analyse; and how many were known."""
    known = table.known()
    shas = {blob: sha for sha, blob in store.blob_ids().items()}
    seen_blobs: set[int] = set()
    jobs: list[FileJob] = []
    skipped = 0
    for row in store.files(snap):
        if row.blob is None or row.blob in seen_blobs:
            continue
        seen_blobs.add(row.blob)
        spans: list[Span] = []
        for d in store.defs_of(row.blob):
            if d.kind not in BODY_KINDS or "<locals>" in d.qualname:  # a nested def's facts are its host's
                continue
            if (row.blob, d.line) in known:
                skipped += 1
            else:
                spans.append((row.blob, d.line, d.start_line, d.end_line, bool(d.parent)))
        if spans:
            jobs.append(FileJob(row.path, shas[row.blob], spans))
    return jobs, skipped


def analyse_file(work: tuple[str, FileJob]) -> list[tuple[int, int, CallFacts]]:
    """The facts of the bodies of one file (a worker's unit of work under ``root``);
    none when the file cannot be read or is no longer the blob the index read (edited
    in the cache since): facts are kept by blob, and a command that needs them reads
    the file itself (restored, or saying why it cannot)."""
    from codewalk.calls.extract import call_facts

    root, job = work
    try:
        data = Path(root, job.path).read_bytes()
    except OSError:
        return []
    if blob_sha(data) != job.sha:
        return []
    lines = as_text(data).splitlines(keepends=True)
    out: list[tuple[int, int, CallFacts]] = []
    for blob, line, first, last, method in job.spans:
        text = "".join(lines[first - 1 : last])
        out.append((blob, line, call_facts(text, first, method=method)))
    return out


def index_calls(
    store: Store, snap: int, checkout: Checkout, *, workers: int = 2, progress: Progress | None = None
) -> CallsReport:
    """Analyse every body of the snapshot that the index has no call facts for."""
    started = time.perf_counter()
    table = CallFactsTable(store.db)
    jobs, known = plan(store, snap, table)
    work = [(str(checkout.root), job) for job in jobs]
    done = bodies = failed = 0
    if progress:
        progress(0, len(work))
    with contextlib.closing(in_workers(analyse_file, work, workers, _lines, 4)) as results:
        while batch := list(itertools.islice(results, _BATCH)):
            rows = [row for rows in batch for row in rows]
            table.put(rows)
            bodies += len(rows)
            failed += sum(1 for _, _, facts in rows if facts.error)
            done += len(batch)
            if progress:
                progress(done, len(work))
    return CallsReport(len(work), bodies, known, failed, time.perf_counter() - started, workers)


def _lines(work: tuple[str, FileJob]) -> int:
    return sum(last - first for _, _, first, last, _ in work[1].spans)
