"""The class ``self`` is, carried down a chain, and torch's module protocol, on the
synthetic package's models (tests/fixtures/callrepo/src/callpkg/models.py): a mixin's
``self(...)`` and ``self.prepare()`` through a concrete class or every candidate,
``super()`` in the receiver's MRO, ``cls(...)``/``type(self)()`` constructing, loops over
``nn.ModuleList`` / ``zip`` / ``enumerate``, an index into one, and a path through them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.calls.model import Callee
from codewalk.errors import QueryError
from codewalk.workspace.calling import NoDefinition
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace

M = "callpkg.models."


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def targets(callee: Callee) -> list[str]:
    return [t.qualname.removeprefix(M) for t in callee.targets]


def test_a_concrete_class_is_self_in_the_mixin_and_the_override_wins(ws: Workspace) -> None:
    answer = ws.calls("ChatModel._sample")
    assert answer.receiver is not None and answer.receiver.qualname == M + "ChatModel"
    found = {(lv.callee.site.line, lv.callee.site.name.expr): lv.callee for lv in answer.levels}
    assert targets(found[(10, "self")]) == ["ChatModel.forward"]
    assert found[(10, "self")].how.startswith("self is a ChatModel (the class the question names)")
    assert targets(found[(11, "self.prepare")]) == ["ChatModel.prepare"]
    assert targets(found[(11, "forward")]) == ["ChatModel.forward"]  # forward = self.__call__


def test_a_class_named_by_an_alias_says_so_where_it_says_what_self_is(ws: Workspace) -> None:
    """``ChatModelFast._sample``: ChatModelFast is an alias of ChatModel, the class ``self``
    is; "self is a ChatModel" alone reads as if the question had named another class."""
    found = {
        (lv.callee.site.line, lv.callee.site.name.expr): lv.callee
        for lv in ws.calls("ChatModelFast._sample").levels
    }
    assert targets(found[(10, "self")]) == ["ChatModel.forward"]
    assert found[(10, "self")].how.startswith(
        "self is a ChatModel (the class the question names: ChatModelFast is an alias of ChatModel ("
    )


def test_a_count_of_classes_deriving_is_written_with_thousands_separators() -> None:
    """As the count under it is (``any of 1,819``): a class with 1,818 classes deriving
    from it (PreTrainedModel, at transformers 5.23.0) says ``1,818``, not ``1818``."""
    from codewalk.calls.selves import _candidates
    from codewalk.resolve.model import Resolved

    def method(owner: str) -> Resolved:
        return Resolved("toy", f"toypkg.m.{owner}.forward", "method", "src/toypkg/m.py", 1, 1, 1, "", "")

    base = Resolved("toy", "toypkg.m.Base", "class", "src/toypkg/m.py", 1, 1, 1, "", "")
    others = [method(f"Model{n}") for n in range(1818)]
    assert (
        "then the 1,818 overrides in classes deriving"
        in _candidates(base, "forward", [method("Base")], others, []).how
    )
    assert "; 1,818 classes deriving from it do (Model0, Model1, Model2 and 1,815 more)" in (
        _candidates(base, "forward", [], others, []).how
    )


def test_without_a_concrete_class_every_candidate_is_listed(ws: Workspace) -> None:
    found = callees(ws, "GenerationMixin._sample")
    assert targets(found[(10, "self")]) == ["ChatModel.forward", "OtherChatModel.forward"]
    assert "2 classes deriving from it" in found[(10, "self")].how
    prepare = found[(11, "self.prepare")]
    assert targets(prepare) == ["GenerationMixin.prepare", "ChatModel.prepare"]
    assert prepare.how.startswith("self may be any GenerationMixin: its prepare, then the 1 override")


def test_super_cls_and_type_of_self(ws: Workspace) -> None:
    (sup,) = callees(ws, "ChatModel.prepare").values()
    assert targets(sup) == ["GenerationMixin.prepare"]
    assert sup.targets[0].receiver == M + "ChatModel"
    (made,) = callees(ws, "OtherChatModel.from_config").values()
    assert targets(made) == ["OtherChatModel"] and made.targets[0].kind == "class"  # cls(config) makes one
    clone = callees(ws, "OtherChatModel.clone")[(77, "self.__class__")]
    assert targets(clone) == ["OtherChatModel"]


def test_the_module_protocol_over_module_lists(ws: Workspace) -> None:
    found = callees(ws, M + "Model.forward")
    layer = found[(50, "layer")]
    assert targets(layer) == ["DecoderLayer.forward"]
    assert "self.layers holds DecoderLayer elements" in layer.how
    assert targets(found[(50, "norm")]) == ["Norm.forward"]  # zip(self.layers, self.norms); .append
    assert targets(found[(52, "layer")]) == ["DecoderLayer.forward"]  # enumerate(self.layers[1:])
    assert targets(found[(53, "self.layers[]")]) == ["DecoderLayer.forward"]  # self.layers[0](x)


def test_a_path_down_the_model_through_the_concrete_class(ws: Workspace) -> None:
    search = ws.path("ChatModel.generate", "Attention.forward").search
    chain = search.chains[0]
    assert [hop.caller.target.qualname.removeprefix(M) for hop in chain] == [
        "GenerationMixin.generate",
        "GenerationMixin._sample",
        "ChatModel.forward",
        "Model.forward",
        "DecoderLayer.forward",
    ]
    assert chain[1].caller.receiver is not None and chain[1].caller.receiver.qualname == M + "ChatModel"


def test_depth_goes_on_into_what_an_attribute_holds(ws: Workspace) -> None:
    """``self.model(x)`` lists the attribute, then ``Model.forward``: ``--depth`` expands
    the forward (the attribute has no body of its own)."""
    levels = ws.calls(M + "ChatModel.forward", depth=3).levels
    seen = [(lv.depth, lv.callee.site.line, lv.callee.site.name.expr) for lv in levels]
    assert seen[:5] == [
        (1, 62, "self.model"),
        (2, 49, "zip"),
        (2, 50, "norm"),
        (2, 50, "layer"),
        (3, 33, "self.attn"),
    ]


def test_depth_goes_past_every_assignment_of_an_attribute(ws: Workspace) -> None:
    """``self.inner`` assigned torch's ``nn.Identity`` in one branch, then a ``Fancy``, lists
    both assignments before ``Fancy.forward``: ``--depth`` expands that forward."""
    levels = ws.calls("callpkg.bases.Picker.forward", depth=2).levels
    assert [(lv.depth, lv.callee.site.name.expr) for lv in levels] == [(1, "self.inner"), (2, "passed_on")]


def test_a_property_read_runs_its_getter(ws: Workspace) -> None:
    found = callees(ws, "Reader.size")
    assert {key: targets(c) for key, c in found.items()} == {
        (91, "self.config.hidden"): ["Config.hidden"],  # self.config = config: Config
        (91, "self.plain"): ["Reader.plain"],
    }
    assert all(c.site.kind == "read" for c in found.values())  # self.config itself runs nothing
    sites = [(c.line, c.kind) for c in ws.callers("Config.hidden").callers]
    assert sites == [(91, "read")]


def test_a_property_read_runs_the_getter_not_the_setter(ws: Workspace) -> None:
    found = callees(ws, M + "LevelReader.read")
    for key in [(258, "self.settable.level"), (259, "self.settable.level")]:  # read, and called
        assert [(t.qualname.removeprefix(M), t.line) for t in found[key].targets] == [("Settable.level", 245)]


def test_a_property_read_on_a_base_typed_receiver_lists_the_overrides(ws: Workspace) -> None:
    """``options.prompted``, ``options: BaseOptions``: the instance may be a
    ``PromptOptions``, whose property overrides the base's, as a method call lists it."""
    read = callees(ws, M + "is_prompted")[(282, "options.prompted")]
    assert read.site.kind == "read"
    assert targets(read) == ["BaseOptions.prompted", "PromptOptions.prompted"]


