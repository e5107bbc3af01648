"""What the system said of an error, in the one form every message of codewalk gives it."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from codewalk import locations
from codewalk.errors import ConfigError, system_words


def test_the_system_s_words_without_the_errno_and_path() -> None:
    error = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), "/nowhere")
    assert system_words(error) == "No such file or directory"


def test_an_error_without_an_errno_is_said_by_its_own_text() -> None:
    assert system_words(OSError("the device went away")) == "the device went away"
    assert system_words(ValueError("embedded null byte")) == "embedded null byte"


def test_a_file_that_cannot_be_read_is_never_said_to_fail_for_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ``OSError`` made without an errno (as some file systems' and libraries' are)
    has no ``strerror``: the message says what it does say, not "None"."""

    def refused(path: Path, *args: object) -> bytes:
        raise OSError("the device went away")

    monkeypatch.setattr(locations, "read_limited", refused)
    with pytest.raises(ConfigError) as raised:
        locations.read_text(tmp_path / "pins.toml", "pins file", ConfigError)
    assert str(raised.value) == f"{tmp_path / 'pins.toml'}: cannot read pins file: the device went away"
