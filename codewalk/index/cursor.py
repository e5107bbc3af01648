"""The name under a cursor: what ``goto`` and the UI's ``g`` ask the resolver about."""

from __future__ import annotations

import ast

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
    # each node, the class around it, and whether a bare name there sees that class's scope
    stack: list[tuple[ast.AST, str, bool]] = [(tree, "", False)]
    while stack:
        node, cls, in_class = stack.pop()
        if isinstance(node, ast.ClassDef):
            start = name_col(node, "class")
            if node.lineno == line and start <= col < start + len(node.name):
                return (f"{cls}.{node.name}" if cls else node.name, "")
            inner = f"{cls}.{node.name}" if cls else node.name
            # bases, keywords and decorators are evaluated outside the class body
            outside = (*node.bases, *node.keywords, *node.decorator_list)
            stack.extend((outer, cls, in_class) for outer in outside)
            stack.extend((statement, inner, True) for statement in node.body)
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            keyword = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
            start = name_col(node, keyword)
            if node.lineno == line and start <= col < start + len(node.name):
                return (f"{cls}.{node.name}" if cls else node.name, "")
            # its decorators, defaults and annotations run where it is defined; its body in its own scope
            header = [*node.decorator_list, node.args, *([node.returns] if node.returns else [])]
            stack.extend((part, cls, in_class) for part in header)
            stack.extend((statement, cls, False) for statement in node.body)
            continue
        if isinstance(node, ast.Lambda):  # its body, as a function's, in its own scope
            stack.extend([(node.args, cls, in_class), (node.body, cls, False)])
            continue
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            # a scope of its own too, but for its first iterable, evaluated where it is written
            first = node.generators[0]
            own = [n for n in ast.iter_child_nodes(node) if n is not first]
            stack.extend((part, cls, False) for part in [*own, first.target, *first.ifs])
            stack.append((first.iter, cls, in_class))
            continue
        if isinstance(node, ast.Name):
            if node.lineno == line and node.col_offset <= col < (node.end_col_offset or 0):
                return (node.id, cls if in_class else "")
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
        stack.extend((child, cls, in_class) for child in ast.iter_child_nodes(node))
    return best


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
    name = "<module>"
    body: list[ast.stmt] = tree.body
    while True:
        inner = next((node for node in _scopes(body) if _holds(node, line)), None)
        if inner is None:
            return name
        name, body = inner.name, inner.body


def defined_at(data: bytes | str, line: int) -> str | None:
    """The qualified name Python gives the function or class whose ``def`` or ``class``
    line is ``line``, a nested one's included (``outer.<locals>.inner``); None when none
    opens there, or the file does not parse."""
    try:
        tree = parsing.parse(data)
    except (SyntaxError, ValueError):
        return None
    prefix = ""
    body: list[ast.stmt] = tree.body
    while True:
        scopes = _scopes(body)
        opened = next((node for node in scopes if node.lineno == line), None)
        if opened is not None:
            return prefix + opened.name
        inner = next((node for node in scopes if node.lineno < line <= (node.end_lineno or 0)), None)
        if inner is None:
            return None
        prefix += inner.name + (".<locals>." if isinstance(inner, FunctionNode) else ".")
        body = inner.body


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
