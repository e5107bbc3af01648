"""Where codewalk keeps and finds things: cache, state, shipped tours and pins.

Every path codewalk touches on disk is decided here, so that tests can point all of
them into a temporary directory with a handful of environment variables.

- ``CODEWALK_HOME``: the cache (checkouts, index). Default: the platform's user cache
  dir (platformdirs), ``~/.cache/codewalk`` on Linux.
- ``CODEWALK_STATE``: remembered UI state (progress in tours). Default: the platform's
  user state dir.
- ``CODEWALK_PINS``: a ``vendor_pins.toml`` to use instead of the shipped one.
- ``CODEWALK_TOURS_PATH``: extra tour directories, ``os.pathsep``-separated.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from codewalk.errors import CodewalkError, system_words

APP_NAME = "codewalk"
_PACKAGE_DIR = Path(__file__).resolve().parent


def cache_home() -> Path:
    """The root of codewalk's cache."""
    explicit = os.environ.get("CODEWALK_HOME")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def state_home() -> Path:
    """Where small remembered state (tour progress) lives."""
    explicit = os.environ.get("CODEWALK_STATE")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_state_path

    return user_state_path(APP_NAME, appauthor=False)


def sources_dir(home: Path | None = None) -> Path:
    """Where the pinned sources are kept: under ``home``, the cache's root a command
    found once (:func:`cache_home`) and passes on, else under :func:`cache_home`."""
    return (home or cache_home()) / "sources"


def locks_dir() -> Path:
    return cache_home() / "locks"


def scratch_dir() -> Path:
    """Temporary work (downloads, unpacking) on the cache's own filesystem, so that a
    finished entry can be moved into place with one atomic rename."""
    return cache_home() / "tmp"


def traces_dir() -> Path:
    """Where recorded runs are kept (``codewalk trace``): the user's data, in the cache."""
    return cache_home() / "traces"


def index_db_path(version: str, home: Path | None = None) -> Path:
    """The index of layout ``version`` (``INDEX_VERSION``, which the index layer owns):
    one file per layout (``index-7.8.sqlite3``), so that two codewalk versions sharing a
    home each keep their own, never rebuilding the other's. Under ``home`` as
    :func:`sources_dir` says."""
    return (home or cache_home()) / f"index-{version}.sqlite3"


def _data_file(name: str) -> Path:
    """A shipped data file: inside the package when installed from a wheel, at the
    project root when running from a source checkout (editable install)."""
    installed = _PACKAGE_DIR / "_data" / name
    return installed if installed.exists() else _PACKAGE_DIR.parent / name


def installed_with_codewalk(path: Path) -> bool:
    """Whether ``path`` is a data file inside the installed package (a wheel's
    ``_data``): replaced whole when codewalk is upgraded or reinstalled."""
    try:
        return path.resolve().is_relative_to((_PACKAGE_DIR / "_data").resolve())
    except (OSError, RuntimeError):  # a loop of links: not ours
        return False


def pins_path() -> Path:
    explicit = os.environ.get("CODEWALK_PINS")
    return Path(explicit).expanduser() if explicit else _data_file("vendor_pins.toml")


def pins_named() -> str | None:
    """The pins file as a message may name it: the one the user set (``CODEWALK_PINS``),
    else None (the shipped file's path is codewalk's business, not the user's)."""
    return str(pins_path()) if os.environ.get("CODEWALK_PINS") else None


def shipped_tours_dir() -> Path:
    return _data_file("tours")


def extra_tour_dirs() -> list[Path]:
    raw = os.environ.get("CODEWALK_TOURS_PATH", "")
    return [Path(part).expanduser() for part in raw.split(os.pathsep) if part]


CONFIG_LIMIT = 1 << 20  # 1 MiB: far more than any tour or pins file holds


class Refused(ValueError):
    """A file the user named that codewalk does not read as such a file."""


class TooLarge(Refused):
    """It holds more than codewalk reads of such a file."""


class NotRegular(Refused):
    """It is not a regular file (a FIFO, a device, a socket): reading one may never end."""


def is_file(path: Path) -> bool:
    """``path.is_file()``, and False for a name the system refuses (a component over 255
    bytes: Python 3.11 raises there), as for any name that is not a file."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def is_dir(path: Path) -> bool:
    """``path.is_dir()``, and False for a name the system refuses (as :func:`is_file`)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def read_text(
    path: Path, what: str, error: type[CodewalkError], hint: str | None = None, too_large: str = ""
) -> str:
    """The UTF-8 text of a file the user names, ``what`` it is (``tour file``, ``pins
    file``), read by :func:`read_limited`; else an ``error`` naming the file and saying
    why (``hint`` where naming another file is the way out; ``too_large``, what to do with
    a file of that kind that is too large, when naming another is not)."""
    try:
        data = read_limited(path)
    except TooLarge as exc:
        limit = f"a {what} is read up to {CONFIG_LIMIT >> 20} MiB"
        way = too_large or hint
        said = f"{way} ({limit})" if way else limit
        raise error(f"{path}: not a {what}: {exc}", hint=said) from None
    except FileNotFoundError:
        raise error(f"{path}: {what} not found", hint=hint) from None
    except IsADirectoryError:
        raise error(f"{path}: a directory, not a {what}", hint=hint) from None
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {system_words(exc)}") from None
    except Refused as exc:
        raise error(f"{path}: not a {what}: {exc}", hint=hint) from None
    except ValueError:  # a NUL in the path
        raise error(f"{path!r}: not a usable path (it holds a NUL character)") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: not a UTF-8 text file") from None


def read_limited(path: Path, limit: int = CONFIG_LIMIT) -> bytes:
    """The bytes of a regular file the user names (a tour, a pins file, a trace), never
    more than ``limit``: a runaway file is not read whole, and a FIFO or a device
    (``/dev/zero``) is not read at all. It is opened without blocking, so a FIFO with no
    writer does not hang the open either.

    Raises ``OSError`` as ``open`` does (a missing file; ``IsADirectoryError`` for a
    directory), ``ValueError`` for a path holding a NUL, :class:`NotRegular` for what is
    not a regular file and :class:`TooLarge` beyond ``limit`` bytes."""
    data, _ = read_start(path, limit + 1)
    if len(data) > limit:
        raise TooLarge(f"more than {limit // (1 << 20)} MiB")
    return data


def read_start(path: Path, size: int, *, end: int = 0) -> tuple[bytes, bytes]:
    """The first ``size`` bytes (or fewer) of a regular file, read as :func:`read_limited`
    reads one, and its last ``end`` bytes; the rest is never read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    with open(os.open(path, flags), "rb") as handle:
        found = os.fstat(handle.fileno())
        if stat.S_ISDIR(found.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(found.st_mode):
            raise NotRegular(f"not a regular file ({_kind(found.st_mode)})")
        start = handle.read(size)
        if not end:
            return start, b""
        handle.seek(max(0, found.st_size - end))
        return start, handle.read(end)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file"
