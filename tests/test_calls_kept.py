"""``callers`` of a module's ``forward`` through an attribute that holds a constructor's
parameter annotated with its class, however far below the header it is stored, on the
call fixture package (``callpkg.guided``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.workspace.workspace import Workspace
from tests.callrepo import callrepo_workspace


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_an_attribute_stored_from_a_parameter_annotated_with_the_class_calls_its_forward(
    ws: Workspace,
) -> None:
    found = [
        (c.kind, c.caller.qualname if c.caller else "", c.line) for c in ws.callers("Guide.forward").callers
    ]
    assert found == [
        ("call", "callpkg.guided.GuidedPipeline.__call__", 32),
        ("call", "callpkg.guided.KeptPipeline.run", 50),
    ]
