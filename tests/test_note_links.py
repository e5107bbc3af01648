"""A note's links and code spans (tours/notes.py), several regions and links in a tour
file (the loader), the lines a step shows (tours/shown.py) and the note warnings of
``check`` (tours/note_warnings.py): pure, on inline text."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codewalk.errors import TourError
from codewalk.resolve.model import Resolved
from codewalk.tours.loader import parse_tour
from codewalk.tours.model import ResolvedLink, ResolvedStep, Step
from codewalk.tours.note_warnings import step_warnings
from codewalk.tours.notes import identifier, rewrite_links, scan
from codewalk.tours.shown import shown_lines, windows

PATH = Path("tours/t.yaml")


def test_the_three_link_forms_and_their_parts() -> None:
    note = (
        "Then [`Accelerator.backward`](codewalk:accelerate.Accelerator.backward) runs,\n"
        "after [the fp16 check](<codewalk:Trainer._inner_training_loop#if args.fp16>) and\n"
        "[this test](<codewalk:#/if labels is not None:/>)."
    )
    links = scan(note).links
    assert [(link.query, link.focus, link.plain_text) for link in links] == [
        ("accelerate.Accelerator.backward", None, "Accelerator.backward"),
        ("Trainer._inner_training_loop", "if args.fp16", "the fp16 check"),
        ("", "/if labels is not None:/", "this test"),
    ]
    assert note[links[0].start : links[0].end] == (
        "[`Accelerator.backward`](codewalk:accelerate.Accelerator.backward)"
    )
    assert rewrite_links(note, links, lambda i, link: f"<{i}:{link.plain_text}>") == (
        "Then <0:Accelerator.backward> runs,\nafter <1:the fp16 check> and\n<2:this test>."
    )


def test_what_is_not_a_codewalk_link() -> None:
    note = (
        "[web](https://example.org/a_(b)) \\[not](codewalk:x) `[code](codewalk:y)`\n"
        "[spaces](codewalk:a b)\n"
        "```\n[fenced](codewalk:w) `fenced`\n```\n"
        "[nested [brackets]](codewalk:n.m) [title](codewalk:t 'a title')"
    )
    parts = scan(note)
    assert [link.target for link in parts.links] == ["n.m", "t"]
    assert [span.text for span in parts.code_spans] == ["[code](codewalk:y)"]
    assert parts.problems == ()


def test_a_link_that_names_nothing_is_a_problem() -> None:
    problems = scan("[a](codewalk:) [b](codewalk:#) [c](<codewalk:x#  >) [d](codewalk:1x)").problems
    assert problems == (
        "link [a](codewalk:) names nothing: write codewalk:SYMBOL, codewalk:SYMBOL#FOCUS or codewalk:#FOCUS",
        "link [b](codewalk:#) names nothing: write codewalk:SYMBOL, codewalk:SYMBOL#FOCUS or codewalk:#FOCUS",
        "link [c](codewalk:x#  ): the focus after '#' is empty",
        "link [d](codewalk:1x): '1x' is not a dotted name",
    )


def test_a_codewalk_link_whose_destination_does_not_close_is_a_problem() -> None:
    """``[x](<codewalk:f#a >= b>)``: the ``>`` of ``>=`` ends the destination, and the link
    is text to a Markdown reader; said, not left for a warning that the name is not linked."""
    note = "[`max_length`](<codewalk:Stop.__call__#cur_len >= self.max_length>) [ok](<codewalk:f#a \\>= b>)"
    parts = scan(note)
    assert parts.problems == (
        "link [`max_length`](<codewalk:…>) does not close where its destination ends: "
        "inside <…>, a > or < is written \\> or \\<, and no line breaks",
    )
    assert [link.focus for link in parts.links] == ["a >= b"]
    assert scan("[a](<http://x >y>) [b](<codewalk:x>)").problems == ()  # not a codewalk link; one that closes
    assert scan("[unclosed](<codewalk:z)").problems  # what was text is said


def test_code_spans_as_commonmark_reads_them() -> None:
    spans = scan("`a` ``b`c`` ` d ` ``unclosed `f\ng`").code_spans
    assert [span.text for span in spans] == ["a", "b`c", "d", "f g"]
    assert [identifier(text) for text in ("x", "a.b", "f()", "a.f(...)", "f(x)", "a b", "1a", "x.")] == [
        "x",
        "a.b",
        "f",
        "a.f",
        None,
        None,
        None,
        None,
    ]


def test_links_nest_as_commonmark_reads_them_the_inner_one_wins() -> None:
    parts = scan("[a [`b`](codewalk:x.b) `c`](codewalk:y) and [`d` of `e`](codewalk:z)")
    assert [link.target for link in parts.links] == ["x.b", "z"]
    assert [(span.text, span.in_link.target if span.in_link else None) for span in parts.code_spans] == [
        ("b", "x.b"),
        ("c", None),
        ("d", "z"),
        ("e", "z"),
    ]
    assert [link.plain_text for link in parts.links] == ["b", "d of e"]  # every span's backticks dropped


HOSTILE_NOTES = {  # each took tens of seconds, or raised RecursionError, before one pass
    "links without an end": "[x](" * 24_000,
    "nested brackets": "[" * 30_000 + "]" * 30_000,
    "nested links": "[" * 5_000 + "[x](codewalk:a)" + "](codewalk:b)" * 5_000,
    "unclosed titles": "[x](a (" * 14_000,
    "backticks of every length": " ".join("`" * n for n in range(1, 400)),
}


def test_a_hostile_note_is_read_in_one_pass() -> None:
    """Run in a child under a timeout: a scan that goes back over the note for each
    bracket would not finish (and a recursive one would overflow the stack)."""
    script = textwrap.dedent(
        """
        import json, sys
        from codewalk.tours.notes import scan
        notes = json.load(sys.stdin)
        found = {name: scan(note) for name, note in notes.items()}
        print(json.dumps({name: [len(p.links), len(p.code_spans)] for name, p in found.items()}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(HOSTILE_NOTES),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "links without an end": [0, 0],
        "nested brackets": [0, 0],
        "nested links": [1, 0],  # the innermost; the brackets around it are text
        "unclosed titles": [0, 0],
        "backticks of every length": [0, 0],
    }


TOUR = """\
title: T
steps:
  - at: Trainer.step
    focus:
      - "out = self.layer(x)"
      - /self\\.accelerator\\.backward/
    note: |
      See [`backward`](codewalk:accelerate.Accelerator.backward).
  - at: Trainer.train
    focus: "loop = retry("
"""


def test_focus_may_list_regions_each_with_its_line() -> None:
    first, second = parse_tour(TOUR, PATH).steps
    assert first.focus == ("out = self.layer(x)", r"/self\.accelerator\.backward/")
    assert first.focus_lines == (5, 6)
    assert [link.target for link in first.links] == ["accelerate.Accelerator.backward"]
    assert (second.focus, second.focus_lines) == (("loop = retry(",), (10,))


@pytest.mark.parametrize(
    ("focus", "message"),
    [
        ("[]", "t.yaml:4: step 1: 'focus' is an empty list"),
        ('["a", 3]', "t.yaml:4: step 1: 'focus 2' must be a string (a text or /regex/), found a number"),
        ('["a", "/(/"]', "t.yaml:4: step 1: invalid regex '/(/' in 'focus 2': "),
        ('["a", "  "]', "t.yaml:4: step 1: 'focus 2' is empty"),
        (
            '["a", {"b": 1}]',
            "t.yaml:4: step 1: 'focus 2' must be a string (a text or /regex/), found a mapping",
        ),
    ],
)
def test_a_bad_region_names_its_place(focus: str, message: str) -> None:
    with pytest.raises(TourError) as info:
        parse_tour(f"title: T\nsteps:\n  - at: X\n    focus: {focus}\n", PATH)
    assert str(info.value).startswith(f"tours/{message}")


def test_a_bad_link_is_an_error_of_the_tour_file() -> None:
    with pytest.raises(TourError) as info:
        parse_tour("title: T\nsteps:\n  - at: X\n    note: see [it](codewalk:)\n", PATH)
    assert str(info.value).startswith("tours/t.yaml:4: step 1: link [it](codewalk:) names nothing")
    with pytest.raises(TourError) as info:
        parse_tour("title: T\nsteps:\n  - at: X\n    note: |\n      [r](<codewalk:#/a(/>)\n", PATH)
    assert str(info.value).startswith(
        "tours/t.yaml:4: step 1: invalid regex '/a(/' in link [r](codewalk:#/a(/)"
    )


def test_windows_around_each_region_of_a_long_span() -> None:
    assert windows(1, 100, [(50, 50)]) == [(1, 100)]  # short: whole
    assert windows(1, 500, []) == [(1, 120)]
    assert windows(1, 500, [(200, 201), (400, 400)]) == [(188, 231), (388, 430)]
    assert windows(1, 500, [(200, 200), (240, 240)]) == [(188, 270)]  # touching windows are one
    assert windows(1, 500, [(490, 495)]) == [(478, 500)]
    shown = shown_lines(10, 500, [(300, 300)], header=13)
    assert shown[:5] == [10, 11, 12, 13, 288] and shown[-1] == 330
    assert shown_lines(10, 500, [(300, 300)], header=30)[:2] == [30, 288]  # many decorators: the def line


def _target(start: int, end: int, line: int | None = None) -> Resolved:
    return Resolved(
        "app", "app.m.f", "function", "m.py", line or start, start, end, "direct", "", version="1"
    )


def _resolved(note: str, start: int, end: int, regions: tuple[tuple[int, int], ...] = ()) -> ResolvedStep:
    step = Step(1, "f", None, (), None, None, note, 7, links=scan(note).links)
    target = _target(start, end)
    links = tuple(ResolvedLink(link, target, (start, end), "app", "1") for link in step.links)
    return ResolvedStep(step, "resolved", target, None, (target,), (), None, "app", "1", regions, links)


def _defines_nothing(name: str) -> bool:  # a pin that defines no name a note writes
    return False


CODE = "\n".join(
    ["def f(x):", "    y = helper(x)", "    return y.total"]
    + [f"    line_{n} = {n}" for n in range(4, 300)]
    + ["    hidden_call(y)"]
)


def test_a_note_warns_about_a_name_the_step_does_not_show() -> None:
    note = (
        "`f` calls `helper` and reads `Y.total`, then `hidden_call(...)` and `gone()`; "
        "`None` is a keyword, `a + b` no name, [`gone`](codewalk:gone) a link, `x.y(z)` a call."
    )
    warnings = step_warnings(_resolved(note, 1, 300), PATH, CODE, _defines_nothing)
    assert [w.name for w in warnings] == ["hidden_call(...)"]
    assert warnings[0].message == (
        "tours/t.yaml:7: step 1 (f): the note names `hidden_call(...)`, which is neither on the "
        "lines 1-120 the step shows nor linked: link it, or widen the focus"
    )
    # a second region brings the line on screen
    assert step_warnings(_resolved(note, 1, 300, ((2, 2), (300, 300))), PATH, CODE, _defines_nothing) == []


def test_the_class_and_module_of_the_steps_own_symbol_are_shown() -> None:
    """A step at a method shows its qualified name above its code (``tour --plain``'s
    header, the terminal UI's): a note naming the method's class (`` `TextIteratorStreamer` ``
    at ``TextIteratorStreamer.on_finalized_text``) or its module names what the reader
    sees; a class the name merely ends like does not."""
    method = "    def put(self, value):\n        self.queue.put(value)\n"
    target = Resolved("app", "app.streams.Streamer.put", "method", "app/streams.py", 1, 1, 2, "direct", "")

    def names(note: str) -> list[str]:
        step = Step(1, "put", None, (), None, None, note, 7)
        resolved = ResolvedStep(step, "resolved", target, None, (target,), (), None, "app", "1")
        return [w.name for w in step_warnings(resolved, PATH, method, _defines_nothing)]

    assert names("A `Streamer` keeps a `queue` (in `streams`, `app.streams.Streamer`).") == []
    assert names("Not an `Other` nor a `BigStreamer`, nor `Streamer.get` nor `app.Streamer`.") == [
        "Other",
        "BigStreamer",
        "Streamer.get",
        "app.Streamer",
    ]


def test_a_file_name_or_a_state_dict_key_is_no_code_unless_the_pin_defines_it() -> None:
    note = (
        "It writes `config.json`, `model.safetensors` and `vocab.TXT`, keyed `lm_head.weight` and "
        "`model.layers.0.q_proj.bias`; `y.weight` and `x.bias` are code (`y` is), and so are "
        "`resp.json()`, `self.config.to_json_string` and `hidden_call`."
    )
    warnings = step_warnings(_resolved(note, 1, 300), PATH, CODE, _defines_nothing)
    assert [w.name for w in warnings] == [
        "y.weight",
        "x.bias",
        "resp.json()",
        "self.config.to_json_string",
        "hidden_call",
    ]
    # a name the pin defines is code whatever its shape
    defined = step_warnings(_resolved(note, 1, 300), PATH, CODE, lambda name: name == "config.json")
    assert [w.name for w in defined][:2] == ["config.json", "y.weight"]


def test_the_name_of_a_compiled_extension_s_file_is_no_code() -> None:
    """A note on a tour into tokenizers or safetensors names their Rust files and stubs
    (`` `lib.rs` ``, `` `__init__.pyi` ``, `` `attention.cu` ``): file names, as
    `` `config.json` `` is, which no step's lines need to show."""
    note = "A `#[pyclass]` in `lib.rs` (`tokenizer.rs`, `attention.cu`), declared in `__init__.pyi`."
    assert step_warnings(_resolved(note, 1, 300), PATH, CODE, _defines_nothing) == []


def test_a_key_is_code_when_its_symbol_does_not_tokenize() -> None:
    # a word of a string is no name the code uses ...
    closed = 'def f():\n    """Keys such as lm_head."""\n'
    assert step_warnings(_resolved("`lm_head.weight`", 1, 2), PATH, closed, _defines_nothing) == []
    # ... but in a string left open, which names the code uses is not known: the name warns
    code = 'def f():\n    """Keys such as lm_head.\n'
    warnings = step_warnings(_resolved("`lm_head.weight`", 1, 2), PATH, code, _defines_nothing)
    assert [w.name for w in warnings] == ["lm_head.weight"]


def test_a_note_still_the_drafts_placeholder_warns() -> None:
    from codewalk.tours.draft import TODO

    warnings = step_warnings(
        _resolved(f"{TODO}\nIt calls `hidden_call`.", 1, 300), PATH, CODE, _defines_nothing
    )
    assert [w.name for w in warnings] == [TODO]
    assert warnings[0].message == (
        "tours/t.yaml:7: step 1 (f): the note is still the draft's placeholder "
        "('TODO: what the reader should see here.'): write what the reader should see"
    )


def test_a_broken_step_or_an_empty_note_has_no_warning() -> None:
    resolved = _resolved("`nowhere`", 1, 3)
    assert [w.name for w in step_warnings(resolved, PATH, CODE, _defines_nothing)] == ["nowhere"]
    missing = ResolvedStep(resolved.step, "missing", None, None, (), (), "gone", "app", "1")
    assert step_warnings(missing, PATH, CODE, _defines_nothing) == []
    assert step_warnings(_resolved("   ", 1, 3), PATH, CODE, _defines_nothing) == []


def test_a_resolved_step_keeps_focus_and_regions_as_one() -> None:
    step = Step(1, "f", None, (), None, None, "", 1)
    target = _target(1, 3)
    made_with_focus = ResolvedStep(step, "resolved", target, (2, 2), (), (), None, "app", "1")
    assert made_with_focus.regions == ((2, 2),)
    made_with_regions = ResolvedStep(
        step, "resolved", target, None, (), (), None, "app", "1", ((3, 3), (1, 1))
    )
    assert made_with_regions.focus == (3, 3)
    broken = ResolvedLink(scan("[a](codewalk:a)").links[0], None, None, "app", "1", "link [a]: gone")
    with_broken = ResolvedStep(step, "resolved", target, None, (), (), None, "app", "1", links=(broken,))
    assert not with_broken.ok and with_broken.problems == ("link [a]: gone",)


@pytest.mark.parametrize(
    "text",
    [
        "__init__ of <module transformers>",
        "strict.<locals>.wrap.<locals>.init_with_validate",
        "from <frozen importlib._bootstrap>:1229 _handle_fromlist",
        "a `quoted` *name* [x](y) & #1 | ~~z~~ \\",
    ],
)
def test_names_in_markdown_show_as_written(text: str) -> None:
    """As a title (plain) and in a code span, a name reads in Markdown as it is written:
    no bold ``__init__``, no ``<locals>`` taken for an HTML tag."""
    import html

    from markdown_it import MarkdownIt

    from codewalk.tours.notes import code_span, plain_markdown

    render = MarkdownIt("commonmark").render
    assert render(f"## {plain_markdown(text)}") == f"<h2>{html.escape(text, quote=False)}</h2>\n"
    assert render(code_span(text)) == f"<p><code>{html.escape(text, quote=False)}</code></p>\n"


def test_a_link_whose_query_fails_is_broken_but_a_failing_index_is_no_link_s_fault(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A query the resolver refuses makes the link broken, as a step's does; the index
    failing under it (a full disk) is the command's error, never shown as a link problem."""
    from types import SimpleNamespace

    from codewalk.errors import CacheError, QueryError
    from codewalk.tours import linking

    workspace = SimpleNamespace(checkout=SimpleNamespace(repo="app", version="1"))
    step = _resolved("See [g](codewalk:g).", 1, 3)

    def refuse(*_: object) -> None:
        raise QueryError("'g' is not a name")

    monkeypatch.setattr(linking, "find_step_target", refuse)
    resolved = linking.resolve_links(step, workspace, lambda repo: None, ())  # type: ignore[arg-type]
    assert resolved.links[0].error == "link [g](codewalk:g): 'g' is not a name"

    def disk_full(*_: object) -> None:
        raise CacheError("the disk is full: the index cannot be read")

    monkeypatch.setattr(linking, "find_step_target", disk_full)
    with pytest.raises(CacheError, match="disk is full"):
        linking.resolve_links(step, workspace, lambda repo: None, ())  # type: ignore[arg-type]
