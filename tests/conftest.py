"""Shared fixtures: an isolated cache/state for every test, and the real release.

The real transformers source comes from the package index at test time (the pinned
release's source distribution), downloaded once and kept in pytest's cache directory
(or ``$CODEWALK_TEST_CACHE``), so later sessions reuse it. Nothing of it is committed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.errors import CodewalkError
from codewalk.source.checkout import Checkout
from codewalk.source.pins import Pin

collect_ignore_glob = ["fixtures/*"]  # packages tests read, not tests (test_utils/, tests/)

_ISOLATED_ENV = (
    "CODEWALK_SOURCE",
    "CODEWALK_SOURCE_PATH",
    "CODEWALK_GIT_MIRROR",
    "CODEWALK_GIT_TIMEOUT",
    "CODEWALK_TOURS_PATH",
    "CODEWALK_PINS",
    "CODEWALK_DEBUG",
)


def pytest_configure(config: pytest.Config) -> None:
    """Hypothesis keeps its files (examples, constants) in a temporary directory of this
    run, never in the project."""
    import tempfile

    if "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ:
        home = tempfile.mkdtemp(prefix="codewalk-hypothesis-")
        os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = home
        config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every cache, state and config path of codewalk into ``tmp_path``."""
    home = tmp_path / "codewalk-home"
    monkeypatch.setenv("CODEWALK_HOME", str(home))
    monkeypatch.setenv("CODEWALK_STATE", str(tmp_path / "codewalk-state"))
    for name in _ISOLATED_ENV:
        monkeypatch.delenv(name, raising=False)
    return home


def _release_cache(config: pytest.Config) -> Path:
    explicit = os.environ.get("CODEWALK_TEST_CACHE")
    if explicit:
        return Path(explicit)
    assert config.cache is not None
    return Path(config.cache.mkdir("codewalk-release"))


def _release_checkout(config: pytest.Config, repo: str) -> Checkout:
    """The pinned release of ``repo``, unpacked and committed, as codewalk sees it."""
    from codewalk import locations
    from codewalk.source.pins import load_pins

    pin = load_pins(locations.pins_path())[repo]
    saved = os.environ.get("CODEWALK_HOME")
    os.environ["CODEWALK_HOME"] = str(_release_cache(config))
    try:
        return _fetched(pin)
    finally:
        if saved is None:
            os.environ.pop("CODEWALK_HOME", None)
        else:
            os.environ["CODEWALK_HOME"] = saved


def _fetched(pin: Pin) -> Checkout:
    """``pin``'s release in the release cache; offline (say), the test fails in one line
    naming what it needs and why it could not be had."""
    from codewalk.source.sync import ensure_checkout

    try:
        return ensure_checkout(pin, mode="release").checkout
    except CodewalkError as error:
        why = error.message
    pytest.fail(f"needs the {pin.release} release from the package index: {why}", pytrace=False)


@pytest.fixture(scope="session")
def transformers_checkout(pytestconfig: pytest.Config) -> Iterator[Checkout]:
    """The pinned transformers release, unpacked and committed, as codewalk sees it."""
    yield _release_checkout(pytestconfig, "transformers")


@pytest.fixture(scope="session")
def accelerate_checkout(pytestconfig: pytest.Config) -> Iterator[Checkout]:
    """The pinned accelerate release (where Trainer's backward goes)."""
    yield _release_checkout(pytestconfig, "accelerate")


OTHER_TRANSFORMERS = ("4.46.3", "4.57.6", "5.24.0")  # 5.24.0: listed by the shipped tours


@pytest.fixture(scope="session")
def stack_sources(pytestconfig: pytest.Config, transformers_checkout: Checkout) -> Path:
    """Every pin's release (the shipped vendor_pins.toml), and two older transformers
    releases, synced once into the release cache; returns its ``sources`` directory, to
    be read, never written."""
    from codewalk import locations
    from codewalk.source.pins import load_pins

    home = _release_cache(pytestconfig)
    saved = os.environ.get("CODEWALK_HOME")
    os.environ["CODEWALK_HOME"] = str(home)
    try:
        pins = load_pins(locations.pins_path())
        wanted = [*pins.values(), *(pins["transformers"].at(v) for v in OTHER_TRANSFORMERS)]
        for pin in wanted:  # every pin, and the releases the any-version tests read
            _fetched(pin)
    finally:
        if saved is None:
            os.environ.pop("CODEWALK_HOME", None)
        else:
            os.environ["CODEWALK_HOME"] = saved
    return home / "sources"


@pytest.fixture(scope="session")
def shared_stack_home(stack_sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CODEWALK_HOME for the session's questions of the stack: every pin's release
    (linked to the shared synced sources, read only) and one index, which the tests fill
    lazily together as a reader's questions fill theirs. A test that needs an empty index
    or writes into the home builds its own from ``stack_sources``."""
    home = tmp_path_factory.mktemp("stack-home")
    (home / "sources").symlink_to(stack_sources, target_is_directory=True)
    return home


@pytest.fixture
def stack_home(shared_stack_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's CODEWALK_HOME: the session's shared one (its state stays the test's own)."""
    monkeypatch.setenv("CODEWALK_HOME", str(shared_stack_home))
    monkeypatch.setenv("CODEWALK_SOURCE", "release")
    return shared_stack_home
