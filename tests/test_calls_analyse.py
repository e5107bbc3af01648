"""The call analysis on inline sources: how each name is bound, positions in the file,
what locals and return values hold, and the facts' round trip through JSON. Every
source is analysed twice: with the ``ast`` pass's bindings, and with libcst's for every
name (as for a body whose bindings are in doubt); the two must agree."""

from __future__ import annotations

import ast
import textwrap

import pytest

from codewalk.calls import extract
from codewalk.calls.extract import call_facts
from codewalk.calls.records import CallFacts, Name, Site, from_json, to_json
from codewalk.calls.scopes import Binding, Scopes


class _AllInDoubt(Scopes):
    """Every name in doubt: libcst binds them all."""

    def __init__(self, tree: ast.Module, *, method: bool) -> None:
        super().__init__(tree, method=method)
        self.doubtful = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} or {"-"}

    def bind(self, node: ast.Name) -> Binding | None:
        return None


def analyse(text: str, first_line: int, *, method: bool) -> CallFacts:
    """The facts of ``text`` by the ast pass, checked against libcst's bindings."""
    found = call_facts(text, first_line, method=method)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(extract, "Scopes", _AllInDoubt)
        by_libcst = call_facts(text, first_line, method=method)
    assert found == by_libcst
    return found


def facts(source: str, first_line: int = 1, *, method: bool = False) -> CallFacts:
    return analyse(textwrap.dedent(source), first_line, method=method)


def calls(result: CallFacts) -> list[tuple[str, str, str]]:
    return [(s.name.expr, s.name.root, s.name.qualified) for s in result.sites if s.kind == "call"]


def site(result: CallFacts, expr: str) -> Site:
    return next(s for s in result.sites if s.name.expr == expr)


def test_each_binding_of_a_called_name() -> None:
    result = facts(
        """\
        def f(self, model, x):
            from ..utils import helper as h
            import torch.nn as nn
            y = len(x)
            h(y)
            nn.functional.relu(x)
            self.accelerator.backward(x)
            model(x)
            GLOBAL(x)
            loss_fct = CrossEntropyLoss()
            loss_fct(x)
            super().__init__(x)
        """,
        method=True,
    )
    assert calls(result) == [
        ("len", "builtin", "len"),
        ("h", "import", "..utils.helper"),
        ("nn.functional.relu", "import", "torch.nn.functional.relu"),
        ("self.accelerator.backward", "self", ""),
        ("model", "param", ""),
        ("GLOBAL", "global", ""),
        ("CrossEntropyLoss", "global", ""),
        ("loss_fct", "local", ""),
        ("super().__init__", "super", ""),
    ]
    assert [o.name.expr for o in result.locals["loss_fct"]] == ["CrossEntropyLoss"]


def test_a_function_is_not_a_method_and_a_staticmethod_has_no_self() -> None:
    plain = facts("def f(self):\n    self.x()\n", method=False)
    assert calls(plain) == [("self.x", "param", "")]
    static = facts("@staticmethod\ndef f(a):\n    a.run()\n", method=True)
    assert calls(static) == [("a.run", "param", "")]


def test_scopes_shadowing_comprehensions_lambdas_global_and_nonlocal() -> None:
    result = facts(
        """\
        def f(items):
            global counter
            counter = make()
            counter()
            fixed_loss = abs
            fixed_loss(1)
            [k(1) for k in items]
            run = lambda g: g(1)
            def inner():
                nonlocal run
                run()
            other_loss(1)
        """
    )
    roots = {(expr, root) for expr, root, _ in calls(result)}
    assert ("counter", "global") in roots  # `global counter`: the module's name
    assert ("fixed_loss", "local") in roots  # shadowed: a local, not the module's fixed_loss
    assert ("k", "local") in roots  # a comprehension's own variable
    assert ("g", "param") in roots  # a lambda's parameter
    assert ("run", "local") in roots  # nonlocal: the enclosing function's local
    assert ("other_loss", "global") in roots


def test_positions_are_in_the_file_after_dedenting_the_method() -> None:
    source = """\
    class C:
        def step(self, x):
            return self.layer.forward(x)
    """
    lines = textwrap.dedent(source).splitlines(keepends=True)
    method = "".join(lines[1:])  # the method's own span, still indented as in the file
    result = analyse(method, 2, method=True)
    forward = site(result, "self.layer.forward")
    assert (forward.line, forward.col, forward.end_col) == (3, 26, 33)
    assert lines[2][forward.col : forward.end_col] == "forward"
    assert forward.text == "return self.layer.forward(x)"


def test_a_line_indented_less_than_the_def_keeps_its_columns() -> None:
    method = '    def f(self):\n        x = """\nflush left\n"""\n        return g(x)\n'
    result = analyse(method, 10, method=True)
    call = site(result, "g")
    assert (call.line, call.col) == (14, 15)


