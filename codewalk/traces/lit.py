"""The lines of a file a trace lights: those that executed, less what a ``def`` ran when
its module was imported.

Python runs a ``def`` at module (or class) level as the module is imported: its
decorators, its parameters' defaults and its annotations execute there, on the lines of
its signature, and no call of the function runs them again. Lit beside the lines a call
ran, they read as the call's; so a trace lights the body lines alone. A ``def`` inside a
function runs when that function is called: its lines are that call's, and stay lit.
"""

from __future__ import annotations

import ast

from codewalk.parsing import parse


def import_lines(text: str) -> frozenset[int]:
    """The 1-based lines of ``text`` that its module's import runs for the ``def``s at its
    top level or in a class there (each decorator's first line to the line before its
    body, whose first statement starts at its decorators: a decorated ``def`` in the body
    runs them at each call); none when ``text`` is not Python that parses."""
    try:
        tree = parse(text)
    except (SyntaxError, ValueError):  # not Python codewalk can read: nothing is told apart
        return frozenset()
    found: set[int] = set()
    scopes: list[ast.AST] = [tree]
    while scopes:
        for node in ast.iter_child_nodes(scopes.pop()):
            if isinstance(node, ast.ClassDef):
                scopes.append(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.update(range(_first_line(node), _first_line(node.body[0])))
            elif not isinstance(node, (ast.expr, ast.expr_context)):  # an if, a try: its defs too
                scopes.append(node)
    return frozenset(found)


def _first_line(node: ast.stmt) -> int:
    """The first line of ``node``: its first decorator's, where it has decorators."""
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])
