"""Source text in, index records out: the pure extractor of the bulk index.

stdlib ``ast``, not LibCST, on purpose: over ``src/transformers`` LibCST's parse takes
over ten times as long, and with positions some fifty times (``bench/bench_index.py``).
``ast`` gives all the index needs: 1-based lines, 0-based columns, ``end_lineno`` for
spans, decorators, imports, dict literals and every ``Name``/``Attribute`` use. The two
comment-borne facts are read from the source lines next to the nodes: ``# Copied from
transformers.X`` above a definition, and the "automatically generated from
src/.../modular_x.py" header. LibCST does what it is better at elsewhere: binding
analysis of one function's body, for the call facts.

Pure: bytes in, :class:`~codewalk.index.records.ModuleFacts` (or
:class:`~codewalk.index.records.Skipped`) out; no disk, no heavy imports.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence

from codewalk import parsing
from codewalk.index import attributes, bindings, dataclassing, lazy
from codewalk.index.declared import declared
from codewalk.index.records import (
    DUMMY,
    FALLBACK,
    OVERLOAD,
    PROTOCOL,
    REBOUND,
    SETS_KEYWORDS,
    SETS_OUTSIDE,
    SETTER,
    TYPE_CHECKING_ONLY,
    Definition,
    DictEntry,
    Import,
    ModuleFacts,
    Skipped,
)
from codewalk.index.syntax import (
    FunctionNode,
    catches_import_failure,
    decorator_name,
    dedent,
    doc_line,
    dotted,
    is_none,
    is_type_checking,
    literal_or_dotted,
    name_uses,
    paired_dict,
    start_line,
    statements,
    string_list,
    unsubscript,
)

_INIT_METHODS = ("__init__", "__post_init__")  # where instance attributes are made first
_NOT_ON_SELF = ("staticmethod", "classmethod")  # methods whose first argument is not the instance

_COPIED_RE = re.compile(r"#\s*Copied from\s+([A-Za-z_][\w.]*)")
_GENERATED_RE = re.compile(r"automatically generated from\s+(\S+?\.py)\b")
_HEADER_LIMIT = 30  # lines a def/class header may span before we stop looking for its colon


def extract(data: bytes | str) -> ModuleFacts | Skipped:
    """Extract the facts of one Python file. Never raises for bad input: a file that
    does not parse (templates, Python 2 leftovers, bad encodings) is a ``Skipped``."""
    try:
        tree = parsing.parse(data)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "unknown line"
        return Skipped(f"syntax error at {where}: {exc.msg}")
    except (ValueError, UnicodeDecodeError) as exc:  # null bytes, undecodable text
        return Skipped(f"cannot decode as Python source: {exc}")
    try:
        return _facts(data, tree)
    except RecursionError:  # parsed, but too deep to walk (a sum of a thousand terms)
        return Skipped("nested too deeply to read")


def _facts(data: bytes | str, tree: ast.Module) -> ModuleFacts:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    lines = text.splitlines()
    collector = _Collector(lines)
    collector.body(tree.body, parent="", in_class=False, flags=0)
    return ModuleFacts(
        definitions=tuple(collector.definitions),
        imports=(*collector.imports, *lazy.getattr_tables(collector.definitions, collector.entries)),
        entries=tuple(collector.entries),
        all_names=tuple(collector.all_names) if collector.all_names is not None else None,
        generated_from=generated_from(lines),
        refs=tuple(name_uses(tree)),
        lines=text.count("\n") + (0 if text.endswith("\n") or not text else 1),
    )


def generated_from(lines: Sequence[str]) -> str:
    """The modular source named in a generated file's header, or ""."""
    for line in lines[:12]:
        match = _GENERATED_RE.search(line)
        if match:
            return match.group(1)
    return ""


