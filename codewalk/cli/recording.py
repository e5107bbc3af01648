"""Opening the recorder from the command line: ``tour --new ID``, ``tour NAME --edit``
and ``draft FROM TO --edit`` (what they share: a terminal, and where a new tour goes)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from codewalk.errors import TourError, system_words

if TYPE_CHECKING:
    from codewalk.tours.model import Tour
    from codewalk.tours.recording import Draft
    from codewalk.workspace.pinned import PinnedStack


def record(args: argparse.Namespace) -> int:
    """``tour --new ID`` or ``tour NAME --edit``."""
    from codewalk.tours.discovery import load_tour
    from codewalk.tours.recording import draft_of, refusal_to_record

    if args.new is not None and (args.edit or args.name is not None):
        raise TourError("--new ID records a new tour: name no other", hint="to edit a tour: tour NAME --edit")
    if args.new is not None:
        return record_new(args, args.new)
    if args.name is None:
        raise TourError("--edit needs the tour to edit: tour NAME --edit")
    tour = load_tour(args.name, args.tours_dir)
    refused = refusal_to_record(tour)
    if refused is not None:
        raise refused
    try:
        text = tour.path.read_text(encoding="utf-8")
    except OSError as error:
        raise TourError(f"{tour.path}: cannot read the tour: {system_words(error)}") from None
    return open_recorder(args, tour, draft_of(tour, text), text)


def record_new(args: argparse.Namespace, tour_id: str) -> int:
    from codewalk.tours.model import Tour
    from codewalk.tours.recording import new_draft
    from codewalk.tours.saving import new_tour_place

    try:
        path = new_tour_place(tour_id, args.tours_dir)
    except TourError as error:
        raise TourError(f"--new {tour_id!r}: {error.message}", hint=error.hint) from None
    draft = new_draft(tour_id, path, None)
    return open_recorder(args, Tour(tour_id, tour_id, "", None, (), path), draft, None)


def open_recorder(
    args: argparse.Namespace, tour: Tour, draft: Draft, on_disk: str | None, stack: PinnedStack | None = None
) -> int:
    """The recorder on ``draft`` (read from ``tour``), on a terminal (over ``stack``: a
    trace's repositories)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise TourError("recording a tour needs a terminal (it opens the terminal UI)")
    try:
        from codewalk.ui import launch
    except ModuleNotFoundError:
        raise TourError("recording a tour needs the terminal UI (textual), which is not installed") from None
    return int(launch.run_recording(args, tour, draft, on_disk, stack))


def draft_path(tour_id: str, output: str | None) -> Path:
    """Where ``draft --edit`` writes: ``-o FILE``, else where a new tour goes."""
    from codewalk.tours.saving import new_tour_path

    return Path(output) if output else new_tour_path(tour_id)
