"""``--trace NAME`` on ``path``, ``calls`` and ``draft``: the static answer read beside
what a recorded run did, in text and in the JSON shapes of docs/json.md."""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from codewalk.cli.common import dump, result_dict, said_when_slow, search_scope
from codewalk.errors import CodewalkError, QueryError
from codewalk.traces.named import own_instead, own_named, ran_as
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.calls.callers import Caller
    from codewalk.resolve.model import Resolved
    from codewalk.traces.model import Function, Trace
    from codewalk.traces.reading import Opened
    from codewalk.traces.tree import Chain
    from codewalk.workspace.workspace import Workspace

DECORATOR_LINES = 40  # lines of decorators looked through for a function's ``def``


def _versions(trace: Trace) -> str:
    from codewalk.traces.model import versions_of

    return versions_of(trace.repos)


def open_traced(args: argparse.Namespace) -> tuple[Opened, Workspace]:
    """The trace ``--trace`` names, its repositories at the versions that ran, and the
    workspace of ``--repo`` (else the first pin that ran)."""
    from codewalk.traces.reading import open_trace

    refuse_versions(args)
    opened = open_trace(args.trace)
    return opened, opened.stack.workspace(getattr(args, "repo", None) or opened.home)


def ran_instead(
    args: argparse.Namespace, workspace: Workspace, trace: Trace, query: str, taken: Sequence[Resolved]
) -> list[Resolved]:
    """``taken``, the definitions of ``query`` the static answer takes (the first pin's),
    unless none of them ran in ``trace`` and another definition of the name in a
    repository the run ran did: the run says which was meant (``load_from_disk``:
    datasets' ran, not the RAG index's of transformers, the first pin). Several that ran
    are named for the reader to choose, as an ambiguous name is; ``--repo`` keeps to its own."""
    from codewalk.traces.tree import functions_of

    if getattr(args, "repo", None) or functions_of(trace, taken) or ".<locals>." in query:
        return list(taken)
    home = workspace.checkout.repo
    scope = [home, *sorted({repo.repo for repo in trace.repos} - {home})]
    found = workspace.find(query, scope=scope, related=False).matches
    ran = [match for match in found if functions_of(trace, [match])]
    if len(ran) > 1:
        shown = ", ".join(f"{r.qualname} ({r.path}:{r.line})" for r in ran)
        raise QueryError(
            f"{query.strip()!r} is ambiguous: {taken[0].qualname} did not run in trace {trace.name!r},"
            f" {len(ran)} other definitions did",
            hint=f"name one: {shown}",
        )
    return ran or list(taken)


def traced_definition(
    args: argparse.Namespace, workspace: Workspace, trace: Trace, query: str, scope: Sequence[str]
) -> Resolved:
    """The definition ``query`` names, as the static commands take it (then as
    :func:`ran_instead` has it); a short name several definitions share is the one of
    them that ran in ``trace``, when one alone did (``apply_chat_template``: the
    tokenizer's, where eight classes define it). Else it stays ambiguous."""
    from codewalk.traces.tree import functions_of
    from codewalk.workspace.calling import Ambiguous

    try:
        static = workspace.calling.definition(query, scope)
    except Ambiguous as ambiguous:
        ran = [c for c in ambiguous.candidates if functions_of(trace, [c])]
        if len(ran) != 1:
            raise
        return ran[0]
    (taken,) = ran_instead(args, workspace, trace, query, [static])
    return taken


def refuse_versions(args: argparse.Namespace) -> None:
    """A trace is read at the versions that ran: another one asked for is refused, not
    dropped, as any option a command would ignore is (exit 2)."""
    given = [f"--{option}" for option in ("at", "source") if getattr(args, option, None)]
    if given:
        leave = " and ".join(given)
        raise CodewalkError(f"--trace reads each repository at the version that ran: leave out {leave}")


