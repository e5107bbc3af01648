"""Parsing on several threads at once: the terminal UI resolves steps, calls and
references on threads of its own. On CPython 3.11, a parse during which the garbage
collector runs Python code while another thread parses fails with ``SystemError: AST
constructor recursion depth mismatch``; codewalk parses one thread at a time."""

from __future__ import annotations

import ast
import gc
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk import parsing

PACKAGE = Path(parsing.__file__).parent
SOURCE = "\n".join(
    f"def f{n}(a, b=[1, 2, (3, 4)]):\n    return {{'k': [a + b * {n} for _ in range(3)]}}\n"
    for n in range(1000)
)


@pytest.fixture()
def gc_yields() -> Iterator[None]:
    """A garbage collection lets another thread run, as a finalizer's Python code does."""

    def let_others_run(phase: str, info: dict[str, int]) -> None:
        time.sleep(0)

    gc.callbacks.append(let_others_run)
    try:
        yield
    finally:
        gc.callbacks.remove(let_others_run)


def test_threads_parsing_at_once_each_get_their_tree(gc_yields: None) -> None:
    errors: list[BaseException] = []
    trees: list[ast.Module] = []

    def work() -> None:
        for _ in range(4):
            try:
                trees.append(parsing.parse(SOURCE))
            except SystemError as error:  # what ast.parse raises here, unguarded
                errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(trees) == 12 and all(len(tree.body) == 1000 for tree in trees)


def test_every_parse_of_the_package_goes_through_the_lock() -> None:
    """``ast.parse`` itself is called in parsing.py alone, but for the recorder, which runs
    in the program's Python and imports only the standard library (it parses there only
    for a Python before 3.11, to name its codes)."""
    callers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = node.func if isinstance(node, ast.Call) else None
            if isinstance(func, ast.Attribute) and func.attr == "parse" and ast.unparse(func.value) == "ast":
                callers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert callers and all(c.startswith(("parsing.py:", "traces/recording.py:")) for c in callers), callers
    assert sum(c.startswith("traces/recording.py:") for c in callers) == 1


@pytest.mark.parametrize("parse", [parsing.parse, parsing.parse_expression])
def test_what_the_compiler_warns_of_in_a_librarys_code_is_not_said(parse: object) -> None:
    """``"\\w"`` in a library's string: a DeprecationWarning in 3.11, a SyntaxWarning shown
    to every user from 3.12 on, printed among codewalk's answers if let through."""
    import warnings

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        tree = parse('"a\\w"')  # type: ignore[operator]
        warnings.warn("this one is said", UserWarning, stacklevel=1)
    assert isinstance(tree, ast.AST)
    assert [str(w.message) for w in said] == ["this one is said"]  # the filter is the caller's again
