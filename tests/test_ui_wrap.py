"""Pilot tests of how text too long for its pane is shown: a step's title and a row of the
calls panel wrap at their words, under themselves, never inside a word that fits (a name
too wide for a line after its dots, then inside its parts); the calls panel's title wraps
whole."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Label, OptionList
from ui_fakes import make_session, make_stack_tour, run_async, settle

from codewalk.resolve.model import Resolved
from codewalk.ui.app import make_app
from codewalk.ui.calls_panel import CallsPanel
from codewalk.ui.hanging import dotted_breaks
from codewalk.ui.steps import StepsList
from codewalk.workspace.calling import CallList, CallRow


def shown(widget: Widget) -> list[str]:
    """The lines a widget draws, as text, right spaces stripped."""
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


@run_async
async def test_a_step_title_too_long_for_the_list_wraps_at_its_words_under_itself() -> None:
    app = make_app(make_session(tour=make_stack_tour()))
    async with app.run_test(size=(80, 24)) as pilot:  # the steps list shown (s) is 24 wide
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        steps = app.screen.query_one(StepsList)
        lines = shown(steps)
        start = lines.index("●  1 Training calls the")
        assert lines[start + 1] == "     engine"  # the word that does not fit starts the next line
        titles = [step.title for step in make_stack_tour().steps]
        rows: list[str] = []  # each step's lines joined: its title, whole
        for line in lines:
            if line[:1] in "●◐✗◌○" and line[1:5].strip().isdigit():
                rows.append(line[5:])
            elif line.startswith("     ") and line.strip() and rows:
                rows[-1] += " " + line.strip()
        assert rows == titles


@run_async
async def test_a_name_wider_than_the_steps_list_wraps_inside_it_before_a_capital() -> None:
    tour = make_stack_tour()
    first = replace(tour.steps[0], title="So AssistedCandidateGenerator")
    app = make_app(make_session(tour=replace(tour, steps=(first, *tour.steps[1:]))))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        lines = shown(app.screen.query_one(StepsList))
        start = lines.index("●  1 So Assisted")  # a piece fills the line, as after a dot
        assert lines[start + 1] == "     CandidateGenerator"


def test_a_name_wider_than_a_line_breaks_after_its_dots_then_inside_its_parts() -> None:
    def lines(text: str, width: int) -> list[str]:
        cuts = [0, *dotted_breaks(text, width), len(text)]
        return [text[a:b] for a, b in pairwise(cuts)]

    name = "transformers.generation.utils.GenerationMixin._get_candidate_generator"
    assert lines(name, 22) == [
        "transformers.",
        "generation.utils.",
        "GenerationMixin._get_",
        "candidate_generator",
    ]
    assert lines(name, 80) == [name]
    assert lines("a LlamaRMSNorm.forward", 12) == ["a Llama", "RMSNorm.", "forward"]  # a part that fits
    assert lines("x" * 30, 10) == ["x" * 30]  # no place to break: folded by the text's overflow rule
    # a line after a newline starts empty: the recorder's "where" line, a path under a title
    assert lines("● recording rec\n/home/user/my/tours/rec.yaml", 20) == [
        "● recording rec\n/home/user/my/tours/",
        "rec.yaml",
    ]


class _Calls(App[None]):
    def compose(self) -> ComposeResult:
        yield CallsPanel(id="calls")


def _target(qualname: str) -> Resolved:
    return Resolved("transformers", qualname, "function", "src/transformers/x.py", 3, 3, 9, "direct", "")


@run_async
async def test_a_calls_row_too_long_for_the_panel_wraps_what_it_reaches_whole() -> None:
    reached = "transformers.integrations.gguf.get_gguf_tokenizer"
    row = CallRow(399, 8, "call", "get_gguf_tokenizer", "x = get_gguf_tokenizer(y)", "resolved", "direct",
                  (_target(reached),), "", False)  # fmt: skip
    builtin = row._replace(expr="len", targets=(), minor=True)
    calls = CallList(_target("transformers.TokenizersBackend.__init__"), (row, builtin, builtin))
    app = _Calls()
    async with app.run_test(size=(64, 16)) as pilot:
        panel = app.query_one(CallsPanel)
        assert panel.show_calls(calls)
        await pilot.pause()
        lines = shown(panel.query_one(OptionList))
        assert lines[:2] == ["  399  get_gguf_tokenizer  →", "       " + reached]
        title = [line.strip() for line in shown(panel.query_one(Label))]
        assert title == [
            "1 call in __init__ (and 2 builtins or calls on untyped values)",
            "(enter: go, escape: close)",
        ]


LONG_CALL = "loss = self.loss_function(logits=logits, labels=labels, vocab_size=self.config.vocab_size)  # E"
LONG_WORD = "x" * 90 + "TAIL"  # no space to wrap at


@run_async
async def test_a_code_block_in_a_note_wraps_at_the_notes_width_its_lines_read_whole() -> None:
    """A note's code block drew its long lines cut at the note's edge (Textual scrolls a
    code block sideways, with no scrollbar and no key to): they wrap, each read whole in
    the note and in the note editor's preview."""
    from codewalk.ui.note import NoteView
    from codewalk.ui.note_editor import NoteEditor

    note = f"Before.\n\n```python\n{LONG_CALL}\n{LONG_WORD}\n```\n\nAfter."
    tour = make_stack_tour()
    first = replace(tour.steps[0], note=note)
    app = make_app(make_session(tour=replace(tour, steps=(first, *tour.steps[1:]))))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(NoteView)
        fence = view.query_one("MarkdownFence Label", Label)
        assert fence.region.right <= view.content_region.right
        assert "".join(shown(fence)).replace(" ", "") == (LONG_CALL + LONG_WORD).replace(" ", "")  # all drawn
        editor = NoteEditor("step 1", "", note)
        await app.push_screen(editor)
        await pilot.pause(0.5)
        fence = editor.query_one("#editor-preview MarkdownFence Label", Label)
        preview = editor.query_one("#editor-preview").parent
        assert preview is not None and fence.region.right <= preview.region.right
        assert "".join(shown(fence)).replace(" ", "") == (LONG_CALL + LONG_WORD).replace(" ", "")


