"""A tour being recorded: its steps as the author arranges them, and a step made from a
place in the code (the symbol around the cursor, the statement or lines lit).

A :class:`Draft` is a value: every edit (add, move, delete, a note) returns a new one,
so the UI keeps no state but the draft and which step is selected. A step read from
the tour's file keeps ``origin``, its position in the file, so that writing it back
keeps its YAML as it was (:mod:`codewalk.tours.yaml_edit`). Pure: text in, records out.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from codewalk import parsing
from codewalk.errors import FocusTimeout, TourError
from codewalk.tours.draft import focus_for
from codewalk.tours.focus import as_regex, find_match, focus_lines, statement_ranges
from codewalk.tours.model import Lines, Tour, anchor_of
from codewalk.tours.targets import module_of

_KEYS = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a step was recorded: a file of a repository, the symbol's span, the lines
    lit. The UI shows a recorded step there before it is written and resolved."""

    repo: str
    path: str
    line: int
    span: Lines
    regions: tuple[Lines, ...] = ()


_WHERE = ("at", "file", "focus", "repo", "spot")  # what of a DraftStep says where it is


@dataclass(frozen=True, slots=True)
class DraftStep:
    at: str | None
    file: str | None
    focus: tuple[str, ...] = ()
    repo: str | None = None  # set when it is not the tour's
    title: str | None = None
    note: str = ""
    origin: int | None = None  # its 0-based position in the file's text (``Draft.text``)
    tour_step: int | None = None  # the step of the tour read it comes from (where it resolves)
    spot: Spot | None = None
    key: int = field(default_factory=lambda: next(_KEYS))  # tells steps apart in the UI

    @property
    def anchor(self) -> str:
        """What the step points at, as a tour's step says it (``Step.anchor``)."""
        return anchor_of(self.at, self.file)


@dataclass(frozen=True, slots=True)
class Draft:
    """A tour being written: what goes to ``path``. ``text`` is the file as it was read
    ("" for a tour that has no file yet): writing keeps its comments and layout."""

    id: str
    title: str
    repo: str | None
    steps: tuple[DraftStep, ...]
    path: Path
    text: str = ""
    summary: str = ""

    def add(self, step: DraftStep, after: int | None) -> Draft:
        """``step`` inserted after step ``after`` (0-based; None: at the end). The first
        step of a tour with no file yet sets the tour's repository: a tour recorded in
        diffusers is diffusers', its steps free of a ``repo:`` each."""
        if not self.text and not self.steps and step.repo is not None:
            return replace(self, repo=step.repo, steps=(replace(step, repo=None),))
        where = len(self.steps) if after is None else max(0, min(after + 1, len(self.steps)))
        return replace(self, steps=(*self.steps[:where], step, *self.steps[where:]))

    def reanchor(self, index: int, place: DraftStep) -> Draft:
        """Step ``index`` moved to where ``place`` is (its symbol or file, repo, focus),
        keeping what the author wrote of it (title, note) and its place in the file."""
        steps = list(self.steps)
        where = {name: getattr(place, name) for name in _WHERE}
        steps[index] = replace(steps[index], **where, tour_step=None)
        return replace(self, steps=tuple(steps))

    def move(self, index: int, by: int) -> Draft:
        """Step ``index`` moved ``by`` places (-1: up), within the tour."""
        target = index + by
        if not (0 <= index < len(self.steps) and 0 <= target < len(self.steps)):
            return self
        steps = list(self.steps)
        steps[index], steps[target] = steps[target], steps[index]
        return replace(self, steps=tuple(steps))

    def delete(self, index: int) -> Draft:
        return replace(self, steps=self.steps[:index] + self.steps[index + 1 :])

    def edit(self, index: int, *, note: str, title: str | None) -> Draft:
        steps = list(self.steps)
        steps[index] = replace(steps[index], note=note, title=title or None)
        return replace(self, steps=tuple(steps))


def refusal_to_record(tour: Tour) -> TourError | None:
    """Why ``tour`` is not to be recorded in its own file, or None: a tour shipped inside
    the installed codewalk is replaced whole by the next upgrade, and an edit with it."""
    from codewalk.locations import installed_with_codewalk

    if not installed_with_codewalk(tour.path):
        return None
    mine = f"my-{tour.id}.yaml"
    return TourError(
        f"{tour.id} is shipped inside the installed codewalk ({tour.path}): "
        "an edit there is lost when codewalk is upgraded or reinstalled",
        hint=f"record your own copy: cp {tour.path} {mine}, change its 'id:', "
        f"then codewalk tour {mine} --edit",
    )


