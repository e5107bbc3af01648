"""The top line (tour, step k/n, repo@version) and the off-tour banner."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from codewalk.source.installed import remote_name
from codewalk.traces.model import PROGRAM, repo_shown
from codewalk.visible import visible


def header_parts(
    title: str, step: int, total: int, repo: str, version: str, path: str = ""
) -> tuple[str, str]:
    """The title (cut first when the line is short) and ``step k/n · repo@version``; the
    code on screen at ``path`` a model's remote code, ``remote code org/repo``."""
    safe = visible(title).replace("[", r"\[")
    shown = code_shown(repo, path)
    where = visible(f"{shown}@{short_version(repo, version)}" if version else shown).replace("[", r"\[")
    return f"[b]{safe}[/b]", f"step {step}/{total}  ·  {where}"


def code_shown(repo: str, path: str) -> str:
    """Whose the code at ``path`` of ``repo`` is: the repository; of the program's, "your
    program", or a model's remote code (transformers' copy of it the run imported) said to
    be that, with the model it is from."""
    model = remote_name(path) if repo == PROGRAM else None
    if model is None:
        return repo_shown(repo)
    return f"remote code {model}" if model else "remote code"


def short_version(repo: str, version: str) -> str:
    """``transformers==5.23.0`` (a release) reads ``5.23.0 (release)`` after the repo."""
    name, sep, number = version.partition("==")
    if sep and name == repo:
        return f"{number} (release)"
    return version


class TourHeader(Horizontal):
    """Tour title on the left; step k/n and the repo@version of the code on screen on the
    right, never cut."""

    DEFAULT_CSS = """
    TourHeader {
        dock: top;
        height: 1;
        padding: 0 1;
        background: $primary-background;
        color: $text;
    }
    TourHeader > #header-title { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    TourHeader > #header-where { width: auto; padding-left: 2; text-wrap: nowrap; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._step = ("", 0, 0)
        self._repo = ("", "", "")
        self._shown: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="header-title")
        yield Static(id="header-where")

    def show(self, title: str, step: int, total: int) -> None:
        """The tour's title and the current step."""
        self._step = (title, step, total)
        self._update()

    def show_repo(self, repo: str, version: str, path: str = "") -> None:
        """The repository and version of the code on screen (at ``path``, when known)."""
        self._repo = (repo, version, path)
        self._update()

    def _update(self) -> None:
        parts = header_parts(*self._step, *self._repo)
        if parts == self._shown:  # a jump within one repo changes nothing here: no relayout
            return
        self._shown = parts
        self.query_one("#header-title", Static).update(parts[0])
        self.query_one("#header-where", Static).update(parts[1])

    @property
    def text(self) -> str:
        """The whole line as plain text (for tests and logs)."""
        title = self.query_one("#header-title", Static).render()
        where = self.query_one("#header-where", Static).render()
        return f"{title}  ·  {where}"


NAME_KEPT = 6  # the fewest cells of a name worth showing cut (with its "…")


def off_tour_line(step: int, name: str, place: str, width: int) -> Content:
    """``off tour (r: return to step N)  NAME (PLACE)`` in ``width`` cells: the way back
    said shorter first, then the name cut (``None`` below: cut to the room left), then
    neither; never the place (``file:line``, the fact a reader copies)."""
    ways = (f"return to step {step}", f"step {step}")
    named: list[tuple[str, str | None]] = [(ways[0], name), (ways[1], name), (ways[1], None), ("", None)]
    for way, shown in named if name else [(way, "") for way in ways]:
        head = _off_head(way)
        room = width - head.cell_length - cell_len(f" ({place})" if name else place)
        if shown is None and room >= NAME_KEPT:
            shown = _cut(name, room)
        if shown is not None and cell_len(shown) <= room:
            return head + Content(f"{shown} ({place})" if name else place)
    return _off_head("") + Content(place)


def _off_head(way: str) -> Content:
    back = Content.assemble(" (", ("r", "bold"), f": {way})") if way else Content("")
    return Content.assemble(("off tour", "bold"), back, "  ")


def _cut(text: str, room: int) -> str:
    """``text`` cut to ``room`` cells, its end an ellipsis."""
    if cell_len(text) <= room:
        return text
    return set_cell_size(text, room - 1) + "…"


class OffTourBanner(Static):
    """Shown while the reader is away from the current step's code: fitted to its width
    at each drawing, the place never cut."""

    DEFAULT_CSS = """
    OffTourBanner {
        height: 1;
        padding: 0 1;
        background: $warning 30%;
        color: $text;
        display: none;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    OffTourBanner.-shown { display: block; }
    """

    _off: tuple[int, str, str] = (0, "", "")

    def show_off(self, step: int, name: str, place: str) -> None:
        """Off the tour at ``place`` (``file:line``), in ``name`` when known; ``r`` returns
        to step ``step``."""
        self._off = (step, visible(name), visible(place))
        self.refresh()
        self.add_class("-shown")

    def render(self) -> Content:
        return off_tour_line(*self._off, self.content_size.width)

    def hide(self) -> None:
        self.remove_class("-shown")
