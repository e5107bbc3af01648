"""Call facts resolved on the synthetic call package (tests/fixtures/callrepo), the index
lazy (modules indexed on demand) and full: each convention a transformers call goes
through, callers, paths, and goto at a call site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.calls.extract import call_facts
from codewalk.calls.model import Callee
from codewalk.calls.records import from_json, to_json
from codewalk.errors import QueryError, SourceError
from codewalk.index.store import Store
from codewalk.resolve.model import Resolved
from codewalk.source.checkout import Checkout
from codewalk.workspace.calling import NoDefinition, NotCallable
from codewalk.workspace.stack import Stack
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace, make_accel, make_callrepo

TRAINER = "src/callpkg/trainer.py"
GEN = "src/callpkg/generation.py"
LOSSES = "src/callpkg/losses.py"
EMBEDDINGS = "src/callpkg/embeddings.py"


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def targets(callee: Callee) -> list[str]:
    return [f"{t.qualname.removeprefix('callpkg.')}:{t.line}" for t in callee.targets]


def test_an_instance_held_in_an_attribute_runs_its_forward(ws: Workspace) -> None:
    layer = callees(ws, "Trainer.step")[(38, "self.layer")]
    assert targets(layer) == ["trainer.Trainer.layer:16", "trainer.Layer.forward:10"]
    assert layer.targets[1].via.startswith(
        f"self.layer is a Layer (set at {TRAINER}:16); calling a Layer runs its forward"
    )


def test_an_attribute_assigned_several_classes_runs_any_of_their_forwards(ws: Workspace) -> None:
    """``self.proj`` is a Fourier in one branch of ``set_proj`` and a Steps in another:
    both forwards are targets, in source order, each after the assignment it comes from,
    which says it is one of two and where each is (a Fourier again adds nothing)."""
    calls = callees(ws, "embeddings.UNet.embed")
    proj = calls[(33, "self.proj")]
    assert targets(proj) == [
        "embeddings.UNet.proj:26",
        "embeddings.Fourier.forward:5",
        "embeddings.UNet.proj:28",
        "embeddings.Steps.forward:10",
    ]
    choice = "one of 2 assignments to self.proj: Fourier at line 26, Steps at line 28"
    assert [proj.targets[0].via, proj.targets[2].via] == [choice, choice]
    assert proj.targets[3].via.startswith(
        f"self.proj is a Steps (set at {EMBEDDINGS}:28, one of 2 assignments); calling a Steps runs"
    )
    head = calls[(33, "self.head")]  # one assignment: as before
    assert targets(head) == ["embeddings.UNet.head:21", "embeddings.Head.forward:15"]
    assert head.targets[0].via == "direct"
    assert head.targets[1].via.startswith(f"self.head is a Head (set at {EMBEDDINGS}:21); calling")


def test_an_attribute_set_to_none_first_runs_what_it_is_made_later(ws: Workspace) -> None:
    """``self.mid = None``, then ``self.mid = Middle()`` in a branch (diffusers'
    ``UNet2DModel.mid_block``): calling it runs ``Middle.forward``, not nothing at the
    ``None``."""
    mid = callees(ws, "embeddings.Blocks.run")[(51, "self.mid")]
    assert targets(mid) == ["embeddings.Blocks.mid:47", "embeddings.Middle.forward:37"]
    assert mid.targets[1].via.startswith(f"self.mid is a Middle (set at {EMBEDDINGS}:47); calling a Middle")


def test_a_path_follows_each_class_an_attribute_is_assigned(ws: Workspace) -> None:
    for goal in ("Fourier.forward", "Steps.forward"):
        (chain,) = ws.path("embeddings.UNet.embed", goal).search.chains
        assert [(h.callee.site.line, h.reached) for h in chain] == [(33, f"callpkg.embeddings.{goal}")]


def test_a_property_and_what_it_returns_the_default_the_code_names_first(ws: Workspace) -> None:
    loss = callees(ws, "Trainer.step")[(39, "self.loss_function")]
    assert targets(loss) == [
        "trainer.Trainer.loss_function:23",
        "losses.causal_loss:5",
        "losses.masked_loss:9",
    ]
    assert "LOSSES['ForCausalLM'] -> causal_loss" in loss.targets[1].via
    assert "(the key the code names)" in loss.targets[1].via


def test_what_a_property_returns_for_the_calling_class(ws: Workspace) -> None:
    loss = callees(ws, "ToyForMaskedLM.predict")[(48, "self.loss_function")]
    assert targets(loss)[1:] == ["losses.masked_loss:9", "losses.causal_loss:5"]
    assert "(the key in ToyForMaskedLM's name)" in loss.targets[1].via


def test_a_registry_object_lists_the_default_passed_then_its_entries(ws: Workspace) -> None:
    step = callees(ws, "Trainer.step")
    assert targets(step[(40, "REGISTRY.get_interface")]) == ["registry.Registry.get_interface:7"]
    attention = step[(41, "attention")]
    assert targets(attention) == ["utils.helper:8", "losses.causal_loss:5", "losses.masked_loss:9"]
    assert "the default named by the call" in attention.targets[0].via
    assert "Registry._mapping['fast'] -> causal_loss" in attention.targets[1].via


def test_a_module_variable_made_by_calling_a_class_with_a_private_name_is_an_instance_of_it(
    ws: Workspace,
) -> None:
    """``_FLAGS = _Flags()``: the index keeps the value as a call's result (``_Flags`` does
    not look like a class's name); ``_FLAGS.get(...)`` is still ``_Flags.get``, and its
    callers are found; the ``super().get`` in it is ``dict.get``, a builtin."""
    (flags,) = callees(ws, "registry.flags_of").values()
    assert targets(flags) == ["registry._Flags.get:34"]
    assert flags.how == "_FLAGS is a _Flags (set at src/callpkg/registry.py:38)"
    found = [(c.path, c.line) for c in ws.callers("callpkg.registry._Flags.get").callers if c.kind == "call"]
    assert found == [("src/callpkg/registry.py", 42)]
    # its super().get is dict's: a builtin, not a call on a value codewalk cannot type
    inherited = callees(ws, "registry._Flags.get")[(35, "super().get")]
    assert (inherited.status, inherited.how) == ("builtin", "super() in _Flags: dict.get, a Python builtin")
    deeper = callees(ws, "registry.SubFlags.__init__")[(74, "super().__init__")]
    assert (deeper.status, deeper.how) == ("builtin", "super() in SubFlags: dict.__init__, a Python builtin")
    plain = callees(ws, "registry.Child.__init__")[(69, "super().__init__")]  # Plain is no builtin
    assert plain.status != "builtin" and "Plain.__init__" not in plain.how
    # made by a function declared to return a typing.Protocol: not that Protocol's stub
    (any_flags,) = callees(ws, "registry.any_flags_of").values()
    assert any_flags.targets == () and "FLAGS is a variable of callpkg.registry" in any_flags.how


def test_another_package_is_named_not_dropped(ws: Workspace) -> None:
    step = callees(ws, "Trainer.step")
    backward = step[(42, "self.accelerator.backward")]
    assert (backward.status, backward.external, backward.targets) == (
        "external",
        "accelerate.Accelerator.backward",
        (),
    )
    assert backward.how.startswith(f"self.accelerator is an Accelerator (set at {TRAINER}:20)")
    relu = step[(43, "nn.functional.relu")]
    assert (relu.status, relu.external) == ("external", "torch.nn.functional.relu")


def test_a_method_passed_to_a_wrapper_is_reached_both_ways(ws: Workspace) -> None:
    train = callees(ws, "Trainer.train")
    passed = train[(30, "self._inner_loop")]
    assert (passed.site.kind, targets(passed)) == ("ref", ["trainer.Trainer._inner_loop:33"])
    loop = train[(31, "loop")]
    assert targets(loop) == ["trainer.Trainer._inner_loop:33"]
    assert "a wrapper around _inner_loop" in loop.how


def test_getattr_through_a_dispatch_table_in_a_mixin(ws: Workspace) -> None:
    generate = callees(ws, "Mixin.generate")
    decoding = generate[(12, "decoding")]
    assert targets(decoding) == ["generation.Model._fast:30", "generation.Model._slow:33"]
    assert "getattr through the dispatch table MODES['fast'] -> '_fast'" in decoding.how
    assert "defined in Model, a class deriving from Mixin" in decoding.how
    forward = generate[(11, "self.forward")]
    assert (forward.site.kind, targets(forward)) == ("ref", ["generation.Model.forward:27"])


def test_a_method_one_class_deriving_from_a_mixin_defines(ws: Workspace) -> None:
    called = callees(ws, "AdapterMixin.load_adapter")[(67, "self.eval")]
    assert targets(called) == ["generation.Pretrained.eval:71"]
    assert called.how == "AdapterMixin does not define eval; 1 class deriving from it does (Pretrained)"


def test_super_goes_on_in_the_mro(ws: Workspace) -> None:
    init = callees(ws, "Model.__init__")[(25, "super().__init__")]
    assert targets(init) == ["generation.Base.__init__:19"]
    assert init.how == "super() in Model: Base.__init__, next in the MRO of Model"


def test_a_local_of_the_same_name_is_not_the_function(ws: Workspace) -> None:
    shadowed = callees(ws, "masked_loss")[(11, "fixed_loss")]
    assert (shadowed.status, shadowed.targets) == ("builtin", ())


def test_depth_follows_callees(ws: Workspace) -> None:
    levels = ws.calls("Trainer.train", depth=3).levels
    seen = [(lv.depth, lv.callee.site.name.expr) for lv in levels]
    assert (1, "self._inner_loop") in seen and (2, "self.step") in seen and (3, "self.layer") in seen
    assert [lv.depth for lv in ws.calls("Trainer.train").levels] == [1, 1, 1]


def test_callers_are_binding_precise(ws: Workspace) -> None:
    answer = ws.callers("fixed_loss")
    assert [(c.kind, c.path, c.line) for c in answer.callers] == [("call", LOSSES, 6)]
    assert (
        answer.callers[0].caller is not None
        and answer.callers[0].caller.qualname == "callpkg.losses.causal_loss"
    )


def test_callers_include_the_sites_of_a_function_nested_in_another(ws: Workspace) -> None:
    """``Builder().build()`` in ``outer``'s ``helper_of_inner``, a function the index keeps
    no definition of (as accelerate's ``add_hook_to_module.<locals>.new_forward``, whose
    ``pre_forward`` call is the one that runs): its host's own sites leave it out, so
    ``callers`` listed none of its calls."""
    found = {
        (c.kind, c.line, c.caller.qualname if c.caller is not None else "")
        for c in ws.callers("callpkg.models.Builder.build").callers
        if c.path == "src/callpkg/models.py"
    }
    assert ("call", 126, "callpkg.models.outer.<locals>.helper_of_inner") in found
    assert ("call", 112, "callpkg.models.use") in found  # the host-level sites are kept


def test_callers_leave_out_modular_sources_but_of_a_modular_definition(ws: Workspace) -> None:
    """``modular_losses.py`` calls fixed_loss, but a modular source never runs (the file
    generated from it does, with its own calls): not a caller. Asked about a definition
    of the modular source itself, its calls there are."""
    assert "src/callpkg/modular_losses.py" not in {c.path for c in ws.callers("fixed_loss").callers}
    found = [(c.kind, c.path, c.line) for c in ws.callers("modular_loss").callers]
    assert found == [("call", "src/callpkg/modular_losses.py", 11)]


def test_callers_through_a_property_a_registry_and_table_entries(ws: Workspace) -> None:
    found = {(c.kind, c.path, c.line) for c in ws.callers("causal_loss").callers}
    assert ("call", TRAINER, 39) in found  # self.loss_function(out): the property returns it
    assert ("call", TRAINER, 41) in found  # attention(x): the registry holds it
    assert ("call", TRAINER, 48) in found  # ToyForMaskedLM.predict, through the same property
    assert ("entry", LOSSES, 15) in found
    # mask(x), mask = MASKS[kind]: MASKS holds a Masks, whose table holds it
    assert ("call", "src/callpkg/registry.py", 28) in found


def test_callers_of_a_forward_are_the_calls_of_the_modules_holding_its_class(ws: Workspace) -> None:
    """``self.attn(x)``, ``layer(x)`` over ``self.layers`` (a ModuleList of them), and
    ``norm(...)`` over ``self.norms`` (appended to): the calls of a module run its
    forward, and name neither the class nor ``forward`` (callers listed none)."""
    found = {
        q: [(c.kind, c.line) for c in ws.callers(f"callpkg.models.{q}.forward").callers]
        for q in ("Attention", "DecoderLayer", "Norm")
    }
    assert found == {
        "Attention": [("call", 33)],  # DecoderLayer.forward: self.attn(x)
        "DecoderLayer": [("call", 50), ("call", 52), ("call", 53)],  # Model.forward's loops, [0]
        "Norm": [("call", 50)],
    }


_TWINS = """\
import torch.nn as nn


