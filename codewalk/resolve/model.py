"""The resolver's records and the view of the index it reads through.

- :class:`Resolved` and :class:`FindResult`: what a query answers, each result saying
  how it was reached (``via``);
- :class:`ModuleView` over a :class:`ModuleSource`, and the :class:`Facts` protocol:
  how the resolver asks the index about modules and names (the workspace backs them
  with SQLite; tests with dictionaries);
- :class:`Hit`: a candidate before ranking.
"""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import NamedTuple, Protocol, TypedDict

from codewalk.index.records import (
    FALLBACK,
    OVERLOAD,
    SETTER,
    Definition,
    DictEntry,
    FileRow,
    Import,
    NativeDefinition,
)

BODY_KINDS = ("function", "method", "property")  # the kinds of a definition with a body of code


class Resolved(NamedTuple):
    repo: str  # pin name
    qualname: str  # "transformers.generation.utils.GenerationMixin.generate"
    kind: str  # class | function | method | property | variable | alias | module | entry
    path: str  # repo-relative posix
    line: int  # line of the def/class keyword or assignment target (1-based)
    start_line: int  # first line including decorators
    end_line: int  # last line of the definition
    via: str  # how it was resolved, in words
    signature: str  # the header as written
    role: str = "match"  # "match": an answer to the query; "related": a copy, table entry, modular source...
    version: str = ""  # the version of ``repo`` it was found at ("v5.23.0", "transformers==5.23.0")
    # a method, property or class reached through a class narrower than the one defining
    # it: that class (fully qualified), whose instance ``self`` is when it runs ("" when not)
    receiver: str = ""
    # a class reached as itself or any class deriving from it (held in a container
    # annotated ``type[X]``): what constructing it runs has ``self`` of some such class
    loose: bool = False


class FindResult(NamedTuple):
    query: str
    results: tuple[Resolved, ...]  # best first; empty when nothing matched
    suggestions: tuple[str, ...]  # "did you mean" when results is empty
    note: str = ""  # why nothing was found, when there is more to say than "nothing"
    # of a ``Class.member`` query nothing answers: the class, which exists (and lacks the member)
    owner: Resolved | None = None
    # the note is all there is to say: the name was found, and is not what the query asks
    # for (``NAME (compiled)`` of a Python definition)
    note_says_all: bool = False

    @property
    def matches(self) -> tuple[Resolved, ...]:
        """The answers proper (without related copies, entries and modular sources)."""
        return tuple(r for r in self.results if r.role == "match")


def rivals(query: str, candidates: Sequence[Resolved]) -> tuple[Resolved, ...]:
    """The other definitions a short name could mean, when the best one is not clear.

    The resolver's ranking decides for dotted queries (``Trainer.train``,
    ``transformers.PreTrainedModel``); a short name several definitions have is
    ambiguous. Several names for one definition (a property's getter and setter) are one
    answer, ``DummyObject`` placeholders (``utils/dummy_*.py``) never compete with a
    real definition, and a class attribute (paddle's ``MultiHeadAttention.StaticCache``,
    a namedtuple set in a class body: read through its class only) never competes with a
    module's class or function (transformers' ``StaticCache``), nor does a fallback (``name =
    None`` where importing ``name`` failed: transformers' ``hf_hub_download``) with a
    definition. (A tour narrows the rivals to the modules it has visited:
    ``codewalk.tours.targets.ambiguity``.)"""
    if "." in query or len(candidates) < 2:
        return ()
    best = candidates[0]
    top_level = best.kind in ("class", "function") and not _in_a_class(best)
    seen = {best.qualname}
    others: list[Resolved] = []
    for candidate in candidates[1:]:
        if candidate.qualname in seen or "/dummy_" in candidate.path:
            continue
        if top_level and candidate.kind in _VALUES and _in_a_class(candidate):
            continue
        if candidate.kind == "keyword" and best.kind != "keyword":
            continue
        if FALLBACK_SAID in candidate.via and FALLBACK_SAID not in best.via:
            continue
        seen.add(candidate.qualname)
        others.append(candidate)
    return tuple(others)


