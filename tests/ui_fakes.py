"""A small synthetic package and a fake navigator, for UI tests that need no index."""

from __future__ import annotations

import builtins
import re
from collections.abc import Sequence
from pathlib import Path

from codewalk.calls.callers import Caller
from codewalk.index.records import Reference
from codewalk.resolve.model import FindResult, Resolved
from codewalk.tours.model import ResolvedStep, Step, Tour
from codewalk.ui.session import TourSession
from codewalk.workspace.calling import CallersAnswer, CallList, CallRow, GotoAnswer

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


_DEF = re.compile(r"^(\s*)(class|def) (\w+)")


def _definitions() -> list[Resolved]:
    found: list[Resolved] = []
    for path, text in FILES.items():
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
            found.append(
                Resolved("pkg", f"{module}.{match.group(3)}", kind, path, number, number, end, "direct", "")
            )
    return found


class FakeNavigator:
    fully_indexed = False

    def __init__(self) -> None:
        self.defs = _definitions()
        self.calls: list[str] = []

    def _by_name(self, name: str) -> Resolved | None:
        for target in self.defs:
            if target.qualname.rsplit(".", 1)[-1] == name:
                return target
        return None

    def goto(self, path: str, line: int, col: int) -> Resolved | None:
        self.calls.append(f"goto {path}:{line}:{col}")
        text = FILES[path].splitlines()[line - 1]
        for match in re.finditer(r"\w+", text):
            if match.start() <= col < match.end():
                return self._by_name(match.group())
        return None

    def goto_all(self, path: str, line: int, col: int) -> GotoAnswer:
        """As ``goto``; at ``layer(x)`` (an instance called), the class and its ``__call__``."""
        text = FILES[path].splitlines()[line - 1]
        if re.search(r"\blayer\(", text) and text.index("layer(") <= col < text.index("layer(") + 5:
            cls = self._by_name("Layer")
            call = next(t for t in self.defs if t.qualname.endswith("__call__"))
            assert cls is not None
            return GotoAnswer((cls, call._replace(via="calling a Layer runs its __call__")))
        target = self.goto(path, line, col)
        return GotoAnswer((target,) if target else ())

    def references(self, qualname: str) -> Sequence[Reference]:
        name = qualname.rsplit(".", 1)[-1]
        refs = []
        for path, text in FILES.items():
            for number, line in enumerate(text.splitlines(), start=1):
                for match in re.finditer(rf"\b{name}\b", line):
                    refs.append(Reference(path, number, match.start(), line))
        return refs

    def complete(self, text: str, limit: int) -> Sequence[Resolved]:
        return [t for t in self.defs if text.lower() in t.qualname.lower()][:limit]

    def find(self, query: str, *, limit: int | None = None) -> FindResult:
        target = self._by_name(query.rsplit(".", 1)[-1])
        return FindResult(query, (target,) if target else (), ())

    def source_text(self, path: str) -> str:
        return FILES[path]

    def calls_at(self, path: str, line: int) -> CallList | None:
        """The calls of the definition around ``path:line``: each ``name(`` in its lines."""
        self.calls.append(f"calls_at {path}:{line}")
        around = [t for t in self.defs if t.path == path and t.start_line <= line <= t.end_line]
        if not around:
            return None
        function = max(around, key=lambda t: t.start_line)
        lines = FILES[path].splitlines()
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
        match = _DEF.match(FILES[path].splitlines()[line - 1])
        if match is None or not match.start(3) <= col < match.end(3):
            return None
        target = self._by_name(match.group(3))
        assert target is not None
        found = []
        for where, text in FILES.items():
            for number, text_line in enumerate(text.splitlines(), start=1):
                if _DEF.match(text_line):
                    continue
                for call in re.finditer(rf"\b{match.group(3)}\(", text_line):
                    found.append(
                        Caller("call", "pkg", where, number, call.start(), text_line.strip(), None, "direct")
                    )
        return CallersAnswer(target, tuple(found), True)


def make_tour() -> Tour:
    def step(index: int, at: str, title: str, note: str, focus: str | None = None) -> Step:
        return Step(index, at, None, focus, title, None, note, index * 3)

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


def fake_resolver(navigator: FakeNavigator, tour: Tour):  # type: ignore[no-untyped-def]
    def resolve(index: int) -> ResolvedStep:
        step = tour.steps[index]
        assert step.at is not None
        name = step.at.rsplit(".", 1)[-1]
        target = navigator._by_name(name)
        if target is None:
            return ResolvedStep(
                step,
                "missing",
                None,
                None,
                (),
                ("Model", "Mixin"),
                f"{step.at!r} names nothing in pkg 1.0",
                "pkg",
                "1.0",
            )
        focus = None
        if step.focus:
            lines = FILES[target.path].splitlines()
            for number in range(target.start_line, target.end_line + 1):
                if step.focus in lines[number - 1]:
                    focus = (number, number)
                    break
        return ResolvedStep(step, "resolved", target, focus, (target,), (), None, "pkg", "1.0")

    return resolve


def make_session(progress=None, navigator=FakeNavigator) -> TourSession:  # type: ignore[no-untyped-def]
    tour = make_tour()
    return TourSession(
        tour=tour,
        open_navigator=navigator,
        resolver=lambda navigator: fake_resolver(navigator, tour),
        read_source=FILES.__getitem__,
        repo="pkg",
        version="1.0",
        root=Path("/nonexistent"),
        permalink=lambda path, start, end: f"https://example.org/pkg/{path}#L{start}-L{end}",
        progress=progress,
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
