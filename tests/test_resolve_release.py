"""Resolution against the real transformers 5.23.0 release (the ``transformers_checkout``
fixture). Every expected ``path:line`` below was checked by reading the release source."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.index.store import Store
from codewalk.source.checkout import Checkout
from codewalk.workspace.workspace import Workspace

pytestmark = [pytest.mark.release, pytest.mark.slow]

GEN = "src/transformers/generation/utils.py"
MU = "src/transformers/modeling_utils.py"
LLAMA = "src/transformers/models/llama/modeling_llama.py"
LOSS = "src/transformers/loss/loss_utils.py"
TRAINER = "src/transformers/trainer.py"
TOK = "src/transformers/tokenization_utils_tokenizers.py"

# (query, path:line of the best result, words its "via" must contain)
CASES = [
    # short names and fully qualified names
    ("ForCausalLMLoss", f"{LOSS}:51", "direct"),
    ("transformers.loss.loss_utils.ForCausalLMLoss", f"{LOSS}:51", "direct"),
    ("LlamaForCausalLM", f"{LLAMA}:410", "direct"),
    ("LlamaPreTrainedModel", f"{LLAMA}:317", "direct"),
    ("GenerationMixin", f"{GEN}:494", "direct"),
    ("PreTrainedConfig", "src/transformers/configuration_utils.py:299", "direct"),
    ("GENERATION_MODES_MAPPING", f"{GEN}:143", "direct"),
    ("LOSS_MAPPING", f"{LOSS}:174", "direct"),
    ("ALL_ATTENTION_FUNCTIONS", f"{MU}:5274", "direct"),
    ("transformers.models.llama", "src/transformers/models/llama/__init__.py:1", "direct"),
    # public through dir() of the dummy modules, which import it (Python: utils/import_utils.py)
    (
        "transformers.DummyObject",
        "src/transformers/utils/import_utils.py:2517",
        "imported by transformers.utils.dummy_",
    ),
    # 348 copies; llama's is the one the modular files import (Python: modeling_llama.py:180)
    ("eager_attention_forward", f"{LLAMA}:180", "direct"),
    # public API through lazy modules (real class, not the DummyObject twin)
    ("transformers.PreTrainedModel", f"{MU}:1068", "lazy _import_structure"),
    ("transformers.Trainer", f"{TRAINER}:260", "lazy _import_structure"),
    ("transformers.GenerationMixin", f"{GEN}:494", "re-exported by transformers.generation"),
    ("transformers.generation.GenerationMixin", f"{GEN}:494", "lazy _import_structure"),
    ("transformers.LlamaForCausalLM", f"{LLAMA}:410", "transformers.models → transformers.models.llama"),
    (
        "transformers.AutoModelForCausalLM",
        "src/transformers/models/auto/modeling_auto.py:2347",
        "lazy module",
    ),
    # Class.member, directly and through the MRO
    ("Trainer.train", f"{TRAINER}:1450", "direct"),
    ("Trainer._inner_training_loop", f"{TRAINER}:1583", "direct"),
    ("LlamaModel.__init__", f"{LLAMA}:337", "direct"),
    ("LlamaModel.forward", f"{LLAMA}:356", "direct"),
    ("LlamaForCausalLM.generate", f"{GEN}:2582", "inherited from GenerationMixin (MRO of LlamaForCausalLM)"),
    ("LlamaForCausalLM.from_pretrained", f"{MU}:3894", "inherited from PreTrainedModel"),
    ("transformers.LlamaForCausalLM.generate", f"{GEN}:2582", "inherited from GenerationMixin"),
    # properties with setters (getter first)
    ("loss_function", f"{MU}:4762", "direct"),
    ("LlamaForCausalLM.loss_function", f"{MU}:4762", "inherited from PreTrainedModel"),
    # aliases
    ("PreTrainedTokenizerFast", f"{TOK}:87", f"alias of TokenizersBackend ({TOK}:1580)"),
    (
        "transformers.PretrainedConfig",
        "src/transformers/configuration_utils.py:299",
        "alias of PreTrainedConfig",
    ),
    # dispatch-table targets, generated and copied code
    ("_assisted_decoding", f"{GEN}:3919", "direct"),
    ("GenerationMixin._sample", f"{GEN}:3122", "direct"),
    (
        "MistralForCausalLM",
        "src/transformers/models/mistral/modeling_mistral.py:383",
        "generated from src/transformers/models/mistral/modular_mistral.py",
    ),
    (
        "ChameleonRMSNorm",
        "src/transformers/models/chameleon/modeling_chameleon.py:67",
        "copied from transformers.models.llama.modeling_llama.LlamaRMSNorm",
    ),
    # what a careful reader (and Python) says: importance, members from outside the class body
    ("from_pretrained", f"{MU}:3894", "direct"),
    (
        "Trainer.save_state",
        "src/transformers/trainer_pt_utils.py:1282",
        "bound in the body of Trainer by an import",
    ),
    (
        "AutoModelForCausalLM.from_pretrained",
        "src/transformers/models/auto/auto_factory.py:261",
        "auto_class_update(AutoModelForCausalLM, ...) at import time",
    ),
    (
        "LlamaConfig.__init__",
        "src/transformers/configuration_utils.py:145",
        "PreTrainedConfig.__init_subclass__ (src/transformers/configuration_utils.py:519) hands the class to "
        "wrap_init_to_accept_kwargs",
    ),
    (
        "LlamaConfig.per_layer_config",
        "src/transformers/integrations/heterogeneity/configuration_utils.py:319",
        "a property of HeterogeneousConfigMixin",
    ),
    (
        "transformers.tokenization_utils_fast.PreTrainedTokenizerFast",
        f"{TOK}:87",
        "legacy module path transformers.tokenization_utils_fast",
    ),
]


@pytest.fixture(scope="module")
def workspace(
    transformers_checkout: Checkout, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    store = Store.open(tmp_path_factory.mktemp("index") / "index.sqlite3")
    ws = Workspace(transformers_checkout, store)
    report = ws.index_all(workers=2)
    assert report.files > 2800 and report.skipped == ()
    yield ws
    ws.close()


@pytest.mark.parametrize(("query", "expected", "via"), CASES, ids=[c[0] for c in CASES])
def test_release_case(workspace: Workspace, query: str, expected: str, via: str) -> None:
    best = workspace.find(query).results[0]
    assert f"{best.path}:{best.line}" == expected
    assert via in best.via


def test_dummy_twin_is_ranked_after_the_real_class(workspace: Workspace) -> None:
    results = workspace.find("transformers.GenerationMixin").results
    assert [f"{r.path}:{r.line}" for r in results[:2]] == [
        f"{GEN}:494",
        "src/transformers/utils/dummy_pt_objects.py:124",
    ]
    short = [f"{r.path}:{r.line}" for r in workspace.find("Trainer").results]
    assert short[0] == f"{TRAINER}:260"
    assert short.index("src/transformers/utils/dummy_pt_objects.py:445") > 0


def test_property_setter_follows_getter(workspace: Workspace) -> None:
    results = workspace.find("PreTrainedModel.loss_function").results
    assert [(r.kind, r.line) for r in results[:2]] == [("property", 4762), ("property", 4777)]


def test_generation_modes_mapping_reaches_assisted_decoding(workspace: Workspace) -> None:
    entries = [r for r in workspace.find("_assisted_decoding").results if r.kind == "entry"]
    assert [(e.path, e.line) for e in entries] == [(GEN, 148)]
    assert entries[0].qualname.endswith("GENERATION_MODES_MAPPING[GenerationMode.ASSISTED_GENERATION]")


def test_loss_mapping_entries_reach_for_causal_lm_loss(workspace: Workspace) -> None:
    entries = [r for r in workspace.find("ForCausalLMLoss").results if r.kind == "entry"]
    assert (LOSS, 176) in [(e.path, e.line) for e in entries]


def test_copies_of_llama_rms_norm(workspace: Workspace) -> None:
    results = workspace.find("LlamaRMSNorm", limit=200).results
    assert f"{results[0].path}:{results[0].line}" == f"{LLAMA}:52"
    copies = {f"{r.path}:{r.line}" for r in results if r.via.startswith("copy of")}
    assert "src/transformers/models/chameleon/modeling_chameleon.py:67" in copies


def test_modular_source_of_a_generated_class(workspace: Workspace) -> None:
    results = workspace.find("MistralForCausalLM").results
    assert "src/transformers/models/mistral/modular_mistral.py:166" in [f"{r.path}:{r.line}" for r in results]


def test_decorated_method_span(workspace: Workspace) -> None:
    best = workspace.find("LlamaForCausalLM.forward").results[0]
    assert (best.line, best.start_line) == (427, 425)  # @can_return_tuple, @auto_docstring


def test_lazy_mode_resolves_a_tour_step(transformers_checkout: Checkout, tmp_path: Path) -> None:
    with Workspace(transformers_checkout, Store.open(tmp_path / "lazy.sqlite3")) as ws:
        assert not ws.fully_indexed
        best = ws.find("LlamaForCausalLM.generate").results[0]
        assert f"{best.path}:{best.line}" == f"{GEN}:2582"
        best = ws.find("transformers.PreTrainedModel").results[0]
        assert f"{best.path}:{best.line}" == f"{MU}:1068"


@pytest.mark.parametrize(
    ("line", "col", "expected", "via"),
    [
        # `GenerationMixin` in `class LlamaForCausalLM(LlamaPreTrainedModel, GenerationMixin):`
        (410, 47, f"{GEN}:494", "re-exported by transformers.generation"),
        # `self.loss_function(...)` in LlamaForCausalLM.forward: a property found through the MRO
        (472, 29, f"{MU}:4762", "inherited from PreTrainedModel"),
        # `self.model(...)`: an instance attribute, set in __init__ (the index keeps those)
        (456, 49, f"{LLAMA}:418", "direct"),
    ],
)
def test_goto_in_modeling_llama(workspace: Workspace, line: int, col: int, expected: str, via: str) -> None:
    hit = workspace.goto(LLAMA, line, col)
    assert hit is not None
    assert f"{hit.path}:{hit.line}" == expected
    assert via in hit.via


def test_alias_statement_is_listed_after_its_target(workspace: Workspace) -> None:
    results = workspace.find("PreTrainedTokenizerFast").results
    assert f"{results[0].path}:{results[0].line}" == f"{TOK}:87"  # class TokenizersBackend
    statement = [r for r in results if r.kind == "alias"]
    assert [(r.path, r.line, r.role) for r in statement] == [(TOK, 1580, "related")]


def test_forward_does_not_start_with_an_activation(workspace: Workspace) -> None:
    first = workspace.find("forward").results[0]
    assert "activations" not in first.path and first.kind == "method"


def test_a_keyword_argument_leads_to_where_it_is_consumed(workspace: Workspace) -> None:
    found = workspace.find("attn_implementation")
    assert found.results and all(r.kind == "keyword" for r in found.results)
    assert 'kwargs.pop("attn_implementation"' in found.results[0].signature
