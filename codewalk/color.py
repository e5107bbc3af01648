"""Whether codewalk colours what it writes: the one rule, for every layer.

``--no-color`` (any command) means what ``NO_COLOR`` means: the command line switches
colour off for the whole process (:func:`switch_off`), never through the environment, so
a program ``codewalk trace`` runs sees the user's own. The plain printers (``render``)
and the download bar of a sync (``source/reporter.py``) both ask :func:`use_color`; the
terminal UI, which reads ``NO_COLOR`` itself (Textual does), asks :func:`switched_off`.
"""

from __future__ import annotations

import os
import stat
from typing import TextIO

_switched_off = False


def switch_off(off: bool = True) -> None:
    """``--no-color``: nothing codewalk writes from now on in this process is coloured
    (``off`` False: a command without it, run in the same process, may be again)."""
    global _switched_off
    _switched_off = off


def switched_off() -> bool:
    """Whether ``--no-color`` was given to this process's command."""
    return _switched_off


def use_color(stream: TextIO, *, piped: bool = False) -> bool:
    """Whether to colour what goes to ``stream``. Never after ``--no-color``, with
    ``NO_COLOR`` set or on a ``TERM=dumb`` terminal; else on a terminal, or for output
    read through a pager (``piped``: ``tour``, so that ``| less -R`` shows it
    highlighted), but not into a file (``> tour.txt``: a file of text)."""
    if _switched_off or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if bool(getattr(stream, "isatty", lambda: False)()):
        return True
    return piped and not _a_file(stream)


def _a_file(stream: TextIO) -> bool:
    """Whether ``stream`` writes to a regular file (not a pipe, a terminal, a socket)."""
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):  # no descriptor (a StringIO): not a file
        return False