def test_calls_says_an_inherited_method_of_a_module_variable_once(ws: Workspace) -> None:
    """``ATTENTION_FUNCTIONS.valid_keys()``, a method ``AttentionInterface`` inherits: its
    ``via`` goes on from what the variable is, which is not said again under it."""
    from codewalk.cli.calls_output import callee_lines

    keys = callees(ws, M + "attention_keys")[(298, "ATTENTION_FUNCTIONS.valid_keys")]
    annotated = "ATTENTION_FUNCTIONS is an AttentionInterface (annotated at src/callpkg/models.py:294)"
    assert keys.how == annotated
    assert [line.strip() for line in callee_lines(keys)][1:] == [
        f"via: {annotated}; inherited from Interface (MRO of AttentionInterface)"
    ]


def test_a_classmethods_cls_is_said_to_be_the_class_not_an_instance(ws: Workspace) -> None:
    made = callees(ws, M + "LoadedChatModel.from_config")[(74, "cls")]
    assert made.how == "cls is LoadedChatModel (the class the question names)"


def test_types_from_annotations_and_constructors(ws: Workspace) -> None:
    found = callees(ws, M + "use")
    exact, any_builder = ["Builder.build"], ["Builder.build", "FastBuilder.build"]
    for key, expected in [
        ((112, "builder.build"), any_builder),  # builder: Builder | None: or a class deriving from it
        ((113, "Builder().build"), exact),  # a constructor's result
        ((115, "made.build"), any_builder),  # made = make_builder(), annotated -> "Builder"
        ((116, "unannotated().build"), exact),  # what its return statement constructs
        ((118, "item.build"), any_builder),  # items: list[Builder]
    ]:
        assert targets(found[key]) == expected, key
    assert "builder is annotated (builder: Builder | None in use)" in found[(112, "builder.build")].how


