"""Recording a tour in the app (pilot tests on the fake packages): steps added at the
cursor in two repositories, a note written, a step moved, the file written and checked;
a tour file's comments kept through an edit; the file the recording never writes over."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, Label, Markdown, OptionList, Static
from textual.widgets._toast import Toast
from ui_fakes import make_session, make_tour, run_async, said, settle

from codewalk.errors import CodewalkError
from codewalk.tours.loader import parse_tour
from codewalk.tours.model import ResolvedStep, Tour
from codewalk.tours.recording import draft_of, new_draft
from codewalk.ui.app import CodewalkApp, make_app
from codewalk.ui.code_view import CodeView
from codewalk.ui.columns import NARROW, SLIM, SLIM_LIST
from codewalk.ui.confirm import Confirm
from codewalk.ui.header import TourHeader
from codewalk.ui.help import RECORD_KEYS, HelpScreen
from codewalk.ui.note import NoteView
from codewalk.ui.note_editor import PREVIEW_PAUSE, NoteEditor
from codewalk.ui.problem import StepProblem
from codewalk.ui.record_panel import RecordPanel
from codewalk.ui.record_screen import RecordScreen
from codewalk.ui.tour_screen import TourScreen


def empty_tour(path: Path) -> Tour:
    return Tour("rec", "rec", "", "pkg", (), path)


def code(app: CodewalkApp) -> CodeView:
    return app.screen.query_one(CodeView)


def notes(app: CodewalkApp) -> list[str]:
    return said(app)


async def go_to(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """ctrl+p, the text, enter: the first symbol found."""
    await pilot.press("ctrl+p", *text)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


RECORDED = """\
id: rec
title: rec
repo: pkg
steps:
  - at: pkg.use.build
    title: Building
    focus: model = Big(3)
    note: |
      `build` makes a `Big` model.
  - at: pkg.base.Model.forward
    focus: /for layer in self\\.layers:\\n\\s*x = layer\\(x\\)/
  - at: ext.engine.Engine.backward
    repo: ext
    focus: scaled = loss / 2
"""


@run_async
async def test_a_new_tour_recorded_in_two_repositories_is_written_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "tours" / "rec.yaml"
    session = make_session(tour=empty_tour(path))
    app = make_app(session, recording=(new_draft("rec", path, "pkg"), None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert "Recording a tour" in str(app.screen.query_one(StepProblem).render())
        where = str(app.screen.query_one("#record-where").render())
        assert "● recording rec" in where and str(path) in where and "new: w writes it" in where

        await pilot.press("a")  # nothing on screen yet
        assert "no code on screen" in notes(app)[-1]
        await go_to(pilot, "build")
        assert code(app).source is not None and code(app).source.path == "pkg/use.py"
        await pilot.press("down")  # model = Big(3)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen.draft.steps[0].at == "pkg.use.build"
        assert app.screen.draft.steps[0].focus == ("model = Big(3)",)

        await go_to(pilot, "train")  # pkg/train.py: engine.backward(model) goes into ext
        await pilot.press("down", "down", "ctrl+right", "ctrl+right", "ctrl+right", "ctrl+right")
        await pilot.press("g")
        await settle(pilot)
        assert code(app).source.path == "ext/engine.py"
        await pilot.press("down", "a")
        await settle(pilot)
        second = app.screen.draft.steps[1]
        assert (second.at, second.repo, second.focus) == (
            "ext.engine.Engine.backward",
            "ext",
            ("scaled = loss / 2",),
        )

        await go_to(pilot, "Model.forward")
        await pilot.press("down", "shift+down")  # two lines chosen: the loop header and its body
        assert code(app).selected_lines == (17, 18)
        await pilot.press("a")
        await settle(pilot)
        third = app.screen.draft.steps[2]
        assert third.focus == (r"/for layer in self\.layers:\n\s*x = layer\(x\)/",)
        # said as the file holds it
        assert notes(app)[-1].endswith(r"focus: /for layer in self\.layers:\n\s*x = layer\(x\)/")
        assert code(app).selected_lines is None

        await pilot.press("[")  # the third step goes up: second now
        assert [s.anchor for s in app.screen.draft.steps] == [
            "pkg.use.build",
            "pkg.base.Model.forward",
            "ext.engine.Engine.backward",
        ]
        await pilot.press("1")  # not a recording key: nothing happens
        app.screen._select(0)
        await edit_note(app, pilot)
        await pilot.press(*"Building")  # the title first, as the editor shows it: at the top
        await pilot.press("tab")
        await pilot.press(*"`build` makes a `Big` model.")
        assert await preview_drawn(pilot, "`build` makes a `Big` model.")
        await pilot.press("escape")  # what was written is not dropped at once
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        assert notes(app)[-1] == "escape again drops what you wrote; ctrl+s keeps it"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.draft.steps[0].note == "`build` makes a `Big` model."
        await pilot.press("e", "x", "escape", "escape")  # said once, then dropped
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.draft.steps[0].note == "`build` makes a `Big` model."
        await pilot.press("e", "escape")  # nothing written: dropped at once
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)

        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, Confirm) and not path.exists()
        await pilot.press("y")
        await settle(pilot)
        assert path.read_text() == RECORDED
        assert parse_tour(path.read_text(), path).steps[2].repo == "ext"
        assert any("check: all 3 steps resolve" in n for n in notes(app))
        assert any(n.endswith(f"(codewalk tour {path} reads it)") for n in notes(app))  # outside the cwd
        assert "written" in str(app.screen.query_one("#record-where").render())


COMMENTED = """\
# A tour kept by hand: this comment stays.
id: kept
title: "Kept"   # quoted on purpose
repo: pkg
steps:
  # the model itself
  - at: Model
    note: First.
  # building the layers
  - at: Model.__init__
    focus: 'self.layers'   # single quotes
    note: Second.
