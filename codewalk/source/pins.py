"""``vendor_pins.toml``: which repositories codewalk reads, at which version.

One table per repository::

    [accelerate]
    url = "https://github.com/huggingface/accelerate.git"
    tag = "v1.14.0"
    commit = "beb0672aa8444ea7647aee056f624effe5996346"  # 40-hex; verified after checkout
    package_root = "src"             # where the package lives in the git tree
    packages = ["accelerate"]        # import roots this repo provides
    release = "accelerate==1.14.0"   # the same version on the package index
    tree = "a531f21bfe902b6f527f464de1716742ebe988dc"  # git tree of src/accelerate at the tag

Optional keys: ``release_root`` (where the package sits in the release archive, when not
where git has it: ``py_src`` for maturin projects), ``tree`` and ``tree_omits`` (the
upstream tree id of the first package at the tag, less the files a release leaves out,
listed relative to the package: a release is then verified to be exactly that tree), and
``wheel`` (the wheel file that is the release, for projects that publish no source
distribution).

Parsing is pure (text in, pins out); every error names the file and the key.
"""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

import re
import sys
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from codewalk.errors import PinError
from codewalk.locations import read_text
from codewalk.source.urls import ALLOWED_SCHEMES, url_scheme
from codewalk.source.versions import same_version
from codewalk.visible import CONTROL_RE, quoted

_REQUIRED = ("url", "tag", "package_root", "packages", "release")
_OPTIONAL = ("commit", "release_root", "tree", "tree_omits", "wheel")
_COMMIT_RE = re.compile(r"[0-9a-f]{40}")
_RELEASE_RE = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # names cache directories and lock files
_VERSION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+!_-]*")
# A repo name, a tag and a version each name a directory or file of the cache, so they
# are bounded well below any file system's limit on a name (255 bytes): a longer one is
# a mistake, never a release (PEP 440 versions seen in the wild are under 40).
MAX_PART = 100


class Pin(NamedTuple):
    """One pinned repository, as written in ``vendor_pins.toml`` (or one of its other
    versions, made by :meth:`at`)."""

    name: str
    url: str
    tag: str
    commit: str
    package_root: str  # in the git tree
    packages: tuple[str, ...]
    release: str
    release_root: str = ""  # in the release archive; "" means package_root
    tree: str = ""  # git tree id of <root>/<packages[0]> as the release has it; "" if unknown
    tree_omits: tuple[str, ...] = ()  # files upstream has in that tree and the release leaves out
    wheel: str = ""  # the wheel file that is the release ("" for a source distribution)

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

    @property
    def archive_root(self) -> str:
        """Where the package directories sit in the release archive."""
        return self.release_root or self.package_root

    def at(self, version: str) -> "Pin":
        """The same repository at another release ``version``: its tag follows the pin's
        own pattern (``v5.23.0`` -> ``v4.57.6``, ``5.0.1`` -> ``4.8.5``); no commit or
        tree is claimed for it. A version equal to the pin's under PEP 440 (``5.23`` for
        ``5.23.0``) is the pin."""
        if len(version) > MAX_PART or not _VERSION_RE.fullmatch(version):
            too_long = f" (more than {MAX_PART} characters)" if len(version) > MAX_PART else ""
            at = version if len(version) <= 40 else version[:40] + "..."
            raise PinError(f"{self.name}@{at}: {quoted(version)} is not a version{too_long}, e.g. 4.57.6")
        if version == self.release_version or same_version(version, self.release_version):
            return self
        current = self.release_version
        if current not in self.tag:
            raise PinError(
                f"{self.name}@{version}: the pinned tag {self.tag!r} does not contain the pinned "
                f"version {current!r}, so the tag of {version} cannot be derived from it"
            )
        wheel = self.wheel.replace(f"-{current}-", f"-{version}-") if self.wheel else ""
        return self._replace(
            tag=self.tag.replace(current, version),
            commit="",
            release=f"{self.release_name}=={version}",
            tree="",
            tree_omits=(),
            wheel=wheel,
        )