def test_a_function_defined_in_another_is_called_by_name_and_asked_about(ws: Workspace) -> None:
    found = callees(ws, M + "outer")
    assert targets(found[(128, "inner")]) == ["outer.<locals>.inner"]
    nested = ws.calls(M + "outer.<locals>.inner")
    assert nested.target.qualname == M + "outer.<locals>.inner" and nested.target.line == 122
    assert [(lv.callee.site.line, targets(lv.callee)) for lv in nested.levels] == [
        (123, ["outer.<locals>.helper_of_inner"])  # its own lines only
    ]
    chain = ws.path(M + "outer", "Builder.build").search.chains[0]
    assert [hop.reached.removeprefix(M) for hop in chain] == [
        "outer.<locals>.inner",
        "outer.<locals>.helper_of_inner",
        "Builder.build",
    ]
    with pytest.raises(NoDefinition, match="defines no function nothing"):
        ws.calls(M + "outer.<locals>.nothing")


@pytest.mark.parametrize("host", [M + "outer", M + "no_such_host"])
def test_a_nested_name_that_is_not_a_name_is_said_before_its_host_is_looked_up(
    ws: Workspace, host: str
) -> None:
    """``host.<locals>.1a`` is malformed whatever ``host`` is: the reader is told what is
    wrong with what they typed, not something about the host."""
    for ask in (lambda q: ws.calls(q), lambda q: ws.path(M + "outer", q), lambda q: ws.path(q, M + "outer")):
        with pytest.raises(QueryError, match="<locals> is followed by the name of a function"):
            ask(host + ".<locals>.1a")


def test_find_and_show_take_the_name_calls_gives_a_nested_function(ws: Workspace) -> None:
    """``find``/``show`` answer for ``outer.<locals>.inner`` as ``calls`` names it, from
    its host's body; a name the host does not define is said to be missing."""
    (found,) = ws.find(M + "outer.<locals>.inner").results
    assert (found.qualname, found.kind, found.line) == (M + "outer.<locals>.inner", "function", 122)
    assert found.via == "defined in outer (line 122)"
    (sibling,) = ws.find("outer.<locals>.helper_of_inner").results  # a short host name too
    assert (sibling.qualname, sibling.line) == (M + "outer.<locals>.helper_of_inner", 125)
    with pytest.raises(NoDefinition, match="defines no function nothing"):
        ws.find(M + "outer.<locals>.nothing")


def test_a_method_of_an_item_of_a_list(ws: Workspace) -> None:
    (first,) = callees(ws, "Stack.first").values()
    # items: list[Builder] | None: each item a Builder or of a class deriving from it
    assert first.site.name.expr == "self.items[].build"
    assert targets(first) == ["Builder.build", "FastBuilder.build"]


def test_a_package_rebinding_a_submodule_name_holds_the_class(ws: Workspace) -> None:
    """``progress/__init__.py`` imports ``bar`` from its submodule ``bar``: that runs after
    the submodule is imported, so ``progress.bar`` is the class, not the module."""
    for query in ("callpkg.progress_user.show", "callpkg.progress_user.show_later"):
        (made,) = [c for c in callees(ws, query).values() if c.site.kind == "call"]
        assert [(t.qualname, t.kind) for t in made.targets] == [("callpkg.progress.bar.bar", "class")], query