def test_decorators_refs_and_getattr_forms() -> None:
    result = facts(
        """\
        @torch.no_grad()
        @auto_docstring
        def f(self, mode):
            getattr(self, "prepare")(1)
            decoding = getattr(type(self), MODES[mode])
            loop = retry(self._inner_loop, 8)
            return helper
        """,
        method=True,
    )
    kinds = [(s.kind, s.name.expr) for s in result.sites if s.name.root != "builtin"]
    assert ("decorator", "torch.no_grad") in kinds and ("decorator", "auto_docstring") in kinds
    assert ("call", "torch.no_grad") not in kinds  # the decorator's call is the decorator
    assert ("call", "self.prepare") in kinds  # getattr(self, "prepare") is self.prepare
    assert ("ref", "self._inner_loop") in kinds and ("ref", "helper") in kinds
    (decoding,) = result.locals["decoding"]
    owner = (Name("self.__class__", "self"),)  # type(self): the class of the instance
    assert (decoding.kind, decoding.name.expr, decoding.args) == ("getattr", "MODES", owner)
    (loop,) = result.locals["loop"]
    assert (loop.kind, loop.name.expr, [a.expr for a in loop.args]) == ("call", "retry", ["self._inner_loop"])
    assert [(o.kind, o.name.expr) for o in result.returns] == [("name", "helper")]


def test_a_function_a_builtin_only_inspects_is_passed_nowhere() -> None:
    """``callable(self.optimizer.train)`` looks at the method, never calls it: no site;
    passed to a function of the code's own (or as getattr's default) it may be called."""
    result = facts(
        """\
        def f(self, model):
            if callable(self.optimizer.train) and not isinstance(model, self.Wrapper):
                run(self.optimizer.train)
            return getattr(model, "step", self.step)
        """,
        method=True,
    )
    refs = [(s.line, s.name.expr) for s in result.sites if s.kind == "ref"]
    assert refs == [(3, "self.optimizer.train"), (4, "self.step")]


def test_table_keys_the_code_names_are_kept() -> None:
    result = facts(
        """\
        def loss_function(self):
            loss_type = getattr(self, "loss_type", None)
            if loss_type is None:
                loss_type = "ForCausalLM"
            return LOSSES[loss_type]
        """,
        method=True,
    )
    (returned,) = result.returns
    assert (returned.kind, returned.name.expr, returned.keys) == ("item", "LOSSES", ("ForCausalLM",))
    result = facts("def f(key):\n    fn = TABLE.get(key, default_fn)\n    return fn(1)\n")
    (fn,) = result.locals["fn"]
    assert (fn.kind, fn.name.expr, fn.args) == ("item", "TABLE", (Name("default_fn", "global"),))


def test_calls_on_values_are_named_by_their_method() -> None:
    result = facts("def f(x):\n    return g(x).detach().to(x)\n")
    assert [expr for expr, _, _ in calls(result)] == ["g", "g().detach", "g().detach().to"]  # reading order


def test_a_body_that_does_not_parse_says_so() -> None:
    result = facts("def f(:\n    pass\n", 40)
    assert result.sites == ()
    assert result.error == "does not parse (line 40): invalid syntax"
    assert analyse("", 1, method=False).error == "empty body"


