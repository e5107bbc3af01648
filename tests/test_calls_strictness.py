"""Making a class whose ``__init__`` a class decorator of another pin set (huggingface_hub's
``@strict`` on transformers' configs), on the synthetic package
(tests/fixtures/callrepo/src/callpkg/strictness.py, the decorator in its ``accelerate``
stand-in): the ``__init__`` the decorator wraps is the one it set on that class, or, where
a condition rules that out, the class's own as its base's ``__init_subclass__`` made it;
``self`` there is the class made; and a chain goes on through them into the pin searched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.index.store import Store
from codewalk.workspace.stack import Stack
from codewalk.workspace.workspace import Workspace
from tests.callrepo import make_accel, make_callrepo

M = "callpkg.strictness."
WRAP = "accelerate.dataclassing.strict.<locals>.wrap.<locals>."


@pytest.fixture
def stacked(tmp_path: Path) -> Iterator[Workspace]:
    checkout = make_callrepo(tmp_path)
    stack = Stack(  # the decorator's pin in the cache, as every pin is once synced
        Store.memory(),
        owners={"callpkg": "calls", "accelerate": "accel"},
        opener=lambda repo: make_accel(checkout.root),
        synced=lambda: ["accel"],
    )
    workspace = Workspace(checkout, stack.store, stack=stack)
    yield workspace
    workspace.close()


def _tree(ws: Workspace, query: str) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """``calls QUERY --depth 3``: each call's depth, expression and targets (with the
    class ``self`` is in each)."""
    return [
        (lv.depth, lv.callee.site.name.expr, [(t.qualname, t.receiver) for t in lv.callee.targets])
        for lv in ws.calls(query, depth=3).levels
    ]


def test_the_init_a_bare_decorator_wraps_is_the_one_the_class_was_made_with(stacked: Workspace) -> None:
    """``@strict`` leaves ``accept_kwargs`` false: the ``__init__`` it wraps in
    ``SmallConfig`` is what ``accepting`` set when the class was made, not the one
    ``@strict`` sets only ``if accept_kwargs``, and ``self`` there is a ``SmallConfig``."""
    tree = _tree(stacked, M + "SmallConfig.__init__")
    small = M + "SmallConfig"
    assert (1, "initial_init", [(M + "accepting.<locals>.__init__", small)]) in tree
    assert (2, "self.__post_init__", [(M + "SmallConfig.__post_init__", small)]) in tree
    (initial,) = [
        lv.callee for lv in stacked.calls(M + "SmallConfig.__init__").levels if lv.callee.site.line == 24
    ]
    assert "SmallConfig's __init__ (made when SmallConfig is created: BaseConfig.__init_subclass__" in (
        initial.targets[0].via
    )


def test_the_init_a_decorator_sets_runs_on_the_class_it_decorates(stacked: Workspace) -> None:
    """``@strict(accept_kwargs=True)`` on ``BaseConfig``: the ``__init__`` it wraps is its
    own, where ``self.__post_init__`` is ``BaseConfig``'s alone (not that of every class
    the decorator decorates)."""
    tree = _tree(stacked, M + "BaseConfig.__init__")
    base = M + "BaseConfig"
    assert (1, "initial_init", [(WRAP + "__init__", base)]) in tree
    assert (2, "self.__post_init__", [(M + "BaseConfig.__post_init__", base)]) in tree
    assert (1, "cls.validate", [(WRAP + "validate", base)]) in tree


def test_a_chain_goes_through_the_init_another_pin_s_decorator_set(stacked: Workspace) -> None:
    """``BaseConfig()`` runs the decorator's wrapper, the ``__init__`` it wraps, then
    ``BaseConfig.__post_init__``: the chain goes through the other pin's functions set on
    the class, and no chain from ``BaseConfig()`` reaches ``SmallConfig``'s own. Asked
    first on a fresh stack: ``path`` opens the decorator's pin (in the cache) as it reads
    the class, not only once another question has."""
    (chain, *_) = stacked.path(M + "diff", M + "BaseConfig.standardize").search.chains
    assert [(h.callee.site.line, h.reached) for h in chain] == [
        (52, M + "BaseConfig"),
        (24, WRAP + "__init__"),
        (12, M + "BaseConfig.__post_init__"),
        (29, M + "BaseConfig.standardize"),
    ]
    chains = stacked.path(M + "diff", M + "SmallConfig.check_heads").search.chains
    assert chains
    assert all(c[0].reached == M + "SmallConfig" for c in chains)


def test_a_wrapper_and_the_init_it_wraps_count_as_one_call(stacked: Workspace) -> None:
    """``init_with_validate`` is written ``@functools.wraps(initial_init)`` and calls
    ``initial_init``: a run reads the two as one function, so the four hops of the chain
    to ``standardize`` are within three calls."""
    (chain, *_) = stacked.path(M + "diff", M + "BaseConfig.standardize", max_depth=3).search.chains
    assert [h.reached for h in chain] == [
        M + "BaseConfig",
        WRAP + "__init__",
        M + "BaseConfig.__post_init__",
        M + "BaseConfig.standardize",
    ]
    assert not stacked.path(M + "diff", M + "BaseConfig.standardize", max_depth=2).search.chains


def test_a_path_asked_without_the_decorator_s_pin_leaves_no_members_behind(tmp_path: Path) -> None:
    """The decorator's pin not in the cache: ``path`` does not fetch it (its chain stops
    at the ``__init__`` ``@dataclass`` made), and what it read of the class is not kept:
    the next question fetches the pin and reads the ``__init__`` ``@strict`` wraps."""
    checkout = make_callrepo(tmp_path)
    stack = Stack(
        Store.memory(),
        owners={"callpkg": "calls", "accelerate": "accel"},
        opener=lambda repo: make_accel(checkout.root),
    )
    with Workspace(checkout, stack.store, stack=stack) as ws:
        (chain, *_) = ws.path(M + "diff", M + "BaseConfig.standardize").search.chains
        assert stack.skipped == {"accel"} and [h.callee.site.line for h in chain] == [52, 29]
        wrapped = (1, "initial_init", [(WRAP + "__init__", M + "BaseConfig")])
        assert wrapped in _tree(ws, M + "BaseConfig.__init__")
