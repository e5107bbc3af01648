"""A trace's parts in words: durations, where a call came from, a node's line, the
trace's heading. Shared by the plain tree (``render/trace_tree.py``) and a trace read
as a tour (``tours/traced.py``)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence

from codewalk.traces.model import Node, Trace, outside_run, versions_of
from codewalk.traces.own import own_label, program_top, remote_base
from codewalk.traces.rows import Row, besides, call_lines, made_by, row_calls, row_raised, row_seconds
from codewalk.traces.tree import Shown


def seconds_text(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1_000_000:.0f} us"


def where_called(
    trace: Trace, index: int, name: Callable[[str], str] = str, lines: str = "", by: str = ""
) -> str:
    """``line 3007``; for a call from outside the pinned packages, where it came from; for
    a call that went through code outside them, each frame of it (``line 4319, through
    Module._wrapped_call_impl → Module._call_impl``, a long run cut in its middle).
    ``name`` writes a name of code (a Markdown note puts it in a code span); ``lines``
    (:func:`lines_text`) stands for the line of a row that folds calls from several;
    ``by``, the function whose lines they are, where it is not the one above the call's
    row (a wrapper read through: ``line 142 of strict.<locals>...__strict_setattr__``)."""
    node = trace.nodes[index]
    at = (lines or f"line {node.line}") + (f" of {name(by)}" if by else "")
    if node.via < 0:
        return at
    other = trace.others[node.via]
    if node.parent == 0:
        if lines:
            return f"from {name(os.path.basename(other.filename))} {name(other.name)}, {lines}"
        return f"from {name(f'{os.path.basename(other.filename)}:{node.line}')} {name(other.name)}"
    run = [name(trace.others[other].name) for other in outside_run(trace, index)]
    if len(run) > RUN_SHOWN + 1:  # its first frames and its last, and how many between
        run = [*run[: RUN_SHOWN - 1], f"{len(run) - RUN_SHOWN} more", run[-1]]
    return f"{at}, through {' → '.join(run)}"


RUN_SHOWN = 4  # the frames of a longer run of code outside the pins named in a row


# the standard library's frames that run a thread's function, by name and file's end, and
# how a root's caller is then said
_POOL_RUNNER = ("_WorkItem.run", "/concurrent/futures/thread.py")
THREAD_RUNNERS = {
    ("Thread.run", "/threading.py"): "a thread, as the function it runs",
    _POOL_RUNNER: "a thread pool's worker, as the task it was given",
}


def thread_runner(trace: Trace, node: Node) -> str:
    """Who ran a root's call, when a thread did: a ``threading.Thread`` as its target (its
    ``Thread.run`` called it: ``Thread(target=model.generate)`` beside a
    ``TextIteratorStreamer``), or a ``concurrent.futures`` pool's worker as a task
    submitted to it (``pool.map(tokenize, texts)``); "" for any other call."""
    if node.parent != 0 or node.via < 0:
        return ""
    return _runs_threads(trace, node.via)


def pool_task(trace: Trace, index: int) -> bool:
    """Whether the call of node ``index`` ran as a task submitted to a ``concurrent.futures``
    thread pool, hung under the statement that submitted it: its pool's worker
    (``_WorkItem.run``) among the frames it went through (a trace recorded before tasks
    were hung so has them as roots its worker called: :func:`thread_runner` says those)."""
    node = trace.nodes[index]
    if node.parent == 0:
        others = [other for at, other in trace.passed if at == index]
    else:
        others = outside_run(trace, index)
    return any(_runs_threads(trace, other) == THREAD_RUNNERS[_POOL_RUNNER] for other in others)


def _runs_threads(trace: Trace, other: int) -> str:
    """What :data:`THREAD_RUNNERS` says of the frame of other code ``other``, else ""."""
    found = trace.others[other]
    filename = found.filename.replace(os.sep, "/")
    return next(
        (
            said
            for (name, tail), said in THREAD_RUNNERS.items()
            if found.name == name and filename.endswith(tail)
        ),
        "",
    )


def called_by_the_program(trace: Trace, index: int) -> bool:
    """Whether root ``index``'s call came from the program: a statement of its own, or
    code of its own beside it, as the recorder told the program's files (under its
    directory, neither an installed package's nor the interpreter's; for ``-m``, the
    module's package wherever it was imported from; a model's remote code, wherever
    transformers copied it); not code outside the pinned packages that called back
    (``inspect.getmodule`` while torch imports, a thread's ``Thread.run``,
    ``copy.deepcopy``). A trace recorded before the recorder said so is read by the same
    rule, from where the caller's file is."""
    if trace.direct is not None:
        return index in trace.direct
    node = trace.nodes[index]
    if node.via < 0:
        return True
    filename = trace.others[node.via].filename
    if not os.path.isabs(filename):  # <frozen importlib._bootstrap>, <string>
        return False
    if remote_base(filename) is not None:  # the program called the model's code itself
        return True
    top = program_top(trace)

    def under(path: str, directory: str) -> bool:
        return path.startswith(directory.rstrip(os.sep) + os.sep)

    if any(under(filename, d) for d in trace.own_dirs if d != top):
        return True  # -m's package, imported from elsewhere
    # a virtualenv made beside the script (its bin/python two levels below its prefix)
    interpreter = os.path.dirname(os.path.dirname(trace.executable)) if trace.executable else ""
    beside = bool(interpreter) and under(interpreter, top)
    parts = filename.split(os.sep)
    return (
        under(filename, top)
        and not (beside and under(filename, interpreter))
        and "site-packages" not in parts
        and "dist-packages" not in parts
    )


