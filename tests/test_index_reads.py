"""What a question reads of the index: no query whose answer the process already has.
The answers are the same either way (the other tests say so); these count the reads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from codewalk.index import extract as extract_module
from codewalk.index.records import Definition, Import
from codewalk.index.store import Store, fact_rows
from codewalk.resolve.model import ModuleView
from codewalk.resolve.namespace import Namespace
from codewalk.resolve.rebinding import with_rebinds
from codewalk.workspace.code import WorkspaceCode
from codewalk.workspace.facts import BlobSource
from codewalk.workspace.workspace import Workspace
from tests.test_classes_by_base import make_pkg

CODE = b"class A:\n    def m(self): ...\n\n\nclass B(A):\n    x = 1\n"


def _statements(store: Store) -> list[str]:
    """The SQL statements ``store`` runs from now on, as they run."""
    ran: list[str] = []
    store.db.set_trace_callback(ran.append)
    return ran


def test_a_module_asked_for_a_name_it_lacks_answers_the_next_such_question_without_a_query() -> None:
    """A class's MRO asks each of its classes for a member most lack: after one such
    question, a module's qualnames are read once, and a name not among them costs nothing."""
    store = Store.memory()
    blob = store.add_blob("m", fact_rows(extract_module.extract(CODE)))
    source = BlobSource(store, blob)
    ran = _statements(store)
    assert [d.qualname for d in source.defs("A.m")] == ["A.m"]
    assert len(ran) == 1  # a name it has: one query, and nothing more
    assert source.defs("B.m") == []
    assert len(ran) == 3  # the first name it lacks: that query, then its qualnames
    ran.clear()
    assert source.defs("A.x") == [] and source.defs("C") == [] and source.defs("B.m") == []
    assert ran == []
    assert [d.qualname for d in source.defs("B.x")] == ["B.x"]  # a name it has is still read
    assert len(ran) == 1
    assert source.defs("B.x") == store.defs_where(blob, "qualname", "B.x")


class _Asked:
    """A module's facts that remember which qualnames were asked."""

    def __init__(self, defs: Sequence[Definition]) -> None:
        self.defs_ = list(defs)
        self.asked: list[str] = []

    def defs(self, qualname: str) -> list[Definition]:
        self.asked.append(qualname)
        return [d for d in self.defs_ if d.qualname == qualname]

    def imports(self, asname: str) -> list[Import]:
        return []

    def all_imports(self) -> list[Import]:
        return []

    def last_line(self) -> int:
        return 6


def test_a_base_without_init_subclass_is_not_asked_what_that_hook_applies() -> None:
    """What a base's ``__init_subclass__`` applies (``dataclass(cls)``) is recorded under
    the hook: a base without the hook is asked for the hook alone (``callers`` asked each
    of hundreds of models' bases for both)."""
    defs = extract_module.extract(CODE).definitions
    source = _Asked(defs)
    view = ModuleView("m", "m.py", False, source)
    a, b = (next(d for d in defs if d.qualname == name) for name in ("A", "B"))
    ns = Namespace(None)  # type: ignore[arg-type]  # nothing here reads another module
    assert with_rebinds(ns, [(view, b), (view, a)], "m", []) == []
    assert "A.__init_subclass__" in source.asked
    assert "A.__init_subclass__.<applies>" not in source.asked


def test_the_classes_deriving_from_one_are_read_with_their_modules_in_a_few_queries(tmp_path: Path) -> None:
    """A walk down from a class reads the modules of the classes it finds together (a
    walk from ``PreTrainedModel`` finds classes in a thousand files), not each by a
    query of its own."""
    ws = Workspace(make_pkg(tmp_path), Store.memory())
    try:
        code = WorkspaceCode(ws)
        ws.facts.classes_naming_bases(["Other", "B"])  # indexes b.py, as a walk would first
        ran = _statements(ws.store)
        found = code.descendants("pkg", "pkg.base", "Other")
        assert [c.qualname for c in found] == ["pkg.b.B", "pkg.b.C"]
        assert not [s for s in ran if "AND module='pkg.b'" in s]  # pkg.b's view came with its row
    finally:
        ws.close()


class _Module:
    """A module's facts as its code gives them (definitions, imports by the name bound)."""

    def __init__(self, code: bytes) -> None:
        found = extract_module.extract(code)
        self.defs_ = list(found.definitions)
        self.imports_ = list(found.imports)

    def defs(self, qualname: str) -> list[Definition]:
        return [d for d in self.defs_ if d.qualname == qualname]

    def imports(self, asname: str) -> list[Import]:
        return [i for i in self.imports_ if i.asname == asname]

    def all_imports(self) -> list[Import]:
        return list(self.imports_)

    def last_line(self) -> int:
        return 9


class _Modules:
    """The modules of a question, counting how often each is asked for by name."""

    repo = "r"

    def __init__(self, modules: dict[str, bytes]) -> None:
        self.views = {
            name: ModuleView(name, f"{name}.py", False, _Module(code)) for name, code in modules.items()
        }
        self.asked: list[str] = []

    def module(self, name: str) -> ModuleView | None:
        self.asked.append(name)
        return self.views.get(name)

    def stub(self, name: str, path: str = "") -> ModuleView | None:
        return None


_REEXPORTED = {
    "core": b"class Base:\n    pass\n",
    "api": b"from core import Base\n",  # re-exports it
    "a": b"from api import Base\n\n\nclass A(Base):\n    pass\n",
    "b": b"from api import Base\n\n\nclass B(Base):\n    pass\n",
    "x": b"from y import Loop\n",  # a cycle: nothing defines Loop
    "y": b"from x import Loop\n",
}


def test_a_name_imported_by_many_modules_is_followed_through_its_re_export_once() -> None:
    """Every model imports ``PreTrainedModel`` (from a module that may re-export it): the
    import is followed from each, and what it reaches is looked up once, not again from
    each importing module. The answers are those a fresh lookup gives."""
    facts = _Modules(_REEXPORTED)
    ns = Namespace(facts)  # type: ignore[arg-type]  # the facts a lookup through imports reads
    found_in_a = ns.lookup(facts.views["a"], ["Base"], (), 0)
    assert [(h.view.module, h.definition.qualname) for h in found_in_a] == [("core", "Base")]
    facts.asked.clear()
    found_in_b = ns.lookup(facts.views["b"], ["Base"], (), 0)
    assert [h.via for h in found_in_b] == ["imported by b; imported by api"]
    assert facts.asked == ["api"]  # b's own import; api's, to core, was followed once already
    fresh_facts = _Modules(_REEXPORTED)
    fresh = Namespace(fresh_facts).lookup(fresh_facts.views["b"], ["Base"], (), 0)  # type: ignore[arg-type]
    assert [(h.view.module, *h[1:]) for h in fresh] == [(h.view.module, *h[1:]) for h in found_in_b]


def test_a_lookup_a_cycle_cut_short_is_made_again_where_asked() -> None:
    """A lookup that met a cycle found what it found because of where it was asked: asked
    again from elsewhere, it is followed again, and answers as a fresh lookup does."""
    facts = _Modules(_REEXPORTED)
    ns = Namespace(facts)  # type: ignore[arg-type]
    assert ns.lookup(facts.views["x"], ["Loop"], (), 0) == []
    facts.asked.clear()
    assert ns.lookup(facts.views["y"], ["Loop"], (), 0) == []
    assert facts.asked == ["x", "y"]  # y's import, then x's back to y: followed again
