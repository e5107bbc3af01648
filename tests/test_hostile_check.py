"""``check`` reports everything it can: a tour naming a repo that is not pinned is that
tour's error, with its file and lines, and every other tour is still checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hardening import assert_untouched, outside_cache, run, toy_source

GOOD = "title: Good {n}\nsteps:\n  - at: toypkg.core.helper\n  - at: Engine.generate\n"
NOPE = (
    "title: Elsewhere\nrepo: nope\nsteps:\n  - at: Trainer.train\n  - at: toypkg.core.helper\n    repo: toy\n"
)


@pytest.fixture()
def tours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    root = toy_source(tmp_path, monkeypatch)
    folder = tmp_path / "tours"
    folder.mkdir()
    (folder / "a-good.yaml").write_text(GOOD.format(n=1))
    (folder / "m-nope.yaml").write_text(NOPE)
    (folder / "z-good.yaml").write_text(GOOD.format(n=2))
    return root, folder


def test_an_unknown_repo_is_that_tours_error_and_the_others_are_checked(
    tours: tuple[Path, Path], tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, folder = tours
    before = outside_cache(tmp_path, isolated_home)
    code, out, err = run(
        capsys, "check", "a-good", "m-nope", "z-good", "--tours-dir", str(folder), "--source", str(root)
    )
    assert code == 1, err
    lines = out.splitlines()
    assert lines[0].startswith("ok      a-good (2 steps at toy@local")
    assert lines[1] == "BROKEN  m-nope (1 of 2 steps at nope, toy@local)"
    assert lines[2] == (
        f"  {folder / 'm-nope.yaml'}:4: step 1 (Trainer.train): missing: "
        "unknown repo 'nope': the pins are toy"
    )
    assert lines[3] == "      did you mean: toy"
    assert lines[4].startswith("ok      z-good (2 steps at toy@local")
    assert lines[-1] == "3 tour(s), 6 step(s): 1 broken step(s), 0 file error(s)"
    assert "Traceback" not in err

    code, out, _ = run(capsys, "check", "--json", "--tours-dir", str(folder), "--source", str(root), "m-nope")
    assert code == 1
    steps = json.loads(out)["tours"][0]["steps"]
    assert (steps[0]["status"], steps[0]["step_line"], steps[0]["error"]) == (
        "missing",
        4,
        "unknown repo 'nope': the pins are toy",
    )
    assert steps[1]["status"] == "resolved"
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def test_plain_and_export_of_that_tour_say_so_in_its_step(
    tours: tuple[Path, Path], tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, folder = tours
    tour = folder / "m-nope.yaml"
    before = outside_cache(tmp_path, isolated_home)
    code, out, _ = run(capsys, "tour", str(tour), "--plain", "--no-color", "--source", str(root))
    assert code == 1
    assert "missing: unknown repo 'nope': the pins are toy" in out
    assert "def helper(x):" in out  # the step in the toy repo is shown
    code, out, err = run(capsys, "export", str(tour), "--source", str(root))
    assert (code, out) == (2, "")
    assert err.strip().splitlines()[-2] == (
        f"codewalk: error: {tour}:4: step 1 of 'm-nope' is missing: unknown repo 'nope': the pins are toy"
    )
    assert_untouched(before, outside_cache(tmp_path, isolated_home))
