"""Who calls a definition: binding-precise callers, found from the bodies that name it.

The index's references say which bodies mention the name (a byte pre-filter picks the
files first while the index is partial); only those bodies are analysed, and a site
counts when what it reaches *is* the definition: a local variable of the same name is
not a caller, a ``self.method()`` in a subclass that inherits the method is. Calls
through a dispatch table are found from the bodies that name the table. A site with the
name whose receiver codewalk cannot type is listed apart, as a possible caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from codewalk.calls.graph import key
from codewalk.calls.model import RESOLVED, Body
from codewalk.calls.sites import CallResolver
from codewalk.resolve.model import Resolved

PRECISE = ("call", "ref", "decorator")  # Caller.kind of a binding-precise caller


class Mention(NamedTuple):
    """A use of a name in a file, and the body around it (None: module or class level)."""

    repo: str
    path: str
    line: int
    col: int
    body: Body | None


class Mentions(Protocol):
    def __call__(self, name: str) -> Sequence[Mention]: ...


class Caller(NamedTuple):
    kind: str  # call | ref (passed as a value) | decorator | entry (a dispatch table) | maybe
    repo: str
    path: str
    line: int
    col: int  # 0-based
    text: str  # the line, stripped
    caller: Resolved | None  # the function the site is in; None for a table entry or module level
    how: str


def callers(
    cr: CallResolver, target: Resolved, mentions: Mentions, entries: Sequence[Resolved] = ()
) -> list[Caller]:
    """The call sites that reach ``target`` (binding-precise, then table entries, then
    possible callers), each once, in file order within each kind."""
    name = target.qualname.rpartition(".")[2]
    goals = {key(target)}
    names = {name}
    if name == "__init__" and target.kind == "method":
        owner = target.qualname.rpartition(".")[0]
        names.add(owner.rpartition(".")[2])  # Cls(...) constructs, and runs __init__
        goals.update(key(c) for c in _classes(cr, target))
    bodies: dict[tuple[str, str, int], Body] = {}
    module_level: list[Mention] = []
    for needle in sorted(names | {e.qualname.rpartition(".")[0].rpartition(".")[2] for e in entries}):
        for mention in mentions(needle):
            if mention.body is None:
                if needle in names:
                    module_level.append(mention)
            else:
                bodies.setdefault(key(mention.body.target), mention.body)
    found: list[Caller] = []
    maybe: list[Caller] = []
    for body in bodies.values():
        for callee in cr.callees(body):
            site = callee.site
            last = site.name.expr.removesuffix("[]").rpartition(".")[2]
            hits = [t for t in callee.targets if key(t) in goals]
            if hits:
                found.append(
                    Caller(
                        site.kind,
                        body.repo,
                        body.target.path,
                        site.line,
                        site.col,
                        site.text,
                        body.target,
                        hits[0].via,
                    )
                )
            elif last in names and callee.status != RESOLVED and site.kind != "ref":
                maybe.append(
                    Caller(
                        "maybe",
                        body.repo,
                        body.target.path,
                        site.line,
                        site.col,
                        site.text,
                        body.target,
                        callee.how,
                    )
                )
    for mention in module_level:
        maybe.append(
            Caller(
                "maybe",
                mention.repo,
                mention.path,
                mention.line,
                mention.col,
                "",
                None,
                "at module or class level, outside any function",
            )
        )
    tables = [Caller("entry", e.repo, e.path, e.line, 0, e.signature, None, e.via) for e in entries]
    order = {"call": 0, "decorator": 0, "ref": 0}
    found.sort(key=lambda c: (order.get(c.kind, 1), c.path, c.line, c.col))
    unique: dict[tuple[str, int, int], Caller] = {}
    for caller in (*found, *tables, *sorted(maybe, key=lambda c: (c.path, c.line))):
        unique.setdefault((caller.path, caller.line, caller.col if caller.kind != "entry" else -1), caller)
    return list(unique.values())


def _classes(cr: CallResolver, init: Resolved) -> list[Resolved]:
    resolver = cr.code.resolver(init.repo)
    if resolver is None:
        return []
    owner = init.qualname.rpartition(".")[0]
    return [r for r in resolver.find(owner, related=False).matches if r.kind == "class"][:1]
