"""An attribute a base declares (``feature_extractor: Any``) whose class the class deriving
from it names in its body (``feature_extractor_class = "AudioFeatures"``), on the call
fixture package (``callpkg.processors``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace

P = "callpkg.processors."


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_calling_a_part_runs_the_class_the_processor_names(ws: Workspace) -> None:
    found = callees(ws, P + "AudioProcessor.__call__")
    features = found[(37, "self.feature_extractor")]
    assert [t.qualname for t in features.targets] == [
        P + "ProcessorBase.feature_extractor",
        P + "AudioFeatures.__call__",
    ]
    assert features.targets[1].via.startswith(
        "AudioProcessor.feature_extractor_class names AudioFeatures (src/callpkg/processors.py:33)"
    )
    words = found[(38, "self.tokenizer")]
    assert [t.qualname for t in words.targets] == [
        P + "ProcessorBase.tokenizer",
        P + "Words.__call__",
        P + "FastWords.__call__",
    ]


def test_a_processor_naming_no_class_reaches_the_attribute_alone(ws: Workspace) -> None:
    (bare,) = callees(ws, P + "BareProcessor.__call__").values()
    assert [t.qualname for t in bare.targets] == [P + "ProcessorBase.feature_extractor"]


def test_a_processor_the_auto_tables_name_reaches_the_class_they_name_for_its_model_type(
    ws: Workspace,
) -> None:
    """``TabledProcessor`` names no class in its body: ``PROCESSOR_MAPPING_NAMES`` maps
    ``"audio"`` to it, ``FEATURE_EXTRACTOR_MAPPING_NAMES`` (an ``OrderedDict`` of pairs)
    maps ``"audio"`` to ``AudioFeatures``; ``"speech"``'s ``Words`` is another type's."""
    (called,) = callees(ws, P + "TabledProcessor.__call__").values()
    assert [t.qualname for t in called.targets] == [
        P + "ProcessorBase.feature_extractor",
        P + "AudioFeatures.__call__",
    ]
    assert called.targets[1].via.startswith(
        "PROCESSOR_MAPPING_NAMES maps 'audio' to TabledProcessor (src/callpkg/auto_tables.py:8), "
        "FEATURE_EXTRACTOR_MAPPING_NAMES to AudioFeatures (line 15)"
    )


def test_a_class_another_auto_table_names_reaches_the_attribute_alone(ws: Workspace) -> None:
    """``MODEL_MAPPING_NAMES`` maps ``"audio"`` to ``TabledModel``: only the processors'
    table says which class an attribute of the class it names holds."""
    (called,) = callees(ws, P + "TabledModel.__call__").values()
    assert [t.qualname for t in called.targets] == [P + "ProcessorBase.feature_extractor"]