_VALUES = ("variable", "alias", "attribute")  # what a class body or a method may set
# how an answer's ``via`` says it only stands in for the definition: a name's stand-in for
# when its import fails; a signature ``@overload`` declares, for the function Python binds
FALLBACK_VIA = "a fallback: what the name is when its import fails"
FALLBACK_SAID = f" ({FALLBACK_VIA})"
OVERLOAD_VIA = "an @overload signature"


def _in_a_class(found: Resolved) -> bool:
    """Whether ``found`` is defined inside a class or a function, not at its module's top
    level: its qualname's part before its name is not its module's (the file's name, or
    its package's for an ``__init__``)."""
    path = PurePosixPath(found.path)
    module = path.parent.name if path.stem == "__init__" else path.stem
    return found.qualname.rpartition(".")[0].rpartition(".")[2] != module


class FindOptions(TypedDict, total=False):
    """How :meth:`Resolver.find <codewalk.resolve.resolver.Resolver.find>` answers."""

    context: Sequence[str]  # modules to prefer for a short name (a tour's earlier steps)
    kind: str | None  # only definitions of this kind
    limit: int | None  # at most this many results
    related: bool  # also copies, table entries, the modular source
    suggest: bool  # "did you mean" when nothing is found
    thorough: bool  # also star imports after a name found through an import


class ModuleSource(Protocol):
    """Where a :class:`ModuleView` reads its facts from, one question at a time."""

    def defs(self, qualname: str) -> list[Definition]: ...

    def imports(self, asname: str) -> list[Import]: ...

    def all_imports(self) -> list[Import]: ...

    def last_line(self) -> int: ...


class ModuleView:
    """One indexed module as the resolver sees it. Facts are read on demand (a big
    module such as modeling_utils has hundreds of definitions; a query needs three)."""

    __slots__ = (
        "_defs",
        "_imports",
        "_source",
        "all_names",
        "blob",
        "generated_from",
        "is_lazy",
        "is_package",
        "is_stub",
        "module",
        "path",
        "repo",
        "version",
    )

    def __init__(
        self,
        module: str,
        path: str,
        is_package: bool,
        source: ModuleSource,
        *,
        all_names: tuple[str, ...] | None = None,
        generated_from: str = "",
        is_lazy: bool = False,
        repo: str = "",
        version: str = "",
        blob: int | None = None,
    ) -> None:
        self.module = module
        self.path = path
        self.is_package = is_package
        self.all_names = all_names
        self.generated_from = generated_from
        self.is_lazy = is_lazy  # a ``_LazyModule`` package: its TYPE_CHECKING imports are its exports
        self.is_stub = path.endswith(".pyi")  # a type stub: the module's code is compiled
        self.repo = repo  # the pinned repository it belongs to
        self.version = version
        self.blob = blob  # its file's content in the index, read by (blob, name) in bulk
        self._source = source
        self._defs: dict[str, list[Definition]] = {}
        self._imports: dict[str, list[Import]] = {}

    def defs(self, qualname: str) -> list[Definition]:
        """Definitions with this qualname in the module (several for if/else branches,
        a property's getter and setter)."""
        if qualname not in self._defs:
            self._defs[qualname] = self._source.defs(qualname)
        return self._defs[qualname]

    def unread(self, qualnames: Sequence[str], asnames: Sequence[str]) -> tuple[list[str], list[str]]:
        """Those of ``qualnames`` (definitions) and ``asnames`` (imports) not read yet."""
        return (
            [q for q in dict.fromkeys(qualnames) if q not in self._defs],
            [a for a in dict.fromkeys(asnames) if a not in self._imports],
        )

    def keep(self, defs: dict[str, list[Definition]], imports: dict[str, list[Import]]) -> None:
        """Definitions and imports of this module read in bulk (:meth:`Facts.read`), for
        :meth:`defs` and :meth:`imports` to answer from."""
        self._defs.update(defs)
        self._imports.update(imports)

    def imports(self, asname: str) -> list[Import]:
        """Imports binding ``asname`` ("*" for star imports)."""
        if asname not in self._imports:
            self._imports[asname] = self._source.imports(asname)
        return self._imports[asname]

    def all_imports(self) -> list[Import]:
        return self._source.all_imports()

    def last_line(self) -> int:
        return self._source.last_line()

    def exports(self, name: str) -> bool:
        if self.all_names is not None:
            return name in self.all_names
        return not name.startswith("_")


