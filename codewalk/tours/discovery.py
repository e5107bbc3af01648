"""Where tours come from: the shipped ``tours/`` directory, the directories named in
``CODEWALK_TOURS_PATH``, and any ``--tours-dir``; a tour is named by its id or by the
path of its file.

An id defined in two files is an error that names both: a reader must never wonder
which of two tours called ``llama-generate`` they are looking at.

One bad file must not hide the others: ``scan_tours`` returns the tours that load
*and* the problems (a malformed file, a duplicate id), and ``load_tour`` reports a
problem only when it concerns the tour asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from codewalk import locations
from codewalk.errors import TourError, UnknownTour
from codewalk.tours.listing import ID_LINE_RE, TOUR_SUFFIXES, plain_id, stated_ids, tour_dirs, tour_files
from codewalk.tours.loader import parse_tour
from codewalk.tours.model import Tour

_RENAME = "rename one of them (set 'id:' in the file)"


class TourScan(NamedTuple):
    """Every tour file of the tour directories, read: the tours that load, sorted by id
    (for an id defined twice, the first definition in directory order), and one
    ``TourError`` per file that does not load or repeats an id, in file order."""

    tours: list[Tour]
    problems: list[TourError]


def read_tour(path: Path) -> Tour:
    """Load one tour file."""
    text = locations.read_text(
        path,
        "tour file",
        TourError,
        hint="name a .yaml file, or a tour id",
        too_large="shorten its notes, or split it into several tours",
    )
    return parse_tour(text, path)


def _checked_dirs(extra_dirs: Iterable[Path | str]) -> list[Path]:
    """``tour_dirs``, after checking that every explicit directory exists (a typo in
    ``--tours-dir`` is the user's mistake, reported as such)."""
    explicit = [Path(d).expanduser() for d in extra_dirs]
    for directory in explicit:
        if not locations.is_dir(directory):
            raise TourError(f"{directory}: not a directory of tours")
    return tour_dirs(explicit)


def scan_tours(extra_dirs: Iterable[Path | str] = ()) -> TourScan:
    """Read every tour file; a bad file or a repeated id is a problem, not a stop.
    Raises TourError only for an explicit directory that does not exist."""
    by_id: dict[str, Tour] = {}
    problems: list[TourError] = []
    for path in tour_files(_checked_dirs(extra_dirs)):
        try:
            tour = read_tour(path)
        except TourError as error:
            problems.append(error)
            continue
        if tour.id in by_id:
            first = by_id[tour.id].path
            problems.append(
                TourError(
                    f"{path}:{_id_line(path)}: tour id {tour.id!r} is also defined in {first}",
                    hint=_RENAME,
                )
            )
            continue
        by_id[tour.id] = tour
    return TourScan(sorted(by_id.values(), key=lambda tour: tour.id), problems)


def discover_tours(extra_dirs: Iterable[Path | str] = ()) -> list[Tour]:
    """The tours that load, sorted by id; bad files are skipped (``scan_tours`` says
    which). Raises TourError only for an explicit directory that does not exist."""
    return scan_tours(extra_dirs).tours


def load_tour(name_or_id: str, tours_dirs: Iterable[Path | str] = ()) -> Tour:
    """A tour by id (searched in every tour directory, then as ``./ID.yaml``, where
    ``tour --new ID`` writes when no tour directory is named) or by the path of its file.

    Files that do not load are skipped unless they are the tour asked for (their
    ``id:`` line, or else their name, says so): then their own error is raised. An id
    defined in two files is an error naming both; an id found nowhere, ``UnknownTour``."""
    candidate = Path(name_or_id).expanduser()
    if candidate.suffix in TOUR_SUFFIXES or "/" in name_or_id:
        return read_tour(candidate)
    found: list[Tour] = []
    bad: list[TourError] = []
    ids: set[str] = set()
    stem_of: dict[str, Path] = {}  # a file named as asked, whose tour has another id
    for path in tour_files(_checked_dirs(tours_dirs)):
        named = plain_id(path)
        if named is not None and named != name_or_id:
            ids.add(named)  # another tour: not parsed (a cold tour would read them all)
            if path.stem == name_or_id:
                stem_of[named] = path
            continue
        try:
            tour = read_tour(path)
        except TourError as error:
            if _claimed_id(path) == name_or_id:
                bad.append(error)
            continue
        ids.add(tour.id)
        if tour.id == name_or_id:
            found.append(tour)
    if bad:
        raise bad[0]
    if len(found) > 1:
        raise TourError(
            f"tour id {name_or_id!r} is defined twice: in {found[0].path} and in {found[1].path}",
            hint=f"name the file to read one (codewalk tour {found[1].path}), or {_RENAME}",
        )
    if found:
        return found[0]
    here = next(
        (path for path in (Path(name_or_id + s) for s in TOUR_SUFFIXES) if locations.is_file(path)), None
    )
    if here is not None:  # where `tour --new NAME` writes when no tour directory is named
        return read_tour(here)
    known = sorted(ids)
    close = _close_ids(name_or_id, known)
    hint = f"did you mean {', '.join(close)}?" if close else f"known tours: {', '.join(known) or 'none'}"
    for tour_id, path in stem_of.items():
        hint = f"{path} holds the tour {tour_id!r}; {hint}"
    raise UnknownTour(f"unknown tour {name_or_id!r}", hint=hint + " (list them with 'codewalk tours')")


def _close_ids(name: str, known: list[str]) -> list[str]:
    """The ids ``name`` may mean: those it is a word of (``loss``: ``causal-lm-loss``), then
    those spelled nearly alike (``llama-generat``); none for a name that only shares a few
    letters with one (``nope-tour`` is not ``peft-lora``)."""
    from difflib import get_close_matches

    words = [tour_id for tour_id in known if name in tour_id.split("-")]
    return list(dict.fromkeys([*words, *get_close_matches(name, known, n=3, cutoff=0.6)]))[:3]


def _claimed_id(path: Path) -> str:
    """The id a file that does not load means to define: its ``id:`` line, else its stem."""
    ids = stated_ids(path)
    return ids[0] if ids else path.stem


def _id_line(path: Path) -> int:
    """The line of a (loadable) file's ``id:`` key; 1 when the id is the file's name."""
    try:
        text = locations.read_limited(path).decode("utf-8", errors="replace")
    except (OSError, ValueError):
        return 1
    match = ID_LINE_RE.search(text)
    return text.count("\n", 0, match.start()) + 1 if match is not None else 1
