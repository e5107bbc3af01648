"""Where tours come from: the shipped ``tours/`` directory, the directories named in
``CODEWALK_TOURS_PATH``, and any ``--tours-dir``; a tour is named by its id or by the
path of its file.

An id defined in two files is an error that names both: a reader must never wonder
which of two tours called ``llama-generate`` they are looking at.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from codewalk import locations
from codewalk.errors import TourError
from codewalk.tourfile import parse_tour
from codewalk.tourmodel import Tour

TOUR_SUFFIXES = (".yaml", ".yml")


def tour_dirs(extra_dirs: Iterable[Path | str] = ()) -> list[Path]:
    """Every directory tours are read from, in order: shipped, environment, explicit."""
    dirs = [locations.shipped_tours_dir(), *locations.extra_tour_dirs()]
    dirs.extend(Path(d).expanduser() for d in extra_dirs)
    unique: list[Path] = []
    for directory in dirs:
        if directory not in unique:
            unique.append(directory)
    return unique


def read_tour(path: Path) -> Tour:
    """Load one tour file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TourError(f"{path}: tour file not found") from None
    except UnicodeDecodeError:
        raise TourError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise TourError(f"{path}: cannot read tour file: {exc.strerror}") from None
    return parse_tour(text, path)


def tour_files(dirs: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for directory in dirs:
        if not directory.is_dir():
            continue
        files.extend(sorted(p for p in directory.iterdir() if p.suffix in TOUR_SUFFIXES and p.is_file()))
    return files


def discover_tours(extra_dirs: Iterable[Path | str] = ()) -> list[Tour]:
    """All tours, sorted by id. Raises TourError on a malformed file or a duplicate id."""
    explicit = [Path(d).expanduser() for d in extra_dirs]
    for directory in explicit:
        if not directory.is_dir():
            raise TourError(f"{directory}: not a directory of tours")
    by_id: dict[str, Tour] = {}
    for path in tour_files(tour_dirs(explicit)):
        tour = read_tour(path)
        if tour.id in by_id:
            first = by_id[tour.id].path
            raise TourError(
                f"tour id {tour.id!r} is defined twice: in {first} and in {path}",
                hint="rename one of them (set 'id:' in the file)",
            )
        by_id[tour.id] = tour
    return sorted(by_id.values(), key=lambda tour: tour.id)


def load_tour(name_or_id: str, tours_dirs: Iterable[Path | str] = ()) -> Tour:
    """A tour by id (searched in every tour directory) or by the path of its file."""
    candidate = Path(name_or_id).expanduser()
    if candidate.suffix in TOUR_SUFFIXES or "/" in name_or_id:
        return read_tour(candidate)
    tours = discover_tours(tours_dirs)
    for tour in tours:
        if tour.id == name_or_id:
            return tour
    from difflib import get_close_matches

    ids = [tour.id for tour in tours]
    close = get_close_matches(name_or_id, ids, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"known tours: {', '.join(ids) or 'none'}"
    raise TourError(f"unknown tour {name_or_id!r}", hint=hint + " (list them with 'codewalk tours')")
