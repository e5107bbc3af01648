"""Resolution rules, one synthetic case each (tests/fixtures/toyrepo), in both modes:
"lazy" (nothing indexed: modules are indexed on demand) and "full" (``index_all`` first)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from codewalk.errors import QueryError
from codewalk.index.store import Store
from codewalk.resolve.model import ModuleView, Resolved, rivals
from codewalk.workspace.workspace import Workspace
from tests.toyrepo import make_toy

CORE = "src/toypkg/core.py"
TINY = "src/toypkg/models/tiny/modeling_tiny.py"


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace(make_toy(tmp_path), Store.memory())
    if request.param == "full":
        workspace.index_all(workers=1)
    yield workspace
    workspace.close()


def where(ws: Workspace, query: str, index: int = 0) -> str:
    found = ws.find(query)
    assert found.results, f"{query} resolved to nothing (suggestions {found.suggestions})"
    hit = found.results[index]
    return f"{hit.path}:{hit.line}"


def test_short_name_is_direct(ws: Workspace) -> None:
    hit = ws.find("helper").results[0]
    assert (hit.path, hit.line, hit.kind, hit.via) == (CORE, 55, "function", "direct")
    assert hit.qualname == "toypkg.core.helper"
    assert hit.signature == "def helper(x):"


def test_fully_qualified_name(ws: Workspace) -> None:
    assert where(ws, "toypkg.core.Engine") == f"{CORE}:26"
    assert where(ws, "toypkg.core.Engine.step") == f"{CORE}:28"


def test_module_query(ws: Workspace) -> None:
    hit = ws.find("toypkg.models.tiny").results[0]
    assert (hit.kind, hit.path, hit.line) == ("module", "src/toypkg/models/tiny/__init__.py", 1)


def test_lazy_import_structure_reexport(ws: Workspace) -> None:
    hit = ws.find("toypkg.Engine").results[0]
    assert f"{hit.path}:{hit.line}" == f"{CORE}:26"
    assert "lazy _import_structure" in hit.via


def test_real_definition_outranks_dummy(ws: Workspace) -> None:
    results = ws.find("toypkg.Model").results
    assert [f"{r.path}:{r.line}" for r in results] == [
        "src/toypkg/model.py:1",
        "src/toypkg/utils/dummy_objects.py:5",
    ]
    short = ws.find("Model").results
    assert f"{short[0].path}:{short[0].line}" == "src/toypkg/model.py:1"


def test_star_reexport_through_lazy_packages(ws: Workspace) -> None:
    hit = ws.find("toypkg.TinyModel").results[0]
    assert f"{hit.path}:{hit.line}" == f"{TINY}:14"
    assert "toypkg.models" in hit.via


def test_module_getattr_table(ws: Workspace) -> None:
    hit = ws.find("toypkg.plugins.Norm").results[0]
    assert f"{hit.path}:{hit.line}" == f"{CORE}:50"
    assert hit.via == "re-exported by toypkg.plugins (lazy module __getattr__ table)"


def test_alias_is_followed(ws: Workspace) -> None:
    hit = ws.find("FastEngine").results[0]
    assert f"{hit.path}:{hit.line}" == f"{CORE}:26"
    assert hit.via.startswith("FastEngine is an alias of Engine (src/toypkg/aliases.py:3)")
    statement = [r for r in ws.find("FastEngine").results if r.kind == "alias"]
    assert [(r.path, r.line, r.role) for r in statement] == [("src/toypkg/aliases.py", 3, "related")]
    assert where(ws, "toypkg.FastEngine") == f"{CORE}:26"


def test_member_through_mro(ws: Workspace) -> None:
    hit = ws.find("Engine.generate").results[0]
    assert f"{hit.path}:{hit.line}" == f"{CORE}:18"
    assert hit.via == "inherited from Mixin (MRO of Engine)"
    assert where(ws, "TinyModel.run") == f"{CORE}:5"


def test_mro_is_c3_not_depth_first(ws: Workspace) -> None:
    # Diamond(Left, Right), Left(Top), Right(Top): C3 finds Right.who before Top.who
    assert where(ws, "Diamond.who") == f"{CORE}:42"


def test_property_getter_before_setter(ws: Workspace) -> None:
    results = ws.find("Engine.mode").results
    assert [(r.kind, r.line) for r in results[:2]] == [("property", 9), ("property", 13)]
    assert results[1].via.endswith("(property setter)")


def test_decorated_method_spans_its_decorators(ws: Workspace) -> None:
    hit = ws.find("Engine.step").results[0]
    assert (hit.path, hit.line, hit.start_line, hit.end_line) == (CORE, 28, 27, 29)


def test_dispatch_table_entry_is_related(ws: Workspace) -> None:
    results = ws.find("_fast_path").results
    assert f"{results[0].path}:{results[0].line}" == f"{CORE}:22"
    entries = [r for r in results if r.kind == "entry"]
    assert [(e.path, e.line, e.role) for e in entries] == [(CORE, 60, "related")]
    assert entries[0].qualname == "toypkg.core.MODES['fast']"
    table = [r for r in ws.find("helper").results if r.kind == "entry"]
    assert [(e.line, e.qualname) for e in table] == [(64, "toypkg.core.HANDLERS['help']")]


def test_generated_file_points_to_modular(ws: Workspace) -> None:
    results = ws.find("TinyModel").results
    assert f"{results[0].path}:{results[0].line}" == f"{TINY}:14"
    assert "generated from src/toypkg/models/tiny/modular_tiny.py" in results[0].via
    assert any(r.path == "src/toypkg/models/tiny/modular_tiny.py" and r.line == 4 for r in results[1:])


def test_copied_from_both_ways(ws: Workspace) -> None:
    original = ws.find("Norm").results
    assert f"{original[0].path}:{original[0].line}" == f"{CORE}:50"
    copies = [r for r in original if r.role == "related" and r.path == TINY]
    assert [c.line for c in copies] == [9]
    copy = ws.find("TinyNorm").results
    assert "copied from toypkg.core.Norm" in copy[0].via
    assert any(r.path == CORE and r.line == 50 and r.role == "related" for r in copy)


def test_context_prefers_modules_of_the_tour(ws: Workspace) -> None:
    plain = ws.find("TinyModel").results[0]
    preferred = ws.find("TinyModel", context=["toypkg.models.tiny.modular_tiny"]).results[0]
    assert plain.path == TINY
    assert preferred.path == "src/toypkg/models/tiny/modular_tiny.py"


def test_kind_filter_and_limit(ws: Workspace) -> None:
    assert {r.kind for r in ws.find("Model", kind="class").results} == {"class"}
    assert len(ws.find("Norm", limit=1).results) == 1
    entries = ws.find("_fast_path", kind="entry").results
    assert [(e.kind, e.line) for e in entries] == [("entry", 60)]


def test_unknown_name_suggests(ws: Workspace) -> None:
    # No query has reached Engine yet: in lazy mode the suggestion comes from the
    # files' bytes, in full mode from the index.
    found = ws.find("Engin")
    assert found.results == ()
    assert "Engine" in found.suggestions


@pytest.mark.parametrize("query", ["", "   ", "a..b", "a b", ".Engine", "Engine.", "1abc", "a-b"])
def test_malformed_query(ws: Workspace, query: str) -> None:
    with pytest.raises(QueryError):
        ws.find(query)


def test_goto_resolves_names_in_a_file(ws: Workspace) -> None:
    # "Engine" in `class TinyModel(Engine):` of modeling_tiny.py (line 14, col 16)
    hit = ws.goto(TINY, 14, 16)
    assert hit is not None and (hit.path, hit.line) == (CORE, 26)
    # `self.run()` inside Engine.step: the attribute through the MRO
    hit = ws.goto(CORE, 29, 20)
    assert hit is not None and (hit.path, hit.line) == (CORE, 5)


def test_goto_falls_back_to_jedi(ws: Workspace) -> None:
    # `value` in `self._mode = value` (core.py:14) is a parameter: the index can't say, jedi
    # can; on the def line of its function, it is not that function (the setter mode)
    hit = ws.goto(CORE, 14, 21)
    assert hit is not None and (hit.path, hit.line, hit.kind) == (CORE, 13, "param")
    assert (hit.qualname, hit.via) == (
        "toypkg.core.Base.mode.value",
        "jedi: value is a parameter of mode: its value is what the caller passes",
    )
    # A local variable has no index entry: jedi's answer, named by module (jedi itself
    # calls the file it was handed "__main__").
    local = ws.goto(CORE, 19, 9)  # `method` in `method = getattr(self, MODES["fast"])`
    assert local is not None and (local.line, local.via) == (19, "jedi")
    assert local.qualname == "toypkg.core.Mixin.generate.method"
    # Called, the same local is a call site: the dispatch-table entry the code names
    called = ws.goto_all(CORE, 20, 16)  # `method()`
    assert [(r.qualname, r.line) for r in called.results] == [("toypkg.core.Mixin._fast_path", 22)]
    assert "getattr through the dispatch table MODES['fast'] -> '_fast_path'" in called.results[0].via


def test_goto_names_a_parameter_of_a_signature_written_one_parameter_a_line(tmp_path: Path) -> None:
    """``function(*fn_args)`` in datasets' ``_map_single``, whose signature lists a
    parameter a line: the parameter is its function's, as on a one-line signature; it was
    named as a module's (``datasets.arrow_dataset.function``)."""
    checkout = make_toy(tmp_path)
    module = checkout.root / "src" / "toypkg" / "mapping.py"
    module.write_text(
        "class Dataset:\n"
        "    def _map_single(\n"
        "        self,\n"
        "        function=None,\n"
        "    ):\n"
        "        return function(1)\n"
    )
    with Workspace(checkout, Store.memory()) as ws:
        hit = ws.goto("src/toypkg/mapping.py", 6, 16)
        assert hit is not None and (hit.line, hit.kind) == (4, "param")
        assert (hit.qualname, hit.via) == (
            "toypkg.mapping.Dataset._map_single.function",
            "jedi: function is a parameter of _map_single: its value is what the caller passes",
        )


