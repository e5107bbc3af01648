"""A caller's calls of one function from lines one after another fold into one row of a
trace's tree (``__setattr__`` run once per assigning line, a table built of constructor
calls), as a profiler's tree folds them, and the rows keep the order calls first ran: on
synthetic recorded runs, the plain tree, its ``--step K`` and the steps of the trace read as
a tour."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from codewalk.render.trace_tree import render_tree
from codewalk.tours.traced import trace_tour
from codewalk.traces.model import Function, Node, Other, Trace
from codewalk.traces.rows import Row, first_call, folded, row_calls, row_seconds
from codewalk.traces.tree import Tree
from tests.synthetic_trace import synthetic_trace

TOOK = re.compile(r"[\d.]+ (s|ms|us)$")

# (parent node, call-site line, function, calls); node 0, the program, is added
Calls = Sequence[tuple[int, int, str, int]]


def recorded(
    calls: Calls,
    wrappers: Sequence[tuple[str, str]] = (),
    via: dict[int, int] | None = None,
    seconds: dict[int, float] | None = None,
) -> Trace:
    """A run of the functions ``calls`` names (each defined in ``pkg``), a node per entry
    (numbered from 1, in the order given: the order they first ran); ``via``: node -> the
    frame of other code it was called through; ``seconds``: node -> its time (else a
    millisecond a call)."""
    names = list(dict.fromkeys(name for _, _, name, _ in calls))
    functions = tuple(
        Function("pkg", "pkg/__init__.py", "pkg", name, 100 + n) for n, name in enumerate(names)
    )
    nodes = [Node(-1, 0, -1, -1, 0, 0.0)]
    for number, (parent, line, name, count) in enumerate(calls, start=1):
        other = (via or {}).get(number, -1)
        took = (seconds or {}).get(number, count / 1000)
        nodes.append(Node(parent, line, names.index(name), other, count, took))
    return synthetic_trace(
        functions,
        nodes,
        others=(Other("/lib/other.py", "hand_over", 1),),
        wrappers=tuple((names.index(w), names.index(f)) for w, f in wrappers),
    )


def rows_of(trace: Trace) -> list[Row]:
    return folded(trace, Tree(trace))


def plain(trace: Trace) -> list[str]:
    """The plain tree's rows, without their step numbers and times."""
    lines = render_tree(trace, rows_of(trace)).splitlines()[3:]
    parts = [line.strip().split("  ")[1:] for line in lines]
    return [" ".join(part for part in row if part and not TOOK.match(part)) for row in parts]


def covered_once(trace: Trace) -> bool:
    """Every call recorded is in exactly one row (counts stay true)."""
    members = [shown.node for row in rows_of(trace) for shown in row.members]
    return sorted(members) == list(range(1, len(trace.nodes)))


# an __init__ setting five attributes through __setattr__, then a call of another function
SETTING = [
    (0, 1, "Config.__init__", 1),
    (1, 10, "Config.__setattr__", 1),
    (1, 11, "Config.__setattr__", 1),
    (1, 13, "Config.__setattr__", 1),
    (1, 14, "Config.__setattr__", 1),
    (1, 20, "Config.__setattr__", 1),
    (1, 21, "check", 1),
]


def test_calls_of_one_function_from_lines_one_after_another_are_one_row() -> None:
    trace = recorded(SETTING)
    assert plain(trace) == [
        "Config.__init__ [pkg] x1 (line 1)",
        "Config.__setattr__ x5 (lines 10-20, 5 lines)",  # too many lines to list: their span
        "check x1 (line 21)",
    ]
    assert covered_once(trace)


# a table built of constructor calls, one a line: what each call ran merges, as the
# recording merges what a loop's calls at one line ran
TABLE = [
    (0, 1, "table", 1),
    (1, 5, "Transform.__init__", 1),
    (2, 10, "Transform.__setattr__", 1),
    (2, 11, "Transform.__setattr__", 1),
    (1, 6, "Transform.__init__", 1),
    (5, 10, "Transform.__setattr__", 1),
    (5, 11, "Transform.__setattr__", 1),
    (1, 7, "Transform.__init__", 2),
    (8, 10, "Transform.__setattr__", 2),
    (8, 11, "Transform.__setattr__", 2),
]


