"""The synthetic toy package (tests/fixtures/toyrepo) as a codewalk checkout."""

from __future__ import annotations

import shutil
from pathlib import Path

from codewalk.source.checkout import Checkout, SourceKind

FIXTURE = Path(__file__).parent / "fixtures" / "toyrepo"
BROKEN_TEMPLATE = "class {{cookiecutter.name}}Model:\n    pass\n"


def make_toy(tmp_path: Path, commit: str = "toy-1") -> Checkout:
    """A fresh copy of the toy repo (tests may change it), plus a template that does
    not parse, as transformers ships some."""
    root = tmp_path / "toyrepo"
    if not root.exists():
        shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
        (root / "src" / "toypkg" / "broken_template.py").write_text(BROKEN_TEMPLATE)
    return Checkout(
        repo="toy",
        root=root,
        package_root="src",
        packages=("toypkg",),
        kind=SourceKind.LOCAL,
        commit=commit,
        tag="v0",
        release="toypkg==0",
    )
