"""The type an attribute or a variable declares, as the extractor keeps it (``target``)
and the resolver reads it back (``declared``)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from codewalk.calls.holders import parameter_names
from codewalk.index.extract import extract
from codewalk.index.records import ModuleFacts
from codewalk.resolve.types import Declared, declared, returns

SOURCE = """
from typing import Optional
import torch.nn as nn

ATTENTION: "AttentionInterface" = AttentionInterface()
REGISTRY = make_registry()


class Block(nn.Module):
    config: Optional[BlockConfig]

    def __init__(
        self,
        config,
        model: PreTrainedModel | nn.Module | None = None,
        cache: "Cache" = None,
        layers: list[Layer] | None = None,
        download: Optional[Download] = None,
        source: _BaseSource = None,
    ):
        self.layers = nn.ModuleList([Layer(config, i) for i in range(config.n)])
        self.pairs = nn.ModuleList([First(config), Second(config)])
        self.stack = nn.ModuleList([Layer(config)] * 4)
        self.norms = nn.ModuleList()
        for _ in range(2):
            self.norms.append(Norm(config))
        resnets = []
        for _ in range(2):
            block = ResnetBlock(config)
            resnets.append(block)
        self.resnets = nn.ModuleList(resnets)
        self.steps = nn.Sequential(Up(config), Down(config))
        self.heads = nn.ModuleDict({"a": Head(config), "b": Head(config)})
        self.model = model
        self.cache = cache
        self.out: Optional[Linear] = None
        self.factory = LayerFactory
        self.size = config.hidden_size
        self.mlp = Mlp(config) if config.mlp else Gated(config)
        self.layer_list = layers if layers is not None else []
        self.download = download or Download()
        self.downs = nn.ModuleList([])
        for kind in config.kinds:
            down = get_down_block(kind)
            self.downs.append(down)
        self.own_cache = copy(cache)
        self.own_model = copy.deepcopy(model)
        self.own_config = copy.deepcopy(config)
        self.own_source = copy(source)
