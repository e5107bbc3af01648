"""The call layer's view of a workspace (:class:`~codewalk.calls.model.Code`): bodies
read from the checkouts of the stack, tables and subclasses from the index, and the
uses of a name (for ``callers``), indexing on demand while a snapshot is partial.

A body may be in any repository of the workspace's stack: a call that the resolver
follows into another pin (``self.accelerator.backward`` into accelerate) lands on a
definition there, whose own body is then read from that pin. A name of a package that
no pin provides, or whose pin cannot be opened, is reported by :meth:`elsewhere` with
the reason.
"""

from __future__ import annotations

import sys
from bisect import bisect_right
from collections.abc import Callable, Collection, Sequence
from functools import partial
from itertools import accumulate
from typing import Protocol

from codewalk.calls.model import Body, Mention
from codewalk.errors import QueryError
from codewalk.index.records import Definition, DictEntry, FileRow
from codewalk.index.store import Store
from codewalk.resolve.model import BODY_KINDS, Hit, ModuleView, Resolved, to_resolved
from codewalk.resolve.rebinding import installed
from codewalk.resolve.resolver import Resolver
from codewalk.source.checkout import Checkout, fetched_again_by
from codewalk.workspace.facts import IndexFacts
from codewalk.workspace.stack import Stack

_FILES_KEPT = 64  # source files kept in memory while walking


class Parts(Protocol):
    """What the call questions use of a :class:`~codewalk.workspace.workspace.Workspace`."""

    checkout: Checkout
    store: Store
    snap: int
    facts: IndexFacts
    resolver: Resolver
    stack: Stack

    def source_text(self, path: str, repo: str = "") -> str: ...

    def resolver_for(self, scope: Sequence[str]) -> Resolver: ...


# the classes deriving from one as found: the pins open when asked, the classes (module, qualname)
# asked the children of, and the classes found
_Found = tuple[list[str], list[tuple[str, str]], list[Resolved]]


