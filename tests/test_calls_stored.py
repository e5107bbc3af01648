"""What an attribute holds, read from every assignment the class makes, on the call fixture
package (``callpkg.storing``): a later assignment that says a type after one that says
none, a class the class body binds called on ``self``, a class stored as it is, a class
imported in the body of the method that sets the attribute; and a module outside the
pins said once in ``calls``' text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.cli.main import main
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace, pin_callrepo

STORING = "src/callpkg/storing.py"


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def targets(ws: Workspace, query: str, line: int, expr: str) -> list[str]:
    called = callees(ws, query)[(line, expr)]
    return [f"{t.qualname.removeprefix('callpkg.')}:{t.line}" for t in called.targets]


def test_a_class_the_class_body_binds_called_on_self_makes_one_of_it(ws: Workspace) -> None:
    """``self.config = self.config_class.from_model(model)``, ``config_class = StoredConfig``
    in the class body (transformers' ``generation_config_class``): what ``from_model``
    returns, so ``self.config.save`` is ``StoredConfig.save``."""
    saved = targets(ws, "callpkg.storing.Keeper.save", 42, "self.config.save")
    assert saved == ["storing.StoredConfig.save:17"]


def test_a_class_the_class_body_annotates_called_on_self_is_one_of_it_or_of_a_class_deriving(
    ws: Workspace,
) -> None:
    """``self.config = self.config_class()``, ``config_class: type[StoredConfig]``: a
    StoredConfig (or one of a class deriving from it, which a class deriving from ``Made``
    may name), said so."""
    called = callees(ws, "callpkg.storing.Made.save")[(80, "self.config.save")]
    assert [t.qualname for t in called.targets] == ["callpkg.storing.StoredConfig.save"]
    assert called.how.startswith(
        f"config is a StoredConfig (set at {STORING}:77 by calling self.config_class, "
        "a class the class body names)"
    )


def test_a_later_assignment_says_the_type_the_first_does_not(ws: Workspace) -> None:
    """``self.config = store["config"]`` says nothing; ``StoredConfig.load(path)`` in
    another method does: the attribute holds what it returns, one of two assignments."""
    called = callees(ws, "callpkg.storing.Untyped.save")[(55, "self.config.save")]
    assert [t.qualname for t in called.targets] == ["callpkg.storing.StoredConfig.save"]
    assert "one of 2 assignments" in called.how


def test_an_attribute_holding_a_class_is_called_on_as_the_class(ws: Workspace) -> None:
    """``self.extractor = FormatExtractor`` (datasets' ``ExtractManager``): its classmethod
    and its staticmethod, not "its type is not declared"."""
    query = "callpkg.storing.Keeper.save"
    inferred = targets(ws, query, 43, "self.extractor.infer_format")
    assert inferred == ["storing.FormatExtractor.infer_format:23"]
    assert targets(ws, query, 44, "self.extractor.extract") == ["storing.FormatExtractor.extract:27"]
    how = callees(ws, query)[(44, "self.extractor.extract")].how
    assert how == f"self.extractor holds the class FormatExtractor (set at {STORING}:36)"


def test_a_class_imported_in_the_method_that_sets_the_attribute(ws: Workspace) -> None:
    """``from .storing_cache import DraftCache`` in ``__init__``, ``self.cache =
    DraftCache()``: in another method, ``self.cache.crop`` is ``DraftCache.crop``."""
    called = callees(ws, "callpkg.storing.Drafting.step")[(65, "self.cache.crop")]
    assert [t.qualname for t in called.targets] == ["callpkg.storing_cache.DraftCache.crop"]
    assert called.how.endswith("imported in Drafting.__init__'s body")


@pytest.fixture()
def pinned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The call package as the pins every command reads."""
    pin_callrepo(tmp_path, monkeypatch)


@pytest.mark.usefixtures("pinned")
def test_what_a_module_outside_the_pins_is_is_said_once(capsys: pytest.CaptureFixture[str]) -> None:
    """``torch.cat`` then ``torch.stack``: "torch is the module torch" under the first only."""
    assert main(["calls", "callpkg.storing.stacked"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == [
        "      69  torch.cat -> torch.cat, in another package",
        "          torch is the module torch (no pin provides torch)",
        "      70  torch.stack -> torch.stack, in another package",
    ]


@pytest.mark.usefixtures("pinned")
def test_callers_of_a_post_init_say_python_calls_it(capsys: pytest.CaptureFixture[str]) -> None:
    """``callers ModelOutput.__post_init__``: no line names it; the @dataclass ``__init__``
    of the classes deriving from it calls it, said so (in the text and in ``--json``)."""
    assert main(["callers", "callpkg.storing.Output.__post_init__"]) == 0
    said = (
        "Python calls Output.__post_init__ from the __init__ @dataclass makes, of Output or of a "
        "dataclass deriving from it (that does not define its own): each construction of one runs it"
    )
    assert capsys.readouterr().out.splitlines()[1:3] == ["0 call sites reach it", said]
    assert main(["callers", "callpkg.storing.Output.__post_init__", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["note"] == said
    assert main(["callers", "callpkg.storing.stacked", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["note"] is None


def test_a_module_function_a_class_decorator_sets_on_the_class_is_what_runs(ws: Workspace) -> None:
    """``cls.__str__ = _loud`` in the decorator ``shouting``: ``Quiet.__str__`` is ``_loud``
    (not the statement that sets it), found and called so; ``cls.name = name``, a name
    the decorator binds itself, stays the statement."""
    (found,) = ws.find("callpkg.shouting.Quiet.__str__").results
    assert (found.qualname, found.line) == ("callpkg.shouting._loud", 5)
    assert found.via == (
        "made by the decorator @shouting of Quiet (src/callpkg/shouting.py:17) sets cls.__str__ "
        "(src/callpkg/shouting.py:12)"
    )
    assert targets(ws, "callpkg.shouting.show", 23, "quiet.__str__") == ["shouting._loud:5"]
    (named,) = ws.find("callpkg.shouting.Quiet.name").results
    assert (named.kind, named.line) == ("rebind", 13)


def test_a_method_of_a_property_of_no_declared_type_says_it_is_a_property(ws: Workspace) -> None:
    """``self.cross_attention_kwargs.get(...)`` in diffusers' ``StableDiffusionPipeline``:
    the property is read, never set, so not "its type is not declared (first set at ...:
    def cross_attention_kwargs(self): …)" but what it is."""
    (_, got) = callees(ws, "callpkg.models.Attending.lora_scale").values()
    assert got.how == (
        "self.attention_kwargs: a property that declares no return type "
        "(src/callpkg/models.py:306: def attention_kwargs(self):)"
    )
