"""The name under a cursor: what ``goto`` and the UI's ``g`` ask the resolver about."""

from __future__ import annotations

import ast
from collections.abc import Callable

from codewalk import parsing
from codewalk.index.syntax import FunctionNode, dotted, start_line


def name_at(data: bytes | str, line: int, col: int) -> tuple[str, str] | None:
    """The dotted name under a cursor and the qualname of the class around it.

    Returns ``("self.model.generate", "LlamaForCausalLM")`` style pairs: the chain of
    names up to and including the part under the cursor. A bare name is paired with the
    class only where Python looks it up in the class's scope (the class body, a method's
    decorators, defaults and annotations, a comprehension's first iterable), not in a
    function's body or the rest of a comprehension, where it is a local or the module's
    (``lora_B`` in ``return lora_B(x)``). ``None`` when the cursor is on
    nothing nameable or the file does not parse.
    """
    try:
        tree = parsing.parse(data)
    except (SyntaxError, ValueError):
        return None
    best: tuple[str, str] | None = None
    stack: list[_Frame] = [(tree, "", False)]
    while stack:
        node, cls, in_class = stack.pop()
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            if _names_definition(node, line, col):
                return (f"{cls}.{node.name}" if cls else node.name, "")
            stack.extend(_scoped(node, cls, in_class))
            continue
        if isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            stack.extend(_own_scope(node, cls, in_class))
            continue
        found = _name_under(node, cls, in_class, line, col)
        if found is not None:
            return found
        if (
            isinstance(node, ast.alias)
            and node.lineno == line
            and node.col_offset <= col < (node.end_col_offset or 0)
        ):
            best = (node.name, cls)
        stack.extend((child, cls, in_class) for child in ast.iter_child_nodes(node))
    return best


_Frame = tuple[ast.AST, str, bool]  # a node, the class around it, whether a bare name there sees its scope


def _names_definition(node: ast.ClassDef | FunctionNode, line: int, col: int) -> bool:
    """Whether ``line:col`` is on the name a ``class`` or ``def`` statement defines."""
    keyword = (
        "class"
        if isinstance(node, ast.ClassDef)
        else "async def"
        if isinstance(node, ast.AsyncFunctionDef)
        else "def"
    )
    start = name_col(node, keyword)
    return node.lineno == line and start <= col < start + len(node.name)


def _scoped(node: ast.ClassDef | FunctionNode, cls: str, in_class: bool) -> list[_Frame]:
    """The parts of a ``class`` or ``def`` statement to look into, each with the class
    around it and whether a bare name there sees that class's scope: a class's bases,
    keywords and decorators, and a function's decorators, defaults and annotations, are
    evaluated where the statement is; a class's body in the class's scope, a function's
    in its own."""
    if isinstance(node, ast.ClassDef):
        inner = f"{cls}.{node.name}" if cls else node.name
        outside: list[ast.AST] = [*node.bases, *node.keywords, *node.decorator_list]
        return [
            *((part, cls, in_class) for part in outside),
            *((statement, inner, True) for statement in node.body),
        ]
    header: list[ast.AST] = [*node.decorator_list, node.args, *([node.returns] if node.returns else [])]
    return [
        *((part, cls, in_class) for part in header),
        *((statement, cls, False) for statement in node.body),
    ]


def _own_scope(
    node: ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp, cls: str, in_class: bool
) -> list[_Frame]:
    """The parts of a lambda or a comprehension, a scope of its own: its body, element
    and conditions see no class's names; a lambda's defaults and a comprehension's first
    iterable are evaluated where it is written."""
    if isinstance(node, ast.Lambda):
        return [(node.args, cls, in_class), (node.body, cls, False)]
    first = node.generators[0]
    own = [n for n in ast.iter_child_nodes(node) if n is not first]
    return [*((part, cls, False) for part in [*own, first.target, *first.ifs]), (first.iter, cls, in_class)]


def _name_under(node: ast.AST, cls: str, in_class: bool, line: int, col: int) -> tuple[str, str] | None:
    """The name or dotted attribute ``node`` is, if ``line:col`` is on its last part,
    paired with the class a bare name there sees (none in a function's body)."""
    if isinstance(node, ast.Name):
        if node.lineno == line and node.col_offset <= col < (node.end_col_offset or 0):
            return (node.id, cls if in_class else "")
    elif isinstance(node, ast.Attribute) and node.end_lineno == line:
        end = node.end_col_offset or 0
        if end - len(node.attr) <= col < end:
            chain = dotted(node)
            return (chain, cls) if chain else (f"?.{node.attr}", cls)
    return None


def name_col(node: ast.ClassDef | FunctionNode, keyword: str) -> int:
    return node.col_offset + len(keyword) + 1


