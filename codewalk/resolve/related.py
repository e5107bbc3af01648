"""What stands beside an answer: the alias statement that led to it, the modular
definition a generated one came from, its ``# Copied from`` copies and original, and the
dispatch-table entries that reach it (by value, or by name as a string)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from codewalk.resolve.model import Hit, Resolved, to_resolved
from codewalk.resolve.namespace import Namespace
from codewalk.resolve.query import is_dotted

FindOriginal = Callable[[str], Sequence[Resolved]]  # a ``# Copied from`` target -> its matches


def related(ns: Namespace, ranked: list[Hit], find_original: FindOriginal) -> list[Resolved]:
    """The related results of the best three answers, each with ``role="related"``."""
    found: list[Resolved] = []
    for hit in ranked[:3]:
        if hit.definition.kind == "module":
            continue
        found += alias_statement(ns, hit)
        found += modular_source(ns, hit)
        found += copies(ns, hit)
        found += original(hit, find_original)
        found += table_entries(ns, hit)
        found += native_code(ns, hit)
    return found


def _full(hit: Hit) -> str:
    return f"{hit.view.module}.{hit.definition.qualname}"


def alias_statement(ns: Namespace, hit: Hit) -> list[Resolved]:
    """The ``A = B`` statement that led here (``PreTrainedTokenizerFast = TokenizersBackend``)."""
    if hit.alias is None:
        return []
    alias_view, alias_def = hit.alias
    via = f"the alias statement: {alias_def.name} = {_full(hit)}"
    return [to_resolved(Hit(alias_view, alias_def, via, 0), ns.facts.repo, "related")]


def modular_source(ns: Namespace, hit: Hit) -> list[Resolved]:
    """The definition in the ``modular_*.py`` a generated file came from (else the file)."""
    if not hit.view.generated_from:
        return []
    modular = ns.facts.module_by_path(hit.view.generated_from)
    if modular is None:
        return []
    found = modular.defs(hit.definition.qualname)
    if found:
        source = Hit(modular, found[0], f"modular source of {_full(hit)}", 0)
    else:
        whole = ns.module_hit(modular, "").definition
        source = Hit(modular, whole, f"modular file that generates {hit.view.path}", 0)
    return [to_resolved(source, ns.facts.repo, "related")]


def copies(ns: Namespace, hit: Hit) -> list[Resolved]:
    """The definitions marked ``# Copied from <this>``."""
    full = _full(hit)
    found: list[Resolved] = []
    for row, copy in ns.facts.copies_of(full):
        view = ns.view_of(row)
        if view is not None:
            twin = Hit(view, copy._replace(copied_from=""), f"copy of {full} (# Copied from)", 0)
            found.append(to_resolved(twin, ns.facts.repo, "related"))
    return found


def original(hit: Hit, find_original: FindOriginal) -> list[Resolved]:
    """The definition this one says it was copied from."""
    if not hit.definition.copied_from:
        return []
    return [
        match._replace(role="related", via=f"original of this copy ({match.via})")
        for match in find_original(hit.definition.copied_from)[:1]
    ]


def table_entries(ns: Namespace, hit: Hit) -> list[Resolved]:
    """Dict entries whose value names this definition: a dotted value that resolves to
    it, or (for a method or function) a string naming it in a module-level table its
    module can see (``getattr(self, GENERATION_MODES_MAPPING[mode])``)."""
    d = hit.definition
    facts = ns.facts
    found: list[Resolved] = []
    for row, entry in facts.entries_valued(d.name):
        view = ns.view_of(row)
        if view is None:
            continue
        if entry.value_is_str:
            if entry.value != d.name or d.kind not in ("method", "function") or "." in entry.table:
                continue
            if view.module != hit.view.module and not hit.view.imports(entry.table):
                continue
        else:
            targets = ns.lookup(view, entry.value.split("."), (), 0)
            if not any(t.view.path == hit.view.path and t.definition.line == d.line for t in targets):
                continue
        shown = repr(entry.value) if entry.value_is_str else entry.value
        key = repr(entry.key) if not is_dotted(entry.key) else entry.key
        table_def = view.defs(entry.table)
        end = table_def[0].end_line if table_def else entry.line
        found.append(
            Resolved(
                repo=view.repo or facts.repo,  # the table's own pin (diffusers' beside transformers')
                qualname=f"{view.module}.{entry.table}[{key}]",
                kind="entry",
                path=view.path,
                line=entry.line,
                start_line=entry.line,
                end_line=max(end, entry.line),
                via=f"{entry.table} entry: {key} -> {shown} (dispatch table reaching {d.name})",
                signature=f"{key}: {shown},",
                role="related",
                version=view.version,
            )
        )
    return found


COMPILED = " (compiled)"  # said after a stub's name: the Rust source that implements it


def stub_class(qualname: str) -> str:
    """The class a stub's method (``Tokenizer.decode``) is declared in (``Tokenizer``)."""
    return qualname.rpartition(".")[0].rpartition(".")[2]


def native_code(ns: Namespace, hit: Hit) -> list[Resolved]:
    """For a name a ``.pyi`` stub declares: the compiled (Rust) source that implements
    it, where the release ships that source."""
    d = hit.definition
    if not hit.view.is_stub or d.kind not in ("class", "function", "method"):
        return []
    return [
        Resolved(
            repo=hit.view.repo,
            qualname=f"{hit.view.module}.{d.qualname}{COMPILED}",
            kind="native",
            path=native.path,
            line=native.line,
            start_line=native.line,
            end_line=native.end_line,
            via=f"implemented in Rust: {native.how}",
            signature=native.text,
            role="related",
            version=hit.view.version,
        )
        for native in ns.facts.native_definitions(
            hit.view.repo, d.name, d.kind, stub_class(d.qualname), hit.view.module
        )[:3]
    ]
