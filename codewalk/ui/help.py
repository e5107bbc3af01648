"""The help screen (``?``): every key, grouped by what it is for."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from codewalk.ui.dialog import Dialog

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
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
            ("↑ ↓ pgup pgdn", "move the cursor by line / page"),
            ("home / end", "first / last line"),
            ("ctrl+← / ctrl+→", "previous / next word"),
            ("ctrl+a / ctrl+e", "start / end of the line"),
            ("g / enter", "go to the definition of the name at the cursor, in any pinned repo"),
            ("b / ctrl+o", "back through jumps"),
            ("f", "forward through jumps"),
            ("x", "on a definition's name: its callers; elsewhere: every use of the name"),
            ("c", "the calls of the function around the cursor, to jump into"),
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
            ("── repo ↗", "the steps below it are in another repository than the tour's"),
        ),
    ),
    (
        "Elsewhere",
        (
            ("ctrl+p", "search a symbol in any pinned repo in the cache (symbols, not commands)"),
            ("o", "open $EDITOR at the current line"),
            ("y", "copy the permalink of the current lines"),
            ("tab", "move focus: code, steps, panels"),
            ("?", "this help"),
            ("q  ctrl+c", "quit"),
        ),
    ),
)


def help_text() -> str:
    parts: list[str] = ["[b]codewalk — keys[/b]", ""]
    for group, keys in KEYS:
        parts.append(f"[b $accent]{group}[/]")
        parts.extend(f"  [b]{key:<16}[/b] {what}" for key, what in keys)
        parts.append("")
    parts.append("[dim]escape or ? to close[/]")
    return "\n".join(parts)


class HelpScreen(Dialog[None]):
    DEFAULT_CSS = """
    HelpScreen > VerticalScroll { width: 72; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_text())