"""


def targets(facts: ModuleFacts) -> dict[str, str]:
    return {d.qualname: d.target for d in facts.definitions if d.kind in ("attribute", "variable")}


def test_what_each_assignment_declares() -> None:
    facts = extract(textwrap.dedent(SOURCE))
    assert isinstance(facts, ModuleFacts)
    found = targets(facts)
    assert found["ATTENTION"] == ":AttentionInterface"  # a string annotation
    assert found["REGISTRY"] == "make_registry()"  # what the function returns
    assert found["Block.config"] == ":BlockConfig"  # Optional[...] at class level
    assert found["Block.layers"] == "nn.ModuleList[Layer]"  # a comprehension
    assert found["Block.pairs"] == "nn.ModuleList[First|Second]"
    assert found["Block.stack"] == "nn.ModuleList[Layer]"  # [X(...)] * n
    assert found["Block.norms"] == "nn.ModuleList[Norm]"  # filled by append
    assert found["Block.resnets"] == "nn.ModuleList[ResnetBlock]"  # a local list, filled
    assert found["Block.steps"] == "nn.Sequential[Up|Down]"
    assert found["Block.heads"] == "nn.ModuleDict[Head]"
    assert found["Block.model"] == ":PreTrainedModel|nn.Module"  # the parameter's annotation
    assert found["Block.cache"] == ":Cache"
    assert found["Block.out"] == ":Linear"
    assert found["Block.factory"] == "type[LayerFactory]"  # the class itself
    assert found["Block.size"] == ""
    assert found["Block.mlp"] == "Mlp|Gated"  # a conditional: either
    assert found["Block.layer_list"] == ":list[Layer]"  # the parameter, or an empty list
    assert found["Block.download"] == ":Download"  # the parameter, or one made
    assert found["Block.downs"] == "nn.ModuleList[get_down_block()]"  # filled by a factory
    assert found["Block.own_cache"] == ":Cache"  # a copy: of its original's class
    assert found["Block.own_model"] == ":PreTrainedModel|nn.Module"
    assert found["Block.own_config"] == "copy.deepcopy()"  # of no class the syntax says
    assert found["Block.own_source"] == ":_BaseSource"  # a private class is a class


def test_the_type_text_read_back() -> None:
    facts = extract(textwrap.dedent(SOURCE))
    assert isinstance(facts, ModuleFacts)
    by_name = {d.qualname: d for d in facts.definitions}
    assert declared(by_name["Block.layers"]) == Declared(elements=("Layer",))
    model = Declared(classes=("PreTrainedModel", "nn.Module"), annotated=True)
    assert declared(by_name["Block.model"]) == model
    assert declared(by_name["Block.factory"]) == Declared(held=("LayerFactory",))
    builder = Declared(("DatasetBuilder",), annotated=True)
    assert returns("def load(path) -> Optional[DatasetBuilder]:") == builder
    assert returns("def items(self) -> list['Item']:") == Declared(elements=("Item",), annotated=True)
    assert returns("def f(x):") == Declared()


def test_a_header_with_its_body_on_its_line_is_read() -> None:
    """A stub's ``def f(...) -> X: ...`` (its header, as the index keeps it, holds the
    body written after the colon): the return annotation and the parameters are read."""
    facts = extract("class Tokenizer:\n    def from_str(json: str) -> Tokenizer: ...  # a stub\n")
    assert isinstance(facts, ModuleFacts)
    (method,) = [d for d in facts.definitions if d.qualname == "Tokenizer.from_str"]
    assert declared(method) == Declared(("Tokenizer",), annotated=True)
    assert parameter_names("def pick(a, b: Engine): return b") == ["a", "b"]
    assert returns("def f(x) -> Engine: return x") == Declared(("Engine",), annotated=True)
    assert returns("def f(x) -> Engine: return (") == Declared()  # neither way parses


def test_an_attribute_unpacked_from_a_tuple_declares_its_element() -> None:
    """``self.a, self.b = pair`` of a parameter annotated ``tuple[A, B]``, or of a tuple
    written out: each its element; one that says no type is left to a later assignment."""
    facts = extract(
        textwrap.dedent(
            """
            class Loop:
                def __init__(self, pair: tuple[Optimizer | None, int], rest: tuple[Step, ...], x=1):
                    self.optimizer, self.steps = pair
                    self.first, self.second = Head(), x
                    self.step, self.other = rest
                    self.a, *self.b = pair

                def later(self):
                    self.steps = Counter()
            """
        )
    )
    assert isinstance(facts, ModuleFacts)
    attributes = {d.name: (d.line, d.target) for d in facts.definitions if d.kind == "attribute"}
    assert attributes == {
        "optimizer": (4, ":Optimizer"),
        "steps": (10, "Counter"),  # int is no class: the later assignment says
        "first": (5, "Head"),
    }  # self.step: rest's elements are not told apart; a starred unpacking: none, as before


def test_an_attribute_keeps_each_assignment_of_another_class() -> None:
    """``self.time_proj = GaussianFourierProjection(...)`` in one branch and
    ``Timesteps(...)`` in another: either may be what it holds, so both are kept, in
    source order; the same class again (made where it was annotated too) adds nothing.
    A first ``None`` is a placeholder: the first assignment that says a type takes its
    place (diffusers' ``self.mid_block = None``, then ``UNetMidBlock2D(...)``), a later
    class is added as any other; ``None``, or a value of no known type, after one says
    nothing."""
    facts = extract(
        textwrap.dedent(
            """
            class UNet:
                def __init__(self):
                    self.cache = None
                    self.head = Steps()
                    self.set_proj()
                    self.norm: Norm | None = None
                    self.mid = None
                    self.unknown = None
                    self.unknown = 0

                def set_proj(self, kind):
                    if kind == "fourier":
                        self.proj = Fourier()
                    else:
                        self.proj = Steps()
                    self.proj = Fourier()
                    self.head = Steps()
                    self.cache = Cache()
                    self.norm = Norm()
                    self.mid = None
                    self.mid = Mid()
                    self.mid = Other()
                    self.head = None
            """
        )
    )
    assert isinstance(facts, ModuleFacts)
    attributes = [(d.name, d.line, d.target) for d in facts.definitions if d.kind == "attribute"]
    assert attributes == [
        ("head", 5, "Steps"),
        ("norm", 7, ":Norm"),
        ("unknown", 9, ""),
        ("proj", 14, "Fourier"),
        ("proj", 16, "Steps"),
        ("cache", 19, "Cache"),
        ("mid", 22, "Mid"),
        ("mid", 23, "Other"),
    ]


def test_an_instance_made_by_calling_a_tables_item() -> None:
    """``TABLE[key](...)`` (transformers 4.36-4.47's ``LLAMA_ATTENTION_CLASSES[...](...)``):
    an instance of a class the table holds, the key kept when the code names it (and
    GPT-2's ``attention_class = TABLE[...]`` then ``attention_class(...)``); a table an
    attribute holds is no module's dict, and says nothing."""
    facts = extract(
        textwrap.dedent(
            """
            class Layer:
                def __init__(self, config):
                    self.attn = ATTENTION_CLASSES[config.attn](config)
                    self.fast = ATTENTION_CLASSES["sdpa"](config)
                    self.act = nn.Identity() if config.act is None else acts.ACT2CLS[config.act]()
                    self.odd = ATTENTION_CLASSES["a|b"](config)
                    self.own = self.classes[config.attn](config)
                    attention_class = ATTENTION_CLASSES[config.attn]
                    self.picked = attention_class(config)
                    self.typed: Attention = attention_class(config)
                    made = make_attention
                    self.made = made(config)
            """
        )
    )
    assert isinstance(facts, ModuleFacts)
    by_name = {d.qualname: d for d in facts.definitions}
    found = targets(facts)
    assert found["Layer.attn"] == "item[ATTENTION_CLASSES]"
    assert found["Layer.fast"] == "item[ATTENTION_CLASSES:sdpa]"
    assert found["Layer.act"] == "nn.Identity|item[acts.ACT2CLS]"
    assert found["Layer.odd"] == "item[ATTENTION_CLASSES]"  # a key the type text cannot carry
    assert found["Layer.own"] == ""
    assert found["Layer.picked"] == "item[ATTENTION_CLASSES]"  # the class picked into a local first
    assert found["Layer.made"] == "made()"  # a local holding no table's item: as before
    assert found["Layer.typed"] == ":Attention"  # an annotation says what it holds
    assert declared(by_name["Layer.fast"]) == Declared(made_from=(("ATTENTION_CLASSES", "sdpa"),))
    act = Declared(classes=("nn.Identity",), made_from=(("acts.ACT2CLS", ""),))
    assert declared(by_name["Layer.act"]) == act


def test_the_lists_a_method_fills_are_read_only_where_it_sets_an_attribute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Which lists a method fills says what an attribute it sets holds; a method that sets
    nothing on ``self`` (most of a model's ``forward``s) is not walked for them."""
    from codewalk.index import attributes

    read: list[str] = []
    filled_lists = attributes.filled_lists

    def counted(body: list[ast.stmt]) -> dict[str, list[str]]:
        read.append(body[0].__class__.__name__)
        return filled_lists(body)

    monkeypatch.setattr(attributes, "filled_lists", counted)
    source = textwrap.dedent(
        """
        class Stack(nn.Module):
            def __init__(self, n):
                self.layers = nn.ModuleList()
                for _ in range(n):
                    self.layers.append(Layer(n))

            def forward(self, x):
                outputs = []
                for layer in self.layers:
                    outputs.append(layer(x))
                return outputs
        """
    )
    facts = extract(source)
    assert isinstance(facts, ModuleFacts)
    assert targets(facts)["Stack.layers"] == "nn.ModuleList[Layer]"
    assert read == ["Assign"]  # __init__'s body alone