LONG_NAME = "transformers.modeling_utils.PreTrainedModel.save_pretrained"  # wider than a toast's line


@run_async
async def test_a_notification_breaks_a_name_too_wide_for_it_after_its_dots() -> None:
    """The recorder's toast for a step added drew ``...PreTrainedModel.save_pretrain`` and
    ``ed, no focus`` on the next line: a name too wide for a line of the toast breaks after
    its dots, the rest of the message wraps at its words."""
    from textual.widgets._toast import Toast

    app = make_app(make_session(tour=make_stack_tour()))
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        await settle(pilot)
        app.notify(f"step 1: {LONG_NAME}, no focus (the symbol's header)", markup=False)
        await pilot.pause(0.1)
        toast = app.screen.query_one(Toast)
        drawn = toast.render_lines(toast.region.reset_offset)
        lines = [text for line in drawn if (text := "".join(s.text for s in line).strip(" ▌"))]
        assert lines == [
            "step 1: transformers.modeling_utils.PreTrainedModel.",
            "save_pretrained, no focus (the symbol's header)",
        ]


@run_async
async def test_a_name_too_wide_for_the_note_breaks_after_its_dots_in_the_note_and_its_title() -> None:
    """A qualified name wider than the note's column, in its text or as a step's title,
    was folded mid-name (``..._get_candidate_gen`` / ``erator``): it breaks after its dots."""
    from codewalk.ui.note import NoteView

    name = "transformers.generation.utils.GenerationMixin._get_candidate_generator"
    tour = make_stack_tour()
    first = replace(tour.steps[0], title=name, note=f"Then `{name}` picks it.")
    app = make_app(make_session(tour=replace(tour, steps=(first, *tour.steps[1:]))))
    async with app.run_test(size=(60, 40)) as pilot:  # the note under the code, 60 wide
        await settle(pilot)
        view = app.screen.query_one(NoteView)
        drawn = [line.strip() for block in view.query("MarkdownBlock") for line in shown(block)]
        assert [line for line in drawn if line][1:] == [
            "transformers.generation.utils.GenerationMixin.",  # the title
            "_get_candidate_generator",
            "Then transformers.generation.utils.GenerationMixin.",  # the note
            "_get_candidate_generator picks it.",
        ]