def test_goto_on_a_bare_name_in_a_method_is_never_a_member_of_its_class(tmp_path: Path) -> None:
    """``generation_config`` passed on in ``GenerationMixin.generate``, whose class has an
    attribute of that name: the method's parameter (Python does not look up a bare name in
    the class around a function); it was the attribute. In the class body and a method's
    default, the class's own name is still the member."""
    checkout = make_toy(tmp_path)
    module = checkout.root / "src" / "toypkg" / "generating.py"
    module.write_text(
        "class Mixin:\n"
        "    generation_config = None\n"
        "    fallback = generation_config\n"
        "\n"
        "    def generate(self, generation_config=None, default=fallback):\n"
        "        return self.prepare(generation_config)\n"
        "\n"
        "    def prepare(self, config):\n"
        "        return config\n"
    )
    with Workspace(checkout, Store.memory()) as ws:
        hit = ws.goto("src/toypkg/generating.py", 6, 30)
        assert hit is not None and (hit.line, hit.kind) == (5, "param")
        assert hit.qualname == "toypkg.generating.Mixin.generate.generation_config"
        in_class = ws.goto("src/toypkg/generating.py", 3, 20)
        assert in_class is not None and (in_class.qualname, in_class.line) == (
            "toypkg.generating.Mixin.generation_config",
            2,
        )
        default = ws.goto("src/toypkg/generating.py", 5, 60)
        assert default is not None and (default.qualname, default.line) == (
            "toypkg.generating.Mixin.fallback",
            3,
        )


