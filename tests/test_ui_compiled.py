"""Pilot tests: the Rust source behind a ``.pyi`` stub, reached in the UI as ``find`` and
``show`` reach it: listed after the stub in the palette (``NAME (compiled)`` typed finds
it), named when ``g`` lands on the stub, and opened by ``g`` on the stub's own name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.command import CommandPalette
from textual.widgets import OptionList
from ui_fakes import EXT_FILES, FILES, FakeNavigator, FakeStack, make_session, run_async, settle

from codewalk.errors import QueryError
from codewalk.resolve.model import FindResult, Resolved
from codewalk.ui.app import CodewalkApp, make_app
from codewalk.ui.code_view import CodeView
from codewalk.ui.tour_screen import TourScreen

STUB = "ext/_native.pyi"  # ext's compiled module, as its stub declares it
RUST = "bindings/src/kernel.rs"  # and the PyO3 source that implements it
CALLER = "pkg/launch.py"

RUN = Resolved(
    "ext", "ext._native.Kernel.run", "method", STUB, 2, 2, 2, "direct", "def run(self, x: int) -> int: ..."
)
KERNEL = Resolved("ext", "ext._native.Kernel", "class", STUB, 1, 1, 2, "direct", "class Kernel:")
RUN_RUST = Resolved(
    "ext",
    "ext._native.Kernel.run (compiled)",
    "native",
    RUST,
    3,
    3,
    5,
    "implemented in Rust: fn run",
    "fn run(",
)


class CompiledNavigator(FakeNavigator):
    """ext, with a compiled module: a stub's ``Kernel.run``, and its Rust source, which
    ``find`` names ``NAME (compiled)`` (as the real workspace does)."""

    def __init__(self) -> None:
        super().__init__("ext")
        self.defs = [d for d in self.defs if not d.path.endswith(".pyi")] + [KERNEL, RUN]

    def find(self, query: str, *, limit: int | None = None, suggest: bool = True) -> FindResult:
        name, compiled, _ = query.partition(" (compiled)")
        if compiled:  # the stub's Rust, for the stub the name finds
            stubs = super().find(name, limit=limit, suggest=suggest).results
            return FindResult(query, (RUN_RUST,) if stubs and stubs[0] == RUN else (), ())
        return super().find(query, limit=limit, suggest=suggest)


class CompiledStack(FakeStack):
    def workspace(self, repo: str | None = None) -> FakeNavigator:
        if repo == "ext" and "ext" not in self.navigators:
            self.navigators["ext"] = CompiledNavigator()
            self.navigators["ext"].stack = self  # type: ignore[attr-defined]
        return super().workspace(repo)


@pytest.fixture(autouse=True)
def compiled_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(EXT_FILES, STUB, "class Kernel:\n    def run(self, x: int) -> int: ...\n")
    rust = "#[pymethods]\nimpl Kernel {\n    fn run(&self, x: i64) -> i64 {\n        x * 2\n    }\n}\n"
    monkeypatch.setitem(EXT_FILES, RUST, rust)
    monkeypatch.setitem(
        FILES, CALLER, "from ext._native import Kernel\n\n\ndef launch():\n    return Kernel().run(1)\n"
    )
    yield


def compiled_app() -> CodewalkApp:
    return make_app(make_session(repos=CompiledStack()))


def where(app: CodewalkApp) -> tuple[str, str, int]:
    screen = app.screen
    assert isinstance(screen, TourScreen) and screen.location is not None
    code = screen.query_one(CodeView)
    assert code.source is not None
    return screen.location.repo, code.source.path, code.cursor[0]


def palette_rows(app: CodewalkApp) -> list[str]:
    assert isinstance(app.screen, CommandPalette)
    return [str(option.prompt).split("\n")[0] for option in app.screen.query_one(OptionList).options]


@run_async
async def test_the_palette_lists_a_stubs_rust_after_it_and_finds_it_by_the_name_find_gives_it() -> None:
    app = compiled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Kernel.run")
        await settle(pilot)
        assert palette_rows(app)[:2] == ["ext._native.Kernel.run", "ext._native.Kernel.run (compiled)"]
        await pilot.press(*" (compiled)")  # the name as find, show and the row above say it
        await settle(pilot)
        assert palette_rows(app) == ["ext._native.Kernel.run (compiled)"]
        await pilot.press("enter")
        await settle(pilot)
        assert where(app) == ("ext", RUST, 3)


@run_async
async def test_g_on_a_call_of_a_stub_names_its_rust_and_g_on_the_stubs_name_opens_it() -> None:
    app = compiled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"launch", "enter")
        await settle(pilot)
        code = app.screen.query_one(CodeView)
        await pilot.press("down")  # return Kernel().run(1)
        for _ in range(8):
            word = code.word_under_cursor()
            if word is not None and word[0] == "run":
                break
            await pilot.press("ctrl+right")
        await pilot.press("g")
        await settle(pilot)
        assert where(app) == ("ext", STUB, 2)
        said = str(list(app._notifications)[-1].message)
        assert said == f"its Rust source is {RUST}:3 (g on its name goes there)"
        assert code.word_under_cursor() == ("run", 8)
        await pilot.press("g")
        await settle(pilot)
        assert where(app) == ("ext", RUST, 3)
        await pilot.press("b")  # and back to the stub
        await settle(pilot)
        assert where(app) == ("ext", STUB, 2)


class Refusing(CompiledNavigator):
    """ext, whose resolver refuses every query (as it refuses a name Python would not
    read: ``Kernel..run``)."""

    def find(self, query: str, *, limit: int | None = None, suggest: bool = True) -> FindResult:
        raise QueryError(f"{query!r} is not a dotted name")


def test_a_name_the_resolver_refuses_is_no_rust_and_no_row() -> None:
    from codewalk.ui.session import compiled_of, search_symbols

    navigator = Refusing()
    assert compiled_of(navigator, RUN) is None
    assert search_symbols(navigator, "Kernel..run (compiled)", 10) == []
    assert search_symbols(navigator, "Kernel.run", 10) == [RUN]  # the stub, from the names alone
    assert compiled_of(CompiledNavigator(), KERNEL) is None  # a stub the release has no Rust for
    python = next(d for d in navigator.defs if d.path == "ext/engine.py")
    assert compiled_of(CompiledNavigator(), python) is None  # Python: no stub


RUN_FAST = Resolved(
    "ext", "ext._native.Kernel.run_fast", "method", STUB, 3, 3, 3, "direct", "def run_fast(self) -> int: ..."
)


class FindingAll(CompiledNavigator):
    """ext, whose ``find`` of a stub's name answers as the real one does while the index
    is partial: the stub, another name it starts, then the stub's Rust, related
    (``tokenizers.Tokenizer.encode_batch``, ``encode_batch_fast``, ``encode_batch (compiled)``)."""

    def find(self, query: str, *, limit: int | None = None, suggest: bool = True) -> FindResult:
        if query == "ext._native.Kernel.run":
            return FindResult(query, (RUN, RUN_FAST, RUN_RUST._replace(role="related")), ())
        return super().find(query, limit=limit, suggest=suggest)


def test_a_stubs_rust_the_search_found_further_down_is_listed_right_after_the_stub() -> None:
    """``ctrl+p`` ``tokenizers.Tokenizer.encode_batch`` listed the stub, then
    ``encode_batch_fast``, then the Rust: the Rust was already among the rows found, so it
    was not put after the stub. It is moved there, listed once."""
    from codewalk.ui.session import search_symbols

    listed = search_symbols(FindingAll(), "ext._native.Kernel.run", 10)
    assert [t.qualname for t in listed][:3] == [
        "ext._native.Kernel.run",
        "ext._native.Kernel.run (compiled)",
        "ext._native.Kernel.run_fast",
    ]
    assert len({(t.path, t.line) for t in listed}) == len(listed)
