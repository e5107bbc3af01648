"""The top line (tour, step k/n, repo@version) and the off-tour banner."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from codewalk.visible import visible


def header_parts(title: str, step: int, total: int, repo: str, version: str) -> tuple[str, str]:
    """The title (cut first when the line is short) and ``step k/n · repo@version``."""
    safe = visible(title).replace("[", r"\[")
    where = visible(f"{repo}@{short_version(repo, version)}" if version else repo).replace("[", r"\[")
    return f"[b]{safe}[/b]", f"step {step}/{total}  ·  {where}"


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
        self._repo = ("", "")
        self._shown: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="header-title")
        yield Static(id="header-where")

    def show(self, title: str, step: int, total: int) -> None:
        """The tour's title and the current step."""
        self._step = (title, step, total)
        self._update()

    def show_repo(self, repo: str, version: str) -> None:
        """The repository and version of the code on screen."""
        self._repo = (repo, version)
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


class OffTourBanner(Static):
    """Shown while the reader is away from the current step's code."""

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

    def show_off(self, step: int, where: str) -> None:
        safe = visible(where).replace("[", r"\[")
        self.update(f"[b]off tour[/b] ([b]r[/b]: return to step {step})  {safe}")
        self.add_class("-shown")

    def hide(self) -> None:
        self.remove_class("-shown")
