"""The note beside the code: the step's Markdown, under its title."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from codewalk.visible import visible


class NoteView(VerticalScroll, can_focus=False):
    DEFAULT_CSS = """
    NoteView {
        width: 40%;
        min-width: 30;
        height: 1fr;
        padding: 0 1;
        border-left: vkey $foreground 20%;
    }
    NoteView Markdown { margin: 0; padding: 0; }
    NoteView MarkdownH2 { margin: 0 0 1 0; }
    """

    def compose(self) -> ComposeResult:
        yield Markdown(id="note-markdown")

    def show(self, title: str, markdown: str, summary: str = "") -> None:
        """The step's note under its title; ``summary`` (the tour's, at step 1) first."""
        text = f"## {title}\n\n{markdown.strip()}\n"
        if summary:
            text = f"{summary.strip()}\n\n---\n\n{text}"
        text = visible(text)
        self.query_one(Markdown).update(text)
        self.scroll_home(animate=False)
