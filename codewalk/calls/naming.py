"""What the pieces of one function body name, on its ``ast``: where a node is in the
file, how a name is bound (:mod:`codewalk.calls.scopes`, or libcst's bindings for a body
in doubt), the dotted name an expression is, and what an assigned or returned value is
(:class:`~codewalk.calls.records.Origin`). :mod:`codewalk.calls.extract` walks the body
with it.

Pure. Lines are 1-based and columns 0-based characters, in the file.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from codewalk.calls.records import BUILTIN, EXPR, GLOBAL, IMPORT, LOCAL, SUPER, Name, Origin
from codewalk.calls.scopes import Binding, Scopes

# a value written as one of these is an instance of the builtin named
_LITERALS: dict[type[ast.expr], str] = {
    ast.Dict: "dict", ast.DictComp: "dict", ast.List: "list", ast.ListComp: "list",
    ast.Set: "set", ast.SetComp: "set", ast.Tuple: "tuple",
}  # fmt: skip
_TEXT = 120  # characters of a call's line kept as its text
Bindings = dict[tuple[int, int], tuple[str, str]]  # (line, column) in the dedented text -> (root, qualified)
Position = tuple[int, int, int]  # file line, file column, end column on that line


class Namer:
    """Names the nodes of one body, ``lines`` of its file from ``first_line``."""

    def __init__(
        self, lines: list[str], dedented: list[str], shifts: list[int], first_line: int, scopes: Scopes
    ) -> None:
        self.lines = lines
        self.dedented = dedented  # the lines as parsed (each less its ``shifts`` characters)
        self.shifts = shifts
        self.first_line = first_line
        self.scopes = scopes
        self.bound: Bindings | None = None  # libcst's bindings, when some name is in doubt

    # -- positions ---------------------------------------------------------------------
    def column(self, line: int, offset: int) -> int:
        """The character column of byte ``offset`` on dedented ``line`` (1-based)."""
        text = self.dedented[line - 1] if 0 < line <= len(self.dedented) else ""
        if text.isascii():
            return offset
        return len(text.encode("utf-8")[:offset].decode("utf-8", errors="replace"))

    def file_position(self, line: int, col: int) -> tuple[int, int]:
        shift = self.shifts[line - 1] if 0 < line <= len(self.shifts) else 0
        return self.first_line + line - 1, col + shift

    def where(self, node: ast.AST) -> Position:
        """(file line, file column, file end column on the same line) of ``node``."""
        line = node.lineno  # type: ignore[attr-defined]
        col = self.column(line, node.col_offset)  # type: ignore[attr-defined]
        end_line = node.end_lineno or line  # type: ignore[attr-defined]
        end = self.column(end_line, node.end_col_offset or 0) if end_line == line else col + 1  # type: ignore[attr-defined]
        file_line, file_col = self.file_position(line, col)
        return file_line, file_col, end + (file_col - col)

    def where_attr(self, node: ast.Attribute) -> Position:
        """The position of the attribute's name (``x`` of ``a.x``)."""
        line = node.end_lineno or node.lineno
        end = self.column(line, node.end_col_offset or 0)
        file_line, file_col = self.file_position(line, end - len(node.attr))
        return file_line, file_col, file_col + len(node.attr)

    def text_at(self, line: int) -> str:
        index = line - self.first_line
        return self.lines[index].strip()[:_TEXT] if 0 <= index < len(self.lines) else ""

    # -- bindings ----------------------------------------------------------------------
    def bind(self, node: ast.Name) -> tuple[str, str]:
        """(root, qualified) of a name as it is used at ``node``."""
        binding = self.scopes.bind(node)
        if binding is None and self.bound is not None:
            found = self.bound.get((node.lineno, self.column(node.lineno, node.col_offset)))
            if found is not None:
                return found
        if binding is None:
            binding = Binding(GLOBAL)
        return binding.root, binding.qualified

    def name_of(self, node: ast.AST) -> tuple[Name, Position] | None:
        """The dotted name ``node`` is, and the position of its last part; None when it is
        not a name (``super().x``, ``getattr(obj, "x")`` and ``TABLE[key]`` are)."""
        if isinstance(node, ast.Subscript):
            inner = self.name_of(node.value)
            if inner is None or inner[0].expr.endswith("]"):
                return None
            return inner[0]._replace(expr=inner[0].expr + "[]"), inner[1]
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool)):
            written = repr(node.value)  # None, True, False: names of builtins, as libcst reads them
            return Name(written, BUILTIN, written), self.where(node)
        parts: list[str] = []
        last: Position | None = None
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            last = last or self.where_attr(node)
            node = node.value
        if isinstance(node, ast.Name):
            root, qualified = self.bind(node)
            if root == IMPORT and parts:  # nn.functional.relu: torch.nn + .functional.relu
                qualified = ".".join([qualified, *reversed(parts)])
            parts.append(node.id)
            return Name(".".join(reversed(parts)), root, qualified), last or self.where(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found = self._through_builtin(node, node.func, parts, last)
            if found is not None:
                return found
        return self._member_of_value(node, parts, last)

    def _through_builtin(
        self, node: ast.Call, func: ast.Name, parts: list[str], last: Position | None
    ) -> tuple[Name, Position] | None:
        """``type(self).x``, ``super().x`` and ``getattr(obj, "x").y`` as the names they
        reach (``parts``: the attributes after the call, last first)."""
        if func.id == "type" and len(node.args) == 1 and not node.keywords and self.bind(func)[0] == BUILTIN:
            inner = self.name_of(node.args[0])  # type(self).x: a member of the class
            if inner is not None and inner[0].root != EXPR and not inner[0].expr.endswith("]"):
                expr = ".".join([inner[0].expr, *reversed(parts or ["__class__"])])
                return inner[0]._replace(expr=expr), last or inner[1]
        if func.id == "super" and parts:
            return Name("super()." + ".".join(reversed(parts)), SUPER), last or self.where(node)
        attribute = self.constant_getattr(node)
        if attribute is not None:
            inner = self.name_of(node.args[0])
            if inner is not None and not inner[0].expr.endswith("]"):
                expr = ".".join([inner[0].expr, attribute, *reversed(parts)])
                return inner[0]._replace(expr=expr), last or self.where(node)
        return None

    def _member_of_value(
        self, node: ast.AST, parts: list[str], last: Position | None
    ) -> tuple[Name, Position] | None:
        """A member (``parts``) of a value that is no name: ``X(...).m`` of what X returns,
        ``X[i].m`` of an element, else ``(a + b).m``; None without a member."""
        if not parts or last is None:
            return None
        member = ".".join(reversed(parts))
        if isinstance(node, ast.Call):
            inner = self.name_of(node.func)
            if inner is not None and inner[0].root != EXPR and not inner[0].expr.endswith("]"):
                return inner[0]._replace(expr=f"{inner[0].expr}().{member}"), last
        if isinstance(node, ast.Subscript):
            inner = self.name_of(node)
            if inner is not None:
                return inner[0]._replace(expr=f"{inner[0].expr}.{member}"), last
        return Name("(…)." + member, EXPR), last

    def getattr_arguments(self, call: ast.Call) -> list[ast.expr]:
        """The arguments of a call of the builtin ``getattr`` (object, name, maybe a
        default); [] for any other call."""
        func, args = call.func, arguments(call)
        if not (isinstance(func, ast.Name) and func.id == "getattr" and len(args) >= 2):
            return []
        return args if self.bind(func)[0] == BUILTIN else []

    def constant_getattr(self, call: ast.Call) -> str | None:
        """``x`` of ``getattr(obj, "x")`` / ``getattr(obj, "x", default)``."""
        args = self.getattr_arguments(call)
        attribute = string_value(args[1]) if args else None
        return attribute if attribute and attribute.isidentifier() else None

    # -- values --------------------------------------------------------------------------
    def origins(self, value: ast.expr, line: int) -> list[Origin]:
        """What an assigned or returned ``value`` is, as far as the body says."""
        if isinstance(value, ast.IfExp):
            return [*self.origins(value.body, line), *self.origins(value.orelse, line)]
        if isinstance(value, ast.BoolOp):
            return [o for operand in value.values for o in self.origins(operand, line)]
        text = self.text_at(line)
        string = string_value(value)
        if string is not None:
            return [Origin("str", Name(string, EXPR), line, text=text)]
        elements = [string_value(e) for e in value.elts] if isinstance(value, ast.List | ast.Tuple) else []
        strings = tuple(s for s in elements if s is not None)
        if strings and len(strings) == len(elements):  # ["text_encoder", "encoder"]: a loop names one
            return [Origin("strs", Name("", EXPR), line, strings, text=text)]
        if isinstance(value, ast.Subscript) and not isinstance(value.slice, ast.Slice | ast.Tuple):
            table = self.name_of(value.value)
            if table is not None:
                keys = self.keys(value.slice)
                exact = string_value(value.slice) is not None
                return [Origin("item", table[0], line, keys, text=text, exact=exact)]
        named = self.name_of(value)
        if named is not None:
            return [Origin("name", named[0], line, text=text)]
        if isinstance(value, ast.Call):
            return [self.call_origin(value, line, text)]
        literal = _LITERALS.get(type(value))
        if literal is not None:  # {k: v for ...}: a dict, whose .update is dict's
            return [Origin("literal", Name(literal, EXPR), line, text=text)]
        return [Origin("other", Name("", EXPR), line, text=text)]

    def call_origin(self, call: ast.Call, line: int, text: str) -> Origin:
        func = call.func
        args = arguments(call)
        if isinstance(func, ast.Name) and func.id == "getattr" and len(args) >= 2:
            attr = args[1]
            obj = self.name_of(args[0])
            if isinstance(attr, ast.Subscript) and not isinstance(attr.slice, ast.Slice | ast.Tuple):
                table = self.name_of(attr.value)
                if table is not None:
                    owner = (obj[0],) if obj is not None else (Name("", EXPR),)
                    exact = string_value(attr.slice) is not None
                    return Origin("getattr", table[0], line, self.keys(attr.slice), owner, text, exact)
        if isinstance(func, ast.Attribute) and func.attr == "get" and args:
            table = self.name_of(func.value)
            if table is not None:
                default = self.arg_names(args[1:2])
                return Origin("item", table[0], line, self.keys(args[0]), default, text)
        callee = self.name_of(func)
        name = callee[0] if callee is not None else Name("", EXPR)
        passed, slots = self.slotted_names(call)
        return Origin("call", name, line, args=passed, text=text, slots=slots)

    def keys(self, key: ast.expr) -> tuple[str, ...]:
        string = string_value(key)
        if string is not None:
            return (string,)
        if isinstance(key, ast.Name) and self.bind(key)[0] == LOCAL:
            return (f"={key.id}",)  # the strings assigned to that local, filled in at the end
        return ()

    def arg_names(self, args: Sequence[ast.expr]) -> tuple[Name, ...]:
        found = (self.name_of(arg) for arg in args)
        return tuple(
            named[0] for named in found if named is not None and named[0].root not in (BUILTIN, EXPR)
        )

    def slotted_names(self, call: ast.Call) -> tuple[tuple[Name, ...], tuple[str, ...]]:
        """The dotted names among a call's arguments, in the order written (as
        :meth:`arg_names`), and the slot each is passed in: ``#0`` for the first
        positional one (none after a ``*args``), else its keyword."""
        slot: dict[int, str] = {}
        for index, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                break
            slot[id(arg)] = f"#{index}"
        for keyword in call.keywords:
            if keyword.arg is not None:
                slot[id(keyword.value)] = keyword.arg
        names: list[Name] = []
        slots: list[str] = []
        for arg in arguments(call):
            named = self.name_of(arg)
            if named is not None and named[0].root not in (BUILTIN, EXPR):
                names.append(named[0])
                slots.append(slot.get(id(arg), ""))
        return tuple(names), tuple(slots)


def string_value(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def arguments(call: ast.Call) -> list[ast.expr]:
    """A call's arguments in the order written, positional and keyword, but ``*``/``**``."""
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    keywords = [k.value for k in call.keywords if k.arg is not None]
    if not positional or not keywords:
        return positional + keywords
    return sorted(positional + keywords, key=lambda a: (a.lineno, a.col_offset))