def test_what_folded_calls_ran_merges_into_one_row_a_function() -> None:
    trace = recorded(TABLE)
    assert plain(trace) == [
        "table [pkg] x1 (line 1)",
        "Transform.__init__ x4 (lines 5, 6, 7)",
        "Transform.__setattr__ x8 (lines 10, 11)",
    ]
    assert covered_once(trace)


def test_a_folded_rows_step_says_each_line_in_the_plain_tree_and_in_its_note() -> None:
    """``--step K`` names the same row in the plain tree and in the tour (whose step's
    title and note count every call folded into it); each says the calls of each line."""
    trace = recorded(TABLE)
    rows = rows_of(trace)
    step = render_tree(trace, rows, 2).splitlines()
    assert step[0].startswith("2    Transform.__init__  x4 ") and step[0].endswith("(lines 5, 6, 7)")
    assert step[1] == "   calls by line: 5 x1 1.0 ms, 6 x1 1.0 ms, 7 x2 2.0 ms"  # and their time
    assert render_tree(trace, rows, 1).count("\n") == 1  # a row of one line: its line alone
    traced = trace_tour(trace, Tree(trace))
    assert traced.rows == tuple(rows)
    assert [step.title for step in traced.tour.steps] == [
        "table x1",
        "Transform.__init__ x4",
        "Transform.__setattr__ x8",
    ]
    note = traced.tour.steps[2].note
    assert "ran **8** times here" in note and "(lines 10, 11)" in note
    assert "The calls folded here, by line: 10 x4 4.0 ms, 11 x4 4.0 ms." in note
    setting = recorded(SETTING)  # past a few lines, their calls alone
    assert render_tree(setting, rows_of(setting), 2).endswith(
        "calls by line: x1 at each of 10, 11, 13, 14, 20\n"
    )


# f called at lines 10 and 12 with g between, each of its calls running another function
APART = [
    (0, 1, "run", 1),
    (1, 10, "f", 1),
    (2, 20, "h", 1),
    (1, 11, "g", 1),
    (1, 12, "f", 3),
    (5, 21, "k", 3),
]


def test_calls_of_one_function_with_another_between_stay_in_the_order_they_ran() -> None:
    """A decoder layer's norm, attention, then second norm: three rows, not the two norms
    folded before the attention."""
    trace = recorded(APART)
    assert plain(trace) == [
        "run [pkg] x1 (line 1)",
        "f from line 10 x1",  # two rows of f under one: each says its line beside its name
        "h x1 (line 20)",
        "g x1 (line 11)",
        "f from line 12 x3",
        "k x3 (line 21)",
    ]
    assert [row.depth for row in rows_of(trace)] == [0, 1, 2, 1, 1, 2]
    assert covered_once(trace)


# a layer called from two lines in a row, each call running norm, attention, norm: the
# calls of the two at one line merge, and the order within the layer stays
LAYERS = [
    (0, 1, "model", 1),
    (1, 10, "layer", 1),
    (2, 30, "norm", 1),
    (2, 31, "attention", 1),
    (2, 32, "norm", 1),
    (1, 11, "layer", 1),
    (6, 30, "norm", 1),
    (6, 31, "attention", 1),
    (6, 32, "norm", 1),
]


def test_what_folded_calls_ran_merges_line_by_line_in_the_order_it_ran() -> None:
    trace = recorded(LAYERS)
    assert plain(trace) == [
        "model [pkg] x1 (line 1)",
        "layer x2 (lines 10, 11)",
        "norm from line 30 x2",
        "attention x2 (line 31)",
        "norm from line 32 x2",
    ]
    assert covered_once(trace)


# the program calls generate, then a helper of its own that calls size, three times: the
# helper's line is each size's, yet the recording keeps a node per statement of the program
STATEMENTS = [
    (0, 19, "generate", 1),
    (1, 30, "forward", 4),
    (0, 16, "size", 1),
    (0, 21, "generate", 1),
    (4, 30, "forward", 6),
    (0, 16, "size", 1),
    (0, 23, "generate", 1),
    (0, 16, "size", 1),
]


def test_the_programs_calls_keep_each_statements_place() -> None:
    """Each statement's calls are rows of their own, in the order they ran: the calls of
    the helper are not one row before the second ``generate``, nor the last two
    ``generate`` one row. The helper's calls, all from its one line, say it once each,
    at their end (their calling lines tell them from none of the others)."""
    trace = recorded(STATEMENTS, via={3: 0, 6: 0, 8: 0})
    assert plain(trace) == [
        "generate from line 19 [pkg] x1",
        "forward x4 (line 30)",
        "size [pkg] x1 (from other.py:16 hand_over)",
        "generate from line 21 [pkg] x1",
        "forward x6 (line 30)",
        "size [pkg] x1 (from other.py:16 hand_over)",
        "generate from line 23 [pkg] x1",
        "size [pkg] x1 (from other.py:16 hand_over)",
    ]
    assert covered_once(trace)


