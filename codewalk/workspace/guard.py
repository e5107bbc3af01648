"""The store boundary of a workspace: one caller at a time, and SQLite's errors stopped
here. A damaged index met by a call (bad pages) is moved aside, a new one started, the
stack's snapshots opened again and the call made once more (``Store.recover``); any
other SQLite error is one line (``CacheError``), never a traceback."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, Protocol, TypeVar

from codewalk.errors import CacheError
from codewalk.index.database import disk_full, is_damage, is_full

if TYPE_CHECKING:
    import threading

    from codewalk.index.store import Store

_T = TypeVar("_T")
_P = ParamSpec("_P")


class Guarded(Protocol):
    """What the guard asks of a workspace."""

    _lock: threading.RLock
    store: Store

    def refresh(self) -> None: ...

    def recover(self, reason: str) -> None: ...


_W = TypeVar("_W", bound=Guarded)


def locked(method: Callable[Concatenate[_W, _P], _T]) -> Callable[Concatenate[_W, _P], _T]:
    """A workspace method, one caller at a time, behind the store boundary."""

    def wrapper(self: _W, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        with self._lock:
            return guarded(self, lambda: method(self, *args, **kwargs))

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


def guarded(workspace: Guarded, call: Callable[[], _T]) -> _T:
    """``call()``; SQLite's errors become one line, and damage is repaired once."""
    for attempt in (1, 2):
        try:
            workspace.refresh()
            return call()
        except sqlite3.DatabaseError as error:
            if is_full(error, workspace.store.path):
                assert workspace.store.path is not None  # a database in memory fills no disk
                raise disk_full(workspace.store.path, error) from None
            if attempt == 2 or not is_damage(error):
                raise CacheError(f"the index {workspace.store.path or '(in memory)'}: {error}") from None
            workspace.recover(str(error))
    raise AssertionError("unreachable")
