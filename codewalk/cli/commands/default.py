"""``codewalk`` with no command: the tour picker on a terminal, else the help."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    if sys.stdin.isatty() and sys.stdout.isatty():
        from codewalk.ui.launch import run_picker

        return int(run_picker(args))
    from codewalk.cli.parser import build_parser

    build_parser().print_help()
    return 0
