"""Any version, for real: transformers 4.46.3 and 4.57.6 beside the pinned 5.23.0
(releases from the package index, downloaded once per machine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codewalk.cli.main import main

pytestmark = pytest.mark.release


def test_find_at_another_release(stack_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["find", "Trainer.train", "--at", "transformers@4.57.6", "--json"]) == 0
    best = json.loads(capsys.readouterr().out)["results"][0]
    assert (best["path"], best["line"], best["version"]) == (
        "src/transformers/trainer.py",
        2213,
        "transformers==4.57.6",
    )


def test_find_at_the_installed_release(stack_home: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "transformers-4.46.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: transformers\nVersion: 4.46.3\n")
    env = {**os.environ, "CODEWALK_HOME": str(stack_home), "PYTHONPATH": str(site)}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    done = subprocess.run(
        [sys.executable, "-m", "codewalk", "find", "Trainer.train", "--at", "transformers@installed"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "src/transformers/trainer.py:2022  [transformers==4.46.3]" in done.stdout
    assert "transformers@installed is 4.46.3" in done.stderr


def test_check_trainer_train_at_4_57_6_names_the_run_epoch_steps(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "trainer-train", "--at", "transformers@4.57.6", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    steps = report["tours"][0]["steps"]
    broken = [
        (s["index"], s["anchor"], s["status"]) for s in steps if s["status"] not in ("resolved", "skipped")
    ]
    assert broken == [(3, "Trainer._run_epoch", "missing"), (4, "Trainer._run_epoch", "missing")]
    assert {s["version"] for s in steps if s["repo"] == "transformers"} == {"transformers==4.57.6"}


def test_diff_trainer_train_across_a_major_release(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["diff", "Trainer.train", "--from", "transformers@4.46.3", "--to", "transformers@5.23.0", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["from"]["result"]["path"], data["from"]["result"]["line"]) == (
        "src/transformers/trainer.py",
        2022,
    )
    assert (data["to"]["result"]["path"], data["to"]["result"]["line"]) == (
        "src/transformers/trainer.py",
        1450,
    )
    assert data["to"]["how"] == "by the same qualified name"
    changed = [line for hunk in data["hunks"] for line in hunk["lines"] if line[:1] in "+-"]
    assert "+    ) -> TrainOutput:" in changed
    assert data["hunks"][0]["from_start"] == 2022 and data["hunks"][0]["to_start"] == 1450
