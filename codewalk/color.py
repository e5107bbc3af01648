"""Whether codewalk colours what it writes: the one rule, for every layer.

``--no-color`` (any command) means what ``NO_COLOR`` means: the command line switches
colour off for the whole process (:func:`switch_off`), never through the environment, so
a program ``codewalk trace`` runs sees the user's own. The plain printers (``render``)
and the download bar of a sync (``source/reporter.py``) both ask :func:`use_color`; the
terminal UI, which reads ``NO_COLOR`` itself (Textual does), asks :func:`switched_off`.
"""

from __future__ import annotations

import os
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
    ``NO_COLOR`` set or on a ``TERM=dumb`` terminal; else on a terminal, or anywhere for
    output read through a pager (``piped``: ``tour``, so that ``| less -R`` shows it
    highlighted)."""
    if _switched_off or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return piped or bool(getattr(stream, "isatty", lambda: False)())
