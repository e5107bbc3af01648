"""Focus: from a text or /regex/ inside a span to the whole statement around it."""

from __future__ import annotations

import textwrap

from codewalk.tours.focus import branch_bodies, find_match, focus_lines

SOURCE = textwrap.dedent(
    '''
    import torch.nn as nn


    class Model(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.embed = nn.Embedding(10, 4)
            self.layers = nn.ModuleList(
                [Layer(config, i) for i in range(config.n)]
            )
            # the norm comes last
            self.norm = Norm()

        def forward(
            self,
            x,
            mask=None,
        ):
            for layer in self.layers[
                : self.n
            ]:
                x = layer(x)
            if mask is not None: x = x * mask
            return self.norm(x)


    def helper():
        text = """
    self.layers = nn.ModuleList(  (inside a string, at column 0)
    """
        return text
    '''
).lstrip("\n")
# lines: 4 class Model, 5 def __init__, 8-10 self.layers statement, 11 comment,
# 14-18 def forward header, 19-21 for header, 22 body, 23 one-line if, 27 def helper


def test_multi_line_statement_is_lit_whole() -> None:
    assert focus_lines(SOURCE, (5, 12), "self.layers = nn.ModuleList(") == (8, 10)
    assert focus_lines(SOURCE, (5, 12), "range(config.n)") == (8, 10)


def test_regex_focus() -> None:
    assert focus_lines(SOURCE, (5, 12), r"/self\.\w+ = nn\.Embedding/") == (7, 7)


def test_a_regex_from_one_statement_into_the_next_lights_both_whole() -> None:
    """The recorder makes such a focus when a statement's first line occurs twice in
    the symbol (peft's two ``return self.base_model(``): the line before it comes too."""
    assert focus_lines(SOURCE, (5, 12), r"/nn\.Embedding\(10, 4\)\n\s*self\.layers = /") == (7, 10)
    assert focus_lines(SOURCE, (5, 12), r"/ModuleList\(\n(?:.*\n)*?\s*# the norm/") == (8, 11)


def test_compound_statement_lights_only_its_header() -> None:
    assert focus_lines(SOURCE, (14, 24), "for layer in self.layers[") == (19, 21)
    assert focus_lines(SOURCE, (14, 24), "x = layer(x)") == (22, 22)


def test_one_line_compound_statement_is_whole() -> None:
    assert focus_lines(SOURCE, (14, 24), "x = x * mask") == (23, 23)


def test_a_parameter_of_a_def_header() -> None:
    assert focus_lines(SOURCE, (14, 24), "mask=None") == (17, 17)


def test_a_comment_lights_its_own_line() -> None:
    assert focus_lines(SOURCE, (5, 12), "the norm comes last") == (11, 11)


def test_the_span_limits_the_search() -> None:
    assert focus_lines(SOURCE, (14, 24), "nn.ModuleList(") is None
    # the same text inside a string further down is found only when the span includes it
    assert focus_lines(SOURCE, (27, 31), "self.layers = nn.ModuleList(") == (28, 30)


def test_span_that_cannot_stand_alone_falls_back_to_the_whole_file() -> None:
    # helper's string has a line at column 0: its dedented lines don't parse alone
    assert focus_lines(SOURCE, (27, 31), "return text") == (31, 31)


def test_unparsable_code_lights_the_matched_lines() -> None:
    broken = "def f(:\n    x = (\n    1)\n"
    assert focus_lines(broken, (1, 3), "x = (") == (2, 2)


def test_find_match_spanning_lines() -> None:
    assert find_match(SOURCE, (1, 40), r"/ModuleList\(\n\s+\[Layer/") == (8, 9)
    assert find_match(SOURCE, (1, 40), "no such text") is None


TABLE = textwrap.dedent(
    """
    TASKS = {
        "text-classification": {
            "impl": "TextClassificationPipeline",
            "type": "text",
        },
        "text-generation": {
            "impl": "TextGenerationPipeline",
            "type": "text",
        },
        **EXTRA,
    }
    ORDER = [
        "first",
        ("second", 2),
    ]
    """
).lstrip("\n")


def test_an_entry_of_a_long_literal_lights_that_entry() -> None:
    assert focus_lines(TABLE, (1, 16), '"text-generation": {') == (6, 9)
    assert focus_lines(TABLE, (1, 16), '"impl": "TextGenerationPipeline"') == (7, 7)
    assert focus_lines(TABLE, (1, 16), "**EXTRA") == (10, 10)
    assert focus_lines(TABLE, (1, 16), '("second", 2)') == (14, 14)


def test_the_head_of_a_long_literal_lights_the_whole_statement() -> None:
    assert focus_lines(TABLE, (1, 16), "TASKS = {") == (1, 11)
    # a match across two entries belongs to no one entry: the statement
    assert focus_lines(TABLE, (1, 16), '/"type": "text",\n    },\n    "text-generation"/') == (1, 11)


