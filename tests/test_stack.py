"""Resolution across pinned repositories (tests/fixtures/stack): ``app`` calls into
``lib``, whose Python face is partly a compiled extension with a ``.pyi`` stub and
PyO3 sources. Each repository is opened only when a question reaches into it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.errors import QueryError, SourceError
from codewalk.index.store import Store
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.tours.draft import draft_tour
from codewalk.workspace.stack import Stack
from codewalk.workspace.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "stack"


def checkout(root: Path, repo: str, package_root: str) -> Checkout:
    return Checkout(
        repo=repo,
        root=root,
        package_root=package_root,
        packages=(repo,),
        kind=SourceKind.RELEASE,
        commit=f"{repo}-commit",
        tag="v1",
        release=f"{repo}==1.0",
    )


class Opener:
    """Opens ``lib`` from the fixtures, counting how often (a fetch, in real life)."""

    def __init__(self, root: Path, *, reachable: bool = True) -> None:
        self.root = root
        self.reachable = reachable
        self.opened: list[str] = []

    def __call__(self, repo: str) -> Checkout:
        self.opened.append(repo)
        if not self.reachable:
            raise SourceError(f"{repo}: the package index could not be reached")
        return checkout(self.root / repo, repo, "py_src")


@pytest.fixture
def roots(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES, tmp_path / "stack")
    return tmp_path / "stack"


def open_app(roots: Path, opener: Opener) -> Workspace:
    stack = Stack(Store.memory(), owners={"app": "app", "lib": "lib"}, opener=opener)
    return Workspace(checkout(roots / "app", "app", "src"), stack.store, stack=stack)


@pytest.fixture
def app(roots: Path) -> Iterator[tuple[Workspace, Opener]]:
    opener = Opener(roots)
    workspace = open_app(roots, opener)
    yield workspace, opener
    workspace.close()


def test_a_question_about_one_repo_opens_no_other(app: tuple[Workspace, Opener]) -> None:
    ws, opener = app
    hit = ws.find("Trainer.step").results[0]
    assert (hit.repo, hit.version, hit.path) == ("app", "app==1.0", "src/app/trainer.py")
    assert opener.opened == []


def test_an_import_of_another_pins_package_resolves_there(app: tuple[Workspace, Opener]) -> None:
    ws, opener = app
    hit = ws.find("app.trainer.load").results[0]
    assert (hit.repo, hit.qualname, hit.path, hit.line) == ("lib", "lib.io.load", "py_src/lib/io.py", 1)
    assert hit.version == "lib==1.0"
    assert opener.opened == ["lib"]


def test_goto_follows_an_attribute_set_outside_init_into_the_other_repo(
    app: tuple[Workspace, Opener],
) -> None:
    ws, _ = app
    text = ws.source_text("src/app/trainer.py").split("\n")
    line = next(n for n, t in enumerate(text, 1) if "self.engine.backward(loss)" in t)
    target = ws.goto("src/app/trainer.py", line, text[line - 1].index("backward"))
    assert target is not None
    assert (target.repo, target.qualname, target.path) == (
        "lib",
        "lib.Engine.backward",
        "py_src/lib/__init__.pyi",
    )
    assert target.via.startswith("engine is an Engine (set at src/app/trainer.py:10)")
    assert "a type stub: the code that runs is compiled" in target.via


def test_a_name_from_compiled_code_lands_on_its_stub_and_its_rust_source(
    app: tuple[Workspace, Opener],
) -> None:
    ws, _ = app
    found = ws.find("lib.Engine")
    best = found.matches[0]
    assert (best.repo, best.path, best.line) == ("lib", "py_src/lib/__init__.pyi", 1)
    assert "imported from lib._native, compiled code with no Python source" in best.via
    native = [r for r in found.results if r.kind == "native"]
    assert [(r.path, r.line, r.signature) for r in native] == [
        ("bindings/src/lib.rs", 8, "pub struct PyEngine {")
    ]
    assert native[0].via == 'implemented in Rust: #[pyclass(name = "Engine")] struct PyEngine'
    function = [r for r in ws.find("lib.fetch").results if r.kind == "native"]
    assert [(r.path, r.line) for r in function] == [("bindings/src/lib.rs", 20)]


def test_a_short_name_another_pin_defines_is_followed_through_the_import(
    app: tuple[Workspace, Opener],
) -> None:
    ws, opener = app
    hit = ws.find("load").results[0]  # only lib defines it; app imports it from lib.io
    assert (hit.repo, hit.qualname) == ("lib", "lib.io.load")
    assert hit.via.startswith("load is imported from lib.io")
    assert opener.opened == ["lib"]


def test_a_member_a_class_of_another_pin_lacks_is_said_of_that_class(app: tuple[Workspace, Opener]) -> None:
    """``Engine.forward``: app imports Engine from lib, which defines no forward; the
    answer names lib's class (and so lib), not only names spelled alike in app."""
    ws, opener = app
    found = ws.find("Engine.forward")
    assert not found.matches and found.owner is not None
    assert (found.owner.repo, found.owner.qualname) == ("lib", "lib.Engine")
    assert found.note.startswith("lib.Engine (py_src/lib/__init__.pyi:1) exists, but neither it nor")
    assert opener.opened == ["lib"]


