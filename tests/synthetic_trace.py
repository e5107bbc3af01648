"""A recorded run made by hand, for the tests that read a trace's shape (its tree, the
sites its calls are given to) without running a program."""

from __future__ import annotations

from collections.abc import Sequence

from codewalk.traces.model import Function, Node, Other, Trace


def synthetic_trace(
    functions: Sequence[Function],
    nodes: Sequence[Node],
    *,
    lines: Sequence[tuple[int, ...]] | None = None,
    others: Sequence[Other] = (),
    wrappers: Sequence[tuple[int, int]] = (),
) -> Trace:
    """A run of ``prog.py`` that returned, its ``nodes`` calls of ``functions`` (node 0:
    the program); ``lines``: the lines each function ran (default none); ``wrappers``:
    (a wrapper, the function it wraps), by their places in ``functions``."""
    return Trace(
        name="toy",
        program=("prog.py",),
        module=False,
        cwd="/",
        python="3.11.7",
        executable="python",
        engine="sys.settrace",
        started=0.0,
        seconds=1.0,
        ended="returned",
        status=0,
        error="",
        repos=(),
        functions=tuple(functions),
        others=tuple(others),
        nodes=tuple(nodes),
        lines=tuple(lines) if lines is not None else tuple(() for _ in functions),
        notes=(),
        wrappers=tuple(wrappers),
    )
