"""The pinned repositories as one body of facts: a module is looked up in the repository
whose packages own it (``accelerate.accelerator`` in the accelerate pin), opened — and
fetched, with progress — the first time a question needs it; a search by name runs over
the repositories in the query's *scope* (the primary one for a tour step, every synced
pin for ``find``).

A repository that cannot be opened (its source cannot be fetched) is remembered with
the reason, and its modules simply do not resolve: a transformers answer never fails
because accelerate is out of reach. A question may also say which repositories it
needs (:meth:`Stack.fetching_only`): while it runs, the others are opened only if their
source is in the cache, never fetched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from codewalk.errors import CodewalkError
from codewalk.index.indexer import open_snapshot
from codewalk.index.records import Definition, DictEntry, FileRow, Import, NativeDefinition
from codewalk.index.store import Store
from codewalk.resolve.model import ModuleView
from codewalk.source.checkout import Checkout
from codewalk.workspace.facts import IndexFacts, read_names

Opener = Callable[[str], Checkout]  # repo name -> its checkout (may fetch it)


class Stack:
    """Every repository a command reads, by name, over one index store."""

    def __init__(
        self,
        store: Store,
        *,
        owners: dict[str, str] | None = None,
        opener: Opener | None = None,
        synced: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self.store = store
        self.owners = dict(owners or {})  # import root -> repo
        self._opener = opener
        self._synced = synced
        self.members: dict[str, IndexFacts] = {}
        self.unavailable: dict[str, str] = {}  # repo -> why it could not be opened
        self.generation = 0  # counts the times the store was replaced (workspaces follow)
        self._fetchable: Collection[str] | None = None  # while a question limits fetching
        self.skipped: set[str] = set()  # repositories the last limited question did not fetch

    def add(self, checkout: Checkout) -> IndexFacts:
        """Open ``checkout``'s facts (its snapshot in the store, made on first sight)."""
        known = self.members.get(checkout.repo)
        if known is not None and known.checkout.root == checkout.root:
            return known
        snap, complete = open_snapshot(self.store, checkout)
        facts = IndexFacts(self.store, snap, checkout, complete)
        self.members[checkout.repo] = facts
        for package in checkout.packages:
            self.owners.setdefault(package, checkout.repo)
        return facts

    def reopen(self) -> None:
        """Open every member's snapshot again (the store was replaced after damage)."""
        self.generation += 1
        for repo, facts in list(self.members.items()):
            snap, complete = open_snapshot(self.store, facts.checkout)
            self.members[repo] = IndexFacts(self.store, snap, facts.checkout, complete)

    def facts(self, repo: str) -> IndexFacts | None:
        """The facts of ``repo``, opening (and fetching) it on first use; None when it
        cannot be had (the reason is in ``unavailable``)."""
        if repo in self.members:
            return self.members[repo]
        if repo in self.unavailable or self._opener is None:
            return None
        if self._fetchable is not None and repo not in self._fetchable:
            self.skipped.add(repo)  # not remembered as unavailable: a later question fetches it
            return None
        try:
            checkout = self._opener(repo)
        except CodewalkError as error:
            self.unavailable[repo] = error.message
            return None
        return self.add(checkout)

    @contextmanager
    def fetching_only(self, repos: Collection[str]) -> Iterator[None]:
        """While the block runs, a repository not yet open is opened only if it is one of
        ``repos`` or its source is in the cache: the others are not fetched (``skipped``
        names them), and their modules do not resolve."""
        before = self._fetchable
        self._fetchable = {*repos, *self.synced()}
        self.skipped = set()
        try:
            yield
        finally:
            self._fetchable = before

    def owner(self, module: str) -> str | None:
        """The repository whose packages provide ``module``."""
        return self.owners.get(module.partition(".")[0])

    def unopened(self, query: str) -> str:
        """Why the repository a dotted name belongs to could not be opened (``peft could not
        be opened: ...``), or "" when it was, or the name is no pin's."""
        owner = self.owner(query.strip())
        why = self.unavailable.get(owner or "", "")
        return f"{owner} could not be opened: {why}" if why else ""

    def synced(self) -> list[str]:
        """The repositories whose source is in the cache (no fetch needed to open them),
        in the order their packages were named (the pins file's): the same list whether
        one was opened by an earlier question or is only in the cache."""
        found = list(self.members)
        if self._synced is not None:
            found += [repo for repo in self._synced() if repo not in found]
        named = {repo: place for place, repo in enumerate(dict.fromkeys(self.owners.values()))}
        return sorted(found, key=lambda repo: named.get(repo, len(named)))

    def unsynced(self) -> list[str]:
        """The pins whose source is not in the cache, in the pins file's order: a short
        name is not searched for in them (answering would fetch every pin)."""
        synced = set(self.synced())
        return [repo for repo in dict.fromkeys(self.owners.values()) if repo not in synced]

    def scoped(self, scope: Sequence[str], primary: str) -> StackFacts:
        """The resolver's facts over this stack, searching by name in ``scope``."""
        return StackFacts(self, tuple(scope) or (primary,), primary)