"""


def recording_of(path: Path, text: str = COMMENTED) -> CodewalkApp:
    """The app recording the tour ``text``, written to ``path`` first."""
    path.write_text(text)
    tour = parse_tour(text, path)
    return make_app(make_session(tour=tour), recording=(draft_of(tour, text), text))


@run_async
async def test_a_step_is_added_at_a_line_the_palette_went_to(tmp_path: Path) -> None:
    """``:N`` in the palette puts the cursor on line N of the file on screen, where ``a``
    adds the step; with no file on screen, it says so."""
    path = tmp_path / "tours" / "rec.yaml"
    app = make_app(make_session(tour=empty_tour(path)), recording=(new_draft("rec", path, "pkg"), None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await go_to(pilot, ":3")
        assert ":3: no file is on screen" in notes(app)[-1]
        await go_to(pilot, "build")
        assert code(app).source is not None and code(app).source.path == "pkg/use.py"
        await go_to(pilot, ":10")  # return model.greet("you")
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        assert (screen.draft.steps[0].at, screen.draft.steps[0].focus) == (
            "pkg.use.build",
            ('return model.greet("you")',),
        )


@run_async
async def test_a_symbol_picked_in_the_palette_is_the_symbol_and_a_adds_after_the_step_selected(
    tmp_path: Path,
) -> None:
    """In the recorder, ctrl+p ``Model.forward``, the name of a step already written, and
    enter: the symbol, where the reader goes to add a step, not that step (which was
    listed first, so enter selected it, and ``a`` added after it instead of after the step
    the reader had selected); the step is listed below the symbol, to choose all the same."""
    from textual.command import CommandPalette

    path = tmp_path / "rec.yaml"
    app = recording_of(path, RECORDED)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen) and screen.selected == 0
        await pilot.press("ctrl+p", *"Model.forward")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        rows = [str(option.prompt).split("\n")[0] for option in palette.query_one(OptionList).options]
        assert rows == ["pkg.base.forward", "step 2: pkg.base.Model.forward"]  # the fakes' names are flat
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.selected == 0
        assert code(app).source is not None and code(app).source.path == "pkg/base.py"
        await pilot.press("down", "a")
        await settle(pilot)
        assert [step.anchor for step in screen.draft.steps] == [
            "pkg.use.build",
            "pkg.base.Model.forward",
            "pkg.base.Model.forward",
            "ext.engine.Engine.backward",
        ]
        assert screen.selected == 1 and screen.draft.steps[1].focus != screen.draft.steps[2].focus


@run_async
async def test_comments_survive_an_edit_and_the_file_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "kept.yaml"
    app = recording_of(path)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        assert code(app).source is not None and code(app).source.path == "pkg/base.py"  # step 1's place
        await pilot.press("n", "e")
        await settle(pilot)
        await pilot.press("tab", *" More.")  # from the title to the note, at its end
        await pilot.press("ctrl+s", "[", "w")
        await settle(pilot)
        assert not isinstance(app.screen, Confirm)  # the file it came from: written at once
        assert path.read_text() == (
            "# A tour kept by hand: this comment stays.\n"
            "id: kept\n"
            'title: "Kept"   # quoted on purpose\n'
            "repo: pkg\n"
            "steps:\n"
            "  # building the layers\n"
            "  - at: Model.__init__\n"
            "    focus: 'self.layers'   # single quotes\n"
            "    note: Second. More.\n"
            "  # the model itself\n"
            "  - at: Model\n"
            "    note: First.\n"
        )
        assert any("check: all 2 steps resolve" in n for n in notes(app))


async def edit_note(app, pilot) -> Input:  # type: ignore[no-untyped-def]
    """``e``: the note editor of the step selected, opened; its title field."""
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, NoteEditor)
    return app.screen.query_one("#editor-title", Input)


async def preview_drawn(pilot, text: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the note editor's preview comes to show ``text``, once the typing pauses."""
    preview = pilot.app.screen.query_one("#editor-preview", Markdown)
    for _ in range(20):
        await pilot.pause(PREVIEW_PAUSE)
        if preview.source == text:
            return True
    return False


