"""The name under a cursor: what ``goto`` and the UI's ``g`` ask the resolver about."""

from __future__ import annotations

import ast

from codewalk import parsing
from codewalk.index.syntax import FunctionNode, dotted


def name_at(data: bytes | str, line: int, col: int) -> tuple[str, str] | None:
    """The dotted name under a cursor and the qualname of the class around it.

    Returns ``("self.model.generate", "LlamaForCausalLM")`` style pairs: the chain of
    names up to and including the part under the cursor. ``None`` when the cursor is
    on nothing nameable or the file does not parse.
    """
    try:
        tree = parsing.parse(data)
    except (SyntaxError, ValueError):
        return None
    best: tuple[str, str] | None = None
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, cls = stack.pop()
        if isinstance(node, ast.ClassDef):
            start = name_col(node, "class")
            if node.lineno == line and start <= col < start + len(node.name):
                return (f"{cls}.{node.name}" if cls else node.name, "")
            inner = f"{cls}.{node.name}" if cls else node.name
            # bases, keywords and decorators are evaluated outside the class body
            stack.extend((outer, cls) for outer in (*node.bases, *node.keywords, *node.decorator_list))
            stack.extend((statement, inner) for statement in node.body)
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            keyword = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
            start = name_col(node, keyword)
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


def name_col(node: ast.ClassDef | FunctionNode, keyword: str) -> int:
    return node.col_offset + len(keyword) + 1
