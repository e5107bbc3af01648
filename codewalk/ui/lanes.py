"""The threads the UI's slow work runs on, one call at a time each: the nav thread
(every workspace call), jedi's, and fetches of other versions.

Daemon threads, and waits that end when the session closes: quitting never waits for a
call under way (a fetch on a package index that does not answer, a long jedi answer).
:meth:`Lane.close` fails every wait on the lane at once (:class:`SessionClosed`); the
call itself is left to end with the process, as a killed one would (a cache entry is
built in scratch space and moved into place whole, the index writes in transactions).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class SessionClosed(Exception):
    """The session was closed while this call was waited for."""


class Lane:
    """One daemon thread running the calls handed to it, in order."""

    def __init__(self, name: str) -> None:
        self._calls: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._open: set[Future[Any]] = set()  # handed in, not settled yet
        self._closed = False
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def submit(self, call: Callable[[], T]) -> Future[T]:
        """``call()`` on the lane's thread; its future (failed at once when closed)."""
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                future.set_exception(SessionClosed("the session is closed"))
                return future
            self._open.add(future)
        self._calls.put((call, future))
        return future

    def close(self) -> None:
        """Fail every wait on the lane now; what runs is abandoned, what waits is dropped."""
        with self._lock:
            self._closed = True
            pending, self._open = self._open, set()
            for future in pending:
                if not future.done():
                    future.set_exception(SessionClosed("the session was closed while this was under way"))
        self._calls.put(None)

    def _run(self) -> None:
        while (item := self._calls.get()) is not None:
            call, future = item
            with self._lock:
                if future.done() or not future.set_running_or_notify_cancel():
                    continue  # failed by close(), or cancelled
            try:
                result = call()
            except BaseException as error:  # handed to the waiter, as an executor does
                self._settle(future, None, error)
            else:
                self._settle(future, result, None)

    def _settle(self, future: Future[Any], result: object, error: BaseException | None) -> None:
        with self._lock:
            self._open.discard(future)
            if future.done():  # the session closed meanwhile: nobody waits for it
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)
