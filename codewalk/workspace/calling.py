"""The call questions a workspace answers: ``calls``, ``callers``, ``path`` and ``goto``
at a call site, over :mod:`codewalk.calls` (imported when first asked: the common
commands never load it, nor libcst)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple, TypedDict

from codewalk.errors import QueryError
from codewalk.resolve.model import FindResult, Resolved, rivals

if TYPE_CHECKING:
    from codewalk.calls.callers import Caller, Progress
    from codewalk.calls.graph import Level
    from codewalk.calls.model import Body, Callee
    from codewalk.calls.paths import PathSearch
    from codewalk.calls.sites import CallResolver
    from codewalk.workspace.code import Parts, WorkspaceCode

CALLABLE_KINDS = ("function", "method", "property", "class")
_SHOWN = 5  # candidates an ambiguity names


class NotCallable(QueryError):
    """The query names something that is not a function, method, property or class."""


class NoDefinition(QueryError):
    """The query names nothing; ``suggestions`` holds "did you mean" names."""

    def __init__(self, message: str, *, hint: str | None, suggestions: Sequence[str]) -> None:
        super().__init__(message, hint=hint)
        self.suggestions = tuple(suggestions)


class Ambiguous(QueryError):
    """The query is a short name several definitions have; ``candidates`` holds them,
    best first (a call question answers for one definition: the reader names it)."""

    def __init__(self, found: FindResult, candidates: Sequence[Resolved]) -> None:
        shown = ", ".join(f"{c.qualname} ({c.path}:{c.line})" for c in candidates[:_SHOWN])
        more = f", and {len(candidates) - _SHOWN:,} more" if len(candidates) > _SHOWN else ""
        listed = f" --limit {len(candidates)}" if more else ""  # every one: find lists 20 unless told
        super().__init__(
            f"{found.query!r} is ambiguous: {len(candidates):,} definitions",
            hint=f"name one: {shown}{more} (`codewalk find {found.query}{listed}` lists them)",
        )
        self.candidates = tuple(candidates)


def unambiguous(found: FindResult) -> None:
    """Raise :class:`Ambiguous` when ``found`` answers a short name with several
    definitions, none of which the ranking makes the clear answer (as a tour step)."""
    matches = found.matches or found.results
    others = rivals(found.query, matches)
    if others:
        raise Ambiguous(found, (matches[0], *others))


class CallsAnswer(NamedTuple):
    target: Resolved
    levels: tuple[Level, ...]
    receiver: Resolved | None = None  # the class ``self`` was taken to be, when the query named one


class CallersAnswer(NamedTuple):
    target: Resolved
    callers: tuple[Caller, ...]
    complete: bool  # False while the index is partial (uses in unindexed files may be missed)
    note: str = ""  # what calls it where no line names it (``__post_init__``: @dataclass's __init__)


class PathOptions(TypedDict, total=False):
    """How :meth:`Calling.path` searches."""

    limit: int  # at most this many chains (3)
    max_depth: int  # of at most this many calls (8)
    scope: Sequence[str]  # the repositories a short name is searched in (the workspace's)
    progress: Callable[[int], None] | None  # told how many functions it has read


class PathAnswer(NamedTuple):
    start: Resolved
    goal: str  # the goal's qualname, or the dotted name in another package
    goal_found: bool  # the goal resolved to a definition in a pinned repo
    search: PathSearch
    goals: tuple[str, ...] = ()  # every definition searched for: several for a name defined more than once
    unfetched: tuple[str, ...] = ()  # pins not in the cache, whose code the search did not read

    @property
    def unreached(self) -> str:
        """The goal, as a chain not found to it is said: for a name defined more than once,
        every definition searched for (a chain to none of them)."""
        if len(self.goals) < 2:
            return self.goal
        listed = ", ".join(self.goals[:_SHOWN]) + (", …" if len(self.goals) > _SHOWN else "")
        return f"any of the {len(self.goals)} definitions of {self.goal.rpartition('.')[2]} ({listed})"


class CallRow(NamedTuple):
    """One call of a :class:`CallList`, flat, for a list on screen."""

    line: int
    col: int  # 0-based
    kind: str  # call | ref | decorator
    expr: str
    text: str
    status: str
    how: str
    targets: tuple[Resolved, ...]
    external: str
    minor: bool  # a builtin, or a call on a value codewalk cannot type

    @classmethod
    def of(cls, callee: Callee) -> CallRow:
        site = callee.site
        return cls(
            site.line,
            site.col,
            site.kind,
            site.name.expr,
            site.text,
            callee.status,
            callee.how,
            callee.targets,
            callee.external,
            callee.minor,
        )


class CallList(NamedTuple):
    function: Resolved
    rows: tuple[CallRow, ...]
    callees: tuple[Callee, ...] = ()  # what the rows are made of, in order (a trace joins them)


class GotoAnswer(NamedTuple):
    """What the name at a position reaches: one or several definitions (a dispatch
    table's targets, a property and what it returns), or a note saying why none."""

    results: tuple[Resolved, ...]
    note: str = ""
    # the note of a call codewalk cannot follow (``target.merge(...)``): said only when
    # neither the resolver nor jedi answers instead
    unresolved: bool = False
    external: str = ""  # what the call runs in another package (``torch.optim.lr_scheduler.LambdaLR.step``)
    # a Python builtin (``raise ValueError(...)``, ``len(x)``): the note says which; no pin defines it
    builtin: bool = False


class Calling:
    """The call questions of one workspace; one :class:`CallResolver` memoises what
    names reach across questions (cleared when the index changes)."""

    def __init__(self, workspace: Parts) -> None:
        from codewalk.calls.cache import CallFactsTable
        from codewalk.calls.sites import CallResolver
        from codewalk.workspace.code import WorkspaceCode

        self.ws = workspace
        self.code: WorkspaceCode = WorkspaceCode(workspace)
        self.table = CallFactsTable(workspace.store.db)
        self.cr: CallResolver = CallResolver(self.code, self.table)

    # -- finding the definition asked about --------------------------------------------
    def definition(self, query: str, scope: Sequence[str] = ()) -> Resolved:
        host, nested, path = query.strip().partition(".<locals>.")
        if nested:  # a function defined in another: Trainer.train.<locals>.inner
            if not all(part.isidentifier() or part == "<locals>" for part in path.split(".")):
                raise QueryError(f"malformed query {query!r}: <locals> is followed by the name of a function")
            return self.nested(self.definition(host, scope), path, query)
        return self.callable_match(self.find(query, scope), scope)

    def find(self, query: str, scope: Sequence[str] = (), *, related: bool = True) -> FindResult:
        """``query`` as this pin answers it; when it has no definition of that name, as the
        repositories of ``scope`` do (a short name of another library: ``type_validator``),
        the way ``find`` searches a short name."""
        from codewalk.workspace.forwarding import explained

        found = self.ws.resolver.find(query, related=related)
        if found.matches or len(scope) < 2:
            return explained(self.ws, found)
        wider = self.ws.resolver_for(scope).find(query, related=related)
        # unless a class of this pin lacks the member, the wider search says more: its
        # match, the class of another pin that lacks it, or the names spelled alike in
        # every pin (``Acelerator.backward``: accelerate's ``Accelerator.backward``)
        better = wider.matches or found.owner is None
        return explained(self.ws, wider if better else found)

    def spelled_nested(self, found: FindResult, scope: Sequence[str] = ()) -> FindResult:
        """``found``, when nothing answers ``Dataset.map.load_processed_shard_from_cache``
        and ``Dataset.map`` defines a function of that name: the name Python gives it
        (``...Dataset.map.<locals>.load_processed_shard_from_cache``, which ``find``,
        ``calls`` and a tour's links take) first among the "did you mean" names."""
        host, _, name = found.query.strip().rpartition(".")
        if found.results or not host or "<" in found.query or not name.isidentifier():
            return found
        hosts = self.find(host, scope, related=False).matches
        if not hosts or hosts[0].kind not in ("function", "method") or hosts[0].path.endswith(".pyi"):
            return found
        try:
            body = self.cr.nested(self.body_of(hosts[0]), name)
        except QueryError:  # no body to read: nothing is defined in it that codewalk knows
            return found
        if body is None:
            return found
        spelled = body.target.qualname
        return found._replace(suggestions=(spelled, *(s for s in found.suggestions if s != spelled)))

    def nested(self, host: Resolved, path: str, query: str) -> Resolved:
        """The function ``path`` (``inner``, ``inner.<locals>.deeper``) defined in ``host``."""
        body = self.cr.nested(self.body_of(host), path)
        if body is None:
            raise NoDefinition(
                f"{query!r}: {host.qualname} defines no function {path}",
                hint=f"`codewalk calls {host.qualname}` lists what it defines and calls",
                suggestions=(),
            )
        return body.target

    def callable_match(self, found: FindResult, scope: Sequence[str] = ()) -> Resolved:
        matches = found.matches
        if not matches:
            found = self.spelled_nested(found, scope)
            from codewalk.workspace.forwarding import not_found_message, unsearched

            hint = (
                f"did you mean: {', '.join(found.suggestions)}" if found.suggestions else found.note or None
            )
            why = self.ws.stack.unopened(found.query)
            if why:  # the pin that would answer could not be opened (fetched): that first, as find says
                hint = f"{why}; {hint}" if hint else why
            home = self.ws.checkout.repo
            searched = [repo for repo in scope if repo != home] if len(scope) > 1 else []  # as find looked
            # a class's member not found: the class's pin was read; else name the pins not searched
            fetch = unsearched(self.ws.stack.unsynced()) if found.owner is None else ""
            if fetch:
                hint = f"{hint}; {fetch}" if hint else fetch
            raise NoDefinition(
                not_found_message(found, self.ws.checkout, searched),
                hint=hint,
                suggestions=found.suggestions,
            )
        callable_matches = [m for m in matches if m.kind in CALLABLE_KINDS]
        if callable_matches:
            unambiguous(found._replace(results=tuple(callable_matches)))
            return callable_matches[0]
        from codewalk.calls.reached import a

        first = matches[0]
        raise NotCallable(
            f"{found.query!r} is {a(first.kind)} ({first.path}:{first.line}): calls are followed "
            "from functions, methods, properties and classes",
            hint=f"`codewalk find {first.qualname} --refs` lists where it is read and set",
        )

    def receiver(self, query: str, target: Resolved, scope: Sequence[str] = ()) -> Resolved | None:
        """The class a ``Class.member`` query names, when the member was found in its
        MRO on another class (``LlamaForCausalLM.generate``: ``self`` is a
        ``LlamaForCausalLM``, not any ``GenerationMixin``), or is a function a class
        decorator set on it (``MixtralExperts.forward``: its ``self`` is a
        ``MixtralExperts``), looked up as the member was (``StableDiffusionPipeline`` in
        the diffusers pin)."""
        from codewalk.resolve.query import parse_query

        if "<locals>" in query:
            return None
        parts = parse_query(query)
        owner = target.qualname.rpartition(".")[0]
        set_on = target.kind == "function" and "<locals>" in target.qualname  # by a class decorator
        member = target.kind in ("method", "property") or set_on
        if len(parts) < 2 or not member or owner.endswith(parts[-2]):
            return None
        named = self.find(".".join(parts[:-1]), scope, related=False).matches
        classes = [c for c in named if c.kind == "class"]
        if not classes or classes[0].qualname == owner:
            return None
        named_as = parts[-2]
        said = "the class the question names"
        if classes[0].qualname.rpartition(".")[2] != named_as and classes[0].via != "direct":
            said = f"{said}: {classes[0].via}"  # PreTrainedTokenizerFast is an alias of TokenizersBackend
        return classes[0]._replace(via=said)

    def body_of(self, target: Resolved, receiver: Resolved | None = None) -> Body:
        from codewalk.calls.graph import body_for

        if target.path.endswith(".pyi"):
            raise self._compiled(target)
        body = body_for(self.cr, target)
        if body is None:
            inits = self.cr.members(target, "__init__") if target.kind == "class" else []
            # the __init__ that runs, as body_for takes it: one @dataclass made has no source
            made = bool(inits) and inits[0].kind == "class"
            raise QueryError(
                f"{target.qualname}: no body to read ({target.path}:{target.line})",
                hint=(
                    "a dataclass without a __post_init__: the __init__ @dataclass makes sets its fields and "
                    "calls nothing else"
                    if made
                    else "a class without an __init__ codewalk can read, or a source file that is missing"
                ),
            )
        return body._replace(receiver=receiver) if receiver is not None else body

    def _compiled(self, target: Resolved) -> QueryError:
        """What a stub's declaration says of the calls it makes: none codewalk reads, and
        where its Rust source is, when ``find`` knows."""
        found = self.ws.resolver_for((target.repo,)).find(target.qualname)
        rust = [r for r in found.results if r.kind == "native"]
        where = f"; its Rust source is {rust[0].path}:{rust[0].line}" if rust else ""
        show = f"`codewalk show '{rust[0].qualname}'` shows it, " if rust else ""
        return QueryError(
            f"{target.qualname} is declared in a type stub ({target.path}:{target.line}): the code "
            f"that runs is compiled, and codewalk reads no calls in it{where}",
            hint=f"{show}`codewalk find {target.qualname}` lists the stub and the compiled source it knows",
        )

    # -- questions ---------------------------------------------------------------------------
    def calls(self, query: str, depth: int = 1, scope: Sequence[str] = ()) -> CallsAnswer:
        from codewalk.calls.graph import tree

        target = self.definition(query, scope)
        body = self.body_of(target, self.receiver(query, target, scope))
        return CallsAnswer(target, tuple(tree(self.cr, body, depth)), body.receiver)

    def callers(
        self, query: str, progress: Progress | None = None, scope: Sequence[str] = ()
    ) -> CallersAnswer:
        if ".<locals>." in query:  # a function defined in another: no table names it
            return self.callers_of(self.definition(query, scope), (), progress, scope)
        found = self.find(query, scope)
        target = self.callable_match(found, scope)
        entries = [r for r in found.results if r.kind == "entry" and r.role == "related"]
        return self.callers_of(target, entries, progress, scope)

    def callers_of(
        self,
        target: Resolved,
        entries: Sequence[Resolved] | None = None,
        progress: Progress | None = None,
        scope: Sequence[str] = (),
    ) -> CallersAnswer:
        """The call sites that reach ``target``, read in every repository opened and in
        those of ``scope`` (a full name opens its own pin alone: the sites that call it from
        another, in the cache, are read all the same)."""
        from codewalk.calls.callers import called_by_python, callers

        for repo in scope:
            self.ws.stack.facts(repo)
        if entries is None and ".<locals>." in target.qualname:  # no table names a nested function
            entries = ()
        if entries is None:
            related = self.ws.resolver.find(target.qualname).results
            entries = [r for r in related if r.kind == "entry" and r.role == "related"]
        found_callers = callers(self.cr, target, self.code.mentions, entries, progress, self.ws.checkout.repo)
        return CallersAnswer(target, tuple(found_callers), self.ws.facts.complete, called_by_python(target))

    def definition_at(self, path: str, line: int, col: int) -> Resolved | None:
        """The function, method, property or class whose name is at ``path:line:col``
        (the cursor on a definition, not on a use of its name)."""
        lines = self.code.lines(self.ws.checkout.repo, path)
        row = self.ws.store.file(self.ws.snap, path)
        view = self.ws.facts.module_by_path(path)
        if not 0 < line <= len(lines) or row is None or row.blob is None or view is None:
            return None
        text = lines[line - 1]
        for d in self.ws.store.defs_where(row.blob, "line", line):
            if d.kind not in CALLABLE_KINDS:
                continue
            start = text.find(d.name, d.col)
            if start >= 0 and start <= col < start + len(d.name):
                from codewalk.resolve.model import Hit, to_resolved

                return to_resolved(Hit(view, d, "direct", 0), self.ws.checkout.repo)
        return None

    def path(
        self,
        start: str,
        goal: str,
        *,
        limit: int = 3,
        max_depth: int = 8,
        scope: Sequence[str] = (),
        progress: Callable[[int], None] | None = None,
    ) -> PathAnswer:
        from functools import partial

        from codewalk.calls.backward import toward
        from codewalk.calls.paths import shortest_paths
        from codewalk.resolve.query import parse_query

        source = self.definition(start, scope)
        body = self.body_of(source, self.receiver(start, source, scope))
        goals: Sequence[Resolved] = ()
        if ".<locals>." in goal:  # a function defined in another, as calls and tracebacks name it
            goals = [self.definition(goal, scope)]
        elif (found := self.find(goal, scope, related=False)).matches:
            goals = [m for m in found.matches if m.kind in CALLABLE_KINDS] or list(found.matches)
        elif (
            len(parts := parse_query(goal)) > 1
            and parts[0] not in self.ws.checkout.packages
            and parts[0].islower()
        ):
            goals = self.code.elsewhere(goal)[0]  # another package: its pin, if any; else matched by name
        else:
            self.callable_match(found, scope)  # raises: not found, with suggestions
        same = [g for g in goals if (g.repo, g.path, g.line) == (source.repo, source.path, source.line)]
        if same:
            raise QueryError(
                f"FROM and TO are the same: {source.qualname} ({source.path}:{source.line})",
                hint="name two definitions; `codewalk calls SYMBOL` lists what one calls",
            )
        within = {source.repo, *(g.repo for g in goals)}  # the bodies it reads; no other pin is fetched

        def search_to(goals: Sequence[Resolved]) -> PathSearch:
            return shortest_paths(
                self.cr,
                body,
                goals,
                goal,
                max_depth=max_depth,
                limit=limit,
                repos=within,
                # a body outside them is never read: only theirs may lead to the goal
                toward=partial(
                    toward, self.cr, goals, partial(self.code.mentions_of, within=within), max_depth - 1
                ),
                progress=progress,
            )

        with self.ws.stack.fetching_only(within):
            written = as_written(goal, goals)
            search = search_to(written)
            if search.chains or written == goals:
                goals = written
            else:  # the function set in their place does not run them: a chain to it, then
                search = search_to(goals)
        reached = search.chains[0][-1].reached if search.chains else ""  # of several goals, the one reached
        name = reached or (goals[0].qualname if goals else goal)
        return PathAnswer(source, name, bool(goals), search, tuple(g.qualname for g in goals))

    def around(self, path: str, line: int, *, header: bool = False, repo: str = "") -> Body | None:
        """The innermost function around ``path:line`` (of ``repo``, "": this workspace's):
        one nested in an indexed function (``add_hook_to_module.<locals>.new_forward``,
        read in its host's body: the index keeps its definition, not its span) when its
        lines hold it, its own names read there (a parameter of its own hides the host's of
        that name). Its ``def`` line is the host's (the host runs it), unless ``header``:
        the function a reader on that line is looking at."""
        body = self.code.around(repo, path, line)
        if body is None:
            return None
        first = 0 if header else 1
        inside = [b for b in self.cr.nested_in(body) if b.target.line + first <= line <= b.target.end_line]
        return max(inside, key=lambda b: b.target.line, default=body)

    def calls_at(self, path: str, line: int) -> CallList | None:
        """The function around ``path:line`` and its calls, resolved (the UI's ``c``; on
        a nested function's ``def`` line, where a trace's step of it opens, its own)."""
        body = self.around(path, line, header=True)
        if body is None:
            return None
        callees = tuple(self.cr.callees(body))
        return CallList(body.target, tuple(CallRow.of(callee) for callee in callees), callees)

    def sites_on_line(self, repo: str, path: str, line: int) -> tuple[Callee, ...]:
        """The call sites at ``path:line`` of ``repo`` (its function's, resolved); none
        outside a function."""
        body = self.around(path, line, repo=repo)
        return () if body is None else tuple(c for c in self.cr.callees(body) if c.site.line == line)

    def goto(self, path: str, line: int, col: int) -> GotoAnswer | None:
        """What the call site at ``path:line:col`` reaches (None: no call site there)."""
        from codewalk.calls.model import BUILTIN, EXTERNAL, RESOLVED, UNRESOLVED

        body = self.around(path, line)
        if body is None:
            return None
        facts = self.cr.facts(body)
        for site in facts.sites:
            if site.line == line and site.col <= col < max(site.end_col, site.col + 1):
                callee = self.cr.callee(body, site, facts)
                if callee is None:
                    return None
                if callee.status == RESOLVED:
                    return GotoAnswer(callee.targets)
                if callee.status == EXTERNAL:
                    return GotoAnswer((), callee.how, external=callee.external)
                if callee.status == UNRESOLVED:  # the resolver and jedi may say more (an assignment)
                    return GotoAnswer((), _untyped_note(body, callee, self._defined), unresolved=True)
                if callee.status == BUILTIN:
                    return GotoAnswer((), callee.how, builtin=True)
                return None
        return None

    def _defined(self, name: str) -> bool:
        """Whether a pin whose source is in the cache defines a function or method named
        ``name``: what ``codewalk find NAME`` searches."""
        found = self.ws.resolver_for(self.ws.stack.synced()).find(name, related=False, suggest=False)
        return any(r.kind in CALLABLE_KINDS for r in found.matches)


def as_written(query: str, goals: Sequence[Resolved]) -> Sequence[Resolved]:
    """The goals of a ``Class.member`` query that class bodies define, when the first is a
    function a class decorator set on the class in their place (``MixtralExperts.forward``:
    ``@use_experts_implementation``'s dispatcher, shared by every class it decorates,
    falls back on the class's own forward): a chain to the def as written goes through it."""
    if "<locals>" in query or not goals or "<locals>" not in goals[0].qualname:
        return goals
    return [g for g in goals if g.kind in ("method", "property")] or goals


def _untyped_note(body: Body, callee: Callee, defined: Callable[[str], bool]) -> str:
    """Why a call is not followed (what its receiver is bound to), and where to look: the
    definitions of the attribute's name, and ``path`` from the function the call is in,
    named whole: a short name may be read as another's (paddle's ``linear``, in a command,
    is transformers' ``FP8Experts.linear``, the first pin's). A name no pin ``defined``
    (``module._old_forward``, an attribute accelerate sets on a module at run time) has no
    definition to list: a run says what the call reached (``goto --trace`` at the very line)."""
    how = callee.how or "codewalk cannot tell what it calls"
    name = callee.site.name.expr.rpartition(".")[2]
    here = body.target.qualname
    if "." not in callee.site.name.expr or not name.isidentifier():
        return f"{how}; `codewalk calls {here}` says what else it calls"
    if not defined(name):
        return (
            f"{how}; no pin in the cache defines a function named {name} (one set at run time, "
            f"or another package's): a run you recorded says what it called, "
            f"`codewalk goto {body.target.path}:{callee.site.line} --trace NAME`"
        )
    return (
        f"{how}; `codewalk find {name}` lists the definitions of {name}, and "
        f"`codewalk path {here} CLASS.{name}` says whether this call can reach one"
    )
