"""Where codewalk keeps things: ``CODEWALK_HOME`` and ``CODEWALK_STATE`` when set, else
the platform's directories as platformdirs names them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from codewalk import locations


def test_the_cache_and_state_are_where_platformdirs_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODEWALK_HOME")
    monkeypatch.delenv("CODEWALK_STATE")
    assert locations.cache_home() == platformdirs.user_cache_path("codewalk", appauthor=False)
    assert locations.state_home() == platformdirs.user_state_path("codewalk", appauthor=False)
    assert locations.index_db_path("7.8").parent == locations.cache_home()


def test_the_environment_names_them_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEWALK_HOME", "~/my-cache")
    monkeypatch.setenv("CODEWALK_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert locations.cache_home() == tmp_path / "my-cache"
    assert locations.state_home() == tmp_path / "state"
    assert locations.sources_dir() == tmp_path / "my-cache" / "sources"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_where_a_file_is_read_is_refused_not_waited_on(tmp_path: Path) -> None:
    """A FIFO with no writer blocks a plain ``open`` for ever: a trace or a tour named
    like one is refused in one line, at once (the commands run under a timeout)."""
    home = tmp_path / "home"
    (home / "traces").mkdir(parents=True)
    os.mkfifo(home / "traces" / "x.json")
    tours = tmp_path / "tours"
    tours.mkdir()
    os.mkfifo(tours / "x.yaml")
    env = {**os.environ, "CODEWALK_HOME": str(home)}

    def codewalk(*argv: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "codewalk", *argv]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)

    listed = codewalk("traces")
    assert listed.returncode == 0
    assert listed.stdout.startswith("x  (cannot be read: trace 'x' (")
    assert listed.stdout.rstrip().endswith("is not a regular file (a FIFO))")
    opened = codewalk("tour", "--trace", "x", "--plain")
    assert opened.returncode == 2 and "is not a regular file (a FIFO)" in opened.stderr
    walked = codewalk("tour", str(tours / "x.yaml"), "--plain")
    assert walked.returncode == 2
    assert walked.stderr.startswith(
        f"codewalk: error: {tours / 'x.yaml'}: not a tour file: not a regular file (a FIFO)"
    )
    assert codewalk("tours", "--tours-dir", str(tours)).returncode == 0  # a FIFO is no tour file


def test_read_limited_reads_a_regular_file_and_names_what_it_refuses(tmp_path: Path) -> None:
    small = tmp_path / "small.yaml"
    small.write_bytes(b"id: x\n")
    assert locations.read_limited(small) == b"id: x\n"
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * 11)
    with pytest.raises(locations.TooLarge):
        locations.read_limited(big, limit=10)
    with pytest.raises(IsADirectoryError):
        locations.read_limited(tmp_path)
    with pytest.raises(FileNotFoundError):
        locations.read_limited(tmp_path / "missing")


@pytest.mark.parametrize(
    ("command", "shown"),
    [(["find", "TOKENS"], "hub.TOKENS"), (["pins"], "local commit"), (["pins", "--json"], "also_cached")],
)
def test_a_command_asks_platformdirs_for_the_cache_once_however_many_pins_it_holds(
    command: list[str],
    shown: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The cache in its default place (no ``CODEWALK_HOME``): platformdirs names it once
    per command, and every pin's entries are looked for there, not once per pin and kind."""
    from codewalk.cli.main import main
    from tests.sourcefixtures import pin_hub, pin_upstream

    monkeypatch.delenv("CODEWALK_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    pin_upstream(tmp_path, monkeypatch)
    for name in ("early", "hub"):
        pin_hub(tmp_path, monkeypatch, "TOKENS = 1\n", name=name)
    assert main(["sync", "--all"]) == 0
    asked: list[str] = []
    named = platformdirs.user_cache_path

    def user_cache_path(*args: str | bool, **kwargs: str | bool) -> Path:
        asked.append("user_cache_path")
        return named(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(platformdirs, "user_cache_path", user_cache_path)
    capsys.readouterr()
    assert main(command) == 0
    assert shown in capsys.readouterr().out
    assert asked == ["user_cache_path"]
    assert (tmp_path / "xdg-cache" / "codewalk" / "sources" / "hub").is_dir()


def test_the_terminal_uis_other_version_asks_platformdirs_for_the_cache_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``v`` in the terminal UI opens a version in the cache in its default place: its
    stack names the cache once, and the entry is looked for there."""
    from codewalk.cli.main import main
    from codewalk.ui.stack import VersionReader
    from tests.sourcefixtures import pin_hub, pin_upstream

    monkeypatch.delenv("CODEWALK_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    pin_upstream(tmp_path, monkeypatch)
    pin_hub(tmp_path, monkeypatch, "TOKENS = 1\n")
    assert main(["sync", "--all"]) == 0
    asked: list[str] = []
    named = platformdirs.user_cache_path

    def user_cache_path(*args: str | bool, **kwargs: str | bool) -> Path:
        asked.append("user_cache_path")
        return named(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(platformdirs, "user_cache_path", user_cache_path)
    said: list[str] = []
    VersionReader().fetch("hub@1.0", "hub", said.append)
    assert said == []  # in the cache: nothing fetched
    assert asked == ["user_cache_path"]
