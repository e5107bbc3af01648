"""One module per CLI command: ``register(subparsers)`` and ``run(args) -> int``.

``register`` must stay cheap (argparse only); a command imports what it needs inside
``run``, so that ``codewalk find`` never pays for textual, libcst, jedi or GitPython.
"""

# Every command, in the order of ``codewalk --help``: the module ``codewalk.cli.commands.NAME``.
NAMES = (
    "tours",
    "tour",
    "find",
    "show",
    "goto",
    "calls",
    "callers",
    "path",
    "draft",
    "diff",
    "check",
    "trace",
    "traces",
    "export",
    "sync",
    "index",
    "pins",
    "prune",
    "completion",
)
