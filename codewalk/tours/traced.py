"""A trace read like a tour (``tour --trace NAME``): a step per node of its folded call
tree, each at the function that ran, its title indented under its caller's.

A step resolves to the function's definition in the index; a function with none of its
own (a decorator's wrapper, a lambda, a module's code) is shown on its own lines of the
file that ran, saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from codewalk.resolve.model import Resolved
from codewalk.tours.model import ResolvedStep, Step, Tour
from codewalk.tours.notes import code_span
from codewalk.traces.joined import definition_of, why_not_indexed
from codewalk.traces.model import Trace
from codewalk.traces.text import header, seconds_text, where_called
from codewalk.traces.tree import Tree, folded
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.workspace.workspace import Workspace

INDENT = " "  # per level of the tree, in the steps list
MAX_INDENT = 16  # deeper levels are shown at this indent


def trace_tour(trace: Trace, tree: Tree) -> tuple[Tour, tuple[int, ...]]:
    """The tour of ``trace`` and the tree node of each of its steps."""
    steps: list[Step] = []
    nodes: list[int] = []
    for index, depth, hidden in folded(trace, tree):  # a step per line of the plain tree
        node = trace.nodes[index]
        function = trace.functions[node.function]
        steps.append(
            Step(
                index=len(steps) + 1,
                at=function.qualname,
                file=None,
                focus=(),
                title=INDENT * min(depth, MAX_INDENT) + f"{function.short} x{node.calls}",
                repo=function.repo,
                note=_note(trace, index, hidden),
                line=0,
            )
        )
        nodes.append(index)
    home = trace.repos[0].repo if trace.repos else None
    tour = Tour(
        id=f"trace:{trace.name}",
        title=f"What ran: {trace.command}",
        summary="```\n" + header(trace) + "\n```\n\nExecuted lines are lit, the others dimmed.",
        repo=next((r.repo for r in trace.repos if r.repo == "transformers"), home),
        steps=tuple(steps),
        path=Path(f"<trace {trace.name}>"),
    )
    return tour, tuple(nodes)


def _note(trace: Trace, index: int, hidden: int) -> str:
    node = trace.nodes[index]
    function = trace.functions[node.function]
    caller = (
        code_span(trace.functions[trace.nodes[node.parent].function].short)
        if node.parent > 0
        else "the program"
    )
    lines = [
        f"{code_span(function.qualname)} ran **{node.calls}** time{'s' if node.calls != 1 else ''} here, "
        f"{seconds_text(node.seconds)} in all (with what it called).",
        "",
        f"Called by {caller} ({where_called(trace, node, code_span)}).",
    ]
    why = why_not_indexed(function)
    if why:
        lines += ["", f"It has no definition of its own: {why}."]
    if hidden:
        lines += ["", f"What ran while the module was imported ({hidden} calls) is folded here."]
    return visible("\n".join(lines))  # names of frames outside the packages come from the program


class TraceSteps:
    """Step index -> the step's function, resolved in its repository's workspace."""

    def __init__(
        self, tour: Tour, trace: Trace, nodes: tuple[int, ...], workspace_of: Callable[[str], Workspace]
    ) -> None:
        self.tour = tour
        self.trace = trace
        self.nodes = nodes
        self.workspace_of = workspace_of

    def __call__(self, index: int) -> ResolvedStep:
        step = self.tour.steps[index]
        function = self.trace.functions[self.trace.nodes[self.nodes[index]].function]
        workspace = self.workspace_of(function.repo)
        target = definition_of(workspace, function)
        version = workspace.checkout.version
        if target is None:
            executed = self.trace.lines[self.trace.nodes[self.nodes[index]].function]
            last = max((function.line, *executed))
            why = why_not_indexed(function) or "no definition of its name starts on this line"
            target = Resolved(
                repo=function.repo,
                qualname=function.qualname,
                kind="function",
                path=function.path,
                line=function.line,
                start_line=function.line,
                end_line=last,
                via=f"ran here ({why})",
                signature="",
                version=version,
            )
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
        )
