"""``codewalk goto PATH:LINE[:COL]``: what the name at a position refers to.

LINE and COL are 1-based, as editors and compilers print them. PATH is what the reader
has: relative to the repository root, to the package's parent, or a traceback's path to
an installed copy (codewalk.workspace.located says which pin file it is); a traceback's
own ``File "PATH", line N, in NAME`` is taken whole. Without a column, the line's
definition or first call is meant (codewalk.index.cursor.column_meant). At a call site
the call facts answer first (every target of a dispatch table, a property and what it
returns); then the resolver; jedi (codewalk.workspace.navigation) answers what the index
can't.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

from codewalk.cli.common import (
    add_common,
    add_json,
    add_trace_option,
    dump,
    format_result,
    open_stack,
    result_dict,
)
from codewalk.errors import QueryError
from codewalk.visible import quoted, visible

if TYPE_CHECKING:
    from codewalk.cli.traced_sites import LineRan
    from codewalk.resolve.model import Resolved
    from codewalk.traces.reading import Opened
    from codewalk.workspace.calling import GotoAnswer
    from codewalk.workspace.pinned import PinnedStack
    from codewalk.workspace.workspace import Workspace

# the hint says why: the value is untyped (a parameter, a loop variable, a result unpacked),
# or its class defines no such member (``self.model.generate``, ``self.model`` a PreTrainedModel)
UNFOLLOWED = "a call codewalk cannot follow to a definition (the hint says what it knows of its receiver)"
LINE_SHOWN = 120  # characters of a line an error quotes whole (transformers' lines are at most 119)
_POSITION_RE = re.compile(r"(?P<path>.+?):(?P<line>\d+)(?::(?P<col>\d+))?", re.DOTALL)
# a traceback's frame: its File line, maybe followed by the lines it quotes (ignored)
_TRACEBACK_RE = re.compile(
    r'\s*File "(?P<path>[^\n]+?)", line (?P<line>\d+)(?:, in (?P<scope>[^\n]+?))?[ \t]*(?:\n.*)?', re.DOTALL
)


class Position(NamedTuple):
    path: str
    line: int
    col: int | None  # 1-based; None when not given (a traceback gives none)
    scope: str = ""  # what a traceback says runs there (``training_step``, ``<module>``)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "goto", help="go to the definition of the name at PATH:LINE:COL (or a traceback's line)"
    )
    parser.add_argument(
        "position",
        metavar="PATH:LINE[:COL]",
        help="a repo-relative, package-relative or installed path, 1-based line and column (without "
        "one: the line's call or definition); or a traceback's 'File \"PATH\", line N, in NAME'",
    )
    add_common(parser)
    add_json(parser)
    add_trace_option(
        parser, "say also what the line called in this recorded run, read at the versions that ran"
    )


def parse_position(text: str) -> Position:
    """``PATH:LINE[:COL]``, or a traceback's ``File "PATH", line LINE, in NAME``."""
    traceback = _TRACEBACK_RE.fullmatch(text)
    if traceback is not None:
        return Position(traceback["path"], int(traceback["line"]), None, traceback["scope"] or "")
    match = _POSITION_RE.fullmatch(text)
    if match is None:
        raise QueryError(
            f"malformed position {quoted(text, LINE_SHOWN)}: expected PATH:LINE[:COL], e.g. src/x.py:12:5, "
            'or a traceback\'s File "PATH", line N'
        )
    line, col = int(match["line"]), int(match["col"]) if match["col"] else None
    if line < 1 or col == 0:
        raise QueryError(f"malformed position {quoted(text, LINE_SHOWN)}: LINE and COL count from 1")
    return Position(match["path"], line, col)


