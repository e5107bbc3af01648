"""The codewalk app and :func:`make_app`, the one factory the CLI and the tests share.

The app holds no logic of its own: it pushes the tour screen (or the tours list, for the
picker) and owns the app-wide keys (help, tours, quit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, Provider
from textual.filter import LineFilter, Monochrome, NoColor
from textual.notifications import SeverityLevel

from codewalk.color import switched_off
from codewalk.tours.recording import Draft
from codewalk.ui.hanging import broken_at_dots
from codewalk.ui.help import HelpScreen
from codewalk.ui.palette import SymbolPalette
from codewalk.ui.record_screen import RecordScreen
from codewalk.ui.session import Catalogue, TourSession
from codewalk.ui.tour_screen import TourScreen
from codewalk.ui.tours_screen import ToursScreen
from codewalk.visible import visible

Recording = tuple[Draft, "str | None"]  # a draft, and the text of its file as read (None: new)

TOAST_WIDTH = 60  # a notification's cells, at most half the screen's (Textual's rule, stated in CSS below)
TOAST_FRAME = 3  # its left border and padding
PALETTE_PLACEHOLDER = "Search symbols: classes, functions, methods; :N for line N (not commands)…"
TOURS_PLACEHOLDER = "Search tours: a word of an id or title…"


class CodewalkApp(App[None]):
    TITLE = "codewalk"
    CSS = f"Toast {{ width: {TOAST_WIDTH}; max-width: 50%; }}"
    ENABLE_COMMAND_PALETTE = True
    # the palette searches symbols (the tour screen's provider), or tours over the tours
    # list; no app commands
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = set()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        # ctrl+c quits as in any terminal program (Textual's own binding only says how to quit);
        # a text area being edited takes it first, to copy
        Binding("ctrl+c", "quit", "Quit", show=False),
        Binding("question_mark", "help", "Help"),
        # the palette searches (symbols, steps, :N a line), the footer says so; Textual's
        # own binding, not added when the app has one, says "palette"
        Binding("ctrl+p", "command_palette", "Search", show=False, priority=True),
        Binding("t", "tours", "Tours", show=False),
    ]

    def __init__(
        self,
        session: TourSession | None,
        *,
        start_step: int = 0,
        catalogue: Catalogue | None = None,
        recording: Recording | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.start_step = start_step
        self.catalogue = catalogue
        self.recording = recording
        # --no-color as Textual takes NO_COLOR (which it reads from the environment itself)
        self._no_color: LineFilter | None = None
        if switched_off() and not self.no_color:
            self._no_color = NoColor() if self.native_ansi_color else Monochrome()

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        return filters if self._no_color is None else [*filters, self._no_color]

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        if self.session is not None and self.recording is not None:
            draft, on_disk = self.recording
            self.push_screen(RecordScreen(self.session, draft, on_disk=on_disk))
        elif self.session is not None:
            self.push_screen(TourScreen(self.session, start_step=self.start_step))
        else:
            self.action_tours()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification of the app (errors carry paths and names from files that
        are not codewalk's) with its control characters made visible, and a name too wide
        for a line of it broken after its dots, not folded mid-name
        (``transformers.modeling_utils.PreTrainedModel.save_pretrain`` / ``ed``)."""
        text = visible(message)
        width = min(TOAST_WIDTH, self.size.width // 2) - TOAST_FRAME  # the toast's text, on this screen
        if not markup and width > 0:
            text = broken_at_dots(text, width)
        super().notify(text, title=visible(title), severity=severity, timeout=timeout, markup=markup)

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.nav.shutdown()

    def action_command_palette(self) -> None:
        """The palette, saying what it searches."""
        if self.use_command_palette and not any(isinstance(s, CommandPalette) for s in self.screen_stack):
            said = TOURS_PLACEHOLDER if isinstance(self.screen, ToursScreen) else PALETTE_PLACEHOLDER
            self.push_screen(SymbolPalette(id="--command-palette", placeholder=said))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_tours(self) -> None:
        if self.catalogue is None:
            self.notify("no tours list in this session", markup=False)
            return
        try:
            entries = self.catalogue.entries()
        except Exception as error:
            self.notify(f"cannot list tours: {error}", severity="error", markup=False)
            return
        self.push_screen(ToursScreen(entries), self._tour_chosen)

    def _tour_chosen(self, tour_id: str | None) -> None:
        if tour_id is None:
            if self.session is None:
                self.exit()
            return
        self.notify(f"opening {tour_id} …", markup=False)
        self._open_tour(tour_id)

    def _open_tour(self, tour_id: str) -> None:
        self.run_worker(lambda: self._load(tour_id), thread=True, exit_on_error=False, group="open-tour")

    def _load(self, tour_id: str) -> None:
        assert self.catalogue is not None
        try:
            session = self.catalogue.open_tour(tour_id)
        except Exception as error:
            self.call_from_thread(
                self.notify, f"cannot open {tour_id}: {error}", severity="error", markup=False
            )
            if self.session is None:
                self.call_from_thread(self.action_tours)
            return
        self.call_from_thread(self._switch, session)

    def _switch(self, session: TourSession) -> None:
        previous = self.session
        self.session = session
        if previous is not None:
            previous.nav.shutdown()
        start = session.progress.step(session.tour.id) if session.progress else None
        screen = TourScreen(session, start_step=start or 0)
        if previous is None:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)


def make_app(
    session: TourSession | None,
    *,
    start_step: int = 0,
    catalogue: Catalogue | None = None,
    recording: Recording | None = None,
) -> CodewalkApp:
    """The app for one tour session (or the picker when ``session`` is ``None``); with
    ``recording`` (a draft, and its file's text as read or None for a new file), the
    session's repositories are read to record that tour."""
    return CodewalkApp(session, start_step=start_step, catalogue=catalogue, recording=recording)
