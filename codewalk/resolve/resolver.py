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

from codewalk.resolve import related as related_results
from codewalk.resolve.model import Facts, FindResult, Hit, Resolved, chain, to_resolved
from codewalk.resolve.namespace import Namespace
from codewalk.resolve.query import parse_query
from codewalk.resolve.ranking import (
    dedupe,
    is_fallback,
    owner_name,
    penalty,
    rank,
    shadowed_stubs_last,
    without_modular_twins,
    without_overload_stubs,
)

_MAX_MODULE_GUESSES = 12  # modules tried for a first part that names a module by its last part
_NOT_A_NAME = ("attribute", "rebind", "applies", "decorator")  # facts about names, not definitions of one
_SUGGESTIONS = 5  # "did you mean" names
# a keyword argument beside definitions of its name ranks after them, a tour's modules included
# (``length_penalty``: FSMTConfig's class attribute, then GenerationConfig's keyword)
_KEYWORD_AFTER = 100
_MEMBER_POOL = 20  # close names searched for the members of a class
_LEGACY_FAST_MODULE = r"^(image_processing_(?!pil_)\w+)_fast$"


class Resolver:
    """Answers queries over the facts of one checkout whose import roots are ``packages``."""

    def __init__(self, facts: Facts, packages: Sequence[str]) -> None:
        self.facts = facts
        self.packages = tuple(packages)
        self.ns = Namespace(facts)

    # -- public ----------------------------------------------------------------------
    def find(
        self,
        query: str,
        *,
        context: Sequence[str] = (),
        kind: str | None = None,
        limit: int | None = None,
        related: bool = True,
        suggest: bool = True,
        thorough: bool = True,
    ) -> FindResult:
        """Ranked answers for ``query``. ``related`` adds copies, table entries and the
        like; ``suggest``, "did you mean" when nothing is found; without ``thorough``,
        a name found through an import is not looked for in star imports as well (their
        placeholders would rank after it): for callers that want the best answer only.
        ``NAME (compiled)``, as ``find`` names a stub's Rust source, answers that source."""
        if query.strip().endswith(related_results.COMPILED):
            return self._compiled(query.strip(), context)
        parts = parse_query(query)
        self.ns.thorough = thorough
        try:
            hits = self._hits(parts, context)
        finally:
            self.ns.thorough = True
        if not hits and parts[0] in self.packages and parts[-1].endswith("TokenizerFast"):
            hits = self._fast_tokenizer_fallback(parts, context)
        if not hits and parts[0] in self.packages:
            hits = self._legacy_fast_fallback(parts, context)
        if not hits and len(parts) > 1 and parts[0] not in self.packages:
            hits = self._in_modules_named(parts)
        note = ""
        if parts[0] not in self.packages and all(is_fallback(h) for h in hits):
            # nothing here but stand-ins (``X = None`` where an import failed): the name
            # is the one imported, from the pin that provides it
            followed = self._from_other_repositories(parts, context)
            if hits and not followed:
                note = self._unfollowed_note(parts[0])
            hits = [*followed, *hits]
        hits = without_overload_stubs(hits)
        ranked = rank(hits, context, self.facts.repo, self._importance(hits), self._named_by(hits))
        ranked = shadowed_stubs_last(ranked)
        results = [self._answer(h) for h in ranked]
        if related and results:
            results.extend(related_results.related(self.ns, ranked, self._originals))
        results = dedupe(results)
        if kind:  # after the related results are found, so that --kind entry lists table entries
            results = [r for r in results if r.kind == kind]
        if limit is not None:
            results = results[:limit]
        suggestions: tuple[str, ...] = ()
        owner: Resolved | None = None
        if not results and suggest:
            suggestions, note, owner = self._not_found(parts, context)
        return FindResult(query.strip(), tuple(results), suggestions, note, owner)

    def _compiled(self, query: str, context: Sequence[str]) -> FindResult:
        """``NAME (compiled)``: the Rust source of the stub ``NAME``, as the answer."""
        name = query.removesuffix(related_results.COMPILED).strip()
        found = self.find(name, context=context)
        native = tuple(r._replace(role="match") for r in found.results if r.kind == "native")
        if native or not found.results:
            return found._replace(query=query, results=native)
        best = found.results[0]
        return FindResult(
            query,
            (),
            (),
            f"{best.qualname} ({best.path}:{best.line}) is not a stub of compiled code whose Rust "
            "source codewalk can read",
            note_says_all=True,
        )

    def _not_found(
        self, parts: list[str], context: Sequence[str]
    ) -> tuple[tuple[str, ...], str, Resolved | None]:
        """ "Did you mean" for a name nothing answers, and a note. For ``Class.member`` of a
        class that exists, only its members close to ``member``, written as asked
        (``Trainer.train`` for ``Trainer.trian``): other names spelled alike answer another
        question; when none is close, the note says where the member may come from instead,
        and the class is returned (the repository to name is its own)."""
        owner = self._owner(parts, context)
        if owner is None and len(parts) >= 2:
            respelled = self._owners_respelled(parts, context)
            if respelled or _dunder(parts[-1]):  # ``__all__`` is never what ``X.__call__`` meant
                return respelled, "", None
        names = self.suggest(parts[-1], limit=_MEMBER_POOL if owner is not None else _SUGGESTIONS)
        if owner is None and len(parts) == 1:
            held, note = self._set_on_self(parts[0], context)
            return tuple(dict.fromkeys([*held, *names]))[:_SUGGESTIONS], note, None
        if owner is None:
            return tuple(names), "", None
        view, cls = owner.view, owner.definition.qualname
        members = [name for name in names if self.ns.members(view, cls, name, ())]
        prefix = ".".join(parts[:-1])
        suggestions = tuple(f"{prefix}.{name}" for name in members[:_SUGGESTIONS])
        if members:
            return suggestions, "", None
        found = self._answer(owner)
        return (
            (),
            (
                f"{found.qualname} ({found.path}:{found.line}) exists, but neither it nor the bases "
                f"codewalk can read define {parts[-1]!r}: it may come from a base outside the "
                "pinned repositories (such as torch's nn.Module) or be made at run time "
                "(a dataclass's __init__, a __getattr__)"
            ),
            found,
        )

    def _set_on_self(self, name: str, context: Sequence[str]) -> tuple[list[str], str]:
        """``self.gradient_state = ...``: a name only methods set on instances, which a
        bare query does not answer (``Accelerator.gradient_state`` does), the classes
        holding it written so, best first, and a note saying so ("" when none)."""
        hits = [
            Hit(view, d, "direct", penalty(view, d))
            for row, d in self.facts.defs_named(name)
            if d.kind == "attribute" and (view := self.ns.view_of(row)) is not None
        ]
        if not hits:
            return [], ""
        ranked = rank(hits, context, self.facts.repo, self._importance(hits), self._named_by(hits))
        held = list(dict.fromkeys(h.definition.qualname for h in ranked))
        count = f"{len(held)} class" if len(held) == 1 else f"{len(held)} classes"
        return held, f"{name} is an attribute set on self in {count}: ask for it with its class"

    def _owners_respelled(self, parts: list[str], context: Sequence[str]) -> tuple[str, ...]:
        """``Class.member`` whose class names nothing (``LlamaAtention.forward``,
        ``peft.tuners.lora.layer.Linaer.forward``): the classes spelled close to it that
        have the member, written as asked (``LlamaAttention.forward``). Names close to the
        member alone (``_forward``) answer another question."""
        *prefix, owner, member = parts
        found: list[str] = []
        for name in self.suggest(owner, limit=_MEMBER_POOL):
            query = ".".join([*prefix, name, member])
            if self.find(query, context=context, related=False, suggest=False).results:
                found.append(query)
                if len(found) == _SUGGESTIONS:
                    break
        return tuple(found)

    def _unfollowed_note(self, name: str) -> str:
        """Why only a fallback stand-in answers: the real definition is in another pin,
        which could not be read."""
        modules = self.facts.imported_from(name)
        if not modules:
            return ""
        return (
            f"{name} is defined here only as a fallback, for when importing it from {modules[0]} "
            f"fails; its definition in {modules[0]} could not be read"
        )

    def _owner(self, parts: list[str], context: Sequence[str]) -> Hit | None:
        """The class ``Class`` of a ``Class.member`` query, when there is one."""
        if len(parts) < 2:
            return None
        owners = [h for h in self._hits(parts[:-1], context) if h.definition.kind == "class"]
        if not owners and parts[0] not in self.packages:  # a class of the pin this one imports it from
            found = self._from_other_repositories(parts[:-1], context)
            owners = [h for h in found if h.definition.kind == "class"]
        return rank(owners, context, self.facts.repo)[0] if owners else None

    def resolve_in(
        self, module: str, dotted_name: str, enclosing_class: str = "", *, path: str = "", repo: str = ""
    ) -> list[Resolved]:
        """What ``dotted_name`` written in ``module`` (in its file at ``path`` of ``repo``, the
        first pin's by default, when given: a stub names what that stub declares, not the
        Python source beside it) refers to (``self.x`` inside ``enclosing_class`` included):
        the goto-definition of the resolver."""
        view = self.facts.module_by_path(path, repo) if path else self.facts.module(module)
        if view is None:
            return []
        parts = dotted_name.split(".")
        if parts[0] in ("self", "cls") and enclosing_class and len(parts) >= 2:
            hits = self.ns.members(view, enclosing_class, parts[1], ())
            for name in parts[2:]:  # self.config.vocab_size: on through each attribute's type
                hits = self.ns.through_type(hits, name)
        elif parts[0] in ("self", "cls", "super"):
            return []
        else:
            hits = self.ns.lookup(view, parts, (), 0)
            if not hits and len(parts) == 1 and enclosing_class:
                hits = self.ns.members(view, enclosing_class, parts[0], ())
        return [self._answer(h) for h in rank(without_overload_stubs(hits), (module,), self.facts.repo)]

    def suggest(self, name: str, limit: int = _SUGGESTIONS) -> list[str]:
        """Names close to ``name`` in the scope's repositories, closest first; of two as
        close, that of the repository asked about (the one the "not found" names:
        ``--source DIR``'s, not another pin's) first."""
        lowered = name.lower()
        patterns = [f"%{lowered}%"]
        if len(name) >= 2:
            patterns.append(f"{lowered[:2]}%")
        if len(name) >= 4:
            patterns.append(f"%{lowered[-4:]}")
        pools = self.facts.names_like(patterns)
        own = _close_names(name, pools.get(self.facts.repo, []), limit)
        everything = [n for names in pools.values() for n in names]
        others = [n for n in _close_names(name, everything, limit + len(own)) if n not in own]
        closest = sorted(own + others, key=lambda n: (-_closeness(name, n), n[:1] != name[:1]))
        return closest[:limit]  # of two as close (and cased alike), the own repository's first

    # -- candidates ------------------------------------------------------------------
    def _hits(self, parts: list[str], context: Sequence[str] = ()) -> list[Hit]:
        if parts[0] in self.packages:
            prefix = len(parts)
            while prefix > 0:
                view = self.facts.module(".".join(parts[:prefix]))
                if view is not None:
                    if prefix == len(parts):
                        return [self.ns.module_hit(view, "direct")]
                    return self.ns.lookup(view, parts[prefix:], (), 0)
                prefix -= 1
            return []
        hits: list[Hit] = []
        bases: list[Hit] = []
        keywords: list[Hit] = []
        for row, definition in self.facts.defs_named(parts[0]):
            if len(parts) > 1 and definition.kind not in ("class", "alias"):
                continue
            if definition.kind in _NOT_A_NAME:  # self.x answers Class.x, not a bare x
                continue
            view = self.ns.view_of(row)
            if view is None:
                continue
            hit = Hit(view, definition, "direct", penalty(view, definition))
            if definition.kind == "keyword":
                keywords.append(hit._replace(via=f"a keyword argument, consumed here by {definition.parent}"))
                continue
            bases.append(hit)
        if not bases and len(parts) == 1:  # only a keyword argument: where it is consumed
            return keywords
        for base in without_modular_twins(bases, context):
            if len(parts) == 1:
                hits.extend(self.ns.follow_alias(base, (), 0))
            else:
                for owner in self.ns.follow_alias(base, (), 0):
                    if owner.definition.kind == "class":
                        members = self.ns.of_class(owner.view, owner.definition.qualname, parts[1], parts[2:])
                        hits.extend(h._replace(penalty=h.penalty + owner.penalty) for h in members)
        if len(parts) == 1:  # where a keyword is consumed, after the definitions (never their rival)
            hits.extend(k._replace(penalty=k.penalty + _KEYWORD_AFTER) for k in keywords)
        return hits

    def _in_modules_named(self, parts: list[str]) -> list[Hit]:
        """``logging.get_logger``, as the code writes it after ``from ..utils import
        logging``: the first part names a module by its last dotted part."""
        hits: list[Hit] = []
        for module in self.facts.modules_named(parts[0])[:_MAX_MODULE_GUESSES]:
            view = self.facts.module(module)
            if view is not None:
                via = f"{parts[0]} read as the module {module}"
                hits.extend(h._replace(via=chain(via, h.via)) for h in self.ns.lookup(view, parts[1:], (), 0))
        return hits

    def _from_other_repositories(self, parts: list[str], context: Sequence[str]) -> list[Hit]:
        """A name no repository in scope defines, but one imports from another pinned
        repository (``hf_hub_download`` from ``huggingface_hub``): looked up there (which
        opens, and may fetch, that repository)."""
        for module in self.facts.imported_from(parts[0])[:_MAX_MODULE_GUESSES]:
            via = f"{parts[0]} is imported from {module}"
            hits = [
                h._replace(via=chain(via, h.via)) for h in self._hits([*module.split("."), *parts], context)
            ]
            if hits:
                return hits
        return []

    def _fast_tokenizer_fallback(self, parts: list[str], context: Sequence[str]) -> list[Hit]:
        """transformers 5's ``_LazyModule.__getattr__``: a ``XTokenizerFast`` that the
        import structure lacks is served as ``XTokenizer``."""
        slow = parts[-1][: -len("Fast")]
        via = f"{parts[-1]} is not exported; the lazy module serves {slow} for it"
        return [h._replace(via=chain(via, h.via)) for h in self._hits([*parts[:-1], slow], context)]

    def _legacy_fast_fallback(self, parts: list[str], context: Sequence[str]) -> list[Hit]:
        """transformers' legacy module paths: ``models.x.image_processing_x_fast`` is
        served as ``models.x.image_processing_x`` (its ``_LegacyModuleAliasFinder``), and
        ``XImageProcessorFast`` there as ``XImageProcessor``."""
        renamed = [re.sub(_LEGACY_FAST_MODULE, r"\1", part) for part in parts[:-1]]
        last = parts[-1]
        if last.endswith("ImageProcessorFast"):
            last = last[: -len("Fast")]
        if renamed == parts[:-1] and last == parts[-1]:
            return []
        via = f"{'.'.join(parts)} is a legacy path, served as {'.'.join([*renamed, last])}"
        return [h._replace(via=chain(via, h.via)) for h in self._hits([*renamed, last], context)]

    def _importance(self, hits: list[Hit]) -> dict[str, tuple[bool, int]] | None:
        """Public API and the number of modules using the name, for the owners of hits
        of several owners (computed only then)."""
        if len({(h.view.path, owner_name(h)) for h in hits}) < 2:
            return None
        names = sorted({owner_name(h) for h in hits})
        counts = self.facts.reference_counts(names)
        root = self.facts.module(self.packages[0]) if self.packages else None
        public = {imp.asname for imp in root.all_imports()} if root is not None else set()
        if root is not None and root.all_names:
            public.update(root.all_names)
        return {name: (name in public, counts.get(name, 0)) for name in names}

    def _named_by(self, hits: list[Hit]) -> dict[str, int] | None:
        """For copies of one definition in several modules (``eager_attention_forward``
        in 348 modeling files): how many modules name each module's copy, by importing it
        from there or marking a copy ``# Copied from`` it. The one a reader means is the
        one the others take (llama's, which the modular files import). Computed only when
        every hit has the same owner name."""
        owners = {owner_name(h) for h in hits}
        if len(owners) != 1 or len({h.view.module for h in hits}) < 2:
            return None
        (owner,) = owners
        counts: dict[str, int] = {}
        for row, imp in self.facts.importers(owner):
            if imp.name == owner:
                source = imp.absolute(row.module, row.is_package)
                counts[source] = counts.get(source, 0) + 1
        for original, count in self.facts.copy_counts(owner).items():
            module = original.rpartition(".")[0]
            if original.rpartition(".")[2] == owner:  # a function's or a class's own copies
                counts[module] = counts.get(module, 0) + count
        return counts

    def _answer(self, hit: Hit) -> Resolved:
        return to_resolved(hit, self.facts.repo)

    def _originals(self, qualname: str) -> tuple[Resolved, ...]:
        """What a ``# Copied from qualname`` comment points at."""
        return self.find(qualname, related=False, suggest=False).matches


def _closeness(name: str, other: str) -> float:
    """How close two names are, case aside (difflib's ratio, as :func:`_close_names` ranks)."""
    import difflib

    return difflib.SequenceMatcher(None, name.lower(), other.lower()).ratio()


def _cased_alike(candidate: str, name: str) -> int:
    """How many letters of ``candidate`` are cased as in ``name``, place by place (of
    LINEAR and Linear, Linear is the one close to Linaer)."""
    return sum(a == b for a, b in zip(candidate, name, strict=False))


def _dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _close_names(name: str, pool: Sequence[str], limit: int) -> list[str]:
    """The names of ``pool`` close to ``name`` (case aside), closest first; never ``name``."""
    import difflib

    lowered = name.lower()
    by_lower: dict[str, str] = {}
    for candidate in sorted(set(pool)):  # of Accelerator and accelerator, the one cased as asked
        key = candidate.lower()
        if key not in by_lower or _cased_alike(candidate, name) > _cased_alike(by_lower[key], name):
            by_lower[key] = candidate
    by_lower.pop(lowered, None)  # the name itself answered nothing: never "did you mean" it
    close = difflib.get_close_matches(lowered, list(by_lower), n=limit, cutoff=0.6)
    return [by_lower[c] for c in close]
