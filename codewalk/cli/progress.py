"""Progress on stderr: one updating line, for work that may take a while."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


def stderr_progress(label: str, unit: str = "files", after: float = 0.0) -> Callable[[int, int], None]:
    """A progress callback writing one updating line on stderr, once the work has taken
    ``after`` seconds (a short one says nothing)."""
    tty = sys.stderr.isatty()
    started = time.perf_counter()
    state = {"last": -1.0}

    def report(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - started < after or (done < total and now - state["last"] < (0.1 if tty else 2.0)):
            return
        state["last"] = now
        end = "\n" if done >= total or not tty else ""
        back = "\r" if tty else ""  # a log gets lines, as the download bar writes them
        print(f"{back}{label}: {done}/{total} {unit}", end=end, file=sys.stderr, flush=True)

    return report


class StderrCount:
    """A count of work done, on one updating line of a terminal's stderr once the work
    has taken ``after`` seconds (not on a log: the answer says how much was done); the
    line is wiped when the work ends, before the answer is printed."""

    def __init__(self, label: str, after: float = 1.0) -> None:
        self.label, self.after = label, after
        self.tty = sys.stderr.isatty()
        self.started = time.perf_counter()
        self.last = 0.0
        self.shown = 0  # the width of the line on screen

    def __call__(self, done: int) -> None:
        now = time.perf_counter()
        if not self.tty or now - self.started < self.after or now - self.last < 0.1:
            return
        self.last = now
        text = f"{self.label}: {done}"
        print(f"\r{text}", end="", file=sys.stderr, flush=True)
        self.shown = len(text)

    def end(self) -> None:
        if self.shown:
            print(f"\r{' ' * self.shown}\r", end="", file=sys.stderr, flush=True)
            self.shown = 0