def parse_pins(text: str, filename: str) -> dict[str, Pin]:
    """Parse and validate the text of a pins file; ``filename`` is for messages."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

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
        if len(name) > MAX_PART:
            raise PinError(f"{filename}: [{quoted(name)}]: a repo name has at most {MAX_PART} characters")
        if not _NAME_RE.fullmatch(name) or ".." in name:
            raise PinError(
                f"{filename}: [{name}]: a repo name may hold only letters, digits, '.', '_' and '-'",
                hint="it names directories in the cache, so it must not be a path",
            )
        if not isinstance(table, dict):
            raise PinError(f"{filename}: {name}: expected a table [{name}], found a plain value")
        pins[name] = _parse_table(name, table, filename)
    _no_shared_packages(pins, filename)
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
    text = _strings(table, where)
    _check_source(text, where)
    packages = table["packages"]
    if (
        not isinstance(packages, list)
        or not packages
        or not all(isinstance(p, str) and p.isidentifier() for p in packages)
    ):
        raise PinError(f'{where}.packages: expected a list of import names, e.g. ["transformers"]')
    omits = table.get("tree_omits", [])
    if not isinstance(omits, list) or not all(isinstance(o, str) for o in omits):
        raise PinError(f'{where}.tree_omits: expected a list of paths, e.g. ["README.md"]')
    if omits and not text["tree"]:
        raise PinError(f"{where}.tree_omits: only means something with 'tree'")
    return Pin(
        name=name,
        url=text["url"],
        tag=text["tag"],
        commit=text["commit"],
        package_root=_inside(text["package_root"], f"{where}.package_root"),
        packages=tuple(str(p) for p in packages),
        release=text["release"],
        release_root=_inside(text["release_root"], f"{where}.release_root") if text["release_root"] else "",
        tree=text["tree"],
        tree_omits=tuple(_inside(str(o), f"{where}.tree_omits") for o in omits),
        wheel=text["wheel"],
    )


def _strings(table: dict[str, object], where: str) -> dict[str, str]:
    """The table's text values (absent: ""), each a string with no control character:
    every one names a URL, a ref, a directory or a file, where a control character (a
    NUL makes every path and git call fail) is a mistake, said as such."""
    keys = ("url", "tag", "commit", "package_root", "release", "release_root", "tree", "wheel")
    text: dict[str, str] = {}
    for key in keys:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise PinError(f"{where}.{key}: expected a string, found {type(value).__name__}")
        control = CONTROL_RE.search(value)
        if control is not None:
            raise PinError(
                f"{where}.{key}: {value!r} holds a control character (U+{ord(control.group()):04X})"
            )
        text[key] = value
    return text


def _check_source(text: dict[str, str], where: str) -> None:
    """Where the code comes from is well said: an allowed transport, a tag, full ids, a
    release ``NAME==VERSION`` and a wheel of that release."""
    url = text["url"]
    scheme = url_scheme(url)
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme!r}" if scheme else "none"
        raise PinError(
            f"{where}.url: transport {shown} is not allowed in {url!r}",
            hint="use an https://, ssh://, git:// or file:// URL",
        )
    if not text["tag"].strip():
        raise PinError(f"{where}.tag: must name the release tag, e.g. 'v5.23.0'")
    if len(text["tag"]) > MAX_PART:
        raise PinError(f"{where}.tag: {quoted(text['tag'])} is not a tag (more than {MAX_PART} characters)")
    for key in ("commit", "tree"):
        if text[key] and not _COMMIT_RE.fullmatch(text[key]):
            raise PinError(
                f"{where}.{key}: {text[key]!r} is not a full 40-character lowercase hex {key} id",
                hint='leave it empty ("") until it can be locked, or paste the full id',
            )
    release = text["release"]
    match = _RELEASE_RE.fullmatch(release)
    if match is None or len(match["name"]) > MAX_PART or len(match["version"]) > MAX_PART:
        raise PinError(
            f"{where}.release: {quoted(release)} must read NAME==VERSION, each at most {MAX_PART} "
            "characters, e.g. 'transformers==5.23.0'"
        )
    wheel = text["wheel"]
    if wheel and not _is_wheel_of(wheel, match["name"], match["version"]):
        raise PinError(
            f"{where}.wheel: {wheel!r} is not a wheel file of {release}",
            hint="name the file as the index lists it, e.g. "
            f"{match['name']}-{match['version']}-py3-none-any.whl",
        )


def _inside(path: str, where: str) -> str:
    """A relative posix path that stays inside its directory ("." for the top)."""
    posix = PurePosixPath(path)
    if posix.is_absolute() or ".." in posix.parts or "\\" in path or "\0" in path:
        raise PinError(f"{where}: {path!r} must be a path inside the repository")
    return path.strip("/") or "."


def _is_wheel_of(filename: str, name: str, version: str) -> bool:
    """Whether ``filename`` is a wheel of ``name==version`` (PEP 427 names)."""
    if not filename.endswith(".whl") or "/" in filename:
        return False
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        return False
    normal = re.sub(r"[-_.]+", "_", name).lower()
    return re.sub(r"[-_.]+", "_", parts[0]).lower() == normal and parts[1] == version


def _no_shared_packages(pins: dict[str, Pin], filename: str) -> None:
    """An import root belongs to one pin: ``import accelerate`` must mean one repo."""
    owner: dict[str, str] = {}
    for pin in pins.values():
        for package in pin.packages:
            if package in owner:
                where = f"{filename}: [{pin.name}].packages"
                raise PinError(f"{where}: {package!r} is already provided by [{owner[package]}]")
            owner[package] = pin.name


def load_pins(path: Path) -> dict[str, Pin]:
    return parse_pins(read_pins_text(path), str(path))


def read_pins_text(path: Path) -> str:
    """The text of the pins file at ``path``; a PinError saying why it cannot be read."""
    return read_text(path, "pins file", PinError, hint="set CODEWALK_PINS to a vendor_pins.toml")


def get_pin(pins: dict[str, Pin], name: str | None, named: str | None = None) -> Pin:
    """The pin named ``name``, or the only/first one when ``name`` is None; ``named``
    is the pins file the user set (``CODEWALK_PINS``), for the error."""
    if name is None:
        return next(iter(pins.values()))
    try:
        return pins[name]
    except KeyError:
        raise unknown_repo(pins, name, named) from None


def unknown_repo(known: Iterable[str], name: str, named: str | None = None) -> PinError:
    """The error for a repository no pin names: the pins there are (from ``named``, a
    file the user set, else "the pins") and the close ones as a "did you mean"."""
    known = sorted(known)
    where = f"{named} pins" if named else "the pins are"
    close = close_repos(known, name)
    return PinError(
        f"unknown repo {quoted(name)}: {where} {', '.join(known) or 'none'}",
        hint=f"did you mean: {', '.join(close)}" if close else None,
    )


def close_repos(known: Iterable[str], name: str) -> list[str]:
    """The pinned repositories ``name`` may have meant, closest first, case aside: the
    one spelled the same but for case (``Transformers``), else the close ones, not those
    far behind the closest (``transformrs``: transformers, not xformers)."""
    import difflib

    others = [repo for repo in known if repo != name]
    lowered = name.lower()
    same = [repo for repo in others if repo.lower() == lowered]
    if same:
        return same
    ratios = sorted(
        ((difflib.SequenceMatcher(None, lowered, repo.lower()).ratio(), repo) for repo in others),
        key=lambda pair: -pair[0],
    )
    best = ratios[0][0] if ratios else 0.0
    return [repo for ratio, repo in ratios if ratio >= max(_CLOSE, best - _BEHIND)][:3]


_CLOSE = 0.6  # difflib's own cutoff for a close match
_BEHIND = 0.2  # a close match this far behind the closest one is no longer a guess
