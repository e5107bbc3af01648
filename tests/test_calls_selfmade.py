"""What a classmethod annotated ``-> Self`` makes, on the synthetic package
(tests/fixtures/callrepo/src/callpkg/selfmade.py): diffusers' ``ConfigMixin.from_config``
called on a scheduler class makes that scheduler, so a pipeline's components, two of
them registered on one line, each hold their own class."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.calls.model import RESOLVED
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace

M = "callpkg.selfmade."
CALL = M + "EulerPipeline.__call__"


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_components_registered_on_one_line_each_hold_their_own_class(ws: Workspace) -> None:
    """``self.register_modules(unet=unet, scheduler=scheduler)``: ``self.unet`` is the
    ``Unet`` its parameter is annotated with, ``self.scheduler`` what
    ``EulerScheduler.from_config(...)`` made, not the ``Unet`` set at the same line."""
    found = callees(ws, CALL)
    unet, scheduler = found[(51, "self.unet.set_timesteps")], found[(52, "self.scheduler.set_timesteps")]
    assert [t.qualname for t in unet.targets] == [M + "Unet.set_timesteps"]
    assert scheduler.status == RESOLVED
    assert [t.qualname for t in scheduler.targets] == [M + "EulerScheduler.set_timesteps"]
    assert scheduler.how == (
        "self.scheduler is an EulerScheduler (passed to self.register_modules(scheduler=...) at "
        "src/callpkg/selfmade.py:48)"
    )


def test_self_in_a_return_annotation_is_the_class_the_method_is_called_on(ws: Workspace) -> None:
    """``Scheduler.from_config(...)`` (``-> Self | tuple[Self, dict]``, inherited from
    ``Configured``) makes a ``Scheduler``; its ``copied()`` (``-> "Self"``) returns one too."""
    found = callees(ws, CALL)
    copied = found[(54, "fresh.copied")]
    assert [t.qualname for t in copied.targets] == [M + "Configured.copied"]
    assert "from_config returns Scheduler (annotated)" in copied.how
    again = found[(54, "fresh.copied().set_timesteps")]
    assert [t.qualname for t in again.targets] == [M + "Scheduler.set_timesteps"]
    assert again.how == "copied returns Scheduler (annotated)"


def test_cls_in_a_classmethod_called_on_a_class_is_that_class(ws: Workspace) -> None:
    """``made, _ = EulerScheduler.from_config(..., unused=True)``: the tuple's first part is
    ``cls(**config)``, with ``cls`` the class it was called on."""
    made = callees(ws, CALL)[(56, "made.set_timesteps")]
    assert [t.qualname for t in made.targets] == [M + "EulerScheduler.set_timesteps"]
