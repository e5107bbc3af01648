"""Recording, the pure parts: a step made from a place in the code (tours/recording.py),
the draft written back as YAML that keeps the file's comments and layout
(tours/yaml_edit.py), and where and how a recorded tour is written (tours/saving.py)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from codewalk.errors import TourError, TourFileTaken
from codewalk.tours.focus import focus_lines
from codewalk.tours.loader import parse_tour
from codewalk.tours.recording import DraftStep, draft_of, enclosing, new_draft, step_at
from codewalk.tours.saving import beside, new_tour_path, new_tour_place, write_tour
from codewalk.tours.yaml_edit import draft_text
from tests.shipped import SHIPPED_TOURS

SHIPPED = Path(__file__).parent.parent / "tours"

CODE = '''\
"""A module."""
import os


@decorated
class Trainer:
    """Trains."""

    def step(self, x):
        out = self.layer(
            x,
        )
        if out:
            return out
        return None

    def helper(self):
        def inner():
            return os.sep
        return inner


TABLE = {"a": 1}
'''


def at(first: int, last: int | None = None, tour_repo: str | None = "pkg") -> DraftStep:
    return step_at(
        CODE,
        repo="pkg",
        path="src/pkg/mod.py",
        package_root="src",
        first=first,
        last=last,
        tour_repo=tour_repo,
    )


def test_a_step_at_the_cursor_is_anchored_on_the_symbol_around_it() -> None:
    step = at(11)  # inside the call's arguments: the whole statement is lit
    assert (step.at, step.file, step.focus, step.repo) == (
        "pkg.mod.Trainer.step",
        None,
        ("out = self.layer(",),
        None,
    )
    assert step.spot is not None and step.spot.regions == ((10, 12),) and step.spot.span == (9, 15)
    assert at(13).focus == ("if out:",)
    assert at(14).focus == ("return out",)
    assert at(15).focus == ("return None",)  # the first "return" of the span is another line
    assert at(9).focus == ()  # the symbol's own header: nothing more to light
    assert at(19).at == "pkg.mod.Trainer.helper.<locals>.inner"  # named as calls and find name it
    assert at(20).at == "pkg.mod.Trainer.helper"
    assert at(5).at == "pkg.mod.Trainer" and at(5).focus == ()  # the decorator is the class's
    assert at(7).focus == ('"""Trains."""',)


def test_a_docstring_opened_on_a_line_of_its_own_is_focused_on_its_first_words() -> None:
    code = 'def f(x):\n    """\n    Adds one.\n\n    More.\n    """\n    return x + 1\n'
    for line in (2, 3, 5):
        step = step_at(code, repo="pkg", path="src/pkg/mod.py", package_root="src", first=line)
        assert step.focus == ("Adds one.",), line
        assert step.spot is not None and step.spot.regions == ((2, 6),), line


def test_a_chosen_range_and_a_place_outside_any_symbol() -> None:
    step = at(10, 13)
    assert step.focus == (r"/out = self\.layer\(\n(?:.*\n)*?\s*if out:/",)  # the first and last line
    assert step.spot is not None and step.spot.regions == ((10, 13),)
    assert focus_lines(CODE, (9, 15), step.focus[0]) == (10, 13)
    assert at(14, 15).focus == (r"/return out\n\s*return None/",)  # two lines: both, as they are
    module_level = at(2)
    assert (module_level.at, module_level.file) == (None, "src/pkg/mod.py")
    assert module_level.focus == ("import os",)
    other = at(14, tour_repo="transformers")
    assert other.repo == "pkg"  # not the tour's repository: said
    outside = step_at(CODE, repo="pkg", path="scripts/run.py", package_root="src", first=10)
    assert (outside.at, outside.file) == (None, "scripts/run.py")  # no module name: the file
    stub = step_at(CODE, repo="pkg", path="src/pkg/mod.pyi", package_root="src", first=10)
    assert (stub.at, stub.file) == (at(10).at, None)  # a type stub declares its module's names


RUST = """#[pymethods]
impl PyTokenizer {
    fn encode_batch(
        &self,
        input: Vec<Input>,
    ) -> PyResult<Vec<PyEncoding>> {
        let items = convert(input);
        py.detach(|| {
            self.tokenizer.encode_batch_char_offsets(items)
        })
    }
}
"""


def test_a_step_at_a_line_of_a_file_that_is_not_python_is_focused_on_that_line() -> None:
    """``a`` on ``py.detach(|| {`` in tokenizers' ``tokenizer.rs``: a ``file:`` step
    focused on that line (a file with no Python statements had no focus: the step
    showed the file's first lines); a line that says nothing (blank) has none."""
    step = step_at(
        RUST, repo="tokenizers", path="bindings/python/src/tokenizer.rs", package_root="py_src", first=8
    )
    assert (step.at, step.file, step.focus) == (None, "bindings/python/src/tokenizer.rs", ("py.detach(|| {",))
    assert step.spot is not None and step.spot.regions == ((8, 8),)
    blank = step_at(RUST + "\n", repo="tokenizers", path="src/lib.rs", package_root="py_src", first=14)
    assert blank.focus == ()


def test_a_chosen_range_is_its_first_and_last_line_and_survives_an_edit_between() -> None:
    step = at(9, 15)
    assert step.focus == (r"/def step\(self, x\):\n(?:.*\n)*?\s*return None/",)
    edited = CODE.replace("            x,\n", "            x,\n            y,\n")  # a line more between
    assert focus_lines(edited, (9, 16), step.focus[0]) == (9, 16)


def test_a_chosen_range_whose_ends_come_earlier_too_takes_a_line_more_at_an_end() -> None:
    """huggingface_hub's ``_raise_on_head_call_error``: ``if local_files_only:`` comes
    twice. Lines 7-15 chosen were written every line of them (a regex an edit between
    breaks); the first two lines and the last find them, and leave the lines between free."""
    code = (
        "def f(error, force, local):\n"  # 1
        "    if force:\n"
        "        if local:\n"
        "            raise ValueError('both')\n"
        "        raise ValueError('force') from error\n"  # 5
        "    # no file\n"
        "    if local:\n"
        "        raise LookupError('local')\n"
        "    elif isinstance(error, KeyError):\n"
        "        raise KeyError('key') from error\n"  # 10
        "    elif isinstance(error, TypeError):\n"
        "        raise TypeError('type') from error\n"
        "    else:\n"
        "        # most likely the connection\n"
        "        raise LookupError('else') from error\n"  # 15
    )
    step = step_at(code, repo="pkg", path="src/pkg/mod.py", package_root="src", first=7, last=15)
    assert step.focus == (
        r"/if local:\n\s*raise LookupError\('local'\)\n(?:.*\n)*?\s*raise LookupError\('else'\) from error/",
    )
    assert focus_lines(code, (1, 15), step.focus[0]) == (7, 15)


def test_a_chosen_range_whose_first_line_comes_earlier_too_is_written_line_by_line() -> None:
    code = "def f():\n    x = 1\n    y = 2\n    x = 1\n    z = 3\n    w = 4\n"
    step = step_at(code, repo="pkg", path="src/pkg/mod.py", package_root="src", first=4, last=6)
    assert step.focus == (r"/x = 1\n\s*z = 3\n\s*w = 4/",)  # "x = 1 … w = 4" would start at line 2
    assert focus_lines(code, (1, 6), step.focus[0]) == (4, 6)


def test_a_statement_whose_first_line_comes_earlier_too_is_found_by_its_own_lines() -> None:
    """``a`` on the second ``criteria.append(`` of a function (transformers'
    ``_get_stopping_criteria``, whose ``ConfidenceCriteria`` is appended under an ``if``):
    the focus goes on with the statement's next line, so that it lights that statement
    alone; with the line before it (the ``if``'s closing ``):``) it lit the whole ``if``."""
    code = (
        "def f(c):\n"
        "    criteria = []\n"
        "    criteria.append(\n"
        "        Length(),\n"
        "    )\n"
        "    if (\n"
        "        c\n"
        "    ):\n"
        "        criteria.append(\n"
        "            Confidence(c),\n"
        "        )\n"
        "    return criteria\n"
    )
    step = step_at(code, repo="pkg", path="src/pkg/mod.py", package_root="src", first=9)
    assert step.focus == (r"/criteria\.append\(\n\s*Confidence\(c\),/",)
    assert step.spot is not None and step.spot.regions == ((9, 11),)
    one_line = "def g():\n    x = 1\n    if y:\n        x = 1\n    return x\n"
    step = step_at(one_line, repo="pkg", path="src/pkg/mod.py", package_root="src", first=4)
    assert step.focus == (r"/if y:\n\s*x = 1/",)  # nothing after it is its own: the line before


def test_a_module_level_constant_is_anchored_by_its_name_when_that_names_it_alone() -> None:
    table = at(23)  # TABLE = {"a": 1}: a definition at: resolves to
    assert (table.at, table.file, table.focus) == ("pkg.mod.TABLE", None, ())
    assert table.spot is not None and table.spot.span == (23, 23)
    code = 'MODES = {\n    "a": 1,\n    "b": 2,\n}\nOTHER = MODES\nTWICE = 1\nif x:\n    TWICE = 2\n'
    entry = step_at(code, repo="pkg", path="src/pkg/mod.py", package_root="src", first=3)
    assert (entry.at, entry.focus) == ("pkg.mod.MODES", ('"b": 2,',))  # an entry of the table
    for line in (5, 6):  # an alias (at: names what it aliases), a name bound twice: the file
        step = step_at(code, repo="pkg", path="src/pkg/mod.py", package_root="src", first=line)
        assert (step.at, step.file) == (None, "src/pkg/mod.py"), line


def test_a_definition_under_an_if_or_a_try_is_named_in_the_block_it_binds_in() -> None:
    code = (
        "if FAST:\n"
        "    def load(path):\n"
        "        try:\n"
        "            def read():\n"
        "                return path\n"
        "        except OSError:\n"
        "            class Missing:\n"
        "                def say(self):\n"
        "                    return 1\n"
        "        return read\n"
    )
    assert enclosing(code, 5, 5) == ("load.<locals>.read", (4, 5), 4)
    assert enclosing(code, 9, 9) == ("load.<locals>.Missing.say", (8, 9), 8)
    assert enclosing(code, 10, 10) == ("load", (2, 10), 2)
    assert enclosing(code, 1, 1) is None


def test_a_name_defined_under_an_if_and_its_else_is_no_anchor() -> None:
    """``use_kernel_forward_from_hub`` defined with kernels installed and again without: the
    name resolves to the first, so a step in the second is a ``file:`` step (a closure in
    it, its host's), and one of two definitions side by side (overloads) keeps its name."""
    code = (
        "if KERNELS:\n"
        "    def use_hub(name):\n"
        "        return name\n"
        "else:\n"
        "    def use_hub(*args):\n"
        "        def decorator(cls):\n"
        "            return cls\n"
        "        return decorator\n"
        "def wrap():\n"
        "    try:\n"
        "        def inner():\n"
        "            return 1\n"
        "    except ImportError:\n"
        "        def inner():\n"
        "            return 2\n"
        "    return inner\n"
        "def load(x):\n"
        "    return x\n"
        "def load(x, y):\n"
        "    return y\n"
    )
    assert enclosing(code, 3, 3) is None
    assert enclosing(code, 7, 7) is None
    assert enclosing(code, 15, 15) == ("wrap", (9, 16), 9)
    assert enclosing(code, 20, 20) == ("load", (19, 20), 19)
    step = step_at(code, repo="pkg", path="src/pkg/mod.py", package_root="src", first=8)
    assert (step.at, step.file, step.focus) == (None, "src/pkg/mod.py", ("return decorator",))


def test_enclosing_needs_a_file_that_parses() -> None:
    assert enclosing("def f(:\n", 1, 1) is None
    assert enclosing(CODE, 2, 2) is None
    assert enclosing(CODE, 9, 20) == ("Trainer", (5, 20), 6)  # over two methods: the class
    assert enclosing(CODE, 14, 14) == ("Trainer.step", (9, 15), 9)


def test_the_draft_edits_are_values() -> None:
    draft = new_draft("t", Path("t.yaml"), "pkg")
    one, two, three = (DraftStep(at=name, file=None) for name in ("a", "b", "c"))
    draft = draft.add(one, None).add(three, 0).add(two, 0)
    assert [s.at for s in draft.steps] == ["a", "b", "c"]
    assert [s.at for s in draft.move(2, -1).steps] == ["a", "c", "b"]
    assert draft.move(0, -1) is draft and draft.move(2, 1) is draft
    assert [s.at for s in draft.delete(1).steps] == ["a", "c"]
    edited = draft.edit(1, note="N", title="")
    assert (edited.steps[1].note, edited.steps[1].title) == ("N", None)


def test_the_first_step_of_a_new_tour_sets_its_repository() -> None:
    """A tour recorded from a diffusers run was written ``repo: transformers`` (the
    default pin's), each step ``repo: diffusers``: the first step of a tour with no file
    sets the tour's repository; later steps name theirs only when it is another. A tour
    read from its file keeps its own."""
    draft = new_draft("loop", Path("loop.yaml"), "transformers")
    first = DraftStep(at="DDIMScheduler.step", file=None, repo="diffusers")
    draft = draft.add(first, None).add(DraftStep(at="Trainer.train", file=None, repo="transformers"), 0)
    assert (draft.repo, [s.repo for s in draft.steps]) == ("diffusers", [None, "transformers"])
    assert "\nrepo: diffusers\n" in draft_text(draft) and "repo: transformers" in draft_text(draft)
    written = replace(new_draft("loop", Path("loop.yaml"), "transformers"), text="id: loop\n")
    kept = written.add(first, None)
    assert (kept.repo, kept.steps[0].repo) == ("transformers", "diffusers")


@pytest.mark.parametrize("name", SHIPPED_TOURS)
def test_every_shipped_tour_is_written_back_byte_for_byte(name: str) -> None:
    path = SHIPPED / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert draft_text(draft_of(parse_tour(text, path), text)) == text


KEPT = """\
# kept by hand
id: kept
title: "Kept"   # quoted on purpose
steps:
  # the entry point
  - at: A
    focus: 'x = 1'   # single quotes
    note: |
      First.

  # the loop
  - at: B
    note: Second.   # inline
  - at: C
# the end
"""


def kept() -> tuple[str, list[str]]:
    draft = draft_of(parse_tour(KEPT, Path("kept.yaml")), KEPT)
    return draft_text(draft.move(0, 1)), draft_text(
        draft.delete(1).add(DraftStep(at="D", file=None), None)
    ).split("\n")


def test_a_step_moves_with_its_comments_and_the_rest_stays_as_written() -> None:
    moved, _ = kept()
    assert moved == (
        "# kept by hand\n"
        "id: kept\n"
        'title: "Kept"   # quoted on purpose\n'
        "steps:\n"
        "\n"  # the blank line above the loop's comment goes with it
        "  # the loop\n"
        "  - at: B\n"
        "    note: Second.   # inline\n"
        "  # the entry point\n"
        "  - at: A\n"
        "    focus: 'x = 1'   # single quotes\n"
        "    note: |\n"
        "      First.\n"
        "  - at: C\n"
        "# the end\n"
    )
    assert [s.at for s in parse_tour(moved, Path("kept.yaml")).steps] == ["B", "A", "C"]


def test_a_new_step_and_new_keys_follow_the_files_layout() -> None:
    draft = draft_of(parse_tour(KEPT, Path("kept.yaml")), KEPT)
    draft = draft.edit(1, note="Two\nlines.", title="The loop")
    added = DraftStep(at="pkg.D", file=None, focus=("a: b", "/c/"), repo="other", note="`d` first.")
    text = draft_text(draft.add(added, None))
    assert text.endswith(
        "  - at: B\n"
        "    title: The loop\n"
        "    note: |\n"
        "      Two\n"
        "      lines.\n"
        "    # inline\n"  # the comment beside the old note, on a line of its own after the new one
        "  - at: C\n"
        "  - at: pkg.D\n"
        "    repo: other\n"
        "    focus:\n"
        "      - 'a: b'\n"
        "      - /c/\n"
        "    note: |\n"
        "      `d` first.\n"
        "# the end\n"
    )
    steps = parse_tour(text, Path("kept.yaml")).steps
    assert steps[3].focus == ("a: b", "/c/") and steps[3].repo == "other"


@pytest.mark.parametrize(("summary", "dash"), [("  - one\n    - nested\n", "  "), ("    - not a list\n", "")])
def test_a_summary_indented_otherwise_leaves_the_steps_layout_as_it_was(summary: str, dash: str) -> None:
    """A nested list in the summary (a block scalar) says nothing of how steps are laid
    out: an edit of one step changes that step's lines alone, whatever the layout."""
    step = f"{dash}- at: A\n{dash}  note: |\n{dash}    First.\n{dash}- at: B\n"
    text = "id: lists\ntitle: Lists\nsummary: |\n  Lists:\n" + summary + "steps:\n" + step
    draft = draft_of(parse_tour(text, Path("lists.yaml")), text)
    assert draft_text(draft.edit(1, note="", title="T2")) == text + f"{dash}  title: T2\n"


def test_a_step_keeps_the_keys_the_recorder_does_not_edit() -> None:
    """``not_run`` and ``versions`` are the author's: an edit of the step and a move keep them."""
    text = "title: T\nsteps:\n  - at: A\n    versions: '>=5'\n    not_run: no GPU here\n  - at: B\n"
    draft = draft_of(parse_tour(text, Path("t.yaml")), text)
    for edited in (draft.edit(0, note="", title="New"), draft.move(0, 1)):
        (step,) = [s for s in parse_tour(draft_text(edited), Path("t.yaml")).steps if s.at == "A"]
        assert (step.versions, step.not_run) == (">=5", "no GPU here")


def test_a_new_tour_is_written_from_nothing() -> None:
    draft = new_draft("fresh", Path("fresh.yaml"), "transformers")
    draft = draft.add(DraftStep(at="Trainer.train", file=None, focus=("loop = f(",), note="Why."), None)
    text = draft_text(draft)
    assert text == (
        "id: fresh\n"
        "title: fresh\n"
        "repo: transformers\n"
        "steps:\n"
        "  - at: Trainer.train\n"
        "    focus: loop = f(\n"
        "    note: |\n"
        "      Why.\n"
    )
    assert parse_tour(text, Path("fresh.yaml")).steps[0].note == "Why.\n"


def test_where_a_new_tour_goes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert new_tour_path("x") == tmp_path / "x.yaml"
    monkeypatch.setenv("CODEWALK_TOURS_PATH", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))
    assert new_tour_path("x") == tmp_path / "a" / "x.yaml"
    assert new_tour_path("x", [tmp_path / "c"]) == tmp_path / "c" / "x.yaml"


def test_a_tour_is_written_only_over_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "t.yaml"
    write_tour(path, "one\n", None)  # new: the directory is made
    assert path.read_text() == "one\n"
    with pytest.raises(TourFileTaken, match="a file is there already; the new tour is not written over it"):
        write_tour(path, "two\n", None)
    path.chmod(0o640)
    write_tour(path, "two\n", "one\n")
    assert path.read_text() == "two\n" and path.stat().st_mode & 0o777 == 0o640
    with pytest.raises(TourFileTaken, match="the file changed since it was read; not written"):
        write_tour(path, "three\n", "one\n")
    assert path.read_text() == "two\n"
    assert beside(path) == path.with_name("t.recorded.yaml")  # where the recording may go instead
    path.with_name("t.recorded.yaml").write_text("taken\n")
    assert beside(path) == path.with_name("t.recorded-2.yaml")
    again = path.with_name("t.recorded.yaml")
    assert beside(again) == path.with_name("t.recorded-2.yaml")  # not t.recorded.recorded.yaml
    path.with_name("t.recorded.yaml").unlink()
    path.unlink()
    with pytest.raises(TourFileTaken, match="the tour file was removed since it was read"):
        write_tour(path, "three\n", "two\n")
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(TourError, match="cannot write the tour"):
        write_tour(blocked / "t.yaml", "x\n", None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "file"]
    assert list((tmp_path / "dir").iterdir()) == []  # no temporary file left behind


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_a_symlinked_tour_file_stays_a_link_and_its_target_is_written(tmp_path: Path) -> None:
    """``tour rv-link --edit``, then ``w``: the file the link points to gets the tour,
    the link stays a link (as an editor saving through it, or ``>``, leaves it)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "rv.yaml"
    target.write_text("one\n")
    link = tmp_path / "tours" / "rv-link.yaml"
    link.parent.mkdir()
    link.symlink_to(Path("..") / "shared" / "rv.yaml")
    write_tour(link, "two\n", "one\n")
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "shared" / "rv.yaml")
    assert target.read_text() == "two\n"
    assert sorted(p.name for p in shared.iterdir()) == ["rv.yaml"]  # the temporary file was beside it
    with pytest.raises(TourError, match="the file changed since it was read"):
        write_tour(link, "three\n", "one\n")


SPACED = "\n# a tour with a blank line first\nid: t\ntitle: T\nsteps:\n  - at: A\n\n  - at: B\n"


def test_a_leading_blank_line_stays_and_a_new_step_is_spaced_as_the_others() -> None:
    """Only what the author changed changes: the file's first blank line was dropped,
    and a new step in a file that puts a blank line between steps got none."""
    draft = draft_of(parse_tour(SPACED, Path("t.yaml")), SPACED)
    assert draft_text(draft) == SPACED
    middle = draft_text(draft.add(DraftStep(at="N", file=None), 0))
    assert middle == SPACED.replace("  - at: B\n", "  - at: N\n\n  - at: B\n")
    last = draft_text(draft.add(DraftStep(at="Z", file=None), 1))
    assert last == SPACED + "\n  - at: Z\n"


def test_a_new_tour_with_a_shipped_tours_id_is_sent_to_another_id_not_to_an_edit_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tour --new one`` where codewalk ships ``one``: editing it in place is refused
    (an upgrade would lose the edit), so the hint names another id, not ``--edit``."""
    from codewalk import locations

    package = tmp_path / "site-packages" / "codewalk"
    shipped = package / "_data" / "tours" / "one.yaml"
    shipped.parent.mkdir(parents=True)
    shipped.write_text("title: One\nsteps:\n  - at: A\n")
    monkeypatch.setattr(locations, "_PACKAGE_DIR", package)
    monkeypatch.delenv("CODEWALK_TOURS_PATH", raising=False)
    with pytest.raises(TourError) as refused:
        new_tour_place("one")
    assert refused.value.message == f"tour 'one' exists ({shipped})"
    assert refused.value.hint == "choose another id"


def test_a_new_tour_with_the_id_of_one_in_a_tours_dir_is_sent_to_edit_it_there(tmp_path: Path) -> None:
    """The hint keeps the --tours-dir the tour was found in: without it, following the
    hint said "unknown tour"."""
    mine = tmp_path / "my tours"
    mine.mkdir()
    (mine / "one.yaml").write_text("title: One\nsteps:\n  - at: A\n")
    with pytest.raises(TourError) as refused:
        new_tour_place("one", [tmp_path / "not made yet", mine])  # the first: where it would go
    assert refused.value.hint == f"to edit it: tour one --edit --tours-dir '{mine}'"


def test_a_new_tour_goes_to_a_tours_dir_not_made_yet_and_writing_makes_it(tmp_path: Path) -> None:
    """``tour --new mine --tours-dir new``: the directory is where the tour goes, not one to
    read tours from; it was refused as "not a directory of tours". A file in the way, or
    another --tours-dir that is missing, is still refused before any recording."""
    place = tmp_path / "new" / "deeper"
    path = new_tour_place("mine", [place])
    assert path == place / "mine.yaml" and not place.exists()
    write_tour(path, SPACED, None)
    assert path.read_text() == SPACED
    (tmp_path / "a-file").write_text("")
    with pytest.raises(TourError, match="a-file: not a directory of tours"):
        new_tour_place("mine", [tmp_path / "a-file"])
    with pytest.raises(TourError, match="missing: not a directory of tours"):
        new_tour_place("other", [tmp_path / "new2", tmp_path / "missing"])


def test_a_tour_shipped_inside_the_installed_package_is_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever reached it (a tours path pointed into the package), write_tour does not
    write into the installed package, where the next upgrade replaces the file."""
    from codewalk import locations

    package = tmp_path / "site-packages" / "codewalk"
    shipped = package / "_data" / "tours" / "one.yaml"
    shipped.parent.mkdir(parents=True)
    shipped.write_text(SPACED)
    monkeypatch.setattr(locations, "_PACKAGE_DIR", package)
    for was in (SPACED, None):
        with pytest.raises(TourError, match="shipped inside the installed codewalk is not written over"):
            write_tour(shipped if was else shipped.with_name("two.yaml"), SPACED + "  - at: C\n", was)
    assert shipped.read_text() == SPACED and not shipped.with_name("two.yaml").exists()


def test_own_tour_is_the_readers_tour_of_that_id_and_never_a_file_an_id_reaches_out_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``R`` in a trace with an id: the reader's tour of that id (written where ``tour
    --new`` writes), to add to; an id that is no tour id (``../outside``) reads no file."""
    from codewalk.tours.saving import own_tour

    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.delenv("CODEWALK_TOURS_PATH", raising=False)
    (here / "mine.yaml").write_text("title: Mine\nsteps:\n  - at: A\n")
    (tmp_path / "outside.yaml").write_text("title: Outside\nsteps:\n  - at: A\n")
    found = own_tour("mine")
    assert found is not None and found.path.resolve() == (here / "mine.yaml").resolve()
    assert own_tour("../outside") is None and own_tour("nothing-there") is None