def test_goto_names_a_parameter_of_a_nested_function_as_python_names_the_function(tmp_path: Path) -> None:
    """A parameter of a function defined in another (``_map_single``'s
    ``apply_function``): ``outer.<locals>.inner.x``, as ``calls`` and ``find`` take the
    function's name; it was named as the module's (``toypkg.nest.x``)."""
    checkout = make_toy(tmp_path)
    (checkout.root / "src" / "toypkg" / "nest.py").write_text(
        "def outer(a):\n"
        "    def inner(x):\n"
        "        return x + a\n"
        "    return inner\n"
        "\n"
        "\n"
        "class K:\n"
        "    def m(self):\n"
        "        def helper(\n"
        "            y,\n"
        "        ):\n"
        "            return y\n"
        "        return helper\n"
    )
    with Workspace(checkout, Store.memory()) as ws:
        said = "jedi: {} is a parameter of {}: its value is what the caller passes"
        found = [ws.goto("src/toypkg/nest.py", line, col) for line, col in ((3, 15), (3, 19), (12, 19))]
        assert [(h.qualname, h.line, h.via) for h in found if h is not None] == [
            ("toypkg.nest.outer.<locals>.inner.x", 2, said.format("x", "inner")),
            ("toypkg.nest.outer.a", 1, said.format("a", "outer")),
            ("toypkg.nest.K.m.<locals>.helper.y", 10, said.format("y", "helper")),
        ]


