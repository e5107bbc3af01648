"""The lines a step shows: what ``tour --plain`` prints, what the Markdown export quotes,
and what ``check`` holds a note to.

A span of at most :data:`MAX_LINES` lines is shown whole. A longer one is cut to a
window around each region (:data:`WINDOW_BEFORE` lines above its first line,
:data:`WINDOW_AFTER` below its last; windows that touch are one), or to its first
:data:`MAX_LINES` lines when it has no region; above the first window, the header of
the symbol (its decorators and ``def``/``class`` line, or that line alone under many
decorators) says whose body it is. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from codewalk.tours.model import Lines, ResolvedStep

MAX_LINES = 120  # a span longer than this is cut to windows
WINDOW_BEFORE = 12
WINDOW_AFTER = 30
_MAX_HEADING = 6  # decorators and def line shown together above a window, at most


def windows(start: int, end: int, regions: Sequence[Lines]) -> list[Lines]:
    """The line ranges shown of the span ``start..end``: all of it when short, else a
    window around each region (merged where they touch), or its first ``MAX_LINES``."""
    if end - start + 1 <= MAX_LINES:
        return [(start, end)]
    if not regions:
        return [(start, start + MAX_LINES - 1)]
    return merged(
        [
            (max(start, first - WINDOW_BEFORE), min(end, max(first, last) + WINDOW_AFTER))
            for first, last in regions
        ]
    )


def merged(ranges: Sequence[Lines]) -> list[Lines]:
    """``ranges`` in order, those that overlap or touch made one."""
    out: list[Lines] = []
    for first, last in sorted(ranges):
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


def span_text(first: int, last: int) -> str:
    """``line 7``, ``lines 7-9``."""
    return f"line {first}" if first == last else f"lines {first}-{last}"


def shown_lines(start: int, end: int, regions: Sequence[Lines], header: int | None = None) -> list[int]:
    """Every line number shown of the span, in order: its windows, and above them the
    ``header`` line (with its decorators) when the first window starts below it."""
    ranges = windows(start, end, regions)
    shown = [number for first, last in ranges for number in range(first, last + 1)]
    if header is not None and start <= header < ranges[0][0]:
        heading = list(range(start, header + 1)) if header - start < _MAX_HEADING else [header]
        shown[:0] = heading
    return shown


def step_lines(resolved: ResolvedStep, line_count: int) -> list[int]:
    """The lines of its file that a resolved step shows (none when it did not resolve);
    ``line_count`` is how many lines the file has."""
    target = resolved.target
    if target is None or resolved.status not in ("resolved", "ambiguous"):
        return []
    end = min(target.end_line, line_count)
    if end < target.start_line:
        return []
    header = target.line if target.kind != "file" else None
    return shown_lines(target.start_line, end, resolved.regions, header)
