"""What runs when a class is called or made, on the synthetic package
(tests/fixtures/callrepo/src/callpkg/classmaking.py): a metaclass's ``__call__`` is found
on the class (``LocalFileSystem.__call__``), ``cls`` there is that class, and
``type.__call__(cls, ...)`` constructs it; a class decorator that sets ``cls.__init__``
twice lists the last first, then the one it wraps; in the functions it nests, ``cls.m``
is what it set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.calls.model import BUILTIN, EXTERNAL, UNRESOLVED
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace

M = "callpkg.classmaking."


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_a_member_of_a_class_object_is_looked_up_in_its_metaclass(ws: Workspace) -> None:
    (found, *_) = ws.find(M + "LocalFileSystem.__call__").matches
    assert found.qualname == M + "Cached.__call__"
    assert found.via == "LocalFileSystem's metaclass is Cached"  # named by its base FileSystem
    assert not ws.find(M + "Settings.__call__").matches  # no metaclass, no __call__


def test_in_a_metaclass_call_cls_is_the_class_and_type_call_constructs_it(ws: Workspace) -> None:
    answer = ws.calls(M + "LocalFileSystem.__call__")
    assert answer.receiver is not None and answer.receiver.qualname == M + "LocalFileSystem"
    found = callees(ws, M + "LocalFileSystem.__call__")
    tokenize = found[(9, "cls.tokenize")]
    assert [t.qualname for t in tokenize.targets] == [M + "FileSystem.tokenize"]
    assert tokenize.how.startswith("cls is the class LocalFileSystem (the class the question names)")
    made = found[(12, "type.__call__")]
    assert [(t.qualname, t.kind) for t in made.targets] == [(M + "LocalFileSystem", "class")]
    assert made.how.startswith("type.__call__(cls, …) makes a LocalFileSystem")


def test_without_a_class_the_metaclass_call_says_what_it_cannot_know(ws: Workspace) -> None:
    found = callees(ws, M + "Cached.__call__")
    assert found[(9, "cls.tokenize")].status == UNRESOLVED  # any class made by Cached
    assert found[(12, "type.__call__")].status == BUILTIN


def test_a_decorator_setting_init_twice_lists_the_last_then_the_one_before(ws: Workspace) -> None:
    matches = ws.find(M + "Settings.__init__").matches
    assert [m.qualname.removeprefix(M) for m in matches] == [
        "checked.<locals>.init_with_validate",
        "checked.<locals>.__init__",
        "Settings",  # the __init__ @dataclass made from the fields
    ]
    assert "set again at line 52" in matches[1].via


def test_in_a_function_a_class_decorator_nests_cls_m_is_what_it_set(ws: Workspace) -> None:
    found = callees(ws, M + "checked.<locals>.init_with_validate")
    initial = found[(49, "initial_init")]  # initial_init = cls.__init__ (line 46): set at line 40
    assert [t.qualname for t in initial.targets] == [M + "checked.<locals>.__init__"]
    validate = found[(50, "cls.validate")]  # at call time: what checked set last
    assert [t.qualname for t in validate.targets] == [M + "checked.<locals>.validate"]
    assert validate.how == "checked sets cls.validate (src/callpkg/classmaking.py:45)"
    first = callees(ws, M + "checked.<locals>.__init__")[(37, "original_init")]
    assert first.status == UNRESOLVED  # read before checked sets it: the class's own
    assert "before line 34: the class's own" in first.how


O = "callpkg.outside."


def test_a_method_of_a_value_annotated_with_a_class_of_another_package(ws: Workspace) -> None:
    """``model: torch.nn.Module``: ``model.to`` is torch's (not read), or an override in
    a class of the package deriving from it (``Tiny.to``, its base written ``nn.Module``)."""
    found = callees(ws, O + "Loop.run")
    to = found[(25, "model.to")]
    assert [t.qualname for t in to.targets] == [O + "Tiny.to"]
    assert to.how == (
        "model is annotated torch.nn.Module in Loop.run: torch.nn.Module.to (in another package), "
        "or the 1 override in classes deriving from it"
    )
    assert to.targets[0].via == "an override in Tiny, a class deriving from torch.nn.Module"
    numpy = found[(26, "data.numpy")]  # no class of the package derives from torch.Tensor
    assert (numpy.status, numpy.external) == (EXTERNAL, "torch.Tensor.numpy")
    assert numpy.how.startswith("data is annotated torch.Tensor in Loop.run; ")


def test_an_attribute_unpacked_from_an_annotated_tuple_parameter(ws: Workspace) -> None:
    """``self.optimizer, self.steps = optimizers`` with ``optimizers: tuple[torch.optim.Optimizer
    | None, int]``: ``self.optimizer`` is an Optimizer (``Wrapped`` derives from it, imported
    ``from torch.optim import Optimizer``)."""
    step = callees(ws, O + "Loop.run")[(27, "self.optimizer.step")]
    assert [t.qualname for t in step.targets] == [O + "Wrapped.step"]
    assert step.how.startswith("self.optimizer is a torch.optim.Optimizer (annotated at src/callpkg/outside.py:22)")
