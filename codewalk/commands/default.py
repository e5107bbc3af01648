"""``codewalk`` with no command: the tour picker on a terminal, else the help."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    if sys.stdin.isatty() and sys.stdout.isatty():
        try:
            from codewalk.ui import launch  # the terminal UI, when it is installed
        except ModuleNotFoundError:
            pass
        else:
            return launch.run_picker(args)
    from codewalk.cli import build_parser

    build_parser().print_help()
    return 0
