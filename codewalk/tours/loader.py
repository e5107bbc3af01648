"""Tour files: YAML text in, a ``Tour`` record out, or a ``TourError`` naming the line
(``TourProblems`` naming each, when the file has several: every step, and each key of the
tour past its structure, is checked on its own).

Tours are untrusted input. The text is *composed* with PyYAML's ``SafeLoader`` into a
node tree (which keeps every node's line) and never *constructed*: only plain string
scalars are accepted as values, so no tag, however exotic, can make the loader build
an object, let alone run code. Pure: text in, records out; the caller reads the file.

The format (see ``tours/*.yaml``)::

    id: llama-generate            # optional, defaults to the file's stem
    title: From LlamaForCausalLM to assisted decoding
    repo: transformers            # optional default pin for the steps
    summary: |                    # optional Markdown
      ...
    steps:
      - at: LlamaModel.__init__   # a symbol, any form the resolver takes ...
        focus: "self.layers = nn.ModuleList("   # ... text or /regex/ inside it, or a list of them
        title: The decoder stack  # optional
        note: |                   # Markdown; codewalk: links are parsed (tours/notes.py)
          ...
      - file: src/transformers/loss/loss_utils.py   # ... or a repo-relative file
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import yaml

from codewalk.errors import TourError, TourProblems
from codewalk.source.versions import valid_range, valid_version
from codewalk.tours.model import Step, Tour
from codewalk.tours.notes import Link, link_as_written, scan
from codewalk.visible import CONTROL_RE

# libyaml's safe composer when PyYAML was built with it (faster), else the pure one;
# both keep node marks and neither constructs anything.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TOUR_KEYS: tuple[str, ...] = ("id", "title", "summary", "repo", "versions", "program", "steps")
STEP_KEYS: tuple[str, ...] = ("at", "file", "focus", "title", "repo", "versions", "note", "not_run")
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_STR_TAG = "tag:yaml.org,2002:str"
MAX_PROBLEMS = 20  # of one file: past them, the rest is not read (a tour of errors)
_T = TypeVar("_T")
# C0 and C1 control characters (a NUL makes every path operation raise; ESC moves the
# terminal). A focus may hold tabs and newlines (a multi-line pattern); a symbol or a
# path never does.
_CONTROL_IN_FOCUS_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TAG_NAMES = {
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:null": "nothing (null)",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:binary": "binary data",
}


def is_regex(focus: str) -> bool:
    """A focus written ``/like this/`` is a regular expression; anything else is text."""
    return len(focus) >= 3 and focus.startswith("/") and focus.endswith("/")


@functools.lru_cache(maxsize=512)
def compile_focus(focus: str) -> Any:
    """The pattern a focus searches for: the regex between slashes, or the literal text
    (an ``re`` pattern of the escaped text: matched in linear time).

    A regex is compiled by the ``regex`` package, whose matching takes a time bound
    (``search_focus``): tours are shared files, and a pattern with catastrophic
    backtracking must not hang ``check`` or the UI. Its syntax is Python's (``V0``).
    Raises ``re.error`` or ``regex.error`` for an invalid regex (the loader turns
    either into a TourError)."""
    if is_regex(focus):
        import regex

        return regex.compile(focus[1:-1], regex.MULTILINE | regex.V0)
    return re.compile(re.escape(focus))


def valid_id(tour_id: str) -> str | None:
    """Why ``tour_id`` is no tour id, or None."""
    if _ID_RE.fullmatch(tour_id):
        return None
    return f"tour id {tour_id!r} must be letters, digits, '.', '_' or '-'"


def _yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The line and words of a YAML error: where what it was reading began when the file
    ended inside it (an unclosed quote is named where it opens, not past the last line)."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    problem = exc.problem or exc.context or "malformed"
    if exc.context and exc.context_mark is not None:
        what = exc.context.removeprefix("while scanning ").removeprefix("while parsing ")
        began = exc.context_mark.line + 1
        if "end of stream" in (exc.problem or ""):
            return began, f"{what} begins here and is never closed"
        if began != line:
            problem = f"{problem} (in {what} from line {began})"
    return line, problem


def _tab_problem(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str] | None:
    """The line and words of a YAML error at a tab (libyaml's words do not name it)."""
    mark = exc.problem_mark
    if mark is None or not 0 <= mark.index < len(text) or text[mark.index] != "\t":
        return None
    return mark.line + 1, f"a tab at column {mark.column + 1}: YAML indents with spaces, never tabs"


def parse_tour(text: str, path: Path) -> Tour:
    """Parse the text of a tour file; ``path`` names it in messages and gives the
    default id (its stem)."""
    where = _Where(path)
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        line, problem = _tab_problem(exc, text) or _yaml_problem(exc)
        raise where.error(line, f"not valid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:  # a control character: its line and column
        before = text[: exc.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problem = f"a character YAML does not allow (U+{code:04X}) at column {col}: {exc.reason}"
        raise where.error(line, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise where.error(1, f"not valid YAML: {exc}") from None
    if root is None:
        raise where.error(1, "the file is empty", hint="a tour needs at least 'title' and 'steps'")
    fields, meant = _mapping(root, where, "the tour", TOUR_KEYS)
    for key in ("title", "steps"):
        if key not in fields and key not in meant:  # a misspelt one was named already
            where.each(functools.partial(_missing, key, root, where))

    tour_id = where.each(lambda: _tour_id(fields, path, where))
    title = where.each(lambda: _string(fields, "title", where) if "title" in fields else None)
    summary = where.each(lambda: _string(fields, "summary", where) if "summary" in fields else "")
    repo = where.each(lambda: _string(fields, "repo", where) if "repo" in fields else None)
    steps = where.each(lambda: _steps(fields["steps"][1], where) if "steps" in fields else [])
    versions = where.each(lambda: _versions(fields["versions"][1], where) if "versions" in fields else ())
    program_line = _line(fields["program"][1]) if "program" in fields else 0
    program = where.each(
        lambda: _program(_string(fields, "program", where), program_line, where) if program_line else ()
    )
    where.raise_problems()
    assert tour_id is not None and title is not None and summary is not None and steps is not None
    assert versions is not None and program is not None
    return Tour(
        id=tour_id,
        title=title,
        summary=summary,
        repo=repo,
        steps=tuple(step for step in steps if step is not None),
        path=path,
        versions=versions,
        program=program,
        program_line=program_line,
    )


def _missing(key: str, root: yaml.Node, where: _Where) -> None:
    raise where.error(
        root.start_mark.line + 1,
        f"missing key {key!r}",
        hint=f"a tour needs {', '.join(repr(k) for k in ('title', 'steps'))}",
    )


def _steps(node: yaml.Node, where: _Where) -> list[Step | None]:
    """The tour's steps, each checked on its own (None for one with problems)."""
    if not isinstance(node, yaml.SequenceNode) or node.tag != "tag:yaml.org,2002:seq":
        raise where.error(_line(node), f"'steps' must be a list, found {_kind(node)}")
    if not node.value:
        raise where.error(_line(node), "'steps' is empty", hint="add at least one step")
    return [
        where.each(functools.partial(_step, index, step, where))
        for index, step in enumerate(node.value, start=1)
    ]


def _tour_id(fields: _Fields, path: Path, where: _Where) -> str:
    tour_id = _string(fields, "id", where) if "id" in fields else path.stem
    bad_id = valid_id(tour_id)
    if bad_id:
        line = _line(fields["id"][1]) if "id" in fields else 1
        raise where.error(line, bad_id, hint="rename the file or set 'id:'")
    return tour_id


def _program(text: str, line: int, where: _Where) -> tuple[str, ...]:
    """``program:``: a script beside the tour (a relative path that stays in the tour's
    directory) and its arguments, split as a shell would, without one."""
    import shlex

    _refuse_controls(text, "program", CONTROL_RE, line, "the tour", where)
    try:
        words = tuple(shlex.split(text))
    except ValueError as error:
        raise where.error(line, f"'program': {error}") from None
    if not words:
        raise where.error(line, "'program' is empty")
    script = words[0]
    posix = PurePosixPath(script)
    if (
        "\\" in script
        or posix.is_absolute()
        or ".." in posix.parts
        or script.startswith("~")
        or not script.endswith(".py")
    ):
        raise where.error(
            line,
            f"'program' {script!r} must be a .py file inside the tour's directory (a relative path, no '..')",
        )
    return words


def _versions(node: yaml.Node, where: _Where) -> tuple[str, ...]:
    """A tour's ``versions``: a list of release versions of its repository."""
    if not isinstance(node, yaml.SequenceNode) or node.tag != "tag:yaml.org,2002:seq":
        raise where.error(_line(node), f"'versions' must be a list of versions, found {_kind(node)}")
    found: list[str] = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or CONTROL_RE.search(str(item.value)):
            raise where.error(_line(item), "'versions' must list versions such as 4.57.6")
        problem = valid_version(str(item.value))
        if problem:
            raise where.error(_line(item), f"'versions': {problem}")
        found.append(str(item.value))
    return tuple(dict.fromkeys(found))


class _Where:
    """Builds ``TourError``s that start with ``file:line:``, and keeps those of the parts
    of a file checked on their own (:meth:`each`) until :meth:`raise_problems`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[TourError] = []

    def error(self, line: int, message: str, *, hint: str | None = None) -> TourError:
        return TourError(f"{self.path}:{line}: {message}", hint=hint, line=line)

    def each(self, check: Callable[[], _T]) -> _T | None:
        """What ``check`` returns, or None with its error kept: a reader is told of every
        problem of a file at once. A file with very many stops at :data:`MAX_PROBLEMS`."""
        try:
            return check()
        except TourProblems:  # the file's many problems, raised from a nested check
            raise
        except TourError as error:
            self.problems.append(error)
            if len(self.problems) >= MAX_PROBLEMS:
                self.raise_problems()
            return None

    def raise_problems(self) -> None:
        """Raise the problems kept, if any: the one, or all of them in line order."""
        if len(self.problems) == 1:
            raise self.problems[0]
        if self.problems:
            raise TourProblems(self.path, tuple(sorted(self.problems, key=lambda error: error.line)))


_Fields = dict[str, tuple[yaml.Node, yaml.Node]]


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode) and node.tag == "tag:yaml.org,2002:map":
        return "a mapping"
    if isinstance(node, yaml.SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        return "a list"
    if node.tag == _STR_TAG:
        return "a string"
    return _TAG_NAMES.get(node.tag, f"a value tagged {node.tag}")


def _mapping(node: yaml.Node, where: _Where, what: str, allowed: tuple[str, ...]) -> tuple[_Fields, set[str]]:
    """The keys of a mapping with their nodes, and the allowed keys that a misspelt one
    was taken for. A key that is not a name, unknown or given twice is a problem of its
    own: the others are still read."""
    if not isinstance(node, yaml.MappingNode) or node.tag != "tag:yaml.org,2002:map":
        raise where.error(_line(node), f"{what} must be a mapping of keys, found {_kind(node)}")
    fields: _Fields = {}
    meant: set[str] = set()
    for key_node, value_node in node.value:
        key = where.each(functools.partial(_key, key_node, fields, meant, where, what, allowed))
        if key is not None:
            fields[key] = (key_node, value_node)
    return fields, meant


def _key(
    node: yaml.Node, fields: _Fields, meant: set[str], where: _Where, what: str, allowed: tuple[str, ...]
) -> str:
    """The name of a key of ``what`` that is allowed and not in ``fields`` yet; a
    misspelt one adds the key it is close to to ``meant``."""
    if not isinstance(node, yaml.ScalarNode) or node.tag != _STR_TAG:
        raise where.error(_line(node), f"keys of {what} must be names, found {_kind(node)}")
    key = str(node.value)
    if key not in allowed:
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.8)  # foucs, not bogus
        meant.update(close)
        raise where.error(
            _line(node),
            f"unknown key {key!r} in {what}" + (f": did you mean {close[0]!r}?" if close else ""),
            hint=f"allowed keys: {', '.join(allowed)}",
        )
    if key in fields:
        first = _line(fields[key][0])
        raise where.error(_line(node), f"key {key!r} appears twice in {what} (first on line {first})")
    return key


def _string(fields: _Fields, key: str, where: _Where, what: str = "") -> str:
    """The text of ``key`` (of ``what``, a step, when it is a step's)."""
    node = fields[key][1]
    of = f"{what}: " if what else ""
    if not isinstance(node, yaml.ScalarNode) or node.tag != _STR_TAG:
        raise where.error(
            _line(node),
            f"{of}{key!r} must be a string, found {_kind(node)}",
            hint="quote the value if it is meant as text" if isinstance(node, yaml.ScalarNode) else None,
        )
    value = str(node.value)
    # Text reaches the reader's terminal: no escape sequences from a shared tour.
    # (The anchors at/file/focus get a stricter check, naming their step, in _step.)
    found = None if key in ("at", "file", "focus") else _CONTROL_IN_FOCUS_RE.search(value)
    if found:
        raise where.error(
            _line(node),
            f"{of}{key!r} contains a control character (U+{ord(found.group()):04X}): {value[:60]!r}",
            hint="tours hold plain text; remove the escape",
        )
    return value


def _step(index: int, node: yaml.Node, where: _Where) -> Step:
    what = f"step {index}"
    fields, meant = _mapping(node, where, what, STEP_KEYS)
    line = _line(node)

    def get(key: str) -> str | None:
        return _string(fields, key, where, what) if key in fields else None

    at, file = get("at"), get("file")
    if at is not None:
        at = at.strip()  # a block scalar's final newline, stray spaces
        _refuse_controls(at, "at", CONTROL_RE, _line(fields["at"][1]), what, where)
    if file is not None:
        _refuse_controls(file, "file", CONTROL_RE, _line(fields["file"][1]), what, where)
    if at is None and file is None and not meant & {"at", "file"}:
        raise where.error(
            line,
            f"{what} has neither 'at' nor 'file'",
            hint="give a symbol in 'at' or a path in 'file'",
        )
    if at is not None and file is not None:
        raise where.error(line, f"{what} has both 'at' and 'file'", hint="keep one of them")
    if at is not None and not at:
        raise where.error(_line(fields["at"][1]), f"{what}: 'at' is empty")
    if file is not None:
        file = _safe_path(file, _line(fields["file"][1]), what, where)
    regions = _regions(fields["focus"][1], what, where) if "focus" in fields else ()
    versions = get("versions")
    if versions is not None:
        problem = valid_range(versions)
        if problem:
            raise where.error(_line(fields["versions"][1]), f"{what}: 'versions': {problem}")
    note = get("note") or ""
    links = _links(note, _line(fields["note"][1]) if "note" in fields else line, what, where)
    not_run = get("not_run")
    if not_run is not None and not not_run.strip():
        raise where.error(
            _line(fields["not_run"][1]),
            f"{what}: 'not_run' is empty",
            hint="say why the tour's program does not run this step",
        )
    return Step(
        index=index,
        at=at,
        file=file,
        focus=tuple(text for text, _ in regions),
        title=get("title"),
        repo=get("repo"),
        note=note,
        line=line,
        versions=versions,
        focus_lines=tuple(focus_line for _, focus_line in regions),
        links=links,
        not_run=not_run.strip() if not_run is not None else None,
    )


def _regions(node: yaml.Node, what: str, where: _Where) -> list[tuple[str, int]]:
    """A step's ``focus``: a text or ``/regex/``, or a list of them; each with its line."""
    if isinstance(node, yaml.SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        items = list(node.value)
        if not items:
            raise where.error(_line(node), f"{what}: 'focus' is an empty list")
    else:
        items = [node]
    regions: list[tuple[str, int]] = []
    for number, item in enumerate(items, start=1):
        focus_line = _line(item)
        key = "focus" if len(items) == 1 else f"focus {number}"
        if not isinstance(item, yaml.ScalarNode) or item.tag != _STR_TAG:
            expected = "a string (a text or /regex/)" + (" or a list of them" if item is node else "")
            raise where.error(
                focus_line,
                f"{what}: {key!r} must be {expected}, found {_kind(item)}",
                hint="quote the value if it is meant as text" if isinstance(item, yaml.ScalarNode) else None,
            )
        focus = str(item.value)
        _refuse_controls(focus, key, _CONTROL_IN_FOCUS_RE, focus_line, what, where)
        regions.append((_checked_focus(focus, focus_line, what, repr(key), where), focus_line))
    return regions


def _checked_focus(focus: str, line: int, what: str, key: str, where: _Where) -> str:
    """``focus`` when it is a text or a valid ``/regex/``; a TourError naming ``what``
    (the step) and ``key`` (where in it)."""
    if not focus.strip() or (is_regex(focus) and not focus[1:-1].strip()):
        raise where.error(line, f"{what}: {key} is empty")
    try:
        compile_focus(focus)
    except (re.error, _regex_error()) as exc:
        raise where.error(line, f"{what}: invalid regex {focus!r} in {key}: {exc}") from None
    return focus


def _links(note: str, line: int, what: str, where: _Where) -> tuple[Link, ...]:
    """The note's ``codewalk:`` links; a link that names nothing, or whose focus is an
    invalid regex, is an error of the tour file."""
    parts = scan(note)
    if parts.problems:
        raise where.error(line, f"{what}: {parts.problems[0]}")
    for link in parts.links:
        if link.focus is not None:
            _checked_focus(link.focus, line, what, link_as_written(link), where)
    return parts.links


def _regex_error() -> type[Exception]:
    import regex

    error: type[Exception] = regex.error
    return error


def _refuse_controls(
    value: str, key: str, pattern: re.Pattern[str], line: int, what: str, where: _Where
) -> None:
    """A TourError for a control character in ``value``; the message shows it escaped."""
    found = pattern.search(value)
    if found is not None:
        raise where.error(
            line,
            f"{what}: {key!r} contains a control character (U+{ord(found.group()):04X}): {value!r}",
            hint="remove it (an escape such as \\0 or \\t in a double-quoted YAML string makes one)",
        )


def _safe_path(file: str, line: int, what: str, where: _Where) -> str:
    """A repo-relative posix path that cannot leave the checkout."""
    if not file.strip():
        raise where.error(line, f"{what}: 'file' is empty")
    if "\\" in file:
        raise where.error(line, f"{what}: 'file' {file!r} must use '/' separators")
    posix = PurePosixPath(file)
    if posix.is_absolute() or re.match(r"[A-Za-z]:", file) or file.startswith("~"):
        raise where.error(
            line,
            f"{what}: 'file' {file!r} is absolute; it must be a path inside the repository",
            hint="write it relative to the repository root, e.g. src/transformers/trainer.py",
        )
    if ".." in posix.parts:
        raise where.error(line, f"{what}: 'file' {file!r} leaves the repository ('..' is not allowed)")
    parts = [part for part in posix.parts if part != "."]
    if not parts:
        raise where.error(line, f"{what}: 'file' {file!r} names no file")
    return "/".join(parts)