def draft_of(tour: Tour, text: str, path: Path | None = None) -> Draft:
    """The draft of a tour read from ``text`` (its file's), to be written to ``path``
    (default: where it was read from)."""
    steps = tuple(
        DraftStep(
            at=step.at,
            file=step.file,
            focus=step.focus,
            repo=step.repo,
            title=step.title,
            note=step.note,
            origin=index,
            tour_step=index,
        )
        for index, step in enumerate(tour.steps)
    )
    return Draft(tour.id, tour.title, tour.repo, steps, path or tour.path, text, tour.summary)


def new_draft(tour_id: str, path: Path, repo: str | None) -> Draft:
    """An empty tour, titled by its id until the author writes a title."""
    return Draft(tour_id, tour_id, repo, (), path)


def refusal_to_anchor(repo: str, where: str) -> str | None:
    """Why no step can be anchored at ``where`` in ``repo``, or None when one can: the
    program's own code a trace recorded (a callback of its own) is in no pinned
    repository, and a tour is shared: a step there would resolve for no other reader."""
    from codewalk.traces.model import PROGRAM

    if repo != PROGRAM:
        return None
    return (
        f"no step at {where}: the program's own code is in no pinned repository, so a tour "
        "(which others read at the pins) cannot anchor a step there"
    )


def step_at(
    text: str,
    *,
    repo: str,
    path: str,
    package_root: str,
    first: int,
    last: int | None = None,
    tour_repo: str | None = None,
) -> DraftStep:
    """A step at lines ``first``-``last`` (1-based; ``last`` None: the statement at
    ``first``) of ``path`` in ``repo``, whose text is ``text``: anchored on the symbol
    around it (a class, function or method, by its qualified name; a ``file:`` where
    there is none, or the module has no name), its focus the statement there or the
    lines chosen (none when the place is the symbol's own header, or no text finds it).
    ``repo`` is written only when it is not ``tour_repo``."""
    lines = text.split("\n")
    first = max(1, min(first, len(lines)))
    last = first if last is None else max(first, min(last, len(lines)))
    module = module_of(path, package_root)
    tree = _parsed(text)  # None: not Python (a .rs file), or a file that does not parse
    symbol = _symbol_around(tree, first, last) if module is not None and tree is not None else None
    if symbol is not None:
        name, span, header = symbol
        at, file = f"{module}.{name}", None
    else:
        span, header = (1, len(lines)), None
        at, file = None, path
    focus, lit = _focus(text, span, first, last, header, python=tree is not None)
    spot = Spot(repo, path, lit[0] if lit else first, span, (lit,) if lit else ())
    return DraftStep(at=at, file=file, focus=focus, repo=repo if repo != tour_repo else None, spot=spot)


def enclosing(text: str, first: int, last: int) -> tuple[str, Lines, int] | None:
    """The innermost class, function or method whose span (decorators included) holds
    lines ``first``-``last``, as its qualified name in the module, its span and its
    ``def``/``class`` line; a function nested in another is named as Python names it
    (``add_hook_to_module.<locals>.new_forward``, which a step's ``at`` takes). A name
    defined twice in one block, once under an ``if`` or a ``try`` at least, names no one
    definition (``at`` resolves it to the first): the definition around it is named. None
    at module level, or when the file does not parse."""
    tree = _parsed(text)
    return _enclosing(tree, first, last) if tree is not None else None


def _symbol_around(tree: ast.Module, first: int, last: int) -> tuple[str, Lines, int] | None:
    """What a step at lines ``first``-``last`` is anchored on, as :func:`enclosing` says it:
    the definition around them, else a module-level constant that holds them."""
    return _enclosing(tree, first, last) or _constant(tree, first, last)


def _parsed(text: str) -> ast.Module | None:
    try:
        return parsing.parse(text)
    except (SyntaxError, ValueError):
        return None


def _enclosing(tree: ast.Module, first: int, last: int) -> tuple[str, Lines, int] | None:
    found: tuple[str, Lines, int] | None = None
    prefix = ""
    body: list[ast.stmt] = tree.body
    while True:
        defined = list(_definitions(body))
        for node in defined:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            end = node.end_lineno or node.lineno
            if start <= first and last <= end:
                twins = [other for other in defined if other.name == node.name]
                if len(twins) > 1 and any(other not in body for other in twins):
                    # one name defined under an if and its else (kernels' decorators with
                    # the library and without): which one a run has depends on the run,
                    # the name resolves to the first; the step is anchored around them
                    return found
                found = (f"{prefix}{node.name}", (start, end), node.lineno)
                inside = "." if isinstance(node, ast.ClassDef) else ".<locals>."
                prefix, body = f"{found[0]}{inside}", node.body
                break
        else:
            return found


def _definitions(body: list[ast.stmt]) -> Iterator[ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef]:
    """The classes and functions a block defines, those under its ``if``, ``try``,
    ``with`` and loops too (they bind the block's names), not those inside them."""
    pending = list(reversed(body))
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node
            continue
        inner = [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)]
        inner += [s for handler in getattr(node, "handlers", ()) for s in handler.body]
        inner += [s for case in getattr(node, "cases", ()) for s in case.body]
        pending.extend(reversed(inner))


