"""Who called a function in a run, and what a line called: the answers ``callers`` and
``goto`` give beside their static ones with ``--trace``.

A call through a decorator's wrapper is a call of the function it wraps, made where the
outermost wrapper was called, as the call tree reads it. Pure: a trace in, answers out.
"""

from __future__ import annotations

from typing import NamedTuple

from codewalk.traces.model import PROGRAM, Trace
from codewalk.traces.own import program_script
from codewalk.traces.text import called_by_the_program
from codewalk.traces.tree import Tree, part_of


class CalledFrom(NamedTuple):
    """The calls of a function made at one line of another over a run."""

    caller: int  # the calling function, in ``trace.functions``; -1: the program's own statement
    line: int  # the call-site line in the caller (for the program: in its code)
    calls: int
    node: int  # the first call's node (its outermost wrapper's): where it came from, through what


def callers_ran(trace: Trace, tree: Tree, functions: set[int]) -> list[CalledFrom]:
    """Each place the functions ``functions`` were called from in ``trace``, the calls
    made there summed, in the order the places first ran."""
    found: dict[tuple[int, int], CalledFrom] = {}
    nodes = trace.nodes
    for index in range(1, len(nodes)):
        if nodes[index].function not in functions:
            continue
        call = _call_of(tree, index)
        parent = nodes[call].parent
        caller = nodes[parent].function if parent > 0 else -1
        key = (caller, nodes[call].line)
        before = found.get(key)
        calls = nodes[index].calls + (before.calls if before else 0)
        found[key] = CalledFrom(caller, nodes[call].line, calls, before.node if before else call)
    return list(found.values())


def _call_of(tree: Tree, node: int) -> int:
    """The node whose call site is in the caller: the outermost of the wrappers whose
    closure called ``node``, else ``node`` itself."""
    nodes = tree.trace.nodes
    while nodes[node].parent > 0 and node in tree.wrapped.get(nodes[node].parent, ()):
        node = nodes[node].parent
    return node


def ran_at_line(trace: Trace, tree: Tree, repo: str, path: str, line: int) -> list[tuple[int, int]]:
    """``(function, calls)`` of each function called at ``line`` of the file ``path`` of
    ``repo`` over the run (a wrapper's call read as the function it wraps; a comprehension
    or lambda of the body is the line's own code, what it called is the line's), in the
    order they first ran."""
    return ran_at_lines(trace, tree, repo, path, {line}).get(line, [])


def ran_at_lines(
    trace: Trace, tree: Tree, repo: str, path: str, lines: set[int]
) -> dict[int, list[tuple[int, int]]]:
    """:func:`ran_at_line` of each of ``lines`` (those where nothing ran left out), in one
    pass over the run."""
    here = {i for i, f in enumerate(trace.functions) if (f.repo, f.path) == (repo, path)}
    found: dict[int, dict[int, int]] = {}
    nodes = trace.nodes
    for index in range(1, len(nodes)):
        node = nodes[index]
        if node.line not in lines or node.parent <= 0 or nodes[node.parent].function not in here:
            continue
        if part_of(trace.functions[node.function], trace.functions[nodes[node.parent].function]):
            continue  # a comprehension or lambda of the body: its code is the line's own, its calls below
        _add_shown(tree, index, found.setdefault(node.line, {}))
    return {line: list(at.items()) for line, at in found.items() if at}


def _add_shown(tree: Tree, index: int, at: dict[int, int]) -> None:
    """Count into ``at`` (function -> calls) the call of node ``index`` as the tree shows
    it: a wrapper's call read as the function it wraps."""
    nodes = tree.trace.nodes
    for shown in tree.shown(index):
        if shown.node in tree.wrapped:  # a wrapper read as itself, beside what it wraps
            continue
        function = nodes[shown.node].function
        at[function] = at.get(function, 0) + nodes[shown.node].calls


def roots_ran_at_lines(
    trace: Trace, tree: Tree, path: str, lines: set[int], first: int | None = None
) -> dict[int, list[tuple[int, int]]]:
    """What the code of the program's file ``path`` (as it ran) called at ``lines`` where
    the run did not record that code itself (a statement of the script, a function of the
    program no pinned code called: ``main()``): the roots whose caller was that code (only
    the code starting at line ``first``, when given), read through their wrappers as
    :func:`ran_at_lines` reads them."""
    nodes, others = trace.nodes, trace.others
    found: dict[int, dict[int, int]] = {}
    for index in range(1, len(nodes)):
        node = nodes[index]
        if node.parent != 0 or node.via < 0 or node.line not in lines:
            continue
        caller = others[node.via]
        if caller.filename != path or (first is not None and caller.line != first):
            continue
        _add_shown(tree, index, found.setdefault(node.line, {}))
    return {line: list(at.items()) for line, at in found.items() if at}


def program_ran_at_line(trace: Trace, tree: Tree, path: str, line: int) -> list[tuple[int, int]]:
    """``(function, calls)`` of each function the program's own file ``path`` (as it ran)
    called at ``line`` over the run: from the functions of it the run recorded (a callback
    the pinned code called) and from its code the run did not (a statement of the script),
    the former first, each in the order they first ran."""
    totals: dict[int, int] = {}
    for called in (
        ran_at_line(trace, tree, PROGRAM, path, line),
        roots_ran_at_lines(trace, tree, path, {line}).get(line, []),
    ):
        for function, calls in called:
            totals[function] = totals.get(function, 0) + calls
    return list(totals.items())


def program_files(trace: Trace) -> set[str]:
    """The program's own files in ``trace`` (absolute paths, as they ran): the script,
    those of its functions the pinned code called (``trace.own``), and those whose code
    called the pinned code (a helper module beside the script)."""
    nodes = trace.nodes
    callers = {
        trace.others[nodes[index].via].filename
        for index in range(1, len(nodes))
        if nodes[index].parent == 0 and nodes[index].via >= 0 and called_by_the_program(trace, index)
    }
    script = program_script(trace)
    return {own for own, _ in trace.own} | callers | ({script} if script else set())


def started_by_then(trace: Trace, tree: Tree, functions: set[int], line: int) -> list[tuple[int, int, int]]:
    """The processes (``trace.processes``' rows) a call of ``functions`` had started by
    the time it reached ``line`` of its code: at a line up to it, or beneath the call
    made there (a pool the function made, then handed what it runs): where a function it
    passed on at ``line`` may have run, which a trace does not record."""
    nodes = trace.nodes
    found = []
    for started in trace.processes:
        node, at = started[0], started[1]
        for above in reversed(tree.ancestors(node)):  # from the process's call up
            if nodes[above].function in functions:
                if at <= line:
                    found.append(started)
                break
            at = nodes[above].line  # the line of the call it is beneath, in its caller
    return found
