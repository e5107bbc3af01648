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
    """The words a TAB at the end of ``line`` offers."""
    answer, _ = _tab(line, tmp_path, home, _ARGCOMPLETE_IFS="\n")
    return [word.strip() for word in answer.split("\n") if word.strip()]


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
    trainer_tours = ["trainer-evaluate", "trainer-train"]
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


# --- the quick path: argcomplete's own answer, without argcomplete ------------------------

ARGCOMPLETE_ORACLE = """\
import io, json, os, sys
from codewalk.cli import completion
answers = []
for case in json.loads(sys.stdin.read()):
    for key in [k for k in os.environ if k.startswith(("COMP_", "_ARGCOMPLETE"))]:
        del os.environ[key]
    os.environ.update(case)
    out = io.StringIO()
    try:
        completion.complete([], output_stream=out, exit_method=sys.exit)
        code = None
    except SystemExit as done:
        code = done.code
    answers.append([code, out.getvalue()])
print(json.dumps(answers))
"""

BASH_BREAKS = " \t\n\"'><=;|&(:"
LINES = [
    # command names
    *(f"codewalk {p}" for p in ("f", "fi", "find", "t", "tour", "c", "ca", "d", "p", "s", "x", "completion")),
    # symbols, in every command that takes one, in every place it does
    *(f"codewalk {c} {p}" for c in ("find", "show", "calls", "callers", "diff") for p in ("Eng", "E", "No")),
    "codewalk find Engine.gen",
    "codewalk find toypkg.mod",
    "codewalk find toypkg.models.ti",
    "codewalk find Engine",
    "codewalk path Engine.generate Eng",
    "codewalk draft Eng",
    "codewalk find Engine Eng",  # no second symbol to find
    "codewalk path a b Eng",
    # tours
    "codewalk tour ll",
    "codewalk tour llama-generate",
    "codewalk export tr",
    "codewalk check ll",
    "codewalk check llama-generate tr",
    "codewalk tour nothing-like-it",
    # what argcomplete alone answers
    "codewalk find --j",
    "codewalk find ",
    "codewalk ",
    "codewalk find --at ",
    "codewalk find --json Eng",
    "codewalk sync acc",
    "codewalk find 'Eng",
    "codewalk find Eng\\\\",
    "codewalk goto sr",
]


def _oracle(cases: list[dict[str, str]], home: Path) -> list[tuple[int | None, str]]:
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMP_", "_ARGCOMPLETE"))}
    env["CODEWALK_HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-c", ARGCOMPLETE_ORACLE],
        input=json.dumps(cases),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return [tuple(answer) for answer in json.loads(done.stdout)]  # type: ignore[misc]


def _cases() -> list[dict[str, str]]:
    cases = []
    for line in LINES:
        for shell, suppress, ifs, breaks in (
            ("bash", "1", "\013", BASH_BREAKS),
            ("bash", "0", "\n", BASH_BREAKS),
            ("zsh", "1", "\013", None),
            (None, None, None, None),  # what a caller that sets only the minimum gets
        ):
            case = {"COMP_LINE": line, "COMP_POINT": str(len(line)), "_ARGCOMPLETE": "1"}
            for key, value in (
                ("_ARGCOMPLETE_SHELL", shell),
                ("_ARGCOMPLETE_SUPPRESS_SPACE", suppress),
                ("_ARGCOMPLETE_IFS", ifs),
                ("_ARGCOMPLETE_COMP_WORDBREAKS", breaks),
            ):
                if value is not None:
                    case[key] = value
            cases.append(case)
    for odd in ("+{}", " {}", "{}\t"):  # argcomplete reads COMP_POINT with int(), as the quick path
        for line in ("codewalk tour", "codewalk find Eng", "codewalk fi"):
            cases.append({"COMP_LINE": line, "COMP_POINT": odd.format(len(line)), "_ARGCOMPLETE": "1"})
    cursor_inside = "codewalk find Engine.generate"
    cases.append({"COMP_LINE": cursor_inside, "COMP_POINT": "17", "_ARGCOMPLETE": "1"})
    cases.append({"COMP_LINE": "codewalk find Eng", "COMP_POINT": "17", "_ARGCOMPLETE": "1",
                  "_ARGCOMPLETE_COMP_WORDBREAKS": "."})  # a shell that breaks words at dots
    return cases