def test_a_draft_of_a_chain_in_another_pin_focuses_on_its_files(app: tuple[Workspace, Opener]) -> None:
    """Asked from app, a chain inside lib: each step is read in lib's own files (its focus
    found there), and the tour is lib's."""
    ws, _ = app
    (chain,) = ws.path("lib.io.restore", "lib.io.load").search.chains
    text = draft_tour(chain, "lib.io.restore", "lib.io.load", ws.source_text, "app")
    assert "\nrepo: lib\n" in text and 'focus: "return load(name)"' in text


def test_scope_says_where_a_short_name_is_searched(app: tuple[Workspace, Opener]) -> None:
    ws, _ = app
    assert [r.repo for r in ws.find("Engine", scope=("app", "lib")).matches] == ["lib"]
    only_app = ws.find("train", scope=("app",))
    assert [r.qualname for r in only_app.matches] == ["app.trainer.train"]


def test_an_unreachable_repo_leaves_the_rest_answering(roots: Path) -> None:
    opener = Opener(roots, reachable=False)
    ws = open_app(roots, opener)
    assert ws.find("app.trainer.load").results == ()
    assert ws.find("Trainer.setup").results[0].repo == "app"
    assert ws.stack.unavailable == {"lib": "lib: the package index could not be reached"}
    assert opener.opened == ["lib"]  # tried once, not at every question
    ws.find("app.trainer.fetch")
    assert opener.opened == ["lib"]


def test_a_module_spans_its_whole_file(app: tuple[Workspace, Opener]) -> None:
    ws, _ = app
    module = ws.find("app.ops").results[0]
    lines = ws.source_text("src/app/ops.py").count("\n")
    assert (module.kind, module.start_line, module.end_line) == ("module", 1, lines)


def test_a_fallback_stand_in_does_not_hide_the_definition_in_the_other_pin(
    app: tuple[Workspace, Opener],
) -> None:
    """``save = None`` where ``from lib.io import save`` failed is not what ``save`` is:
    the import is followed into ``lib`` (opened for it), the stand-in listed after."""
    ws, opener = app
    found = ws.find("save")
    best, stand_in = found.matches[0], found.matches[1]
    assert (best.repo, best.qualname, best.path) == ("lib", "lib.io.save", "py_src/lib/io.py")
    assert best.via.startswith("save is imported from lib.io")
    assert (stand_in.repo, stand_in.qualname) == ("app", "app.hub.save")
    assert stand_in.via.endswith("(a fallback: what the name is when its import fails)")
    assert opener.opened == ["lib"] and found.note == ""


