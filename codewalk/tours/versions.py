"""Versions in tours: the releases a tour is meant for (``versions: [4.57.6, 5.23.0]``,
which a bare ``codewalk check`` verifies besides the pin), and a step's own range
(``versions: ">=5.0"``): at a release outside it, the step is *skipped*, not broken, so
one tour can read several releases whose code differs.

Versions and ranges are PEP 440, read with ``packaging`` (imported when a tour has
versions: most have none, and its import costs a cold tour ~12 ms). Pure.
"""

from __future__ import annotations


def valid_version(text: str) -> str | None:
    """Why ``text`` is not a release version (``None`` when it is one)."""
    from packaging.version import InvalidVersion, Version

    try:
        Version(text)
    except InvalidVersion:
        return f"{text!r} is not a release version, e.g. 4.57.6"
    return None


def valid_range(text: str) -> str | None:
    """Why ``text`` is not a version range (``None`` when it is one)."""
    if not text.strip():
        return "the range is empty; write one such as '>=5.0' or '<5'"
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        return f"{text!r} is not a version range, e.g. '>=5.0' or '>=4.46,<5'"
    return None


def in_range(version: str, spec: str) -> bool:
    """Whether release ``version`` lies in the range ``spec`` (a version codewalk cannot
    read, a local checkout's, is taken to lie in every range)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return True


def release_of(version: str) -> str:
    """The release number in a checkout's version string: ``transformers==4.57.6`` and
    ``v4.57.6`` are ``4.57.6``."""
    number = version.rpartition("==")[2]
    return number[1:] if number[:1] == "v" and number[1:2].isdigit() else number
