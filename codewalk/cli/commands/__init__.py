"""One module per CLI command: ``register(subparsers)`` and ``run(args) -> int``.

``register`` must stay cheap (argparse only); a command imports what it needs inside
``run``, so that ``codewalk find`` never pays for textual, libcst, jedi or GitPython.
"""
