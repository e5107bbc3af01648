"""Release versions, read as PEP 440 with ``packaging``: whether a text is a version or
a range, whether a release lies in a range, whether two spellings are one release, which
of two is older. Tours use them (a tour's ``versions: [4.57.6, 5.23.0]``, which a bare
``codewalk check`` verifies besides the pin, and a step's ``versions: ">=5.0"``: at a
release outside it, the step is *skipped*, not broken), and so does the terminal UI's
``v``. ``packaging`` is imported when a version is read: most tours name none. Pure.
"""

from __future__ import annotations

from codewalk.visible import quoted


def valid_version(text: str) -> str | None:
    """Why ``text`` is not a release version (``None`` when it is one)."""
    from packaging.version import Version

    try:
        Version(text)
    except ValueError:  # InvalidVersion, or a number of thousands of digits (int's limit)
        return f"{quoted(text)} is not a release version, e.g. 4.57.6"
    return None


def valid_range(text: str) -> str | None:
    """Why ``text`` is not a version range (``None`` when it is one)."""
    if not text.strip():
        return "the range is empty; write one such as '>=5.0' or '<5'"
    from packaging.specifiers import SpecifierSet

    try:
        SpecifierSet(text).contains("0", prereleases=True)  # reads the versions it names
    except ValueError:  # InvalidSpecifier, or a number of thousands of digits
        return f"{quoted(text)} is not a version range, e.g. '>=5.0' or '>=4.46,<5'"
    return None


def in_range(version: str, spec: str) -> bool:
    """Whether release ``version`` lies in the range ``spec`` (a version codewalk cannot
    read, a local checkout's, is taken to lie in every range)."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=True)
    except ValueError:  # InvalidSpecifier, InvalidVersion, a number of thousands of digits
        return True


def release_of(version: str) -> str:
    """The release number in a checkout's version string: ``transformers==4.57.6`` and
    ``v4.57.6`` are ``4.57.6``."""
    number = version.rpartition("==")[2]
    return number[1:] if number[:1] == "v" and number[1:2].isdigit() else number


def same_version(one: str, other: str) -> bool:
    """Whether two versions are one release (``v5.23``, ``5.23.0``,
    ``transformers==5.23.0``)."""
    from packaging.version import InvalidVersion, Version

    a, b = release_of(one), release_of(other)
    try:
        return Version(a) == Version(b)
    except (InvalidVersion, ValueError):  # ValueError: a number of thousands of digits
        return a == b


def older(one: str, other: str) -> bool:
    """Whether release ``one`` comes before ``other`` (False when either cannot be
    read as a version, e.g. a local checkout's)."""
    from packaging.version import Version

    try:
        return Version(release_of(one)) < Version(release_of(other))
    except ValueError:  # InvalidVersion, or a number of thousands of digits
        return False