class LayerNorm(nn.Module):
    def forward(self, x):
        return x


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln = nn.LayerNorm(4)
        self.norm = LayerNorm()

    def forward(self, x):
        return self.norm(self.ln(x))
"""

_TORCH_NORM = """\
from torch.nn import LayerNorm


class Head:
    def __init__(self):
        self.ln_imported = LayerNorm(4)

    def __call__(self, x):
        return self.ln_imported(x)
"""


_OWN_NORM = """\
class LayerNorm:
    def __call__(self, x):
        return x


class Head:
    def __init__(self):
        self.ln_own = LayerNorm()

    def __call__(self, x):
        return self.ln_own(x)
"""

_THEIR_NORMS = """\
from callpkg.twins import LayerNorm
from callpkg.twins_own import LayerNorm as OwnNorm


class Head:
    def __init__(self):
        self.ln_theirs = LayerNorm()
        self.ln_reimported = OwnNorm()

    def __call__(self, x):
        return self.ln_theirs(self.ln_reimported(x))
"""


def test_callers_of_a_forward_do_not_follow_torch_s_class_of_the_same_name(tmp_path: Path) -> None:
    """peft's ``Linear`` beside ``nn.Linear`` and paddle's own ``Linear``: an attribute
    assigned torch's class of the same name (``nn.LayerNorm(4)``, or ``LayerNorm`` imported
    from ``torch.nn``) or another module's (``self.ln_own``, also imported from there)
    holds no instance of the package's class, and its uses are not looked up (for peft's
    ``Linear``, 40,674 bodies were read for paddle's); an attribute assigned the asked
    class is, imported from its module too."""
    from codewalk.calls.callers import Mention, callers

    checkout = make_callrepo(tmp_path)
    (checkout.root / "src/callpkg/twins.py").write_text(_TWINS)
    (checkout.root / "src/callpkg/twins_torch.py").write_text(_TORCH_NORM)
    (checkout.root / "src/callpkg/twins_own.py").write_text(_OWN_NORM)
    (checkout.root / "src/callpkg/twins_theirs.py").write_text(_THEIR_NORMS)
    ws = Workspace(checkout, Store.memory())
    asked: list[str] = []

    def mentions(name: str) -> list[Mention]:
        asked.append(name)
        return ws.calling.code.mentions(name)

    target = ws.calling.definition("callpkg.twins.LayerNorm.forward")
    found = callers(ws.calling.cr, target, mentions)
    assert [(c.path, c.line, c.text) for c in found] == [
        ("src/callpkg/twins.py", 16, "return self.norm(self.ln(x))"),
        ("src/callpkg/twins_theirs.py", 11, "return self.ln_theirs(self.ln_reimported(x))"),
    ]
    assert "norm" in asked and "ln_theirs" in asked
    assert not {"ln", "ln_imported", "ln_own", "ln_reimported"} & set(asked)
    ws.close()


def test_callers_of_a_method_include_value_references(ws: Workspace) -> None:
    found = [(c.kind, c.line) for c in ws.callers("Trainer._inner_loop").callers]
    assert found == [("ref", 30), ("call", 31)]


def test_path_to_a_function_of_another_package(ws: Workspace) -> None:
    answer = ws.path("Trainer.train", "accelerate.Accelerator.backward")
    assert not answer.goal_found
    chains = [[h.caller.target.qualname.rpartition(".")[2] for h in chain] for chain in answer.search.chains]
    assert chains == [["train", "_inner_loop", "step"]]  # reached by lines 30 and 31 of train: one route
    # shown at line 31, which calls what retry made of _inner_loop, not at 30, which passes it
    assert [h.callee.site.line for h in answer.search.chains[0]] == [31, 35, 42]
    assert answer.search.chains[0][-1].reached == "accelerate.Accelerator.backward"


def test_path_through_a_dispatch_table(ws: Workspace) -> None:
    (chain,) = ws.path("Mixin.generate", "Model._slow").search.chains
    assert [(h.caller.target.qualname, h.callee.site.line) for h in chain] == [
        ("callpkg.generation.Mixin.generate", 12)
    ]


def test_no_path_is_an_empty_answer(ws: Workspace) -> None:
    search = ws.path("helper", "Trainer.train").search
    assert (search.chains, search.complete) == ((), True)


def test_goto_at_a_call_site_lists_every_target(ws: Workspace) -> None:
    answer = ws.goto_all(GEN, 12, 16)  # `decoding(self)`
    assert [r.qualname for r in answer.results] == [
        "callpkg.generation.Model._fast",
        "callpkg.generation.Model._slow",
    ]
    answer = ws.goto_all(TRAINER, 39, 25)  # `self.loss_function(out)`
    assert [r.kind for r in answer.results] == ["property", "function", "function"]
    assert answer.results[1].qualname == "callpkg.losses.causal_loss"
    answer = ws.goto_all(TRAINER, 42, 27)  # `backward` in self.accelerator.backward(loss)
    assert answer.results == ()
    assert "Accelerator is imported from accelerate (no pin provides accelerate)" in answer.note
    hit = ws.goto(TRAINER, 42, 16)  # `accelerator` itself: not a call site, the resolver answers
    assert hit is None or hit.qualname != "callpkg.trainer.Trainer.setup"


def test_a_name_of_the_standard_library_is_said_to_be_one(ws: Workspace) -> None:
    """``from dataclasses import dataclass``: not a package "no pin provides", but
    Python's own, which codewalk does not read."""
    code = ws.calling.cr.code
    assert code.elsewhere("dataclasses.dataclass") == ([], "in Python's standard library")
    assert code.elsewhere("numpy.array") == ([], "no pin provides numpy")


