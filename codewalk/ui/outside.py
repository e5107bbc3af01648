"""What leaves the app: the ``$EDITOR`` command line and the lines a permalink names.

Pure helpers for the tour screen's ``o`` and ``y`` keys.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path

from codewalk.ui.code_view import Shown


def editor_variable(environ: Mapping[str, str]) -> str:
    """Where the editor comes from, for messages: ``$VISUAL``, ``$EDITOR`` or the default."""
    for name in ("VISUAL", "EDITOR"):
        if environ.get(name, "").strip():
            return f"${name}"
    return "the default editor"


def editor_command(environ: Mapping[str, str], line: int, path: Path) -> list[str]:
    """``$VISUAL`` or ``$EDITOR`` (else ``vi``) with ``+LINE FILE``, the form vi, vim,
    nano, emacs, micro, helix and ``code -g``-less editors all accept.

    Raises ValueError if the variable is not shell-quoted properly."""
    editor = (environ.get("VISUAL") or "").strip() or (environ.get("EDITOR") or "").strip() or "vi"
    return [*(shlex.split(editor) or ["vi"]), f"+{line}", str(path)]


def lit_lines(shown: Shown, line: int) -> tuple[int, int]:
    """The lines a permalink names: the focus or span the cursor is in, else its line."""
    for lit in (shown.focus, shown.span):
        if lit is not None and lit[0] <= line <= lit[1]:
            return lit
    return line, line


def plain_link(path: str, start: int, end: int) -> str:
    """``path:start-end``, for a repo with no web permalinks."""
    return f"{path}:{start}" if start == end else f"{path}:{start}-{end}"
