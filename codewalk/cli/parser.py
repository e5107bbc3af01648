"""The argument parser: one subparser per command module, built lazily.

Each command lives in its own module under ``codewalk.cli.commands`` and exposes
``register(subparsers)`` (cheap: no heavy imports) and ``run(args) -> int``. The parser
is stdlib ``argparse`` on purpose: ``codewalk find`` on a warm index must finish faster
than ripgrep, and a CLI framework's import alone would eat a third of that budget.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from codewalk import __version__
from codewalk.cli.commands import NAMES

_PACKAGE = "codewalk.cli.commands"
COMMAND_MODULES: tuple[str, ...] = tuple(f"{_PACKAGE}.{name}" for name in NAMES)


def _available_commands(only: str | None = None) -> list[ModuleType]:
    modules: list[ModuleType] = []
    names = [f"{_PACKAGE}.{only}"] if only else COMMAND_MODULES
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real import error inside the command: surface it
                raise
    return modules


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, without importing shutil (with bz2, lzma and fnmatch: ~4 ms
    of a warm ``find``) for the terminal's width: argparse makes a formatter for every
    argument it adds, and only help text needs a width. It is the one shutil gives."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, width or _columns() - 2)


def _columns() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser. Given the arguments, and they name a command, only that
    command's subparser is built: building all of them costs more than a warm
    ``find`` may take in all."""
    parser = _Parser(
        prog="codewalk",
        description="Annotated, symbol-anchored tours of Hugging Face transformers at a pinned version.",
    )
    parser.add_argument("--version", action="version", version=f"codewalk {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        default=os.environ.get("CODEWALK_DEBUG", "") not in ("", "0"),
        help="show the full traceback of an error (also CODEWALK_DEBUG=1)",
    )
    # An explicit prog spares argparse a help formatter here.
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", prog="codewalk", parser_class=_Parser
    )
    for module in _available_commands(_named_command(argv)):
        module.register(subparsers)
    return parser


def _named_command(argv: Sequence[str] | None) -> str | None:
    """The command ``argv`` names, if it plainly names one (options before it aside)."""
    if argv is None:
        return None
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    known = {name.rsplit(".", 1)[1] for name in COMMAND_MODULES}
    return first if first in known else None
