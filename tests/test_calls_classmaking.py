"""What runs when a class is called or made, on the synthetic package
(tests/fixtures/callrepo/src/callpkg/classmaking.py): a metaclass's ``__call__`` is found
on the class (``LocalFileSystem.__call__``), ``cls`` there is that class, and
``type.__call__(cls, ...)`` constructs it; a class decorator that sets ``cls.__init__``
twice lists the last first, then the one it wraps; in the functions it nests, ``cls.m``
is what it set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.calls.model import BUILTIN, RESOLVED, UNRESOLVED
from codewalk.errors import QueryError
from codewalk.index.store import Store
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace, make_callrepo

M = "callpkg.classmaking."


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_a_member_of_a_class_object_is_looked_up_in_its_metaclass(ws: Workspace) -> None:
    (found, *_) = ws.find(M + "LocalFileSystem.__call__").matches
    assert found.qualname == M + "Cached.__call__"
    assert found.via == "LocalFileSystem's metaclass is Cached"  # named by its base FileSystem
    assert not ws.find(M + "Settings.__call__").matches  # no metaclass, no __call__


def test_in_a_metaclass_call_cls_is_the_class_and_type_call_constructs_it(ws: Workspace) -> None:
    answer = ws.calls(M + "LocalFileSystem.__call__")
    assert answer.receiver is not None and answer.receiver.qualname == M + "LocalFileSystem"
    found = callees(ws, M + "LocalFileSystem.__call__")
    tokenize = found[(9, "cls.tokenize")]
    assert [t.qualname for t in tokenize.targets] == [M + "FileSystem.tokenize"]
    assert tokenize.how.startswith("cls is the class LocalFileSystem (the class the question names)")
    made = found[(12, "type.__call__")]
    assert [(t.qualname, t.kind) for t in made.targets] == [(M + "LocalFileSystem", "class")]
    assert made.how.startswith("type.__call__(cls, …) makes a LocalFileSystem")


def test_without_a_class_the_metaclass_call_says_what_it_cannot_know(ws: Workspace) -> None:
    found = callees(ws, M + "Cached.__call__")
    assert found[(9, "cls.tokenize")].status == UNRESOLVED  # any class made by Cached
    assert found[(12, "type.__call__")].status == BUILTIN


def test_a_decorator_setting_init_twice_lists_the_last_then_the_one_before(ws: Workspace) -> None:
    matches = ws.find(M + "Settings.__init__").matches
    assert [m.qualname.removeprefix(M) for m in matches] == [
        "checked.<locals>.init_with_validate",
        "checked.<locals>.__init__",
        "Settings",  # the __init__ @dataclass made from the fields
    ]
    assert "set again at line 52" in matches[1].via


def test_in_a_function_a_class_decorator_nests_cls_m_is_what_it_set(ws: Workspace) -> None:
    found = callees(ws, M + "checked.<locals>.init_with_validate")
    initial = found[(49, "initial_init")]  # initial_init = cls.__init__ (line 46): set at line 40
    assert [t.qualname for t in initial.targets] == [M + "checked.<locals>.__init__"]
    validate = found[(50, "cls.validate")]  # at call time: what checked set last
    assert [t.qualname for t in validate.targets] == [M + "checked.<locals>.validate"]
    assert validate.how == "checked sets cls.validate (src/callpkg/classmaking.py:45)"
    first = callees(ws, M + "checked.<locals>.__init__")[(37, "original_init")]
    assert first.status == UNRESOLVED  # read before checked sets it: the class's own
    assert "before line 34: the decorated class's own __init__, before checked sets it" in first.how


def test_a_method_a_class_inherits_called_on_the_class_runs_with_cls_that_class(ws: Workspace) -> None:
    (tokenize,) = callees(ws, "callpkg.outside.tokenize_local").values()
    assert [(t.qualname, t.receiver) for t in tokenize.targets] == [
        (M + "FileSystem.tokenize", M + "LocalFileSystem")
    ]


def test_a_path_to_an_init_ends_where_the_class_is_called(ws: Workspace) -> None:
    """``LocalFileSystem(root)`` runs ``FileSystem.__init__``, the goal: the chain ends
    there, as one through ``super().__init__`` does, saying which class was made."""
    (chain, *_) = ws.path("callpkg.outside.make_local", M + "FileSystem.__init__").search.chains
    assert [(hop.caller.target.qualname, hop.reached) for hop in chain] == [
        ("callpkg.outside.make_local", M + "FileSystem.__init__")
    ]
    assert chain[-1].callee.site.name.expr == "LocalFileSystem"
    assert (
        chain[-1].target is not None
        and chain[-1].target.via == "constructing a LocalFileSystem runs its __init__"
    )


def test_a_class_from_a_registry_of_type_x_makes_any_class_deriving_from_x(ws: Workspace) -> None:
    """``cls = TUNERS[kind]; cls(model)`` where TUNERS holds ``type[Tuner]``: ``self`` in
    ``Tuner.__init__`` is any Tuner, so ``self._replace`` reaches the override, and the
    chain through it is the shortest."""
    R = "callpkg.tuners."
    chains = ws.path(R + "make_tuned", R + "LoraTuner._replace").search.chains
    assert chains, "no chain"
    hops = [(hop.caller.target.qualname.removeprefix(R), hop.callee.site.line) for hop in chains[0]]
    assert hops == [("make_tuned", 32), ("Tuner.__init__", 9), ("Tuner.inject", 12)]
    assert chains[0][-1].callee.how.startswith("self may be any Tuner: its _replace, then the 1 override")


def test_an_attribute_made_from_a_registry_of_type_x_holds_an_x(ws: Workspace) -> None:
    """``cls = TUNERS[kind]; self.tuner = cls(model)`` where TUNERS, empty, is annotated
    ``dict[str, type[Tuner]]`` (peft's ``self.base_model``): ``self.tuner.inject`` is
    Tuner's (it reached nothing: the table has no entries to read)."""
    R = "callpkg.tuners."
    called = callees(ws, R + "Tuned.replace")[(64, "self.tuner.inject")]
    assert [t.qualname.removeprefix(R) for t in called.targets] == ["Tuner.inject"]


def test_an_attribute_assigned_twice_says_the_registry_s_item_as_the_code_writes_it(ws: Workspace) -> None:
    """``self.base = model`` or ``self.base = cls(model)`` with ``cls = TUNERS[kind]``
    (peft's ``PeftModel.base_model``): the index's ``item[TUNERS]`` is no text for a reader."""
    R = "callpkg.tuners."
    called = callees(ws, R + "PlainOrTuned.run")[(84, "self.base")]
    assert "one of 2 assignments to self.base: Plain at line 78, TUNERS[…](…) at line 81" in called.how
    assert "item[" not in called.how


def test_a_member_of_an_attribute_assigned_twice_is_each_assignment_s(ws: Workspace) -> None:
    """``self.base = model`` (``model: Plain``) or ``self.base = cls(model)`` with ``cls =
    TUNERS[kind]`` (peft's ``PeftModel.base_model``): ``self.base.inject`` is the Tuner's
    (any Tuner, as the registry's annotation says) before Plain's, and ``self.base._replace``,
    which Plain lacks, is the Tuner's and its override, not unresolved."""
    R = "callpkg.tuners."
    called = callees(ws, R + "PlainOrTuned.tune")
    inject = called[(89, "self.base.inject")]
    assert [t.qualname.removeprefix(R) for t in inject.targets] == ["Tuner.inject", "Plain.inject"]
    assert inject.targets[0].via.startswith("self.base is made from an entry of a table: TUNERS holds Tuner")
    assert inject.targets[0].via.count("TUNERS holds") == 1
    replace = called[(87, "self.base._replace")]
    assert [t.qualname.removeprefix(R) for t in replace.targets] == ["Tuner._replace", "LoraTuner._replace"]
    assert replace.targets[1].via.endswith("an override in LoraTuner, deriving from Tuner")


def test_a_member_of_an_attribute_assigned_twice_is_also_what_the_given_class_s_heirs_take(
    ws: Workspace,
) -> None:
    """``self.base = model`` (``model: Plain``) or a Tuner made from the registry (peft's
    ``PeftModel.base_model``), then ``self.base.generate(...)``, which Plain lacks and the
    classes deriving from it take from another base (a causal LM's
    ``GenerationMixin.generate``): the Tuner's overrides first, then Generating's; the
    overrides alone were listed, and prompt learning's ``generate`` was not among them."""
    R = "callpkg.tuners."
    called = callees(ws, R + "PlainOrTunedLM.generate")[(169, "self.base.generate")]
    assert [t.qualname.removeprefix(R) for t in called.targets] == [
        "GeneratingTuner.generate",
        "Generating.generate",
    ]
    assert called.targets[1].via.startswith("self.base is a Plain")


def test_a_method_of_an_attribute_s_dict_is_a_builtin(ws: Workspace) -> None:
    """``self.base.__dict__.get("name")`` (peft's ``save_pretrained``): every object's
    ``__dict__`` is a dict, whatever class ``self.base`` holds."""
    got = callees(ws, "callpkg.tuners.PlainOrTuned.tune")[(88, "self.base.__dict__.get")]
    assert got.status == BUILTIN
    assert got.how == "self.base.__dict__.get: a Python builtin, dict.get (self.base.__dict__ is a dict)"


def test_a_method_of_an_item_of_a_table_annotated_to_hold_classes_is_the_class_s(ws: Workspace) -> None:
    """``CONFIGS[kind].load(name)``, ``CONFIGS: dict[str, type[Config]]`` filled at run time
    (peft's ``PEFT_TYPE_TO_CONFIG_MAPPING[...].from_pretrained``): the item is a class, so
    ``load`` is ``Config.load``, or an override in a class deriving from it; it was "load
    of a value whose type codewalk does not know"."""
    got = callees(ws, "callpkg.tuners.load_config")[(108, "CONFIGS[].load")]
    assert got.status == RESOLVED
    assert [t.qualname for t in got.targets] == [
        "callpkg.tuners.Config.load",
        "callpkg.tuners.LoraConfig.load",
    ]
    assert got.targets[0].via.startswith("CONFIGS holds Config classes, or classes deriving from it")


def test_a_parameter_assigned_again_is_first_what_it_is_assigned(ws: Workspace) -> None:
    """``model = Rewrapped()`` in the body, ``model: Plain`` as given (peft's
    ``PeftModel.from_pretrained``: ``model = cls(model, ...)``, ``model: nn.Module``):
    ``model.inject`` is first ``Rewrapped.inject``, then, as given, ``Plain.inject``;
    the annotation alone answered."""
    got = callees(ws, "callpkg.tuners.rewrap")[(119, "model.inject")]
    assert [t.qualname for t in got.targets] == [
        "callpkg.tuners.Rewrapped.inject",
        "callpkg.tuners.Plain.inject",
    ]
    assert got.how.startswith("model = Rewrapped() (line 118)")
    assert "; or as given: model is annotated" in got.how


def test_a_parameter_assigned_again_on_every_way_is_not_what_was_given(ws: Workspace) -> None:
    """``model = Rewrapped()`` under the ``if``, ``model = Remade()`` under its ``else`` (an
    ``elif`` between that raises), ``model: Plain`` as given (peft's
    ``PeftModel.from_pretrained``): the call after them never sees the ``model`` given, so
    ``Plain.inject`` is no candidate and the annotation is not said."""
    got = callees(ws, "callpkg.tuners.rewrap_each_way")[(186, "model.inject")]
    assert [t.qualname for t in got.targets] == [
        "callpkg.tuners.Rewrapped.inject",
        "callpkg.tuners.Remade.inject",
    ]
    assert "as given" not in got.how


def test_a_hook_called_by_the_name_a_caller_passes_is_a_possible_caller(ws: Workspace) -> None:
    """``self.call_event("on_evaluate", state)``, whose ``getattr(callback, event)(state)``
    calls the attribute so named (transformers' ``CallbackHandler``): no site names the
    hook, so it is a possible caller of each ``on_evaluate``, saying how; not of ``on_save``."""
    events = "src/callpkg/events.py"
    found = ws.callers("callpkg.events.Stopping.on_evaluate").callers
    assert [(c.kind, c.path, c.line) for c in found] == [("maybe", events, 24)]
    assert found[0].how == (
        "passes 'on_evaluate' to call_event, whose getattr(callback, event)(…) "
        f"({events}:31) calls the attribute so named"
    )
    saved = ws.callers("callpkg.events.Callback.on_save").callers
    assert [(c.kind, c.line) for c in saved] == [("maybe", 27)]


def test_a_hook_overridden_in_a_module_of_its_own_has_the_dispatching_caller(ws: Workspace) -> None:
    """``Printing.on_save``, in a module of its own (transformers' ``TensorBoardCallback.on_log``
    in ``integration_utils.py``), overrides the hook of the base class whose module runs it
    by name: the call passing ``"on_save"`` there is its possible caller (it had none)."""
    found = ws.callers("callpkg.printing.Printing.on_save").callers
    assert [(c.kind, c.path, c.line) for c in found] == [("maybe", "src/callpkg/events.py", 27)]


def test_of_two_assignments_the_one_that_may_run_any_of_many_classes_comes_last(ws: Workspace) -> None:
    """``self.base = model`` (``model: Model``: 13 classes derive from it, each its forward) or
    ``self.base = WRAPPERS[kind](model)`` (peft's ``PeftModel.base_model``): calling it
    lists what the registry's class runs first, then the model's many."""
    R = "callpkg.wrapped."
    called = callees(ws, R + "Wrapped.run")[(93, "self.base")]
    runs = [(t.qualname.removeprefix(R), t.line) for t in called.targets]
    assert runs[:3] == [("Wrapped.base", 90), ("Wrapper.forward", 78), ("Wrapped.base", 88)]
    assert {name for name, _ in runs[3:]} == {f"Model{i}.forward" for i in range(1, 14)}


def test_a_function_annotated_to_return_a_class_returns_one_calling_constructs(ws: Workspace) -> None:
    """``cls = builder_class(kind)`` where ``builder_class(...) -> type[Builder]``
    (datasets' ``get_dataset_builder_class``): ``cls(kind)`` constructs a Builder, or a
    class deriving from it, and what it made has their methods."""
    R = "callpkg.wrapped."
    called = callees(ws, R + "build")
    made = called[(128, "cls")]
    assert [t.qualname.removeprefix(R) for t in made.targets] == ["Builder"]
    assert made.targets[0].via.endswith(
        "builder_class returns the class Builder, or one deriving from it (annotated)"
    )
    prepare = called[(129, "made.assemble")]
    assert [t.qualname.removeprefix(R) for t in prepare.targets] == [
        "Builder.assemble",
        "JsonBuilder.assemble",
    ]


def test_a_local_annotated_with_a_class_holds_one_when_its_value_says_nothing(ws: Workspace) -> None:
    """``made: Builder = factory()`` of an untyped parameter (datasets'
    ``builder_instance: DatasetBuilder = ...``), ``spare: "Builder | None" = None``: each
    is a Builder, or of a class deriving from it, as annotated."""
    R = "callpkg.wrapped."
    called = callees(ws, R + "build_declared")
    for site in ((135, "made.assemble"), (136, "spare.assemble")):
        prepare = called[site]
        assert [t.qualname.removeprefix(R) for t in prepare.targets] == [
            "Builder.assemble",
            "JsonBuilder.assemble",
        ]
        assert "a Builder, or an instance of a class deriving from it (annotated)" in prepare.targets[0].via


def test_a_local_annotated_with_a_container_of_a_union_is_said_once(ws: Workspace) -> None:
    """``table: dict[str, Builder | JsonBuilder] = {}`` (transformers'
    ``param_name_to_load``) declares no instance: ``table.setdefault`` is dict's, said
    once, and ``JsonBuilder]``, the union cut at its ``|``, is no annotation of it."""
    R = "callpkg.wrapped."
    setdefault = callees(ws, R + "tabled")[(189, "table.setdefault")]
    assert setdefault.status == BUILTIN and not setdefault.targets
    assert setdefault.how == (
        "dict.setdefault, a Python builtin (table: dict[str, Builder | JsonBuilder], line 188)"
    )


def test_a_name_a_nested_function_assigns_is_not_the_body_s(ws: Workspace) -> None:
    """``shelf = Reader()`` in the nested ``opened``, ``shelf = shelved()`` in the body
    (datasets' ``_map_single`` and its ``init_buffer_and_writer``): each ``shelf.fetch()``
    runs its own scope's."""
    R = "callpkg.wrapped."
    outer = callees(ws, R + "scoped")[(159, "shelf.fetch")]
    assert [t.qualname.removeprefix(R) for t in outer.targets] == ["Shelf.fetch"]
    inner = callees(ws, R + "scoped.<locals>.opened")[(156, "shelf.fetch")]
    assert [t.qualname.removeprefix(R) for t in inner.targets] == ["Reader.fetch"]
    # what a nested function returns is its own, not the body's (init_buffer_and_writer)
    kept = callees(ws, R + "scoped_made")[(168, "kept.fetch")]
    assert [t.qualname.removeprefix(R) for t in kept.targets] == ["Reader.fetch"]
    assert kept.targets[0].via.endswith("kept, _ = made() (line 167); returned by made (line 165)")


def test_a_loop_over_a_local_list_the_body_fills_calls_what_it_put_in(ws: Workspace) -> None:
    """``dispatchers.append(f)`` / ``.extend([g])``, then ``for dispatcher in dispatchers:
    dispatcher(layer)`` (peft's LoRA dispatchers): the call runs what was put in, in order,
    and a path goes through it."""
    R = "callpkg.tuners."
    called = callees(ws, R + "replace_layer")[(49, "dispatcher")]
    assert [t.qualname.removeprefix(R) for t in called.targets] == ["dispatch_quantized", "dispatch_default"]
    assert called.targets[0].via.startswith(
        "for dispatcher in dispatchers: (line 48); an item of dispatchers, which the body fills "
        "with what it names (lines 46-47)"
    )
    (chain,) = ws.path(R + "replace_layer", R + "LoraTuner.__init__").search.chains[:1]
    callers = [hop.caller.target.qualname.removeprefix(R) for hop in chain]
    assert callers == ["replace_layer", "dispatch_default"]
    # LoraTuner() runs Tuner.__init__, which it inherits: the chain ends there, not at the class line
    end = chain[-1].target
    assert end is not None and (end.qualname.removeprefix(R), end.kind) == ("Tuner.__init__", "method")
    assert end.via == "constructing a LoraTuner runs its __init__"


X = "callpkg.experts."


def test_a_class_decorator_that_sets_forward_is_what_calling_the_module_runs(ws: Workspace) -> None:
    """``@use_implementation`` (its class parameter named ``experts_class``, not ``cls``)
    sets ``forward`` to a dispatcher: calling an Experts runs it, not the body's forward;
    in it, ``interface`` is the decorator's parameter, annotated as a registry, whose
    functions the dispatcher may call."""
    (experts,) = callees(ws, X + "Block.forward").values()
    dispatcher = X + "use_implementation.<locals>.wrapper.<locals>.forward"
    assert [t.qualname for t in experts.targets][-1] == dispatcher
    assert X + "Experts.forward" not in [t.qualname for t in experts.targets]
    chosen = callees(ws, dispatcher)[(32, "chosen")]
    assert [t.qualname for t in chosen.targets] == [X + "eager_forward", X + "grouped_forward"]
    (chain,) = ws.path(X + "Block.forward", X + "grouped_forward").search.chains
    assert [hop.caller.target.qualname for hop in chain] == [X + "Block.forward", dispatcher]


DISPATCHER = X + "use_implementation.<locals>.wrapper.<locals>.forward"


def test_the_dispatcher_a_class_decorator_sets_runs_that_class_s_own_forward_by_default(
    ws: Workspace,
) -> None:
    """``original_forward = experts_class.forward``, read before the decorator sets it, is
    the forward the decorated class's body defines: the registry's default, listed first,
    for the class the question names (each class its own: the dispatcher is shared)."""
    for name, line in (("SharedExperts", 59), ("Experts", 44)):
        answer = ws.calls(f"{name}.forward")
        assert answer.target.qualname == DISPATCHER
        assert answer.receiver is not None and answer.receiver.qualname == X + name
        (chosen,) = [c for (line_, expr), c in callees(ws, f"{name}.forward").items() if expr == "chosen"]
        default = chosen.targets[0]
        assert [t.qualname for t in chosen.targets] == [
            X + f"{name}.forward",
            X + "eager_forward",
            X + "grouped_forward",
        ]
        assert default.receiver == X + name
        assert default.via.endswith(
            f"{name}'s own forward (src/callpkg/experts.py:{line}), before use_implementation sets it"
        )


def test_a_chain_through_the_module_call_reaches_the_default_forward(ws: Workspace) -> None:
    """``path`` to ``SharedExperts.forward`` ends at the def as written (the name's first
    answer is the dispatcher the decorator set, shared by every class it decorates),
    through that dispatcher; when the function set in the def's place does not run it
    (``@replace_forward``), the chain ends at that function."""
    answer = ws.path(X + "SharedBlock.forward", "SharedExperts.forward")
    (chain,) = answer.search.chains
    assert [hop.caller.target.qualname for hop in chain] == [X + "SharedBlock.forward", DISPATCHER]
    assert chain[-1].reached == X + "SharedExperts.forward"
    assert answer.goals == (X + "SharedExperts.forward",)
    replaced = ws.path(X + "SharedBlock.forward", "Replaced.forward")
    (chain,) = replaced.search.chains
    assert chain[-1].reached == X + "replace_forward.<locals>.forward"


def test_the_default_of_a_class_without_its_own_forward(ws: Workspace) -> None:
    """A decorated class whose body defines no forward has its first base's (the
    dispatcher the base's decorator set), or none codewalk can read (``nn.Module``'s)."""
    (stacked,) = [c for (_, expr), c in callees(ws, "StackedExperts.forward").items() if expr == "chosen"]
    assert (stacked.targets[0].qualname, stacked.targets[0].receiver) == (DISPATCHER, X + "StackedExperts")
    assert "StackedExperts's forward (inherited from Experts (MRO of StackedExperts); made by" in (
        stacked.targets[0].via
    )
    (bare,) = [c for (_, expr), c in callees(ws, "BareExperts.forward").items() if expr == "chosen"]
    assert [t.qualname for t in bare.targets] == [X + "eager_forward", X + "grouped_forward"]
    assert "experts_class.forward before line 28: BareExperts has no forward codewalk can read" in (
        bare.targets[0].via
    )


def test_without_a_class_the_default_is_said_to_be_the_decorated_class_s_own(ws: Workspace) -> None:
    """The dispatcher named in full, reached through no class: the registry's entries,
    the first saying what the default is."""
    chosen = callees(ws, DISPATCHER)[(32, "chosen")]
    assert [t.qualname for t in chosen.targets] == [X + "eager_forward", X + "grouped_forward"]
    assert (
        "the default original_forward, not known here: original_forward = experts_class.forward "
        "(line 28): experts_class.forward before line 28: the decorated class's own forward, before "
        "use_implementation sets it"
    ) in chosen.targets[0].via


def test_a_part_a_method_sets_from_its_keywords_is_typed_where_it_is_passed(ws: Workspace) -> None:
    """``self.register_modules(denoiser=denoiser, scheduler=scheduler)`` in ``__init__``,
    where ``register_modules`` sets each keyword as an attribute (diffusers'
    pipelines): ``self.scheduler`` holds the annotated parameter's class, and calling
    ``self.denoiser`` runs its ``forward``. ``register_to_config(steps=...)``, which keeps
    its keywords elsewhere, sets no attribute, whatever its keyword holds."""
    R = "callpkg.registering."
    found = callees(ws, R + "DenoisePipeline.__call__")
    step = found[(38, "self.scheduler.step")]
    assert [t.qualname for t in step.targets] == [R + "Scheduler.step"]
    assert step.how == (
        "scheduler is a Scheduler "
        "(passed to self.register_modules(scheduler=...) at src/callpkg/registering.py:33 (annotated))"
    )
    assert R + "Denoiser.forward" in [t.qualname for t in found[(37, "self.denoiser")].targets]
    (part,) = ws.find(R + "DenoisePipeline.scheduler").matches
    assert (part.kind, part.line) == ("attribute", 33)
    assert not ws.find(R + "DenoisePipeline.steps").matches
    assert not ws.find(R + "DenoisePipeline.first_scheduler").matches


def test_an_attribute_a_method_of_the_class_sets_holds_what_its_callers_pass(ws: Workspace) -> None:
    """``self.set_processor(processor)`` in ``__init__``, after ``processor = FastProcessor()
    if fast else SlowProcessor()``, where ``set_processor`` assigns its parameter (annotated
    with the slow one) to ``self.processor`` (diffusers' ``Attention``): calling
    ``self.processor`` runs either, the default first, and not only the annotated one."""
    R = "callpkg.registering."
    (processor,) = callees(ws, R + "Attention.forward").values()
    called = [t.qualname for t in processor.targets if t.kind != "attribute"]
    assert called == [R + "FastProcessor.__call__", R + "SlowProcessor.__call__"]
    assert "passed to self.set_processor(...) at src/callpkg/registering.py:60" in processor.targets[1].via
    lines = [m.line for m in ws.find(R + "Attention.processor").matches]
    assert lines == [60, 63]  # the call that passes it, then the assignment in set_processor


def test_a_value_annotated_with_an_enum_says_the_enum_names_kinds(ws: Workspace) -> None:
    """``scheduler: SchedulerKinds``, an Enum (diffusers' ``KarrasDiffusionSchedulers``):
    the annotation names the kinds of scheduler, not its class, which the answer says."""
    step = callees(ws, "callpkg.registering.KindsPipeline.__call__")[(81, "self.scheduler.step")]
    assert step.status == UNRESOLVED
    assert step.how.endswith(
        "which defines no step codewalk can read "
        "(SchedulerKinds is an Enum: the annotation names the kinds of value, not its class)"
    )


def test_the_callers_of_what_a_setter_was_passed_include_the_attribute_s_calls(ws: Workspace) -> None:
    """``FastProcessor()`` is made into a local and passed to ``self.set_processor``: the
    call of ``self.processor(...)`` in ``forward`` is a caller of its ``__call__``."""
    answer = ws.callers("callpkg.registering.FastProcessor.__call__")
    assert [(c.kind, c.line) for c in answer.callers if c.kind == "call"] == [("call", 66)]


def test_a_path_goes_into_the_init_a_class_decorator_set_and_on_from_there(ws: Workspace) -> None:
    """Making a class whose ``__init__`` a decorator set (``@strict`` on transformers'
    configs) runs that function, nested in the decorator: a chain goes through it, and
    through the ``__init__`` it wraps, to what that calls on ``self``. A goal is named
    as ``calls`` and tracebacks name a function defined in another."""
    (chain, *_) = ws.path(M + "make_settings", M + "Settings.post_init").search.chains
    assert [(h.callee.site.line, h.reached) for h in chain] == [
        (66, M + "Settings"),
        (49, M + "checked.<locals>.__init__"),
        (38, M + "Settings.post_init"),
    ]
    (to_nested, *_) = ws.path(M + "make_settings", M + "checked.<locals>.__init__").search.chains
    assert [h.reached for h in to_nested] == [M + "Settings", M + "checked.<locals>.__init__"]


def test_calling_an_attribute_made_from_a_table_of_classes_says_the_table_once(ws: Workspace) -> None:
    """``self.layer = cls()`` with ``cls = LAYERS[kind]``, ``LAYERS: dict[str, type[Layer]]``,
    then ``self.layer(x)`` (peft's ``self.base_model(...)``): it runs Layer's forward, and
    says what the table holds once; the entry it reached was said again after the
    attribute's own account, in the same words."""
    got = callees(ws, "callpkg.tuners.Stack.forward")[(139, "self.layer")]
    assert [t.qualname for t in got.targets][-1] == "callpkg.tuners.Layer.forward"
    via = got.targets[-1].via
    assert via.startswith("self.layer is made from an entry of a table: LAYERS holds Layer classes")
    assert via.count("LAYERS holds") == 1
    assert via.endswith("calling a Layer runs its forward (nn.Module.__call__)")


def test_a_method_of_a_class_a_class_attribute_holds_is_that_class_s(ws: Workspace) -> None:
    """``self.generation_config_class.from_model_config(config)`` in ``PreTrainedModel.__init__``
    was not resolved, said "its type is not declared (first set at ... class
    GenerationConfig ...)": the attribute holds the class (``= GenerationConfig``,
    annotated ``type[GenerationConfig]`` or not), and the call is its classmethod."""
    found = callees(ws, "callpkg.classmaking.Holder.build")
    for expr in ("self.plain_class.make", "self.helper_class.make"):
        make = next(c for (_, e), c in found.items() if e == expr)
        assert [t.qualname for t in make.targets] == ["callpkg.classmaking.Helper.make"], expr
        assert "holds the class Helper" in make.how, make.how


@pytest.mark.parametrize("function", ["make_each", "make_first"])
def test_a_loop_over_a_parameter_annotated_to_hold_classes_calls_their_classmethods(
    ws: Workspace, function: str
) -> None:
    """``for op in priority_list: op.not_supported_reasons(inp)`` in xformers'
    ``_run_priority_list`` (``priority_list: Sequence[T]``, ``T = TypeVar("T",
    Type[AttentionFwOpBase], Type[AttentionBwOpBase])``) was a call on a value of unknown
    type: each element is one of the classes (or one deriving from it), a TypeVar read as
    what it may be."""
    (make,) = callees(ws, f"callpkg.classmaking.{function}").values()
    assert [t.qualname for t in make.targets] == [
        "callpkg.classmaking.Helper.make",
        "callpkg.classmaking.FastHelper.make",
    ]


@pytest.mark.parametrize("mode", ["lazy", "full"])
def test_a_class_an_override_of_the_attribute_holds_gives_its_method_too(tmp_path: Path, mode: str) -> None:
    """``self.generation_config_class.from_model_config(config)`` in ``PreTrainedModel``:
    ``DiffusionGemmaForBlockDiffusion`` sets ``generation_config_class`` to a class
    overriding ``from_model_config``, which runs for one of them. Without a receiver
    saying which class ``self`` is, the classes an override of the attribute holds give
    their method too; it was the base's class's alone."""
    checkout = make_callrepo(tmp_path)
    (checkout.root / "src/callpkg/classheld.py").write_text(
        "from callpkg.classmaking import FastHelper, Holder\n\n\n"
        "class FastHolder(Holder):\n    helper_class = FastHelper\n"
    )
    with Workspace(checkout, Store.memory()) as ws:
        if mode == "full":
            ws.index_all(workers=1)
        found = callees(ws, "callpkg.classmaking.Holder.build")
        make = next(c for (_, e), c in found.items() if e == "self.helper_class.make")
        assert [t.qualname for t in make.targets] == [
            "callpkg.classmaking.Helper.make",
            "callpkg.classmaking.FastHelper.make",
        ]
        assert make.targets[1].via == (
            "self.helper_class holds the class FastHelper in FastHolder, a class deriving from Holder "
            "(set at src/callpkg/classheld.py:5)"
        )
        plain = next(c for (_, e), c in found.items() if e == "self.plain_class.make")
        assert [t.qualname for t in plain.targets] == ["callpkg.classmaking.Helper.make"]


def test_making_a_dataclass_runs_the_post_init_its_generated_init_calls(ws: Workspace) -> None:
    """``TrainerState(...)`` runs the ``__init__`` ``@dataclass`` made, which calls
    ``__post_init__``: a path goes on into it (``self`` the class made), ``calls`` of the
    class lists its calls, and a dataclass without one still has no body to read."""
    (chain, *_) = ws.path(M + "make_states", M + "State.make_log").search.chains
    assert [(hop.caller.target.qualname, hop.reached) for hop in chain] == [
        (M + "make_states", M + "State"),
        (M + "State.__post_init__", M + "State.make_log"),
    ]
    # a subclass inherits the generated __init__: its own make_log runs there
    (resumed, *_) = ws.path(M + "make_states", M + "ResumedState.make_log").search.chains
    assert [(hop.caller.target.qualname, hop.reached) for hop in resumed] == [
        (M + "make_states", M + "ResumedState"),
        (M + "State.__post_init__", M + "ResumedState.make_log"),
    ]
    # the chain to __post_init__ itself ends at the call that makes the class
    (ended,) = ws.path(M + "make_states", M + "State.__post_init__").search.chains[:1]
    assert ended[-1].target is not None and ended[-1].target.qualname == M + "State.__post_init__"
    assert ended[-1].target.via == (
        "constructing a State runs its __post_init__, which the __init__ @dataclass made calls"
    )
    assert [(line, expr) for line, expr in callees(ws, M + "State")] == [(122, "self.make_log")]
    with pytest.raises(QueryError, match="no body to read") as flags:
        ws.calls(M + "Flags")
    assert flags.value.hint == (
        "a dataclass without a __post_init__: the __init__ @dataclass makes sets its fields and "
        "calls nothing else"
    )


def test_the_callers_of_a_dataclass_post_init_are_where_the_class_is_made(ws: Workspace) -> None:
    """``callers TrainerState.__post_init__``: the sites making the class (its generated
    ``__init__`` runs it); a ``__post_init__`` no generated ``__init__`` calls has none."""
    found = [(c.kind, c.line, c.text) for c in ws.callers(M + "State.__post_init__").callers]
    assert ("call", 139, "return State(steps=1), ResumedState(), Flags()") in found
    assert all(kind != "call" or line == 139 for kind, line, _ in found)


def test_a_dataclass_field_holds_what_its_annotation_says_not_what_field_returns(ws: Workspace) -> None:
    """``options: dict[str, int] | None = field(default=None)``: ``field(...)`` makes the
    default, not the value; ``self.options.get`` is a dict's (``fsdp_config.get`` in
    ``TrainingArguments``, said to be "what field(…) returns")."""
    found = callees(ws, M + "Arguments.option")
    for site in ((152, "self.options.get"), (151, "self.names.append")):
        assert found[site].status == BUILTIN, found[site].how
    assert "options is a dict" in found[(152, "self.options.get")].how


def test_a_post_init_the_class_s_own_init_never_calls_has_no_callers_making_it(tmp_path: Path) -> None:
    """``__post_init__`` is called by the ``__init__`` ``@dataclass`` makes, never by one
    the class writes (a dataclass's ``__init__`` of its own, or a plain class's such as
    ``ModelOutput``): making that class is no call of its ``__post_init__``."""
    checkout = make_callrepo(tmp_path)
    (checkout.root / "src/callpkg/posts.py").write_text(
        "from dataclasses import dataclass\n\n\n"
        "@dataclass\nclass Written:\n    n: int = 0\n\n"
        "    def __init__(self, n):\n        self.n = n\n\n"
        "    def __post_init__(self):\n        self.m = 1\n\n\n"
        "class Plain:\n    def __init__(self):\n        self.n = 0\n\n"
        "    def __post_init__(self):\n        self.m = 1\n\n\n"
        "def make():\n    return Written(2), Plain()\n"
    )
    with Workspace(checkout, Store.memory()) as ws:
        made = [(c.kind, c.line) for c in ws.callers("callpkg.posts.Written.__init__").callers]
        assert ("call", 24) in made  # the site makes the class: its own __init__ runs
        for cls in ("Written", "Plain"):
            found = [(c.kind, c.line) for c in ws.callers(f"callpkg.posts.{cls}.__post_init__").callers]
            assert ("call", 24) not in found, cls


def test_a_class_attribute_set_to_a_module_variable_holds_what_that_variable_holds(ws: Workspace) -> None:
    """``cls._model_mapping.register(...)`` in ``AutoModelForCausalLM.register`` was not
    resolved, said "its type is not declared (first set at ... _model_mapping =
    MODEL_FOR_CAUSAL_LM_MAPPING)": the class body names a module-level variable made by
    calling a class (``_LazyAutoMapping(...)``), and the call is that class's method."""
    (register,) = callees(ws, M + "AutoForLm.register").values()
    assert register.status == RESOLVED
    assert [t.qualname for t in register.targets] == [M + "LazyMapping.register"]
    assert register.how.startswith("cls._mapping = LM_MAPPING (src/callpkg/classmaking.py:177); ")
    assert "LM_MAPPING is a LazyMapping" in register.how


def test_a_class_attribute_the_base_leaves_none_holds_what_the_derived_classes_set(ws: Workspace) -> None:
    """``cls._model_mapping.register(...)`` in ``_BaseAutoModelClass.register`` (whose own
    ``_model_mapping`` is ``None``), asked with no class for ``cls``: the ``register`` of
    what the Auto classes set it to, once, saying which class and how many more; so
    ``callers _LazyAutoMapping.register`` lists the call every Auto class's ``register`` runs."""
    (register,) = callees(ws, M + "BaseAuto.register").values()
    assert register.status == RESOLVED
    assert [t.qualname for t in register.targets] == [M + "LazyMapping.register"]
    assert register.how.startswith("in AutoForLm, a class deriving from BaseAuto, cls._mapping = LM_MAPPING")
    assert register.how.endswith("(and so in 1 other classes deriving from it)")
    sites = [(c.path, c.line) for c in ws.callers(M + "LazyMapping.register").callers]
    assert ("src/callpkg/classmaking.py", 173) in sites
