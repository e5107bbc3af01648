"""Small synthetic packages in two repositories (``pkg``, and ``ext`` which ``pkg``
calls into), an older version of ``pkg``, and fake navigators over them, for UI tests
that need no index."""

from __future__ import annotations

import builtins
import contextlib
import re
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path

from codewalk.calls.callers import Caller
from codewalk.errors import PinError, SourceError
from codewalk.index.records import Reference
from codewalk.resolve.model import FindResult, Resolved
from codewalk.source.versions import in_range
from codewalk.tours.focus import focus_lines
from codewalk.tours.model import ResolvedLink, ResolvedStep, Step, Tour
from codewalk.tours.notes import Link
from codewalk.ui.session import CheckFinding, RepoInfo, TourSession
from codewalk.ui.versions import DiffSide, StepDiff, older_first
from codewalk.workspace.calling import CallersAnswer, CallList, CallRow, GotoAnswer
from codewalk.workspace.compare import Located, hunks

FILES: dict[str, str] = {
    "pkg/base.py": '''"""Base classes."""


class Mixin:
    """Adds greet."""

    def greet(self, name):
        return f"hello {name}"


class Model(Mixin):
    def __init__(self, size):
        self.size = size
        self.layers = [Layer(i) for i in range(size)]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class Layer:
    def __init__(self, index):
        self.index = index

    def __call__(self, x):
        return x + self.index
''',
    "pkg/use.py": '''from pkg.base import Model, Mixin


class Big(Model):
    """A bigger model."""


def build():
    model = Big(3)
    return model.greet("you")


GREETING = "a line long enough to need a sideways scroll in a narrow terminal, even at 80 columns"
''',
}


# pkg/train.py reaches into the other repository: ``Engine`` is ext's
FILES["pkg/train.py"] = """from ext.engine import Engine


def train(model):
    engine = Engine()
    return engine.backward(model)
"""

EXT_FILES: dict[str, str] = {
    "ext/engine.py": '''"""The engine of the other repository."""


class Engine:
    def backward(self, loss):
        scaled = loss / 2
        return scaled

    def step(self):
        return None
''',
}

# pkg at 0.9: Model.forward was shorter; ``build`` was called ``make``
OLD_FILES: dict[str, str] = {
    "pkg/base.py": FILES["pkg/base.py"].replace(
        """        for layer in self.layers:
            x = layer(x)
        return x""",
        """        return self.layers[0](x)""",
    ),
    "pkg/use.py": FILES["pkg/use.py"].replace("def build():", "def make():"),
}

REPOS: dict[str, tuple[str, dict[str, str]]] = {"pkg": ("1.0", FILES), "ext": ("2.0", EXT_FILES)}
VERSIONS: dict[str, tuple[str, dict[str, str]]] = {"pkg@0.9": ("0.9", OLD_FILES)}

_DEF = re.compile(r"^(\s*)(class|def) (\w+)")


def _definitions(files: dict[str, str], repo: str, version: str) -> list[Resolved]:
    found: list[Resolved] = []
    for path, text in files.items():
        lines = text.splitlines()
        for number, line in enumerate(lines, start=1):
            match = _DEF.match(line)
            if not match:
                continue
            indent = len(match.group(1))
            end = number
            for later in range(number, len(lines)):
                body = lines[later]
                if body.strip() and len(body) - len(body.lstrip()) <= indent:
                    break
                if body.strip():
                    end = later + 1
            module = path[:-3].replace("/", ".")
            kind = "class" if match.group(2) == "class" else "function"
            qualname = f"{module}.{match.group(3)}"
            found.append(
                Resolved(repo, qualname, kind, path, number, number, end, "direct", "", version=version)
            )
    return found