@run_async
async def test_the_preview_is_drawn_when_the_typing_pauses_not_at_each_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawn at each key, the preview of a note a few hundred characters long took
    longer than a key repeat to render: a held backspace went on deleting for a minute
    after the key was let go. Keys typed and deleted in a run draw it once, after them."""
    drawn: list[str] = []
    update = Markdown.update

    def counted(self: Markdown, markdown: str):  # type: ignore[no-untyped-def]
        if self.id == "editor-preview":
            drawn.append(markdown)
        return update(self, markdown)

    monkeypatch.setattr(Markdown, "update", counted)
    app = recording_of(tmp_path / "kept.yaml", COMMENTED)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await edit_note(app, pilot)
        typed = (*" `build` makes a **Big** model.", *["backspace"] * 6, *"net.")
        await pilot.press("tab", *typed)
        assert await preview_drawn(pilot, "First. `build` makes a **Big** net.")
        assert len(drawn) < len(typed) // 4, drawn  # once, but for a slow machine's pause


@run_async
async def test_the_note_editor_starts_in_the_title_at_its_end_and_tab_goes_to_the_note(
    tmp_path: Path,
) -> None:
    text = COMMENTED.replace("  - at: Model\n", "  - at: Model\n    title: The model\n")
    app = recording_of(tmp_path / "kept.yaml", text)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        title = await edit_note(app, pilot)
        assert title.has_focus
        await pilot.press(*" itself")  # added at the end: the title is not replaced
        await pilot.press("tab", *" Then.", "tab", "!")
        assert title.value == "The model itself!"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        step = app.screen.draft.steps[0]
        assert (step.title, step.note) == ("The model itself!", "First. Then.")


@run_async
async def test_f7_selects_all_of_the_title_or_the_note_as_the_editor_says(tmp_path: Path) -> None:
    """The editor's keys name f7, which selects all of the field it is typed in (the
    note's TextArea had it, unsaid; the title had only ctrl+shift+a, which few terminals
    send apart from ctrl+a): what is typed then replaces it."""
    text = COMMENTED.replace("  - at: Model\n", "  - at: Model\n    title: The model\n")
    app = recording_of(tmp_path / "kept.yaml", text)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await edit_note(app, pilot)
        assert "f7: select all" in str(app.screen.query_one("#editor-keys", Label).render())
        await pilot.press("f7", *"New", "tab", "f7", *"Other.", "ctrl+s")
        await settle(pilot)
        step = app.screen.draft.steps[0]  # type: ignore[attr-defined]
        assert (step.title, step.note) == ("New", "Other.")


@run_async
async def test_a_new_tours_title_typed_with_e_is_the_title_not_added_to_its_id(tmp_path: Path) -> None:
    """A new tour is titled by its id until the author writes one: ``E`` opens on an
    empty title (the id its placeholder), so the title typed is the whole title, not
    ``rec`` followed by it; kept empty, the title stays the id."""
    path = tmp_path / "tours" / "rec.yaml"
    app = make_app(make_session(tour=empty_tour(path)), recording=(new_draft("rec", path, "pkg"), None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        title = app.screen.query_one("#editor-title", Input)
        assert (title.value, title.placeholder) == ("", "rec")
        await pilot.press(*"Records", "tab", *"Why.", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert (app.screen.draft.title, app.screen.draft.summary) == ("Records", "Why.")
        await pilot.press("E")
        await settle(pilot)
        assert app.screen.query_one("#editor-title", Input).value == "Records"  # a title written: as is
        await pilot.press("ctrl+a", "ctrl+k", "ctrl+s")  # emptied: the id again
        await settle(pilot)
        assert app.screen.draft.title == "rec"  # type: ignore[attr-defined]
    untitled = COMMENTED.replace('title: "Kept"   # quoted on purpose', "title: kept")  # titled by its id
    app = recording_of(tmp_path / "kept.yaml", untitled)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("E", "ctrl+s")  # opened and kept as it was: nothing to write
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.saved


@run_async
async def test_keys_typed_in_one_burst_after_tab_go_to_the_note(tmp_path: Path) -> None:
    """``abc``, tab, ``def`` arriving at once (pasted, or sent by a terminal in one read):
    what follows tab goes to the note, not on into the title."""
    app = recording_of(tmp_path / "kept.yaml", COMMENTED)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        title = await edit_note(app, pilot)
        for key in ("a", "b", "c", "tab", "d", "e", "f"):  # posted together, none awaited
            app.post_message(events.Key(key, "\t" if key == "tab" else key))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        step = app.screen.draft.steps[0]  # type: ignore[attr-defined]
        assert (step.title, step.note) == ("abc", "First.def")
    assert title.value == "abc"


@run_async
async def test_keys_typed_in_one_burst_with_e_open_the_editor_and_act_there_in_order(tmp_path: Path) -> None:
    """``e`` and the keys after it arriving at once: each goes to the editor, a backspace
    or an arrow acting where it was typed among the characters (the characters went to
    the code view under the editor and were lost, and a backspace ran behind those typed
    after it); ``E`` likewise."""
    app = recording_of(tmp_path / "kept.yaml", COMMENTED)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        keys = ("e", "a", "b", "backspace", "c", "tab", "x", "left", "y", "backspace", "z")
        for key in keys:  # posted together, none awaited
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        await pilot.press("ctrl+s")
        await settle(pilot)
        step = app.screen.draft.steps[0]  # type: ignore[attr-defined]
        assert (step.title, step.note) == ("ac", "First.zx")
        for key in ("E", "ctrl+a", "ctrl+k", "T", "o", "u", "backspace", "r"):
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.draft.title == "Tor"  # type: ignore[attr-defined]


@run_async
async def test_u_undoes_each_change_not_written_and_none_once_written(tmp_path: Path) -> None:
    """A step with its note deleted (asked first), the other moved, a note edited: ``u``
    undoes them one by one, last first, the step each selected selected again; once all
    are undone there is nothing to write. After ``w``, nothing is undone (the file holds it)."""
    path = tmp_path / "kept.yaml"
    app = recording_of(path, COMMENTED)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        read = [(s.key, s.at, s.focus, s.note) for s in screen.draft.steps]
        await pilot.press("u")
        assert notes(app)[-1] == "nothing to undo"
        await pilot.press("n", "D")  # Model.__init__, with its note: asked first
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert [s.anchor for s in screen.draft.steps] == ["Model"]
        await edit_note(app, pilot)
        await pilot.press("tab", *" More.", "ctrl+s")
        await settle(pilot)
        assert screen.draft.steps[0].note == "First. More."
        await pilot.press("u")
        await settle(pilot)
        assert screen.draft.steps[0].note == "First." and not screen.saved
        await pilot.press("u")  # the step deleted is back, with its note, and selected
        await settle(pilot)
        assert [(s.key, s.at, s.focus, s.note) for s in screen.draft.steps] == read
        assert screen.selected == 1 and screen.saved
        assert "as read: nothing to write" in str(screen.query_one("#record-where").render())
        await pilot.press("[", "w")  # moved up, and written
        await settle(pilot)
        await pilot.press("u")
        assert notes(app)[-1] == "nothing to undo since the tour was written"
        assert [s.anchor for s in screen.draft.steps] == ["Model.__init__", "Model"]
    written = path.read_text()
    assert written.index("  - at: Model.__init__") < written.index("  - at: Model\n")
    assert "# building the layers" in written and "note: Second." in written


@run_async
async def test_ctrl_s_in_a_burst_keeps_the_keys_before_it_and_none_after(tmp_path: Path) -> None:
    """``x``, ``y``, ctrl+s, ``w`` arriving at once (typed ahead on a busy machine, or
    sent by a terminal in one read): the note keeps ``xy`` and no ``w``; in the title too."""
    path = tmp_path / "kept.yaml"
    app = recording_of(path, COMMENTED)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await edit_note(app, pilot)
        await pilot.press("tab")
        for key in ("x", "y", "ctrl+s", "w", "z"):  # posted together, none awaited
            app.post_message(events.Key(key, None if key == "ctrl+s" else key))
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.draft.steps[0].note == "First.xy"
        await edit_note(app, pilot)  # the title field has the focus
        for key in ("T", "ctrl+s", "q"):
            app.post_message(events.Key(key, None if key == "ctrl+s" else key))
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert (app.screen.draft.steps[0].title, app.screen.draft.steps[0].note) == ("T", "First.xy")
    assert path.read_text() == COMMENTED  # the w after ctrl+s wrote nothing


@run_async
async def test_ctrl_s_and_escape_in_one_burst_close_the_editor_once(tmp_path: Path) -> None:
    """``ctrl+s`` and ``escape`` arriving together, either way round: ``escape`` (a priority
    binding) closed the editor at once, then the field took ``ctrl+s`` and dismissed it
    again, which closed the recorder under it, its steps not written. The editor closes
    once; the recorder stays, its steps as they were."""
    path = tmp_path / "kept.yaml"
    app = recording_of(path, COMMENTED)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        await pilot.press("a")  # a step not written yet
        await settle(pilot)
        steps = screen.draft.steps
        for burst in (("ctrl+s", "escape"), ("escape", "ctrl+s")):
            await edit_note(app, pilot)
            await pilot.press("tab")
            for key in burst:
                app.post_message(events.Key(key, None))
            await settle(pilot)
            assert app.screen is screen, burst
            assert screen.draft.steps == steps and not screen.saved
    assert path.read_text() == COMMENTED


@run_async
async def test_a_file_that_appeared_or_changed_is_never_written_over_and_the_recording_may_go_beside(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rec.yaml"
    tour = make_tour()
    draft = draft_of(tour, "", path)
    app = make_app(make_session(tour=tour), recording=(draft, None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        path.write_text("mine\n")  # made while recording
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, Confirm) and "a file is there already" in app.screen.question
        await pilot.press("n")  # not beside it either: nothing written, the recording kept
        await settle(pilot)
        assert path.read_text() == "mine\n" and not (tmp_path / "rec.recorded.yaml").exists()
        assert "new: w writes it" in str(app.screen.query_one("#record-where").render())

    kept = tmp_path / "kept.yaml"
    app = recording_of(kept)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("D", "y")  # the step's note goes with it: asked first
        kept.write_text(COMMENTED + "# someone else's line\n")
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert "changed since it was read; not written" in app.screen.question
        beside = tmp_path / "kept.recorded.yaml"
        assert f"Write this recording to {beside} instead, as the tour kept.recorded?" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert kept.read_text().endswith("# someone else's line\n")  # left as it is
        written = parse_tour(beside.read_text(), beside)
        assert written.id == "kept.recorded"  # not a second tour 'kept', which would hide one
        assert len(written.steps) == len(parse_tour(COMMENTED, kept).steps) - 1  # the step deleted
        assert "# the model itself" not in beside.read_text()  # the deleted step's comment went with it
        said = f"{kept} is left as it is; this recording is the tour kept.recorded"
        assert any(said in n for n in notes(app))
        assert "kept.recorded.yaml" in str(app.screen.query_one("#record-where").render())

        beside.unlink()  # removed meanwhile: w (nothing changed) offers to write it there again
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, Confirm) and "Write this recording there again?" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert parse_tour(beside.read_text(), beside).id == "kept.recorded"
        stamp = beside.stat().st_mtime_ns
        await pilot.press("w")  # nothing changed since: not written again, checked
        await settle(pilot)
        assert beside.stat().st_mtime_ns == stamp
        assert any("holds these steps already; checking it" in n for n in notes(app))


@run_async
async def test_the_check_after_writing_marks_a_step_that_does_not_resolve(tmp_path: Path) -> None:
    path = tmp_path / "fake.yaml"
    tour = make_tour()  # its step 3 names nothing
    app = make_app(make_session(tour=tour), recording=(draft_of(tour, "", path), None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("w", "y")
        await settle(pilot)
        assert any("check: 1 to fix\nstep 3 (Nowhere): 'Nowhere' names nothing" in n for n in notes(app))
        rows = app.screen.query_one(RecordPanel).query_one("OptionList")
        assert str(rows.get_option_at_index(2).prompt).startswith("✗  3")  # type: ignore[attr-defined]


def tour_app(path: Path) -> CodewalkApp:
    """The app on the tour ``COMMENTED``, its file written at ``path`` first."""
    path.write_text(COMMENTED)
    return make_app(make_session(tour=parse_tour(COMMENTED, path)))


@run_async
async def test_shift_a_moves_the_selected_step_to_the_cursor_and_keeps_its_note(tmp_path: Path) -> None:
    """A focus mended without deleting the step (and its note) and adding it again: the
    step keeps its title, note, place in the file and the comment above it."""
    from codewalk.tours.yaml_edit import draft_text

    app = recording_of(tmp_path / "kept.yaml")
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        view = code(app)
        assert view.source is not None
        assert view.source.lines[view.cursor[0] - 1].strip().startswith("self.layers")
        await pilot.press("up", "A")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen) and screen.selected == 1
        moved = screen.draft.steps[1]
        assert (moved.at, moved.focus) == ("pkg.base.Model.__init__", ("self.size = size",))
        assert moved.note == "Second."
        assert draft_text(screen.draft).endswith(
            "  # building the layers\n  - at: pkg.base.Model.__init__\n"
            "    focus: 'self.size = size' # single quotes\n    note: Second.\n"
        )
        await pilot.press("u")
        await settle(pilot)
        assert notes(app)[-1] == (  # the focus it was mended from and to (the anchors may read alike)
            "undone: step 2 put at pkg.base.Model.__init__, focus: self.size = size "
            "(it was at Model.__init__, focus: self.layers)"
        )


@run_async
async def test_d_asks_before_it_deletes_a_step_with_a_note(tmp_path: Path) -> None:
    """A note is the author's writing, which nothing brings back: ``D`` asks first; a
    step with none goes at once."""
    app = recording_of(tmp_path / "kept.yaml", COMMENTED.replace("    note: Second.\n", ""))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        assert isinstance(app.screen, Confirm)
        assert app.screen.question == "Delete step 1 (Model) and the note written for it?"
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert [s.anchor for s in app.screen.draft.steps] == ["Model", "Model.__init__"]
        await pilot.press("D", "y")
        await settle(pilot)
        assert [s.anchor for s in app.screen.draft.steps] == ["Model.__init__"]
        await pilot.press("D")  # no note, no title: nothing to lose
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.draft.steps == ()


@run_async
async def test_r_records_the_tour_on_screen_and_q_warns_of_unsaved_steps(tmp_path: Path) -> None:
    path = tmp_path / "kept.yaml"
    app = tour_app(path)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TourScreen)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert [s.anchor for s in app.screen.draft.steps] == ["Model", "Model.__init__"]
        await pilot.press("D", "y", "escape")
        assert isinstance(app.screen, RecordScreen)  # not written: said first
        assert "not written" in notes(app)[-1]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TourScreen)
        assert path.read_text() == COMMENTED


@run_async
async def test_w_after_edits_undone_says_the_file_holds_them_and_q_leaves_at_once(tmp_path: Path) -> None:
    """A step moved down and back up: the file holds the steps already, so ``w`` writes
    nothing, and the recording is as written (it still said "changed: w writes it", and
    ``q`` warned of changes not written)."""
    path = tmp_path / "kept.yaml"
    app = recording_of(path)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        await pilot.press("]", "[", "u")
        await settle(pilot)
        assert notes(app)[-1] == "undone: step 2 (Model) moved up"
        await pilot.press("[")
        await settle(pilot)
        assert not screen.saved
        await pilot.press("w")
        await settle(pilot)
        assert screen.saved and any("holds these steps already" in note for note in notes(app))
        assert "as read: nothing to write" in str(screen.query_one("#record-where").render())
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code == 0  # left at once: no warning of changes not written
    assert path.read_text() == COMMENTED


@run_async
async def test_q_in_a_recorder_opened_over_a_tour_goes_back_to_it_as_the_footer_says(tmp_path: Path) -> None:
    """``q`` closes the recorder as it closes every screen opened over another: back to
    the tour (it quit the app, the tour or trace read lost), warned first of changes not
    written; the footer says ``Close``. Where the recorder is the app's own screen, ``q``
    quits, and the footer says ``Quit``."""
    from textual.widgets._footer import FooterKey

    def q_says(app: CodewalkApp) -> list[str]:
        return [key.description for key in app.screen.query(FooterKey) if key.key == "q"]

    path = tmp_path / "kept.yaml"
    app = tour_app(path)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        assert q_says(app) == ["Quit"]  # the tour's q
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and q_says(app) == ["Close"]
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, TourScreen) and app.return_code is None
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("D", "y", "q")  # a change not written: said first
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and "not written" in notes(app)[-1]
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, TourScreen) and app.return_code is None
    assert path.read_text() == COMMENTED
    app = recording_of(path)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        assert q_says(app) == ["Quit"]
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code == 0


@run_async
async def test_ctrl_c_quits_like_q_and_warns_first_of_unsaved_steps(tmp_path: Path) -> None:
    path = tmp_path / "kept.yaml"
    app = tour_app(path)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("D", "y", "ctrl+c")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.return_code is None
        assert "not written" in notes(app)[-1]
        await pilot.press("ctrl+c")
        await settle(pilot)
    assert app.return_code == 0
    assert path.read_text() == COMMENTED


@run_async
async def test_r_on_a_tour_shipped_inside_the_installed_package_says_to_copy_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codewalk import locations

    package = tmp_path / "codewalk"
    (package / "_data" / "tours").mkdir(parents=True)
    path = package / "_data" / "tours" / "kept.yaml"
    path.write_text(COMMENTED)
    monkeypatch.setattr(locations, "_PACKAGE_DIR", package)
    app = make_app(make_session(tour=parse_tour(COMMENTED, path)))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, TourScreen)
        assert "is shipped inside the installed codewalk" in notes(app)[-1]
        assert "record your own copy" in notes(app)[-1]


@run_async
async def test_a_draft_not_written_yet_is_not_lost_on_one_q(tmp_path: Path) -> None:
    """``draft A B --edit`` opens on steps no file holds yet: q warns as for any change."""
    path = tmp_path / "drafted.yaml"
    tour = make_tour()
    app = make_app(make_session(tour=tour), recording=(draft_of(tour, "", path), None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.return_code is None
        assert "not written" in notes(app)[-1]
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code == 0 and not path.exists()

    empty = new_draft("empty", tmp_path / "empty.yaml", "pkg")
    app = make_app(make_session(tour=tour), recording=(empty, None))
    async with app.run_test(size=(150, 44)) as pilot:  # nothing recorded yet: nothing to lose
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code == 0


@run_async
async def test_the_recorder_follows_the_width_as_the_tour_does(tmp_path: Path) -> None:
    """The tour view's rule: under NARROW the note goes under the code, under SLIM the
    steps are hidden and ``s`` shows them; on a wide terminal ``s`` hides them."""
    app = recording_of(tmp_path / "kept.yaml")
    async with app.run_test(size=(SLIM - 10, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        panel = screen.query_one(RecordPanel)
        assert not panel.display or panel.region.width == 0
        assert screen.query_one(CodeView).region.width == SLIM - 10
        note = screen.query_one(NoteView)
        assert note.region.y > screen.query_one(CodeView).region.y  # under the code
        await pilot.press("s")
        await settle(pilot)
        assert panel.region.width == SLIM_LIST
        assert screen.query_one(CodeView).region.width == SLIM - 10 - SLIM_LIST
        await pilot.press("s")
        await settle(pilot)
        assert panel.region.width == 0 and screen.query_one(CodeView).region.width == SLIM - 10

    app = recording_of(tmp_path / "kept.yaml")
    async with app.run_test(size=(NARROW + 10, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        panel = screen.query_one(RecordPanel)
        note = screen.query_one(NoteView)
        assert panel.region.width > 0 and note.region.x > screen.query_one(CodeView).region.x
        await pilot.press("s")
        await settle(pilot)
        assert panel.region.width == 0
        assert screen.query_one(CodeView).region.width == NARROW + 10 - note.region.width


def row_texts(app: CodewalkApp) -> list[str]:
    rows = app.screen.query_one(RecordPanel).query_one("OptionList")
    return [str(rows.get_option_at_index(n).prompt) for n in range(rows.option_count)]  # type: ignore[attr-defined]


@run_async
async def test_after_w_each_step_is_marked_as_check_says_and_a_change_unmarks_it(tmp_path: Path) -> None:
    """Resolved steps ``●``, a step whose only problem is a note warning its own mark, ``✗``
    only for the step that does not resolve; a step changed since is not checked."""
    path = tmp_path / "fake.yaml"
    tour = make_tour()  # its step 3 names nothing
    draft = draft_of(tour, "", path)
    draft = draft.edit(0, note="WARN: the note says so", title=draft.steps[0].title)
    app = make_app(make_session(tour=tour), recording=(draft, None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        assert [row[0] for row in row_texts(app)] == ["○"] * 4  # not checked yet
        legend = str(app.screen.query_one("#record-legend").render())
        assert "△ note warning" in legend and "✗ does not resolve" in legend and "○ not checked" in legend
        await pilot.press("w", "y")
        await settle(pilot)
        assert [row[0] for row in row_texts(app)] == ["△", "●", "✗", "●"]
        assert any("check: 2 to fix" in n for n in notes(app))

        app.screen._select(1)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("tab", *" More.", "ctrl+s")
        await settle(pilot)
        assert [row[0] for row in row_texts(app)] == ["△", "○", "✗", "●"]  # step 2 changed since
        await pilot.press("]")  # moved, not changed: its mark stays
        assert [row[0] for row in row_texts(app)] == ["△", "✗", "○", "●"]


@run_async
async def test_a_dialog_opens_over_no_toast_and_a_check_done_meanwhile_is_said_once_it_closes(
    tmp_path: Path,
) -> None:
    """The check's findings (up for 30 s) would cover the note editor opened to fix them:
    opening it clears them (the steps keep their marks); a check that ends while a dialog
    is open says so once it closes."""
    path = tmp_path / "fake.yaml"
    tour = make_tour()  # its step 3 names nothing
    app = make_app(make_session(tour=tour), recording=(draft_of(tour, "", path), None))
    async with app.run_test(size=(150, 44), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("w", "y")
        await settle(pilot)
        assert any("check: 1 to fix" in n for n in notes(app))
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        for key in ("e", "E", "D"):  # the note editor, the tour's, the question before a delete
            screen._select(0)
            screen.draft = screen.draft.edit(0, note="A note.", title=None)  # D asks
            await pilot.press("w")
            await settle(pilot)
            assert any("check: 1 to fix" in n for n in notes(app))
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is not screen and notes(app) == [], key
            assert not app.screen.query(Toast)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen

        await pilot.press("e")
        await settle(pilot)
        screen._checked_as([], screen.draft.steps)  # a check ending while the note is edited
        await settle(pilot)
        assert notes(app) == [] and isinstance(app.screen, NoteEditor)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and notes(app) == ["check: all 4 steps resolve, no note warnings"]


@run_async
async def test_a_step_read_that_does_not_resolve_is_marked_so_and_renumbered_by_D(tmp_path: Path) -> None:
    tour = make_tour()  # its step 3 names nothing
    app = make_app(make_session(tour=tour), recording=(draft_of(tour, "", tmp_path / "fake.yaml"), None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        app.screen._select(2)
        await settle(pilot)
        assert [row[0] for row in row_texts(app)] == ["○", "○", "✗", "○"]  # as the pane says, before w
        app.screen._select(1)
        await pilot.press("D", "y")  # step 2 deleted: the one that does not resolve is step 2 now
        await settle(pilot)
        shown = problem_shown(app)
        assert shown is not None and "Step 2 does not resolve" in shown
        assert [row[0] for row in row_texts(app)] == ["○", "✗", "○"]


@run_async
async def test_at_80x24_the_steps_get_the_column_and_the_keys_give_way(tmp_path: Path) -> None:
    tour = make_tour()
    tour = replace(tour, steps=(*tour.steps, *(replace(step, index=step.index + 4) for step in tour.steps)))
    app = make_app(make_session(tour=tour), recording=(draft_of(tour, "", tmp_path / "fake.yaml"), None))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        panel = app.screen.query_one(RecordPanel)
        steps = panel.query_one("OptionList")
        assert steps.max_scroll_y == 0 and steps.option_count == 8  # every step in view
        assert not panel.query_one("#record-keys").display  # said by ? and the footer
        await pilot.resize_terminal(150, 44)  # room again: the keys are said again
        await settle(pilot)
        assert panel.query_one("#record-keys").display and panel.query_one("#record-legend").display
        keys = panel.query_one("#record-keys", Static)
        said = str(keys.render())
        assert "u undo" in said  # a key the footer leaves out (the recorder's only way back)
        assert keys.size.height == said.count("\n") + 1  # each line fits the column whole


@run_async
async def test_a_name_wider_than_the_recorders_steps_column_breaks_after_its_dots(tmp_path: Path) -> None:
    tour = make_tour()
    long = "DatasetBuilder.download_and_prepare_the_splits"
    tour = replace(tour, steps=(replace(tour.steps[0], title=long), *tour.steps[1:]))
    app = make_app(make_session(tour=tour), recording=(draft_of(tour, "", tmp_path / "fake.yaml"), None))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        steps = app.screen.query_one(RecordPanel).query_one("OptionList")
        lines = [steps.render_line(y).text.strip(" ▌▐│") for y in range(steps.size.height)]
        first = next(n for n, line in enumerate(lines) if line.endswith("1 DatasetBuilder."))
        assert lines[first + 1 : first + 3] == ["download_and_", "prepare_the_splits"], lines


def help_shown(app: CodewalkApp) -> str:
    assert isinstance(app.screen, HelpScreen)
    return "\n".join(str(line.render()) for line in app.screen.query(Static))


@run_async
async def test_help_in_the_recorder_lists_its_keys_and_q_says_whole_what_again_does(tmp_path: Path) -> None:
    path = tmp_path / "kept.yaml"
    app = tour_app(path)
    async with app.run_test(size=(150, 44), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert "return to the current step" in help_shown(app)  # the tour's help, in a tour
        await pilot.press("escape", "R")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        shown = help_shown(app)
        for key, what in [row for _, rows in RECORD_KEYS for row in rows]:
            assert key in shown and what in shown
        assert "[ / ]" in shown and "△" in shown and "note has a warning" in shown
        assert "return to the current step" not in shown and "1 … 9" not in shown
        await pilot.press("question_mark")  # closes it, as in a tour
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)

        await pilot.press("D", "y", "q")
        await settle(pilot)
        said = "changes not written: w writes them; press again to leave without them"
        assert notes(app)[-1] == said and app.return_code is None
        toast = app.screen.query_one(Toast)
        lines = toast.render_lines(toast.region.reset_offset)
        assert " ".join("".join(s.text for s in line).strip(" ▌") for line in lines).split() == said.split()


@run_async
async def test_a_second_q_leaves_unsaved_changes_only_while_the_warning_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """q warns of unwritten changes; q again at once leaves without them. Pressed once
    the warning is gone (the reader went on reading), it warns again: a q out of habit
    loses nothing."""
    from codewalk.ui import record_screen

    clock = [1000.0]
    monkeypatch.setattr(record_screen, "monotonic", lambda: clock[0])
    tour = make_tour()
    app = make_app(make_session(tour=tour), recording=(draft_of(tour, "", tmp_path / "fake.yaml"), None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("D", "y", "q")
        await settle(pilot)
        clock[0] += record_screen.LEAVE_AGAIN + 1  # the warning has gone
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.return_code is None
        assert notes(app)[-2:] == [notes(app)[-1]] * 2  # warned again
        clock[0] += 1
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code is not None


def note_source(app: CodewalkApp) -> str:
    return app.screen.query_one("#note-markdown", Markdown).source


def problem_shown(app: CodewalkApp) -> str | None:
    """The problem shown in place of the code (None: the code is shown)."""
    problem = app.screen.query_one(StepProblem)
    if code(app).display or not problem.has_class("-shown"):
        return None
    return str(problem.render())


@run_async
async def test_a_step_that_does_not_resolve_shows_why_in_place_of_the_code(tmp_path: Path) -> None:
    """Never the code of the step shown before it, nor the intro, nor (a moment later) the
    note of a step passed on the way."""
    tour = make_tour()  # its step 3 names nothing
    app = make_app(make_session(tour=tour), recording=(draft_of(tour, "", tmp_path / "fake.yaml"), None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        app.screen._select(3)
        await settle(pilot)
        assert code(app).source is not None and code(app).source.path == "pkg/use.py"
        await pilot.press("p")
        await settle(pilot)
        shown = problem_shown(app)
        assert shown is not None and "Step 3 does not resolve" in shown and "'Nowhere' names nothing" in shown
        assert "n / p: next / previous step" in shown and "v: " not in shown  # no v in the recorder
        assert note_source(app).startswith("## A missing step")
        assert not any("does not resolve" in n for n in notes(app))  # in place, not a toast
        await pilot.press("p")
        await settle(pilot)
        assert problem_shown(app) is None and code(app).source.path == "pkg/base.py"
        await pilot.press("n")
        await settle(pilot)
        assert problem_shown(app) is not None  # known: at once

        for key in "nppp":  # typed quicker than the list's own messages go round
            app.post_message(events.Key(key, key))
        await settle(pilot)
        for _ in range(5):
            await pilot.pause(0.05)
        assert app.screen.selected == 0 and note_source(app).startswith("## The model")
        await pilot.click("#record-steps", offset=(4, 1))  # a click on step 2 selects it
        await settle(pilot)
        assert app.screen.selected == 1 and note_source(app).startswith("## Building layers")


@run_async
async def test_a_step_whose_focus_is_not_found_shows_its_symbol_and_a_mends_it_there(tmp_path: Path) -> None:
    tour = make_tour()
    lost = replace(tour.steps[1], focus=("this text is not in it",))
    tour = replace(tour, steps=(tour.steps[0], lost))
    app = make_app(make_session(tour=tour), recording=(draft_of(tour, "", tmp_path / "fake.yaml"), None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        problem = app.screen.query_one(StepProblem)
        assert code(app).display and code(app).source.path == "pkg/base.py" and code(app).cursor[0] == 12
        text = str(problem.render())
        assert problem.has_class("-shown") and "does not occur" in text and "A: move the step" in text
        await pilot.press("down", "down", "A")  # the cursor on self.layers = ...: the step moved there
        await settle(pilot)
        assert app.screen.draft.steps[1].focus == ("self.layers = [Layer(i) for i in range(size)]",)
        assert app.screen.draft.steps[1].note == lost.note and not problem.has_class("-shown")


@run_async
async def test_a_first_step_that_does_not_resolve_says_so_on_opening(tmp_path: Path) -> None:
    tour = make_tour()
    tour = replace(tour, steps=(tour.steps[2], *tour.steps[:2]))
    app = make_app(make_session(tour=tour), recording=(draft_of(tour, "", tmp_path / "fake.yaml"), None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        shown = problem_shown(app)
        assert shown is not None and "does not resolve" in shown and "Recording a tour" not in shown


@run_async
async def test_a_step_whose_resolution_fails_says_so_in_place_of_the_code(tmp_path: Path) -> None:
    tour = make_tour()
    session = make_session(tour=tour)

    def failing(repos: object) -> Callable[[int], ResolvedStep]:
        def resolve(index: int) -> ResolvedStep:
            raise CodewalkError("the index is gone")

        return resolve

    session = replace(session, resolver=failing)
    app = make_app(session, recording=(draft_of(tour, "", tmp_path / "fake.yaml"), None))
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        shown = problem_shown(app)
        assert shown is not None and "could not be resolved" in shown and "the index is gone" in shown
        assert "cannot resolve it: the index is gone" in notes(app)
    app = make_app(replace(make_session(tour=tour), resolver=failing))  # the tour view says it alike
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TourScreen)
        shown = problem_shown(app)
        assert shown is not None and shown.startswith("Step 1 could not be resolved")
        assert "the index is gone" in shown and shown.rstrip().endswith("n / p: next / previous step")


@run_async
async def test_at_80_columns_the_recorder_says_its_file_its_steps_and_the_key_that_shows_them(
    tmp_path: Path,
) -> None:
    """The steps column (the file, the steps) is hidden under SLIM columns: the header
    names the file (its name first) and the step count, and the intro and the footer say
    ``s``; every key of the footer fits, and so do the note editor's."""
    from textual.widgets._footer import FooterKey

    path = tmp_path / "tours" / "narrow.yaml"
    app = make_app(make_session(tour=empty_tour(path)), recording=(new_draft("narrow", path, "pkg"), None))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "s shows or hides the steps column" in str(app.screen.query_one(StepProblem).render())
        keys = {key.key: key for key in app.screen.query(FooterKey)}
        assert keys["s"].description == "Steps"
        assert all(key.region.right <= 80 and key.region.width > 0 for key in keys.values())
        await go_to(pilot, "build")
        await pilot.press("a")
        await settle(pilot)
        assert app.screen.query_one(TourHeader).text.startswith(f"● narrow.yaml in {tmp_path / 'tours'}")
        assert "step 1/1" in app.screen.query_one(TourHeader).text

        await pilot.press("e")
        await settle(pilot)
        said = app.screen.query_one("#editor-keys", Label)
        keys = "ctrl+s: keep   escape: drop   tab: title / note   f7: select all"
        assert str(said.render()) == keys and said.region.width >= len(keys)


