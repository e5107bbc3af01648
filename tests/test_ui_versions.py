"""Pure parts of ``v``: which versions are offered, what a typed one means, the order of
the two sides; and of the UI across repositories: the steps list's runs, the palette's
interleaving."""

from __future__ import annotations

import pytest

from codewalk.resolve.model import Resolved
from codewalk.ui.versions import DiffSide, example_version, offers, older_first, parse_choice, version_label


def test_offers_asked_then_the_tours_then_the_pin_never_the_one_on_screen() -> None:
    found = offers(
        "transformers",
        "4.57.6",
        pinned="5.23.0",
        tour_versions=("5.24.0", "4.57.6", "v5.23.0"),
        asked=("transformers@4.46.3", "accelerate@1.13.0", "transformers@5.24.0"),
    )
    assert [(o.spec, o.why) for o in found] == [
        ("transformers@4.46.3", "asked before"),
        ("transformers@5.24.0", "asked before"),
        ("transformers@5.23.0", "a version the tour is meant for"),
    ]
    assert offers("accelerate", "1.14.0", pinned="1.14.0") == []


@pytest.mark.parametrize(
    ("typed", "spec"),
    [
        ("4.46.3", "transformers@4.46.3"),
        (" v4.46.3 ", "transformers@4.46.3"),
        ("transformers@4.57.6", "transformers@4.57.6"),
        ("installed", "transformers@installed"),
        ("transformers@installed", "transformers@installed"),
        ("5.0.0rc1", "transformers@5.0.0rc1"),
    ],
)
def test_a_typed_version_of_the_steps_repo(typed: str, spec: str) -> None:
    assert parse_choice(typed, "transformers", "5.23.0") == spec


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("", "type a version of transformers: e.g. 5.22.0, transformers@5.22.0 or installed"),
        ("accelerate@1.13.0", "this step is in transformers: type a version of transformers"),
        ("5.23.0", "transformers@5.23.0 is the version on screen"),
        ("v5.23", "transformers@5.23 is the version on screen"),
        ("latest", "'latest' is not a release version: e.g. 5.22.0, transformers@5.22.0 or installed"),
        ("4.57.6; rm -rf /", "'4.57.6; rm -rf /' is not a release version"),
    ],
)
def test_a_typed_version_that_is_refused_says_why(typed: str, why: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_choice(typed, "transformers", "5.23.0")
    assert str(info.value).startswith(why)


def _side(label: str, on_screen: bool = False) -> DiffSide:
    target = Resolved("transformers", "t.f", "function", "t.py", 1, 1, 2, "direct", "")
    return DiffSide(label, target, "", "", on_screen)


def test_the_older_version_comes_first() -> None:
    here, older, newer = _side("transformers@5.23.0", True), _side("transformers@4.46.3"), _side("x@5.24.0")
    assert older_first(here, older) == (older, here)
    assert older_first(here, newer) == (here, newer)
    local = _side("transformers@0123abc")  # a local checkout's commit: the one on screen first
    assert older_first(here, local) == (here, local)


def test_the_example_is_a_version_before_the_one_on_screen() -> None:
    assert [
        example_version(v) for v in ("5.23.0", "transformers==1.14.0", "0.0.35", "3.0.0", "nonsense")
    ] == [
        "5.22.0",
        "1.13.0",
        "0.0.34",
        "2.0.0",
        "1.0.0",
    ]


def test_version_label() -> None:
    assert version_label("transformers", "transformers==4.57.6") == "transformers@4.57.6"
    assert version_label("accelerate", "v1.14.0") == "accelerate@1.14.0"
    assert version_label("paddle", "paddlepaddle==3.3.1") == "paddle@3.3.1"
    assert version_label("demo", "") == "demo"


def test_the_diff_view_shows_control_characters_never_sends_them() -> None:
    from codewalk.ui.version_diff import diff_body, diff_title
    from codewalk.ui.versions import StepDiff
    from codewalk.workspace.compare import Located, hunks

    def side(label: str, code: str, on_screen: bool = False) -> DiffSide:
        lines = code.count("\n") + 1
        target = Resolved("pkg", "pkg.m.f", "function", "pkg/m.py", 1, 1, lines, "direct", "")
        return DiffSide(label, target, "by the same qualified name\x1b[2J", code, on_screen)

    old = side("pkg@0.9", 'def f():\n    return "\x1b[31mred"')
    new = side("pkg@1.0", 'def f():\n    return "\u202ebidi"', on_screen=True)
    changes = tuple(hunks(Located(old.target, "", old.code), Located(new.target, "", new.code)))
    diff = StepDiff("m.f\x07", old, new, changes)
    shown = f"{diff_title(diff).plain}\n{diff_body(diff).plain}"
    assert "\\x1b[31mred" in shown and "\\u202ebidi" in shown and "m.f\\x07" in shown
    assert not any(ch in shown for ch in "\x1b\u202e\x07")
