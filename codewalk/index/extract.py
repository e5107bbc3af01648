"""Source text in, index records out: the pure extractor of the bulk index.

Why stdlib ``ast`` and not LibCST here
--------------------------------------
DESIGN.md names LibCST the parser of record, for its faithful layout and comments.
For the *bulk* index that choice cannot meet the target (full index of
``src/transformers``, 2,860 files and 1.21 M lines, in <= 45 s on 2 cores). Measured on
this machine: stdlib ``ast.parse`` of every file takes 2.2 s on 2 processes;
``libcst.parse_module`` alone 29 s; LibCST parse + ``MetadataWrapper`` positions + a
definitions visitor 111-136 s. On ``trainer.py``: LibCST parse 0.36 s, PositionProvider
0.63 s, ``ast.parse`` 0.06 s. So the index extractor uses ``ast``, which gives all it
needs exactly: 1-based lines, 0-based columns, ``end_lineno`` for spans, decorators,
imports, dict literals and every ``Name``/``Attribute`` use. The two comment-borne facts
the index keeps are read from the source lines next to the nodes:

- ``# Copied from transformers.X`` on the comment lines just above a definition;
- the "This file was automatically generated from src/.../modular_x.py" header.

No way was found to keep LibCST in the bulk index under the target: its parse alone
(29 s) leaves 16 s for everything else, and without ``PositionProvider`` (the 111 s part)
it yields no line numbers. Nothing else needs LibCST's layout today either: a tour's
focus statement comes from ``ast`` spans too (``focus.py``), so LibCST is not a
dependency. A feature that needs one file's comments or exact layout should parse that
one file with LibCST, where the cost is affordable.

With this extractor, ``bench/bench_index.py`` measures the full index at 1.8-2.2x the
time of a bare ``ast.parse`` of the same files in the same run (the rest is the walk for
references, the rows and SQLite): 14-16 s on the 2 shared cores, against the 45 s target.

Everything here is pure: bytes in, :class:`~codewalk.index.records.ModuleFacts` (or
:class:`~codewalk.index.records.Skipped`) out; no disk, no imports of heavy libraries.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence

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
    ModuleFacts,
    Skipped,
)

_INIT_METHODS = ("__init__", "__post_init__")  # where instance attributes are made

_COPIED_RE = re.compile(r"#\s*Copied from\s+([A-Za-z_][\w.]*)")
_GENERATED_RE = re.compile(r"automatically generated from\s+(\S+?\.py)\b")
_MODULE_PATH_RE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_HEADER_LIMIT = 30  # lines a def/class header may span before we stop looking for its colon
_LAZY_DICT = "_import_structure"

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def extract(data: bytes | str) -> ModuleFacts | Skipped:
    """Extract the facts of one Python file. Never raises for bad input: a file that
    does not parse (templates, Python 2 leftovers, bad encodings) is a ``Skipped``."""
    try:
        tree = ast.parse(data)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "unknown line"
        return Skipped(f"syntax error at {where}: {exc.msg}")
    except (ValueError, UnicodeDecodeError) as exc:  # null bytes, undecodable text
        return Skipped(f"cannot decode as Python source: {exc}")
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    lines = text.splitlines()
    collector = _Collector(lines)
    collector.body(tree.body, parent="", in_class=False, flags=0)
    return ModuleFacts(
        definitions=tuple(collector.definitions),
        imports=(*collector.imports, *_getattr_tables(collector)),
        entries=tuple(collector.entries),
        all_names=tuple(collector.all_names) if collector.all_names is not None else None,
        generated_from=generated_from(lines),
        refs=tuple(_references(tree)),
    )


def _getattr_tables(collector: _Collector) -> list[Import]:
    """A module with a module-level ``__getattr__`` and a table ``{"Name": "pkg.module"}``
    (``transformers.pipelines``) exposes each name lazily from that module."""
    if not any(d.qualname == "__getattr__" for d in collector.definitions):
        return []
    tables: dict[str, list[DictEntry]] = {}
    for entry in collector.entries:
        if "." not in entry.table:
            tables.setdefault(entry.table, []).append(entry)
    found: list[Import] = []
    for entries in tables.values():
        if all(
            e.value_is_str and e.key.isidentifier() and _MODULE_PATH_RE.fullmatch(e.value) for e in entries
        ):
            found.extend(Import(0, e.value, e.key, e.key, e.line, LAZY) for e in entries)
    return found


def generated_from(lines: Sequence[str]) -> str:
    """The modular source named in a generated file's header, or ""."""
    for line in lines[:12]:
        match = _GENERATED_RE.search(line)
        if match:
            return match.group(1)
    return ""


