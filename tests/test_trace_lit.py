"""The lines a module's import runs in its ``def``s (decorators, defaults, annotations),
which a trace does not light as a call's."""

from __future__ import annotations

import textwrap

from codewalk.traces.lit import import_lines

SOURCE = textwrap.dedent(
    """\
    import functools


    @functools.cache
    def top(
        x: int = 1,
    ) -> int:
        def inner(y=2):
            return y
        return inner(x)


    class Model:
        @property
        def size(self): return 3

        if True:
            async def later(self,
                            z=None):
                pass


    try:
        def guarded(): pass
    except ImportError:
        pass
    value = (lambda q=1: q)()
    """
)


def test_the_import_lines_are_each_top_level_or_class_level_defs_decorators_and_signature() -> None:
    lines = SOURCE.splitlines()
    found = import_lines(SOURCE)
    assert sorted(lines[n - 1].strip() for n in found) == sorted(
        [
            "@functools.cache",
            "def top(",
            "x: int = 1,",
            ") -> int:",
            "@property",
            "async def later(self,",
            "z=None):",
        ]
    )
    # a one-line def's only line is its body's too; a def inside a function runs with its call
    apart = {n for n, text in enumerate(lines, 1) if any(w in text for w in ("inner", "guarded", "size"))}
    assert not apart & found


def test_a_decorator_of_a_def_that_starts_a_body_is_the_calls() -> None:
    # a wrapper's factory: ``@wraps(func)`` runs at each call of it, not at the import
    source = textwrap.dedent(
        """\
        import functools


        def can_return(func):
            @functools.wraps(func)
            def wrapper(*args):
                return func(*args)
            return wrapper
        """
    )
    lines = source.splitlines()
    assert sorted(lines[n - 1].strip() for n in import_lines(source)) == ["def can_return(func):"]


def test_text_that_is_not_python_has_no_import_lines() -> None:
    assert import_lines("def broken(:\n") == frozenset()


def test_source_nested_too_deeply_for_the_parser_lights_as_it_ran() -> None:
    """A file Python's parser cannot read (``RecursionError`` past its nesting limit) has
    nothing told apart, as a file that does not parse, rather than breaking the UI."""
    assert import_lines("def f():\n    pass\nx = a" + ".a" * 200_000) == frozenset()
