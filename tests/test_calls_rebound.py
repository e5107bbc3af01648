"""Where a parameter is assigned again on every way to a read of it
(:mod:`codewalk.calls.rebound`), through the call facts of a body's text."""

from __future__ import annotations

import textwrap

from codewalk.calls.extract import call_facts


def rebound(text: str) -> dict[str, tuple[int, ...]]:
    return dict(call_facts(textwrap.dedent(text), 1, method=False).rebound)


def test_both_arms_of_an_if_or_an_arm_that_returns() -> None:
    assert rebound(
        """\
        def f(model, kind):
            if kind:
                model = A(model)
            else:
                model = B(model)
            model.run()
            if kind > 1:
                kind = 0
            return kind
        """
    ) == {"model": (6,)}
    assert rebound(
        """\
        def f(model, kind):
            if not kind:
                return model.run()
            model = A()
            return model.run()
        """
    ) == {"model": (5,)}


def test_one_arm_a_loop_or_an_except_does_not_assign_on_every_way() -> None:
    assert (
        rebound(
            """\
        def f(model, kind):
            if kind:
                model = A()
            model.run()
            for x in kind:
                model = B()
            model.run()
            try:
                model = C()
            except ValueError:
                pass
            return model.run()
        """
        )
        == {}
    )


def test_a_with_target_and_a_try_whose_handler_raises() -> None:
    assert rebound(
        """\
        def f(model, kind):
            try:
                model = A()
            except ValueError:
                raise
            model.run()
            with open(kind) as kind:
                kind.read()
        """
    ) == {"model": (6,), "kind": (8,)}


def test_a_nested_function_has_its_own_and_a_read_of_the_same_line_keeps_the_given() -> None:
    assert rebound(
        """\
        def f(model):
            def inner(model):
                model = A()
                return model.run()
            model = model.wrap(); model.run()
            return inner
        """
    ) == {"inner.<locals>.model": (4,)}
