"""Every input error is one line on stderr and a non-zero exit, never a traceback; a
valid Python identifier that is not ASCII is a query like any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from codewalk.errors import QueryError
from codewalk.index.store import Store
from codewalk.workspace.workspace import Workspace
from tests.hardening import assert_untouched, outside_cache, run, toy_source
from tests.toyrepo import make_toy

UNICODE_NAME = "Modèle_日本語"


@pytest.fixture()
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = toy_source(tmp_path, monkeypatch)
    (root / "src" / "toypkg" / "intl.py").write_text(
        f"class {UNICODE_NAME}:\n    def forward(self):\n        return 'ok'\n\n\nÉTAT = {UNICODE_NAME}()\n",
        encoding="utf-8",
    )
    return root


def one_error(err: str) -> str:
    """The error of a run: one line (and at most a hint line under it)."""
    error = err[err.index("codewalk: error: ") :]
    lines = error.strip().splitlines()
    assert len(lines) <= 2 and (len(lines) == 1 or lines[1].startswith("  hint: ")), error
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["find", "a\0b"], 2, "argument 'a\\x00b' holds a NUL character"),
        (["find", "A" * 50_000], 1, "is too long: a dotted name has at most 1000 characters"),
        (["show", "x" * 50_000], 1, "(50000 characters) is too long"),
        (["find", "Engine.ge nerate"], 1, "malformed query 'Engine.ge nerate'"),
        (["goto", "src/toypkg/a\0b.py:1:1"], 2, "holds a NUL character"),
        (["goto", "src/toypkg/models:1:1"], 1, "src/toypkg/models: a directory of the toy checkout"),
        (["find", "Nothing_日本"], 1, "'Nothing_日本': no definition found in toy"),
    ],
    ids=[
        "nul-query",
        "long-query",
        "long-show",
        "spaced-query",
        "nul-path",
        "directory-path",
        "unknown-unicode",
    ],
)
def test_bad_queries_and_paths_are_one_line(
    argv: list[str],
    code: int,
    message: str,
    toy: Path,
    tmp_path: Path,
    isolated_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = outside_cache(tmp_path, isolated_home)
    got, out, err = run(capsys, *argv, "--source", str(toy))
    assert (got, out) == (code, "")
    assert message in one_error(err)
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def test_a_non_ascii_identifier_is_a_query_like_any_other(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "find", UNICODE_NAME, "--source", str(toy))
    assert code == 0, err
    assert out.splitlines()[:2] == [
        f"toypkg.intl.{UNICODE_NAME}  class",
        "  src/toypkg/intl.py:1  [toy@local]",
    ]
    code, out, _ = run(capsys, "find", f"{UNICODE_NAME}.forward", "--source", str(toy))
    assert (code, out.splitlines()[0]) == (0, f"toypkg.intl.{UNICODE_NAME}.forward  method")
    code, out, _ = run(capsys, "find", "ÉTAT", "--source", str(toy))
    assert (code, out.splitlines()[0]) == (0, "toypkg.intl.ÉTAT  variable")


def test_the_workspace_refuses_a_nul_path_and_a_huge_fuzzy_search(tmp_path: Path) -> None:
    with Workspace(make_toy(tmp_path), Store.memory()) as workspace:
        workspace.index_all(workers=1)
        with pytest.raises(QueryError, match="holds a NUL character"):
            workspace.source_text("src/a\0b.py")
        assert workspace.complete("E" * 50_000) == []  # no SQLite "pattern too complex"
        assert workspace.complete("Engine")[0].qualname == "toypkg.core.Engine"


PINS_WITH_NUL_TAG = """\
[transformers]
url = "https://github.com/huggingface/transformers.git"
tag = "v5\\u0000"
package_root = "src"
packages = ["transformers"]
release = "transformers==5.23.0"
"""


@pytest.mark.parametrize("argv", [["sync"], ["find", "Trainer"], ["pins"]], ids=["sync", "find", "pins"])
def test_a_pins_tag_with_a_nul_is_one_line(
    argv: list[str],
    tmp_path: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pins = tmp_path / "pins.toml"
    pins.write_text(PINS_WITH_NUL_TAG)
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    before = outside_cache(tmp_path, isolated_home)
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert one_error(err).endswith("[transformers].tag: 'v5\\x00' holds a control character (U+0000)")
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_endless_tour_and_pins_files_are_refused(
    toy: Path,
    tmp_path: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = outside_cache(tmp_path, isolated_home)
    code, out, err = run(capsys, "tour", "/dev/zero", "--plain", "--source", str(toy))
    assert (code, out) == (2, "")
    assert one_error(err) == "codewalk: error: /dev/zero: not a tour file: not a regular file (a device)"
    code, out, _ = run(capsys, "check", "/dev/zero", "--source", str(toy))
    assert code == 1
    assert "error: /dev/zero: not a tour file: not a regular file (a device)" in out
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate((1 << 20) + 1)
    code, _, err = run(capsys, "tour", str(big), "--plain", "--source", str(toy))
    assert code == 2 and "not a tour file: more than 1 MiB" in one_error(err)
    hint = "hint: shorten its notes, or split it into several tours (a tour file is read up to 1 MiB)"
    assert hint in err and ".yaml file" not in err  # it is one: what to do is make it smaller
    code, out, _ = run(capsys, "check", str(big), "--source", str(toy))
    assert code == 1 and hint in out
    monkeypatch.setenv("CODEWALK_PINS", "/dev/zero")
    code, out, err = run(capsys, "find", "Engine")
    assert (code, out) == (2, "")
    assert one_error(err) == "codewalk: error: /dev/zero: not a pins file: not a regular file (a device)"
    assert_untouched(before, outside_cache(tmp_path, isolated_home), allowed=["big.yaml"])


def test_a_file_step_naming_a_directory_says_so(
    toy: Path, tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = tmp_path / "dir.yaml"
    tour.write_text("title: A directory\nsteps:\n  - file: src/toypkg/models\n")
    before = outside_cache(tmp_path, isolated_home)
    code, out, _ = run(capsys, "tour", str(tour), "--plain", "--no-color", "--source", str(toy))
    assert code == 1
    assert "missing: file 'src/toypkg/models' is a directory in toy@local, not a file" in out
    code, out, _ = run(capsys, "check", str(tour), "--source", str(toy))
    assert code == 1
    assert (
        f"{tour}:3: step 1 (file: src/toypkg/models): missing: file 'src/toypkg/models' is a directory" in out
    )
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def test_a_tour_named_by_a_directory_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    code, _, err = run(capsys, "tour", str(folder), "--plain")
    assert code == 2
    assert one_error(err) == f"codewalk: error: {folder}: a directory, not a tour file"


def test_absurd_worker_counts_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run(capsys, "index", "--workers", "100000")
    assert exited.value.code == 2
    assert "argument --workers: must be from 1 to 64" in capsys.readouterr().err


def test_a_name_too_long_for_the_system_is_one_line(
    toy: Path, tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path with a component over 255 bytes (which Python 3.11's ``is_file`` raises
    on) is a path that is not there, wherever a command takes one."""
    long = "a" * 300
    cases = [
        (
            ["goto", f"src/toypkg/{long}.py:1:1", "--source", str(toy)],
            1,
            "cannot read it: File name too long",
        ),
        (["goto", f"toypkg/{long}.py:1", "--source", str(toy)], 1, f"toypkg/{long}.py: no such file"),
        (["tours", "--tours-dir", str(tmp_path / long)], 2, f"{long}: not a directory of tours"),
        (["trace", str(tmp_path / f"{long}.py")], 2, f"{long}.py: no such program file or directory"),
        (
            [
                "draft",
                "Engine.generate",
                "Engine._fast_path",
                "-o",
                str(tmp_path / f"{long}.yaml"),
                "--source",
                str(toy),
            ],
            2,
            f"{long}.yaml: cannot write it: File name too long",
        ),
    ]
    before = outside_cache(tmp_path, isolated_home)
    for argv, code, message in cases:
        got, out, err = run(capsys, *argv)
        assert (got, out) == (code, ""), (argv[0], err)
        assert message in one_error(err), argv[0]
    assert_untouched(before, outside_cache(tmp_path, isolated_home))
