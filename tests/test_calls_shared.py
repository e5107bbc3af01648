"""A method several classes a table holds take from one base, on the synthetic package
(tests/fixtures/callrepo/src/callpkg/quantizing.py): transformers' ``get_hf_quantizer``
returns any of the quantizers ``AUTO_QUANTIZER_MAPPING`` holds, and ``preprocess_model``,
which each takes from ``HfQuantizer``, runs with ``self`` any of them, not the first;
and an attribute holding an argument of ``__init__`` (``PipelineIterator``'s ``self.infer``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.workspace.workspace import Workspace
from tests.callrepo import callrepo_workspace

M = "callpkg.quantizing."


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_a_method_inherited_by_several_classes_goes_on_with_self_any_of_them(ws: Workspace) -> None:
    """``quantizer.preprocess(model)``, the quantizer ``AwqLike`` or ``BnbLike``: one
    definition, reached through neither class, so ``self._before_loading`` in it is each
    override (``BnbLike``'s too), and its account names the second class."""
    levels = [(lv.depth, lv.callee) for lv in ws.calls(M + "load", depth=2).levels]
    at = next(i for i, (_, c) in enumerate(levels) if c.site.name.expr == "quantizer.preprocess")
    preprocess = levels[at][1]
    assert [(t.qualname, t.receiver) for t in preprocess.targets] == [(M + "Quantizer.preprocess", "")]
    assert "inherited from Quantizer (MRO of AwqLike); so does BnbLike; self there may be any Quantizer" in (
        preprocess.how
    )
    depth, inner = levels[at + 1]
    assert (depth, inner.site.name.expr) == (2, "self._before_loading")
    assert [t.qualname for t in inner.targets] == [
        M + "Quantizer._before_loading",
        M + "AwqLike._before_loading",
        M + "BnbLike._before_loading",
    ]


def test_a_chain_reaches_what_only_the_second_class_calls(ws: Workspace) -> None:
    """``path load replace_linear`` goes through ``preprocess`` as well as through the
    direct call of ``_before_loading``."""
    chains = ws.path(M + "load", M + "replace_linear").search.chains
    firsts = {chain[0].callee.site.name.expr for chain in chains}
    assert firsts == {"quantizer._before_loading", "quantizer.preprocess"}


def test_an_attribute_set_to_an_argument_of_init_holds_what_the_constructions_pass(ws: Workspace) -> None:
    """``self.infer(item, ...)``, ``self.infer = infer`` in ``__init__``
    (tests/fixtures/callrepo/src/callpkg/iterating.py): the attribute, then what the
    class's constructions pass in it (``ItemIterator(..., runner.forward, ...)``)."""
    found = {
        lv.callee.site.name.expr: lv.callee
        for lv in ws.calls("callpkg.iterating.ItemIterator.__next__").levels
    }
    infer = found["self.infer"]
    assert [t.qualname for t in infer.targets] == [
        "callpkg.iterating.ItemIterator.infer",
        "callpkg.iterating.Runner.forward",
    ]
    assert infer.targets[1].via == (
        "ItemIterator(…) is constructed with infer=runner.forward in iterate (src/callpkg/iterating.py:22), "
        "kept by __init__ in self.infer"
    )


def test_an_attribute_set_to_an_argument_of_a_class_constructed_nowhere_says_so(ws: Workspace) -> None:
    """``DefaultIterator`` is constructed nowhere in the pins: what ``self.infer`` runs is
    what its callers pass, said, and no target beyond the attribute."""
    found = {
        lv.callee.site.name.expr: lv.callee
        for lv in ws.calls("callpkg.iterating.DefaultIterator.__next__").levels
    }
    assert [t.qualname for t in found["self.infer"].targets] == ["callpkg.iterating.DefaultIterator.infer"]
    assert found["self.infer"].how.endswith("which codewalk does not follow from here")


def test_a_method_the_first_class_defines_and_the_others_take_is_said_in_a_sentence(ws: Workspace) -> None:
    """``PLAIN_QUANTIZERS`` holds ``Quantizer`` itself and ``AwqLike``: ``preprocess`` is the
    first's own, which the second takes from it."""
    preprocess = next(
        lv.callee
        for lv in ws.calls(M + "load_plain").levels
        if lv.callee.site.name.expr == "quantizer.preprocess"
    )
    assert [(t.qualname, t.receiver) for t in preprocess.targets] == [(M + "Quantizer.preprocess", "")]
    said = "Quantizer's own; AwqLike takes it from Quantizer, so self there may be any Quantizer"
    assert preprocess.how.endswith(said)
    assert preprocess.targets[0].via.endswith(said)


def test_an_attribute_annotated_and_set_to_an_argument_names_its_default(ws: Workspace) -> None:
    """``self.infer: object = infer``, ``infer=identity`` in ``__init__``'s header."""
    found = {
        lv.callee.site.name.expr: lv.callee
        for lv in ws.calls("callpkg.iterating.DefaultIterator.__next__").levels
    }
    assert found["self.infer"].how.endswith(
        "self.infer holds the argument infer of DefaultIterator(...) (set at src/callpkg/iterating.py:32), "
        "identity when none is passed: what it runs is what the callers of DefaultIterator pass, "
        "which codewalk does not follow from here"
    )
