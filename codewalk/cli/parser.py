"""The argument parser: one subparser per command module, built lazily.

Each command lives in its own module under ``codewalk.cli.commands`` and exposes
``register(subparsers)`` (cheap: no heavy imports) and ``run(args) -> int``, the handler
the parser gives the subparser ``register`` adds. The parser is stdlib ``argparse``: a
warm ``codewalk find`` is mostly Python starting, and a CLI framework's import would be a
large part of the rest.
"""

from __future__ import annotations

import argparse
import importlib
import os
from collections.abc import Sequence
from types import ModuleType

from codewalk import __version__
from codewalk.cli.commands import NAMES

_PACKAGE = "codewalk.cli.commands"
COMMAND_MODULES: tuple[str, ...] = tuple(f"{_PACKAGE}.{name}" for name in NAMES)
_NO_COLOR_HELP = "no ANSI colours, in the terminal UI too (also NO_COLOR=1)"


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


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser. Given the arguments, and they name a command, only that
    command's subparser is built (all of them would import every command's module)."""
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
    # before the command too (`codewalk --no-color find X`); its own dest, since a
    # subcommand's default would overwrite the value of an option of the same dest
    parser.add_argument("--no-color", dest="no_color_first", action="store_true", help=_NO_COLOR_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _available_commands(_named_command(argv)):
        known = set(subparsers.choices)
        module.register(subparsers)
        for name in subparsers.choices.keys() - known:  # the one it added
            subparsers.choices[name].set_defaults(handler=module.run)
    for command in dict.fromkeys(subparsers.choices.values()):  # an alias names the same parser
        add_shared(command)
    return parser


def add_shared(command: argparse.ArgumentParser) -> None:
    """The options every command takes, after its name (``codewalk check --no-color``)."""
    command.add_argument("--no-color", action="store_true", help=_NO_COLOR_HELP)


def _named_command(argv: Sequence[str] | None) -> str | None:
    """The command ``argv`` names, if it plainly names one (options before it aside)."""
    if argv is None:
        return None
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    known = {name.rsplit(".", 1)[1] for name in COMMAND_MODULES}
    return first if first in known else None


def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subparsers ``parser`` built, by command name."""
    found = (action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return next((dict(action.choices) for action in found), {})


def unrecognized(parser: argparse.ArgumentParser, command: str | None, extra: Sequence[str]) -> str:
    """What to say of arguments the named ``command`` does not take (``find X --trace
    run``): its own usage and error, as argparse words them (not the top-level parser's,
    which argparse would print), and, for an option other commands take, which they are."""
    named = commands(parser).get(command or "")
    said = named or parser
    text = said.format_usage() + f"{said.prog}: error: unrecognized arguments: {' '.join(extra)}\n"
    option = next((arg.partition("=")[0] for arg in extra if arg.startswith("--")), None)
    if named is None or option is None:
        return text
    taking = sorted(
        name
        for name, other in commands(build_parser()).items()
        if name != command and option in other._option_string_actions
    )
    if taking:
        names = ", ".join(taking[:-1]) + " and " + taking[-1] if len(taking) > 1 else taking[0]
        text += f"  hint: {option} is an option of {names}, not of {command}\n"
    return text
