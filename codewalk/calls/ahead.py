"""The bodies a walk will read next, analysed ahead in one worker process while the walk
resolves the calls of others: a cold ``path`` spends about a third of its time in the
analysis of bodies (:func:`~codewalk.calls.extract.call_facts`, pure), which a second
core can do meanwhile.

A body the worker has not finished when the walk reaches it is analysed in the walk's
own process, as without a worker: the answer never waits on it, nor depends on it
(the same function, on the same text). No worker is started where forking is unsafe (a
process with other threads) or unavailable; then every body is analysed in place.
"""

from __future__ import annotations

import signal
import sys
import threading
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType

from codewalk.calls.model import Body
from codewalk.calls.records import CallFacts

Job = tuple[str, int, bool]  # a body's text, its first line and whether it is a method's


def key_of(body: Body) -> tuple[int, int]:
    """The key of ``body``'s facts: its file's blob and its ``def`` line (a nested
    function's are its host's)."""
    return body.blob, (body.host or body.target).line


def job(body: Body) -> Job:
    """What analysing ``body`` takes (its text read now)."""
    return body.source(), (body.host or body.target).start_line, bool(body.cls)


def analyse(work: Job) -> CallFacts:
    from codewalk.calls.extract import call_facts

    text, first_line, method = work
    return call_facts(text, first_line, method=method)


class Ahead:
    """Analyses wanted bodies in a worker; :meth:`take` hands over those it has done."""

    def __init__(self) -> None:
        self._pool: Pool | None = None
        self._off = sys.platform == "win32"
        self._pending: dict[tuple[int, int], AsyncResult[CallFacts]] = {}

    def want(self, key: tuple[int, int], work: Job) -> None:
        if self._off or key in self._pending:
            return
        if self._pool is None:
            if threading.active_count() > 1:  # forking a process with threads is unsafe
                self._off = True
                return
            import multiprocessing

            context = multiprocessing.get_context("fork")
            # the worker ignores ctrl+c: the walk's process stops it
            self._pool = context.Pool(1, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))
        self._pending[key] = self._pool.apply_async(analyse, (work,))

    def take(self, key: tuple[int, int]) -> CallFacts | None:
        """The facts of ``key`` if the worker has them ready, else None."""
        result = self._pending.pop(key, None)
        if result is None or not result.ready() or not result.successful():
            return None
        return result.get()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        self._pending.clear()

    def __enter__(self) -> Ahead:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
