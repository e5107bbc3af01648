"""The extractor on inline sources: exact lines, spans, flags and the comment-borne facts."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path
from textwrap import dedent

from codewalk.index.cursor import name_at
from codewalk.index.extract import extract
from codewalk.index.records import (
    DUMMY,
    LAZY,
    NO_DATACLASS_EQ,
    NO_DATACLASS_INIT,
    NO_DATACLASS_REPR,
    OVERLOAD,
    SET_BY_CALL,
    SETS_KEYWORDS,
    SETS_OUTSIDE,
    SETTER,
    TYPE_CHECKING_ONLY,
    ModuleFacts,
    Skipped,
    dataclass_makes,
)

SOURCE = dedent(
    '''\
    # Copyright
    #           This file was automatically generated from src/pkg/models/x/modular_x.py.
    from typing import TYPE_CHECKING, overload

    from .base import Base as B
    import os.path
    import numpy as np

    if TYPE_CHECKING:
        from ..other import Other

    __all__ = ["Model", "helper"]
    __all__ += ["Alias"]


    # Copied from pkg.models.y.Model with Y->X
    @decorate(1)
    @other.wrap
    class Model(B, nn.Module, Generic[T]):
        """A model.

        More text."""

        size: int = 3

        def __init__(self, x):
            self.x = x

        @property
        def mode(self):
            return 1

        @mode.setter
        def mode(self, value):
            pass

        @overload
        def f(self, a: int) -> int: ...

        class Inner:
            pass


    def helper(
        a,
        b,
    ) -> int:
        return a + b


    Alias = Model
    TABLE = {"k": "_method", Mode.SAMPLE: helper, 3: "ignored-key"}


    class Dummy(metaclass=DummyObject):
        pass
    '''
)


def facts() -> ModuleFacts:
    result = extract(SOURCE.encode())
    assert isinstance(result, ModuleFacts)
    return result


def by_qualname(result: ModuleFacts) -> dict[str, object]:
    return {d.qualname: d for d in result.definitions}


def test_class_line_span_bases_doc_and_copied_from() -> None:
    model = {d.qualname: d for d in facts().definitions}["Model"]
    assert (model.line, model.start_line, model.end_line) == (19, 17, 41)
    assert model.bases == ("B", "nn.Module", "Generic")
    assert model.decorators == ("decorate", "other.wrap")
    assert model.doc == "A model."
    assert model.copied_from == "pkg.models.y.Model"
    assert model.signature == "class Model(B, nn.Module, Generic[T]):"


def test_members_kinds_and_flags() -> None:
    defs = {(d.qualname, d.line): d for d in facts().definitions}
    assert defs[("Model.size", 24)].kind == "variable"
    assert defs[("Model.__init__", 26)].kind == "method"
    getter, setter = defs[("Model.mode", 30)], defs[("Model.mode", 34)]
    assert (getter.kind, getter.flags & SETTER, getter.start_line) == ("property", 0, 29)
    assert (setter.kind, bool(setter.flags & SETTER)) == ("property", True)
    assert defs[("Model.f", 38)].flags & OVERLOAD
    assert defs[("Model.Inner", 40)].parent == "Model"


def test_function_header_spans_lines() -> None:
    helper = {d.qualname: d for d in facts().definitions}["helper"]
    assert helper.kind == "function"
    assert helper.signature == "def helper(\n    a,\n    b,\n) -> int:"
    assert (helper.line, helper.end_line) == (44, 48)


def test_alias_and_dummy() -> None:
    defs = {d.qualname: d for d in facts().definitions}
    assert (defs["Alias"].kind, defs["Alias"].target, defs["Alias"].line) == ("alias", "Model", 51)
    assert defs["TABLE"].kind == "variable"
    assert defs["Dummy"].flags & DUMMY


def test_imports_with_type_checking() -> None:
    imports = {(i.module, i.name): i for i in facts().imports}
    base = imports[("base", "Base")]
    assert (base.level, base.asname, base.flags) == (1, "B", 0)
    assert imports[("os", "")].asname == "os"  # `import os.path` binds os
    assert imports[("numpy", "")].asname == "np"
    other = imports[("other", "Other")]
    assert (other.level, other.flags) == (2, TYPE_CHECKING_ONLY)


def test_all_and_generated_header() -> None:
    result = facts()
    assert result.all_names == ("Model", "helper", "Alias")
    assert result.generated_from == "src/pkg/models/x/modular_x.py"


def test_dict_entries() -> None:
    entries = [(e.table, e.key, e.value, e.value_is_str, e.line) for e in facts().entries]
    assert entries == [
        ("TABLE", "k", "_method", True, 52),
        ("TABLE", "Mode.SAMPLE", "helper", False, 52),
    ]


def test_dict_entries_of_a_list_of_pairs() -> None:
    """``OrderedDict([(k, v), ...])`` (transformers' auto tables) is read as the dict
    literal it makes; a call of anything else, or with a pair that is not a 2-tuple, is not."""
    source = dedent(
        """\
        from collections import OrderedDict
        import collections
        NAMES = OrderedDict(
            [
                ("whisper", "WhisperProcessor"),
                ("llama", helper),
            ]
        )
        PLAIN = dict((("a", "A"),))
        QUALIFIED = collections.OrderedDict([("b", "B")])
        ODD = OrderedDict([("c", "C", "extra")])
        OTHER = make([("d", "D")])
        """
    )
    result = extract(source)
    assert isinstance(result, ModuleFacts)
    assert [(e.table, e.key, e.value, e.value_is_str, e.line) for e in result.entries] == [
        ("NAMES", "whisper", "WhisperProcessor", True, 5),
        ("NAMES", "llama", "helper", False, 6),
        ("PLAIN", "a", "A", True, 9),
        ("QUALIFIED", "b", "B", True, 10),
    ]


def test_lazy_import_structure() -> None:
    source = dedent(
        """\
        _import_structure = {"configuration_x": ["XConfig"], "data": []}
        _import_structure["modeling_x"] = ["XModel", "XPreTrainedModel"]
        _import_structure["generation"].extend(["GenerationMixin"])
        _import_structure["utils.dummy_pt_objects"] = [n for n in dir(dummy_pt_objects) if n[0] != "_"]
        """
    )
    result = extract(source)
    assert isinstance(result, ModuleFacts)
    lazy = [(i.level, i.module, i.name, i.line) for i in result.imports if i.flags & LAZY]
    assert lazy == [
        (1, "configuration_x", "XConfig", 1),
        (1, "modeling_x", "XModel", 2),
        (1, "modeling_x", "XPreTrainedModel", 2),
        (1, "generation", "GenerationMixin", 3),
        (1, "utils.dummy_pt_objects", "*", 4),
    ]


def test_references_have_exact_positions() -> None:
    result = extract("import a\nx = a.b.c(y)\n")
    assert isinstance(result, ModuleFacts)
    assert sorted(result.refs) == [
        ("a", 1, 7),
        ("a", 2, 4),
        ("b", 2, 6),
        ("c", 2, 8),
        ("x", 2, 0),
        ("y", 2, 10),
    ]


def test_a_file_that_does_not_parse_is_skipped() -> None:
    result = extract(b"class {{cookiecutter.name}}:\n    pass\n")
    assert isinstance(result, Skipped)
    assert result.reason.startswith("syntax error at line 1")
    assert isinstance(extract(b"x = 1\0"), Skipped)


def test_a_file_nested_too_deeply_is_skipped_not_raised() -> None:
    """Python's parser raises ``RecursionError`` or ``MemoryError`` on source nested past
    its limits, and a tree it could build may still be too deep to walk: each is a skipped
    file, as source that does not parse is."""
    for source, reason in (
        ("x = a" + ".a" * 200_000, "syntax error at unknown line: nested too deeply for Python's parser"),
        ("x = " + "-" * 200_000 + "1", "syntax error at unknown line: nested too deeply for Python's parser"),
        ("def f():\n    pass\nx = 1" + " + 1" * 1_000, "nested too deeply to read"),
    ):
        result = extract(source)
        assert isinstance(result, Skipped) and result.reason == reason


def test_name_at_a_cursor() -> None:
    source = "class A(B):\n    def f(self):\n        return self.g(nn.Module)\n"
    assert name_at(source, 1, 8) == ("B", "")
    assert name_at(source, 3, 20) == ("self.g", "A")
    assert name_at(source, 3, 26) == ("nn.Module", "A")
    assert name_at(source, 2, 8) == ("A.f", "")
    assert name_at(source, 1, 6) == ("A", "")
    assert name_at(source, 3, 0) is None
    # a bare name in a method's body is not looked up in its class; in its default it is
    method = "class A:\n    x = 1\n    def f(self, y=x):\n        return x\n"
    assert name_at(method, 4, 15) == ("x", "")
    assert name_at(method, 3, 18) == ("x", "A")


def test_a_bare_name_in_a_method_body_does_not_see_the_class() -> None:
    """Python looks a bare name in a function up in the function, then the module: a
    class's members are not in scope there (peft's ``lora_B = self.lora_B[adapter]``, then
    ``lora_B(x)``, is the local, not ``LoraLayer.lora_B``). In the class body, and in a
    method's decorators, defaults and annotations, which run in it, they are."""
    source = dedent(
        """
        class A:
            size = 4
            def f(self, n=size) -> size:
                lora_B = self.lora_B[n]
                return lora_B(size)
            twice = size * 2
            half = lambda: size
        """
    )
    assert name_at(source, 6, 15) == ("lora_B", "")
    assert name_at(source, 6, 22) == ("size", "")
    assert name_at(source, 5, 23) == ("self.lora_B", "A")
    assert name_at(source, 4, 18) == ("size", "A")
    assert name_at(source, 4, 27) == ("size", "A")
    assert name_at(source, 7, 12) == ("size", "A")
    assert name_at(source, 8, 19) == ("size", "")