def test_goto_on_a_local_named_as_a_class_attribute_is_the_local(tmp_path: Path) -> None:
    """``lora_B = self.lora_B[adapter]`` then ``lora_B(x)`` (peft's ``lora.Linear.forward``):
    the bare name is the method's local, not the class's attribute ``lora_B``, which a
    bare name in a method body never sees; ``goto`` (and a traceback's line) said the
    attribute, "inherited from LoraLayer"."""
    checkout = make_toy(tmp_path)
    module = checkout.root / "src" / "toypkg" / "adapters.py"
    module.write_text(
        "class Layer:\n"
        "    def __init__(self):\n"
        "        self.lora_B = {}\n"
        "\n"
        "    def forward(self, x, adapter):\n"
        "        lora_B = self.lora_B[adapter]\n"
        "        return lora_B(x)\n"
    )
    with Workspace(checkout, Store.memory()) as ws:
        hit = ws.goto("src/toypkg/adapters.py", 7, 15)
        assert hit is not None and (hit.qualname, hit.line) == ("toypkg.adapters.Layer.forward.lora_B", 6)


def test_jedi_can_be_asked_apart_from_the_index(ws: Workspace) -> None:
    """The UI asks the index first (``fallback=False``) and jedi on a thread of its own:
    the same answer in two halves."""
    assert ws.goto_all(CORE, 14, 21, fallback=False).results == ()
    query = ws.jedi_query(CORE, 14, 21)
    import threading

    asked: list[object] = []
    worker = threading.Thread(target=lambda: asked.append(query()))  # reads no index
    worker.start()
    worker.join(60)
    (hit,) = ws.from_jedi(asked[0]).results  # type: ignore[arg-type]
    assert (hit.path, hit.line, hit.qualname) == (CORE, 13, "toypkg.core.Base.mode.value")
    assert ws.from_jedi(None).results == ()


def test_instance_attributes_answer_class_member_queries(ws: Workspace) -> None:
    # `self.norm = TinyNorm()` in TinyModel.__init__ (modeling_tiny.py:16)
    for query in ("TinyModel.norm", "toypkg.models.tiny.modeling_tiny.TinyModel.norm"):
        hit = ws.find(query).results[0]
        assert (hit.path, hit.line, hit.kind) == (TINY, 16, "attribute")
        assert hit.signature == "self.norm = TinyNorm()"
    goto = ws.goto(TINY, 16, 14)
    assert goto is not None and (goto.line, goto.kind) == (16, "attribute")
    # a bare name is not answered by every self.x of the package
    assert all(r.kind != "attribute" for r in ws.find("norm").results)


def test_vanished_file(ws: Workspace) -> None:
    (ws.checkout.root / "src/toypkg/model.py").unlink()
    with pytest.raises(QueryError, match="no such file"):
        ws.source_text("src/toypkg/model.py")
    with pytest.raises(QueryError, match="not a path inside"):
        ws.source_text("../../etc/passwd")


def test_references_by_name(ws: Workspace) -> None:
    refs = ws.references("toypkg.core.TinyNorm")
    assert [(r.path, r.line, r.col) for r in refs] == [(TINY, 16, 20), (TINY, 32, 12)]
    assert refs[0].text == "self.norm = TinyNorm()"


def test_complete_is_fuzzy(ws: Workspace) -> None:
    if not ws.fully_indexed:
        ws.index_all(workers=1)
    names = [r.qualname for r in ws.complete("fstpth")]
    assert names[0] == "toypkg.core.Mixin._fast_path"


def test_complete_finds_a_qualified_name_longer_than_a_fuzzy_pattern(tmp_path: Path) -> None:
    """The palette lists a method by its qualified name; typed or pasted whole, over 64
    characters (``transformers.data.data_collator.DataCollatorForLanguageModeling.torch_call``),
    it finds that method again: only the name matched letter by letter is cut."""
    checkout = make_toy(tmp_path)
    module = checkout.root / "src" / "toypkg" / "data_collator_for_language_modeling.py"
    module.write_text("class DataCollatorForLanguageModeling:\n    def torch_call(self):\n        pass\n")
    qualname = "toypkg.data_collator_for_language_modeling.DataCollatorForLanguageModeling.torch_call"
    with Workspace(checkout, Store.memory()) as ws:
        ws.index_all(workers=1)
        assert [r.qualname for r in ws.complete(qualname, 5)][:1] == [qualname]
        assert ws.complete("x" * 2000 + "." + qualname, 5) == []  # an owner no name holds


