"""The resolver's view of the index (:class:`~codewalk.resolve.model.Facts`), backed by
SQLite: modules and names read one question at a time, and, while the checkout's
snapshot is incomplete, the files a question needs indexed on demand (a byte scan
picks them; only those are parsed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from codewalk.index.indexer import index_paths
from codewalk.index.records import Definition, DictEntry, FileRow, Import, NativeDefinition
from codewalk.index.store import BlobInfo, Store
from codewalk.resolve.model import ModuleView
from codewalk.source.checkout import Checkout


class IndexFacts:
    """The resolver's view of the index; indexes modules on demand while the snapshot
    is incomplete."""

    def __init__(self, store: Store, snap: int, checkout: Checkout, complete: bool) -> None:
        self.repo = checkout.repo
        self.store = store
        self.snap = snap
        self.checkout = checkout
        self.complete = complete
        self._views: dict[str, ModuleView | None] = {}
        self._scanned: set[tuple[str, str]] = set()
        self._unindexed: list[FileRow] | None = None
        self._unscanned_names: set[str] | None = None
        self._rust_files: list[str] | None = None
        # What this process keeps of the index, so that a question asked a thousand times
        # reads it once: the importers of a name, read again when more files are indexed
        # (indexed_now)
        self._importers: dict[str, list[tuple[FileRow, Import]]] = {}
        self._importers_at = -1
        self._indexed = -1
        self._files: dict[str, FileRow] = {}  # rows of indexed files: a file's blob, once set, stays

    def completed(self) -> None:
        """The whole checkout was indexed (``codewalk index``): answer from the index
        alone from now on, reading every module again."""
        self.complete = True
        self._views.clear()
        self._unindexed = None
        self._indexed = -1

    # -- lazy indexing ------------------------------------------------------------------
    def _pending(self) -> list[FileRow]:
        if self._unindexed is None:
            self._unindexed = [r for r in self.store.files(self.snap) if r.blob is None]
        return self._unindexed

    def scan(self, kind: str, needle: str) -> None:
        """Index the not-yet-indexed files that may hold ``needle`` (lazy mode only)."""
        self.scan_all(kind, [needle])

    def scan_all(self, kind: str, needles: Sequence[str]) -> None:
        """Index the not-yet-indexed files that may hold each of ``needles`` (lazy mode
        only), the scans an earlier process ran asked for in one query."""
        todo = self._unscanned(kind, needles)
        if not todo:  # the index is complete, or earlier scans indexed what they found
            return
        from codewalk.index.prefilter import scan_paths

        for needle in todo:
            self._index(partial(scan_paths, self.checkout, kind=kind, needle=needle))
            self.store.record_scan(self.snap, kind, needle)

    def scan_bases(self, names: Sequence[str]) -> None:
        """Index the not-yet-indexed files with a class deriving from one of ``names``
        (lazy mode only): one pass over the files for all of them."""
        todo = self._unscanned("base", names)
        if not todo:
            return
        from codewalk.index.prefilter import base_paths

        self._index(lambda pending: base_paths(self.checkout, pending, todo))
        for name in todo:
            self.store.record_scan(self.snap, "base", name)

    def _unscanned(self, kind: str, needles: Sequence[str]) -> list[str]:
        """Those of ``needles`` no scan as ``kind`` has run for, here or in an earlier
        process (which indexed their finds); none once the index is complete."""
        if self.complete:
            return []
        todo = [n for n in dict.fromkeys(needles) if (kind, n) not in self._scanned]
        self._scanned.update((kind, n) for n in todo)
        done = self.store.scanned(self.snap, kind, todo)
        return [n for n in todo if n not in done]

    def _index(self, scan: Callable[[list[FileRow]], list[FileRow]]) -> None:
        """Index the files ``scan`` picks of those not indexed yet."""
        pending = self._pending()
        hits = scan(pending)
        if hits:
            index_paths(self.store, self.snap, self.checkout, hits)
            indexed = {r.path for r in hits}
            self._unindexed = [r for r in pending if r.path not in indexed]

    def classes_decorated(self, name: str) -> list[tuple[FileRow, Definition]]:
        """Classes with a decorator named ``name`` (its last dotted part); while the
        snapshot is partial, the files that use the name are indexed first."""
        self.scan("ref", name)
        return self.store.classes_decorated(self.snap, name)

    def classes_naming_bases(self, names: Sequence[str]) -> list[tuple[FileRow, Definition]]:
        """Classes whose bases, as written, end with one of ``names`` (``GenerationMixin``,
        ``generation.GenerationMixin``), in path and line order; while the snapshot is
        partial, the files that may hold one are indexed first."""
        self.scan_bases(names)
        return self.store.classes_naming(self.snap, names)

    def indexed_now(self) -> int:
        """How many of the snapshot's files are indexed, by this process or another (a
        complete snapshot's number is read once: it gains no file)."""
        if not self.complete or self._indexed < 0:
            self._indexed = self.store.indexed_count(self.snap)
        return self._indexed

    # -- Facts ----------------------------------------------------------------------------
    def module(self, name: str) -> ModuleView | None:
        if name in self._views:
            return self._views[name]
        row = self.store.module_file(self.snap, name)
        view = self._view(row) if row is not None else None
        self._views[name] = view
        return view

    def stub(self, name: str, path: str = "") -> ModuleView | None:
        """The ``.pyi`` stub of module ``name``, if the checkout has one; the one at
        ``path`` when it has two (tokenizers ships ``trainers.pyi`` and
        ``trainers/__init__.pyi``)."""
        key = f"{name}.pyi" + (f" at {path}" if path else "")
        if key not in self._views:
            if path:
                row = self.store.file(self.snap, path)
            else:
                row = self.store.module_file(self.snap, name, stub=True)
            self._views[key] = self._view(row) if row is not None else None
        return self._views[key]

    def native_definitions(
        self, name: str, kind: str, owner: str = "", module: str = ""
    ) -> list[NativeDefinition]:
        """Where this checkout's Rust sources implement ``name`` of the stub of ``module``
        (a method: of the class ``owner``; see ``native``)."""
        from codewalk.index import native

        if self._rust_files is None:
            self._rust_files = native.rust_files(self.checkout.root)
        return native.find_native(self.checkout.root, self._rust_files, name, kind, owner, module)

    def modules_named(self, last: str) -> list[str]:
        return self.store.modules_ending(self.snap, last)

    def module_by_path(self, path: str, repo: str = "") -> ModuleView | None:
        """The view of the file at ``path``: a stub's own, also beside a ``.py``."""
        row = self.file(path)
        return self.view_of(row) if row is not None else None

    def view_of(self, row: FileRow) -> ModuleView | None:
        """The view of a file's row: its module's, or (a ``.pyi``) that stub's."""
        return self.stub(row.module, row.path) if row.path.endswith(".pyi") else self.module(row.module)

    def file(self, path: str) -> FileRow | None:
        """The row of a file of the snapshot (its blob is None until it is indexed, by
        this process or another: such a row is read again when asked again)."""
        row = self._files.get(path)
        if row is None:
            row = self.store.file(self.snap, path)
            if row is not None and row.blob is not None:
                self._files[path] = row
        return row

    def read_files(self, paths: Sequence[str]) -> None:
        """The rows of ``paths`` and the views of their modules, read at once (``callers``
        opens the hundreds of files that name a definition); a module whose file these
        rows do not settle (none indexed, or more than one source) is left to :meth:`module`."""
        missing = [path for path in dict.fromkeys(paths) if path not in self._files]
        if not missing:
            return
        by_module: dict[str, list[FileRow]] = {}
        for row in self.store.files_beside(self.snap, missing):
            if row.blob is not None:
                self._files.setdefault(row.path, row)
            by_module.setdefault(row.module, []).append(row)
        sources = {
            module: [row for row in rows if not row.path.endswith(".pyi")]
            for module, rows in by_module.items()
            if module not in self._views
        }
        settled = {module: rows[0] for module, rows in sources.items() if len(rows) == 1}
        blobs = {module: row.blob for module, row in settled.items() if row.blob is not None}
        infos = self.store.blob_infos(list(blobs.values()))
        for module, blob in blobs.items():
            self._views[module] = self._view(settled[module], infos[blob])

    def _view(self, row: FileRow, info: BlobInfo | None = None) -> ModuleView | None:
        if row.blob is None:
            if self.complete:
                return None
            done = index_paths(self.store, self.snap, self.checkout, [row])
            if not done or done[0].blob is None:
                return None
            row = done[0]
            if self._unindexed is not None:
                self._unindexed = [r for r in self._unindexed if r.path != row.path]
        assert row.blob is not None
        info = info if info is not None else self.store.blob_info(row.blob)
        return ModuleView(
            row.module,
            row.path,
            row.is_package,
            BlobSource(self.store, row.blob),
            all_names=info.all_names,
            generated_from=info.generated_from,
            is_lazy=info.lazy,
            repo=self.repo,
            version=self.checkout.version,
            blob=row.blob,
        )

    def defs_named(self, name: str) -> list[tuple[FileRow, Definition]]:
        self.scan("def", name)
        return self.store.defs_named(self.snap, name)

    def copies_of(self, qualname: str) -> list[tuple[FileRow, Definition]]:
        self.scan("copy", qualname)
        return self.store.defs_copied_from(self.snap, qualname)

    def copy_counts(self, name: str) -> dict[str, int]:
        self.scan("copy-of", name)
        return self.store.copy_counts(self.snap, name)

    def entries_valued(self, name: str) -> list[tuple[FileRow, DictEntry]]:
        self.scan("entry", name)
        return self.store.entries_valued(self.snap, name)

    def imported_from(self, name: str) -> list[str]:
        """The absolute modules this checkout imports ``name`` from (one per importing
        file); the caller keeps those of other repositories."""
        found: list[str] = []
        for row, imp in self.importers(name):
            if not imp.name or imp.name == "*":
                continue
            found.append(imp.absolute(row.module, row.is_package))
        return found

    def importers(self, name: str) -> list[tuple[FileRow, Import]]:
        """Every import binding ``name`` in this checkout (its files that may use the
        name indexed first)."""
        self.scan("ref", name)
        now = self.indexed_now()
        if now != self._importers_at:  # a file indexed since may import it
            self._importers.clear()
            self._importers_at = now
        if name not in self._importers:
            self._importers[name] = self.store.imports_named(self.snap, name)
        return self._importers[name]

    def reference_counts(self, names: Sequence[str]) -> dict[str, int]:
        """Modules using each name: once the index is whole, its count of uses; before,
        the files whose bytes hold the name as a word, every file read alike (never a
        mix of the two that would change with what happens to be indexed, and with it
        the order of answers), counted once per snapshot and kept."""
        if self.complete:
            return self.store.reference_counts(self.snap, names)
        kept = self.store.scanned_counts(self.snap, names)
        missing = [name for name in names if name not in kept]
        if missing:
            from codewalk.index.prefilter import scan_counts

            totals = scan_counts(self.checkout, self.store.files(self.snap), missing)
            self.store.record_counts(self.snap, totals)
            kept.update(totals)
        return kept

    def unindexed_like(self, patterns: Sequence[str]) -> list[str]:
        """The names like ``patterns`` (SQL LIKE) defined in the files not indexed yet: in
        lazy mode they count too, or a typo in a name that no query has reached would get
        no "did you mean" (the index's are the store's :meth:`~Store.names_like`)."""
        if self.complete:
            return []
        if self._unscanned_names is None:
            from codewalk.index.prefilter import scan_names

            self._unscanned_names = scan_names(self.checkout, self._pending())
        return [n for n in self._unscanned_names if any(_like(n, p) for p in patterns)]