def dotted(node: ast.expr) -> str:
    """``a.b.c`` for a chain of names and attributes; "" for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def name_at(data: bytes | str, line: int, col: int) -> tuple[str, str] | None:
    """The dotted name under a cursor and the qualname of the class around it.

    Returns ``("self.model.generate", "LlamaForCausalLM")`` style pairs: the chain of
    names up to and including the part under the cursor. ``None`` when the cursor is
    on nothing nameable or the file does not parse.
    """
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return None
    best: tuple[str, str] | None = None
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, cls = stack.pop()
        if isinstance(node, ast.ClassDef):
            start = _name_col(node, "class")
            if node.lineno == line and start <= col < start + len(node.name):
                return (f"{cls}.{node.name}" if cls else node.name, "")
            inner = f"{cls}.{node.name}" if cls else node.name
            # bases, keywords and decorators are evaluated outside the class body
            stack.extend((outer, cls) for outer in (*node.bases, *node.keywords, *node.decorator_list))
            stack.extend((statement, inner) for statement in node.body)
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            keyword = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
            start = _name_col(node, keyword)
            if node.lineno == line and start <= col < start + len(node.name):
                return (f"{cls}.{node.name}" if cls else node.name, "")
        elif isinstance(node, ast.Name):
            if node.lineno == line and node.col_offset <= col < (node.end_col_offset or 0):
                return (node.id, cls)
        elif isinstance(node, ast.Attribute) and node.end_lineno == line:
            end = node.end_col_offset or 0
            if end - len(node.attr) <= col < end:
                chain = dotted(node)
                return (chain, cls) if chain else (f"?.{node.attr}", cls)
        elif (
            isinstance(node, ast.alias)
            and node.lineno == line
            and node.col_offset <= col < (node.end_col_offset or 0)
        ):
            best = (node.name, cls)
        stack.extend((child, cls) for child in ast.iter_child_nodes(node))
    return best


def _name_col(node: ast.ClassDef | FunctionNode, keyword: str) -> int:
    return node.col_offset + len(keyword) + 1


def _references(tree: ast.AST) -> Iterable[tuple[str, int, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield (node.id, node.lineno, node.col_offset)
        elif isinstance(node, ast.Attribute):
            end_line, end_col = node.end_lineno, node.end_col_offset
            if end_line is not None and end_col is not None:
                yield (node.attr, end_line, end_col - len(node.attr))
        elif isinstance(node, ast.alias) and node.name != "*":
            yield (node.name.rpartition(".")[2], node.lineno, node.col_offset)


class _Collector:
    """Walks module and class bodies (and the compound statements inside them)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.definitions: list[Definition] = []
        self.imports: list[Import] = []
        self.entries: list[DictEntry] = []
        self.all_names: list[str] | None = None

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
        elif isinstance(stmt, ast.AugAssign):
            self.aug_assignment(stmt, parent)
        elif isinstance(stmt, ast.Expr) and not parent:
            self.lazy_extend(stmt)
        elif isinstance(stmt, ast.Import | ast.ImportFrom) and not in_class:
            self.import_(stmt, flags)
        elif isinstance(stmt, ast.If):
            inner = flags | TYPE_CHECKING_ONLY if _is_type_checking(stmt.test) else flags
            self.body(stmt.body, parent=parent, in_class=in_class, flags=inner)
            self.body(stmt.orelse, parent=parent, in_class=in_class, flags=flags)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody):
                self.body(block, parent=parent, in_class=in_class, flags=flags)
            for handler in stmt.handlers:
                self.body(handler.body, parent=parent, in_class=in_class, flags=flags)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            self.body(stmt.body, parent=parent, in_class=in_class, flags=flags)

    # -- definitions ---------------------------------------------------------------
    def class_def(self, node: ast.ClassDef, parent: str, flags: int) -> None:
        qualname = f"{parent}.{node.name}" if parent else node.name
        bases = tuple(b for b in (dotted(_unsubscript(base)) for base in node.bases) if b)
        for keyword in node.keywords:
            if keyword.arg == "metaclass" and dotted(keyword.value).endswith("DummyObject"):
                flags |= DUMMY
        decorators = tuple(d for d in (_decorator_name(d) for d in node.decorator_list) if d)
        self.definitions.append(
            Definition(
                qualname=qualname,
                name=node.name,
                kind="class",
                parent=parent,
                line=node.lineno,
                col=node.col_offset,
                start_line=_start_line(node),
                end_line=node.end_lineno or node.lineno,
                signature=self.header(node),
                doc=_doc_line(node),
                bases=bases,
                decorators=decorators,
                flags=flags,
                copied_from=self.copied_from(node),
            )
        )
        members = flags & ~DUMMY
        if any(base.rpartition(".")[2] == "Protocol" for base in bases):
            members |= PROTOCOL
        self.body(node.body, parent=qualname, in_class=True, flags=members)

    def function_def(self, node: FunctionNode, parent: str, in_class: bool, flags: int) -> None:
        decorators = tuple(d for d in (_decorator_name(d) for d in node.decorator_list) if d)
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
        self.definitions.append(
            Definition(
                qualname=qualname,
                name=node.name,
                kind=kind,
                parent=parent,
                line=node.lineno,
                col=node.col_offset,
                start_line=_start_line(node),
                end_line=node.end_lineno or node.lineno,
                signature=self.header(node),
                doc=_doc_line(node),
                decorators=decorators,
                flags=flags,
                copied_from=self.copied_from(node),
            )
        )
        if kind == "method" and node.name in _INIT_METHODS:
            self.instance_attributes(node, parent, flags)

    def instance_attributes(self, node: FunctionNode, parent: str, flags: int) -> None:
        """``self.x = ...`` in ``__init__``: where a model's parts (``self.model``,
        ``self.layers``, ``self.lm_head``) are made. The first assignment of each name."""
        if not node.args.args:
            return
        me = node.args.args[0].arg
        seen: set[str] = set()
        for stmt in ast.walk(node):
            if not isinstance(stmt, ast.Assign | ast.AnnAssign):
                continue
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if not (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == me
                    and target.attr not in seen
                ):
                    continue
                seen.add(target.attr)
                text = self.lines[stmt.lineno - 1].strip() if stmt.lineno <= len(self.lines) else ""
                self.definitions.append(
                    Definition(
                        qualname=f"{parent}.{target.attr}",
                        name=target.attr,
                        kind="attribute",
                        parent=parent,
                        line=stmt.lineno,
                        col=target.col_offset,
                        start_line=stmt.lineno,
                        end_line=stmt.end_lineno or stmt.lineno,
                        signature=text[:300],
                        flags=flags,
                    )
                )

    def assignment(self, node: ast.Assign | ast.AnnAssign, parent: str, flags: int) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        names: list[ast.Name] = []
        for target in targets:
            if isinstance(target, ast.Name):
                names.append(target)
            elif isinstance(target, ast.Tuple | ast.List):
                names.extend(e for e in target.elts if isinstance(e, ast.Name))
            elif isinstance(target, ast.Subscript) and not parent:
                self.lazy_subscript(target, value)
        alias_target = dotted(value) if value is not None and len(names) == 1 else ""
        first = self.lines[node.lineno - 1].strip() if node.lineno <= len(self.lines) else ""
        for name in names:
            qualname = f"{parent}.{name.id}" if parent else name.id
            if name.id == "__all__" and not parent and value is not None:
                self.all_names = _string_list(value)
            if name.id == _LAZY_DICT and not parent and isinstance(value, ast.Dict):
                self.lazy_dict(value)
            if isinstance(value, ast.Dict):
                self.dict_entries(qualname, value)
            self.definitions.append(
                Definition(
                    qualname=qualname,
                    name=name.id,
                    kind="alias" if alias_target else "variable",
                    parent=parent,
                    line=name.lineno,
                    col=name.col_offset,
                    start_line=node.lineno,
                    end_line=node.end_lineno or node.lineno,
                    signature=first[:300],
                    target=alias_target,
                    flags=flags,
                    copied_from=self.copied_from(node),
                )
            )

    def aug_assignment(self, node: ast.AugAssign, parent: str) -> None:
        if parent or not isinstance(node.op, ast.Add):
            return
        target = node.target
        if isinstance(target, ast.Name) and target.id == "__all__":
            extra = _string_list(node.value)
            if extra is not None:
                self.all_names = [*(self.all_names or []), *extra]
        elif isinstance(target, ast.Subscript):
            self.lazy_subscript(target, node.value)

    # -- lazy modules: transformers' ``_import_structure`` ----------------------------
    def lazy_dict(self, value: ast.Dict) -> None:
        for key, names in zip(value.keys, value.values, strict=False):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.lazy_names(key.value, names)

    def lazy_subscript(self, target: ast.Subscript, value: ast.expr | None) -> None:
        if not (isinstance(target.value, ast.Name) and target.value.id == _LAZY_DICT):
            return
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and value is not None:
            self.lazy_names(key.value, value)

    def lazy_extend(self, stmt: ast.Expr) -> None:
        call = stmt.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            return
        if call.func.attr not in ("extend", "append") or not call.args:
            return
        owner = call.func.value
        if isinstance(owner, ast.Subscript):
            arg = call.args[0]
            if call.func.attr == "append":
                arg = ast.List(elts=[arg], ctx=ast.Load())
            self.lazy_subscript(owner, arg)

    def lazy_names(self, submodule: str, value: ast.expr) -> None:
        line = value.lineno if hasattr(value, "lineno") else 0
        if isinstance(value, ast.ListComp) and _is_dir_call(value.generators[0].iter):
            # ``[name for name in dir(dummy_pt_objects) if ...]``: every public name of it
            self.imports.append(Import(1, submodule, "*", "*", line, LAZY))
            return
        for name in _string_list(value) or []:
            self.imports.append(Import(1, submodule, name, name, line, LAZY))

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
            key_text = _literal_or_dotted(key)
            value_text = _literal_or_dotted(item)
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
        return _dedent(taken)

    def copied_from(self, node: ast.stmt) -> str:
        """The target of a ``# Copied from X`` comment on the lines just above ``node``."""
        index = _start_line(node) - 2
        while index >= 0:
            line = self.lines[index].strip()
            if not line.startswith("#"):
                return ""
            match = _COPIED_RE.match(line)
            if match:
                return match.group(1).rstrip(".")
            index -= 1
        return ""


def _start_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    if decorators:
        return min(node.lineno, *(int(d.lineno) for d in decorators))
    return node.lineno


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    return dotted(node)


def _unsubscript(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Subscript) else node


def _is_dir_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and dotted(node.func) == "dir"


def _is_type_checking(test: ast.expr) -> bool:
    return dotted(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _doc_line(node: ast.ClassDef | FunctionNode) -> str:
    if not node.body:
        return ""
    first = node.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        for line in first.value.value.strip().splitlines():
            if line.strip():
                return line.strip()[:200]
    return ""


def _string_list(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return None


def _literal_or_dotted(node: ast.expr) -> tuple[str, bool] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value, True)
    text = dotted(node)
    return (text, False) if text else None


def _dedent(lines: list[str]) -> str:
    if not lines:
        return ""
    indent = len(lines[0]) - len(lines[0].lstrip())
    if indent == 0:
        return "\n".join(lines).rstrip()
    return "\n".join(line[indent:] if line[:indent].isspace() else line.strip() for line in lines).rstrip()
