"""Small pure helpers over stdlib ``ast`` nodes, shared by the extractor and the
cursor lookup."""

from __future__ import annotations

import ast

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


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


def start_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    if decorators:
        return min(node.lineno, *(int(d.lineno) for d in decorators))
    return node.lineno


def decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    return dotted(node)


def unsubscript(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Subscript) else node


def is_dir_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and dotted(node.func) == "dir"


def is_type_checking(test: ast.expr) -> bool:
    return dotted(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def doc_line(node: ast.ClassDef | FunctionNode) -> str:
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


def string_list(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return None


def literal_or_dotted(node: ast.expr) -> tuple[str, bool] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value, True)
    text = dotted(node)
    return (text, False) if text else None


def dedent(lines: list[str]) -> str:
    if not lines:
        return ""
    indent = len(lines[0]) - len(lines[0].lstrip())
    if indent == 0:
        return "\n".join(lines).rstrip()
    return "\n".join(line[indent:] if line[:indent].isspace() else line.strip() for line in lines).rstrip()