def test_query_errors(ws: Workspace) -> None:
    with pytest.raises(NoDefinition) as missing:
        ws.calls("Trainer.stepp")
    assert missing.value.suggestions[0] == "Trainer.step"  # its member, as asked
    with pytest.raises(NotCallable, match="'LOSSES' is a variable"):
        ws.calls("LOSSES")
    with pytest.raises(NotCallable):
        ws.callers("MODES")
    with pytest.raises(
        NotCallable, match=r"'Reader\.config' is an attribute "
    ) as attribute:  # not "a attribute"
        ws.callers("Reader.config")
    assert (
        attribute.value.hint
        == "`codewalk find callpkg.models.Reader.config --refs` lists where it is read and set"
    )
    with pytest.raises(QueryError, match="no definition found"):
        ws.path("Trainer.train", "callpkg.nothing_here")


def test_a_body_whose_file_is_gone_is_an_error(ws: Workspace) -> None:
    assert ws.find("Trainer.train").results  # indexed while the file was there
    (ws.checkout.root / TRAINER).unlink()
    with pytest.raises(QueryError, match="no body to read"):
        ws.calls("Trainer.train")


@pytest.fixture()
def stacked(tmp_path: Path) -> Iterator[Workspace]:
    """The call package with ``accelerate`` as a second pin, opened when a call reaches it."""
    checkout = make_callrepo(tmp_path)
    stack = Stack(
        Store.memory(),
        owners={"callpkg": "calls", "accelerate": "accel"},
        opener=lambda repo: make_accel(checkout.root),
    )
    workspace = Workspace(checkout, stack.store, stack=stack)
    yield workspace
    workspace.close()


ACCEL = "src/accelerate/accelerator.py"


def test_a_call_into_another_pin_lands_there(stacked: Workspace) -> None:
    backward = callees(stacked, "Trainer.step")[(42, "self.accelerator.backward")]
    assert backward.status == "resolved"
    (target,) = backward.targets
    assert (target.repo, target.qualname, target.path, target.line) == (
        "accel",
        "accelerate.accelerator.Accelerator.backward",
        ACCEL,
        2,
    )
    assert "accelerator is an Accelerator" in target.via


def test_a_path_into_another_pin_ends_on_its_definition(stacked: Workspace) -> None:
    answer = stacked.path("Trainer.train", "accelerate.Accelerator.backward", limit=1)
    assert answer.goal_found and answer.goal == "accelerate.accelerator.Accelerator.backward"
    (chain,) = answer.search.chains
    assert [h.caller.target.qualname.rpartition(".")[2] for h in chain] == ["train", "_inner_loop", "step"]
    assert chain[-1].target is not None and chain[-1].target.repo == "accel"


def test_calls_and_callers_of_a_body_in_another_pin(stacked: Workspace) -> None:
    stacked.calls("Trainer.step")  # reaches, and opens, the accel pin
    levels = stacked.calls("accelerate.accelerator.Accelerator.backward").levels
    scale = levels[0].callee
    assert (scale.site.name.expr, [t.qualname for t in scale.targets]) == (
        "self.scale",
        ["accelerate.accelerator.Accelerator.scale"],
    )
    found = [
        (c.repo, c.path, c.line)
        for c in stacked.callers("accelerate.accelerator.Accelerator.backward").callers
    ]
    assert ("calls", TRAINER, 42) in found


