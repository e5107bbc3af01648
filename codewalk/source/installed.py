"""A file named as a traceback names it, read as a file of a pin.

Python prints where a package is installed, not where codewalk keeps it:
``/venv/lib/python3.11/site-packages/transformers/trainer.py`` is the pinned
``src/transformers/trainer.py`` (the pin's ``package_root``, then the same path from the
package down). Any directory that holds a pin's package will do: ``site-packages``,
``dist-packages``, an editable checkout's ``src``, or none at all
(``transformers/trainer.py``, relative to ``package_root``).

Reading a path is pure: :func:`readings` says which pin files a path may be, the
likeliest first (the caller knows which exist). :func:`version_beside` reads the
installed version from the metadata next to the package, without importing it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import NamedTuple

from codewalk.source.pins import Pin

_INSTALL_DIRS = ("site-packages", "dist-packages")
# the package transformers imports a model's remote code as (``trust_remote_code=True``):
# its copy of the model's files under ``HF_MODULES_CACHE``, which no pin has
REMOTE = "transformers_modules"
_DRIVE_RE = re.compile(r"[A-Za-z]:\\")
# the revision transformers names a copy of remote code by: the Hub commit it was read at,
# or the hash of a local model directory's source files
_REVISION = re.compile(r"[0-9a-f]{16}|[0-9a-f]{40}|[0-9a-f]{64}")


class Reading(NamedTuple):
    """A path read as the file of a pin's package."""

    pin: Pin
    relative: str  # from the directory holding the package, POSIX: "transformers/trainer.py"
    holder: str  # that directory as the path names it ("" for a path that starts at the package)


def parts_of(path: str) -> tuple[str, ...]:
    """The components of ``path``, as POSIX or (with a drive letter) Windows splits it."""
    if _DRIVE_RE.match(path):
        return PureWindowsPath(path).parts
    return PurePosixPath(path).parts


def readings(path: str, pins: Mapping[str, Pin]) -> list[Reading]:
    """Every way ``path`` names a file of a pin's package, likeliest first: where the
    package follows a directory that holds installed packages or the pin's own package
    root (``site-packages/diffusers/models/transformers/x.py`` is diffusers', not
    transformers'), then the others from the left."""
    owners = {package: pin for pin in pins.values() for package in pin.packages}
    parts = parts_of(path)
    anchored: list[Reading] = []
    loose: list[Reading] = []
    for at, part in enumerate(parts[:-1]):
        pin = owners.get(part)
        if pin is None or ".." in parts[at:]:
            continue
        before = parts[:at]
        reading = Reading(pin, "/".join(parts[at:]), _joined(before))
        (anchored if _holds_packages(before, pin) else loose).append(reading)
    return anchored + loose


def stranger(path: str) -> str | None:
    """The package an installed path names (the directory after ``site-packages`` or
    ``dist-packages``), None when it names none: for a message, when no pin has it."""
    parts = parts_of(path)
    for at, part in enumerate(parts[:-2]):
        if part in _INSTALL_DIRS:
            return parts[at + 1]
    return None


def remote_module(path: str) -> str | None:
    """The module a path names as a model's remote code, transformers' copy of it under
    ``HF_MODULES_CACHE`` (``.../transformers_modules/org/repo/HASH/modeling_x.py`` is
    ``transformers_modules.org.repo.HASH.modeling_x``); None for any other path."""
    parts = parts_of(path)
    if REMOTE not in parts[:-1]:
        return None
    module = ".".join(parts[parts.index(REMOTE) :])
    return module[: -len(".py")] if module.endswith(".py") else module


def remote_name(path: str) -> str | None:
    """The model a path of remote code is the copy of, as its directories under
    ``transformers_modules`` name it (as transformers wrote them: ``-`` as ``_hyphen_``),
    without the revision's hash: ``org/repo`` for
    ``.../transformers_modules/org/repo/HASH/modeling_x.py``, a local model's directory
    name for one loaded from there; "" when they name none, None for a path that is not
    remote code."""
    parts = parts_of(path)
    if REMOTE not in parts[:-1]:
        return None
    named = [part for part in parts[parts.index(REMOTE) + 1 : -1] if not _REVISION.fullmatch(part)]
    return "/".join(named)


def version_beside(holder: str, distribution: str) -> str:
    """The version of ``distribution`` installed in the directory ``holder`` (its
    ``NAME-VERSION.dist-info``, or an ``.egg-info``'s ``PKG-INFO``), "" when that is not
    known there. Reads a directory listing and at most one small file."""
    if not holder:
        return ""
    wanted = _normal(distribution)
    try:
        entries = [entry.name for entry in Path(holder).iterdir()]
    except OSError:
        return ""
    for name in entries:
        stem, dot, suffix = name.rpartition(".")
        if dot and suffix == "dist-info":
            project, _, version = stem.partition("-")
            if _normal(project) == wanted and version:
                return version
    for name in entries:
        if name.endswith(".egg-info") and _normal(name[: -len(".egg-info")].partition("-")[0]) == wanted:
            return _pkg_info_version(Path(holder) / name / "PKG-INFO")
    return ""


def _pkg_info_version(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            head = file.read(4096)
    except OSError:
        return ""
    match = re.search(r"^Version:[ \t]*(\S+)", head, re.MULTILINE)
    return match[1] if match else ""


def _holds_packages(before: tuple[str, ...], pin: Pin) -> bool:
    """Whether the directories ``before`` a package end where packages are installed or
    kept (the pin's package root, in git or in its release), or are none at all."""
    if not before:
        return True
    if before[-1] in _INSTALL_DIRS:
        return True
    for root in (pin.package_root, pin.archive_root):
        root_parts = PurePosixPath(root).parts if root not in ("", ".") else ()
        if root_parts and before[-len(root_parts) :] == root_parts:
            return True
    return False


def _joined(parts: tuple[str, ...]) -> str:
    if not parts:
        return ""
    if _DRIVE_RE.match(parts[0]):
        return str(PureWindowsPath(*parts))
    return str(PurePosixPath(*parts))


def _normal(name: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()
