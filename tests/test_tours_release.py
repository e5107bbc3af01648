"""The shipped tours against the real transformers 5.23.0 release: every step resolves,
and lands where a careful reader would put it (lines checked by reading the source)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.cli.workspaces import Workspaces
from codewalk.render.codetour import codetour_json
from codewalk.render.export import web_base
from codewalk.render.markdown import to_markdown
from codewalk.source.checkout import Checkout
from codewalk.tours.discovery import discover_tours, load_tour
from codewalk.tours.model import ResolvedTour
from codewalk.workspace.workspace import Workspace
from tests.codetour_schema import codetour_problems
from tests.shipped import SHIPPED_TOURS
from tests.tourwalk import resolve_tour

pytestmark = pytest.mark.release


@pytest.fixture(scope="module")
def workspaces(shared_stack_home: Path) -> Iterator[Workspaces]:
    """Every pin's release (linked, read only) and the session's shared index."""
    env = pytest.MonkeyPatch()
    env.setenv("CODEWALK_HOME", str(shared_stack_home))
    env.setenv("CODEWALK_SOURCE", "release")
    opened = Workspaces(None)
    try:
        yield opened
    finally:
        opened.pinned.close()
        env.undo()


@pytest.fixture(scope="module")
def workspace(workspaces: Workspaces) -> Workspace:
    return workspaces.get("transformers")


@pytest.fixture(scope="module")
def resolved(workspaces: Workspaces) -> dict[str, ResolvedTour]:
    return {tour.id: workspaces.steps(tour).resolved() for tour in discover_tours()}


def test_every_shipped_step_resolves_at_the_pin(resolved: dict[str, ResolvedTour]) -> None:
    assert sorted(resolved) == list(SHIPPED_TOURS)
    broken = [
        f"{r.tour.id} step {s.step.index} ({s.step.anchor}): {s.status}: {s.error}"
        for r in resolved.values()
        for s in r.steps
        if not s.ok
    ]
    assert broken == []
    for tour in resolved.values():
        for step in tour.steps:
            assert step.step.note.strip(), f"{tour.tour.id} step {step.step.index} has no note"
            if step.step.focus:
                assert step.focus is not None


def where(tour: ResolvedTour, index: int) -> tuple[str, str, int, int, int, tuple[int, int] | None]:
    step = tour.steps[index - 1]
    target = step.target
    assert target is not None
    return target.qualname, target.path, target.line, target.start_line, target.end_line, step.focus


LLAMA = "src/transformers/models/llama/modeling_llama.py"
GEN = "src/transformers/generation/utils.py"


def test_llama_generate_lands_on_the_right_lines(resolved: dict[str, ResolvedTour]) -> None:
    tour = resolved["llama-generate"]
    assert len(tour.steps) == 13
    assert where(tour, 1)[:3] == ("transformers.models.llama.modeling_llama.LlamaForCausalLM", LLAMA, 410)
    # the three-line ``self.layers = nn.ModuleList(...)`` statement in LlamaModel.__init__
    assert where(tour, 2) == (
        "transformers.models.llama.modeling_llama.LlamaModel.__init__",
        LLAMA,
        337,
        337,
        351,
        (343, 345),
    )
    assert where(tour, 3)[5] == (391, 391)  # for decoder_layer in self.layers[...]:
    # PreTrainedModel's header, bases over three lines
    assert (*where(tour, 6)[:3], where(tour, 6)[5]) == (
        "transformers.modeling_utils.PreTrainedModel",
        "src/transformers/modeling_utils.py",
        1068,
        (1068, 1070),
    )
    # LlamaForCausalLM.generate is GenerationMixin.generate, through the MRO
    assert where(tour, 7) == (
        "transformers.generation.utils.GenerationMixin.generate",
        GEN,
        2582,
        2581,
        3017,
        (2590, 2590),
    )
    assert where(tour, 8)[5] == (573, 578)  # the `if (assistant_model is not None or ...)` header
    assert where(tour, 9)[:5] == (
        "transformers.generation.utils.GENERATION_MODES_MAPPING",
        GEN,
        143,
        143,
        154,
    )
    assert where(tour, 10)[5] == (2802, 2802)
    # _assisted_decoding in three steps: draft, verify, accept
    for index in (11, 12, 13):
        assert where(tour, index)[:3] == (
            "transformers.generation.utils.GenerationMixin._assisted_decoding",
            GEN,
            3919,
        )
    assert where(tour, 11)[5] == (4041, 4050)  # the if/else around candidate_generator.get_candidates
    assert where(tour, 12)[5] == (4087, 4087)  # outputs = self(**model_inputs)
    assert where(tour, 13)[5] == (4132, 4132)  # n_matches = ...


def test_causal_lm_loss_lands_on_the_right_lines(resolved: dict[str, ResolvedTour]) -> None:
    tour = resolved["causal-lm-loss"]
    assert where(tour, 1)[5] == (472, 472)
    qualname, path, line, _, _, focus = where(tour, 2)
    assert (qualname, path, line, focus) == (
        "transformers.modeling_utils.PreTrainedModel.loss_function",
        "src/transformers/modeling_utils.py",
        4762,
        (4774, 4774),
    )
    # a ``file:`` step: the whole module, the LOSS_MAPPING statement lit
    assert where(tour, 4) == (
        "transformers.loss.loss_utils",
        "src/transformers/loss/loss_utils.py",
        1,
        1,
        206,
        (174, 206),
    )
    assert tour.steps[3].target is not None and tour.steps[3].target.kind == "file"
    assert where(tour, 5) == (
        "transformers.loss.loss_utils.ForCausalLMLoss",
        "src/transformers/loss/loss_utils.py",
        51,
        51,
        73,
        (65, 65),
    )
    assert where(tour, 6)[2:] == (34, 34, 48, (47, 47))


def test_trainer_and_attention_tours_land_on_the_right_lines(resolved: dict[str, ResolvedTour]) -> None:
    trainer = resolved["trainer-train"]
    assert where(trainer, 1)[:3] == (
        "transformers.trainer.Trainer.train",
        "src/transformers/trainer.py",
        1450,
    )
    assert where(trainer, 1)[5] == (1570, 1572)
    assert where(trainer, 2)[5] == (1658, 1658)
    # a multi-line regex: the sync-context choice down to the training_step call
    assert where(trainer, 4)[5] == (1897, 1909)
    assert where(trainer, 7)[:3] == (
        "transformers.trainer.Trainer.training_step",
        "src/transformers/trainer.py",
        2043,
    )
    assert where(trainer, 7)[5] == (2118, 2118)  # self.accelerator.backward(loss, **kwargs)
    # ... and on into accelerate, read at its own pin
    assert where(trainer, 8)[:3] == (
        "accelerate.accelerator.Accelerator.backward",
        "src/accelerate/accelerator.py",
        2818,
    )
    assert (trainer.steps[7].repo, trainer.steps[7].version) == ("accelerate", "accelerate==1.14.0")
    # Megatron-LM's branch is its `return` (2844): its `elif` (2843) runs on every backward
    assert where(trainer, 11)[5] == (2844, 2844)
    attention = resolved["attention-dispatch"]
    assert where(attention, 1)[5] == (253, 255)
    assert where(attention, 4)[5] == (5254, 5270)  # get_interface: the if/elif checks and the return
    assert where(attention, 5)[:3] == (
        "transformers.integrations.sdpa_attention.sdpa_attention_forward",
        "src/transformers/integrations/sdpa_attention.py",
        95,
    )
    assert where(attention, 7)[5] == (1846, 1846)
    tokens = resolved["special-tokens"]
    assert where(tokens, 1)[:2] == (
        "transformers.models.llama.configuration_llama.LlamaConfig",
        "src/transformers/models/llama/configuration_llama.py",
    )
    assert where(tokens, 1)[5] == (76, 76)


def test_exports_of_a_real_tour(
    resolved: dict[str, ResolvedTour], workspace: Workspace, transformers_checkout: Checkout
) -> None:
    tour = resolved["causal-lm-loss"]
    ref = transformers_checkout.permalink_ref

    def text(repo: str, path: str) -> str:
        return workspace.source_text(path)

    document = json.loads(codetour_json(tour, ref, text))
    assert codetour_problems(document) == []
    assert document["steps"][4]["file"] == "src/transformers/loss/loss_utils.py"
    assert document["steps"][4]["line"] == 65
    base = web_base("https://github.com/huggingface/transformers.git")
    assert base is not None
    markdown = to_markdown(tour, text, {"transformers": (base, ref)})
    assert (
        f"https://github.com/huggingface/transformers/blob/{ref}/src/transformers/loss/loss_utils.py#L51-L73"
        in markdown
    )
    assert re.search(r"blob/[^/]+/src/transformers/modeling_utils\.py#L4774\)", markdown)
    # the file step shows its focused statement, LOSS_MAPPING, not the module's top
    table = markdown.split("## 4/6. The table of losses\n", 1)[1].split("## 5/6.", 1)[0]
    assert "*(lines 174-206 of 1-206)*\n\n```python\nLOSS_MAPPING = {\n" in table


def test_a_tour_with_a_nonexistent_symbol_is_broken_at_its_line(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        "title: Broken\nsteps:\n  - at: ForCausalLMLoss\n    note: fine\n"
        "  - at: ForCausalLMLosss\n    note: a typo\n",
        encoding="utf-8",
    )
    result = resolve_tour({"transformers": workspace}, load_tour(str(path)))
    assert [s.status for s in result.steps] == ["resolved", "missing"]
    broken = result.steps[1]
    assert broken.step.line == 5
    assert "ForCausalLMLoss" in broken.suggestions
