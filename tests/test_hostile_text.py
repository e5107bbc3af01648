"""Nothing raw reaches the terminal: source bytes, binary files, echoed paths and
queries, tour titles. Control characters are shown as escapes; colour is codewalk's own."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from codewalk.ui.header import header_parts
from codewalk.ui.highlight import HighlightedSource
from codewalk.visible import json_text, visible
from tests.hardening import (
    CLEAR_SCREEN,
    SET_TITLE,
    assert_untouched,
    outside_cache,
    raw_controls,
    run,
    toy_source,
)

PAINT = f'''\
COLOURS = {{
    "clear": "{CLEAR_SCREEN}",
    "title": "{SET_TITLE}",
}}


def paint(text):
    return COLOURS["clear"] + text


def shout():
    return paint("{CLEAR_SCREEN}loud")
'''
RLO = "\u202e"


@pytest.fixture()
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = toy_source(tmp_path, monkeypatch)
    (root / "src" / "toypkg" / "paint.py").write_text(PAINT)
    (root / "src" / "toypkg" / "blob.bin").write_bytes(b"\x00\x01\x1b[2J\x9b\xff binary\n" * 3)
    return root


def test_visible_escapes_controls_and_keeps_layout() -> None:
    assert visible("plain\ttext\n") == "plain\ttext\n"
    assert visible(f"a{CLEAR_SCREEN}b") == "a\\x1b[2Jb"
    assert visible(f"left{RLO}right\x00\x07\x9b") == "left\\u202eright\\x00\\x07\\x9b"
    assert visible("one\r\ntwo\rthree") == "one\ntwo\\rthree"
    assert visible("caf\udce9 \udc9b2J") == "caf\\udce9 \\udc9b2J"  # bytes not UTF-8, as Python reads them
    assert json.loads(json_text(json.dumps({"t": f"{RLO}\x85"}, ensure_ascii=False))) == {"t": f"{RLO}\x85"}
    assert RLO not in json_text(json.dumps({"t": RLO}, ensure_ascii=False))
    path = "caf\udce9.py"  # a file name whose bytes are not UTF-8: JSON escapes it, and it reads back
    text = json_text(json.dumps({"path": path}, ensure_ascii=False))
    assert text == '{"path": "caf\\udce9.py"}'
    assert json.loads(text.encode("utf-8")) == {"path": path}


def test_show_prints_an_escape_in_a_string_literal_as_text(
    toy: Path, tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = outside_cache(tmp_path, isolated_home)
    code, out, err = run(capsys, "show", "toypkg.paint.COLOURS", "--source", str(toy))
    assert code == 0, err
    assert '"clear": "\\x1b[2J",' in out
    assert '"title": "\\x1b]0;owned\\x07",' in out
    assert not raw_controls(out + err)
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


@pytest.mark.parametrize(
    "argv",
    [
        ["callers", "toypkg.paint.paint"],
        ["calls", "toypkg.paint.shout"],
        ["path", "toypkg.paint.shout", "toypkg.paint.paint"],
    ],
    ids=["callers", "calls", "path"],
)
def test_call_commands_print_source_lines_escaped(
    argv: list[str], toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *argv, "--source", str(toy))
    assert code == 0, err
    assert "shout" in out
    assert not raw_controls(out + err)


def test_json_keeps_the_data_and_sends_no_control_character(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "show", "toypkg.paint.COLOURS", "--json", "--source", str(toy))
    assert code == 0
    assert CLEAR_SCREEN in json.loads(out)["source_text"]
    assert not raw_controls(out)


def test_plain_tour_shows_code_notes_title_and_binary_file_escaped_with_own_colour_only(
    toy: Path, tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = tmp_path / "evil.yaml"
    tour.write_text(
        f"title: 'Safe {RLO}txt.exe'\n"
        "steps:\n"
        "  - at: toypkg.paint.COLOURS\n"
        f"    note: 'read {RLO}this'\n"
        "  - file: src/toypkg/blob.bin\n"
    )
    before = outside_cache(tmp_path, isolated_home)
    code, out, err = run(capsys, "tour", str(tour), "--plain", "--source", str(toy))
    assert code == 0, err
    assert "Safe \\u202etxt.exe" in out
    assert "read \\u202ethis" in out
    text = re.sub(r"\x1b\[[0-9;]*m", "", out)  # without codewalk's own colours
    assert '"clear": "\\x1b[2J",' in text
    assert "\\x00\\x01\\x1b[2J" in text
    assert not raw_controls(out + err, colours=True)
    assert_untouched(before, outside_cache(tmp_path, isolated_home))

    code, out, _ = run(capsys, "tour", str(tour), "--plain", "--no-color", "--source", str(toy))
    assert code == 0
    assert '"clear": "\\x1b[2J",' in out
    assert not raw_controls(out)


def test_check_and_tours_list_show_a_bidi_title_escaped(
    toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tours = tmp_path / "tours"
    tours.mkdir()
    (tours / "evil.yaml").write_text(f"title: 'A {RLO}B'\nsteps:\n  - at: toypkg.nothing{RLO}here\n")
    code, out, err = run(capsys, "tours", "--tours-dir", str(tours))
    assert code == 0
    assert "A \\u202eB" in out
    assert not raw_controls(out + err)
    code, out, err = run(capsys, "check", "evil", "--tours-dir", str(tours), "--source", str(toy))
    assert code == 1
    assert "\\u202e" in out
    assert not raw_controls(out + err)


@pytest.mark.parametrize(
    "argv",
    [
        ["goto", f"src/{CLEAR_SCREEN}x.py:1:1"],
        ["find", f"Engine{RLO}"],
        ["show", f"toypkg.{SET_TITLE}"],
        ["tour", f"{CLEAR_SCREEN}.yaml", "--plain"],
    ],
    ids=["goto-path", "find-query", "show-query", "tour-file"],
)
def test_echoed_paths_and_queries_are_one_escaped_line(
    argv: list[str], toy: Path, tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = outside_cache(tmp_path, isolated_home)
    code, out, err = run(capsys, *argv, "--source", str(toy))
    assert code in (1, 2)
    error = err[err.index("codewalk: error: ") :]
    assert "\\x1b" in error or "\\u202e" in error
    assert not raw_controls(out + err)
    assert len(error.strip().splitlines()) <= 2  # the message, and at most a hint
    assert_untouched(before, outside_cache(tmp_path, isolated_home))


def test_the_terminal_ui_draws_escapes_not_controls() -> None:
    source = HighlightedSource("x.py", f'X = "{CLEAR_SCREEN}"\n')
    assert source.lines == ['X = "\\x1b[2J"']
    drawn = "".join(segment.text for segment in source.line(0))
    assert drawn == 'X = "\\x1b[2J"'
    title, _ = header_parts(f"A {RLO}B", 1, 2, "toy", "v0")
    assert RLO not in title and "\\u202e" in title


@pytest.mark.parametrize(
    "argv",
    [
        ["find", "greet"],
        ["show", "greet"],
        ["tour", "{tour}", "--plain"],
        ["check", "{tour}"],
        ["tours"],
        ["find", "greet", "--json"],
    ],
    ids=["find", "show", "tour-plain", "check", "tours", "json"],
)
def test_a_stdout_that_cannot_encode_gets_escapes(argv: list[str], toy: Path, tmp_path: Path) -> None:
    """``PYTHONIOENCODING=ascii``: what the stream cannot encode is escaped (the box-drawing
    rule of a plain tour, a comment in another script), never a UnicodeEncodeError."""
    import os
    import subprocess
    import sys

    (toy / "src" / "toypkg" / "hello.py").write_text('def greet():  # 你好\n    return "héllo"\n')
    tour = tmp_path / "accents.yaml"
    tour.write_text("title: Ça va\nsteps:\n  - at: toypkg.hello.greet\n    note: « bonjour »\n")
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "CODEWALK_SOURCE_PATH": str(toy)}
    env["CODEWALK_TOURS_PATH"] = str(tmp_path)
    command = [sys.executable, "-m", "codewalk", *(arg.format(tour=tour) for arg in argv)]
    done = subprocess.run(command, capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.isascii() and b"Traceback" not in done.stderr
    expected = {
        "find": b"# \\u4f60\\u597d",
        "show": b'"h\\xe9llo"',
        "tour": b"\\u2500" * 20,
        "check": b"ok      accents",
        "tours": b"\\xc7a va",
    }
    if "--json" in argv:
        assert json.loads(done.stdout)["results"][0]["signature"] == "def greet():  # 你好"
    else:
        assert expected[argv[0]] in done.stdout


def test_a_steps_code_is_made_visible_line_by_line_as_the_whole_file_would_be(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A step shows a few lines of a file of thousands: those lines are made visible, not
    the whole file for each step, with the same escapes (a carriage return that ends a
    line is a line end, a lone one an escape)."""
    from codewalk.render import plain

    text = "".join(f"x{n} = {n}\r\n" for n in range(1, 3000)) + f"s = '{CLEAR_SCREEN}\ra'\nt = 1\n"
    asked: list[int] = []

    def watched(part: str) -> str:
        asked.append(len(part))
        return visible(part)

    monkeypatch.setattr(plain, "visible", watched)
    shown = plain.render_code(text, 2995, 3001, [(3000, 3000)], color=False)
    assert max(asked) < 100  # a line at a time
    assert [line.partition("│ ")[2] for line in shown] == visible(text).split("\n")[2994:3001]
    assert "s = '\\x1b[2J\\ra'" in shown[5]
