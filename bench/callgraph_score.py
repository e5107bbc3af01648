"""The call graph's oracle, part three: codewalk's answers scored against what Python
ran (the edges ``callgraph_record.py`` recorded, classified by ``callgraph_kinds.py``).

    .venv/bin/python bench/callgraph_score.py                # development and held-out tables
    .venv/bin/python bench/callgraph_score.py --misses local --part development
    .venv/bin/python bench/callgraph_score.py --no-path --no-goto

Runs in codewalk's own environment, over the pinned sources of ``CODEWALK_HOME`` (the
versions installed where the programs ran are the pins: checked file by file). For each
edge, codewalk is asked as a reader would ask:

- ``calls CALLER``: CALLER is the function the call is written in, named through the
  class its ``self`` was at run time (``LlamaForCausalLM._sample``: the concrete class);
  the call site at the called name's line and column must be listed, and the function
  that ran among its targets (*listed*), or first (*first*);
- ``goto`` on the called name: its first answer is the function that ran;
- ``path ENTRY GOAL`` for pairs connected at run time: ENTRY a function a program calls
  (through its ``self``'s class), GOAL a function it reached two or more calls later
  (per distance, the one whose name hashes lowest: no one chose them); a chain must be
  found, and one of the first three must be a chain that ran (every hop an edge Python
  recorded). With ``--pairs``, each pair whose first three did not run is read beside the
  shortest chain Python ran (``ran:``) and codewalk's first (``first:``, each call that did
  not run marked ``!``): a longer way through the main line, another candidate of a call
  of many, or a call codewalk does not follow.

Runs 1-12 of ``callgraph_record.RUNS`` are for development; edges seen only in the last
three are held out.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import callgraph_kinds as kinds
from callgraph_record import DEVELOPMENT, RUNS

PATH_KINDS = (*kinds.FOLLOWED, "attribute", "local", "instance call")  # calls written as such
_DISTANCES = range(2, 9)


class Verdict(NamedTuple):
    listed: bool  # the site is listed and what ran is among its targets
    first: bool  # ... and first
    how: str  # what codewalk says about the site (for --misses)
    site: bool  # codewalk lists a site there at all


class Scorer:
    def __init__(self, site: str) -> None:
        from codewalk.workspace.pinned import PinnedStack

        self.site = site
        self.pinned = PinnedStack()
        self._answers: dict[str, Any] = {}
        self._roots: dict[str, str] = {}
        self._same: dict[tuple[str, str], bool] = {}

    # -- files --------------------------------------------------------------------------
    def pin_path(self, repo: str, rel: str) -> str:
        if repo not in self._roots:
            facts = self.pinned.stack.facts(repo)
            self._roots[repo] = facts.checkout.package_root if facts is not None else ""
        root = self._roots[repo]
        return f"{root}/{rel}" if root else rel

    def same_file(self, repo: str, rel: str) -> bool:
        """The installed file is the pinned one, byte for byte."""
        key = (repo, rel)
        if key not in self._same:
            facts = self.pinned.stack.facts(repo)
            pinned = facts.checkout.root / self.pin_path(repo, rel) if facts is not None else None
            try:
                self._same[key] = (
                    pinned is not None and pinned.read_bytes() == Path(self.site, rel).read_bytes()
                )
            except OSError:
                self._same[key] = False
        return self._same[key]

    def workspace(self, repo: str) -> Any:
        return self.pinned.workspace(repo)

    def is_def(self, target: Any, function: kinds.Function) -> bool:
        """``target`` (a codewalk result) is the function that ran: itself, or the
        class whose construction ran it."""
        path = self.pin_path(function.repo, function.path)
        if target.path == path and function.first in (target.start_line, target.line):
            return True
        if target.kind == "class" and function.name in ("__init__", "__new__", "__post_init__"):
            members = self.workspace(target.repo).calling.cr.members(target, function.name)
            return any(m.path == path and function.first in (m.start_line, m.line) for m in members)
        return False

    # -- calls ----------------------------------------------------------------------------
    def queries(self, edge: kinds.Edge) -> list[str]:
        """How a reader names the caller: through its self's class, then as defined;
        a nested function by its ``<locals>`` name, else the function around it."""
        caller = edge.caller
        parts = caller.qualname.split(".<locals>.")
        while len(parts) > 1 and parts[-1].startswith("<"):
            parts.pop()  # a comprehension or a lambda: the function around it
        own = ".<locals>.".join(parts)
        out: list[str] = []
        receiver = edge.receiver
        if len(parts) == 1 and "." in own and receiver.partition(".")[0] in self.pinned.stack.owners:
            out.append(f"{receiver}.{own.rpartition('.')[2]}")
        out.append(f"{caller.module}.{own}")
        if len(parts) > 1:
            out.append(f"{caller.module}.{parts[0]}")
        return out

    def answer(self, edge: kinds.Edge) -> Any:
        from codewalk.errors import CodewalkError

        path = self.pin_path(edge.caller.repo, edge.caller.path)
        ws = self.workspace(edge.caller.repo)
        for query in self.queries(edge):
            if query not in self._answers:
                try:
                    self._answers[query] = ws.calls(query)
                except CodewalkError as error:
                    self._answers[query] = error
            found = self._answers[query]
            if isinstance(found, CodewalkError):
                continue
            target = found.target
            if target.path == path and target.start_line <= edge.position[0] <= target.end_line:
                return found
        return None

    def calls(self, item: kinds.Classified) -> Verdict:
        answer = self.answer(item.edge)
        if answer is None:
            return Verdict(False, False, "the caller cannot be asked about", False)
        callees = [level.callee for level in answer.levels if level.depth == 1]
        line, col = item.name_at
        at = [c for c in callees if c.site.line == line and c.site.col == col]
        for callee in at:
            if any(self.is_def(t, item.edge.callee) for t in callee.targets):
                first = self.is_def(callee.targets[0], item.edge.callee)
                return Verdict(True, first, callee.how, True)
        start, end = item.edge.position[0], item.edge.position[1]
        near = [c for c in callees if start <= c.site.line <= end]
        for callee in near:
            if any(self.is_def(t, item.edge.callee) for t in callee.targets):
                first = self.is_def(callee.targets[0], item.edge.callee)
                return Verdict(True, first, callee.how, True)
        said = at[0] if at else None
        how = f"{said.status}: {said.how}" if said is not None else "no call site listed there"
        if said is not None and said.targets:
            how += f" [first: {said.targets[0].qualname}, {len(said.targets)} targets]"
        return Verdict(False, False, how, said is not None)

    def goto(self, item: kinds.Classified) -> bool:
        from codewalk.errors import CodewalkError

        edge = item.edge
        ws = self.workspace(edge.caller.repo)
        line, col = item.name_at
        try:
            results = ws.goto_all(
                self.pin_path(edge.caller.repo, edge.caller.path), line, col, fallback=False
            )
        except CodewalkError:
            return False
        return bool(results.results) and self.is_def(results.results[0], edge.callee)

    # -- paths ----------------------------------------------------------------------------
    def path(
        self, start: str, repo: str, goal: kinds.Function, ran: set[tuple[str, int, str, int]]
    ) -> tuple[str, tuple[Any, ...]]:
        """ "chain ran" | "chain" | "none" | "error: ...", and the chains listed."""
        from codewalk.errors import CodewalkError

        ws = self.workspace(repo)
        try:
            answer = ws.path(start, f"{goal.module}.{goal.qualname}")
        except CodewalkError as error:
            return f"error: {error.message}", ()
        chains = answer.search.chains
        if not chains:
            return "none", chains
        for chain in chains[:3]:
            if all(self.hop_ran(hop, ran) for hop in chain):
                return "chain ran", chains
        return "chain", chains

    def hop_ran(self, hop: Any, ran: set[tuple[str, int, str, int]]) -> bool:
        caller = hop.caller.target
        target = hop.target
        if target is None:
            return False
        heads = {(caller.path, caller.start_line), (caller.path, caller.line)}
        ends = {(target.path, target.start_line), (target.path, target.line)}
        if target.kind == "class":  # constructing it ran its __init__ (a dataclass's: its __post_init__)
            cr = self.workspace(target.repo).calling.cr
            for init in cr.members(target, "__init__"):
                made = cr.members(target, "__post_init__") if init.kind == "class" else [init]
                ends |= {(m.path, line) for m in made for line in (m.start_line, m.line)}
        return any((h[0], h[1], e[0], e[1]) in ran for h in heads for e in ends)


# -- tables --------------------------------------------------------------------------------
def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} % ({part}/{whole})" if whole else "-"


def table(rows: Sequence[tuple[str, ...]], head: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def calls_tables(scored: list[tuple[kinds.Classified, Verdict, bool | None]]) -> str:
    by_kind: dict[str, list[tuple[Verdict, bool | None]]] = defaultdict(list)
    by_repo: dict[str, list[Verdict]] = defaultdict(list)
    cross: dict[str, list[Verdict]] = defaultdict(list)
    followed: list[tuple[Verdict, bool | None]] = []
    for item, verdict, landed in scored:
        by_kind[item.kind].append((verdict, landed))
        if item.kind in kinds.FOLLOWED:
            followed.append((verdict, landed))
            by_repo[item.edge.caller.repo].append(verdict)
            if item.edge.caller.repo != item.edge.callee.repo:
                cross[f"{item.edge.caller.repo} → {item.edge.callee.repo}"].append(verdict)

    def row(name: str, verdicts: list[tuple[Verdict, bool | None]]) -> tuple[str, ...]:
        n = len(verdicts)
        gotos = [g for _, g in verdicts if g is not None]
        return (
            name,
            str(n),
            percent(sum(v.listed for v, _ in verdicts), n),
            percent(sum(v.first for v, _ in verdicts), n),
            percent(sum(gotos), len(gotos)) if gotos else "-",
        )

    head = ("kind", "edges", "`calls` lists what ran", "... first", "`goto` lands on it")
    rows = [row(k, by_kind[k]) for k in kinds.FOLLOWED if by_kind[k]]
    rows.append(row("**followed kinds**", followed))
    rows += [row(f"_{k}_ (not in the bar)", by_kind[k]) for k in kinds.OTHER if by_kind[k]]
    out = [table(rows, head), ""]

    def tally(name: str, v: list[Verdict]) -> tuple[str, ...]:
        listed, first = sum(x.listed for x in v), sum(x.first for x in v)
        return (name, str(len(v)), percent(listed, len(v)), percent(first, len(v)))

    repo_rows = [tally(repo, v) for repo, v in sorted(by_repo.items())]
    out += [table(repo_rows, ("library (caller's), followed kinds", "edges", "listed", "first")), ""]
    cross_rows = [tally(pair, v) for pair, v in sorted(cross.items())]
    cross_rows.append(tally("**across repositories**", [v for vs in cross.values() for v in vs]))
    out += [table(cross_rows, ("cross-repository, followed kinds", "edges", "listed", "first")), ""]
    return "\n".join(out)


# -- pairs ---------------------------------------------------------------------------------
def node(f: kinds.Function) -> tuple[str, str, int]:
    return (f.repo, f.path, f.first)


def pairs(
    items: Iterable[kinds.Classified], entries: Iterable[kinds.Edge]
) -> list[tuple[kinds.Edge, kinds.Function]]:
    """(entry edge, goal): per entry, per distance 2..8 in the runtime graph of calls
    written as such, the reached function whose name hashes lowest."""
    graph, functions = runtime_graph(items)
    out: list[tuple[kinds.Edge, kinds.Function]] = []
    seen_entries: set[tuple[str, str, int, str]] = set()
    for entry in entries:
        key = (*node(entry.callee), entry.entry_receiver)
        if key in seen_entries or "<" in entry.callee.qualname:
            continue
        seen_entries.add(key)
        distance: dict[Place, int] = {}
        for there, parent in _reached(graph, node(entry.callee)).items():
            distance[there] = 0 if parent is None else distance[parent] + 1
        for d in _DISTANCES:
            at = [functions[n] for n, k in distance.items() if k == d and "<" not in functions[n].qualname]
            if at:
                goal = min(at, key=lambda f: (zlib.crc32(f"{f.module}.{f.qualname}".encode()), f.first))
                out.append((entry, goal))
    return out


Place = tuple[str, str, int]  # a function: its repository, file and first line
Graph = dict[Place, set[Place]]


def runtime_graph(items: Iterable[kinds.Classified]) -> tuple[Graph, dict[Place, kinds.Function]]:
    """What called what at run time (calls written as such), and each function by its node."""
    graph: Graph = defaultdict(set)
    callers: dict[Place, kinds.Function] = {}
    callees: dict[Place, kinds.Function] = {}
    for item in items:
        if item.kind in PATH_KINDS:
            graph[node(item.edge.caller)].add(node(item.edge.callee))
            callers[node(item.edge.caller)] = item.edge.caller
            callees[node(item.edge.callee)] = item.edge.callee
    return graph, {**callers, **callees}


def _reached(graph: Graph, start: Place) -> dict[Place, Place | None]:
    """Each function reached from ``start``, breadth first, with the one it was first
    reached from (None for ``start``), in the order reached."""
    parent: dict[Place, Place | None] = {start: None}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for there in sorted(graph.get(here, ())):
            if there not in parent:
                parent[there] = here
                queue.append(there)
    return parent


def runtime_chain(graph: Graph, start: Place, goal: Place) -> list[Place]:
    """One of the shortest chains that ran from ``start`` to ``goal`` (its nodes, the
    start's included; empty when none ran)."""
    parent = _reached(graph, start)
    if goal not in parent:
        return []
    out = [goal]
    while (before := parent[out[-1]]) is not None:
        out.append(before)
    return out[::-1]


def entry_query(scorer: Scorer, entry: kinds.Edge) -> str:
    callee = entry.callee
    receiver = entry.entry_receiver
    if "." in callee.qualname and receiver.partition(".")[0] in scorer.pinned.stack.owners:
        return f"{receiver}.{callee.name}"
    return f"{callee.module}.{callee.qualname}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=("development", "held-out", "both"), default="both")
    parser.add_argument("--no-path", action="store_true")
    parser.add_argument("--no-goto", action="store_true")
    parser.add_argument("--misses", metavar="KIND", help="list the edges of KIND (or 'all') codewalk misses")
    parser.add_argument("--pairs", action="store_true", help="list every path pair and its verdict")
    args = parser.parse_args()

    edges, wrappers, versions, site = kinds.load()
    if not edges:
        print(
            "no recorded edges: run bench/callgraph_record.py in the torch virtualenv first", file=sys.stderr
        )
        return 2
    scorer = Scorer(site)
    for repo, version in sorted(versions.items()):
        pin = scorer.pinned.pins.get(repo)
        pinned = pin.release.partition("==")[2] if pin is not None else "?"
        if pinned != version:
            print(f"warning: {repo} {version} is installed, {pinned} pinned", file=sys.stderr)
    development = set(DEVELOPMENT)
    items = list(kinds.scored(edges, wrappers, site))
    parts = {
        "development": [i for i in items if i.edge.runs & development],
        "held-out": [i for i in items if not i.edge.runs & development],
    }
    entries = {
        "development": [e for e in edges if e.caller.repo == "program" and e.runs & development],
        "held-out": [e for e in edges if e.caller.repo == "program" and not e.runs & development],
    }
    names = ("development", "held-out") if args.part == "both" else (args.part,)
    started = time.perf_counter()
    for part in names:
        units = _units(parts[part])
        usable = [u for u in units if scorer.same_file(u.edge.caller.repo, u.edge.caller.path)]
        scored = []
        for item in usable:
            verdict = scorer.calls(item)
            landed = None if args.no_goto or item.kind not in kinds.FOLLOWED else scorer.goto(item)
            scored.append((item, verdict, landed))
        runs = [r for r in RUNS if (r in development) == (part == "development")]
        print(f"\n## {part}: {', '.join(runs)}\n")
        print(f"{len(usable)} call edges ({len(units) - len(usable)} in files that differ from the pins)\n")
        print(calls_tables(scored))
        if args.misses:
            for item, verdict, _ in scored:
                if not verdict.listed and args.misses in (item.kind, "all"):
                    e = item.edge
                    print(
                        f"MISS {item.kind}: {e.caller.path}:{item.name_at[0]} {e.caller.qualname} "
                        f"[{e.receiver}] {item.called}(...) -> {e.callee.module}.{e.callee.qualname}\n"
                        f"     codewalk: {verdict.how[:300]}"
                    )
        if not args.no_path:
            _paths(scorer, parts[part], entries[part], args.pairs)
    print(f"\n(scored in {time.perf_counter() - started:.0f} s)")
    return 0


def _short(name: str) -> str:
    """A function as its class and name (``Trainer.train``), a module's as its module's."""
    return ".".join(name.split(".<locals>.")[-1].split(".")[-2:])


def _units(items: list[kinds.Classified]) -> list[kinds.Classified]:
    """One per (caller, called name's place, callee, receiver)."""
    unique: dict[tuple[object, ...], kinds.Classified] = {}
    for item in items:
        e = item.edge
        unique.setdefault((node(e.caller), item.name_at, node(e.callee), e.receiver), item)
    return list(unique.values())


def _paths(scorer: Scorer, items: list[kinds.Classified], entries: list[kinds.Edge], show: bool) -> None:
    ran = {
        (
            scorer.pin_path(i.edge.caller.repo, i.edge.caller.path),
            i.edge.caller.first,
            scorer.pin_path(i.edge.callee.repo, i.edge.callee.path),
            i.edge.callee.first,
        )
        for i in items
    }
    chosen = pairs(items, entries)
    graph, functions = runtime_graph(items)
    verdicts: list[str] = []
    seconds: list[float] = []
    for entry, goal in chosen:
        start = entry_query(scorer, entry)
        began = time.perf_counter()
        verdict, chains = scorer.path(start, entry.callee.repo, goal, ran)
        seconds.append(time.perf_counter() - began)
        verdicts.append(verdict)
        if show:
            print(f"PAIR {verdict[:60]:<12} {seconds[-1]:5.1f} s  {start} -> {goal.module}.{goal.qualname}")
        if show and verdict != "chain ran":
            nodes = runtime_chain(graph, node(entry.callee), node(goal))
            print(f"     ran:   {' | '.join(_short(functions[n].qualname) for n in nodes[1:])}")
            if chains:
                hops = [_short(hop.reached) + ("" if scorer.hop_ran(hop, ran) else "!") for hop in chains[0]]
                print(f"     first: {' | '.join(hops)}")
    n = len(chosen)
    found = sum(v.startswith("chain") for v in verdicts)
    good = sum(v == "chain ran" for v in verdicts)
    print(
        table(
            [
                (
                    str(n),
                    percent(found, n),
                    percent(good, n),
                    f"{max(seconds):.1f} s" if seconds else "-",
                )
            ],
            (
                "pairs connected at run time",
                "`path` finds a chain",
                "... a chain that ran among the first three",
                "slowest",
            ),
        )
    )


if __name__ == "__main__":
    sys.exit(main())
