"""A local an ``isinstance`` guard leaves of a class (tests/fixtures/callrepo's
``callpkg.narrowing``): ``if not isinstance(x, C): continue``, then ``x.m()`` is ``C.m``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.calls.model import UNRESOLVED
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace

N = "callpkg.narrowing."


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_a_local_after_an_isinstance_guard_is_of_its_classes(ws: Workspace) -> None:
    """``for _name, sub in model.named_modules()`` (of no type codewalk knows), then ``if not
    isinstance(sub, (Model, Other)): continue``: ``sub.is_custom`` is either class's,
    said to come from the guard. A test that does not leave the body (``print``) narrows
    nothing: ``part.is_custom`` stays unresolved."""
    found = callees(ws, N + "mapping")
    sub = found[(19, "sub.is_custom")]
    assert [t.qualname for t in sub.targets] == [N + "Model.is_custom", N + "Other.is_custom"]
    assert "a Model, or an instance of a class deriving from it (the isinstance guard at line 17)" in sub.how
    assert found[(23, "part.is_custom")].status == UNRESOLVED


def test_a_guard_narrows_down_to_the_next_binding_only(ws: Workspace) -> None:
    """The guard says what ``sub`` is from it to the name's next binding: not before it in
    its loop (the next pass binds ``sub`` again first), nor in a later loop over other
    values (``for sub in model.children()``), where ``sub.is_custom`` stays unresolved."""
    found = callees(ws, N + "reused")
    assert [t.qualname for t in found[(31, "sub.is_custom")].targets] == [N + "Model.is_custom"]
    assert found[(28, "sub.is_custom")].status == UNRESOLVED
    assert found[(33, "sub.is_custom")].status == UNRESOLVED


def test_path_goes_through_a_call_an_isinstance_guard_types(ws: Workspace) -> None:
    """The route through ``sub.is_custom()`` is a call codewalk resolves, not a guess by
    the method's name (as ``part.is_custom()``'s is)."""
    chains = ws.path(N + "mapping", N + "Model.is_custom").search.chains
    assert [(h.callee.site.line, h.guessed) for h in chains[0]] == [(19, False)]
