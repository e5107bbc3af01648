"""A tour skeleton along a call chain (``codewalk draft FROM TO``).

One step per hop, at the calling function, with ``focus:`` on the call site (text that
first matches inside the function at that very line, checked here with the same
matcher the tour uses), a title saying what calls what and how, and a note for the
author to write. The goal is a last step when a pinned repo defines it; a name of
another package that no pin provides is named in a comment instead, so the draft
resolves with ``tour`` and ``check`` as it stands.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from codewalk.calls.graph import Hop
from codewalk.resolve.model import Resolved
from codewalk.tours.focus import as_regex, find_match

TODO = "TODO: what the reader should see here."


def named(text: str, ident: str) -> str:
    """A drafted tour's ``text`` with the id ``ident`` (a file's name, as a tour file
    without ``id:`` would have it) in place of the one made from its chain."""
    head, sep, rest = text.partition("\nid: ")
    return f"{head}{sep}{ident}\n{rest.partition(chr(10))[2]}" if sep else text


def draft_tour(
    chain: Sequence[Hop], start: str, goal: str, source_text: Callable[[str, str], str], default_repo: str
) -> str:
    """The YAML text of the tour. ``source_text(path, repo)`` is the text of a caller's
    file, in its own repository;
    the tour's repository is its first step's (else ``default_repo``)."""
    default_repo = chain[0].caller.target.repo or default_repo
    first = _short(chain[0].caller.target.qualname)
    last = chain[-1]
    lines = _head(
        f"`codewalk draft {start} {goal}` along one call chain",
        _slug(f"{first}-to-{goal.rpartition('.')[2]}"),
        f"From {first} to {_short(last.reached)}",
        default_repo,
        f"this walk from {first} to {_short(last.reached)}",
    )
    for hop in chain:
        caller = hop.caller.target
        text = source_text(caller.path, caller.repo)
        via = hop.target.via if hop.target is not None else hop.callee.how
        how = [f"(how codewalk got here: {_one_line(via)})"] if via and via != "direct" else []
        lines.extend(_step(caller, _title(hop), text, hop.callee.site.line, default_repo, how))
    if last.target is not None:
        lines.extend(_goal_step(last.target, default_repo))
    else:
        lines.append(f"  # {last.callee.external} is in another package that no pin provides:")
        lines.append("  # add a step for it once that package is pinned.")
    return "\n".join(lines) + "\n"


def _head(drafted: str, ident: str, title: str, repo: str, walk: str) -> list[str]:
    """The lines of a draft before its steps."""
    return [
        f"# A tour drafted by {drafted}.",
        "# Titles and focus lines are filled in; write each note (TODO), then run `codewalk check`.",
        f"id: {ident}",
        f"title: {_quote(title)}",
        f"repo: {repo}",
        "summary: |",
        f"  TODO: what {walk} shows.",
        "steps:",
    ]


def _step(
    caller: Resolved, title: str, text: str, line: int, default_repo: str, more: Sequence[str] = ()
) -> list[str]:
    """A step at ``caller``, focused on its call site at ``line`` (``text``: its file's)."""
    out = [f"  - at: {caller.qualname}"]
    if caller.repo != default_repo:
        out.append(f"    repo: {caller.repo}")
    out.append(f"    title: {_quote(title)}")
    focus = focus_for(text, (caller.start_line, caller.end_line), line)
    if focus is not None:
        out.append(f"    focus: {_quote(focus)}")
    out += ["    note: |", f"      {TODO}", *(f"      {extra}" for extra in more), ""]
    return out


def _goal_step(target: Resolved, default_repo: str) -> list[str]:
    out = [f"  - at: {target.qualname}"]
    if target.repo != default_repo:
        out.append(f"    repo: {target.repo}")
    out += [f"    title: {_quote(_short(target.qualname))}", "    note: |", f"      {TODO}"]
    return out


def _title(hop: Hop) -> str:
    caller = _short(hop.caller.target.qualname)
    callee = _short(hop.reached)
    via = hop.target.via if hop.target is not None else ""
    if hop.callee.site.kind == "ref":
        return f"{caller} passes {callee} as a value"
    if "dispatch table" in via or "registry" in via:
        return f"{caller} reaches {callee} through a dispatch table"
    if "wrapper" in via:
        return f"{caller} calls {callee} through a wrapper"
    if "property" in via:
        return f"{caller} calls {callee}, returned by a property"
    if hop.target is None:
        return f"{caller} calls {callee} (in another package)"
    return f"{caller} calls {callee}"


def focus_for(text: str, span: tuple[int, int], line: int, *, last: int | None = None) -> str | None:
    """A focus text whose first match inside ``span`` is on ``line``: the line itself,
    or, when that text occurs earlier in the span, a regex with the lines after it up to
    ``last`` (the statement's own, which light no other), then with the lines before it."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    here = lines[line - 1].strip()
    if here and _lands(text, span, here, line):
        return here
    for ahead in range(1, 4):
        if last is None or line + ahead > last:
            break
        after = [lines[i].strip() for i in range(line, line + ahead)]
        candidate = "/" + r"\n\s*".join(as_regex(part) for part in [here, *after]) + "/"
        if _lands(text, span, candidate, line):
            return candidate
    for back in range(1, 4):
        if line - back < span[0]:
            break
        before = [lines[i].strip() for i in range(line - 1 - back, line - 1)]
        pattern = r"\n\s*".join(as_regex(part) for part in [*before, here])
        candidate = f"/{pattern}/"
        if _lands(text, span, candidate, line):
            return candidate
    return None


def _lands(text: str, span: tuple[int, int], focus: str, line: int) -> bool:
    try:
        found = find_match(text, span, focus)
    except re.error:  # a focus the tour loader would reject is no focus
        return False
    return found is not None and found[0] <= line <= found[1]


def _short(qualname: str) -> str:
    """``Trainer.train`` of ``transformers.trainer.Trainer.train``: the last two parts
    when the second to last is a class, else the last."""
    parts = qualname.split(".")
    if len(parts) >= 2 and parts[-2][:1].isupper():
        return ".".join(parts[-2:])
    return parts[-1]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "draft"


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Ran(NamedTuple):
    """A hop of a chain that ran: ``caller`` called ``callee`` (a qualified name) at
    ``line``, ``calls`` times, through the decorators' wrappers ``through``; ``text`` is
    the caller's file."""

    caller: Resolved
    line: int
    callee: str
    calls: int
    through: tuple[str, ...]
    text: str
    own: str = ""  # the callee is the program's own code: how it is said ("the program's, gen.py")


def draft_ran(
    hops: Sequence[Ran], goal: Resolved | None, ends: tuple[str, str], command: str, default_repo: str
) -> str:
    """The YAML text of a tour along a chain that ran, each step focused on the call site
    that executed, then a step at ``goal``; None when it is the program's own code, which
    no pin holds: the last hop's step, naming it, ends the tour. ``ends``: the qualified
    names of the chain's start and goal (the program's own too). The tour's repository is
    its first step's (else ``default_repo``)."""
    anchor = hops[0].caller if hops else goal
    default_repo = (anchor.repo if anchor is not None else "") or default_repo
    first, last = _short(ends[0]), _short(ends[1])
    lines = _head(
        f"`{command}` along the chain that ran",
        _slug(f"{first}-to-{last}-ran"),
        f"From {first} to {last}, as it ran",
        default_repo,
        f"this run from {first} to {last}",
    )
    for hop in hops:
        through = f" through {', '.join(hop.through)}" if hop.through else ""
        times = f"{hop.calls} time{'s' if hop.calls != 1 else ''}"
        callee = _short(hop.callee) + (f" ({hop.own})" if hop.own else "")
        title = f"{_short(hop.caller.qualname)} calls {callee}{through} (ran {times})"
        lines.extend(_step(hop.caller, title, hop.text, hop.line, default_repo))
    if goal is not None:
        lines.extend(_goal_step(goal, default_repo))
    return "\n".join(lines) + "\n"
