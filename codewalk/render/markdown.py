"""A tour as Markdown for readers without codewalk: the summary, then per step a
heading, a permalink to the exact lines at the pinned commit (or, for a release source,
the tag), the code, and the note. Pure: resolved tours and source text in, text out."""

from __future__ import annotations

from collections.abc import Mapping

from codewalk.render.export import SourceText, permalink, require_resolved
from codewalk.render.plain import visible_range
from codewalk.tours.model import ResolvedStep, ResolvedTour
from codewalk.visible import visible


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
        if resolved.status == "skipped":
            continue  # not part of the tour at this version
        out += _markdown_step(resolved, len(t.steps), source_text, links)
    # a document for reading: a control character in a note or the code is shown, not sent
    return visible("\n".join(out).rstrip("\n") + "\n")


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
