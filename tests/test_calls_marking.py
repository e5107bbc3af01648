"""An attribute typed by a later assignment, a call's result, and a list filled with
what a call returns, on the synthetic package (tests/fixtures/callrepo/src/callpkg/marking.py)
and on the real transformers release: ``GenerationConfig.watermarking_config`` is set from
``kwargs.pop(...)``, then from ``WatermarkingConfig.from_dict(...)``; ``_get_logits_processor``
appends what its ``construct_processor`` returns to the ``LogitsProcessorList``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.index.store import Store
from codewalk.source.checkout import Checkout
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace

M = "callpkg.marking."
MARKING = "src/callpkg/marking.py"


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_a_later_assignment_of_a_call_s_result_types_the_attribute(ws: Workspace) -> None:
    """``self.marking = kwargs.pop(...)`` says no class; ``self.marking =
    MarkConfig.from_dict(...)``, a classmethod of a base making ``cls``, says one: a call
    on ``self.marking`` reaches that class's method, from the second assignment."""
    validate = callees(ws, M + "GenConfig.validate")[(44, "self.marking.validate")]
    assert [t.qualname for t in validate.targets] == [M + "MarkConfig.validate"]
    assert validate.how == f"self.marking is a MarkConfig (set at {MARKING}:40, one of 2 assignments)"


def test_an_attribute_of_a_parameter_typed_by_a_later_assignment(ws: Workspace) -> None:
    """``config.marking.construct_processor(...)``, ``config: GenConfig``: as on ``self``."""
    made = callees(ws, M + "make_marking")[(57, "config.marking.construct_processor")]
    assert [t.qualname for t in made.targets] == [M + "MarkConfig.construct_processor"]
    assert made.targets[0].via == (
        "config is annotated (config: GenConfig in make_marking); "
        f"self.marking is a MarkConfig (set at {MARKING}:40, one of 2 assignments)"
    )


def test_a_list_holds_what_an_appended_call_returns(ws: Workspace) -> None:
    """``processors.append(config.marking.construct_processor(8))``: a loop over a
    ``MarkList`` gives what ``construct_processor`` returns, a ``MarkProcessor``."""
    (call,) = callees(ws, M + "MarkList.__call__").values()
    assert [t.qualname for t in call.targets] == [M + "MarkProcessor.__call__"]
    assert "an element of self, a MarkList (a list): the class put in one by make_marking" in call.how
    found = [(c.kind, c.path, c.line) for c in ws.callers(M + "MarkProcessor.__call__").callers]
    assert ("call", MARKING, 50) in found


@pytest.fixture(scope="module")
def release(transformers_checkout: Checkout, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    store = Store.open(tmp_path_factory.mktemp("marking-index") / "index.sqlite3")
    workspace = Workspace(transformers_checkout, store)
    yield workspace
    workspace.close()


@pytest.mark.release
@pytest.mark.slow
def test_the_watermark_processor_is_among_the_logits_processors(release: Workspace) -> None:
    """``for processor in self`` of ``LogitsProcessorList.__call__`` may run
    ``WatermarkLogitsProcessor.__call__``, and generate reaches its green list."""
    calls = {lv.callee.site.line: lv.callee for lv in release.calls("LogitsProcessorList.__call__").levels}
    marked = "transformers.generation.logits_process.WatermarkLogitsProcessor.__call__"
    assert marked in [t.qualname for t in calls[94].targets]
    config = {
        (lv.callee.site.line, lv.callee.site.name.expr): lv.callee
        for lv in release.calls("GenerationConfig.validate").levels
    }
    validate = config[(705, "self.watermarking_config.validate")]
    assert [t.qualname for t in validate.targets] == [
        "transformers.generation.configuration_utils.WatermarkingConfig.validate"
    ]
    answer = release.path("LlamaForCausalLM.generate", "WatermarkLogitsProcessor._get_greenlist_ids")
    assert answer.search.chains
    assert [h.reached.rpartition(".")[2] for h in answer.search.chains[0]][-2:] == [
        "__call__",
        "_get_greenlist_ids",
    ]
