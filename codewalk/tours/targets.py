"""What a step's ``at:`` (or a note's link) names: the symbol a query finds in a pin,
read in the context of the tour so far, and the lines of a region inside it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from codewalk.errors import FocusTimeout
from codewalk.resolve.model import FindResult, Resolved
from codewalk.tours.focus import focus_lines
from codewalk.tours.model import Lines

if TYPE_CHECKING:
    from codewalk.workspace.workspace import Workspace

_CONTEXT_LOOKUPS = 3  # how many of the previous steps' modules a short name is tried in


def find_step_target(workspace: Workspace, query: str, context: Sequence[str]) -> FindResult:
    """The workspace's answer to a step's ``at``.

    A name that is not fully qualified is first looked up *in* the modules of the
    previous steps (``LlamaModel.__init__`` after a step in ``modeling_llama``), as a
    reader would: it means what that name means there. Only when none of them knows it
    is the whole repository searched, which before the full index exists costs a byte
    scan of every unindexed file.

    Related results (copies, table entries, the modular source) are not asked for: a
    step needs only the matches, and finding the related ones scans every unindexed
    file for ``# Copied from`` lines and dict entries."""
    # through the workspace, not its resolver: its lock, and its repair of a damaged index
    if query.split(".", 1)[0] not in workspace.checkout.packages:
        for module in context[:_CONTEXT_LOOKUPS]:
            local: FindResult = workspace.find(
                f"{module}.{query}", related=False, suggest=False, thorough=False
            )
            if local.matches:
                return FindResult(query=query, results=local.matches, suggestions=())
    found: FindResult = workspace.find(query, context=context, related=False, thorough=False)
    return found


def region_lines(text: str, target: Resolved, focus: str) -> tuple[Lines | None, str | None]:
    """The statement lines of ``focus`` inside ``target`` (whose file's text is
    ``text``), or why there are none: ``"timeout"``, or that it does not occur."""
    try:
        lines = focus_lines(text, (target.start_line, target.end_line), focus)
    except FocusTimeout:
        return None, "timeout"
    if lines is None:
        where = f"{target.qualname} ({target.path}:{target.start_line}-{target.end_line})"
        return None, f"{focus!r} does not occur in {where}"
    return lines, None
