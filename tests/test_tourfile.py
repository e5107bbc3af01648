"""The tour loader: every malformed tour is an error naming the file and the line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codewalk.errors import TourError, TourProblems
from codewalk.tours.loader import MAX_PROBLEMS, compile_focus, is_regex, parse_tour

PATH = Path("tours/sample.yaml")


def load(text: str, path: Path = PATH):  # type: ignore[no-untyped-def]
    return parse_tour(textwrap.dedent(text).lstrip("\n"), path)


def error_of(text: str) -> str:
    with pytest.raises(TourError) as info:
        load(text)
    return str(info.value)


GOOD = """
id: sample
title: A sample tour
repo: transformers
summary: |
  Some *Markdown*.
steps:
  - at: transformers.models.llama.modeling_llama.LlamaForCausalLM
    note: |
      The model.
  - at: LlamaModel.__init__
    focus: "self.layers = nn.ModuleList("
    title: The layers
    note: A remark.
  - file: src/transformers/loss/loss_utils.py
    focus: /LOSS_MAPPING\\s*=/
    repo: transformers
"""


def test_a_good_tour_becomes_records_with_step_lines() -> None:
    tour = load(GOOD)
    assert (tour.id, tour.title, tour.repo, tour.path) == ("sample", "A sample tour", "transformers", PATH)
    assert tour.summary == "Some *Markdown*.\n"
    assert [s.index for s in tour.steps] == [1, 2, 3]
    assert [s.line for s in tour.steps] == [7, 10, 14]
    first, second, third = tour.steps
    assert first.at == "transformers.models.llama.modeling_llama.LlamaForCausalLM"
    assert first.file is None and first.focus == () and first.title is None
    assert first.note == "The model.\n"
    assert (second.at, second.focus, second.title, second.note) == (
        "LlamaModel.__init__",
        ("self.layers = nn.ModuleList(",),
        "The layers",
        "A remark.",
    )
    assert (third.at, third.file, third.focus, third.repo, third.note) == (
        None,
        "src/transformers/loss/loss_utils.py",
        (r"/LOSS_MAPPING\s*=/",),
        "transformers",
        "",
    )
    assert third.anchor == "file: src/transformers/loss/loss_utils.py"


def test_id_defaults_to_the_file_stem_and_repo_to_none() -> None:
    tour = load("title: T\nsteps:\n  - at: X\n", Path("somewhere/my-tour.yaml"))
    assert tour.id == "my-tour"
    assert tour.repo is None
    assert tour.summary == ""


def test_bad_yaml_names_the_line() -> None:
    message = error_of(
        """
        title: T
        steps:
          - at: X
            note: "unterminated
        """
    )
    unclosed = "not valid YAML: a quoted scalar begins here and is never closed"
    assert message.startswith(f"tours/sample.yaml:4: {unclosed}")  # the quote's line, not past the end
    message = error_of('id: x\ntitle: T\nsteps:\n  - at: X\n    note: "never closed\n    title: a\n')
    assert message.startswith(f"tours/sample.yaml:5: {unclosed}")
    message = error_of("id: x\nsteps: [a, b\ntitle: T\n")
    first = message.splitlines()[0]  # the words of the problem are the YAML library's
    assert first.startswith("tours/sample.yaml:3: not valid YAML: ")
    assert first.endswith("(in a flow sequence from line 2)")


def test_bad_yaml_indentation_names_the_line() -> None:
    message = error_of("title: T\nsteps:\n  - at: X\n note: bad\n")
    assert message.startswith("tours/sample.yaml:4: not valid YAML:")


def test_unknown_top_level_key() -> None:
    message = error_of("title: T\nauthor: me\nsteps:\n  - at: X\n")
    assert message.startswith("tours/sample.yaml:2: unknown key 'author' in the tour")
    assert "allowed keys: id, title, summary, repo, versions, program, steps" in message


def test_a_misspelled_key_is_named_with_the_key_it_is_close_to() -> None:
    message = error_of("title: T\nsteps:\n  - at: X\n    foucs: 3-4\n")
    assert message.startswith("tours/sample.yaml:4: unknown key 'foucs' in step 1: did you mean 'focus'?")


def test_program_is_a_script_inside_the_tours_directory_and_its_arguments() -> None:
    tour = load("title: T\nprogram: programs/run.py --assistant 'two words'\nsteps:\n  - at: X\n")
    assert tour.program == ("programs/run.py", "--assistant", "two words")
    assert tour.program_line == 2
    for bad in (
        "/tmp/run.py",
        "../run.py",
        "programs/../../run.py",
        "~/run.py",
        "run.sh",
        "run.py 'unclosed",
    ):
        message = error_of(f"title: T\nprogram: {bad}\nsteps:\n  - at: X\n")
        assert message.startswith("tours/sample.yaml:2: 'program'"), message


def test_every_problem_of_a_file_is_named_at_once_in_line_order() -> None:
    text = """
    title: [not, a, string]
    steps:
      - at: 12
      - at: GenerationMixin.generate
      - title: neither at nor file
      - at: LlamaModel.forward
        nte: a misspelled key
    versions: [not-a-version]
    """
    with pytest.raises(TourProblems) as info:
        load(text)
    problems = info.value.problems
    assert [problem.line for problem in problems] == [1, 3, 5, 7, 8]
    assert "'title' must be a string, found a list" in problems[0].message
    assert problems[3].message.endswith("unknown key 'nte' in step 4: did you mean 'note'?")
    shown = str(info.value).splitlines()
    assert shown[0] == f"{PATH}: 5 problems"
    assert shown[1] == f"  {problems[0].message}"
    assert "    hint: give a symbol in 'at' or a path in 'file'" in shown  # each keeps its hint


def test_an_unknown_key_of_the_tour_hides_no_other_problem() -> None:
    text = """
    id: sample
    titel: A misspelt title
    steps:
      - at: X
        att: Y
      - file: ../outside.py
    """
    with pytest.raises(TourProblems) as info:
        load(text)
    assert [problem.message for problem in info.value.problems] == [
        f"{PATH}:2: unknown key 'titel' in the tour: did you mean 'title'?",
        f"{PATH}:5: unknown key 'att' in step 1: did you mean 'at'?",
        f"{PATH}:6: step 2: 'file' '../outside.py' leaves the repository ('..' is not allowed)",
    ]  # no "missing key 'title'": the misspelt key said it


def test_a_missing_key_is_named_beside_an_unknown_one_it_is_not_close_to() -> None:
    with pytest.raises(TourProblems) as info:
        load("author: me\nsteps: not a list\n")
    assert [problem.message for problem in info.value.problems] == [
        f"{PATH}:1: unknown key 'author' in the tour",
        f"{PATH}:1: missing key 'title'",
        f"{PATH}:2: 'steps' must be a list, found a string",
    ]


def test_a_key_given_twice_hides_no_other_problem_of_its_step() -> None:
    with pytest.raises(TourProblems) as info:
        load("title: T\nsteps:\n  - at: X\n    at: Y\n    focus: /[unclosed/\n")
    assert [problem.line for problem in info.value.problems] == [4, 5]


def test_a_file_of_errors_stops_at_the_limit_inside_a_step_too() -> None:
    keys = "".join(f"    bogus{n}: x\n" for n in range(MAX_PROBLEMS * 2))
    with pytest.raises(TourProblems) as info:
        load(f"title: T\nsteps:\n  - at: X\n{keys}")
    assert len(info.value.problems) == MAX_PROBLEMS
    assert all(not isinstance(problem, TourProblems) for problem in info.value.problems)


def test_a_tab_is_named_as_a_tab_with_its_line_and_column() -> None:
    tab = "not valid YAML: a tab at column {}: YAML indents with spaces, never tabs"
    assert error_of("id: tabs\ntitle: T\nsteps:\n\t- at: X\n") == f"{PATH}:4: {tab.format(1)}"
    assert error_of("title: T\nsteps:\n  - at: X\n\tnote: y\n") == f"{PATH}:4: {tab.format(1)}"
    assert error_of("title: T\nsteps:\n  -\tat: X\n") == f"{PATH}:3: {tab.format(4)}"


def test_one_problem_is_raised_as_itself() -> None:
    with pytest.raises(TourError) as info:
        load("title: T\nsteps:\n  - at: A\n  - at: 12\n")
    assert not isinstance(info.value, TourProblems)
    assert info.value.problems == (info.value,)
    assert str(info.value).startswith(f"{PATH}:4: step 2: 'at' must be a string")


def test_a_file_of_errors_stops_being_read_after_the_first_problems() -> None:
    steps = "".join(f"  - at: {n}\n" for n in range(MAX_PROBLEMS * 5))
    with pytest.raises(TourProblems) as info:
        load(f"title: T\nsteps:\n{steps}")
    assert len(info.value.problems) == MAX_PROBLEMS
    assert info.value.problems[-1].line == MAX_PROBLEMS + 2


def test_unknown_step_key_names_its_line() -> None:
    message = error_of(
        """
        title: T
        steps:
          - at: X
          - at: Y
            line: 12
        """
    )
    assert message.startswith("tours/sample.yaml:5: unknown key 'line' in step 2")
    assert "allowed keys: at, file, focus, title, repo, versions, note" in message


def test_wrong_type_of_a_step_value() -> None:
    message = error_of("title: T\nsteps:\n  - at: X\n    focus: 42\n")
    assert message.startswith(
        "tours/sample.yaml:4: step 1: 'focus' must be a string (a text or /regex/) or a list of them, "
        "found a number"
    )
    assert "quote the value" in message


def test_wrong_type_of_the_title() -> None:
    message = error_of("title:\n  - a\n  - b\nsteps:\n  - at: X\n")
    assert message == "tours/sample.yaml:2: 'title' must be a string, found a list"


def test_steps_must_be_a_list() -> None:
    message = error_of("title: T\nsteps:\n  at: X\n")
    assert message == "tours/sample.yaml:3: 'steps' must be a list, found a mapping"


def test_a_step_must_be_a_mapping() -> None:
    message = error_of("title: T\nsteps:\n  - at: X\n  - Y\n")
    assert message == "tours/sample.yaml:4: step 2 must be a mapping of keys, found a string"


def test_step_with_neither_at_nor_file() -> None:
    message = error_of("title: T\nsteps:\n  - at: X\n  - note: lonely\n    title: Z\n")
    assert message.startswith("tours/sample.yaml:4: step 2 has neither 'at' nor 'file'")


def test_step_with_both_at_and_file() -> None:
    message = error_of("title: T\nsteps:\n  - at: X\n    file: src/x.py\n")
    assert message.startswith("tours/sample.yaml:3: step 1 has both 'at' and 'file'")


@pytest.mark.parametrize("path", ["/etc/passwd", "C:/Windows/x.py", "~/x.py"])
def test_absolute_file_path(path: str) -> None:
    message = error_of(f"title: T\nsteps:\n  - at: X\n  - file: '{path}'\n")
    assert message.startswith(
        f"tours/sample.yaml:4: step 2: 'file' {path!r} is absolute; it must be a path inside the repository"
    )


@pytest.mark.parametrize("path", ["../outside.py", "src/../../outside.py", "src/.."])
def test_file_path_leaving_the_checkout(path: str) -> None:
    message = error_of(f"title: T\nsteps:\n  - file: {path}\n")
    assert (
        message == f"tours/sample.yaml:3: step 1: 'file' {path!r} leaves the repository ('..' is not allowed)"
    )


def test_file_path_is_normalised() -> None:
    tour = load("title: T\nsteps:\n  - file: ./src//transformers/x.py\n")
    assert tour.steps[0].file == "src/transformers/x.py"


def test_invalid_regex_focus() -> None:
    message = error_of("title: T\nsteps:\n  - at: X\n    note: n\n    focus: /self.layers = (/\n")
    assert message.startswith("tours/sample.yaml:5: step 1: invalid regex '/self.layers = (/' in 'focus':")
    assert "missing )" in message


def test_duplicate_key_names_both_lines() -> None:
    message = error_of("title: T\nsteps:\n  - at: X\n    note: a\n    note: b\n")
    assert message == "tours/sample.yaml:5: key 'note' appears twice in step 1 (first on line 4)"


def test_missing_title_and_empty_steps() -> None:
    assert error_of("steps:\n  - at: X\n").startswith("tours/sample.yaml:1: missing key 'title'")
    assert error_of("title: T\nsteps: []\n").startswith("tours/sample.yaml:2: 'steps' is empty")


def test_empty_file_and_a_plain_scalar() -> None:
    assert error_of("").startswith("tours/sample.yaml:1: the file is empty")
    assert error_of("just text\n") == (
        "tours/sample.yaml:1: the tour must be a mapping of keys, found a string"
    )


def test_bad_tour_id() -> None:
    message = error_of("id: has space\ntitle: T\nsteps:\n  - at: X\n")
    assert message.startswith("tours/sample.yaml:1: tour id 'has space' must be letters")


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"title: T\nsteps:\n  - at: X\n    note: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(TourError) as info:
        parse_tour(text, PATH)
    assert str(info.value).startswith(
        "tours/sample.yaml:4: step 1: 'note' must be a string, found a value tagged "
        "tag:yaml.org,2002:python/object/apply:os.system"
    )
    assert not marker.exists()


def test_focus_forms() -> None:
    assert is_regex("/a+b/") and not is_regex("a/b") and not is_regex("//")
    assert compile_focus("/x\\s*=/").search("x  = 1")
    assert compile_focus("a.b(").search("call a.b(1)")
    assert not compile_focus("a.b(").search("aXb(")


def test_a_raw_control_character_is_named_with_its_line_and_column_in_one_line() -> None:
    message = error_of("title: T\nsteps:\n  - at: X\n    note: a\x07b\n")
    assert message == (
        "tours/sample.yaml:4: not valid YAML: a character YAML does not allow (U+0007) at column 12: "
        "control characters are not allowed"
    )


@pytest.mark.parametrize(
    ("step", "line", "key", "char"),
    [
        ('  - file: "src/a\\0b.py"\n', 3, "file", "U+0000"),
        ('  - file: "src/a\\tb.py"\n', 3, "file", "U+0009"),
        ('  - at: "Foo\\x1bBar"\n', 3, "at", "U+001B"),
        ('  - at: "Foo.bar\\nBaz"\n', 3, "at", "U+000A"),
        ('  - at: X\n    focus: "a\\0b"\n', 4, "focus", "U+0000"),
        ('  - at: X\n    focus: "/a\\x7fb/"\n', 4, "focus", "U+007F"),
    ],
)
def test_control_characters_in_anchors_are_refused(step: str, line: int, key: str, char: str) -> None:
    message = error_of(f"title: T\nsteps:\n{step}")
    assert message.startswith(
        f"tours/sample.yaml:{line}: step 1: {key!r} contains a control character ({char})"
    )
    assert "\n" not in message.split("\n  hint:")[0]  # one line, the value escaped


def test_tabs_and_newlines_are_fine_in_a_focus() -> None:
    tour = load('title: T\nsteps:\n  - at: X\n    focus: "a\\tb\\nc"\n  - at: "  Y\\n"\n')
    assert tour.steps[0].focus == ("a\tb\nc",)
    assert tour.steps[1].at == "Y"  # surrounding whitespace (a block scalar's newline) is trimmed


@pytest.mark.parametrize("key", ["title", "note"])
def test_escape_sequences_in_text_are_refused(key: str) -> None:
    # A double-quoted YAML escape is the only way in: the raw stream refuses ESC itself.
    message = error_of(f'title: T\nsteps:\n  - at: x\n    {key}: "red \\e[31m alert"\n')
    assert message.startswith(f"tours/sample.yaml:4: step 1: '{key}' contains a control character (U+001B)")


def test_a_step_marked_not_run_says_why() -> None:
    """``not_run``: why the tour's program does not run the step (check --run expects it
    not to run); empty, or not text, it is refused with its line."""
    tour = load("title: T\nsteps:\n  - at: X\n    not_run: DeepSpeed needs GPUs \n  - at: Y\n")
    assert [step.not_run for step in tour.steps] == ["DeepSpeed needs GPUs", None]
    assert error_of("title: T\nsteps:\n  - at: X\n    not_run: ' '\n") == (
        "tours/sample.yaml:4: step 1: 'not_run' is empty\n"
        "  hint: say why the tour's program does not run this step"
    )
    assert error_of("title: T\nsteps:\n  - at: X\n    not_run: true\n").startswith(
        "tours/sample.yaml:4: step 1: 'not_run' must be a string, found a boolean"
    )
