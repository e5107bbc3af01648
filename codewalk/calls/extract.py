"""One function body in, its call facts out: stdlib ``ast`` on the body alone.

The function's own lines (decorators included) are dedented and parsed as a module of
their own: a method's body cannot see its class's namespace anyway, so what is not bound
in the body is a module-level name, which the resolver answers later from the index.
Each name's binding is decided by :mod:`codewalk.calls.scopes` (Python's scope rules
for functions, lambdas and comprehensions); a body using a name whose binding is in
doubt there (a class body inside the function, a ``del`` of a name bound nowhere) has its
names bound by libcst's analysis instead (:mod:`codewalk.calls.analyse`). ``ast`` parses
a body in well under a millisecond where libcst takes a hundred times longer, so a
``callers`` or ``path`` that reads a thousand bodies pays libcst for the few that need it.

Pure: text in, records out; no node leaves. Lines are 1-based and columns 0-based
characters, in the file.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import Any

from codewalk import parsing
from codewalk.calls.branches import Branch, branches, innermost
from codewalk.calls.naming import Namer, arguments
from codewalk.calls.rebound import rebound
from codewalk.calls.records import (
    BUILTIN,
    CLS,
    EXPR,
    GLOBAL,
    HOLDING,
    IMPORT,
    LOCAL,
    PARAM,
    SELF,
    CallFacts,
    Name,
    Origin,
    Site,
    bound_in,
    scope_of,
)
from codewalk.calls.scopes import Scopes
from codewalk.index.declared import annotated_names
from codewalk.index.syntax import child_nodes, dotted, walk

_NestedFunction = ast.FunctionDef | ast.AsyncFunctionDef
_REFERENCED = (SELF, CLS, GLOBAL, IMPORT)  # roots of a name passed as a value that may be a function
# Builtins that look at what they are passed, never call it: ``callable(self.optimizer.train)``
# passes no function anywhere.
_INSPECTING = frozenset(("callable", "isinstance", "issubclass", "hasattr", "id", "type", "vars"))


def call_facts(text: str, first_line: int, *, method: bool) -> CallFacts:
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
    source = "".join(dedented)
    try:
        tree = parsing.parse(source)
    except SyntaxError as exc:
        where = (exc.lineno or 1) + first_line - 1
        return CallFacts((), {}, (), f"does not parse (line {where}): {exc.msg}")
    except ValueError as exc:  # a NUL byte
        return CallFacts((), {}, (), f"does not parse: {exc}")
    scopes = Scopes(tree, method=method)
    visitor = _Visitor(lines, dedented, shifts, first_line, scopes)
    if scopes.doubtful and visitor.uses_doubtful(tree):
        from codewalk.calls.analyse import bindings

        visitor.bound = bindings(source, method=method)
    visitor.branches = branches(tree, visitor.point)
    visitor.visit(tree)
    facts = visitor.facts()
    function = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return facts
    return facts._replace(rebound=rebound(function, lambda line: visitor.point(line, 0)[0]))


_FILLING = {"append": 0, "insert": 1, "extend": 0}  # what fills a list: the argument put in


class _Visitor(Namer, ast.NodeVisitor):
    def __init__(
        self, lines: list[str], dedented: list[str], shifts: list[int], first_line: int, scopes: Scopes
    ) -> None:
        super().__init__(lines, dedented, shifts, first_line, scopes)
        self.sites: list[Site] = []
        self.locals: dict[str, list[Origin]] = {}
        self.returns: list[Origin] = []
        self.nested_returns: dict[str, list[Origin]] = {}  # a nested function's, by its scope
        self.depth = 0  # function nesting: 1 in the analysed function's own body
        self.decorator_calls: set[int] = set()  # @f(...): that call is the decorator's site
        self.called_getattrs: set[int] = set()  # getattr(obj, "x") whose result is called
        self.not_read: set[int] = set()  # attributes called or decorating: not ``read`` sites
        self.nested: list[str] = []  # the path of the definition the walk is in ("inner.<locals>.")
        self.loops: list[tuple[int, int]] = []  # CallFacts.loops
        self.deferred: list[tuple[int, int]] = []  # CallFacts.deferred
        self.filled: dict[str, list[Origin]] = {}  # CallFacts.filled
        self.stored: dict[str, list[Origin]] = {}  # CallFacts.stored
        self.branches: list[Branch] = []  # the body's, set before the walk

    def uses_doubtful(self, tree: ast.Module) -> bool:
        return any(
            isinstance(n, ast.Name) and n.id in self.scopes.doubtful and not isinstance(n.ctx, ast.Store)
            for n in walk(tree)
        )

    def facts(self) -> CallFacts:
        strings = {
            name: tuple(o.name.expr for o in origins if o.kind == "str")
            for name, origins in self.locals.items()
        }

        def keyed(origin: Origin, scope: str) -> Origin:
            if not any(k.startswith("=") for k in origin.keys):
                return origin
            keys: list[str] = []
            for key in origin.keys:
                keys.extend(bound_in(strings, key[1:], scope) if key.startswith("=") else (key,))
            return origin._replace(keys=tuple(keys))

        sites = sorted(self._placed(self.sites), key=lambda s: (s.line, s.col, s.kind != "call"))
        local_origins = {
            name: tuple(keyed(o, scope_of(name)) for o in origins) for name, origins in self.locals.items()
        }
        nested = {
            scope: tuple(keyed(o, scope) for o in origins) for scope, origins in self.nested_returns.items()
        }
        returns = tuple(keyed(o, "") for o in self.returns)
        spans = (tuple(self.loops), tuple(self.deferred))
        filled = {name: tuple(origins) for name, origins in self.filled.items()}
        stored = {name: tuple(origins) for name, origins in self.stored.items()}
        return CallFacts(tuple(sites), local_origins, returns, "", nested, *spans, filled, stored)

    def _placed(self, sites: list[Site]) -> Iterator[Site]:
        """``sites``, each with the innermost branch it is in (:mod:`codewalk.calls.branches`)."""
        found = self.branches
        for site in sites:
            branch = innermost(found, (site.line, site.col)) if found else None
            yield site if branch is None else site._replace(branch=branch.kind, branch_line=branch.line)

    def point(self, line: int, offset: int) -> tuple[int, int]:
        """The file's line and column of byte ``offset`` on parsed ``line``."""
        return self.file_position(line, self.column(line, offset))

    @property
    def scope(self) -> str:
        """Where the walk is: ``""`` in the body's own code, ``inner.<locals>.`` in a
        function it defines (its names kept apart, as Python keeps them)."""
        return self.nested[-1] if self.nested else ""

    # -- positions ---------------------------------------------------------------------
    def assign(self, target: ast.expr, value: ast.expr, line: int) -> None:
        """``target = value``; ``a, b = x, y`` pairs each name with its value."""
        pairs = _paired(target, value)
        if pairs is None:
            self.bind_target(target, self.origins(value, line))
        for name, part in pairs or ():
            self.assign(name, part, line)

    def bind_target(self, target: ast.expr, origins: list[Origin]) -> None:
        if isinstance(target, ast.Name):
            self.locals.setdefault(self.scope + target.id, []).extend(origins)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            if self.bind(target.value)[0] in (LOCAL, PARAM):  # module._hf_hook = hook
                self.stored.setdefault(f"{self.scope}{target.value.id}.{target.attr}", []).extend(origins)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, origins)
        elif isinstance(target, ast.Tuple | ast.List):
            line = origins[0].line if origins else 0
            starred = any(isinstance(e, ast.Starred) for e in target.elts)
            for index, element in enumerate(target.elts):
                unpacked = [  # a part of what a call returns, by its index (none after a *rest)
                    o._replace(part=index)
                    if o.kind == "call" and not starred and o.part < 0 and isinstance(element, ast.Name)
                    else Origin("other", Name("", EXPR), line, text=o.text)
                    for o in origins[:1]
                ]
                self.bind_target(element, unpacked)

    def refs(self, value: ast.expr) -> Iterator[ast.expr]:
        """Dotted names used as values in ``value``: the value itself, the elements of a
        literal list/tuple/set/dict it builds."""
        if isinstance(value, ast.Name | ast.Attribute):
            yield value
        elif isinstance(value, ast.Starred):
            yield from self.refs(value.value)
        elif isinstance(value, ast.List | ast.Tuple | ast.Set):
            for element in value.elts:
                yield from self.refs(element)
        elif isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values, strict=True):
                if key is not None:
                    yield from self.refs(item)

    def add_refs(self, value: ast.expr, passed_to: Name | None = None) -> None:
        """Dotted names used as values in ``value``, each a ``ref`` site; ``passed_to``:
        the function they are passed to (kept in the site's ``args``)."""
        for node in self.refs(value):
            named = self.name_of(node)
            if named is None or named[0].expr.endswith("]"):
                continue
            passed_def = passed_to is not None and self.defined_here(named[0])  # not one returned
            if named[0].root not in _REFERENCED and not passed_def:
                continue
            line, col, end = named[1]
            to = (passed_to,) if passed_to is not None else ()
            self.sites.append(Site("ref", named[0], line, col, end, to, self.text_at(line)))

    def defined_here(self, name: Name) -> bool:
        """Whether ``name`` is a function the body defines, by name alone (``load`` in
        ``_load_pipeline_component(flag, tokenizer, load)``): passed to a call, it may be
        called there."""
        if name.root != LOCAL or "." in name.expr:
            return False
        return any(o.kind == "def" for o in self.locals.get(self.scope + name.expr, ()))

    # -- visiting ------------------------------------------------------------------------
    def visit(self, node: ast.AST) -> None:
        """``ast.NodeVisitor.visit``, its method looked up once per node type: a
        ``callers`` or ``path`` visits the nodes of a thousand bodies."""
        kind = node.__class__
        method = _VISITS.get(kind)
        if method is None:
            method = _VISITS[kind] = getattr(_Visitor, f"visit_{kind.__name__}", _Visitor.generic_visit)
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        """The nodes under ``node``, in order, less the expression contexts (no method
        visits a ``Load``), each visited as :meth:`visit` does, without a call to it."""
        for child in child_nodes(node):
            method = _VISITS.get(child.__class__)
            if method is None:
                kind = child.__class__
                method = _VISITS[kind] = getattr(_Visitor, f"visit_{kind.__name__}", _Visitor.generic_visit)
            method(self, child)

    def visit_FunctionDef(self, node: _NestedFunction) -> None:
        self.function(node)

    def visit_AsyncFunctionDef(self, node: _NestedFunction) -> None:
        self.function(node)

    def function(self, node: _NestedFunction) -> None:
        for decorator in node.decorator_list:
            self.decorator(decorator)
        if self.depth > 0:
            self.nested.append(self.nested_def(node) + ".<locals>.")
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1
        if self.depth > 0:
            self.nested.pop()

    def nested_def(self, node: _NestedFunction | ast.ClassDef) -> str:
        """A function or class defined in the body: a local, and where it is; returns its
        path in the body as Python names it (``inner``, ``inner.<locals>.Cls.method``)."""
        line = self.file_position(node.lineno, 0)[0]
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        span = (self.file_position(first, 0)[0], self.file_position(node.end_lineno or node.lineno, 0)[0])
        path = self.scope + node.name  # bound where it is defined
        self.locals.setdefault(path, []).append(
            Origin("def", Name(node.name, LOCAL, path), line, text=self.text_at(line), span=span)
        )
        return path

    def span_of(self, node: ast.expr | ast.stmt) -> tuple[int, int]:
        """The first and last lines of ``node`` in the file."""
        return self.file_position(node.lineno, 0)[0], self.file_position(node.end_lineno or node.lineno, 0)[0]

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.deferred.append(self.span_of(node))  # its body runs when it is called
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.nested.append(self.nested_def(node) + ".")
        for decorator in node.decorator_list:
            self.decorator(decorator)
        self.generic_visit(node)
        self.nested.pop()

    def decorator(self, decorator: ast.expr) -> None:
        self.decorator_calls.add(id(decorator))
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        self.not_read.add(id(target))
        named = self.name_of(target)
        if named is not None and named[0].root != BUILTIN:
            line, col, end = named[1]
            self.sites.append(Site("decorator", named[0], line, col, end, (), self.text_at(line)))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        """An attribute read (not called, not assigned): a ``read`` site, which runs code
        when it is a property."""
        if isinstance(node.ctx, ast.Load) and id(node) not in self.not_read:
            named = self.name_of(node)
            if named is not None and named[0].root not in (BUILTIN, EXPR) and not named[0].expr.endswith("]"):
                line, col, end = named[1]
                self.sites.append(Site("read", named[0], line, col, end, (), self.text_at(line)))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        self.not_read.add(id(node.func))  # called: the call site says it
        self.fill(node)
        named = self.name_of(node.func)
        if named is not None:
            name, (line, col, end) = named
        else:
            name = self.made_by_call(node.func)
            line, col, end = self.where(node.func)
        if isinstance(node.func, ast.Call) and self.constant_getattr(node.func) is not None:
            self.called_getattrs.add(id(node.func))  # getattr(self, "x")(...): self.x is the call
        listed = id(node) in self.decorator_calls  # @f(...): the decorator site says it
        listed = listed or (name.root == BUILTIN and name.expr == "super")  # super().f(): f is the call
        args = arguments(node)
        if not listed and id(node) not in self.called_getattrs:
            passed, slots = self.slotted_names(node)
            self.sites.append(Site("call", name, line, col, end, passed, self.text_at(line), slots))
        if id(node) not in self.called_getattrs and self.constant_getattr(node) is not None:
            read = self.name_of(node)  # getattr(obj, "x"): reads obj.x
            if read is not None and read[0].root not in (BUILTIN, EXPR) and not read[0].expr.endswith("]"):
                line, col, end = read[1]
                self.sites.append(Site("read", read[0], line, col, end, (), self.text_at(line)))
        if not (name.root == BUILTIN and name.expr in _INSPECTING):
            for arg in args:
                self.add_refs(arg, name)
        self.generic_visit(node)

    def fill(self, node: ast.Call) -> None:
        """``items.append(x)`` (``insert(i, x)``, ``extend([x, y])``) on a local ``items``:
        what it puts in the list, as assigning it would bind a name (CallFacts.filled)."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return
        if func.attr not in _FILLING or self.bind(func.value)[0] != LOCAL:
            return
        put = node.args[_FILLING[func.attr]] if len(node.args) > _FILLING[func.attr] else None
        if func.attr == "extend" and isinstance(put, ast.List | ast.Tuple):
            values = list(put.elts)
        else:
            values = [put] if put is not None and func.attr != "extend" else []
        for value in values:  # each on its own line (``append(\n    X(...)\n)``: X's)
            origins = self.origins(value, self.where(value)[0])
            if origins:
                self.filled.setdefault(self.scope + func.value.id, []).extend(origins)

    def made_by_call(self, func: ast.expr) -> Name:
        """The callee of ``X(...)(...)``: ``X()``, what calling X returns (an nn.Module
        a method hands back: ``self.get_base_model()(...)``); else no name."""
        inner = self.name_of(func.func) if isinstance(func, ast.Call) else None
        if inner is None or inner[0].root == EXPR or inner[0].expr.endswith("]"):
            return Name("", EXPR)
        return inner[0]._replace(expr=f"{inner[0].expr}()")

    def visit_Assign(self, node: ast.Assign) -> None:
        line = self.where(node)[0]
        for target in node.targets:
            self.assign(target, node.value, line)
        self.add_refs(node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        line = self.where(node)[0]
        if node.value is not None:
            self.bind_target(node.target, self.origins(node.value, line))
            self.add_refs(node.value)
        if isinstance(node.target, ast.Name):  # builder: DatasetBuilder = ...: what it is declared to be
            self.bind_target(node.target, self.declared_as(node.annotation, line))
        self.generic_visit(node)

    def declared_as(self, annotation: ast.expr, line: int) -> list[Origin]:
        """The classes a local's annotation names (``Optional[X]``, ``X | None``, ``"X"``),
        and the containers (``dict[A|B]``, ``list[A]``: of instances of those), each an
        origin read when its values say nothing."""
        names = [name for name in annotated_names(annotation) if "[" not in name or name.startswith(HOLDING)]
        text = self.text_at(line)
        return [Origin("annotated", Name(name, EXPR), line, text=text) for name in names if name != "None"]

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        line = self.where(node)[0]
        self.bind_target(node.target, self.origins(node.value, line))
        self.generic_visit(node)

    def loop_span(self, node: ast.For | ast.AsyncFor | ast.While) -> tuple[int, int]:
        """The first and last lines a loop repeats: its header and body, not its ``else:``
        (run once, after the loop)."""
        return self.span_of(node)[0], self.span_of(node.body[-1])[1]

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.loops.append(self.loop_span(node))
        self.loop(node.target, node.iter)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_If(self, node: ast.If) -> None:
        self.narrow(node)
        self.generic_visit(node)

    def narrow(self, node: ast.If) -> None:
        """``if not isinstance(x, C): continue`` (or ``return``, ``raise``, no ``else``):
        the local ``x`` is a ``C`` after it (each class of a tuple's), an origin read when
        its values say nothing (``for name, m in model.named_modules()``)."""
        test = node.test
        if node.orelse or not isinstance(node.body[-1], ast.Continue | ast.Return | ast.Raise):
            return
        if not (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)):
            return
        call = test.operand
        if not (isinstance(call, ast.Call) and dotted(call.func) == "isinstance"):
            return
        if len(call.args) != 2 or call.keywords:
            return
        local, classes = call.args
        if not isinstance(local, ast.Name) or self.bind(local)[0] != LOCAL:
            return
        given = classes.elts if isinstance(classes, ast.Tuple) else [classes]
        names = [dotted(c) for c in given]
        if not names or not all(names):
            return
        line = self.where(node)[0]
        text = self.text_at(line)
        self.bind_target(local, [Origin("narrowed", Name(n, EXPR), line, text=text) for n in names])

    def visit_While(self, node: ast.While) -> None:
        self.loops.append(self.loop_span(node))
        self.generic_visit(node)

    def visit_ListComp(self, node: ast.ListComp | ast.SetComp | ast.DictComp) -> None:
        self.loops.append(self.span_of(node))  # [x.m() for x in xs]: bound after the use is written
        self.generic_visit(node)

    visit_SetComp = visit_DictComp = visit_ListComp

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self.deferred.append(self.span_of(node))  # run as it is iterated, maybe after later assignments
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.loop(node.target, node.iter)
        self.generic_visit(node)

    def loop(self, target: ast.expr, iterable: ast.expr) -> None:
        """A loop variable holds an element of what it iterates: of each of ``zip``'s
        arguments, of ``enumerate``'s, of a mapping's ``values()`` and ``items()``."""
        line = self.where(iterable)[0]
        text = self.text_at(line)
        pairs = self.elements(target, iterable)
        for bound, over in pairs:
            if over is None:  # enumerate's count, a mapping's key
                self.bind_target(bound, [Origin("other", Name("", EXPR), line, text=text)])
                continue
            strings = self.strings_in(over)
            if strings:  # for name in ["text_encoder", "encoder"]: one of them
                self.bind_target(bound, [Origin("str", Name(s, EXPR), line, text=text) for s in strings])
                continue
            named = self.name_of(over)
            name = named[0] if named is not None else Name("", EXPR)
            self.bind_target(bound, [Origin("loop", name, line, text=text)])

    def origins(self, value: ast.expr, line: int) -> list[Origin]:
        """As :meth:`Namer.origins`; ``getattr(self, name)`` where the local ``name`` holds
        one of some strings (a loop over a list of them): each of those attributes."""
        named = self.attributes_named(value, line)
        return named if named else super().origins(value, line)

    def attributes_named(self, value: ast.expr, line: int) -> list[Origin]:
        args = self.getattr_arguments(value) if isinstance(value, ast.Call) else []
        if len(args) != 2:  # getattr(obj, name), no default
            return []
        attr, obj = args[1], self.name_of(args[0])
        if obj is None or not isinstance(attr, ast.Name) or self.bind(attr)[0] != LOCAL:
            return []
        held = bound_in(self.locals, attr.id, self.scope)
        if not held or any(o.kind != "str" for o in held):
            return []
        text, name = self.text_at(line), obj[0]
        return [
            Origin("name", name._replace(expr=f"{name.expr}.{o.name.expr}"), line, text=text) for o in held
        ]

    def elements(self, target: ast.expr, iterable: ast.expr) -> list[tuple[ast.expr, ast.expr | None]]:
        """(loop target, the container it holds an element of, or None)."""
        if not isinstance(iterable, ast.Call):  # zip(..., strict=True), enumerate(x, start=1): the same
            return [(target, iterable)]
        func, args = iterable.func, iterable.args
        names = target.elts if isinstance(target, ast.Tuple | ast.List) else []
        if isinstance(func, ast.Name) and args and self.bind(func)[0] == BUILTIN:
            if func.id == "zip" and len(names) == len(args):
                return list(zip(names, args, strict=True))
            if func.id == "enumerate" and len(names) == 2:
                return [(names[0], None), (names[1], args[0])]
        if isinstance(func, ast.Attribute) and not args:
            if func.attr == "values":
                return [(target, func.value)]
            if func.attr == "items" and len(names) == 2:
                return [(names[0], None), (names[1], func.value)]
        return [(target, iterable)]

    def strings_in(self, over: ast.expr) -> list[str]:
        """The strings a loop over ``over`` takes: those of a list or tuple of strings, as
        written or held by a local (each list it was assigned)."""
        if isinstance(over, ast.List | ast.Tuple):
            return [k for o in self.origins(over, 0) if o.kind == "strs" for k in o.keys]
        if not (isinstance(over, ast.Name) and self.bind(over)[0] == LOCAL):
            return []
        held = bound_in(self.locals, over.id, self.scope)
        if not held or any(o.kind != "strs" for o in held):
            return []
        return list(dict.fromkeys(k for o in held for k in o.keys))

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            line = self.where(node.context_expr)[0]
            self.bind_target(
                node.optional_vars, [Origin("other", Name("", EXPR), line, text=self.text_at(line))]
            )
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None:
            line = self.where(node)[0]
            # the body's own, or a nested function's (init_buffer_and_writer's writer)
            returns = self.returns if self.depth == 1 else self.nested_returns.setdefault(self.scope, [])
            if isinstance(node.value, ast.Tuple) and _unstarred(node.value):
                for index, element in enumerate(node.value.elts):  # return model, loader
                    returns.extend(o._replace(part=index) for o in self.origins(element, line))
            else:
                returns.extend(self.origins(node.value, line))
            self.add_refs(node.value)
        self.generic_visit(node)


_VISITS: dict[type, Callable[[_Visitor, Any], None]] = {}  # a node type's visit_ method


def _unstarred(value: ast.Tuple | ast.List) -> bool:
    return not any(isinstance(e, ast.Starred) for e in value.elts)


def _paired(target: ast.expr, value: ast.expr) -> list[tuple[ast.expr, ast.expr]] | None:
    """``a, b = x, y``: each name with its value (None unless both are tuples of a length)."""
    if not isinstance(target, ast.Tuple | ast.List) or not isinstance(value, ast.Tuple | ast.List):
        return None
    if len(target.elts) != len(value.elts) or not (_unstarred(target) and _unstarred(value)):
        return None
    return list(zip(target.elts, value.elts, strict=True))