class FakeNavigator:
    """One repository's navigator; a name it does not define is looked up in the
    stack's other repositories (as an import would reach them)."""

    fully_indexed = False

    def __init__(self, repo: str = "pkg") -> None:
        self.repo = repo
        self.version, self.files = REPOS[repo]
        self.defs = _definitions(self.files, repo, self.version)
        self.stack: FakeStack | None = None
        self.calls: list[str] = []

    def own(self, name: str) -> Resolved | None:
        for target in self.defs:
            if target.qualname.rsplit(".", 1)[-1] == name:
                return target
        return None

    def _by_name(self, name: str) -> Resolved | None:
        found = self.own(name)
        if found is None and self.stack is not None:
            for repo in REPOS:
                if repo != self.repo and found is None and self.stack.opens(repo):
                    found = self.stack.inner(repo).own(name)
        return found

    def goto(self, path: str, line: int, col: int) -> Resolved | None:
        self.calls.append(f"goto {path}:{line}:{col}")
        text = self.files[path].splitlines()[line - 1]
        for match in re.finditer(r"\w+", text):
            if match.start() <= col < match.end():
                return self._by_name(match.group())
        return None

    def goto_all(self, path: str, line: int, col: int, *, fallback: bool = True) -> GotoAnswer:
        """As ``goto``; at ``layer(x)`` (an instance called), the class and its ``__call__``;
        what the "index" does not know, the fake jedi may (unless ``fallback`` is False)."""
        text = self.files[path].splitlines()[line - 1]
        if re.search(r"\blayer\(", text) and text.index("layer(") <= col < text.index("layer(") + 5:
            cls = self._by_name("Layer")
            call = next(t for t in self.defs if t.qualname.endswith("__call__"))
            assert cls is not None
            return GotoAnswer((cls, call._replace(via="calling a Layer runs its __call__")))
        target = self.goto(path, line, col)
        if target is None and fallback:
            return self.from_jedi(self.jedi_query(path, line, col)())
        return GotoAnswer((target,) if target else ())

    # The fake jedi knows the local ``model`` of ``build`` (pkg/use.py line 9); it answers
    # once ``jedi_gate`` is set (a test holds it to see what the reader sees meanwhile).
    jedi_gate: threading.Event | None = None

    def jedi_query(self, path: str, line: int, col: int) -> Callable[[], Resolved | None]:
        text = self.files[path].splitlines()[line - 1]
        word = next((m.group() for m in re.finditer(r"\w+", text) if m.start() <= col < m.end()), "")
        gate = self.jedi_gate

        def ask() -> Resolved | None:
            if gate is not None:
                gate.wait(30)
            if word != "model" or path != "pkg/use.py":
                return None
            where = (path, 9, 9, 9)
            return Resolved(self.repo, "pkg.use.build.model", "variable", *where, "jedi", "model = Big(3)")

        return ask

    def from_jedi(self, target: Resolved | None) -> GotoAnswer:
        return GotoAnswer((target,) if target is not None else ())

    def references(self, qualname: str) -> Sequence[Reference]:
        name = qualname.rsplit(".", 1)[-1]
        refs = []
        for path, text in self.files.items():
            for number, line in enumerate(text.splitlines(), start=1):
                for match in re.finditer(rf"\b{name}\b", line):
                    refs.append(Reference(path, number, match.start(), line))
        return refs

    def complete(self, text: str, limit: int) -> Sequence[Resolved]:
        return [t for t in self.defs if text.lower() in t.qualname.lower()][:limit]

    def find(self, query: str, *, limit: int | None = None, suggest: bool = True) -> FindResult:
        target = self._by_name(query.rsplit(".", 1)[-1])
        return FindResult(query, (target,) if target else (), ())

    def source_text(self, path: str) -> str:
        return self.files[path]

    def calls_at(self, path: str, line: int) -> CallList | None:
        """The calls of the definition around ``path:line``: each ``name(`` in its lines."""
        self.calls.append(f"calls_at {path}:{line}")
        around = [t for t in self.defs if t.path == path and t.start_line <= line <= t.end_line]
        if not around:
            return None
        function = max(around, key=lambda t: t.start_line)
        lines = self.files[path].splitlines()
        rows = []
        for number in range(function.start_line + 1, function.end_line + 1):
            for match in re.finditer(r"(\w+)\(", lines[number - 1]):
                target = self._by_name(match.group(1))
                status = "resolved" if target else "unresolved"
                how = "direct" if target else f"{match.group(1)}: not found"
                targets = (target,) if target else ()
                row = CallRow(
                    number,
                    match.start(),
                    "call",
                    match.group(1),
                    lines[number - 1].strip(),
                    status,
                    how,
                    targets,
                    "",
                    match.group(1) in dir(builtins),  # a builtin: left out of the list
                )
                rows.append(row)
        return CallList(function, tuple(rows))

    def callers_at(self, path: str, line: int, col: int) -> CallersAnswer | None:
        """On a ``def``/``class`` name: the lines that call it (``name(``), else None."""
        self.calls.append(f"callers_at {path}:{line}:{col}")
        match = _DEF.match(self.files[path].splitlines()[line - 1])
        if match is None or not match.start(3) <= col < match.end(3):
            return None
        target = self._by_name(match.group(3))
        assert target is not None
        found = []
        for where, text in self.files.items():
            for number, text_line in enumerate(text.splitlines(), start=1):
                if _DEF.match(text_line):
                    continue
                for call in re.finditer(rf"\b{match.group(3)}\(", text_line):
                    found.append(
                        Caller(
                            "call", self.repo, where, number, call.start(), text_line.strip(), None, "direct"
                        )
                    )
        return CallersAnswer(target, tuple(found), True)