def test_complete_reads_the_names_of_files_indexed_since(tmp_path: Path) -> None:
    """As the reader types in the palette, a query indexes the file of ``Engine``: the
    names read before it was indexed do not hide its methods from the next keystroke."""
    ws = Workspace(make_toy(tmp_path), Store.memory())
    try:
        assert ws.complete("Engine.st") == []  # lazy: core.py is not indexed yet
        assert where(ws, "Engine") == f"{CORE}:26"  # ... now it is
        assert [r.qualname for r in ws.complete("Engine.st")][:1] == ["toypkg.core.Engine.step"]
    finally:
        ws.close()


def test_complete_finds_a_class_member_among_many_of_its_name(tmp_path: Path) -> None:
    """``Owner.__init__`` in the palette: the definitions of ``Owner`` are chosen before
    the few read of a name that thousands share, not filtered out of them after, and
    ``Owner``'s own comes before that of a class whose name holds it."""
    checkout = make_toy(tmp_path)
    classes = "".join(f"class Filler{i}:\n    def __init__(self):\n        pass\n\n" for i in range(40))
    (checkout.root / "src" / "toypkg" / "crowd.py").write_text(
        classes + "class BigAssistedGen:\n    def __init__(self):\n        pass\n\n"
        "class AssistedGen:\n    def __init__(self):\n        pass\n"
    )
    ws = Workspace(checkout, Store.memory())
    try:
        ws.index_all(workers=1)
        names = [r.qualname for r in ws.complete("AssistedGen.__init__")]
        # the owner typed whole first, before a class whose name holds it (defined first)
        assert names == ["toypkg.crowd.AssistedGen.__init__", "toypkg.crowd.BigAssistedGen.__init__"]
    finally:
        ws.close()


def test_complete_puts_the_class_typed_whole_before_a_module_of_its_name(tmp_path: Path) -> None:
    """``Gen.__init__``: the class ``Gen`` (in ``zz.py``) before the ``__init__`` of a class
    in a module named ``gen``, which names the owner too, but not as its class (paddle's
    ``paddle.jit.layer.Function.__call__`` came before ``Layer.__call__``)."""
    checkout = make_toy(tmp_path)
    init = "    def __init__(self):\n        pass\n"
    (checkout.root / "src" / "toypkg" / "gen.py").write_text("class Other:\n" + init)
    (checkout.root / "src" / "toypkg" / "zz.py").write_text("class Gen:\n" + init)
    ws = Workspace(checkout, Store.memory())
    try:
        ws.index_all(workers=1)
        names = [r.qualname for r in ws.complete("Gen.__init__")]
        assert names[:2] == ["toypkg.zz.Gen.__init__", "toypkg.gen.Other.__init__"]
    finally:
        ws.close()


def test_complete_asks_each_name_of_an_owner_once_while_the_member_is_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Engine.s``, ``Engine.st``, ``Engine.ste``: the definitions of ``Engine`` named
    alike are asked of the index once, not at each key (the owner's scan of each name
    made a dotted text in the palette twice as slow as a bare one); a new owner asks again."""
    ws = Workspace(make_toy(tmp_path), Store.memory())
    try:
        ws.index_all(workers=1)
        asked: list[str] = []
        defs_in = ws.store.defs_in

        def counted(snap: int, names: Sequence[str], per_name: int, holding: str = "") -> list[Any]:
            asked.extend(f"{holding}:{name}" for name in names)
            return defs_in(snap, names, per_name, holding)

        monkeypatch.setattr(ws.store, "defs_in", counted)
        typed = ("Engine.s", "Engine.st", "Engine.ste")
        found = [[r.qualname for r in ws.complete(text)][:1] for text in typed]
        assert found == [["toypkg.core.Engine.step"]] * 3
        assert "Engine:step" in asked and len(asked) == len(set(asked))
        ws.complete("Mixin.st")
        assert "Mixin:step" in asked
    finally:
        ws.close()


def test_complete_with_an_owner_the_repository_lacks_asks_for_no_did_you_mean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The palette searches every pin for ``LlamaModel.forw``: in a pin with no
    ``LlamaModel``, looking for functions defined inside it made the resolver list the
    names alike (a scan of every name of the index, at each key), for nobody to read."""
    ws = Workspace(make_toy(tmp_path), Store.memory())
    try:
        ws.index_all(workers=1)

        def no_scan(*args: object, **kwargs: object) -> list[str]:
            raise AssertionError("a did-you-mean was computed")

        monkeypatch.setattr(ws.store, "names_like", no_scan)
        assert ws.complete("NoSuchOwner.forw") == []
    finally:
        ws.close()


