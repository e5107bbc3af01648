"""Symbol search in the command palette (``ctrl+p``): the index's names as the reader
types (``Workspace.complete``, a few milliseconds a keystroke on the full index;
``bench/bench_palette.py``), in every pinned repository whose source is in the cache
(the repository on screen and those the tour reads first; none is fetched for a
keystroke), each hit naming its repository; the steps whose function the text names
(``Dataset.map``: in a trace, the calls of it that ran) above them, the other steps whose
title or symbol the text matches below (in the recorder: the steps it writes, all below
the symbols, which the reader looks for to add a step at), to go to.
Rows are yielded in the order they are listed, so a search still running only adds rows
below those on screen. ``:N`` is line N of the file on screen (as in an editor), step N
listed under it. Over the tours list, it
lists the tours whose id or title the text matches, to open. The palette lists symbols,
steps, lines and tours only: the app has no commands."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Protocol, cast

from textual.app import ComposeResult
from textual.command import (
    Command,
    CommandInput,
    CommandList,
    CommandPalette,
    DiscoveryHit,
    Hit,
    Hits,
    Matcher,
    Provider,
)
from textual.content import Content

from codewalk.traces.model import repo_shown
from codewalk.ui.fields import PaletteField
from codewalk.ui.history import Location
from codewalk.ui.ports import Target
from codewalk.ui.session import TourEntry, TourSession
from codewalk.visible import visible

LIMIT = 40
STEPS = 20  # steps listed at most, after the symbols (a trace has thousands)
OPENED = 40  # steps the palette lists before anything is typed: those around the one on screen
DEBOUNCE = 0.02  # seconds of no typing before a search reaches the index (a search takes a few ms)
_LINE = re.compile(r":\s*(\d+)")  # `:120`: a line of the file on screen


@dataclass(frozen=True, slots=True)
class ListedStep:
    """A step the palette lists: step ``n`` of these is the one ``show_step(n - 1)`` shows."""

    title: str  # its title, else its symbol or file
    anchor: str
    repo: str


class SymbolHost(Protocol):
    """The screen the palette searches for (the tour screen, the recorder): its session,
    its steps, and where a chosen hit goes."""

    session: TourSession | None
    location: Location | None  # where the file on screen was opened

    @property
    def here_repo(self) -> str: ...

    def lines_on_screen(self) -> int:
        """How many lines the file on screen has (0: no file is on screen)."""
        ...

    def go_to(self, there: Location) -> None: ...

    def jump_to_target(self, target: Target, *, more: str = "") -> None: ...

    def show_step(self, index: int) -> None: ...

    def listed_steps(self) -> Sequence[ListedStep]:
        """The steps ``show_step`` goes to, in its order (the recorder's are those of the
        tour it writes, not those of the tour or trace it was opened from)."""
        ...

    def step_on_screen(self) -> int | None:
        """The index in ``listed_steps`` of the step on screen (or selected), if any."""
        ...

    def named_steps_first(self) -> bool:
        """Whether the steps whose function the text names are listed above the symbols
        (a tour's: the reader goes back to one) or below them (the recorder's: the reader
        looks for code to add a step at, and a step chosen is selected, where ``a`` adds)."""
        ...


def tour_steps(session: TourSession | None) -> list[ListedStep]:
    """The steps of ``session``'s tour, as the palette lists them."""
    if session is None:
        return []
    tour = session.tour
    return [
        ListedStep(step.title or step.anchor, step.anchor, tour.step_repo(step) or session.repo)
        for step in tour.steps
    ]


def searched_repos(host: SymbolHost) -> list[str]:
    """The repository on screen, then the others the tour reads, each once: searched
    first, before the other pins in the cache (:meth:`NavThread.search
    <codewalk.ui.session.NavThread.search>`)."""
    assert host.session is not None
    tour = host.session.tour
    repos = [host.here_repo, host.session.repo, *(tour.step_repo(step) or "" for step in tour.steps)]
    return [repo for index, repo in enumerate(repos) if repo and repo not in repos[:index]]


