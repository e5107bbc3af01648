"""A note's ``codewalk:`` links at a pin: each becomes a :class:`ResolvedLink` (the lines
it points at) or says why it does not resolve, which makes its step broken.

``codewalk:QUERY`` is resolved as a step's ``at:`` is: a short name in the modules of
this step and the ones before it first, then the whole repository; a dotted name of a
package another pin provides, in that pin. ``QUERY#FOCUS`` is a region inside that
symbol, ``#FOCUS`` a region of the step's own symbol or file (as ``focus:`` finds
them: widened to the statement).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from codewalk.errors import CodewalkError, QueryError
from codewalk.source.checkout import repo_at_version
from codewalk.tours.model import ResolvedLink, ResolvedStep
from codewalk.tours.notes import Link, link_as_written
from codewalk.tours.targets import ambiguity, find_step_target, region_lines

if TYPE_CHECKING:
    from codewalk.resolve.model import Resolved
    from codewalk.workspace.workspace import Workspace

WorkspaceOf = Callable[[str], "Workspace | None"]  # a pin's workspace; raises CodewalkError


def resolve_links(
    resolved: ResolvedStep, workspace: Workspace, workspace_of: WorkspaceOf, context: Sequence[str]
) -> ResolvedStep:
    """``resolved`` with its note's links resolved; ``workspace`` is the step's,
    ``context`` the modules a short name is looked up in first (this step's, then the
    earlier steps'). A step with no target (not found, or skipped) keeps none; one found
    but whose focus is not there has its links checked too, so that ``check`` names
    every problem of the step at once."""
    if not resolved.step.links or resolved.target is None or resolved.status == "skipped":
        return resolved
    links = tuple(_resolve(link, resolved, workspace, workspace_of, context) for link in resolved.step.links)
    return replace(resolved, links=links)


def _resolve(
    link: Link, step: ResolvedStep, workspace: Workspace, workspace_of: WorkspaceOf, context: Sequence[str]
) -> ResolvedLink:
    written = link_as_written(link)

    def broken(problem: str, target: Resolved | None = None, where: Workspace = workspace) -> ResolvedLink:
        checkout = where.checkout
        return ResolvedLink(link, target, None, checkout.repo, checkout.version, f"{written}: {problem}")

    if not link.query:
        target = step.target
        assert target is not None
        where = workspace
    else:
        try:
            where = _workspace_for(link.query, workspace, workspace_of)
        except CodewalkError as error:  # the pin's source cannot be had, as for a step
            return broken(error.message)
        try:
            found = find_step_target(where, link.query, context if where is workspace else ())
        except QueryError as error:  # the link's query; the index failing (a full disk) is no link's fault
            return broken(error.message)
        if not found.results:
            at = repo_at_version(where.checkout.repo, where.checkout.version)
            near = f"; did you mean {', '.join(found.suggestions[:3])}?" if found.suggestions else ""
            return broken(f"{link.query!r} names nothing in {at}{near}", where=where)
        candidates = tuple(found.matches) or tuple(found.results)
        target = candidates[0]
        unclear = ambiguity(where.checkout, link.query, candidates, context if where is workspace else ())
        if unclear is not None:
            return broken(f"{link.query!r} is ambiguous: {unclear.message}", target, where)
    repo = target.repo or where.checkout.repo
    version = target.version or where.checkout.version
    if link.focus is None:
        return ResolvedLink(link, target, (target.start_line, target.end_line), repo, version)
    try:
        text = where.source_text(target.path, repo)
    except (CodewalkError, OSError, ValueError) as error:
        return broken(f"cannot read {target.path}: {error}", target, where)
    lines, problem = region_lines(text, target, link.focus)
    if problem is not None:
        return broken("its focus pattern took too long" if problem == "timeout" else problem, target, where)
    return ResolvedLink(link, target, lines, repo, version)


def _workspace_for(query: str, workspace: Workspace, workspace_of: WorkspaceOf) -> Workspace:
    """The workspace a link's query is read in: the pin that provides its package when
    it is a dotted name of another pin's package, else the step's."""
    if "." not in query:
        return workspace
    owner = workspace.stack.owner(query)
    if owner is None or owner == workspace.checkout.repo:
        return workspace
    other = workspace_of(owner)
    if other is None:
        raise CodewalkError(f"no pinned repo named {owner!r}")
    return other
