"""The call analysis on inline sources: how each name is bound, positions in the file,
what locals and return values hold, and the facts' round trip through JSON."""

from __future__ import annotations

import textwrap

from codewalk.calls.analyse import analyse
from codewalk.calls.records import CallFacts, Name, Site, from_json, to_json


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
    assert (decoding.kind, decoding.name.expr, decoding.args) == ("getattr", "MODES", (Name("self", "self"),))
    (loop,) = result.locals["loop"]
    assert (loop.kind, loop.name.expr, [a.expr for a in loop.args]) == ("call", "retry", ["self._inner_loop"])
    assert [(o.kind, o.name.expr) for o in result.returns] == [("name", "helper")]


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
    assert [expr for expr, _, _ in calls(result)] == ["g", "(…).detach", "(…).to"]  # reading order


def test_a_body_that_does_not_parse_says_so() -> None:
    result = facts("def f(:\n    pass\n", 40)
    assert result.sites == ()
    assert result.error == "does not parse (line 41): expected one of ), *, **, NAME"
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
