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
        print(f"\r{label}: {done}/{total} {unit}", end=end, file=sys.stderr, flush=True)

    return report