BRANCHES = textwrap.dedent(
    """
    def step(x, items):
        if x > 0:
            x -= 1
        elif x < -10:

            # far below
            x = 0
        while x:
            x -= 1
        for item in items:
            print(item)
            print(x)
        if x: x = 1
        with open("f") as f:
            f.read()
        return x
    """
).lstrip("\n")


def test_a_branch_header_knows_its_body() -> None:
    span = (1, len(BRANCHES.splitlines()))
    regions = [
        focus_lines(BRANCHES, span, text)
        for text in ("if x > 0", "elif", "while", "for item", "if x:", "with", "return")
    ]
    assert regions[1] == (4, 4) and regions[3] == (10, 10)
    bodies = branch_bodies(BRANCHES, span, [r for r in regions if r is not None])
    # the body of each test: one line, two lines after a comment, a loop's; none for
    # a one-line ``if``, a ``with`` (its body always runs) or a simple statement
    assert bodies == ((3, 3), (7, 7), (9, 9), (11, 12), None, None, None)


CLAUSES = textwrap.dedent(
    """
    def f(x):
        if x:
            a = 1
        else:  # LoRA, LoHa, etc.
            # the comment between
            b = 2
        try:
            c = 3
        finally:
            d = 4
        for i in x:
            pass
        else:
            e = 5
    """
).lstrip("\n")


def test_an_else_or_finally_line_is_a_header_whose_body_tells_it_ran() -> None:
    """Python runs nothing on ``else:`` or ``finally:`` (peft's ``disable_adapter``:
    ``else:  # LoRA, LoHa, etc.``): a focus on one ran when its clause's body did."""
    span = (1, len(CLAUSES.splitlines()))
    focuses = ("else:  # LoRA", "finally:", "    else:\n        e")
    regions = [focus_lines(CLAUSES, span, text) for text in focuses]
    assert regions == [(4, 4), (9, 9), (13, 14)]
    assert branch_bodies(CLAUSES, span, [r for r in regions if r is not None] + [(12, 12)]) == (
        (6, 6),
        (10, 10),
        None,  # the keyword and its body: the body's line tells, as it is
        None,  # a line of a loop's body is no header
    )


def test_a_branch_body_in_an_indented_span_is_in_file_lines() -> None:
    source = "class A:\n    def f(self, x):\n        if x:\n            return 1\n        return 2\n"
    assert branch_bodies(source, (2, 5), [(3, 3), (5, 5)]) == ((4, 4), None)
    assert branch_bodies("def broken(:\n", (1, 1), [(1, 1)]) == (None,)


BRANCHES_IN_BLOCKS = textwrap.dedent(
    """
    def f(x, items):
        total = [y for y in items if y]
        try:
            if x:
                x += 1
        except ValueError:
            while x:
                x -= 1
        match x:
            case 1:
                for item in items:
                    total.append(item)
            case _:
                pass
        return total
    """
).lstrip("\n")


def test_a_branch_inside_a_try_an_except_or_a_case_knows_its_body() -> None:
    span = (1, len(BRANCHES_IN_BLOCKS.splitlines()))
    regions = [(4, 4), (7, 7), (11, 11), (2, 2)]
    assert branch_bodies(BRANCHES_IN_BLOCKS, span, regions) == ((5, 5), (8, 8), (12, 12), None)


def test_the_branches_are_looked_for_in_the_statements_around_the_regions_alone() -> None:
    """A focus inside a method of thousands of lines (a class's whole body, as a step on
    ``class PreTrainedModel(`` has it) asks about the statements that hold it, not about
    every node of the span."""
    import ast

    from codewalk.tours.focus import _statements_over

    tree = ast.parse(BRANCHES_IN_BLOCKS)
    walked = _statements_over(tree, [(11, 11)])
    assert [type(node).__name__ for node in walked] == ["Module", "FunctionDef", "Match", "match_case", "For"]
    assert _statements_over(tree, [(7, 7)])[-1].lineno == 7  # the while, in the except clause


class _CountedText(str):
    """A file's text that counts the times it is split into lines with their ends."""

    splits = 0

    def splitlines(self, keepends: bool = False) -> list[str]:
        if keepends:
            _CountedText.splits += 1
        return super().splitlines(keepends)


def test_a_file_is_split_into_lines_once_for_the_focuses_of_its_steps() -> None:
    """The steps of a tour in one big file (``generate``'s in generation/utils.py) each
    find their focus and read its statements in the file's lines: the file is split once,
    not for every focus and span."""
    text = _CountedText(SOURCE + "# split once\n")
    span = (1, len(text.splitlines()))
    assert focus_lines(text, span, "self.layers = nn.ModuleList(") == (8, 10)
    assert focus_lines(text, (13, span[1]), "for layer in self.layers[") == (19, 21)
    assert branch_bodies(text, (13, span[1]), [(19, 21)]) == ((22, 22),)
    assert _CountedText.splits == 1
