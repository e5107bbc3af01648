"""What leaves the app: ``$EDITOR`` at the cursor (the ``o`` key) and the lines a
permalink names (``y``). The command line and the lines are pure helpers."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from textual.app import App, SuspendNotSupported
from textual.notifications import SeverityLevel

from codewalk.ui.code_view import Shown


def editor_variable(environ: Mapping[str, str]) -> str:
    """Where the editor comes from, for messages: ``$VISUAL``, ``$EDITOR`` or the default."""
    for name in ("VISUAL", "EDITOR"):
        if environ.get(name, "").strip():
            return f"${name}"
    return "the default editor"


# How each editor opens a file without letting it be changed: flags before ``+LINE FILE``
# and after. An editor not listed has no read-only mode codewalk knows of.
_READ_ONLY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    **{name: (("-R",), ()) for name in ("vi", "vim", "nvim", "gvim", "mvim", "nvi", "view", "vim.tiny")},
    "nano": (("-v",), ()),
    "emacs": ((), ("-f", "view-mode")),
    "micro": (("-readonly", "true"), ()),
    "kak": (("-ro",), ()),
    "joe": (("-rdonly",), ()),
    "less": ((), ()),
    "more": ((), ()),
}


def editor_command(
    environ: Mapping[str, str], line: int, path: Path, *, read_only: bool = False
) -> list[str]:
    """``$VISUAL`` or ``$EDITOR`` (else ``vi``) with ``+LINE FILE``, the form vi, vim,
    nano, emacs, micro, helix and ``code -g``-less editors all accept; with
    ``read_only``, and the editor known to have such a mode, opened in it (``vi -R``,
    ``nano -v``, emacs's view-mode, ...).

    Raises ValueError if the variable is not shell-quoted properly."""
    editor = (environ.get("VISUAL") or "").strip() or (environ.get("EDITOR") or "").strip() or "vi"
    words = shlex.split(editor) or ["vi"]
    before, after = _READ_ONLY.get(Path(words[0]).name, ((), ())) if read_only else ((), ())
    return [*words, *before, f"+{line}", str(path), *after]


def has_read_only_mode(command: list[str]) -> bool:
    """Whether codewalk knows how to open ``command``'s editor read-only."""
    return Path(command[0]).name in _READ_ONLY


def lit_lines(shown: Shown, line: int) -> tuple[int, int]:
    """The lines a permalink names: the region or span the cursor is in, else its line."""
    for lit in (*shown.regions, shown.span):
        if lit is not None and lit[0] <= line <= lit[1]:
            return lit
    return line, line


def link_to(shown: Shown, line: int, permalink: Callable[[str, int, int], str | None]) -> str:
    """The permalink of the lines lit around ``line`` (else ``path:start-end``)."""
    start, end = lit_lines(shown, line)
    return permalink(shown.path, start, end) or plain_link(shown.path, start, end)


def plain_link(path: str, start: int, end: int) -> str:
    """``path:start-end``, for a repo with no web permalinks."""
    return f"{path}:{start}" if start == end else f"{path}:{start}-{end}"


def open_editor(app: App[None], path: Path, line: int, *, read_only: bool = True) -> None:
    """Run the editor on ``path`` at ``line``, the app suspended meanwhile.

    Textual's ``suspend()`` resumes the app only if its ``with`` body raises nothing,
    so the editor is looked up before the screen is given away and every error inside
    is caught there: whatever the editor does, the app comes back."""
    variable = editor_variable(os.environ)
    try:
        command = editor_command(os.environ, line, path, read_only=read_only)
    except ValueError as error:
        app.notify(f"cannot read {variable}: {error}", severity="error", markup=False)
        return
    program = shutil.which(command[0])
    if program is None:
        app.notify(f"{variable} {command[0]!r} not found", title="no editor", severity="error", markup=False)
        return
    outcome: tuple[str, SeverityLevel] | None = None
    try:
        with app.suspend():
            outcome = _run_editor([program, *command[1:]])
    except SuspendNotSupported as error:
        outcome = (f"cannot run {command[0]}: {error}", "error")
    if outcome is not None:
        app.notify(outcome[0], severity=outcome[1], markup=False)
    elif read_only and not has_read_only_mode(command):
        app.notify(
            f"{command[0]} has no read-only mode codewalk knows: the cached file is read-only on "
            "disk, and a changed one is restored before codewalk reads it again",
            severity="warning",
            markup=False,
        )


def _run_editor(command: list[str]) -> tuple[str, SeverityLevel] | None:
    """Run ``command`` in the foreground; what went wrong, or None. Never raises (it runs
    inside ``App.suspend()``). Ctrl-C is the editor's while it runs, as git does it."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if main else None
    if previous is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        status = subprocess.run(command, check=False).returncode
    except Exception as error:
        return f"cannot run {command[0]}: {error}", "error"
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    name = Path(command[0]).name
    if status < 0:
        return f"{name} was stopped by signal {-status}", "warning"
    if status > 0:
        return f"{name} exited with status {status}", "warning"
    return None
