"""The answers a careful reader gives, and Python agrees with: members a class gets from
outside its own defs, classes rebound at import time, __init__ made by @dataclass and
wrapped at class creation and by a decorator, a property before an instance attribute,
a keyword argument's consumer, legacy module paths, ranking by importance.

On a fixture package (tests/fixtures/careful) that builds its classes as transformers
does; each runtime case is checked against ``inspect`` on the same files, in both index
modes (lazy and full)."""

from __future__ import annotations

import importlib
import inspect
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codewalk.index.store import Store
from codewalk.resolve.model import rivals
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.workspace.workspace import Workspace

FIXTURE = Path(__file__).parent / "fixtures" / "careful"
PKG = "src/carefulpkg"


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "careful"
    shutil.copytree(FIXTURE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, root: Path) -> Iterator[Workspace]:
    checkout = Checkout(
        repo="careful",
        root=root,
        package_root="src",
        packages=("carefulpkg",),
        kind=SourceKind.LOCAL,
        commit="careful-1",
        tag="v0",
        release="carefulpkg==0",
    )
    workspace = Workspace(checkout, Store.memory())
    if request.param == "full":
        workspace.index_all(workers=1)
    yield workspace
    workspace.close()


@pytest.fixture()
def runtime(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The fixture package imported by Python (from the test's copy, no bytecode written)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.syspath_prepend(str(root / "src"))
    for name in [m for m in sys.modules if m.split(".")[0] == "carefulpkg"]:
        del sys.modules[name]
    yield importlib.import_module
    for name in [m for m in sys.modules if m.split(".")[0] == "carefulpkg"]:
        del sys.modules[name]


def first(ws: Workspace, query: str) -> Any:
    found = ws.find(query)
    assert found.results, f"{query}: nothing found ({found.suggestions})"
    return found.results[0]


def where(function: Any) -> tuple[str, str, int]:
    """(qualified code name, file, first line) of the code Python runs."""
    code = function.__code__
    return getattr(code, "co_qualname", code.co_name), Path(code.co_filename).name, code.co_firstlineno


def agrees(result: Any, function: Any) -> None:
    name, filename, line = where(function)
    assert Path(result.path).name == filename
    assert line in (result.line, result.start_line), (result, name, line)
    if sys.version_info >= (3, 11):
        assert result.qualname.endswith(f".{name}"), (result.qualname, name)


def test_a_member_bound_by_an_import_in_the_class_body(ws: Workspace, runtime: Any) -> None:
    hit = first(ws, "Trainer.save_state")
    assert (hit.qualname, hit.kind) == ("carefulpkg.helpers.save_state", "function")
    assert hit.via.startswith(f"save_state is bound in the body of Trainer by an import ({PKG}/trainer.py:2)")
    agrees(hit, runtime("carefulpkg.trainer").Trainer.save_state)


def test_a_class_rebound_at_import_time_lists_the_function_that_runs(ws: Workspace, runtime: Any) -> None:
    results = ws.find("AutoThing.from_pretrained").results
    hit, stub = results[0], results[1]
    assert hit.qualname == "carefulpkg.auto.BaseAuto.from_pretrained"
    assert hit.via.startswith(
        f"AutoThing = auto_update(AutoThing, ...) at import time ({PKG}/auto.py:22) "
        f"sets cls.from_pretrained ({PKG}/auto.py:12)"
    )
    assert stub.qualname == "carefulpkg.auto.AutoThing.from_pretrained"
    assert "rebound at import time: replaced by the first result" in stub.via
    agrees(hit, runtime("carefulpkg.auto").AutoThing.from_pretrained.__func__)


def test_the_rebound_member_named_in_full_is_the_function_that_runs(ws: Workspace, runtime: Any) -> None:
    # the module's path and the class body's own def: still what import time set first
    results = ws.find("carefulpkg.auto.AutoThing.from_pretrained").results
    assert [r.qualname for r in results[:2]] == [
        "carefulpkg.auto.BaseAuto.from_pretrained",
        "carefulpkg.auto.AutoThing.from_pretrained",
    ]
    assert "rebound at import time: replaced by the first result" in results[1].via
    agrees(results[0], runtime("carefulpkg.auto").AutoThing.from_pretrained.__func__)


def test_a_dataclass_init_wrapped_at_class_creation(ws: Workspace, runtime: Any) -> None:
    hit = first(ws, "TinyConfig.__init__")
    assert hit.qualname == "carefulpkg.configs.wrap_init.<locals>.__init__"
    assert hit.via == (
        f"made when TinyConfig is created: BaseConfig.__init_subclass__ ({PKG}/configs.py:44) hands the "
        f"class to wrap_init ({PKG}/configs.py:49), which sets cls.__init__ ({PKG}/configs.py:13), "
        "around the __init__ dataclass(cls) made from the fields"
    )
    agrees(hit, runtime("carefulpkg.configs").TinyConfig.__init__)


def test_a_class_decorator_has_the_last_word(ws: Workspace, runtime: Any) -> None:
    results = ws.find("StrictConfig.__init__").results
    assert results[0].qualname == "carefulpkg.configs.validated.<locals>.wrap.<locals>.init_with_validate"
    assert results[0].via.startswith("made by the decorator @validated of StrictConfig")
    assert results[0].via.endswith("around wrap_init.<locals>.__init__")
    assert results[1].qualname == "carefulpkg.configs.wrap_init.<locals>.__init__"
    agrees(results[0], runtime("carefulpkg.configs").StrictConfig.__init__)


def test_a_member_a_decorator_sets_only_when_the_class_has_none(ws: Workspace, runtime: Any) -> None:
    # with_defaults sets __post_init__ under ``if not hasattr(cls, "__post_init__")``
    own = first(ws, "DefaultedConfig.__post_init__")
    assert own.qualname == "carefulpkg.configs.BaseConfig.__post_init__"
    agrees(own, runtime("carefulpkg.configs").DefaultedConfig.__post_init__)
    made = first(ws, "Record.__post_init__")
    assert made.qualname == "carefulpkg.configs.with_defaults.<locals>.__post_init__"
    agrees(made, runtime("carefulpkg.configs").Record.__post_init__)


def test_a_dataclass_init_has_no_source_but_its_fields(ws: Workspace, runtime: Any) -> None:
    hit = first(ws, "BaseConfig.__init__")
    assert (hit.qualname, hit.kind) == ("carefulpkg.configs.BaseConfig", "class")
    assert hit.via == f"made by @dataclass from the fields of BaseConfig ({PKG}/configs.py:41)"
    assert runtime("carefulpkg.configs").BaseConfig.__init__.__code__.co_filename == "<string>"


def test_a_property_anywhere_in_the_mro_wins_over_an_instance_attribute(ws: Workspace, runtime: Any) -> None:
    hit = first(ws, "TinyConfig.per_layer")
    assert (hit.qualname, hit.kind) == ("carefulpkg.configs.HeterogeneousMixin.per_layer", "property")
    assert "Python finds it before the instance attribute BaseConfig's methods assign" in hit.via
    found = inspect.getattr_static(runtime("carefulpkg.configs").TinyConfig, "per_layer")
    assert isinstance(found, property)
    agrees(hit, found.fget)


def test_a_name_that_is_only_a_keyword_leads_to_where_it_is_consumed(ws: Workspace) -> None:
    found = ws.find("attn_implementation")
    assert [(r.qualname, r.kind, r.line) for r in found.results] == [
        ("carefulpkg.configs.BaseConfig.__post_init__(attn_implementation=...)", "keyword", 53)
    ]
    assert found.results[0].signature == 'self.implementation = kwargs.pop("attn_implementation", None)'
    missing = ws.find("implementation_attn")
    assert "implementation_attn" not in missing.suggestions  # never "did you mean" itself


def test_a_keyword_beside_a_definition_of_its_name_comes_after_it_and_is_no_rival(ws: Workspace) -> None:
    """``find length_penalty`` answered FSMTConfig's class attribute alone, leaving out
    where GenerationConfig takes it out of its ``**kwargs``: the keyword is listed after
    the definitions, and does not make the short name ambiguous (a tour's ``at:``, ``show``)."""
    found = ws.find("rope_theta")
    assert [(r.qualname, r.kind) for r in found.matches] == [
        ("carefulpkg.heads.DecoderForGeneration.rope_theta", "variable"),
        ("carefulpkg.configs.BaseConfig.__post_init__(rope_theta=...)", "keyword"),
    ]
    assert rivals("rope_theta", found.matches) == ()


def test_legacy_module_paths(ws: Workspace) -> None:
    hit = first(ws, "carefulpkg.old_helpers.save_state")
    assert hit.qualname == "carefulpkg.helpers.save_state"
    assert hit.via.startswith("legacy module path carefulpkg.old_helpers, served as carefulpkg.helpers")
    hit = first(ws, "carefulpkg.image_processing_tiny_fast.TinyImageProcessorFast")
    assert hit.qualname == "carefulpkg.image_processing_tiny.TinyImageProcessor"
    assert hit.via.startswith("carefulpkg.image_processing_tiny_fast.TinyImageProcessorFast is a legacy path")


def test_a_short_name_ranks_by_importance_not_by_path(ws: Workspace) -> None:
    ranked = [r.qualname for r in ws.find("from_pretrained").matches]
    assert ranked[0] == "carefulpkg.modeling.Model.from_pretrained"  # used by 5 modules, Config by 2
    assert ranked.index("carefulpkg.configuration.Config.from_pretrained") < ranked.index(
        "carefulpkg.auto.BaseAuto.from_pretrained"  # public API first
    )
    assert first(ws, "forward").qualname == "carefulpkg.modeling.Model.forward"  # not the activation's


def test_overload_signatures_fold_into_the_function_python_binds(ws: Workspace, runtime: Any) -> None:
    found = ws.find("fetch")
    assert [(r.qualname, r.line) for r in found.matches] == [("carefulpkg.loading.fetch", 14)]
    assert "@overload" not in " ".join(r.via for r in found.results)
    agrees(found.matches[0], runtime("carefulpkg.loading").fetch)


def test_the_palette_lists_the_function_python_binds_before_its_overload_signatures(ws: Workspace) -> None:
    ws.find("fetch")  # indexed (a lazy workspace's palette reads what is indexed)
    assert [(r.qualname, r.line, r.via) for r in ws.complete("fetch", 5)] == [
        ("carefulpkg.loading.fetch", 14, "direct"),
        ("carefulpkg.loading.fetch", 7, "an @overload signature"),  # said beside it in the palette
        ("carefulpkg.loading.fetch", 11, "an @overload signature"),
    ]


def test_a_star_import_exposes_the_names_a_module_imports(ws: Workspace, runtime: Any) -> None:
    hit = first(ws, "carefulpkg.fetch")
    assert (hit.qualname, hit.line) == ("carefulpkg.loading.fetch", 14)
    assert hit.via == "star-imported by carefulpkg; imported by carefulpkg.reexports"
    package = runtime("carefulpkg")
    assert package.fetch is runtime("carefulpkg.loading").fetch
    agrees(hit, package.fetch)


def test_among_copies_of_a_function_the_one_other_modules_import_comes_first(
    ws: Workspace, runtime: Any
) -> None:
    ranked = [r.qualname for r in ws.find("eager_forward").matches]
    assert ranked == ["carefulpkg.attention_z.eager_forward", "carefulpkg.attention_a.eager_forward"]
    used = runtime("carefulpkg.block_one").eager_forward
    assert used is runtime("carefulpkg.block_two").eager_forward
    assert used is runtime("carefulpkg.attention_z").eager_forward
    agrees(ws.find("eager_forward").results[0], used)


def test_a_dataclass_init_replaces_the_init_of_a_base(ws: Workspace, runtime: Any) -> None:
    """``@dataclass`` on a class without an ``__init__`` of its own makes one, though a base
    has one (transformers' ``ModelOutput.__init__`` never runs for ``CausalLMOutputWithPast``):
    the base's is listed after it; a class deriving without ``@dataclass`` keeps the base's."""
    results = ws.find("LossOutput.__init__").results
    assert [(r.qualname, r.kind) for r in results[:2]] == [
        ("carefulpkg.configs.LossOutput", "class"),
        ("carefulpkg.configs.Output.__init__", "method"),
    ]
    assert results[0].via == f"made by @dataclass from the fields of LossOutput ({PKG}/configs.py:99)"
    assert "replaced by the first result" in results[1].via
    assert runtime("carefulpkg.configs").LossOutput.__init__.__code__.co_filename == "<string>"
    plain = first(ws, "PlainOutput.__init__")
    assert plain.qualname == "carefulpkg.configs.Output.__init__"
    agrees(plain, runtime("carefulpkg.configs").PlainOutput.__init__)


def test_a_dataclass_s_keywords_leave_a_base_s_members_in_place(ws: Workspace, runtime: Any) -> None:
    """``@dataclass(init=False)`` makes no ``__init__`` (the base's runs), but its
    ``__eq__``; ``@dataclass(repr=False, eq=False)`` makes the ``__init__`` only."""
    module = runtime("carefulpkg.dataclassed")
    kept = first(ws, "KeepsInit.__init__")
    assert kept.qualname == "carefulpkg.dataclassed.Shaped.__init__"
    agrees(kept, module.KeepsInit.__init__)
    made = first(ws, "KeepsInit.__eq__")
    assert (made.qualname, made.kind) == ("carefulpkg.dataclassed.KeepsInit", "class")
    assert module.KeepsInit.__eq__.__code__.co_filename == "<string>"
    for member in ("__repr__", "__eq__"):
        base = first(ws, f"KeepsRepr.{member}")
        assert base.qualname == f"carefulpkg.dataclassed.Shaped.{member}"
        agrees(base, getattr(module.KeepsRepr, member))
    assert first(ws, "KeepsRepr.__init__").qualname == "carefulpkg.dataclassed.KeepsRepr"


def test_a_dataclass_a_base_s_init_subclass_applies_makes_the_members(ws: Workspace, runtime: Any) -> None:
    """``dataclass(cls, repr=False)`` in ``__init_subclass__`` (transformers'
    ``PreTrainedConfig``): every class deriving has an ``__eq__`` made from its fields
    (``LlamaConfig.__eq__``), its base's listed after it; the ``__repr__`` is the base's."""
    module = runtime("carefulpkg.dataclassed")
    results = ws.find("Registration.__eq__").results
    assert [(r.qualname, r.kind) for r in results[:2]] == [
        ("carefulpkg.dataclassed.Registration", "class"),
        ("carefulpkg.dataclassed.Shaped.__eq__", "method"),
    ]
    assert results[0].via == (
        f"made from the fields of Registration ({PKG}/dataclassed.py:35) by dataclass(cls) in "
        f"Registered.__init_subclass__ ({PKG}/dataclassed.py:32)"
    )
    assert "made again by dataclass(cls)" in results[1].via
    assert module.Registration.__eq__.__code__.co_filename == "<string>"
    assert first(ws, "Registration.__init__").qualname == "carefulpkg.dataclassed.Registration"
    kept = first(ws, "Registration.__repr__")
    assert kept.qualname == "carefulpkg.dataclassed.Shaped.__repr__"
    agrees(kept, module.Registration.__repr__)


def test_a_field_holds_what_its_default_factory_makes(ws: Workspace, runtime: Any) -> None:
    """``tally: object = field(default_factory=Tally)``: ``self.tally`` is a ``Tally``."""
    module = runtime("carefulpkg.dataclassed")
    assert isinstance(module.Counted().tally, module.Tally)
    (count,) = [lv.callee for lv in ws.calls("carefulpkg.dataclassed.Counted.total").levels]
    assert count.site.name.expr == "self.tally.count"
    assert [t.qualname for t in count.targets] == ["carefulpkg.dataclassed.Tally.count"]


def test_a_member_a_decorator_sets_under_a_keyword_it_is_not_passed_is_left_out(
    ws: Workspace, runtime: Any
) -> None:
    # a bare @checked leaves accept_kwargs False: its __init__ and __repr__ never run
    results = ws.find("PlainChecked.__init__").results
    assert results[0].qualname == "carefulpkg.guarded.checked.<locals>.wrap.<locals>.init_with_validate"
    assert all(r.qualname != "carefulpkg.guarded.checked.<locals>.wrap.<locals>.__init__" for r in results)
    assert results[0].via.endswith(
        f"(not checked.<locals>.wrap's cls.__init__ ({PKG}/guarded.py:18): set only if accept_kwargs "
        f"({PKG}/guarded.py:11), and @checked of PlainChecked leaves accept_kwargs at its default (False))"
    )
    agrees(results[0], runtime("carefulpkg.guarded").PlainChecked.__init__)
    hit = first(ws, "PlainChecked.__repr__")
    assert hit.qualname == "carefulpkg.guarded.GuardedBase.__repr__"
    agrees(hit, runtime("carefulpkg.guarded").PlainChecked.__repr__)


def test_a_member_a_decorator_sets_under_a_keyword_it_is_passed_is_kept(ws: Workspace, runtime: Any) -> None:
    results = ws.find("ReprChecked.__init__").results
    assert [r.qualname for r in results[:2]] == [
        "carefulpkg.guarded.checked.<locals>.wrap.<locals>.init_with_validate",
        "carefulpkg.guarded.checked.<locals>.wrap.<locals>.__init__",
    ]
    hit = first(ws, "ReprChecked.__repr__")
    assert hit.qualname == "carefulpkg.guarded.checked.<locals>.wrap.<locals>.__repr__"
    agrees(hit, runtime("carefulpkg.guarded").ReprChecked.__repr__)


def test_a_member_set_only_for_a_dataclass_with_repr_is_left_out_for_one_without(
    ws: Workspace, runtime: Any
) -> None:
    # @checked(accept_kwargs=True) on a @dataclass(repr=False): the __repr__ guard is false
    hit = first(ws, "GuardedBase.__repr__")
    assert hit.qualname == "carefulpkg.guarded.GuardedBase.__repr__"
    assert hit.via == (
        f"direct (not checked.<locals>.wrap's cls.__repr__ ({PKG}/guarded.py:26): set only if "
        f"cls.__dataclass_params__.repr ({PKG}/guarded.py:25), "
        "and GuardedBase is a dataclass with repr=False)"
    )
    agrees(hit, runtime("carefulpkg.guarded").GuardedBase.__repr__)


def test_what_a_decorator_sets_in_the_else_of_a_keyword_runs_only_without_it(
    ws: Workspace, runtime: Any
) -> None:
    hit = first(ws, "PlainChecked.checked_plainly")
    assert hit.line == 28
    assert runtime("carefulpkg.guarded").PlainChecked.checked_plainly is True
    assert not ws.find("ReprChecked.checked_plainly").results
    assert not hasattr(runtime("carefulpkg.guarded").ReprChecked, "checked_plainly")


def test_a_function_defined_in_a_method_is_found_by_its_bare_name(ws: Workspace, runtime: Any) -> None:
    hit = first(ws, "only_nested")
    assert hit.qualname == "carefulpkg.nesting.Table.map_rows.<locals>.only_nested"
    assert (hit.kind, hit.line) == ("function", 14)
    code = next(
        c
        for c in runtime("carefulpkg.nesting").Table.map_rows.__code__.co_consts
        if hasattr(c, "co_name") and c.co_name == "only_nested"
    )
    assert code.co_firstlineno == hit.line
    if sys.version_info >= (3, 11):
        assert hit.qualname.endswith(code.co_qualname)


def test_a_nested_function_ranks_after_the_module_level_one_of_its_name(ws: Workspace) -> None:
    results = ws.find("apply_rows").results
    assert [r.qualname for r in results] == [
        "carefulpkg.nesting.apply_rows",
        "carefulpkg.nesting.Table.map_rows.<locals>.apply_rows",
    ]


def test_a_call_in_a_nested_function_reads_the_names_of_the_function_around_it(
    ws: Workspace, runtime: Any
) -> None:
    # ``apply_rows`` in ``only_nested`` is the one ``map_rows`` defines (Python's closure),
    # not the module's: a nested def is kept, but its lines are read in its host's body
    answer = ws.goto_all(f"{PKG}/nesting.py", 15, 19)
    nested = "carefulpkg.nesting.Table.map_rows.<locals>.apply_rows"
    assert [r.qualname for r in answer.results][:1] == [nested]
    assert runtime("carefulpkg.nesting").Table().map_rows([1, 0]) == [1]  # the nested one filters


def test_the_palette_finds_a_nested_function_by_its_own_name(ws: Workspace) -> None:
    ws.index_all(workers=1)  # the palette lists what is indexed
    found = [r.qualname for r in ws.complete("only_nested")]
    assert found[:1] == ["carefulpkg.nesting.Table.map_rows.<locals>.only_nested"]


def test_a_keyword_of_a_function_the_decorator_defines_is_not_the_decorators(
    ws: Workspace, runtime: Any
) -> None:
    # ``if shout:`` in a function nested in the decorator: its own parameter, which the
    # decorator's call passes True, not a keyword of ``@tagged`` left at a default
    hit = first(ws, "Tagged.__str__")
    assert hit.qualname == "carefulpkg.guarded.tagged.<locals>.wrap.<locals>.mark.<locals>.__str__"
    agrees(hit, runtime("carefulpkg.guarded").Tagged.__str__)
