"""What a sync tells its user while it works: phases, bytes downloaded, notes.

:class:`Reporter` says nothing (tests, the UI's own progress); :class:`TerminalReporter`
writes to stderr: on a terminal a line is redrawn in place, in a log (CI, a pipe) only
phase changes and every tenth of a download are written, so logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


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
        self._phase = ""
        self._last_tenth = -1
        self._started = time.monotonic()
        self._dirty = False

    def phase(self, text: str) -> None:
        self._end_line()
        self._phase = text
        self._last_tenth = -1
        self._started = time.monotonic()
        self.stream.write(f"codewalk: {text}\n")
        self.stream.flush()

    def transfer(self, done: int, total: int | None) -> None:
        size = f"{done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else "")
        if self.live:
            percent = f" {100 * done / total:3.0f}%" if total else ""
            self.stream.write(f"\r  {size}{percent}")
            self._dirty = True
            self.stream.flush()
            return
        tenth = int(10 * done / total) if total else done // 10_000_000
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            self.stream.write(f"  {size}\n")

    def note(self, text: str) -> None:
        self._end_line()
        self.stream.write(f"codewalk: {text}\n")

    def _end_line(self) -> None:
        if self._dirty:
            self.stream.write("\n")
            self._dirty = False
