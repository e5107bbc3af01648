"""The tour files of the tour directories, by name, without reading one: what
``codewalk tour lla<TAB>`` offers. ``os`` only (shell completion runs it on every TAB);
:mod:`codewalk.tours.discovery` reads the files themselves.
"""

from __future__ import annotations

import os

from codewalk import locations

SUFFIXES = (".yaml", ".yml")


def tour_dirs() -> list[str]:
    """The shipped tour directory and those of ``CODEWALK_TOURS_PATH``, in order, once each."""
    raw = os.environ.get("CODEWALK_TOURS_PATH", "")
    dirs = [locations.shipped_tours_dirname()]
    dirs += [os.path.expanduser(part) for part in raw.split(os.pathsep) if part]
    return list(dict.fromkeys(dirs))


def tour_names(prefix: str = "") -> list[str]:
    """The names (file stems) of the tour files that start with ``prefix``, sorted."""
    names: set[str] = set()
    for directory in tour_dirs():
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    stem, suffix = os.path.splitext(entry.name)
                    if suffix in SUFFIXES and stem.startswith(prefix) and entry.is_file():
                        names.add(stem)
        except OSError:
            continue
    return sorted(names)