class _Collector:
    """Walks module and class bodies (and the compound statements inside them)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.definitions: list[Definition] = []
        self.imports: list[Import] = []
        self.entries: list[DictEntry] = []
        self.all_names: list[str] | None = None
        self._methods: dict[str, list[tuple[FunctionNode, int]]] = {}  # class -> its methods, for attributes

    # -- walking -------------------------------------------------------------------
    def body(self, stmts: Sequence[ast.stmt], *, parent: str, in_class: bool, flags: int) -> None:
        for stmt in stmts:
            self.statement(stmt, parent=parent, in_class=in_class, flags=flags)

    def statement(self, stmt: ast.stmt, *, parent: str, in_class: bool, flags: int) -> None:
        if isinstance(stmt, ast.ClassDef):
            self.class_def(stmt, parent, flags)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            self.function_def(stmt, parent, in_class, flags)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            self.assignment(stmt, parent, flags)
            if isinstance(stmt, ast.Assign) and not parent:
                self.set_outside(stmt)
        elif isinstance(stmt, ast.AugAssign):
            self.aug_assignment(stmt, parent)
        elif isinstance(stmt, ast.Expr) and not parent:
            self.imports += lazy.from_call(stmt)
        elif isinstance(stmt, ast.Import | ast.ImportFrom) and not in_class:
            self.import_(stmt, flags)
        elif isinstance(stmt, ast.Import | ast.ImportFrom):  # members bound by an import
            self.definitions += bindings.class_body_import(stmt, parent, flags, self.line_text)
        elif isinstance(stmt, ast.If):
            inner = flags | TYPE_CHECKING_ONLY if is_type_checking(stmt.test) else flags
            self.body(stmt.body, parent=parent, in_class=in_class, flags=inner)
            self.body(stmt.orelse, parent=parent, in_class=in_class, flags=flags)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody):
                self.body(block, parent=parent, in_class=in_class, flags=flags)
            for handler in stmt.handlers:
                # at module level, what a failed import leaves in place of the name
                fallback = FALLBACK if not parent and catches_import_failure(handler) else 0
                self.body(handler.body, parent=parent, in_class=in_class, flags=flags | fallback)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            self.body(stmt.body, parent=parent, in_class=in_class, flags=flags)

    # -- definitions ---------------------------------------------------------------
    def class_def(self, node: ast.ClassDef, parent: str, flags: int) -> None:
        qualname = f"{parent}.{node.name}" if parent else node.name
        bases = tuple(b for b in (dotted(unsubscript(base)) for base in node.bases) if b)
        metaclass = next((dotted(k.value) for k in node.keywords if k.arg == "metaclass"), "")
        if metaclass.endswith("DummyObject"):
            flags |= DUMMY
        decorators = tuple(d for d in (decorator_name(d) for d in node.decorator_list) if d)
        made = self.defined(node, qualname, parent, "class", flags, decorators, bases)
        unmade = 0  # what its @dataclass(init=False, ...) does not make: the class's, not its members'
        for decorator in node.decorator_list:
            if dataclassing.names_dataclass(decorator_name(decorator)):
                unmade |= dataclassing.unmade(decorator)
        self.definitions.append(made._replace(target=metaclass, flags=made.flags | unmade))
        self.definitions += bindings.decorator_facts(node, qualname, self.line_text)
        members = flags & ~DUMMY
        if any(base.rpartition(".")[2] == "Protocol" for base in bases):
            members |= PROTOCOL
        self.body(node.body, parent=qualname, in_class=True, flags=members)
        self.class_attributes(qualname)

    def defined(
        self,
        node: ast.ClassDef | FunctionNode,
        qualname: str,
        parent: str,
        kind: str,
        flags: int,
        decorators: tuple[str, ...],
        bases: tuple[str, ...] = (),
    ) -> Definition:
        """The definition a ``class`` or ``def`` statement makes."""
        return Definition(
            qualname=qualname,
            name=node.name,
            kind=kind,
            parent=parent,
            line=node.lineno,
            col=node.col_offset,
            start_line=start_line(node),
            end_line=node.end_lineno or node.lineno,
            signature=self.header(node),
            doc=doc_line(node),
            bases=bases,
            decorators=decorators,
            flags=flags,
            copied_from=self.copied_from(node),
        )

    def class_attributes(self, qualname: str) -> None:
        """``self.x = ...`` in the methods of class ``qualname``: where a model's parts
        (``self.model``, ``self.layers``) are made, and what a trainer holds
        (``self.accelerator``, set in ``create_accelerator_and_postprocess``). The first
        assignment of each name, ``__init__`` read first, and each later one that says a
        type none before it said (``self.time_proj = GaussianFourierProjection(...)`` in one
        branch, ``Timesteps(...)`` in the other: either may be what it holds; a first
        ``self.generation_config = self.generation_config.from_dict(...)``, then
        ``GenerationConfig.from_pretrained(...)``); ``self.K(...)`` of a class the class
        body binds to ``K`` makes one of it (:func:`~codewalk.index.attributes.held_classes`); a
        first ``self.x = None`` is a placeholder, replaced by the first assignment that
        says a type (``self.mid_block = None``, then ``UNetMidBlock2D(...)``); a name the
        class body itself defines is left to that definition. A call of a method that
        sets an attribute sets it too (:mod:`~codewalk.index.attributes`)."""
        methods = self._methods.pop(qualname, [])
        methods.sort(key=lambda item: item[0].name not in _INIT_METHODS)  # stable: source order otherwise
        own = {d.name for d in self.definitions if d.parent == qualname}
        seen: dict[str, list[str]] = {}
        placeholders: dict[str, Definition] = {}
        calls_setting = attributes.Setters([node for node, _ in methods])
        classes = attributes.held_classes(d for d in self.definitions if d.parent == qualname)
        for node, flags in methods:
            skip = set() if node.name in _INIT_METHODS else own
            setting = (calls_setting, classes)
            self.instance_attributes(node, qualname, flags, (seen, placeholders), skip, setting)

    def function_def(self, node: FunctionNode, parent: str, in_class: bool, flags: int) -> None:
        decorators = tuple(d for d in (decorator_name(d) for d in node.decorator_list) if d)
        kind = "method" if in_class else "function"
        for decorator in decorators:
            last = decorator.rpartition(".")[2]
            if last in ("property", "cached_property") and in_class:
                kind = "property"
            elif last in ("setter", "deleter") and in_class:
                kind, flags = "property", flags | SETTER
            elif last == "overload":
                flags |= OVERLOAD
        qualname = f"{parent}.{node.name}" if parent else node.name
        own = SETS_KEYWORDS if kind == "method" and bindings.sets_keywords(node) else 0  # not its attributes'
        self.definitions.append(self.defined(node, qualname, parent, kind, flags | own, decorators))
        # ``__init_subclass__(cls)``: cls is a class deriving from this one, what it sets is set there
        on_self = node.name != "__init_subclass__" and not any(
            d.rpartition(".")[2] in _NOT_ON_SELF for d in decorators
        )
        if kind == "method" and on_self:
            self._methods.setdefault(parent, []).append((node, flags))
        self.definitions += bindings.class_facts(node, qualname, self.line_text)
        self.definitions += bindings.keyword_uses(node, qualname, self.line_text)
        self.nested(node, qualname, flags & ~SETTER)

    def nested(self, node: FunctionNode, qualname: str, flags: int) -> None:
        """The functions and classes defined in a function's body, at any depth, named as
        Python names them (``Dataset._map_single.<locals>.apply_function``), at module
        level (no ``parent``): a bare name finds them, ranked after the module's own
        (:func:`~codewalk.resolve.ranking.definition_penalty`). A class's members are its
        own, as any class's are."""
        for stmt in statements(node.body):
            inner = f"{qualname}.<locals>.{getattr(stmt, 'name', '')}"
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                decorators = tuple(d for d in (decorator_name(d) for d in stmt.decorator_list) if d)
                self.definitions.append(self.defined(stmt, inner, "", "function", flags, decorators))
                self.nested(stmt, inner, flags)
            elif isinstance(stmt, ast.ClassDef):
                at = len(self.definitions)
                self.class_def(stmt, f"{qualname}.<locals>", flags)
                self.definitions[at] = self.definitions[at]._replace(parent="")

    def line_text(self, number: int) -> str:
        """Line ``number`` (1-based) of the file, stripped."""
        return self.lines[number - 1].strip() if 0 < number <= len(self.lines) else ""

    def instance_attributes(
        self,
        node: FunctionNode,
        parent: str,
        flags: int,
        assigned: tuple[dict[str, list[str]], dict[str, Definition]],
        skip: set[str],
        setting: tuple[attributes.Setters, Mapping[str, str]],
    ) -> None:
        """What one method sets on ``self`` (:func:`~codewalk.index.attributes.instance_sets`),
        but the names in ``skip``, and those already seen (each with the types it was
        given, added to) unless given another type; a keyword that a call may set
        (:data:`~codewalk.index.records.SET_BY_CALL`) only where nothing else set its name.
        ``assigned`` holds the types each name was given and, while a name has been set
        to ``None`` only, that placeholder's definition: the first assignment that says a
        type takes its place. ``setting``: the class's methods read for what calling one
        sets, and the names its body binds to a class (:func:`~codewalk.index.attributes.held_classes`)."""
        if not node.args.args:
            return
        seen, placeholders = assigned
        me = node.args.args[0].arg
        for stmt, attr, position, held, set_by in attributes.instance_sets(node, me, *setting):
            if attr in skip:
                continue
            if set_by:  # what a call may set: typed, and never in place of what is assigned
                if not held or attr in seen:
                    continue
            elif attr in placeholders and held:  # ``self.x = None`` first: this says what x holds
                self.definitions.remove(placeholders.pop(attr))
                seen[attr] = [held]
            else:
                if attr in seen and not attributes.another_type(seen[attr], held):
                    continue
                seen.setdefault(attr, []).append(held)
            made = self.bound(stmt, parent, attr, "attribute", position, held, flags | set_by)
            self.definitions.append(made)
            if not held and not set_by and isinstance(stmt, ast.Assign) and is_none(stmt.value):
                placeholders[attr] = made

    def assignment(self, node: ast.Assign | ast.AnnAssign, parent: str, flags: int) -> None:
        value = node.value
        names = self._assigned_names(node, parent)
        alias_target = dotted(value) if value is not None and len(names) == 1 else ""
        for name in names:
            qualname = f"{parent}.{name.id}" if parent else name.id
            self._facts_of_value(name.id, qualname, value, parent)
            rebound = bindings.rebound_by(value, name.id) if not parent and len(names) == 1 else ""
            annotation = node.annotation if isinstance(node, ast.AnnAssign) else None
            # a class body's ``x = field(default_factory=X)`` holds what its default makes
            default = dataclassing.field_default(value) if parent else value
            held = "" if alias_target or rebound or len(names) != 1 else declared(default, annotation)
            placeholder = FALLBACK if not parent and is_none(value) else 0  # X = None: not X itself
            kind = "alias" if alias_target else "variable"
            flags_of = flags | (REBOUND if rebound else 0) | placeholder
            self.definitions.append(
                self.bound(
                    node,
                    parent,
                    name.id,
                    kind,
                    (name.lineno, name.col_offset),
                    alias_target or rebound or held,
                    flags_of,
                    self.copied_from(node),
                )
            )

    def set_outside(self, node: ast.Assign) -> None:
        """``logging.Logger.warning_once = warning_once`` at module level, the name set on
        a module imported (``import logging``): a ``rebind`` fact, named as written, of
        the function it sets (transformers' ``utils/logging.py``)."""
        value = dotted(node.value)
        for target in node.targets:
            written = dotted(target) if isinstance(target, ast.Attribute) else ""
            root = written.partition(".")[0]
            imported = any(i.asname == root and not i.name for i in self.imports)  # import logging
            if value and written.count(".") >= 2 and imported:
                at = (target.lineno, target.col_offset)
                made = self.bound(node, "", written, "rebind", at, value, SETS_OUTSIDE)
                self.definitions.append(made._replace(name=written.rpartition(".")[2]))

    def bound(
        self,
        stmt: ast.stmt,
        parent: str,
        name: str,
        kind: str,
        at: tuple[int, int],
        target: str,
        flags: int,
        copied: str = "",
    ) -> Definition:
        """The definition of ``name`` an assignment ``stmt`` binds (``at``: the line and
        column of the name in it), holding ``target`` (what it aliases, or its type)."""
        text = self.lines[stmt.lineno - 1].strip() if stmt.lineno <= len(self.lines) else ""
        return Definition(
            qualname=f"{parent}.{name}" if parent else name,
            name=name,
            kind=kind,
            parent=parent,
            line=at[0],
            col=at[1],
            start_line=stmt.lineno,
            end_line=stmt.end_lineno or stmt.lineno,
            signature=text[:300],
            target=target,
            flags=flags,
            copied_from=copied,
        )

    def _assigned_names(self, node: ast.Assign | ast.AnnAssign, parent: str) -> list[ast.Name]:
        """The plain names an assignment binds (``a = ``, ``a, b = ``); a module's
        ``_import_structure[...] = [...]`` is read as the lazy imports it adds."""
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names: list[ast.Name] = []
        for target in targets:
            if isinstance(target, ast.Name):
                names.append(target)
            elif isinstance(target, ast.Tuple | ast.List):
                names.extend(e for e in target.elts if isinstance(e, ast.Name))
            elif isinstance(target, ast.Subscript) and not parent:
                self.imports += lazy.from_subscript(target, node.value)
        return names

    def _facts_of_value(self, name: str, qualname: str, value: ast.expr | None, parent: str) -> None:
        """What a value assigned to ``name`` says beyond the name: ``__all__``, a lazy
        import structure, a dict's entries (a literal's, or a list of pairs':
        ``OrderedDict([("k", "V"), ...])``; at module level, the aliases a literal holds)."""
        if name == "__all__" and not parent and value is not None:
            self.all_names = string_list(value)
        if name == lazy.STRUCTURE and not parent and isinstance(value, ast.Dict):
            self.imports += lazy.from_dict(value)
        paired = paired_dict(value) if value is not None else None
        if paired is not None:
            self.dict_entries(qualname, paired)
        if isinstance(value, ast.Dict):
            self.dict_entries(qualname, value)
            if not parent:
                self.imports += bindings.module_aliases(qualname, value)

    def aug_assignment(self, node: ast.AugAssign, parent: str) -> None:
        if parent or not isinstance(node.op, ast.Add):
            return
        target = node.target
        if isinstance(target, ast.Name) and target.id == "__all__":
            extra = string_list(node.value)
            if extra is not None:
                self.all_names = [*(self.all_names or []), *extra]
        elif isinstance(target, ast.Subscript):
            self.imports += lazy.from_subscript(target, node.value)

    # -- imports and tables ----------------------------------------------------------
    def import_(self, node: ast.Import | ast.ImportFrom, flags: int) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.partition(".")[0]
                module = alias.name if alias.asname else bound
                self.imports.append(Import(0, module, "", bound, node.lineno, flags))
            return
        for alias in node.names:
            self.imports.append(
                Import(
                    node.level,
                    node.module or "",
                    alias.name,
                    alias.asname or alias.name,
                    alias.lineno,
                    flags,
                )
            )

    def dict_entries(self, table: str, value: ast.Dict) -> None:
        for key, item in zip(value.keys, value.values, strict=False):
            if key is None:
                continue
            key_text = literal_or_dotted(key)
            value_text = literal_or_dotted(item)
            if key_text is None or value_text is None:
                continue
            self.entries.append(
                DictEntry(
                    table=table,
                    key=key_text[0],
                    value=value_text[0],
                    value_is_str=value_text[1],
                    line=item.lineno,
                    col=item.col_offset,
                )
            )

    # -- text next to nodes ----------------------------------------------------------
    def header(self, node: ast.ClassDef | FunctionNode) -> str:
        """The def/class header as written, up to the line ending with its colon."""
        first = node.lineno - 1
        stop = min(len(self.lines), first + _HEADER_LIMIT)
        if node.body and node.body[0].lineno - 1 > first:
            stop = min(stop, node.body[0].lineno - 1)
        taken: list[str] = []
        for index in range(first, max(stop, first + 1)):
            if index >= len(self.lines):
                break
            line = self.lines[index]
            taken.append(line)
            code = line.split("#", 1)[0].rstrip() if "#" in line else line.rstrip()
            if code.endswith(":") or (index == first and node.body and node.body[0].lineno == node.lineno):
                break
        return dedent(taken)

    def copied_from(self, node: ast.stmt) -> str:
        """The target of a ``# Copied from X`` comment on the lines just above ``node``."""
        index = start_line(node) - 2
        while index >= 0:
            line = self.lines[index].strip()
            if not line.startswith("#"):
                return ""
            match = _COPIED_RE.match(line)
            if match:
                return match.group(1).rstrip(".")
            index -= 1
        return ""
