"""A trace recorded by a Python before 3.11, whose code objects carry only their own
names, is named as Python 3.11 names each code (``co_qualname``): read from the file."""

from __future__ import annotations

import sys
import textwrap
import types

import pytest

from codewalk.traces.recording import qualnames

SOURCE = textwrap.dedent(
    """
    import functools


    def deco(f):
        @functools.wraps(f)
        def wrapper(*args):
            return f(*args)

        return wrapper


    class Engine:
        sizes = [n * 2 for n in range(3)]

        @deco
        def step(self, items):
            keep = {k: [v for v in vs if v] for k, vs in sorted(items, key=lambda kv: kv[0])}
            total = sum(x for x in keep)
            pick = lambda y: (
                lambda z: z + y
            )
            return total, pick

        class Inner:
            async def run(self):
                def helper():
                    return {i for i in range(2)}

                return helper()


    def outer():
        class Local:
            def method(self):
                return [lambda: 1 for _ in range(2)]

        return Local
    """
)


def _codes(code: types.CodeType) -> list[types.CodeType]:
    found = []
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found += [const, *_codes(const)]
    return found


@pytest.mark.skipif(sys.version_info < (3, 11), reason="Python itself is the judge: co_qualname is 3.11's")
def test_each_code_is_named_as_python_names_it() -> None:
    names = qualnames(SOURCE)
    codes = _codes(compile(SOURCE, "engine.py", "exec"))
    assert len(codes) == 20  # every kind: nested, decorated, in a class, lambdas, comprehensions
    assert {c.co_qualname: names.get((c.co_firstlineno, c.co_name)) for c in codes} == {
        c.co_qualname: c.co_qualname for c in codes
    }