def test_a_bare_name_in_a_comprehension_of_a_class_body_sees_the_class_only_in_its_first_iterable() -> None:
    """A comprehension has a scope of its own, as a function does: in a class body only its
    first iterable is evaluated in the class (``range(size)``); its element and conditions
    read the module's ``size``, never the class's."""
    source = dedent(
        """
        size = 1
        class A:
            size = 4
            sizes = [size for _ in range(size) if size]
        """
    )
    assert name_at(source, 5, 33) == ("size", "A")
    assert name_at(source, 5, 13) == ("size", "")
    assert name_at(source, 5, 42) == ("size", "")


KEYWORD_READS = dedent(
    """
    def spaced(**kwargs):
        a = kwargs .pop("spaced_key", None)


    def parenthesised(**options):
        return (options).get("paren_key")


    def continued(**kwargs):
        b = kwargs \\
            .setdefault("continued_key", 1)


    def nested(**kwargs):
        def inner():
            return kwargs["nested_key"]
        return inner


    def passes_on(**kwargs):
        return other(**kwargs)
    """
)


def test_keywords_taken_out_of_kwargs_however_the_read_is_written() -> None:
    """The line prefilter before the walk (bindings._may_take_from) lets every way of
    reading an item through, and a body that only passes ``**kwargs`` on is skipped."""
    facts = extract(KEYWORD_READS)
    assert isinstance(facts, ModuleFacts)
    keywords = sorted((d.qualname, d.line) for d in facts.definitions if d.kind == "keyword")
    assert keywords == [
        ("continued(continued_key=...)", 11),
        ("nested(nested_key=...)", 17),
        ("parenthesised(paren_key=...)", 7),
        ("spaced(spaced_key=...)", 3),
    ]


