"""A trace beside the static facts: which definition a function that ran is, which of a
function's call sites ran (and how often), and whether a tour's step ran.

A function that ran is its definition in the index when a definition of its qualified
name starts on its first line in its file. Code with no definition of its own is read as
the definition it is part of: a module's own code (what an import ran) as the module, a
comprehension or a lambda as the function (or class, or module) around it. A function
defined inside another (a decorator's wrapper, a closure) has none yet, and says so
(:func:`why_not_indexed`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from codewalk.calls.model import BUILTIN, EXTERNAL
from codewalk.errors import CodewalkError
from codewalk.resolve.model import BODY_KINDS, Resolved
from codewalk.traces.model import Function, Trace
from codewalk.traces.tree import ANONYMOUS, GETATTRIBUTE, Tree, is_definition, owner_name, part_of

if TYPE_CHECKING:
    from codewalk.calls.model import Callee
    from codewalk.workspace.workspace import Workspace


OWN, MODULE, ENCLOSING = "its own definition", "its module", "the definition around it"


def read_as(function: Function) -> str:
    """Which definition ``function`` is read as: OWN, MODULE or ENCLOSING. A function
    defined inside another (``f.<locals>.g``) is its own, found in its host's body."""
    owner = owner_name(function.name)
    return OWN if owner == function.name else ENCLOSING if owner else MODULE


def why_not_indexed(function: Function) -> str:
    """Why a function that ran has no definition of its own, or "" when it may have."""
    name = function.name
    if name == "<module>":
        return "a module's own code (run on import)"
    last = name.rpartition(".")[2]
    if last in ANONYMOUS[:-1]:
        return "a comprehension"
    if last == "<lambda>":
        return "a lambda"
    return ""


def definition_of(workspace: Workspace, function: Function) -> Resolved | None:
    """The indexed definition ``function`` is read as (``workspace`` is its repository's):
    its own, its module's, or the one around it (:func:`read_as`); None when there is none
    (see :func:`why_not_indexed`)."""
    how = read_as(function)
    owner = owner_name(function.name)
    query = f"{function.module}.{owner}" if owner else function.module
    try:
        found = workspace.find(query, related=False)
    except CodewalkError:
        return None
    if how == OWN:
        return next((r for r in found.matches if is_definition(function, r)), None)

    def around(r: Resolved) -> bool:
        if r.repo != function.repo or r.path != function.path or (r.kind == "module") != (how == MODULE):
            return False
        return r.start_line <= function.line <= r.end_line

    return next((r for r in found.matches if around(r)), None)


class SiteRun(NamedTuple):
    """A static call site and what ran there: per target, how many calls (0: not run)."""

    callee: Callee
    targets: tuple[tuple[Resolved, int], ...]
    calls: int  # the calls recorded at the site, whatever they reached (not a lookup on the way)
    reached: tuple[tuple[Function, int], ...]  # functions it reached that are none of ``targets``
    line_ran: bool  # its line executed
    looked_up: tuple[int, ...]  # per target: its calls beneath a __getattribute__ run there
    # per target: its calls at the site's line, made by this site or another of the line
    # that names it too (``a.f() if a.g else a.f()``): a trace records a call's line only
    shared: tuple[int, ...]
    # per target: a memoizing decorator wraps it (``@lru_cache``): a call its cache
    # answered ran none of its code, which a trace would have recorded
    cached: tuple[bool, ...] = ()

    @property
    def targets_ran(self) -> tuple[Resolved, ...]:
        """The targets that ran there, called or read through ``__getattribute__``."""
        pairs = zip(self.targets, self.looked_up, strict=True)
        return tuple(t for (t, n), m in pairs if n or m)

    @property
    def ran_unrecorded(self) -> bool:
        """No call recorded, yet its line executed and what it calls may be code a trace
        does not record (torch's, the standard library's, a builtin): an untyped or
        external call, a module attribute (its class's ``forward``), a class (its
        ``__init__``); or it may have been answered from a cache (``@lru_cache``: its
        function's code does not run). A function of the pins that ran is recorded: not
        one of these."""
        if self.calls or not self.line_ran:
            return False
        return not self.targets or any(not _recorded(t) for t, _ in self.targets) or any(self.cached)


class CallsRun(NamedTuple):
    ran: int  # calls of the function in the trace
    sites: tuple[SiteRun, ...]
    unplaced: tuple[tuple[int, Function, int], ...]  # (line, function, calls) at no static site


# a target that holds what a call of it runs (not a property, as calls.model.is_holder has it:
# a getter is code that runs, which a trace records)
HOLDERS = frozenset(("attribute", "variable"))
# Run by an attribute read, a subscript, ``in`` or ``with``, or by the last reference to a
# value going (``__del__``, wherever that happens): never by a call a site names.
_LOOKUPS = frozenset((GETATTRIBUTE, "__getattr__"))
_BY_SYNTAX = frozenset(
    (
        *("__getitem__", "__setitem__", "__delitem__", "__contains__"),
        *("__setattr__", "__delattr__", "__enter__", "__exit__", "__del__"),
    )
)


