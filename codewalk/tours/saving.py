"""Where a recorded tour is written, and the writing: never over a file that is not the
one the author started from.

A new tour goes into the first ``--tours-dir``, else the first directory of
``CODEWALK_TOURS_PATH``, else the current directory, as ``ID.yaml`` (where ``tours``
and ``tour ID`` then find it). A new file is created only if nothing is there, even a
file made while the author was recording; an existing one is replaced only while it
still holds the text it was read from (else the recording may go to a new file beside
it, :func:`beside`). The file is written whole or not at all.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path

from codewalk import locations
from codewalk.errors import TourError, TourFileTaken, system_words
from codewalk.files import write_atomically
from codewalk.tours.model import Tour


def new_tour_path(tour_id: str, tours_dirs: Sequence[Path | str] = ()) -> Path:
    """Where the new tour ``tour_id`` is written."""
    if tours_dirs:
        base = Path(tours_dirs[0]).expanduser()
    else:
        extra = locations.extra_tour_dirs()
        base = extra[0] if extra else Path.cwd()
    return base / f"{tour_id}.yaml"


def new_tour_place(tour_id: str, tours_dirs: Sequence[Path | str] = ()) -> Path:
    """Where a new tour ``tour_id`` is recorded (``tour --new ID``, ``R`` in a trace), or
    TourError: an id that is no tour id, one a tour has already, a file already there.
    The directory it goes to may not exist yet: writing the tour makes it."""
    from codewalk.tours.discovery import scan_tours
    from codewalk.tours.loader import valid_id

    problem = valid_id(tour_id)
    if problem:
        raise TourError(problem)
    read = tours_dirs
    if tours_dirs and not os.path.lexists(Path(tours_dirs[0]).expanduser()):  # no tour there to know
        read = tours_dirs[1:]
    known = {tour.id: tour.path for tour in scan_tours(read).tours}
    if tour_id in known:
        shipped = locations.installed_with_codewalk(known[tour_id])  # not to be edited in place
        dirs = "".join(f" --tours-dir {shlex.quote(str(d))}" for d in read)  # where it was found
        hint = "choose another id" if shipped else f"to edit it: tour {tour_id} --edit{dirs}"
        raise TourError(f"tour {tour_id!r} exists ({known[tour_id]})", hint=hint)
    path = new_tour_path(tour_id, tours_dirs)
    if path.exists():
        raise TourError(f"{path}: a file is there already", hint="choose another id, or another --tours-dir")
    return path


def own_tour(tour_id: str, tours_dirs: Sequence[Path | str] = ()) -> Tour | None:
    """The reader's own tour ``tour_id`` (not one installed with codewalk), to add to: the
    one the tour directories (and ``tours_dirs``, ``--tours-dir``) hold, else the file
    ``tour --new`` writes it to; None when there is none. Raises TourError for a file
    there that is no readable tour."""
    from codewalk.tours.discovery import read_tour, scan_tours
    from codewalk.tours.loader import valid_id

    if valid_id(tour_id):  # no tour id (``../x``): no file named after it is read
        return None
    there = [d for d in tours_dirs if os.path.lexists(Path(d).expanduser())]  # one not made yet holds none
    known = {tour.id: tour for tour in scan_tours(there).tours}
    tour = known.get(tour_id)
    if tour is None:
        path = new_tour_path(tour_id, tours_dirs)
        tour = read_tour(path) if path.exists() else None
    return tour if tour is not None and not locations.installed_with_codewalk(tour.path) else None


def write_tour(path: Path, text: str, was: str | None) -> None:
    """Write ``text`` to ``path``: a new file when ``was`` is None (refused if a file is
    there), else over the file only while it still holds ``was``; never a tour installed
    with codewalk. Raises TourError."""
    if locations.installed_with_codewalk(path):  # however it was reached: an upgrade replaces it
        raise TourError(f"{path}: a tour shipped inside the installed codewalk is not written over")
    try:
        if was is None:
            _create(path, text)
            return
        try:
            now = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise TourFileTaken(f"{path}: the tour file was removed since it was read; not written") from None
        if now != was:
            raise TourFileTaken(
                f"{path}: the file changed since it was read; not written",
                hint="reopen it to record on what it holds now",
            )
        write_atomically(path, text)  # replaced whole, keeping its mode
    except OSError as error:
        raise TourError(f"{path}: cannot write the tour: {system_words(error)}") from None


def _create(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomically(path, text, replace=False)
    except FileExistsError:
        raise TourFileTaken(
            f"{path}: a file is there already; the new tour is not written over it",
            hint="give the tour another id, or another --tours-dir",
        ) from None


def beside(path: Path) -> Path:
    """A new file beside ``path`` for a recording its file no longer matches:
    ``NAME.recorded.yaml`` (``NAME.recorded-2.yaml`` ... when that is taken; a recording
    of such a file goes beside the same ``NAME``)."""
    import re

    stem = re.sub(r"\.recorded(-\d+)?$", "", path.stem)
    number = 1
    while True:
        suffix = "" if number == 1 else f"-{number}"
        candidate = path.with_name(f"{stem}.recorded{suffix}{path.suffix or '.yaml'}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
        number += 1