SHAPES = """
import os.path as osp, sys
from a.b import c as d, e
from . import *
global_x = {**os.environ, "k": sys.argv[0]}
def f(p: "T", *args: int, q=lambda r: r.s, **kw) -> dict[str, int]:
    global global_x
    def g():
        nonlocal p
        return [y.z for y in p if y] + [f"{w.v!r:>{n.m}}" for w, n in kw.items()]
    match p:
        case {"a": A.b, **rest}: pass
        case Point(x=0, y=Y.z) | [1, *others]: pass
        case str() as named: pass
    try:
        pass
    except (E1, mod.E2) as err:
        raise err.with_traceback(None) from None
    return {k: v for k, v in kw.items()}
@deco.rator(arg)
class C(Base, metaclass=Meta):
    attr: Annotated[int, Field(gt=0)] = 0
"""


def _by_ast_walk(tree: ast.AST) -> list[tuple[str, int, int]]:
    """name_uses, the plain way: every Name, Attribute and alias ast.walk meets."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.append((node.id, node.lineno, node.col_offset))
        elif isinstance(node, ast.Attribute) and node.end_lineno and node.end_col_offset is not None:
            found.append((node.attr, node.end_lineno, node.end_col_offset - len(node.attr)))
        elif isinstance(node, ast.alias) and node.name != "*":
            found.append((node.name.rpartition(".")[2], node.lineno, node.col_offset))
    return sorted(found, key=lambda ref: (ref[1], ref[2]))


def test_name_uses_are_every_use_ast_walk_meets() -> None:
    """The extractor's own walk (the fields of each node type that can hold nodes) finds
    what ast.walk finds, on every shape of statement and on codewalk's own code."""
    from codewalk.index.syntax import name_uses

    own = sorted(Path(__file__).parents[1].glob("codewalk/**/*.py"))
    sources = [SHAPES, *(path.read_text() for path in own)]
    if sys.version_info >= (3, 12):
        sources.append("type Alias[T] = list[T] | other.Thing\n")
    for source in sources:
        tree = ast.parse(source)
        assert name_uses(tree) == _by_ast_walk(tree)