# the builtins that read an attribute by name (``__getattr__`` runs in them)
_READING_BUILTINS = frozenset(("getattr", "hasattr"))

# decorators that answer a call from a cache, without running the function's code
MEMOIZING = frozenset(("lru_cache", "cache"))


def memoized(decorators: Sequence[str]) -> bool:
    """Whether ``decorators`` (dotted names, as the index reads them: ``lru_cache``,
    ``functools.cache``) include one that may answer a call from its cache."""
    return any(d.rpartition(".")[2] in MEMOIZING for d in decorators)


def _recorded(target: Resolved) -> bool:
    """Whether a trace records ``target`` running: Python code of the pins (a ``.pyi``
    stub's function is compiled)."""
    return target.kind in BODY_KINDS and not target.path.endswith(".pyi")


# What making an instance runs of its class's code (``__init__`` may be inherited:
# ``ModelOutput.__post_init__`` runs for ``CausalLMOutputWithPast(...)``).
_CONSTRUCTION = frozenset(("__new__", "__init__", "__post_init__"))


def calls_run(
    trace: Trace,
    tree: Tree,
    functions: set[int],
    callees: Sequence[Callee],
    decorators: Callable[[Resolved], Sequence[str]] = lambda target: (),
) -> CallsRun:
    """Each static call site of a function (``callees``) with what ran there. A call the
    trace recorded goes to a site at its line (:func:`_site_of`); a call at a line with no
    site goes to the first site that names what it reached; the rest is ``unplaced``. A
    target run beneath a ``__getattribute__`` at its site's line (a property read) ran
    there too. A site with no call recorded says whether its line executed, and whether
    a target's ``decorators`` may have answered it from a cache."""
    from codewalk.traces.tree import calls_from, looked_up

    by_line: dict[int, list[int]] = {}
    for number, callee in enumerate(callees):
        by_line.setdefault(callee.site.line, []).append(number)
    got: list[dict[int, int]] = [{} for _ in callees]
    shared: list[dict[int, int]] = [{} for _ in callees]  # made by this site or another naming it
    unplaced: list[tuple[int, Function, int]] = []
    for (line, function), calls in sorted(calls_from(trace, tree, functions).items()):
        owners = _site_of(trace.functions[function], by_line.get(line, []), callees)
        if not owners:
            unplaced.append((line, trace.functions[function], calls))
        for owner in owners:
            into = got[owner] if len(owners) == 1 else shared[owner]
            into[function] = into.get(function, 0) + calls
    executed = _executed(trace, functions)
    beneath = looked_up(trace, tree, functions)
    sites = [
        _site_run(trace, callee, ran_here, maybe, beneath, callee.site.line in executed, decorators)
        for callee, ran_here, maybe in zip(callees, got, shared, strict=True)
    ]
    calls = sum(node.calls for i, node in enumerate(trace.nodes) if i and node.function in functions)
    return CallsRun(calls, tuple(sites), tuple(unplaced))


def _site_run(
    trace: Trace,
    callee: Callee,
    ran_here: dict[int, int],
    maybe: dict[int, int],
    beneath: dict[tuple[int, int], int],
    line_ran: bool,
    decorators: Callable[[Resolved], Sequence[str]],
) -> SiteRun:
    """What ran at one call site: the calls of each target made there (``ran_here``) or
    by another site of its line naming it too (``maybe``), those read beneath a
    ``__getattribute__`` there (``beneath``, by line and function), what else it reached."""
    targets = callee.targets
    marks = tuple(
        (t, sum(n for f, n in ran_here.items() if _runs_for(trace.functions[f], t, targets))) for t in targets
    )
    beside = tuple(
        sum(n for f, n in maybe.items() if _runs_for(trace.functions[f], t, targets)) for t in targets
    )
    below = [(trace.functions[f], n) for (line, f), n in beneath.items() if line == callee.site.line]
    looked = tuple(sum(n for f, n in below if _runs_for(f, t, targets)) for t in targets)
    reached = tuple(
        (trace.functions[f], n)
        for f, n in ran_here.items()
        if not any(_runs_for(trace.functions[f], t) for t in callee.targets)
        and not (any(looked) and _name(trace.functions[f]) == GETATTRIBUTE)  # said by the target
    )
    cached = tuple(
        line_ran and not n and _recorded(t) and memoized(decorators(t)) for t, n in marks
    )  # read only where it says something
    # an attribute lookup on the way (``self.base_model`` through ``__getattr__``) is no call of the site
    made = sum(n for f, n in ran_here.items() if _name(trace.functions[f]) not in _LOOKUPS)
    return SiteRun(callee, marks, made, reached, line_ran, looked, beside, cached)


