"""Where codewalk keeps things: ``CODEWALK_HOME`` and ``CODEWALK_STATE`` when set, else
the platform's directories as platformdirs names them."""

from __future__ import annotations

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