def test_a_fallback_stand_in_does_not_make_the_name_ambiguous(app: tuple[Workspace, Opener]) -> None:
    """``show save`` (as ``show hf_hub_download``, which transformers sets to ``None`` where
    its import fails): the definition answers; the stand-in is no rival of it."""
    from codewalk.workspace.calling import unambiguous

    ws, _ = app
    found = ws.find("save")
    assert [r.qualname for r in found.matches] == ["lib.io.save", "app.hub.save"]
    unambiguous(found)  # raises Ambiguous when the stand-in competes


def test_the_palette_lists_the_definition_in_the_other_pin_before_a_fallback_stand_in(
    app: tuple[Workspace, Opener], roots: Path
) -> None:
    """ctrl+p ``save`` over ``app`` (as ``hf_hub_download`` in a new tour, which searches
    transformers first): each repository's names, ``app`` searched first, list ``lib``'s
    definitions before ``app``'s stand-in, which says it is one, as ``find`` does."""
    from codewalk.ui.session import best_first, search_symbols

    ws, _ = app
    lib = Workspace(checkout(roots / "lib", "lib", "py_src"), ws.store, stack=ws.stack)
    try:
        for workspace in (ws, lib):  # the names of the whole index, as a keystroke reads them
            workspace.index_all(workers=1)
            assert workspace.fully_indexed
        listed = best_first([search_symbols(ws, "save", 10), search_symbols(lib, "save", 10)], "save")
    finally:
        lib.close()
    assert [(t.repo, t.qualname, t.via) for t in listed if t.qualname.endswith(".save")] == [
        ("lib", "lib.io.save", "direct"),
        ("lib", "lib.models.Model.save", "direct"),  # a definition too
        ("app", "app.hub.save", "a fallback: what the name is when its import fails"),
    ]


def test_a_fallback_stand_in_alone_says_the_other_pin_could_not_be_read(roots: Path) -> None:
    opener = Opener(roots, reachable=False)
    ws = open_app(roots, opener)
    found = ws.find("save")
    assert [(r.repo, r.qualname) for r in found.matches] == [("app", "app.hub.save")]
    assert found.note == (
        "save is defined here only as a fallback, for when importing it from lib.io fails; "
        "its definition in lib.io could not be read"
    )
    assert ws.stack.unavailable == {"lib": "lib: the package index could not be reached"}


def test_a_compiled_submodule_reached_through_its_alias_lands_on_the_stub_class(
    app: tuple[Workspace, Opener],
) -> None:
    """``lib.models.BPE`` is ``BPE = models.BPE`` in ``models/__init__.py``, where
    ``models`` is the compiled module: the full name gives the stub's class first (in
    the package's ``models/__init__.pyi``, which type checkers read before the
    ``models.pyi`` beside it), the alias and the Rust struct as related results (as the
    short name does)."""
    ws, _ = app
    found = ws.find("lib.models.BPE")
    best = found.results[0]
    assert (best.kind, best.path, best.line) == ("class", "py_src/lib/models/__init__.pyi", 7)
    assert [(r.kind, r.path) for r in found.results[1:]] == [
        ("alias", "py_src/lib/models/__init__.py"),
        ("native", "bindings/src/lib.rs"),
    ]


@pytest.fixture
def lib(roots: Path) -> Iterator[Workspace]:
    stack = Stack(Store.memory(), owners={"lib": "lib"})
    workspace = Workspace(checkout(roots / "lib", "lib", "py_src"), stack.store, stack=stack)
    yield workspace
    workspace.close()


def test_each_of_a_modules_two_stubs_is_named_by_its_own_path(lib: Workspace) -> None:
    """``models.pyi`` and ``models/__init__.pyi`` both stub ``lib.models``: each class
    is shown in the file (and at the line) that holds it."""
    classes = [r for r in lib.find("BPE").results if r.kind == "class"]
    assert sorted((r.path, r.line) for r in classes) == [
        ("py_src/lib/models.pyi", 4),
        ("py_src/lib/models/__init__.pyi", 7),
    ]
    text = lib.source_text("py_src/lib/models/__init__.pyi").splitlines()
    assert text[6] == "class BPE(Model):"