def function_dict(function: Function | Resolved) -> dict[str, Any]:
    """A definition, or a function that ran: the program's own (``program``: true) has
    no repository, and its path is its file's, absolute."""
    own = bool(getattr(function, "own", False))
    return {
        "qualname": function.qualname,
        "repo": None if own else function.repo,
        "path": function.path,
        "line": function.line,
        "program": own,
    }


def ran_name(function: Function) -> str:
    """A function that ran as an answer names it: its qualified name, or the program's
    own: ``BanToken.__call__ (the program's, gen.py)``."""
    from codewalk.traces.own import own_label

    return f"{function.short} ({own_label(function)})" if function.own else function.qualname


def via_text(trace: Trace, node: int) -> str:
    """Each frame of code outside the pinned packages the call of ``node`` went through:
    ``through _wrapped_call_impl (torch/nn/modules/module.py) → _call_impl (...)``."""
    from codewalk.traces.model import outside_run

    run = [other_text(trace, other) for other in outside_run(trace, node)]
    return f"through {' → '.join(run)}, outside the pinned packages" if run else ""


def other_text(trace: Trace, other: int) -> str:
    """A frame of code outside the pinned packages: ``decorate_context (torch/utils/_contextlib.py)``."""
    found = trace.others[other]
    filename = found.filename.replace(os.sep, "/")
    tail = (
        filename.rpartition("site-packages/")[2]
        if "site-packages/" in filename
        else os.path.basename(filename)
    )
    return f"{found.name} ({tail})"


# -- path A B --trace NAME ---------------------------------------------------------------
def run_path(args: argparse.Namespace) -> int:
    from codewalk.traces.model import Function
    from codewalk.traces.tree import chains

    opened, workspace = open_traced(args)
    with workspace:
        trace = opened.trace
        scope = search_scope(args, workspace)
        start = traced_end(
            args, workspace, trace, args.start, scope
        )  # the program's own, where no pin has it
        goals = _path_goals(args, workspace, trace, scope)
        goal = goals[0]
        starts, ends = ran_as(trace, [start]), ran_as(trace, goals)
        pinned = [g for g in goals if not isinstance(g, Function)]
        if starts and pinned and all(g.path.endswith(".pyi") for g in pinned):  # compiled: never recorded
            return _path_to_compiled(args, opened, workspace, start, pinned[0])
        found_chains = chains(trace, opened.tree, starts, ends) if starts and ends else []
        if not found_chains and not args.json:
            did_not = endpoint_name(start) if not starts else endpoint_name(goal)
            elsewhere = _other_processes(opened, starts, anywhere=not ends) if starts else ""
            raise QueryError(
                (
                    f"{did_not} did not run in trace {trace.name!r}"
                    if not (starts and ends)
                    else f"no chain from {endpoint_name(start)} to {endpoint_name(goal)} ran"
                    f" in trace {trace.name!r}"
                )
                + elsewhere,
                hint=(
                    f"codewalk tour --trace {trace.name} shows where the program's own code ran"
                    if any(isinstance(end, Function) for end in (start, goal))
                    else f"codewalk path {args.start} {args.goal} (without --trace) says what could run"
                ),
            )
        ran = f"{len(found_chains)} chain{'s' if len(found_chains) != 1 else ''} ran"
        return _chains_ran(args, opened, start, goal, [(c, None) for c in found_chains], ran)


def _path_goals(
    args: argparse.Namespace, workspace: Workspace, trace: Trace, scope: Sequence[str]
) -> Sequence[Resolved | Function]:
    """The definitions TO names, as the static ``path`` takes them (then as
    :func:`ran_instead` has them); where no pin defines it, or none of the pins'
    definitions ran, the program's own function of that name that ran."""
    if ".<locals>." in args.goal:  # a function defined in another: found in its host's body
        return [traced_end(args, workspace, trace, args.goal, scope)]
    found = workspace.calling.find(args.goal, scope, related=False)
    if not found.matches and own_named(trace, args.goal):
        return [own_instead(trace, args.goal, None)]
    if not found.matches:  # nothing of that name: the refusal says where else it was looked for
        _refuse_unpinned_goal(args, workspace)
        return [traced_end(args, workspace, trace, args.goal, scope)]
    goals = ran_instead(args, workspace, trace, args.goal, list(found.matches))
    if not getattr(args, "repo", None) and not ran_as(trace, goals) and own_named(trace, args.goal):
        return [own_instead(trace, args.goal, None)]  # the program's callback, not a pin's namesake
    return goals