def _constant(tree: ast.Module, first: int, last: int) -> tuple[str, Lines, int] | None:
    """The module-level assignment to one name that holds lines ``first``-``last``, as a
    definition ``at:`` names (``GENERATION_MODES_MAPPING = {``): only when the module binds
    that name nowhere else, and not to another name (an alias resolves to what it names),
    so that the name resolves to this very statement. None otherwise."""
    for node in tree.body:
        if not (node.lineno <= first and last <= (node.end_lineno or node.lineno)):
            continue
        if not isinstance(node, (ast.Assign, ast.AnnAssign)):
            return None
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) != 1 or not isinstance(targets[0], ast.Name) or node.value is None:
            return None
        if isinstance(node.value, (ast.Name, ast.Attribute)) or _module_bindings(tree, targets[0].id) != 1:
            return None
        return targets[0].id, (node.lineno, node.end_lineno or node.lineno), node.lineno
    return None


def _module_bindings(tree: ast.Module, name: str) -> int:
    """How many statements at module level (in its ``if`` and ``try`` blocks too) bind ``name``."""
    count = 0
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            count += node.name == name
            continue  # names bound inside are not the module's
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            count += any((alias.asname or alias.name).split(".")[0] == name for alias in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            count += node.id == name
        elif isinstance(node, ast.Lambda):
            continue
        pending.extend(ast.iter_child_nodes(node))
    return count


def _focus(
    text: str, span: Lines, first: int, last: int, header: int | None, *, python: bool
) -> tuple[tuple[str, ...], Lines | None]:
    """The focus for lines ``first``-``last`` inside ``span``, and the lines it lights: for
    one line, the statement there (in a file that is not Python, the line)."""
    if first == last and not python:  # not Python (a .rs file): the line itself
        found = focus_for(text, span, first)
        return ((found,), _lit(text, span, found)) if found else ((), None)
    if first == last:
        around = [r for r in statement_ranges(text, span, around=(first, first)) if r[0] <= first <= r[1]]
        statement = min(around, key=_size) if around else None
        if statement is None or (header is not None and statement[0] <= header):
            return (), None  # between statements, or on the symbol's own header
        # its first line reads best; its next lines, when that text comes earlier too
        found = focus_for(text, span, _worded(text, statement), last=statement[1])
        return ((found,), _lit(text, span, found)) if found else ((), None)
    lines = text.split("\n")
    chosen = [(number, lines[number - 1].strip()) for number in range(first, last + 1)]
    worded = [(number, part) for number, part in chosen if part]
    if not worded:
        return (), None
    ends = (worded[0][0], worded[-1][0])
    for candidate in _range_patterns([part for _, part in worded]):
        if _matched(text, span, candidate) == ends:
            return (candidate,), _lit(text, span, candidate)
    return (), None


def _range_patterns(parts: list[str]) -> list[str]:
    """Regexes for the lines ``parts`` (stripped, in order), the one a person would write
    first: the first and the last line with any lines between (an edit between them
    leaves the step whole); when those land elsewhere (the first line comes earlier too, or
    the last sooner after it: ``if local_files_only:`` twice in a function), with a line or
    two more at either end; then every line."""
    every = "/" + r"\n\s*".join(as_regex(part) for part in parts) + "/"
    if len(parts) <= 2:
        return [every]
    found = []
    for more in range(3):  # lines added at the ends, the start's first
        for head in range(1, min(2 + more, len(parts) - 1) + 1):
            tail = 1 + more - (head - 1)
            if tail < 1 or head + tail >= len(parts):
                continue
            start = r"\n\s*".join(as_regex(part) for part in parts[:head])
            end = r"\n\s*".join(as_regex(part) for part in parts[-tail:])
            found.append(rf"/{start}\n(?:.*\n)*?\s*{end}/")
    return [*dict.fromkeys(found), every]


def _worded(text: str, statement: Lines) -> int:
    """The first line of ``statement`` with a word on it: a docstring's first sentence,
    not the line of quotes that only opens it (as a focus, that says nothing to a reader)."""
    lines = text.split("\n")
    return next(
        (n for n in range(statement[0], statement[1] + 1) if re.search(r"\w", lines[n - 1])), statement[0]
    )


def _matched(text: str, span: Lines, focus: str) -> Lines | None:
    """The lines the first match of ``focus`` in ``span`` runs over (None: none, or too slow)."""
    try:
        return find_match(text, span, focus)
    except FocusTimeout:
        return None


def _lit(text: str, span: Lines, focus: str) -> Lines | None:
    try:
        return focus_lines(text, span, focus)
    except FocusTimeout:
        return None


def _size(lines: Lines) -> int:
    return lines[1] - lines[0]
