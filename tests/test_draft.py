"""The focus a drafted step gets: text whose first match in the function is the call."""

from __future__ import annotations

from codewalk.tours.draft import focus_for
from codewalk.tours.focus import find_match

TEXT = """\
def step(self):
    self.log()
    if ready:
        self.log()
    return 1
"""


def test_a_line_that_occurs_once_is_its_own_focus() -> None:
    assert focus_for(TEXT, (1, 5), 5) == "return 1"


def test_a_repeated_line_is_anchored_on_the_lines_before_it() -> None:
    focus = focus_for(TEXT, (1, 5), 4)  # the second `self.log()`
    assert focus is not None and focus.startswith("/") and focus.endswith("/")
    assert find_match(TEXT, (1, 5), focus) == (3, 4)


def test_no_focus_outside_the_text() -> None:
    assert focus_for(TEXT, (1, 5), 0) is None and focus_for(TEXT, (1, 5), 99) is None


def test_a_repeated_line_s_regex_leaves_its_spaces_as_written() -> None:
    """``re.escape`` would write ``return\\ g\\(x,\\ 1\\)``: the tour's reader reads the
    regex, so only what a regex reads specially is escaped, as the recorder does."""
    text = "def f(x):\n    if x:\n        return g(x, 1)\n    y = 2\n    return g(x, 1)\n"
    focus = focus_for(text, (1, 5), 5)
    assert focus == r"/y = 2\n\s*return g\(x, 1\)/"
    assert find_match(text, (1, 5), focus) == (4, 5)