def endpoint_name(endpoint: Resolved | Function) -> str:
    """An end of a chain as an answer names it: ``MyTrainer.compute_loss (the program's,
    train.py)`` for the program's own, else its qualified name."""
    from codewalk.traces.model import Function

    return ran_name(endpoint) if isinstance(endpoint, Function) else endpoint.qualname


def endpoint_dict(endpoint: Resolved | Function) -> dict[str, Any]:
    """The JSON object of an end of a chain: the result object of a definition, the
    function object (``program``: true) of the program's own."""
    from codewalk.traces.model import Function

    return function_dict(endpoint) if isinstance(endpoint, Function) else result_dict(endpoint)


def _refuse_unpinned_goal(args: argparse.Namespace, workspace: Workspace) -> None:
    """``path A torch.nn.utils.clip_grad_norm_ --trace``: a name of a package no pin
    provides (the static ``path`` ends a chain at a call of it) never runs in a trace,
    which records the pinned packages' code only: said so, not "no definition found in
    transformers" with names spelled alike in other pins."""
    if "." not in args.goal:
        return
    matches, why = workspace.calling.code.elsewhere(args.goal)
    if matches or not why.startswith(_UNPINNED):
        return
    raise QueryError(
        f"{args.goal} is in another package ({why}): a trace records the calls into the pinned packages only",
        hint=(
            f"codewalk calls {args.start} --trace {args.trace} says which lines calling it ran; "
            f"codewalk path {args.start} {args.goal} (without --trace) the chains that may reach it"
        ),
    )


_UNPINNED = ("no pin provides", "in Python's standard library")  # as WorkspaceCode.elsewhere says it


def _chains_ran(
    args: argparse.Namespace,
    opened: Opened,
    start: Resolved | Function,
    goal: Resolved | Function,
    ran: Sequence[tuple[Chain, Caller | None]],
    said: str,
    compiled: bool = False,
) -> int:
    """The first ``--limit`` chains that ran, as JSON or text; where ``goal`` is
    ``compiled``, each with the call site of it that its chain ends at; a goal that is the
    program's own code (a ``Function`` that ran) is named as the run names it."""
    from codewalk.traces.model import Function

    trace, shown = opened.trace, ran[: args.limit]
    if args.json:
        chains = [
            _chain_json(opened, chain)
            + ([_compiled_hop(goal, site.line)] if site and not isinstance(goal, Function) else [])
            for chain, site in shown
        ]
        dump(
            {
                "query": f"{args.start} {args.goal}",
                "trace": trace.name,
                "start": endpoint_dict(start),
                "goal": endpoint_dict(goal),
                "compiled": compiled,  # a trace records Python code only
                "chains": chains,
                "more": len(ran) - len(shown),
            }
        )
        return 0 if shown else 1
    where = f"in trace {trace.name!r} ({trace.command}) [{_versions(trace)}]"
    print(visible(f"{endpoint_name(start)} -> {endpoint_name(goal)}: {said} {where}"))
    sources = Sources(opened)
    for number, (chain, site) in enumerate(shown, start=1):
        print(f"\n{number}.")
        print(visible(format_ran_chain(opened, chain)))
        if site is not None:
            text = sources.line(site.repo, site.path, site.line)
            unrecorded = f"line ran (calls {endpoint_name(goal)}: compiled, not recorded)"
            print(visible(f"    {site.line:>6}  {text}    {unrecorded}"))
    if len(ran) > len(shown):
        print(f"\n... and {len(ran) - len(shown)} more (--limit N shows them)")
    return 0


