"""Call facts across the real pinned stack (every pin's release, downloaded once per
machine): what runs when huggingface_hub's file system class is called (its metaclass's
``__call__``) or a ``@strict`` config is made (the ``__init__`` the decorator sets, and
the closures it nests), and the Trainer's optimizer, annotated as torch's, among whose
overrides is accelerate's wrapper. Every line below was checked by reading the release
source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codewalk.cli.main import main

pytestmark = [pytest.mark.release, pytest.mark.slow]

HUB = "huggingface_hub."


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def calls_of(capsys: pytest.CaptureFixture[str], query: str) -> dict[tuple[int, str], list[str]]:
    data = run_json(capsys, "calls", query)
    return {(c["line"], c["expr"]): [t["qualname"] for t in c["targets"]] for c in data["calls"]}


def test_the_hub_file_systems_metaclass_call(stack_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "calls", HUB + "hf_file_system.HfFileSystem.__call__")
    assert data["function"]["qualname"] == HUB + "hf_file_system._Cached.__call__"
    found = {(c["line"], c["expr"]): c for c in data["calls"]}
    tokenize = found[(119, "cls._tokenize")]
    assert [t["qualname"] for t in tokenize["targets"]] == [HUB + "hf_file_system.HfFileSystem._tokenize"]
    made = found[(127, "type.__call__")]
    assert [(t["qualname"], t["kind"]) for t in made["targets"]] == [
        (HUB + "hf_file_system.HfFileSystem", "class")
    ]


def test_a_strict_config_is_made_by_the_init_the_decorator_sets(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = run_json(capsys, "find", "transformers.PreTrainedConfig.__init__")["results"]
    assert [r["qualname"] for r in results[:2]] == [
        HUB + "dataclasses.strict.<locals>.wrap.<locals>.init_with_validate",
        HUB + "dataclasses.strict.<locals>.wrap.<locals>.__init__",  # set before, and wrapped
    ]
    found = calls_of(capsys, HUB + "dataclasses.strict.<locals>.wrap.<locals>.init_with_validate")
    assert found[(275, "initial_init")] == [HUB + "dataclasses.strict.<locals>.wrap.<locals>.__init__"]
    assert found[(276, "cls.validate")] == [HUB + "dataclasses.strict.<locals>.wrap.<locals>.validate"]


def test_a_bare_strict_config_lists_none_of_what_strict_sets_only_with_accept_kwargs(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # @strict without accept_kwargs=True (every model's config): strict's own __init__ and
    # __repr__ are never set on it; its __repr__ is PreTrainedConfig's (repr=False besides)
    results = run_json(capsys, "find", "LlamaConfig.__init__")["results"]
    assert [r["qualname"] for r in results] == [
        HUB + "dataclasses.strict.<locals>.wrap.<locals>.init_with_validate",
        "transformers.configuration_utils.wrap_init_to_accept_kwargs.<locals>.__init__",
    ]
    assert "@strict of LlamaConfig leaves accept_kwargs at its default (False)" in results[0]["via"]
    # what the wrapper wraps in LlamaConfig: the __init__ the class was made with
    found = calls_of(capsys, "LlamaConfig.__init__")
    assert found[(275, "initial_init")] == [
        "transformers.configuration_utils.wrap_init_to_accept_kwargs.<locals>.__init__"
    ]
    results = run_json(capsys, "find", "LlamaConfig.__repr__")["results"]
    assert [r["qualname"] for r in results] == ["transformers.configuration_utils.PreTrainedConfig.__repr__"]


def test_the_trainers_optimizer_and_model_among_the_overrides_of_torchs_classes(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # self.optimizer, self.lr_scheduler = optimizers: tuple[torch.optim.Optimizer | None, ...]
    step = calls_of(capsys, "transformers.Trainer._run_epoch")[(1935, "self.optimizer.step")]
    assert "accelerate.optimizer.AcceleratedOptimizer.step" in step
    to = calls_of(capsys, "accelerate.Accelerator.prepare_model")[(1875, "model.to")]
    assert "transformers.modeling_utils.PreTrainedModel.to" in to  # model: torch.nn.Module


def test_the_auto_tokenizer_reaches_the_backends_init(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``TokenizersBackend = None`` stands in for a failed import, not for the import;
    ``TokenizersBackend.from_pretrained(...)`` (inherited) runs with ``cls`` that class,
    whose ``cls(...)`` runs the goal, ``TokenizersBackend.__init__``."""
    data = run_json(
        capsys,
        "path",
        "transformers.AutoTokenizer.from_pretrained",
        "transformers.tokenization_utils_tokenizers.TokenizersBackend.__init__",
    )
    chain = data["chains"][0]
    assert [hop["caller"]["qualname"].rpartition(".")[2] for hop in chain] == [
        "from_pretrained",  # AutoTokenizer's
        "from_pretrained",  # PreTrainedTokenizerBase's, cls a TokenizersBackend
        "_from_pretrained",
    ]


