"""A version is input wherever it comes from (``--at``, a tour's ``versions``, what the
Python on PATH answers for ``REPO@installed``): one of thousands of digits, more than
Python turns into a number, or an answer that is no version, is one clear error, never a
traceback nor a wait of the whole timeout quoted back as a command line."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from codewalk.errors import PinError
from codewalk.source import targets
from codewalk.source.versions import in_range, older, valid_range, valid_version
from tests.hardening import run, toy_source

HUGE = "9" * 5000  # past int()'s 4300 digits


def test_a_version_of_thousands_of_digits_is_no_version() -> None:
    assert valid_version(HUGE) == f"'{'9' * 40}'... (5000 characters) is not a release version, e.g. 4.57.6"
    assert (valid_range(f">={HUGE}") or "").endswith("is not a version range, e.g. '>=5.0' or '>=4.46,<5'")
    assert in_range("5.0", f">={HUGE}") and in_range(HUGE, ">=5.0")  # unreadable: in every range
    assert not older(HUGE, "5.0") and not older("5.0", HUGE)


def test_at_a_version_of_thousands_of_digits_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    toy_source(tmp_path, monkeypatch)
    code, _, err = run(capsys, "find", "Engine", "--at", f"toy@{HUGE}")
    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"codewalk: error: toy@{'9' * 40}...: '{'9' * 40}'... (5000 characters) is not")


def test_a_tours_versions_of_thousands_of_digits_are_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    toy_source(tmp_path, monkeypatch)
    tour = tmp_path / "big.yaml"
    for text, line in [
        (f"versions: [{HUGE}]\n", 2),
        (f"steps:\n  - at: Engine\n    versions: '>={HUGE}'\n", 4),
    ]:
        steps = "" if text.startswith("steps") else "steps:\n  - at: Engine\n"
        tour.write_text(f"title: T\n{text}{steps}")
        code, out, err = run(capsys, "check", str(tour))
        assert code == 1 and "Traceback" not in err
        assert f"{tour}:{line}: " in out and " characters) is not a " in out, out


def fake_python(tmp_path: Path, body: str) -> str:
    path = tmp_path / "python"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("echo 'not python at all'", "answered 'not python at all', which is not a release version"),
        ("printf '5.0\\033]0;x\\007\\n'", "answered '5.0\\x1b]0;x\\x07', which is not a release version"),
        (f"echo {HUGE}", "(5000 characters), which is not a release version"),
        ("sleep 5", "did not answer in 0 s"),
    ],
    ids=["garbage", "control-bytes", "huge", "hangs"],
)
def test_a_python_on_path_that_answers_no_version_is_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, said: str
) -> None:
    python = fake_python(tmp_path, body)
    monkeypatch.setattr(targets, "reader_python", lambda: python)
    monkeypatch.setattr(targets, "_METADATA_TIMEOUT_S", 0.2)
    with pytest.raises(PinError) as caught:
        targets.installed_version("toy")
    assert caught.value.message.startswith(f"toy@installed: {python} "), caught.value.message
    assert caught.value.message.endswith(said) and "\n" not in caught.value.message
    assert caught.value.hint == "is it a Python? name a version: REPO@X.Y.Z"
