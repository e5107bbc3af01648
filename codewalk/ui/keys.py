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
    Binding("v", "other_version", "Version", priority=True),  # a dialog typed in at once, as R
    Binding("escape", "close_references", "Close", show=False),
    Binding("o", "open_editor", "Edit", show=False),
    # a priority binding, run as the app reads the key: the dialog it opens is on screen,
    # its field focused, before the keys typed after it in one burst are read (as a
    # binding of the code view's, it ran once those had gone to the code view, where they
    # were dropped, the screen no longer on top)
    Binding("R", "record", "Record", show=False, priority=True),
    Binding("y", "copy_permalink", "Link", show=False),
    *(Binding(str(k), f"digit('{k}')", f"Step {k}", show=False) for k in range(10)),
]

DIGITS_TOGETHER_S = 1.0  # digits typed closer than this apart make one step number


def typed_number(typed: str, digit: str, steps: int) -> str:
    """The step number that ``digit`` makes, typed after ``typed`` (the digits typed just
    before it, "" when none): the longer number while it is one of the ``steps``; else
    ``digit`` starts a number of its own ("" for a lone 0, no step's number)."""
    longer = typed + digit
    if typed and int(longer) <= steps:
        return longer
    return "" if digit == "0" else digit
