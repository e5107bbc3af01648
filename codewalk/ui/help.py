"""The help screen (``?``): every key of the screen it is asked on (a tour, the recorder),
grouped by what it is for."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from codewalk.ui.dialog import Dialog
from codewalk.ui.record_panel import CHECK_LEGEND

Group = tuple[str, tuple[tuple[str, str], ...]]  # a heading, and each key with what it does

MOVES: tuple[tuple[str, str], ...] = (
    ("↑ ↓ pgup pgdn", "move the cursor by line / page"),
    ("home / end", "first / last line"),
    ("ctrl+← / ctrl+→", "previous / next word"),
    ("ctrl+a / ctrl+e", "start / end of the line"),
)
_LOOKUPS: tuple[tuple[str, str], ...] = (
    ("x", "on a definition's name: its callers; elsewhere: every use of the name"),
    ("c", "the calls of the function around the cursor, to jump into"),
)
_GOTO = ("g / enter", "go to the definition of the name at the cursor, in any pinned repo")
_SEARCH = (
    "ctrl+p",
    "search a symbol in any pinned repo in the cache, or a step; :N, line N of the file on screen,"
    " step N under it (not commands)",
)

KEYS: tuple[Group, ...] = (
    (
        "Tour",
        (
            ("n / →", "next step"),
            ("p / ←", "previous step"),
            ("0 … 9", "jump to step k, or choose it in the list (digits typed together: 1 8 5 is step 185)"),
            ("r", "return to the current step"),
            ("s", "show / hide the steps list (hidden on a narrow terminal)"),
            ("t", "list of tours"),
            ("R", "record: edit this tour's steps and notes, add steps, write it back (a trace: a new tour)"),
        ),
    ),
    (
        "Code",
        (
            *MOVES,
            _GOTO,
            ("b / ctrl+o", "back through jumps"),
            ("f", "forward through jumps"),
            *_LOOKUPS,
            ("l", "the links of the step's note (again: the next one); enter follows, b comes back"),
            ("v", "the step's symbol at another version, as a diff"),
        ),
    ),
    (
        "Marks in the steps list",
        (
            ("●", "the step's symbol was found"),
            ("◐", "ambiguous: several candidates, the first is shown"),
            ("✗", "missing: nothing by that name at this version"),
            ("◌", "skipped: the step is not in this version of the tour"),
            ("○", "not resolved yet"),
            ("▌ · -", "against a trace: ran, did not (red: not as the tour says), no code a trace sees"),
            ("── repo ↗", "the steps below it are in another repository than the tour's"),
        ),
    ),
    (
        "Elsewhere",
        (
            _SEARCH,
            ("o", "open $EDITOR at the current line"),
            ("y", "copy the permalink of the current lines"),
            ("tab", "move focus: code, steps, panels"),
            ("?", "this help"),
            ("q  ctrl+c", "quit"),
        ),
    ),
)

RECORD_KEYS: tuple[Group, ...] = (
    (
        "Recording",
        (
            ("a", "add a step at the cursor (shift+↑↓: its lines)"),
            ("A", "move the selected step to the cursor, its note kept"),
            ("e", "the selected step's title and note (there, f7 selects all of the field)"),
            ("E", "the tour's title and summary"),
            ("[ / ]", "move the selected step up / down"),
            ("D", "delete the selected step"),
            ("u", "undo the last change not written yet"),
            ("n / p", "select the next / previous step"),
            ("w", "write the tour, then check it (the marks below)"),
            ("s", "show / hide the steps (hidden when narrow)"),
        ),
    ),
    (
        "Code",
        (
            *MOVES,
            _GOTO,
            ("b", "back through jumps"),
            ("f", "forward through jumps"),
            *_LOOKUPS,
        ),
    ),
    ("Marks of the steps, after w", CHECK_LEGEND),
    (
        "Elsewhere",
        (
            _SEARCH,
            ("escape", "close a panel; else back to the tour recorded"),
            ("?", "this help"),
            ("q", "back to the tour or trace it was opened from, else quit (unwritten changes: said first)"),
            ("ctrl+c", "quit (changes not written: said first)"),
        ),
    ),
)


def help_rows(keys: tuple[Group, ...] = KEYS) -> ComposeResult:
    """The help's lines: each group's heading, then a row a key, its description in a
    column of its own, so that a long one wraps under itself, not under the keys."""
    yield Static("codewalk — keys", classes="help-title")
    for group, rows in keys:
        yield Static(group, classes="help-group")
        for key, what in rows:
            with Horizontal(classes="help-row"):
                yield Static(key, classes="help-key", markup=False)
                yield Static(what, classes="help-what", markup=False)
    yield Static("escape or ? to close", classes="help-close")


class HelpScreen(Dialog[None]):
    DEFAULT_CSS = """
    HelpScreen > VerticalScroll { width: 72; }
    HelpScreen .help-title { text-style: bold; }
    HelpScreen .help-group { text-style: bold; color: $accent; margin-top: 1; }
    HelpScreen .help-row { height: auto; }
    HelpScreen .help-key { width: 19; padding-left: 2; text-style: bold; }
    HelpScreen .help-what { width: 1fr; }
    HelpScreen .help-close { color: $text-muted; margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, keys: tuple[Group, ...] = KEYS) -> None:
        """The help of ``keys``: the tour's (``KEYS``) or the recorder's (``RECORD_KEYS``)."""
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield from help_rows(self.keys)
