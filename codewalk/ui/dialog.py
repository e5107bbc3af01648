"""A dialog: a modal screen whose one container is a framed box in the middle of the
screen. The help, the tours list and the version chooser are dialogs; each says only how
its box differs (its width, how tall it may grow, its padding)."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

_R = TypeVar("_R")


class Dialog(ModalScreen[_R]):
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical, Dialog > VerticalScroll {
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    """
