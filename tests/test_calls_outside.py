"""Names of another package in the synthetic package (tests/fixtures/callrepo/src/callpkg/outside.py):
a method of a value annotated with a class of another package lists the overrides of
the classes deriving from it, in the package and in the pins its module imports from;
an import that may fail is what its ``X = None`` placeholder stands in for."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from codewalk.calls import derived
from codewalk.calls.model import BUILTIN, EXTERNAL, UNRESOLVED
from codewalk.calls.reached import Reach
from codewalk.index.records import Definition, FileRow
from codewalk.index.store import Store
from codewalk.resolve.model import ModuleView
from codewalk.resolve.resolver import Resolver
from codewalk.source.checkout import Checkout
from codewalk.workspace.facts import IndexFacts
from codewalk.workspace.stack import Stack
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace, make_accel, make_callrepo


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


OUT = "callpkg.outside."
OWNERS = {"callpkg": "calls", "accelerate": "accel"}


def two_pins(checkout: Checkout, synced: Sequence[str] = (), opened: list[str] | None = None) -> Stack:
    """The call package's stack with the accelerate stand-in as a second pin, in the
    cache when ``synced`` names it; each opening of it is appended to ``opened``."""

    def opener(repo: str) -> Checkout:
        if opened is not None:
            opened.append(repo)
        return make_accel(checkout.root)

    return Stack(Store.memory(), owners=OWNERS, opener=opener, synced=lambda: list(synced))


def test_a_method_of_a_value_annotated_with_a_class_of_another_package(ws: Workspace) -> None:
    """``model: torch.nn.Module``: ``model.to`` is torch's (not read), or an override in
    a class of the package deriving from it (``Tiny.to``, its base written ``nn.Module``)."""
    found = callees(ws, OUT + "Loop.run")
    to = found[(32, "model.to")]
    assert [t.qualname for t in to.targets] == [OUT + "Tiny.to"]
    assert to.how == (
        "model is annotated torch.nn.Module in Loop.run: torch.nn.Module.to (in another package), "
        "or the 1 override in classes deriving from it"
    )
    assert to.targets[0].via == "an override in Tiny, a class deriving from torch.nn.Module"
    numpy = found[(33, "data.numpy")]  # no class of the package derives from torch.Tensor
    assert (numpy.status, numpy.external) == (EXTERNAL, "torch.Tensor.numpy")
    assert numpy.how.startswith("data is annotated torch.Tensor in Loop.run; ")


def test_calling_a_parameter_annotated_as_a_torch_module_runs_a_forward(ws: Workspace) -> None:
    """``model(batch)`` with ``model: nn.Module``: a module call, which runs torch's
    ``forward`` or an override in a class deriving from ``nn.Module`` (``Head.forward``),
    as ``model.forward(batch)`` would; not a call on a value codewalk cannot type."""
    (call,) = callees(ws, OUT + "fit").values()
    forwards = [t.qualname for t in call.targets]
    assert OUT + "Head.forward" in forwards and "callpkg.fanning.Part.forward" in forwards
    assert {name.rpartition(".")[2] for name in forwards} == {"forward"}
    assert call.how == (
        "model is annotated nn.Module in fit; calling one runs its forward (nn.Module.__call__): "
        f"torch.nn.Module.forward (in another package), or the {len(forwards)} overrides in classes "
        "deriving from it"
    )


def test_a_method_a_class_deriving_from_the_base_takes_from_a_mixin_is_listed(ws: Workspace) -> None:
    """``module.set_processor(...)`` with ``module: nn.Module``: ``MixedAttention(nn.Module,
    ProcessorMixin)`` takes ``set_processor`` from the mixin, which does not derive from
    ``nn.Module`` (diffusers' ``AttentionModuleMixin``): the mixin's method is listed."""
    (call,) = callees(ws, OUT + "set_everywhere").values()
    listed = {t.qualname: t.via for t in call.targets}
    assert set(listed) == {
        OUT + "ProcessorMixin.set_processor",
        "callpkg.registering.Attention.set_processor",
    }
    assert listed[OUT + "ProcessorMixin.set_processor"].startswith(
        "defined in ProcessorMixin, a base of MixedAttention, which derives from torch.nn.Module"
    )


def test_a_method_of_self_no_pinned_class_defines_is_the_outside_base_s(ws: Workspace) -> None:
    """``self.named_children()`` in an ``nn.Module``: torch's method, in another package; in
    a class deriving from ``ABC`` alone, still a method codewalk cannot find (``abc`` gives
    a class no methods to call)."""
    (walk,) = callees(ws, "callpkg.bases.Walker.names").values()
    assert (walk.status, walk.external) == (EXTERNAL, "torch.nn.Module.named_children")
    assert walk.how.endswith("it derives from torch.nn.Module, of another package")
    (plan,) = callees(ws, "callpkg.bases.Plan.run").values()
    assert plan.status == UNRESOLVED and plan.how.startswith("self.execute: neither Plan nor the bases")


def test_a_method_of_a_typed_value_no_pinned_class_defines_is_the_outside_base_s(ws: Workspace) -> None:
    """``model_to_save.state_dict()`` where ``model_to_save = unwrap_model(self)`` is a
    ``PreTrainedModel``: torch's ``nn.Module.state_dict``, as ``self.state_dict()`` is,
    not a call on a value codewalk cannot type; a local or a parameter alike. A method no
    base defines stays not resolved."""
    found = callees(ws, "callpkg.bases.typed")
    for line, expr, said in [
        (
            91,
            "held.named_children",
            "held = unwrap(walker) (line 90): unwrap returns its model, passed walker",
        ),
        (92, "walker.named_children", "walker is annotated (walker: Walker in typed)"),
    ]:
        call = found[(line, expr)]
        assert (call.status, call.external, call.minor) == (EXTERNAL, "torch.nn.Module.named_children", False)
        assert call.how == (
            f"{said}; no class of Walker's MRO codewalk can read defines named_children; it derives "
            "from torch.nn.Module, of another package"
        )
    execute = found[(93, "plan.execute")]
    assert execute.status == UNRESOLVED
    assert execute.how == (
        "plan is annotated (plan: Plan in typed), which defines no execute codewalk can read"
    )


def test_a_method_of_a_builtin_container_an_attribute_or_property_holds(ws: Workspace) -> None:
    """``self.parts.keys()`` where the property ``parts`` returns ``dict[...]``, and
    ``self.seen.append`` where ``self.seen = []``: builtin methods, not untyped values."""
    found = callees(ws, "callpkg.bases.Registry.names")
    keys, append = found[(32, "self.parts.keys")], found[(31, "self.seen.append")]
    assert (keys.status, append.status) == (BUILTIN, BUILTIN)
    assert keys.how == "dict.keys, a Python builtin (self.parts is a dict, src/callpkg/bases.py:27)"
    assert append.how == "list.append, a Python builtin (self.seen is a list, src/callpkg/bases.py:24)"


def test_a_method_of_an_attribute_set_from_a_parameter_annotated_a_list_is_the_builtin(ws: Workspace) -> None:
    """``self.layers.append`` where ``self.layers = layers if layers is not None else []``
    and ``layers: list[Registry] | None`` (transformers' ``Cache.update``): the list's
    ``append``, not an attribute "whose type is not declared"."""
    (append,) = [
        c for (_, name), c in callees(ws, "callpkg.bases.Layers.grow").items() if name == "self.layers.append"
    ]
    assert append.status == BUILTIN
    assert append.how == "list.append, a Python builtin (self.layers is a list, src/callpkg/bases.py:76)"


def test_an_attribute_of_a_local_first_assigned_none_is_no_builtin(ws: Workspace) -> None:
    """``outputs = None`` before the loop that assigns what ``outputs.past.crop()`` runs
    (``_assisted_decoding``): ``None.past.crop`` is said to be nothing, not "a Python builtin"."""
    found = callees(ws, "callpkg.generation.assisted_loop")
    crop = found[(41, "outputs.past.crop")]
    assert crop.status == UNRESOLVED
    assert "outputs = None (line 38): None has no attribute past: not what the call runs" in crop.how
    assert "a Python builtin" not in crop.how


def test_what_calling_an_instance_returns_is_what_its_forward_returns(ws: Workspace) -> None:
    """``outputs = self(**model_inputs)`` (``_assisted_decoding``): a module called returns
    what its ``forward`` is annotated to, so ``outputs.past_key_values.crop`` is
    ``Cache.crop`` (it was a value codewalk could not type)."""
    found = callees(ws, "callpkg.generation.Net.verify")
    crop = found[(59, "outputs.past.crop")]
    assert [t.qualname for t in crop.targets] == ["callpkg.generation.Past.crop"]
    assert "forward returns Output (annotated)" in crop.how


def test_what_calling_one_of_many_modules_returns_is_not_read(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``outputs = model(**inputs)`` of a model that may be any of 1,818 classes: what each
    forward returns is no type to go on with, and reading them all made ``path Trainer.train
    ForCausalLMLoss`` a third slower. Made "many" here, the call's result is not typed."""
    from codewalk.calls import tables

    monkeypatch.setattr(tables, "WIDE", 0)
    crop = callees(ws, "callpkg.generation.Net.verify")[(59, "outputs.past.crop")]
    assert not crop.targets
    assert crop.how == "outputs = self(1) (line 58): past.crop of a value whose type codewalk does not know"


def test_what_a_call_of_many_functions_returns_is_not_read(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``embeddings = model.get_input_embeddings()`` on a base hundreds of models derive
    from, each overriding it: what each returns is no type to go on with (as for calling
    any of many modules), nor what each returns of its arguments; reading them all read
    hundreds of bodies a path never goes through. Made "many" here, the result of a call
    of one function (``unwrap(walker)``, which returns its argument; ``self.get_base()``,
    which returns an attribute) is not typed."""
    from codewalk.calls import tables

    monkeypatch.setattr(tables, "WIDE", 0)  # both typed otherwise (above, and in test_calls_receiver)
    held = callees(ws, "callpkg.bases.typed")[(91, "held.named_children")]
    assert (held.status, held.targets, held.external) == (UNRESOLVED, (), "")
    unknown = "named_children of a value whose type codewalk does not know"
    assert held.how == f"held = unwrap(walker) (line 90): {unknown}"
    base = callees(ws, "callpkg.models.Wrapper.forward")[(202, "self.get_base()")]
    assert (base.status, base.targets) == (UNRESOLVED, ())
    assert base.how == "what self.get_base(…) returns, whose class codewalk does not know"


def test_calling_a_module_s_instance_of_a_class_named_in_lower_case_runs_its_call(ws: Workspace) -> None:
    """``progress = _progress_cls()`` (``tqdm = _tqdm_cls()``): ``progress(items)`` runs
    ``_progress_cls.__call__``, not only the variable."""
    (call,) = callees(ws, "callpkg.bases.walk").values()
    assert [t.qualname for t in call.targets] == [
        "callpkg.bases.progress",
        "callpkg.bases._progress_cls.__call__",
    ]


def test_an_annotated_parameter_is_no_guess_of_a_forward(ws: Workspace) -> None:
    """``sampler_fn(batch)`` with ``sampler_fn: Callable[...]`` calls a function the caller
    passes: a path does not guess it runs a module's ``forward``, as it may for the
    unannotated ``closure(batch)``."""
    (chain,) = ws.path(OUT + "sample", OUT + "Head.forward").search.chains
    assert [(hop.callee.site.line, hop.callee.site.name.expr) for hop in chain] == [(83, "closure")]
    assert "cannot type: possibly" in chain[0].callee.how
    # operation: str is no module either (diffusers' compare_versions, reached from any forward)
    assert not ws.path(OUT + "compare", OUT + "Head.forward").search.chains


def test_an_attribute_unpacked_from_an_annotated_tuple_parameter(ws: Workspace) -> None:
    """``self.optimizer, self.steps = optimizers`` with ``optimizers: tuple[torch.optim.Optimizer
    | None, int]``: ``self.optimizer`` is an Optimizer (``Wrapped`` derives from it, imported
    ``from torch.optim import Optimizer``)."""
    step = callees(ws, OUT + "Loop.run")[(34, "self.optimizer.step")]
    assert [t.qualname for t in step.targets] == [OUT + "Wrapped.step"]
    assert step.how.startswith(
        "self.optimizer is a torch.optim.Optimizer "
        "(set at src/callpkg/outside.py:29 from an annotated parameter)"
    )


def test_the_overrides_in_a_pin_the_module_imports_from_are_read(tmp_path: Path) -> None:
    """``import accelerate``: its pin, in the cache but not opened yet, is opened to read
    its classes deriving from torch's ``Optimizer``; a pin not in the cache is not fetched."""
    checkout = make_callrepo(tmp_path)
    opened: list[str] = []
    for synced, expected in (([], []), (["accel"], ["accel"])):
        stack = two_pins(checkout, synced, opened)
        opened.clear()
        with Workspace(checkout, stack.store, stack=stack) as ws:
            step = callees(ws, OUT + "Loop.run")[(34, "self.optimizer.step")]
        assert opened == expected
        wanted = [OUT + "Wrapped.step"] + ["accelerate.optimizer.AcceleratedOptimizer.step"] * bool(expected)
        assert [t.qualname for t in step.targets] == wanted


def test_a_placeholder_for_a_failed_import_does_not_hide_the_import(ws: Workspace) -> None:
    """``LocalFileSystem = None`` in ``except ImportError``: the imported class first."""
    found = ws.find(OUT + "LocalFileSystem").matches
    assert [(m.qualname, m.kind) for m in found] == [
        ("callpkg.classmaking.LocalFileSystem", "class"),
        (OUT + "LocalFileSystem", "variable"),
    ]


def test_an_attribute_annotated_with_a_base_class_may_hold_a_class_deriving_from_it(ws: Workspace) -> None:
    """``self.formatter = formatter`` of ``formatter: Formatter``: ``self.formatter.format``
    is Formatter's, or the override of a class deriving from it."""
    (fmt,) = callees(ws, OUT + "Row.get").values()
    assert [t.qualname for t in fmt.targets] == [OUT + "Formatter.format", OUT + "PlainFormatter.format"]
    assert fmt.targets[1].via.startswith(
        "self.formatter is a Formatter (set at src/callpkg/outside.py:62 from an annotated parameter)"
    ) and fmt.targets[1].via.endswith("an override in PlainFormatter, deriving from Formatter")


def test_every_definition_of_a_name_is_read_of_the_kinds_asked_for(ws: Workspace) -> None:
    """The overrides of a member of a class of another package are methods and properties:
    asked for those kinds alone, the functions, rebindings, attributes and variables of
    the name are not read, and the rest come as when every kind is read."""
    code = ws.calling.code
    overriding = ("method", "property")
    for name in ("forward", "parts", "names"):
        every = code.named(name)
        assert {r.kind for r in every} - set(overriding)  # something of another kind is left out
        assert code.named(name, kinds=overriding) == [r for r in every if r.kind in overriding]
    assert {r.kind for r in code.named("parts", kinds=overriding)} == {"property"}


def test_a_pin_opened_later_is_seen_by_a_name_asked_before(tmp_path: Path) -> None:
    """What "every definition named X" answered holds only while no other pin is opened:
    one opened later (a question reached into it) counts."""
    checkout = make_callrepo(tmp_path)
    stack = two_pins(checkout)
    with Workspace(checkout, stack.store, stack=stack) as ws:
        code, pins = ws.calling.code, frozenset({"calls", "accel"})
        owners = {OUT + "Wrapped", "accelerate.optimizer.AcceleratedOptimizer"}
        before = [r.qualname for r in code.named("step", within=pins)]
        assert OUT + "Wrapped.step" in before
        assert "accelerate.optimizer.AcceleratedOptimizer.step" not in before
        assert [r.qualname for r in code.members_named("step", owners, pins)] == [OUT + "Wrapped.step"]
        assert stack.facts("accel") is not None
        after = [r.qualname for r in code.named("step", within=pins)]
        assert after == [*before, "accelerate.optimizer.AcceleratedOptimizer.step"]
        members = [r.qualname for r in code.members_named("step", owners, pins)]
        assert members == [OUT + "Wrapped.step", "accelerate.optimizer.AcceleratedOptimizer.step"]


def test_a_pin_opened_later_is_searched_for_classes_deriving_from_one_asked_before(tmp_path: Path) -> None:
    """What "every class deriving from C" answered before a pin opened is the answer of
    the pins open then; asked again, the new pin's classes come after, in the order a
    workspace that opened both pins first gives."""
    checkout = make_callrepo(tmp_path)
    stack = two_pins(checkout)
    with Workspace(checkout, stack.store, stack=stack) as ws:
        cr = ws.calling.cr
        formatter = ws.resolver.find(OUT + "Formatter", related=False).matches[0]
        before = [c.qualname for c in cr.descendants(formatter)]
        assert before == [OUT + "PlainFormatter"]
        assert stack.facts("accel") is not None
        after = [c.qualname for c in cr.descendants(formatter)]
        assert after == [*before, "accelerate.tracking.TrackedFormatter"]
    fresh = two_pins(checkout)
    with Workspace(checkout, fresh.store, stack=fresh) as ws:
        assert fresh.facts("accel") is not None
        formatter = ws.resolver.find(OUT + "Formatter", related=False).matches[0]
        assert [c.qualname for c in ws.calling.cr.descendants(formatter)] == after


def test_a_pin_opened_later_holding_no_class_deriving_from_one_leaves_its_classes_as_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked again after a pin opened, "every class deriving from C" asks the new pin
    alone, about C and every class found below it at once (not a level at a time, as if
    asked the first time): one that holds none of them leaves the answer as it was."""
    checkout = make_callrepo(tmp_path)
    stack = two_pins(checkout)
    asked: list[str] = []
    naming = IndexFacts.classes_naming_bases

    def spy(facts: IndexFacts, names: Sequence[str]) -> list[tuple[FileRow, Definition]]:
        asked.append(facts.repo)
        return naming(facts, names)

    monkeypatch.setattr(IndexFacts, "classes_naming_bases", spy)
    with Workspace(checkout, stack.store, stack=stack) as ws:
        cr = ws.calling.cr
        pretrained = ws.resolver.find("callpkg.drafting.DraftPretrained", related=False).matches[0]
        before = [c.qualname for c in cr.descendants(pretrained)]
        drafts = ["DraftText", "DraftAudio", "DraftCausalLM"]
        assert before == [f"callpkg.drafting.{name}" for name in drafts]
        assert stack.facts("accel") is not None
        asked.clear()
        assert [c.qualname for c in cr.descendants(pretrained)] == before
        assert asked == ["accel"]


def test_path_fetches_only_the_pins_of_its_two_ends(tmp_path: Path) -> None:
    """``path`` reads bodies in the repositories of FROM and TO: another pin, not in the
    cache, is not fetched for it (its calls end at the call site, as they would anyway),
    and what was answered without it is not kept: ``calls`` after it fetches the pin and
    resolves the call into it. A TO in that pin fetches it."""
    checkout = make_callrepo(tmp_path)
    opened: list[str] = []
    stack = two_pins(checkout, (), opened)
    with Workspace(checkout, stack.store, stack=stack) as ws:
        answer = ws.path("Trainer.train", "Layer.forward")  # through step, which calls accelerate
        assert answer.search.chains and opened == [] and stack.skipped == {"accel"}
        assert answer.unfetched == ("accel",)  # said, for the reader to weigh the chains
        backward = callees(ws, "Trainer.step")[(42, "self.accelerator.backward")]  # read by path
        assert opened == ["accel"]
        assert [t.qualname for t in backward.targets] == ["accelerate.accelerator.Accelerator.backward"]
    stack = two_pins(checkout, (), opened)
    opened.clear()
    with Workspace(checkout, stack.store, stack=stack) as ws:
        answer = ws.path("Trainer.train", "accelerate.Accelerator.backward")
        assert opened == ["accel"] and stack.skipped == set() and answer.unfetched == ()
        assert answer.search.chains[0][-1].reached == "accelerate.accelerator.Accelerator.backward"


def test_callers_list_the_readers_repository_first_and_test_scripts_last(tmp_path: Path) -> None:
    """``callers accelerate.Accelerator.backward`` asked from the call package: its call
    first, though ``src/accelerate/...`` sorts before ``src/callpkg/...``; accelerate's own
    test script (``test_utils/scripts/sync_check.py``) last."""
    checkout = make_callrepo(tmp_path)
    stack = two_pins(checkout)
    with Workspace(checkout, stack.store, stack=stack) as ws:
        found = ws.callers("accelerate.Accelerator.backward").callers
    assert [(c.path, c.line) for c in found if c.kind == "call"] == [
        ("src/callpkg/trainer.py", 42),
        ("src/accelerate/test_utils/scripts/sync_check.py", 5),
    ]


def test_a_method_of_a_module_variable_holding_a_builtin_container_is_the_builtin(ws: Workspace) -> None:
    """``NAMES.append`` of ``NAMES = [...]``, ``ALIASES.get`` of ``ALIASES: dict[str, str]``,
    ``ORDERED.values`` of ``ORDERED = OrderedDict(...)`` and ``LOSSES.keys`` of a dict
    imported from another module: builtin methods, not names codewalk cannot find."""
    found = callees(ws, "callpkg.mappings.known")
    assert {where: (c.status, c.how) for where, c in found.items()} == {
        (13, "NAMES.append"): (
            "builtin",
            "list.append, a Python builtin (NAMES is a list, src/callpkg/mappings.py:5)",
        ),
        (14, "ALIASES.get"): (
            "builtin",
            "dict.get, a Python builtin (ALIASES is a dict, src/callpkg/mappings.py:6)",
        ),
        (14, "LOSSES.keys"): (
            "builtin",
            "dict.keys, a Python builtin (LOSSES is a dict, src/callpkg/losses.py:14)",
        ),
        (14, "ORDERED.values"): (
            "builtin",
            "dict.values, a Python builtin (ORDERED is a dict, src/callpkg/mappings.py:8)",
        ),
    }


def test_a_method_of_a_container_imported_in_the_body_is_the_builtin(ws: Workspace) -> None:
    """``from .losses import LOSSES as losses_table`` inside the function, then
    ``losses_table.keys()`` (peft's ``MODEL_TYPE_TO_PEFT_MODEL_MAPPING.keys()`` in
    ``PeftModel.from_pretrained``): the dict's builtin method, as for a module-level
    import; it was "imported in the body, but not found", of a table that is there."""
    keys = callees(ws, "callpkg.mappings.known_later")[(20, "losses_table.keys")]
    assert (keys.status, keys.how) == (
        "builtin",
        "dict.keys, a Python builtin (LOSSES is a dict, src/callpkg/losses.py:14)",
    )


def test_a_method_of_an_instance_imported_in_the_body_is_its_class_s(ws: Workspace) -> None:
    """``from .registry import REGISTRY`` inside the function, then
    ``REGISTRY.get_interface(...)`` (transformers' ``ALL_ATTENTION_FUNCTIONS.register`` in
    ``load_and_register_attn_kernel``): the method of the class ``REGISTRY`` is declared to
    hold, as for a module-level import; it was "imported in the body, but not found"."""
    found = callees(ws, "callpkg.mappings.registered_later")[(26, "REGISTRY.get_interface")]
    assert [t.qualname for t in found.targets] == ["callpkg.registry.Registry.get_interface"]
    assert found.how == "REGISTRY is a Registry (annotated at src/callpkg/registry.py:11)"
    callers = ws.callers("callpkg.registry.Registry.get_interface").callers
    assert ("src/callpkg/mappings.py", 26) in [(c.path, c.line) for c in callers if c.kind == "call"]


def test_a_misspelled_name_is_suggested_from_whichever_pin_is_closest(tmp_path: Path) -> None:
    """``find Acelerator`` over both pins: accelerate's ``Accelerator`` first, though the
    call package (the one asked about) has ``accelerator`` (cased otherwise) and
    ``accelerated``; the error names both pins."""
    from codewalk.cli.common import not_found

    checkout = make_callrepo(tmp_path)
    stack = two_pins(checkout)
    with Workspace(checkout, stack.store, stack=stack) as ws:
        ws.index_all(workers=1)
        stack.facts("accel")
        found = ws.find("Acelerator", scope=["calls", "accel"])
    assert not found.results and found.suggestions[:3] == ("Accelerator", "accelerator", "accelerated")
    error = not_found(found, checkout, others=["accel"])
    assert error.message == (
        "'Acelerator': no definition found in calls@local@calls-1 nor in the other pins in the cache (accel)"
    )


def test_calls_of_a_class_misspelled_suggests_it_from_the_pin_that_has_it(tmp_path: Path) -> None:
    """``calls Acelerator.backward`` asked of the call package: accelerate's
    ``Accelerator.backward``, as ``find`` suggests it, not names spelled like ``backward``
    in the package asked about."""
    from codewalk.workspace.calling import NoDefinition

    checkout = make_callrepo(tmp_path)
    stack = two_pins(checkout)
    with Workspace(checkout, stack.store, stack=stack) as ws:
        ws.index_all(workers=1)
        stack.facts("accel")
        with pytest.raises(NoDefinition) as raised:
            ws.calls("Acelerator.backward", scope=["calls", "accel"])
    assert raised.value.suggestions[:1] == ("Accelerator.backward",)


def test_a_name_no_pin_defines_is_said_to_be_in_none_of_the_pins_searched(tmp_path: Path) -> None:
    """``calls``, ``callers`` and ``path`` look for a short name in every pin in the cache
    (``scope``): the error names them all, as ``find`` does, not the pin asked about alone
    (a trace's commands, asked from the first pin that ran, named that one)."""
    from codewalk.workspace.calling import NoDefinition

    checkout = make_callrepo(tmp_path)
    stack = two_pins(checkout)
    with Workspace(checkout, stack.store, stack=stack) as ws:
        ws.index_all(workers=1)
        stack.facts("accel")
        asked = (
            lambda: ws.calls("nowhere_defined", scope=["calls", "accel"]),
            lambda: ws.callers("nowhere_defined", scope=["calls", "accel"]),
            lambda: ws.path("callpkg.acts.Gelu.forward", "nowhere_defined", scope=["calls", "accel"]),
        )
        for ask in asked:
            with pytest.raises(NoDefinition) as raised:
                ask()
            assert raised.value.message == (
                "'nowhere_defined': no definition found in calls@local@calls-1"
                " nor in the other pins in the cache (accel)"
            )
        with pytest.raises(NoDefinition) as raised:
            ws.calls("nowhere_defined")
    assert raised.value.message == "'nowhere_defined': no definition found in calls@local@calls-1"


def test_a_table_entry_found_beside_a_function_says_its_version(ws: Workspace) -> None:
    """``find causal_loss``: the ``LOSSES`` entry reaching it is of the same pin and
    version as the function (``find --json`` printed an empty version for it)."""
    results = ws.find("causal_loss").results
    entries = [r for r in results if r.kind == "entry"]
    assert "callpkg.losses.LOSSES['ForCausalLM']" in [e.qualname for e in entries]
    assert {e.version for e in entries} == {results[0].version} == {"local@calls-1"}


def test_calls_says_the_call_is_of_another_packages_method_before_its_overrides(ws: Workspace) -> None:
    """The text of ``calls`` names torch's ``to`` as what ``model.to`` is first (not read),
    as ``--json``'s ``how`` does, not ``Tiny.to`` alone as if it were the call."""
    from codewalk.cli.calls_output import callee_lines

    to = callees(ws, OUT + "Loop.run")[(32, "model.to")]
    lines = [line.strip() for line in callee_lines(to)]
    assert lines[0].startswith(f"32  model.to -> {OUT}Tiny.to")
    assert lines[1:] == [
        "via: an override in Tiny, a class deriving from torch.nn.Module",
        "model is annotated torch.nn.Module in Loop.run: torch.nn.Module.to (in another package), "
        "or the 1 override in classes deriving from it",
    ]


def test_calls_counts_the_targets_it_leaves_out_with_thousands_separators(ws: Workspace) -> None:
    """Under a ``via`` that says ``1,818 classes deriving from it``, the targets left out
    are counted as it counts them (``... and 1,815 more``), not ``1815``."""
    from codewalk.cli.calls_output import MORE_TARGETS, callee_lines

    to = callees(ws, OUT + "Loop.run")[(32, "model.to")]
    many = to._replace(targets=to.targets * (1816 + MORE_TARGETS))
    assert callee_lines(many)[-1].strip() == "... and 1,815 more (--json lists them)"
    from codewalk.cli.traced import _site_lines
    from codewalk.traces.joined import SiteRun

    count = len(many.targets)
    idle = SiteRun(many, tuple((t, 0) for t in many.targets), 0, (), False, (0,) * count, (0,) * count)
    said = "... and 1,815 more targets, not run (--all lists them)"  # as calls --trace marks them
    assert _site_lines(idle, show_all=False).splitlines()[-1].strip() == said


def test_super_call_of_a_torch_module_runs_the_forward_of_self_s_class(ws: Workspace) -> None:
    """A layer wrapping ``nn.Module.__call__`` (4.x's ``GradientCheckpointingLayer``):
    calling a ``Block`` runs the wrapper, whose ``super().__call__(...)`` runs
    ``Block.forward``, so a path goes on through it; asked about the wrapper alone, it
    is torch's ``__call__``."""
    (wrapped,) = callees(ws, OUT + "Block.__call__").values()
    assert [t.qualname for t in wrapped.targets] == [OUT + "Block.forward"]
    assert wrapped.how.startswith(
        "super() in CheckpointedLayer: torch.nn.Module.__call__, which runs the forward of a Block; "
    )
    (alone,) = callees(ws, OUT + "CheckpointedLayer.__call__").values()
    assert (alone.status, alone.external) == (EXTERNAL, "torch.nn.Module.__call__")
    (chain,) = ws.path(OUT + "Blocks.forward", OUT + "Block.forward").search.chains
    assert [hop.caller.target.qualname for hop in chain] == [
        OUT + "Blocks.forward",
        OUT + "CheckpointedLayer.__call__",
    ]


def test_an_attribute_first_set_to_none_is_said_by_what_it_is_made_later(ws: Workspace) -> None:
    """``self.scaler.amplify(loss)`` where ``__init__`` sets ``self.scaler = None`` and then
    what a call makes (accelerate's ``Accelerator.scaler``, set again three times): the
    ``None`` is a placeholder, and the answer names the assignment that makes the value;
    what a function returns may be of any class (not "a make_scaler(), which defines no
    amplify")."""
    amplify = callees(ws, OUT + "Scaled.backward")[(131, "self.scaler.amplify")]
    assert amplify.status == UNRESOLVED
    assert amplify.how == (
        "self.scaler is what make_scaler(…) returns (set at src/callpkg/outside.py:128), whose class "
        "codewalk does not know"
    )


def test_an_item_of_a_torch_module_dict_says_what_holds_it(ws: Workspace) -> None:
    """``lora_A = self.lora_A[name]`` where ``self.lora_A = nn.ModuleDict({})`` (peft's
    LoRA layer): not "no dict literal", but torch's class, filled at run time."""
    called = callees(ws, OUT + "Adapted.forward")[(142, "lora_A")]
    assert called.status == UNRESOLVED
    assert (
        "an item of callpkg.outside.Adapted.lora_A, a nn.ModuleDict (of a package no pin provides), "
        "filled at run time" in called.how
    )


def test_a_method_of_an_attribute_made_by_a_class_of_another_package_is_that_class_s(ws: Workspace) -> None:
    """``self.module = nn.Module()``: ``self.module.to`` is torch's ``Module.to``, not an
    override of a class deriving from it (``Tiny.to``): the value was made by calling
    ``nn.Module`` itself (accelerate's ``OrderedDict()`` of hooks listed transformers'
    ``_LazyAutoMapping.values`` as what ``.values()`` ran)."""
    (to,) = callees(ws, OUT + "Placed.move").values()
    assert (to.status, to.external, to.targets) == (EXTERNAL, "torch.nn.Module.to", ())
    assert to.how.startswith("self.module is a nn.Module (set at src/callpkg/outside.py:150)")


def test_a_method_of_an_untyped_attribute_of_a_typed_one_says_where_it_is_set(ws: Workspace) -> None:
    """``self.gradient_state.plugin_kwargs.get(...)``: ``Gradients`` sets ``plugin_kwargs``
    to a value of no type codewalk reads; it said the class "defines no plugin_kwargs.get",
    as if it had no such attribute."""
    (get,) = callees(ws, OUT + "Trainer2.syncs_each_batch").values()
    assert get.status == UNRESOLVED
    assert get.how == (  # the statement's first line, said to go on (not an empty tuple)
        "self.gradient_state is a Gradients (set at src/callpkg/outside.py:169); its plugin_kwargs: its "
        "type is not declared (first set at src/callpkg/outside.py:160: self.plugin_kwargs = ( …)"
    )


def test_a_method_of_a_parameter_annotated_with_a_builtin_among_others_is_the_builtin_s(
    ws: Workspace,
) -> None:
    """``path: str | os.PathLike``, then ``path.count(...)`` (diffusers' ``from_pretrained``):
    ``str.count``, a builtin; not the first class of another package in the annotation. A
    method no builtin of the annotation has is still the other package's."""
    found = callees(ws, OUT + "lines_of")
    lines, items, numpy = (found[(176, name)] for name in ("text.splitlines", "table.items", "table.numpy"))
    assert (lines.status, lines.how) == (
        BUILTIN,
        "text is annotated str | torch.Tensor in lines_of: str.splitlines, a Python builtin",
    )
    assert items.status == BUILTIN and items.how.endswith("dict.items, a Python builtin")
    assert (numpy.status, numpy.external) == (EXTERNAL, "torch.Tensor.numpy")


def test_an_attribute_made_by_a_class_of_another_package_on_a_later_line_is_of_it(ws: Workspace) -> None:
    """``self.hooks: nn.Module = (`` then ``nn.Module()`` on the next line (paddle's
    ``Layer._forward_post_hooks``, whose ``.items()`` was said to run transformers'
    ``_LazyAutoMapping.items``): the value is read from the whole statement, and made by
    the class itself, annotated or not; one a function makes may be of a class deriving
    from it (``Tiny.to``)."""
    found = callees(ws, OUT + "Hooked.move")
    for made in ("self.hooks.to", "self.typed.to"):  # self.typed: nn.Module = nn.Module(), on one line
        to = next(c for (_, expr), c in found.items() if expr == made)
        assert (to.status, to.external, to.targets) == (EXTERNAL, "torch.nn.Module.to", ())
    declared = next(c for (_, expr), c in found.items() if expr == "self.declared.to")
    assert [t.qualname for t in declared.targets] == [OUT + "Tiny.to"]


def test_apply_of_a_torch_autograd_function_runs_its_forward(ws: Workspace) -> None:
    """``_fMHA.apply(...)`` in xformers' ``_memory_efficient_attention`` was not resolved
    (``_fMHA is a class of xformers.ops.fmha``), so ``calls`` and ``path`` stopped there:
    ``apply`` of a class deriving from ``torch.autograd.Function`` runs the class's
    ``forward``; another member the class lacks is said as before."""
    found = callees(ws, OUT + "through_autograd")
    vjp = next(c for (_, expr), c in found.items() if expr == "Doubled.vjp")
    assert vjp.status == UNRESOLVED and vjp.how.startswith("Doubled is a class of callpkg.outside")
    apply = next(c for (_, expr), c in found.items() if expr == "Doubled.apply")
    assert [t.qualname for t in apply.targets] == [OUT + "Doubled.forward"]
    assert "runs its forward" in apply.how


@pytest.mark.parametrize("mode", ["lazy", "full"])
def test_apply_of_a_torch_autograd_function_imported_from_another_module_runs_its_forward(
    tmp_path: Path, mode: str
) -> None:
    """``BlockCircularConvolution.apply(x, kernel)`` in peft's ``C3ALinear.forward``, the
    class imported from the package's ``utils`` (transformers' ``_AllReduceBackward`` from
    ``parallel_utils`` alike): the class's ``forward``, as for one the module defines; it
    was "imported, but codewalk cannot find it", of a class that is there."""
    checkout = make_callrepo(tmp_path)
    (checkout.root / "src/callpkg/autograd_use.py").write_text(
        "from callpkg.outside import Doubled\n\n\ndef twice(x):\n    return Doubled.apply(x)\n"
    )
    with Workspace(checkout, Store.memory()) as ws:
        if mode == "full":
            ws.index_all(workers=1)
        apply = callees(ws, "callpkg.autograd_use.twice")[(5, "Doubled.apply")]
        assert [t.qualname for t in apply.targets] == [OUT + "Doubled.forward"]
        assert apply.how == (
            "Doubled is a class of callpkg.outside (src/callpkg/outside.py), deriving from "
            "torch.autograd.Function: its apply runs its forward"
        )


def test_a_union_with_a_class_of_another_package_reaches_either_s_method(ws: Workspace) -> None:
    """``model: Pretrained | nn.Module | None``: ``self.model.export_weights`` is
    ``Pretrained``'s, or an override in a class deriving from ``nn.Module`` (peft's
    ``PeftModel.save_pretrained`` from ``Trainer._save``), and ``callers`` finds the site."""
    unions = "callpkg.unions."
    (site,) = callees(ws, unions + "Saver.save").values()
    assert [t.qualname for t in site.targets] == [
        unions + "Pretrained.export_weights",
        unions + "Adapter.export_weights",
    ]
    assert site.targets[1].via.startswith(
        "self.model is a Pretrained or nn.Module (set at src/callpkg/unions.py:20"
    )
    found = [(c.kind, c.line) for c in ws.callers(unions + "Adapter.export_weights").callers]
    assert found == [("call", 23)]


def test_a_method_the_logger_factory_s_module_sets_on_a_class_of_another_package(ws: Workspace) -> None:
    """``logger = logging.get_logger(__name__)``, annotated to return a ``Protocol``:
    ``logger.warning_once`` is the function transformers' ``utils/logging.py`` sets as
    ``logging.Logger.warning_once``, and ``callers`` finds the site."""
    (once,) = callees(ws, "callpkg.logged.report").values()
    assert [t.qualname for t in once.targets] == ["callpkg.logs.warning_once"]
    assert once.how == (
        "logger is what logs.get_logger returns (src/callpkg/logged.py:5), a logging.Logger: "
        "callpkg.logs sets logging.Logger.warning_once = warning_once (src/callpkg/logs.py:20)"
    )
    found = [(c.kind, c.path, c.line) for c in ws.callers("callpkg.logs.warning_once").callers]
    assert found == [("call", "src/callpkg/logged.py", 9)]


def test_a_method_of_a_logger_a_factory_makes_is_the_logging_class_s(ws: Workspace) -> None:
    """``logger.error`` of ``logger = get_logger(__name__)``: a factory annotated to return
    ``logging.Logger`` (datasets') makes one, whose ``error`` is the standard library's; one
    annotated to return a ``Protocol`` (transformers' ``TransformersLogger``) that returns
    ``logging.getLogger(name)`` makes what that returns; one returning a pinned class
    deriving from ``logging.LoggerAdapter`` (accelerate's) that defines no ``info`` runs the
    base's. Each said, none "not resolved"."""
    (error,) = callees(ws, "callpkg.logged.complain").values()
    assert (error.status, error.external) == (EXTERNAL, "logging.Logger.error")
    assert error.how.startswith(
        "std_logger is what logs.get_std_logger returns (src/callpkg/logged.py:16), "
        "annotated logging.Logger (src/callpkg/logs.py:23); logging is the module logging"
    )
    (info,) = callees(ws, "callpkg.logged.announce").values()
    assert (info.status, info.external) == (EXTERNAL, "logging.getLogger(…).info")
    assert info.how.startswith(
        "logger is what logs.get_logger returns (src/callpkg/logged.py:5), annotated "
        "PackageLogger (src/callpkg/logs.py:12), a Protocol; it returns what logging.getLogger returns"
    )
    (adapted,) = callees(ws, "callpkg.logged.chat").values()  # accelerate's MultiProcessAdapter
    assert (adapted.status, adapted.external) == (EXTERNAL, "logging.LoggerAdapter.info")
    assert adapted.how.startswith("adapter is a ProcessAdapter (set at src/callpkg/logged.py:23)")


def test_a_method_of_a_logger_another_package_s_call_makes_is_what_that_returns(ws: Workspace) -> None:
    """``logger.warning`` of ``logger = logging.getLogger(__name__)`` itself (accelerate's
    ``big_modeling``, huggingface_hub's ``_local_folder``, diffusers' pipelines): the method
    of what that call returns, in another package, as for a factory returning that call;
    not "not resolved"."""
    (warning,) = callees(ws, "callpkg.logged.grumble").values()
    assert (warning.status, warning.external) == (EXTERNAL, "logging.getLogger(…).warning")
    assert warning.how.startswith(
        "direct is what logging.getLogger returns (src/callpkg/logged.py:30); logging is the module logging"
    )


_MODULAR_ADAPTER = '''\
"""The source an adapter's modeling file is generated from: never imported, never run."""

from torch import nn


class Adapter(nn.Module):
    def export_weights(self, path):
        return path
'''


def test_a_union_with_a_class_of_another_package_leaves_out_the_modular_sources(tmp_path: Path) -> None:
    """transformers' ``Trainer._save``: ``self.model.save_pretrained`` of ``model:
    PreTrainedModel | nn.Module`` listed ``modular_csm.CsmForConditionalGeneration``'s
    beside ``modeling_csm``'s: a modular file is what a modeling file is generated from,
    never run; its twin, the generated class, is the override."""
    checkout = make_callrepo(tmp_path)
    (checkout.root / "src/callpkg/modular_unions.py").write_text(_MODULAR_ADAPTER)
    with Workspace(checkout, Store.memory()) as ws:
        ws.index_all(workers=1)
        (site,) = callees(ws, "callpkg.unions.Saver.save").values()
        assert [t.qualname for t in site.targets] == [
            "callpkg.unions.Pretrained.export_weights",
            "callpkg.unions.Adapter.export_weights",
        ]


def test_a_method_of_a_logger_a_local_or_an_attribute_holds_is_what_the_call_returns(ws: Workspace) -> None:
    """``log = logging.getLogger(name)`` in the body, ``self.logger = logging.getLogger(...)``
    in ``__init__``: ``log.warning``, ``self.logger.info`` are of what that call returns, in
    another package, as for a module-level logger; a copy (``copy.copy(log)``) returns its
    argument, of no class codewalk knows here: still not resolved."""
    found = callees(ws, "callpkg.logged.grumble_locally")
    warning = found[(41, "log.warning")]
    assert (warning.status, warning.external) == (EXTERNAL, "logging.getLogger(…).warning")
    assert warning.how.startswith(
        "log = logging.getLogger(name) (line 40): what logging.getLogger returns; "
        "logging is the module logging"
    )
    assert found[(43, "kept.warning")].status == UNRESOLVED
    (info,) = callees(ws, "callpkg.logged.Worker.work").values()
    assert (info.status, info.external) == (EXTERNAL, "logging.getLogger(…).info")
    assert info.how.startswith(
        "self.logger is what logging.getLogger(…) returns (set at src/callpkg/logged.py:51); "
        "logging is the module logging"
    )


def test_a_name_imported_in_the_body_is_said_to_come_from_its_module(ws: Workspace) -> None:
    """``from logging import root as root_logger`` (transformers' ``from deepspeed.utils
    import logger as ds_logger``): imported from ``logging``, not ``logging.root``."""
    info = callees(ws, "callpkg.logged.grumble_locally")[(46, "root_logger.info")]
    assert (info.status, info.external) == (EXTERNAL, "logging.root.info")
    assert info.how == "imported in the body from logging (in Python's standard library)"


def test_a_method_of_what_a_classmethod_of_another_pin_s_class_makes_is_that_class_s(tmp_path: Path) -> None:
    """``self.accelerator = accelerate.Accelerator.from_config()`` (diffusers'
    ``self.tokenizer = BertTokenizer.from_pretrained(...)``, then ``add_special_tokens``):
    the method of the class the classmethod makes, in the other pin, not an error about
    the name ``Accelerator.from_config().gather`` (which ``calls`` and ``callers`` said
    instead of an answer)."""
    checkout = make_callrepo(tmp_path)
    stack = two_pins(checkout, ["accel"])
    with Workspace(checkout, stack.store, stack=stack) as ws:
        ws.stack.facts("accel")
        gather = callees(ws, OUT + "Tokenized.__init__")[(226, "self.accelerator.gather")]
    assert [t.qualname for t in gather.targets] == ["accelerate.accelerator.Accelerator.gather"]
    assert gather.how.startswith("self.accelerator is an Accelerator (set at src/callpkg/outside.py:225)")


def test_callers_of_a_full_name_read_every_pin_of_the_scope_as_a_short_name_does(tmp_path: Path) -> None:
    """``callers peft.mapping.inject_adapter_in_model`` from transformers listed its two
    call sites in transformers and none of diffusers', whose pin, in the cache, no lookup
    of the full name had opened; ``callers inject_adapter_in_model`` listed all four. Asked
    from the accelerate stand-in, the call package's sites count whichever way it is named."""
    checkout = make_callrepo(tmp_path)
    accel = make_accel(checkout.root)
    stack = Stack(Store.memory(), owners=OWNERS, opener=lambda repo: checkout, synced=lambda: ["calls"])
    with Workspace(accel, stack.store, stack=stack) as ws:
        found = ws.callers("accelerate.accelerator.Accelerator.backward", scope=("accel", "calls")).callers
    assert ("src/callpkg/trainer.py", 42) in [(c.path, c.line) for c in found if c.kind == "call"]


def test_the_bases_of_a_class_are_read_once_for_the_overrides_of_many_members(ws: Workspace) -> None:
    """Whether a class derives from a class of another package (``nn.Module``) is read
    from the bases each class of its MRO is written with, each base of a module once: not
    again for each class of the module writing it (``Head``, ``Blocks``), nor for each
    member whose overrides are asked about (``Blocks`` defines ``__init__`` and ``forward``)."""
    cr = ws.calling.cr
    asked: list[tuple[str, int, tuple[str, ...]]] = []
    outside = cr.outside

    def counting(resolver: Resolver, view: ModuleView, parts: list[str]) -> Reach:
        asked.append((view.path, len(asked), tuple(parts)))
        return outside(resolver, view, parts)

    cr.outside = counting  # type: ignore[method-assign]
    resolver = cr.code.resolver("calls")
    view = resolver.facts.module("callpkg.outside") if resolver is not None else None
    assert resolver is not None and view is not None
    forwards = [d.qualname for d in derived.overrides_outside(cr, view, "torch.nn.Module", "forward")]
    inits = [d.qualname for d in derived.overrides_outside(cr, view, "torch.nn.Module", "__init__")]
    assert OUT + "Blocks.forward" in forwards and OUT + "Head.forward" in forwards
    assert OUT + "Blocks.__init__" in inits and OUT + "Loop.__init__" not in inits
    bases = [(path, parts) for path, _, parts in asked]
    assert bases and len(bases) == len(set(bases))


def test_a_method_of_a_value_another_package_makes_is_that_package_s(ws: Workspace) -> None:
    """``torch.randn(...).to``, and a local holding what a function of the package returns
    when each of its ``return``s is such a value (diffusers' ``randn_tensor``; a list
    assigned first, then made into a tensor, is not one of them), or what a method of that
    value returns (``image = image.to(...)``): of another package, not "not resolved" (which
    ``path`` would try as any definition named ``to``). A function returning an instance of
    the package on one of its ways is not such a function."""
    found = callees(ws, "callpkg.tensors.Pipe.run")
    image = found[(29, "image.to")]
    assert (image.status, image.external) == (EXTERNAL, "torch.cat(…).to(…).to")
    assert image.how == (
        "image = randn_like(shape) (line 28): randn_like returns what torch.cat(…).to returns "
        "(src/callpkg/tensors.py:8)"
    )
    noise = found[(30, "torch.randn().to")]
    assert (noise.status, noise.external) == (EXTERNAL, "torch.randn(…).to")
    assert found[(33, "image.cpu")].status == EXTERNAL
    assert found[(33, "noise.float")].external == "torch.randn(…).to(…).float"
    other = found[(32, "other.to")]  # made_here returns a Pipe on one of its ways
    assert [t.qualname for t in other.targets] == ["callpkg.tensors.Pipe.to"]
    listed = callees(ws, "callpkg.tensors.randn_like")
    assert listed[(13, "torch.randn().to")].external == "torch.randn(…).to"


def test_path_does_not_guess_a_method_of_another_package_s_value_by_its_name(ws: Workspace) -> None:
    """``image.to(device)`` of a torch tensor (``image = randn_like(...)``): no route to
    ``Pipe.to`` through it (it was tried as a possible one, the value's class unknown)."""
    assert ws.path("callpkg.tensors.Pipe.sample", "callpkg.tensors.Pipe.to").search.chains == ()
    chains = ws.path("callpkg.tensors.Pipe.run", "callpkg.tensors.Pipe.to").search.chains
    assert [[h.callee.site.line for h in chain] for chain in chains] == [[32]]  # other.to: a Pipe