def test_a_pin_that_cannot_be_opened_is_named_with_why(tmp_path: Path) -> None:
    checkout = make_callrepo(tmp_path)

    def unreachable(repo: str) -> Checkout:
        raise SourceError(f"{repo}: the package index could not be reached")

    stack = Stack(Store.memory(), owners={"callpkg": "calls", "accelerate": "accel"}, opener=unreachable)
    with Workspace(checkout, stack.store, stack=stack) as ws:
        backward = callees(ws, "Trainer.step")[(42, "self.accelerator.backward")]
    assert (backward.status, backward.external) == ("external", "accelerate.Accelerator.backward")
    assert "the accel pin cannot be opened: accel: the package index could not be reached" in backward.how


_HOOKED = """\
class Hook:
    def pre_forward(self, x):
        return x


def add_hook(module, hook: Hook):
    def new_forward(module, x):
        return module.hook.pre_forward(x)

    module.forward = new_forward
    return hook.pre_forward(module)
"""


def test_an_attribute_of_a_class_of_the_pins_or_of_torch_says_torch_s_as_the_other(ws: Workspace) -> None:
    """diffusers' ``UNet2DModel.time_proj``: ``Steps()`` in one branch, ``torch.nn.Embedding``
    in the other. What torch's is was said after the first target, as if it were what that
    target is: it is the other assignment, said so."""
    (called,) = callees(ws, "callpkg.embeddings.Projected.embed").values()
    assert called.how.endswith(
        "; or self.proj is a torch.nn.Embedding (set at src/callpkg/embeddings.py:66, one of 2 assignments); "
        "torch is the module torch (no pin provides torch)"
    )
    assert [t.qualname for t in called.targets][1] == "callpkg.embeddings.Steps.forward"


def test_the_goto_hint_names_the_function_whole_so_its_command_reads_that_one(tmp_path: Path) -> None:
    """``goto`` on paddle's ``_C_ops.linear(...)`` hinted `codewalk path linear CLASS.linear`,
    which reads transformers' ``FP8Experts.linear`` (a short name is looked for in the
    first pin): the hint names the function it is in by its qualified name, which no
    other definition shares (here ``merge_each``, which another module defines too)."""
    checkout = make_callrepo(tmp_path)
    (checkout.root / "src/callpkg/again.py").write_text("def merge_each(layers):\n    return layers\n")
    with Workspace(checkout, Store.memory()) as ws:
        ws.index_all(workers=1)
        assert len(ws.find("merge_each").matches) == 2  # the short name names either
        answer = ws.goto_all("src/callpkg/choosing.py", 15, 15, fallback=False)
        assert answer.results == ()
        assert "`codewalk path callpkg.choosing.merge_each CLASS.merge`" in answer.note
        assert ws.find("callpkg.choosing.merge_each").matches[0].path == "src/callpkg/choosing.py"


def test_calls_and_goto_at_a_line_of_a_nested_function_read_that_function(tmp_path: Path) -> None:
    """accelerate's ``add_hook_to_module.<locals>.new_forward``: the UI's ``c`` there listed
    the host's calls, not the nested function's, and ``goto`` on its
    ``module._hf_hook.pre_forward`` said ``module`` is a parameter of the host (the nested
    function's own parameter hides it)."""
    checkout = make_callrepo(tmp_path)
    (checkout.root / "src/callpkg/hooked.py").write_text(_HOOKED)
    ws = Workspace(checkout, Store.memory())
    ws.index_all(workers=1)
    found = ws.calls_at("src/callpkg/hooked.py", 8)
    assert found is not None and found.function.qualname == "callpkg.hooked.add_hook.<locals>.new_forward"
    assert [row.expr for row in found.rows] == ["module.hook.pre_forward"]
    answer = ws.goto_all("src/callpkg/hooked.py", 8, 30, fallback=False)
    assert answer.results == () and answer.note.startswith(
        "module is a parameter of add_hook.<locals>.new_forward: its value is the caller's"
    )
    assert "`codewalk path callpkg.hooked.add_hook.<locals>.new_forward CLASS.pre_forward`" in answer.note
    host = ws.calls_at("src/callpkg/hooked.py", 11)  # the host's own line: the host
    assert host is not None and host.function.qualname == "callpkg.hooked.add_hook"
    header = ws.calls_at("src/callpkg/hooked.py", 7)  # its def line: where a trace's step opens
    assert header is not None and header.function.qualname == found.function.qualname
    ws.close()


def test_calls_at_a_line_and_callers_at_a_definition(ws: Workspace) -> None:
    found = ws.calls_at(TRAINER, 40)  # inside Trainer.step
    assert found is not None and found.function.qualname == "callpkg.trainer.Trainer.step"
    attention = next(row for row in found.rows if row.expr == "attention")
    assert (attention.line, attention.status, len(attention.targets)) == (41, "resolved", 3)
    assert [row.minor for row in found.rows if row.expr == "nn.functional.relu"] == [False]
    assert ws.calls_at(TRAINER, 1) is None  # an import line: no function around it
    callers = ws.callers_at(LOSSES, 1, 4)  # `fixed_loss` in `def fixed_loss(logits):`
    assert callers is not None and [(c.path, c.line) for c in callers.callers] == [(LOSSES, 6)]
    assert ws.callers_at(LOSSES, 1, 0) is None  # on `def`
    assert ws.callers_at(LOSSES, 6, 12) is None  # a use of the name, not its definition


def test_complete_as_the_reader_types(ws: Workspace) -> None:
    if not ws.fully_indexed:
        ws.find("causal_loss")  # a partial index knows what was read
    assert [r.qualname for r in ws.complete("caus", 5)][:1] == ["callpkg.losses.causal_loss"]
    assert [r.qualname for r in ws.complete("csl", 5)][:1] == [
        "callpkg.losses.causal_loss"
    ]  # letters in order
    assert ws.complete("", 5) == [] and ws.complete("zzz", 5) == []


def test_complete_lists_the_functions_a_function_defines_under_it(ws: Workspace) -> None:
    """The index keeps no definition of ``outer``'s ``inner`` and ``helper_of_inner``: the
    palette lists them under ``outer`` when the text names it whole, and first when the
    text names one below it, as ``calls`` does (``outer.<locals>.help``) or as a member
    (``models.outer.inn``); ``outer.<locals>.`` lists them all."""
    if not ws.fully_indexed:
        ws.find("callpkg.models.outer")
    inner, helper = "callpkg.models.outer.<locals>.inner", "callpkg.models.outer.<locals>.helper_of_inner"
    names = [r.qualname for r in ws.complete("outer", 20)]
    at = names.index("callpkg.models.outer")
    assert names[at + 1 : at + 3] == [inner, helper]  # in source order
    found = ws.complete("outer.<locals>.help", 5)
    assert [r.qualname for r in found][:1] == [helper]
    assert (found[0].kind, found[0].path, found[0].line) == ("function", "src/callpkg/models.py", 125)
    assert [r.qualname for r in ws.complete("models.outer.inn", 5)][:1] == [inner]
    assert {inner, helper} <= {r.qualname for r in ws.complete("outer.<locals>.", 5)}
    assert not any("<locals>" in r.qualname for r in ws.complete("outr", 20))  # not named whole


