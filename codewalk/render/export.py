"""Tours for other readers: Markdown with permalinks, and VS Code CodeTour files.

- Markdown: the summary, then per step a heading, a permalink to the exact lines at
  the pinned commit (or, for a release source, the tag), the code, and the note.
  Permalinks follow GitHub's form ``{repo}/blob/{ref}/{path}#L{start}-L{end}``.
- CodeTour (``.tour`` JSON): ``title``, ``description``, ``ref`` and ``steps`` with
  ``file``, ``line``, ``selection`` and ``description``, lines computed at the pin, so
  the exported tour is right for that ref (CodeTour's own anchors are line numbers).

Pure: resolved tours and source text in, text out. ``write_atomically`` is the one
function that touches the disk.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from codewalk.errors import TourError
from codewalk.render.plain import visible_range
from codewalk.tours.model import ResolvedStep, ResolvedTour

CODETOUR_SCHEMA = "https://aka.ms/codetour-schema"
SourceText = Callable[[str, str], str]  # (repo, path) -> text

_SCP_RE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?!//)(?P<path>.+)$")


def web_base(url: str) -> str | None:
    """The web address of a repository from its git URL, or None when the URL is not
    on a web host (``file://``, a bare path)."""
    url = url.strip()
    match = re.match(r"^(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+)$", url)
    if match is None:
        match = _SCP_RE.match(url)
    if match is None:
        return None
    path = match["path"].rstrip("/").removesuffix(".git")
    return f"https://{match['host']}/{path}"


def permalink(base: str, ref: str, path: str, start: int, end: int) -> str:
    """``{base}/blob/{ref}/{path}#L{start}-L{end}`` (``#L{start}`` for one line)."""
    anchor = f"#L{start}" if start == end else f"#L{start}-L{end}"
    return f"{base}/blob/{ref}/{path}{anchor}"


def require_resolved(tour: ResolvedTour) -> None:
    broken = tour.broken
    if broken:
        first = broken[0]
        raise TourError(
            f"{tour.tour.path}:{first.step.line}: step {first.step.index} of {tour.tour.id!r} "
            f"is {first.status}: {first.error}",
            hint=f"{len(broken)} broken step(s); run 'codewalk check {tour.tour.id}'",
        )


def to_markdown(
    tour: ResolvedTour,
    source_text: SourceText,
    links: Mapping[str, tuple[str | None, str]],
) -> str:
    """The tour as Markdown. ``links`` maps a repo to (web base or None, ref)."""
    require_resolved(tour)
    t = tour.tour
    out = [f"# {t.title}", ""]
    versions = sorted({f"{s.repo} {s.version}" for s in tour.steps})
    out += [f"*Tour `{t.id}`, {len(t.steps)} steps, at {', '.join(versions)}.*", ""]
    if t.summary.strip():
        out += [t.summary.strip(), ""]
    for resolved in tour.steps:
        out += _markdown_step(resolved, len(t.steps), source_text, links)
    return "\n".join(out).rstrip("\n") + "\n"


def _markdown_step(
    resolved: ResolvedStep,
    total: int,
    source_text: SourceText,
    links: Mapping[str, tuple[str | None, str]],
) -> list[str]:
    target = resolved.target
    assert target is not None
    step = resolved.step
    title = step.title or target.qualname.rsplit(".", 1)[-1]
    base, ref = links.get(resolved.repo, (None, resolved.version))
    where = f"{target.path}:{target.start_line}-{target.end_line}"
    out = [f"## {step.index}/{total}. {title}", ""]
    if base is not None:
        url = permalink(base, ref, target.path, target.start_line, target.end_line)
        out.append(f"`{target.qualname}` in [`{where}`]({url})")
    else:
        out.append(f"`{target.qualname}` in `{where}`")
    if resolved.focus is not None:
        first, last = resolved.focus
        span = f"line {first}" if first == last else f"lines {first}-{last}"
        if base is not None:
            out[-1] += f", focus on [{span}]({permalink(base, ref, target.path, first, last)})"
        else:
            out[-1] += f", focus on {span}"
    out.append("")
    text = source_text(resolved.repo, target.path).split("\n")
    if target.kind == "file" and resolved.focus is not None:
        first, last = resolved.focus  # a whole file: its focused statement is the point
    else:
        first, last = visible_range(target.start_line, target.end_line, resolved.focus)
    fence = "````" if any("```" in line for line in text[first - 1 : last]) else "```"
    if first > target.start_line:
        out.append(f"*(lines {first}-{last} of {target.start_line}-{target.end_line})*")
        out.append("")
    out += [f"{fence}python", *text[first - 1 : last], fence, ""]
    if step.note.strip():
        out += [step.note.strip(), ""]
    return out


def to_codetour(tour: ResolvedTour, ref: str, source_text: SourceText) -> dict[str, Any]:
    """The tour as a CodeTour document (a dict ready for ``json.dumps``): each step's
    ``line`` is its focus (else its definition line), its ``selection`` the focused
    statement (else the whole span), whole lines, 1-based."""
    require_resolved(tour)
    t = tour.tour
    steps: list[dict[str, Any]] = []
    for resolved in tour.steps:
        target = resolved.target
        assert target is not None
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
            "description": resolved.step.note.strip() or target.qualname,
        }
        step["title"] = resolved.step.title or target.qualname.rsplit(".", 1)[-1]
        steps.append(step)
    document: dict[str, Any] = {"$schema": CODETOUR_SCHEMA, "title": t.title}
    if t.summary.strip():
        document["description"] = t.summary.strip()
    document["ref"] = ref
    document["steps"] = steps
    return document


def codetour_json(tour: ResolvedTour, ref: str, source_text: SourceText) -> str:
    return json.dumps(to_codetour(tour, ref, source_text), indent=2, ensure_ascii=False) + "\n"


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


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and
    one rename, so a reader never sees half a file. Missing parent directories are
    made; the file gets the mode a plain ``open(path, "w")`` would give it: an
    existing file's mode, else ``0o666`` less the umask (not ``mkstemp``'s ``0o600``)."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # the parent is a file: say so, not "File exists"
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(directory)) from None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (reading it means setting it; it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
