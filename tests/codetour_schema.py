"""What a CodeTour document must be, by the fields of CodeTour's published schema: the
tests hold every export to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The fields of CodeTour's published schema (https://aka.ms/codetour-schema), by type.
_TOUR_FIELDS: dict[str, type | tuple[type, ...]] = {
    "$schema": str,
    "title": str,
    "description": str,
    "ref": str,
    "isPrimary": bool,
    "nextTour": str,
    "steps": list,
}
_STEP_FIELDS: dict[str, type | tuple[type, ...]] = {
    "file": str,
    "directory": str,
    "uri": str,
    "view": str,
    "line": int,
    "title": str,
    "description": str,
    "pattern": str,
    "selection": dict,
    "commands": list,
}


def codetour_problems(document: object) -> list[str]:
    """What is wrong with a CodeTour document, checked against the schema's fields:
    required ``title`` and ``steps``; each step an object with a ``description``, at
    most one of ``file``/``directory``/``uri``, a positive ``line``, a ``selection``
    with 1-based ``start``/``end`` positions; no field the schema does not know."""
    if not isinstance(document, dict):
        return ["a tour must be a JSON object"]
    problems = _fields(document, _TOUR_FIELDS, "tour")
    for key in ("title", "steps"):
        if key not in document:
            problems.append(f"tour: missing required field {key!r}")
    steps = document.get("steps")
    if isinstance(steps, list):
        for number, step in enumerate(steps, start=1):
            problems += _step_problems(step, f"steps[{number}]")
    return problems


def _step_problems(step: object, where: str) -> list[str]:
    if not isinstance(step, dict):
        return [f"{where}: a step must be an object"]
    problems = _fields(step, _STEP_FIELDS, where)
    if "description" not in step:
        problems.append(f"{where}: missing required field 'description'")
    anchors = [key for key in ("file", "directory", "uri") if key in step]
    if len(anchors) > 1:
        problems.append(f"{where}: more than one of file/directory/uri: {anchors}")
    line = step.get("line")
    if isinstance(line, int) and not isinstance(line, bool) and line < 1:
        problems.append(f"{where}.line: must be 1-based, found {line}")
    if "line" in step and not anchors:
        problems.append(f"{where}: 'line' without a 'file'")
    selection = step.get("selection")
    if isinstance(selection, dict):
        for end in ("start", "end"):
            position = selection.get(end)
            if not isinstance(position, dict):
                problems.append(f"{where}.selection: missing {end!r} position")
                continue
            for key in ("line", "character"):
                value = position.get(key)
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    problems.append(f"{where}.selection.{end}.{key}: expected a number >= 1")
        start, stop = selection.get("start"), selection.get("end")
        if (
            isinstance(start, dict)
            and isinstance(stop, dict)
            and (start.get("line", 0), start.get("character", 0))
            > (stop.get("line", 0), stop.get("character", 0))
        ):
            problems.append(f"{where}.selection: ends before it starts")
    commands = step.get("commands")
    if isinstance(commands, list) and not all(isinstance(c, str) for c in commands):
        problems.append(f"{where}.commands: expected a list of strings")
    return problems


def _fields(data: dict[str, Any], fields: Mapping[str, type | tuple[type, ...]], where: str) -> list[str]:
    problems: list[str] = []
    for key, value in data.items():
        expected = fields.get(key)
        if expected is None:
            problems.append(f"{where}: unknown field {key!r}")
        elif isinstance(value, bool) and expected is not bool:
            problems.append(f"{where}.{key}: expected {_name(expected)}, found a boolean")
        elif not isinstance(value, expected):
            problems.append(f"{where}.{key}: expected {_name(expected)}, found {type(value).__name__}")
    return problems


def _name(expected: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a number", bool: "a boolean", list: "an array", dict: "an object"}
    if isinstance(expected, tuple):
        return " or ".join(names.get(t, t.__name__) for t in expected)
    return names.get(expected, expected.__name__)
