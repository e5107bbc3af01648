"""The attribute a class attribute names, read through ``getattr`` (``callpkg.prefixed``):
``base_model`` is ``getattr(self, self.base_model_prefix, self)``, so the encoder
``ForGeneration.get_encoder`` finds is its base model's, the one ``encode`` calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace

P = "callpkg.prefixed."


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_the_encoder_a_base_model_named_by_a_class_attribute_holds(ws: Workspace) -> None:
    encoder = callees(ws, P + "ForGeneration.encode")[(25, "encoder")]
    assert [t.qualname for t in encoder.targets][:1] == [P + "Encoder.forward"]
    base = callees(ws, P + "ForGeneration.get_encoder")[(20, "self.base_model.get_encoder")]
    assert [(t.qualname, t.receiver) for t in base.targets] == [
        (P + "Pretrained.get_encoder", P + "BaseModel")
    ]
    assert "a BaseModel" in base.how


def test_the_base_model_of_a_class_naming_none_is_itself(ws: Workspace) -> None:
    """``OtherModel`` keeps ``base_model_prefix = ""``: no attribute is named, so the
    encoder is the one of its own ``encoder`` attribute."""
    encoder = callees(ws, P + "OtherModel.encode")[(25, "encoder")]
    assert [t.qualname for t in encoder.targets][:1] == [P + "OtherEncoder.forward"]
