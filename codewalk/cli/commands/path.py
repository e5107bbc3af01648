"""``codewalk path FROM TO``: the shortest call chains from one symbol to another (then
those a call longer)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from codewalk.cli.common import (
    add_chain,
    add_json,
    add_trace_option,
    dump_answer,
    open_workspace,
    positive,
    repo_version,
    result_dict,
    said_when_slow,
    search_scope,
)
from codewalk.errors import QueryError
from codewalk.visible import visible

if TYPE_CHECKING:
    from codewalk.calls.graph import Hop
    from codewalk.workspace.calling import PathAnswer
    from codewalk.workspace.workspace import Workspace


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "path",
        help="the shortest call chains from one symbol to another",
        description="The shortest call chains from FROM to TO (then those one call longer, up "
        "to --limit), through methods passed as values, "
        "properties, dispatch tables and attribute types. TO may name a function of another "
        "package (accelerate.Accelerator.backward).",
    )
    add_chain(parser)
    parser.add_argument("--limit", type=positive, default=3, metavar="N", help="at most N chains (default 3)")
    add_json(parser)
    add_trace_option(parser, "the chains that ran in this recorded run")


def searched(args: argparse.Namespace, workspace: Workspace, command: str, *, limit: int) -> PathAnswer:
    """The chains from ``args.start`` to ``args.goal``, the functions read counted on
    stderr as they are; a search that took long on a partial index says how to speed the
    next (the first question of a new cache)."""
    from codewalk.cli.progress import StderrCount

    reading = StderrCount(f"{command}: functions read")
    with said_when_slow(args, workspace, command):
        try:
            return workspace.path(
                args.start,
                args.goal,
                limit=limit,
                max_depth=args.depth,
                scope=search_scope(args, workspace),
                progress=reading,
            )
        finally:
            reading.end()


def run(args: argparse.Namespace) -> int:
    from codewalk.cli.calls_output import format_chain, hop_dict

    if args.trace:
        from codewalk.cli.traced import run_path

        return run_path(args)

    with open_workspace(args) as workspace:
        checkout = workspace.checkout
        answer = searched(args, workspace, "path", limit=args.limit)
        search = answer.search
        if args.json:
            dump_answer(
                f"{args.start} {args.goal}",
                checkout,
                start=result_dict(answer.start),
                goal=answer.goal,
                goal_found=answer.goal_found,
                chains=[[hop_dict(h) for h in chain] for chain in search.chains],
                searched=search.bodies,
                complete=search.complete,
                widened=search.widened,
                unfetched=list(answer.unfetched),
            )
            return 0 if search.chains else 1
        if not search.chains:
            raise _no_chain(args, answer)
        count = len(search.chains)
        hops = len(search.chains[0])
        lengths = {len(chain) for chain in search.chains}
        plural = "s" if hops != 1 else ""
        of = f" of {hops} call{plural}" if len(lengths) == 1 else f", the first of {hops} call{plural}"
        guessed = ", through calls of many candidates" if search.widened else ""
        if not search.complete:  # it stopped at enough chains before the shorter ones were all searched
            guessed += (
                f"; the first {'' if count == 1 else f'{count} '}found: a shorter one may be unsearched"
            )
        print(
            visible(f"{answer.start.qualname} -> {answer.goal}: ")
            + f"{count} chain{'s' if count != 1 else ''}{of} ({search.bodies} functions read{guessed}) "
            f"[{repo_version(answer.start, checkout)}]"
        )
        for number, chain in enumerate(search.chains, start=1):
            longer = f" ({len(chain)} calls)" if len(chain) != hops else ""  # past the shortest
            print(f"\n{number}.{longer}")
            print(visible(format_chain(chain, answer.start.repo or checkout.repo)))
        print(f"\n{order_note(search.chains)}")
        if not answer.goal_found:
            print(
                visible(f"\n({answer.goal} is in a package no pin provides: the chain ends at its call site)")
            )
        if answer.unfetched:
            print(visible(f"\n{unfetched_note(answer.unfetched)}"))  # pin names: the pins file's
        if search.passed_over and not search.widened:
            many = f"{search.passed_over} call{'s' if search.passed_over != 1 else ''} of many candidates"
            print(
                f"\n(not searched, as chains of definite calls were found: {many}; what runs may go "
                "through one: path ... --trace NAME reads a run recorded with codewalk trace)"
            )
        return 0


def unfetched_note(repos: Sequence[str]) -> str:
    """The pins a search did not read because they are not in the cache (``path`` fetches
    only its two ends' pins): a chain through their code is not among those listed."""
    one = len(repos) == 1
    return (
        f"(not read, not in the cache: {', '.join(repos)}; a chain through {'its' if one else 'their'} code "
        f"is not listed: 'codewalk sync {repos[0]}' fetches {'it' if one else 'one'}, "
        "'codewalk sync --all' every pin)"
    )


def order_note(chains: Sequence[Sequence[Hop]]) -> str:
    """What the order of ``chains`` rests on, for a reader to weigh it: the fewest calls
    (a guess counting as more), then the fewest guesses, then the fewest calls in a branch
    (:mod:`codewalk.calls.paths`): the ways the code allows in the fewest calls, not the
    likeliest (where a run goes another way, it is mostly a longer one, through calls on
    its functions' main lines); and, when a chain takes one of the several definitions a
    call may run, that it is one leading on to the end, not the one a program runs (which
    only the values of a run decide)."""
    from codewalk.cli.calls_output import may_run

    if len(chains) > 1:
        note = "(listed by the fewest calls, then the fewest guesses, then the fewest calls in branches: "
        note += "the shortest ways the code allows, not the likeliest"
    else:
        note = "(the shortest way the code allows, not the likeliest"
    note += "; a run often goes a longer way"
    if any(may_run(hop) > 1 for chain in chains for hop in chain):
        note += (
            "; at a call that may run several definitions, the one shown is one that leads on "
            "to the end, not necessarily the one a program runs"
        )
    return note + ": path ... --trace NAME shows the way a recorded run went)"


def _no_chain(args: argparse.Namespace, answer: PathAnswer) -> QueryError:
    """No chain found: a search that read every function within ``--depth`` calls was
    broken by a call codewalk cannot follow (a longer search rarely finds one); one that
    stopped at its bound may have a chain past where it stopped."""
    search = answer.search
    single = answer.goal_found and len(answer.goals) < 2  # or none reaches the goal: getattr(obj, name)()
    ran = "a run recorded with `codewalk trace` answers for sure (path ... --trace NAME)"
    if search.complete:
        why, longer = "", "; --depth N searches longer chains"
        hint = f"a call codewalk cannot follow breaks one ('calls {args.start} --all' lists them"
        hint += f"; 'callers {answer.goal}' those that reach the end)" if single else ")"
    else:
        functions = f"{search.bodies:,} function{'s' if search.bodies != 1 else ''}"
        why, longer = f" (the search stopped after {functions})", ""
        hint = (
            f"the search stopped before it read every function within {args.depth} calls, so a chain "
            "may lie past where it stopped; a path between two functions nearer each other searches "
            f"less ('calls {args.start}' lists what FROM calls"
        )
        hint += f", 'callers {answer.goal}' what calls TO)" if single else ")"
    if answer.unfetched:
        hint = f"{unfetched_note(answer.unfetched)[1:-1]}; {hint}"
    return QueryError(
        f"no call chain from {answer.start.qualname} to {answer.unreached} within {args.depth} calls{why}",
        hint=f"{hint}; {ran}{longer}",
    )