def test_a_modules_stub_beside_its_packages_is_said_shadowed_and_listed_after(lib: Workspace) -> None:
    """``find BPE``: the class in ``models/__init__.pyi`` (the stub type checkers read, as
    Python imports the package) first; the one in ``models.pyi`` after, said shadowed."""
    classes = [r for r in lib.find("BPE").results if r.kind == "class"]
    assert [r.path for r in classes] == ["py_src/lib/models/__init__.pyi", "py_src/lib/models.pyi"]
    assert "shadowed" not in classes[0].via
    assert "; shadowed by the package's stub py_src/lib/models/__init__.pyi, which type checkers read" in (
        classes[1].via
    )


def test_goto_on_a_stubs_class_line_lands_on_that_class(lib: Workspace) -> None:
    """Not on the alias of the module's Python source, nor on its other stub."""
    answer = lib.goto_all("py_src/lib/models/__init__.pyi", 7, len("class "))
    assert [(r.kind, r.qualname, r.path, r.line) for r in answer.results] == [
        ("class", "lib.models.BPE", "py_src/lib/models/__init__.pyi", 7)
    ]


def test_a_stubs_rust_source_is_found_by_the_name_find_gives_it(lib: Workspace) -> None:
    """``find`` names a stub's Rust source ``NAME (compiled)``: that name is a query, whose
    answer spans the Rust item (its braces)."""
    rust = next(r for r in lib.find("lib.Engine.backward").results if r.kind == "native")
    assert rust.qualname == "lib.Engine.backward (compiled)"
    found = lib.find(rust.qualname)
    assert [(r.kind, r.role, r.path, r.start_line, r.end_line) for r in found.results] == [
        ("native", "match", "bindings/src/lib.rs", 14, 16)
    ]
    assert [(r.line, r.end_line) for r in lib.find("lib.models.BPE (compiled)").results] == [(25, 25)]


def test_show_of_a_stub_names_its_own_rust_source_only(lib: Workspace) -> None:
    """``show`` of a stub's declaration says where the code that runs is: the Rust ``find``
    relates to that name, not another's, and nothing for Python source."""
    from codewalk.cli.commands.show import compiled

    found = lib.find("lib.Engine.backward").results
    assert [(r.qualname, r.path, r.line) for r in compiled(found[0], found)] == [
        ("lib.Engine.backward (compiled)", "bindings/src/lib.rs", 14)
    ]
    assert compiled(found[0], [r._replace(qualname="lib.Engine.forward (compiled)") for r in found]) == []
    python = lib.find("lib.io.load").results
    assert compiled(python[0], python) == []


def test_a_name_with_no_rust_source_says_so_when_asked_compiled(lib: Workspace) -> None:
    found = lib.find("lib.io.load (compiled)")
    assert found.results == ()
    assert found.note.startswith("lib.io.load (py_src/lib/io.py:1) is not a stub of compiled code")


def test_a_python_name_asked_compiled_is_said_in_one_message(lib: Workspace) -> None:
    """Not "no definition found ... nor in the other pins" with the definition it found
    in the hint: that it is found, and is not compiled code."""
    from codewalk.cli.common import not_found

    error = not_found(lib.find("lib.io.load (compiled)"), lib.checkout, others=("app",))
    assert (error.message, error.hint) == (
        "'lib.io.load (compiled)': lib.io.load (py_src/lib/io.py:1) is not a stub of compiled code "
        "whose Rust source codewalk can read",
        None,
    )