def read_names(store: Store, wanted: Sequence[tuple[ModuleView, Sequence[str], Sequence[str]]]) -> None:
    """:meth:`~codewalk.resolve.model.Facts.read` over the index: what the views have not
    read yet of ``wanted``, in a few queries for all of them (by blob and name)."""
    unread = [(view, view.blob, *view.unread(qualnames, asnames)) for view, qualnames, asnames in wanted]
    defs = store.defs_at(
        [(blob, q) for _, blob, qualnames, _ in unread if blob is not None for q in qualnames]
    )
    imports = store.imports_at(
        [(blob, a) for _, blob, _, asnames in unread if blob is not None for a in asnames]
    )
    for view, blob, qualnames, asnames in unread:
        if blob is not None:
            view.keep({q: defs[(blob, q)] for q in qualnames}, {a: imports[(blob, a)] for a in asnames})


def _like(name: str, pattern: str) -> bool:
    """SQL ``LIKE`` (case-insensitive) for the patterns the resolver asks:
    ``%x%``, ``x%``, ``%x``, ``x``."""
    lowered, core = name.lower(), pattern.lower().strip("%")
    if pattern.startswith("%") and pattern.endswith("%"):
        return core in lowered
    if pattern.endswith("%"):
        return lowered.startswith(core)
    if pattern.startswith("%"):
        return lowered.endswith(core)
    return lowered == core


class BlobSource:
    """A module's facts, read from the index one question at a time; once asked for a
    qualname the module does not define, the qualnames it does are read, and the next
    such question is answered from them (a class's MRO asks each class of it for a
    member most of them lack)."""

    def __init__(self, store: Store, blob: int) -> None:
        self.store = store
        self.blob = blob
        self._qualnames: frozenset[str] | None = None  # all it defines, once one was missed

    def defs(self, qualname: str) -> list[Definition]:
        if self._qualnames is not None and qualname not in self._qualnames:
            return []
        found = self.store.defs_where(self.blob, "qualname", qualname)
        if not found and self._qualnames is None:
            self._qualnames = self.store.qualnames_of(self.blob)
        return found

    def imports(self, asname: str) -> list[Import]:
        return self.store.imports_binding(self.blob, asname)

    def all_imports(self) -> list[Import]:
        return self.store.imports_of(self.blob)

    def last_line(self) -> int:
        return self.store.last_line(self.blob)
