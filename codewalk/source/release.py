"""The release source: the pinned release's source distribution from the package
index (:mod:`codewalk.source.package_index`), unpacked with tarfile's ``data`` filter
(no links out of the tree, no device files, no absolute paths) and committed into a
local git repository, so that the rest of codewalk sees one kind of tree.

Its answers say "release transformers 5.23.0 (source distribution)": never an upstream
commit that was not verified.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from pathlib import Path

from codewalk.errors import SourceError, VerificationError
from codewalk.source import package_index
from codewalk.source.cache import Manifest
from codewalk.source.checkout import SourceKind
from codewalk.source.pins import Pin
from codewalk.source.reporter import Reporter
from codewalk.source.urls import redact_url


class ReleaseSource:
    """The release's sdist, hash-checked and committed into a local repository; when
    the pin records upstream's tree, verified to be exactly that tree."""

    kind = SourceKind.RELEASE

    def build(self, pin: Pin, tree: Path, reporter: Reporter) -> Manifest:
        from codewalk.source import gitsource

        reporter.phase(f"looking up {pin.release} on the package index")
        dist = package_index.find_sdist(
            pin.release_name, pin.release_version, package_index.configured_indexes(), reporter.note
        )
        reporter.phase(f"downloading {dist.filename}")
        archive = package_index.download(dist, tree.parent, reporter.transfer, reporter.note)
        reporter.phase(f"unpacking {dist.filename}")
        unpack(archive, tree)
        archive.unlink()
        require_package(pin, tree, dist.filename)
        reporter.phase("recording the release files in a local git repository")
        head = gitsource.commit_tree(tree, f"{pin.release} (source distribution {dist.filename})")
        return release_manifest(pin, self.kind, head, dist, tree=verified_tree(pin, tree, dist.filename))

    def verify(self, pin: Pin, tree: Path, manifest: Manifest) -> str | None:
        from codewalk.source import gitsource

        problem = gitsource.verify_tree(tree, manifest.commit)
        if problem is None and manifest.tree != pin.tree:
            problem = (
                f"it was verified against tree {manifest.tree or 'none'}, the pin says {pin.tree or 'none'}"
            )
        return problem


def release_manifest(
    pin: Pin,
    kind: SourceKind,
    head: str,
    dist: package_index.Distribution,
    *,
    tree: str = "",
    recorded_commit: str = "",
) -> Manifest:
    """What a release entry is: the local commit of its files, the archive it came from
    (its URL without credentials, its sha256), and what more was established (the
    verified ``tree``, a wheel's ``recorded_commit``). Never an upstream commit."""
    return Manifest(
        repo=pin.name,
        kind=kind.value,
        commit=head,
        upstream_commit="",
        tag=pin.tag,
        release=pin.release,
        origin=redact_url(dist.url),
        sha256=dist.sha256,
        tree=tree,
        recorded_commit=recorded_commit,
    )


def require_package(pin: Pin, tree: Path, filename: str) -> None:
    """A SourceError unless the release holds the pin's first package where it says."""
    if not (tree / pin.archive_root / pin.packages[0]).is_dir():
        where = f"{pin.archive_root}/{pin.packages[0]}/"
        raise SourceError(
            f"{filename} has no {where}",
            hint="check package_root, release_root and packages in vendor_pins.toml",
        )


def verified_tree(pin: Pin, tree: Path, filename: str) -> str:
    """The pin's ``tree`` once the release's package directory (committed at ``tree``)
    is checked to be exactly it, else a VerificationError; "" when the pin records none."""
    if not pin.tree:
        return ""
    from codewalk.source import gitsource

    found = gitsource.tree_id(tree, f"{pin.archive_root}/{pin.packages[0]}".removeprefix("./"))
    if found != pin.tree:
        less = f" less {', '.join(pin.tree_omits)}" if pin.tree_omits else ""
        raise VerificationError(
            f"{filename}: {pin.archive_root}/{pin.packages[0]} is tree {found or 'missing'}, not upstream "
            f"{pin.tag}'s tree {pin.tree}{less} that [{pin.name}] pins",
            hint="the index serves other files than upstream released, or the pin is wrong; "
            "check the mirror and vendor_pins.toml",
        )
    return pin.tree


def unpack(archive: Path, dest: Path) -> None:
    """Unpack a ``.tar.gz`` source distribution into ``dest``, dropping its single
    top-level directory, refusing members that would land outside ``dest``."""
    staging = dest.parent / (dest.name + ".unpack")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tops = {member.name.split("/", 1)[0] for member in tar.getmembers()}
            if len(tops) != 1:
                raise SourceError(f"{archive.name}: expected one top-level directory, found {len(tops)}")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(staging, filter="data")
            else:  # pragma: no cover - Pythons without PEP 706
                for member in tar.getmembers():
                    if member.issym() or member.islnk() or member.isdev():
                        raise SourceError(f"{archive.name}: refusing link or device {member.name}")
                    resolved = (staging / member.name).resolve()
                    if not resolved.is_relative_to(staging.resolve()):
                        raise SourceError(f"{archive.name}: refusing {member.name}, which leaves the tree")
                tar.extractall(staging)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise SourceError(f"{archive.name}: cannot unpack: {exc}") from None
    os.replace(staging / tops.pop(), dest)
    shutil.rmtree(staging, ignore_errors=True)