def test_a_module_list_filled_by_a_factory(ws: Workspace) -> None:
    (part,) = [c for c in callees(ws, "Factory.forward").values() if c.site.name.expr == "part"]
    assert targets(part) == ["Attention.forward", "Norm.forward"]  # what make_layer returns


def test_a_parameter_holds_what_the_call_that_reached_it_passed(ws: Workspace) -> None:
    """``model = self._wrap(self.model)`` where ``_wrap`` returns its parameter holds
    the annotated ``Model``; ``self._step(model, x)`` passes it on, so ``model(x)`` in
    ``_step`` (an unannotated parameter) runs ``Model.forward`` on the way from train."""
    (wrap,) = [c for c in callees(ws, "Runner.train").values() if c.site.name.expr == "self._step"]
    assert targets(wrap) == ["Runner._step"]
    (alone,) = callees(ws, "Runner._step").values()
    assert not alone.targets  # asked alone, its parameter is the caller's
    chain = ws.path("Runner.train", "Attention.forward").search.chains[0]
    assert [hop.caller.target.qualname.removeprefix(M) for hop in chain][:3] == [
        "Runner.train",
        "Runner._step",
        "Model.forward",
    ]
    assert "passed" in chain[1].callee.how


def test_a_name_unpacked_from_a_returned_tuple_holds_that_element(ws: Workspace) -> None:
    """``model, data = self._prepare(x)`` where ``_prepare`` ends in ``return model, [x]``:
    ``model`` is its first element; ``first, second = data, model`` pairs the names."""
    chain = ws.path("Runner.fit", "Attention.forward").search.chains[0]
    assert [hop.caller.target.qualname.removeprefix(M) for hop in chain][:3] == [
        "Runner.fit",
        "Runner._step",
        "Model.forward",
    ]