def _other_processes(opened: Opened, starts: set[int], anywhere: bool) -> str:
    """Where the run went out of a trace's sight, said after "did not run": the processes
    the program started (a pool's workers, a subprocess), whose code a trace never records,
    those under a call of ``starts`` first (only those unless ``anywhere``); "" for none."""
    trace = opened.trace
    nodes = trace.nodes

    def under_start(node: int) -> bool:
        return any(nodes[n].function in starts for n in opened.tree.ancestors(node))

    started = [p for p in trace.processes if under_start(p[0])]
    if anywhere:
        started += [p for p in trace.processes if p not in started]
    if not started:
        return ""
    node, line, _ = started[0]
    if node:
        function = trace.functions[nodes[node].function]
        where = f"at {function.path}:{line} in {function.short}"
    else:
        where = "from the program's own code"
    count = sum(n for _, _, n in started)
    first = f", the first {where}" if count > 1 else f", {where}"
    return (
        f": it may have run in another process, which a trace does not record (the program "
        f"started {count} process{'es' if count > 1 else ''}{first})"
    )


def _path_to_compiled(
    args: argparse.Namespace, opened: Opened, workspace: Workspace, start: Resolved | Function, goal: Resolved
) -> int:
    """``path A B --trace`` where B is compiled code (a ``.pyi`` stub declares it): a trace
    cannot record it running, so the chains that ran are those to the lines that call it
    (the call sites ``callers`` lists) and executed."""
    sites = workspace.calling.callers_of(goal).callers
    ran = [(chain, site) for site in sites for chain in _chains_to_line(opened, start, site)]
    compiled = f"{goal.qualname} is compiled code (a .pyi stub declares it): a trace cannot record it"
    if not ran and not args.json:
        raise QueryError(
            f"{compiled}, and none of the call sites codewalk lists for it ({len(sites)}) ran "
            f"under {endpoint_name(start)} in trace {opened.trace.name!r}",
            hint=f"codewalk callers {goal.qualname} lists those lines",
        )
    said = f"{compiled}; {len(ran)} chain{'s' if len(ran) != 1 else ''} to a line calling it ran"
    return _chains_ran(args, opened, start, goal, ran, said, compiled=True)


def _chains_to_line(opened: Opened, start: Resolved | Function, site: Caller) -> Sequence[Chain]:
    """The chains that ran from ``start`` to the function ``site`` is in, where its line
    executed (``start`` alone when it is that function)."""
    from codewalk.traces.tree import Chain, chains, functions_of

    trace = opened.trace
    if site.caller is None:  # module level, or a table's entry
        return []
    holders = {f for f in functions_of(trace, [site.caller]) if site.line in trace.lines[f]}
    starts = ran_as(trace, [start])
    if starts & holders:
        ran = [i for i, node in enumerate(trace.nodes) if i and node.function in holders]
        return [Chain((ran[0],), (sum(trace.nodes[i].calls for i in ran),))]
    return chains(trace, opened.tree, starts, holders) if holders else []


def _compiled_hop(goal: Resolved | Function, line: int) -> dict[str, Any]:
    """The last hop of a chain to compiled code: called at ``line``, never recorded."""
    return function_dict(goal) | {"call_line": line, "calls": None, "via": None, "through": []}


def format_ran_chain(opened: Opened, chain: Chain) -> str:
    """A chain that ran, a function a line, each followed by the line it called the next
    one at (a decorator's wrapper read as the function it wraps, called through it)."""
    trace = opened.trace
    lines: list[str] = []
    sources = Sources(opened)
    shown = opened.tree.shown_chain(chain.nodes)
    for here, following in zip(shown, [*shown[1:], None], strict=True):
        function = trace.functions[trace.nodes[here.node].function]
        where = f"{function.path}:{sources.def_line(function)}"
        lines.append(f"  {function.short}  {where}  [{_repo_label(function)}]")
        if following is None:
            lines.append(f"            ran x{chain.ran(here.node)}")
            continue
        call = trace.nodes[following.call]
        text = sources.line(function.repo, function.path, call.line)
        lines.append(f"    {call.line:>6}  {text}    x{chain.ran(following.node)}")
        wrappers = (_wrapper_text(trace, node) for node in following.through)
        through = [via_text(trace, following.call), *wrappers]
        lines.extend(f"            {what}" for what in through if what)
    return "\n".join(lines)


