"""A question naming a pin that is not in the cache yet fetches it, and answers as the
next question does: the pin is searched, named in "no definition found" in its place
among the pins, and its names are the ones "did you mean" offers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.hardening import run
from tests.sourcefixtures import pin_hub, pin_upstream

HUB = "def load_tokens():\n    return 1\n\n\ndef save_tokens():\n    return 2\n"
NOT_FOUND = "codewalk: error: 'hub.load_tokns': no definition found in transformers@v5.23.0"
NAMED = NOT_FOUND + " nor in the other pins in the cache (early, hub)"


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """transformers and ``early`` in the cache; ``hub``, pinned after them, not fetched yet."""
    pin_upstream(tmp_path, monkeypatch)
    pin_hub(tmp_path, monkeypatch, "EARLY = 1\n", name="early")
    assert run(capsys, "sync", "early")[0] == 0
    pin_hub(tmp_path, monkeypatch, HUB)
    return tmp_path / "codewalk-home" / "sources" / "hub"


@pytest.mark.parametrize(
    "argv",
    [
        ("calls", "hub.load_tokns.<locals>.inner"),
        ("callers", "hub.load_tokns"),
        ("find", "hub.load_tokns"),
        ("path", "hub.load_tokns", "transformers.models.llama.modeling_llama.LlamaModel"),
    ],
)
def test_the_first_question_naming_a_pin_not_in_the_cache_answers_as_the_next(
    hub: Path, argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert not hub.exists()
    first = run(capsys, "--no-color", *argv)
    assert hub.exists()  # fetched by the question
    second = run(capsys, "--no-color", *argv)
    assert first[0] == second[0] == 1
    said = first[2].splitlines()[-2:]
    assert said == second[2].splitlines()[-2:]
    assert said[0] == NAMED and said[1].startswith("  hint: did you mean: load_tokens")


def test_with_repo_the_pin_asked_about_alone_is_named(hub: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--repo transformers``: the other pins are not searched, the one fetched neither."""
    code, _, err = run(
        capsys, "--no-color", "calls", "hub.load_tokns.<locals>.inner", "--repo", "transformers"
    )
    assert code == 1
    assert err.splitlines()[-1].startswith(NOT_FOUND)
    assert "nor in" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ("calls", "hub.load_tokens"),
        ("callers", "hub.load_tokens"),
        ("path", "hub.load_tokens", "transformers.models.llama.modeling_llama.LlamaModel"),
        ("find", "hub.load_tokens"),
    ],
)
def test_a_pin_the_question_could_not_fetch_is_said_why(
    hub: Path, tmp_path: Path, argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    """Its upstream gone (offline, a moved repository): the question says the pin could not
    be opened, and why, before what it offers from the pins it did search."""
    shutil.rmtree(tmp_path / "hub-upstream")
    code, _, err = run(capsys, "--no-color", *argv)
    assert code == 1 and not hub.exists()
    hint = err.splitlines()[-1]
    assert hint.startswith("  hint: hub could not be opened: "), err


@pytest.mark.parametrize("command", ["find", "show", "calls", "callers"])
def test_a_short_name_no_pin_in_the_cache_has_names_the_pins_not_searched(
    hub: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``load_tokns`` names no pin: it is searched in the pins in the cache alone, and the
    answer says which were not searched and how to fetch them (a new user's machine holds
    transformers alone: "no definition found in transformers" said nothing of the rest)."""
    code, _, err = run(capsys, "--no-color", command, "load_tokns")
    assert code == 1 and not hub.exists()
    hint = err.splitlines()[-1]
    assert "load_tokens" not in err  # hub's names: not searched
    fetch = "('codewalk sync hub' fetches it, 'codewalk sync --all' every pin)"
    assert hint.endswith(f"not searched, not in the cache: hub {fetch}"), err
    assert run(capsys, "sync", "hub")[0] == 0
    code, _, err = run(capsys, "--no-color", command, "load_tokns")
    assert code == 1 and "not in the cache" not in err
    assert "did you mean: load_tokens" in err