def test_a_call_of_many_candidates_is_searched_lazily_toward_the_goal(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``self(x)`` in the mixin, asked about without a concrete class, has two candidates:
    made "many" here, path first searches without them, then through those that may lead
    to the goal (ChatModel.forward, which builds a Model; not OtherChatModel.forward)."""
    from codewalk.calls import reached

    monkeypatch.setattr(reached, "WIDE", 1)  # a hop's guess (graph), the search's calls of many (paths)
    search = ws.path("GenerationMixin.generate", "Attention.forward").search
    assert search.widened
    chains = [[hop.caller.target.qualname.removeprefix(M) for hop in chain] for chain in search.chains]
    assert chains[0][:4] == [
        "GenerationMixin.generate",
        "GenerationMixin._sample",
        "ChatModel.forward",
        "Model.forward",
    ]
    assert all("OtherChatModel.forward" not in chain for chain in chains)


def test_an_untyped_call_may_reach_the_definitions_of_its_name_as_a_guess(ws: Workspace) -> None:
    """Asked alone, ``model(x)`` in Runner._step calls a parameter codewalk cannot type: a
    path goes on through the forwards that may lead to the goal, each said to be possible."""
    search = ws.path("Runner._step", "Attention.forward").search
    first = search.chains[0]
    assert first[0].callee.site.name.expr == "model"
    assert "cannot type: possibly" in first[0].callee.how
    assert first[0].target is not None and first[0].target.qualname.endswith(".forward")


def test_calling_what_a_call_returns(ws: Workspace) -> None:
    """``self.get_base()(x)``: the method's annotation names a class outside the package
    (``nn.Module``), its return statement an attribute annotated ChatModel: calling one
    runs ChatModel's forward; when the returned value cannot be typed, the site says so."""
    found = callees(ws, "Wrapper.forward")
    base = found[(202, "self.get_base()")]
    assert targets(base) == ["ChatModel.forward"]
    assert "returned by get_base (line 199)" in base.targets[0].via
    unknown = callees(ws, "Wrapper.unknown")[(205, "self.maker()")]
    assert not unknown.targets
    assert unknown.how == "what self.maker(…) returns, whose class codewalk does not know"


def test_an_item_of_a_table_annotated_to_hold_classes_constructs_one(ws: Workspace) -> None:
    (made,) = callees(ws, "build_from").values()
    assert targets(made) == ["Builder"] and made.targets[0].kind == "class"
    assert "BUILDERS holds Builder classes, or classes deriving from it (annotated at" in made.how


H = "callpkg.heads."


def test_chains_that_differ_only_by_the_candidate_they_take_are_one_route(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``self(x)`` in the mixin's fit, asked about without a concrete class, has the
    candidates of Head.forward and its overrides: made "many" here, the three heads that call
    ``loss`` make one route, shown once with the first of them (not three chains that
    differ only there). The chains through three candidates are as many as asked
    for, which stop the search (it says it may have missed others) rather than let
    it read every candidate (``model(**inputs)`` in the Trainer's ``compute_loss``: 8,495)."""
    from codewalk.calls import reached

    monkeypatch.setattr(reached, "WIDE", 1)  # a hop's guess (graph), the search's calls of many (paths)
    search = ws.path(H + "Fitting.fit", H + "loss").search
    assert search.widened and not search.complete
    (chain,) = search.chains
    assert [hop.caller.target.qualname.removeprefix(H) for hop in chain] == ["Fitting.fit", "SumHead.forward"]
    assert len(chain[0].callee.targets) == 4  # Head.forward and the three overrides


def test_a_search_through_guesses_stops_at_enough_chains_and_says_it_may_have_missed_shorter(
    ws: Workspace,
) -> None:
    """``thing.finish(x)`` on an untyped parameter reaches Job.finish only as a guess (it
    counts as four calls): with ``--limit 1`` the search stops at it, not complete; asked
    for more chains than there are, it searches everywhere and is."""
    one = ws.path(H + "run", H + "Job.finish", limit=1).search
    assert one.widened and not one.complete
    (chain,) = one.chains
    assert "cannot type: possibly" in chain[0].callee.how
    every = ws.path(H + "run", H + "Job.finish", limit=3).search
    assert every.complete and len(every.chains) == 1


def test_through_calls_of_many_candidates_chains_by_other_lines_are_enough_to_stop(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``self(x)`` at two lines of Twice.fit, made "many" here: the chains that differ
    in the line are one route, shown once with both lines; the chains through its two
    candidates (Part's and OtherPart's forward), as many as asked for, stop the search
    (it says it may have missed others), rather than searching on to its bound for
    routes there may not be."""
    from codewalk.calls import reached

    monkeypatch.setattr(reached, "WIDE", 1)  # a hop's guess (graph), the search's calls of many (paths)
    search = ws.path("callpkg.fanning.Twice.fit", "callpkg.fanning.loss", limit=2).search
    assert search.widened and not search.complete
    (chain,) = search.chains
    assert [(hop.caller.target.qualname, hop.lines) for hop in chain] == [
        ("callpkg.fanning.Twice.fit", (13, 14)),
        ("callpkg.fanning.Part.forward", (19,)),  # its call of loss
    ]


def test_what_a_method_returns_is_read_with_the_class_it_was_called_on(ws: Workspace) -> None:
    """``return self`` in get_encoder: asked through EncoderModel, the encoder is an
    EncoderModel (not any class deriving from Encoded)."""
    calls = callees(ws, "EncoderModel.encode")
    assert targets(calls[(230, "encoder")]) == ["EncoderModel.forward"]
    loose = callees(ws, "Encoded.encode")
    assert targets(loose[(230, "encoder")]) == ["EncoderModel.forward", "OtherEncoderModel.forward"]


def test_an_attribute_only_the_named_class_sets_is_read_on_that_class(ws: Workspace) -> None:
    """``TextPipeline.reseed``: ``self.generator`` is set by TextPipeline (another module),
    read in Pipeline's method; it was looked up on Pipeline in TextPipeline's module, so
    'neither Pipeline nor the bases define generator'."""
    (seed,) = callees(ws, "callpkg.text_pipeline.TextPipeline.reseed").values()
    assert (seed.status, seed.external) == ("external", "torch.Generator.manual_seed")
    said = "self.generator is a torch.Generator (annotated at src/callpkg/text_pipeline.py:8)"
    assert seed.how.startswith(said)


def test_getattr_of_a_name_looped_over_a_list_of_strings_is_each_attribute(ws: Workspace) -> None:
    """``for name in ["text_encoder", "encoder"]: return getattr(self, name)`` in the base's
    get_encoder, asked about a Seq2Seq: its ``self.encoder``, a Stack, is what the
    encoder called in ``encode`` is (the first of what get_encoder may return)."""
    (call,) = [
        c for (line, expr), c in callees(ws, "callpkg.encoders.Seq2Seq.encode").items() if expr == "encoder"
    ]
    assert call.targets[0].qualname == "callpkg.encoders.Stack.forward"
    assert "returned by get_encoder (line 17): self.encoder is a Stack" in call.targets[0].via
