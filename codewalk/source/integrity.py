"""A cached tree tells the truth: every file is what its git index records, or it is
repaired before anything is read from it, and nobody writes to it by accident.

- :func:`recorded_blobs`: path -> git blob id of every regular file the tree's git index
  records (read from ``.git/index`` without git: it is on the path of every ``show``).
  The index is what the entry was verified against when it was built.
- :func:`read_verified`: a cached file's bytes, checked against its recorded blob; a file
  that differs (edited, truncated) is restored from git first, with one line on stderr,
  or, when the cache cannot be written (another user's), refused in one line.
- :func:`protect`: the tree's files made read-only, so that an editor opened on them
  (the UI's ``o``) says so before a change is made.

The user's own checkout (``--source``) is theirs: nothing is recorded for it, nothing is
checked or protected.
"""

from __future__ import annotations

import os
import stat
import struct
import sys
from pathlib import Path

from codewalk.errors import CacheError
from codewalk.source.checkout import Checkout, SourceKind, fetched_again_by
from codewalk.visible import visible

_REGULAR = (0o100644, 0o100755)
_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
_recorded: dict[str, dict[str, str] | None] = {}  # git index file (by stat) -> what it records
_index_of: dict[str, str] = {}  # tree -> the identity of its git index file, as first seen


def blob_sha(data: bytes) -> str:
    """The git blob id of a file's content: sha1 of ``b"blob <len>\\0" + data``."""
    import hashlib  # here: a warm find hashes nothing

    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


def as_text(data: bytes) -> str:
    """A source file's bytes as text mode reads them: universal newlines, undecodable
    bytes replaced."""
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


def recorded_blobs(checkout: Checkout) -> dict[str, str] | None:
    """Path -> blob id of the regular files the cached tree records; None for the user's
    own checkout, or a tree without a readable git index (then nothing is checked)."""
    if checkout.kind is SourceKind.LOCAL:
        return None
    root = str(checkout.root)
    key = _index_of.get(root)
    if key is None:  # once per process and tree: every file read asks
        index = os.path.join(root, ".git", "index")
        try:  # by the index file's identity: one tree may be reached by two paths
            st = os.stat(index)
        except OSError:
            return None
        key = _index_of[root] = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
    if key not in _recorded:
        index = os.path.join(root, ".git", "index")
        try:
            with open(index, "rb") as handle:
                _recorded[key] = parse_git_index(handle.read())
        except (OSError, ValueError, struct.error):
            _recorded[key] = None
    return _recorded[key]


def parse_git_index(data: bytes) -> dict[str, str]:
    """Path -> blob id of the regular files in a git index file (versions 2 to 4)."""
    if data[:4] != b"DIRC":
        raise ValueError("not a git index")
    version, count = struct.unpack_from(">II", data, 4)
    if version not in (2, 3, 4):
        raise ValueError(f"git index version {version}")
    found: dict[str, str] = {}
    offset, previous = 12, b""
    for _ in range(count):
        mode = struct.unpack_from(">I", data, offset + 24)[0]
        sha = data[offset + 40 : offset + 60].hex()
        flags = struct.unpack_from(">H", data, offset + 60)[0]
        cursor = offset + 62 + (2 if version >= 3 and flags & 0x4000 else 0)
        if version == 4:
            strip, cursor = _varint(data, cursor)
            end = data.index(b"\0", cursor)
            path = previous[: len(previous) - strip] + data[cursor:end]
            offset = end + 1
        else:
            end = data.index(b"\0", cursor)
            path = data[cursor:end]
            offset += (end - offset + 8) // 8 * 8  # the entry is NUL-padded to 8 bytes
        previous = path
        if mode in _REGULAR:
            found[path.decode("utf-8", errors="surrogateescape")] = sha
    return found


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """Git's offset varint (index version 4): value and the position after it."""
    byte = data[at]
    value = byte & 0x7F
    while byte & 0x80:
        at += 1
        byte = data[at]
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, at + 1


def read_verified(checkout: Checkout, path: str) -> bytes:
    """The bytes of ``path`` (repo-relative) as the pin has them: checked against the
    recorded blob, and restored from git first when they differ. Raises OSError as
    reading does, CacheError when a damaged file cannot be restored."""
    return read_with_sha(checkout, path)[0]


def read_with_sha(checkout: Checkout, path: str) -> tuple[bytes, str]:
    """:func:`read_verified`, with the blob id of the bytes (computed once)."""
    full = os.path.join(checkout.root, path)
    with open(full, "rb") as handle:
        data = handle.read()
    sha = blob_sha(data)
    recorded = recorded_blobs(checkout)
    expected = recorded.get(path) if recorded is not None else None
    if expected is None or sha == expected:
        return data, sha
    _restore(checkout, path)
    with open(full, "rb") as handle:
        data = handle.read()
    if blob_sha(data) != expected:
        raise CacheError(
            f"{path}: the cached file still differs from what was fetched ({checkout.version}) "
            "after a restore"
        )
    return data, expected


def _restore(checkout: Checkout, path: str) -> None:
    # the pin or another release read with --at: each named as it was fetched
    how = fetched_again_by(checkout) or f"codewalk sync {checkout.repo}"
    differs = f"the cached {checkout.repo} file differs from what was fetched ({checkout.version})"
    if not os.access((checkout.root / path).parent, os.W_OK):
        raise CacheError(
            f"{path}: {differs}, and this cache is read-only: ask its owner to run `{how}`, "
            "or set CODEWALK_HOME to a cache of your own"
        )
    from codewalk.source import gitsource

    problem = gitsource.restore_file(checkout.root, path)
    if problem is not None:
        raise CacheError(
            f"{path}: {differs} and cannot be restored ({problem})",
            hint=f"run `{how}` to fetch the entry again",
        )
    _index_of.pop(str(checkout.root), None)  # git rewrote its index: see it anew
    protect_file(checkout.root / path)
    print(
        visible(
            f"codewalk: {path} in the {checkout.repo} cache differed from what was fetched "
            f"({checkout.version}); restored it"
        ),
        file=sys.stderr,
    )


def protect_file(path: Path) -> None:
    """Take the write bits off one regular file (never following a symlink)."""
    info = path.lstat()
    if stat.S_ISREG(info.st_mode) and info.st_mode & _WRITE_BITS:
        os.chmod(path, stat.S_IMODE(info.st_mode) & ~_WRITE_BITS)


def protect_entry(entry: Path) -> None:
    """Protect a cache entry's tree once: its manifest, made read-only last, says it
    was done. A cache the process may not change (another user's) is left as it is."""
    manifest = entry / "manifest.json"
    try:
        if not manifest.stat().st_mode & _WRITE_BITS:
            return
        protect(entry / "tree")
        protect_file(manifest)
    except PermissionError:
        return  # not ours to change: its owner's codewalk protects it


def protect(tree: Path) -> None:
    """Make the work tree's files read-only (``.git`` aside: git keeps its own). The
    directories stay writable to the owner, so that a damaged entry can be removed."""
    for directory, subdirs, names in os.walk(tree):
        if Path(directory) == tree:
            subdirs[:] = [d for d in subdirs if d != ".git"]
        for name in names:
            protect_file(Path(directory, name))
