"""``calls FUNC --trace NAME`` on a function of the program's own: answered from the run.

No pin defines the program's function and codewalk indexes none of its files, so there
are no resolved call sites: its calls are read as written, a line of its body per row
(``codewalk.traces.own_calls``, what the UI's ``c`` lists there), each with what the run
called at that line, as ``goto FILE:LINE --trace NAME`` answers for one line.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from codewalk.cli.common import dump, result_dict
from codewalk.errors import QueryError
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.traces.joined import RanThere
    from codewalk.traces.model import Function
    from codewalk.traces.own_calls import OwnCalls
    from codewalk.traces.reading import Opened
    from codewalk.workspace.calling import CallRow

SAID = (
    "the program's own code, which codewalk does not index: its calls as written, and what the run "
    "called at each line"
)


def own_calls_answer(args: argparse.Namespace, opened: Opened, function: Function) -> int:
    """Print (or ``--json``) the calls of the program's ``function`` in the run; a file that
    changed since the run, or code with no ``def`` of its own (a lambda), is an error
    saying so."""
    from codewalk.traces.model import versions_of
    from codewalk.traces.own import own_label, read_own
    from codewalk.traces.own_calls import own_calls

    trace = opened.trace
    name = f"{function.short} ({own_label(function)})"  # as the tree and the other answers name it
    text = read_own(trace, function.path)  # TraceError when it changed since the run
    found = None
    if not function.name.rpartition(".")[2].startswith("<"):  # a lambda's: its enclosing def's
        found = own_calls(trace, opened.tree, function.path, text, function.line)
    if found is None:
        raise QueryError(
            f"{name} is no def or class of {function.path} whose calls codewalk can list"
            f" (line {function.line})",
            hint=f"codewalk tour --trace {trace.name} lists what it called under it",
        )
    index = trace.functions.index(function)
    ran = sum(node.calls for node in trace.nodes if node.function == index)
    target = found.calls.function
    if args.json:
        dump(
            {
                "query": args.query.strip(),
                "trace": trace.name,
                "function": result_dict(target) | {"program": True},
                "ran": ran,
                "note": SAID,
                "calls": [
                    _row_dict(row, there, found)
                    for row, there in zip(found.calls.rows, found.ran, strict=True)
                ],
                "unplaced": [],
            }
        )
        return 0
    said = f"ran x{ran}" if ran else "did not run"
    print(
        visible(
            f"{name}  {target.path}:{target.line}  {said} in trace {trace.name!r}"
            f" [{versions_of(trace.repos)}]"
        )
    )
    print(visible(f"  ({SAID})"))
    for row, there in zip(found.calls.rows, found.ran, strict=True):
        print(visible(_row_lines(row, there)))
    if not found.calls.rows:
        print("  (calls nothing)")
    return 0


def _row_lines(row: CallRow, there: tuple[RanThere, ...]) -> str:
    """A line of the body: its calls as written, then what ran there, most calls first."""
    total = sum(ran.calls for ran in there)
    head = f"  {row.line:>6}  {row.expr}  [{f'ran x{total}' if total else row.how}]"
    return "\n".join([head, *(f"            -> {ran.qualname}  [ran x{ran.calls}]" for ran in there)])


def _row_dict(row: CallRow, there: tuple[RanThere, ...], found: OwnCalls) -> dict[str, Any]:
    """A line of the body as ``calls --trace --json`` gives a call site, in the same shape:
    no targets (nothing resolves them), what ran there in ``reached``."""
    from codewalk.traces.model import PROGRAM

    ran = sum(each.calls for each in there)
    executed = found.executed
    return {
        "line": row.line,
        "col": row.col + 1,
        "kind": row.kind,
        "expr": row.expr,
        "text": row.text,
        "status": row.status,
        "how": row.how,
        "external": None,
        "targets": [],
        "branch": None,
        "ran": ran,
        "line_ran": bool(there) or (executed is not None and row.line in executed),
        "ran_unrecorded": False,
        "targets_ran": None,
        "ran_by_target": [],
        "looked_up_by_target": [],
        "beside_by_target": [],
        "reached": [
            {
                "qualname": each.qualname,
                "repo": None if each.repo == PROGRAM else each.repo,
                "path": each.path,
                "line": each.line,
                "program": each.repo == PROGRAM,
                "calls": each.calls,
            }
            for each in there
        ],
    }
