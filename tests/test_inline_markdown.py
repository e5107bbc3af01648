"""Notes rendered without rich are rendered as rich renders them, byte for byte; what
the quick renderer cannot render exactly it leaves to rich."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codewalk.render import inline_markdown
from codewalk.render.plain import render_markdown, rich_markdown
from codewalk.tours.loader import parse_tour

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = (12, 40, 79, 100, 120)
# A note's link to code, `[text](codewalk:SYMBOL)` or `[text](<codewalk:SYMBOL#FOCUS>)`:
# the plain tour prints its text (and where it leads), never the Markdown link itself
CODEWALK_LINK = re.compile(r"\[((?:[^\]\\]|\\.)*)\]\((?:<codewalk:[^>\n]*>|codewalk:[^)\s]*)\)")


def _notes() -> list[str]:
    notes = []
    for path in sorted((ROOT / "tours").glob("*.yaml")):
        tour = parse_tour(path.read_text(), path)
        notes += [tour.summary, *(step.note for step in tour.steps)]
    return [CODEWALK_LINK.sub(r"\1", note).strip() for note in notes if note.strip()]


def test_the_shipped_notes_render_as_rich_renders_them() -> None:
    notes = _notes()
    quick = 0
    for note in notes:
        for width in WIDTHS:
            rendered = inline_markdown.render(note, width)
            if rendered is not None:
                assert rendered == rich_markdown(note, width=width), (note, width)
                quick += 1
    # most notes are plain paragraphs: the quick renderer must carry them, or rich's
    # import is back on every tour
    assert quick >= 0.8 * len(notes) * len(WIDTHS), f"{quick} of {len(notes) * len(WIDTHS)}"


WORDS = st.sampled_from(
    ["the", "cache", "layer_idx", "x", "a-b", "it's", "(see", "this)", "10%", "=", "end.", "why?", "a,b",
     "supercalifragilisticexpialidocious", "Llama", "q/k/v", '"quoted"', "$x", "{k}", "_private", "**", "*",
     "`", "~~", "[", "&amp;", "#1", "a:b"]
)
PIECES = st.one_of(
    WORDS,
    WORDS.map(lambda w: f"`{w}`"),
    WORDS.map(lambda w: f"*{w}*"),
    WORDS.map(lambda w: f"**{w}**"),
    st.lists(WORDS, min_size=2, max_size=4).map(lambda ws: f"`{' '.join(ws)}`"),
    st.lists(WORDS, min_size=2, max_size=3).map(lambda ws: f"*{' '.join(ws)}*"),
)
PARAGRAPH = st.lists(PIECES, min_size=1, max_size=30).map(" ".join)
SEPARATOR = st.sampled_from([" ", "\n"])


@settings(max_examples=300, deadline=None)
@given(
    paragraphs=st.lists(
        st.lists(PIECES, min_size=1, max_size=25).flatmap(
            lambda ps: st.lists(SEPARATOR, min_size=len(ps) - 1, max_size=len(ps) - 1).map(
                lambda seps: "".join(p + s for p, s in zip(ps, [*seps, ""], strict=True))
            )
        ),
        min_size=1,
        max_size=3,
    ),
    width=st.integers(min_value=4, max_value=120),
)
def test_whatever_the_quick_renderer_renders_rich_renders_alike(paragraphs: list[str], width: int) -> None:
    note = "\n\n".join(paragraphs).strip()
    rendered = inline_markdown.render(note, width)
    if rendered is not None:
        assert rendered == rich_markdown(note, width=width)


@pytest.mark.parametrize(
    "note",
    [
        "# A heading",
        "- a list\n- of two",
        "1. first",
        "a [link](https://example.org)",
        "```\ncode\n```",
        "    indented code",
        "> quoted",
        "Modèle",
        "_emphasis_ by underscores",
        "~~struck~~",
        "a *b`c`*",
        "line one  \nhard break",
        "a | b\n--- | ---",
        "`` `tick` ``",
        "`a``b`",  # one code span: a single backtick closes only on a single one
        "use `x``y` here",
        "AT&amp;T",
        "escaped \\*star\\*",
    ],
)
def test_what_the_quick_renderer_leaves_to_rich(note: str) -> None:
    assert inline_markdown.render(note, 80) is None
    link_ids = re.compile(r"\x1b\]8;id=\d+;")  # rich numbers each hyperlink afresh
    expected = link_ids.sub("", rich_markdown(note, width=80))
    assert link_ids.sub("", render_markdown(note, color=True, width=80)) == expected