def make_tour() -> Tour:
    def step(index: int, at: str, title: str, note: str, focus: str | None = None) -> Step:
        return Step(index, at, None, (focus,) if focus else (), title, None, note, index * 3)

    return Tour(
        id="fake-tour",
        title="A fake tour",
        summary="A walk through a **tiny** package.",
        repo="pkg",
        steps=(
            step(1, "Model", "The model", "The model keeps its `layers` in a list."),
            step(2, "Model.__init__", "Building layers", "One `Layer` per index.", "self.layers"),
            step(3, "Nowhere", "A missing step", "This step points at nothing."),
            step(4, "build", "Using it", "`greet` comes from `Mixin`."),
        ),
        path=Path("fake-tour.yaml"),
    )


class FakeStack:
    """The fakes' repositories, each navigator made on first use (``pkg``'s by
    ``navigator``: a test may hand in a wrapper of its own); those not ``cached`` (all by
    default) would be fetched to be opened."""

    def __init__(
        self, navigator: Callable[[], object] = FakeNavigator, cached: Sequence[str] = tuple(REPOS)
    ) -> None:
        self._make = navigator
        self.cached = cached
        self.navigators: dict[str, object] = {}
        self.fetchable: set[str] | None = None  # while a question limits fetching

    def synced(self) -> list[str]:
        return [*self.navigators, *(repo for repo in self.cached if repo not in self.navigators)]

    def pinned(self) -> list[str]:
        return list(REPOS)

    @contextlib.contextmanager
    def fetching_only(self, repos: Collection[str]) -> Iterator[None]:
        before, self.fetchable = self.fetchable, {*repos, *self.synced()}
        try:
            yield
        finally:
            self.fetchable = before

    def opens(self, repo: str) -> bool:
        """Whether a question may open ``repo`` now (as the real stack's ``facts``)."""
        return self.fetchable is None or repo in self.fetchable

    def workspace(self, repo: str | None = None) -> FakeNavigator:
        name = repo or "pkg"
        if name not in self.navigators:
            if name not in REPOS:
                raise PinError(f"unknown repo {name!r}: the pins are {', '.join(sorted(REPOS))}")
            made = self._make() if name == "pkg" else FakeNavigator(name)
            self.navigators[name] = made
            getattr(made, "inner", made).stack = self
        return self.navigators[name]  # type: ignore[return-value]

    def inner(self, repo: str) -> FakeNavigator:
        made = self.workspace(repo)
        return getattr(made, "inner", made)  # type: ignore[no-any-return]


def describe(navigator: FakeNavigator) -> RepoInfo:
    repo = navigator.repo
    return RepoInfo(
        repo=repo,
        version=navigator.version,
        read=REPOS[repo][1].__getitem__,
        root=Path("/nonexistent") / repo,
        permalink=lambda path, start, end: f"https://example.org/{repo}/{path}#L{start}-L{end}",
        pinned=navigator.version,
        package_root="",
    )


