"""The ``codewalk`` command line: parse arguments, run one command, map errors to exits.

Heavy libraries (textual, jedi, GitPython, libcst, pygments) are imported only inside the
commands that need them, and only the named command's subparser is built
(:mod:`codewalk.cli.parser`).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

# A question reads tens of thousands of records and keeps them while making few
# reference cycles: at Python's default (a pass every 700 new objects) the cyclic
# collector walks them all again and again; a pass every 10,000 collects the same, at a
# fraction of the walks (bench/bench_callgraph.py: warm callers). The records a pass
# keeps are walked again by each pass over the older objects, by default every tenth
# pass: every hundredth, once a million new objects have been made.
_GC_EVERY = 10_000
_GC_OLDER_EVERY = 100  # passes over the new objects


def program() -> NoReturn:
    """The ``codewalk`` program (its console script, ``python -m codewalk``): :func:`main`,
    then the process ends. What the command made (modules, classes, records) is in use
    until then, so it is frozen out of the cyclic collector's passes at exit, which would
    walk every object only to find each still referenced. :func:`main` itself, called
    in a process that goes on, leaves the collector as it is."""
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    young, older, oldest = gc.get_threshold()
    gc.set_threshold(max(_GC_EVERY, young), max(_GC_OLDER_EVERY, older), oldest)
    _escape_what_cannot_be_written()
    for arg in argv:
        if "\0" in arg:  # no shell can pass one; a caller in process can
            from codewalk.visible import visible

            print(f"codewalk: error: argument {visible(repr(arg))} holds a NUL character", file=sys.stderr)
            return 2
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (codewalk completion)
        from codewalk.cli.completion import complete

        return complete()
    from codewalk.cli.parser import build_parser
    from codewalk.errors import CodewalkError
    from codewalk.visible import visible

    parser = build_parser(argv)
    args, extra = parser.parse_known_args(argv)
    if extra:
        from codewalk.cli.parser import unrecognized
        from codewalk.visible import visible

        print(visible(unrecognized(parser, args.command, extra)), end="", file=sys.stderr)
        return 2
    from codewalk.color import switch_off

    # each command as its own options say, given before or after its name
    switch_off(args.no_color_first or bool(getattr(args, "no_color", False)))
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
        return _reader_gone()


def _reader_gone() -> int:
    """``codewalk tour x | head``: the reader has what they wanted."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


def _escape_what_cannot_be_written() -> None:
    """A stream that cannot encode every character (``PYTHONIOENCODING=ascii``, a C
    locale) gets escapes (``\\u2500``) for the rest, never a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") == "strict":
            reconfigure(errors="backslashreplace")