@run_async
async def test_a_long_question_wraps_in_its_dialog() -> None:
    """The question of a Confirm wraps at the dialog's width: its end (what is asked, a
    path being confirmed) is never cut off at 80 columns."""
    from textual.app import App

    question = "Delete step 2 (transformers.models.llama.modeling_llama.NoSuchClass.forward) and the note?"

    class Asking(App[None]):
        def on_mount(self) -> None:
            self.push_screen(Confirm(question))

    app = Asking()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        label = app.screen.query(Label).first()
        lines = label.render_lines(label.region.reset_offset)
        assert " ".join("".join(s.text for s in line) for line in lines).split() == question.split()
        assert label.region.right <= 80


@run_async
async def test_a_check_with_many_findings_says_a_few_and_counts_the_rest(tmp_path: Path) -> None:
    """Every finding in one toast made it taller than an 80x24 screen, which cut its head:
    the count and the first findings were lost. It says the first few, then how many more
    and the command that lists them all."""
    path = tmp_path / "fake.yaml"
    tour = make_tour()  # its step 3 names nothing
    draft = draft_of(tour, "", path)
    for index in (0, 1, 3):
        draft = draft.edit(index, note="WARN: the note says so", title=draft.steps[index].title)
    app = make_app(make_session(tour=tour), recording=(draft, None))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("w", "y")
        await settle(pilot)
        (told,) = [n for n in notes(app) if n.startswith("check: ")]
        lines = told.splitlines()
        assert lines[0] == "check: 4 to fix" and len(lines) == 5
        assert lines[1].startswith("step 3 (Nowhere): ") and lines[2] == "step 1: the note says WARN"
        assert lines[4] == f"… and 1 more: codewalk check {path} lists all"


