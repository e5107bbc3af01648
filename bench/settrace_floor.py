"""Runs a program (``python settrace_floor.py SCRIPT [ARGS...]``) under a ``sys.settrace``
function that records nothing: what the interpreter's tracing costs by itself, the floor
of the recorder's ``sys.settrace`` engine (Python before 3.12), which ``bench_trace.py``
reports beside it."""

from __future__ import annotations

import os
import runpy
import sys
import threading
from types import FrameType
from typing import Any


def nothing(_frame: FrameType, _event: str, _arg: Any) -> None:
    return None


def main() -> None:
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
    threading.settrace(nothing)
    sys.settrace(nothing)
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
