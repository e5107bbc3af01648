"""The top line (tour, step k/n, repo@version) and the off-tour banner."""

from __future__ import annotations

from textual.widgets import Static


def header_text(title: str, step: int, total: int, repo: str, version: str) -> str:
    safe = title.replace("[", r"\[")
    return f"[b]{safe}[/b]  ·  step {step}/{total}  ·  {repo}@{short_version(repo, version)}"


def short_version(repo: str, version: str) -> str:
    """``transformers==5.23.0`` (a release) reads ``5.23.0 (release)`` after the repo."""
    name, sep, number = version.partition("==")
    if sep and name == repo:
        return f"{number} (release)"
    return version


class TourHeader(Static):
    DEFAULT_CSS = """
    TourHeader {
        dock: top;
        height: 1;
        padding: 0 1;
        background: $primary-background;
        color: $text;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """


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
        self.update(f"off tour: {where}  —  press [b]r[/b] to return to step {step}")
        self.add_class("-shown")

    def hide(self) -> None:
        self.remove_class("-shown")
