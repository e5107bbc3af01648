"""The program's own files in a trace (a callback of its own the pinned code called): read
from disk where the program ran them, and only while each is the file that ran.

A pinned repository's file is read at its release, blob-checked; the program's file is in
no pin, so the trace keeps its git blob id as the run left it, and a file changed since
(or gone) is said to be, never shown on lines that are no longer the ones that ran.
No index holds such a file: what one of its names stands for in the pins is what the
file's own imports say (:func:`imported_at`, the UI's ``g`` there).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import TypeGuard

from codewalk import parsing
from codewalk.errors import TraceError, system_words
from codewalk.index.cursor import name_at
from codewalk.locations import TooLarge, read_limited
from codewalk.source.installed import REMOTE
from codewalk.source.integrity import blob_sha
from codewalk.traces.model import Function, Trace

LIMIT = 16 << 20  # a program's file larger than this is not shown


def program_script(trace: Trace) -> str | None:
    """The script the program ran (a path; a directory or zip file run as a program
    too), None for ``-m`` or a trace naming no program."""
    if trace.module or not trace.program:
        return None
    return os.path.normpath(os.path.join(trace.cwd, trace.program[0]))


def program_top(trace: Trace) -> str:
    """The directory the program's own modules are named from, as ``sys.path[0]`` was:
    the current directory for ``-m``, the script's directory, or the directory (zip file)
    run as the program itself, as the recorder said it (a trace kept before it did: as
    the disk has it now)."""
    script = program_script(trace)
    if script is None:
        return trace.cwd
    itself = script in trace.own_dirs if trace.own_dirs else os.path.isdir(script)
    return script if itself else os.path.dirname(script)


def remote_base(path: str) -> str | None:
    """The directory the module of remote code at ``path`` is named from (the one holding
    ``transformers_modules``: ``HF_MODULES_CACHE``), None for a file that is not."""
    parts = path.split(os.sep)
    if REMOTE not in parts[:-1]:
        return None
    return os.sep.join(parts[: parts.index(REMOTE)]) or os.sep


def own_label(function: Function) -> str:
    """How a function of the program's own is marked: ``the program's, gen.py``; a model's
    code loaded as remote code, ``remote code, modeling_x.py`` (transformers' copy of it)."""
    whose = "remote code" if remote_base(function.path) is not None else "the program's"
    return f"{whose}, {os.path.basename(function.path)}"


def read_own(trace: Trace, path: str) -> str:
    """The text of the program's file ``path`` as the run ran it; TraceError when it is
    none of the trace's program files, cannot be read, or has changed since the run."""
    recorded = dict(trace.own).get(path)
    if recorded is None:
        raise TraceError(f"{path} is not one of the program's files that ran in trace {trace.name!r}")
    if not recorded:  # gone, or unreadable, when the run ended: what ran is not known
        raise TraceError(
            f"{path} could not be read when trace {trace.name!r} ended: what ran there is not known"
        )
    try:  # a regular file only: a damaged trace may name a FIFO, whose open never returns
        data = read_limited(Path(path), LIMIT)
    except TooLarge:
        raise TraceError(f"{path} is larger than any program file codewalk shows") from None
    except (OSError, ValueError) as error:  # ValueError: not a regular file, a NUL in the path
        raise TraceError(f"{path}: cannot read it: {system_words(error)}") from None
    if blob_sha(data) != recorded:
        raise TraceError(
            f"{path} has changed since trace {trace.name!r} ran it: its lines are not the ones that ran",
            hint=f"record it again: codewalk trace --name {trace.name} --force ...",
        )
    return data.decode("utf-8", errors="replace")


def imported_at(data: bytes | str, line: int, col: int) -> str | None:
    """What the name under a cursor stands for through the file's own ``import``
    statements, in full: ``transformers.TrainerCallback`` for ``TrainerCallback`` under
    ``from transformers import TrainerCallback``, ``torch.nn.functional.relu`` for
    ``F.relu`` under ``import torch.nn.functional as F``. For a file no index holds (a
    traced program's own), whose imports are all that says where its names come from; the
    last import of the name in the file counts. None when the name is not imported there
    (a name of its own, a relative import) or the file does not parse."""
    found = name_at(data, line, col)
    if found is None or found[0].startswith("?"):
        return None
    head, _, rest = found[0].partition(".")
    try:
        tree = parsing.parse(data)
    except (SyntaxError, ValueError):
        return None
    full = None
    for node in sorted(_imports(tree), key=lambda node: (node.lineno, node.col_offset)):
        for alias in node.names:
            if isinstance(node, ast.ImportFrom) and (alias.asname or alias.name) == head:
                full = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import) and alias.asname == head:
                full = alias.name
            elif isinstance(node, ast.Import) and alias.asname is None and alias.name.split(".")[0] == head:
                full = head  # ``import a.b`` binds ``a``
    if full is None:
        return None
    return f"{full}.{rest}" if rest else full


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """The absolute imports anywhere in ``tree`` (a relative one names a package the
    program's own file is in, not a pinned one)."""
    nodes = ast.walk(tree)
    return [node for node in nodes if isinstance(node, ast.Import) or _absolute_from(node)]


def _absolute_from(node: ast.AST) -> TypeGuard[ast.ImportFrom]:
    return isinstance(node, ast.ImportFrom) and not node.level and node.module is not None