def run(args: argparse.Namespace) -> int:
    from codewalk.color import use_color
    from codewalk.workspace.located import locate

    position = parse_position(args.position)
    opened = _opened(args)
    pinned = opened.stack if opened is not None else open_stack(args)
    try:
        own = _own_file(opened, position.path)
        if opened is not None and own is not None:
            return _own_answer(opened, args, position, own)
        located = locate(pinned, position.path, args.repo or (opened.home if opened is not None else None))
        if located.read_as:
            print(visible(f"codewalk: {located.read_as}"), file=sys.stderr)
        workspace, path, line = located.workspace, located.path, position.line
        text = workspace.source_text(path)
        named, col = _meant(workspace, text, path, position)
        moved = _moved(workspace, path, line, position.scope)
        if moved:
            print(visible(f"codewalk: {moved}"), file=sys.stderr)
        checkout = workspace.checkout
        answer = named or _with_compiled(pinned, workspace.goto_all(path, line, col - 1))
        ran = _ran(opened, checkout.repo, path, line)
        if ran is not None:  # of several definitions, the one the run called first
            answer = answer._replace(results=ran.first(answer.results))
        result = answer.results[0] if answer.results else None
        if args.json:
            data = {
                "repo": checkout.repo,
                "version": checkout.version,
                "source": checkout.label,
                "position": {"path": path, "line": line, "col": col, "given": args.position},
                "read_as": located.read_as or None,
                "mismatch": moved or None,
                "result": result_dict(result) if result else None,
                "results": [result_dict(r) for r in answer.results],
                "note": answer.note or None,
                **(ran.fields(answer.results) if ran is not None else {}),
            }
            dump(data)
            return 0 if result or (ran is not None and ran.ran) else 1
        if result is None and ran is not None and ran.ran:  # the run says what the reading could not
            print(visible(ran.text(line)))
            return 0
        if result is None:
            raise _unanswered(workspace, answer, text, (path, line, col))
        color = use_color(sys.stdout)
        print("\n\n".join(format_result(r, checkout, color=color) for r in answer.results))
        if ran is not None:
            print("\n" + visible(ran.text(line, answer.results)))
        return 0
    finally:
        pinned.close()


def _meant(workspace: Workspace, text: str, path: str, position: Position) -> tuple[GotoAnswer | None, int]:
    """The answer already known at the position (a Rust line's stub declarations, the
    functions a line names as values) and the 1-based column meant: the one given, else
    the line's definition or first call."""
    line = position.line
    named = workspace.compiled_at(path, line) if path.endswith(".rs") else None
    if named is not None and not named.results:
        raise _no_stub_implemented(text, path, line)
    col = position.col or (1 if named else _column_of(workspace.column_meant(path, line)))
    if col is None:  # a line naming functions as values: every one of them
        named, first = workspace.values_named(path, line)
        if not named.results or first is None:
            raise _nothing_meant(text, path, line)
        col = first + 1
    return named, col


def _opened(args: argparse.Namespace) -> Opened | None:
    """The trace ``--trace`` names, its repositories at the versions that ran (None without
    one)."""
    if not args.trace:
        return None
    from codewalk.cli.traced import refuse_versions
    from codewalk.traces.reading import open_trace

    refuse_versions(args)
    return open_trace(args.trace)


def _own_file(opened: Opened | None, path: str) -> str | None:
    """The program's own file ``path`` names in the run ``--trace`` names (its absolute
    path, as it ran: ``goto ds_csv.py:21 --trace ds_csv``, codewalk.traces.called's
    ``program_files``); None for any other path, or without a trace. Written as the
    reader's directory reads it, or as the program's did."""
    if opened is None:
        return None
    from codewalk.traces.called import program_files

    trace = opened.trace
    written = os.path.expanduser(path)
    given = [os.path.normpath(os.path.join(where, written)) for where in (os.getcwd(), trace.cwd)]
    files = program_files(trace)
    return next((file for file in given if file in files), None)


def _own_answer(opened: Opened, args: argparse.Namespace, position: Position, file: str) -> int:
    """What the program's own file ``file`` (``position.path`` as typed) called at the
    line in the run: no pin has the file, and codewalk indexes none of the program's
    files, so the run answers alone (said so); a line that called none of the pinned code
    is an error saying that, and where else to look."""
    from codewalk.cli.traced_sites import LineRan
    from codewalk.traces.called import program_ran_at_line
    from codewalk.traces.model import PROGRAM

    trace, line = opened.trace, position.line
    called = [(trace.functions[f], n) for f, n in program_ran_at_line(trace, opened.tree, file, line)]
    ran = LineRan(opened, called, bool(called) or line in trace.executed(PROGRAM, file))
    said = f"{position.path} is the program's own file in trace {trace.name!r}, which codewalk does not index"
    if args.json:
        dump(
            {
                "repo": PROGRAM,
                "version": None,
                "source": None,
                "position": {"path": file, "line": line, "col": position.col, "given": args.position},
                "read_as": None,
                "mismatch": None,
                "result": None,
                "results": [],
                "note": said,
                **ran.fields(()),
            }
        )
        return 0 if ran.ran else 1
    if not ran.ran:
        shown = (
            "shows it where it ran, and c there what each of its lines called"
            if file in dict(trace.own)
            else "lists each call the program made, and from which of its lines"
        )
        raise QueryError(
            f"{said}, and the run recorded no call of the pinned packages at its line {line}",
            hint=(
                f"codewalk tour --trace {trace.name} {shown}; calls, callers and path with --trace "
                f"{trace.name} take its functions by name"
            ),
        )
    print(visible(f"{said}: what the run called there"))
    print(visible(ran.text(line)))
    return 0


