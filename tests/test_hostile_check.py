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
    assert lines[1] == "BROKEN  m-nope (1 of 2 steps broken at nope, toy@local)"
    assert lines[2] == (
        f"  {folder / 'm-nope.yaml'}:4: step 1 (Trainer.train): missing: "
        "unknown repo 'nope': the pins are toy"
    )
    assert lines[3].startswith("ok      z-good (2 steps at toy@local")  # 'nope' is close to no pin
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


@pytest.mark.parametrize("typed", ["Toy", "tyo"])
def test_a_repo_typed_wrong_gets_the_close_pin_as_did_you_mean(
    typed: str, tours: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Case aside, or a letter off: the pin meant, not every pin."""
    root, folder = tours
    tour = folder / "m-typo.yaml"
    tour.write_text(NOPE.replace("repo: nope", f"repo: {typed}"))
    code, out, _ = run(capsys, "check", "--tours-dir", str(folder), "--source", str(root), "m-typo")
    assert code == 1
    lines = out.splitlines()
    assert lines[1].endswith(f"missing: unknown repo {typed!r}: the pins are toy")
    assert lines[2] == "      did you mean: toy"


def test_plain_and_export_of_that_tour_say_so_in_its_step(
    tours: tuple[Path, Path], tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, folder = tours
    tour = folder / "m-nope.yaml"
    before = outside_cache(tmp_path, isolated_home)
    code, out, _ = run(capsys, "tour", str(tour), "--plain", "--no-color", "--source", str(root))
    assert code == 1
    assert "missing: unknown repo 'nope': the pins are toy" in out
    assert "\n1/2  Trainer.train  nope\n" in out  # a step with no title names its query once
    assert "def helper(x):" in out  # the step in the toy repo is shown
    code, out, err = run(capsys, "export", str(tour), "--source", str(root))
    assert (code, out) == (2, "")
    assert err.strip().splitlines()[-2] == (
        f"codewalk: error: {tour}:4: step 1 of 'm-nope' is missing: unknown repo 'nope': the pins are toy"
    )
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def _with_unreachable_ext(pins: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pins`` with an ``ext`` pin no git host or package index serves, in use; its
    transformers fetched from git first (the package index refuses every connection)."""
    from codewalk.source.pins import load_pins
    from codewalk.source.sync import ensure_checkout

    pins.write_text(
        pins.read_text() + '\n[ext]\nurl = "file:///nonexistent/ext.git"\ntag = "v1.0"\n'
        'package_root = "src"\npackages = ["ext"]\nrelease = "ext==1.0"\n'
    )
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    ensure_checkout(load_pins(pins)["transformers"], mode="git")
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{_refused_port()}/simple/")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")


def _refused_port() -> int:
    """A local port nothing listens on: a connection there is refused at once."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def unreachable_ext(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """transformers in the cache, and a second pin ``ext`` whose source can be had from
    neither its git host nor the package index; a tour reading both."""
    from tests.sourcefixtures import make_upstream, write_pins

    upstream = make_upstream(tmp_path / "remote")
    pins = write_pins(tmp_path / "vendor_pins.toml", url=upstream.url, commit=upstream.commit)
    _with_unreachable_ext(pins, monkeypatch)
    tour = tmp_path / "both.yaml"
    tour.write_text(
        "title: Both\nrepo: transformers\nsteps:\n  - at: LlamaModel\n"
        "  - at: ext.Thing\n    repo: ext\n  - at: ext.Other\n    repo: ext\n"
    )
    return tour


def test_check_says_a_pin_it_cannot_fetch_cannot_be_read_not_that_steps_broke(
    unreachable_ext: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "check", str(unreachable_ext))
    assert code == 2
    assert "BROKEN" not in out and "did you mean" not in out + err
    error, hint = err.strip().splitlines()[-2:]
    assert error.startswith(
        "codewalk: error: cannot check both: the ext pin cannot be read: no package index could be "
        "reached for ext==1.0: http://127.0.0.1:"
    )
    assert hint == "  hint: set PIP_INDEX_URL to an index (or a mirror) you can reach"
    code, _, err = run(capsys, "check", str(unreachable_ext), "--at", "ext@2.0")
    assert code == 2
    assert "codewalk: error: cannot check both: ext@2.0 cannot be read: no package index could be " in err


def test_a_tour_step_in_a_pin_that_cannot_be_fetched_suggests_no_other_pin(
    unreachable_ext: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The UI's steps (TourSteps): a pin whose source cannot be had is said, with no
    "did you mean" list of the pins; an unknown repo gets the close ones (none here)."""
    from codewalk.errors import NetworkError, PinError
    from codewalk.tours.discovery import load_tour
    from codewalk.tours.resolution import TourSteps

    tour = load_tour(str(unreachable_ext))

    def workspace_of(repo: str):  # type: ignore[no-untyped-def]
        if repo == "ext":
            raise NetworkError("no package index could be reached for ext==1.0")
        raise PinError(f"unknown repo {repo!r}")

    steps = TourSteps(tour, workspace_of, "transformers", ("transformers", "ext"))
    unknown, unreachable = steps(0), steps(1)
    assert (unknown.status, unknown.suggestions) == ("missing", ())  # no other pin is close to it
    assert (unreachable.status, unreachable.suggestions) == ("missing", ())
    assert unreachable.error == "no package index could be reached for ext==1.0"
    code, out, _err = run(capsys, "tour", str(unreachable_ext), "--plain", "--no-color")
    assert code == 1
    assert "missing: no package index could be reached for ext==1.0" in out
    assert "did you mean" not in out


