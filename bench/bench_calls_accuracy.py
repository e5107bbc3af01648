"""``codewalk calls`` against what a careful reader sees, in five long functions of the
shipped tours (transformers 5.23.0, accelerate 1.14.0 pinned beside it).

    .venv/bin/python bench/bench_calls_accuracy.py

Two measures, each against something codewalk did not compute:

- sites: every call in the function as stdlib ``ast`` parses it (a ``Call`` node, at the
  line and column of the name called) must be a call site of codewalk's (nothing
  dropped); decorators and calls inside them are counted apart;
- targets: for the calls a reader follows, the definition each reaches, written below
  by reading the source (``external:NAME`` for a package no pin provides, ``untyped``
  for a call on a value whose type the code does not say, ``unknown`` for a parameter
  or another value only the caller knows). codewalk's first target must be the
  reader's; a call it leaves unresolved while the reader knows is a miss; one it
  resolves while the reader cannot tell is an over-claim.

Uses the bench cache (CODEWALK_BENCH_HOME), with accelerate synced there.
"""

from __future__ import annotations

import ast
import os
import textwrap

from _common import BENCH_HOME

T = "transformers.trainer.Trainer."
U = "transformers.trainer_utils."
G = "transformers.generation.utils.GenerationMixin."
ACC = "accelerate.accelerator.Accelerator."