def fake_resolver(repos: FakeStack, tour: Tour) -> Callable[[int], ResolvedStep]:
    def resolve(index: int) -> ResolvedStep:
        step = tour.steps[index]
        repo = tour.step_repo(step) or "pkg"
        navigator = repos.inner(repo)
        version = navigator.version
        if step.versions is not None and not in_range(version, step.versions):
            why = f"not read at {repo}@{version}: this step is for {repo} {step.versions}"
            return ResolvedStep(step, "skipped", None, None, (), (), why, repo, version)
        assert step.at is not None
        target = navigator.own(step.at.rsplit(".", 1)[-1])
        if target is None:
            error = f"{step.at!r} names nothing in {repo} {version}"
            return ResolvedStep(step, "missing", None, None, (), ("Model", "Mixin"), error, repo, version)
        text = navigator.files[target.path]
        if any(focus_lines(text, (target.start_line, target.end_line), f) is None for f in step.focus):
            error = f"focus {step.focus[0]!r} does not occur in {target.qualname}"  # as the tours' own
            return ResolvedStep(step, "missing", target, None, (target,), (), error, repo, version)
        regions = tuple(_line_of(navigator.files, target, focus) for focus in step.focus)
        links = tuple(_link(repos, navigator, target, link) for link in step.links)
        found = (target,)
        return ResolvedStep(step, "resolved", target, None, found, (), None, repo, version, regions, links)

    return resolve


def _line_of(files: dict[str, str], target: Resolved, text: str) -> tuple[int, int]:
    """The statement of ``target`` where the focus ``text`` (or ``/regex/``) is, by the
    tours' own rule."""
    found = focus_lines(files[target.path], (target.start_line, target.end_line), text)
    assert found is not None, f"{text!r} is not in {target.qualname}"
    return found


def _link(repos: FakeStack, navigator: FakeNavigator, home: Resolved, link: Link) -> ResolvedLink:
    """A note's link among the fakes: a query by its last name (in any repository), a
    focus as the first line holding its text."""
    target = navigator._by_name(link.query.rsplit(".", 1)[-1]) if link.query else home
    if target is None:
        error = f"{link.query!r} names nothing"
        return ResolvedLink(link, None, None, navigator.repo, navigator.version, error)
    files = repos.inner(target.repo).files
    lines = _line_of(files, target, link.focus) if link.focus else (target.start_line, target.end_line)
    return ResolvedLink(link, target, lines, target.repo, target.version)


def make_stack_tour() -> Tour:
    """A tour over both repositories: pkg, then ext, then pkg again; its last step is
    only for pkg 2 and later (skipped at 1.0)."""

    def step(index: int, at: str, title: str, repo: str | None = None, versions: str | None = None) -> Step:
        return Step(index, at, None, (), title, repo, f"Step {index}.", index * 3, versions)

    return Tour(
        id="stack-tour",
        title="Across two repositories",
        summary="From pkg into ext and back.",
        repo="pkg",
        steps=(
            step(1, "train", "Training calls the engine"),
            step(2, "Engine.backward", "The engine's backward", repo="ext"),
            step(3, "Engine.step", "The engine's step", repo="ext"),
            step(4, "Model.forward", "Back in pkg: forward"),
            step(5, "Model.fuse", "Fused layers (pkg 2)", versions=">=2"),
        ),
        path=Path("stack-tour.yaml"),
        versions=("0.9",),
    )


def _code(files: dict[str, str], target: Resolved) -> str:
    return "\n".join(files[target.path].split("\n")[target.start_line - 1 : target.end_line])


