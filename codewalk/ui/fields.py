"""Text fields whose own keys (backspace, the arrows, ``end``, ``enter`` ...) act in turn
with the characters typed around them.

Textual's ``Input`` and ``TextArea`` insert a character as they receive its key, but run
a key bound to one of their actions only once the key has gone up to the app, behind the
keys the field received after it: in a burst (the id ``R`` asks for, mended at once with
``end``, backspaces and a new id) the characters typed after the backspaces went in
first, and the backspaces then deleted them. A field here runs its own binding of a key
as it receives the key; a key it has no binding for goes on as before (a character is
typed, a key of the dialog's goes up to it). The palette's field (Textual's
``CommandInput``) is one of them too (:class:`PaletteField`), and runs the palette's own
keys (the arrows that move through its rows) as it receives them: ``down``, ``down``,
``enter`` typed together chose the first row, the arrows going up behind ``enter``."""

from __future__ import annotations

from functools import cache

from textual import events
from textual.binding import BindingsMap
from textual.command import CommandInput
from textual.widget import Widget
from textual.widgets import Input, TextArea


@cache
def declared(field_class: type[Widget]) -> BindingsMap:
    """The bindings ``field_class`` and its bases declare (their ``BINDINGS``), merged as
    Textual merges them for it: a class's binding of a key in place of its bases', none of
    its bases' when it says ``inherit_bindings=False`` (as Textual's ``Static`` does). Not
    the screen's active bindings: those follow the focus, which a burst's key reaches the
    field ahead of. Textual's own merge (``_merge_bindings``, private): a copy of it here
    missed ``inherit_bindings``, and would miss the next rule Textual adds."""
    return field_class._merge_bindings()


async def bound_here(field: Widget, event: events.Key, owner: Widget | None = None) -> bool:
    """Run ``owner``'s (by default ``field``'s) own binding of ``event``'s key now, and
    take the key (a priority binding ran before the key reached the field: it is not run
    twice); whether one ran."""
    owner = field if owner is None else owner
    for binding in declared(type(owner)).key_to_bindings.get(event.key, ()):
        if not binding.priority and await field.app.run_action(binding.action, owner):
            event.stop()
            event.prevent_default()
            return True
    return False


class Field(Input):
    """A line of text whose keys act in the order typed."""

    async def on_key(self, event: events.Key) -> None:
        await bound_here(self, event)


class Area(TextArea):
    """A text area whose keys act in the order typed."""

    async def on_key(self, event: events.Key) -> None:
        await bound_here(self, event)


class PaletteField(CommandInput):
    """The palette's field, whose keys act in the order typed, the palette's own among
    them (``palette.SymbolPalette`` puts it in place of Textual's)."""

    async def on_key(self, event: events.Key) -> None:
        if not await bound_here(self, event):  # not the field's: the palette's (down, up, pagedown ...)?
            await bound_here(self, event, self.screen)
