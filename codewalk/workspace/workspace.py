"""The facade the commands, tours and the UI use: one checkout (the *primary* one), its
index and its resolver, over the :class:`~codewalk.workspace.stack.Stack` of pinned
repositories its code reaches into.

``Workspace.open(checkout)`` is cheap: it opens the SQLite index and, the first time a
checkout is seen, records its file list. Nothing is parsed until a query needs it:

- after ``codewalk index`` (a *complete* snapshot) every query is answered from SQLite;
- before that, a query indexes just the modules it touches (the files a byte scan says
  may define the name, and the modules along its import chain), so a tour's first step
  resolves in a couple of seconds on a cold cache.

Imports stay small (sqlite3 and codewalk's own modules): jedi is imported only when
``goto`` falls back to it, libcst only for the call questions.

A workspace may be shared by threads (the UI's workers): every public method holds one
lock, so lazy indexing never interleaves with a query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from codewalk import locations
from codewalk.errors import QueryError, system_words
from codewalk.index.indexer import IndexReport, Progress, index_all
from codewalk.index.records import FALLBACK, OVERLOAD, Definition, Reference
from codewalk.index.store import Store
from codewalk.index.versions import index_path
from codewalk.resolve.model import FALLBACK_VIA, OVERLOAD_VIA, FindOptions, FindResult, Resolved, result_of
from codewalk.resolve.query import MAX_QUERY, parse_query
from codewalk.resolve.resolver import Resolver
from codewalk.source.checkout import Checkout, fetched_again_by
from codewalk.source.integrity import as_text, read_verified
from codewalk.workspace.facts import IndexFacts
from codewalk.workspace.guard import guarded, locked
from codewalk.workspace.stack import Stack

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from codewalk.calls.fullpass import CallsReport
    from codewalk.workspace.calling import (
        CallersAnswer,
        Calling,
        CallList,
        CallsAnswer,
        GotoAnswer,
        PathAnswer,
        PathOptions,
    )
    from codewalk.workspace.navigation import JediTarget
    from codewalk.workspace.symbols import SymbolNames

__all__ = ["FindResult", "Reference", "Resolved", "Workspace"]

_MAX_FUZZY = 64  # characters of a fuzzy search's name kept: a longer pattern only costs


class Workspace:
    """One checkout with its index and resolver; other pinned repositories through its
    stack (a workspace made without one reads its own checkout only)."""

    def __init__(self, checkout: Checkout, store: Store, *, stack: Stack | None = None) -> None:
        self._lock = threading.RLock()
        self.checkout = checkout
        self.store = store
        self.stack = stack if stack is not None else Stack(store)
        self._resolvers: dict[tuple[str, ...], Resolver] = {}
        self._calling: Calling | None = None
        self._symbols: SymbolNames | None = None
        self._symbols_of = -1  # how many files were indexed when they were read
        self._generation = -1  # the stack's, when this workspace last opened its facts
        guarded(self, lambda: None)  # opens this checkout's facts (repairing a damaged index)

    def refresh(self) -> None:
        """This checkout's facts, opened again after the shared index was replaced (by
        this workspace or another on the same stack)."""
        if self._generation == self.stack.generation:
            return
        self.facts: IndexFacts = self.stack.add(self.checkout)
        self.snap = self.facts.snap
        self._generation = self.stack.generation
        self._forget()

    def _forget(self) -> None:
        """Drop what the resolvers and the call questions remember (their answers): the
        index was replaced, or they were made without a pin a later question may fetch."""
        self._resolvers.clear()
        self.resolver = self.resolver_for((self.checkout.repo,))
        self._calling = None
        self._symbols = None

    def recover(self, reason: str) -> None:
        """A query met a damaged index: a new one is started, every snapshot of the
        stack opened again in it (files listed; facts are parsed again as needed)."""
        self.store.recover(reason)
        self.stack.reopen()

    @classmethod
    def open(cls, checkout: Checkout) -> Workspace:
        return cls(checkout, Store.open(index_path()))

    def resolver_for(self, scope: Sequence[str]) -> Resolver:
        """The resolver whose searches by name cover the repositories in ``scope``."""
        key = tuple(scope) or (self.checkout.repo,)
        if key not in self._resolvers:
            facts = self.stack.scoped(key, self.checkout.repo)
            packages = tuple(dict.fromkeys([*self.checkout.packages, *self.stack.owners]))
            self._resolvers[key] = Resolver(facts, packages)
        return self._resolvers[key]

    @property
    def fully_indexed(self) -> bool:
        """Whether the whole checkout is indexed (else queries index modules on demand)."""
        return self.facts.complete

    @locked
    def save(self) -> None:
        """Write what questions learned and keep in memory: the call facts analysed last."""
        if self._calling is not None:
            self._calling.table.flush()

    @locked
    def close(self) -> None:
        try:
            self.save()
        finally:
            self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries ---------------------------------------------------------------------------
    @locked
    def find(self, query: str, *, scope: Sequence[str] = (), **options: Unpack[FindOptions]) -> FindResult:
        """Ranked answers for ``query`` (:meth:`Resolver.find <codewalk.resolve.resolver.Resolver.find>`
        says what the ``options`` do); ``scope``: the repositories a short name is searched
        in (default: this one; modules of other pins are reached by imports). A function
        defined in another (``Trainer.train.<locals>.inner``, as ``calls`` and tracebacks
        name it) is found in its host's body."""
        if ".<locals>." in query:
            return FindResult(query, (self.calling.definition(query),), ())
        from codewalk.workspace.forwarding import explained

        found = explained(self, self.resolver_for(scope).find(query, **options))
        if found.results or options.get("suggest") is False:
            return found
        return self.calling.spelled_nested(found, scope)

    @locked
    def members_of(self, owner: str) -> list[Resolved]:
        """The definitions directly in ``owner``: a module's top level, or a class's
        members (a fully qualified name)."""
        resolver = self.resolver
        view = resolver.facts.module(owner)
        parent = ""
        if view is None:
            classes = [r for r in resolver.find(owner, related=False).matches if r.kind == "class"]
            if not classes:
                raise QueryError(f"{owner!r} is neither a module nor a class here")
            view = resolver.facts.module(classes[0].qualname.rpartition(".")[0])
            parent = classes[0].qualname.rpartition(".")[2]
            if view is None:
                return []
        repo_facts = self.stack.facts(view.repo or self.checkout.repo)
        row = repo_facts.store.file(repo_facts.snap, view.path) if repo_facts is not None else None
        if row is None or row.blob is None:
            return []
        found: list[Resolved] = []
        for d in self.store.defs_of(row.blob):
            if d.parent != parent:
                continue
            found.append(result_of(d, view.module, view.path, repo=view.repo, version=view.version))
        return found

    @locked
    def goto(self, path: str, line: int, col: int) -> Resolved | None:
        """What the name at ``path:line:col`` (1-based line, 0-based column) refers to:
        the best of :meth:`goto_all`."""
        answer = self.goto_all(path, line, col)
        return answer.results[0] if answer.results else None

    @locked
    def goto_all(self, path: str, line: int, col: int, *, fallback: bool = True) -> GotoAnswer:
        """Every definition the name at ``path:line:col`` may reach, best first, each
        saying how: at a call site, what the call facts say it calls (a dispatch table's
        targets, a property and what it returns, a method of the classes that mix this
        one in); elsewhere, the resolver; jedi for what the index cannot answer (unless
        ``fallback`` is False: the UI asks jedi apart, :meth:`jedi_query`)."""
        from codewalk.index.cursor import name_at
        from codewalk.workspace.calling import GotoAnswer

        text = self.source_text(path)
        row = self.store.file(self.snap, path)
        untyped = GotoAnswer(())  # a call site codewalk cannot follow: its note, if nothing answers
        if row is not None:
            at_call = self.calling.goto(path, line, col)
            if at_call is not None and not at_call.unresolved:
                return at_call
            untyped = at_call or untyped
            found = name_at(text, line, col)
            if found is not None:
                dotted_name, enclosing = found
                if not dotted_name.startswith("?"):
                    results = self.resolver.resolve_in(row.module, dotted_name, enclosing, path=path)
                    if results:
                        return GotoAnswer(tuple(results))
        if not fallback:
            return untyped
        answer = self.from_jedi(self.jedi_query(path, line, col)())
        return answer if answer.results else untyped

    @locked
    def compiled_at(self, path: str, line: int) -> GotoAnswer:
        """The Rust ``fn`` or ``struct`` starting at ``path:line``, as ``find`` names it
        (``NAME (compiled)``), and the stub declaration it implements after it: the stubs'
        definitions of the names the item is exposed as, whose Rust source is this line."""
        from codewalk.index.native import names_at, python_classes
        from codewalk.resolve.model import Hit, to_resolved
        from codewalk.resolve.related import native_code, stub_class
        from codewalk.workspace.calling import GotoAnswer

        rust: dict[str, Resolved] = {}  # one per name: a module with two stubs declares it twice
        stubs: list[Resolved] = []
        lines = self.source_text(path).split("\n")  # first: it refuses a path out of the checkout
        # a fn of a #[pymethods] impl is a method of the classes its struct is exposed as:
        # only their stub methods of its name are asked (not every stub's __new__)
        classes = python_classes(self.checkout.root, path, line)
        for name in names_at(lines, line):
            for row, d in self.facts.defs_named(name):
                view = self.facts.view_of(row) if row.path.endswith(".pyi") else None  # stubs only
                if classes is None:
                    wanted = d.kind != "method"
                else:
                    wanted = d.kind == "method" and stub_class(d.qualname) in classes
                if view is None or not wanted:
                    continue
                hit = Hit(view, d, "direct", 0)
                here = [n for n in native_code(self.resolver.ns, hit) if (n.path, n.line) == (path, line)]
                if not here:
                    continue
                stub = to_resolved(hit, self.checkout.repo, role="related")
                said = f"{here[0].via}, declared in {stub.path}:{stub.line}"
                rust.setdefault(here[0].qualname, here[0]._replace(role="match", via=said))
                stubs.append(stub._replace(via=f"the stub declaring the Rust at {path}:{line}"))
        return GotoAnswer((*rust.values(), *stubs))

    @locked
    def values_named(self, path: str, line: int) -> tuple[GotoAnswer, int | None]:
        """The functions and classes the names of a line that calls, imports and defines
        nothing are (``f = create_causal_mask if ... else create_sliding_window_causal_mask``:
        :func:`~codewalk.index.cursor.values_on`), each as ``goto`` at its name answers it
        (the index only: jedi is asked of one name); and the 0-based column of the first
        name (None: the line names none)."""
        from codewalk.index.cursor import values_on
        from codewalk.workspace.calling import GotoAnswer

        columns = values_on(self.source_text(path), line)
        found: dict[str, Resolved] = {}
        for col in columns:
            for result in self.goto_all(path, line, col, fallback=False).results:
                if result.kind in ("function", "method", "class"):
                    found.setdefault(result.qualname, result)
        return GotoAnswer(tuple(found.values())), columns[0] if columns else None

    @locked
    def column_meant(self, path: str, line: int) -> int | None:
        """The 0-based column of ``path:line`` a reader means when naming the line alone:
        the definition it opens, else its first call (:func:`~codewalk.index.cursor.column_meant`);
        None when the line does neither."""
        from codewalk.index.cursor import column_meant

        return column_meant(self.source_text(path), line)

    @locked
    def scope_at(self, path: str, line: int) -> str | None:
        """The function or class whose body holds ``path:line``, named as a traceback
        names it (``<module>`` at the top level); None when the file does not parse."""
        from codewalk.index.cursor import scope_at

        return scope_at(self.source_text(path), line)

    def jedi_query(self, path: str, line: int, col: int) -> Callable[[], JediTarget | None]:
        """jedi's question about the name at ``path:line:col``, to be asked on any thread
        (it reads no index): slow (seconds, on a big module), so the UI asks it apart."""
        from codewalk.workspace import navigation

        text = self.source_text(path)
        root = self.checkout.package_dir()
        return partial(navigation.goto_definition, root, self.checkout.root / path, text, line, col)

    def from_jedi(self, target: JediTarget | None) -> GotoAnswer:
        """jedi's answer as a definition of this checkout (none when it is outside)."""
        from codewalk.workspace.calling import GotoAnswer

        found = self._from_jedi(target) if target is not None else None
        return GotoAnswer((found,) if found is not None else ())

    def _from_jedi(self, target: JediTarget) -> Resolved | None:
        from codewalk.index.cursor import defined_at

        try:
            rel = target.path.resolve().relative_to(self.checkout.root.resolve()).as_posix()
        except ValueError:
            return None  # outside the checkout (the standard library, torch, ...)
        view = self.facts.module_by_path(rel)
        row = self.store.file(self.snap, rel)
        opened = self.store.defs_where(row.blob, "line", target.line) if row is not None and row.blob else []
        named = [d for d in opened if d.name == target.name]  # not another def at that line
        if view is not None and named:
            return result_of(
                named[0], view.module, rel, repo=self.checkout.repo, version=self.checkout.version, via="jedi"
            )
        qualname = target.full_name or (f"{view.module}.{target.name}" if view is not None else target.name)
        if qualname.startswith("__main__.") and view is not None:
            # jedi names the module it was handed as a script "__main__"
            qualname = view.module + qualname[len("__main__") :]
        found = Resolved(
            repo=self.checkout.repo,
            qualname=qualname,
            kind=target.kind,
            path=rel,
            line=target.line,
            start_line=target.line,
            end_line=target.line,
            via="jedi",
            signature=target.signature,
            version=self.checkout.version,
        )
        if target.kind != "param" or view is None:
            return found
        owner = target.owner_line or target.line  # a signature of a parameter a line: its def is above
        if owner != target.line and row is not None and row.blob:
            opened = self.store.defs_where(row.blob, "line", owner)
        # on its function's def line; a nested function is not in the index: named as Python does
        function = opened[0].qualname if opened else defined_at(self.source_text(rel), owner)
        if not function:
            return found
        of = function.rpartition(".")[2]
        said = f"{target.name} is a parameter of {of}: its value is what the caller passes"
        return found._replace(qualname=f"{view.module}.{function}.{target.name}", via=f"jedi: {said}")

    # -- calls -----------------------------------------------------------------------------
    @property
    def calling(self) -> Calling:
        """The call questions (loads the call layer on first use)."""
        if self._calling is None:
            from codewalk.workspace.calling import Calling

            self._calling = Calling(self)
        return self._calling

    @locked
    def calls(self, query: str, *, depth: int = 1, scope: Sequence[str] = ()) -> CallsAnswer:
        """What the function ``query`` names calls, resolved; ``depth`` levels deep. A name
        this pin does not define is looked for in the repositories of ``scope``."""
        return self.calling.calls(query, depth, scope)

    @locked
    def callers(
        self, query: str, progress: Progress | None = None, *, scope: Sequence[str] = ()
    ) -> CallersAnswer:
        """The call sites (and table entries, and value references) that reach ``query``
        (looked for as :meth:`calls` looks)."""
        return self.calling.callers(query, progress, scope)

    @locked
    def calls_at(self, path: str, line: int) -> CallList | None:
        """The calls of the function around ``path:line`` (None: not in a function)."""
        return self.calling.calls_at(path, line)

    @locked
    def callers_at(self, path: str, line: int, col: int) -> CallersAnswer | None:
        """The callers of the definition whose name is at ``path:line:col`` (0-based
        column); None when the position is not on a definition's name."""
        target = self.calling.definition_at(path, line, col)
        return self.calling.callers_of(target) if target is not None else None

    @locked
    def path(self, start: str, goal: str, **options: Unpack[PathOptions]) -> PathAnswer:
        """The shortest call chains from ``start`` to ``goal`` (each looked for as
        :meth:`calls` looks; :class:`~codewalk.workspace.calling.PathOptions` says how).
        Only the repositories of the two are fetched; of the others, those not in the
        cache are not opened, and what was answered without them is not kept (a later
        question fetches them): the answer names them (``unfetched``)."""
        try:
            answer = self.calling.path(start, goal, **options)
            return answer._replace(unfetched=tuple(sorted(self.stack.skipped)))
        finally:
            if self.stack.skipped:
                self.forget()

    @locked
    def forget(self) -> None:
        """Drop the answers made while a pin was not fetched (:meth:`Stack.fetching_only`),
        once what they learned of the index is written: a later question fetches it."""
        self.save()
        self._forget()

    @locked
    def references(self, qualname: str) -> list[Reference]:
        """Uses of the last part of ``qualname`` (by name, not by type), with line text.
        Complete only once the whole checkout is indexed."""
        name = parse_query(qualname)[-1]
        self.facts.scan("ref", name)
        found = self.store.references(self.snap, name)
        lines_of: dict[str, list[str]] = {}
        references: list[Reference] = []
        for path, line, col in found:
            if path not in lines_of:
                try:
                    lines_of[path] = self.source_text(path).splitlines()
                except QueryError:
                    lines_of[path] = []
            lines = lines_of[path]
            text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            references.append(Reference(path, line, col, text))
        return references

    @locked
    def complete(self, text: str, limit: int = 50) -> list[Resolved]:
        """Definitions whose name matches ``text`` as the reader types it (exact, prefix,
        substring, letters in order), best first; ``Owner.part`` narrows to ``Owner``. A
        function the text names whole is followed by those defined inside it
        (``workspace/nesting.py``)."""
        # a keystroke's text, not a 50,000-character pattern: the name matched letter by
        # letter is cut, and the owner, matched as a whole, is at most a query's length
        # (a qualified name the palette lists is found again when typed or pasted whole:
        # ``transformers.data.data_collator.DataCollatorForLanguageModeling.torch_call``)
        owner, dot, name = text.rpartition(".")
        text = owner[:MAX_QUERY] + dot + name[:_MAX_FUZZY]
        indexed = self.facts.indexed_now()
        if self._symbols is None or self._symbols_of != indexed:  # files indexed since: their names
            from codewalk.workspace.symbols import SymbolNames

            self._symbols = SymbolNames(self.store, self.snap)
            self._symbols_of = indexed
        from codewalk.workspace.nesting import with_nested

        repo, version = self.checkout.repo, self.checkout.version
        hits = [
            result_of(d, row.module, row.path, repo=repo, version=version, via=_said_of(d))
            for row, d in self._symbols.definitions(text, limit)
        ]
        return with_nested(self.calling, text, hits, limit)

    @locked
    def checkout_of(self, repo: str = "") -> Checkout:
        """The checkout of ``repo`` (this workspace's own by default), opened on first use."""
        if not repo or repo == self.checkout.repo:
            return self.checkout
        facts = self.stack.facts(repo)
        if facts is None:
            why = self.stack.unavailable.get(repo, "it is not pinned")
            raise QueryError(f"{repo}: cannot read its source: {why}")
        return facts.checkout

    def file_named(self, path: str) -> str | None:
        """``path`` relative to this checkout's root when it names one of its files (given
        relative to the root, or absolute inside it); None otherwise."""
        root = self.checkout.root.resolve()
        try:
            full = (root / path).resolve()
        except (ValueError, OSError):  # a NUL; a loop of links
            return None
        if root not in full.parents or not locations.is_file(full):
            return None
        return full.relative_to(root).as_posix()

    @locked
    def source_text(self, path: str, repo: str = "") -> str:
        """The text of a file of the checkout (``path`` repo-relative) of ``repo``
        (this workspace's own by default)."""
        checkout = self.checkout_of(repo)
        root = checkout.root.resolve()
        try:
            full = (root / path).resolve()
        except ValueError:  # a NUL
            raise QueryError(f"{path!r}: not a path (it holds a NUL character)") from None
        if root != full and root not in full.parents:
            raise QueryError(f"{path}: not a path inside the {checkout.repo} checkout")
        if locations.is_dir(full):  # a name too long for the system is not one: reading it says so
            raise QueryError(f"{path}: a directory of the {checkout.repo} checkout, not a file")
        try:
            # a cached file is checked against the blob its entry records (and restored
            # if it was edited) before any answer is printed from it
            data = read_verified(checkout._replace(root=root), full.relative_to(root).as_posix())
        except FileNotFoundError:
            known = self.store.file(self.stack.members[checkout.repo].snap, path) is not None
            package = checkout.packages[0] if checkout.packages else ""
            under = f"{checkout.package_root}/{package}".lstrip("/")
            hint = (
                f"a path is read from the repository root ({under}/...) "
                f"or from the package down ({package}/...)"
            )
            if known:  # a release pruned under a reader, say: the command that fetches it again
                again = fetched_again_by(checkout)
                then = f"`{again}` then " if again else ""
                hint = f"the checkout changed under codewalk; run {then}`codewalk index`"
            raise QueryError(
                f"{path}: no such file in the {checkout.repo} checkout at {checkout.root}",
                hint=hint,
            ) from None
        except OSError as exc:
            raise QueryError(f"{path}: cannot read it: {system_words(exc)}") from None
        return as_text(data)

    # -- indexing ----------------------------------------------------------------------------
    @locked
    def index_all(self, *, workers: int = 2, progress: Progress | None = None) -> IndexReport:
        report = index_all(self.store, self.checkout, workers=workers, progress=progress)
        self.facts.completed()
        self._calling = None
        self._symbols = None
        return report

    @locked
    def index_calls(self, *, workers: int = 2, progress: Progress | None = None) -> CallsReport:
        """The call facts of every body of the checkout (``codewalk index --calls``)."""
        from codewalk.calls.fullpass import index_calls

        return index_calls(self.store, self.snap, self.checkout, workers=workers, progress=progress)


def _said_of(d: Definition) -> str:
    """What the palette says of a definition beside its place: an ``@overload`` signature
    is listed after the function Python binds, and says it is one; so does a name's
    stand-in for when its import fails (``hf_hub_download = None``), as ``find`` says it."""
    if d.flags & OVERLOAD:
        return OVERLOAD_VIA
    return FALLBACK_VIA if d.flags & FALLBACK else "direct"
