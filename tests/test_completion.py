"""Shell completion, as the shell asks for it: ``codewalk`` run with argcomplete's
environment, answering commands, tour ids, REPO@VERSION and symbol names by prefix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import codewalk
from codewalk import locations
from codewalk.index.store import Store
from codewalk.index.versions import INDEX_VERSION
from codewalk.workspace.workspace import Workspace
from tests.toyrepo import make_toy

BASH_BREAKS = " \t\n\"'@><=;|&(:"  # bash's default COMP_WORDBREAKS
# the checkout under test: the shell's ``codewalk`` runs in the directory the user is in
# (``tmp_path`` here), where ``-m codewalk`` would import the installed one
CHECKOUT = Path(codewalk.__file__).resolve().parents[1]


def _ours(env: dict[str, str]) -> dict[str, str]:
    """``env`` with the checkout under test first on ``PYTHONPATH``."""
    return {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH")]))}


def complete(line: str, tmp_path: Path, home: Path, **env: str) -> list[str]:
    """The words a TAB at the end of ``line`` offers."""
    done = _tab(line, tmp_path, home, _ARGCOMPLETE_IFS="\n", **env)
    assert done.returncode == 0, done.stderr
    return [word.strip() for word in (tmp_path / "answer.txt").read_text().split("\n") if word.strip()]


def _tab(line: str, tmp_path: Path, home: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """One TAB as bash's shell code asks it (the answer goes to ``answer.txt``)."""
    out = tmp_path / "answer.txt"
    out.unlink(missing_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("COMP_", "_ARGCOMPLETE"))},
        "CODEWALK_HOME": str(home),
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": "bash",
        "_ARGCOMPLETE_SUPPRESS_SPACE": "1",
        "_ARGCOMPLETE_COMP_WORDBREAKS": BASH_BREAKS,
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
        **extra,
    }
    return _in_shell([sys.executable, "-m", "codewalk"], env, tmp_path)


def _in_shell(argv: list[str], env: dict[str, str], where: Path) -> subprocess.CompletedProcess[str]:
    """``argv`` run as the shell runs codewalk's completer: in the directory ``where``."""
    return subprocess.run(argv, env=_ours(env), capture_output=True, text=True, timeout=60, cwd=where)


def test_the_tab_runs_the_codewalk_under_test(tmp_path: Path) -> None:
    """From a directory of its own, the completing process imports this checkout's
    codewalk, not the one installed (another checkout's, when run from a worktree)."""
    asked = [sys.executable, "-c", "import codewalk; print(codewalk.__file__)"]
    done = _in_shell(asked, dict(os.environ), tmp_path)
    assert Path(done.stdout.strip()).resolve() == Path(codewalk.__file__).resolve()


@pytest.fixture
def indexed(tmp_path: Path, isolated_home: Path) -> Path:
    """A home whose index holds the toy package, fully indexed."""
    with Workspace(make_toy(tmp_path), Store.open(locations.index_db_path(INDEX_VERSION))) as workspace:
        workspace.index_all(workers=1)
    return isolated_home


def test_commands_and_options(tmp_path: Path, isolated_home: Path) -> None:
    assert complete("codewalk fi", tmp_path, isolated_home) == ["find"]
    assert "diff" in complete("codewalk d", tmp_path, isolated_home)
    options = complete("codewalk find X --", tmp_path, isolated_home)
    assert {"--json", "--at", "--repo", "--refs"} <= set(options)


def test_tour_ids(tmp_path: Path, isolated_home: Path) -> None:
    assert complete("codewalk tour llama", tmp_path, isolated_home) == ["llama-generate"]
    trainer_tours = ["trainer-evaluate", "trainer-subclass", "trainer-train"]
    assert complete("codewalk check trainer", tmp_path, isolated_home) == trainer_tours


def test_symbol_names_from_the_index(tmp_path: Path, indexed: Path) -> None:
    assert complete("codewalk find Eng", tmp_path, indexed) == ["Engine"]
    members = complete("codewalk find Engine.gen", tmp_path, indexed)
    assert "Engine.generate" in members
    modules = complete("codewalk show toypkg.mod", tmp_path, indexed)
    assert "toypkg.models" in modules and "toypkg.models.tiny" in modules
    assert complete("codewalk find Nothing_like_it", tmp_path, indexed) == []


