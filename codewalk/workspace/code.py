"""The call layer's view of a workspace (:class:`~codewalk.calls.model.Code`): bodies
read from the checkout, tables and subclasses from the index, and the uses of a name
(for ``callers``), indexing on demand while the snapshot is partial.

One checkout today. :meth:`WorkspaceCode.elsewhere` is where a name of another package
(``accelerate.Accelerator.backward``) is looked up in the other pinned repos once a
workspace holds several; until then no pin provides it and the call layer lists it as
"in another package".
"""

from __future__ import annotations

from typing import Protocol

from codewalk.calls.callers import Mention
from codewalk.calls.model import Body
from codewalk.errors import QueryError
from codewalk.index.records import Definition, DictEntry
from codewalk.index.store import Store
from codewalk.resolve.model import Resolved, to_resolved
from codewalk.resolve.namespace import Namespace
from codewalk.resolve.resolver import Resolver
from codewalk.source.checkout import Checkout
from codewalk.workspace.facts import IndexFacts


class Parts(Protocol):
    """What the call questions use of a :class:`~codewalk.workspace.workspace.Workspace`."""

    checkout: Checkout
    store: Store
    snap: int
    facts: IndexFacts
    resolver: Resolver

    def source_text(self, path: str) -> str: ...


BODY_KINDS = ("function", "method", "property")
_FILES_KEPT = 64  # source files kept in memory while walking


class WorkspaceCode:
    """:class:`~codewalk.calls.model.Code` over one workspace."""

    def __init__(self, workspace: Parts) -> None:
        self.ws = workspace
        self._lines: dict[str, list[str]] = {}
        self._subclasses: dict[tuple[str, str], list[Resolved]] = {}

    @property
    def repo(self) -> str:
        return self.ws.checkout.repo

    def resolver(self, repo: str) -> Resolver | None:
        return self.ws.resolver if repo == self.repo else None

    def elsewhere(self, qualname: str) -> list[Resolved]:
        return []  # one pin per workspace for now: a name of another package stays unresolved

    # -- bodies ---------------------------------------------------------------------------
    def lines(self, repo: str, path: str) -> list[str]:
        if repo != self.repo:
            return []
        if path not in self._lines:
            if len(self._lines) >= _FILES_KEPT:
                self._lines.pop(next(iter(self._lines)))
            try:
                self._lines[path] = self.ws.source_text(path).splitlines(keepends=True)
            except QueryError:
                return []
        return self._lines[path]

    def body(self, target: Resolved) -> Body | None:
        if target.repo != self.repo or target.kind not in BODY_KINDS:
            return None
        view = self.ws.facts.module_by_path(target.path)
        row = self.ws.store.file(self.ws.snap, target.path)
        if view is None or row is None or row.blob is None:
            return None
        inner = target.qualname[len(view.module) + 1 :]
        defs = [d for d in view.defs(inner) if d.line == target.line]
        if not defs:
            return None
        return self._body(view.module, row.blob, defs[0], target)

    def _body(self, module: str, blob: int, d: Definition, target: Resolved) -> Body | None:
        lines = self.lines(self.repo, target.path)
        if not lines:
            return None
        text = "".join(lines[d.start_line - 1 : d.end_line])
        return Body(self.repo, module, d.parent, target, blob, text)

    def body_at(self, path: str, line: int) -> Body | None:
        """The innermost function, method or property whose span holds ``line``."""
        return self.bodies_at(path, [line]).get(line)

    def bodies_at(self, path: str, lines: list[int]) -> dict[int, Body]:
        """For each of ``lines``, the innermost function, method or property around it."""
        view = self.ws.facts.module_by_path(path)
        row = self.ws.store.file(self.ws.snap, path)
        if view is None or row is None or row.blob is None:
            return {}
        functions = [d for d in self.ws.store.defs_of(row.blob) if d.kind in BODY_KINDS]
        ns = Namespace(self.ws.facts)
        out: dict[int, Body] = {}
        made: dict[int, Body | None] = {}
        for line in lines:
            around = [d for d in functions if d.start_line <= line <= d.end_line]
            if not around:
                continue
            d = max(around, key=lambda d: d.start_line)
            if d.line not in made:
                target = to_resolved(ns.module_hit(view, "direct")._replace(definition=d), self.repo)
                made[d.line] = self._body(view.module, row.blob, d, target)
            body = made[d.line]
            if body is not None:
                out[line] = body
        return out

    # -- tables, subclasses, uses ---------------------------------------------------------
    def table(self, repo: str, module: str, table: str) -> list[DictEntry]:
        if repo != self.repo:
            return []
        if self.ws.facts.module(module) is None:  # indexes it, while the snapshot is partial
            return []
        row = self.ws.store.module_file(self.ws.snap, module)
        return (
            self.ws.store.table_entries(row.blob, table) if row is not None and row.blob is not None else []
        )

    def subclasses(self, repo: str, module: str, cls: str) -> list[Resolved]:
        if repo != self.repo:
            return []
        if (module, cls) not in self._subclasses:
            self._subclasses[(module, cls)] = self._find_subclasses(module, cls)
        return self._subclasses[(module, cls)]

    def _find_subclasses(self, module: str, cls: str) -> list[Resolved]:
        name = cls.rpartition(".")[2]
        self.ws.facts.scan("ref", name)
        ns = self.ws.resolver.ns
        out: list[Resolved] = []
        for row, d in self.ws.store.classes_naming_base(self.ws.snap, name):
            view = self.ws.facts.module(row.module)
            if view is None:
                continue
            bases = ns.bases((view, d))
            if any(b_view.module == module and b.qualname == cls for b_view, b in bases):
                hit = ns.module_hit(view, "direct")._replace(definition=d)
                out.append(to_resolved(hit, self.repo))
        return out

    def mentions(self, name: str) -> list[Mention]:
        """Every use of ``name`` in the checkout, with the body around it."""
        self.ws.facts.scan("ref", name)
        by_path: dict[str, list[tuple[int, int]]] = {}
        for path, line, col in self.ws.store.references(self.ws.snap, name):
            by_path.setdefault(path, []).append((line, col))
        found: list[Mention] = []
        for path, spots in by_path.items():
            bodies = self.bodies_at(path, [line for line, _ in spots])
            found.extend(Mention(self.repo, path, line, col, bodies.get(line)) for line, col in spots)
        return found
