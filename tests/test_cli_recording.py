"""``tour --new ID``, ``tour NAME --edit`` and ``draft FROM TO --edit`` from the command
line: what they refuse, in one line, before any terminal UI opens; and what they hand
the recorder (its launch replaced here: pilot tests drive the recorder itself)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from codewalk.cli import recording
from codewalk.cli.main import main
from tests.callrepo import pin_callrepo


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.fixture()
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """What would open the recorder, recorded instead (as if on a terminal)."""
    calls: list[tuple[Any, ...]] = []

    def fake(args: argparse.Namespace, tour: Any, draft: Any, on_disk: str | None, stack: Any = None) -> int:
        calls.append((tour, draft, on_disk))
        return 0

    monkeypatch.setattr(recording, "open_recorder", fake)
    return calls


def test_what_tour_new_and_edit_refuse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "tour", "--new", "x", "--tours-dir", str(tmp_path)) == (
        2,
        "codewalk: error: recording a tour needs a terminal (it opens the terminal UI)\n",
    )
    code, err = run(capsys, "tour", "--new", "no way")
    assert code == 2 and "--new 'no way': tour id 'no way' must be letters, digits" in err
    code, err = run(capsys, "tour", "--new", "llama-generate")
    assert code == 2 and "tour 'llama-generate' exists (" in err and "tour llama-generate --edit" in err
    (tmp_path / "taken.yml").write_text("not a tour\n")  # not a tour, but where a new one would go
    (tmp_path / "taken.yaml").write_text("title: T\nsteps: [{at: X}]\nid: other\n")
    code, err = run(capsys, "tour", "--new", "taken", "--tours-dir", str(tmp_path))
    assert code == 2 and f"{tmp_path / 'taken.yaml'}: a file is there already" in err
    code, err = run(capsys, "tour", "llama-generate", "--new", "y")
    assert code == 2 and "--new ID records a new tour: name no other" in err
    code, err = run(capsys, "tour", "--edit")
    assert code == 2 and "--edit needs the tour to edit" in err
    code, err = run(capsys, "tour")
    assert (
        code == 2
        and "name a tour (see 'codewalk tours'), record one with --new ID, or read a run with --trace NAME"
        in err
    )


def test_tour_new_and_edit_hand_the_recorder_a_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], opened: list[Any]
) -> None:
    monkeypatch.setenv("CODEWALK_TOURS_PATH", str(tmp_path / "env"))
    assert run(capsys, "tour", "--new", "fresh")[0] == 0
    tour, draft, on_disk = opened[-1]
    assert (tour.id, tour.steps, draft.path, on_disk) == ("fresh", (), tmp_path / "env" / "fresh.yaml", None)
    text = "title: Mine  # a comment\nsteps:\n  - at: X\n"
    (tmp_path / "mine.yaml").write_text(text)
    assert run(capsys, "tour", str(tmp_path / "mine.yaml"), "--edit")[0] == 0
    tour, draft, on_disk = opened[-1]
    assert (tour.id, [s.at for s in draft.steps], draft.text, on_disk) == ("mine", ["X"], text, text)


def test_draft_edit_opens_the_draft_and_refuses_an_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], opened: list[Any]
) -> None:
    pin_callrepo(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, "draft", "Mixin.generate", "Model._slow")
    assert code == 2 and "draft needs -o FILE (the tour to write), or --edit" in err
    assert run(capsys, "draft", "Mixin.generate", "Model._slow", "--edit")[0] == 0
    tour, draft, on_disk = opened[-1]
    assert draft.path == tmp_path / f"{tour.id}.yaml" and on_disk is None and tour.path == draft.path
    assert draft.text.startswith("# A tour drafted by `codewalk draft Mixin.generate Model._slow`")
    assert [s.at for s in draft.steps] == [s.at for s in tour.steps] and len(tour.steps) == 2
    taken = tmp_path / "taken.yaml"
    taken.write_text("mine\n")
    code, err = run(capsys, "draft", "Mixin.generate", "Model._slow", "--edit", "-o", str(taken), "--force")
    assert code == 2 and "the file exists" in err and "the recorder writes a new file" in err
    assert taken.read_text() == "mine\n" and len(opened) == 1


def test_a_tour_shipped_inside_the_installed_package_is_not_edited_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], opened: list[Any]
) -> None:
    """Installed from a wheel, the shipped tours live in the package's ``_data``: an edit
    there would be lost at the next upgrade, so the recorder does not open on one."""
    from codewalk import locations

    package = tmp_path / "site-packages" / "codewalk"
    (package / "_data" / "tours").mkdir(parents=True)
    shipped = package / "_data" / "tours" / "shipped-one.yaml"
    shipped.write_text("id: shipped-one\ntitle: T\nsteps:\n  - at: X\n")
    monkeypatch.setattr(locations, "_PACKAGE_DIR", package)
    code, err = run(capsys, "tour", "shipped-one", "--edit")
    assert code == 2 and opened == []
    assert f"shipped-one is shipped inside the installed codewalk ({shipped})" in err
    assert f"hint: record your own copy: cp {shipped} my-shipped-one.yaml" in err
    mine = tmp_path / "my-shipped-one.yaml"
    mine.write_text(shipped.read_text().replace("shipped-one", "mine"))
    assert run(capsys, "tour", str(mine), "--edit") == (0, "")
    assert [tour.id for tour, _, _ in opened] == ["mine"]