class Facts(Protocol):
    """What the resolver reads. ``module`` may index the module on demand."""

    repo: str

    def module(self, name: str) -> ModuleView | None: ...

    def defs_named(self, name: str) -> list[tuple[FileRow, Definition]]: ...

    def copies_of(self, qualname: str) -> list[tuple[FileRow, Definition]]: ...

    def entries_valued(self, name: str) -> list[tuple[FileRow, DictEntry]]: ...

    def names_like(self, patterns: Sequence[str]) -> dict[str, list[str]]:
        """Names defined in scope matching any of the SQL LIKE ``patterns``, by repository
        (in the scope's order)."""
        ...

    def module_by_path(self, path: str, repo: str = "") -> ModuleView | None: ...

    def modules_named(self, last: str) -> list[str]: ...

    def stub(self, name: str, path: str = "") -> ModuleView | None:
        """The ``.pyi`` stub of module ``name``, when there is one (the one at ``path``,
        when given: a module may have two)."""
        ...

    def read(self, wanted: Sequence[tuple[ModuleView, Sequence[str], Sequence[str]]]) -> None:
        """Read ahead, in few queries, the definitions (qualnames) and imports (names)
        of many modules, each ``(view, qualnames, names)``, for the views to answer from."""
        ...

    def native_definitions(
        self, repo: str, name: str, kind: str, owner: str = "", module: str = ""
    ) -> list[NativeDefinition]:
        """Where the compiled code of ``repo`` implements ``name`` (a ``kind``: class,
        function, method of the class ``owner``) of the stub of ``module``, as far as its
        sources ship with it."""
        ...

    def imported_from(self, name: str) -> list[str]:
        """Modules of other repositories that code in scope imports ``name`` from."""
        ...

    def importers(self, name: str) -> list[tuple[FileRow, Import]]:
        """Every import binding ``name`` in the modules in scope, with its module's file."""
        ...

    def copy_counts(self, name: str) -> dict[str, int]:
        """For each ``# Copied from X.name`` target in scope: how many definitions say it."""
        ...

    def reference_counts(self, names: Sequence[str]) -> dict[str, int]:
        """For each name: how many modules in scope use it (import it, derive from it,
        call it), by the index, and before it is whole by a byte scan of the rest."""
        ...


class Hit(NamedTuple):
    """A candidate before ranking: where, what, how, and a penalty (lower is better)."""

    view: ModuleView
    definition: Definition
    via: str
    penalty: int
    alias: tuple[ModuleView, Definition] | None = None  # the ``A = B`` statement followed to here


def chain(outer: str, inner: str) -> str:
    """Two ``via`` texts, the outer step first (``direct`` adds nothing)."""
    if inner in ("", "direct"):
        return outer
    return f"{outer}; {inner}"


def to_resolved(hit: Hit, repo: str, role: str = "match") -> Resolved:
    """The answer a candidate gives, its ``via`` completed with what the definition
    itself says (a setter, a copy, generated code, a stub)."""
    d = hit.definition
    via = hit.via
    if d.flags & SETTER:
        via = f"{via} (property setter)"
    if d.flags & OVERLOAD:
        via = f"{via} ({OVERLOAD_VIA})"
    if d.flags & FALLBACK:
        via = f"{via}{FALLBACK_SAID}"
    if d.copied_from:
        via = f"{via}; copied from {d.copied_from}"
    if hit.view.generated_from and d.kind != "module":
        via = f"{via}; generated from {hit.view.generated_from}"
    if hit.view.is_stub and d.kind != "module":
        via = f"{via}; a type stub: the code that runs is compiled"
    view = hit.view
    return result_of(
        d, view.module, view.path, repo=view.repo or repo, version=view.version, via=via, role=role
    )


def result_of(
    d: Definition,
    module: str,
    path: str,
    *,
    repo: str,
    version: str,
    via: str = "direct",
    role: str = "match",
) -> Resolved:
    """The answer for definition ``d`` of ``module`` (in file ``path`` of ``repo``)."""
    return Resolved(
        repo=repo,
        qualname=f"{module}.{d.qualname}" if d.qualname else module,
        kind=d.kind,
        path=path,
        line=d.line,
        start_line=d.start_line,
        end_line=d.end_line,
        via=via,
        signature=d.signature,
        role=role,
        version=version,
    )
