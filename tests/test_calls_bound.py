"""A parameter that ``functools.partial`` binds, on the call fixture package
(``callpkg.hooking``): ``new_forward``'s ``module`` is the ``module`` of the function
around it, which stores ``module._hook = hook`` (``hook: Hook``), so
``module._hook.pre(...)`` is ``Hook.pre`` or an override of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace

NEW_FORWARD = "callpkg.hooking.attach.<locals>.new_forward"
KEYWORD_FORWARD = "callpkg.hooking.attach_by_keyword.<locals>.new_forward"


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_what_the_enclosing_function_stores_on_the_value_a_partial_binds(ws: Workspace) -> None:
    called = callees(ws, NEW_FORWARD)[(23, "module._hook.pre")]
    assert [t.qualname for t in called.targets] == [
        "callpkg.hooking.Hook.pre",
        "callpkg.hooking.PrintingHook.pre",
    ]
    assert called.how.startswith(
        "module is attach's module, bound by functools.partial(new_forward, …) (line 26), "
        "on which attach sets _hook (line 20): "
    )


def test_a_parameter_the_partial_binds_by_keyword(ws: Workspace) -> None:
    """``functools.partial(new_forward, module=target)``: ``module`` is ``target``, bound by
    its keyword, on which ``attach_by_keyword`` stores the hook."""
    called = callees(ws, KEYWORD_FORWARD)[(43, "module._hook.pre")]
    assert [t.qualname for t in called.targets] == [
        "callpkg.hooking.Hook.pre",
        "callpkg.hooking.PrintingHook.pre",
    ]
    assert called.how.startswith(
        "module is attach_by_keyword's target, bound by functools.partial(new_forward, module=…) "
        "(line 45), on which attach_by_keyword sets _hook (line 40): "
    )


def test_the_site_is_a_caller_of_an_override_and_on_a_path_to_it(ws: Workspace) -> None:
    found = [
        (c.kind, c.caller.qualname if c.caller else "", c.line)
        for c in ws.callers("PrintingHook.pre").callers
    ]
    assert found == [
        ("call", NEW_FORWARD, 23),
        ("call", KEYWORD_FORWARD, 43),
        ("maybe", "callpkg.hooking.unbound.<locals>.new_forward", 34),
    ]
    (chain,) = ws.path(NEW_FORWARD, "callpkg.hooking.PrintingHook.pre").search.chains
    assert [(hop.callee.site.line, hop.target.qualname if hop.target else "") for hop in chain] == [
        (23, "callpkg.hooking.PrintingHook.pre")
    ]


def test_no_partial_binds_it_so_its_value_is_the_callers(ws: Workspace) -> None:
    """``unbound`` returns ``new_forward`` itself: its ``module`` is whatever its caller passes."""
    called = callees(ws, "callpkg.hooking.unbound.<locals>.new_forward")[(34, "module._hook.pre")]
    assert called.targets == ()
    assert "its value is the caller's" in called.how
