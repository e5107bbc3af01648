"""The ``codewalk`` command line: parse arguments, run one command, map errors to exits.

Heavy libraries (textual, jedi, GitPython, pygments) are imported only inside the
commands that need them (see :mod:`codewalk.cli.parser` for why argparse).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from codewalk.cli.parser import build_parser
from codewalk.errors import CodewalkError
from codewalk.visible import visible


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    for arg in argv:
        if "\0" in arg:  # no shell can pass one; a caller in process can
            print(f"codewalk: error: argument {visible(repr(arg))} holds a NUL character", file=sys.stderr)
            return 2
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (codewalk completion)
        from codewalk.cli.completion import complete

        complete(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        from codewalk.cli.commands import default

        handler = default.run
    else:
        handler = args.handler
    try:
        return int(handler(args))
    except CodewalkError as error:
        if args.debug:
            raise
        print(f"codewalk: error: {visible(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("codewalk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # ``codewalk tour x | head``: the reader has what they wanted.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
