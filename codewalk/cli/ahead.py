"""A tour's steps resolved in a child process, ahead of the printing.

On an index that has not yet seen the modules a tour reads, resolving its steps is most
of ``codewalk tour NAME --plain``; printing them (highlighting, notes) is most of the
rest. They need not wait for each other: a forked child resolves the steps in order and
hands each over through a pipe, while the process the reader watches prepares its
renderer and prints the steps as they come, each as soon as it is resolved.

The child works silently and never does what the reader should see happen: it never
fetches (:func:`codewalk.source.sync.forbid_fetching`) and never writes to stdout or
stderr. Where it would (a repo to fetch, a note to say, an error), it stops, and the
parent resolves that step and the rest itself, as it would have without a child, saying
what there is to say. So the output is the same either way, byte for byte. The parent
kills the child when it stops waiting for it (the tour printed, an error, ctrl+c), and
before resolving a step itself, so that the two never resolve the same step. (Both may
write the index meanwhile, the parent only to read ahead: SQLite takes their writes
one at a time, and a file's facts are the same whoever extracts them.)

Only where ``fork`` is safe and cheap (Linux and the BSDs) and the process runs no other
thread; elsewhere the parent resolves every step, as before.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import threading
from collections.abc import Callable

from codewalk.tours.model import ResolvedStep, Step

Work = Callable[[Callable[[], object], Callable[[ResolvedStep], None]], None]
STEP_TIMEOUT_S = 60.0  # a child silent this long on one step is stopped; the parent does it
_SIZE = 8  # bytes of the length before each pickled step


class Ahead:
    """Steps ``1..last`` being resolved by a child; :meth:`take` each, in order."""

    def __init__(self, pid: int, reader: int, writer: int) -> None:
        self._pid: int | None = pid
        self._reader = reader  # the pipe's end, read unbuffered: select sees all there is
        self._writer: int | None = writer  # where the job goes, once the parent has it
        self._next = 1

    @classmethod
    def start(cls, work: Work) -> Ahead | None:
        """Fork a child that runs ``work(receive, send)``: ``receive()`` waits for the job
        this process hands over (:meth:`give`; None if it never does), ``send`` hands
        each resolved step back. None where forking is not for here (the parent then
        resolves every step itself)."""
        if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
            return None
        if threading.active_count() > 1:  # a fork copies no other thread; its locks may be held
            return None
        sys.stdout.flush()
        sys.stderr.flush()
        steps_read, steps_write = os.pipe()
        job_read, job_write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for end in (steps_read, steps_write, job_read, job_write):
                os.close(end)
            return None
        if pid == 0:  # the child
            os.close(steps_read)
            os.close(job_write)
            _child(job_read, steps_write, work)
        os.close(steps_write)
        os.close(job_read)
        return cls(pid, steps_read, job_write)

    def give(self, job: object) -> None:
        """Hand the child its job (what :meth:`start`'s ``receive`` returns there). A
        child that does not take it within the step's time (or is gone) is stopped:
        take() then says so, and the parent does the work."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            data = memoryview(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            os.set_blocking(writer, False)  # a job larger than the pipe waits for the child
            while data:
                _, writable, _ = select.select([], [writer], [], STEP_TIMEOUT_S)
                if not writable:
                    raise TimeoutError
                try:
                    data = data[os.write(writer, data) :]
                except BlockingIOError:
                    continue
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            self.stop()  # TimeoutError, BrokenPipeError, a job that will not pickle
        finally:
            os.close(writer)

    def take(self, step: Step) -> ResolvedStep | None:
        """``step`` as the child resolved it, once it has; None if it will not (it
        stopped, or failed): the child is then gone, and the parent resolves this step
        and every later one itself."""
        if self._pid is None or step.index != self._next:
            self.stop()
            return None
        try:
            size = int.from_bytes(self._read(_SIZE), "big")
            resolved = pickle.loads(self._read(size))
        except (EOFError, OSError, pickle.UnpicklingError, AttributeError, ImportError, IndexError):
            resolved = None
        if not isinstance(resolved, ResolvedStep) or resolved.step != step:
            self.stop()
            return None
        self._next += 1
        return resolved

    def ready(self) -> bool:
        """Whether the child has sent something (or gone): :meth:`take` would not wait."""
        if self._pid is None:
            return True
        ready, _, _ = select.select([self._reader], [], [], 0)
        return bool(ready)

    def _read(self, size: int) -> bytes:
        """``size`` bytes from the child, each part within the step's time; EOFError if
        it closes the pipe first or stays silent too long."""
        parts: list[bytes] = []
        while size:
            ready, _, _ = select.select([self._reader], [], [], STEP_TIMEOUT_S)
            part = os.read(self._reader, min(size, 1 << 20)) if ready else b""
            if not part:
                raise EOFError
            parts.append(part)
            size -= len(part)
        return b"".join(parts)

    def stop(self) -> None:
        """Stop the child (if it still runs) and reap it."""
        pid, self._pid = self._pid, None
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        os.close(self._reader)


def _child(job: int, steps: int, work: Work) -> None:
    """The child's life: wait for the job, resolve, send, and leave by ``os._exit`` (no
    exit handler, no buffer of the parent's flushed twice)."""
    code = 1
    try:
        from codewalk.source import sync

        sync.forbid_fetching()
        _silence()

        def receive() -> object:
            with os.fdopen(job, "rb") as given:
                data = given.read()
            return pickle.loads(data) if data else None

        def send(resolved: ResolvedStep) -> None:
            if _Silent.spoke:
                raise _Stop
            _write(steps, pickle.dumps(resolved, protocol=pickle.HIGHEST_PROTOCOL))

        work(receive, send)
        code = 0
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _write(descriptor: int, data: bytes) -> None:
    """All of ``data``, its length first (the child's side: the parent reads it)."""
    view = memoryview(len(data).to_bytes(_SIZE, "big") + data)
    while view:
        view = view[os.write(descriptor, view) :]


class _Stop(Exception):
    """The child had something to say: the parent resolves from this step on."""


class _Silent:
    """sys.stdout and sys.stderr of the child: what is written there would be lost, so
    writing is noted (the step being resolved is then left to the parent)."""

    spoke = False

    def write(self, text: str) -> int:
        if text:
            _Silent.spoke = True
        return len(text)

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False


def _silence() -> None:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    sys.stdout = sys.stderr = _Silent()