# the program calls generate three times, one statement after another (greedy, beam,
# assisted: each ran another decoding loop)
MODES = [
    (0, 50, "generate", 1),
    (1, 30, "_sample", 1),
    (0, 55, "generate", 1),
    (3, 31, "_beam_search", 1),
    (0, 59, "generate", 1),
    (5, 32, "_assisted_decoding", 1),
    (0, 60, "generate", 2),
    (7, 30, "_sample", 2),
]


def test_the_programs_statements_one_after_another_are_a_row_each() -> None:
    """Calls of one function by the program's statements one after another are not folded
    as a function's calls from its lines are: each statement is its own row, with what it
    ran under it (a loop's calls, one node, stay one row)."""
    trace = recorded(MODES)
    assert plain(trace) == [
        "generate from line 50 [pkg] x1",
        "_sample x1 (line 30)",
        "generate from line 55 [pkg] x1",
        "_beam_search x1 (line 31)",
        "generate from line 59 [pkg] x1",
        "_assisted_decoding x1 (line 32)",
        "generate from line 60 [pkg] x2",
        "_sample x2 (line 30)",
    ]
    assert covered_once(trace)


# one wrapper's calls from two lines, of two functions; f called directly, and through
# code outside the packages
READ_APART = [
    (0, 1, "run", 1),
    (1, 10, "logged.<locals>.wrapper", 1),
    (2, 3, "f", 1),
    (1, 11, "logged.<locals>.wrapper", 1),
    (4, 3, "g", 1),
    (1, 12, "f", 1),
    (1, 13, "f", 1),
]


def test_calls_read_otherwise_stay_apart() -> None:
    """A call through a wrapper, or through code outside the packages, says so in its
    row: a call of the function that went otherwise is not folded into it."""
    wrapped = [("logged.<locals>.wrapper", "f"), ("logged.<locals>.wrapper", "g")]
    trace = recorded(READ_APART, wrapped, via={7: 0})  # f at line 13, through other code
    assert plain(trace) == [
        "run [pkg] x1 (line 1)",
        "f from line 10 x1 (line 10, through logged.<locals>.wrapper)",
        "g x1 (line 11, through logged.<locals>.wrapper)",
        "f from line 12 x1",
        "f from line 13 x1 (line 13, through hand_over)",
    ]
    assert [row_calls(trace, row) for row in rows_of(trace)] == [1, 1, 1, 1, 1]


# one line calls first and second through one decorator's wrapper, which checks for both
SHARED = [
    (0, 1, "run", 1),
    (1, 10, "shared.<locals>.wrapper", 2),
    (2, 5, "check", 2),
    (2, 6, "first", 1),
    (2, 6, "second", 1),
]


def test_a_shared_wrappers_row_leaves_out_the_time_of_the_functions_it_wraps() -> None:
    """The wrapper's row beside ``first`` and ``second`` said its whole time, theirs in
    it, and theirs again in their rows: it says what it did besides them, and says so."""
    wrapped = [("shared.<locals>.wrapper", "first"), ("shared.<locals>.wrapper", "second")]
    trace = recorded(SHARED, wrapped, seconds={1: 0.012, 2: 0.010, 3: 0.001, 4: 0.003, 5: 0.004})
    rows = rows_of(trace)
    assert plain(trace) == [
        "run [pkg] x1 (line 1)",
        "shared.<locals>.wrapper x2 3.0 ms besides the functions it wraps (line 10)",
        "check x2 (line 5)",
        "first x1 (line 10, through shared.<locals>.wrapper)",
        "second x1 (line 10, through shared.<locals>.wrapper)",
    ]
    took = [row_seconds(trace, row) for row in rows]
    assert took == pytest.approx([0.012, 0.003, 0.001, 0.003, 0.004])
    # the rows under run add up to no more than its time: nothing is counted twice
    assert sum(t for row, t in zip(rows, took, strict=True) if row.depth == 1) <= took[0]
    note = trace_tour(trace, Tree(trace)).tour.steps[1].note
    assert "3.0 ms besides the functions it wraps" in note and "in all" not in note
    assert "4.0 ms in all" in trace_tour(trace, Tree(trace)).tour.steps[4].note