def test_facts_survive_json() -> None:
    result = facts(
        """\
        def f(self, mode):
            decoding = getattr(type(self), MODES[mode])
            return decoding(self, LOSSES["x"])
        """,
        method=True,
    )
    assert from_json(to_json(result)) == result


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources libcst is asked to bind, from now on."""
    from codewalk.calls import analyse as libcst_analysis

    sources: list[str] = []
    real = libcst_analysis.bindings

    def bindings(source: str, *, method: bool) -> dict[tuple[int, int], tuple[str, str]]:
        sources.append(source)
        return real(source, method=method)

    monkeypatch.setattr(libcst_analysis, "bindings", bindings)
    return sources


def test_libcst_binds_only_the_bodies_whose_bindings_are_in_doubt(asked: list[str]) -> None:
    plain = call_facts("def f(x):\n    y = g(x)\n    return [h(i) for i in y]\n", 1, method=False)
    assert asked == [] and [s.name.root for s in plain.sites if s.kind == "call"] == ["global", "global"]
    bound_here = (
        "[(g := i) for i in x]",
        "match x:\n        case [g]:\n            pass",
        "g = 1\n    del g",
    )
    for bound in bound_here:
        result = call_facts(f"def f(x):\n    {bound}\n    return g(x)\n", 1, method=False)
        assert asked == [] and [s.name.root for s in result.sites] == ["local"]  # f's own, as Python binds it
    declared = {  # as Python binds them: the module's name, the enclosing function's
        "def f(x):\n    global g\n    g = make()\n    return g(x)\n": "global",
        "def f(x):\n    g = 1\n    def inner():\n        nonlocal g\n        g = 2\n"
        "        return g(x)\n": "local",
    }
    for source, root in declared.items():
        result = call_facts(source, 1, method=False)
        assert asked == [] and [s.name.root for s in result.sites if s.name.expr == "g"] == [root]
    in_doubt = {
        "a class body": "def f(x):\n    class C:\n        g = 1\n    return g(x)\n",
        "global in a class body": "def f(x):\n    class C:\n        global g\n        g = 1\n"
        "    return g(x)\n",
        "del": "def f(x):\n    del g\n    return g(x)\n",  # deleted, bound nowhere: libcst says
    }
    for why, source in in_doubt.items():
        asked.clear()
        result = call_facts(source, 1, method=False)
        assert len(asked) == 1, why
        (call,) = [s for s in result.sites if s.name.expr == "g"]
        assert call.name.root == "global", why


def test_a_class_defined_in_a_body_is_bound_there_without_libcst(asked: list[str]) -> None:
    """A class statement binds its name in the function around it, as any assignment:
    only the names its body binds are in doubt (``core_model_loading``'s ``convert``
    makes a ``DummyModule`` and calls it, and had libcst imported for that alone)."""
    source = """\
        def f(self, x):
            class Dummy(nn.Module):
                def __init__(self):
                    super().__init__()

                def forward(self, y):
                    return Dummy.helper(y)
            module = Dummy()
            return module(x)
        """
    result = facts(source, method=True)  # and libcst binds every name alike
    asked.clear()
    assert call_facts(textwrap.dedent(source), 1, method=True) == result and asked == []
    assert ("Dummy", "local", "") in calls(result) and ("Dummy.helper", "local", "") in calls(result)


def test_a_name_looped_over_lists_of_strings_holds_one_and_getattr_of_it_is_each_attribute() -> None:
    """``names`` assigned two lists of strings, ``name`` looped over it: ``name`` holds
    one of their strings, and ``getattr(self, name)`` returned is each attribute; a list
    with anything but strings in it, or a getattr with a default, says nothing of them."""
    text = textwrap.dedent(
        """\
        def get(self, audio):
            if audio:
                names = ["audio"]
            else:
                names = ("text", "encoder")
            for name in names:
                return getattr(self, name)
            for other in ["a", b]:
                return getattr(self, other)
            for last in ["x"]:
                return getattr(self, last, None)
        """
    )
    facts = call_facts(text, 1, method=True)
    assert [o.name.expr for o in facts.locals["name"]] == ["audio", "text", "encoder"]
    assert [(o.kind, o.name.expr) for o in facts.returns[:3]] == [
        ("name", "self.audio"),
        ("name", "self.text"),
        ("name", "self.encoder"),
    ]
    assert all(
        o.kind != "name" or o.name.expr in ("self.audio", "self.text", "self.encoder") for o in facts.returns
    )


def test_a_nested_function_keeps_its_names_apart_and_reads_the_body_s_free_ones() -> None:
    """``w`` assigned in ``inner`` and in the body (datasets' ``_map_single``, whose
    ``init_buffer_and_writer`` makes its own ``writer``) are two names, as Python keeps
    them; ``reader`` reads the body's ``seen``, which it does not assign."""
    text = textwrap.dedent(
        """\
        def outer(kind):
            def inner():
                w = Writer()
                return w

            w = make(kind)
            w.write()
            seen = inner

            def reader():
                return seen()

            class Local:
                w = Other()

                def method(self):
                    return w
        """
    )
    facts = call_facts(text, 1, method=False)
    assert [(o.kind, o.name.expr) for o in facts.bound("w")] == [("call", "make")]
    assert [(o.kind, o.name.expr) for o in facts.bound("w", "inner.<locals>.")] == [("call", "Writer")]
    assert [(o.kind, o.name.expr) for o in facts.bound("seen", "reader.<locals>.")] == [("name", "inner")]
    # a method of a class the body defines skips the class's names, as Python does
    assert [(o.kind, o.name.expr) for o in facts.bound("w", "Local.method.<locals>.")] == [("call", "make")]
    assert [o.name.qualified for o in facts.locals["inner"]] == ["inner"]  # a def is bound where it is
    assert facts.bound("Writer") == ()
    # a nested function's returns are its own: the body's, none
    assert [(o.kind, o.name.expr) for o in facts.returned("inner.<locals>.")] == [("name", "w")]
    assert facts.returned() == ()
    assert from_json(to_json(facts)) == facts
