"""Several regions, note links and note warnings end to end: ``check`` (text, JSON,
``--strict``), ``tour --plain`` and ``--json``, and the exports, on the call fixture
package and its ``accelerate`` stand-in (two pins read from one tree)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codewalk.cli.main import main
from tests.callrepo import callrepo_workspace, pin_callrepo

TOUR = """\
title: Links
repo: calls
steps:
  - at: Trainer.step
    focus: ["out = self.layer(x)", "self.accelerator.backward(loss)"]
    note: |
      The loss goes to [`Accelerator.backward`](codewalk:accelerate.Accelerator.backward),
      which [scales it](<codewalk:accelerate.Accelerator.backward#loss = self.scale(loss)>);
      [the attention](<codewalk:#attention(x)>) runs first, and [`train`](codewalk:Trainer.train)
      started it all. `helper` is on screen, `retry` is not.
"""


@pytest.fixture()
def tour(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    pin_callrepo(tmp_path, monkeypatch, accel=True)
    path = tmp_path / "links.yaml"
    path.write_text(TOUR)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_check_resolves_the_links_and_warns_about_a_name_not_shown(
    tour: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "check", str(tour))
    assert code == 0, out
    assert out.splitlines() == [
        "ok      links (1 step at calls@local)",
        f"  warning: {tour}:4: step 1 (Trainer.step): the note names `retry`, which is neither on "
        "the lines 37-43 the step shows nor linked: link it, or widen the focus",
        "1 tour(s), 1 step(s): 0 broken step(s), 1 note warning(s), 0 file error(s)",
    ]
    code, out = run(capsys, "check", str(tour), "--strict")
    assert code == 1 and out.startswith("WARNED  links (1 step at calls@local)\n  warning: ")
    code, out = run(capsys, "check", str(tour), "--json", "--strict")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["tours"][0]["ok"] is True
    assert data["tours"][0]["warnings"] == [
        {
            "step": 1,
            "step_line": 4,
            "name": "retry",
            "message": f"{tour}:4: step 1 (Trainer.step): the note names `retry`, which is neither on "
            "the lines 37-43 the step shows nor linked: link it, or widen the focus",
        }
    ]
    step = data["tours"][0]["steps"][0]
    assert step["focus"] == [38, 38] and step["regions"] == [[38, 38], [42, 42]]
    assert [
        (link["qualname"], link["repo"], link["line"], link["start_line"], link["end_line"])
        for link in step["links"]
    ] == [
        ("accelerate.accelerator.Accelerator.backward", "accel", 2, 2, 4),
        ("accelerate.accelerator.Accelerator.backward", "accel", 3, 3, 3),
        ("callpkg.trainer.Trainer.step", "calls", 41, 41, 41),
        ("callpkg.trainer.Trainer.train", "calls", 29, 29, 31),
    ]
    assert all(link["error"] is None for link in step["links"])


def test_check_takes_a_file_name_or_a_state_dict_key_for_no_code(
    tour: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour.write_text(
        TOUR.replace(
            "`retry` is not.",
            "`retry` is not.\n      It writes `config.json` and `model.safetensors`, keys `lm_head.weight`; "
            "`out.weight` is code.",
        )
    )
    code, out = run(capsys, "check", str(tour), "--json")
    assert code == 0, out
    assert [w["name"] for w in json.loads(out)["tours"][0]["warnings"]] == ["retry", "out.weight"]


def test_a_note_name_is_a_definition_when_the_pin_finds_it(tmp_path: Path) -> None:
    from codewalk.tours.targets import names_a_definition

    for workspace in callrepo_workspace(tmp_path, "lazy"):
        assert names_a_definition(workspace, "Trainer.step")
        assert not names_a_definition(workspace, "config.json")
        assert not names_a_definition(workspace, "a" * 1000 + ".json")  # too long to be a query


def test_a_link_to_a_function_defined_in_another_resolves_as_a_step_at_does(
    tour: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``[x](codewalk:outer.<locals>.inner)``: a step's ``at:`` takes the name the recorder
    writes for a nested function; a link to it was refused as "not a dotted name"."""
    tour.write_text(
        "title: Nested\nrepo: calls\nsteps:\n  - at: callpkg.models.outer\n    note: |\n"
        "      It returns [what `inner` gives](codewalk:callpkg.models.outer.<locals>.inner).\n"
    )
    code, out = run(capsys, "check", str(tour), "--json")
    assert code == 0, out
    [link] = json.loads(out)["tours"][0]["steps"][0]["links"]
    assert link["error"] is None
    assert (link["qualname"], link["start_line"]) == ("callpkg.models.outer.<locals>.inner", 122)
    tour.write_text(tour.read_text().replace("<locals>.inner", "<locals>.1inner"))
    code, out = run(capsys, "check", str(tour))
    assert code != 0 and "'callpkg.models.outer.<locals>.1inner' is not a dotted name" in out, out


def test_a_link_that_does_not_resolve_breaks_its_step(tour: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tour.write_text(
        TOUR.replace("codewalk:Trainer.train", "codewalk:Trainer.trian").replace(
            "#attention(x)>", "#attention(y)>"
        )
    )
    code, out = run(capsys, "check", str(tour))
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == "BROKEN  links (1 of 1 steps broken at calls@local)"
    where = f"  {tour}:4: step 1 (Trainer.step): broken link: "
    assert lines[2] == (
        f"{where}link [the attention](codewalk:#attention(y)): 'attention(y)' does not occur in "
        "callpkg.trainer.Trainer.step (src/callpkg/trainer.py:37-43)"
    )
    assert lines[3].startswith(
        f"{where}link [`train`](codewalk:Trainer.trian): 'Trainer.trian' names nothing in "
    )
    code, out = run(capsys, "tour", str(tour), "--plain", "--no-color")
    assert code == 1  # printed whole, each broken link said so where it stands (exit 1: broken)
    assert "the attention (broken link: 'attention(y)' does not occur in callpkg.trainer.Trainer.step" in out
    assert "(broken link: 'Trainer.trian' names nothing in calls@local; did you mean Trainer.train" in out
    code, out = run(capsys, "export", str(tour), "--format", "markdown")
    assert code == 2  # a broken step is not exported


def test_a_focus_not_there_and_a_broken_link_are_both_named(
    tour: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The step is found, its focus is not there: its links are checked all the same, so
    ``check`` names every problem of the step in one run."""
    text = TOUR.replace('"out = self.layer(x)"', '"out = self.nothere(x)"')
    tour.write_text(text.replace("Trainer.train)", "Trainer.trian)"))
    code, out = run(capsys, "check", str(tour))
    assert code == 1
    where = f"  {tour}:4: step 1 (Trainer.step): missing: "
    problems = [line.removeprefix(where) for line in out.splitlines() if line.startswith(where)]
    assert len(problems) == 2, out
    assert problems[0].startswith("focus 1 ") and "out = self.nothere(x)" in problems[0]
    assert problems[1].startswith("link [`train`](codewalk:Trainer.trian): 'Trainer.trian' names nothing in ")


def test_plain_json_and_exports_show_every_region_and_where_links_go(
    tour: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "tour", str(tour), "--plain", "--no-color")
    assert code == 0
    assert (
        "▶ 38 │         out = self.layer(x)" in out
        and "▶ 42 │         self.accelerator.backward(loss)" in out
    )
    assert "  39 │         loss = self.loss_function(out)" in out
    assert (
        "The loss goes to `Accelerator.backward` (accel `src/accelerate/accelerator.py:2`),\n"
        "which scales it (accel `src/accelerate/accelerator.py:3`);\n"
        "the attention (`src/callpkg/trainer.py:41`) runs first, and `train` (`src/callpkg/trainer.py:29`)"
    ) in out
    code, out = run(capsys, "tour", str(tour), "--json")
    assert json.loads(out)["steps"][0]["regions"] == [[38, 38], [42, 42]]
    tour.write_text(TOUR + "  - at: Trainer.train\n")
    code, out = run(capsys, "tour", str(tour), "--json", "--step", "2")  # that step alone, as --plain
    assert code == 0 and [s["index"] for s in json.loads(out)["steps"]] == [2]
    tour.write_text(TOUR)

    code, out = run(capsys, "export", str(tour), "--format", "markdown")
    assert code == 0
    calls, accel = "https://example.org/calls/blob/v0", "https://example.org/accel/blob/v1"
    assert f"focus on [line 38]({calls}" in out and f"[line 42]({calls}" in out
    assert f"[`Accelerator.backward`]({accel}" in out and "/src/accelerate/accelerator.py#L2-L4)" in out
    assert "[scales it](" in out and "accelerator.py#L3)" in out
    code, out = run(capsys, "export", str(tour), "--format", "codetour")
    (step,) = json.loads(out)["steps"]
    assert step["selection"]["start"]["line"] == 38
    assert step["description"].endswith(
        "*Also lit: [line 42](https://example.org/calls/blob/v0/src/callpkg/trainer.py#L42).*"
    )
    assert (
        "[the attention](https://example.org/calls/blob/v0/src/callpkg/trainer.py#L41)" in step["description"]
    )
