"""The note's links (``l``): one row per ``codewalk:`` link of the step's note, with where
it goes; ``enter`` follows one (a jump, like ``g``: ``b`` comes back), ``l`` again moves
to the next, ``escape`` closes."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from codewalk.tours.model import ResolvedLink
from codewalk.tours.notes import SCHEME
from codewalk.ui.panel import BottomPanel
from codewalk.visible import visible


def link_label(link: ResolvedLink, home: str) -> Content:
    """A link: its text, then where it goes (the repository when not ``home``), or why
    it goes nowhere."""
    text = (visible(link.link.plain_text), "bold")
    if not link.ok:
        return Content.assemble(text, "  ", (visible(link.error or "does not resolve"), "red"))
    assert link.target is not None and link.lines is not None
    first, last = link.lines
    lines = f"{first}" if first == last else f"{first}-{last}"
    where = f"{link.path}:{lines}"
    return Content.assemble(
        text,
        "  ",
        (visible(f"{link.repo}  ") if link.repo != home else "", "bold $text-accent"),
        (visible(where), "dim"),
        "  ",
        (visible(link.target.qualname), "italic"),
    )


class LinksPanel(BottomPanel):
    """Hidden until :meth:`show_links`; ``enter`` on a row posts :class:`LinksPanel.Chosen`."""

    class Chosen(Message):
        def __init__(self, link: ResolvedLink) -> None:
            super().__init__()
            self.link = link

    class Closed(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.links: list[ResolvedLink] = []

    def compose(self) -> ComposeResult:
        yield Label("", id="links-title")
        yield OptionList(id="links-list")

    def show_links(self, links: Sequence[ResolvedLink], home: str) -> None:
        """List ``links`` (``home``: the step's repository), the first highlighted."""
        self.links = list(links)
        count = len(self.links)
        self.query_one(Label).update(
            Content.assemble(
                f"{count} link{'s' if count != 1 else ''} in the note  ",
                ("(enter: go, l: next, escape: close)", "dim"),
            )
        )
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(link_label(link, home), id=str(n)) for n, link in enumerate(self.links))
        options.highlighted = 0 if self.links else None
        self.add_class("-shown")
        options.focus()

    def next_link(self) -> None:
        """Highlight the next link (the first after the last)."""
        options = self.query_one(OptionList)
        if self.links:
            options.highlighted = ((options.highlighted or 0) + 1) % len(self.links)
            options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.links[event.option_index]))


def link_text(link: ResolvedLink) -> str:
    """The link as written, for a message."""
    return f"[{link.link.text}]({SCHEME}{link.link.target})"