def _repo_label(function: Function) -> str:
    from codewalk.traces.own import own_label

    return own_label(function) if function.own else function.repo


def _wrapper_text(trace: Trace, node: int) -> str:
    return f"through {trace.functions[trace.nodes[node].function].short}, a decorator's wrapper"


class Sources:
    """The text of the files a chain passes, each read once, by repository and path."""

    def __init__(self, opened: Opened) -> None:
        self.opened = opened
        self.texts: dict[tuple[str, str], str] = {}

    def text(self, repo: str, path: str) -> str:
        """The file's text ("" when it cannot be read)."""
        from codewalk.errors import CodewalkError
        from codewalk.traces.model import PROGRAM
        from codewalk.traces.own import read_own

        key = (repo, path)
        if key not in self.texts:
            try:
                if repo == PROGRAM:  # from disk, while it is the file that ran
                    self.texts[key] = read_own(self.opened.trace, path)
                else:
                    self.texts[key] = self.opened.stack.workspace(repo).source_text(path)
            except (CodewalkError, OSError):
                self.texts[key] = ""
        return self.texts[key]

    def line(self, repo: str, path: str, number: int) -> str:
        source = self.text(repo, path).splitlines()
        return source[number - 1].strip() if 0 < number <= len(source) else ""

    def def_line(self, function: Function) -> int:
        """The line of a function's ``def`` (Python counts from its first decorator), as
        ``find`` and ``calls`` give it; its first line when the file cannot say, and for
        code that has no ``def`` (a comprehension, a lambda, a module's own code), whose
        first line has no decorator above it: looking on would find the next function's."""
        if function.name.rpartition(".")[2].startswith("<"):
            return function.line
        source = self.text(function.repo, function.path).splitlines()
        for number in range(function.line, min(function.line + DECORATOR_LINES, len(source)) + 1):
            if source[number - 1].lstrip().startswith(("def ", "async def ", "class ")):
                return number
        return function.line


def _chain_json(opened: Opened, chain: Chain) -> list[dict[str, Any]]:
    trace = opened.trace
    out = []
    for shown in opened.tree.shown_chain(chain.nodes):
        node, call = trace.nodes[shown.node], trace.nodes[shown.call]
        out.append(
            {
                **function_dict(trace.functions[node.function]),
                "call_line": call.line,  # in the function before it
                "calls": chain.ran(shown.node),
                "via": via_text(trace, shown.call) or None,
                "through": [trace.functions[trace.nodes[n].function].qualname for n in shown.through],
            }
        )
    return out