def test_walk_and_child_nodes_meet_what_ast_meets_less_the_contexts() -> None:
    """``walk`` and ``child_nodes`` take the step ``name_uses`` takes: they yield what
    ``ast.walk`` and ``ast.iter_child_nodes`` yield, in their order, less Load and Store."""
    from codewalk.index.syntax import child_nodes, walk

    def nodes(found: Iterable[ast.AST]) -> list[ast.AST]:
        return [node for node in found if not isinstance(node, ast.expr_context)]

    own = sorted(Path(__file__).parents[1].glob("codewalk/index/*.py"))
    singleton = "match flag:\n    case True: pass\n"  # a constant, not a node, in its field
    for source in [SHAPES, singleton, *(path.read_text() for path in own)]:
        tree = ast.parse(source)
        walked = list(walk(tree))
        assert walked == nodes(ast.walk(tree))
        assert all(child_nodes(node) == nodes(ast.iter_child_nodes(node)) for node in walked)


def test_fallbacks_are_flagged_as_stand_ins() -> None:
    """What a module puts in a name's place when its import fails is marked: ``X = None``
    at module level, and what an ``except`` that catches a failed import defines."""
    from codewalk.index.records import FALLBACK

    source = dedent(
        """
        try:
            from hub import download, Client
        except ImportError:
            download = None

            class Client:
                pass
        try:
            import torch
        except (OptionalDependencyNotAvailable, ValueError):
            Tensor = object
        try:
            value = compute()
        except KeyError:
            value = 0
        LIMIT = None
        real = 1


        class Config:
            name = None
        """
    )
    result = extract(source.encode())
    assert isinstance(result, ModuleFacts)
    flagged = {d.qualname: bool(d.flags & FALLBACK) for d in result.definitions}
    assert flagged == {
        "download": True,
        "Client": True,
        "Tensor": True,
        "value": False,  # twice: a KeyError is not a failed import
        "LIMIT": True,
        "real": False,
        "Config": False,
        "Config.name": False,  # a class attribute's default is the attribute itself
    }


