"""A trace read like a tour (``tour --trace NAME``): a step per node of its folded call
tree, each at the function that ran, as deep in the tree as its call (``depths``: the UI
draws the levels).

A step resolves to the function's definition in the index; a function with none of its
own (a decorator's wrapper, a lambda, a module's code) is shown on its own lines of the
file that ran, saying why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from codewalk.resolve.model import Resolved
from codewalk.tours.model import ResolvedStep, Step, Tour
from codewalk.tours.notes import code_span
from codewalk.traces.joined import definition_of, why_not_indexed
from codewalk.traces.model import Function, Trace
from codewalk.traces.own import remote_base
from codewalk.traces.rows import Row, besides, first_call, folded, row_calls, row_raised, row_seconds
from codewalk.traces.text import (
    BESIDES,
    called_by_the_program,
    called_from,
    each_line,
    header,
    lines_text,
    pool_task,
    seconds_text,
    thread_runner,
    where_shown,
)
from codewalk.traces.tree import Shown, Tree
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.workspace.workspace import Workspace


class TracedTour(NamedTuple):
    tour: Tour
    rows: tuple[Row, ...]  # each step's line of the tree
    depths: tuple[int, ...]  # each step's depth in the tree (0: called by the program)
    first: int  # the step of the program's first call that is not an import (0-based)


def trace_tour(trace: Trace, tree: Tree, rows: Sequence[Row] | None = None) -> TracedTour:
    """The tour of ``trace``: a step per line of the plain tree (``rows``, when the
    caller has folded it already)."""
    rows = tuple(folded(trace, tree) if rows is None else rows)
    steps: list[Step] = []
    apart = called_from(trace, rows)  # siblings of one name told apart by their calling lines
    for row, lines in zip(rows, apart, strict=True):
        function = trace.functions[trace.nodes[row.shown.node].function]
        steps.append(
            Step(
                index=len(steps) + 1,
                at=function.qualname,
                file=None,
                focus=(),
                title=f"{function.short} {lines + ' ' if lines else ''}x{row_calls(trace, row)}",
                repo=function.repo,
                note=_note(trace, row) + _shared(trace, tree, row.shown),
                line=0,
            )
        )
    first = first_call(rows)
    steps_of = f"{first} step{'s' if first != 1 else ''} of imports"
    imports = f" ({steps_of} before step {first + 1})" if first else ""
    home = trace.repos[0].repo if trace.repos else None
    tour = Tour(
        id=f"trace:{trace.name}",
        title=f"What ran: {trace.command}{imports}",
        summary="```\n" + header(trace) + "\n```\n\nExecuted lines are lit, the others dimmed.",
        repo=next((r.repo for r in trace.repos if r.repo == "transformers"), home),
        steps=tuple(steps),
        path=Path(f"<trace {trace.name}>"),
    )
    return TracedTour(tour, rows, tuple(row.depth for row in rows), first)


def _as_task(trace: Trace, shown: Shown) -> str:
    return ", as a task it submitted to a thread pool" if pool_task(trace, shown.call) else ""


def _note(trace: Trace, row: Row) -> str:
    shown = row.shown
    function = trace.functions[trace.nodes[shown.node].function]
    call = trace.nodes[shown.call]
    caller = thread_runner(trace, call)  # a thread's, else the program's or its caller's
    if not caller and call.parent == 0:
        called = called_by_the_program(trace, shown.call)
        caller = "the program" if called else "code outside the pinned packages and the program"
    elif not caller:
        caller = code_span(trace.functions[trace.nodes[call.parent].function].short)
    calls = row_calls(trace, row)
    several = lines_text(trace, row)
    took = (
        f"{BESIDES} (with what else it called; theirs is in their steps)"
        if besides(row)
        else "in all (with what it called)"
    )
    lines = [
        f"{_named(function)} ran **{calls}** time{'s' if calls != 1 else ''} here, "
        f"{seconds_text(row_seconds(trace, row))} {took}.",
        "",
        f"Called by {caller}{_as_task(trace, shown)} ({where_shown(trace, shown, code_span, several)}).",
    ]
    if several:
        lines += ["", f"The calls folded here, by line: {each_line(trace, row)}."]
    why = why_not_indexed(function)
    if function.own:
        whose = (
            "A model's code loaded as remote code (transformers' copy of it, "
            if remote_base(function.path) is not None
            else "The program's own code ("
        )
        lines += [
            "",
            f"{whose}{code_span(function.path)}), in no pinned repository: "
            "its file is read from disk, as long as it is the one that ran.",
        ]
    elif why:
        lines += ["", f"It has no definition of its own: {why}."]
    started = started_processes(trace, row)
    if started:
        lines += ["", f"It {started}, whose code a trace does not record."]
    imported = imported_modules(trace, row, code_span)
    if imported:
        lines += [
            "",
            f"It {imported}: the module's first import, whose time is in this step's and"
            " whose code, outside the pinned packages, a trace does not record.",
        ]
    raised = row_raised(trace, row)
    if raised:
        lines += ["", f"**{raised}** of its calls ended by an exception (raised), not by returning."]
    if row.on_import:
        lines += ["", f"An import of the program: what it ran ({row.hidden} calls) is folded here."]
    elif row.hidden:
        lines += ["", f"What ran while the module was imported ({row.hidden} calls) is folded here."]
    return visible("\n".join(lines))  # names of frames outside the packages come from the program


def started_processes(trace: Trace, row: Row) -> str:
    """``started 1 process at line 3620``: the processes the calls of ``row`` started (a
    pool's workers, a fork, a subprocess), whose code a trace does not record (datasets'
    ``map(num_proc=1)`` runs ``_map_single`` in one); "" for none."""
    nodes = {member.node for member in row.members}
    started = [(line, count) for node, line, count in trace.processes if node in nodes]
    if not started:
        return ""
    count = sum(n for _, n in started)
    lines = sorted({line for line, _ in started})
    at = f"line{'s' if len(lines) > 1 else ''} {', '.join(str(line) for line in lines)}"
    return f"started {count} process{'es' if count > 1 else ''} at {at}"


def imported_modules(trace: Trace, row: Row, name: Callable[[str], str] = str) -> str:
    """``imported torch at line 30``: the modules not imported yet that the calls of
    ``row`` imported by a statement of their own (``import torch`` in a function's body,
    whose load time is the row's), each written by ``name`` (a note's code span: a
    module's name is the run's, ``torch.__config__``); "" for none."""
    nodes = {member.node for member in row.members}
    found: dict[str, set[int]] = {}
    for node, line, module, _count in trace.imports:
        if node in nodes:
            found.setdefault(module, set()).add(line)
    if not found:
        return ""
    said = [
        f"{name(module)} at line{'s' if len(lines) > 1 else ''} {', '.join(str(n) for n in sorted(lines))}"
        for module, lines in found.items()
    ]
    return "imported " + ("; ".join(said[:3]) + (f" and {len(said) - 3} more" if len(said) > 3 else ""))


def _shared(trace: Trace, tree: Tree, shown: Shown) -> str:
    """For a wrapper whose calls ran several functions (its step then is its own, for
    what it called besides them), the functions it ran."""
    if shown.node not in tree.wrapped:
        return ""
    ran = [
        each.node
        for wrapped in tree.wrapped[shown.node]
        for each in tree.shown(wrapped, (*shown.through, shown.node))
    ]
    names = ", ".join(
        code_span(trace.functions[trace.nodes[n].function].short) for n in ran if n not in tree.wrapped
    )
    return (
        f"\n\nA decorator's wrapper shared by the functions it ran here ({names}): each is a step of "
        "its own, called through it; what it called for them all is under it."
    )


def _named(function: Function) -> str:
    """The function, its module apart: each a word the note can wrap before, where the
    whole dotted name is often wider than the note and would be cut inside a word."""
    if function.name == "<module>":
        return f"The code of module {code_span(function.module)}"
    return f"{code_span(function.name)} (in {code_span(function.module)})"


class TraceSteps:
    """Step index -> the step's function, resolved in its repository's workspace."""

    def __init__(self, traced: TracedTour, trace: Trace, workspace_of: Callable[[str], Workspace]) -> None:
        self.tour = traced.tour
        self.trace = trace
        self.nodes = tuple(row.shown.node for row in traced.rows)
        self.workspace_of = workspace_of

    def __call__(self, index: int) -> ResolvedStep:
        step = self.tour.steps[index]
        function = self.trace.functions[self.trace.nodes[self.nodes[index]].function]
        if function.own:
            return self._own(step, function, self.trace.lines[self.trace.nodes[self.nodes[index]].function])
        workspace = self.workspace_of(function.repo)
        target = definition_of(workspace, function)
        version = workspace.checkout.version
        executed = self.trace.lines[self.trace.nodes[self.nodes[index]].function]
        if target is None:
            last = max((function.line, *executed))
            why = why_not_indexed(function) or "no definition of its name starts on this line"
            target = _ran_here(function, last, f"ran here ({why})", version)
        return ResolvedStep(
            step=step,
            status="resolved",
            target=target._replace(version=target.version or version),
            focus=None,
            candidates=(target,),
            suggestions=(),
            error=None,
            repo=function.repo,
            version=version,
            opens=min((n for n in executed if n > target.line), default=0),
        )

    def _own(self, step: Step, function: Function, executed: tuple[int, ...]) -> ResolvedStep:
        """A step on the program's own function: its file read from disk, where it ran,
        while it is the file that ran (else the step says why, in place of the code)."""
        from codewalk.errors import TraceError
        from codewalk.traces.own import own_label, read_own

        try:
            text = read_own(self.trace, function.path)
        except TraceError as error:
            return ResolvedStep(step, "missing", None, None, (), (), error.message, function.repo, "")
        last = max((function.line, *executed))
        end = min(max(last, _block_end(text, function.line)), len(text.splitlines()) or 1)
        target = _ran_here(function, end, f"ran here ({own_label(function)}, read from disk as it ran)", "")
        opens = min((n for n in executed if n > function.line), default=0)
        return ResolvedStep(
            step, "resolved", target, None, (target,), (), None, function.repo, "", opens=opens
        )


def _block_end(text: str, first: int) -> int:
    """The last line of the definition whose first line (its first decorator's, as
    Python counts it) is ``first`` in ``text``: its ``def`` or ``class`` line and the
    lines after it indented deeper (blank ones between them included)."""
    lines = text.splitlines()
    start = first
    while 0 < start <= len(lines) and lines[start - 1].lstrip().startswith("@"):
        start += 1
    if not 0 < start <= len(lines):
        return first
    indent = len(lines[start - 1]) - len(lines[start - 1].lstrip())
    end = start
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        if line.strip():
            end = number
    return end


def _ran_here(function: Function, end: int, via: str, version: str) -> Resolved:
    """The code of ``function`` as a trace places it, from its first line to ``end``, for a
    step with no definition in the index to give it (``via`` says why)."""
    return Resolved(
        repo=function.repo,
        qualname=function.qualname,
        kind="function",
        path=function.path,
        line=function.line,
        start_line=function.line,
        end_line=end,
        via=via,
        signature="",
        version=version,
    )