def test_find_says_so_when_only_a_fallback_answers_and_its_pin_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``save = None`` where ``from ext.io import save`` fails, and ext out of reach:
    the stand-in is the answer printed, and one line on stderr says why it is only that."""
    from tests.sourcefixtures import git, write_pins

    work = tmp_path / "upstream"
    (work / "src" / "transformers").mkdir(parents=True)
    (work / "src" / "transformers" / "__init__.py").write_text("")
    (work / "src" / "transformers" / "hub.py").write_text(
        "try:\n    from ext.io import save\nexcept ImportError:\n    save = None\n"
    )
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "release")
    git(work, "tag", "v5.23.0")
    pins = write_pins(tmp_path / "vendor_pins.toml", url=work.as_uri())
    _with_unreachable_ext(pins, monkeypatch)
    code, out, err = run(capsys, "find", "save", "--no-color")
    assert code == 0
    assert out.startswith("transformers.hub.save  variable")
    assert "(a fallback: what the name is when its import fails)" in out
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith(
            "codewalk: save is defined here only as a fallback, for when importing it from ext.io fails; "
            "its definition in ext.io could not be read (ext: no package index could be reached"
        )
    )


def test_a_tour_recorded_in_this_directory_is_found_by_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``tour --new mine`` with no tour directory writes ./mine.yaml: ``check mine``,
    ``tour mine`` and ``export mine`` read it there, through the one lookup ``tour`` uses."""
    root = toy_source(tmp_path, monkeypatch)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    (here / "mine.yaml").write_text("id: mine\n" + GOOD.format(n=1), encoding="utf-8")
    code, out, err = run(capsys, "check", "mine", "--source", str(root))
    assert code == 0, err
    assert out.splitlines()[0].startswith("ok      mine (2 steps at toy@local")
    assert out.splitlines()[-1] == "1 tour(s), 2 step(s): 0 broken step(s), 0 file error(s)"
    code, out, err = run(capsys, "tour", "mine", "--plain", "--no-color", "--source", str(root))
    assert code == 0, err
    assert out.startswith("Good 1  (mine, 2 steps)")
    code, out, err = run(capsys, "export", "mine", "--source", str(root))
    assert code == 0, err
    assert out.startswith("# Good 1\n")


def test_check_of_an_unknown_tour_is_the_commands_error_not_a_file_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name no tour has is a mistake in the command: one ``codewalk: error:`` line on
    stderr and exit 2, as ``tour`` and ``export`` say it; nothing is checked."""
    root = toy_source(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", "no-such-tour", "--source", str(root))
    assert (code, out) == (2, "")
    assert err.startswith("codewalk: error: unknown tour 'no-such-tour'\n  hint: known tours: ")
    assert err.endswith("(list them with 'codewalk tours')\n")
