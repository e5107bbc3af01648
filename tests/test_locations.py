"""Where the cache is: platformdirs' answer, and the same answer without importing it
once it has been given for this user and environment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codewalk import locations

ROOT = Path(__file__).resolve().parents[1]
PROBE = """\
import sys
from codewalk import locations
print(locations.home_dir())
print("platformdirs" in sys.modules)
"""

pytestmark = pytest.mark.skipif(
    locations._plain_home() is None, reason="the plain rule is for Linux, the BSDs and macOS"
)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEWALK_", "XDG_"))}
    env.update(HOME=str(tmp_path / "user"), PYTHONPATH=str(ROOT), **extra)
    return env


def _home(env: dict[str, str]) -> tuple[str, bool]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    )
    home, imported = done.stdout.splitlines()
    return home, imported == "True"


def _platformdirs(env: dict[str, str]) -> str:
    code = "from platformdirs import user_cache_dir; print(user_cache_dir('codewalk', appauthor=False))"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_cache_is_where_platformdirs_says_and_then_found_without_it(tmp_path: Path) -> None:
    env = _env(tmp_path)
    expected = _platformdirs(env)
    assert _home(env) == (expected, True)  # no cache yet: nothing to mark
    Path(expected).mkdir(parents=True)  # codewalk makes it when it first fetches
    assert _home(env) == (expected, True)  # asked, and marked
    assert _home(env) == (expected, False)  # found by the mark


@pytest.mark.parametrize("change", ["XDG_CACHE_HOME", "HOME", "SUDO_USER"])
def test_another_environment_asks_platformdirs_again(tmp_path: Path, change: str) -> None:
    env = _env(tmp_path)
    home = Path(_platformdirs(env))
    home.mkdir(parents=True)
    _home(env)
    assert _home(env) == (str(home), False)
    other = dict(env, **{change: str(tmp_path / "elsewhere")})
    assert _home(other) == (_platformdirs(other), True)


def test_a_mark_made_for_other_inputs_is_not_taken(tmp_path: Path) -> None:
    env = _env(tmp_path)
    home = Path(_platformdirs(env))
    home.mkdir(parents=True)
    (home / locations._HOME_MARK).write_text("linux\n0\n0\nHOME='/somewhere/else'")
    assert _home(env) == (str(home), True)
    assert _home(env) == (str(home), False)  # marked again, for these inputs


def test_an_explicit_home_wins_and_marks_nothing(tmp_path: Path) -> None:
    env = _env(tmp_path, CODEWALK_HOME=str(tmp_path / "explicit"))
    (tmp_path / "explicit").mkdir()
    assert _home(env) == (str(tmp_path / "explicit"), False)
    assert not (tmp_path / "explicit" / locations._HOME_MARK).exists()


def test_a_fifo_where_the_mark_goes_is_no_mark_and_no_hang(tmp_path: Path) -> None:
    env = _env(tmp_path)
    home = Path(_platformdirs(env))
    home.mkdir(parents=True)
    os.mkfifo(home / locations._HOME_MARK)
    started = time.monotonic()
    assert _home(env) == (str(home), True)
    assert time.monotonic() - started < 10
