"""Where codewalk keeps and finds things: cache, state, shipped tours and pins.

Every path codewalk touches on disk is decided here, so that tests can point all of
them into a temporary directory with a handful of environment variables.

- ``CODEWALK_HOME``: the cache (checkouts, index). Default: the platform's user cache
  dir, ``~/.cache/codewalk`` on Linux.
- ``CODEWALK_STATE``: remembered UI state (progress in tours). Default: the platform's
  user state dir.
- ``CODEWALK_PINS``: a ``vendor_pins.toml`` to use instead of the shipped one.
- ``CODEWALK_TOURS_PATH``: extra tour directories, ``os.pathsep``-separated.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing is not imported on the quick path (cli/quick.py)
if TYPE_CHECKING:
    from pathlib import Path

APP_NAME = "codewalk"
_PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))


def _path(text: str) -> Path:
    from pathlib import Path

    return Path(text)


def home_dir() -> str:
    """The root of codewalk's cache, as a string (the quick path takes no pathlib).

    platformdirs decides it, but its import costs as much as a warm ``find`` may take in
    all; so the directory it gave is marked with what it was given (:func:`_home_inputs`),
    and while those are the same, the plain rule's directory (:func:`_plain_home`)
    carrying that mark is taken without asking it again."""
    explicit = os.environ.get("CODEWALK_HOME")
    if explicit:
        return os.path.expanduser(explicit)
    plain = _plain_home()
    if plain is not None and _marked(plain, _home_inputs()):
        return plain
    from platformdirs import user_cache_dir

    home = user_cache_dir(APP_NAME, appauthor=False)
    if plain is not None and home == plain:
        _mark(home, _home_inputs())
    return home


_HOME_MARK = ".home-for"  # in the cache: what platformdirs was given when it named it


def _plain_home() -> str | None:
    """The user cache directory by the plain rule (XDG's, or macOS's): what platformdirs
    gives but for its special cases, which the mark rules out; None elsewhere."""
    if sys.platform == "darwin":
        base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/Library/Caches")
    elif sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
    else:
        return None
    return os.path.join(base, APP_NAME)


def _home_inputs() -> bytes:
    """What platformdirs' answer can depend on here: the platform, the user, the
    environment variables it reads."""
    names = ("HOME", "XDG_CACHE_HOME", "USER", "LOGNAME", "SUDO_USER", "SUDO_UID")
    values = [sys.platform, str(os.getuid()), str(os.geteuid())]
    values += [f"{name}={os.environ.get(name)!r}" for name in names]
    return "\n".join(values).encode("utf-8", "surrogateescape")


def _marked(home: str, inputs: bytes) -> bool:
    return read_regular(os.path.join(home, _HOME_MARK), len(inputs) + 1) == inputs


def read_regular(path: str, limit: int) -> bytes | None:
    """At most ``limit`` bytes of the regular file at ``path``; None if it is absent,
    unreadable or not a regular file (a FIFO in its place would block a plain open)."""
    import stat

    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        with os.fdopen(descriptor, "rb") as handle:
            descriptor = -1
            return handle.read(limit)
    except OSError:
        return None
    finally:
        if descriptor >= 0:
            os.close(descriptor)


def _mark(home: str, inputs: bytes) -> None:
    """Mark ``home`` (if it exists: codewalk makes it when it first fetches)."""
    mark = os.path.join(home, _HOME_MARK)
    if not os.path.isdir(home) or _marked(home, inputs):
        return
    temporary = f"{mark}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as handle:
            handle.write(inputs)
        os.replace(temporary, mark)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            return


def cache_home() -> Path:
    """The root of codewalk's cache."""
    return _path(home_dir())


def state_home() -> Path:
    """Where small remembered state (tour progress) lives."""
    explicit = os.environ.get("CODEWALK_STATE")
    if explicit:
        return _path(explicit).expanduser()
    from platformdirs import user_state_path

    return user_state_path(APP_NAME, appauthor=False)


def sources_dir() -> Path:
    return cache_home() / "sources"


def locks_dir() -> Path:
    return cache_home() / "locks"


def scratch_dir() -> Path:
    """Temporary work (downloads, unpacking) on the cache's own filesystem, so that a
    finished entry can be moved into place with one atomic rename."""
    return cache_home() / "tmp"


def traces_dir() -> Path:
    """Where recorded runs are kept (``codewalk trace``): the user's data, in the cache."""
    return cache_home() / "traces"


def index_db_file() -> str:
    return os.path.join(home_dir(), "index.sqlite3")


def index_db_path() -> Path:
    return _path(index_db_file())


def _data_file(name: str) -> str:
    """A shipped data file: inside the package when installed from a wheel, at the
    project root when running from a source checkout (editable install)."""
    installed = os.path.join(_PACKAGE_DIR, "_data", name)
    if os.path.exists(installed):
        return installed
    return os.path.join(os.path.dirname(_PACKAGE_DIR), name)


def pins_file() -> str:
    explicit = os.environ.get("CODEWALK_PINS")
    if explicit:
        return os.path.expanduser(explicit)
    return _data_file("vendor_pins.toml")


def pins_path() -> Path:
    return _path(pins_file())


def shipped_tours_dirname() -> str:
    return _data_file("tours")


def shipped_tours_dir() -> Path:
    return _path(shipped_tours_dirname())


def extra_tour_dirs() -> list[Path]:
    raw = os.environ.get("CODEWALK_TOURS_PATH", "")
    return [_path(part).expanduser() for part in raw.split(os.pathsep) if part]


CONFIG_LIMIT = 1 << 20  # 1 MiB: far more than any tour or pins file holds


class TooLarge(ValueError):
    """A file the user named holds more than codewalk reads of such a file."""


def read_limited(path: Path, limit: int = CONFIG_LIMIT) -> bytes:
    """The bytes of a file the user names (a tour, a pins file), never more than
    ``limit``: a device such as ``/dev/zero`` or a runaway file is not read whole.

    Raises ``OSError`` as ``open`` does (a directory, a missing file), ``ValueError``
    for a path holding a NUL, and :class:`TooLarge` beyond ``limit`` bytes."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"more than {limit // (1 << 20)} MiB")
    return data
