"""Which pinned file a path names, as a reader pastes it: a file of the repository asked
about, relative to its root (or absolute inside it), as given; else a file of a pin's
package as a traceback, an installed copy or a path from the package down names it
(:mod:`codewalk.source.installed`), read at the pin, and said so in one line.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, NamedTuple

from codewalk import locations
from codewalk.errors import QueryError
from codewalk.source import installed
from codewalk.source.checkout import Checkout, repo_at_version
from codewalk.source.integrity import read_verified

if TYPE_CHECKING:
    from codewalk.workspace.pinned import PinnedStack
    from codewalk.workspace.workspace import Workspace


class Located(NamedTuple):
    workspace: Workspace  # the workspace of the repository the file is in
    path: str  # relative to that repository's root
    read_as: str  # how the path given was read, in words ("" when as given)


def locate(pinned: PinnedStack, path: str, repo: str | None = None) -> Located:
    """The file ``path`` names: first in ``repo``'s checkout (the default repository's),
    then in the pin whose package it names, then (``repo`` not given) in the other pins
    on this machine (``bindings/python/src/tokenizer.rs``). A path that names none is
    handed on as it is (reading it says what is wrong), unless it names an installed
    package no pin provides, a model's remote code (transformers' copy of it), an
    installed file the pin does not have, or a file several other pins have: QueryError."""
    workspace = pinned.workspace(repo)
    inside = workspace.file_named(path)
    if inside is not None:
        return Located(workspace, inside, "")
    remote = installed.remote_module(path)
    if remote is not None:  # before the pins: its directories may bear a package's name
        raise QueryError(
            f"{path}: a model's remote code (transformers' copy of it, imported as {remote}), "
            "which no pin has",
            hint="codewalk reads the pinned packages' files; a run of your program shows the remote "
            "code where it ran: codewalk trace --name NAME PROGRAM, then codewalk tour --trace NAME",
        )
    found = installed.readings(path, pinned.pins)
    tried: list[tuple[Checkout, str]] = []
    for reading in found:
        own = reading.pin.name == workspace.checkout.repo
        checkout = workspace.checkout if own else pinned.checkout(reading.pin.name)
        relative = PurePosixPath(checkout.package_root, reading.relative).as_posix()
        if locations.is_file(checkout.root / relative):
            there = workspace if own else pinned.workspace_over(checkout)
            return Located(there, relative, read_as(path, relative, reading, checkout))
        tried.append((checkout, relative))
    if tried and _absolute(path):
        checkout, relative = tried[0]
        raise QueryError(
            f"{path}: read as {relative} of {repo_at_version(checkout.repo, checkout.version)}, "
            "which has no such file",
            hint=f"an installed copy of another version may have it: --at {checkout.repo}@VERSION reads "
            "that release",
        )
    package = installed.stranger(path)
    if package is not None and not found:
        provided = ", ".join(sorted({p for pin in pinned.pins.values() for p in pin.packages}))
        raise QueryError(
            f"{path}: no pin provides the package {package!r} (the pins provide {provided})",
            hint="codewalk reads the pinned packages only; vendor_pins.toml names them",
        )
    if repo is None and not found and not _absolute(path):
        elsewhere = _in_other_pins(pinned, path, workspace.checkout.repo)
        if elsewhere is not None:
            return elsewhere
    return Located(workspace, path, "")


def _in_other_pins(pinned: PinnedStack, path: str, default: str) -> Located | None:
    """``path`` as a file of the one other pin on this machine that has it (none is
    fetched for it); QueryError when several have it."""
    having = [
        checkout
        for name in pinned.synced()
        if name != default and name in pinned.pins
        for checkout in [pinned.checkout(name)]
        if _file_inside(checkout.root, path)
    ]
    if len(having) > 1:
        names = ", ".join(c.repo for c in having)
        raise QueryError(
            f"{path}: no such file in the {default} checkout; {names} have one",
            hint="name the repository: " + " or ".join(f"--repo {c.repo}" for c in having),
        )
    if not having:
        return None
    checkout = having[0]
    at = repo_at_version(checkout.repo, checkout.version)
    said = f"read {path} in {at} (the {default} checkout has no such file)"
    return Located(pinned.workspace_over(checkout), path, said)


def _file_inside(root: Path, path: str) -> bool:
    """Whether ``path`` is a file of the checkout at ``root``: a path ``..`` leads out of
    it is no file of any pin (reading it is refused, as ``source_text`` refuses it)."""
    try:
        root = root.resolve()
        full = (root / path).resolve()
    except (OSError, ValueError):  # a loop of links, a NUL
        return False
    return root in full.parents and locations.is_file(full)


def read_as(path: str, relative: str, reading: installed.Reading, checkout: Checkout) -> str:
    """One line: which pin file ``path`` was read as and, for an installed copy on this
    machine, whether it is that file byte for byte (and, when not, its version, when the
    metadata beside it says)."""
    at = repo_at_version(checkout.repo, checkout.version)
    said = f"read {path} in {at}" if path == relative else f"read {path} as {relative} of {at}"
    if not _absolute(path):
        return said
    if _same_file(Path(path), checkout, relative):
        return f"{said} (the installed file is the same, byte for byte)"
    if not locations.is_file(Path(path)):
        # not "the pin's": --at, --source and a trace read other versions than the pin
        return f"{said}; that file is not on this machine to compare: lines may not match"
    version = installed.version_beside(reading.holder, reading.pin.release_name)
    if version and version != reading.pin.release_version:
        return (
            f"{said}; the installed file, of {reading.pin.release_name} {version}, differs: "
            f"--at {checkout.repo}@{version} reads that release"
        )
    return f"{said}; the installed file differs from it (edited?): lines may not match"


def _same_file(installed_file: Path, checkout: Checkout, relative: str) -> bool:
    """Whether the file at ``installed_file`` holds the pin's bytes of ``relative`` (a
    file of another size is not read)."""
    try:
        if not installed_file.is_file():
            return False
        pinned = read_verified(checkout, relative)
        if installed_file.stat().st_size != len(pinned):
            return False
        return installed_file.read_bytes() == pinned
    except OSError:
        return False


def _absolute(path: str) -> bool:
    return PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute()
