"""A local's values as the order of the code lets them reach a call, and the elements of
a container a local, a parameter or an attribute is annotated to hold, on the synthetic
package (tests/fixtures/callrepo/src/callpkg/ordering.py) and on bodies given inline."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.calls.extract import call_facts
from codewalk.calls.model import BUILTIN, UNRESOLVED, Callee
from codewalk.calls.records import from_json, to_json
from codewalk.workspace.workspace import Workspace
from tests.callrepo import callees, callrepo_workspace

ORD = "callpkg.ordering."
ORDERING = "src/callpkg/ordering.py"


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def names(callee: Callee) -> list[str]:
    return [t.qualname.removeprefix(ORD) for t in callee.targets]


def test_the_facts_keep_the_spans_of_loops_and_of_code_run_later() -> None:
    """A use sees the assignments on lines before it, and those a loop holding both runs
    before its next pass; in a lambda or a generator expression (run later), any."""
    text = textwrap.dedent(
        """\
        def f(items, n):
            x = A()
            for _ in items:
                x.m()
                x = C()
            while n:
                n -= 1
            ys = [y.m()
                  for y in items]
            later = lambda: x.m()
            gen = (x.m() for _ in items)
            x = B()
        """
    )
    facts = call_facts(text, 10, method=False)
    assert facts.loops == ((12, 14), (15, 16), (17, 18))
    assert facts.deferred == ((19, 19), (20, 20))
    assert [o.line for o in facts.bound("x", "", 0)] == [11, 14, 21]  # no line: every assignment
    assert [o.line for o in facts.bound("x", "", 13)] == [11, 14]  # x = C(): the loop's next pass
    assert [o.line for o in facts.bound("x", "", 19)] == [11, 14, 21]  # in the lambda: any
    assert [o.line for o in facts.bound("x", "", 20)] == [11, 14, 21]  # in the generator: any
    assert [o.line for o in facts.bound("y", "", 17)] == [18]  # the comprehension binds y first
    assert from_json(to_json(facts)) == facts


def test_an_assignment_after_a_call_is_no_value_the_call_sees(ws: Workspace) -> None:
    """``x = First(); x.run(); x = Second()``: the call runs ``First.run`` only, and
    ``path``, ``callers`` and ``goto`` agree; after ``x = Second()``, either (a branch
    may have skipped it, as far as the order of lines tells)."""
    called = callees(ws, ORD + "reassigned")
    first = called[(24, "x.run")]
    assert names(first) == ["First.run"]
    assert "also" not in first.how and "Second" not in first.targets[0].via
    assert names(called[(26, "x.run")]) == ["First.run", "Second.run"]
    (chain,) = ws.path(ORD + "reassigned", ORD + "Second.run").search.chains
    assert [h.callee.site.line for h in chain] == [26]
    sites = [(c.line, c.caller.qualname if c.caller else "") for c in ws.callers(ORD + "Second.run").callers]
    assert (24, ORD + "reassigned") not in sites and (26, ORD + "reassigned") in sites
    assert [r.qualname for r in ws.goto_all(ORDERING, 24, 6).results] == [ORD + "First.run"]


def test_a_loop_runs_a_later_assignment_before_its_next_pass(ws: Workspace) -> None:
    for query, line in (("looped", 32), ("polled", 39)):
        run = callees(ws, ORD + query)[(line, "x.run")]
        assert names(run) == ["First.run", "Second.run"]
        assert run.targets[1].via.startswith(
            f"x = Second() (line {line + 1}: a loop runs it before line {line})"
        )
    each = callees(ws, ORD + "comprehended")[(63, "each.run")]  # bound on the line after, by its for
    assert names(each) == ["First.run"]


def test_code_that_runs_later_sees_every_assignment(ws: Workspace) -> None:
    """A lambda's body and a nested function run when called: after ``x = Second()``,
    which their steps say (no loop runs it first)."""
    later = callees(ws, ORD + "deferred")[(46, "x.run")]
    assert names(later) == ["First.run", "Second.run"]
    assert later.targets[1].via.startswith("x = Second() (line 47: line 46 runs later than it is written)")
    inner = callees(ws, ORD + "closed.<locals>.inner")[(55, "x.run")]
    assert names(inner) == ["First.run", "Second.run"]
    assert inner.targets[1].via.startswith("x = Second() (line 57: line 55 runs later than it is written)")


def test_each_use_in_a_loop_says_its_own_line(ws: Workspace) -> None:
    """Two uses of one local in a loop, each reached by the assignment after them: each
    step names the use's own line (what a local reaches is kept per use, not shared)."""
    called = callees(ws, ORD + "looped_twice")
    for line in (144, 145):
        run = called[(line, "x.run")]
        assert run.targets[1].via.startswith(f"x = Second() (line 146: a loop runs it before line {line})")


def test_a_loops_else_is_not_in_the_span_it_repeats() -> None:
    """``for``/``while`` ... ``else:``: the ``else`` runs once, after the loop, so an
    assignment there reaches no use in the loop's body."""
    text = textwrap.dedent(
        """\
        def f(items, n):
            for _ in items:
                x.m()
            else:
                x = B()
            while n:
                y.m()
            else:
                y = C()
        """
    )
    facts = call_facts(text, 10, method=False)
    assert facts.loops == ((11, 12), (15, 16))
    assert facts.bound("x", "", 12) == () and facts.bound("y", "", 16) == ()