def where_shown(
    trace: Trace, shown: Shown, name: Callable[[str], str] = str, lines: str = "", by: str = ""
) -> str:
    """Where the call of a function read through its wrappers came from, and each
    wrapper it went through: ``line 172, through can_return_tuple.<locals>.wrapper``
    (first, for a call of the program, the frames of code outside the pinned packages,
    one run as a call from inside them says it: ``through Module._wrapped_call_impl →
    Module._call_impl``)."""
    run = [name(trace.others[other].name) for node, other in trace.passed if node == shown.call]
    if len(run) > RUN_SHOWN + 1:
        run = [*run[: RUN_SHOWN - 1], f"{len(run) - RUN_SHOWN} more", run[-1]]
    outside = [f"through {' → '.join(run)}"] if run else []
    inside = (trace.functions[trace.nodes[node].function].short for node in shown.through)
    where = where_called(trace, shown.call, name, lines, by)
    return ", ".join([where, *outside, *(f"through {name(wrapper)}" for wrapper in inside)])


# a wrapper's row beside the functions it wraps: its time leaves theirs out (in their rows)
BESIDES = "besides the functions it wraps"

LISTED = 4  # a folded row names its lines up to this many, else their span and number


def lines_text(trace: Trace, row: Row) -> str:
    """The lines a row's calls came from when they are several (``lines 659, 661``;
    ``lines 836-854, 11 lines``), else "" (the call's own line is said as it was)."""
    lines = list(call_lines(trace, row))
    if len(lines) == 1:
        return ""
    if len(lines) <= LISTED:
        return "lines " + ", ".join(map(str, lines))
    return f"lines {lines[0]}-{lines[-1]}, {len(lines)} lines"


def called_from(trace: Trace, rows: Sequence[Row]) -> list[str]:
    """Each row's calling lines (``from line 697``, ``from lines 659, 661``) where a row
    beside it (under the same row) calls a function of the same name from other lines,
    else "": the four ``<dictcomp>`` one function runs at lines 697, 698, 709 and 717 are
    told apart."""
    under: list[int] = []  # the row each row is under (-1: the program's calls)
    above: list[int] = []  # the rows down to the one being read, one a level
    for index, row in enumerate(rows):
        del above[row.depth :]
        under.append(above[-1] if above else -1)
        above.append(index)
    keys = [(under[i], _short(trace, row)) for i, row in enumerate(rows)]
    named = Counter(keys)
    said = [_from_lines(trace, row) if named[key] > 1 else "" for key, row in zip(keys, rows, strict=True)]
    told: dict[tuple[int, str], set[str]] = {}
    for key, text in zip(keys, said, strict=True):
        told.setdefault(key, set()).add(text)
    # rows their calling lines do not tell apart (a helper's line, imports through one
    # line of importlib) say nothing more: the end of each row says where it came from
    return [text if len(told[key]) > 1 else "" for key, text in zip(keys, said, strict=True)]


