"""The command line as a user meets it: help, version, errors, sync and pins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codewalk import __version__
from codewalk.cli.main import main
from codewalk.cli.parser import COMMAND_MODULES, build_parser
from tests.sourcefixtures import index_with, make_index, make_sdist, write_pins


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codewalk", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"codewalk {__version__}"


def test_a_command_walks_the_records_it_keeps_for_reference_cycles_seldom() -> None:
    """A question keeps tens of thousands of records, few of them in cycles: the cyclic
    collector passes over new objects every 10,000 made (not 700), and over the older
    ones every hundredth pass (not every tenth), so that it does not walk them all again
    and again. A process that asked for more keeps its own."""
    import gc

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        assert main(["find", "X", "Y"]) == 2  # any command, even one refused
        assert gc.get_threshold() == (10_000, 100, 10)
        gc.set_threshold(50_000, 500, 10)
        main(["find", "X", "Y"])
        assert gc.get_threshold() == (50_000, 500, 10)
    finally:
        gc.set_threshold(*before)


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"sync", "pins"} <= set(commands)
    for name in commands:
        with pytest.raises(SystemExit) as exit_:
            main([name, "--help"])
        assert exit_.value.code == 0
        assert f"usage: codewalk {name}" in capsys.readouterr().out


def test_an_option_shared_by_commands_reads_alike_in_each() -> None:
    """``--trace NAME`` names a run recorded with ``codewalk trace`` and ``--python PY``
    the interpreter a program runs in, the same way in every command that takes them."""
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    shared = {
        "--trace": ("NAME", "(a trace of codewalk trace)"),
        "--python": ("PY", "(default: python on PATH)"),
    }
    taking: dict[str, set[str]] = {option: set() for option in shared}
    for name, command in commands.items():
        for action in command._actions:
            for option in set(action.option_strings) & set(shared):
                metavar, said = shared[option]
                assert action.metavar == metavar, (name, option)
                assert action.help is not None and action.help.endswith(said), (name, option)
                taking[option].add(name)
    traced = {"tour", "check", "calls", "callers", "goto", "path", "draft"}
    assert taking == {"--trace": traced, "--python": {"trace", "check"}}


def test_command_modules_are_all_listed() -> None:
    shipped = {p.stem for p in (Path(__file__).parents[1] / "codewalk" / "commands").glob("*.py")}
    listed = {name.rsplit(".", 1)[1] for name in COMMAND_MODULES}
    assert shipped - {"__init__", "default"} <= listed


# What each command needs besides its options (its positional arguments, a required option).
NEEDS: dict[str, list[str]] = {
    "tours": [],
    "tour": ["llama-generate"],
    "find": ["ForCausalLMLoss"],
    "show": ["ForCausalLMLoss"],
    "goto": ["src/transformers/trainer.py:10"],
    "calls": ["Trainer.train"],
    "callers": ["fixed_cross_entropy"],
    "path": ["Trainer.train", "Trainer.training_step"],
    "draft": ["Trainer.train", "Trainer.training_step"],
    "diff": ["Trainer.train", "--from", "4.57.6", "--to", "5.23.0"],
    "check": [],
    "trace": ["prog.py"],
    "traces": [],
    "export": ["llama-generate"],
    "sync": [],
    "index": [],
    "pins": [],
    "prune": [],
    "completion": ["bash"],
}


def test_every_command_takes_no_color_after_its_name(capsys: pytest.CaptureFixture[str]) -> None:
    """The README: ``--no-color`` after the command's name turns colour off, whichever
    command it is (not only those that colour their output)."""
    assert set(NEEDS) == {name.rsplit(".", 1)[1] for name in COMMAND_MODULES}
    for name, needs in NEEDS.items():
        forms = [[name, "--no-color", *needs]]
        if name != "trace":  # what follows the program is the program's own
            forms.append([name, *needs, "--no-color"])
        for argv in forms:
            args = build_parser(argv).parse_args(argv)
            assert (args.command, args.no_color) == (name, True), argv
        assert build_parser([name, *needs]).parse_args([name, *needs]).no_color is False
    for argv in (["tours", "--no-color"], ["pins", "--no-color"], ["completion", "bash", "--no-color"]):
        assert main(argv) == 0, argv
        out, err = capsys.readouterr()
        assert out and "\x1b[" not in out and "unrecognized" not in err, argv


def test_an_option_of_other_commands_is_refused_by_the_command_named_with_those_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``find X --trace run``: the error is the command's own, under its usage (argparse
    printed the top-level parser's usage, ``codewalk: error``, and exited from ``main``),
    and names the commands that take the option; nothing runs."""
    for argv, said, hint in (
        (["find", "X", "--trace", "run"], "--trace run", "--trace"),
        (["callers", "pad_collate_fn", "--depth", "2"], "--depth 2", "--depth"),
        (["goto", "src/x.py:3", "--depth=2"], "--depth=2", "--depth"),
    ):
        assert main(argv) == 2, argv
        out, err = capsys.readouterr()
        lines = err.splitlines()
        command = argv[0]
        assert out == "" and lines[0].startswith(f"usage: codewalk {command} "), argv
        assert lines[-2] == f"codewalk {command}: error: unrecognized arguments: {said}", argv
        tracing = "callers, calls, check, draft, goto, path and tour"
        taking = tracing if hint == "--trace" else "calls, draft and path"
        assert lines[-1] == f"  hint: {hint} is an option of {taking}, not of {command}", argv
    assert main(["find", "X", "Y"]) == 2  # no option: no hint
    assert capsys.readouterr().err.splitlines()[-1] == "codewalk find: error: unrecognized arguments: Y"
    assert main(["--bogus"]) == 2  # no command: the top-level parser's usage, as argparse has it
    assert capsys.readouterr().err.splitlines()[-1] == "codewalk: error: unrecognized arguments: --bogus"