def test_workspace_is_usable_from_other_threads(ws: Workspace) -> None:
    from concurrent.futures import ThreadPoolExecutor

    queries = ["Engine.generate", "toypkg.TinyModel", "Diamond.who", "FastEngine"] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        lines = list(pool.map(lambda q: ws.find(q).results[0].line, queries))
    assert lines == [18, 14, 42, 26] * 3


def test_a_modular_source_does_not_lend_its_bases_to_the_generated_class(ws: Workspace) -> None:
    # modular_tiny.TinyHead(Engine) inherits Engine.step; the generated TinyHead has no
    # base and its own step. Only the generated one answers; the modular is related.
    results = ws.find("TinyHead.step").results
    assert [(r.path, r.line, r.role) for r in results if r.role == "match"] == [(TINY, 20, "match")]
    assert not any("inherited" in r.via for r in results)
    head = ws.find("TinyHead").results
    assert [(r.path, r.role) for r in head][:2] == [
        (TINY, "match"),
        ("src/toypkg/models/tiny/modular_tiny.py", "related"),
    ]


def test_lazy_packages_do_not_export_modular_sources(ws: Workspace) -> None:
    # toypkg -> models -> tiny are lazy packages: they expose their submodules, but
    # define_import_structure skips modular_*.py, so only the generated class is public.
    results = ws.find("toypkg.TinyModel").results
    assert [r.path for r in results if r.role == "match"] == [TINY]


def test_protocol_stubs_rank_after_real_methods(ws: Workspace) -> None:
    # _typing.Runner.run is a Protocol stub; it sorts first by path, but reads last.
    results = ws.find("run").results
    assert f"{results[0].path}:{results[0].line}" == f"{CORE}:5"
    assert "src/toypkg/_typing.py" in [r.path for r in results[1:]]


def test_a_missing_fast_tokenizer_is_served_as_the_slow_one(ws: Workspace) -> None:
    # transformers 5's lazy module answers XTokenizerFast with XTokenizer when only
    # the latter is exported; the answer says so.
    hit = ws.find("toypkg.TinyTokenizerFast").results[0]
    assert (hit.path, hit.line) == (TINY, 27)
    assert hit.via.startswith("TinyTokenizerFast is not exported; the lazy module serves TinyTokenizer")
    assert ws.find("toypkg.TinyModelFast").results == ()  # only tokenizers fall back


def test_a_first_part_may_name_a_module_by_its_last_part(ws: Workspace) -> None:
    # as code writes it after `from .. import core`: core.Engine
    hit = ws.find("core.Engine").results[0]
    assert (hit.path, hit.line) == (CORE, 26)
    assert hit.via.startswith("core read as the module toypkg.core")
    assert ws.find("nosuchmodule.Engine").results == ()


def test_a_member_no_source_defines_says_where_the_class_is(ws: Workspace) -> None:
    found = ws.find("Engine.__call__")
    assert found.results == ()
    assert found.note.startswith(f"toypkg.core.Engine ({CORE}:26) exists, but neither it nor the bases")
    assert ws.find("NoSuchClass.x").note == ""


def test_a_misspelled_member_is_answered_by_the_class_members_alone(ws: Workspace) -> None:
    assert ws.find("Engine.stepp").suggestions == ("Engine.step",)
    # helper is a function of the module, not Engine's: no answer to Engine.helpr
    found = ws.find("Engine.helpr")
    assert (found.results, found.suggestions) == ((), ())
    assert found.note.startswith(f"toypkg.core.Engine ({CORE}:26) exists, but neither it nor the bases")
    assert ws.find("helpr").suggestions[0] == "helper"


def test_a_misspelled_class_of_a_member_is_answered_by_the_classes_spelled_alike(ws: Workspace) -> None:
    """``Engin.step`` means ``Engine.step``: not the names spelled like ``step`` alone."""
    suggestions = ws.find("Engin.step").suggestions
    assert suggestions[0] == "Engine.step" and all(name.endswith("Engine.step") for name in suggestions)
    assert ws.find("toypkg.core.Engin.step").suggestions[0] == "toypkg.core.Engine.step"
    # no class spelled alike has the member: the names close to it, as before
    assert ws.find("Engin.helpr").suggestions[0] == "helper"
    # but not for a protocol's name: a module's ``__all__`` is no answer to ``X.__call__``
    assert ws.find("__call__").suggestions and ws.find("Engin.__call__").suggestions == ()


