"""What a function of the program's own called, line by line, in a run: the UI's calls
panel (``c``) in a file no workspace reads.

No index holds the program's file, so its calls are read from its text (``ast``): each
line of the function's body holding a call is one row, the calls on it as written; beside
each, what the run recorded called there (a wrapper's call read as the function it wraps;
the pinned code the program called, not its own code, which a trace does not record).
Pure: a trace and a file's text in, rows out.
"""

from __future__ import annotations

import ast
import os
from pathlib import PurePosixPath
from typing import NamedTuple

from codewalk import parsing
from codewalk.resolve.model import Resolved
from codewalk.traces.called import ran_at_lines, roots_ran_at_lines
from codewalk.traces.joined import RanThere
from codewalk.traces.model import PROGRAM, Trace
from codewalk.traces.own import program_script, program_top
from codewalk.traces.tree import Tree
from codewalk.workspace.calling import CallList, CallRow

_DEF = (ast.FunctionDef, ast.AsyncFunctionDef)
_OWN = "the program's own code"


class OwnCalls(NamedTuple):
    """The function around a line of the program's file, a row per line of its body
    holding calls (the calls on it as written), and per row what ran there, most calls
    first (the calls panel's ``there``)."""

    calls: CallList
    ran: tuple[tuple[RanThere, ...], ...]
    # the lines of the file that ran, when the run recorded this code itself (pinned code
    # called it); None for code it did not follow line by line (``main()``, a script's)
    executed: frozenset[int] | None


def own_calls(
    trace: Trace, tree: Tree, path: str, text: str, line: int, module: bool = False
) -> OwnCalls | None:
    """The calls of the innermost function of the program's file ``path`` (``text``: the
    file as it ran) around ``line`` (in a class's body outside its methods, the class's
    statements), with what ran at each over the run; with ``module``, a line in no
    function lists the module's own statements' (a script's). None when
    there is nothing to list, or the text does not parse."""
    try:
        parsed = parsing.parse(text)
    except SyntaxError:
        return None
    source = text.splitlines()
    found = _innermost(parsed, line, ())
    if found is not None:
        function, names, method = found
        first = min([function.lineno, *(d.lineno for d in function.decorator_list)])
        lines = _call_lines(function.body)
        own = Resolved(
            PROGRAM,
            f"{_module_of(trace, path)}.{'.'.join(names)}",
            "class" if isinstance(function, ast.ClassDef) else "method" if method else "function",
            path,
            function.lineno,
            first,
            function.end_lineno or function.lineno,
            _OWN,
            source[function.lineno - 1].strip() if function.lineno <= len(source) else "",
        )
    elif module:
        first, lines = 1, _call_lines(parsed.body)  # a module's code starts at its line 1
        own = Resolved(PROGRAM, _module_of(trace, path), "module", path, 1, 1, max(1, len(source)), _OWN, "")
    else:
        return None
    # a method's call written over lines (``(x`` then ``.m()``) a run may place at its
    # name's line (3.10; from 3.11 on, its start): what ran at either is the row's
    also = {named: number for number, calls in lines.items() for _, _, named in calls if named not in lines}
    asked = set(lines) | set(also)
    ran = ran_at_lines(trace, tree, PROGRAM, path, asked)
    for number, called in roots_ran_at_lines(trace, tree, path, asked, first).items():
        ran[number] = [*ran.get(number, ()), *called]
    for named, number in also.items():
        if named in ran:
            ran[number] = [*ran.get(number, ()), *ran.pop(named)]
    recorded = any((f.repo, f.path, f.line) == (PROGRAM, path, first) for f in trace.functions)
    executed = trace.executed(PROGRAM, path) if recorded else None
    rows, there = _rows(trace, lines, ran, executed, source)
    return OwnCalls(CallList(own, rows), there, executed)


def _rows(
    trace: Trace,
    lines: dict[int, list[tuple[int, str, int]]],
    ran: dict[int, list[tuple[int, int]]],
    executed: frozenset[int] | None,
    source: list[str],
) -> tuple[tuple[CallRow, ...], tuple[tuple[RanThere, ...], ...]]:
    """A row per line of calls, and what ran at each, most calls first."""
    rows: list[CallRow] = []
    there: list[tuple[RanThere, ...]] = []
    for number, calls in sorted(lines.items()):
        written = ", ".join(dict.fromkeys(callee for _, callee, _ in sorted(calls)))
        said = "" if number in ran else _nothing_ran(None if executed is None else number in executed)
        text = source[number - 1].strip() if number <= len(source) else ""
        col = min(col for col, _, _ in calls)
        rows.append(CallRow(number, col, "call", written, text, "outside the pins", said, (), "", False))
        totals: dict[int, int] = {}
        for function, count in ran.get(number, ()):
            totals[function] = totals.get(function, 0) + count
        functions = sorted(totals.items(), key=lambda pair: -pair[1])
        there.append(tuple(_ran_there(trace, f, calls) for f, calls in functions))
    return tuple(rows), tuple(there)