def test_user_error_is_one_line_on_stderr_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "vendor_pins.toml"
    bad.write_text('[transformers]\nurl = "ext::sh"\n')
    result = run_cli("pins", env={"CODEWALK_PINS": str(bad)})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"codewalk: error: {bad}: [transformers]: missing key 'tag'\n"
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the message, and at most a hint


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "vendor_pins.toml"
    bad.write_text("[transformers\n")
    result = run_cli("--debug", "pins", env={"CODEWALK_PINS": str(bad)})
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "PinError" in result.stderr
    via_env = run_cli("pins", env={"CODEWALK_PINS": str(bad), "CODEWALK_DEBUG": "1"})
    assert "Traceback" in via_env.stderr


def test_unknown_repo_names_the_known_ones() -> None:
    result = run_cli("sync", "nope")
    assert result.returncode == 2
    assert "unknown repo 'nope': the pins are accelerate, datasets" in result.stderr
    assert "transformers" in result.stderr and "did you mean" not in result.stderr  # none is close
    assert "vendor_pins.toml" not in result.stderr  # the shipped file is not the user's business


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Transformers@5.23.0", "transformers"),
        ("transformrs@5.23", "transformers"),
        ("acelerate", "accelerate"),
    ],
)
def test_a_repo_typed_wrong_gets_the_close_pin_as_did_you_mean(typed: str, meant: str) -> None:
    """Case aside or a letter off: the pin meant (not xformers, farther), first and alone."""
    result = run_cli("find", "Trainer.train", "--at", typed)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"  hint: did you mean: {meant}"


def test_unknown_repo_names_the_pins_file_the_user_set(tmp_path: Path) -> None:
    pins = tmp_path / "my_pins.toml"
    pins.write_text((Path(__file__).parents[1] / "vendor_pins.toml").read_text())
    result = run_cli("sync", "nope", env={"CODEWALK_PINS": str(pins)})
    assert result.returncode == 2
    assert f"unknown repo 'nope': {pins} pins accelerate, datasets" in result.stderr


def test_bad_source_mode_is_a_clear_error() -> None:
    result = run_cli("sync", env={"CODEWALK_SOURCE": "svn"})
    assert result.returncode == 2
    assert "CODEWALK_SOURCE='svn' is not a source mode" in result.stderr


def test_sync_falls_back_then_pins_reports_it_and_resync_downloads_nothing(tmp_path: Path) -> None:
    index = make_index(tmp_path / "index", make_sdist())
    pins = write_pins(tmp_path / "vendor_pins.toml", url=(tmp_path / "nowhere.git").as_uri())
    env = {"PIP_INDEX_URL": index, "PIP_EXTRA_INDEX_URL": "", "CODEWALK_PINS": str(pins)}

    first = run_cli("sync", "transformers", env=env)
    assert first.returncode == 0, first.stderr
    assert "git host unreachable" in first.stderr
    assert "downloading transformers-5.23.0.tar.gz" in first.stderr
    assert first.stdout.startswith(
        "transformers: release transformers 5.23.0 (source distribution): downloaded"
    )

    listed = run_cli("pins", env=env)
    assert listed.returncode == 0
    assert "cache   release transformers 5.23.0 (source distribution)" in listed.stdout

    second = run_cli("sync", "transformers", env=env)
    assert second.returncode == 0
    assert "downloading" not in second.stderr
    assert "already in the cache, verified" in second.stdout

    as_json = run_cli("pins", "--json", env=env)
    import json

    cached = json.loads(as_json.stdout)["pins"][0]["cached"]
    assert cached["source"] == "release"
    assert Path(cached["path"], "src/transformers/models/llama/modeling_llama.py").is_file()


