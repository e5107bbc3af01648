"""A tour as a VS Code CodeTour file (``.tour`` JSON): ``title``, ``description``,
``ref`` and ``steps`` with ``file``, ``line``, ``selection`` and ``description``, lines
computed at the pin, so the exported tour is right for that ref (CodeTour's own anchors
are line numbers). Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from codewalk.render.export import SourceText, note_with_permalinks, permalink, require_resolved
from codewalk.source.checkout import repo_at_version
from codewalk.tours.model import ResolvedStep, ResolvedTour
from codewalk.tours.shown import span_text
from codewalk.visible import json_text

CODETOUR_SCHEMA = "https://aka.ms/codetour-schema"


def to_codetour(
    tour: ResolvedTour,
    ref: str,
    source_text: SourceText,
    links: Mapping[str, tuple[str | None, str]] | None = None,
) -> dict[str, Any]:
    """The tour as a CodeTour document (a dict ready for ``json.dumps``): each step's
    ``line`` is its focus (else its definition line), its ``selection`` the focused
    statement (else the whole span), whole lines, 1-based; a CodeTour step selects one
    range, so a step's other regions are listed after its note, as permalinks. The
    note's ``codewalk:`` links are permalinks too.

    A CodeTour belongs to one repository (the first step's): a step in another pinned
    repository becomes a ``uri`` step, the permalink of its lines (from ``links``: repo ->
    web base and ref), its note saying which repository and version it reads."""
    require_resolved(tour)
    t = tour.tour
    home = tour.steps[0].repo
    steps: list[dict[str, Any]] = []
    for resolved in tour.steps:
        if resolved.status == "skipped":
            continue  # not part of the tour at this version
        target = resolved.target
        assert target is not None
        if resolved.repo != home:
            steps.append(_elsewhere(resolved, links or {}))
            continue
        first, last = resolved.focus or (target.start_line, target.end_line)
        lines = source_text(resolved.repo, target.path).split("\n")
        first_text = lines[first - 1] if first <= len(lines) else ""
        last_text = lines[last - 1] if last <= len(lines) else ""
        indent = len(first_text) - len(first_text.lstrip())
        step: dict[str, Any] = {
            "file": target.path,
            "line": first if resolved.focus else target.line,
            "selection": {
                "start": {"line": first, "character": indent + 1},
                "end": {"line": last, "character": len(last_text) + 1},
            },
            "description": _description(resolved, links or {}),
        }
        step["title"] = resolved.step.title or target.qualname.rsplit(".", 1)[-1]
        steps.append(step)
    document: dict[str, Any] = {"$schema": CODETOUR_SCHEMA, "title": t.title}
    if t.summary.strip():
        document["description"] = t.summary.strip()
    document["ref"] = ref
    document["steps"] = steps
    return document


def _elsewhere(resolved: ResolvedStep, links: Mapping[str, tuple[str | None, str]]) -> dict[str, Any]:
    """A step in another repository: its permalink, and where it is in words."""
    target = resolved.target
    assert target is not None
    first, last = resolved.focus or (target.start_line, target.end_line)
    where = f"{repo_at_version(resolved.repo, resolved.version)}: `{target.path}:{first}-{last}`"
    step: dict[str, Any] = {"description": f"*{where}*\n\n{_description(resolved, links)}"}
    base, ref = links.get(resolved.repo, (None, ""))
    if base is not None and ref:
        step["uri"] = permalink(base, ref, target.path, first, last)
    step["title"] = resolved.step.title or target.qualname.rsplit(".", 1)[-1]
    return step


def _description(resolved: ResolvedStep, links: Mapping[str, tuple[str | None, str]]) -> str:
    """The note (its links made permalinks), then the regions after the first."""
    target = resolved.target
    assert target is not None
    note = note_with_permalinks(resolved, links).strip() or target.qualname
    others = resolved.regions[1:]
    if not others:
        return note
    base, ref = links.get(resolved.repo, (None, ""))
    shown = []
    for first, last in others:
        span = span_text(first, last)
        url = permalink(base, ref, target.path, first, last) if base is not None and ref else None
        shown.append(f"[{span}]({url})" if url else span)
    return f"{note}\n\n*Also lit: {', '.join(shown)}.*"


def codetour_json(
    tour: ResolvedTour,
    ref: str,
    source_text: SourceText,
    links: Mapping[str, tuple[str | None, str]] | None = None,
) -> str:
    # the same data, with the characters JSON leaves raw (C1, bidi controls) escaped
    document = to_codetour(tour, ref, source_text, links)
    return json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
