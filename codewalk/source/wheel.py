"""The wheel source: for a project that publishes no source distribution (PaddlePaddle),
the pinned wheel file from the package index, hash-checked like an sdist.

Only the Python sources of the pin's packages are taken out of the archive (``.py``,
``.pyi``, ``py.typed``: a 200 MB wheel is mostly compiled libraries), each checked
against the sha256 the wheel's own ``RECORD`` lists, then committed into a local git
repository like a release. A wheel that records the upstream commit it was built from
(``paddle/version/__init__.py`` does) is labelled with it, as its own account, never as
a verified commit.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import zipfile
from pathlib import Path, PurePosixPath

from codewalk.errors import SourceError, VerificationError
from codewalk.source import package_index
from codewalk.source.cache import Manifest
from codewalk.source.checkout import SourceKind
from codewalk.source.pins import Pin
from codewalk.source.release import release_manifest, require_package
from codewalk.source.reporter import Reporter

SOURCE_SUFFIXES = (".py", ".pyi")
SOURCE_NAMES = ("py.typed",)
_RECORDED_COMMIT_RE = re.compile(
    rb"^(?:commit|git_revision|__commit__|GIT_COMMIT)\s*=\s*['\"]([0-9a-f]{40})['\"]", re.MULTILINE
)


class WheelSource:
    """The pinned wheel, hash-checked, its Python sources committed into a local repository."""

    kind = SourceKind.WHEEL

    def build(self, pin: Pin, tree: Path, reporter: Reporter) -> Manifest:
        from codewalk.source import gitsource

        reporter.phase(f"looking up {pin.wheel} on the package index")
        indexes = package_index.configured_indexes()
        name, version = pin.release_name, pin.release_version
        dist = package_index.find_wheel(name, version, pin.wheel, indexes, reporter.note)
        reporter.phase(f"downloading {dist.filename}")
        archive = package_index.download(dist, tree.parent, reporter.transfer, reporter.note)
        reporter.phase(f"taking the Python sources out of {dist.filename}")
        extract_sources(archive, tree, prefixes(pin))
        archive.unlink()
        require_package(pin, tree, dist.filename)
        reporter.phase("recording the wheel's sources in a local git repository")
        head = gitsource.commit_tree(tree, f"{pin.release} (wheel {dist.filename}, Python sources)")
        return release_manifest(pin, self.kind, head, dist, recorded_commit=recorded_commit(tree, pin))

    def verify(self, pin: Pin, tree: Path, manifest: Manifest) -> str | None:
        from codewalk.source import gitsource

        return gitsource.verify_tree(tree, manifest.commit)


def prefixes(pin: Pin) -> tuple[str, ...]:
    """The archive paths of the pin's package directories, each ending in ``/``."""
    root = "" if pin.archive_root in ("", ".") else pin.archive_root.rstrip("/") + "/"
    return tuple(f"{root}{package}/" for package in pin.packages)


def extract_sources(archive: Path, dest: Path, wanted: tuple[str, ...]) -> int:
    """Write the Python sources under the ``wanted`` directory prefixes of the wheel at
    ``archive`` into ``dest``, each checked against the wheel's ``RECORD``; returns how
    many files were written. Refuses paths that leave ``dest`` and files the record
    does not list or lists with another hash."""
    try:
        with zipfile.ZipFile(archive) as wheel:
            record = _record(wheel, archive.name)
            written = 0
            for info in wheel.infolist():
                name = info.filename
                if info.is_dir() or not name.startswith(wanted) or not _is_source(name):
                    continue
                target = _inside(dest, name, archive.name)
                data = wheel.read(info)
                _check(record, name, data, archive.name)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                written += 1
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SourceError(f"{archive.name}: cannot read the wheel: {exc}") from None
    if not written:
        raise SourceError(f"{archive.name}: no Python sources under {', '.join(wanted)}")
    return written


def _is_source(name: str) -> bool:
    return name.endswith(SOURCE_SUFFIXES) or PurePosixPath(name).name in SOURCE_NAMES


def _inside(dest: Path, name: str, archive: str) -> Path:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or "\0" in name:
        raise SourceError(f"{archive}: refusing {name!r}, which leaves the tree")
    return dest.joinpath(*path.parts)


def _record(wheel: zipfile.ZipFile, archive: str) -> dict[str, str]:
    """``{path: "sha256=<urlsafe base64>"}`` from the wheel's ``*.dist-info/RECORD``."""
    names = [n for n in wheel.namelist() if n.count("/") == 1 and n.endswith(".dist-info/RECORD")]
    if len(names) != 1:
        raise VerificationError(f"{archive}: expected one .dist-info/RECORD, found {len(names)}")
    text = wheel.read(names[0]).decode("utf-8", errors="replace")
    return {row[0]: row[1] for row in csv.reader(io.StringIO(text)) if len(row) >= 2 and row[1]}


def _check(record: dict[str, str], name: str, data: bytes, archive: str) -> None:
    listed = record.get(name)
    if listed is None:
        raise VerificationError(f"{archive}: {name} is not listed in the wheel's RECORD")
    algorithm, _, expected = listed.partition("=")
    if algorithm != "sha256":
        raise VerificationError(f"{archive}: {name} is recorded with {algorithm!r}, not sha256")
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    if digest != expected:
        raise VerificationError(f"{archive}: {name} does not match the hash its RECORD lists")


def recorded_commit(tree: Path, pin: Pin) -> str:
    """The upstream commit the wheel says it was built from (``commit = '…'`` in the
    package's ``version`` module), or ""."""
    package = tree / pin.archive_root / pin.packages[0]
    for candidate in (package / "version" / "__init__.py", package / "version.py", package / "_version.py"):
        try:
            match = _RECORDED_COMMIT_RE.search(candidate.read_bytes())
        except OSError:
            continue
        if match:
            return match.group(1).decode("ascii")
    return ""