# -- calls SYMBOL --trace NAME -----------------------------------------------------------
def run_calls(args: argparse.Namespace) -> int:
    from codewalk.calls.graph import tree as call_tree
    from codewalk.cli.calls_output import callee_dict, place
    from codewalk.traces.joined import calls_run
    from codewalk.traces.reading import versions_that_ran
    from codewalk.traces.tree import functions_of

    if getattr(args, "depth", 1) != 1:
        raise CodewalkError("calls --trace marks the calls one level deep: leave out --depth")
    opened, workspace = open_traced(args)
    with workspace:
        trace = opened.trace
        calling = workspace.calling
        scope = search_scope(args, workspace)
        ran_at = versions_that_ran(trace, list(opened.stack.pins))[0]
        with said_when_slow(args, workspace, "calls --trace", at=ran_at):
            try:
                target = traced_definition(args, workspace, trace, args.query, scope)
            except QueryError as error:
                own = _own_function(trace, args.query, error)
                if own is None:
                    raise
                from codewalk.cli.traced_own import own_calls_answer

                return own_calls_answer(args, opened, own)
            body = calling.body_of(target, calling.receiver(args.query, target, scope))  # as calls reads it
            callees = [level.callee for level in call_tree(calling.cr, body, 1)]
        functions = functions_of(trace, [target])
        answer = calls_run(trace, opened.tree, functions, callees, calling.code.decorators)
        if args.json:
            data = {
                "query": args.query.strip(),
                "trace": trace.name,
                "function": result_dict(target),
                "ran": answer.ran,
                "calls": [
                    callee_dict(site.callee)
                    | {
                        "ran": site.calls,
                        "line_ran": site.line_ran,
                        "ran_unrecorded": site.ran_unrecorded,
                        "targets_ran": [t.qualname for t in site.targets_ran] or None,
                        "ran_by_target": [n for _, n in site.targets],
                        "looked_up_by_target": list(site.looked_up),
                        "beside_by_target": list(site.shared),
                        "reached": [function_dict(f) | {"calls": n} for f, n in site.reached],
                    }
                    for site in answer.sites
                ],
                "unplaced": [  # ``line``: where it ran, not the function's own first line
                    function_dict(f) | {"line": line, "calls": n} for line, f, n in answer.unplaced
                ],
            }
            dump(data)
            return 0
        ran = f"ran x{answer.ran}" if answer.ran else "did not run"
        print(
            visible(f"{target.qualname}  {place(target)}  {ran} in trace {trace.name!r} [{_versions(trace)}]")
        )
        shown = [s for s in answer.sites if args.all or not s.callee.minor or s.calls]
        for site in shown:
            print(visible(_site_lines(site, args.all)))
        hidden = len(answer.sites) - len(shown)
        if hidden:
            noun = "call" if hidden == 1 else "calls"
            print(f"\n{hidden} {noun} of builtins or on untyped values left out (--all lists them)")
        if answer.unplaced:
            print("\nalso ran, where no call site codewalk lists is known to have made the call:")
            for line, function, calls in answer.unplaced:
                print(visible(f"  {line:>6}  -> {ran_name(function)}  x{calls}"))
        if any(s.ran_unrecorded or _calls_unrecorded_code(s) for s in shown):
            print("\n" + line_ran_said(_compiled_repos(shown)))
        if any(any(s.shared) for s in shown):
            print("\n" + BESIDE)
        return 0


def _own_function(trace: Trace, query: str, error: QueryError) -> Function | None:
    """``calls MyTrainer.compute_loss --trace``: the program's own function that ran, which
    no pin defines (answered from the run, ``codewalk.cli.traced_own``); None when ``query``
    names none of them, or names several definitions of the pins."""
    from codewalk.workspace.calling import Ambiguous

    if isinstance(error, Ambiguous) or not own_named(trace, query):
        return None
    return own_instead(trace, query, error)


def line_ran_said(compiled: Sequence[str]) -> str:
    """What ``line ran`` means, said under the calls; ``compiled``: the repositories whose
    compiled code (what a ``.pyi`` stub declares) a call shown reached, each named (the
    legend named tokenizers' Rust for a call into safetensors' too)."""
    names = sorted(set(compiled))
    owners = [name + ("'" if name.endswith("s") else "'s") for name in names]  # tokenizers', toy's
    rust = f": {' and '.join(owners)} Rust" if names else ""
    said = (
        "line ran: no call was recorded there, but the line executed: a trace records the calls into "
        "the pinned packages' Python code only, not those into their compiled code (what a .pyi stub "
        f"declares{rust}), torch, the standard library or a builtin, nor a call a cache answered (a "
        "function under @lru_cache or @cache, whose code then does not run)"
    )
    return textwrap.fill(said, width=92, break_on_hyphens=False)


