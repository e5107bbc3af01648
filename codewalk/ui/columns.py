"""How a screen of columns (a list of steps, the code, the note) fits the terminal: one
rule for the tour and the recorder. Under ``NARROW`` columns the note goes under the
code; under ``SLIM`` the code gets the width: the list is hidden, and ``s`` shows it
(``s`` hides it on a wide terminal).

The screen's list is the widget with the class ``steps-column``; its code and panels are
under ``#center``, which stands beside the note in ``#right``.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.events import Resize

from codewalk.ui.places import Places

NARROW = 150  # below this many columns the note goes under the code
# a trace read as a tour: its steps' column is wide (a call tree), its notes short (who
# called, how often, how long), so the note goes under the code below this many columns
NARROW_TRACE = 220
SLIM = 100  # below this many columns the code gets the width: the steps list is hidden (``s`` shows it)
SLIM_LIST = 24  # the list's width when ``s`` shows it on a slim terminal


class Columns(Places):
    """A :class:`Places` screen laid out in columns that follow the width."""

    DEFAULT_CSS = f"""
    Columns #body {{ height: 1fr; }}
    Columns #right {{ width: 1fr; height: 1fr; layout: horizontal; }}
    Columns #center {{ width: 1fr; height: 1fr; }}
    Columns CodeView {{ height: 1fr; }}
    Columns .steps-column {{ height: 1fr; }}
    Columns.-slim .steps-column, Columns.-steps-hidden .steps-column {{ display: none; }}
    Columns.-slim.-steps-shown .steps-column {{ display: block; width: {SLIM_LIST}; }}
    Columns.-narrow #right {{ layout: vertical; }}
    Columns.-narrow.-panel-open NoteView, Columns.-narrow.-version-open NoteView {{ display: none; }}
    Columns.-narrow NoteView {{
        width: 1fr; height: 35%; min-height: 6; min-width: 0;
        border-left: none; border-top: hkey $foreground 20%;
    }}
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("s", "toggle_steps", "Steps", show=False)]
    narrow = NARROW  # below this many columns the note goes under the code

    def on_resize(self, event: Resize) -> None:
        self.fit(event.size.width)

    def fit(self, width: int) -> None:
        """The columns for a terminal ``width`` columns wide."""
        self.set_class(width < self.narrow, "-narrow")
        self.set_class(width < SLIM, "-slim")

    def action_toggle_steps(self) -> None:
        """Show or hide the steps list (hidden by default on a slim terminal)."""
        if self.has_class("-slim"):
            self.toggle_class("-steps-shown")
        else:
            self.toggle_class("-steps-hidden")
