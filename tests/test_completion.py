"""Shell completion, as the shell asks for it: ``codewalk`` run with argcomplete's
environment, answering commands, tour ids, REPO@VERSION and symbol names by prefix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codewalk import locations
from codewalk.index.store import Store
from codewalk.workspace.workspace import Workspace
from tests.toyrepo import make_toy


def complete(line: str, tmp_path: Path, home: Path) -> list[str]:
    out = tmp_path / "completions.txt"
    env = {
        **os.environ,
        "CODEWALK_HOME": str(home),
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
    }
    done = subprocess.run(
        [sys.executable, "-m", "codewalk"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return [word.strip() for word in out.read_text().split("\n") if word.strip()]


@pytest.fixture
def indexed(tmp_path: Path, isolated_home: Path) -> Path:
    """A home whose index holds the toy package, fully indexed."""
    with Workspace(make_toy(tmp_path), Store.open(locations.index_db_path())) as workspace:
        workspace.index_all(workers=1)
    return isolated_home


def test_commands_and_options(tmp_path: Path, isolated_home: Path) -> None:
    assert complete("codewalk fi", tmp_path, isolated_home) == ["find"]
    assert "diff" in complete("codewalk d", tmp_path, isolated_home)
    options = complete("codewalk find X --", tmp_path, isolated_home)
    assert {"--json", "--at", "--repo", "--refs"} <= set(options)


def test_tour_ids(tmp_path: Path, isolated_home: Path) -> None:
    assert complete("codewalk tour llama", tmp_path, isolated_home) == ["llama-generate"]
    assert complete("codewalk check trainer", tmp_path, isolated_home) == ["trainer-train"]


def test_symbol_names_from_the_index(tmp_path: Path, indexed: Path) -> None:
    assert complete("codewalk find Eng", tmp_path, indexed) == ["Engine"]
    members = complete("codewalk find Engine.gen", tmp_path, indexed)
    assert "Engine.generate" in members
    modules = complete("codewalk show toypkg.mod", tmp_path, indexed)
    assert "toypkg.models" in modules and "toypkg.models.tiny" in modules
    assert complete("codewalk find Nothing_like_it", tmp_path, indexed) == []


def test_no_index_means_no_symbols_and_no_index_made(tmp_path: Path, isolated_home: Path) -> None:
    assert complete("codewalk find Eng", tmp_path, isolated_home) == []
    assert not locations.index_db_path().exists()  # completion never creates or fills one


def test_repo_at_version(tmp_path: Path, isolated_home: Path) -> None:
    (isolated_home / "sources" / "transformers" / "release-transformers-4.57.6").mkdir(parents=True)
    found = complete("codewalk find X --at transformers@", tmp_path, isolated_home)
    assert found == ["transformers@4.57.6", "transformers@installed"]
    assert "accelerate" in complete("codewalk sync acc", tmp_path, isolated_home)[0]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_the_install_line_prints_the_shell_code(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    from codewalk.cli.main import main

    assert main(["completion", shell]) == 0
    code = capsys.readouterr().out
    assert "codewalk" in code and "_ARGCOMPLETE" in code
