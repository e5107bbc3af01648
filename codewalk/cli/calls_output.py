"""How ``calls``, ``callers``, ``path`` and ``draft`` print their answers: text for a
reader, and the JSON shapes of docs/json.md."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from codewalk.calls.branches import said
from codewalk.calls.model import is_holder
from codewalk.cli.common import (
    a_release_has_it,
    at_the_pin,
    dump,
    header_dict,
    in_a_cached_release,
    result_dict,
    the_pin_has_it,
)

if TYPE_CHECKING:
    from codewalk.calls.callers import Caller
    from codewalk.calls.graph import Hop, Level
    from codewalk.calls.model import Callee
    from codewalk.errors import QueryError
    from codewalk.resolve.model import Resolved
    from codewalk.workspace.workspace import Workspace

MORE_TARGETS = 3  # targets shown under a call site before "... and N more"


def place(result: Resolved, home: str = "") -> str:
    """``path:line``, and the repository and version when it is not ``home``'s."""
    where = f"{result.path}:{result.line}"
    if result.repo and home and result.repo != home:
        from codewalk.source.checkout import repo_at_version

        where += f"  [{repo_at_version(result.repo, result.version)}]"
    return where


def callee_dict(callee: Callee) -> dict[str, Any]:
    site = callee.site
    return {
        "line": site.line,
        "col": site.col + 1,
        "kind": site.kind,
        "expr": site.name.expr,
        "text": site.text,
        "status": callee.status,
        "how": callee.how,
        "external": callee.external or None,
        "targets": [result_dict(t) for t in callee.targets],
        "branch": {"kind": site.branch, "line": site.branch_line} if site.branch else None,
    }


def levels_json(levels: Sequence[Level]) -> list[dict[str, Any]]:
    """The flat depth-first list of a ``calls --depth N`` tree, nested by depth."""
    root: list[dict[str, Any]] = []
    stack: list[list[dict[str, Any]]] = [root]
    for level in levels:
        del stack[level.depth :]
        item = callee_dict(level.callee)
        item["expanded_above"] = level.expanded_above or None
        item["calls"] = []
        stack[-1].append(item)
        stack.append(item["calls"])
    return root


def format_levels(levels: Sequence[Level], *, show_all: bool, home: str = "") -> str:
    lines: list[str] = []
    # the minor calls, by the function they are in ("": the one asked about); with
    # --depth, a line number alone would not say which file it is of
    untyped: dict[str, list[str]] = {}
    builtins: dict[str, list[str]] = {}
    caller_at: dict[int, str] = {0: ""}  # the function whose calls the next depth lists
    hinted: set[str] = set()  # what a name outside the pins is, said once (``torch is the module torch``)
    for level in levels:
        callee = level.callee
        first = callee.targets[0].qualname if callee.targets else ""
        caller_at[level.depth] = ".".join(first.split(".")[-2:])
        if not show_all and callee.minor:
            name = callee.site.name.expr or callee.site.text
            kept = builtins if callee.status == "builtin" else untyped
            kept.setdefault(caller_at.get(level.depth - 1, ""), []).append(f"{name} ({callee.site.line})")
            continue
        listed = callee_lines(callee, "  " * level.depth, home)
        listed[1:] = [said for line in listed[1:] if (said := _hinted_once(line, hinted))]
        if level.expanded_above:
            listed[0] += f"  ({_expanded(level.expanded_above)})"
        lines.extend(listed)
    if untyped:
        count = sum(len(calls) for calls in untyped.values())
        lines.append(f"\n{count} calls on values codewalk cannot type (--all lists them):")
        lines.extend(f"  {_in(caller)}{', '.join(calls)}" for caller, calls in _root_first(untyped))
    if builtins:
        said = "; ".join(f"{_in(caller)}{', '.join(calls)}" for caller, calls in _root_first(builtins))
        lines.append(f"builtins: {said}")
    return "\n".join(lines)


_HINT = re.compile(r"[\w.]+ is (?:the module|imported from) [\w.]+ \(.*\)")  # ... (no pin provides torch)


