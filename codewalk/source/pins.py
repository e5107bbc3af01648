"""``vendor_pins.toml``: which repositories codewalk reads, at which version.

One table per repository::

    [transformers]
    url = "https://github.com/huggingface/transformers.git"
    tag = "v5.23.0"
    commit = ""                      # 40-hex; verified after checkout when set
    package_root = "src"
    packages = ["transformers"]
    release = "transformers==5.23.0" # the same version on the package index

Parsing is pure (text in, pins out); every error names the file and the key.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from codewalk.errors import PinError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

ALLOWED_SCHEMES = ("https", "ssh", "file", "git")
_REQUIRED = ("url", "tag", "package_root", "packages", "release")
_OPTIONAL = ("commit",)
_COMMIT_RE = re.compile(r"[0-9a-f]{40}")
_RELEASE_RE = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # names cache directories and lock files
_SCP_LIKE_RE = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)")  # git@host:path, an ssh URL


class Pin(NamedTuple):
    """One pinned repository, as written in ``vendor_pins.toml``."""

    name: str
    url: str
    tag: str
    commit: str
    package_root: str
    packages: tuple[str, ...]
    release: str

    @property
    def release_name(self) -> str:
        match = _RELEASE_RE.fullmatch(self.release)
        assert match is not None  # validated when loaded
        return match["name"]

    @property
    def release_version(self) -> str:
        match = _RELEASE_RE.fullmatch(self.release)
        assert match is not None
        return match["version"]


def url_scheme(url: str) -> str:
    """The transport a git URL asks for: ``https``, ``ssh`` (also scp-like
    ``git@host:path``), ``file``, ``git``, or whatever else it names (``ext``)."""
    if "::" in url.split("/", 1)[0]:
        return url.split("::", 1)[0].lower()  # git's "<transport>::<address>" syntax
    if "://" in url:
        return url.split("://", 1)[0].lower()
    if _SCP_LIKE_RE.match(url):
        return "ssh"
    return ""


def redact_url(url: str) -> str:
    """``url`` fit to show: a password, or a lone user name (often a token), becomes
    ``****``, as pip shows index URLs."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, has_password, _ = userinfo.partition(":")
    shown = f"{user}:****" if has_password else "****"
    return urlunsplit(parts._replace(netloc=f"{shown}@{host}"))


def redact_text(text: str, url: str) -> str:
    """``text`` (say, a tool's error message) with ``url``'s secrets hidden."""
    return text.replace(url, redact_url(url)) if url != redact_url(url) else text


def parse_pins(text: str, filename: str) -> dict[str, Pin]:
    """Parse and validate the text of a pins file; ``filename`` is for messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PinError(f"{filename}: not valid TOML: {exc}") from None
    if not data:
        raise PinError(
            f"{filename}: no repository is pinned",
            hint="add a table such as [transformers] with url, tag, package_root, packages, release",
        )
    pins: dict[str, Pin] = {}
    for name, table in data.items():
        if not _NAME_RE.fullmatch(name) or ".." in name:
            raise PinError(
                f"{filename}: [{name}]: a repo name may hold only letters, digits, '.', '_' and '-'",
                hint="it names directories in the cache, so it must not be a path",
            )
        if not isinstance(table, dict):
            raise PinError(f"{filename}: {name}: expected a table [{name}], found a plain value")
        pins[name] = _parse_table(name, table, filename)
    return pins


def _parse_table(name: str, table: dict[str, object], filename: str) -> Pin:
    where = f"{filename}: [{name}]"
    unknown = sorted(set(table) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        allowed = ", ".join((*_REQUIRED, *_OPTIONAL))
        raise PinError(f"{where}: unknown key {unknown[0]!r} (allowed: {allowed})")
    for key in _REQUIRED:
        if key not in table:
            raise PinError(f"{where}: missing key {key!r}")
    strings = {key: table.get(key, "") for key in ("url", "tag", "commit", "package_root", "release")}
    for key, value in strings.items():
        if not isinstance(value, str):
            raise PinError(f"{where}.{key}: expected a string, found {type(value).__name__}")
    url, tag, commit = str(strings["url"]), str(strings["tag"]), str(strings["commit"])
    package_root, release = str(strings["package_root"]), str(strings["release"])

    scheme = url_scheme(url)
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme!r}" if scheme else "none"
        raise PinError(
            f"{where}.url: transport {shown} is not allowed in {url!r}",
            hint="use an https://, ssh://, git:// or file:// URL",
        )
    if not tag.strip():
        raise PinError(f"{where}.tag: must name the release tag, e.g. 'v5.23.0'")
    if commit and not _COMMIT_RE.fullmatch(commit):
        raise PinError(
            f"{where}.commit: {commit!r} is not a full 40-character lowercase hex commit id",
            hint='leave it empty ("") until it can be locked, or paste the full id',
        )
    root = PurePosixPath(package_root)
    if root.is_absolute() or ".." in root.parts:
        raise PinError(f"{where}.package_root: {package_root!r} must be a path inside the repo")
    packages = table["packages"]
    if (
        not isinstance(packages, list)
        or not packages
        or not all(isinstance(p, str) and p.isidentifier() for p in packages)
    ):
        raise PinError(f'{where}.packages: expected a list of import names, e.g. ["transformers"]')
    if not _RELEASE_RE.fullmatch(release):
        raise PinError(f"{where}.release: {release!r} must read NAME==VERSION, e.g. 'transformers==5.23.0'")
    return Pin(
        name=name,
        url=url,
        tag=tag,
        commit=commit,
        package_root=package_root.strip("/") or ".",
        packages=tuple(str(p) for p in packages),
        release=release,
    )


def load_pins(path: Path) -> dict[str, Pin]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PinError(
            f"{path}: pins file not found", hint="set CODEWALK_PINS to a vendor_pins.toml"
        ) from None
    except OSError as exc:
        raise PinError(f"{path}: cannot read pins file: {exc.strerror}") from None
    return parse_pins(text, str(path))


def get_pin(pins: dict[str, Pin], name: str | None, filename: str) -> Pin:
    """The pin named ``name``, or the only/first one when ``name`` is None."""
    if name is None:
        return next(iter(pins.values()))
    try:
        return pins[name]
    except KeyError:
        known = ", ".join(sorted(pins))
        raise PinError(f"unknown repo {name!r}: {filename} pins {known}") from None
