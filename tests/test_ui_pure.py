"""Pure parts of the UI: chunked highlighting, word moves, jump history, progress."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from codewalk.ui import highlight
from codewalk.ui.code_view import next_word_col, previous_word_col, word_at
from codewalk.ui.header import off_tour_line
from codewalk.ui.highlight import HighlightedSource, chunk_starts, highlight_lines, unsafe_lines
from codewalk.ui.history import JumpHistory, Location
from codewalk.ui.keys import typed_number
from codewalk.ui.session import web_permalink
from codewalk.ui.state import ProgressStore

# A docstring that spans lines 3-8 and holds code-looking lines, one with an escaped newline.
SOURCE = '''import os

def f():
    """Doc.

    def not_code(x):
        return 'it''s' \\
    """
    return "# not a comment"  # a comment
'''


def _plain(source: HighlightedSource, index: int) -> tuple[tuple[str, object], ...]:
    return tuple((seg.text, seg.style) for seg in source.line(index))


def test_unsafe_lines_are_those_inside_triple_quoted_strings() -> None:
    assert unsafe_lines(SOURCE) == {4, 5, 6, 7}  # 0-based: lines 5-8 start inside the docstring


def test_chunks_never_start_inside_a_string(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(highlight, "CHUNK", 2)
    starts = chunk_starts(SOURCE, len(SOURCE.splitlines()))
    assert starts == [0, 2, 8]  # 4 and 6 are inside the docstring, so 8 is next


def test_chunked_highlighting_equals_whole_file_highlighting(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(highlight, "CHUNK", 2)
    text = SOURCE * 7
    source = HighlightedSource("m.py", text)
    whole = highlight_lines(source.lines, highlight.lexer_for("m.py"))
    # draw from the bottom up, as a jump to the end of a file would
    for index in reversed(range(len(source))):
        assert _plain(source, index) == tuple((s.text, s.style) for s in whole[index])
    assert sum(styled is not None for styled in source._styled) == len(source)


def test_a_line_is_lexed_only_with_its_chunk(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(highlight, "CHUNK", 4)
    source = HighlightedSource("m.py", "x = 1\n" * 40)
    source.line(21)
    assert sum(styled is not None for styled in source._styled) == 4  # one chunk lexed
    assert "".join(seg.text for seg in source.line(21)) == "x = 1"


def test_lines_split_at_newlines_only() -> None:
    source = HighlightedSource("m.py", "a = '\x0c'\r\nb = 2\n")
    assert source.lines == ["a = '\\f'", "b = 2"]  # one line each; the form feed shown, not sent


def test_word_under_cursor_and_word_moves() -> None:
    text = "        model = Big(3)  # build"
    assert word_at(text, 16) == ("Big", 16)
    assert word_at(text, 18) == ("Big", 16)
    assert word_at(text, 19) == ("Big", 16)  # just after the name still counts
    assert word_at(text, 3) is None
    assert next_word_col(text, 0) == 8
    assert next_word_col(text, 8) == 14
    assert next_word_col(text, 14) == 16
    assert previous_word_col(text, 16) == 14
    assert previous_word_col(text, 8) is None


def test_jump_history_back_forward_and_truncation() -> None:
    history = JumpHistory()
    a, b, c = Location("a.py", 1, 0, 0), Location("b.py", 5), Location("c.py", 9)
    history.push(a, b)
    history.push(b, c)
    assert history.back(c) == b
    assert history.back(b) == a
    assert history.back(a) is None
    assert history.forward(a) == b
    moved = Location("b.py", 7)
    history.push(moved, Location("d.py", 2))  # a new jump drops c
    assert history.forward(Location("d.py", 2)) is None
    assert history.back(Location("d.py", 2)) == moved


def test_progress_store_round_trip_and_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "progress.json"
    store = ProgressStore(path)
    assert store.step("llama-generate") is None
    store.save("llama-generate", 3)
    store.save("trainer", 1)
    assert ProgressStore(path).step("llama-generate") == 3
    assert json.loads(path.read_text())["tours"]["trainer"] == {"step": 1}
    assert [p.name for p in path.parent.iterdir()] == ["progress.json"]  # no temp left
    path.write_text("{not json")
    assert store.step("llama-generate") is None
    store.save("trainer", 2)
    assert store.step("trainer") == 2


def test_web_permalink_is_the_exports() -> None:
    """``y`` copies the link an export would write: on any web host, none for a local one."""
    link = web_permalink("https://github.com/huggingface/transformers.git", "v5.23.0")
    assert link("src/transformers/loss/loss_utils.py", 30, 60) == (
        "https://github.com/huggingface/transformers/blob/v5.23.0/src/transformers/loss/loss_utils.py#L30-L60"
    )
    assert link("a.py", 4, 4).endswith("a.py#L4")
    assert (
        web_permalink("git@gitee.com:x/y.git", "v1")("a.py", 1, 2)
        == "https://gitee.com/x/y/blob/v1/a.py#L1-L2"
    )
    assert web_permalink("file:///srv/y.git", "v1")("a.py", 1, 2) is None
    assert web_permalink("https://github.com/x/y.git", "")("a.py", 1, 2) is None


def test_editor_command_and_lit_lines() -> None:
    from codewalk.ui.code_view import Shown
    from codewalk.ui.outside import editor_command, lit_lines, plain_link

    path = Path("/src/pkg/base.py")
    assert editor_command({}, 14, path) == ["vi", "+14", "/src/pkg/base.py"]
    assert editor_command({"EDITOR": "nano", "VISUAL": "code --wait"}, 3, path) == [
        "code",
        "--wait",
        "+3",
        "/src/pkg/base.py",
    ]
    shown = Shown("pkg/base.py", span=(11, 19), focus=(14, 14))
    assert lit_lines(shown, 14) == (14, 14)
    assert lit_lines(shown, 12) == (11, 19)
    assert lit_lines(shown, 30) == (30, 30)
    assert plain_link("a.py", 3, 3) == "a.py:3"
    assert plain_link("a.py", 3, 9) == "a.py:3-9"


def test_digits_typed_together_make_one_step_number_while_the_tour_has_it() -> None:
    assert typed_number("", "1", 2629) == "1"
    assert typed_number("1", "8", 2629) == "18"
    assert typed_number("185", "5", 2629) == "1855"
    assert typed_number("262", "9", 2629) == "2629"
    assert typed_number("263", "1", 2629) == "1"  # 2631 is past the end: 1 starts anew
    assert typed_number("9", "4", 13) == "4"
    assert typed_number("1", "0", 13) == "10"
    assert typed_number("", "0", 13) == "" and typed_number("7", "0", 13) == ""  # no step 0, no 70


def test_the_off_tour_line_cuts_the_way_back_then_the_name_never_the_place() -> None:
    def line(width: int, name: str = "LlamaAttention") -> str:
        return str(off_tour_line(1, name, "modeling_llama.py:261", width))

    assert line(72) == "off tour (r: return to step 1)  LlamaAttention (modeling_llama.py:261)"
    assert line(60) == "off tour (r: step 1)  LlamaAttention (modeling_llama.py:261)"
    assert line(50) == "off tour  LlamaAttention (modeling_llama.py:261)"
    assert line(40) == "off tour  Llama… (modeling_llama.py:261)"
    assert line(30) == "off tour  modeling_llama.py:261"
    assert line(45, name="") == "off tour (r: step 1)  modeling_llama.py:261"
    for width in range(31, 100):
        assert "modeling_llama.py:261" in line(width) and len(line(width)) <= width, width


def test_the_palette_puts_the_class_typed_whole_before_a_module_of_its_name_and_longer_names() -> None:
    """``Layer.__call__`` typed in the palette listed diffusers' ``QwenImageLayeredPipeline
    .__call__`` and paddle's ``paddle.jit.layer.Function.__call__`` (a module ``layer``)
    before ``paddle.nn.layer.layers.Layer.__call__``: among equal matches of the name, the
    class typed comes first, then a module or package of its name, then the rest."""
    from codewalk.resolve.model import Resolved
    from codewalk.ui.session import best_first

    def call(repo: str, qualname: str) -> Resolved:
        return Resolved(repo, qualname, "method", qualname.replace(".", "/") + ".py", 1, 1, 2, "direct", "")

    diffusers = [call("diffusers", "diffusers.pipelines.QwenImageLayeredPipeline.__call__")]
    paddle = [
        call("paddle", "paddle.jit.layer.Function.__call__"),
        call("paddle", "paddle.nn.layer.layers.Layer.__call__"),
    ]
    ranked = [t.qualname for t in best_first([diffusers, paddle], "Layer.__call__")]
    assert ranked == [
        "paddle.nn.layer.layers.Layer.__call__",
        "paddle.jit.layer.Function.__call__",
        "diffusers.pipelines.QwenImageLayeredPipeline.__call__",
    ]
    dotted = best_first([diffusers, paddle], "layers.Layer.__call__")
    assert dotted[0].qualname == "paddle.nn.layer.layers.Layer.__call__"
    untyped = [t.qualname for t in best_first([diffusers, paddle], "__call__")]  # no owner: as they came
    assert untyped == [diffusers[0].qualname, paddle[0].qualname, paddle[1].qualname]


def test_a_fields_own_keys_are_those_textual_binds_on_it() -> None:
    """The fields run their own binding of a key as they receive it: those Textual binds
    on the field, key for key and action for action."""
    from codewalk.ui.fields import Area, Field, PaletteField, declared

    for field in (Field(), Area(), PaletteField()):
        textual_s = field._bindings.key_to_bindings  # what Textual merged for this field
        ours = declared(type(field)).key_to_bindings
        assert {key: [b.action for b in bs] for key, bs in ours.items()} == {
            key: [b.action for b in bs] for key, bs in textual_s.items()
        }
        assert "backspace" in ours


def test_a_field_that_inherits_no_bindings_runs_none_of_its_bases() -> None:
    """``inherit_bindings=False`` (as Textual's ``Static`` says): a field of such a class
    runs only the bindings its class declares, as Textual does."""
    from textual.binding import Binding, BindingType

    from codewalk.ui.fields import Field, declared

    class Bare(Field, inherit_bindings=False):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("f7", "select_all", "Select all")]

    assert {key: [b.action for b in bs] for key, bs in declared(Bare).key_to_bindings.items()} == {
        "f7": ["select_all"]
    }
    assert "backspace" in declared(Field).key_to_bindings
