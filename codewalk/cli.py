"""The ``codewalk`` command line: parse arguments, run one command, map errors to exits.

Each command lives in its own module under ``codewalk.commands`` and exposes
``register(subparsers)`` (cheap: no heavy imports) and ``run(args) -> int``. The
argument parser is stdlib ``argparse`` on purpose: ``codewalk find`` on a warm index
must finish faster than ripgrep, and a CLI framework's import alone would eat a third
of that budget. Heavy libraries (textual, jedi, GitPython, pygments) are imported only
inside the commands that need them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from codewalk import __version__
from codewalk.errors import CodewalkError

# Order is the order of ``codewalk --help``.
COMMAND_MODULES: tuple[str, ...] = (
    "codewalk.commands.tours",
    "codewalk.commands.tour",
    "codewalk.commands.find",
    "codewalk.commands.show",
    "codewalk.commands.goto",
    "codewalk.commands.check",
    "codewalk.commands.export",
    "codewalk.commands.sync",
    "codewalk.commands.index",
    "codewalk.commands.pins",
)


def _available_commands(only: str | None = None) -> list[ModuleType]:
    modules: list[ModuleType] = []
    names = [f"codewalk.commands.{only}"] if only else COMMAND_MODULES
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real import error inside the command: surface it
                raise
    return modules


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser. Given the arguments, and they name a command, only that
    command's subparser is built: building all of them costs more than a warm
    ``find`` may take in all."""
    parser = argparse.ArgumentParser(
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
    # An explicit prog spares argparse a help formatter (and its shutil import) here.
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", prog="codewalk")
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


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        from codewalk.commands import default

        handler = default.run
    else:
        handler = args.handler
    try:
        return int(handler(args))
    except CodewalkError as error:
        if args.debug:
            raise
        print(f"codewalk: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("codewalk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # ``codewalk tour x | head``: the reader has what they wanted.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