# function -> (line, callee as written) -> what a careful reader says it reaches
READER: dict[str, dict[tuple[int, str], str]] = {
    "Trainer.train": {
        (1477, "self._memory_tracker.start"): U + "TrainerMemoryTracker.start",
        (1486, "enable_full_determinism"): U + "enable_full_determinism",
        (1486, "set_seed"): U + "set_seed",
        (1487, "self.call_model_init"): T + "call_model_init",
        (1491, "self._move_model_to_device"): T + "_move_model_to_device",
        (1495, "apply_liger_kernel"): "transformers.integrations.liger.apply_liger_kernel",
        (1508, "gc_kwargs.pop"): "untyped",
        (
            1511,
            "self.model.activation_checkpointing_enable",
        ): "transformers.modeling_utils.PreTrainedModel.activation_checkpointing_enable",
        (1519, "warnings.warn"): "external:warnings.warn",
        (
            1524,
            "self.model.gradient_checkpointing_enable",
        ): "transformers.modeling_utils.PreTrainedModel.gradient_checkpointing_enable",
        (1534, "align_special_tokens"): U + "align_special_tokens",
        (1538, "activate_neftune"): "transformers.integrations.neftune.activate_neftune",
        (1541, "self._hp_search_setup"): T + "_hp_search_setup",
        (1551, "DebugUnderflowOverflow"): "transformers.debug_utils.DebugUnderflowOverflow",
        (1555, "get_last_checkpoint"): U + "get_last_checkpoint",
        (1563, "is_sagemaker_mp_enabled"): "transformers.utils.import_utils.is_sagemaker_mp_enabled",
        (1564, "self._load_from_checkpoint"): T + "_load_from_checkpoint",
        (1565, "TrainerState.load_from_json"): "transformers.trainer_callback.TrainerState.load_from_json",
        (1565, "os.path.join"): "external:os.path.join",
        (1570, "find_executable_batch_size"): U + "find_executable_batch_size",
        (1571, "self._inner_training_loop"): T + "_inner_training_loop",
        (1574, "suppress_progress_bars"): U + "suppress_progress_bars",
        (1574, "contextlib.nullcontext"): "external:contextlib.nullcontext",
        (1576, "inner_training_loop"): T + "_inner_training_loop",
    },
    "Trainer._run_epoch": {
        (1844, "skip_first_batches"): "accelerate.data_loader.skip_first_batches",
        (1849, "self._load_rng_state"): T + "_load_rng_state",
        (1852, "train_dataloader.set_epoch"): "unknown",
        (1873, "self.get_batch_samples"): T + "get_batch_samples",
        (
            1891,
            "self.accelerator.gradient_state._set_sync_gradients",
        ): "accelerate.state.GradientState._set_sync_gradients",
        (
            1894,
            "self.callback_handler.on_step_begin",
        ): "transformers.trainer_callback.CallbackHandler.on_step_begin",
        (1898, "self.accelerator.gradient_state.plugin_kwargs.get"): "untyped",
        (1903, "is_fsdp_managed_module"): "transformers.distributed.fsdp.is_fsdp_managed_module",
        (1905, "self._defer_fsdp_gradient_reduction"): T + "_defer_fsdp_gradient_reduction",
        (1907, "functools.partial"): "external:functools.partial",
        (1907, "self.accelerator.no_sync"): ACC + "no_sync",
        (1908, "sync_context"): T + "_defer_fsdp_gradient_reduction",
        (1909, "self.training_step"): T + "training_step",
        (1913, "is_torch_xla_available"): "transformers.utils.import_utils.is_torch_xla_available",
        (1914, "torch.isnan"): "external:torch.isnan",
        (1925, "self.floating_point_ops"): T + "floating_point_ops",
        (1931, "self._clip_grad_norm"): T + "_clip_grad_norm",
        (
            1934,
            "self.callback_handler.on_pre_optimizer_step",
        ): "transformers.trainer_callback.CallbackHandler.on_pre_optimizer_step",
        (1935, "self.optimizer.step"): "unknown",
        (1944, "self.lr_scheduler.step"): "unknown",
        (1946, "model.zero_grad"): "unknown",
        (1950, "self._maybe_log_save_evaluate"): T + "_maybe_log_save_evaluate",
        (1971, "xm.mark_step"): "external:torch_xla.core.xla_model.mark_step",
        (1974, "logger.warning"): "untyped",
    },
    "Trainer.training_step": {
        (2068, "self._prepare_context_parallel_inputs"): T + "_prepare_context_parallel_inputs",
        (2071, "cp_context"): "unknown",
        (2072, "model.train"): "unknown",
        (2076, "self._prepare_inputs"): T + "_prepare_inputs",
        (2078, "smp_forward_backward"): "transformers.trainer_pt_utils.smp_forward_backward",
        (2081, "self.compute_loss_context_manager"): T + "compute_loss_context_manager",
        (2082, "self.compute_loss"): T + "compute_loss",
        (2089, "clear_device_cache"): "accelerate.utils.memory.clear_device_cache",
        (2090, "torch.backends.mps.is_available"): "external:torch.backends.mps.is_available",
        (2097, "self._get_learning_rate"): T + "_get_learning_rate",
        (2100, "loss.mean"): "untyped",
        (2118, "self.accelerator.backward"): ACC + "backward",
    },
    "GenerationMixin.generate": {
        (2707, "self.load_custom_generate"): G + "load_custom_generate",
        (
            2763,
            "self.generate_batch",
        ): "transformers.generation.continuous_batching.continuous_api.ContinuousMixin.generate_batch",
        (2765, "self._prepare_generation_config"): G + "_prepare_generation_config",
        (2778, "self._extract_generation_mode_kwargs"): G + "_extract_generation_mode_kwargs",
        (2795, "generation_config.get_generation_mode"): "unknown",
        (2796, "self._get_deprecated_gen_repo"): G + "_get_deprecated_gen_repo",
        (2804, "self._validate_model_kwargs"): G + "_validate_model_kwargs",
        (2829, "LogitsProcessorList"): "transformers.generation.logits_process.LogitsProcessorList",
        (2836, "self._prepare_model_inputs"): G + "_prepare_model_inputs",
        (2845, "self._prepare_special_tokens"): G + "_prepare_special_tokens",
        (2877, "self._prepare_attention_mask_for_generation"): G + "_prepare_attention_mask_for_generation",
        (2909, "self._maybe_prepare_encoder_kwargs_for_generation"): G
        + "_maybe_prepare_encoder_kwargs_for_generation",
        (2926, "self._expand_inputs_for_generation"): G + "_expand_inputs_for_generation",
        (2969, "self._prepare_cache_for_generation"): G + "_prepare_cache_for_generation",
        (2986, "self._get_logits_processor"): G + "_get_logits_processor",
        (2997, "self._get_stopping_criteria"): G + "_get_stopping_criteria",
        (3007, "decoding_method"): G + "_sample",
        (2714, "logger.warning"): "untyped",
    },
    "GenerationMixin._assisted_decoding": {
        (3995, "self._get_candidate_generator"): G + "_get_candidate_generator",
        (4037, "self._has_unfinished_sequences"): G + "_has_unfinished_sequences",
        (4042, "candidate_generator.get_candidates"): "unknown",
        (
            4063,
            "_prepare_attention_mask",
        ): "transformers.generation.candidate_generator._prepare_attention_mask",
        (4072, "self.prepare_inputs_for_generation"): G + "prepare_inputs_for_generation",
        (4097, "logits_processor"): "unknown",
        (4104, "_speculative_sampling"): "transformers.generation.utils._speculative_sampling",
        (4127, "torch.cat"): "external:torch.cat",
        (4174, "self._update_model_kwargs_for_generation"): G + "_update_model_kwargs_for_generation",
        (4195, "_split_model_outputs"): "transformers.generation.utils._split_model_outputs",
        (4224, "stopping_criteria"): "unknown",
        (4245, "GenerateEncoderDecoderOutput"): "transformers.generation.utils.GenerateEncoderDecoderOutput",
    },
}


