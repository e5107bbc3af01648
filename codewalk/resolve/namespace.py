"""A module's namespace, as Python would read it: definitions, imports (lazy ones
included), star imports, submodules, aliases, class members through the MRO, and the
type an attribute holds. The recursive core the :class:`~codewalk.resolve.resolver.Resolver`
stands on; pure over :class:`~codewalk.resolve.model.Facts`."""

from __future__ import annotations

from collections.abc import Sequence

from codewalk.index.records import (
    BOUND_BY_IMPORT,
    FALLBACK,
    LAZY,
    LEGACY_ALIAS,
    SET_BY_CALL,
    SETS_KEYWORDS,
    TYPE_CHECKING_ONLY,
    Definition,
    FileRow,
    Import,
)
from codewalk.resolve import rebinding
from codewalk.resolve.model import Facts, Hit, ModuleView, chain
from codewalk.resolve.mro import MAX_DEPTH, ClassRef, linearize
from codewalk.resolve.ranking import penalty
from codewalk.resolve.types import declared_how, declared_type, setting_method

_READ_ROUNDS = 4  # a class, its bases, theirs: what read_classes reads ahead, module by module


class Namespace:
    """Name lookup over the facts of one checkout."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.thorough = True  # every candidate, placeholders included; off: the best is enough
        self._mro: dict[tuple[str, str, str], list[ClassRef]] = {}  # a class's MRO, once
        self._linear: dict[str, list[ClassRef]] = {}  # the same, by module.Class, while computing
        self._bases: dict[tuple[str, str, str, int, bool], list[ClassRef]] = {}  # a class's bases, once
        self._found: dict[tuple[str, str, tuple[str, ...], bool], list[Hit]] = {}  # a name in a module, once
        # the same, found on the way to another name and cut short by no cycle nor depth
        # limit (so found alike wherever asked), with how deep its lookups went below it
        self._whole: dict[tuple[str, str, tuple[str, ...], bool], tuple[list[Hit], int]] = {}
        self._cuts = 0  # lookups cut short so far: a cycle met, or the depth limit
        self._deepest = 0  # the deepest lookup of the one under way
        self._members: dict[tuple[str, str, str, str, tuple[str, ...], bool], list[Hit]] = {}  # members, once

    def module_hit(self, view: ModuleView, via: str) -> Hit:
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
        return Hit(view, module_def, via, 0)

    def lookup(self, view: ModuleView, parts: Sequence[str], seen: tuple[str, ...], depth: int) -> list[Hit]:
        """``parts`` looked up in ``view``'s namespace: definitions, imports, star imports.
        A lookup from the top (no ``seen``) is made once: every class of a module names
        the same bases, every class made by a hook asks what the same names mean. One on
        the way to another (through an import, a star import, an alias) is made once too
        when nothing cut it short: the names every module imports from ``modeling_utils``
        are followed there once, not once per module (:meth:`_whole_lookup`)."""
        key = (view.repo, view.path, tuple(parts), self.thorough)
        top = not seen and not depth
        if top and key in self._found:
            return list(self._found[key])
        hits = self._whole_lookup(key, view, parts, seen, depth)
        if top:
            self._found[key] = hits
        return list(hits)

    def _whole_lookup(
        self,
        key: tuple[str, str, tuple[str, ...], bool],
        view: ModuleView,
        parts: Sequence[str],
        seen: tuple[str, ...],
        depth: int,
    ) -> list[Hit]:
        """:meth:`_lookup`, or what it found before, when no cycle nor the depth limit cut
        that one short. Such a lookup visits no name of ``seen`` (one of them, followed
        the same way again, would have led back to itself: a cycle), so a lookup asked
        with other ``seen`` finds the same, unless its depth with the depth the first
        went below it passes the limit."""
        kept = self._whole.get(key)
        if kept is not None and depth + kept[1] <= MAX_DEPTH:
            self._deepest = max(self._deepest, depth + kept[1])
            return kept[0]
        cuts, deepest = self._cuts, self._deepest
        self._deepest = depth
        hits = self._lookup(view, parts, seen, depth)
        below = self._deepest - depth
        self._deepest = max(deepest, self._deepest)
        if self._cuts == cuts:
            self._whole[key] = (hits, below)
        return hits

    def _lookup(self, view: ModuleView, parts: Sequence[str], seen: tuple[str, ...], depth: int) -> list[Hit]:
        key = f"{view.repo}/{view.path}:{'.'.join(parts)}"  # a stub shares its module's name
        if key in seen or depth > MAX_DEPTH:
            self._cuts += 1
            return []
        self._deepest = max(self._deepest, depth)
        seen = (*seen, key)
        full = ".".join(parts)
        direct = [d for d in view.defs(full) if self.sets(view, d)]
        plain = [Hit(view, d, "direct", penalty(view, d)) for d in direct]
        hits = [h for hit in plain for h in self.follow_alias(hit, seen, depth)]
        if direct and not all(d.flags & FALLBACK for d in direct):
            return self._as_built(view, parts, hits) if len(parts) > 1 else hits
        # ``X = None`` where importing X failed stands in for X: the import is X, when it works
        fallbacks, hits = hits, []
        head, rest = parts[0], parts[1:]
        owners = [d for d in view.defs(head) if not d.flags & FALLBACK] if rest else []
        if owners and rest:
            for owner in owners:
                base = Hit(view, owner, "direct", penalty(view, owner))
                for target in self.follow_alias(base, seen, depth):
                    if target.definition.kind == "class":
                        hits.extend(self.of_class(target.view, target.definition.qualname, rest[0], rest[1:]))
            return hits
        for imp in view.imports(head):
            hits.extend(self.through_import(view, imp, rest, seen, depth))
        # a submodule of a package: transformers.models (from a stub, the submodule's stub)
        if view.is_package and not hits:
            sub = self.imported_module(view, f"{view.module}.{head}")
            if sub is not None:
                return (
                    [self.module_hit(sub, "direct")] if not rest else self.lookup(sub, rest, seen, depth + 1)
                )
        # star imports, lazy ones included (``dir(dummy_pt_objects)``): also when a
        # named import was found, so that the dummy twin is listed (ranked after),
        # unless only the best answer is wanted (``thorough`` off)
        if hits and not self.thorough:
            return hits + fallbacks
        for imp in view.imports("*"):
            star_module = absolute(view, imp)
            hits.extend(self.through_star(view, imp, star_module, parts, seen, depth))
        return hits + fallbacks

    def through_import(
        self, view: ModuleView, imp: Import, rest: Sequence[str], seen: tuple[str, ...], depth: int
    ) -> list[Hit]:
        target = absolute(view, imp)
        how = import_how(view, imp)
        if not imp.name:  # import a.b [as c]
            module = self.imported_module(view, target)
            if module is None:
                return []
            hits = (
                [self.module_hit(module, "direct")]
                if not rest
                else self.lookup(module, rest, seen, depth + 1)
            )
        else:
            module = self.imported_module(view, target)
            if module is None:
                return self.through_stub(view, imp, target, rest, seen, depth)
            sub = self.imported_module(view, f"{target}.{imp.name}") if module.is_package else None
            if sub is not None and not module.defs(imp.name) and not self.rebinds(module, imp.name):
                hits = (
                    [self.module_hit(sub, "direct")] if not rest else self.lookup(sub, rest, seen, depth + 1)
                )
            else:
                hits = self.lookup(module, [imp.name, *rest], seen, depth + 1)
        extra = 40 if imp.flags & TYPE_CHECKING_ONLY and not view.is_lazy else 0  # said once, here
        return [h._replace(via=chain(how, h.via), penalty=h.penalty + extra) for h in hits]

    @staticmethod
    def rebinds(package: ModuleView, name: str) -> bool:
        """Whether the package's ``__init__`` imports ``name`` from somewhere else than
        its submodule ``name``: ``from .tqdm import tqdm`` runs after the submodule is
        imported (which set the attribute), so the class, not the module, is what the
        package holds."""
        submodule = f"{package.module}.{name}"
        return any(
            imp.name and imp.name != "*" and f"{absolute(package, imp)}.{imp.name}" != submodule
            for imp in package.imports(name)
        )

    def imported_module(self, view: ModuleView, name: str) -> ModuleView | None:
        """Module ``name`` as an import in ``view`` reaches it: from a stub, the module's
        own stub when it has one (as type checkers read stubs), else the module."""
        if view.is_stub:
            stub = self.facts.stub(name)
            if stub is not None:
                return stub
        return self.facts.module(name)

    def view_of(self, row: FileRow) -> ModuleView | None:
        """The module view of an index row (a ``.pyi`` row: that stub, of the module's
        stubs)."""
        if row.path.endswith(".pyi"):
            return self.facts.stub(row.module, row.path)
        return self.facts.module(row.module)

    def through_stub(
        self,
        view: ModuleView,
        imp: Import,
        target: str,
        rest: Sequence[str],
        seen: tuple[str, ...],
        depth: int,
    ) -> list[Hit]:
        """``from ._rust import safe_open`` where the module has no Python source (a
        compiled extension): what the importing module's own stub declares, if it has
        one (``safetensors/__init__.pyi``)."""
        stub = self.facts.stub(view.module)
        if stub is None or stub.path == view.path:
            return []
        how = f"imported from {target}, compiled code with no Python source; declared in the stub {stub.path}"
        return [
            h._replace(via=chain(how, h.via)) for h in self.lookup(stub, [imp.name, *rest], seen, depth + 1)
        ]

    def through_star(
        self,
        view: ModuleView,
        imp: Import,
        target: str,
        parts: Sequence[str],
        seen: tuple[str, ...],
        depth: int,
    ) -> list[Hit]:
        """``from target import *``: only modules under ``target`` that define the name
        are visited (found by name in the index, not by loading every module); when none
        does, those that import it, which a star import exports as well unless their
        ``__all__`` says otherwise (``DummyObject``, imported by the dummy modules that
        transformers exposes whole through ``dir()``)."""
        head = parts[0]

        def through(rows: Sequence[FileRow]) -> list[Hit]:
            hits: list[Hit] = []
            visited: set[str] = set()
            for row in rows:
                if row.module in visited or not (row.module == target or row.module.startswith(target + ".")):
                    continue
                visited.add(row.module)
                owner = self.view_of(row)
                if owner is None or not owner.exports(head):
                    continue
                hops_chain = self.star_chain(target, row.module)
                if hops_chain is None:
                    continue
                found = self.lookup(owner, parts, seen, depth + 1)
                how = import_how(view, imp)
                hops = " → ".join(hops_chain[:-1])
                via_text = f"{how}, via {hops}" if hops else how
                hits.extend(h._replace(via=chain(via_text, h.via)) for h in found)
            return hits

        defining = through([row for row, definition in self.facts.defs_named(head) if not definition.parent])
        if defining:
            return defining
        importing = through([row for row, found in self.facts.importers(head) if found.name not in ("", "*")])
        if importing:
            return importing
        # read as Python reads it, in ``target`` itself: the searches by name above look in
        # the question's repositories only, and miss a module of another pin (datasets'
        # ``from .features import *`` in a transformers question)
        module = self.facts.module(target)
        if module is None or module.repo == self.facts.repo or not module.exports(head):
            return []
        how = import_how(view, imp)
        return [h._replace(via=chain(how, h.via)) for h in self.lookup(module, parts, seen, depth + 1)]

    def star_chain(self, start: str, end: str) -> list[str] | None:
        """Modules from ``start`` down to ``end`` where each star-imports (or lazily
        exposes) the next; None when ``end`` is not reachable that way."""
        path = [start]
        current = start
        while current != end:
            view = self.facts.module(current)
            if view is None:
                return None
            step = end[len(current) + 1 :].split(".")[0]
            child = f"{current}.{step}"
            imported = any(absolute(view, i) == child for i in view.imports("*"))
            # A lazy package exposes its submodules, except the modular_*.py sources:
            # transformers' define_import_structure skips them.
            if not imported and (not view.is_lazy or step.startswith("modular_")):
                return None
            path.append(child)
            current = child
        return path

    def _as_built(self, view: ModuleView, parts: Sequence[str], hits: list[Hit]) -> list[Hit]:
        """``Class.member`` its body defines, named in full: what import time set in its
        place first, as :meth:`members` finds it by the class's name (the body's def never
        runs); a def a decorator wraps is still the one named, it runs inside the wrapper."""
        owner = ".".join(parts[:-1])
        if not any(d.kind == "class" for d in view.defs(owner)):
            return hits
        mro = self.mro(view, owner)
        return rebinding.rebound_at_import(self, mro, parts[-1], hits) if mro else hits

    def follow_alias(self, hit: Hit, seen: tuple[str, ...], depth: int) -> list[Hit]:
        definition = hit.definition
        if definition.kind != "alias" or not definition.target:
            return [hit]
        if depth > MAX_DEPTH:
            self._cuts += 1
            return [hit]
        where = f"{hit.view.path}:{definition.line}"
        if definition.flags & BOUND_BY_IMPORT:  # ``from .x import f`` in a class body
            module, _, name = definition.target.partition(":")
            level = len(module) - len(module.lstrip("."))
            imp = Import(level, module.lstrip("."), name, definition.name, definition.line)
            targets = self.through_import(hit.view, imp, [], seen, depth + 1)
            how = f"{definition.name} is bound in the body of {definition.parent} by an import ({where})"
        else:
            targets = self.lookup(hit.view, definition.target.split("."), seen, depth + 1)
            how = f"{definition.name} is an alias of {definition.target} ({where})"
        real = [t for t in targets if t.definition.kind in ("class", "function", "method")]
        if not real:
            return [hit]
        return [
            t._replace(
                via=chain(how, t.via),
                penalty=t.penalty + hit.penalty,
                alias=(hit.view, definition),
            )
            for t in real
        ]

    def members(self, view: ModuleView, class_qualname: str, member: str, rest: Sequence[str]) -> list[Hit]:
        """``member`` of a class, as Python finds it: through the MRO (a property
        anywhere in it before an instance attribute; aliases and members bound by an
        import followed), and what import time and class creation set in its place.
        Found once: every call on ``self`` in a class's methods asks it again."""
        key = (view.repo, view.path, class_qualname, member, tuple(rest), self.thorough)
        if key not in self._members:
            self._members[key] = self._members_of(view, class_qualname, member, rest)
        return list(self._members[key])

    def _members_of(
        self, view: ModuleView, class_qualname: str, member: str, rest: Sequence[str]
    ) -> list[Hit]:
        mro = self.mro(view, class_qualname)
        hits = self._through_mro(mro, class_qualname, member, rest)
        if rest or not mro:
            return hits
        return rebinding.with_rebinds(self, mro, member, hits)

    def as_written(self, view: ModuleView, class_qualname: str, member: str) -> list[Hit]:
        """``member`` of a class as its body defines it, else as a base's
        ``__init_subclass__`` set it when the class was made, else as its first base has
        it, before its decorators (or import time) set another: what a class decorator
        reading ``cls.member`` gets (``@use_experts_implementation`` keeps the class's own
        forward; ``@strict`` on a transformers config wraps the ``__init__``
        ``wrap_init_to_accept_kwargs`` set)."""
        mro = self.mro(view, class_qualname)
        own = self._through_mro(mro[:1], class_qualname, member, ())
        if own or len(mro) < 2:
            return own
        base_view, base = mro[1]
        how = f"inherited from {base.name} (MRO of {class_qualname.rpartition('.')[2]})"
        inherited = [
            h._replace(via=chain(how, h.via)) for h in self.members(base_view, base.qualname, member, ())
        ]
        return rebinding.made_at_creation(self, mro, member, bool(inherited)) or inherited

    def of_class(self, view: ModuleView, class_qualname: str, member: str, rest: Sequence[str]) -> list[Hit]:
        """``Class.member`` read on the class itself: as :meth:`members` finds it, else
        in its metaclass (Python looks an attribute of a class up in its type after its
        MRO: ``HfFileSystem.__call__`` is its metaclass ``_Cached``'s)."""
        hits = self.members(view, class_qualname, member, rest)
        meta = self.metaclass(view, class_qualname) if not hits and not rest else None
        if meta is None:
            return hits
        how = f"{class_qualname.rpartition('.')[2]}'s metaclass is {meta[1].name}"
        found = self.members(meta[0], meta[1].qualname, member, ())
        return [h._replace(via=chain(how, h.via)) for h in found]

    def metaclass(self, view: ModuleView, class_qualname: str) -> ClassRef | None:
        """The metaclass of a class: the one the first class of its MRO that names one
        (``metaclass=``) names, when codewalk can read it."""
        named = next(((v, c) for v, c in self.mro(view, class_qualname) if c.target), None)
        if named is None:
            return None
        found = self.lookup(named[0], named[1].target.split("."), (), 0)
        return next(((h.view, h.definition) for h in found if h.definition.kind == "class"), None)

    def _through_mro(
        self, mro: list[ClassRef], class_qualname: str, member: str, rest: Sequence[str]
    ) -> list[Hit]:
        for index, (owner_view, owner) in enumerate(mro):
            found = [d for d in owner_view.defs(f"{owner.qualname}.{member}") if self.sets(owner_view, d)]
            if not found:
                continue
            definitions = sorted(found, key=lambda d: penalty(owner_view, d))
            via = (
                "direct"
                if index == 0
                else f"inherited from {owner.name} (MRO of {class_qualname.rpartition('.')[2]})"
            )
            hits = [Hit(owner_view, d, via, penalty(owner_view, d)) for d in definitions]
            if rest:
                nested = [h for h in hits if h.definition.kind == "class"]
                return [
                    x for h in nested for x in self.members(h.view, h.definition.qualname, rest[0], rest[1:])
                ]
            if all(d.kind == "attribute" for d in definitions):
                descriptor = self._property_after(mro[index + 1 :], member, owner)
                if descriptor:  # a data descriptor on the type wins over the instance's dict
                    return descriptor + [h._replace(penalty=h.penalty + 5) for h in hits]
            return [x for h in hits for x in self.follow_alias(h, (), 0)]
        return []

    def sets(self, view: ModuleView, d: Definition) -> bool:
        """Whether ``d`` is set: any definition but an attribute ``self.M(x=...)`` may
        set (:data:`SET_BY_CALL`), where ``M`` of the class's MRO does not set its keywords."""
        if not d.flags & SET_BY_CALL:
            return True
        method = setting_method(d)
        for owner_view, owner in self.mro(view, d.parent) if method else []:
            methods = owner_view.defs(f"{owner.qualname}.{method}")
            if methods:
                return any(m.flags & SETS_KEYWORDS for m in methods)
        return False

    def _property_after(self, later: list[ClassRef], member: str, setter: Definition) -> list[Hit]:
        """A property ``member`` on a class later in the MRO: Python finds it before the
        instance attribute ``setter``'s methods assign (a property is a data descriptor)."""
        for owner_view, owner in later:
            found = [d for d in owner_view.defs(f"{owner.qualname}.{member}") if d.kind == "property"]
            if found:
                how = (
                    f"a property of {owner.name}: Python finds it before the instance attribute "
                    f"{setter.name}'s methods assign (a data descriptor wins)"
                )
                return [Hit(owner_view, d, how, penalty(owner_view, d)) for d in found]
        return []

    def read_bases(self, classes: Sequence[ClassRef]) -> None:
        """Read ahead, for many classes at once and in a few queries for all their
        modules, what :meth:`bases` reads first of those not asked yet: the names their
        bases are written with, there as definitions, else as imports (the module's star
        imports too). Only a read ahead: what it leaves out is read when looked up."""
        wanted: dict[int, tuple[ModuleView, list[str], list[str]]] = {}
        for view, d in classes:
            if (view.repo, view.path, d.qualname, d.line, self.thorough) in self._bases:
                continue
            _, names, imported = wanted.setdefault(id(view), (view, [], ["*"]))
            for base in d.bases:
                head = base.partition(".")[0]
                names.extend((base, head))
                imported.append(head)
        if wanted:
            self.facts.read(list(wanted.values()))

    def read_classes(self, classes: Sequence[tuple[ModuleView, str]], member: str) -> None:
        """Read ahead, for many classes at once and in a few queries for all their
        modules, what finding ``member`` on each reads first: the class and its own
        ``member``, then the names its bases are written with (there as definitions,
        else as imports; the module's star imports), with their own ``member`` and the
        ``__init_subclass__`` that class creation looks for, and so on for a base its
        module defines. Only a read ahead: what it leaves out is read when looked up."""
        no_imports: list[str] = []
        asked = [(view, [qualname, f"{qualname}.{member}"], no_imports) for view, qualname in classes]
        for _ in range(_READ_ROUNDS):
            self.facts.read(asked)
            bases: dict[int, tuple[ModuleView, list[str], list[str]]] = {}
            for view, qualnames, _ in asked:
                for d in (d for q in qualnames for d in view.defs(q) if d.kind == "class"):
                    _, names, imported = bases.setdefault(id(view), (view, [], ["*"]))
                    for base in d.bases:
                        head = base.partition(".")[0]
                        names.extend((base, head, f"{base}.{member}", f"{base}.__init_subclass__"))
                        imported.append(head)
            asked = []
            for view, names, imported in bases.values():
                unread, unimported = view.unread(names, imported)
                if unread or unimported:
                    asked.append((view, unread, unimported))
            if not asked:
                return

    def mro(self, view: ModuleView, class_qualname: str) -> list[ClassRef]:
        """C3 linearization over the bases the index can resolve (``nn.Module`` and
        other classes outside the repo are left out)."""
        key = (view.repo, view.path, class_qualname)
        if key not in self._mro:
            classes = [d for d in view.defs(class_qualname) if d.kind == "class"]
            self._mro[key] = linearize((view, classes[0]), self.bases, self._linear) if classes else []
        return self._mro[key]

    def bases(self, cls: ClassRef) -> list[ClassRef]:
        """The bases of ``cls`` that resolve to classes, each its best candidate (looked
        up once: every class deriving from a class asks this of each candidate)."""
        view, definition = cls
        key = (view.repo, view.path, definition.qualname, definition.line, self.thorough)
        if key not in self._bases:
            self._bases[key] = self._bases_of(view, definition)
        return self._bases[key]

    def _bases_of(self, view: ModuleView, definition: Definition) -> list[ClassRef]:
        bases: list[ClassRef] = []
        for base in definition.bases:
            found = self.lookup(view, base.split("."), (), 0)
            classes = [h for h in found if h.definition.kind == "class"]
            if classes:
                best = min(classes, key=lambda h: h.penalty)
                bases.append((best.view, best.definition))
        return bases

    def through_type(self, hits: list[Hit], member: str) -> list[Hit]:
        """``member`` of the class an attribute holds, as its source says: the annotation
        (``config: LlamaConfig``), the constructor (``self.model = LlamaModel(config)``)
        or a property's return annotation."""
        found: list[Hit] = []
        for hit in hits:
            type_name = declared_type(hit.definition)
            if not type_name:
                continue
            classes = [
                h for h in self.lookup(hit.view, type_name.split("."), (), 0) if h.definition.kind == "class"
            ]
            for cls in classes[:1]:
                article = "an" if cls.definition.name[:1].lower() in "aeiou" else "a"
                via = f"{hit.definition.name} is {article} {cls.definition.name} ({declared_how(hit)})"
                found.extend(
                    h._replace(via=chain(via, h.via))
                    for h in self.members(cls.view, cls.definition.qualname, member, ())
                )
            if found:
                return found
        return found


def absolute(view: ModuleView, imp: Import) -> str:
    """The absolute module an import names (relative imports resolved from ``view``)."""
    return imp.absolute(view.module, view.is_package)


def import_how(view: ModuleView, imp: Import) -> str:
    """How a name reached ``view`` through ``imp``, for ``via``."""
    if imp.flags & LEGACY_ALIAS:
        return f"legacy module path {view.module}.{imp.asname}, served as {view.module}.{imp.name}"
    if imp.flags & LAZY:
        if imp.level == 0:
            return f"re-exported by {view.module} (lazy module __getattr__ table)"
        return f"re-exported by {view.module} (lazy _import_structure)"
    if view.is_lazy:
        return f"re-exported by {view.module} (lazy module)"
    if imp.flags & TYPE_CHECKING_ONLY:
        if view.defs("__getattr__"):  # huggingface_hub's lazy attach: the import says from where
            return f"re-exported by {view.module} (lazy module __getattr__; imported under TYPE_CHECKING)"
        return f"imported by {view.module} under TYPE_CHECKING only"
    if imp.name == "*":
        return f"star-imported by {view.module}"
    return f"imported by {view.module}"