# a model's forward through a wrapper that checks its inputs first, as
# merge_with_config_defaults' does: the check is read as forward's call
THROUGH_ONE = [
    (0, 1, "run", 1),
    (1, 10, "merge.<locals>.wrapper", 2),
    (2, 5, "check", 2),
    (2, 6, "forward", 2),
    (4, 20, "attention", 2),
]


def test_a_functions_row_holds_the_time_of_the_wrapper_whose_calls_it_shows() -> None:
    """A function read through its wrapper shows the wrapper's other calls under it: its
    row said its own time alone, less than the rows under it (a config's ``__setattr__``
    through two ``@strict`` wrappers: 16 us, its wrappers' validators 203 us); and those
    calls' rows said the wrapper's lines as if they were the function's."""
    trace = recorded(
        THROUGH_ONE,
        [("merge.<locals>.wrapper", "forward")],
        seconds={1: 0.012, 2: 0.010, 3: 0.005, 4: 0.004, 5: 0.003},
    )
    rows = rows_of(trace)
    assert plain(trace) == [
        "run [pkg] x1 (line 1)",
        "forward x2 (line 10, through merge.<locals>.wrapper)",
        "check x2 (line 5 of merge.<locals>.wrapper)",  # the wrapper's line, not forward's
        "attention x2 (line 20)",
    ]
    assert [row_seconds(trace, row) for row in rows] == pytest.approx([0.012, 0.010, 0.005, 0.003])


def test_comprehensions_of_one_function_called_from_several_lines_say_each_line() -> None:
    """diffusers' ``inner_init`` runs a ``<dictcomp>`` at four lines: four functions of one
    name, four rows under it, each saying its line beside its name (in the plain tree, its
    ``--step K`` and the step's title), where a reader would otherwise see four alike;
    a name no row beside it shares says nothing more."""
    comp = "register_to_config.<locals>.inner_init.<locals>.<dictcomp>"
    functions = [
        Function("pkg", "pkg/config.py", "pkg.config", "register_to_config.<locals>.inner_init", 680),
        *(Function("pkg", "pkg/config.py", "pkg.config", comp, line) for line in (697, 698, 709, 717)),
        Function("pkg", "pkg/config.py", "pkg.config", "check", 800),
    ]
    nodes = [Node(-1, 0, -1, -1, 0, 0.0), Node(0, 5, 0, -1, 1, 0.01)]
    nodes += [Node(1, line, n, -1, 1, 0.001) for n, line in enumerate((697, 698, 709, 717), start=1)]
    nodes.append(Node(1, 720, 5, -1, 1, 0.001))
    trace = synthetic_trace(functions, nodes)
    assert plain(trace) == [
        "register_to_config.<locals>.inner_init [pkg] x1 (line 5)",
        *(f"{comp} from line {line} x1" for line in (697, 698, 709, 717)),
        "check x1 (line 720)",
    ]
    rows = rows_of(trace)
    assert render_tree(trace, rows, 4).startswith(f"4    {comp} from line 709  x1  ")
    titles = [step.title for step in trace_tour(trace, Tree(trace)).tour.steps]
    assert titles[1:] == [*(f"{comp} from line {line} x1" for line in (697, 698, 709, 717)), "check x1"]


def test_a_root_the_recorder_saw_called_inside_an_import_is_folded_as_the_imports() -> None:
    """``inspect`` asking a lazy module for its ``__file__`` while torch is imported: the
    call comes from other code (no import machinery's frame called it), yet the recorder
    saw an import running above it. It is an import's row, folded, before the program's
    first call; a trace that does not say so reads it as the program's call."""
    calls = [(0, 992, "_LazyUtilsModule.__getattribute__", 1), (0, 3, "generate", 1), (2, 40, "forward", 1)]
    said = recorded(calls, via={1: 0})._replace(imported=frozenset({1}))
    rows = rows_of(said)
    assert [(row.on_import, row.hidden) for row in rows] == [(True, 0), (False, 0), (False, 0)]
    assert first_call(rows) == 1
    rows = rows_of(recorded(calls, via={1: 0}))
    assert [row.on_import for row in rows] == [False, False, False] and first_call(rows) == 0
