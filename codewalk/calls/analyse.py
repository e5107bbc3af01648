"""One function body in, its call facts out: libcst's binding analysis, on the body alone.

The function's own lines (decorators included) are dedented and parsed as a module of
their own: a method's body cannot see its class's namespace anyway, so what is not bound
in the body is a module-level name, which the resolver answers later from the index.
libcst's ``ScopeProvider`` says how each name is bound (parameters, locals, comprehension
and lambda scopes, ``global``/``nonlocal``, shadowing) and ``QualifiedNameProvider``
names what an import inside the body or a builtin stands for. Parsing just the span keeps
this cheap next to a whole module (``bench/bench_calls.py`` measures it).

This is the only module that imports libcst. Pure: text in, records out; no node leaves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst
from libcst.metadata import (
    GlobalScope,
    PositionProvider,
    QualifiedNameProvider,
    QualifiedNameSource,
    ScopeProvider,
)

from codewalk.calls.records import (
    BUILTIN,
    EXPR,
    GLOBAL,
    IMPORT,
    LOCAL,
    PARAM,
    SELF,
    SUPER,
    CallFacts,
    Name,
    Origin,
    Site,
)

_TEXT = 120  # characters of a call's line kept as its text


def analyse(text: str, first_line: int, *, method: bool) -> CallFacts:
    """The call facts of the function whose lines (``def`` and decorators included) are
    ``text``, starting at line ``first_line`` of its file. ``method``: it is defined in a
    class body, so its first parameter is the instance (or the class) unless it is a
    ``staticmethod``."""
    lines = text.splitlines(keepends=True)
    if not lines:
        return CallFacts((), {}, (), "empty body")
    first = lines[0]
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    shifts: list[int] = []
    dedented: list[str] = []
    for line in lines:
        # a line indented less than the def is inside a string or brackets: kept as is
        cut = len(indent) if indent and line.startswith(indent) else 0
        shifts.append(cut)
        dedented.append(line[cut:])
    try:
        module = cst.parse_module("".join(dedented))
    except cst.ParserSyntaxError as exc:
        reason = exc.message.rpartition(": ")[2] or "a syntax error"
        return CallFacts((), {}, (), f"does not parse (line {exc.raw_line + first_line - 1}): {reason}")
    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    visitor = _Visitor(lines, shifts, first_line, method)
    wrapper.visit(visitor)
    return visitor.facts()


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class _Visitor(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (ScopeProvider, QualifiedNameProvider, PositionProvider)

    def __init__(self, lines: list[str], shifts: list[int], first_line: int, method: bool) -> None:
        super().__init__()
        self.lines = lines
        self.shifts = shifts
        self.first_line = first_line
        self.method = method
        self.sites: list[Site] = []
        self.locals: dict[str, list[Origin]] = {}
        self.returns: list[Origin] = []
        self.self_param: cst.Param | None = None
        self.depth = 0  # function nesting: 1 in the analysed function's own body
        self.decorator_calls: set[int] = set()  # @f(...): that call is the decorator's site
        self.called_getattrs: set[int] = set()  # getattr(obj, "x") whose result is called

    def facts(self) -> CallFacts:
        strings = {
            name: tuple(o.name.expr for o in origins if o.kind == "str")
            for name, origins in self.locals.items()
        }

        def keyed(origin: Origin) -> Origin:
            if not any(k.startswith("=") for k in origin.keys):
                return origin
            keys: list[str] = []
            for key in origin.keys:
                keys.extend(strings.get(key[1:], ()) if key.startswith("=") else (key,))
            return origin._replace(keys=tuple(keys))

        sites = sorted(self.sites, key=lambda s: (s.line, s.col, s.kind != "call"))
        local_origins = {name: tuple(keyed(o) for o in origins) for name, origins in self.locals.items()}
        return CallFacts(tuple(sites), local_origins, tuple(keyed(o) for o in self.returns))

    # -- positions ---------------------------------------------------------------------
    def where(self, node: cst.CSTNode) -> tuple[int, int, int]:
        """(file line, file column, file end column on the same line) of ``node``."""
        span = self.get_metadata(PositionProvider, node)
        index = span.start.line - 1
        shift = self.shifts[index] if index < len(self.shifts) else 0
        end = span.end.column + shift if span.end.line == span.start.line else span.start.column + shift + 1
        return self.first_line + index, span.start.column + shift, end

    def text_at(self, line: int) -> str:
        index = line - self.first_line
        return self.lines[index].strip()[:_TEXT] if 0 <= index < len(self.lines) else ""

    # -- bindings ----------------------------------------------------------------------
    def bind(self, node: cst.Name) -> tuple[str, str]:
        """(root, qualified) of a name as it is used at ``node``."""
        for qualified in self.get_metadata(QualifiedNameProvider, node, set()):
            if qualified.source is QualifiedNameSource.IMPORT:
                return IMPORT, qualified.name
            if qualified.source is QualifiedNameSource.BUILTIN:
                return BUILTIN, qualified.name.removeprefix("builtins.")
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None or isinstance(scope, GlobalScope):
            return GLOBAL, ""
        assignments = scope[node.value]
        if not assignments or any(isinstance(a.scope, GlobalScope) for a in assignments):
            return GLOBAL, ""
        nodes = [getattr(a, "node", None) for a in assignments]
        if self.self_param is not None and any(n is self.self_param for n in nodes):
            return SELF, ""
        if any(isinstance(n, cst.Param) for n in nodes):
            return PARAM, ""
        return LOCAL, ""

    def name_of(self, node: cst.BaseExpression) -> tuple[Name, cst.CSTNode] | None:
        """The dotted name ``node`` is, and the node of its last part; None when it is
        not a name (``super().x``, ``getattr(obj, "x")`` and ``TABLE[key]`` are)."""
        if isinstance(node, cst.Subscript):
            inner = self.name_of(node.value)
            if inner is None or inner[0].expr.endswith("]"):
                return None
            return inner[0]._replace(expr=inner[0].expr + "[]"), inner[1]
        parts: list[str] = []
        last: cst.CSTNode | None = None
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            last = last or node.attr
            node = node.value
        if isinstance(node, cst.Name):
            root, qualified = self.bind(node)
            if root == IMPORT and parts:  # nn.functional.relu: torch.nn + .functional.relu
                qualified = ".".join([qualified, *reversed(parts)])
            parts.append(node.value)
            return Name(".".join(reversed(parts)), root, qualified), last or node
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
            if node.func.value == "type" and len(node.args) == 1 and self.bind(node.func)[0] == BUILTIN:
                inner = self.name_of(node.args[0].value)  # type(self).x: a member of the class
                if inner is not None and inner[0].root != EXPR and not inner[0].expr.endswith("]"):
                    expr = ".".join([inner[0].expr, *reversed(parts)])
                    return inner[0]._replace(expr=expr), last or inner[1]
            if node.func.value == "super" and parts:
                return Name("super()." + ".".join(reversed(parts)), SUPER), last or node
            attribute = self.constant_getattr(node)
            if attribute is not None:
                inner = self.name_of(node.args[0].value)
                if inner is not None and not inner[0].expr.endswith("]"):
                    expr = ".".join([inner[0].expr, attribute, *reversed(parts)])
                    return inner[0]._replace(expr=expr), last or node
        if parts and last is not None:  # a method of a value: f(x).to(...), x[0].detach()
            return Name("(…)." + ".".join(reversed(parts)), EXPR), last
        return None

    def constant_getattr(self, call: cst.Call) -> str | None:
        """``x`` of ``getattr(obj, "x")`` / ``getattr(obj, "x", default)``."""
        if not (isinstance(call.func, cst.Name) and call.func.value == "getattr" and len(call.args) >= 2):
            return None
        if self.bind(call.func)[0] != BUILTIN:
            return None
        attribute = _string(call.args[1].value)
        return attribute if attribute and attribute.isidentifier() else None

    # -- values --------------------------------------------------------------------------
    def origins(self, value: cst.BaseExpression, line: int) -> list[Origin]:
        """What an assigned or returned ``value`` is, as far as the body says."""
        if isinstance(value, cst.IfExp):
            return [*self.origins(value.body, line), *self.origins(value.orelse, line)]
        if isinstance(value, cst.BooleanOperation):
            return [*self.origins(value.left, line), *self.origins(value.right, line)]
        text = self.text_at(line)
        string = _string(value)
        if string is not None:
            return [Origin("str", Name(string, EXPR), line, text=text)]
        if isinstance(value, cst.Subscript) and len(value.slice) == 1:
            table = self.name_of(value.value)
            index = value.slice[0].slice
            if table is not None and isinstance(index, cst.Index):
                keys = self.keys(index.value)
                exact = _string(index.value) is not None
                return [Origin("item", table[0], line, keys, text=text, exact=exact)]
        named = self.name_of(value)
        if named is not None:
            return [Origin("name", named[0], line, text=text)]
        if isinstance(value, cst.Call):
            return [self.call_origin(value, line, text)]
        return [Origin("other", Name("", EXPR), line, text=text)]

    def call_origin(self, call: cst.Call, line: int, text: str) -> Origin:
        func = call.func
        if isinstance(func, cst.Name) and func.value == "getattr" and len(call.args) >= 2:
            attr = call.args[1].value
            obj = self.name_of(call.args[0].value)
            if (
                isinstance(attr, cst.Subscript)
                and len(attr.slice) == 1
                and isinstance(attr.slice[0].slice, cst.Index)
            ):
                table = self.name_of(attr.value)
                if table is not None:
                    args = (obj[0],) if obj is not None else (Name("", EXPR),)
                    key = attr.slice[0].slice.value
                    exact = _string(key) is not None
                    return Origin("getattr", table[0], line, self.keys(key), args, text, exact)
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and call.args:
            table = self.name_of(func.value)
            if table is not None:
                default = self.arg_names(call.args[1:2])
                return Origin("item", table[0], line, self.keys(call.args[0].value), default, text)
        callee = self.name_of(func)
        name = callee[0] if callee is not None else Name("", EXPR)
        return Origin("call", name, line, args=self.arg_names(call.args), text=text)

    def keys(self, key: cst.BaseExpression) -> tuple[str, ...]:
        string = _string(key)
        if string is not None:
            return (string,)
        if isinstance(key, cst.Name) and self.bind(key)[0] == LOCAL:
            return (f"={key.value}",)  # the strings assigned to that local, filled in at the end
        return ()

    def arg_names(self, args: Sequence[cst.Arg]) -> tuple[Name, ...]:
        found = (self.name_of(arg.value) for arg in args if not arg.star)
        return tuple(
            named[0] for named in found if named is not None and named[0].root not in (BUILTIN, EXPR)
        )

    def bind_target(self, target: cst.BaseExpression, origins: list[Origin]) -> None:
        if isinstance(target, cst.Name):
            self.locals.setdefault(target.value, []).extend(origins)
        elif isinstance(target, cst.Tuple | cst.List):
            line = origins[0].line if origins else 0
            for element in target.elements:
                unpacked = [Origin("other", Name("", EXPR), line, text=o.text) for o in origins[:1]]
                self.bind_target(element.value, unpacked)

    def refs(self, value: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
        """Dotted names used as values in ``value``: the value itself, the elements of a
        literal list/tuple/set/dict it builds."""
        if isinstance(value, cst.Name | cst.Attribute):
            yield value
        elif isinstance(value, cst.List | cst.Tuple | cst.Set):
            for element in value.elements:
                yield from self.refs(element.value)
        elif isinstance(value, cst.Dict):
            for item in value.elements:
                if isinstance(item, cst.DictElement):
                    yield from self.refs(item.value)

    def add_refs(self, value: cst.BaseExpression) -> None:
        for node in self.refs(value):
            named = self.name_of(node)
            if named is None or named[0].root not in (SELF, GLOBAL, IMPORT) or named[0].expr.endswith("]"):
                continue
            line, col, end = self.where(named[1])
            self.sites.append(Site("ref", named[0], line, col, end, (), self.text_at(line)))

    # -- visiting ------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.depth == 0 and self.method:
            static = any(
                isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
                for d in node.decorators
            )
            params = [*node.params.posonly_params, *node.params.params]
            if params and not static:
                self.self_param = params[0]
        elif self.depth > 0:
            line = self.where(node.name)[0]
            self.locals.setdefault(node.name.value, []).append(
                Origin("def", Name(node.name.value, LOCAL), line, text=self.text_at(line))
            )
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.depth += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        line = self.where(node.name)[0]
        self.locals.setdefault(node.name.value, []).append(
            Origin("def", Name(node.name.value, LOCAL), line, text=self.text_at(line))
        )

    def visit_Decorator(self, node: cst.Decorator) -> None:
        self.decorator_calls.add(id(node.decorator))
        target = node.decorator.func if isinstance(node.decorator, cst.Call) else node.decorator
        named = self.name_of(target)
        if named is not None and named[0].root != BUILTIN:
            line, col, end = self.where(named[1])
            self.sites.append(Site("decorator", named[0], line, col, end, (), self.text_at(line)))

    def visit_Call(self, node: cst.Call) -> None:
        named = self.name_of(node.func)
        if named is not None:
            name, last = named
            line, col, end = self.where(last)
        else:
            name = Name("", EXPR)
            line, col, end = self.where(node.func)
        if isinstance(node.func, cst.Call) and self.constant_getattr(node.func) is not None:
            self.called_getattrs.add(id(node.func))  # getattr(self, "x")(...): self.x is the call
        listed = id(node) in self.decorator_calls  # @f(...): the decorator site says it
        listed = listed or (name.root == BUILTIN and name.expr == "super")  # super().f(): f is the call
        if not listed and id(node) not in self.called_getattrs:
            self.sites.append(
                Site("call", name, line, col, end, self.arg_names(node.args), self.text_at(line))
            )
        for arg in node.args:
            if not arg.star:
                self.add_refs(arg.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        line = self.where(node)[0]
        origins = self.origins(node.value, line)
        for target in node.targets:
            self.bind_target(target.target, origins)
        self.add_refs(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            line = self.where(node)[0]
            self.bind_target(node.target, self.origins(node.value, line))
            self.add_refs(node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        line = self.where(node)[0]
        self.bind_target(node.target, self.origins(node.value, line))

    def visit_For(self, node: cst.For) -> None:
        self.loop(node.target, node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.loop(node.target, node.iter)

    def loop(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        line = self.where(iterable)[0]
        named = self.name_of(iterable)
        name = named[0] if named is not None else Name("", EXPR)
        self.bind_target(target, [Origin("loop", name, line, text=self.text_at(line))])

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            line = self.where(node)[0]
            self.bind_target(
                node.asname.name, [Origin("other", Name("", EXPR), line, text=self.text_at(line))]
            )

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            line = self.where(node)[0]
            if self.depth == 1:
                self.returns.extend(self.origins(node.value, line))
            self.add_refs(node.value)
