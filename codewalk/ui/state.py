"""Progress per tour, remembered across runs in one small JSON file.

The file lives in :func:`codewalk.locations.state_home` and is replaced whole
(:func:`codewalk.files.write_atomically`), so a crash never leaves a half-written file;
an unreadable file is treated as empty, never an error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codewalk import locations
from codewalk.files import write_atomically

_VERSION = 1
_FILE_NAME = "progress.json"


def progress_path() -> Path:
    return locations.state_home() / _FILE_NAME


class ProgressStore:
    """The remembered step (0-based) of each tour, by tour id."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else progress_path()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            return {}
        tours = data.get("tours")
        return tours if isinstance(tours, dict) else {}

    def step(self, tour_id: str) -> int | None:
        entry = self._read().get(tour_id)
        if isinstance(entry, dict):
            step = entry.get("step")
            if isinstance(step, int) and step >= 0:
                return step
        return None

    def save(self, tour_id: str, step: int) -> None:
        tours = self._read()
        tours[tour_id] = {"step": step}
        payload = json.dumps({"version": _VERSION, "tours": tours}, indent=1, sort_keys=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, payload)
