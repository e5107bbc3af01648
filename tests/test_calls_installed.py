"""``self`` in a function that the function around it sets on classes as a method
(tests/fixtures/callrepo/src/callpkg/installing.py): a class decorator's ``__init__`` is
the ``__init__`` of every class it decorates (huggingface_hub's ``@strict``), one a
base's ``__init_subclass__`` hands each class to is theirs (``wrap_init_to_accept_kwargs``
in transformers): ``self.m`` there is ``m`` of those classes, and of the classes deriving
from them; reached through a class, ``self`` is that class."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.calls.model import RESOLVED, UNRESOLVED
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace

M = "callpkg.installing."


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_self_in_a_decorator_s_init_is_an_instance_of_a_class_it_decorates(ws: Workspace) -> None:
    setup = callees(ws, M + "registered.<locals>.__init__")[(8, "self.setup")]
    assert setup.status == RESOLVED
    assert [t.qualname for t in setup.targets] == [M + "Plugin.setup", M + "LoudPlugin.setup"]
    assert setup.how.startswith(
        "self is an instance of a class decorated with @registered (Plugin), "
        "which sets __init__ as its __init__"
    )


def test_self_in_a_function_init_subclass_hands_the_class_to(ws: Workspace) -> None:
    configure = callees(ws, M + "accept_kwargs.<locals>.__init__")[(16, "self.configure")]
    assert [t.qualname for t in configure.targets] == [M + "Options.configure"]
    assert configure.how.startswith(
        "self is an instance of a class deriving from Options, "
        "whose __init_subclass__ sets __init__ as its __init__"
    )


def test_self_in_a_nested_function_no_class_is_given_is_a_parameter(ws: Workspace) -> None:
    total = callees(ws, M + "tally.<locals>.count")[(24, "self.total")]
    assert total.status == UNRESOLVED
    assert total.how == "self is a parameter of tally.<locals>.count: its value is the caller's"


def test_a_path_goes_from_making_the_class_through_the_init_its_decorator_set(ws: Workspace) -> None:
    (chain, *_) = ws.path(M + "make_plugin", M + "Plugin.setup").search.chains
    assert [hop.reached for hop in chain] == [M + "Plugin", M + "Plugin.setup"]
    assert chain[1].caller.target.qualname == M + "registered.<locals>.__init__"
    assert chain[1].caller.receiver is not None and chain[1].caller.receiver.qualname == M + "Plugin"
