"""The stack of every pinned repository, as the commands and the UI open it: a repository
is opened from the cache when its source is there, fetched (with progress on stderr)
the first time a question reaches into it, and read from ``--source PATH`` when that
path holds its package.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from codewalk import locations
from codewalk.index.store import Store
from codewalk.index.versions import index_path
from codewalk.source import sync
from codewalk.source.checkout import Checkout
from codewalk.source.pins import load_pins, unknown_repo
from codewalk.source.reporter import Reporter
from codewalk.workspace.stack import Stack
from codewalk.workspace.workspace import Workspace


class PinnedStack:
    """Opens workspaces over one :class:`Stack` of the pinned repositories.

    ``at`` names repositories to read at another version (``REPO@VERSION``,
    ``REPO@installed``); the first of them is the default repository. ``local`` reads
    repositories from a directory that holds their packages, as they are (a trace's
    installed copy that is not the release). A repository fetched on first use tells
    ``reporter(repo)`` how it goes (by default, stderr)."""

    def __init__(
        self,
        source_path: str | None = None,
        *,
        at: Sequence[str] = (),
        local: Mapping[str, str] | None = None,
        reporter: Callable[[str], Reporter] | None = None,
    ) -> None:
        self.pins = load_pins(locations.pins_path())
        self.home = locations.cache_home()  # found once: every pin's entry is looked for under it
        store = Store.open(index_path(self.home))
        self.notes: list[str] = []  # how a version was chosen (REPO@installed), to show the user
        self.asked: list[str] = []  # the repositories named by ``at``, in order
        for text in at:
            from codewalk.source.targets import resolve_target  # only for --at

            target = resolve_target(self.pins, text, locations.pins_named(), self.home)
            self.pins[target.pin.name] = target.pin
            self.asked.append(target.pin.name)
            if target.note:
                self.notes.append(target.note)
        self.source_path = sync.local_path(source_path)
        self.local = dict(local or {})
        self._reporter = reporter
        owners = {package: pin.name for pin in self.pins.values() for package in pin.packages}
        self.stack = Stack(store, owners=owners, opener=self._open, synced=self._synced)
        self._workspaces: dict[str, Workspace] = {}
        self._in_cache: dict[str, Checkout] = {}  # entries :meth:`_synced` found, not yet opened

    @property
    def first_pin(self) -> str:
        """The first pin of the pins file (a tour's repository when it names none)."""
        return next(iter(self.pins))

    @property
    def first(self) -> str:
        """The default repository of a query: the first one ``at`` names, else the first pin."""
        return self.asked[0] if self.asked else self.first_pin

    def workspace(self, repo: str | None = None) -> Workspace:
        """The workspace whose primary checkout is ``repo`` (the first pin by default)."""
        name = repo or self.first
        if name not in self._workspaces:
            if name not in self.pins:
                raise unknown_repo(self.pins, name, locations.pins_named())
            checkout = self._open(name, primary=True)
            self._workspaces[name] = Workspace(checkout, self.stack.store, stack=self.stack)
        return self._workspaces[name]

    def workspace_over(self, checkout: Checkout) -> Workspace:
        """The workspace whose primary checkout is ``checkout`` (as :meth:`checkout`
        opened it), unless one of its repository is open already."""
        if checkout.repo not in self._workspaces:
            self._workspaces[checkout.repo] = Workspace(checkout, self.stack.store, stack=self.stack)
        return self._workspaces[checkout.repo]

    def checkout(self, repo: str) -> Checkout:
        """``repo``'s checkout (fetched if need be), without opening its index."""
        return self._open(repo)

    def _open(self, repo: str, *, primary: bool = False) -> Checkout:
        """``repo``'s checkout: ``--source`` for the repository asked about (refused if
        it is not one), or for another whose package that path holds; else the cache."""
        pin = self.pins[repo]
        if repo in self.local:
            return sync.local_checkout(pin._replace(package_root="."), Path(self.local[repo])).checkout
        local = self.source_path is not None and (
            primary or (Path(self.source_path) / pin.package_root / pin.packages[0]).is_dir()
        )
        found = self._in_cache.pop(repo, None)
        if found is not None and not local:
            return found
        reporter = self._reporter(repo) if self._reporter is not None else None
        return sync.open_checkout(
            repo, self.source_path if local else None, pin=pin, local=local, reporter=reporter, home=self.home
        )

    def _synced(self) -> list[str]:
        """The repositories not open yet whose source is in the cache (the open ones
        :meth:`Stack.synced` lists itself). The entry found for each is what
        :meth:`_open` opens next, without reading its manifest again."""
        opened = self.stack.members
        found = {
            name: sync.cached_checkout(pin, self.home)
            for name, pin in self.pins.items()
            if name not in opened
        }
        self._in_cache = {name: checkout for name, checkout in found.items() if checkout is not None}
        return list(self._in_cache)

    def pinned(self) -> list[str]:
        """Every pinned repository, in the pins file's order."""
        return list(self.pins)

    def synced(self) -> list[str]:
        """The repositories open, or whose source is in the cache: opening one fetches
        nothing."""
        return self.stack.synced()

    @contextmanager
    def fetching_only(self, repos: Collection[str]) -> Iterator[None]:
        """While the block runs, the repositories not open yet are opened only if they are
        among ``repos`` or in the cache (:meth:`Stack.fetching_only`); the answers made
        without one are not kept."""
        with self.stack.fetching_only(repos):
            yield
        if self.stack.skipped:
            for workspace in self._workspaces.values():
                workspace.forget()

    def close(self) -> None:
        try:
            for workspace in self._workspaces.values():
                workspace.save()
        finally:
            self.stack.store.close()