class FakeVersions:
    """Other versions of the fakes (only ``pkg@0.9`` exists), compared with the real
    ``workspace.compare.hunks``; ``gate``, when given, holds the fetch until it is set."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate
        self.fetched: list[str] = []

    def fetch(self, spec: str, repo: str, say: Callable[[str], None]) -> None:
        if spec not in VERSIONS:
            raise SourceError(f"{spec}: no such release on the package index")
        say(f"fetching {spec}: 1.0 MB of 3.0 MB")
        if self.gate is not None:
            assert self.gate.wait(10)
        self.fetched.append(spec)

    def compare(
        self, repos: FakeStack, resolved: ResolvedStep, spec: str, say: Callable[[str], None]
    ) -> StepDiff:
        assert spec in self.fetched
        version, files = VERSIONS[spec]
        target = resolved.target
        assert target is not None
        here = repos.inner(resolved.repo)
        mine = Located(target, "the step", _code(here.files, target))
        same = [d for d in _definitions(files, resolved.repo, version) if d.qualname == target.qualname]
        theirs = (
            Located(same[0], "by the same qualified name", _code(files, same[0]))
            if same
            else Located(None, f"{resolved.step.at!r} names nothing here", "", ("make",))
        )
        before, after = older_first(
            DiffSide(f"{resolved.repo}@{here.version}", mine.target, mine.how, mine.code, on_screen=True),
            DiffSide(spec, theirs.target, theirs.how, theirs.code),
        )
        pair = (mine, theirs) if before.on_screen else (theirs, mine)
        changes = tuple(hunks(*pair)) if theirs.target is not None else ()
        name = ".".join(target.qualname.split(".")[-2:])
        return StepDiff(name, before, after, changes, theirs.suggestions)


def fake_check(repos: FakeStack, tour: Tour) -> list[CheckFinding]:
    """What the fakes' ``check`` says: each step that does not resolve, as the fake
    resolver has it (the last name of ``at`` in its repository); a warning for each note
    that says ``WARN``."""
    resolve = fake_resolver(repos, tour)
    found: list[CheckFinding] = []
    for index, step in enumerate(tour.steps):
        resolved = resolve(index)
        found += [
            CheckFinding(index, f"step {index + 1} ({step.anchor}): {problem}", broken=True)
            for problem in resolved.problems
        ]
    found += [
        CheckFinding(index, f"step {index + 1}: the note says WARN", broken=False)
        for index, step in enumerate(tour.steps)
        if "WARN" in step.note
    ]
    return found


def make_session(
    progress: object = None,
    navigator: Callable[[], object] = FakeNavigator,
    tour: Tour | None = None,
    versions: FakeVersions | None = None,
    repos: FakeStack | None = None,
) -> TourSession:
    """A session over the fakes (``repos``: a stack the test looks into, else a new one)."""
    chosen = tour or make_tour()
    return TourSession(
        tour=chosen,
        open_repos=lambda: repos or FakeStack(navigator),  # type: ignore[arg-type,return-value]
        resolver=lambda repos: fake_resolver(repos, chosen),
        describe=describe,
        repo="pkg",
        versions=versions or FakeVersions(),
        progress=progress,  # type: ignore[arg-type]
        check=fake_check,  # type: ignore[arg-type]
    )


def run_async(function):  # type: ignore[no-untyped-def]
    """Run an ``async def`` test without an async pytest plugin."""
    import asyncio
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        return asyncio.run(function(*args, **kwargs))

    return wrapper


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until no worker is pending or running (workers may start more workers)."""
    from textual.worker import WorkerState

    app = pilot.app
    for _ in range(200):
        await pilot.pause()
        busy = [w for w in app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if not busy:
            await pilot.pause()
            return
        await app.workers.wait_for_complete()
    raise AssertionError("workers never settled")


def still_cursors(app: object) -> None:
    """Every text field's cursor drawn, and kept so: Textual blinks it on a wall-clock timer
    (half a second), so a screenshot taken under load caught it shown or hidden. The app
    still blinks it for a reader; only the picture is made of one moment."""
    from textual.app import App
    from textual.widgets import Input

    assert isinstance(app, App)
    for screen in app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False  # pauses the timer, the cursor drawn


_UNBROKEN = re.compile(r"(?<=[./_])\n|(?<=[a-z0-9])\n(?=[A-Z])")


def said(app: object) -> list[str]:
    """The app's notifications as codewalk wrote them: without the line breaks a name or a
    path too wide for a line of its toast gets after a dot, a slash or an underscore, or
    before a capital (``ui.hanging.broken_at_dots``)."""
    return [_UNBROKEN.sub("", str(n.message)) for n in app._notifications]  # type: ignore[attr-defined]