def test_no_index_means_no_symbols_and_no_index_made(tmp_path: Path, isolated_home: Path) -> None:
    assert complete("codewalk find Eng", tmp_path, isolated_home) == []
    assert not locations.index_db_path(INDEX_VERSION).exists()  # completion never creates or fills one


def test_repo_at_version(tmp_path: Path, isolated_home: Path) -> None:
    (isolated_home / "sources" / "transformers" / "release-transformers-4.57.6").mkdir(parents=True)
    found = complete("codewalk find X --at transformers@", tmp_path, isolated_home)
    assert found == ["@4.57.6", "@installed"]  # bash replaces the word from its "@" on
    found = complete(
        "codewalk find X --at transformers@", tmp_path, isolated_home, _ARGCOMPLETE_COMP_WORDBREAKS=" "
    )
    assert found == ["transformers@4.57.6", "transformers@installed"]
    assert "accelerate" in complete("codewalk sync acc", tmp_path, isolated_home)[0]


def test_bash_keeps_the_at_sign_in_the_word_a_tab_replaces(tmp_path: Path, isolated_home: Path) -> None:
    """bash breaks words at "@" but keeps it in the word it replaces: ``sync paddle@3``
    must become ``paddle@3.3.1``, not ``paddle3.3.1``; a break before it cuts as usual."""
    (isolated_home / "sources" / "paddle" / "wheel-paddlepaddle-3.3.1").mkdir(parents=True)
    assert complete("codewalk sync paddle@3", tmp_path, isolated_home) == ["@3.3.1"]
    assert complete("codewalk find X --at=paddle@", tmp_path, isolated_home) == ["@3.3.1", "@installed"]
    assert complete("codewalk sync paddle", tmp_path, isolated_home)[0] == "paddle"


@pytest.mark.parametrize("point", ["1e3", "13x", ""])
def test_a_malformed_cursor_is_one_line_not_a_traceback(
    point: str, tmp_path: Path, isolated_home: Path
) -> None:
    done = _tab("codewalk find Eng", tmp_path, isolated_home, COMP_POINT=point)
    assert done.returncode == 2
    assert done.stderr.strip() == f"codewalk: completion: COMP_POINT={point!r} is not a number"


def test_a_request_without_the_line_is_one_line(tmp_path: Path, isolated_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMP_", "_ARGCOMPLETE"))}
    env.update(_ARGCOMPLETE="1", COMP_POINT="3")
    done = subprocess.run(
        [sys.executable, "-m", "codewalk"], env=env, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr.strip()) == (
        2,
        "codewalk: completion: COMP_LINE is not set (the shell sets it)",
    )


def test_a_tour_is_offered_by_its_id_from_every_tour_directory(tmp_path: Path, isolated_home: Path) -> None:
    """A tour file whose ``id:`` is not its name is offered by its id (``tour ID`` is
    what works), and ``--tours-dir`` is read as ``tour`` reads it."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "file-stem.yaml").write_text("id: zeta-tour\ntitle: Z\nsteps:\n  - at: x\n")
    (mine / "alpha-tour.yaml").write_text("title: A\nsteps:\n  - at: x\n")
    env = {"CODEWALK_TOURS_PATH": str(mine)}
    assert complete("codewalk tour ze", tmp_path, isolated_home, **env) == ["zeta-tour"]
    assert complete("codewalk tour fil", tmp_path, isolated_home, **env) == []
    assert complete("codewalk tour al", tmp_path, isolated_home) == []
    assert complete(f"codewalk tour --tours-dir {mine} al", tmp_path, isolated_home) == ["alpha-tour"]
    assert complete(f"codewalk check --tours-dir {mine} llama-generate ze", tmp_path, isolated_home) == [
        "zeta-tour"
    ]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_the_install_line_prints_the_shell_code(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    from codewalk.cli.main import main

    assert main(["completion", shell]) == 0
    code = capsys.readouterr().out
    assert "codewalk" in code and "_ARGCOMPLETE" in code
