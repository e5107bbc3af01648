"""The tour screen's keys (its footer shows those with a label and ``show``); ``s``, which
the recorder shares, is :class:`~codewalk.ui.columns.Columns`'."""

from __future__ import annotations

from textual.binding import Binding, BindingType

TOUR_BINDINGS: list[BindingType] = [
    Binding("n", "next_step", "Next"),
    Binding("right", "next_step", "Next", show=False, priority=True),
    Binding("p", "previous_step", "Prev"),
    Binding("left", "previous_step", "Prev", show=False, priority=True),
    Binding("g", "goto_definition", "Def"),
    Binding("b", "back", "Back"),
    Binding("ctrl+o", "back", "Back", show=False),
    Binding("f", "forward", "Fwd", show=False),
    Binding("r", "return_to_step", "Return", show=False),
    Binding("x", "references", "Callers"),
    Binding("c", "calls", "Calls"),
    Binding("l", "links", "Links", show=False),  # the note says it has links
    Binding("v", "other_version", "Version"),
    Binding("escape", "close_references", "Close", show=False),
    Binding("o", "open_editor", "Edit", show=False),
    Binding("R", "record", "Record", show=False),
    Binding("y", "copy_permalink", "Link", show=False),
    *(Binding(str(k), f"jump({k - 1})", f"Step {k}", show=False) for k in range(1, 10)),
]
