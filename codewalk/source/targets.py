"""``REPO@VERSION``: which pin, at which version, a command reads.

- ``transformers`` (or nothing): the pin's own version;
- ``transformers@4.57.6``: another release, fetched like the pin (its tag derived from
  the pin's, :meth:`~codewalk.source.pins.Pin.at`) and cached side by side;
- ``transformers@installed``: the version installed in the active Python environment
  (the ``python`` on ``PATH``, which honours ``VIRTUAL_ENV`` and ``PYTHONPATH``), read
  from its package metadata without importing the package.

A version is read as PEP 440 reads it: one equal to the pin's is the pin, one equal to
a release the cache holds is that release (``4.57`` is a cached ``4.57.0``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from codewalk.errors import PinError, system_words
from codewalk.source.pins import Pin, get_pin
from codewalk.source.versions import release_of, same_version, valid_version
from codewalk.visible import quoted

if TYPE_CHECKING:
    from pathlib import Path

INSTALLED = "installed"
_TARGET_RE = re.compile(r"(?P<repo>[A-Za-z0-9][A-Za-z0-9_.-]*)(?:@(?P<version>[^\s@]+))?")
_METADATA_TIMEOUT_S = 30.0


class Target(NamedTuple):
    """A pin at the version asked for, and how that version was chosen (for messages)."""

    pin: Pin
    how: str  # "" for the pin's own version; "installed in <python>" for @installed

    @property
    def note(self) -> str:
        """How the version was chosen, to tell the reader ("" for a version named)."""
        return f"{self.pin.name}@installed is {self.pin.release_version}, {self.how}" if self.how else ""


def parse_target(text: str) -> tuple[str, str]:
    """``(repo, version)`` from ``REPO`` or ``REPO@VERSION`` (version "" when absent, a
    ``v`` before a release number dropped). A version is a release (PEP 440) or
    ``installed``: anything else is refused here, before a tag is derived or anything
    fetched."""
    match = _TARGET_RE.fullmatch(text.strip())
    if match is None:
        raise PinError(f"{text!r}: expected REPO or REPO@VERSION, e.g. transformers@4.57.6")
    repo, version = match["repo"], match["version"] or ""
    if version and version != INSTALLED and valid_version(version) is not None:
        shown = version if len(version) <= 40 else version[:40] + "..."
        raise PinError(
            f"{repo}@{shown}: {quoted(version)} is not a release version (PEP 440, e.g. 4.57.6 or "
            f"v4.57.6) nor {INSTALLED!r} (the version your Python has)"
        )
    return repo, version[1:] if re.match(r"v\d", version) else version


def resolve_target(
    pins: dict[str, Pin], text: str | None, named: str | None = None, home: Path | None = None
) -> Target:
    """The pin ``text`` names (the first pin when None), at the version it asks for;
    ``named``, the pins file the user set, for the error naming no pin; ``home``, the
    cache's root, if the caller found it already."""
    if text is None:
        return Target(get_pin(pins, None), "")
    repo, version = parse_target(text)
    if not version and repo not in pins and (repo == INSTALLED or re.fullmatch(r"v?\d[\w.+!-]*", repo)):
        first = next(iter(pins), "transformers")  # a version alone: which repository's?
        raise PinError(f"{text!r} names no repository", hint=f"write REPO@VERSION, e.g. {first}@{repo}")
    pin = get_pin(pins, repo, named)
    if not version:
        return Target(pin, "")
    if version == INSTALLED:
        found, python = installed_version(pin.release_name)
        return Target(pin.at(as_cached(pin, found, home)), f"installed in {python}")
    return Target(pin.at(as_cached(pin, version, home)), "")


def as_cached(pin: Pin, version: str, home: Path | None = None) -> str:
    """``version`` as the cache spells a release equal to it under PEP 440, else as given
    (the pin's own version, cached or not, :meth:`Pin.at` knows): no fetch for a release
    kept under another spelling. ``home``: the cache's root, if the caller found it."""
    from codewalk.source.cache import entries

    for _, manifest in entries(pin.name, home):
        kept = release_of(manifest.release)
        if kept != version and manifest.release and same_version(kept, version):
            return kept
    return version


_PROBE = (
    "import sys\n"
    "from importlib import metadata\n"
    "try:\n"
    "    print(metadata.version(sys.argv[1]))\n"
    "except metadata.PackageNotFoundError:\n"
    "    sys.exit(3)\n"
)


def reader_python() -> str | None:
    """The reader's interpreter: the ``python`` on ``PATH`` (an active virtualenv's
    first), else ``python3``; None when there is neither."""
    import shutil

    return shutil.which("python") or shutil.which("python3")


def installed_version(distribution: str) -> tuple[str, str]:
    """``(version, python)``: the version of ``distribution`` installed for the ``python``
    on ``PATH``, read from its metadata (the package itself is not imported)."""
    import subprocess  # here: every command imports this module, few ask for @installed

    python = reader_python()
    if python is None:
        raise PinError(f"{distribution}@installed: no python on PATH to ask")
    try:
        done = subprocess.run(
            [python, "-c", _PROBE, distribution],
            capture_output=True,
            text=True,
            timeout=_METADATA_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PinError(
            f"{distribution}@installed: {python} did not answer in {_METADATA_TIMEOUT_S:.0f} s",
            hint="is it a Python? name a version: REPO@X.Y.Z",
        ) from None
    except OSError as exc:
        raise PinError(f"{distribution}@installed: cannot ask {python}: {system_words(exc)}") from None
    if done.returncode == 3:
        raise PinError(
            f"{distribution}@installed: {distribution} is not installed for {python}",
            hint="activate the environment you run (VIRTUAL_ENV), or name a version: REPO@X.Y.Z",
        )
    version = done.stdout.strip()
    if done.returncode != 0 or not version:
        raise PinError(f"{distribution}@installed: {python} could not say: {done.stderr.strip()[:200]}")
    if valid_version(version) is not None:  # not a Python, or one that prints more than asked
        raise PinError(
            f"{distribution}@installed: {python} answered {quoted(version)}, which is not a release version",
            hint="is it a Python? name a version: REPO@X.Y.Z",
        )
    return version, python