def _ran(opened: Opened | None, repo: str, path: str, line: int) -> LineRan | None:
    """What the run ``--trace`` names did at the line (None without one)."""
    if opened is None:
        return None
    from codewalk.cli.traced_sites import line_ran

    return line_ran(opened, repo, path, line)


def _unanswered(
    workspace: Workspace, answer: GotoAnswer, text: str, where: tuple[str, int, int]
) -> QueryError:
    """Why no definition answers at ``where`` (path, line, column)."""
    path, line, col = where
    said = _nothing_there(text, line, col)
    hint = answer.note or None
    if answer.unresolved:
        said = UNFOLLOWED
    elif answer.external:
        said = f"{answer.external}, in another package"  # the note says why it is not read
    elif answer.builtin:  # a traceback's last frame often raises one
        said = f"{answer.note}, which no pinned package defines"
        hint = _builtin_hint(workspace, path, line)
    said = said or "no definition found for the name there"
    return QueryError(f"{path}:{line}:{col}: {said}", hint=hint)


def _builtin_hint(workspace: Workspace, path: str, line: int) -> str:
    """Where to go from a builtin's call: the function the line is in, or another name's column."""
    scope = workspace.scope_at(path, line)
    where = f"the line is {_in(scope)}; " if scope else ""
    return f"{where}name the column of another name on it: PATH:LINE:COL"


def _with_compiled(pinned: PinnedStack, answer: GotoAnswer) -> GotoAnswer:
    """``answer`` with, after each ``.pyi`` stub's declaration it holds, the Rust source
    that implements it (``tokenizers.Tokenizer.encode_batch (compiled)``), as ``find``
    gives it: where the call goes on, which the stub does not show."""
    from codewalk.errors import CodewalkError
    from codewalk.resolve.related import COMPILED

    results: list[Resolved] = []
    for result in answer.results:
        results.append(result)
        if not result.path.endswith(".pyi") or result.kind == "native":
            continue
        try:
            found = pinned.workspace(result.repo).find(f"{result.qualname}{COMPILED}", suggest=False).results
        except CodewalkError:
            continue
        results.extend(r._replace(role="related") for r in found if r.kind == "native" and r not in results)
    return answer._replace(results=tuple(results))


def _column_of(meant: int | None) -> int | None:
    """The 1-based column of the line's definition or first call, when it has one."""
    return meant + 1 if meant is not None else None


def _nothing_meant(text: str, path: str, line: int) -> QueryError:
    """The error of a line that calls, imports, defines and names no function (or is past
    the file's end)."""
    return _line_error(
        text,
        path,
        line,
        "the line calls, imports and defines nothing",
        "name the column of the name you mean: PATH:LINE:COL",
    )


def _no_stub_implemented(text: str, path: str, line: int) -> QueryError:
    """The error of a Rust line that starts no ``fn`` or ``struct`` a stub declares."""
    return _line_error(
        text,
        path,
        line,
        "no Rust fn or struct exposed to Python starts at this line",
        "codewalk reads Rust only as the source of what a .pyi stub declares: give the line of a "
        "#[pyfunction], a #[pymethods] fn or a #[pyclass] struct, as `codewalk find NAME` lists it",
    )


def _line_error(text: str, path: str, line: int, what: str, hint: str) -> QueryError:
    """``path:line: what (the line is ...)``, or that the file ends before ``line``."""
    lines = text.splitlines()
    if line > len(lines):
        return QueryError(f"{path}:{line}: past the end of the file (it has {len(lines)} lines)")
    return QueryError(f"{path}:{line}: {what} (the line is {quoted(lines[line - 1], LINE_SHOWN)})", hint=hint)


def _moved(workspace: Workspace, path: str, line: int, scope: str) -> str:
    """Said when a traceback's line runs in another function than the pin's line is in:
    the file that ran is not the pin's (another version, or edited)."""
    if not scope or (scope.startswith("<") and scope != "<module>"):
        return ""  # a lambda or a comprehension runs in code of its own
    here = workspace.scope_at(path, line)
    if here is None or here == scope.rpartition(".")[2]:
        return ""
    return (
        f"line {line} of the pin's {path} is {_in(here)}, not {_in(scope)} as the traceback says: "
        "the file that ran differs from the pin"
    )


def _in(scope: str) -> str:
    return "at the top level" if scope == "<module>" else f"in {scope}"


def _nothing_there(text: str, line: int, col: int) -> str | None:
    """What is wrong with the position itself (past the file's end, or on no name), or
    None when a name stands there."""
    lines = text.splitlines()
    if line > len(lines):
        return f"past the end of the file (it has {len(lines)} lines)"
    here = lines[line - 1]
    if col > len(here) or not (here[col - 1].isidentifier() or here[col - 1].isdigit()):
        return f"no name at column {col} (the line is {quoted(here, LINE_SHOWN)})"
    return None