def test_a_function_handed_a_class_rebinds_its_attributes_from_every_block() -> None:
    """``cls.NAME = value`` counts wherever it stands in the body: an if, a try, a match
    case, but not inside a nested class."""
    result = extract(
        dedent(
            """\
            def patch(cls, mode):
                if mode:
                    cls.forward = fast_forward
                try:
                    cls.generate = fast_generate
                except ImportError:
                    pass
                match mode:
                    case "train":
                        cls.train = fast_train
                class Inner:
                    cls.ignored = nothing
            """
        ).encode()
    )
    assert isinstance(result, ModuleFacts)
    rebinds = {d.qualname: d.line for d in result.definitions if d.kind == "rebind"}
    assert rebinds == {"patch.forward": 3, "patch.generate": 5, "patch.train": 10}


def test_what_init_subclass_sets_on_cls_is_no_attribute_of_the_class_itself() -> None:
    """``cls.forward = wrapper`` in ``__init_subclass__`` sets ``forward`` on each class
    deriving from ``Layer``, not on ``Layer`` (whose ``forward`` is its base's); the
    ``self.x`` a method sets is still one."""
    result = extract(
        dedent(
            """\
            class Layer(Module):
                def __init_subclass__(cls, **kwargs):
                    super().__init_subclass__(**kwargs)
                    cls.forward = wrap(cls.forward)
                    cls.checkpointed = True
                def setup(self):
                    self.size = 4
            """
        ).encode()
    )
    assert isinstance(result, ModuleFacts)
    attributes = {d.qualname for d in result.definitions if d.kind == "attribute"}
    assert attributes == {"Layer.size"}


def test_a_function_handed_a_class_under_another_name_rebinds_its_attributes() -> None:
    """The class parameter named ``experts_class`` or annotated ``type[...]`` (as well as
    ``cls``): its ``NAME = value`` are rebinds; another first parameter's are not."""
    result = extract(
        dedent(
            """\
            def by_name(experts_class):
                experts_class.forward = fast
            def by_annotation(module: type[nn.Module] | None = None):
                module.forward = fast
            def not_a_class(model):
                model.forward = fast
            """
        ).encode()
    )
    assert isinstance(result, ModuleFacts)
    rebinds = {d.qualname for d in result.definitions if d.kind == "rebind"}
    assert rebinds == {"by_name.forward", "by_annotation.forward"}


def test_a_method_that_sets_its_keywords_and_the_attributes_a_call_of_one_may_set() -> None:
    """``for name, module in kwargs.items(): setattr(self, name, module)`` flags the
    method (not the attributes it assigns itself). ``self.M(x=value)`` makes ``x`` an
    attribute typed as ``value`` is: plainly where the class's own ``M`` sets its
    keywords, flagged as set by the call where ``M`` is not the class's (a base's may set
    it), and not at all where the class's ``M`` sets nothing."""
    result = extract(
        dedent(
            """\
            class Pipeline:
                def __init__(self, unet: UNet, scheduler: Scheduler, vae: Vae):
                    self.register(unet=unet)
                    self.register_in_base(scheduler=scheduler)
                    self.keep(vae=vae)
                def register(self, **kwargs):
                    self.registered = True
                    for name, module in kwargs.items():
                        setattr(self, name, module)
                def keep(self, **kwargs):
                    for name, module in kwargs.items():
                        self.kept[name] = module
            """
        ).encode()
    )
    assert isinstance(result, ModuleFacts)
    flagged = {d.name for d in result.definitions if d.flags & SETS_KEYWORDS}
    assert flagged == {"register"}
    attributes = [
        (d.name, d.target, d.line, bool(d.flags & SET_BY_CALL))
        for d in result.definitions
        if d.kind == "attribute"
    ]
    assert attributes == [
        ("unet", ":UNet", 3, False),
        ("scheduler", ":Scheduler", 4, True),
        ("registered", "", 7, False),
    ]


