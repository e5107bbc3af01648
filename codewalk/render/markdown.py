"""A tour as Markdown for readers without codewalk: the summary, then per step a
heading, a permalink to the exact lines at the pinned commit (or, for a release source,
the tag), the code, and the note. Pure: resolved tours and source text in, text out."""

from __future__ import annotations

from collections.abc import Mapping

from codewalk.render.export import SourceText, note_with_permalinks, permalink, require_resolved
from codewalk.source.checkout import repo_at_version
from codewalk.tours.model import Lines, ResolvedStep, ResolvedTour
from codewalk.tours.notes import plain_markdown
from codewalk.tours.shown import merged, span_text, windows
from codewalk.visible import visible


def to_markdown(
    tour: ResolvedTour,
    source_text: SourceText,
    links: Mapping[str, tuple[str | None, str]],
) -> str:
    """The tour as Markdown. ``links`` maps a repo to (web base or None, ref)."""
    require_resolved(tour)
    t = tour.tour
    out = [f"# {plain_markdown(t.title)}", ""]  # a title is plain text
    versions = sorted({repo_at_version(s.repo, s.version) for s in tour.steps})
    steps = f"{len(t.steps)} step{'s' if len(t.steps) != 1 else ''}"
    out += [f"*Tour `{t.id}`, {steps}, at {', '.join(versions)}.*", ""]
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
    out = [f"## {step.index}/{total}. {plain_markdown(title)}", ""]
    if base is not None:
        url = permalink(base, ref, target.path, target.start_line, target.end_line)
        out.append(f"`{target.qualname}` in [`{where}`]({url})")
    else:
        out.append(f"`{target.qualname}` in `{where}`")
    if resolved.regions:
        spans = [span_text(first, last) for first, last in resolved.regions]
        if base is not None:
            spans = [
                f"[{span}]({permalink(base, ref, target.path, first, last)})"
                for span, (first, last) in zip(spans, resolved.regions, strict=True)
            ]
        out[-1] += f", focus on {', '.join(spans)}"
    out.append("")
    text = source_text(resolved.repo, target.path).split("\n")
    for first, last in _quoted(resolved):
        fence = "````" if any("```" in line for line in text[first - 1 : last]) else "```"
        if (first, last) != (target.start_line, target.end_line):
            out.append(f"*(lines {first}-{last} of {target.start_line}-{target.end_line})*")
            out.append("")
        out += [f"{fence}python", *text[first - 1 : last], fence, ""]
    note = note_with_permalinks(resolved, links).strip()
    if note:
        out += [note, ""]
    return out


def _quoted(resolved: ResolvedStep) -> list[Lines]:
    """The pieces of code a step quotes: a whole file's regions (they are its point),
    else what the plain tour shows of its span."""
    target = resolved.target
    assert target is not None
    if target.kind == "file" and resolved.regions:
        return merged(resolved.regions)
    return windows(target.start_line, target.end_line, resolved.regions)
