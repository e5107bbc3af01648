"""``codewalk calls/callers/path/draft`` end to end on the call fixture package: text,
JSON shapes (docs/json.md), exit codes and the error paths."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from codewalk.cli.main import main
from tests.callrepo import ACCEL_PIN, CALLS_PIN, FIXTURE, pin_callrepo

TRAINER = "src/callpkg/trainer.py"


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return pin_callrepo(tmp_path, monkeypatch).root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_calls_lists_callees_in_order_with_how(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calls", "Trainer.step")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"callpkg.trainer.Trainer.step  method  {TRAINER}:37  [calls@local]"
    assert lines[1] == f"      38  self.layer -> callpkg.trainer.Trainer.layer  {TRAINER}:16"
    assert lines[2] == f"          then callpkg.trainer.Layer.forward  {TRAINER}:10"
    assert (
        "      42  self.accelerator.backward -> accelerate.Accelerator.backward, in another package" in lines
    )
    held = lines.index(f"      39  self.loss_function -> callpkg.trainer.Trainer.loss_function  {TRAINER}:23")
    assert lines[held + 1 : held + 3] == [  # what the property returns: one function or the other
        "          then callpkg.losses.causal_loss  src/callpkg/losses.py:5",
        "          or callpkg.losses.masked_loss  src/callpkg/losses.py:9",
    ]
    # `import torch.nn as nn`: nn is that module, not "imported from" it
    assert "          nn is the module torch.nn (no pin provides torch)" in lines
    assert "          or callpkg.losses.causal_loss  src/callpkg/losses.py:5" in lines  # the registry's


def test_each_assignment_of_an_attribute_is_an_alternative_then_what_it_runs(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``self.proj(x)``, self.proj a Fourier or a Steps: 'then' what the one assignment
    runs, 'or' the other assignment, 'then' what that one runs."""
    code, out, _ = run(capsys, "calls", "embeddings.UNet.embed")
    assert code == 0
    lines = out.splitlines()
    at = lines.index("      33  self.proj -> callpkg.embeddings.UNet.proj  src/callpkg/embeddings.py:26")
    words = [line.split()[0] for line in lines[at + 1 :] if line.split()[0] in ("then", "or")][:3]
    assert words == ["then", "or", "then"]


