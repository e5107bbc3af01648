"""Python source to ``ast`` trees, one thread at a time.

CPython 3.11 keeps the depth of the tree ``ast.parse`` is building in state the threads of
an interpreter share. When the garbage collector runs Python code in the middle of a parse
(a finalizer, a callback) and another thread parses meanwhile, the first one fails with
``SystemError: AST constructor recursion depth mismatch`` (python/cpython#106905). The
terminal UI resolves steps, calls and references on threads of its own, so every parse in
codewalk goes through here: parsing holds the interpreter anyway, the lock costs nothing.

The code parsed is the libraries', not the reader's: what the compiler warns of in it
(``"\\w"``, an invalid escape sequence: a ``SyntaxWarning`` Python shows from 3.12 on) is not
the reader's concern, and would be printed among codewalk's answers. It is silenced here.
"""

from __future__ import annotations

import ast
import threading
import warnings

_LOCK = threading.Lock()


def parse(source: str | bytes) -> ast.Module:
    """``ast.parse(source)``, its warnings unsaid; source nested too deeply for Python's
    parser (``x = 1 + 1 + ...`` thousands of times) is a ``SyntaxError``, as other source
    Python cannot read is, not the ``RecursionError`` or ``MemoryError`` it raises."""
    with _LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(source)
        except (RecursionError, MemoryError):
            raise SyntaxError(_TOO_DEEP) from None


def parse_expression(source: str) -> ast.Expression:
    """``ast.parse(source, mode="eval")``, as :func:`parse` says."""
    with _LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(source, mode="eval")
        except (RecursionError, MemoryError):
            raise SyntaxError(_TOO_DEEP) from None


_TOO_DEEP = "nested too deeply for Python's parser"
