"""Benchmark of the code view: opening a 5,000-line file, switching steps, jumping.

Targets: switching steps / jumping in an open file <= 50 ms; opening a
5,000-line file <= 150 ms; a full session <= 500 MB. Figures are printed with a baseline
measured in the same process: pygments lexing the whole file (what a naive code view
would do before drawing anything).

    .venv/bin/python bench/bench_ui.py [--root CHECKOUT_ROOT]

Without ``--root`` the pinned transformers checkout is opened through codewalk's cache
(synced if missing). Times are "action to rendered": the action, one pilot pause, and
the code view's visible rows built (``render_line`` for every row on screen).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from codewalk.resolve.model import Resolved

REPO = "transformers"
BIG = "src/transformers/generation/utils.py"
OTHERS = (
    "src/transformers/models/llama/modeling_llama.py",
    "src/transformers/modeling_utils.py",
    "src/transformers/trainer.py",
    "src/transformers/loss/loss_utils.py",
)


class FilesNavigator:
    """Serves source text from a checkout; no index (the bench measures the view)."""

    fully_indexed = False

    def __init__(self, root: Path) -> None:
        self.root = root

    def goto(self, path: str, line: int, col: int) -> Resolved | None:
        return None

    def references(self, qualname: str) -> Sequence[Any]:
        return []

    def complete(self, text: str, limit: int) -> Sequence[Resolved]:
        return []

    def find(self, query: str, *, limit: int | None = None) -> Any:
        raise NotImplementedError

    def source_text(self, path: str) -> str:
        return (self.root / path).read_text(encoding="utf-8")


class OneRepo:
    """The stack the session opens: transformers alone, served by ``navigator``."""

    def __init__(self, navigator: FilesNavigator) -> None:
        self.navigator = navigator

    def workspace(self, repo: str | None = None) -> FilesNavigator:
        return self.navigator


def _root(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    from codewalk.source.sync import open_checkout

    return open_checkout("transformers").root


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.1f} ms  max {max(samples) * 1000:7.1f} ms"


def baseline(text: str, runs: int) -> list[float]:
    from pygments.lexers import PythonLexer  # type: ignore[import-untyped]

    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        list(PythonLexer().get_tokens(text))
        samples.append(time.perf_counter() - start)
    return samples


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise SystemExit(f"bench: {needle!r} not found")


async def in_app(root: Path, runs: int) -> dict[str, list[float]]:
    from codewalk.tours.model import Step, Tour
    from codewalk.ui.app import make_app
    from codewalk.ui.code_view import CodeView
    from codewalk.ui.history import Location
    from codewalk.ui.session import RepoInfo, TourSession
    from codewalk.ui.tour_screen import TourScreen

    navigator = FilesNavigator(root)
    text = navigator.source_text(BIG)
    generate = _line_of(text, "    def generate(")
    assisted = _line_of(text, "    def _assisted_decoding(")
    tour = Tour(
        "bench",
        "bench",
        "",
        "transformers",
        (Step(1, None, BIG, (), "t", None, "", 1),),
        Path("bench.yaml"),
    )

    def never(index: int) -> Any:
        raise RuntimeError("the bench does not resolve steps")

    session = TourSession(
        tour,
        open_repos=lambda: OneRepo(navigator),  # type: ignore[arg-type,return-value]
        resolver=lambda repos: never,
        describe=lambda nav: RepoInfo("transformers", "bench", navigator.source_text, root),
        repo="transformers",
    )
    session.nav.info("transformers")  # described before the clock starts: places open at once
    results: dict[str, list[float]] = {}
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, TourScreen)
        code = screen.query_one(CodeView)

        async def timed(name: str, action: Callable[[], None]) -> None:
            start, cpu = time.perf_counter(), time.process_time()
            action()
            await pilot.pause()
            code.render_lines(code.scrollable_content_region.reset_offset)
            results.setdefault(name, []).append(time.perf_counter() - start)
            results.setdefault(f"  cpu: {name}", []).append(time.process_time() - cpu)

        for run in range(runs):
            await timed("nothing (pilot pause + drawing the rows)", lambda: None)
            screen.sources.clear()  # a cold open each run

            def open_deep() -> None:
                screen._open(Location(BIG, assisted, 0, None, (assisted, assisted + 120), repo=REPO))

            await timed("open utils.py at _assisted_decoding (cold)", open_deep)

            def open_top() -> None:
                screen.sources.pop((REPO, BIG), None)
                screen._open(Location(BIG, 1, 0, None, repo=REPO))

            await timed("open utils.py at line 1 (cold)", open_top)

            def jump(run: int = run) -> None:
                screen._open(Location(BIG, generate + run, 0, None, (generate, generate + 300), repo=REPO))

            await timed("jump within the open file", jump)

            def step_switch(run: int = run) -> None:
                path = OTHERS[run % len(OTHERS)] if run % 2 else BIG
                screen._open(Location(path, 40, 0, None, (40, 60), (45, 46), repo=REPO))

            if run == 0:
                for path in OTHERS:  # open once, then switching between open files
                    screen._open(Location(path, 1, 0, None, repo=REPO))
            await timed("switch step between open files", step_switch)

            def scroll_page() -> None:
                code.action_page_down()

            await timed("page down", scroll_page)

        for model_file in root.joinpath("src/transformers/models").glob("*/modeling_*.py"):
            screen._open(Location(str(model_file.relative_to(root)), 1, 0, None, repo=REPO))
            if len(screen.sources) > 200:
                break
        results["files open at the end"] = [float(len(screen.sources))]
    return results


async def settle(pilot: Any) -> None:
    """Wait until no worker is pending or running (workers start more workers)."""
    from textual.worker import WorkerState

    for _ in range(1000):
        await pilot.pause()
        states = (WorkerState.PENDING, WorkerState.RUNNING)
        if not [w for w in pilot.app.workers if w.state in states]:
            return
        await pilot.app.workers.wait_for_complete()


async def full_session(tour_name: str) -> dict[str, float]:
    """Every step of a real tour with the real index, a goto and the references panel:
    the memory of a reading session (the index is built on demand as steps need it)."""
    from codewalk.tours.discovery import load_tour
    from codewalk.ui.app import make_app
    from codewalk.ui.code_view import CodeView
    from codewalk.ui.launch import open_session

    session = open_session(load_tour(tour_name))
    app = make_app(session)
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        start = time.perf_counter()
        await settle(pilot)
        figures["first step shown (s)"] = time.perf_counter() - start
        switches = []
        for _ in session.tour.steps[1:]:
            begin = time.perf_counter()
            await pilot.press("n")
            await settle(pilot)
            switches.append(time.perf_counter() - begin)
        figures["step switch, median incl. resolving (s)"] = statistics.median(switches)
        await pilot.press("1")
        await settle(pilot)
        code = app.screen.query_one(CodeView)
        line, _ = code.cursor
        for _ in range(200):  # to the first capitalised name, then go to its definition
            word = code.word_under_cursor()
            if word and word[0][0].isupper() and code.cursor[0] < line:
                break
            await pilot.press("ctrl+left")
        begin = time.perf_counter()
        await pilot.press("g")
        await settle(pilot)
        figures["goto (s)"] = time.perf_counter() - begin
        begin = time.perf_counter()
        await pilot.press("x")
        await settle(pilot)
        figures["references, cold (s)"] = time.perf_counter() - begin
        figures["g on a name the index lacks: said (s)"] = await _goto_nowhere(app, pilot, code)
    figures["peak RSS after the session (MB)"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


async def _goto_nowhere(app: Any, pilot: Any, code: Any) -> float:
    """Seconds from ``g`` on a name no pin defines (``nn`` of ``nn.Linear``, torch's) to
    the message that says so (jedi is asked after it, apart); nan when no such name is
    on screen."""
    await pilot.press("escape", "1")  # step 1: LlamaForCausalLM, whose lm_head is an nn.Linear
    await settle(pilot)
    assert code.source is not None
    lines = code.source.lines
    line = next((n for n, text in enumerate(lines, 1) if " nn.Linear(" in text), None)
    if line is None:
        return float("nan")
    code.move_cursor(line, lines[line - 1].index("nn.Linear(") + 1)
    app.clear_notifications()
    begin = time.perf_counter()
    await pilot.press("g")
    while time.perf_counter() - begin < 10:
        await pilot.pause(0.005)
        if any("not in the index" in str(n.message) for n in app._notifications):
            return time.perf_counter() - begin
    return float("nan")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="checkout root (default: the pinned transformers)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--session",
        metavar="TOUR",
        help="also walk TOUR with the real index (builds what it needs in CODEWALK_HOME)",
    )
    args = parser.parse_args(argv)
    root = _root(args.root)
    text = (root / BIG).read_text(encoding="utf-8")
    print(f"file: {BIG} ({len(text.splitlines())} lines)")
    base = baseline(text, args.runs)
    print(f"baseline  pygments lexing the whole file       {_ms(base)}")
    results = asyncio.run(in_app(root, args.runs))
    open_files = int(results.pop("files open at the end")[0])
    base_median = statistics.median(base)
    for name, samples in results.items():
        ratio = statistics.median(samples) / base_median
        print(f"{name:<44} {_ms(samples)}  ({ratio:.2f}x baseline)")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS after opening {open_files} files: {rss_mb:.0f} MB")
    if args.session:
        for name, value in asyncio.run(full_session(args.session)).items():
            print(f"session {args.session}: {name:<40} {value:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