def _compiled_repos(sites: Sequence[Any]) -> list[str]:
    """The repositories of the compiled code (a stub's declaration) the ``line ran`` calls
    of ``sites`` reach."""
    return [
        target.repo
        for site in sites
        if site.ran_unrecorded
        for target, _ in site.targets
        if target.path.endswith(".pyi")
    ]


BESIDE = (
    "by this call or another: more than one call on the line names what ran there; a trace\n"
    "records the line of a call, not its column, so which of them made it is not known"
)


PASSED = "line ran: passed as a value, not called here"


def _mark(calls: int, unrecorded: bool = False, looked_up: int = 0, beside: int = 0) -> str:
    if looked_up and not calls:  # a property read: its getter ran under the class's __getattribute__
        return f"ran x{looked_up} through __getattribute__"
    if beside and not calls:
        return f"ran x{beside} at this line, by this call or another"
    return f"ran x{calls}" if calls else "line ran" if unrecorded else "not run"


def _calls_unrecorded_code(site: Any) -> bool:
    """Whether the site calls code a trace does not record (torch's ``LambdaLR.step``, a
    builtin): what ran at its line was called back from inside it (a learning-rate lambda,
    a property), so its count is no count of the site's calls."""
    from codewalk.calls.model import BUILTIN, EXTERNAL

    return not site.targets and site.callee.status in (BUILTIN, EXTERNAL) and bool(site.reached)


def _site_lines(site: Any, show_all: bool) -> str:
    callee = site.callee
    what = callee.site.name.expr or callee.site.text
    if callee.site.kind == "decorator":
        return f"  {callee.site.line:>6}  {what}  (decorator: runs when the function is defined)"
    single, marks = _target_marks(site)
    # functools.partial(f), PipelineDataset(inputs, self.preprocess): called later, elsewhere
    passed = callee.site.kind == "ref" and not site.calls and site.line_ran
    if single:
        target, count, mark = marks[0]
        if passed and not count:
            mark = PASSED
        return f"  {callee.site.line:>6}  {what} -> {target.qualname}  [{mark}]"
    beside = sum(site.shared)
    inside = _calls_unrecorded_code(site)
    head = _mark(0, site.line_ran) if inside else _mark(site.calls, site.ran_unrecorded, beside=beside)
    idle_mark = "not run"
    if passed and not beside:
        head, idle_mark = PASSED, "not called here"
        marks = [(t, count, mark if count else idle_mark) for t, count, mark in marks]
    out = [f"  {callee.site.line:>6}  {what}  [{head}]", *_targets_listed(marks, show_all, idle_mark)]
    why = "called from inside it" if inside else "not among the static targets"
    for function, calls in site.reached:  # the program's own: a callback it handed in
        said = "" if function.own else f", {why}"
        out.append(f"            -> {ran_name(function)}  [ran x{calls}{said}]")
    if not site.targets and callee.external:
        out[0] += f"  ({callee.external}, in another package)"
    return "\n".join(out)


def _target_marks(site: Any) -> tuple[bool, list[tuple[Any, int, str]]]:
    """Whether a site's mark is its one target's, and each target's calls and mark: the
    attribute holding what is called (``self.norm``) runs nothing, its ``forward`` is
    listed; one holding what ran (``self.infer = infer``, a parameter) says so."""
    from codewalk.traces.joined import HOLDERS

    every = [(t, n, m, b) for (t, n), m, b in zip(site.targets, site.looked_up, site.shared, strict=True)]
    targets = [each for each in every if each[0].kind not in HOLDERS] or every
    single = len(targets) == 1 and not site.reached
    marks = [(t, n or m or b, _mark(n, single and site.ran_unrecorded, m, b)) for t, n, m, b in targets]
    if site.calls and all(t.kind in HOLDERS for t, _, _ in marks):
        marks = [(t, n, mark if n else "holds what ran: below") for t, n, mark in marks]
    return single, marks