@run_async
async def test_the_file_a_recording_goes_to_wraps_after_the_slashes_of_its_path(tmp_path: Path) -> None:
    """The steps column said ``.../tours/save-pre`` then ``trained.yaml``: a path too wide
    for the column breaks after its slashes, its file's name whole."""
    path = tmp_path / "a-directory-of-tours" / "save-pretrained.yaml"
    draft = new_draft("save-pretrained", path, "pkg")
    app = make_app(make_session(tour=empty_tour(path)), recording=(draft, None))
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        where = app.screen.query_one("#record-where", Static)
        lines = [strip.text.strip() for strip in where.render_lines(where.region.reset_offset)]
        start = next(index for index, line in enumerate(lines) if line.startswith("/"))
        end = next(index for index, line in enumerate(lines) if line.endswith(".yaml"))
        assert end > start and "".join(lines[start : end + 1]) == str(path)
        assert all(line.endswith("/") for line in lines[start:end])
        width = where.content_region.width  # each line as full as the next directory lets it be
        path_lines = lines[start : end + 1]
        assert all(len(line) + len(after.split("/")[0]) + 1 > width for line, after in pairwise(path_lines))
        assert lines[end].endswith("/save-pretrained.yaml") or lines[end] == "save-pretrained.yaml"


@run_async
async def test_a_check_s_findings_go_when_the_tour_is_written_again(tmp_path: Path) -> None:
    """The check's findings stay up 30 s, to be read while mending: written again, the tour
    is checked again, and the findings of the file as it was went on saying "1 to fix"
    beside the new check's "all steps resolve"."""
    tour = make_tour()  # its step 3 names nothing
    draft = draft_of(tour, "", tmp_path / "fake.yaml").edit(2, note="", title="")  # nothing to ask before D
    app = make_app(make_session(tour=tour), recording=(draft, None))
    async with app.run_test(size=(150, 44), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("w", "y")
        await settle(pilot)
        (told,) = [n for n in notes(app) if n.startswith("check: ")]
        assert told.startswith("check: 1 to fix\nstep 3 (Nowhere): ")
        app.screen._select(2)  # type: ignore[attr-defined]
        await pilot.press("D")  # no note of the author's: deleted at once
        await pilot.press("w")
        await settle(pilot)
        checks = [n for n in notes(app) if n.startswith("check: ")]
        assert checks == ["check: all 3 steps resolve, no note warnings"]