class StackFacts:
    """:class:`~codewalk.resolve.model.Facts` over a :class:`Stack`: modules anywhere,
    names within the scope."""

    def __init__(self, stack: Stack, scope: tuple[str, ...], primary: str) -> None:
        self.stack = stack
        self.scope = scope
        self.repo = primary

    def _searched(self) -> list[IndexFacts]:
        found = []
        for repo in self.scope:
            facts = self.stack.facts(repo)
            if facts is not None:
                found.append(facts)
        return found

    def module(self, name: str) -> ModuleView | None:
        owner = self.stack.owner(name)
        facts = self.stack.facts(owner) if owner is not None else None
        return facts.module(name) if facts is not None else None

    def stub(self, name: str, path: str = "") -> ModuleView | None:
        owner = self.stack.owner(name)
        facts = self.stack.facts(owner) if owner is not None else None
        return facts.stub(name, path) if facts is not None else None

    def native_definitions(
        self, repo: str, name: str, kind: str, owner: str = "", module: str = ""
    ) -> list[NativeDefinition]:
        facts = self.stack.facts(repo)
        return facts.native_definitions(name, kind, owner, module) if facts is not None else []

    def read(self, wanted: Sequence[tuple[ModuleView, Sequence[str], Sequence[str]]]) -> None:
        read_names(self.stack.store, wanted)

    def module_by_path(self, path: str, repo: str = "") -> ModuleView | None:
        facts = self.stack.facts(repo or self.repo)
        return facts.module_by_path(path) if facts is not None else None

    def modules_named(self, last: str) -> list[str]:
        return [m for facts in self._searched() for m in facts.modules_named(last)]

    def defs_named(self, name: str) -> list[tuple[FileRow, Definition]]:
        return [d for facts in self._searched() for d in facts.defs_named(name)]

    def copies_of(self, qualname: str) -> list[tuple[FileRow, Definition]]:
        return [d for facts in self._searched() for d in facts.copies_of(qualname)]

    def copy_counts(self, name: str) -> dict[str, int]:
        return _summed(facts.copy_counts(name) for facts in self._searched())

    def entries_valued(self, name: str) -> list[tuple[FileRow, DictEntry]]:
        return [e for facts in self._searched() for e in facts.entries_valued(name)]

    def names_like(self, patterns: Sequence[str]) -> dict[str, list[str]]:
        searched = self._searched()
        indexed = self.stack.store.names_like([facts.snap for facts in searched], patterns)
        return {f.repo: indexed.get(f.snap, []) + f.unindexed_like(patterns) for f in searched}

    def reference_counts(self, names: Sequence[str]) -> dict[str, int]:
        return _summed(facts.reference_counts(names) for facts in self._searched())

    def importers(self, name: str) -> list[tuple[FileRow, Import]]:
        return [found for facts in self._searched() for found in facts.importers(name)]

    def imported_from(self, name: str) -> list[str]:
        """Modules of *other* pinned repositories that a module in scope imports ``name``
        from (``huggingface_hub`` for ``hf_hub_download`` in transformers), most
        importing files first."""
        counts: dict[str, int] = {}
        for facts in self._searched():
            for module in facts.imported_from(name):
                owner = self.stack.owner(module)
                if owner is not None and owner != facts.repo:
                    counts[module] = counts.get(module, 0) + 1
        return sorted(counts, key=lambda m: (-counts[m], m))


def _summed(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Counts of the same names from several repositories, added up."""
    total: Counter[str] = Counter()
    for each in counts:
        total.update(each)
    return dict(total)
