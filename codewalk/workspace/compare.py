"""One symbol at two versions: where it is in each, how the second was matched to the
first, and their code, for ``codewalk diff``.

A symbol may have moved to another file or been renamed between releases. It is
followed by its qualified name first, then as the query reads under the resolver's
rules (a short or class-qualified name finds it wherever it went), then, for a rename,
by its code: the definition of the same kind in the same place whose lines are most
alike (at least :data:`RENAME_LIKENESS`). Each answer says which of these matched.
"""

from __future__ import annotations

import difflib
from typing import NamedTuple

from codewalk.errors import QueryError
from codewalk.resolve.model import Resolved
from codewalk.workspace.workspace import Workspace

RENAME_LIKENESS = 0.75  # how alike two bodies' lines must be to call one a rename of the other


class Located(NamedTuple):
    """A symbol at one version: the definition (None when it is not there), how it was
    matched, its code, and "did you mean" names when it was not found."""

    target: Resolved | None
    how: str
    code: str
    suggestions: tuple[str, ...] = ()


def code_of(workspace: Workspace, target: Resolved) -> str:
    lines = workspace.source_text(target.path, target.repo).split("\n")
    return "\n".join(lines[target.start_line - 1 : target.end_line])


def locate(workspace: Workspace, query: str) -> Located:
    """``query`` at ``workspace``'s version, as ``find`` would answer it."""
    found = workspace.find(query, related=False)
    matches = _own(workspace, found.matches)
    if matches:
        return Located(matches[0], f"by the query {query!r}", code_of(workspace, matches[0]))
    return Located(None, _nothing(workspace, query, found.matches), "", found.suggestions)


def follow(workspace: Workspace, query: str, before: Resolved, before_code: str) -> Located:
    """The symbol found as ``before`` in another version, followed into ``workspace``."""
    same = _own(workspace, workspace.find(before.qualname, related=False).matches)
    if same and same[0].qualname == before.qualname:
        return Located(same[0], "by the same qualified name", code_of(workspace, same[0]))
    by_query = workspace.find(query, related=False)
    matches = _own(workspace, by_query.matches)
    if matches:
        best = matches[0]
        moved = f", moved from {before.path} to {best.path}" if best.path != before.path else ""
        return Located(best, f"by the query {query!r}{moved}", code_of(workspace, best))
    renamed = _renamed(workspace, before, before_code)
    if renamed is not None:
        return renamed
    return Located(None, _nothing(workspace, query, by_query.matches), "", by_query.suggestions)


def _own(workspace: Workspace, matches: tuple[Resolved, ...]) -> tuple[Resolved, ...]:
    """The matches in ``workspace``'s own repository, at its version: a name followed
    into another pin is that pin's code, at that pin's version, not this one's."""
    return tuple(m for m in matches if m.repo in ("", workspace.checkout.repo))


def _nothing(workspace: Workspace, query: str, elsewhere: tuple[Resolved, ...]) -> str:
    """Why ``query`` is not here: it names nothing, or only something of another pin."""
    if elsewhere:
        other = elsewhere[0]
        return f"{query!r} is not in {workspace.checkout.repo}: it names {other.qualname} of {other.repo}"
    return f"{query!r} names nothing here"


def _renamed(workspace: Workspace, before: Resolved, before_code: str) -> Located | None:
    """The definition of ``before``'s kind, in the module (or class) it lived in, whose
    code is most like ``before``'s: a rename."""
    owner, _, name = before.qualname.rpartition(".")
    try:
        candidates = workspace.members_of(owner)
    except QueryError:
        return None
    best: tuple[float, Resolved, str] | None = None
    for candidate in candidates:
        if candidate.kind != before.kind or candidate.qualname == before.qualname:
            continue
        code = code_of(workspace, candidate)
        likeness = _likeness(before_code, name, code, candidate.qualname.rpartition(".")[2])
        if likeness >= RENAME_LIKENESS and (best is None or likeness > best[0]):
            best = (likeness, candidate, code)
    if best is None:
        return None
    likeness, candidate, code = best
    new_name = candidate.qualname.rpartition(".")[2]
    how = f"renamed {name} -> {new_name}? (no {name} here; {new_name}'s code is {likeness:.0%} the same)"
    return Located(candidate, how, code)


def _likeness(code: str, name: str, other: str, other_name: str) -> float:
    """How alike two definitions are, line by line (indentation aside), the first one's
    name read as the second's: a renamed function is its own code under a new name. The
    cheap upper bounds of ``difflib`` come first: most members of a class are not alike."""
    lines = [line.strip() for line in code.replace(name, other_name).splitlines() if line.strip()]
    others = [line.strip() for line in other.splitlines() if line.strip()]
    matcher = difflib.SequenceMatcher(None, lines, others, autojunk=False)
    if matcher.real_quick_ratio() < RENAME_LIKENESS or matcher.quick_ratio() < RENAME_LIKENESS:
        return 0.0
    return matcher.ratio()


class Hunk(NamedTuple):
    from_start: int  # file line numbers
    from_lines: int
    to_start: int
    to_lines: int
    lines: tuple[str, ...]  # " x", "-x", "+x"


def hunks(before: Located, after: Located, context: int = 3) -> list[Hunk]:
    """The changed lines of two located definitions, as unified-diff hunks numbered by
    the lines of their files."""
    assert before.target is not None and after.target is not None
    old = before.code.split("\n")
    new = after.code.split("\n")
    out: list[Hunk] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        lines: list[str] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [f" {line}" for line in old[i1:i2]]
                continue
            lines += [f"-{line}" for line in old[i1:i2]]
            lines += [f"+{line}" for line in new[j1:j2]]
        first, last = group[0], group[-1]
        out.append(
            Hunk(
                before.target.start_line + first[1],
                last[2] - first[1],
                after.target.start_line + first[3],
                last[4] - first[3],
                tuple(lines),
            )
        )
    return out