def test_strict_s_wrapper_and_the_init_it_wraps_are_one_call_of_the_default_depth(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``PreTrainedConfig()`` runs ``@strict``'s ``init_with_validate``
    (``@wraps(initial_init)``), then the ``__init__`` it wraps: one call as a run reads it,
    so the nine hops to ``standardize_rope_params`` are within the default eight."""
    data = run_json(
        capsys,
        "path",
        "transformers.LlamaForCausalLM.save_pretrained",
        "transformers.modeling_rope_utils.RotaryEmbeddingConfigMixin.standardize_rope_params",
    )
    chain = data["chains"][0]
    assert len(chain) == 9
    assert [hop["caller"]["qualname"].rpartition(".")[2] for hop in chain][4:7] == [
        "to_diff_dict",
        "init_with_validate",
        "__init__",  # strict's, which calls __post_init__
    ]


def test_an_annotated_attribute_may_hold_a_class_deriving_from_its_type(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fmt = calls_of(capsys, "datasets.formatting.formatting.LazyRow.format")[
        (396, "self.formatter.format_column")
    ]
    assert fmt[0] == "datasets.formatting.formatting.Formatter.format_column"  # formatter: Formatter
    assert "datasets.formatting.formatting.PythonFormatter.format_column" in fmt


def test_a_short_name_of_another_pin_is_found_as_find_finds_it(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``type_validator`` is huggingface_hub's alone: ``calls`` and ``callers`` asked from
    transformers (the first pin) look for it in every pin in the cache, as ``find`` does;
    ``--repo transformers`` keeps the search there."""
    validator = HUB + "dataclasses.type_validator"
    assert run_json(capsys, "find", "type_validator")["results"][0]["qualname"] == validator
    assert run_json(capsys, "calls", "type_validator")["function"]["qualname"] == validator
    callers = run_json(capsys, "callers", "type_validator")["callers"]
    sites = {(c["path"], c["line"], c["caller"]["qualname"]) for c in callers}
    assert ("src/huggingface_hub/dataclasses.py", 478, validator) in sites  # it calls itself
    assert main(["calls", "type_validator", "--repo", "transformers"]) == 1
    assert "'type_validator': no definition found in transformers" in capsys.readouterr().err


def test_the_unets_timestep_projection_is_either_class_its_branches_assign(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``UNet2DConditionModel._set_time_proj`` sets ``self.time_proj`` to a
    ``GaussianFourierProjection`` (``"fourier"``, line 562) or a ``Timesteps``
    (``"positional"``, the default, line 569): calling it in ``get_time_embed`` may run
    either one's forward, and says it is one of two assignments."""
    unet = "diffusers.models.unets.unet_2d_condition.UNet2DConditionModel"
    data = run_json(capsys, "calls", f"{unet}.get_time_embed")
    (site,) = [c for c in data["calls"] if (c["line"], c["expr"]) == (867, "self.time_proj")]
    assert [(t["qualname"], t["line"]) for t in site["targets"]] == [
        (f"{unet}.time_proj", 562),
        ("diffusers.models.embeddings.GaussianFourierProjection.forward", 1347),
        (f"{unet}.time_proj", 569),
        ("diffusers.models.embeddings.Timesteps.forward", 1318),
    ]
    assert site["targets"][0]["via"] == (
        "one of 2 assignments to self.time_proj: GaussianFourierProjection at line 562, Timesteps at line 569"
    )


def test_a_class_of_another_pin_named_by_the_question_is_self(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``calls StableDiffusionPipeline.maybe_free_model_hooks`` (diffusers, not the first
    pin): ``self`` is a StableDiffusionPipeline, as ``LlamaForCausalLM.generate``'s is a
    LlamaForCausalLM; it was any DiffusionPipeline, its overrides listed (AudioLDM2's)."""
    data = run_json(capsys, "calls", "StableDiffusionPipeline.maybe_free_model_hooks")
    offload = next(c for c in data["calls"] if c["expr"] == "self.enable_model_cpu_offload")
    assert [t["qualname"] for t in offload["targets"]] == [
        "diffusers.pipelines.pipeline_utils.DiffusionPipeline.enable_model_cpu_offload"
    ]
    said = "self is a StableDiffusionPipeline (the class the question names)"
    assert offload["targets"][0]["via"].startswith(said)


def test_a_scheduler_remade_by_from_config_is_the_pipelines_scheduler(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``DDIMPipeline.__init__`` remakes its scheduler (``scheduler =
    DDIMScheduler.from_config(scheduler.config)``, ``ConfigMixin.from_config(...) -> Self |
    tuple[Self, dict[str, Any]]``) and registers it with the UNet on one line: the loop's
    ``self.scheduler.set_timesteps`` and ``step`` are DDIMScheduler's (they were unknown),
    and ``self.unet`` stays the UNet."""
    found = calls_of(capsys, "diffusers.pipelines.ddim.pipeline_ddim.DDIMPipeline.__call__")
    ddim = "diffusers.schedulers.scheduling_ddim.DDIMScheduler"
    assert found[(153, "self.scheduler.set_timesteps")] == [f"{ddim}.set_timesteps"]
    assert found[(162, "self.scheduler.step")] == [f"{ddim}.step"]
    assert found[(157, "self.unet")] == [
        "diffusers.pipelines.ddim.pipeline_ddim.DDIMPipeline.unet",
        "diffusers.models.unets.unet_2d.UNet2DModel.forward",
    ]


def test_the_hook_add_hook_to_module_stores_is_what_its_new_forward_calls(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``module._hf_hook = hook`` (``hook: ModelHook``), then ``functools.partial(new_forward,
    module)``: ``new_forward``'s ``module._hf_hook.pre_forward`` is ModelHook's or an override's."""
    found = calls_of(capsys, "accelerate.hooks.add_hook_to_module.<locals>.new_forward")
    pre = found[(187, "module._hf_hook.pre_forward")]
    assert {"accelerate.hooks.ModelHook.pre_forward", "accelerate.hooks.AlignDevicesHook.pre_forward"} <= set(
        pre
    )
    assert "accelerate.hooks.ModelHook.post_forward" in found[(193, "module._hf_hook.post_forward")]
    data = run_json(capsys, "callers", "accelerate.hooks.AlignDevicesHook.pre_forward")
    assert ("src/accelerate/hooks.py", 187) in {(c["path"], c["line"]) for c in data["callers"]}


def test_the_controlnet_a_pipeline_registers_far_below_its_annotation_calls_its_forward(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``controlnet: ControlNetModel | ...`` in ``__init__``'s header, 27 lines above
    ``self.register_modules(controlnet=controlnet, ...)``."""
    data = run_json(capsys, "callers", "diffusers.models.controlnets.controlnet.ControlNetModel.forward")
    found = {(c["path"], c["kind"]) for c in data["callers"] if c["line"] == 1275}
    assert found == {("src/diffusers/pipelines/controlnet/pipeline_controlnet.py", "call")}


def test_whispers_encoder_is_the_one_get_encoder_finds_through_the_base_model(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``get_encoder`` asks ``self.base_model``, ``getattr(self, self.base_model_prefix, self)``
    with ``base_model_prefix = "model"``: the WhisperModel, whose ``encoder`` it returns."""
    found = calls_of(
        capsys,
        "transformers.models.whisper.modeling_whisper.WhisperForConditionalGeneration."
        "_prepare_text_encoder_decoder_kwargs_for_generation",
    )
    assert (
        found[(1017, "encoder")][0] == "transformers.models.whisper.modeling_whisper.WhisperEncoder.forward"
    )


def test_a_pipeline_iterators_infer_is_what_the_pipeline_constructs_it_with(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``self.infer = infer`` in ``PipelineIterator.__init__``; ``Pipeline.get_iterator``
    constructs one with ``self.forward`` (and with ``self.preprocess``, ``self.postprocess``)."""
    found = calls_of(capsys, "transformers.pipelines.pt_utils.PipelineIterator.__next__")
    infer = found[(127, "self.infer")]
    assert infer[0] == "transformers.pipelines.pt_utils.PipelineIterator.infer"
    assert "transformers.pipelines.base.Pipeline.forward" in infer


def test_a_processors_feature_extractor_is_the_class_it_names(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``feature_extractor_class = "DacFeatureExtractor"`` in ``HiggsAudioV2Processor``."""
    found = calls_of(
        capsys, "transformers.models.higgs_audio_v2.processing_higgs_audio_v2.HiggsAudioV2Processor.__call__"
    )
    assert found[(171, "self.feature_extractor")] == [
        "transformers.processing_utils.ProcessorMixin.feature_extractor",
        "transformers.models.dac.feature_extraction_dac.DacFeatureExtractor.__call__",
    ]


def test_a_processor_naming_no_class_has_the_feature_extractor_the_auto_tables_name(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``WhisperProcessor`` names no ``feature_extractor_class``: ``PROCESSOR_MAPPING_NAMES``
    maps ``"whisper"`` to it, ``FEATURE_EXTRACTOR_MAPPING_NAMES`` to
    ``WhisperFeatureExtractor`` (both ``OrderedDict`` of pairs in ``auto_mappings``)."""
    query = "transformers.models.whisper.processing_whisper.WhisperProcessor.__call__"
    assert calls_of(capsys, query)[(43, "self.feature_extractor")] == [
        "transformers.processing_utils.ProcessorMixin.feature_extractor",
        "transformers.models.whisper.feature_extraction_whisper.WhisperFeatureExtractor.__call__",
    ]


def test_peft_loads_the_adapter_on_the_model_it_made_not_the_one_given(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``PeftModel.from_pretrained(cls, model: torch.nn.Module, ...)`` assigns ``model``
    again in both arms of an ``if`` (``cls(model, ...)``, else the task's class from
    ``MODEL_TYPE_TO_PEFT_MODEL_MAPPING``): ``model.load_adapter(...)`` is PeftModel's, not
    that of a module deriving from torch's (``PeftMixedModel``, transformers' mixin)."""
    found = calls_of(capsys, "peft.peft_model.PeftModel.from_pretrained")
    assert found[(619, "model.load_adapter")] == ["peft.peft_model.PeftModel.load_adapter"]