def column_meant(data: bytes | str, line: int) -> int | None:
    """Where on ``line`` a reader who names the line alone (a traceback gives no column)
    means the cursor, 0-based: the name of the ``def`` or ``class`` the line opens, else
    the callee of the line's first call as read (the receiver's call in
    ``self.a.b(x).c()``, the outer call in ``f(g(x))``; ``super()`` is not the call meant
    in ``super().__init__()``), else the first name an import on the line imports (a
    traceback through an import), else the first dotted name the line passes to a call
    (``self._inner_training_loop,`` on a line of a call's arguments: ``path`` shows such
    a line as the hop of a function passed as a value). None when the line has none of
    these, or the file does not parse."""
    try:
        tree = parsing.parse(data)
    except (SyntaxError, ValueError):
        return None
    calls: list[int] = []
    imports: list[int] = []
    passed: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.lineno == line:
            return name_col(node, "class")
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.lineno == line:
            return name_col(node, "async def" if isinstance(node, ast.AsyncFunctionDef) else "def")
        if isinstance(node, ast.Call):
            at = _callee_at(node.func)
            if at is not None and at[0] == line and not _is_super(node):
                calls.append(at[1])
            for arg in (*node.args, *(keyword.value for keyword in node.keywords)):
                at = _callee_at(arg) if isinstance(arg, ast.Name | ast.Attribute) else None
                if at is not None and at[0] == line:
                    passed.append(at[1])
        if isinstance(node, ast.alias) and node.lineno == line:
            imports.append(node.col_offset)
    found = calls or imports or passed
    return min(found) if found else None


def values_on(data: bytes | str, line: int) -> list[int]:
    """The 0-based columns of the dotted names ``line`` reads as values, in order (the last
    name of each chain: ``create_causal_mask`` and ``create_sliding_window_causal_mask`` in
    ``f = create_causal_mask if ... else create_sliding_window_causal_mask``): what a line
    that calls, imports and defines nothing may still name. [] when the file does not parse."""
    try:
        tree = parsing.parse(data)
    except (SyntaxError, ValueError):
        return []
    inner: set[int] = set()  # the receivers of attribute chains: part of a longer name
    found: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            inner.add(id(node.value))
        if not isinstance(node, ast.Name | ast.Attribute):
            continue
        if isinstance(node.ctx, ast.Load) and id(node) not in inner:
            at = _callee_at(node)
            if at is not None and at[0] == line:
                found.append(at[1])
    return sorted(found)


def _callee_at(func: ast.expr) -> tuple[int, int] | None:
    """``(line, col)`` of the name a call calls: the last of a dotted chain; for
    ``self.layers[0](x)`` the container's."""
    while isinstance(func, ast.Subscript):
        func = func.value
    if isinstance(func, ast.Name):
        return func.lineno, func.col_offset
    if isinstance(func, ast.Attribute) and func.end_lineno is not None and func.end_col_offset is not None:
        return func.end_lineno, func.end_col_offset - len(func.attr)
    return None


def _is_super(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id == "super"


def scope_at(data: bytes | str, line: int) -> str | None:
    """The name of the innermost function or class whose body holds ``line``, as a
    traceback names the code running there (``<module>`` at the top level); None when
    the file does not parse."""
    try:
        tree = parsing.parse(data)
    except (SyntaxError, ValueError):
        return None
    around = _around(tree.body, line, _holds)
    return around[-1].name if around else "<module>"


def defined_at(data: bytes | str, line: int) -> str | None:
    """The qualified name Python gives the function or class whose ``def`` or ``class``
    line is ``line``, a nested one's included (``outer.<locals>.inner``); None when none
    opens there, or the file does not parse."""
    try:
        tree = parsing.parse(data)
    except (SyntaxError, ValueError):
        return None
    around = _around(tree.body, line, lambda node, at: node.lineno <= at <= (node.end_lineno or 0))
    if not around or around[-1].lineno != line:
        return None
    return (
        "".join(node.name + (".<locals>." if isinstance(node, FunctionNode) else ".") for node in around[:-1])
        + around[-1].name
    )


def _around(
    body: list[ast.stmt], line: int, within: Callable[[ast.ClassDef | FunctionNode, int], bool]
) -> list[ast.ClassDef | FunctionNode]:
    """The functions and classes around ``line``, outermost first: each the one of the
    body of the one before (of ``body``, first) that ``within`` says holds it."""
    found: list[ast.ClassDef | FunctionNode] = []
    while (inner := next((node for node in _scopes(body) if within(node, line)), None)) is not None:
        found.append(inner)
        body = inner.body
    return found


def _scopes(body: list[ast.stmt]) -> list[ast.ClassDef | FunctionNode]:
    """The functions and classes defined in ``body``, at any depth of its compound
    statements (an ``if``, a ``try``), not inside other functions or classes."""
    found: list[ast.ClassDef | FunctionNode] = []
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(node)
        elif isinstance(node, ast.stmt | ast.excepthandler | ast.match_case):
            stack.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, _BLOCKS))
    return found


_BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)  # what holds a nested definition


def _holds(node: ast.ClassDef | FunctionNode, line: int) -> bool:
    """Whether ``line`` is in ``node``'s body (its header and decorators run outside it)."""
    return start_line(node.body[0]) <= line <= (node.end_lineno or node.lineno)