def test_of_names_spelled_alike_but_cased_apart_the_one_cased_as_asked_is_suggested() -> None:
    """``Linaer`` means the class ``Linear``, not the constant ``LINEAR`` that sorts first
    (whose ``LINEAR.forward`` names nothing): case counts letter by letter."""
    from codewalk.resolve.resolver import _close_names

    pool = ["LINEAR", "Linear", "linear", "lines"]
    assert _close_names("Linaer", pool, 1) == ["Linear"]
    assert _close_names("linaer", pool, 1) == ["linear"]
    assert _close_names("LINAER", pool, 1) == ["LINEAR"]


def test_goto_follows_an_attribute_to_its_type(ws: Workspace) -> None:
    # modeling_tiny.py:35  `return self.norm.eps + self.helper.eps`
    # self.norm = TinyNorm() (constructed, line 16); helper: TinyNorm (annotated, line 32)
    built = ws.goto(TINY, 35, 26)
    assert built is not None and (built.path, built.line, built.kind) == (TINY, 11, "attribute")
    assert built.via.startswith(f"norm is a TinyNorm (set at {TINY}:16)")
    annotated = ws.goto(TINY, 35, 44)
    assert annotated is not None and (annotated.path, annotated.line) == (TINY, 11)
    assert annotated.via.startswith(f"helper is a TinyNorm (annotated at {TINY}:32)")


RANKED_PACKAGE = {
    "__init__.py": "",
    "alpha.py": "class Alpha:\n    def run(self):\n        return 1\n",
    "bravo.py": "class Bravo:\n    def run(self):\n        return 2\n",
    "uses_one.py": "from .alpha import Alpha\n\nfirst = Alpha()\n",
    "uses_two.py": "from .alpha import Alpha\n\nsecond = Alpha()\n",
    "notes_one.py": '"""See Bravo for the other one."""\n\n\ndef note_one():\n    pass\n',
    "notes_two.py": "# Bravo is described elsewhere\n\n\ndef note_two():\n    pass\n",
    "notes_three.py": '"""Bravo again."""\n\n\ndef note_three():\n    pass\n',
}


def test_the_order_of_answers_does_not_depend_on_what_was_indexed_before(tmp_path: Path) -> None:
    """Two runs on one checkout, one after queries that indexed other files: the same
    order (the count of modules using each owner's name is read from every file alike)."""
    from codewalk.source.checkout import Checkout, SourceKind

    root = tmp_path / "ranked"
    for name, text in RANKED_PACKAGE.items():
        (root / "src" / "ranked" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "src" / "ranked" / name).write_text(text)
    checkout = Checkout("ranked", root, "src", ("ranked",), SourceKind.LOCAL, "r-1", "v0", "ranked==0")
    orders = []
    for earlier in ((), ("note_one", "note_two", "note_three")):
        with Workspace(checkout, Store.memory()) as workspace:
            for query in earlier:  # indexes the files that only mention Bravo
                assert workspace.find(query).results
            orders.append([r.qualname for r in workspace.find("run").matches])
    assert orders[0] == orders[1] == ["ranked.bravo.Bravo.run", "ranked.alpha.Alpha.run"]


def test_a_name_a_lazy_module_imports_for_type_checkers_alone_is_said_to_be_re_exported(
    tmp_path: Path,
) -> None:
    """huggingface_hub's ``__init__``: its names imported under ``TYPE_CHECKING``, and a
    module ``__getattr__`` that imports them on first use: a re-export, not an import that
    never runs; without the ``__getattr__``, the import is for type checkers only."""
    from codewalk.source.checkout import Checkout, SourceKind

    files = {
        "lazyhub/__init__.py": (
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .files import download\n\n\n"
            "def _attach():\n    return None, None\n\n\n__getattr__, __dir__ = _attach()\n"
        ),
        "lazyhub/files.py": "def download():\n    pass\n",
        "typed/__init__.py": (
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .files import upload\n"
        ),
        "typed/files.py": "def upload():\n    pass\n",
    }
    for name, text in files.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_text(text)
    packages = ("lazyhub", "typed")
    checkout = Checkout("lazy", tmp_path, "src", packages, SourceKind.LOCAL, "l-1", "v0", "lazy==0")
    with Workspace(checkout, Store.memory()) as workspace:
        (lazy,) = workspace.find("lazyhub.download").matches
        assert lazy.via == "re-exported by lazyhub (lazy module __getattr__; imported under TYPE_CHECKING)"
        (typed,) = workspace.find("typed.upload").matches
        assert typed.via == "imported by typed under TYPE_CHECKING only"