def _hinted_once(line: str, hinted: set[str]) -> str:
    """``line`` without the clauses saying what a module outside the pins is (``torch is the
    module torch (no pin provides torch)``) that an earlier line said; "" when nothing else
    is left of it."""
    body = line.lstrip(" ")
    pad = line[: len(line) - len(body)]
    prefix = "via: " if body.startswith("via: ") else ""
    clauses = body.removeprefix(prefix).split("; ")
    kept = [c for c in clauses if not (_HINT.fullmatch(c) and c in hinted)]
    hinted.update(c for c in clauses if _HINT.fullmatch(c))
    if len(kept) == len(clauses):
        return line
    return f"{pad}{prefix}{'; '.join(kept)}" if kept else ""


def _expanded(line: int) -> str:
    """Why a callee's calls are not listed under it: they are, elsewhere in the tree."""
    return "the function asked about" if line < 0 else f"expanded above, line {line}"


def _root_first(by_caller: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """The minor calls of the function asked about, then those of the others, in order."""
    return sorted(by_caller.items(), key=lambda item: item[0] != "")


def _in(caller: str) -> str:
    return f"in {caller}: " if caller else ""


def callee_lines(callee: Callee, indent: str = "  ", home: str = "") -> list[str]:
    site = callee.site
    what = site.name.expr or site.text
    kind = {"ref": "  (passed as a value)", "decorator": "  (decorator)", "read": "  (property read)"}.get(
        site.kind, ""
    )
    pad = indent + " " * 8
    if callee.targets:
        first = callee.targets[0]
        out = [f"{indent}{site.line:>6}  {what} -> {first.qualname}  {place(first, home)}{kind}"]
        if first.via != "direct":
            out.append(f"{pad}via: {first.via}")
        if callee.how.startswith(first.via) and callee.how != first.via:
            out.append(f"{pad}{callee.how[len(first.via) :].lstrip('; ')}")  # what else it may be
        elif callee.how and first.via not in callee.how and callee.how not in first.via:
            # what the call is, beyond its first target (a how the via goes on from is said)
            out.append(f"{pad}{callee.how}")
        # a property or an attribute is followed by what calling it runs ("then"); the
        # rest are alternatives ("or"): another function it may hold, another assignment
        # of the attribute (followed by what that one runs)
        before = first
        for other in callee.targets[1 : 1 + MORE_TARGETS]:
            word = "then" if is_holder(before.kind) and not is_holder(other.kind) else "or"
            out.append(f"{pad}{word} {other.qualname}  {place(other, home)}")
            before = other
        if len(callee.targets) > 1 + MORE_TARGETS:
            out.append(f"{pad}... and {len(callee.targets) - 1 - MORE_TARGETS:,} more (--json lists them)")
        return out
    if callee.external:
        return [
            f"{indent}{site.line:>6}  {what} -> {callee.external}, in another package{kind}",
            f"{pad}{callee.how}",
        ]
    label = "builtin" if callee.status == "builtin" else "not resolved"
    return (
        [f"{indent}{site.line:>6}  {what}  ({label}){kind}", f"{pad}{callee.how}"]
        if callee.how
        else [f"{indent}{site.line:>6}  {what}  ({label}){kind}"]
    )


def caller_dict(caller: Caller) -> dict[str, Any]:
    return {
        "kind": caller.kind,
        "path": caller.path,
        "line": caller.line,
        "col": caller.col + 1,
        "text": caller.text,
        "caller": result_dict(caller.caller) if caller.caller is not None else None,
        "how": caller.how,
    }


def format_callers(callers: Sequence[Caller], home: str = "", marks: Sequence[str] = ()) -> str:
    """The call sites, by kind; ``marks`` (``callers --trace``), one per site, is said
    after its place (``[ran x3]``, ``[not run]``; "" for none)."""
    from codewalk.source.checkout import repo_at_version

    lines: list[str] = []
    headings = {
        "call": "call sites",
        "entry": "dispatch-table entries that reach it",
        "maybe": "possible callers: the name is called, but codewalk cannot tell on what",
    }
    current = ""
    for index, caller in enumerate(callers):
        group = "call" if caller.kind in ("call", "ref", "decorator", "read") else caller.kind
        if group != current:
            current = group
            lines.append(f"{headings[group]}:")
        where = f"{caller.path}:{caller.line}"
        if home and caller.repo != home:  # and its version: --at may read another than the pin
            where += f"  [{repo_at_version(caller.repo, caller.caller.version if caller.caller else '')}]"
        inside = f"  in {caller.caller.qualname.rpartition('.')[2]}" if caller.caller is not None else ""
        kind = {"ref": " (passed as a value)", "decorator": " (decorator)", "read": " (property read)"}.get(
            caller.kind, ""
        )
        mark = marks[index] if index < len(marks) and marks[index] else ""
        lines.append(f"  {where}{inside}{kind}" + (f"  [{mark}]" if mark else ""))
        if caller.text:
            lines.append(f"      {caller.text}")
        if caller.kind == "maybe" or (caller.how and caller.how not in ("direct",)):
            lines.append(f"      via: {caller.how}")
    return "\n".join(lines)


def hop_dict(hop: Hop) -> dict[str, Any]:
    return {
        "caller": result_dict(hop.caller.target),
        **callee_dict(hop.callee),
        "lines": list(hop.lines),
        "target": result_dict(hop.target) if hop.target is not None else None,
        "reached": hop.reached,
    }


_RUNS = frozenset(("function", "method", "class"))  # what a call may run, besides what holds it


def may_run(hop: Hop) -> int:
    """How many definitions the call of ``hop`` may run (not the attribute holding them):
    past one, the chain goes through one of them, not the one a run must take."""
    return sum(1 for target in hop.callee.targets if target.kind in _RUNS)


def format_chain(chain: Sequence[Hop], home: str = "") -> str:
    lines: list[str] = []
    for hop in chain:
        caller = hop.caller.target
        site = hop.callee.site
        lines.append(f"  {caller.qualname}  {place(caller, home)}")
        kind = "  (passed as a value)" if site.kind == "ref" else ""
        lines.append(f"    {site.line:>6}  {site.text}{kind}")
        if hop.also:  # the same call at other lines: one route, listed once
            at = ", ".join(str(line) for line in hop.lines)
            lines.append(f"            at lines {at} (one route: the same call at each)")
        via = hop.target.via if hop.target is not None else hop.callee.how
        if via and via != "direct":
            lines.append(f"            via: {via}")
        if site.branch:  # runs only when the run goes that way (a route through fewer is listed first)
            lines.append(f"            branch: {said(site.branch, site.branch_line)}")
        runs = may_run(hop)
        if runs > 1:
            which = "which one depends on the value at run time"
            lines.append(f"            this call may run any of {runs:,}: {which}")
    last = chain[-1]
    if last.target is not None:
        lines.append(f"  {last.target.qualname}  {place(last.target, home)}")
    else:
        lines.append(f"  {last.callee.external}  (in another package, not pinned)")
    return "\n".join(lines)


def unanswered(args: argparse.Namespace, workspace: Workspace, error: QueryError, **empty: Any) -> int:
    """A question whose function is not found or is ambiguous: with ``--json``, the
    ``empty`` answer, the suggestions, the candidates and the definition at the pin or in
    a cached release (docs/json.md), exit status 1; else the error, saying where the pin
    has the name when ``--at`` asked for another version that lacks it, or which release
    in the cache has one the pin lacks (as ``find`` does)."""
    from codewalk.workspace.calling import Ambiguous, NoDefinition

    missing = isinstance(error, NoDefinition)
    pinned = at_the_pin(args, workspace, args.query) if missing else None
    released = in_a_cached_release(args, workspace, args.query) if missing else None
    if not args.json:
        if not isinstance(error, NoDefinition):
            raise error
        # first; the note of a base outside the pins is beside the point
        if pinned is not None:
            hint = the_pin_has_it(pinned)
        elif released is not None:
            hint = a_release_has_it(released)
        else:
            raise error
        near = f"did you mean: {', '.join(error.suggestions)}" if error.suggestions else ""
        hint = f"{hint}; {near}" if near else hint
        raise NoDefinition(error.message, hint=hint, suggestions=error.suggestions) from None
    data = header_dict(args.query.strip(), workspace.checkout)
    data.update(function=None, **empty)
    data["suggestions"] = list(getattr(error, "suggestions", ()))
    if isinstance(error, Ambiguous):
        data["candidates"] = [result_dict(c) for c in error.candidates]
    if pinned is not None:
        data["at_the_pin"] = result_dict(pinned)
    if released is not None:
        data["in_a_release"] = result_dict(released)
    dump(data)
    return 1