def test_the_quick_path_answers_exactly_as_argcomplete(tmp_path: Path, indexed: Path) -> None:
    """Over every command, shell and separator: where the quick path answers, it prints
    what argcomplete prints, byte for byte; and it answers the common TABs."""
    from codewalk.cli import quick_completion

    cases = _cases()
    expected = _oracle(cases, indexed)
    answered = set()
    for case, (code, text) in zip(cases, expected, strict=True):
        found = quick_completion.completions(case)
        if found is None:
            continue
        assert code == 0, case
        assert quick_completion.formatted(found, case) == text, case
        answered.add(case["COMP_LINE"])
    assert {
        "codewalk fi",
        "codewalk find Eng",
        "codewalk find Engine.gen",
        "codewalk path Engine.generate Eng",
        "codewalk tour ll",
        "codewalk check llama-generate tr",
    } <= answered
    assert not answered & {"codewalk find --j", "codewalk find ", "codewalk find 'Eng", "codewalk goto sr"}


def test_a_quick_completion_imports_neither_argparse_nor_argcomplete(tmp_path: Path, indexed: Path) -> None:
    probe = (
        "import sys, os\n"
        "from codewalk.cli.main import main\n"
        "try:\n"
        "    main([])\n"
        "finally:\n"
        "    pass\n"
    )
    out = tmp_path / "answer.txt"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("COMP_", "_ARGCOMPLETE"))},
        "CODEWALK_HOME": str(indexed),
        "COMP_LINE": "codewalk find Engine.gen",
        "COMP_POINT": "24",
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SUPPRESS_SPACE": "1",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
        "PYTHONPROFILEIMPORTTIME": "1",
    }
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Engine.generate" in out.read_text().split("\013")
    imported = {line.rpartition("|")[2].strip() for line in done.stderr.splitlines()}
    assert "codewalk.cli.quick_completion" in imported
    heavy = {"argparse", "argcomplete", "typing", "codewalk.cli.parser", "codewalk.cli.completion"}
    assert not imported & heavy


def _tab(line: str, tmp_path: Path, home: Path, **extra: str) -> tuple[str, bool]:
    """One TAB as bash's shell code asks: the answer's bytes, and whether argcomplete
    (not the quick path) gave it."""
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
        "PYTHONPROFILEIMPORTTIME": "1",
        **extra,
    }
    done = subprocess.run(
        [sys.executable, "-m", "codewalk"], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    imported = {row.rpartition("|")[2].strip() for row in done.stderr.splitlines()}
    return out.read_text(), "argcomplete" in imported


def _settle() -> None:
    import time

    from codewalk.index import answers

    time.sleep(answers.SETTLE_NS / 1e9 * 2)


def test_argcomplete_s_answer_is_kept_and_given_again_without_it(tmp_path: Path, indexed: Path) -> None:
    _settle()
    first, by_argcomplete = _tab("codewalk find --j", tmp_path, indexed)
    assert by_argcomplete and first == "--json"
    assert _tab("codewalk find --j", tmp_path, indexed) == (first, False)
    # another question: the shell, the separator, the cursor
    assert _tab("codewalk find --j", tmp_path, indexed, _ARGCOMPLETE_SHELL="zsh")[1]
    assert _tab("codewalk find --j", tmp_path, indexed, _ARGCOMPLETE_IFS="\n")[1]
    assert _tab("codewalk find --js", tmp_path, indexed)[1]


def test_a_kept_completion_is_not_given_once_what_it_listed_changed(
    tmp_path: Path, indexed: Path
) -> None:
    tours = tmp_path / "my-tours"
    tours.mkdir()
    env = {"CODEWALK_TOURS_PATH": str(tours)}
    _settle()
    before, by_argcomplete = _tab("codewalk tour ", tmp_path, indexed, **env)
    assert by_argcomplete and "llama-generate" in before.split("\013")
    assert _tab("codewalk tour ", tmp_path, indexed, **env) == (before, False)
    (tours / "my-own.yaml").write_text("id: my-own\n")
    after, by_argcomplete = _tab("codewalk tour ", tmp_path, indexed, **env)
    assert by_argcomplete and "my-own" in after.split("\013")

    versions = "codewalk find X --at transformers@"
    before, _ = _tab(versions, tmp_path, indexed)
    assert _tab(versions, tmp_path, indexed) == (before, False)
    (indexed / "sources" / "transformers" / "release-transformers-4.57.6").mkdir(parents=True)
    after, by_argcomplete = _tab(versions, tmp_path, indexed)
    assert by_argcomplete and "transformers@4.57.6" in after.split("\013")


def test_an_answer_that_listed_files_is_never_kept(tmp_path: Path, indexed: Path) -> None:
    (tmp_path / "src").mkdir()
    _settle()
    for _ in range(2):
        answer, by_argcomplete = _tab("codewalk goto sr", tmp_path, indexed)
        assert by_argcomplete and answer == "src/"
    (tmp_path / "src").rmdir()
    (tmp_path / "srcs.py").write_text("")
    assert _tab("codewalk goto sr", tmp_path, indexed) == ("srcs.py", True)