def test_complete_lists_a_modules_variables_but_not_a_classs(ws: Workspace) -> None:
    """A module's table (``MODES``, a step's anchor as often as a function) is a symbol
    the reader looks for; a class's fields (``_global_mapping``) are not listed apart."""
    if not ws.fully_indexed:
        ws.find("MODES")
        ws.find("Functions")
    assert [r.qualname for r in ws.complete("MODES", 5)][:1] == ["callpkg.generation.MODES"]
    (field,) = ws.find("callpkg.experts.Functions._global_mapping").results  # in the index
    assert field.kind == "variable"  # as MODES is, but of a class
    assert field.qualname not in [r.qualname for r in ws.complete("_global_mapping", 50)]


def test_a_module_level_mention_is_a_possible_call_only_when_it_calls_the_name() -> None:
    """``callers LlamaModel`` listed ``class DiffLlamaModel(LlamaModel):`` (its text holds
    ``LlamaModel(``): subclassing is no call, nor is a longer name's call."""
    from codewalk.calls.callers import calls_by_name

    names = {"LlamaModel"}
    assert calls_by_name("model = LlamaModel(config)", names)
    assert calls_by_name("MODEL = modeling.LlamaModel (config)", names)
    assert not calls_by_name("class DiffLlamaModel(LlamaModel):", names)
    assert not calls_by_name("class Wrapped(LlamaModel):", names)
    assert not calls_by_name("other = DiffLlamaModel(config)", names)
    assert not calls_by_name("from .modeling import LlamaModel", names)


COUNTING = """from itertools import accumulate


class Counter:
    def accumulate(self, xs):
        return xs


def running(xs):
    return list(accumulate(xs))


def total(counter, xs):
    return counter.accumulate(xs)
"""


def test_a_name_followed_into_a_package_no_pin_provides_is_no_possible_caller(tmp_path: Path) -> None:
    """``callers Accelerator.accumulate`` listed transformers' ``list(accumulate(x))`` as
    a call on a value codewalk cannot type: the name is ``itertools.accumulate``,
    followed there, so no caller; ``counter.accumulate(xs)`` on a parameter may be one."""
    checkout = make_callrepo(tmp_path)
    (checkout.root / "src" / "callpkg" / "counting.py").write_text(COUNTING)
    with Workspace(checkout, Store.memory()) as ws:
        found = ws.callers("callpkg.counting.Counter.accumulate").callers
    assert [(c.kind, c.line) for c in found] == [("maybe", 14)]


def test_the_uses_of_many_names_each_with_the_function_around_it(ws: Workspace) -> None:
    uses = ws.calling.code.mentions_of(["LOSSES", "loss_function", "no_such_name"])
    assert uses["no_such_name"] == []
    where = {
        name: [(m.path, m.line, m.body.name if m.body is not None else None) for m in found]
        for name, found in uses.items()
    }
    assert (TRAINER, 27, "Trainer.loss_function") in where["LOSSES"]
    assert (TRAINER, 4, None) in where["LOSSES"]  # the import, at module level
    assert (TRAINER, 39, "Trainer.step") in where["loss_function"]
    assert (TRAINER, 48, "ToyForMaskedLM.predict") in where["loss_function"]
    alone = ws.calling.code.mentions("loss_function")
    assert [(m.path, m.line, m.col, m.body.target if m.body else None) for m in alone] == [
        (m.path, m.line, m.col, m.body.target if m.body else None) for m in uses["loss_function"]
    ]


def test_the_function_around_a_line_is_the_innermost_that_spans_it() -> None:
    from codewalk.workspace.code import _innermost

    # (row, first line, last line): a class's method (rows 1, 2) holding a nested def (3),
    # a function after them (4), and two defs sharing a line range (5 first, 6)
    spans = [(1, 10, 30), (2, 12, 20), (3, 14, 16), (4, 40, 50), (5, 60, 62), (6, 60, 62)]
    lines = [5, 10, 13, 15, 17, 25, 35, 50, 61, 70]
    assert _innermost(spans, lines) == {10: 1, 13: 2, 15: 3, 17: 2, 25: 1, 50: 4, 61: 5}
    assert _innermost([], lines) == {}


def test_reading_classes_ahead_reads_what_their_mro_looks_up_and_changes_no_answer(
    ws: Workspace, tmp_path: Path
) -> None:
    """``callers`` reads the classes of thousands of methods ahead, in bulk: each class
    and the member asked, the names its bases are written with (as definitions, as
    imports, the star imports) and theirs in turn; what is then found is what a
    workspace that read nothing ahead finds."""
    facts = ws.resolver.facts
    view = facts.module("callpkg.heads")
    assert view is not None
    ws.resolver.ns.read_classes([(view, "SumHead"), (view, "MeanHead")], "fit")
    # SumHead(Head), Head(nn.Module, Fitting): read down the chain, in the module
    names = ["SumHead", "SumHead.fit", "MeanHead", "Head", "Head.fit", "Head.__init_subclass__"]
    assert view.unread(
        [*names, "nn.Module", "nn", "Fitting", "Fitting.fit"], ["*", "Head", "nn", "Fitting"]
    ) == (
        [],
        [],
    )
    assert view.unread(["SumHead.forward"], ["loss"]) == (["SumHead.forward"], ["loss"])  # nothing else
    mro = [f"{v.module}.{c.qualname}" for v, c in ws.resolver.ns.mro(view, "SumHead")]
    fit = ws.resolver.resolve_in("callpkg.heads", "self.fit", "SumHead")
    with Workspace(make_callrepo(tmp_path / "again"), Store.memory()) as fresh:
        if ws.facts.complete:
            fresh.index_all(workers=1)
        again = fresh.resolver.facts.module("callpkg.heads")
        assert again is not None
        assert mro == [f"{v.module}.{c.qualname}" for v, c in fresh.resolver.ns.mro(again, "SumHead")]
        assert fit == fresh.resolver.resolve_in("callpkg.heads", "self.fit", "SumHead")
    assert [t.qualname for t in fit] == ["callpkg.heads.Fitting.fit"]


def test_reading_bases_ahead_reads_the_names_they_are_written_with_and_changes_no_answer(
    ws: Workspace, tmp_path: Path
) -> None:
    """The classes deriving from one (``self.x`` in its methods may be any of thousands)
    have their bases read ahead, in bulk: the names each is written with, as
    definitions and as imports (the star imports too), and nothing else. The subclasses
    found are those a workspace that read nothing ahead finds."""
    facts = ws.resolver.facts
    view = facts.module("callpkg.heads")
    assert view is not None
    head = next(d for d in view.defs("Head") if d.kind == "class")
    ws.resolver.ns.read_bases([(view, head)])  # Head(nn.Module, Fitting)
    assert view.unread(["nn.Module", "nn", "Fitting"], ["*", "nn", "Fitting"]) == ([], [])
    assert view.unread(["Fitting.fit", "SumHead.forward"], ["Head"]) == (
        ["Fitting.fit", "SumHead.forward"],
        ["Head"],
    )
    (fitting,) = ws.find("callpkg.heads.Fitting").matches
    below = [c.qualname for c in ws.calling.cr.descendants(fitting)]
    assert below == [f"callpkg.heads.{name}" for name in ("Head", "SumHead", "MeanHead", "MaxHead")]
    with Workspace(make_callrepo(tmp_path / "again"), Store.memory()) as fresh:
        if ws.facts.complete:
            fresh.index_all(workers=1)
        (again,) = fresh.find("callpkg.heads.Fitting").matches
        assert below == [c.qualname for c in fresh.calling.cr.descendants(again)]


