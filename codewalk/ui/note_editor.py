"""Editing a step's note (or the tour's title and summary): a title line, a text area
for the Markdown and, beside it, the note as the reader will see it, redrawn once the
typing pauses (redrawn at each key, rendering a note of a few hundred characters took
longer than a key repeat: a held backspace ran on long after the key was let go).
The cursor starts in the title, the field at the top, at the end of what it holds;
``tab`` goes to the note (at its end) and back. ``ctrl+s`` keeps the text, ``escape``
drops it (said first when something was written: a second ``escape`` drops it).

``ctrl+s`` is taken by the field it is typed in, in its turn among the keys typed there:
as a binding of the editor it was run once the key had gone round the field and up to
the app, behind the keys typed after it (``ctrl+s`` then ``w`` at once kept the note with a
``w`` at its end), and as a priority binding ahead of those typed before it (the note was
kept without its last words). Keys that reach a field after it are dropped."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label, Markdown, TextArea

from codewalk.ui.fields import Area, Field
from codewalk.ui.note import NoteMarkdown
from codewalk.visible import visible

Edited = tuple[str, str]  # (title, Markdown)

PREVIEW_PAUSE = 0.3
"""Seconds without a change to the note before its preview is drawn again."""

KEEP = "ctrl+s"
SELECT_ALL = "f7"  # TextArea's select_all; the title field is given it too
KEYS = f"{KEEP}: keep   escape: drop   tab: title / note   {SELECT_ALL}: select all"


def _taken(field: Widget, event: events.Key) -> None:
    """Take ``event`` from ``field`` of an editor when it is the editor's: ``ctrl+s`` (the
    editor keeps what the fields hold now), or any key once the editor is closed (dropped:
    a ``ctrl+s`` behind an ``escape`` that closed it keeps nothing)."""
    editor = field.screen
    if isinstance(editor, NoteEditor) and (event.key == KEEP or editor.closed):
        event.stop()
        event.prevent_default()
        editor.action_keep()


# Textual calls the key handler of each class of a widget's MRO in turn, most derived
# first, until one prevents the default: the field's own typing (its ``_on_key``) runs
# after these unless they took the key


class _TitleField(Field):
    # select all by the note's key (TextArea's f7; an Input's own, ctrl+shift+a, reaches
    # few terminals apart from ctrl+a, which goes to the start of the line in both)
    BINDINGS: ClassVar[list[BindingType]] = [Binding(SELECT_ALL, "select_all", "Select all", show=False)]

    async def on_key(self, event: events.Key) -> None:
        _taken(self, event)


class _NoteField(Area):
    async def on_key(self, event: events.Key) -> None:
        _taken(self, event)


class NoteEditor(ModalScreen[Edited | None]):
    """Dismissed with the (title, note) written, or None when dropped."""

    DEFAULT_CSS = """
    NoteEditor { align: center middle; }
    NoteEditor > Vertical {
        width: 95%; height: 90%; border: thick $accent; background: $surface; padding: 0 1;
    }
    NoteEditor #editor-what { height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    NoteEditor #editor-keys { height: 1; color: $text-muted; }
    NoteEditor Input { height: 3; }
    NoteEditor Horizontal { height: 1fr; }
    NoteEditor TextArea { width: 1fr; height: 1fr; }
    NoteEditor VerticalScroll { width: 1fr; height: 1fr; border-left: vkey $foreground 30%; padding: 0 1; }
    /* a code block's long line wraps, as in the note (NoteView) */
    NoteEditor MarkdownFence { overflow-x: hidden; }
    NoteEditor MarkdownFence > Label { width: 1fr; text-wrap: wrap; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # the fields take it first, in order (_taken); this one where no field has the focus
        Binding(KEEP, "keep", "Keep"),
        Binding("escape", "drop", "Drop", priority=True),
        Binding("tab", "switch", "Title / note", priority=True),
    ]

    def __init__(self, what: str, title: str, markdown: str, *, title_label: str = "title") -> None:
        super().__init__()
        self.what = what
        self.title_text = title
        self.markdown = markdown
        self.title_label = title_label
        self.warned = False  # that escape drops what was written
        self.preview_timer: Timer | None = None  # the redraw waiting for a pause in the typing
        # dismissed, kept or dropped: later keys change nothing (a second dismiss would close
        # the screen under it, the recorder and its steps not written)
        self.closed = False

    def compose(self) -> ComposeResult:
        with Vertical():
            # the keys on a line of their own: after what is edited (a long qualified
            # name), an 80-column terminal cut them
            yield Label(visible(self.what), id="editor-what", markup=False)
            yield Label(KEYS, id="editor-keys", markup=False)
            # not select_on_focus: tab back to the title to mend it, and a key typed there
            # must not replace the whole of it
            yield _TitleField(
                self.title_text,
                placeholder=self.title_label,
                id="editor-title",
                select_on_focus=False,
            )
            with Horizontal():
                yield _NoteField(self.markdown, language="markdown", id="editor-text", soft_wrap=True)
                with VerticalScroll(can_focus=False):
                    yield NoteMarkdown(visible(self.markdown), id="editor-preview", open_links=False)

    def on_mount(self) -> None:
        # the title first: it is the field at the top, the one a user types first (the
        # note first took a title typed, then tab and the note, as the note and the title)
        # at once, not behind the keys waiting (as focus() would): the recorder awaits the
        # editor on screen before it reads the keys typed after e
        self.set_focus(self.query_one(Input))
        # tab: go on writing at the end; the cursor put there at once (keys typed after e
        # may be waiting), the view scrolled to it once the area has its size
        area = self.query_one(TextArea)
        area.move_cursor(area.document.end)
        self.call_after_refresh(area.scroll_cursor_visible)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.preview_timer is not None:
            self.preview_timer.stop()
        self.preview_timer = self.set_timer(PREVIEW_PAUSE, self.redraw_preview)

    def redraw_preview(self) -> None:
        self.preview_timer = None
        self.query_one(Markdown).update(visible(self.query_one(TextArea).text))

    def action_switch(self) -> None:
        """From the note to the title, and back, at once: keys typed after tab in the same
        burst (``focus()`` waits behind them) go where tab went."""
        area = self.query_one(TextArea)
        self.set_focus(self.query_one(Input) if area.has_focus else area)

    def action_keep(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.dismiss((self.query_one(Input).value.strip(), self.query_one(TextArea).text))

    def action_drop(self) -> None:
        if self.closed:
            return
        now = (self.query_one(Input).value, self.query_one(TextArea).text)
        written = now != (self.title_text, self.markdown)
        if written and not self.warned:
            self.warned = True
            self.notify("escape again drops what you wrote; ctrl+s keeps it", severity="warning")
            return
        self.closed = True
        self.dismiss(None)