def test_a_parameter_assigned_after_a_call_is_as_given_there(ws: Workspace) -> None:
    run = callees(ws, ORD + "given_first")[(69, "x.run")]
    assert names(run) == ["First.run"]
    assert run.how == "x is annotated (x: First in given_first)"


def test_a_local_assigned_only_after_its_use_is_said_to_be(ws: Workspace) -> None:
    run = callees(ws, ORD + "unbound")[(75, "x.run")]
    assert (run.status, run.targets) == (UNRESOLVED, ())
    assert run.how == "x: a local assigned only after line 75 (line 76)"


def test_an_element_of_a_local_annotated_with_a_mapping(ws: Workspace) -> None:
    """``param_name_to_load: dict[str, Renaming | Converter] = {}``: what ``setdefault``,
    ``get``, ``pop``, an item and a loop over ``items()`` or ``values()`` give is one of
    them (or of a class deriving from one); its own methods are dict's."""
    called = callees(ws, ORD + "load")
    annotated = (
        f"an element of param_name_to_load: dict[str, Renaming | Converter] (annotated at {ORDERING}:96)"
    )
    add = called[(99, "mapping.add_tensor")]
    assert names(add) == ["Transform.add_tensor"]
    assert add.targets[0].via.startswith(
        f"mapping = param_name_to_load.setdefault(key, Renaming()) (line 98); {annotated}"
    )
    for site in ((101, "mapping.convert"), (103, "mapping.convert"), (105, "got.convert")):
        assert names(called[site]) == ["Renaming.convert", "Converter.convert"]
    item = called[(106, "param_name_to_load[].convert")]
    assert names(item) == ["Renaming.convert", "Converter.convert"]
    assert item.targets[0].via == annotated
    assert names(called[(108, "popped.convert")]) == ["Renaming.convert", "Converter.convert"]
    setdefault = called[(98, "param_name_to_load.setdefault")]
    assert (setdefault.status, setdefault.how) == (
        BUILTIN,
        "dict.setdefault, a Python builtin (param_name_to_load: dict[str, Renaming | Converter], line 96)",
    )


def test_an_element_of_a_local_annotated_with_a_list_or_a_defaultdict(ws: Workspace) -> None:
    called = callees(ws, ORD + "listed")
    looped = called[(114, "converter.convert")]  # Optional[List["Converter"]]
    assert names(looped) == ["Converter.convert"]
    assert looped.targets[0].via.startswith(
        f'for converter in converters: (line 113); an element of converters: Optional[List["Converter"]] '
        f"(annotated at {ORDERING}:112)"
    )
    assert names(called[(116, "binned[].convert")]) == ["Converter.convert"]  # defaultdict[str, Converter]
    assert names(called[(117, "converters[].convert")]) == ["Converter.convert"]


def test_an_element_of_a_parameter_annotated_with_a_mapping(ws: Workspace) -> None:
    called = callees(ws, ORD + "from_parameter")
    for site in (
        (121, "table[].convert"),
        (122, "table.get().convert"),
        (124, "value.convert"),
        (125, "table.setdefault().convert"),
    ):
        assert names(called[site]) == ["Converter.convert"], site
        assert "table is annotated (table: Mapping[str, Converter] in from_parameter)" in called[site].how


def test_an_element_of_an_attribute_annotated_with_a_mapping(ws: Workspace) -> None:
    called = callees(ws, ORD + "Holder.run")
    held = f"self.table holds Converter elements (annotated at {ORDERING}:130)"
    for site in ((133, "self.table[].convert"), (134, "self.table.get().convert"), (138, "found.convert")):
        assert names(called[site]) == ["Converter.convert"], site
        assert held in called[site].targets[0].via


def test_a_local_assigned_a_literal_has_the_builtins_methods(ws: Workspace) -> None:
    """``args = {k: v for ...}``: ``args.update`` is dict's, not any ``update`` of the
    package (transformers' ``generate_arguments.update(kwargs)`` in ``generate`` was a
    value codewalk could not type, and ``path`` went through it to a cache's ``update``)."""
    called = callees(ws, ORD + "literals")
    update = called[(156, "args.update")]
    assert (update.status, update.how) == (
        BUILTIN,
        "args = {key: value for key, value in kwargs.items()} (line 155): dict.update, a Python builtin",
    )
    assert called[(160, "pair.index")].status == BUILTIN
    assert called[(160, "pair.index")].how.endswith("tuple.index, a Python builtin")
    missing = called[(162, "values.update")]  # a list has none
    assert (missing.status, missing.targets) == (UNRESOLVED, ())
    assert missing.how == "values = [1, 2] (line 161): update of a list"
    chains = ws.path(ORD + "literals", ORD + "Layer.update").search.chains
    assert [hop.callee.site.line for chain in chains for hop in chain] == [162]  # a guess, as the list's


def test_a_local_assigned_a_builtin_containers_call_has_its_methods(ws: Workspace) -> None:
    """``seen = set()``: ``seen.add`` is set's, as for a literal (transformers'
    ``keys_to_pop = set()`` then ``keys_to_pop.update(...)`` was a value codewalk could not
    type, and ``path MistralForCausalLM.generate DynamicSlidingWindowLayer.update`` went
    through it)."""
    called = callees(ws, ORD + "literals")
    add = called[(158, "seen.add")]
    assert (add.status, add.how) == (BUILTIN, "seen = set() (line 157): set.add, a Python builtin")