class RanThere(NamedTuple):
    """A function that ran at a call site, as a reader goes to it: ``target`` when it is
    one of the site's static targets, else its place as the trace recorded it."""

    qualname: str
    repo: str
    path: str
    line: int
    calls: int
    target: Resolved | None


def ran_at_sites(
    trace: Trace, tree: Tree, function: Resolved, callees: Sequence[Callee]
) -> list[tuple[RanThere, ...]]:
    """Per call site of ``function`` (``callees``, in order), what ran there in the run,
    most calls first: its static targets that ran, then what else it reached."""
    from codewalk.traces.tree import functions_of

    functions = functions_of(trace, [function])
    if not functions:
        return [() for _ in callees]
    out: list[tuple[RanThere, ...]] = []
    for site in calls_run(trace, tree, functions, callees).sites:
        ran = [RanThere(t.qualname, t.repo, t.path, t.line, n, t) for t, n in site.targets if n]
        ran += [RanThere(f.qualname, f.repo, f.path, f.line, n, None) for f, n in site.reached]
        out.append(tuple(sorted(ran, key=lambda there: -there.calls)))
    return out


def _executed(trace: Trace, functions: set[int]) -> frozenset[int]:
    """The lines of ``functions`` that executed, those of their comprehensions and
    lambdas (which run in frames of their own) included."""
    hosts = [trace.functions[f] for f in functions]
    return frozenset(
        line
        for f, lines in enumerate(trace.lines)
        if f in functions or any(part_of(trace.functions[f], host) for host in hosts)
        for line in lines
    )


def _runs_for(function: Function, target: Resolved, targets: Sequence[Resolved] = ()) -> bool:
    """Whether ``function`` running, recorded at a site of ``target``, is ``target`` run:
    the definition itself, or for a class the code making an instance (its own or an
    inherited ``__init__``: the call at the site's line is what ran it). Of a site that
    may construct several classes (``targets``: an entry of a table of classes), one whose
    own ``__init__`` ran is the one made there, not the others."""
    if is_definition(function, target):
        return True
    if target.kind != "class" or function.name.rpartition(".")[2] not in _CONSTRUCTION:
        return False
    owners = [t for t in targets if _owns(function, t)]
    return not owners or target in owners


def _defined_in(function: Function, target: Resolved) -> bool:
    """Whether ``function``'s code is inside the definition ``target`` (a class's method)."""
    same = function.repo == target.repo and function.path == target.path
    return same and target.start_line <= function.line <= target.end_line


def _owns(function: Function, target: Resolved) -> bool:
    """Whether ``function`` is code of the class ``target`` (its own ``__init__``)."""
    return target.kind == "class" and _defined_in(function, target)


def _name(function: Function) -> str:
    return function.name.rpartition(".")[2]


def _site_of(function: Function, here: Sequence[int], callees: Sequence[Callee]) -> tuple[int, ...]:
    """The static sites a call of ``function`` recorded at a line may be of (``here``: the
    sites at that line), a trace recording the line of a call, not its column: the sites
    that name it or the class it constructs (several: any of them, ``a.f if a.g else
    None``; a class's own ``__init__`` its class's site alone); an attribute lookup
    (``__getattr__``) the one that read it (:func:`_looked_up_by`);
    what syntax runs (a subscript's ``__getitem__``) none; anything else the one whose
    callee codewalk cannot read (unresolved, or a value that may hold anything:
    ``logging.tqdm(init_dict.items())``, ``tqdm`` an instance; a call into another
    package or a builtin only when no other is there: ``load_method(os.path.join(...))``
    ran ``from_pretrained`` from ``load_method``), else the line's one call
    (what it reached is not among its static targets: an attribute holding another class
    than the one codewalk reads), unless an argument of it reads an attribute of that name
    (a property's getter); of several such sites, the one calling it by its name
    (``self.config.f`` in ``len(self.config.f())``), else none (said at the line, not
    given to the first: ``self.down_proj(self.act_fn(x))``). At a line with no site, the first
    site anywhere that names it."""
    if not here:
        first = next(
            (n for n, c in enumerate(callees) if any(is_definition(function, t) for t in c.targets)), None
        )
        return () if first is None else (first,)
    owners = _naming(function, here, callees)
    if owners:
        return owners
    if _name(function) in _LOOKUPS:
        return _looked_up_by(here, callees)
    if _name(function) in _BY_SYNTAX:
        return ()
    return _unnamed_site(function, here, callees)