def not_cached_text(repos: Sequence[str]) -> tuple[str, str]:
    """What the palette says of the pins it did not search: a line, and how to get them."""
    names = ", ".join(visible(repo) for repo in repos)
    first = visible(repos[0])
    how = (
        f"codewalk sync {first} fetches it"
        if len(repos) == 1
        else f"codewalk sync {first} fetches one (codewalk sync --all: every pin)"
    )
    return f"not searched: {names} (not in the cache)", f"{how}, then ctrl+p searches it too"


def not_searched(repos: Sequence[str], notify: Callable[..., None]) -> Hit:
    """The palette's last row when pins were not searched; choosing it keeps the line as
    a notification."""
    line, how = not_cached_text(repos)
    return Hit(
        0, Content(line), lambda: notify(f"{line}: {how}", markup=False, timeout=15), text=line, help=how
    )


@dataclass
class OnScreen(DiscoveryHit):
    """The row of the step on screen, among the steps listed before anything is typed:
    the one the palette opens on."""


class SymbolPalette(CommandPalette):
    """Textual's palette, whose rows are always those of the text in its field: Textual
    keeps the rows of the text before (the tour's steps, before any was typed) until the
    new search yields its first hit, and Enter would choose one of those meanwhile (the
    first search of a session takes seconds). Its field is a :class:`PaletteField
    <codewalk.ui.fields.PaletteField>`: a burst's backspaces ran behind the letters typed
    after them. Opened with nothing typed, it lights the step on screen among the steps it
    lists (Textual lights the first row, the best match of a text typed: step 1, however
    far into the tour the reader was)."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():  # Textual's widgets, placed as it places them
            if type(widget) is CommandInput:
                widget = PaletteField(placeholder=widget.placeholder, select_on_focus=False)
            yield widget

    def on_input_changed(self) -> None:
        # runs before the palette's own handler (this class comes first in the MRO), which
        # starts the search of the new text
        self.query_one(CommandList).clear_options()
        self._hit_count = 0

    def _refresh_command_list(
        self, command_list: CommandList, commands: list[Command], clear_current: bool
    ) -> None:
        super()._refresh_command_list(command_list, commands, clear_current)  # lights the first row
        on_screen = [
            n
            for n, option in enumerate(command_list.options)
            if isinstance(option, Command) and isinstance(option.hit, OnScreen)
        ]
        if on_screen:
            command_list.highlighted = on_screen[0]


class SymbolProvider(Provider):
    """Hits come from ``Workspace.complete``; choosing one jumps there (off tour)."""

    def _tour_screen(self) -> SymbolHost | None:
        screen = self.screen
        if getattr(screen, "session", None) is None or not hasattr(screen, "jump_to_target"):
            return None
        return cast(SymbolHost, screen)

    async def search(self, query: str) -> Hits:
        screen = self._tour_screen()
        if screen is None or len(query.strip()) < 2:
            return
        if (typed := _LINE.fullmatch(query.strip())) is not None:
            yield line_hit(screen, typed.group(1), self.app.notify)
            step = step_numbered(screen, typed.group(1))
            if step is not None:
                yield step
            return
        assert screen.session is not None
        navigator = screen.session.nav
        repos = searched_repos(screen)
        await asyncio.sleep(DEBOUNCE)  # a newer keystroke cancels this search here
        matcher = self.matcher(query)
        # a trace has thousands of steps: both lists are made in one pass, off the loop
        named, matching = await asyncio.to_thread(steps_found, screen, query.strip(), matcher)
        if screen.named_steps_first():
            for hit in named:  # at once, and never moved down by the symbols found after
                yield hit
        else:  # below the symbols, above the other steps matched
            matching = [*named, *matching]
        try:
            found = await asyncio.to_thread(navigator.search, repos, query.strip(), LIMIT)
        except Exception as error:  # a failing index is a notification, not a crash
            self.app.notify(f"symbol search failed: {error}", severity="error", markup=False)
            return
        symbols = [
            Hit(
                0.0,  # scored below, in the order listed
                matcher.highlight(visible(target.qualname)),
                lambda target=target: screen.jump_to_target(target),
                text=target.qualname,
                help=visible(f"{target.repo}  {target.kind}  {target.path}:{target.line}{_said(target)}"),
            )
            for target in found.targets  # the resolver's order: real definitions first
        ]
        ran = ran_names(screen)
        if ran:  # in a trace: what ran before what merely shares a name
            pairs = list(zip(symbols, found.targets, strict=True))
            took = [hit for hit, target in pairs if target.qualname in ran]
            rest = [hit for hit, target in pairs if target.qualname not in ran]
            listed = [*took, *matching, *rest]
        else:
            listed = [*symbols, *matching]
        for rank, hit in enumerate(listed):  # below the steps named, each below the one before
            yield replace(hit, score=(len(listed) - rank) / (len(listed) + 1))
        if found.not_cached:
            yield not_searched(found.not_cached, self.app.notify)

    async def discover(self) -> Hits:
        screen = self._tour_screen()
        if screen is None:
            return
        listed, on_screen = screen.listed_steps(), screen.step_on_screen()
        shown = opened_steps(len(listed), on_screen)
        for number in shown:
            step = listed[number]
            here = "  (on screen)" if number == on_screen else ""
            yield (OnScreen if here else DiscoveryHit)(
                f"step {number + 1}: {visible(step.title)}{here}",
                lambda number=number: screen.show_step(number),
                help=visible(f"{repo_shown(step.repo)}  {step.anchor}"),
            )
        if len(shown) < len(listed):
            said = f"steps {shown.start + 1} to {shown.stop} of {len(listed)} listed"
            how = "type a name, a step's title or :N to find the others (s: the steps list)"
            yield DiscoveryHit(said, lambda: self.app.notify(f"{said}: {how}", markup=False), help=how)


class TourChooser(Protocol):
    """The screen listing the tours (the tours list): what it lists, and how one is chosen."""

    entries: list[TourEntry]

    def dismiss(self, result: str | None = None) -> Any: ...


class TourProvider(Provider):
    """Over the tours list: the tours whose id or title holds each word typed, best first;
    choosing one opens it, as enter on its row does. (Not every tour the fuzzy matcher
    finds the letters of the text in, in order: ``lora`` matched over a dozen shipped tours.)"""

    async def search(self, query: str) -> Hits:
        chooser = cast(TourChooser, self.screen)
        matcher = self.matcher(query)
        words = query.lower().split()
        for entry in chooser.entries:
            label = f"{entry.id}  {entry.title}"
            if all(word in label.lower() for word in words):
                score = max(matcher.match(entry.id), matcher.match(label))
                yield Hit(
                    score,
                    matcher.highlight(visible(label)),
                    partial(chooser.dismiss, entry.id),
                    text=label,
                    help=f"{entry.steps} step{'s' if entry.steps != 1 else ''}",
                )

    async def discover(self) -> Hits:
        chooser = cast(TourChooser, self.screen)
        for entry in chooser.entries:
            yield DiscoveryHit(
                visible(f"{entry.id}  {entry.title}"),
                partial(chooser.dismiss, entry.id),
                help=f"{entry.steps} step{'s' if entry.steps != 1 else ''}",
            )


def line_hit(screen: SymbolHost, digits: str, notify: Callable[..., None]) -> Hit:
    """``:N`` (``digits``): the row going to line N of the file on screen, or saying why it
    cannot. A line of the code of the step on screen stays on that step (its lines still
    lit; the row says when the line is off its focus), any other is off tour, as a symbol
    chosen is; ``b`` comes back either way."""
    here, count = screen.location, screen.lines_on_screen()
    if here is None or not count:
        said = f":{digits}: no file is on screen to go to a line of"
        return Hit(1.0, Content(said), lambda: notify(said, markup=False), text=said)
    name = visible(here.path.rsplit("/", 1)[-1])
    number = int(digits) if len(digits) <= 9 else 0  # past any file's end, however many digits
    if not 1 <= number <= count:
        said = f":{digits}: {name} has lines 1 to {count}"
        return Hit(1.0, Content(said), lambda: notify(said, markup=False), text=said)
    there = Location(here.path, number, 0, repo=here.repo)
    said = "off tour"
    if here.step is not None and here.span is not None and here.span[0] <= number <= here.span[1]:
        there = replace(here, line=number, col=0, top=None, left=None, opens=0)
        lit = here.regions or ((here.focus,) if here.focus else ())
        focused = not lit or any(start <= number <= end for start, end in lit)
        said = f"on step {here.step + 1}" + ("" if focused else ", off its focus")
    text = f"line {number} of {name}"
    return Hit(
        1.0,
        Content(text),
        lambda: screen.go_to(there),
        text=text,
        help=visible(f"{repo_shown(here.repo)}  {here.path}  ({said})"),  # not "<program>"
    )


def step_numbered(screen: SymbolHost, digits: str) -> Hit | None:
    """Below ``:N``'s line, step N, for a reader who took ``:N`` for a step's number (the
    digits typed on the code go to a step); None when the tour has no step N."""
    listed = screen.listed_steps()
    number = int(digits) if len(digits) <= 9 else 0
    if not 1 <= number <= len(listed):
        return None
    step = listed[number - 1]
    text = f"step {number}: {step.title}"
    how = f"{repo_shown(step.repo)}  {step.anchor}  (or type {number} on the code)"
    return Hit(
        0.5, Content(visible(text)), lambda: screen.show_step(number - 1), text=text, help=visible(how)
    )


def opened_steps(count: int, on_screen: int | None) -> range:
    """The steps (of ``count``) the palette lists before anything is typed: every one of a
    tour, ``OPENED`` of a trace's thousands, from a few before the one on screen (listing
    them all drew thousands of rows before the first could be read)."""
    if count <= OPENED:
        return range(count)
    start = max(0, min((on_screen or 0) - OPENED // 4, count - OPENED))
    return range(start, start + OPENED)


def ran_names(screen: SymbolHost) -> set[str]:
    """In a trace read as a tour, the qualified names of what ran: its steps' functions,
    and the classes and modules that hold them (``Trainer``, whose ``train`` ran, is a
    name that ran, listed above the steps the text merely matches); else none."""
    session = screen.session
    if session is None or session.trace is None:
        return set()
    ran: set[str] = set()
    for step in screen.listed_steps():
        parts = step.anchor.split(".")
        ran.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return ran


def names_function(text: str, step: ListedStep) -> bool:
    """Whether ``text`` names ``step``'s function: its symbol, or a dotted tail of it
    (``Dataset.map``, ``map`` for ``datasets.arrow_dataset.Dataset.map``), or its title,
    regardless of case."""
    typed, anchor = text.lower(), step.anchor.lower()
    return typed in (anchor, step.title.lower()) or anchor.endswith(f".{typed}")


def steps_found(screen: SymbolHost, text: str, matcher: Matcher) -> tuple[list[Hit], list[Hit]]:
    """The screen's steps whose function ``text`` names, in their order (listed above the
    symbols: in a trace, the calls of it that ran, the first first), and the other steps
    whose title or symbol ``matcher`` matches, best first (listed below the symbols);
    ``STEPS`` at most of each, each going to its step."""
    listed = screen.listed_steps()
    named: list[int] = []
    scored: list[tuple[float, int]] = []
    for number, step in enumerate(listed):
        if names_function(text, step):
            named.append(number)
        elif (score := max(matcher.match(step.title), matcher.match(step.anchor))) > 0:
            scored.append((score, number))
    scored.sort(key=lambda found: (-found[0], found[1]))
    return (
        [_step_hit(screen, listed, number, 1.0, matcher) for number in named[:STEPS]],
        [_step_hit(screen, listed, number, 0.0, matcher) for _, number in scored[:STEPS]],  # scored as listed
    )


def _step_hit(
    screen: SymbolHost, listed: Sequence[ListedStep], number: int, score: float, matcher: Matcher
) -> Hit:
    title = listed[number].title
    return Hit(
        score,
        Content(f"step {number + 1}: ") + matcher.highlight(visible(title)),
        lambda: screen.show_step(number),
        text=f"step {number + 1}: {title}",
        help=visible(listed[number].anchor),
    )


def _said(target: Target) -> str:
    """What a definition listed says of itself beside its place (an @overload signature)."""
    return "" if target.via == "direct" else f"  ({target.via})"