def ast_sites(text: str, first_line: int) -> set[tuple[int, int]]:
    """(line, column) of the name each call calls, as stdlib ``ast`` sees the body."""
    lines = text.splitlines(keepends=True)
    indent = len(lines[0]) - len(lines[0].lstrip())
    tree = ast.parse(textwrap.dedent(text))
    decorators = {id(d) for node in ast.walk(tree) for d in getattr(node, "decorator_list", [])}
    found: set[tuple[int, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and id(node) not in decorators:
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.end_lineno is not None
                and func.end_col_offset is not None
            ):
                found.add((first_line + func.end_lineno - 1, func.end_col_offset - len(func.attr) + indent))
            elif isinstance(func, ast.Name):
                found.add((first_line + func.lineno - 1, func.col_offset + indent))
    return found


def main() -> None:
    os.environ["CODEWALK_HOME"] = str(BENCH_HOME)
    from codewalk.workspace.pinned import PinnedStack

    ws = PinnedStack().workspace()
    totals = {"sites": 0, "found": 0, "right": 0, "wrong": 0, "missed": 0, "over": 0, "annotated": 0}
    for query, expected in READER.items():
        answer = ws.calls(query)
        body = ws.calling.body_of(answer.target)
        callees = [lv.callee for lv in answer.levels if lv.callee.site.kind == "call"]
        ours = {(c.site.line, c.site.col) for c in callees}
        theirs = ast_sites(body.text, answer.target.start_line)
        lost = sorted(theirs - ours)
        totals["sites"] += len(theirs)
        totals["found"] += len(theirs & ours)
        by_site = {(c.site.line, c.site.name.expr): c for lv in answer.levels for c in [lv.callee]}
        print(f"{query}: {len(theirs)} calls (ast), {len(theirs & ours)} listed by codewalk")
        source = ws.source_text(body.target.path).splitlines()
        for line, col in lost:
            print(f"  ! not listed: {line}:{col + 1}  {source[line - 1].strip()[:90]}")
        for (line, expr), want in expected.items():
            totals["annotated"] += 1
            callee = by_site.get((line, expr))
            got = "missing" if callee is None else _reached(callee)
            known = want not in ("unknown", "untyped")
            if got == want or (not known and got in ("unknown", "untyped")):
                totals["right"] += 1
                continue
            if got in ("unknown", "untyped", "missing"):
                kind = "missed" if known else "right"
            else:
                kind = "wrong" if known else "over"
            totals[kind] += 1
            print(f"  {kind}: {line} {expr}: reader {want}, codewalk {got}")
    print()
    print(f"call sites: {totals['found']} of {totals['sites']} that ast sees are listed")
    n = totals["annotated"]
    print(
        f"targets: {totals['right']} of {n} as the reader says ({totals['right'] / n:.0%}); "
        f"{totals['wrong']} wrong, {totals['missed']} missed, {totals['over']} over-claimed"
    )


def _reached(callee) -> str:  # type: ignore[no-untyped-def]
    if callee.targets:
        first = callee.targets[0]
        # a property or an attribute comes first, then what calling it runs
        if first.kind in ("property", "attribute", "variable") and len(callee.targets) > 1:
            first = callee.targets[1]
        return str(first.qualname)
    if callee.external:
        return f"external:{callee.external}"
    return "untyped" if callee.minor else "unknown"


if __name__ == "__main__":
    main()