def _short(trace: Trace, row: Row) -> str:
    return trace.functions[trace.nodes[row.shown.node].function].short


def _from_lines(trace: Trace, row: Row) -> str:
    """``from line 697``; for a call of the program's through code outside the pinned
    packages, the line of that code's file (``from other.py:16``)."""
    call = trace.nodes[row.shown.call]
    several = lines_text(trace, row)
    if call.via >= 0 and call.parent == 0 and not several:
        return f"from {os.path.basename(trace.others[call.via].filename)}:{call.line}"
    return "from " + (several or f"line {call.line}")


def each_line(trace: Trace, row: Row) -> str:
    """The calls of each line a folded row's calls came from, and their time (``1005 x3
    78.2 ms, 1043 x3 94.5 ms``: self- and cross-attention); past a few lines, only their
    calls (``x914 at each of 160, 162, 163`` when they are alike)."""
    lines = call_lines(trace, row)
    if len(lines) <= LISTED:
        return ", ".join(f"{line} x{at.calls} {seconds_text(at.seconds)}" for line, at in lines.items())
    alike = {at.calls for at in lines.values()}
    if len(alike) == 1:
        return f"x{alike.pop()} at each of " + ", ".join(map(str, lines))
    return ", ".join(f"{line} x{at.calls}" for line, at in lines.items())


def node_label(trace: Trace, row: Row, apart: str = "") -> str:
    """The row's line of the plain tree; ``apart``, its calling lines where a row beside
    it has its name (:func:`called_from`), said after the name (and not again at the end,
    where that is all the end would say)."""
    function = trace.functions[trace.nodes[row.shown.node].function]
    inside = f", {row.hidden} calls inside folded" if row.hidden else ""
    took = seconds_text(row_seconds(trace, row)) + (f" {BESIDES}" if besides(row) else "")
    by = made_by(trace, row)
    maker = trace.functions[by].short if by >= 0 else ""
    several = lines_text(trace, row)
    where = f"{where_shown(trace, row.shown, lines=several, by=maker)}{inside}"
    calls = f"x{row_calls(trace, row)}{raised_text(trace, row)}"
    name = f"{function.short} {apart}" if apart else function.short
    line = several or f"line {trace.nodes[row.shown.call].line}"
    said = f"  ({where})" if not apart or where != line else ""
    return f"{name}{_crossing(trace, row.shown)}  {calls}  {took}{said}"


def raised_text(trace: Trace, row: Row) -> str:
    """`` raised`` when every call of the row ended by an exception, `` (2 raised)`` when
    some did, else "": a call that raised is not one that returned."""
    raised = row_raised(trace, row)
    if not raised:
        return ""
    return " raised" if raised == row_calls(trace, row) else f" ({raised} raised)"


def _crossing(trace: Trace, shown: Shown) -> str:
    """``  [transformers]`` where a call comes from another repository's code (or from the
    program): the row's line is in its caller's file, and this says the row's is another.
    The program's own function is always marked: ``  [the program's, gen.py]``."""
    function = trace.functions[trace.nodes[shown.node].function]
    if function.own:
        return f"  [{own_label(function)}]"
    repo = function.repo
    parent = trace.nodes[shown.call].parent  # past the wrappers it was called through
    caller = trace.nodes[parent].function if parent > 0 else -1
    return "" if caller >= 0 and trace.functions[caller].repo == repo else f"  [{repo}]"


def header(trace: Trace) -> str:
    ended = "" if trace.ended_well else f", status {trace.status} ({trace.ended})"
    return (
        f"trace {trace.name!r}: {trace.command}  [{versions_of(trace.repos) or 'no pinned package ran'}]\n"
        f"  Python {trace.python}, {trace.engine}, {seconds_text(trace.seconds)}{ended}"
    )
