"""What a sync tells its user while it works: phases, bytes downloaded, notes.

:class:`Reporter` says nothing (tests, the UI's own progress); :class:`TerminalReporter`
writes to stderr. On a terminal a download is a rich progress bar with its size, rate
and time left (rich comes with Textual), coloured as :func:`codewalk.color.use_color`
says; in a log (CI, a pipe) only phase changes, the
end of a download and, at most once a second, the tenth it has reached are written, each
with the same figures, so logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

from codewalk.color import use_color
from codewalk.visible import visible


class Reporter:
    """Receives what a sync is doing. The default says nothing; the CLI shows progress."""

    def phase(self, text: str) -> None:
        """A new phase begins: fetching, downloading, unpacking, recording, verifying."""

    def transfer(self, done: int, total: int | None) -> None:
        """Bytes downloaded so far of the current phase."""

    def note(self, text: str) -> None:
        """Something the user should know (a fallback, a mismatch)."""


class TerminalReporter(Reporter):
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._last_tenth = -1
        self._started = time.monotonic()
        self._said = -1.0  # when the last line of a download was written (a log's)
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def phase(self, text: str) -> None:
        self._end_bar()
        self._last_tenth = -1
        self._started = time.monotonic()
        self._said = -1.0
        self.stream.write(f"codewalk: {visible(text)}\n")
        self.stream.flush()

    def transfer(self, done: int, total: int | None) -> None:
        if self.live:
            self._draw(done, total)
            return
        now = time.monotonic()
        tenth = int(10 * done / total) if total else done // 10_000_000
        ended = bool(total) and done >= (total or 0) and self._last_tenth < 10
        if ended or (tenth != self._last_tenth and now - self._said >= 1.0):
            self._last_tenth, self._said = tenth, now
            self.stream.write(f"  {transfer_text(done, total, now - self._started)}\n")
            self.stream.flush()

    def note(self, text: str) -> None:
        self._end_bar()
        self.stream.write(f"codewalk: {visible(text)}\n")
        self.stream.flush()

    def _draw(self, done: int, total: int | None) -> None:
        if self._bar is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            console = Console(file=self.stream, highlight=False, no_color=not use_color(self.stream))
            self._bar = Progress(
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            self._task = self._bar.add_task("download", total=total)
            self._bar.start()
        assert self._task is not None
        self._bar.update(self._task, completed=done, total=total)
        if total is not None and done >= total:
            self._end_bar()

    def _end_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._task = None


def transfer_text(done: int, total: int | None, seconds: float) -> str:
    """``12.3 MB of 195.0 MB, 8.1 MB/s, 21 s left`` (what is known of it)."""
    parts = [f"{done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else "")]
    if seconds > 0 and done:
        rate = done / seconds
        parts.append(f"{rate / 1e6:.1f} MB/s")
        if total and done < total:
            parts.append(f"{(total - done) / rate:.0f} s left")
    return ", ".join(parts)
