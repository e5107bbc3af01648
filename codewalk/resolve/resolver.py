"""The resolver: from a query to ranked definitions, each saying how it was reached.

Pure over the facts: it reads modules and definitions through a :class:`Facts` object
(the workspace backs it with the SQLite index, indexing modules on demand) and never
touches the disk itself. The transformers conventions it understands:

- re-exports through ``__init__`` modules, including lazy ``_import_structure`` dicts and
  ``define_import_structure`` + ``if TYPE_CHECKING: from .x import *`` packages;
- ``DummyObject`` placeholders (ranked after the real class);
- ``Class.member`` through a C3 MRO over resolved bases (``LlamaForCausalLM.generate``);
- aliases ``A = B`` (followed to ``B``, the alias kept as a related result);
- dispatch tables: dict entries whose value names the definition (``LOSS_MAPPING``,
  or the string ``"_assisted_decoding"`` in ``GENERATION_MODES_MAPPING``);
- generated ``modeling_*.py`` files and the ``modular_*.py`` they come from;
- ``# Copied from`` blocks (the copies of a definition, and the original of a copy).

Query forms: fully qualified (``transformers.loss.loss_utils.ForCausalLMLoss``), public
API (``transformers.PreTrainedModel``), class-qualified (``Trainer.train``), short
(``ForCausalLMLoss``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from codewalk.errors import QueryError
from codewalk.index.records import (
    DUMMY,
    LAZY,
    OVERLOAD,
    PROTOCOL,
    SETTER,
    TYPE_CHECKING_ONLY,
    Definition,
    DictEntry,
    Import,
    Reference,
)
from codewalk.index.store import FileRow

__all__ = [
    "Facts",
    "FindResult",
    "ModuleSource",
    "ModuleView",
    "Reference",
    "Resolved",
    "Resolver",
    "parse_query",
]

_QUERY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_MAX_DEPTH = 40
_MAX_MODULE_GUESSES = 12  # modules tried for a first part that names a module by its last part


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


class FindResult(NamedTuple):
    query: str
    results: tuple[Resolved, ...]  # best first; empty when nothing matched
    suggestions: tuple[str, ...]  # "did you mean" when results is empty
    note: str = ""  # why nothing was found, when there is more to say than "nothing"

    @property
    def matches(self) -> tuple[Resolved, ...]:
        """The answers proper (without related copies, entries and modular sources)."""
        return tuple(r for r in self.results if r.role == "match")


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
        "generated_from",
        "is_lazy",
        "is_package",
        "module",
        "path",
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
    ) -> None:
        self.module = module
        self.path = path
        self.is_package = is_package
        self.all_names = all_names
        self.generated_from = generated_from
        self.is_lazy = is_lazy  # a ``_LazyModule`` package: its TYPE_CHECKING imports are its exports
        self._source = source
        self._defs: dict[str, list[Definition]] = {}
        self._imports: dict[str, list[Import]] = {}

    def defs(self, qualname: str) -> list[Definition]:
        """Definitions with this qualname in the module (several for if/else branches,
        a property's getter and setter)."""
        if qualname not in self._defs:
            self._defs[qualname] = self._source.defs(qualname)
        return self._defs[qualname]

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

    def names_like(self, pattern: str) -> list[str]: ...

    def module_by_path(self, path: str) -> ModuleView | None: ...

    def modules_named(self, last: str) -> list[str]: ...


class _Hit(NamedTuple):
    """A candidate before ranking: where, what, how, and a penalty (lower is better)."""

    view: ModuleView
    definition: Definition
    via: str
    penalty: int
    alias: tuple[ModuleView, Definition] | None = None  # the ``A = B`` statement followed to here


def parse_query(query: str) -> list[str]:
    text = query.strip()
    if not text:
        raise QueryError("empty query", hint="name a symbol, e.g. ForCausalLMLoss or Trainer.train")
    if not _QUERY_RE.fullmatch(text):
        raise QueryError(
            f"malformed query {query!r}: expected a dotted Python name such as "
            "transformers.PreTrainedModel or LlamaForCausalLM.generate"
        )
    return text.split(".")


class Resolver:
    def __init__(self, facts: Facts, packages: Sequence[str]) -> None:
        self.facts = facts
        self.packages = tuple(packages)

    # -- public ----------------------------------------------------------------------
    def find(
        self,
        query: str,
        *,
        context: Sequence[str] = (),
        kind: str | None = None,
        limit: int | None = None,
        related: bool = True,
    ) -> FindResult:
        parts = parse_query(query)
        hits = self._hits(parts, context)
        if not hits and parts[0] in self.packages and parts[-1].endswith("TokenizerFast"):
            hits = self._fast_tokenizer_fallback(parts, context)
        if not hits and len(parts) > 1 and parts[0] not in self.packages:
            hits = self._in_modules_named(parts)
        ranked = self._rank(hits, context)
        results = [self._resolved(h) for h in ranked]
        if related and results:
            results.extend(self._related(ranked))
        results = _dedupe(results)
        if kind:  # after the related results are found, so that --kind entry lists table entries
            results = [r for r in results if r.kind == kind]
        if limit is not None:
            results = results[:limit]
        suggestions: tuple[str, ...] = ()
        note = ""
        if not results:
            suggestions = tuple(self.suggest(parts[-1]))
            note = self._missing_member_note(parts, context)
        return FindResult(query=query.strip(), results=tuple(results), suggestions=suggestions, note=note)

    def _missing_member_note(self, parts: list[str], context: Sequence[str]) -> str:
        """For ``Class.member`` where the class exists but no source defines the member:
        where it may come from instead (a base outside the repo; made at run time)."""
        if len(parts) < 2:
            return ""
        owners = [h for h in self._hits(parts[:-1], context) if h.definition.kind == "class"]
        if not owners:
            return ""
        owner = self._resolved(self._rank(owners, context)[0])
        return (
            f"{owner.qualname} ({owner.path}:{owner.line}) exists, but neither it nor the bases "
            f"codewalk can read define {parts[-1]!r}: it may come from a base outside "
            f"{', '.join(self.packages)} (such as torch's nn.Module) or be made at run time "
            "(a dataclass's __init__, a __getattr__)"
        )

    def resolve_in(self, module: str, dotted_name: str, enclosing_class: str = "") -> list[Resolved]:
        """What ``dotted_name`` written in ``module`` refers to (``self.x`` inside
        ``enclosing_class`` included): the goto-definition of the resolver."""
        view = self.facts.module(module)
        if view is None:
            return []
        parts = dotted_name.split(".")
        if parts[0] in ("self", "cls") and enclosing_class and len(parts) >= 2:
            hits = self._members(view, enclosing_class, parts[1], ())
            for name in parts[2:]:  # self.config.vocab_size: on through each attribute's type
                hits = self._through_type(hits, name)
        elif parts[0] in ("self", "cls", "super"):
            return []
        else:
            hits = self._lookup(view, parts, (), 0)
            if not hits and len(parts) == 1 and enclosing_class:
                hits = self._members(view, enclosing_class, parts[0], ())
        return [self._resolved(h) for h in self._rank(hits, (module,))]

    def _through_type(self, hits: list[_Hit], member: str) -> list[_Hit]:
        """``member`` of the class an attribute holds, as its source says: the annotation
        (``config: LlamaConfig``), the constructor (``self.model = LlamaModel(config)``)
        or a property's return annotation."""
        found: list[_Hit] = []
        for hit in hits:
            type_name = _declared_type(hit.definition)
            if not type_name:
                continue
            classes = [
                h for h in self._lookup(hit.view, type_name.split("."), (), 0) if h.definition.kind == "class"
            ]
            for cls in classes[:1]:
                via = f"{hit.definition.name} is a {cls.definition.name} ({_declared_how(hit)})"
                found.extend(
                    h._replace(via=_chain(via, h.via))
                    for h in self._members(cls.view, cls.definition.qualname, member, ())
                )
            if found:
                return found
        return found

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        import difflib

        lowered = name.lower()
        pool = set(self.facts.names_like(f"%{lowered}%"))
        if len(name) >= 2:
            pool.update(self.facts.names_like(f"{lowered[:2]}%"))
        if len(name) >= 4:
            pool.update(self.facts.names_like(f"%{lowered[-4:]}"))
        by_lower = {p.lower(): p for p in pool}
        close = difflib.get_close_matches(lowered, list(by_lower), n=limit, cutoff=0.6)
        return [by_lower[c] for c in close]

    # -- candidates ------------------------------------------------------------------
    def _hits(self, parts: list[str], context: Sequence[str] = ()) -> list[_Hit]:
        if parts[0] in self.packages:
            prefix = len(parts)
            while prefix > 0:
                view = self.facts.module(".".join(parts[:prefix]))
                if view is not None:
                    if prefix == len(parts):
                        return [self._module_hit(view, "direct")]
                    return self._lookup(view, parts[prefix:], (), 0)
                prefix -= 1
            return []
        hits: list[_Hit] = []
        bases: list[_Hit] = []
        for row, definition in self.facts.defs_named(parts[0]):
            if len(parts) > 1 and definition.kind not in ("class", "alias"):
                continue
            if definition.kind == "attribute":  # self.x answers Class.x, not a bare x
                continue
            view = self.facts.module(row.module)
            if view is None:
                continue
            bases.append(_Hit(view, definition, "direct", _penalty(view, definition)))
        for base in _without_modular_twins(bases, context):
            if len(parts) == 1:
                hits.extend(self._follow_alias(base, (), 0))
            else:
                for owner in self._follow_alias(base, (), 0):
                    if owner.definition.kind == "class":
                        hits.extend(
                            h._replace(penalty=h.penalty + owner.penalty)
                            for h in self._members(owner.view, owner.definition.qualname, parts[1], parts[2:])
                        )
        return hits

    def _in_modules_named(self, parts: list[str]) -> list[_Hit]:
        """``logging.get_logger``, as the code writes it after ``from ..utils import
        logging``: the first part names a module by its last dotted part."""
        hits: list[_Hit] = []
        for module in self.facts.modules_named(parts[0])[:_MAX_MODULE_GUESSES]:
            view = self.facts.module(module)
            if view is not None:
                via = f"{parts[0]} read as the module {module}"
                hits.extend(h._replace(via=_chain(via, h.via)) for h in self._lookup(view, parts[1:], (), 0))
        return hits

    def _fast_tokenizer_fallback(self, parts: list[str], context: Sequence[str]) -> list[_Hit]:
        """transformers 5's ``_LazyModule.__getattr__``: a ``XTokenizerFast`` that the
        import structure lacks is served as ``XTokenizer``."""
        slow = parts[-1][: -len("Fast")]
        via = f"{parts[-1]} is not exported; the lazy module serves {slow} for it"
        return [h._replace(via=_chain(via, h.via)) for h in self._hits([*parts[:-1], slow], context)]

    def _module_hit(self, view: ModuleView, via: str) -> _Hit:
        end = view.last_line()
        module_def = Definition(
            qualname="",
            name=view.module.rpartition(".")[2],
            kind="module",
            parent="",
            line=1,
            col=0,
            start_line=1,
            end_line=end,
            signature=f"module {view.module}",
        )
        return _Hit(view, module_def, via, 0)

    def _lookup(
        self, view: ModuleView, parts: Sequence[str], seen: tuple[str, ...], depth: int
    ) -> list[_Hit]:
        """``parts`` looked up in ``view``'s namespace: definitions, imports, star imports."""
        key = f"{view.module}:{'.'.join(parts)}"
        if key in seen or depth > _MAX_DEPTH:
            return []
        seen = (*seen, key)
        full = ".".join(parts)
        direct = view.defs(full)
        if direct:
            return [
                h
                for d in direct
                for h in self._follow_alias(_Hit(view, d, "direct", _penalty(view, d)), seen, depth)
            ]
        head, rest = parts[0], parts[1:]
        owners = view.defs(head) if rest else []
        if owners and rest:
            hits: list[_Hit] = []
            for owner in owners:
                base = _Hit(view, owner, "direct", _penalty(view, owner))
                for target in self._follow_alias(base, seen, depth):
                    if target.definition.kind == "class":
                        hits.extend(self._members(target.view, target.definition.qualname, rest[0], rest[1:]))
            return hits
        hits = []
        for imp in view.imports(head):
            hits.extend(self._through_import(view, imp, rest, seen, depth))
        # a submodule of a package: transformers.models
        if view.is_package and not hits:
            sub = self.facts.module(f"{view.module}.{head}")
            if sub is not None:
                return (
                    [self._module_hit(sub, "direct")]
                    if not rest
                    else self._lookup(sub, rest, seen, depth + 1)
                )
        # star imports, lazy ones included (``dir(dummy_pt_objects)``): also when a
        # named import was found, so that the dummy twin is listed (ranked after)
        for imp in view.imports("*"):
            star_module = _absolute(view, imp)
            hits.extend(self._through_star(view, imp, star_module, parts, seen, depth))
        return hits

    def _through_import(
        self, view: ModuleView, imp: Import, rest: Sequence[str], seen: tuple[str, ...], depth: int
    ) -> list[_Hit]:
        target = _absolute(view, imp)
        how = _how(view, imp)
        if not imp.name:  # import a.b [as c]
            module = self.facts.module(target)
            if module is None:
                return []
            hits = (
                [self._module_hit(module, how)] if not rest else self._lookup(module, rest, seen, depth + 1)
            )
        else:
            module = self.facts.module(target)
            if module is None:
                return []
            sub = self.facts.module(f"{target}.{imp.name}") if module.is_package else None
            if sub is not None and not module.defs(imp.name):
                hits = [self._module_hit(sub, how)] if not rest else self._lookup(sub, rest, seen, depth + 1)
            else:
                hits = self._lookup(module, [imp.name, *rest], seen, depth + 1)
        extra = 40 if imp.flags & TYPE_CHECKING_ONLY and not view.is_lazy else 0
        return [h._replace(via=_chain(how, h.via), penalty=h.penalty + extra) for h in hits]

    def _through_star(
        self,
        view: ModuleView,
        imp: Import,
        target: str,
        parts: Sequence[str],
        seen: tuple[str, ...],
        depth: int,
    ) -> list[_Hit]:
        """``from target import *``: only modules under ``target`` that define the name
        are visited (found by name in the index, not by loading every module)."""
        head = parts[0]
        hits: list[_Hit] = []
        for row, definition in self.facts.defs_named(head):
            if definition.parent or not (row.module == target or row.module.startswith(target + ".")):
                continue
            owner = self.facts.module(row.module)
            if owner is None or not owner.exports(head):
                continue
            chain = self._star_chain(target, row.module)
            if chain is None:
                continue
            found = self._lookup(owner, parts, seen, depth + 1)
            how = _how(view, imp)
            hops = " → ".join(chain[:-1])
            via_text = f"{how}, via {hops}" if hops else how
            hits.extend(h._replace(via=_chain(via_text, h.via)) for h in found)
        return hits

    def _star_chain(self, start: str, end: str) -> list[str] | None:
        """Modules from ``start`` down to ``end`` where each star-imports (or lazily
        exposes) the next; None when ``end`` is not reachable that way."""
        chain = [start]
        current = start
        while current != end:
            view = self.facts.module(current)
            if view is None:
                return None
            step = end[len(current) + 1 :].split(".")[0]
            child = f"{current}.{step}"
            imported = any(_absolute(view, i) == child for i in view.imports("*"))
            # A lazy package exposes its submodules, except the modular_*.py sources:
            # transformers' define_import_structure skips them.
            if not imported and (not view.is_lazy or step.startswith("modular_")):
                return None
            chain.append(child)
            current = child
        return chain

    def _follow_alias(self, hit: _Hit, seen: tuple[str, ...], depth: int) -> list[_Hit]:
        definition = hit.definition
        if definition.kind != "alias" or not definition.target or depth > _MAX_DEPTH:
            return [hit]
        targets = self._lookup(hit.view, definition.target.split("."), seen, depth + 1)
        real = [t for t in targets if t.definition.kind in ("class", "function")]
        if not real:
            return [hit]
        where = f"{hit.view.path}:{definition.line}"
        return [
            t._replace(
                via=_chain(f"{definition.name} is an alias of {definition.target} ({where})", t.via),
                penalty=t.penalty + hit.penalty,
                alias=(hit.view, definition),
            )
            for t in real
        ]

    def _members(self, view: ModuleView, class_qualname: str, member: str, rest: Sequence[str]) -> list[_Hit]:
        mro = self.mro(view, class_qualname)
        for index, (owner_view, owner) in enumerate(mro):
            found = owner_view.defs(f"{owner.qualname}.{member}")
            if not found:
                continue
            definitions = sorted(found, key=lambda d: _penalty(owner_view, d))
            via = (
                "direct"
                if index == 0
                else f"inherited from {owner.name} (MRO of {class_qualname.rpartition('.')[2]})"
            )
            hits = [_Hit(owner_view, d, via, _penalty(owner_view, d)) for d in definitions]
            if rest:
                nested = [h for h in hits if h.definition.kind == "class"]
                return [
                    x for h in nested for x in self._members(h.view, h.definition.qualname, rest[0], rest[1:])
                ]
            return hits
        return []

    def mro(self, view: ModuleView, class_qualname: str) -> list[tuple[ModuleView, Definition]]:
        """C3 linearization over the bases the index can resolve (``nn.Module`` and
        other classes outside the repo are left out)."""
        memo: dict[str, list[tuple[ModuleView, Definition]]] = {}

        def linearize(
            v: ModuleView, d: Definition, stack: tuple[str, ...]
        ) -> list[tuple[ModuleView, Definition]]:
            key = f"{v.module}.{d.qualname}"
            if key in memo:
                return memo[key]
            if key in stack or len(stack) > _MAX_DEPTH:
                return [(v, d)]
            bases: list[tuple[ModuleView, Definition]] = []
            for base in d.bases:
                found = self._lookup(v, base.split("."), (), 0)
                classes = [h for h in found if h.definition.kind == "class"]
                if classes:
                    best = min(classes, key=lambda h: h.penalty)
                    bases.append((best.view, best.definition))
            sequences = [linearize(bv, bd, (*stack, key)) for bv, bd in bases]
            result = [(v, d), *_c3_merge([*sequences, bases])]
            memo[key] = result
            return result

        defs = view.defs(class_qualname)
        classes = [d for d in defs if d.kind == "class"]
        if not classes:
            return []
        return linearize(view, classes[0], ())

    # -- ranking and related results ----------------------------------------------------
    def _rank(self, hits: list[_Hit], context: Sequence[str]) -> list[_Hit]:
        def score(hit: _Hit) -> tuple[int, int, str, int]:
            penalty = hit.penalty
            module = hit.view.module
            for ctx in context:
                if module == ctx:
                    penalty -= 20
                elif module.rpartition(".")[0] == ctx.rpartition(".")[0]:
                    penalty -= 4
            return (penalty, module.count("."), hit.view.path, hit.definition.line)

        unique: dict[tuple[str, int], _Hit] = {}
        for hit in sorted(hits, key=score):
            unique.setdefault((hit.view.path, hit.definition.line), hit)
        return list(unique.values())

    def _resolved(self, hit: _Hit, role: str = "match") -> Resolved:
        d = hit.definition
        qualname = f"{hit.view.module}.{d.qualname}" if d.qualname else hit.view.module
        via = hit.via
        if d.flags & SETTER:
            via = f"{via} (property setter)"
        if d.copied_from:
            via = f"{via}; copied from {d.copied_from}"
        if hit.view.generated_from and d.kind != "module":
            via = f"{via}; generated from {hit.view.generated_from}"
        return Resolved(
            repo=self.facts.repo,
            qualname=qualname,
            kind=d.kind,
            path=hit.view.path,
            line=d.line,
            start_line=d.start_line,
            end_line=d.end_line,
            via=via,
            signature=d.signature,
            role=role,
        )

    def _related(self, ranked: list[_Hit]) -> list[Resolved]:
        related: list[Resolved] = []
        for hit in ranked[:3]:
            d = hit.definition
            if d.kind == "module":
                continue
            full = f"{hit.view.module}.{d.qualname}"
            # the alias statement that led here (``PreTrainedTokenizerFast = TokenizersBackend``)
            if hit.alias is not None:
                alias_view, alias_def = hit.alias
                related.append(
                    self._resolved(
                        _Hit(alias_view, alias_def, f"the alias statement: {alias_def.name} = {full}", 0),
                        "related",
                    )
                )
            # the modular definition a generated file came from
            if hit.view.generated_from:
                modular = self.facts.module_by_path(hit.view.generated_from)
                if modular is not None:
                    found = modular.defs(d.qualname)
                    if found:
                        related.append(
                            self._resolved(_Hit(modular, found[0], f"modular source of {full}", 0), "related")
                        )
                    else:
                        related.append(
                            self._resolved(
                                _Hit(
                                    modular,
                                    self._module_hit(modular, "").definition,
                                    f"modular file that generates {hit.view.path}",
                                    0,
                                ),
                                "related",
                            )
                        )
            # the copies of it ("# Copied from <full>")
            for row, copy in self.facts.copies_of(full):
                view = self.facts.module(row.module)
                if view is not None:
                    related.append(
                        self._resolved(
                            _Hit(view, copy._replace(copied_from=""), f"copy of {full} (# Copied from)", 0),
                            "related",
                        )
                    )
            # the original it was copied from
            if d.copied_from:
                for original in self.find(d.copied_from, related=False).matches[:1]:
                    related.append(
                        original._replace(role="related", via=f"original of this copy ({original.via})")
                    )
            # dispatch tables naming it
            for row, entry in self.facts.entries_valued(d.name):
                view = self.facts.module(row.module)
                if view is None:
                    continue
                if entry.value_is_str:
                    # a method named by a string (``getattr(self, TABLE[mode])``): only
                    # module-level tables the definition's module can see
                    if entry.value != d.name or d.kind not in ("method", "function") or "." in entry.table:
                        continue
                    if view.module != hit.view.module and not any(
                        True for i in hit.view.imports(entry.table)
                    ):
                        continue
                else:
                    targets = self._lookup(view, entry.value.split("."), (), 0)
                    if not any(t.view.path == hit.view.path and t.definition.line == d.line for t in targets):
                        continue
                shown = repr(entry.value) if entry.value_is_str else entry.value
                key = repr(entry.key) if not _is_dotted(entry.key) else entry.key
                table_def = view.defs(entry.table)
                end = table_def[0].end_line if table_def else entry.line
                related.append(
                    Resolved(
                        repo=self.facts.repo,
                        qualname=f"{view.module}.{entry.table}[{key}]",
                        kind="entry",
                        path=view.path,
                        line=entry.line,
                        start_line=entry.line,
                        end_line=max(end, entry.line),
                        via=f"{entry.table} entry: {key} -> {shown} (dispatch table reaching {d.name})",
                        signature=f"{key}: {shown},",
                        role="related",
                    )
                )
        return related


def _without_modular_twins(hits: list[_Hit], context: Sequence[str] = ()) -> list[_Hit]:
    """Drop a definition in a ``modular_x.py`` when the ``modeling_x.py`` generated
    from it defines the same name: the generated class is the one that runs (its bases
    are the real ones), and the modular source is listed as related to it anyway.
    A reader already in the modular file (``context``) keeps it."""
    generated = {
        (hit.view.generated_from, hit.definition.qualname) for hit in hits if hit.view.generated_from
    }
    return [
        hit
        for hit in hits
        if hit.view.module in context or (hit.view.path, hit.definition.qualname) not in generated
    ]


def _penalty(view: ModuleView, d: Definition) -> int:
    penalty = 0
    if d.flags & DUMMY or "/dummy_" in view.path:
        penalty += 100
    if d.flags & TYPE_CHECKING_ONLY:
        penalty += 50
    if d.flags & OVERLOAD:
        penalty += 20
    if d.flags & SETTER:
        penalty += 5
    if d.copied_from or view.generated_from:
        penalty += 3  # a copy, or generated code: its original reads first
    if d.flags & PROTOCOL:
        penalty += 20  # a typing.Protocol member is a stub, like an @overload
    if "/modular_" in view.path:
        penalty += 10
    if any(part in view.path for part in ("/tests/", "/templates/", "/examples/", "/commands/")):
        penalty += 30
    if d.kind in ("method", "property"):
        penalty += 2
    elif d.kind in ("variable", "alias"):
        penalty += 3
    elif d.kind == "attribute":
        penalty += 4
    if d.name.startswith("_"):
        penalty += 1
    return penalty


_ANNOTATED_RE = re.compile(r"^(?:self\.)?\w+\s*:\s*\"?([A-Za-z_][\w.]*)\"?\s*(?:=|$)")
_CONSTRUCTED_RE = re.compile(r"^self\.\w+\s*=\s*([A-Z][\w.]*)\(")
_RETURNS_RE = re.compile(r"->\s*\"?([A-Za-z_][\w.]*)\"?\s*:\s*$")


def _declared_type(d: Definition) -> str:
    """The class name an attribute, field or property is declared to hold, or ""."""
    text = d.signature.strip()
    if d.kind == "property":
        match = _RETURNS_RE.search(text.splitlines()[-1] if text else "")
    else:
        match = _ANNOTATED_RE.match(text) or _CONSTRUCTED_RE.match(text)
    return match.group(1) if match else ""


def _declared_how(hit: _Hit) -> str:
    d = hit.definition
    if d.kind == "property":
        return f"returned by the property at {hit.view.path}:{d.line}"
    how = "annotated" if ":" in d.signature.split("=", 1)[0] else "set"
    return f"{how} at {hit.view.path}:{d.line}"


def _absolute(view: ModuleView, imp: Import) -> str:
    if imp.level == 0:
        return imp.module
    package = view.module if view.is_package else view.module.rpartition(".")[0]
    for _ in range(imp.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{imp.module}" if imp.module else package


def _how(view: ModuleView, imp: Import) -> str:
    if imp.flags & LAZY:
        if imp.level == 0:
            return f"re-exported by {view.module} (lazy module __getattr__ table)"
        return f"re-exported by {view.module} (lazy _import_structure)"
    if view.is_lazy:
        return f"re-exported by {view.module} (lazy module)"
    if imp.flags & TYPE_CHECKING_ONLY:
        return f"imported by {view.module} under TYPE_CHECKING only"
    if imp.name == "*":
        return f"star-imported by {view.module}"
    return f"imported by {view.module}"


def _chain(outer: str, inner: str) -> str:
    if inner in ("", "direct"):
        return outer
    return f"{outer}; {inner}"


def _is_dotted(text: str) -> bool:
    return bool(_QUERY_RE.fullmatch(text)) and "." in text


def _c3_merge(sequences: list[list[tuple[ModuleView, Definition]]]) -> list[tuple[ModuleView, Definition]]:
    def key(item: tuple[ModuleView, Definition]) -> str:
        return f"{item[0].module}.{item[1].qualname}"

    seqs = [[*s] for s in sequences if s]
    result: list[tuple[ModuleView, Definition]] = []
    while seqs:
        for seq in seqs:
            head = seq[0]
            if not any(key(head) in {key(x) for x in other[1:]} for other in seqs):
                break
        else:  # inconsistent hierarchy: fall back to depth-first order
            seen = {key(r) for r in result}
            for seq in seqs:
                for item in seq:
                    if key(item) not in seen:
                        seen.add(key(item))
                        result.append(item)
            return result
        result.append(head)
        seqs = [[x for x in s if key(x) != key(head)] for s in seqs]
        seqs = [s for s in seqs if s]
    return result


def _dedupe(results: list[Resolved]) -> list[Resolved]:
    seen: set[tuple[str, int, str]] = set()
    unique: list[Resolved] = []
    for result in results:
        key = (result.path, result.line, result.kind if result.kind == "entry" else "")
        if key in seen:
            continue
        seen.add(key)
        unique.append(result)
    return unique
