"""What every export of a tour shares: web permalinks to a pin's lines, and the rule
that only a tour whose every step resolves is exported (:mod:`~codewalk.render.markdown`,
:mod:`~codewalk.render.codetour`). Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from codewalk.errors import TourError
from codewalk.tours.model import ResolvedStep, ResolvedTour
from codewalk.tours.notes import Link, rewrite_links

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


def note_with_permalinks(resolved: ResolvedStep, links: Mapping[str, tuple[str | None, str]]) -> str:
    """The step's note, each ``codewalk:`` link made a link to the permalink of the lines
    it resolves to (``links``: repo -> web base or None, ref); where there is no
    permalink, the link's text followed by ``path:line``."""
    step = resolved.step

    def place(index: int, link: Link) -> str:
        found = resolved.links[index] if index < len(resolved.links) else None
        if found is None or not found.ok or found.lines is None:
            return link.text
        base, ref = links.get(found.repo, (None, found.version))
        if base is None or not ref:
            where = f"{found.repo} " if found.repo != resolved.repo else ""
            return f"{link.text} ({where}`{found.path}:{found.line}`)"
        return f"[{link.text}]({permalink(base, ref, found.path, *found.lines)})"

    return rewrite_links(step.note, step.links, place)


def require_resolved(tour: ResolvedTour) -> None:
    broken = tour.broken
    if broken:
        first = broken[0]
        what = first.status if first.status != "resolved" else "broken"
        raise TourError(
            f"{tour.tour.path}:{first.step.line}: step {first.step.index} of {tour.tour.id!r} "
            f"is {what}: {'; '.join(first.problems)}",
            hint=f"{len(broken)} broken step(s); run 'codewalk check {tour.tour.id}'",
        )