def test_what_a_setter_method_of_the_class_sets_from_its_callers() -> None:
    """``self.set_processor(value)`` where the class's ``set_processor`` assigns its
    parameter: the attribute holds the value's type; not past a ``*args`` (its position is
    not known), nor for a parameter the method rebinds first; a keyword-only parameter is
    passed by its name."""
    result = extract(
        dedent(
            """\
            class Attention:
                def __init__(self, procs):
                    self.set_processor(Fast())
                    self.set_pair(*procs, Slow())
                    self.set_wrapped(Fast())
                    self.set_named(named=Slow())
                def set_processor(self, processor):
                    self.processor = processor
                def set_pair(self, first, second):
                    self.second = second
                def set_wrapped(self, value):
                    value = wrap(value)
                    self.wrapped = value
                def set_named(self, *, named):
                    self.named = named
            """
        ).encode()
    )
    assert isinstance(result, ModuleFacts)
    typed = [(d.name, d.target, d.line) for d in result.definitions if d.kind == "attribute" and d.target]
    # set_wrapped's own assignment says what it holds: what wrap returns, not what the call passes
    assert typed == [("processor", "Fast", 3), ("named", "Slow", 6), ("wrapped", "wrap()", 13)]


def test_what_a_dataclass_s_keywords_leave_unmade_and_what_a_field_holds() -> None:
    result = extract(
        "@dataclasses.dataclass(init=False, eq=False)\nclass A(Base):\n"
        "    tally: object = field(default_factory=Tally)\n    names: list = field(default_factory=list)\n"
        "    made: object = field(default_factory=lambda: Made(1))\n"
        "    none: object = field(default=None)\n\n"
        "@dataclass\nclass B:\n    def __init_subclass__(cls):\n        dataclass(cls, repr=False)\n"
    )
    assert isinstance(result, ModuleFacts)
    by_name = {d.qualname: d for d in result.definitions}
    assert by_name["A"].flags == NO_DATACLASS_INIT | NO_DATACLASS_EQ
    assert not dataclass_makes(by_name["A"].flags, "__init__")
    assert dataclass_makes(by_name["A"].flags, "__repr__")
    assert by_name["B"].flags == 0  # a bare @dataclass makes every one
    fields = {name: by_name[f"A.{name}"].target for name in ("tally", "names", "made", "none")}
    assert fields == {"tally": "Tally", "names": "", "made": "Made", "none": ""}
    (applied,) = [d for d in result.definitions if d.kind == "applies"]
    assert (applied.target, applied.flags) == ("dataclass", NO_DATACLASS_REPR)
    assert not any(d.flags for d in result.definitions if d.parent == "A")  # the class's alone


def test_a_member_set_at_module_level_on_a_class_of_an_imported_module() -> None:
    result = extract(
        "import logging\nfrom . import helpers\n\ndef warning_once(self):\n    pass\n\n"
        "logging.Logger.warning_once = warning_once\nhelpers.Local.x = warning_once\n"
        "unknown.Thing.y = warning_once\nlogging.z = warning_once\n"
    )
    assert isinstance(result, ModuleFacts)
    (patched,) = [d for d in result.definitions if d.kind == "rebind"]
    assert (patched.qualname, patched.name, patched.target) == (
        "logging.Logger.warning_once",
        "warning_once",
        "warning_once",
    )
    assert (patched.flags, patched.line) == (SETS_OUTSIDE, 7)


def test_functions_and_classes_defined_in_a_function_are_kept_as_python_names_them() -> None:
    source = dedent(
        """\
        class Dataset:
            def map(self):
                def apply(batch):
                    def deeper():
                        return batch

                    return deeper

                if self:

                    @staticmethod
                    def guarded():
                        pass

                class Local(Base):
                    def method(self):
                        def inside():
                            pass

                return apply, Local
        """
    )
    result = extract(source.encode())
    assert isinstance(result, ModuleFacts)
    found = {d.qualname: (d.kind, d.parent, d.line, d.start_line) for d in result.definitions}
    assert found["Dataset.map.<locals>.apply"] == ("function", "", 3, 3)
    assert found["Dataset.map.<locals>.apply.<locals>.deeper"] == ("function", "", 4, 4)
    assert found["Dataset.map.<locals>.guarded"] == ("function", "", 12, 11)  # under an if, decorated
    assert found["Dataset.map.<locals>.Local"] == ("class", "", 15, 15)
    assert found["Dataset.map.<locals>.Local.method"] == ("method", "Dataset.map.<locals>.Local", 16, 16)
    assert found["Dataset.map.<locals>.Local.method.<locals>.inside"] == ("function", "", 17, 17)