def test_a_rust_line_says_what_it_implements(lib: Workspace) -> None:
    """``goto`` on a line ``find`` printed for the Rust: the Rust item, then the stub
    declaration it implements; a line inside the item starts none."""
    answer = lib.compiled_at("bindings/src/lib.rs", 14)
    assert [(r.kind, r.qualname, r.path, r.line) for r in answer.results] == [
        ("native", "lib.Engine.backward (compiled)", "bindings/src/lib.rs", 14),
        ("method", "lib.Engine.backward", "py_src/lib/__init__.pyi", 5),
    ]
    assert answer.results[0].via.endswith("declared in py_src/lib/__init__.pyi:5")
    assert lib.compiled_at("bindings/src/lib.rs", 15).results == ()


def test_a_stub_method_is_the_fn_of_its_own_classs_pymethods(lib: Workspace) -> None:
    """``Engine`` and ``Decoder`` both define ``backward``: each stub method's Rust is the
    fn in the ``#[pymethods] impl`` of the struct exposed as its class, and a Rust line
    implements the one stub method of its struct's class."""
    for stub, line in (("lib.Engine.backward", 14), ("lib.Decoder.backward", 32)):
        native = [r for r in lib.find(stub).results if r.kind == "native"]
        assert [(r.path, r.line) for r in native] == [("bindings/src/lib.rs", line)]
    answer = lib.compiled_at("bindings/src/lib.rs", 32)
    assert [(r.kind, r.qualname, r.line) for r in answer.results] == [
        ("native", "lib.Decoder.backward (compiled)", 32),
        ("method", "lib.Decoder.backward", 12),
    ]


def test_calls_of_a_stubs_declaration_names_its_rust_source(app: tuple[Workspace, Opener]) -> None:
    ws, _ = app
    with pytest.raises(QueryError) as raised:
        ws.calls("lib.Engine.backward")
    assert raised.value.message == (
        "lib.Engine.backward is declared in a type stub (py_src/lib/__init__.pyi:5): the code that "
        "runs is compiled, and codewalk reads no calls in it; its Rust source is bindings/src/lib.rs:14"
    )
    assert raised.value.hint is not None
    assert raised.value.hint.startswith("`codewalk show 'lib.Engine.backward (compiled)'` shows it")


def test_a_name_another_pin_star_imports_is_found_from_a_body_of_either(roots: Path) -> None:
    """``lib``'s ``__init__`` star-imports ``lib.extras``: ``lib.Reader.open(...)`` is
    ``lib.extras.Reader.open``, in a body of ``app`` (whose questions search names in
    ``app`` only) and in one of ``lib`` itself, as datasets' ``Json._split_generators``
    calls ``datasets.Features.from_arrow_schema`` while the question is transformers'."""
    lib = roots / "lib" / "py_src" / "lib"
    (lib / "extras.py").write_text(
        "class Reader:\n    @classmethod\n    def open(cls, name):\n        return name\n"
    )
    (lib / "__init__.py").write_text((lib / "__init__.py").read_text() + "from .extras import *\n")
    (lib / "use.py").write_text("import lib\n\n\ndef reopen(name):\n    return lib.Reader.open(name)\n")
    app_src = roots / "app" / "src" / "app"
    (app_src / "reading.py").write_text("import lib\n\n\ndef read(name):\n    return lib.Reader.open(name)\n")
    ws = open_app(roots, Opener(roots))
    try:
        for query in ("app.reading.read", "lib.use.reopen"):
            (level,) = ws.calls(query).levels
            assert [t.qualname for t in level.callee.targets] == ["lib.extras.Reader.open"], query
    finally:
        ws.close()


