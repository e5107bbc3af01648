"""The classes naming a base (what a descent to subclasses reads), while a snapshot is
indexed on demand: whatever indexed a file since the last question (this workspace,
or another process on the same index), its classes are found."""

from __future__ import annotations

from pathlib import Path

from codewalk.index.store import Store
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.workspace.workspace import Workspace

FILES = {
    "base.py": "class Base:\n    pass\n\n\nclass Other:\n    pass\n",
    "a.py": "from pkg.base import Base\n\n\nclass A(Base):\n    pass\n",
    "b.py": "from pkg import base\n\n\nclass B(base.Other):\n    pass\n\n\nclass C(B):\n    pass\n",
}


def make_pkg(tmp_path: Path) -> Checkout:
    package = tmp_path / "repo" / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for name, text in FILES.items():
        (package / name).write_text(text)
    return Checkout(
        repo="pkg",
        root=tmp_path / "repo",
        package_root="src",
        packages=("pkg",),
        kind=SourceKind.LOCAL,
        commit="pkg-1",
        tag="v1",
        release="pkg==1",
    )


def naming(ws: Workspace, *names: str) -> list[str]:
    return [f"{row.module}.{d.qualname}:{d.line}" for row, d in ws.facts.classes_naming_bases(names)]


def test_classes_naming_any_of_the_bases_in_path_and_line_order(tmp_path: Path) -> None:
    ws = Workspace(make_pkg(tmp_path), Store.memory())
    assert naming(ws, "Other", "Base", "B") == ["pkg.a.A:4", "pkg.b.B:4", "pkg.b.C:8"]
    assert naming(ws, "Base") == ["pkg.a.A:4"]
    assert naming(ws, "Missing") == []
    ws.close()


def test_a_file_indexed_since_the_last_question_is_read(tmp_path: Path) -> None:
    ws = Workspace(make_pkg(tmp_path), Store.memory())
    assert ws.facts.complete is False
    assert naming(ws, "Base") == ["pkg.a.A:4"]  # indexes a.py alone
    assert ws.facts.module("pkg.b") is not None  # indexes b.py, outside any scan for a base
    assert naming(ws, "B") == ["pkg.b.C:8"]
    ws.close()


def test_a_file_another_process_indexed_is_read(tmp_path: Path) -> None:
    checkout = make_pkg(tmp_path)
    index = tmp_path / "index.sqlite3"
    first, second = Workspace(checkout, Store.open(index)), Workspace(checkout, Store.open(index))
    assert naming(first, "Base") == ["pkg.a.A:4"]
    second.facts.scan_bases(["Other"])  # the other process indexes b.py and records the scan
    assert naming(first, "Other") == ["pkg.b.B:4"]
    first.close()
    second.close()


def test_a_class_is_found_once_and_only_where_it_names_the_base(tmp_path: Path) -> None:
    """A class naming two of the bases asked is listed once; of two classes of one name (one
    under ``if``, one in its ``else``), only the one whose bases name it; a base written
    dotted is found by its last part, and a base's module name alone finds nothing."""
    checkout = make_pkg(tmp_path)
    (checkout.root / "src/pkg/c.py").write_text(
        "import collections\nfrom typing import List\n\nimport flag\n\n\n"
        "class Both(List, collections.UserList):\n    pass\n\n\n"
        "if flag:\n    class Twice(list):\n        pass\nelse:\n    class Twice:\n        pass\n"
    )
    ws = Workspace(checkout, Store.memory())
    assert naming(ws, "list", "List", "UserList") == ["pkg.c.Both:7", "pkg.c.Twice:12"]
    assert naming(ws, "collections") == []
    ws.close()


def test_one_content_at_two_paths_gives_the_class_of_each(tmp_path: Path) -> None:
    """Two files of one content (a module copied beside another) are one blob: a class
    deriving from the base is found in each file, as a search of the files would."""
    checkout = make_pkg(tmp_path)
    (checkout.root / "src/pkg/copy_of_a.py").write_text(FILES["a.py"])
    ws = Workspace(checkout, Store.memory())
    assert naming(ws, "Base") == ["pkg.a.A:4", "pkg.copy_of_a.A:4"]
    ws.close()
