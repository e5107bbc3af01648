"""``--trace NAME`` on ``callers`` and ``goto``: who called a function in a recorded run,
and what a line called, beside the static answer (the call sites codewalk lists, the
definition a name refers to), in text and in the JSON shapes of docs/json.md."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from codewalk.cli.common import dump, search_scope
from codewalk.cli.traced import (
    Sources,
    function_dict,
    open_traced,
    ran_name,
    traced_end,
    via_text,
)
from codewalk.errors import QueryError
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.calls.callers import Caller
    from codewalk.resolve.model import Resolved
    from codewalk.traces.called import CalledFrom
    from codewalk.traces.model import Function, Trace
    from codewalk.traces.reading import Opened
    from codewalk.workspace.workspace import Workspace


# -- callers SYMBOL --trace NAME ---------------------------------------------------------
def run_callers(args: argparse.Namespace) -> int:
    """The call sites codewalk lists for SYMBOL, each ``ran xN``, ``line ran`` or ``not
    run`` in the run, then the places the run called it from that no site listed names (the
    program's own code, a call codewalk could not follow). SYMBOL may be the program's own
    function that ran, which no pin defines: its callers are then the run's alone."""
    from codewalk.traces.called import callers_ran
    from codewalk.traces.model import Function

    opened, workspace = open_traced(args)
    with workspace:
        trace = opened.trace
        scope = search_scope(args, workspace)
        # none in the pins, or none of theirs that ran: the program's own function that ran?
        target = traced_end(args, workspace, trace, args.query, scope)
        sites = () if isinstance(target, Function) else _static_callers(workspace, target, scope)
        functions, counted = _functions(workspace, trace, target)
        ran = callers_ran(trace, opened.tree, functions or set())
        inherited = counted is not None and not counted.startswith(f"{getattr(target, 'qualname', '')}.")
        others: set[tuple[str, str, int]] = set()
        if inherited and not isinstance(target, Function):
            others = _making_others(workspace, trace, target, counted or "", ran, sites)
            ran = [r for r in ran if _place(trace, r) not in others or _listed(r, trace, sites)]
        listed = {(site.repo, site.path, site.line) for site in sites}
        found = _CallersRan(
            target,
            sites,
            [_site_ran(trace, ran, site) for site in sites],
            [r for r in ran if _place(trace, r) not in listed],
            sum(r.calls for r in ran) if functions is not None else None,
            frozenset(others),
        )
        if args.json:
            _callers_json(args, opened, found)
            return 0
        _callers_text(opened, workspace, found)
        if inherited:
            left = len(others - listed)
            print(visible(_inherited_note(counted or "", left)))
        return 0


def _inherited_note(counted: str, left: int) -> str:
    """What the count of a class whose ``__init__`` is a base's is, after the places the
    run made another class at (``left`` of them) are left out."""
    out = f"\n(counted as the calls of {counted}, which making another class that inherits it runs too"
    if left:
        places = f"{left} place{'s' if left != 1 else ''}"
        out += f": {places} whose line makes only another class (as codewalk reads its calls) left out"
    return out + "; the places above may have made another one)"


def _listed(ran: CalledFrom, trace: Trace, sites: Sequence[Caller]) -> bool:
    return any(_place(trace, ran) == (s.repo, s.path, s.line) for s in sites)


def _making_others(
    workspace: Workspace,
    trace: Trace,
    target: Resolved,
    counted: str,
    ran: Sequence[CalledFrom],
    sites: Sequence[Caller],
) -> set[tuple[str, str, int]]:
    """The places of pinned code the run called ``counted`` (the ``__init__`` a class
    ``target`` inherits) from whose line, as codewalk reads its calls, makes another
    class only: every call there resolved, none naming ``target``, one naming a class
    or ``counted`` itself (``Other(2)``; ``super().__init__(0)`` in a subclass's
    ``__init__``). A line codewalk cannot read whole (``kind(5)``) is kept: it may have
    made ``target``. A listed site's line making another class too (``[Made(3),
    Other(4)]``) is one of them: its calls are the line's."""
    from codewalk.calls.model import RESOLVED

    def names(resolved: Resolved) -> bool:
        return resolved.qualname == target.qualname and resolved.repo == target.repo

    def other(resolved: Resolved) -> bool:
        return (resolved.kind == "class" and not names(resolved)) or resolved.qualname == counted

    found: set[tuple[str, str, int]] = set()
    for place in {p for r in ran if (p := _place(trace, r)) is not None}:
        repo, path, line = place
        if repo not in {pin.repo for pin in trace.repos}:
            continue
        callees = [c for c in workspace.calling.sites_on_line(repo, path, line) if c.site.kind != "entry"]
        if not any(other(t) for c in callees for t in c.targets):
            continue
        listed = any((s.repo, s.path, s.line) == place for s in sites)
        if listed or all(c.status == RESOLVED and not any(names(t) for t in c.targets) for c in callees):
            found.add(place)
    return found


class _CallersRan(NamedTuple):
    """What ``callers --trace`` says of ``target``: the call sites codewalk lists, each
    site's calls in the run and whether its line ran (``marks``, in the sites' order), the
    places the run called it from that no site names, and its calls in all (None: making
    the class runs no Python code to count)."""

    target: Resolved | Function
    sites: Sequence[Caller]
    marks: Sequence[tuple[int, bool]]
    unlisted: Sequence[CalledFrom]
    total: int | None
    # the places whose line makes another class that inherits the same ``__init__`` (a
    # listed site's: its calls are the line's, shared; another's: left out)
    others: frozenset[tuple[str, str, int]] = frozenset()


def _static_callers(workspace: Workspace, target: Resolved, scope: Sequence[str]) -> tuple[Caller, ...]:
    from codewalk.cli.progress import stderr_progress

    name = target.qualname.rpartition(".")[2]
    progress = stderr_progress(f"callers of {name}: reading", unit="functions that name it", after=1.0)
    return workspace.calling.callers_of(target, progress=progress, scope=scope).callers


def _functions(
    workspace: Workspace, trace: Trace, target: Resolved | Function
) -> tuple[set[int] | None, str | None]:
    """The functions of ``trace`` whose calls are calls of ``target``: for a class, the
    ``__init__`` calling it runs (its own, else the one its bases give it: then every
    construction that ran it is counted, of this class or another); for a class whose
    ``__init__`` @dataclass made (code of no file, which a trace does not record), the
    ``__post_init__`` that one calls. None when making the class runs no Python code of the
    pins (``object``'s ``__init__``, or @dataclass's without a ``__post_init__``): the run
    cannot say where it was made. Never the class's body, which ran once, as its module
    was imported. With them, the qualified name of the member counted, for a class."""
    from codewalk.traces.model import Function
    from codewalk.traces.named import ran_as

    if isinstance(target, Function) or target.kind != "class":
        return ran_as(trace, [target]), None
    for member in ("__init__", "__post_init__"):
        try:
            made = workspace.calling.definition(f"{target.qualname}.{member}")
        except QueryError:  # object's own: no Python code runs
            return None, None
        if made.kind != "class":  # the class itself: its __init__ is the one @dataclass made
            return ran_as(trace, [made]), made.qualname
    return None, None


def _place(trace: Trace, ran: CalledFrom) -> tuple[str, str, int] | None:
    """The file and line a place the run called from is, None for the program's statement
    (its own code, which no site lists)."""
    if ran.caller < 0:
        return None
    caller = trace.functions[ran.caller]
    return (caller.repo, caller.path, ran.line)


def _site_ran(trace: Trace, ran: Sequence[CalledFrom], site: Caller) -> tuple[int, bool]:
    """The calls the run made at ``site``'s line, and whether the line executed."""
    calls = sum(r.calls for r in ran if _place(trace, r) == (site.repo, site.path, site.line))
    return calls, bool(calls) or site.line in trace.executed(site.repo, site.path)


def _mark(site: Caller, calls: int, line_ran: bool, shared: bool, counted: bool = True) -> str:
    """``ran xN``; on a line of several sites of it (``shared``), whose calls a trace
    cannot tell apart (it records a call's line, not its column), the line's calls. Where
    the run cannot count its calls (not ``counted``), whether the line ran."""
    if site.kind == "entry":  # a table's entry is called where the table is read
        return ""
    if not counted:
        return "line ran" if line_ran else "not run"
    if calls:
        return f"ran x{calls} at this line, by this call or another" if shared else f"ran x{calls}"
    if line_ran:
        return "line ran: passed on, not called here" if site.kind == "ref" else "line ran, no call of it"
    return "not run"


def _callers_text(opened: Opened, workspace: Workspace, found: _CallersRan) -> None:
    from codewalk.cli.calls_output import format_callers, place
    from codewalk.cli.traced import endpoint_name
    from codewalk.traces.model import Function, versions_of

    target, sites, marks, unlisted, total, others = found
    trace = opened.trace
    ran = f"ran x{total}" if total else "did not run"
    if total is None:  # no call to count: the header says where and which run
        ran = "not counted"
    where = f"{target.path}:{target.line}" if isinstance(target, Function) else place(target)
    versions = versions_of(trace.repos)
    print(visible(f"callers of {endpoint_name(target)}  {where}  {ran} in trace {trace.name!r} [{versions}]"))
    if isinstance(target, Function):
        print("the program's own code: codewalk lists no call site of it, the run says who called it")
    else:
        precise = sum(1 for c in sites if c.kind in ("call", "ref", "decorator", "read"))
        ran_sites = sum(1 for calls, _ in marks if calls)
        reach = "s reach" if precise != 1 else " reaches"
        if total is None:
            print(
                f"{precise} call site{reach} it; making it runs no Python code of the pinned packages"
                " (object's __init__, or the one @dataclass makes with no __post_init__), the only code"
                " a trace records: each site says whether its line ran"
            )
        else:
            print(f"{precise} call site{reach} it, {ran_sites} of them called it in the run")
        if sites:
            lines = Counter((site.repo, site.path, site.line) for site in sites if site.kind != "entry")
            said = [
                _mark(site, calls, line, lines[place] > 1 or place in others, total is not None)
                + _processes_text(opened, site, _passed_to_processes(opened, site, calls, line))
                for site, (calls, line) in zip(sites, marks, strict=True)
                for place in [(site.repo, site.path, site.line)]
            ]
            home = getattr(target, "repo", "") or workspace.checkout.repo
            print(visible(format_callers(sites, home, said)))
    if unlisted:
        print("\ncalled in the run from, where codewalk lists no call site:" if sites else "\ncalled from:")
        sources = Sources(opened)
        for each in unlisted:
            print(visible(_unlisted_text(trace, sources, each)))


def _passed_to_processes(
    opened: Opened, site: Caller, calls: int, line_ran: bool
) -> list[tuple[int, int, int]]:
    """Where a site that passed the function on (``pool.map(f, ...)``; datasets' ``map``
    handing ``Dataset._map_single`` to its pool) may have had it run, out of the trace's
    sight: the processes (``trace.processes``' rows) the call of the function it is in had
    started by then (a pool's workers), whose code a trace never records."""
    from codewalk.traces.called import started_by_then
    from codewalk.traces.named import ran_as

    trace = opened.trace
    if site.kind != "ref" or calls or not line_ran or site.caller is None or not trace.processes:
        return []
    return started_by_then(trace, opened.tree, ran_as(trace, [site.caller]), site.line)


def _processes_text(opened: Opened, site: Caller, started: Sequence[tuple[int, int, int]]) -> str:
    """``started`` (:func:`_passed_to_processes`), said after a site's mark; "" for none."""
    if not started or site.caller is None:
        return ""
    trace = opened.trace
    node, line, _ = started[0]
    count = sum(n for _, _, n in started)
    function = trace.functions[trace.nodes[node].function]
    first = "the first " if count > 1 else ""
    return (
        f": it may have run in another process, which a trace does not record (a call of"
        f" {site.caller.qualname.rpartition('.')[2]} had started {count} process{'es' if count > 1 else ''},"
        f" {first}at {function.path}:{line} in {function.short})"
    )


def _unlisted_text(trace: Trace, sources: Sources, ran: CalledFrom) -> str:
    """A place the run called from that no site listed: the function and line, the line's
    text, and what the call went through (code outside the pinned packages)."""
    if ran.caller < 0:
        return f"  {_root_caller(trace, ran.node)}  x{ran.calls}"
    caller = trace.functions[ran.caller]
    name = ran_name(caller) if caller.own else caller.short
    lines = [f"  {caller.path}:{ran.line}  in {name}  x{ran.calls}"]
    text = sources.line(caller.repo, caller.path, ran.line)
    if text:
        lines.append(f"      {text}")
    through = via_text(trace, ran.node)
    if through:
        lines.append(f"      {through}")
    return "\n".join(lines)


def _root_caller(trace: Trace, node: int) -> str:
    """Who made a root's call: the program (a statement of its own), a thread, or code
    outside the pinned packages and the program; and where, as the call tree says it."""
    from codewalk.traces.text import called_by_the_program, pool_task, thread_runner, where_called

    where = where_called(trace, node)
    thread = thread_runner(trace, trace.nodes[node])
    if thread:
        return f"{thread} ({where})"
    task = ", as a task it submitted to a thread pool" if pool_task(trace, node) else ""
    if not called_by_the_program(trace, node):
        return f"code outside the pinned packages and the program{task} ({where})"
    return f"the program{task} ({where})"


def _callers_json(args: argparse.Namespace, opened: Opened, found: _CallersRan) -> None:
    from codewalk.cli.calls_output import caller_dict
    from codewalk.cli.traced import endpoint_dict
    from codewalk.traces.text import called_by_the_program

    target, sites, marks, unlisted, total, _ = found
    trace = opened.trace

    def unlisted_dict(ran: CalledFrom) -> dict[str, Any]:
        caller = trace.functions[ran.caller] if ran.caller >= 0 else None
        return {
            "caller": function_dict(caller) if caller is not None else None,
            "program": caller is None and called_by_the_program(trace, ran.node),
            "line": ran.line,
            "calls": ran.calls,
            "via": via_text(trace, ran.node) or None,
        }

    dump(
        {
            "query": args.query.strip(),
            "trace": trace.name,
            "function": endpoint_dict(target),
            "ran": total,
            "callers": [
                caller_dict(site)
                | {
                    "ran": calls,
                    "line_ran": line,
                    "processes": sum(n for _, _, n in _passed_to_processes(opened, site, calls, line)),
                }
                for site, (calls, line) in zip(sites, marks, strict=True)
            ],
            "unlisted": [unlisted_dict(ran) for ran in unlisted],
        }
    )


# -- goto PATH:LINE[:COL] --trace NAME ---------------------------------------------------


class LineRan(NamedTuple):
    """What a run did at one line of a pinned file: the functions called there (a
    wrapper's call read as the function it wraps) and their calls, and whether it ran."""

    opened: Opened
    ran: list[tuple[Function, int]]
    line_ran: bool

    def fields(self, results: Sequence[Resolved]) -> dict[str, Any]:
        """The fields ``goto --json --trace`` adds: the run's name, whether the line ran,
        what it called there, and per result (in ``results``' order) its calls there."""
        from codewalk.traces.tree import is_definition

        return {
            "trace": self.opened.trace.name,
            "line_ran": self.line_ran,
            "ran": [function_dict(f) | {"calls": n} for f, n in self.ran],
            "results_ran": [sum(n for f, n in self.ran if is_definition(f, r)) for r in results],
        }

    def first(self, results: Sequence[Resolved]) -> tuple[Resolved, ...]:
        """``results`` with the definitions the run called at the line first (in their
        order, then the others in theirs): of a call that may run several, the one that ran."""
        from codewalk.traces.tree import is_definition

        called = [r for r in results if any(is_definition(f, r) for f, _ in self.ran)]
        return (*called, *(r for r in results if r not in called))

    def text(self, line: int, results: Sequence[Resolved] = ()) -> str:
        """What the run called at ``line``, said after the static answer (``results``):
        each function that ran there and its calls (one none of them is: said so), or that
        the line ran and called none of the pinned Python code, or did not run."""
        from codewalk.traces.model import versions_of
        from codewalk.traces.tree import is_definition

        trace = self.opened.trace
        head = f"in trace {trace.name!r} [{versions_of(trace.repos)}], line {line}"
        if not self.ran:
            if self.line_ran:
                return f"{head} ran; no call of the pinned packages' Python code was recorded there"
            return f"{head} did not run"
        sources = Sources(self.opened)
        out = [f"{head} called:"]
        for function, calls in self.ran:
            name = ran_name(function) if function.own else f"{function.short}  [{function.repo}]"
            unread = results and not any(is_definition(function, r) for r in results)
            among = ", not among the definitions above" if unread else ""
            out.append(f"  {name}  {function.path}:{sources.def_line(function)}  x{calls}{among}")
        return "\n".join(out)


def line_ran(opened: Opened, repo: str, path: str, line: int) -> LineRan:
    """What the run did at ``line`` of ``path`` in ``repo``."""
    from codewalk.traces.called import ran_at_line

    trace = opened.trace
    ran = [(trace.functions[f], n) for f, n in ran_at_line(trace, opened.tree, repo, path, line)]
    return LineRan(opened, ran, bool(ran) or line in trace.executed(repo, path))