def _targets_listed(marks: list[tuple[Any, int, str]], show_all: bool, idle_mark: str) -> list[str]:
    """A line per target of a site of several: those that ran, then the others, as many
    as ``MORE_TARGETS`` allows unless ``show_all``, then how many more."""
    from codewalk.cli.calls_output import MORE_TARGETS

    ran = [(t, mark) for t, count, mark in marks if count]
    idle = [(t, mark) for t, count, mark in marks if not count]
    shown = idle if show_all else idle[: max(0, MORE_TARGETS + 1 - len(ran))]
    out = [f"            -> {target.qualname}  [{mark}]" for target, mark in [*ran, *shown]]
    more = len(idle) - len(shown)
    if more:
        out.append(f"            ... and {more:,} more targets, {idle_mark} (--all lists them)")
    return out


# -- draft A B --trace NAME -o FILE -------------------------------------------------------
def run_draft(args: argparse.Namespace) -> str:
    """The text of a tour along the first chain that ran from ``args.start`` to
    ``args.goal``: a step per function that ran on the way (a decorator's wrapper read
    as the function it wraps), each focused on the call site that ran."""
    from codewalk.tours.draft import Ran, draft_ran
    from codewalk.tours.recording import refusal_to_anchor
    from codewalk.traces.joined import definition_of
    from codewalk.traces.model import Function
    from codewalk.traces.own import own_label
    from codewalk.traces.tree import chains

    opened, workspace = open_traced(args)
    with workspace:
        trace = opened.trace
        scope = search_scope(args, workspace)
        start, goal = (traced_end(args, workspace, trace, query, scope) for query in (args.start, args.goal))
        found = chains(trace, opened.tree, ran_as(trace, [start]), ran_as(trace, [goal]))
        if not found:
            raise QueryError(
                f"no chain from {endpoint_name(start)} to {endpoint_name(goal)} ran in trace {trace.name!r}"
            )
        sources = Sources(opened)
        hops: list[Ran] = []
        shown = opened.tree.shown_chain(found[0].nodes)
        for here, following in itertools.pairwise(shown):
            function = trace.functions[trace.nodes[here.node].function]
            refused = refusal_to_anchor(function.repo, ran_name(function))
            if refused is not None:  # the program's own code: in no pin, said and left out
                print(visible(f"codewalk: {refused}"), file=sys.stderr)
                continue
            caller = definition_of(opened.stack.workspace(function.repo), function)
            if caller is None:
                continue
            callee = trace.functions[trace.nodes[following.node].function]
            wrappers = tuple(trace.functions[trace.nodes[n].function].short for n in following.through)
            line, calls = trace.nodes[following.call].line, found[0].ran(following.node)
            text = sources.text(caller.repo, caller.path)
            own = own_label(callee) if callee.own else ""
            hops.append(Ran(caller, line, callee.qualname, calls, wrappers, text, own))
        if not hops and isinstance(goal, Function):  # the program's code alone: no step to anchor
            raise QueryError(
                f"no step to draft: the chain from {endpoint_name(start)} to {endpoint_name(goal)} that ran"
                " is the program's own code alone, which no pinned repository holds"
            )
        command = f"codewalk draft {args.start} {args.goal} --trace {trace.name}"
        ended = None if isinstance(goal, Function) else goal
        return draft_ran(hops, ended, (start.qualname, goal.qualname), command, workspace.checkout.repo)


def traced_end(
    args: argparse.Namespace, workspace: Workspace, trace: Trace, query: str, scope: Sequence[str]
) -> Resolved | Function:
    """What a command given ``--trace`` takes ``query`` for: the definition, as
    :func:`traced_definition` takes it, unless it did not run and the program's own
    function of that name did (``upper``, the program's callback given to ``map``, not
    the function of that name a pin defines in another); else the program's own function
    of that name that ran (no pin defines it)."""
    from codewalk.traces.tree import functions_of

    try:
        found = traced_definition(args, workspace, trace, query, scope)
    except QueryError as error:
        return own_instead(trace, query, error)
    if not getattr(args, "repo", None) and not functions_of(trace, [found]) and own_named(trace, query):
        return own_instead(trace, query, None)
    return found
