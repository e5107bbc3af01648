"""Call facts on the real transformers 5.23.0 release, with accelerate 1.14.0 as a second
pin (both downloaded once per machine): what issue "Follow the calls" must show. Every
line below was checked by reading the release source. The index is lazy: each question
indexes the modules it needs, as a first run on a fresh cache does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.cli.main import main
from codewalk.index.store import Store
from codewalk.source.checkout import Checkout
from codewalk.tours.draft import draft_tour
from codewalk.tours.loader import parse_tour
from codewalk.workspace.stack import Stack
from codewalk.workspace.workspace import Workspace
from tests.tourwalk import resolve_tour

pytestmark = [pytest.mark.release, pytest.mark.slow]

TRAINER = "src/transformers/trainer.py"
GEN = "src/transformers/generation/utils.py"
LOSS = "src/transformers/loss/loss_utils.py"
LLAMA = "src/transformers/models/llama/modeling_llama.py"
MOE = "src/transformers/integrations/moe.py"
ACCEL = "src/accelerate/accelerator.py"


@pytest.fixture(scope="module")
def stack(
    transformers_checkout: Checkout, accelerate_checkout: Checkout, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    store = Store.open(tmp_path_factory.mktemp("calls-index") / "index.sqlite3")
    owners = {"transformers": "transformers", "accelerate": "accelerate"}
    yield Stack(store, owners=owners, opener=lambda repo: accelerate_checkout)
    store.close()


@pytest.fixture(scope="module")
def ws(stack: Stack, transformers_checkout: Checkout) -> Workspace:
    return Workspace(transformers_checkout, stack.store, stack=stack)


def test_training_step_calls_compute_loss_and_accelerates_backward(ws: Workspace) -> None:
    callees = {
        (lv.callee.site.line, lv.callee.site.name.expr): lv.callee
        for lv in ws.calls("Trainer.training_step").levels
    }
    compute = callees[(2082, "self.compute_loss")]
    assert [(t.qualname, t.path, t.line) for t in compute.targets] == [
        ("transformers.trainer.Trainer.compute_loss", TRAINER, 2122)
    ]
    backward = callees[(2118, "self.accelerator.backward")]
    (target,) = backward.targets
    assert (target.repo, target.qualname, target.path, target.line) == (
        "accelerate",
        "accelerate.accelerator.Accelerator.backward",
        ACCEL,
        2818,
    )
    assert "accelerator is an Accelerator (set at src/transformers/trainer.py:864)" in target.via


def test_path_from_train_to_backward(ws: Workspace) -> None:
    answer = ws.path("Trainer.train", "accelerate.Accelerator.backward")
    assert answer.goal_found
    chains = {
        tuple((h.caller.target.qualname.rpartition(".")[2], h.callee.site.line) for h in chain)
        for chain in answer.search.chains
    }
    # train passes _inner_training_loop at line 1571 and calls what it made at 1576: one route,
    # shown at the call
    assert chains == {
        (("train", 1576), ("_inner_training_loop", 1660), ("_run_epoch", 1909), ("training_step", 2118)),
    }
    first = answer.search.chains[0]
    assert first[0].callee.site.kind == "call"  # inner_training_loop(...), made by find_executable_batch_size
    assert first[-1].target is not None and first[-1].target.repo == "accelerate"


def test_path_from_generate_to_assisted_decoding_goes_through_the_table(ws: Workspace) -> None:
    (chain,) = ws.path(
        "GenerationMixin.generate", "GenerationMixin._assisted_decoding", limit=1
    ).search.chains
    (hop,) = chain
    assert (hop.caller.target.line, hop.callee.site.line) == (2582, 3007)
    assert hop.target is not None and hop.target.line == 3919
    assert (
        "GENERATION_MODES_MAPPING[GenerationMode.ASSISTED_GENERATION] -> '_assisted_decoding'"
        in hop.target.via
    )


def test_callers_of_fixed_cross_entropy_are_the_loss_functions(ws: Workspace) -> None:
    callers = ws.callers("fixed_cross_entropy").callers
    assert [(c.kind, c.path, c.line) for c in callers] == [
        ("call", LOSS, line) for line in (72, 92, 114, 136, 137, 148, 161, 168)
    ]
    assert {c.caller.qualname.rpartition(".")[2] for c in callers if c.caller is not None} == {
        "ForCausalLMLoss",
        "ForMaskedLMLoss",
        "ForSequenceClassificationLoss",
        "ForQuestionAnsweringLoss",
        "ForTokenClassification",
        "ForSemanticSegmentationLoss",
    }


def test_callers_of_a_dispatch_table_target(ws: Workspace) -> None:
    found = {(c.kind, c.path, c.line) for c in ws.callers("GenerationMixin._assisted_decoding").callers}
    assert ("call", GEN, 3007) in found and ("entry", GEN, 148) in found


def test_goto_at_the_decoding_call_lists_the_tables_targets(ws: Workspace) -> None:
    answer = ws.goto_all(GEN, 3007, 17)  # `decoding_method` in `result = decoding_method(`
    assert [r.qualname.rpartition(".")[2] for r in answer.results] == [
        "_sample",
        "_beam_search",
        "_assisted_decoding",
    ]
    assert all("getattr through the dispatch table GENERATION_MODES_MAPPING" in r.via for r in answer.results)


def test_goto_at_a_property_call_lands_on_it_and_what_it_returns(ws: Workspace) -> None:
    answer = ws.goto_all(LLAMA, 472, 25)  # `self.loss_function(...)` in LlamaForCausalLM.forward
    first, second = answer.results[:2]
    assert (first.qualname, first.line) == ("transformers.modeling_utils.PreTrainedModel.loss_function", 4762)
    assert (second.qualname, second.path) == ("transformers.loss.loss_utils.ForCausalLMLoss", LOSS)
    assert "(the key in LlamaForCausalLM's name)" in second.via


@pytest.mark.parametrize(
    ("model", "module", "line"), [("Mixtral", "mixtral", 68), ("Qwen3Moe", "qwen3_moe", 221)]
)
def test_an_experts_dispatcher_runs_the_class_s_own_forward_by_default(
    ws: Workspace, model: str, module: str, line: int
) -> None:
    """``@use_experts_implementation`` sets a dispatcher as the experts' forward: the
    default its ``get_interface`` call passes, the class's forward as written (what runs
    with ``experts_implementation="eager"``; a model's own default, ``grouped_mm``, is
    among the registry's entries after it), comes first; a chain from the model's forward
    goes through the dispatcher to it."""
    path = f"src/transformers/models/{module}/modeling_{module}.py"
    models = f"transformers.models.{module}.modeling_{module}.{model}"
    dispatcher = "transformers.integrations.moe.use_experts_implementation.<locals>.wrapper.<locals>.forward"
    answer = ws.calls(f"{model}Experts.forward")
    assert (answer.target.qualname, answer.target.path) == (dispatcher, MOE)
    (chosen,) = [lv.callee for lv in answer.levels if lv.callee.site.name.expr == "experts_forward"]
    default = chosen.targets[0]
    assert (default.qualname, default.path, default.line, default.receiver) == (
        f"{models}Experts.forward",
        path,
        line,
        f"{models}Experts",
    )
    own = f"{model}Experts's own forward ({path}:{line}), before use_experts_implementation sets it"
    assert default.via.endswith(own)
    assert len(chosen.targets) > 1  # then the registry's kernels
    (chain, *_) = ws.path(f"{model}ForCausalLM.forward", f"{model}Experts.forward").search.chains
    callers = [hop.caller.target.qualname for hop in chain]
    assert callers[-2:] == [f"{models}SparseMoeBlock.forward", dispatcher]
    assert chain[-1].reached == f"{models}Experts.forward"


def test_a_drafted_tour_resolves_in_full(
    ws: Workspace, stack: Stack, accelerate_checkout: Checkout, tmp_path: Path
) -> None:
    (chain,) = ws.path("Trainer.train", "accelerate.Accelerator.backward", limit=1).search.chains
    text = draft_tour(
        chain, "Trainer.train", "accelerate.Accelerator.backward", ws.source_text, "transformers"
    )
    tour = parse_tour(text, tmp_path / "drafted.yaml")
    assert [step.at for step in tour.steps] == [
        "transformers.trainer.Trainer.train",
        "transformers.trainer.Trainer._inner_training_loop",
        "transformers.trainer.Trainer._run_epoch",
        "transformers.trainer.Trainer.training_step",
        "accelerate.accelerator.Accelerator.backward",
    ]
    accelerate = Workspace(accelerate_checkout, stack.store, stack=stack)
    resolved = resolve_tour({"transformers": ws, "accelerate": accelerate}, tour)
    assert [(s.status, s.focus) for s in resolved.steps] == [
        ("resolved", (1576, 1581)),
        ("resolved", (1660, 1672)),
        ("resolved", (1909, 1909)),
        ("resolved", (2118, 2118)),
        ("resolved", None),
    ]


def test_at_4_46_3_a_decoder_layers_attention_is_each_class_of_its_table(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """transformers 4.46.3 picks the attention class from ``LLAMA_ATTENTION_CLASSES``
    (line 619) when the layer is made (line 631): ``self.self_attn(...)`` runs each one's
    forward, and ``callers`` of the sdpa one finds that call."""
    assert main(["calls", "LlamaDecoderLayer.forward", "--at", "transformers@4.46.3", "--json"]) == 0
    calls = json.loads(capsys.readouterr().out)["calls"]
    (attn,) = [c for c in calls if c["expr"] == "self.self_attn"]
    assert [(t["qualname"].rpartition(".")[2], t["line"]) for t in attn["targets"]] == [
        ("self_attn", 631),
        ("forward", 307),  # LlamaAttention
        ("forward", 415),  # LlamaFlashAttention2
        ("forward", 528),  # LlamaSdpaAttention
    ]
    assert attn["targets"][0]["via"] == (
        f"self.self_attn is made from one of the 3 entries of LLAMA_ATTENTION_CLASSES ({LLAMA}:619)"
    )
    assert main(["callers", "LlamaSdpaAttention.forward", "--at", "transformers@4.46.3", "--json"]) == 0
    sites = json.loads(capsys.readouterr().out)["callers"]
    assert [(c["kind"], c["path"], c["line"]) for c in sites if c["kind"] == "call"] == [("call", LLAMA, 676)]


def test_a_callbacks_hook_is_possibly_called_by_the_handlers_event(ws: Workspace) -> None:
    """``CallbackHandler.on_evaluate`` passes ``"on_evaluate"`` to ``call_event``, whose
    ``getattr(callback, event)(...)`` runs each callback's hook: the one possible caller
    of ``EarlyStoppingCallback.on_evaluate`` (no site names it)."""
    events = "src/transformers/trainer_callback.py"
    found = ws.callers("EarlyStoppingCallback.on_evaluate").callers
    assert [(c.kind, c.path, c.line) for c in found] == [("maybe", events, 524)]
    assert found[0].how == (
        "passes 'on_evaluate' to call_event, whose getattr(callback, event)(…) "
        f"({events}:545) calls the attribute so named"
    )


def test_a_submodule_an_isinstance_guard_keeps_is_a_pretrained_model(ws: Workspace) -> None:
    """``get_model_conversion_mapping`` loops over ``model.named_modules()`` and skips any
    ``submodule`` not a ``PreTrainedModel``: its ``is_custom_code()`` is that class's, and
    ``path`` from ``from_pretrained`` lists first the 3 calls a run takes."""
    callees = {
        (lv.callee.site.line, lv.callee.site.name.expr): lv.callee
        for lv in ws.calls("transformers.conversion_mapping.get_model_conversion_mapping").levels
    }
    (custom,) = callees[(2660, "submodule.is_custom_code")].targets
    assert (custom.qualname, custom.line) == (
        "transformers.modeling_utils.PreTrainedModel.is_custom_code",
        5033,
    )
    assert "(the isinstance guard at line 2651)" in custom.via
    first = ws.path("AutoModelForCausalLM.from_pretrained", "PreTrainedModel.is_custom_code").search.chains[0]
    assert [(h.caller.target.qualname.rpartition(".")[2], h.callee.site.line) for h in first] == [
        ("from_pretrained", 389),
        ("from_pretrained", 4402),
        ("get_model_conversion_mapping", 2660),
    ]


def test_the_rest_of_hp_search_setup_after_its_guard_on_trial_is_a_branch(ws: Workspace) -> None:
    """``_hp_search_setup(self, trial: ... | None)`` returns at once when ``trial is None``
    (``Trainer.train``'s default): its calls after that run only for a search's trial."""
    callees = {lv.callee.site.name.expr: lv.callee for lv in ws.calls("Trainer._hp_search_setup").levels}
    site = callees["self.create_accelerator_and_postprocess"].site
    assert (site.line, site.branch, site.branch_line) == (4650, "guard", 4602)
