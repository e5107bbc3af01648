"""The one interface every kind of cached source meets.

A :class:`Source` knows how to produce a pin's tree in scratch space (``build``) and
how to tell whether a cached entry it made still is what the pin says (``verify``).
:mod:`codewalk.source.sync` decides the order in which sources are tried;
:mod:`codewalk.source.cache` owns where entries live and how they are moved into place.
The user's own checkout (:mod:`codewalk.source.local`) is read in place and never cached.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from codewalk.source.cache import Manifest
from codewalk.source.checkout import SourceKind
from codewalk.source.pins import Pin
from codewalk.source.reporter import Reporter


class Source(Protocol):
    kind: SourceKind

    def build(self, pin: Pin, tree: Path, reporter: Reporter) -> Manifest:
        """Put the pinned files at ``tree`` (a path that does not exist yet, on the
        cache's filesystem) as a git work tree, and say what they are."""
        ...

    def verify(self, pin: Pin, tree: Path, manifest: Manifest) -> str | None:
        """None when the cached ``tree`` still is what ``manifest`` and ``pin`` say;
        else what is wrong with it, in words."""
        ...