def test_a_module_a_module_imports_is_said_imported_once(tmp_path: Path) -> None:
    """``import shop`` and ``import shop.stock`` both bind ``shop`` in ``shop.sell``
    (datasets' json builder): the name is the package, imported by that module, said once."""
    from codewalk.source.checkout import Checkout, SourceKind

    files = {
        "shop/__init__.py": "",
        "shop/stock.py": "COUNT = 1\n",
        "shop/sell.py": "import shop\nimport shop.stock\n\n\ndef sell():\n    return shop.stock.COUNT\n",
    }
    for name, text in files.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_text(text)
    checkout = Checkout("shop", tmp_path, "src", ("shop",), SourceKind.LOCAL, "s-1", "v0", "shop==0")
    with Workspace(checkout, Store.memory()) as workspace:
        found = workspace.find("shop.sell.shop").matches
        assert [(r.qualname, r.via) for r in found] == [("shop", "imported by shop.sell")]
        (stock,) = workspace.find("shop.sell.shop.stock").matches
        assert (stock.qualname, stock.via) == ("shop.stock", "imported by shop.sell")


def _definition(qualname: str, kind: str, path: str) -> Resolved:
    return Resolved("r", qualname, kind, path, 1, 1, 2, "direct", "")


def test_a_class_attribute_is_no_rival_of_a_module_s_class_of_its_name() -> None:
    """``show StaticCache``: paddle's ``MultiHeadAttention.StaticCache`` (a namedtuple set
    in a class body, read through its class) does not make transformers' class ambiguous;
    a method, or two module-level names, still do."""
    cls = _definition("transformers.cache_utils.StaticCache", "class", "src/transformers/cache_utils.py")
    nested = "paddle.nn.layer.transformer.MultiHeadAttention.StaticCache"
    attribute = _definition(nested, "variable", "paddle/nn/layer/transformer.py")
    assert rivals("StaticCache", [cls, attribute]) == ()
    in_init = _definition("paddle.StaticCache", "class", "paddle/__init__.py")  # a package's own name
    assert rivals("StaticCache", [cls, attribute, in_init]) == (in_init,)
    method = _definition(
        "paddle.nn.layer.transformer.Layer.StaticCache", "method", "paddle/nn/layer/transformer.py"
    )
    assert rivals("StaticCache", [cls, method]) == (method,)
    # a class attribute best: the others are its rivals
    assert rivals("StaticCache", [attribute, cls]) == (cls,)


def test_a_bare_name_only_set_on_self_is_suggested_with_its_class(ws: Workspace) -> None:
    """``find norm`` where only ``self.norm = TinyNorm()`` (in ``TinyModel.__init__``) makes
    it: a bare name is what a module or a class body defines, so nothing is found, and the
    answer says how to ask (``find gradient_state``: ``Accelerator.gradient_state``)."""
    found = ws.find("norm")
    assert found.results == ()
    assert found.suggestions[0] == "TinyModel.norm"
    assert found.note == "norm is an attribute set on self in 1 class: ask for it with its class"
    assert ws.find("TinyModel.norm").results[0].signature == "self.norm = TinyNorm()"
    assert ws.find("helpr").note == ""  # a misspelling: only names spelled alike


def test_a_member_of_a_class_is_found_once_and_handed_out_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Engine.generate`` asked again (every ``self.generate()`` in the methods of a
    class asks it) reads no definition of its MRO again, and the list handed out is the
    caller's: changing it changes no later answer."""
    ws = Workspace(make_toy(tmp_path), Store.memory())
    try:
        ws.index_all(workers=1)
        ns = ws.resolver.ns
        view = ws.resolver.facts.module("toypkg.core")
        assert view is not None
        first = ns.members(view, "Engine", "generate", ())
        assert [(h.definition.qualname, h.via) for h in first] == [
            ("Mixin.generate", "inherited from Mixin (MRO of Engine)")
        ]
        read: list[str] = []
        defs = ModuleView.defs

        def counted(self: ModuleView, qualname: str) -> list[Any]:
            read.append(qualname)
            return defs(self, qualname)

        monkeypatch.setattr(ModuleView, "defs", counted)
        first.clear()
        again = ns.members(view, "Engine", "generate", ())
        assert [h.definition.qualname for h in again] == ["Mixin.generate"]
        assert read == []
        assert [h.definition.qualname for h in ns.members(view, "Engine", "run", ())] == ["Base.run"]
        assert "Engine.run" in read
    finally:
        ws.close()