PINS = (("transformers", "5.23.0"), ("accelerate", "1.0.0"), ("peft", "1.0.0"))


def _pin(name: str, version: str, tmp_path: Path) -> str:
    return (
        f'[{name}]\nurl = "{(tmp_path / "nowhere.git").as_uri()}"\ntag = "v{version}"\n'
        f'package_root = "src"\npackages = ["{name}"]\nrelease = "{name}=={version}"\n\n'
    )


def test_index_with_no_repo_indexes_every_pin_a_short_name_is_searched_in(tmp_path: Path) -> None:
    """``find`` searches a short name in every pin whose source is in the cache, so
    ``index`` indexes them all: the first (fetched if need be) and those the cache holds,
    never fetching another; ``index REPO`` indexes that one."""
    accelerate = {
        "src/accelerate/__init__.py": "",
        "src/accelerate/accelerator.py": "class Accelerator:\n    def backward(self, loss): ...\n",
    }
    url = index_with(tmp_path / "index", "transformers", {"transformers-5.23.0.tar.gz": make_sdist()})
    sdist = make_sdist(accelerate, "accelerate-1.0.0")
    index_with(tmp_path / "index", "accelerate", {"accelerate-1.0.0.tar.gz": sdist})
    pins = tmp_path / "vendor_pins.toml"
    pins.write_text("".join(_pin(*pin, tmp_path) for pin in PINS))
    env = {"PIP_INDEX_URL": url, "PIP_EXTRA_INDEX_URL": "", "CODEWALK_PINS": str(pins)}
    env["CODEWALK_SOURCE"] = "release"
    assert run_cli("sync", "accelerate", env=env).returncode == 0

    done = run_cli("index", env=env)
    assert done.returncode == 0, done.stderr
    indexed = [line.partition(":")[0] for line in done.stdout.splitlines() if line.startswith("indexed ")]
    assert indexed == ["indexed transformers==5.23.0", "indexed accelerate==1.0.0"]
    assert "peft" not in done.stdout + done.stderr  # not in the cache: not fetched
    one = run_cli("index", "accelerate", env=env)
    (line,) = [line for line in one.stdout.splitlines() if line.startswith("indexed ")]
    assert line.startswith("indexed accelerate==1.0.0: 2 files (0 parsed, 2 unchanged)")


def test_non_ui_commands_never_import_textual_or_jedi(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from codewalk.cli.main import main\n"
        "code = main(['pins'])\n"
        "heavy = sorted(m for m in ('textual', 'jedi', 'libcst', 'git') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout


def test_the_program_leaves_the_collector_nothing_to_walk_at_exit() -> None:
    """``python -m codewalk`` (and the console script, the same function) freezes what
    the command made once it is done: the collector's passes at exit skip it. Called in
    a process that goes on, ``main`` freezes nothing."""
    probe = (
        "import atexit, gc, runpy, sys\n"
        "from codewalk.cli.main import main\n"
        "main(['pins'])\n"
        "print('AFTER MAIN', gc.get_freeze_count())\n"
        "atexit.register(lambda: print('AT EXIT', gc.get_freeze_count() > 0))\n"
        "sys.argv = ['codewalk', 'pins']\n"
        "runpy.run_module('codewalk', run_name='__main__')\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "AFTER MAIN 0\n" in result.stdout
    assert result.stdout.endswith("AT EXIT True\n")


@pytest.mark.parametrize(
    "argv", [["find", "Trainer.train"], ["calls", "Trainer.train"], ["diff", "X", "--from", "1", "--to", "2"]]
)
def test_an_empty_repo_is_refused_not_read_as_the_first_pin(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """``--repo ''`` (a variable that was not set) named no repo and answered for the
    first pin, as if the option were not there."""
    for empty in ("", " "):
        with pytest.raises(SystemExit) as exited:
            main([*argv, "--repo", empty])
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert err.endswith(
            "error: argument --repo: names no repo: give one of vendor_pins.toml, or leave --repo out\n"
        )
