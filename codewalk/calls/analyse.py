"""libcst's binding analysis of one function body, for the bodies whose bindings the
``ast`` pass leaves in doubt (:mod:`codewalk.calls.scopes`: a class body inside the
function, a ``del`` of a name bound nowhere).

libcst's ``ScopeProvider`` says how each name is bound (parameters, locals,
comprehension and lambda scopes, ``global``/``nonlocal``, shadowing) and
``QualifiedNameProvider`` names what an import inside the body or a builtin stands for.

This is the only module that imports libcst. Pure: text in, bindings out; no node leaves.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    GlobalScope,
    PositionProvider,
    QualifiedNameProvider,
    QualifiedNameSource,
    ScopeProvider,
)

from codewalk.calls.records import BUILTIN, CLS, GLOBAL, IMPORT, LOCAL, PARAM, SELF

Bindings = dict[tuple[int, int], tuple[str, str]]  # (line, column) -> (root, qualified)


def bindings(source: str, *, method: bool) -> Bindings:
    """How each name read in ``source`` (a dedented function, decorators included) is
    bound: (root, qualified) by its line and character column in ``source``. ``method``:
    the function's first parameter is the instance (or the class), unless it is a
    ``staticmethod``. Empty when libcst cannot parse the text."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return {}
    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    visitor = _Visitor(method)
    wrapper.visit(visitor)
    return visitor.found


class _Visitor(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (ScopeProvider, QualifiedNameProvider, PositionProvider)

    def __init__(self, method: bool) -> None:
        super().__init__()
        self.method = method
        self.self_param: cst.Param | None = None
        self.self_root = SELF  # CLS in a classmethod
        self.depth = 0
        self.found: Bindings = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.depth == 0 and self.method:
            static = any(
                isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
                for d in node.decorators
            )
            params = [*node.params.posonly_params, *node.params.params]
            if params and not static:
                self.self_param = params[0]
                classy = any(
                    isinstance(d.decorator, cst.Name) and d.decorator.value == "classmethod"
                    for d in node.decorators
                )
                if classy or node.name.value in ("__new__", "__init_subclass__", "__class_getitem__"):
                    self.self_root = CLS
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Name(self, node: cst.Name) -> None:
        position = self.get_metadata(PositionProvider, node, None)
        if position is not None:
            self.found[(position.start.line, position.start.column)] = self.bind(node)

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
            return self.self_root, ""
        if any(isinstance(n, cst.Param) for n in nodes):
            return PARAM, ""
        return LOCAL, ""
