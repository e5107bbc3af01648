"""Calls that name a method by a string a caller passes: transformers' ``CallbackHandler``
runs each callback's hook with ``getattr(callback, event)(...)`` in ``call_event(self,
event, ...)``, and each of its ``on_*`` passes the hook's name as a literal
(``self.call_event("on_evaluate", ...)``). No site names ``on_evaluate`` as code, so
``callers`` of a callback's ``on_evaluate`` found none; these are its possible callers:
a call passing the name as a string to a function that calls ``getattr(obj, param)(...)``
of one of its parameters. What ``obj`` is, codewalk does not say (the callbacks a list
holds), so they are listed as possible, not as callers.

The strings are looked for in the files defining the method and those it overrides (the
hook's base class is where the dispatch is written).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from codewalk.calls.model import Body
from codewalk.calls.records import BUILTIN, PARAM, CallFacts, Site
from codewalk.calls.sites import CallResolver, own_sites
from codewalk.resolve.model import Resolved


class Dispatch(NamedTuple):
    """A call passing a method's name as a string (``site`` in ``body``) to a function
    calling the attribute of that name, and how."""

    body: Body
    site: Site
    how: str


def dispatching(cr: CallResolver, target: Resolved) -> list[Dispatch]:
    """The calls passing ``target``'s name as a string literal to a function that calls
    ``getattr(obj, param)(...)`` of a parameter, in the files defining it and what it
    overrides; each once, in file order."""
    name = target.qualname.rpartition(".")[2]
    if not name.isidentifier():
        return []
    quoted = re.compile(rf"""(["']){re.escape(name)}\1""")
    out: dict[tuple[str, int, int], Dispatch] = {}
    for repo, path in _files(cr, target, name):
        for number, text in enumerate(cr.code.lines(repo, path), start=1):
            if not quoted.search(text):
                continue
            body = cr.code.around(repo, path, number)
            if body is None:
                continue
            for site in _passing(cr.facts(body), body, number, quoted):
                how = _through(cr, body, site, name)
                if how:
                    out.setdefault((path, site.line, site.col), Dispatch(body, site, how))
    return list(out.values())


def _files(cr: CallResolver, target: Resolved, name: str) -> list[tuple[str, str]]:
    """The files defining ``target`` and, a method, each definition of ``name`` in its
    class's MRO (a callback of a module of its own overrides the hook of the base class
    whose module dispatches it: transformers' ``TensorBoardCallback.on_log``)."""
    files = {(target.repo, target.path)} if target.path else set()
    place = cr.place(target) if target.kind == "method" else None
    if place is not None and "." in place[2]:
        resolver, view, qualname = place
        for base_view, cls in resolver.ns.mro(view, qualname.rpartition(".")[0]):
            if base_view.defs(f"{cls.qualname}.{name}"):
                files.add((base_view.repo or resolver.facts.repo, base_view.path))
    return sorted(files)


def _passing(facts: CallFacts, body: Body, line: int, quoted: re.Pattern[str]) -> Iterator[Site]:
    """The calls of ``body`` on ``line`` whose text holds the quoted name."""
    for site in own_sites(body, facts):
        if site.kind == "call" and site.line == line and quoted.search(site.text):
            yield site


def _through(cr: CallResolver, body: Body, site: Site, name: str) -> str:
    """How the call ``site`` passing ``name`` may call the attribute so named: the
    function it reaches calls ``getattr(obj, param)(...)``; "" when none does."""
    callee = cr.callee(body, site, candidates=False)
    for function in callee.targets if callee is not None else ():
        called = cr.body_of(function)
        if called is None:
            continue
        facts = cr.facts(called)
        for getter in own_sites(called, facts):
            if _dynamic(getter, facts):
                obj, param = getter.args[0].expr, getter.args[1].expr
                short = function.qualname.rpartition(".")[2]
                return (
                    f"passes {name!r} to {short}, whose getattr({obj}, {param})(…) "
                    f"({function.path}:{getter.line}) calls the attribute so named"
                )
    return ""


def _dynamic(site: Site, facts: CallFacts) -> bool:
    """``getattr(obj, param)(...)``: the builtin called with a parameter as the name, and
    what it returns called on the same line."""
    if site.kind != "call" or site.name.root != BUILTIN or site.name.expr != "getattr":
        return False
    if site.slots[:2] != ("#0", "#1") or site.args[1].root != PARAM:
        return False
    return any(s.kind == "call" and s.line == site.line and s.name.expr == "getattr()" for s in facts.sites)
