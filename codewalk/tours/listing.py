"""The tour files of the tour directories and the ids they state, read without YAML:
what ``codewalk tour lla<TAB>`` offers, and how :func:`~codewalk.tours.discovery.load_tour`
skips the files of other tours. :mod:`codewalk.tours.discovery` loads the files themselves.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from codewalk import locations

TOUR_SUFFIXES = (".yaml", ".yml")

# A top-level ``id:`` line, read without YAML (the file may not even parse).
ID_LINE_RE = re.compile(r"""^id[ \t]*:[ \t]*(["']?)(?P<id>[^"'#\s]+)\1[ \t]*(?:#.*)?$""", re.MULTILINE)


def tour_dirs(extra_dirs: Iterable[Path | str] = ()) -> list[Path]:
    """Every directory tours are read from, in order, once each: the shipped one, those
    of ``CODEWALK_TOURS_PATH``, then ``extra_dirs`` (``--tours-dir``). One directory
    named twice, however it is spelled (``--tours-dir tours`` in a checkout whose
    ``tours/`` is the shipped one, a trailing ``/``, a symlink), is read once, as first
    named: else each of its tours was "defined twice", in it and in itself."""
    dirs = [locations.shipped_tours_dir(), *locations.extra_tour_dirs()]
    dirs.extend(Path(d).expanduser() for d in extra_dirs)
    by_place: dict[str, Path] = {}
    for directory in dirs:
        by_place.setdefault(os.path.normcase(os.path.realpath(directory)), directory)
    return list(by_place.values())


def tour_files(dirs: Sequence[Path]) -> list[Path]:
    """The tour files of ``dirs``, each directory's sorted by name; a directory that
    cannot be listed has none."""
    files: list[Path] = []
    for directory in dirs:
        try:
            found = [p for p in directory.iterdir() if p.suffix in TOUR_SUFFIXES and p.is_file()]
        except OSError:
            continue
        files.extend(sorted(found))
    return files


def stated_ids(path: Path) -> list[str]:
    """The ids the file's top-level ``id:`` lines state (none when unreadable)."""
    try:
        text = locations.read_limited(path).decode("utf-8", errors="replace")
    except (OSError, ValueError):
        return []
    return [match["id"] for match in ID_LINE_RE.finditer(text)]


def plain_id(path: Path) -> str | None:
    """The id a tour file plainly states (one top-level ``id:`` line), else None: then
    only loading the file says what its id is."""
    ids = stated_ids(path)
    return ids[0] if len(ids) == 1 else None


def tour_ids(prefix: str = "", extra_dirs: Iterable[Path | str] = ()) -> list[str]:
    """The ids of the tours that start with ``prefix``, sorted: each file's stated id,
    or its name where it states none (the default id)."""
    found: set[str] = set()
    for path in tour_files(tour_dirs(extra_dirs)):
        ids = stated_ids(path)
        tour_id = ids[0] if len(ids) == 1 else (path.stem if not ids else None)
        if tour_id is not None and tour_id.startswith(prefix):
            found.add(tour_id)
    return sorted(found)