def _write_go(roots: Path, body: str) -> Workspace:
    """``app.loading.go``, with ``body``, and ``lib.Loader`` declared in the stub beside
    lib's ``__init__.py`` (which only imports it from the compiled module), as
    tokenizers declares ``Tokenizer``: ``def from_str(json: str) -> Tokenizer``."""
    stub = roots / "lib" / "py_src" / "lib" / "__init__.pyi"
    stub.write_text(
        stub.read_text() + "\nclass Loader:\n    @staticmethod\n    def from_str(s: str) -> Loader: ...\n"
        "    def run(self) -> None: ...\n"
    )
    init = roots / "lib" / "py_src" / "lib" / "__init__.py"
    init.write_text(init.read_text().replace("Decoder, Engine,", "Decoder, Engine, Loader,"))
    app_src = roots / "app" / "src" / "app"
    (app_src / "loading.py").write_text(f"from lib import Engine, Loader\n\n\ndef go(args):\n{body}")
    return open_app(roots, Opener(roots))


def _reached(ws: Workspace) -> dict[str, list[str]]:
    levels = ws.calls("app.loading.go").levels
    return {lv.callee.site.name.expr: [t.qualname for t in lv.callee.targets] for lv in levels}


def test_a_method_of_a_stub_class_a_local_holds_is_the_stubs(roots: Path) -> None:
    """``engine = Engine(args)``, then ``engine.backward(...)``: the method is the one
    the stub declares, not one of the ``__init__.py`` that imports the class."""
    ws = _write_go(roots, "    engine = Engine(args)\n    engine.backward(1)\n")
    try:
        assert _reached(ws)["engine.backward"] == ["lib.Engine.backward"]
    finally:
        ws.close()


def test_what_a_one_line_stub_def_returns_is_read(roots: Path) -> None:
    """``loader = Loader.from_str(...)`` (``def from_str(s: str) -> Loader: ...``, its
    body on its line), then ``loader.run()``: transformers' ``train_new_from_iterator``
    calling ``tokenizer.train_from_iterator``."""
    ws = _write_go(roots, "    loader = Loader.from_str('x')\n    loader.run()\n")
    try:
        assert _reached(ws)["loader.run"] == ["lib.Loader.run"]
    finally:
        ws.close()


def test_a_step_in_a_stub_scopes_the_tours_next_short_names(lib: Workspace, tmp_path: Path) -> None:
    """``save`` is ``lib.io.save`` and ``Model.save`` in ``models/__init__.pyi``: after a step
    in that stub the tour means the stub's, as after a step in a ``.py`` file; a ``file:``
    step on a stub is named by the module it declares."""
    from codewalk.tours.loader import parse_tour
    from tests.tourwalk import resolve_tour

    text = (
        "id: stubbed\ntitle: Stubbed\nrepo: lib\nsteps:\n"
        "  - at: save\n  - at: lib.models.BPE\n  - at: save\n  - file: py_src/lib/models.pyi\n"
    )
    steps = resolve_tour({"lib": lib}, parse_tour(text, tmp_path / "stubbed.yaml")).steps
    assert steps[0].status == "ambiguous"  # nothing read yet: the whole repository's
    assert steps[2].status == "resolved" and steps[2].target is not None
    target = (steps[2].target.qualname, steps[2].target.path)
    assert target == ("lib.models.Model.save", "py_src/lib/models/__init__.pyi")
    assert steps[3].target is not None and steps[3].target.qualname == "lib.models"


def test_a_dispatch_table_of_another_pin_is_said_to_be_that_pins(roots: Path) -> None:
    """A short name found in ``lib`` from ``app``'s workspace: the entry of ``lib``'s own
    table that names it (as diffusers' ``AUTO_QUANTIZATION_CONFIG_MAPPING`` names its
    ``BitsAndBytesConfig`` beside transformers') is ``lib``'s, not the first pin's."""
    lib = roots / "lib" / "py_src" / "lib"
    (lib / "savers.py").write_text("from lib.io import save\n\nSAVERS = {\n    'plain': save,\n}\n")
    ws = open_app(roots, Opener(roots))
    try:
        found = ws.find("save", scope=("app", "lib"))
        entries = [r for r in found.results if r.kind == "entry"]
        assert [(r.qualname, r.repo, r.version) for r in entries] == [
            ("lib.savers.SAVERS['plain']", "lib", "lib==1.0")
        ]
    finally:
        ws.close()