def test_calls_depth_and_untyped_summary(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calls", "Mixin.generate", "--depth", "2")
    assert code == 0
    assert "        31  self.forward -> callpkg.generation.Model.forward  src/callpkg/generation.py:27" in out
    assert "builtins: getattr (10), type (10)" in out
    # deeper, each line number is said with the function it is in (not one of the file asked)
    code, out, _ = run(capsys, "calls", "Trainer.train", "--depth", "2")
    assert "builtins: in Trainer._inner_loop: range (34)" in out.splitlines()
    code, out, _ = run(capsys, "calls", "masked_loss", "--all")
    assert "      11  fixed_loss  (builtin)" in out


def test_calls_json_shape(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calls", "Trainer.train", "--json", "--depth", "2")
    assert code == 0
    data = json.loads(out)
    assert data["function"]["qualname"] == "callpkg.trainer.Trainer.train"
    first = data["calls"][0]
    assert set(first) == {
        "line",
        "col",
        "kind",
        "expr",
        "text",
        "status",
        "how",
        "external",
        "targets",
        "branch",
        "expanded_above",
        "calls",
    }
    assert (first["line"], first["col"], first["expr"], first["status"]) == (30, 16, "retry", "resolved")
    passed = data["calls"][1]
    assert (passed["kind"], passed["targets"][0]["qualname"]) == (
        "ref",
        "callpkg.trainer.Trainer._inner_loop",
    )
    assert [c["expr"] for c in passed["calls"]][:2] == ["range", "self.step"]


def test_a_nested_function_named_as_a_member_suggests_its_locals_name(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Dataset.map.load_processed_shard_from_cache``, as a reader writes a function that
    ``map`` defines, names nothing: the "did you mean" puts first the name Python gives
    it, which every command takes (the suggestions were names spelled alike elsewhere)."""
    spelled = "callpkg.models.outer.<locals>.helper_of_inner"
    for command in ("find", "calls", "callers", "show"):
        code, _, err = run(capsys, command, "models.outer.helper_of_inner")
        assert code == 1 and f"did you mean: {spelled}" in err, (command, err)
    code, out, _ = run(capsys, "calls", "models.outer.helper_of_inner", "--json")
    assert code == 1 and json.loads(out)["suggestions"][0] == spelled
    code, out, _ = run(capsys, "calls", spelled)  # the name suggested answers
    assert code == 0 and "Builder" in out
    code, _, err = run(capsys, "find", "models.outer.nowhere")  # outer defines no such function
    assert code == 1 and "<locals>" not in err


def test_callers_takes_a_nested_functions_locals_name(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``callers`` of the name "did you mean" offers for a function defined in another
    refused it as a malformed query: the sites in its host's body call it."""
    code, out, err = run(capsys, "callers", "callpkg.models.outer.<locals>.helper_of_inner")
    assert code == 0, err
    assert "in inner" in out and "return helper_of_inner(y)" in out


def test_a_nested_name_whose_host_is_nowhere_keeps_the_error_of_its_host(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Trainer.stepp.<locals>.inner``: the error is the host's, as the question asked it
    (across pins: every pin searched, and its "did you mean"). Whether a cached release has
    the name, for a hint, asked the pin alone again, and that error replaced the first."""
    import argparse

    from codewalk.cli.common import at_the_pin, in_a_cached_release, open_workspace

    code, _, err = run(capsys, "callers", "Trainer.stepp.<locals>.inner")
    assert code == 1 and "did you mean: Trainer.step" in err
    args = argparse.Namespace(repo=None, at=None, source=None, kind=None)
    with open_workspace(args) as workspace:
        # asked of another release (--at): whether the pin (as if in the cache) has the name
        args.at = ["calls@9"]
        monkeypatch.setattr("codewalk.source.cached.current", lambda pin, kinds=None, home=None: pin)
        assert at_the_pin(args, workspace, "Trainer.stepp.<locals>.inner") is None
        # whether a cached release has it (the fixture's pin is read from a local tree,
        # whose releases are never looked in: as a pin's)
        args.at = None
        monkeypatch.setattr("codewalk.source.sync.local_path", lambda path: None)
        assert in_a_cached_release(args, workspace, "Trainer.stepp.<locals>.inner") is None


def test_calls_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "calls", "Trainer.stepp")
    assert code == 1
    assert "no definition found" in err and "did you mean: Trainer.step" in err  # its member, as asked
    code, out, _ = run(capsys, "calls", "Trainer.stepp", "--json")
    assert code == 1 and json.loads(out)["function"] is None
    assert json.loads(out)["suggestions"][0] == "Trainer.step"
    code, _, err = run(capsys, "calls", "ToyForMaskedLM.stepp")  # a member of its base
    assert code == 1 and "did you mean: ToyForMaskedLM.step" in err
    code, _, err = run(capsys, "calls", "Trainer.zzzzzz")  # no member is close: where it may come from
    assert code == 1 and "callpkg.trainer.Trainer (src/callpkg/trainer.py:14) exists, but neither" in err
    code, _, err = run(capsys, "calls", "LOSSES")
    assert code == 1 and "'LOSSES' is a variable (src/callpkg/losses.py:14)" in err
    code, _, err = run(capsys, "calls", "not a name")
    assert code == 1 and "malformed query" in err
    with pytest.raises(SystemExit) as exited:
        main(["calls", "Trainer.step", "--depth", "0"])
    assert exited.value.code == 2


def test_callers_text_and_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "callers", "causal_loss")
    assert code == 0
    assert out.splitlines()[1] == "4 call sites reach it"
    assert f"  {TRAINER}:39  in step" in out
    assert "  src/callpkg/registry.py:28  in masked" in out  # mask = MASKS[kind]: a registry's item
    assert "dispatch-table entries that reach it:" in out
    code, out, _ = run(capsys, "callers", "fixed_loss", "--json")
    data = json.loads(out)
    assert data["complete"] is False  # nothing indexed yet: files naming it were read on demand
    (caller,) = data["callers"]
    assert set(caller) == {"kind", "path", "line", "col", "text", "caller", "how"}
    assert (caller["kind"], caller["line"], caller["caller"]["qualname"]) == (
        "call",
        6,
        "callpkg.losses.causal_loss",
    )
    code, _, err = run(capsys, "callers", "MODES")
    assert code == 1 and "is a variable" in err


def test_path_text_json_and_no_chain(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "path", "Trainer.train", "accelerate.Accelerator.backward", "--limit", "1")
    assert code == 0
    assert out.splitlines()[0].startswith(
        "callpkg.trainer.Trainer.train -> accelerate.Accelerator.backward: 1 chain of 3 calls"
    )
    assert "  accelerate.Accelerator.backward  (in another package, not pinned)" in out
    code, out, _ = run(capsys, "path", "publish", "finish")  # the shortest, then one a call longer
    assert code == 0
    assert out.splitlines()[0].startswith("callpkg.exporting.publish -> callpkg.exporting.finish: ")
    assert out.splitlines()[0].split(": ", 1)[1].startswith("2 chains, the first of 2 calls (")
    assert "\n1.\n" in out and "\n2. (3 calls)\n" in out  # where the chains one call longer start
    code, out, _ = run(capsys, "path", "Mixin.generate", "Model._slow", "--json")
    data = json.loads(out)
    (chain,) = data["chains"]
    assert (chain[0]["line"], chain[0]["target"]["qualname"]) == (12, "callpkg.generation.Model._slow")
    assert data["goal_found"] is True and data["complete"] is True
    code, _, err = run(capsys, "path", "helper", "Trainer.train")
    assert code == 1 and "no call chain from callpkg.utils.helper to callpkg.trainer.Trainer.train" in err
    # the chain may break at its end (transformers' getattr(callback, event)(...)): callers says
    assert "'calls helper --all' lists them; 'callers callpkg.trainer.Trainer.train' those that reach" in err
    code, out, _ = run(capsys, "path", "helper", "Trainer.train", "--json")
    assert code == 1 and json.loads(out)["chains"] == []
    code, _, err = run(capsys, "path", "helper", "prepare")  # a name three classes define
    assert code == 1 and err.startswith(
        "codewalk: error: no call chain from callpkg.utils.helper to any of the 3 definitions of prepare ("
    )
    listed = err.splitlines()[0].partition(" (")[2].removesuffix(") within 8 calls").split(", ")
    assert sorted(listed) == [  # in find's order, which the fixture's other modules move
        "callpkg.generation.Mixin.prepare",
        "callpkg.models.ChatModel.prepare",
        "callpkg.models.GenerationMixin.prepare",
    ]
    assert "a call codewalk cannot follow" in err  # not only --depth: a longer search may not help
    assert "'callers" not in err  # a name three classes define: callers asks which one
    hint = err.partition("hint: ")[2]
    assert hint.startswith("a call codewalk cannot follow") and hint.rstrip().endswith("longer chains")
    assert "a run recorded with `codewalk trace` answers for sure (path ... --trace NAME)" in err
    code, _, err = run(capsys, "path", "Trainer.train", "Trainer.nothing")
    assert code == 1 and "no definition found" in err


def test_draft_writes_a_tour_that_checks(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = tmp_path / "drafts" / "x.yaml"
    code, out, _ = run(capsys, "draft", "Trainer.train", "accelerate.Accelerator.backward", "-o", str(tour))
    along = "along Trainer.train -> _inner_loop -> step -> Accelerator.backward"
    assert code == 0 and f"wrote {tour}: 3 steps {along}" in out
    text = tour.read_text()
    assert '    focus: "return loop()"' in text  # the call of what retry made, not the line passing it
    assert '    focus: "self.accelerator.backward(loss)"' in text
    assert "  # accelerate.Accelerator.backward is in another package that no pin provides:" in text
    assert "\nid: x\n" in text  # the file's name, as the README says the id defaults to
    code, out, _ = run(capsys, "check", str(tour))
    assert code == 0, out
    code, out, _ = run(capsys, "check", str(tour), "--strict")  # its notes are to be written
    assert code == 1 and out.count("the note is still the draft's placeholder") == 3, out
    code, out, _ = run(capsys, "tour", str(tour), "--plain", "--no-color")
    assert code == 0 and "self.accelerator.backward(loss)" in out
    code, out, _ = run(capsys, "tour", "x", "--tours-dir", str(tour.parent), "--plain", "--no-color")
    assert code == 0 and "self.accelerator.backward(loss)" in out


def test_no_color_before_the_command_name_is_no_color_too(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``codewalk --no-color tour X --plain``, as ``codewalk --debug`` is taken there too;
    without it, the plain tour is coloured even through a pipe (for ``less -R``)."""
    tour = tmp_path / "x.yaml"
    assert run(capsys, "draft", "Trainer.train", "accelerate.Accelerator.backward", "-o", str(tour))[0] == 0
    code, coloured, _ = run(capsys, "tour", str(tour), "--plain")
    assert code == 0 and "\x1b[" in coloured
    for argv in (["--no-color", "tour", str(tour), "--plain"], ["tour", str(tour), "--plain", "--no-color"]):
        code, out, err = run(capsys, *argv)
        assert (code, err) == (0, ""), argv
        assert "self.accelerator.backward(loss)" in out and "\x1b[" not in out, argv


def test_draft_to_a_pinned_goal_ends_on_it(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = tmp_path / "y.yaml"
    code, _, _ = run(capsys, "draft", "Mixin.generate", "Model._slow", "-o", str(tour))
    assert code == 0
    text = tour.read_text()
    assert text.count("  - at: ") == 2 and "  - at: callpkg.generation.Model._slow" in text
    assert "reaches Model._slow through a dispatch table" in text
    assert run(capsys, "check", str(tour))[0] == 0


def test_draft_along_a_guess_says_so(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``thing.finish(x)`` on an untyped parameter reaches Job.finish only as a guess, the
    first chain found: the tour is written, and stderr says which step is a guess and that
    a shorter chain may be unsearched; a chain of definite calls says nothing of either."""
    tour = tmp_path / "g.yaml"
    code, out, err = run(capsys, "draft", "callpkg.heads.run", "callpkg.heads.Job.finish", "-o", str(tour))
    assert code == 0 and f"wrote {tour}: 2 steps" in out
    assert [line for line in err.splitlines() if "warning" in line] == [
        "codewalk: warning: the call of step 1 is a guess (one of many candidates, or a call on a value "
        "codewalk cannot type): the chain may never run; "
        "`codewalk path callpkg.heads.run callpkg.heads.Job.finish` shows it and others",
        "codewalk: warning: the first chain found is drafted: a shorter one may be unsearched",
    ]
    code, _, err = run(capsys, "draft", "Mixin.generate", "Model._slow", "-o", str(tmp_path / "d.yaml"))
    assert code == 0 and "warning" not in err


def test_draft_says_several_guesses_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from codewalk.cli.commands.draft import _warn_of_guesses

    _warn_of_guesses([2, 4], True, argparse.Namespace(start="a", goal="b"))
    assert capsys.readouterr().err.startswith("codewalk: warning: the calls of steps 2, 4 are guesses (")


def test_draft_errors_leave_no_file(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tour = tmp_path / "z.yaml"
    code, _, err = run(capsys, "draft", "helper", "Trainer.train", "-o", str(tour))
    assert code == 1 and "nothing to draft" in err and not tour.exists()
    tour.write_text("mine\n")
    code, _, err = run(capsys, "draft", "Mixin.generate", "Model._slow", "-o", str(tour))
    assert code == 2 and "the file exists" in err and tour.read_text() == "mine\n"
    assert run(capsys, "draft", "Mixin.generate", "Model._slow", "-o", str(tour), "--force")[0] == 0
    blocked = tmp_path / "file"
    blocked.write_text("")
    code, _, err = run(capsys, "draft", "Mixin.generate", "Model._slow", "-o", str(blocked / "t.yaml"))
    assert code == 2 and "cannot write it" in err
    assert os.listdir(tmp_path).count("file") == 1


def test_draft_keeps_a_file_made_while_it_ran_and_says_a_directory_is_one(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from codewalk.tours import draft

    (tmp_path / "out").mkdir()
    tour = tmp_path / "out" / "race.yaml"
    drafted = draft.draft_tour

    def meanwhile(*args: Any, **kwargs: Any) -> str:
        tour.write_text("my precious notes\n")  # made after the draft checked the path
        return drafted(*args, **kwargs)

    monkeypatch.setattr(draft, "draft_tour", meanwhile)
    code, _, err = run(capsys, "draft", "Mixin.generate", "Model._slow", "-o", str(tour))
    assert code == 2 and "race.yaml: the file exists (it was made while the draft was written)" in err
    assert tour.read_text() == "my precious notes\n" and os.listdir(tmp_path / "out") == ["race.yaml"]
    assert run(capsys, "draft", "Mixin.generate", "Model._slow", "-o", str(tour), "--force")[0] == 0
    assert "  - at: callpkg.generation.Model._slow" in tour.read_text()
    for force in ([], ["--force"]):
        code, _, err = run(
            capsys, "draft", "Mixin.generate", "Model._slow", "-o", str(tmp_path / "out"), *force
        )
        assert code == 2 and f"{tmp_path / 'out'}: is a directory" in err


@pytest.fixture()
def stack_repo(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The call package and its ``accelerate`` stand-in, two pins read from one tree."""
    pins = tmp_path / "stack-pins.toml"
    pins.write_text(CALLS_PIN + "\n" + ACCEL_PIN)
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    return repo


def test_calls_and_path_across_pins(stack_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calls", "Trainer.step")
    assert code == 0
    assert (
        "      42  self.accelerator.backward -> accelerate.accelerator.Accelerator.backward  "
        "src/accelerate/accelerator.py:2  [accel@local]"
    ) in out.splitlines()
    code, out, _ = run(capsys, "path", "Trainer.train", "accelerate.Accelerator.backward", "--json")
    data = json.loads(out)
    assert code == 0 and data["goal_found"] is True
    assert data["chains"][0][-1]["target"]["repo"] == "accel"


def test_a_definition_in_another_pin_is_headed_with_its_own(
    stack_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The header names the repository the answer is in, not the one asked from."""
    code, out, _ = run(capsys, "callers", "accelerate.Accelerator.scale")
    assert code == 0
    assert out.splitlines()[0] == (
        "callers of accelerate.accelerator.Accelerator.scale  src/accelerate/accelerator.py:6  [accel@local]"
    )
    assert "src/accelerate/accelerator.py:3  in backward" in out
    code, out, _ = run(capsys, "calls", "accelerate.Accelerator.backward")
    assert out.splitlines()[0].endswith("src/accelerate/accelerator.py:2  [accel@local]")


def test_draft_across_pins_resolves_in_full(
    stack_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = tmp_path / "across.yaml"
    code, out, _ = run(capsys, "draft", "Trainer.train", "accelerate.Accelerator.backward", "-o", str(tour))
    assert code == 0 and "4 steps along Trainer.train -> _inner_loop -> step -> Accelerator.backward" in out
    text = tour.read_text()
    assert "  - at: accelerate.accelerator.Accelerator.backward\n    repo: accel\n" in text
    code, out, _ = run(capsys, "check", str(tour))
    assert code == 0, out
    assert "(4 steps at calls@local, accel@local)" in out


def test_a_draft_whose_steps_are_all_in_another_pin_is_that_pin_s_tour(
    stack_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asked from the first pin (calls), a chain inside accel: the tour's repo is accel."""
    tour = tmp_path / "inside.yaml"
    code, _, _ = run(
        capsys, "draft", "accelerate.Accelerator.backward", "accelerate.Accelerator.scale", "-o", str(tour)
    )
    text = tour.read_text()
    assert code == 0 and "\nrepo: accel\n" in text and "    repo: " not in text
    code, out, _ = run(capsys, "check", str(tour))
    assert code == 0, out


def _bodies(root: Path) -> tuple[int, int]:
    """(functions, methods and properties; the files holding them) of a package, by ast."""
    import ast

    counts = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text())
        top = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        members = [
            m
            for c in tree.body
            if isinstance(c, ast.ClassDef)
            for m in c.body
            if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        counts.append(len(top) + len(members))
    return sum(counts), sum(1 for c in counts if c)


def test_index_calls_analyses_every_body_once(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bodies, files = _bodies(repo / "src" / "callpkg")
    code, out, err = run(capsys, "index", "--calls", "--workers", "1")
    assert code == 0
    assert f"call facts: {bodies} bodies analysed in {files} files, 0 already known" in out
    assert f"call facts of calls: {files}/{files} files" in err
    code, out, _ = run(capsys, "index", "--calls", "--workers", "1")
    assert f"call facts: 0 bodies analysed in 0 files, {bodies} already known" in out
    code, out, _ = run(capsys, "index")
    assert code == 0 and "call facts" not in out


@pytest.mark.parametrize("command", ["calls", "callers", "show", "path"])
def test_a_short_name_of_several_definitions_is_ambiguous(
    repo: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """``forward`` is defined by several classes: no command picks one silently."""
    argv = [command, "forward", *(["Attention.forward"] if command == "path" else [])]
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert "'forward' is ambiguous: " in err and "definitions" in err
    defined = sum(path.read_text().count("def forward(") for path in (FIXTURE / "src").rglob("*.py"))
    assert "name one: callpkg." in err and f"`codewalk find forward --limit {defined}` lists them" in err
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 1
    if command != "path":
        names = [c["qualname"] for c in json.loads(out)["candidates"]]
        assert "callpkg.models.Attention.forward" in names and "callpkg.models.Norm.forward" in names


def test_callers_of_init_is_ambiguous_and_a_class_s_init_is_not(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "callers", "__init__")
    assert code == 1 and "'__init__' is ambiguous" in err
    code, out, _ = run(capsys, "callers", "DecoderLayer.__init__")
    assert code == 0 and "callers of callpkg.models.DecoderLayer.__init__" in out


def test_path_from_a_definition_to_itself_says_so(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "path", "Trainer.train", "callpkg.trainer.Trainer.train")
    assert code == 1 and out == ""
    assert "FROM and TO are the same: callpkg.trainer.Trainer.train (src/callpkg/trainer.py:29)" in err


def test_a_function_passed_to_code_that_only_inspects_it_is_not_a_call(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``inspect.signature(self.forward)``: listed by calls, not followed by path."""
    code, out, _ = run(capsys, "calls", "Inspecting.check")
    assert code == 0
    assert "passed as a value to inspect.signature (code codewalk cannot read: not followed)" in out
    code, _, err = run(capsys, "path", "Inspecting.check", "Inspecting.forward")
    assert code == 1 and "no call chain from callpkg.models.Inspecting.check" in err
    code, out, _ = run(capsys, "path", "Mixin.generate", "Model.forward")  # passed to self.prepare: followed
    assert code == 0 and "(passed as a value)" in out


def test_callers_opens_no_pin_its_answer_does_not_reach_into(
    stack_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``callers helper`` reads Trainer.step, which also calls into the accelerate pin:
    only the sites that may reach ``helper`` are resolved, so that pin is never opened
    (a transformers question fetches no other library); ``calls Trainer.step`` opens it."""
    from codewalk.workspace.stack import Stack

    opened: list[str] = []
    facts = Stack.facts

    def recording(self: Stack, repo: str) -> Any:
        if repo not in self.members:
            opened.append(repo)
        return facts(self, repo)

    monkeypatch.setattr(Stack, "facts", recording)
    code, out, _ = run(capsys, "callers", "callpkg.utils.helper")
    assert code == 0 and "src/callpkg/trainer.py:40" in out, out
    assert "accel" not in opened
    code, out, _ = run(capsys, "calls", "Trainer.step")
    assert code == 0 and "accel" in opened


def test_callers_says_how_far_it_is_on_stderr(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``callers`` reports the functions it has read against those it will read, on
    stderr, once it has taken longer than a second (here: from the start)."""
    from codewalk.cli import progress

    shown = progress.stderr_progress

    def at_once(label: str, unit: str = "files", after: float = 0.0) -> Any:
        return shown(label, unit=unit, after=0.0)

    monkeypatch.setattr(progress, "stderr_progress", at_once)
    code, out, err = run(capsys, "callers", "callpkg.utils.helper")
    assert code == 0 and "3 call sites reach it" in out
    last = err.strip().splitlines()[-1]
    done, _, total = last.rpartition(": ")[2].partition(" ")[0].partition("/")
    assert last.startswith("callers of helper: reading: ") and done == total and int(total) > 0
    assert "\r" not in err  # not a terminal: lines, no carriage returns in a log


def test_path_counts_the_functions_it_reads_on_a_terminal_and_wipes_the_line(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal, a path that takes a while counts the functions it has read on one
    line of stderr (here: from the start), and wipes it before the answer; on a log,
    nothing (the answer says how many it read)."""
    from codewalk.cli import progress

    shown = progress.StderrCount

    def at_once(label: str, after: float = 1.0) -> Any:
        count = shown(label, after=0.0)
        count.tty = True
        return count

    monkeypatch.setattr(progress, "StderrCount", at_once)
    code, out, err = run(capsys, "path", "Trainer.train", "utils.helper")
    assert code == 0 and out.startswith("callpkg.trainer.Trainer.train -> callpkg.utils.helper: ")
    line = err.split("\n")[-1]  # after the note that the fixture is not a git checkout
    counted = re.fullmatch(r"(?:\rpath: functions read: \d+)+\r( +)\r", line)  # then blanked
    assert counted is not None and len(counted[1]) == len(line.split("\r")[-3]), repr(line)
    monkeypatch.setattr(progress, "StderrCount", shown)
    code, _, err = run(capsys, "path", "Trainer.train", "utils.helper")
    assert code == 0 and err == ""  # not a terminal


def test_a_hop_through_one_of_several_targets_says_how_many_the_call_may_run(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``self(x)`` in a mixin may run the forward of any head deriving from it: the chain
    goes through one, and says it is one of them; a call of one target says nothing."""
    code, out, _ = run(capsys, "path", "callpkg.heads.Fitting.fit", "callpkg.heads.loss", "--limit", "1")
    assert code == 0
    assert "            this call may run any of 4: which one depends on the value at run time" in out
    code, out, _ = run(capsys, "path", "publish", "finish")
    assert code == 0 and "may run any of" not in out


def test_path_says_what_its_order_rests_on(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Under the chains, what their order rests on: the fewest calls, not the likeliest way
    (a run often goes a longer one); a chain through one of the several definitions a call
    may run says that one leads to the end, not necessarily the one a program runs."""
    code, out, _ = run(capsys, "path", "callpkg.heads.Fitting.fit", "callpkg.heads.loss", "--limit", "1")
    assert code == 0
    assert out.rstrip().splitlines()[-1] == (
        "(the shortest way the code allows, not the likeliest; a run often goes a longer way; at a "
        "call that may run several definitions, the one shown is one that leads on to the end, not "
        "necessarily the one a program runs: path ... --trace NAME shows the way a recorded run went)"
    )
    code, out, _ = run(capsys, "path", "publish", "finish")  # two chains of definite calls
    assert code == 0 and out.rstrip().splitlines()[-1] == (
        "(listed by the fewest calls, then the fewest guesses, then the fewest calls in branches: the "
        "shortest ways the code allows, not the likeliest; a run often goes a longer way: path ... "
        "--trace NAME shows the way a recorded run went)"
    )


def test_path_says_when_it_stopped_at_enough_chains(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A search through guesses that stops at ``--limit`` chains says a shorter one may be
    unsearched (and ``complete`` is false); one that searched everywhere says nothing."""
    code, out, _ = run(capsys, "path", "callpkg.heads.run", "callpkg.heads.Job.finish", "--limit", "1")
    assert code == 0
    assert out.splitlines()[0].endswith(
        "1 chain of 1 call (2 functions read, through calls of many candidates; "
        "the first found: a shorter one may be unsearched) [calls@local]"
    )
    code, out, _ = run(
        capsys, "path", "callpkg.heads.run", "callpkg.heads.Job.finish", "--json", "--limit", "1"
    )
    assert json.loads(out)["complete"] is False
    code, out, _ = run(capsys, "path", "callpkg.heads.run", "callpkg.heads.Job.finish")
    assert code == 0 and "unsearched" not in out.splitlines()[0]


def test_path_says_the_calls_of_many_candidates_it_did_not_search(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Chains of definite calls found, the calls of many candidates are not searched: what
    runs may go through one (peft's ``get_peft_model`` to the LoRA layer), which is said."""
    code, out, _ = run(capsys, "path", "callpkg.wrapped.Checked.check", "callpkg.wrapped.checked")
    assert code == 0 and out.splitlines()[0].startswith(
        "callpkg.wrapped.Checked.check -> callpkg.wrapped.checked"
    )
    assert out.rstrip().splitlines()[-1] == (
        "(not searched, as chains of definite calls were found: 1 call of many candidates; what runs "
        "may go through one: path ... --trace NAME reads a run recorded with codewalk trace)"
    )
    code, out, _ = run(capsys, "path", "callpkg.heads.run", "callpkg.heads.Job.finish")
    assert code == 0 and "not searched" not in out  # searched through them: said in the first line


def test_path_goes_through_a_loop_variable_called_as_a_possible_call(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``for step in self: x = step(x)`` over a list subclass (transformers'
    ``LogitsProcessorList``): the item called may be any ``__call__``; a path to one goes
    through it, said to be possible."""
    code, out, _ = run(capsys, "path", "callpkg.wrapped.run_steps", "callpkg.wrapped.Clip.__call__")
    assert code == 0, out
    assert "step(…) on a value codewalk cannot type: possibly callpkg.wrapped.Clip.__call__" in out
    assert "callpkg.wrapped.Steps.__call__" in out


def test_an_ambiguity_of_more_names_than_find_lists_says_the_limit_that_lists_them() -> None:
    """``show generate``: 110 definitions, five named; ``codewalk find generate`` alone
    lists 20, so the hint gives the ``--limit`` that lists them all."""
    from codewalk.resolve.model import FindResult, Resolved
    from codewalk.workspace.calling import Ambiguous

    def method(n: int) -> Resolved:
        return Resolved("r", f"m.C{n}.generate", "method", "m.py", n, n, n, "direct", "def generate(self):")

    many = [method(n) for n in range(1, 31)]
    hint = Ambiguous(FindResult("generate", tuple(many), ()), many).hint or ""
    assert hint.endswith(", and 25 more (`codewalk find generate --limit 30` lists them)"), hint
    few = many[:3]
    hint = Ambiguous(FindResult("generate", tuple(few), ()), few).hint or ""
    assert hint.endswith("m.C3.generate (m.py:3) (`codewalk find generate` lists them)"), hint


def test_a_slow_path_on_a_partial_index_says_codewalk_index_speeds_it(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first ``path`` of a new cache indexes the modules it reads one at a time (half
    a minute on transformers): past a few seconds it says what indexes them all at once;
    on a whole index it has nothing to say."""
    from codewalk.cli import common
    from codewalk.index import indexer

    monkeypatch.setattr(common, "SLOW_ON_A_PARTIAL_INDEX", 0.0)  # the fixture is small: any time is slow
    # the fixture's files are seconds old: their content joins the snapshot's key until
    # they are not (indexer._RACY_NS), a change of key that on a loaded machine fell
    # between ``index`` and the question after it (a new snapshot, not indexed); known by
    # their stat alone, the index and the questions read one snapshot however long they take
    monkeypatch.setattr(indexer, "_RACY_NS", 0)
    argv = ("path", "Trainer.train", "accelerate.Accelerator.backward")
    code, _, err = run(capsys, *argv)
    assert code == 0
    assert "indexing the modules it read one at a time: `codewalk index` indexes every pin" in err
    code, _, err = run(capsys, "calls", "Trainer.train")  # calls too (self.base_model(...): every model)
    assert code == 0 and err.startswith("codewalk: calls took ")
    assert "`codewalk index` indexes every pin" in err
    assert run(capsys, "index")[0] == 0
    for again in (argv, ("calls", "Trainer.train")):
        code, _, err = run(capsys, *again)
        assert code == 0 and "codewalk index" not in err


def test_a_slow_question_of_a_trace_names_the_release_that_ran(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``calls --trace`` reads each repository at the release that ran: the index command it
    suggests names that release; of a repository read from its installed copy, which no
    command indexes whole, it suggests none."""
    import argparse
    from types import SimpleNamespace

    from codewalk.cli import common

    monkeypatch.setattr(common, "SLOW_ON_A_PARTIAL_INDEX", 0.0)
    workspace: Any = SimpleNamespace(fully_indexed=False, checkout=SimpleNamespace(repo="transformers"))
    with common.said_when_slow(argparse.Namespace(), workspace, "calls --trace", at=["transformers@4.57.6"]):
        pass
    err = capsys.readouterr().err
    assert "`codewalk index transformers@4.57.6` indexes that release in parallel" in err
    with common.said_when_slow(argparse.Namespace(), workspace, "calls --trace", at=[]):
        pass
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("command", ["find", "show", "calls", "callers"])
def test_a_member_a_getattr_forwards_is_pointed_at_in_the_class_s_repository(
    stack_repo: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """Asked from callpkg, a class of accelerate that lacks the member: the error names
    accel, and the __getattr__ that forwards the name, and where it is defined."""
    query = "accelerate.wrapping.AdapterModel.merge"
    code, _, err = run(capsys, command, query)
    assert code == 1
    assert f"'{query}': no definition found in accel@local\n" in err
    assert (
        "AdapterModel.__getattr__ (src/accelerate/wrapping.py:13) hands the names AdapterModel lacks to "
        "self.tuner (line 17), whose class codewalk cannot tell; merge is defined by "
        "AdapterLayer.merge (src/accelerate/wrapping.py:5): `codewalk calls AdapterLayer.merge`"
    ) in err


def test_path_from_a_member_a_getattr_forwards_says_the_same(
    stack_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrapping = "accelerate.wrapping"
    code, _, err = run(capsys, "path", f"{wrapping}.AdapterModel.merge", f"{wrapping}.AdapterLayer.merge")
    assert code == 1 and "no definition found in accel@local" in err and "hands the names" in err


def test_calls_depth_says_where_a_repeated_callee_is_expanded(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`leaf` is called twice and `twice` calls itself: their calls are listed once."""
    code, out, _ = run(capsys, "calls", "callpkg.choosing.twice", "--depth", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("      19  leaf -> callpkg.choosing.leaf ") and "expanded" not in lines[1]
    assert any(line.endswith("(the function asked about)") and "21  twice" in line for line in lines)
    assert any(line.endswith("(expanded above, line 19)") and "21  leaf" in line for line in lines)
    code, out, _ = run(capsys, "calls", "callpkg.choosing.twice", "--depth", "2", "--json")
    marks = [(c["line"], c["expr"], c["expanded_above"]) for c in json.loads(out)["calls"]]
    assert marks == [(19, "leaf", None), (21, "twice", -1), (21, "leaf", 19)]


def test_a_method_of_the_class_s_name_is_a_builtin(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`self.__class__.__name__` is a str: its `lower` is listed with the builtins, not
    explained as an attribute no base defines."""
    code, out, _ = run(capsys, "calls", "callpkg.choosing.Named.label")
    assert code == 0
    assert out.splitlines()[-1] == (
        "builtins: self.__class__.__name__.lower (31), self.__class__.__qualname__.upper (31)"
    )
    code, out, _ = run(capsys, "calls", "callpkg.choosing.Named.label", "--all")
    name = "self.__class__.__name__"
    assert f"{name}.lower: a Python builtin, str.lower ({name} is a str)" in out


def test_an_attribute_holding_a_torch_module_says_its_class(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`self.gate = torch.nn.Linear(...)`: no pin defines it, and the line says what it is,
    as it does of a parameter annotated with a torch class."""
    code, out, _ = run(capsys, "calls", "callpkg.choosing.Gated.forward")
    assert code == 0
    assert out.splitlines()[1:3] == [
        "      39  self.gate -> callpkg.choosing.Gated.gate  src/callpkg/choosing.py:36",
        "          self.gate is a torch.nn.Linear (set at src/callpkg/choosing.py:36); "
        "torch is the module torch (no pin provides torch)",
    ]


def test_a_call_site_in_another_repository_says_its_version() -> None:
    """``callers accelerate.Accelerator.backward --at transformers@4.57.6``: the site in
    transformers is labelled with the release read (``[transformers==4.57.6]``), not the
    bare repository, which reads as the pin."""
    from codewalk.calls.callers import Caller
    from codewalk.cli.calls_output import format_callers
    from codewalk.resolve.model import Resolved

    step = Resolved(
        "transformers",
        "transformers.trainer.Trainer.training_step",
        "method",
        "src/transformers/trainer.py",
        3981,
        3981,
        4073,
        "direct",
        "def training_step(self, model, inputs):",
        version="transformers==4.57.6",
    )
    text = "self.accelerator.backward(loss, **kwargs)"
    site = Caller("call", "transformers", "src/transformers/trainer.py", 4071, 33, text, step, "direct")
    lines = format_callers([site], home="accelerate").splitlines()
    assert lines[1] == "  src/transformers/trainer.py:4071  [transformers==4.57.6]  in training_step"
    assert format_callers([site], home="transformers").splitlines()[1].endswith(":4071  in training_step")


def test_goto_on_a_call_into_another_package_names_what_it_runs(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``data.numpy()`` of ``data: torch.Tensor``: goto has no definition to land on, and
    says which one the call runs and that it is in another package, not "no definition
    found for the name there"."""
    code, out, err = run(capsys, "goto", "src/callpkg/outside.py:33:14")
    assert (code, out) == (1, "")
    assert "codewalk: error: src/callpkg/outside.py:33:14: torch.Tensor.numpy, in another package\n" in err
    assert "no pin provides torch" in err


def test_goto_on_a_builtins_call_says_it_is_one_and_which_function_the_line_is_in(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A traceback's last frame is often a ``raise ValueError(...)``: goto on the line
    (its first call is the builtin) says the name is a Python builtin no pin defines and
    which function the line is in, not "no definition found for the name there"."""
    frame = f'  File "{repo}/src/callpkg/encoders.py", line 14, in get_encoder'
    code, out, err = run(capsys, "goto", frame)
    assert (code, out) == (1, "")
    assert (
        "codewalk: error: src/callpkg/encoders.py:14:19: ValueError: a Python builtin, "
        "which no pinned package defines\n"
    ) in err
    assert "hint: the line is in get_encoder; name the column of another name on it: PATH:LINE:COL" in err
    code, out, _ = run(capsys, "goto", "src/callpkg/encoders.py:14", "--json")
    assert code == 1
    assert json.loads(out)["note"] == "ValueError: a Python builtin"


def test_a_path_search_that_stopped_at_its_bound_says_so_not_that_a_call_breaks(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``path from_pretrained replace_with_bnb_linear`` read 1,500 functions without
    reaching the quantizer's call three calls down: the hint says the search stopped before
    it read them all and how to search less (from a caller of TO), not that a call
    codewalk cannot follow broke the chain."""
    from codewalk.calls import paths

    defaults = paths.shortest_paths.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "max_bodies", 1)
    code, _, err = run(capsys, "path", "publish", "callpkg.exporting.finish")
    assert code == 1
    first, hint = err.splitlines()[-2:]
    assert first.endswith("within 8 calls (the search stopped after 1 function)")
    assert hint == (
        "  hint: the search stopped before it read every function within 8 calls, so a chain may"
        " lie past where it stopped; a path between two functions nearer each other searches less"
        " ('calls publish' lists what FROM calls, 'callers callpkg.exporting.finish' what calls TO);"
        " a run recorded with `codewalk trace` answers for sure (path ... --trace NAME)"
    )


def test_a_path_search_stopped_at_its_bound_counts_its_functions_as_the_other_messages_do() -> None:
    """The bound is 1,500 functions, written with its thousands separated as the other
    messages write it (``'x' is ambiguous: 1,500 definitions``), not ``1500``."""
    import argparse

    from codewalk.calls.paths import PathSearch
    from codewalk.cli.commands.path import _no_chain
    from codewalk.resolve.model import Resolved
    from codewalk.workspace.calling import PathAnswer

    name, where = "callpkg.models.publish", "src/callpkg/models.py"
    start = Resolved("callpkg", name, "function", where, 1, 1, 2, "direct", "def publish():")
    answer = PathAnswer(start, "callpkg.exporting.finish", True, PathSearch((), 1500, False))
    error = _no_chain(argparse.Namespace(start="publish", depth=8), answer)
    said = str(error).splitlines()[0]
    assert said.endswith("within 8 calls (the search stopped after 1,500 functions)"), said


def test_a_path_without_a_pin_not_in_the_cache_says_so_in_its_note_and_its_error() -> None:
    """``path`` fetches only its two ends' pins: one not in the cache is not read, which a
    chain found or not found may owe to it; the text says which, and how to fetch it."""
    import argparse

    from codewalk.calls.paths import PathSearch
    from codewalk.cli.commands.path import _no_chain, unfetched_note
    from codewalk.resolve.model import Resolved
    from codewalk.workspace.calling import PathAnswer

    assert unfetched_note(["accelerate"]) == (
        "(not read, not in the cache: accelerate; a chain through its code is not listed: "
        "'codewalk sync accelerate' fetches it, 'codewalk sync --all' every pin)"
    )
    assert unfetched_note(["accelerate", "peft"]).startswith(
        "(not read, not in the cache: accelerate, peft; a chain through their code is not listed: "
        "'codewalk sync accelerate' fetches one,"
    )
    name, where = "callpkg.models.publish", "src/callpkg/models.py"
    start = Resolved("callpkg", name, "function", where, 1, 1, 2, "direct", "def publish():")
    search = PathSearch((), 40, True)
    answer = PathAnswer(start, "callpkg.exporting.finish", True, search, unfetched=("accel",))
    hint = _no_chain(argparse.Namespace(start="publish", depth=8), answer).hint or ""
    assert hint.startswith("not read, not in the cache: accel; a chain through its code is not listed"), hint