def _nothing_ran(executed: bool | None) -> str:
    """What a row of the program's code says when no call into the pins ran there
    (``executed``: whether its line ran, None when the run did not follow the code)."""
    if executed is None:
        return (
            "nothing of the pins ran here (the program's own code, a builtin, torch, or the line did not run)"
        )
    if executed:
        return "the line ran, calling nothing of the pins (the program's own code, a builtin, torch)"
    return "the line did not run"


def _ran_there(trace: Trace, function: int, calls: int) -> RanThere:
    ran = trace.functions[function]
    return RanThere(ran.qualname, ran.repo, ran.path, ran.line, calls, None)


def _module_of(trace: Trace, path: str) -> str:
    """The module the run named the program's file ``path``; a file none of whose code
    the run recorded (its functions called by the program alone), named as the run names
    one: the script ``__main__``, a file beside it by its path from the script's
    directory (a directory run as a program, from itself), a file of ``-m``'s package by
    its path from the directory the package is in."""
    recorded = next((f.module for f in trace.functions if (f.repo, f.path) == (PROGRAM, path)), None)
    if recorded is not None:
        return recorded
    script = program_script(trace)  # a directory (a zip file) run: its __main__.py
    if script is not None and os.path.normpath(path) in (script, os.path.join(script, "__main__.py")):
        return "__main__"
    return _named_from(path, program_top(trace), trace.own_dirs)


def _named_from(path: str, top: str, own_dirs: tuple[str, ...]) -> str:
    """``path``'s module: from the directory the innermost of the program's packages
    holding it is in (``own_dirs`` other than ``top``), else from ``top``."""
    holding = [d for d in own_dirs if d != top and path.startswith(os.path.join(d, ""))]
    base = os.path.dirname(max(holding, key=len)) if holding else top
    relative = os.path.relpath(path, base) if os.path.isabs(base) else os.path.basename(path)
    parts = list(PurePosixPath(relative.replace(os.sep, "/")).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    if ".." in parts:  # outside them all (a damaged trace's, as its directory): its own name
        parts = parts[-1:]
    return ".".join(parts) or "__main__"


def _innermost(
    node: ast.AST, line: int, names: tuple[str, ...]
) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, tuple[str, ...], bool] | None:
    """The innermost ``def`` around ``line`` under ``node`` (a ``class`` when the line is
    in its body outside its methods: its statements run as it is defined), its nested
    name, and whether a class's body holds it."""
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, (*_DEF, ast.ClassDef)):
            if (inner := _innermost(child, line, names)) is not None:
                return inner
            continue
        first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
        if not first <= line <= (child.end_lineno or child.lineno):
            continue
        if isinstance(child, ast.ClassDef):  # a line of its body outside its methods: the class's
            return _innermost(child, line, (*names, child.name)) or (child, (*names, child.name), False)
        inner = _innermost(child, line, (*names, child.name, "<locals>"))
        return inner or (child, (*names, child.name), isinstance(node, ast.ClassDef))
    return None


def _call_lines(body: list[ast.stmt]) -> dict[int, list[tuple[int, str, int]]]:
    """``line: [(col, callee as written, the line of its name)]`` of the calls in ``body``
    (a function's, a module's), not in a function it defines (a comprehension's and a
    lambda's are the line's); the calls of such a definition's statement are (its
    decorators, a function's defaults, a class's bases and keywords), and those of a
    class's body outside its methods, which runs where the class is defined."""
    found: dict[int, list[tuple[int, str, int]]] = {}
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, (*_DEF, ast.ClassDef)):
            pending.extend(_defined_with(node))  # run where it is defined; a def's body is its own
            if isinstance(node, ast.ClassDef):
                pending.extend(node.body)
            continue
        if isinstance(node, ast.Call):
            func = node.func
            named = func.end_lineno or node.lineno if isinstance(func, ast.Attribute) else node.lineno
            found.setdefault(node.lineno, []).append((node.col_offset, _written(func), named))
        pending.extend(ast.iter_child_nodes(node))
    return found


def _defined_with(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[ast.expr]:
    """What a ``def`` or ``class`` statement evaluates as it runs, before its body: its
    decorators, a function's defaults, a class's bases and keywords (``metaclass=``); not
    a function's annotations (a call there is rare, and not made at all from Python 3.14
    on, or under ``from __future__ import annotations``)."""
    if isinstance(node, ast.ClassDef):
        return [*node.decorator_list, *node.bases, *(keyword.value for keyword in node.keywords)]
    defaults = [d for d in node.args.kw_defaults if d is not None]
    return [*node.decorator_list, *node.args.defaults, *defaults]


def _written(func: ast.expr) -> str:
    """A callee as a reader names it: ``toypkg.call_it``, ``self.model``; a call on what
    another returns, ``(...)``, or a subscript, ``[...]``."""
    try:
        text = ast.unparse(func)
    except (ValueError, RecursionError):  # an expression too deep to write back
        return "(...)"
    return text if len(text) <= 60 else text[:57] + "..."