def test_the_overrides_of_a_member_are_found_once_a_question(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``self.forward`` of a class thousands derive from is asked at every call of an
    instance annotated as one: its overrides, and what calling one runs, are found once
    (the descendants are not walked again), the same each time."""
    from codewalk.calls.derived import overrides

    cr = ws.calling.cr
    (fitting,) = ws.find("callpkg.heads.Fitting").matches
    first = [d.qualname for d in overrides(cr, fitting, "forward")]
    runs = [(d.qualname, d.via) for d in cr.overridden_call(fitting)]
    assert first == [f"callpkg.heads.{name}.forward" for name in ("Head", "SumHead", "MeanHead", "MaxHead")]
    assert [qualname for qualname, _ in runs] == first
    assert runs[0][1].startswith("it may be any Fitting: calling one runs its forward (4 classes deriving")

    def walked(cls: Resolved) -> None:
        raise AssertionError(f"the descendants of {cls.qualname} walked again")

    monkeypatch.setattr(cr, "descended", walked)
    assert [d.qualname for d in overrides(cr, fitting, "forward")] == first
    assert [(d.qualname, d.via) for d in cr.overridden_call(fitting)] == runs


def test_backwards_a_constant_named_in_a_method_brings_that_method_not_its_class(ws: Workspace) -> None:
    """``LOSSES[loss_type]`` in ``Trainer.loss_function``: the property may lead to the
    loss; a class named in a method would bring its class's methods (they call
    ``self.attribute(...)``), an upper-case constant does not."""
    from codewalk.calls.backward import toward

    (goal,) = ws.find("callpkg.losses.causal_loss").matches
    near = toward(ws.calling.cr, [goal], ws.calling.code.mentions_of, 2)
    found = {d.qualname.removeprefix("callpkg.") for d in near.values()}
    assert {"losses.causal_loss", "trainer.Trainer.loss_function"} <= found
    assert not found & {"trainer.Trainer.train", "trainer.Trainer.setup", "trainer.Trainer.__init__"}


def test_chains_through_the_same_functions_by_another_line_are_one_route(ws: Workspace) -> None:
    """``export`` calls ``escape`` at two lines: one route, shown at the first; the second
    chain shown is the other way, through ``quote``."""
    chains = ws.path("export", "finish", limit=2).search.chains
    hops = [[(h.caller.target.qualname.rpartition(".")[2], h.callee.site.line) for h in c] for c in chains]
    assert hops == [
        [("export", 18), ("escape", 9)],
        [("export", 20), ("quote", 13)],
    ]


def test_after_the_shortest_chains_come_those_one_call_longer(ws: Workspace) -> None:
    """``publish`` reaches ``finish`` through ``quote`` (two calls), ``seal`` (three) and
    ``stamp`` (four): the first two are listed, the shortest first."""
    search = ws.path("publish", "finish", limit=3).search
    hops = [[h.caller.target.qualname.rpartition(".")[2] for h in c] for c in search.chains]
    assert hops == [["publish", "quote"], ["publish", "seal", "escape"]]
    (only,) = ws.path("publish", "finish", limit=1).search.chains
    assert [h.caller.target.qualname.rpartition(".")[2] for h in only] == ["publish", "quote"]


def test_of_chains_as_costly_those_through_candidates_the_code_types_come_first(ws: Workspace) -> None:
    """``settle`` reaches ``record`` at the same cost through ``ledger.close_book(...)`` on
    an untyped parameter (possibly ``Book.close_book``: a guess by name) and through
    ``self.count_up(...)``, one of fourteen overrides of a method of ``Counter``: the
    second is listed first, though the search found the first sooner."""
    search = ws.path("callpkg.doubts.Counter.settle", "callpkg.doubts.record").search
    assert search.widened
    hops = [[h.reached.removeprefix("callpkg.doubts.") for h in c] for c in search.chains]
    assert hops == [
        ["Counter1.count_up", "Counter1.carry", "Counter1.post_entry", "record"],
        ["Book.close_book", "record"],
    ]
    assert "possibly callpkg.doubts.Book.close_book" in search.chains[1][0].callee.how


def test_a_short_name_this_pin_does_not_define_is_looked_for_in_the_scope(stacked: Workspace) -> None:
    """``scale`` is accelerate's alone: ``calls``, ``callers`` and ``path`` look for it in the
    pins of the scope (the CLI's: every pin in the cache, as ``find`` looks), not in this
    pin only; without a scope it is not found here."""
    scope = ["calls", "accel"]
    with pytest.raises(NoDefinition, match="'scale': no definition found in calls"):
        stacked.calls("scale")
    assert stacked.calls("scale", scope=scope).target.qualname == "accelerate.accelerator.Accelerator.scale"
    callers = stacked.callers("scale", scope=scope).callers
    assert [(c.repo, c.line) for c in callers] == [("accel", 3)]
    answer = stacked.path("Trainer.train", "scale", scope=scope, limit=1)
    assert answer.goal == "accelerate.accelerator.Accelerator.scale"
    (chain,) = answer.search.chains
    functions = [h.caller.target.qualname.rpartition(".")[2] for h in chain]
    assert functions == ["train", "_inner_loop", "step", "backward"]


PICKED = "src/callpkg/picked.py"
_MADE = f"is made from one of the 3 entries of ATTENTION_CLASSES ({PICKED}:30)"


def test_an_attribute_made_from_a_tables_item_runs_each_classs_forward(ws: Workspace) -> None:
    """``self.self_attn = ATTENTION_CLASSES[config.attn](config)`` (transformers 4.36-4.47):
    an instance of each class the table holds, in its order, the key the code names
    first; the attribute says where the table is, each forward which entry it comes from."""
    calls = callees(ws, "picked.DecoderLayer.forward")
    attn = calls[(44, "self.self_attn")]
    assert targets(attn) == [
        "picked.DecoderLayer.self_attn:39",
        "picked.EagerAttention.forward:16",
        "picked.FlashAttention.forward:21",
        "picked.SdpaAttention.forward:26",
    ]
    assert attn.targets[0].via == f"self.self_attn {_MADE}"
    assert attn.targets[2].via.startswith(
        f"self.self_attn {_MADE}, set at {PICKED}:39: "
        f"ATTENTION_CLASSES['flash'] -> FlashAttention ({PICKED}:32); calling a FlashAttention runs"
    )
    fast = calls[(45, "self.fast_attn")]  # ATTENTION_CLASSES["sdpa"](config): that entry first
    assert targets(fast)[1:] == [
        "picked.SdpaAttention.forward:26",
        "picked.EagerAttention.forward:16",
        "picked.FlashAttention.forward:21",
    ]
    act = calls[(47, "self.act")]  # a table another module defines, imported
    assert targets(act)[1:] == ["acts.Gelu.forward:5", "acts.Relu.forward:10"]
    assert "ACT_CLASSES['relu'] -> Relu (src/callpkg/acts.py:14)" in act.targets[2].via


def test_an_attribute_made_from_a_table_item_picked_into_a_local_first(ws: Workspace) -> None:
    """GPT-2's ``attention_class = GPT2_ATTENTION_CLASSES[...]``, then ``self.attn =
    attention_class(...)``: as if the item were called where the attribute is set."""
    attn = callees(ws, "picked.Block.forward")[(62, "self.attn")]
    assert targets(attn)[1:] == [
        "picked.EagerAttention.forward:16",
        "picked.FlashAttention.forward:21",
        "picked.SdpaAttention.forward:26",
    ]
    assert attn.targets[0].via == f"self.attn {_MADE}"


def test_a_member_of_an_attribute_made_from_a_tables_item(ws: Workspace) -> None:
    """``self.self_attn.o_proj``: the member of each class the table holds (one the
    three share, from their base, once), and on to what it holds."""
    o_proj = callees(ws, "picked.DecoderLayer.forward")[(46, "self.self_attn.o_proj")]
    assert targets(o_proj) == ["picked.EagerAttention.o_proj:14", "picked.Proj.forward:8"]
    assert o_proj.targets[0].via.startswith(f"self.self_attn {_MADE}")


def test_callers_and_paths_through_an_attribute_made_from_a_tables_item(ws: Workspace) -> None:
    """The table names the class, the layer names the table: ``callers`` finds the calls
    of the attribute (and of a local made the same way), ``path`` goes through them."""
    found = [(c.kind, c.line) for c in ws.callers("picked.SdpaAttention.forward").callers]
    assert found == [("call", 44), ("call", 45), ("call", 51), ("call", 62)]  # 62: Block.forward
    gelu = [(c.kind, c.path, c.line) for c in ws.callers("acts.Gelu.forward").callers]
    assert gelu == [("call", PICKED, 47)]
    (chain,) = ws.path("picked.DecoderLayer.forward", "picked.SdpaAttention.forward").search.chains
    assert [h.callee.site.line for h in chain] == [44]


def test_a_path_searched_backwards_reaches_the_methods_of_a_class_naming_a_table_of_classes(
    ws: Workspace,
) -> None:
    """Backwards from ``SdpaAttention.forward``: the table holding the class, then each
    method of the class whose ``__init__`` calls the table's item (its ``forward`` calls
    the attribute), not the ``__init__`` alone."""
    from codewalk.calls.backward import toward
    from codewalk.calls.graph import key

    (goal,) = ws.find("picked.SdpaAttention.forward").matches
    (layer_forward,) = ws.find("picked.DecoderLayer.forward").matches
    near = toward(ws.calling.cr, [goal], ws.calling.code.mentions_of, hops=2)
    assert key(layer_forward) in near


GATHERING = "src/callpkg/gathering.py"


def test_an_attribute_assigned_a_method_of_self_runs_it(ws: Workspace) -> None:
    """``self.scorer = self.score``: calling ``self.scorer`` runs ``score``; an attribute
    assigned what a property returns (``self.where = self.accelerator.device``) holds no
    method codewalk reads, nor does one assigned a method of another package no pin here
    provides."""
    calls = callees(ws, "gathering.Evaluator.loop")
    scorer = calls[(17, "self.scorer")]
    assert targets(scorer) == ["gathering.Evaluator.scorer:8", "gathering.Evaluator.score:11"]
    assert scorer.targets[1].via == f"self.scorer holds the method self.score (set at {GATHERING}:8)"
    assert targets(calls[(16, "self.where")]) == ["gathering.Evaluator.where:9"]
    assert targets(calls[(15, "self.gather_function")]) == ["gathering.Evaluator.gather_function:7"]


def test_an_attribute_assigned_a_method_of_another_pin_runs_it(stacked: Workspace) -> None:
    """``self.gather_function = self.accelerator.gather`` (transformers' Trainer): calling
    the attribute runs ``Accelerator.gather``, the name read as the assigning method reads
    it; a property's value (``self.accelerator.device``) is no method."""
    calls = callees(stacked, "gathering.Evaluator.loop")
    gather = calls[(15, "self.gather_function")]
    assert [(t.repo, t.qualname, t.line) for t in gather.targets] == [
        ("calls", "callpkg.gathering.Evaluator.gather_function", 7),
        ("accel", "accelerate.accelerator.Accelerator.gather", 9),
    ]
    assert gather.targets[1].via.startswith(
        f"self.gather_function holds the method self.accelerator.gather (set at {GATHERING}:7); "
        "accelerator is an Accelerator"
    )
    assert targets(calls[(16, "self.where")]) == ["gathering.Evaluator.where:9"]


def test_a_member_the_annotated_class_lacks_is_taken_from_a_mixin_beside_it(ws: Workspace) -> None:
    """``self.assistant.generate()`` where ``self.assistant`` is annotated with a class that
    defines no ``generate``, and the classes deriving from it take it from a mixin beside
    it (transformers' ``PreTrainedModel`` and ``GenerationMixin``): the mixin's, then the
    overrides; so for a parameter annotated so, where the class deriving from another
    package's (``nn.Module``) is no reason to say that package's."""
    drafted = callees(ws, "drafting.Drafter.draft")[(50, "self.assistant.generate")]
    assert targets(drafted) == ["drafting.DraftGenerating.generate:24", "drafting.DraftAudio.generate:36"]
    assert drafted.targets[0].via.endswith(
        "defined in DraftGenerating, a base of DraftCausalLM, which derives from DraftPretrained"
    )
    made = callees(ws, "drafting.Drafter.__init__")
    generate = made[(46, "assistant.generate")]
    assert targets(generate) == ["drafting.DraftGenerating.generate:24", "drafting.DraftAudio.generate:36"]
    keeps = made[(47, "assistant.keeps_logits")]
    assert (keeps.status, targets(keeps)) == ("resolved", ["drafting.DraftGenerating.keeps_logits:27"])


def test_self_in_a_mixin_takes_what_the_classes_deriving_from_it_inherit(ws: Workspace) -> None:
    """``self.get_input_embeddings()`` in a mixin that defines none: the definition the
    classes deriving from it inherit through their other base, then their overrides."""
    embeddings = callees(ws, "drafting.DraftGenerating.generate")[(25, "self.get_input_embeddings")]
    assert targets(embeddings) == [
        "drafting.DraftEmbedding.get_input_embeddings:11",
        "drafting.DraftAudio.get_input_embeddings:39",
    ]
    assert embeddings.how == (
        "DraftGenerating does not define get_input_embeddings; classes deriving from it take it from "
        "another base (DraftEmbedding), and 1 class deriving from it does (DraftAudio)"
    )


def test_an_attribute_of_self_in_a_mixin_is_read_as_the_base_introducing_it_types_it(ws: Workspace) -> None:
    """``self.config.to_dict()`` in a mixin without ``config``: ``config`` as the class
    the classes deriving from the mixin take it from says; when they take it from several
    (each family's narrower annotation), as the farthest base defining it (the pretrained
    base's annotated parameter) says."""
    saved = callees(ws, "drafting.Saving.save")[(74, "self.config.to_dict")]
    assert targets(saved) == ["drafting.DraftConfig.to_dict:54"]
    assert saved.status == "resolved"
    assert saved.targets[0].via.startswith(
        "self.config: defined in ConfiguredPretrained, a base of classes deriving from Saving; "
    )
    # the classes deriving from the mixin all take it from one class: as that one types it
    loaded = callees(ws, "drafting.Loading.load")[(91, "self.config.to_dict")]
    assert targets(loaded) == ["drafting.DraftConfig.to_dict:54"]
    assert loaded.targets[0].via.startswith(
        "self.config: defined in ConfiguredText, a base of classes deriving from Loading; "
    )


def test_the_callers_of_a_member_taken_from_a_mixin_are_the_sites_on_its_base(ws: Workspace) -> None:
    """``callers`` of the mixin's ``generate`` finds the calls on a value annotated with
    the base that lacks it (the assistant's ``generate`` of assisted decoding), as calls,
    not as possible callers; so for the embedding mixin's method, called on ``self`` in
    the generation mixin."""
    drafting = "src/callpkg/drafting.py"
    generating = ws.callers("callpkg.drafting.DraftGenerating.generate").callers
    found = {(c.kind, c.path, c.line) for c in generating}
    assert {("call", drafting, 46), ("call", drafting, 50)} <= found
    embedded = ws.callers("callpkg.drafting.DraftEmbedding.get_input_embeddings").callers
    assert ("call", drafting, 25) in {(c.kind, c.path, c.line) for c in embedded}


def test_a_member_taken_from_a_base_in_another_pin(stacked: Workspace) -> None:
    """``self.gather`` in a class that defines none, whose only class deriving from it
    takes it from a class of another pin (``Accelerator``): that pin's definition, though
    no class deriving from the first is in it."""
    gather = callees(stacked, "launching.Launching.launch")[(10, "self.gather")]
    assert [(t.repo, t.qualname, t.line) for t in gather.targets] == [
        ("accel", "accelerate.accelerator.Accelerator.gather", 9)
    ]
    assert gather.targets[0].via == (
        "defined in Accelerator, a base of AcceleratedLauncher, which derives from Launching"
    )


BACKENDS = "src/callpkg/backends.py"


def test_an_attribute_assigned_a_local_holds_what_the_method_assigns_the_local(stacked: Workspace) -> None:
    """``self.backend = made``, ``made`` a copy of what was given in one branch and an
    ``Accelerator()`` in the other (transformers' ``TokenizersBackend._tokenizer``): the
    attribute holds what the local is assigned, and a call on it reaches the class the
    other branch makes, past the copy of a value of no known class (which alone says so)."""
    calls = callees(stacked, "backends.Backed.run")
    gather = calls[(22, "self.backend.gather")]
    assert [(t.repo, t.qualname) for t in gather.targets] == [
        ("accel", "accelerate.accelerator.Accelerator.gather")
    ]
    assert gather.how.startswith(f"self.backend is an Accelerator (set at {BACKENDS}:17)")
    plain = calls[(21, "self.plain.gather")]
    assert not plain.targets
    assert plain.how.startswith(f"self.plain is what copy.deepcopy(…) returns (set at {BACKENDS}:18)")


_LOADING = """\
def load_component(flag, component, loader):
    try:
        return loader(component)
    except Exception:
        if flag:
            raise
        return None


def finish(name):
    return name


def resolve_tokenizer(name):
    def load(given):
        return finish(given)

    return load_component(True, name, load)


def decorate(function):
    def wrapper(*args):
        return function(*args)

    return wrapper
"""


def test_a_function_the_body_defines_passed_to_a_call_is_followed_there(tmp_path: Path) -> None:
    """transformers' ``_resolve_tokenizer`` hands its nested ``load`` to
    ``_load_pipeline_component``, which calls it: ``path pipeline
    AutoTokenizer.from_pretrained`` found no chain through it (and showed a guessed one
    instead). A nested function passed to a call is a reference, as a module's function
    is; one only returned (a decorator's ``return wrapper``: it runs later, when the
    decorated function is called) is not."""
    checkout = make_callrepo(tmp_path)
    (checkout.root / "src/callpkg/loading.py").write_text(_LOADING)
    with Workspace(checkout, Store.memory()) as ws:
        ws.index_all(workers=1)
        answer = ws.calls("callpkg.loading.resolve_tokenizer")
        sites = [lv.callee for lv in answer.levels]
        refs = [(c.site.kind, c.site.line, [t.qualname for t in c.targets]) for c in sites]
        assert ("ref", 18, ["callpkg.loading.resolve_tokenizer.<locals>.load"]) in refs
        (chain,) = ws.path("callpkg.loading.resolve_tokenizer", "callpkg.loading.finish").search.chains
        assert [h.caller.target.qualname.rpartition(".")[2] for h in chain] == ["resolve_tokenizer", "load"]
        assert chain[0].callee.site.kind == "ref"
        returned = ws.calls("callpkg.loading.decorate").levels
        assert [lv.callee.site.kind for lv in returned] == []


_COPYING = """\
import copy


class Table:
    def iter(self, size):
        return [size]

    def with_format(self, kind):
        dataset = copy.deepcopy(self)
        dataset.kind = kind
        return dataset


def save(shard: Table):
    for batch in shard.with_format("arrow").iter(10):
        return batch


def shallow(table: Table):
    other = copy.copy(table)
    return other.iter(1)
"""


def test_a_copy_is_of_the_class_of_what_was_copied(tmp_path: Path) -> None:
    """datasets' ``with_format`` returns ``copy.deepcopy(self)``: in ``_save_to_disk_single``,
    ``shard.with_format("arrow").iter(batch_size)`` was not resolved (what ``with_format``
    returns, codewalk did not know), though the run called ``Dataset.iter`` there."""
    checkout = make_callrepo(tmp_path)
    (checkout.root / "src/callpkg/copying.py").write_text(_COPYING)
    with Workspace(checkout, Store.memory()) as ws:
        ws.index_all(workers=1)
        iterated = callees(ws, "callpkg.copying.save")[(15, "shard.with_format().iter")]
        assert [t.qualname for t in iterated.targets] == ["callpkg.copying.Table.iter"]
        copied = callees(ws, "callpkg.copying.shallow")[(21, "other.iter")]
        assert [t.qualname for t in copied.targets] == ["callpkg.copying.Table.iter"]
        assert "copy.copy returns a copy of table" in copied.how


def test_what_a_function_puts_in_a_local_list_is_a_call_fact() -> None:
    facts = call_facts(
        "def make(top_p):\n    items = Items()\n    items.append(\n        TopP()\n    )\n"
        "    warm = Warm()\n    items.insert(0, warm)\n    items.extend([A(), B()])\n    items.append('x')\n",
        1,
        method=False,
    )
    put = [(o.kind, o.name.expr, o.line) for o in facts.filled["items"]]
    assert put == [
        ("call", "TopP", 4),
        ("name", "warm", 7),
        ("call", "A", 8),
        ("call", "B", 8),
        ("str", "x", 9),
    ]
    assert from_json(to_json(facts)) == facts


def test_a_loop_over_self_of_a_list_gives_what_its_makers_put_in_it(ws: Workspace) -> None:
    """transformers' ``LogitsProcessorList.__call__``: ``for processor in self:`` in a class
    deriving from ``list`` gives an instance of each class the functions making one put in
    it (``make_processors``, ``make_more``), so ``callers TopP.__call__`` finds the site."""
    (call,) = callees(ws, "callpkg.processing.ProcessorList.__call__").values()
    assert [t.qualname for t in call.targets] == [
        "callpkg.processing.TopP.__call__",
        "callpkg.processing.Temperature.__call__",
    ]
    # the functions named as what put the classes in: not read as the classes' names
    assert "an element of self, a ProcessorList (a list): one of the 2 classes put in one by " in call.how
    for made in ("TopP", "Temperature"):
        found = [(c.kind, c.path, c.line) for c in ws.callers(f"callpkg.processing.{made}.__call__").callers]
        assert ("call", "src/callpkg/processing.py", 8) in found, made
