"""The panel under the code that lists places to jump to (uses and callers, the calls
of a function): hidden until shown, filled by a search in a worker, closed by escape."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList


class BottomPanel(Vertical):
    """What :class:`~codewalk.ui.references.ReferencesPanel` and
    :class:`~codewalk.ui.calls_panel.CallsPanel` share. A subclass defines its own
    ``Closed`` message (posted when it closes) and sets ``pending`` to the number of the
    search it waits for."""

    DEFAULT_CSS = """
    BottomPanel {
        height: 12;
        display: none;
        border-top: hkey $accent;
    }
    BottomPanel.-shown { display: block; }
    BottomPanel Label { width: 100%; padding: 0 1; color: $text-accent; }  /* a long title wraps */
    BottomPanel OptionList {
        height: 1fr;
        border: none;
        padding: 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    BottomPanel OptionList:focus { border: none; }
    """

    # the panel's own title says escape closes it: the footer keeps its room (80 columns)
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", show=False)]

    Closed: ClassVar[type[Message]]

    pending: int | None = None  # the search being waited for

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")

    def abandon(self, token: int) -> None:
        """The search for ``token`` failed or was cancelled: close, if still waiting on it."""
        if token == self.pending:
            self.close()
            self.post_message(self.Closed())

    def close(self) -> None:
        self.pending = None
        self.query_one(OptionList).loading = False
        self.remove_class("-shown")

    def action_close(self) -> None:
        self.close()
        self.screen.focus_next()
        self.post_message(self.Closed())
