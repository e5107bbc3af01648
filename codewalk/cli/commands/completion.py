"""``codewalk completion bash|zsh``: the line a shell runs to complete ``codewalk``.

codewalk completion bash >> ~/.bashrc
codewalk completion zsh >> ~/.zshrc
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "completion",
        help="print the shell code that completes codewalk's commands, tours and symbols",
        description="Print what bash or zsh must run to complete codewalk: commands, options, "
        "tour ids, REPO@VERSION and symbol names from the index. Install with "
        "`codewalk completion bash >> ~/.bashrc` (or zsh >> ~/.zshrc), then open a new shell.",
    )
    parser.add_argument("shell", choices=("bash", "zsh"))


def run(args: argparse.Namespace) -> int:
    from codewalk.cli.completion import shellcode

    print(shellcode(args.shell))
    return 0