def _naming(function: Function, here: Sequence[int], callees: Sequence[Callee]) -> tuple[int, ...]:
    """The sites of a line that name ``function`` or the class it constructs; of several,
    the one whose class the code is of (``Outer(Inner())``: an ``__init__`` of Inner's own
    is Inner's site's)."""
    owners = tuple(n for n in here if any(_runs_for(function, t) for t in callees[n].targets))
    if len(owners) > 1:
        inside = tuple(n for n in owners if any(_owns(function, t) for t in callees[n].targets))
        owners = inside or owners
    return owners


def _unnamed_site(function: Function, here: Sequence[int], callees: Sequence[Callee]) -> tuple[int, ...]:
    """The one site of a line none of whose sites names ``function`` that made its call
    (:func:`_site_of` says which), else none."""
    unread = [n for n in here if all(t.kind in HOLDERS for t in callees[n].targets)]
    # a call into another package or a builtin beside it (``f(os.path.join(a, b))``) is
    # not what a pinned function was called by, when a site codewalk cannot read is there
    unread = [n for n in unread if callees[n].status not in (EXTERNAL, BUILTIN)] or unread
    candidates = unread or [n for n in here if callees[n].site.kind == "call"] or list(here)
    if len(candidates) > 1:  # len(self.config.f()): the builtin around it ran nothing recorded
        candidates = [n for n in candidates if _called_name(callees[n]) == _name(function)]
    if len(candidates) != 1 or _read_in_arguments(function, callees[candidates[0]]):
        return ()
    return tuple(candidates)


def _looked_up_by(here: Sequence[int], callees: Sequence[Callee]) -> tuple[int, ...]:
    """The site at a line whose attribute read ran a pinned ``__getattr__`` (or
    ``__getattribute__``): the first that reads one on a value a pinned package may have
    made, ``getattr(library, c)`` and ``hasattr`` included (``{c: getattr(library, c) for c
    in classes.keys()}``: the builtin, not ``keys``); not a function of another package
    or of Python's reached through its module (``version.parse(transformers.__version__)``:
    the read is in the arguments, which no site names); none when none is."""
    for number in here:
        callee = callees[number]
        if callee.status == BUILTIN:
            if callee.site.name.expr in _READING_BUILTINS:
                return (number,)
        elif "." in callee.site.name.expr and callee.status != EXTERNAL:
            return (number,)
    return ()


def _called_name(callee: Callee) -> str:
    """The last name of what a site calls (``f`` of ``self.config.f(...)``)."""
    return callee.site.name.expr.rpartition(".")[2]


def _read_in_arguments(function: Function, callee: Callee) -> bool:
    """Whether ``function`` is named as the attribute an argument of the call reads, not
    as what the call calls: the getter of a property codewalk could not type
    (``ids.to(self.device)`` ran ``device`` at the line; ``to`` did not)."""
    name, site = _name(function), callee.site
    if name == _called_name(callee):
        return False
    return any("." in arg.expr and arg.expr.rpartition(".")[2] == name for arg in site.args)


class StepRun(NamedTuple):
    """Whether a tour step's code ran: calls of its function (of a class: of the functions
    inside it), how many lines of its span executed, its focus regions none of whose
    lines executed, and those that are a test that ran whose body did not (an ``if``
    not taken, a loop that never went round)."""

    calls: int
    executed: int
    idle: tuple[tuple[int, int], ...]
    untaken: tuple[tuple[int, int], ...] = ()


def step_run(
    trace: Trace,
    target: Resolved,
    regions: Sequence[tuple[int, int]],
    bodies: Sequence[tuple[int, int] | None] = (),
) -> StepRun:
    """How ``target`` ran in ``trace``; ``bodies``: of each region that is the header of
    a branch or a loop (or an ``else:`` or ``finally:`` line), the lines of its body."""
    executed = trace.executed(target.repo, target.path)
    inside = target.kind == "class"

    def counts(function: Function) -> bool:
        if inside:  # its methods, not the class body that ran on import
            same = function.repo == target.repo and function.path == target.path
            return same and target.line < function.line <= target.end_line
        return is_definition(function, target)

    def ran(lines: tuple[int, int]) -> bool:
        return any(line in executed for line in range(lines[0], lines[1] + 1))

    calls = sum(
        node.calls for i, node in enumerate(trace.nodes) if i and counts(trace.functions[node.function])
    )
    span = range(target.start_line, target.end_line + 1)
    branches = [(r, body) for r, body in zip(regions, bodies, strict=False) if body is not None]
    # a header whose body ran ran too: an ``else:`` or ``finally:`` line itself never executes
    opened = {r for r, body in branches if ran(body)}
    idle = tuple(r for r in regions if not ran(r) and r not in opened)
    untaken = tuple(r for r, body in branches if ran(r) and not ran(body))
    return StepRun(calls, sum(1 for line in span if line in executed), idle, untaken)
