"""The synthetic package for call facts (tests/fixtures/callrepo) as a codewalk checkout."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codewalk.index.store import Store
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.workspace.workspace import Workspace

if TYPE_CHECKING:
    from codewalk.calls.model import Callee

FIXTURE = Path(__file__).parent / "fixtures" / "callrepo"


def make_accel(root: Path) -> Checkout:
    """The ``accelerate`` stand-in beside ``callpkg`` in the same tree, as a pin of its own."""
    return Checkout(
        repo="accel",
        root=root,
        package_root="src",
        packages=("accelerate",),
        kind=SourceKind.LOCAL,
        commit="accel-1",
        tag="v1",
        release="accelerate==1",
    )


def make_callrepo(tmp_path: Path, commit: str = "calls-1") -> Checkout:
    """A fresh copy of the call fixture package (tests may change it)."""
    root = tmp_path / "callrepo"
    if not root.exists():
        shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return Checkout(
        repo="calls",
        root=root,
        package_root="src",
        packages=("callpkg",),
        kind=SourceKind.LOCAL,
        commit=commit,
        tag="v0",
        release="callpkg==0",
    )


def callrepo_workspace(tmp_path: Path, mode: str) -> Iterator[Workspace]:
    """A workspace on a fresh call package: indexed on demand (``lazy``) or all at once
    (``full``), closed after (the body of a fixture parametrized over both)."""
    workspace = Workspace(make_callrepo(tmp_path), Store.memory())
    if mode == "full":
        workspace.index_all(workers=1)
    yield workspace
    workspace.close()


def callees(ws: Workspace, query: str) -> dict[tuple[int, str], Callee]:
    """The calls of ``query`` by (line, the called expression)."""
    return {(lv.callee.site.line, lv.callee.site.name.expr): lv.callee for lv in ws.calls(query).levels}


CALLS_PIN = (
    '[calls]\nurl = "https://example.org/calls.git"\ntag = "v0"\npackage_root = "src"\n'
    'packages = ["callpkg"]\nrelease = "callpkg==0"\n'
)
ACCEL_PIN = (
    '[accel]\nurl = "https://example.org/accel.git"\ntag = "v1"\npackage_root = "src"\n'
    'packages = ["accelerate"]\nrelease = "accelerate==1"\n'
)


def pin_callrepo(tmp_path: Path, monkeypatch: Any, *, accel: bool = False) -> Checkout:
    """The call package (and, with ``accel``, its ``accelerate`` stand-in as a second pin
    read from the same tree) as the pins every command reads."""
    checkout = make_callrepo(tmp_path)
    pins = tmp_path / "pins.toml"
    pins.write_text(CALLS_PIN + ("\n" + ACCEL_PIN if accel else ""))
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    monkeypatch.setenv("CODEWALK_SOURCE_PATH", str(checkout.root))
    return checkout
