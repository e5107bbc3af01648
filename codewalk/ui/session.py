"""Everything one tour needs in the UI, built by the launcher (or a test) and handed in.

A :class:`TourSession` bundles the tour, a way to open the pinned repositories
(:class:`~codewalk.ui.ports.Repos`), a step resolver, a way to describe a repository
(:class:`RepoInfo`: its version, how to read its files, its permalinks) and the
comparison of a step's symbol with another version, so the app builds nothing and reads
no configuration.

Every navigator call runs on one dedicated thread (:class:`NavThread`): the index is a
SQLite connection, used by one thread at a time, and jedi is not thread-safe; Textual's
workers only wait on that thread, so the UI never blocks, and quitting never waits for
a call under way (:mod:`codewalk.ui.lanes`). What a slow call is doing (a fetch waiting
on a package index) is said to the screen through :class:`Activity`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from codewalk.errors import CodewalkError
from codewalk.resolve.model import FALLBACK_VIA, OVERLOAD_VIA
from codewalk.resolve.related import COMPILED
from codewalk.tours.model import ResolvedStep, Tour
from codewalk.ui.lanes import Lane
from codewalk.ui.ports import Callers, CallList, Navigator, Reached, Reference, Repos, Target
from codewalk.ui.state import ProgressStore
from codewalk.ui.versions import StepDiff
from codewalk.workspace.nesting import nested_name
from codewalk.workspace.symbols import match_rank, needle_of, owner_rank

if TYPE_CHECKING:
    from codewalk.traces.joined import RanThere
    from codewalk.traces.own_calls import OwnCalls

T = TypeVar("T")

# (the repos, 0-based step index) -> the step's resolution; runs on the nav thread
StepResolver = Callable[[Any], Callable[[int], ResolvedStep]]


class StepVerdict(NamedTuple):
    """Whether a step ran in the trace a tour is walked against: ``word`` (``ran``,
    ``not run``, ``not traced``, ``broken``), the line said under its title, and whether
    that bears the tour out."""

    word: str
    said: str
    ok: bool


# a step -> its verdict against the trace the tour is walked against; None: nothing to say
RanSaid = Callable[[ResolvedStep], "StepVerdict | None"]


class TargetsRan(NamedTuple):
    """What the trace read ran at a line of a call that may reach several definitions:
    per definition (in the order asked), its calls there over the run (0: none), and
    whether the line executed at all."""

    calls: tuple[int, ...]
    line_ran: bool


# (repo, path, line, the definitions a call there may reach) -> what ran of each there
RanTargets = Callable[[str, str, int, Sequence[Target]], TargetsRan]


@dataclass(frozen=True, slots=True)
class CheckFinding:
    """One thing ``check`` says of a tour: about its step ``step`` (0-based; None: the
    tour's), ``broken`` (the step does not resolve) or a note warning."""

    step: int | None
    message: str
    broken: bool


# (the repos, a tour) -> what `check` says of it; on the nav thread
TourCheck = Callable[[Any, Tour], "Sequence[CheckFinding]"]
Permalink = Callable[[str, int, int], "str | None"]
Say = Callable[[str], None]  # what a slow task is doing, in words, for the reader


class OtherVersions(Protocol):
    """The step's symbol at another version of its repository."""

    def fetch(self, spec: str, repo: str, say: Say) -> None:
        """Make ``repo`` at ``spec`` (``REPO@VERSION``) ready to read, fetching it if the
        cache does not hold it: slow, and never on the nav thread, which stays free to
        answer the reader meanwhile. Raises CodewalkError."""
        ...

    def compare(self, repos: Any, resolved: ResolvedStep, spec: str, say: Say) -> StepDiff:
        """The step's symbol at ``spec`` against the one on screen, on the nav thread."""
        ...


def no_permalink(path: str, start: int, end: int) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class RepoInfo:
    """A repository as the UI shows it: the version read, its files, where its work tree
    is (for ``$EDITOR``) and its permalinks."""

    repo: str
    version: str  # as its checkout says it: "v5.23.0", "transformers==5.23.0"
    read: Callable[[str], str]  # repo-relative path -> text; fast, any thread
    root: Path
    permalink: Permalink = no_permalink
    pinned: str = ""  # the pin's release of this repo, when another one is read
    read_only: bool = True  # ``o`` opens the editor read-only (the cache); False: the user's own files
    package_root: str = ""  # where its packages are (``src``): a file's module name, for a recorded step
    # files no workspace reads (a trace's program files): why a question on them has no answer
    unread: str = ""
    # its files may change while the app runs (a trace's program files, read while each is
    # the one that ran): read again each time one is opened, a step in one resolved again
    changes: bool = False


@dataclass(frozen=True, slots=True)
class Imported:
    """What a name a program's own file imports reaches in the pins (a ``Reached``)."""

    results: Sequence[Target]
    note: str = ""


class NavThread:
    """One thread that opens the repositories and makes every call on them.

    What it learns of a repository (:class:`RepoInfo`) as answers reach into it is kept in
    :attr:`known`, which the UI thread reads: a place in a repository the nav thread has
    answered about opens at once."""

    def __init__(self, open_repos: Callable[[], Repos], describe: Callable[[Any], RepoInfo]) -> None:
        self._open = open_repos
        self._describe = describe
        self._repos: Repos | None = None
        self.known: dict[str, RepoInfo] = {}
        self._nav = Lane("codewalk-nav")
        self._jedi = Lane("codewalk-jedi")
        self._fetches = Lane("codewalk-fetch")

    def call(self, function: Callable[[Repos], T]) -> T:
        """Run ``function(repos)`` on the nav thread and wait for its result (raises
        :class:`~codewalk.ui.lanes.SessionClosed` when the session closes meanwhile)."""
        return self._nav.submit(lambda: self._run(function)).result()

    def fetch(self, function: Callable[[], T]) -> T:
        """Run ``function()`` (a fetch of another version: slow, and never on the nav
        thread, which stays free to answer the reader) on a thread of its own, and wait."""
        return self._fetches.submit(function).result()

    def _run(self, function: Callable[[Repos], T]) -> T:
        if self._repos is None:
            self._repos = self._open()
        return function(self._repos)

    def on(
        self,
        repo: str,
        function: Callable[[Navigator], T],
        reaches: Callable[[T], Iterable[str]] = lambda _: (),
    ) -> T:
        """Run ``function`` on ``repo``'s navigator; ``repo`` and the repositories its
        answer ``reaches`` are learnt before it returns."""

        def run(repos: Repos) -> T:
            answer = function(repos.workspace(repo))
            self._learn(repos, [repo, *reaches(answer)])
            return answer

        if repo in self.known and self.known[repo].unread:
            raise CodewalkError(self.known[repo].unread)
        return self.call(run)

    def info(self, repo: str) -> RepoInfo:
        """``repo`` described (opened, fetched, on first use); raises CodewalkError."""

        def run(repos: Repos) -> RepoInfo:
            self._learn(repos, [repo], quiet=False)
            return self.known[repo]

        return self.call(run)

    def learn(self, repos: Repos, names: Iterable[str]) -> None:
        """On the nav thread: describe the repositories in ``names`` not known yet."""
        self._learn(repos, names)

    def _learn(self, repos: Repos, names: Iterable[str], *, quiet: bool = True) -> None:
        for name in names:
            if name and name not in self.known:
                try:
                    self.known[name] = self._describe(repos.workspace(name))
                except CodewalkError:
                    if not quiet:
                        raise

    def goto(self, repo: str, path: str, line: int, col: int) -> Target | None:
        return self.on(repo, lambda nav: nav.goto(path, line, col), lambda t: [t.repo] if t else [])

    def references(self, repo: str, qualname: str) -> Sequence[Reference]:
        return self.on(repo, lambda nav: list(nav.references(qualname)))

    def compiled(self, stub: Target) -> Target | None:
        """The Rust source that implements ``stub`` (see :func:`compiled_of`)."""
        if not is_stub(stub):
            return None
        return self.on(stub.repo, lambda nav: compiled_of(nav, stub))

    def goto_all(self, repo: str, path: str, line: int, col: int, *, fallback: bool = True) -> Reached:
        def goto(nav: Navigator) -> Reached:
            return nav.goto_all(path, line, col, fallback=fallback)

        if repo in self.known and self.known[repo].unread:
            return self._imported(repo, path, line, col)
        return self.on(repo, goto, lambda a: [t.repo for t in a.results])

    def _imported(self, repo: str, path: str, line: int, col: int) -> Reached:
        """In a file no workspace reads (a traced program's own), the pinned definition of
        the name there that the file imports (``from transformers import Trainer``), as
        ``find`` finds its full name in the package it was imported from; else why there is
        no answer."""
        from codewalk.traces.own import imported_at

        unread = self.known[repo].unread
        name = imported_at(self.known[repo].read(path), line, col)
        if name is None:
            raise CodewalkError(unread)

        package = name.split(".")[0]

        def find(repos: Repos) -> Reached:
            found = repos.workspace().find(name, limit=1, suggest=False).results
            # in the package imported from: find reads a dotted tail too (utils.logging is
            # transformers.utils.logging), where the program's own utils.py is meant
            found = [target for target in found if target.qualname.split(".")[0] == package]
            self._learn(repos, [target.repo for target in found])
            return Imported(tuple(found))

        answer = self.call(find)
        if not answer.results:
            said = f"{name} (the program imports it) is in no pinned repository: codewalk reads the pins only"
            raise CodewalkError(said)
        return answer

    def goto_jedi(self, repo: str, path: str, line: int, col: int, *, timeout: float) -> Reached | None:
        """What jedi says the name there is, asked on a thread of its own (it takes
        seconds on a big module, and the nav thread must keep answering meanwhile);
        None when it has not answered within ``timeout`` seconds (its late answer is
        dropped)."""
        query = self.on(repo, lambda nav: nav.jedi_query(path, line, col))
        try:
            target = self._jedi.submit(query).result(timeout=timeout)
        except FutureTimeout:
            return None
        return self.on(repo, lambda nav: nav.from_jedi(target), lambda a: [t.repo for t in a.results])

    def calls_at(self, repo: str, path: str, line: int) -> CallList | None:
        def reaches(calls: CallList | None) -> list[str]:
            if calls is None:
                return []
            return [calls.function.repo, *(t.repo for row in calls.rows for t in row.targets)]

        return self.on(repo, lambda nav: nav.calls_at(path, line), reaches)

    def callers_at(self, repo: str, path: str, line: int, col: int) -> Callers | None:
        def reaches(found: Callers | None) -> list[str]:
            return [found.target.repo, *(c.repo for c in found.callers)] if found is not None else []

        return self.on(repo, lambda nav: nav.callers_at(path, line, col), reaches)

    def search(self, repos: Sequence[str], text: str, limit: int) -> Searched:
        """Symbols for the palette, in every repository that can be read without a fetch
        (as ``codewalk find`` searches), ``repos`` first (the one on screen, the tour's):
        what each finds for ``text``, the best matches first whatever their repository;
        and the pins not searched (their source is not in the cache)."""

        def run(stack: Repos) -> Searched:
            with stack.fetching_only(()):  # nor does what the resolver follows from them
                ready = stack.synced()
                searched = [*(r for r in repos if r in ready), *(r for r in ready if r not in repos)]
                found = best_first([search_symbols(stack.workspace(r), text, limit) for r in searched], text)
                self._learn(stack, [target.repo for target in found[:limit]])
            not_cached = tuple(repo for repo in stack.pinned() if repo not in ready)
            return Searched(found[:limit], not_cached)

        return self.call(run)

    def warm_up(self) -> None:
        """Load the call analysis (libcst with it) and jedi on the jedi thread, out of the
        reader's way: the first body whose bindings are in doubt (``g`` at a call site,
        ``c``, ``x``) would wait for libcst's import, the first jedi fallback for jedi's."""
        self._jedi.submit(_warm_up)

    def shutdown(self) -> None:
        """Stop waiting for everything under way: every wait fails at once."""
        for lane in (self._nav, self._jedi, self._fetches):
            lane.close()


@dataclass(frozen=True, slots=True)
class Searched:
    """What the palette found, and the pins it could not search (not in the cache: a
    keystroke fetches nothing)."""

    targets: Sequence[Target]
    not_cached: tuple[str, ...]


def best_first(lists: Iterable[Sequence[Target]], text: str) -> list[Target]:
    """Each repository's hits for ``text`` (each list ranked by its repository) as one list:
    the better match of the name first (an exact one, a prefix, ...: ``match_rank``),
    whatever its repository, then the one held by the owner typed (``owner_rank``: the
    class ``Layer`` of ``Layer.__call__``, then a module ``layer``), then a definition
    before what only stands in for one (``stand_in``: transformers' ``hf_hub_download =
    None`` after huggingface_hub's function), then the shorter name; the repositories
    interleaved among equal matches."""
    owner, _, last = text.strip().rpartition(".")
    needle = needle_of(last)

    def named(qualname: str) -> tuple[int, int, int]:
        match, length = match_rank(qualname.rpartition(".")[2], needle)
        return match, owner_rank(qualname, owner), length

    def rank(target: Target) -> tuple[int, int, bool, int, int]:
        # a function defined in another comes right after it, where the text names that one better
        own = (*named(target.qualname), 0)
        host, _ = nested_name(target.qualname)
        match, held, length, nested = min(own, (*named(host), 1)) if host else own
        return match, held, stand_in(target), length, nested

    return sorted(interleave(lists), key=rank)


def stand_in(target: Target) -> bool:
    """Whether ``target`` only stands in for a definition: a name's fallback for when its
    import fails, which the definition in another pin is what runs; an ``@overload``
    signature, of the function Python binds."""
    return FALLBACK_VIA in target.via or OVERLOAD_VIA in target.via


def interleave(lists: Iterable[Sequence[Target]]) -> list[Target]:
    """The first of each list, then the second of each, ...; each place once."""
    columns = [list(items) for items in lists]
    seen: set[tuple[str, str, int]] = set()
    out: list[Target] = []
    for row in range(max((len(c) for c in columns), default=0)):
        for column in columns:
            if row < len(column):
                target = column[row]
                key = (target.repo, target.path, target.line)
                if key not in seen:
                    seen.add(key)
                    out.append(target)
    return out


def search_symbols(navigator: Navigator, text: str, limit: int) -> list[Target]:
    """Symbols matching ``text``, for the palette: the names of the index as the reader
    types; while the index is partial, first what the resolver finds for the text (it
    indexes the files a byte scan picks), which costs more than a keystroke should. A
    ``.pyi`` stub's declaration the text names whole is followed by the Rust source that
    implements it, which ``NAME (compiled)`` finds alone, as ``find`` names it."""
    query = text.strip()
    if query.endswith(COMPILED):
        with contextlib.suppress(CodewalkError):
            return list(navigator.find(query, limit=limit, suggest=False).results)
        return []
    found: list[Target] = []
    if query and all(part.isidentifier() for part in query.split(".")) and not navigator.fully_indexed:
        # a text the resolver rejects still gets the fuzzy list below
        with contextlib.suppress(CodewalkError):
            found.extend(navigator.find(query, limit=10, suggest=False).results)  # no did-you-mean
    seen = {(target.path, target.line) for target in found}
    for target in navigator.complete(text, limit):
        if (target.path, target.line) not in seen:
            seen.add((target.path, target.line))
            found.append(target)
    listed: list[Target] = []
    placed: set[tuple[str, int]] = set()  # a stub's Rust, listed after it: not again where found
    for target in found[:limit]:
        if (target.path, target.line) in placed:
            continue
        listed.append(target)
        placed.add((target.path, target.line))
        named = target.qualname == query or target.qualname.endswith(f".{query}")
        rust = compiled_of(navigator, target) if named and len(listed) < COMPILED_ASKED else None
        if rust is not None and (rust.path, rust.line) not in placed:
            placed.add((rust.path, rust.line))
            listed.append(rust)
    return listed[:limit]


COMPILED_ASKED = 5  # the palette's first rows: a stub among them is followed by its Rust


def is_stub(target: Target) -> bool:
    """Whether ``target`` is a class or function a ``.pyi`` stub declares (its code is compiled)."""
    return target.path.endswith(".pyi") and target.kind in ("class", "function", "method")


def compiled_of(navigator: Navigator, stub: Target) -> Target | None:
    """The Rust source that implements ``stub``, a ``.pyi`` declaration, as ``find`` names
    it (``NAME (compiled)``); None when ``stub`` is not one, or its release ships no
    source codewalk reads for it."""
    if not is_stub(stub):
        return None
    try:
        found = navigator.find(f"{stub.qualname}{COMPILED}", suggest=False).results
    except CodewalkError:
        return None
    return next((target for target in found if target.kind == "native"), None)


class Activity:
    """What the session's slow work is doing, said in words (a fetch that waits on a
    package index): said from any thread, heard by the screen that listens."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listener: Say | None = None

    def listen(self, listener: Say | None) -> None:
        """``listener`` hears what is said from now on (None: nobody does)."""
        with self._lock:
            self._listener = listener

    def say(self, text: str) -> None:
        with self._lock:
            listener = self._listener
        if listener is not None:
            listener(text)


@dataclass(frozen=True)
class TourSession:
    tour: Tour
    open_repos: Callable[[], Repos]  # called once, on the nav thread
    resolver: StepResolver  # repos -> (step index -> ResolvedStep), on the nav thread
    describe: Callable[[Any], RepoInfo]  # a repository's navigator -> RepoInfo, on the nav thread
    repo: str  # the tour's repository (steps in another are marked)
    versions: OtherVersions | None = None
    progress: ProgressStore | None = None
    notes: tuple[str, ...] = ()  # how the versions read were chosen (REPO@installed), to show once
    activity: Activity = field(default_factory=Activity)  # what slow work is doing, for the screen
    check: TourCheck | None = None  # a recorded tour, checked once written
    executed: Callable[[str, str], frozenset[int] | None] | None = None  # a trace's lines that ran
    # a trace's: per call of a function (its CallList's rows), what ran there (nav thread)
    ran_at_calls: Callable[[CallList], Sequence[Sequence[RanThere]]] | None = None
    # a trace's: of the definitions a call at a line may reach (``g`` lists them), which ran there
    ran_targets: RanTargets | None = None
    # a trace's: in a program's own file (path, its text, a line, whether a line in no
    # function lists the module's statements), the calls there a row per line, what ran at each
    own_calls: Callable[[str, str, int, bool], OwnCalls | None] | None = None
    trace: str | None = None  # the name of the trace read as this tour, if one is
    tours_dirs: tuple[str, ...] = ()  # --tours-dir: where R in a trace finds and writes a tour
    depths: tuple[int, ...] = ()  # a trace's: each step's depth in its call tree
    judge_step: RanSaid | None = None  # a tour walked against a trace: each step's verdict
    # repositories no workspace reads, known from the start: a trace's program files
    known: tuple[RepoInfo, ...] = ()
    nav: NavThread = field(init=False)
    _resolve: list[Callable[[int], ResolvedStep]] = field(init=False, default_factory=list)
    verdicts: dict[int, StepVerdict] = field(init=False, default_factory=dict)  # step -> what judge_step said

    def __post_init__(self) -> None:
        object.__setattr__(self, "nav", NavThread(self.open_repos, self.describe))
        self.nav.known.update((info.repo, info) for info in self.known)

    def resolve(self, index: int) -> ResolvedStep:
        """Resolve step ``index`` (0-based) on the nav thread; slow, call from a worker."""

        def run(repos: Repos) -> ResolvedStep:
            if not self._resolve:
                self._resolve.append(self.resolver(repos))
            resolved = self._resolve[0](index)
            self.nav.learn(repos, [resolved.repo] if resolved.target is not None else [])
            said = self.judge_step(resolved) if self.judge_step is not None else None
            if said is not None:  # before the step is on screen: shown with it
                self.verdicts[index] = said
            return resolved

        return self.nav.call(run)

    def ran(self, repo: str, path: str) -> frozenset[int] | None:
        """The lines of a file that executed in the trace read (None: no trace, or one
        that did not run ``repo``)."""
        return self.executed(repo, path) if self.executed is not None else None

    def check_tour(self, tour: Tour) -> Sequence[CheckFinding]:
        """What ``check`` says of ``tour`` at the repositories read (call from a worker):
        each broken step and each note warning, with the step it is about."""
        check = self.check
        if check is None:
            raise CodewalkError("this session cannot check a tour")
        return self.nav.call(lambda repos: check(repos, tour))

    def info(self, repo: str) -> RepoInfo | None:
        """What the nav thread has learnt of ``repo`` (None: not yet; any thread)."""
        return self.nav.known.get(repo)

    def compare_step(self, resolved: ResolvedStep, other: str, say: Say) -> StepDiff:
        """The step's symbol at ``other`` (REPO@VERSION) against the one on screen: the
        version fetched here (call from a worker), then compared on the nav thread."""
        versions = self.versions
        if versions is None:
            raise CodewalkError("this session cannot read other versions")
        self.nav.fetch(lambda: versions.fetch(other, resolved.repo, say))
        return self.nav.call(lambda repos: versions.compare(repos, resolved, other, say))


@dataclass(frozen=True, slots=True)
class TourEntry:
    id: str
    title: str
    steps: int


class Catalogue:
    """The tours the ``t`` screen lists, and how to open one (slow: sync + index)."""

    def __init__(
        self, entries: Callable[[], Sequence[TourEntry]], open_tour: Callable[[str], TourSession]
    ) -> None:
        self.entries = entries
        self.open_tour = open_tour


def web_permalink(url: str, ref: str) -> Permalink:
    """Permalinks to a pin's lines at ``ref`` on the web host of its ``url``, as the exports
    make them; ``None`` where there is none (a local URL, no ref)."""
    from codewalk.render.export import permalink, web_base

    base = web_base(url) if ref else None
    return lambda path, start, end: permalink(base, ref, path, start, end) if base else None


def _warm_up() -> None:
    from codewalk.calls.extract import call_facts
    from codewalk.workspace.navigation import warm_up as warm_jedi

    in_doubt = "def f(x):\n    class C:\n        g = 1\n    return g(x)\n"  # a class body: libcst binds it
    call_facts(in_doubt, 1, method=False)
    warm_jedi()
