"""How conditional each call site is (``codewalk.calls.branches``), and how ``path``
uses it: of routes as costly, the one through fewer calls in branches first, each such
call said (tests/fixtures/callrepo's ``callpkg.branching``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.calls.extract import call_facts
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callrepo_workspace
from tests.test_cli_calls import repo, run  # noqa: F401 (the CLI's fixture)

B = "callpkg.branching."

BODY = """\
    def f(self, x):
        a()
        if b(x):
            c()
        elif d():
            e()
        else:
            g()
        try:
            h()
        except E:
            i()
        finally:
            j()
        for y in k():
            m(y)
        with n():
            o()
        match x:
            case 1:
                p()
        if not x:
            raise q()
        r()
        s() if t() else u()
"""


def test_each_call_says_the_innermost_branch_it_is_in_and_the_line_making_it_one() -> None:
    """The test of an ``if``, a ``try:`` body, its ``finally:``, a loop's iterable and a
    ``with`` are the main line, and so is the rest of a body after a guard's ``raise``
    (the parts of a conditional expression are where their statement is)."""
    facts = call_facts(BODY, 10, method=True)
    got = {s.name.expr: (s.branch, s.branch_line) for s in facts.sites if s.kind == "call"}
    assert got == {
        "a": ("", 0), "b": ("", 0), "c": ("if", 12), "d": ("else", 12), "e": ("if", 14),
        "g": ("else", 14), "h": ("", 0), "i": ("except", 20), "j": ("", 0), "k": ("", 0),
        "m": ("loop", 24), "n": ("", 0), "o": ("", 0), "p": ("case", 29),
        "q": ("if", 31), "r": ("", 0), "s": ("", 0), "t": ("", 0), "u": ("", 0),
    }  # fmt: skip


def test_the_branch_is_kept_with_the_facts() -> None:
    from codewalk.calls.records import from_json, to_json

    facts = call_facts(BODY, 10, method=True)
    assert from_json(to_json(facts)) == facts


GUARDED = """\
    def f(self, trial: "Trial | None", x, y=None, *, z: Optional[int] = 3):
        self._trial = trial
        if self.backend is None or trial is None:
            return
        a()
        if b():
            c()
"""

UNGUARDED = """\
    def g(self, x, y=None):
        if x is None:
            return
        d()
        if y is not None:
            return
        e()
"""


def test_the_rest_of_a_body_after_a_guard_on_an_optional_parameter_is_a_branch() -> None:
    """``if trial is None: return`` (among an ``or``'s tests too), ``trial`` a parameter
    defaulting to ``None`` or annotated to be ``None``: the rest runs only when a caller
    passes it. A guard on a parameter every call passes, or on anything else, is a
    precondition: the rest is the main line."""
    facts = call_facts(GUARDED, 10, method=True)
    got = {s.name.expr: (s.branch, s.branch_line) for s in facts.sites if s.kind == "call"}
    assert got == {"a": ("guard", 12), "b": ("guard", 12), "c": ("if", 15)}
    facts = call_facts(UNGUARDED, 10, method=True)
    got = {s.name.expr: (s.branch, s.branch_line) for s in facts.sites if s.kind == "call"}
    assert got == {"d": ("", 0), "e": ("", 0)}


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_of_routes_as_costly_the_one_through_main_line_calls_is_listed_first(ws: Workspace) -> None:
    """``closing`` calls ``audited`` first, which calls ``reconcile`` under an ``if``;
    ``totalled``, called after it, calls ``reconcile`` on its main line: listed first."""
    chains = ws.path(B + "closing", B + "reconcile").search.chains
    routes = [[h.caller.target.qualname.removeprefix(B) for h in chain] for chain in chains]
    assert routes == [["closing", "totalled"], ["closing", "audited"]]
    assert chains[1][1].callee.site.branch == "if" and chains[1][1].callee.site.branch_line == 11


def test_a_call_a_route_makes_at_several_lines_is_on_the_main_line_if_one_of_them_is(ws: Workspace) -> None:
    """``twice`` calls ``reconcile`` under an ``if``, then on its main line: listed before
    ``audited``, met first, which calls it under an ``if`` only."""
    chains = ws.path(B + "closing_twice", B + "reconcile").search.chains
    routes = [[(h.caller.target.qualname.removeprefix(B), h.lines) for h in chain] for chain in chains]
    assert routes == [
        [("closing_twice", (33,)), ("twice", (27, 28))],
        [("closing_twice", (32,)), ("audited", (12,))],
    ]


def test_a_route_through_the_rest_of_a_guard_on_an_optional_parameter_comes_after_the_main_line(
    ws: Workspace,
) -> None:
    """``searching`` calls ``tuned(trial)`` first, which returns at once when ``trial`` is
    ``None`` (its default), then ``totalled``, which calls ``reconcile`` on its main line:
    listed first; ``tuned``'s call is said to come after the early return."""
    chains = ws.path(B + "searching", B + "reconcile").search.chains
    routes = [[h.caller.target.qualname.removeprefix(B) for h in chain] for chain in chains]
    assert routes == [["searching", "totalled"], ["searching", "tuned"]]
    assert chains[1][1].callee.site.branch == "guard" and chains[1][1].callee.site.branch_line == 37


def test_path_says_a_call_in_a_branch_in_text_and_json(
    repo: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "path", B + "closing", B + "reconcile")
    assert code == 0
    lines = out.splitlines()
    at = lines.index("        12  return reconcile(x)")
    assert lines[at + 1] == "            branch: under the if at line 11"
    assert sum("branch:" in line for line in lines) == 1  # the main line's calls say nothing
    code, out, _ = run(capsys, "path", B + "closing", B + "reconcile", "--json")
    first, second = json.loads(out)["chains"]
    assert [hop["branch"] for hop in first] == [None, None]
    assert [hop["branch"] for hop in second] == [None, {"kind": "if", "line": 11}]


NESTED = """\
    def f(self, xs):
        for x in xs:
            def inner():
                a()
                if x:
                    b()
            inner()
        if xs:
            class Local:
                c()
"""


def test_a_function_defined_in_a_branch_has_its_own_main_line() -> None:
    """The body of a ``def`` under a loop runs when it is called, not because the run went
    that way: its calls are on its own main line, or in its own branches; the call of it
    is in the loop. A class body runs where its statement is: in the ``if``."""
    facts = call_facts(NESTED, 10, method=True)
    got = {s.name.expr: (s.branch, s.branch_line) for s in facts.sites if s.kind == "call"}
    assert got == {"a": ("", 0), "b": ("if", 14), "inner": ("loop", 11), "c": ("if", 17)}