class WorkspaceCode:
    """:class:`~codewalk.calls.model.Code` over one workspace and its stack."""

    def __init__(self, workspace: Parts) -> None:
        self.ws = workspace
        self._lines: dict[tuple[str, str], list[str]] = {}
        # the classes deriving from a class (repo, module, qualname), as found: kept while the pins
        # opened since hold none deriving from it or from one of them
        self._descendants: dict[tuple[str, str, str], _Found] = {}
        # the direct subclasses of a class (module, qualname) in one pin, by pin, then class: what
        # a pin holds does not change when another opens (a base it names opens its own pin)
        self._children: dict[str, dict[tuple[str, str], list[tuple[str, Resolved]]]] = {}
        self._functions: dict[int, list[Definition]] = {}  # by blob: a blob's text never changes
        self._attributes: dict[int, list[Definition]] = {}  # by blob, as the functions
        self._spans: dict[int, list[tuple[int, int, int]]] = {}  # by blob: its functions' rows and lines
        self._rows: dict[int, Definition] = {}  # by row of the index
        self._globals: dict[int, list[Definition]] = {}
        # a pin's definitions, by (pin, name, the kinds asked for: all when none)
        self._named: dict[tuple[str, str, tuple[str, ...]], list[Resolved]] = {}
        # ... as the index holds them, each with the dotted name of what defines it
        self._rows_named: dict[tuple[str, str], list[tuple[str, FileRow, Definition]]] = {}
        self._unsynced: set[str] = set()  # pins ``named`` found not in the cache
        # the classes of a pin decorated with a function, by (pin, its module, its name)
        self._decorated_by: dict[tuple[str, str, str], list[Resolved]] = {}

    @property
    def repo(self) -> str:
        return self.ws.checkout.repo

    def _member(self, repo: str) -> IndexFacts | None:
        """The facts of a repository the stack has opened (opening none)."""
        return self.ws.stack.members.get(repo)

    def resolver(self, repo: str) -> Resolver | None:
        # one resolver reads every opened pin: modules are looked up in the repo owning them
        return self.ws.resolver if self._member(repo) is not None else None

    def owner(self, dotted: str) -> str | None:
        return self.ws.stack.owner(dotted)

    def elsewhere(self, qualname: str) -> tuple[list[Resolved], str]:
        owner = self.ws.stack.owner(qualname)
        package = qualname.partition(".")[0]
        if owner is None:
            if package in sys.stdlib_module_names:
                return [], "in Python's standard library"
            return [], f"no pin provides {package}"
        matches = list(self.ws.resolver.find(qualname, related=False, suggest=False).matches)
        if matches:
            return matches, ""
        why = self.ws.stack.unavailable.get(owner)
        if why:
            return [], f"the {owner} pin cannot be opened: {why}"
        return [], f"not found in the {owner} pin"

    # -- bodies ---------------------------------------------------------------------------
    def lines(self, repo: str, path: str) -> list[str]:
        if (repo, path) not in self._lines:
            if len(self._lines) >= _FILES_KEPT:
                self._lines.pop(next(iter(self._lines)))
            try:
                text = self.ws.source_text(path, repo)
            except QueryError:
                return []
            self._lines[(repo, path)] = text.splitlines(keepends=True)
        return self._lines[(repo, path)]

    def body(self, target: Resolved) -> Body | None:
        facts = self._member(target.repo)
        if facts is None or target.kind not in BODY_KINDS:
            return None
        view = facts.module_by_path(target.path)
        row = facts.file(target.path)
        if view is None or row is None or row.blob is None:
            return None
        inner = target.qualname[len(view.module) + 1 :]
        defs = [d for d in view.defs(inner) if d.line == target.line]
        if not defs:
            return None
        return self._body(target.repo, view.module, row.blob, defs[0], target)

    def decorators(self, target: Resolved) -> tuple[str, ...]:
        """The dotted names of the decorators of ``target``'s definition (``lru_cache``,
        ``functools.cache``), as the index read them; () when it has none."""
        facts = self._member(target.repo)
        view = facts.module_by_path(target.path) if facts is not None else None
        if view is None or not target.qualname.startswith(f"{view.module}."):
            return ()
        inner = target.qualname[len(view.module) + 1 :]
        return next((d.decorators for d in view.defs(inner) if d.line == target.line), ())

    def _body(self, repo: str, module: str, blob: int, d: Definition, target: Resolved) -> Body:
        return Body(repo, module, d.parent, target, blob, partial(self._text, repo, target.path, d))

    def _text(self, repo: str, path: str, d: Definition) -> str:
        """Lines ``d.start_line`` to ``d.end_line`` of a file."""
        lines = self.lines(repo, path)
        if not lines:
            facts = self.ws.stack.facts(repo) if repo and repo != self.ws.checkout.repo else None
            again = fetched_again_by(facts.checkout if facts is not None else self.ws.checkout)
            raise QueryError(
                f"{d.qualname}: no body to read ({path}:{d.line})",
                hint=f"its source file cannot be read: `{again}` fetches it again"
                if again
                else "its source file cannot be read",
            )
        return "".join(lines[d.start_line - 1 : d.end_line])

    def around(self, repo: str, path: str, line: int) -> Body | None:
        """The innermost function, method or property whose span holds ``line`` (``repo``
        "": this workspace's)."""
        return self.bodies_in(repo or self.repo, {path: [line]}).get(path, {}).get(line)

    def bodies_in(self, repo: str, lines: dict[str, list[int]]) -> dict[str, dict[int, Body]]:
        """For each file of ``lines`` and each of its lines, the innermost function,
        method or property around it: the functions of every file read at once."""
        facts = self._member(repo)
        if facts is None:
            return {}
        facts.read_files(list(lines))
        files = {path: found for path in lines if (found := self._file(repo, path)) is not None}
        spans = self.function_spans([blob for _, blob in files.values()])
        innermost = {path: _innermost(spans[blob], lines[path]) for path, (_, blob) in files.items()}
        defs = self._defs_by_row(sorted({r for inner in innermost.values() for r in inner.values()}))
        out: dict[str, dict[int, Body]] = {}
        for path, inner in innermost.items():
            view, blob = files[path]
            made: dict[int, Body] = {}
            for r in defs.keys() & set(inner.values()):
                target = to_resolved(Hit(view, defs[r], "direct", 0), repo)
                made[r] = self._body(repo, view.module, blob, defs[r], target)
            out[path] = {line: made[r] for line, r in inner.items() if r in made}
        return out

    def function_spans(self, blobs: Sequence[int]) -> dict[int, list[tuple[int, int, int]]]:
        missing = [blob for blob in dict.fromkeys(blobs) if blob not in self._spans]
        if missing:
            self._spans.update(self.ws.store.function_spans(missing))
        return {blob: self._spans[blob] for blob in blobs}

    def _defs_by_row(self, rows: list[int]) -> dict[int, Definition]:
        """The definitions of ``rows``, each read once (a blob's rows never change)."""
        missing = [r for r in rows if r not in self._rows]
        if missing:
            self._rows.update(self.ws.store.defs_by_row(missing))
        return {r: self._rows[r] for r in rows if r in self._rows}

    # -- tables, subclasses, uses ---------------------------------------------------------
    def table(self, repo: str, module: str, table: str) -> list[DictEntry]:
        facts = self._member(repo)
        if facts is None or facts.module(module) is None:  # indexes it, while the snapshot is partial
            return []
        row = self.ws.store.module_file(facts.snap, module)
        if row is None or row.blob is None:
            return []
        return self.ws.store.table_entries(row.blob, table)

    def opened(self) -> int:
        return len(self.ws.stack.members)  # a stack only grows (a reopened one makes a new self)

    def descendants(self, repo: str, module: str, cls: str) -> list[Resolved]:
        key = (repo, module, cls)
        pins = list(self.ws.stack.members)
        known = self._descendants.get(key)
        if known is None or (known[0] != pins and self._gained(known[0], known[1])):
            walked, found = self._find_descendants(module, cls)
            self._descendants[key] = (pins, walked, found)
        elif known[0] != pins:  # the pins opened since hold no class deriving from it: as found
            self._descendants[key] = (pins, *known[1:])
        return self._descendants[key][2]

    def _gained(self, asked: list[str], walked: list[tuple[str, str]]) -> bool:
        """Whether a pin opened since the pins ``asked`` holds a class deriving directly
        from one of ``walked`` (asked of those pins alone, all together), or another pin
        opened meanwhile: then the classes are walked again, as if asked the first time."""
        before = list(self.ws.stack.members)
        self._look_for_children(walked)
        if list(self.ws.stack.members) != before:
            return True
        gained = (self._children.get(pin, {}) for pin in before if pin not in asked)
        return any(any(map(found.get, walked)) for found in gained)

    def classes_naming(self, bases: Sequence[str]) -> list[Resolved]:
        return [
            c
            for facts in list(self.ws.stack.members.values())
            for c in _resolved(facts, facts.classes_naming_bases(bases))
        ]

    def children(self, classes: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[Resolved]]:
        self._look_for_children(list(dict.fromkeys(classes)))
        found = [self._children.get(facts.repo, {}) for facts in self.ws.stack.members.values()]
        return {base: [sub for subs in found for _, sub in subs.get(base, ())] for base in classes}

    def _find_descendants(self, module: str, cls: str) -> tuple[list[tuple[str, str]], list[Resolved]]:
        """Classes of the opened repositories deriving from ``module.cls``, a level at a
        time (while a snapshot is partial, the files that may define a level are indexed
        first, in one pass over the files per level); each class's direct subclasses are
        looked up once in each pin, shared by the questions about its bases, and by those
        asked before another pin opened (only the new pin is then searched)."""
        out: dict[tuple[str, str], Resolved] = {}
        frontier = [(module, cls)]
        walked = list(frontier)
        while frontier:
            bases = list(dict.fromkeys(frontier))
            pins = [facts.repo for facts in self.ws.stack.members.values()]
            self._look_for_children(bases)
            found_in = [self._children.get(pin, {}) for pin in pins]
            later: list[tuple[str, str]] = []
            for base in bases:
                for found in found_in:
                    for sub_module, sub in found.get(base, ()):
                        if (sub_module, sub.qualname) not in out:
                            out[(sub_module, sub.qualname)] = sub
                            later.append((sub_module, sub.qualname[len(sub_module) + 1 :]))
            frontier = later
            walked += later
        return walked, list(out.values())

    def _look_for_children(self, bases: list[tuple[str, str]]) -> None:
        """Look up the direct subclasses of ``bases`` ((module, class)) in each opened pin
        not yet asked about them: one query a pin (those asked, found by a set difference:
        a walk asks again the thousands of classes deriving from PreTrainedModel in each pin)."""
        ns = self.ws.resolver.ns
        wanted = set(bases)
        for facts in list(self.ws.stack.members.values()):
            known = self._children.setdefault(facts.repo, {})
            todo = wanted.difference(known)  # a dict: its keys are looked up, not copied
            if not todo:
                continue
            for base in todo:
                known[base] = []
            names = sorted({qualname.rpartition(".")[2] for _, qualname in todo})
            named = facts.classes_naming_bases(names)
            facts.read_files([row.path for row, _ in named])  # their modules' views, in a few queries
            classes = [(facts.module(row.module), d) for row, d in named]
            found_in = [(view, d) for view, d in classes if view is not None]
            ns.read_bases(found_in)  # thousands of classes' bases, read in a few queries
            for view, d in found_in:
                for b_view, b in ns.bases((view, d)):
                    base = (b_view.module, b.qualname)
                    if base in todo:
                        found = to_resolved(Hit(view, d, "direct", 0), facts.repo)
                        known[base].append((view.module, found))

    def holder(self, repo: str, path: str, line: int) -> str:
        found = self._file(repo, path)
        if found is None:
            return ""
        _, blob = found
        if blob not in self._globals:
            self._globals[blob] = self.ws.store.assigned_of(blob)
        for d in self._globals[blob]:
            if d.start_line <= line <= d.end_line:
                return d.name
        return ""

    def functions_of(self, blob: int) -> list[Definition]:
        if blob not in self._functions:
            self._functions[blob] = self.ws.store.functions_of(blob)
        return self._functions[blob]

    def methods(self, repo: str, path: str, cls: str) -> list[Resolved]:
        return self._members(repo, path, cls, self.functions_of)

    def attributes(self, repo: str, path: str, cls: str) -> list[Resolved]:
        return self._members(repo, path, cls, self._attributes_of)

    def _attributes_of(self, blob: int) -> list[Definition]:
        if blob not in self._attributes:
            self._attributes[blob] = self.ws.store.attributes_of(blob)
        return self._attributes[blob]

    def _members(
        self, repo: str, path: str, cls: str, of_blob: Callable[[int], list[Definition]]
    ) -> list[Resolved]:
        """The definitions ``of_blob`` gives of a file that are members of its class ``cls``."""
        found = self._file(repo, path)
        if found is None:
            return []
        view, blob = found
        return [to_resolved(Hit(view, d, "direct", 0), repo) for d in of_blob(blob) if d.parent == cls]

    def _file(self, repo: str, path: str) -> tuple[ModuleView, int] | None:
        facts = self._member(repo)
        view = facts.module_by_path(path) if facts is not None else None
        row = facts.file(path) if facts is not None else None
        if view is None or row is None or row.blob is None:
            return None
        return view, row.blob

    def named(
        self, name: str, also: Sequence[str] = (), within: Collection[str] = (), kinds: Collection[str] = ()
    ) -> list[Resolved]:
        closed = [repo for repo in also if repo not in self.ws.stack.members and repo not in self._unsynced]
        synced = self.ws.stack.synced() if closed else []
        for repo in closed:
            if repo in synced:
                self.ws.stack.facts(repo)
            else:
                self._unsynced.add(repo)  # fetched by no question of the call graph's
        found: list[Resolved] = []
        for facts in list(self.ws.stack.members.values()):
            if within and facts.repo not in within:
                continue
            key = (facts.repo, name, tuple(kinds))
            if key not in self._named:  # a pin's definitions stay when another opens
                rows = [
                    (row, d) for _, row, d in self._defs_named(facts, name) if not kinds or d.kind in kinds
                ]
                self._named[key] = _resolved(facts, rows)
            found.extend(self._named[key])
        return found

    def members_named(self, name: str, owners: Collection[str], within: Collection[str]) -> list[Resolved]:
        found: list[Resolved] = []
        for facts in list(self.ws.stack.members.values()):
            if facts.repo in within:  # only those of owners: a name such as forward has thousands
                rows = [(row, d) for owner, row, d in self._defs_named(facts, name) if owner in owners]
                found.extend(_resolved(facts, rows))
        return found

    def _defs_named(self, facts: IndexFacts, name: str) -> list[tuple[str, FileRow, Definition]]:
        """The definitions of a pin named ``name``, each with its owner: the dotted name of
        the class (or module) defining it, as its :class:`Resolved` says."""
        key = (facts.repo, name)
        if key not in self._rows_named:
            self._rows_named[key] = [
                ((f"{row.module}.{d.qualname}" if d.qualname else row.module).rpartition(".")[0], row, d)
                for row, d in facts.defs_named(name)
            ]
        return self._rows_named[key]

    def installed_on(self, target: Resolved) -> list[Resolved]:
        found = self._file(target.repo, target.path) if "<locals>" in target.qualname else None
        if found is None:
            return []
        view, blob = found
        local = target.qualname[len(view.module) + 1 :]
        name = local.rpartition(".")[2]
        members, handed = installed(partial(self.ws.store.defs_where, blob, "target"), local)
        as_ = " and ".join(members)
        out: list[Resolved] = []
        for given in handed:
            cls, _, hook = given.rpartition(".")
            if hook == "__init_subclass__":  # the classes deriving from cls are handed to it
                how = f"deriving from {cls}, whose __init_subclass__ sets {name} as its {as_}"
                classes = [d for d in view.defs(cls) if d.kind == "class"]
                out += [to_resolved(Hit(view, d, how, 0), target.repo) for d in classes]
            elif "." not in given:  # a module-level function: the classes it decorates
                decorated = self._decorated(view, given)
                names = [c.qualname.rpartition(".")[2] for c in decorated]
                listed = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
                how = f"decorated with @{given} ({listed}), which sets {name} as its {as_}"
                out += [c._replace(via=how) for c in decorated]
        return out

    def _decorated(self, where: ModuleView, function: str) -> list[Resolved]:
        """The classes of the opened repositories decorated with ``function`` of ``where``."""
        out: list[Resolved] = []
        for facts in list(self.ws.stack.members.values()):
            key = (facts.repo, where.module, function)
            if key not in self._decorated_by:
                self._decorated_by[key] = []
                for row, d in facts.classes_decorated(function):
                    view = facts.module(row.module)
                    names = [x for x in d.decorators if x.rpartition(".")[2] == function]
                    if view is not None and any(self._names(view, x, where, function) for x in names):
                        self._decorated_by[key].append(to_resolved(Hit(view, d, "direct", 0), facts.repo))
            out += self._decorated_by[key]
        return out

    def _names(self, view: ModuleView, name: str, where: ModuleView, function: str) -> bool:
        """``name`` in ``view`` is the function ``function`` of ``where``."""
        hits = self.ws.resolver.ns.lookup(view, name.split("."), (), 0)
        return any(h.view.path == where.path and h.definition.qualname == function for h in hits)

    def mentions(self, name: str) -> list[Mention]:
        """Every use of ``name`` in the opened repositories, with the body around it."""
        return self.mentions_of([name])[name]

    def mentions_of(self, names: Sequence[str], within: Collection[str] = ()) -> dict[str, list[Mention]]:
        """:meth:`mentions` of each of ``names`` (in the repositories of ``within`` alone,
        if given): the uses of all of them read in few queries, and the function around
        each line of a file found once for all."""
        found: dict[str, list[Mention]] = {name: [] for name in names}
        for facts in list(self.ws.stack.members.values()):
            if within and facts.repo not in within:
                continue
            facts.scan_all("ref", names)
            uses = self.ws.store.references_of(facts.snap, names)
            lines: dict[str, set[int]] = {}
            for spots in uses.values():
                for path, line, _ in spots:
                    lines.setdefault(path, set()).add(line)
            bodies = self.bodies_in(facts.repo, {path: sorted(at) for path, at in lines.items()})
            for name, spots in uses.items():
                for path, line, col in spots:
                    found[name].append(Mention(facts.repo, path, line, col, bodies.get(path, {}).get(line)))
        return found


def _innermost(spans: list[tuple[int, int, int]], lines: list[int]) -> dict[int, int]:
    """For each of ``lines``, the row of the innermost of ``spans`` ((row, first line,
    last line)) around it: of those around it, the one starting last (of two, the first
    in ``spans``)."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][1], -i))
    starts = [spans[i][1] for i in order]
    reach = list(accumulate((spans[i][2] for i in order), max))  # the last line any span so far ends on
    out: dict[int, int] = {}
    for line in lines:
        k = bisect_right(starts, line)  # the spans starting at or before the line: walked back
        while k > 0 and reach[k - 1] >= line:
            k -= 1
            row, _, end = spans[order[k]]
            if end >= line:
                out[line] = row
                break
    return out


def _resolved(facts: IndexFacts, rows: Sequence[tuple[FileRow, Definition]]) -> list[Resolved]:
    """The answers of a pin's definitions (of a file the pin has a view of)."""
    views = ((facts.view_of(row), d) for row, d in rows)
    return [to_resolved(Hit(view, d, "direct", 0), facts.repo) for view, d in views if view is not None]
