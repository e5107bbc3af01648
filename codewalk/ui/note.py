"""The note beside the code: the step's Markdown, under its title. A click on a
``codewalk:`` link of the note follows it (:class:`NoteView.LinkClicked`); another link
opens in the browser. A name too wide for a line of the note (a qualified name in a
narrow column) breaks after its dots, as the steps list breaks it, not mid-name."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock

from codewalk.tours.notes import SCHEME, plain_markdown
from codewalk.ui.hanging import at_dots
from codewalk.visible import visible


def _wrapping(block: type[MarkdownBlock]) -> type[MarkdownBlock]:
    """Textual's ``block`` (not public but through ``Markdown.BLOCKS``) drawn by :func:`at_dots`,
    under its own name (its CSS applies)."""
    drawn = {"render": lambda self: at_dots(self.visual), "__module__": __name__}
    return type(block.__name__, (block,), drawn)


_WRAPPED = {name: _wrapping(Markdown.BLOCKS[name]) for name in ("paragraph_open", "h2")}


class NoteMarkdown(Markdown):
    """Markdown whose paragraphs (a list item's too) and title (``##``: a step's title, or
    its qualified name where it has none) wrap as a note's do."""

    def get_block_class(self, block_name: str) -> type[MarkdownBlock]:
        return _WRAPPED.get(block_name) or super().get_block_class(block_name)


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
    /* a code block's long line wraps at the note's width (Textual scrolls it sideways,
       with no scrollbar and no key to: the line was cut at the note's edge) */
    NoteView MarkdownFence { overflow-x: hidden; }
    NoteView MarkdownFence > Label { width: 1fr; text-wrap: wrap; }
    """

    class LinkClicked(Message):
        """A ``codewalk:`` link of the note was clicked; ``target`` follows the scheme."""

        def __init__(self, target: str) -> None:
            super().__init__()
            self.target = target

    def compose(self) -> ComposeResult:
        yield NoteMarkdown(id="note-markdown", open_links=False)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        if event.href.startswith(SCHEME):
            self.post_message(self.LinkClicked(event.href[len(SCHEME) :]))
        else:
            self.app.open_url(event.href)

    def show(
        self,
        title: str,
        markdown: str,
        summary: str = "",
        links: int = 0,
        ran: tuple[str, bool] | None = None,
        *,
        home: bool = True,
    ) -> None:
        """The step's note under its title; ``summary`` (the tour's, at step 1) first;
        when the note has ``links``, the key that lists them after it; ``ran``: whether
        the step ran in a trace, under the title (bold when it does not bear the tour out).
        ``home``: scrolled to its top (a new step's; not the same note shown again)."""
        under = (
            f"{'*' if ran[1] else '**'}{plain_markdown(ran[0])}{'*' if ran[1] else '**'}\n\n" if ran else ""
        )
        text = f"## {plain_markdown(title)}\n\n{under}{markdown.strip()}\n"  # a title is plain text
        if links:
            text += f"\n*`l`: the note's {links} link{'s' if links != 1 else ''}, to follow*\n"
        if summary:
            text = f"{summary.strip()}\n\n---\n\n{text}"
        text = visible(text)
        self.query_one(Markdown).update(text)
        if home:
            self.scroll_home(animate=False)
