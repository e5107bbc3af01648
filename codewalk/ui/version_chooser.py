"""The question ``v`` asks: which version of the step's repository to compare with.

Offers first (the versions asked before, the tour's, the pin), then a field for any other
(``4.57.6``, ``transformers@4.57.6``, ``installed``), checked as it is entered: a
version of another repository, the version on screen, or something that is no version
is said, and the question stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.events import Key
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from codewalk.source.targets import INSTALLED
from codewalk.ui.dialog import Dialog
from codewalk.ui.fields import Field, bound_here
from codewalk.ui.versions import Offer, example_version, parse_choice
from codewalk.visible import visible


def offer_label(offer: Offer) -> Content:
    return Content.assemble((visible(offer.spec), "bold"), "  ", (offer.why, "dim"))


def q_types(repo: str, typed: str) -> bool:
    """Whether ``q`` is a character of what is typed in the field (it holds text, or the
    repository's name starts with it: ``REPO@VERSION``), else it closes the chooser (no
    version starts with it)."""
    return bool(typed) or repo.lower().startswith("q")


class VersionField(Field):
    """The field for a version; it lets ``q`` through to the chooser while ``q`` would not
    start what is typed (an input takes every printable key it has focus for)."""

    def __init__(self, repo: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.repo = repo

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if key == "q" and not q_types(self.repo, self.value):
            return False
        return super().check_consume_key(key, character)


class VersionChooser(Dialog[str | None]):
    """Dismissed with ``REPO@VERSION``, or None (escape, or ``q`` before anything is typed)."""

    DEFAULT_CSS = """
    VersionChooser > Vertical { width: 76; }
    VersionChooser Label { width: 100%; }
    VersionChooser #chooser-title { color: $text-accent; }
    VersionChooser OptionList { height: auto; max-height: 8; border: none; padding: 0; }
    VersionChooser OptionList:focus { border: none; }
    VersionChooser #chooser-error { color: $error; height: auto; }
    VersionChooser #chooser-keys { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back"),
        # q closes, as in every chooser; a priority binding, before the offers take it as
        # the first character typed (and once something is typed, q is one of its characters)
        Binding("q", "close_on_q", "Back", show=False, priority=True),
    ]

    def __init__(self, name: str, repo: str, read: str, offers: Sequence[Offer]) -> None:
        super().__init__()
        self.symbol = name
        self.repo = repo
        self.read = read  # the release on screen
        self.offers = list(offers)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                Content.assemble(
                    (visible(self.symbol), "bold"),
                    visible(f" at another version of {self.repo} (on screen: {self.read})"),
                ),
                id="chooser-title",
            )
            if self.offers:
                yield OptionList(
                    *(Option(offer_label(o), id=o.spec) for o in self.offers), id="chooser-offers"
                )
            example = example_version(self.read)
            yield VersionField(  # not selected on focus: a key typed on the offers is its first character
                self.repo,
                placeholder=f"or type one: {example}, {self.repo}@{example}, {INSTALLED}",
                id="chooser-input",
                select_on_focus=False,
            )
            yield Label("", id="chooser-error")
            yield Label("enter: compare   tab: offers / type one   q or escape: back", id="chooser-keys")

    def on_mount(self) -> None:
        # focused at once, not behind the keys waiting (as focus() would): v awaits the
        # chooser on screen before the keys typed after it are read
        if self.offers:
            options = self.query_one(OptionList)
            options.highlighted = 0
            self.set_focus(options)
        else:
            self.set_focus(self.query_one(Input))

    def action_close_on_q(self) -> None:
        """Close, unless ``q`` is a character of what the reader is typing."""
        if q_types(self.repo, self.query_one(Input).value):
            raise SkipAction()
        self.dismiss(None)

    async def on_key(self, event: Key) -> None:
        """Typing on the offers types into the field: a reader who knows the version
        types it at once (enter on the offers would take the highlighted one). Once the
        field has the focus, a key typed in the same burst that reached the offers first
        is the field's too, in its turn (a key from the field reaches here only when the
        field has no binding of it)."""
        field = self.query_one(VersionField)
        if event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            self.set_focus(field)  # at once: the next key typed goes there
            field.insert_text_at_cursor(event.character)
        elif self.focused is field:
            await bound_here(field, event)  # taken when the field has a binding of it

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.offers[event.option_index].spec)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            spec = parse_choice(event.value, self.repo, self.read)
        except ValueError as error:
            self.query_one("#chooser-error", Label).update(Content(visible(str(error))))
            return
        self.dismiss(spec)

    @property
    def error(self) -> str:
        """The message under the field (for tests)."""
        return str(self.query_one("#chooser-error", Label).render())
