"""What a step's ``at:`` (or a note's link) names: the symbol a query finds in a pin,
read in the context of the tour so far, whether the name says which one, and the lines
of a region inside it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from codewalk.errors import FocusTimeout, QueryError
from codewalk.resolve.model import FindResult, Resolved, rivals
from codewalk.source.checkout import repo_at_version
from codewalk.tours.focus import focus_lines
from codewalk.tours.model import Lines

if TYPE_CHECKING:
    from codewalk.source.checkout import Checkout
    from codewalk.workspace.workspace import Workspace

_CONTEXT_LOOKUPS = 3  # how many of the previous steps' modules a short name is tried in
_SHOWN = 5  # candidates an ambiguity names (and suggests, when they are the whole repository's)


def module_of(path: str, package_root: str) -> str | None:
    """The dotted module name of a repo-relative ``.py`` path under ``package_root``
    (``src/transformers/loss/loss_utils.py`` -> ``transformers.loss.loss_utils``), or of
    a ``.pyi`` stub, which declares that module (``py_src/tokenizers/__init__.pyi``)."""
    posix = PurePosixPath(path)
    if posix.suffix not in (".py", ".pyi"):
        return None
    root = PurePosixPath(package_root) if package_root not in ("", ".") else PurePosixPath()
    try:
        relative = posix.relative_to(root)
    except ValueError:
        return None
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) or None


def find_step_target(workspace: Workspace, query: str, context: Sequence[str]) -> FindResult:
    """The workspace's answer to a step's ``at``.

    A name that is not fully qualified is first looked up *in* the modules of the
    previous steps (``LlamaModel.__init__`` after a step in ``modeling_llama``), as a
    reader would: it means what that name means there. Only when none of them knows it
    is the whole repository searched, which before the full index exists costs a byte
    scan of every unindexed file.

    Related results (copies, table entries, the modular source) are not asked for: a
    step needs only the matches, and finding the related ones scans every unindexed
    file for ``# Copied from`` lines and dict entries."""
    # through the workspace, not its resolver: its lock, and its repair of a damaged index
    if query.split(".", 1)[0] not in workspace.checkout.packages:
        for module in context[:_CONTEXT_LOOKUPS]:
            local: FindResult = workspace.find(
                f"{module}.{query}", related=False, suggest=False, thorough=False
            )
            if local.matches:
                return FindResult(query=query, results=local.matches, suggestions=())
    found: FindResult = workspace.find(query, context=context, related=False, thorough=False)
    return found


def names_a_definition(workspace: Workspace, name: str) -> bool:
    """Whether ``name`` names a definition in ``workspace``'s pin (a note's
    `` `config.json` `` names none: a file, not code)."""
    try:
        return bool(workspace.find(name, related=False, suggest=False, thorough=False).results)
    except QueryError:  # not a query at all
        return False


def region_lines(text: str, target: Resolved, focus: str) -> tuple[Lines | None, str | None]:
    """The statement lines of ``focus`` inside ``target`` (whose file's text is
    ``text``), or why there are none: ``"timeout"``, or that it does not occur."""
    try:
        lines = focus_lines(text, (target.start_line, target.end_line), focus)
    except FocusTimeout:
        return None, "timeout"
    if lines is None:
        where = f"{target.qualname} ({target.path}:{target.start_line}-{target.end_line})"
        return None, f"{_as_written(focus)} does not occur in {where}"
    return lines, None


def _as_written(focus: str) -> str:
    """``focus`` quoted as the tour file holds it, to be searched for there: a regex's
    backslashes single (``repr`` doubles them: ``/self\\\\.x/``), a newline ``\\n``."""
    return "'" + focus.replace("\n", "\\n") + "'"


class Ambiguity(NamedTuple):
    """A short name several definitions in its scope share: a broken step (or link)."""

    candidates: tuple[Resolved, ...]  # the definitions in the scope, best first
    message: str  # "7 definitions named forward in modeling_llama.py: ...; write Class.forward"
    suggestions: tuple[str, ...]  # names that say which one, as a step may write them


def ambiguity(
    checkout: Checkout, query: str, candidates: Sequence[Resolved], context: Sequence[str]
) -> Ambiguity | None:
    """Whether the short name ``query`` (found as ``candidates``, best first, in
    ``checkout``'s pin) leaves open which definition it means, by the rule ``calls``,
    ``show`` and ``find`` follow (:func:`~codewalk.resolve.model.rivals`), in the step's
    scope: the modules of the tour so far (``context``) when the best candidate is in
    one of them, else the whole repository. A name defined once in the modules the tour
    has read means that one; one several classes there define (``forward`` after a step
    in ``modeling_llama``) is ambiguous, as it is across the repository."""
    others = rivals(query, candidates)
    if not others:
        return None

    def module(candidate: Resolved) -> str | None:
        if candidate.repo not in ("", checkout.repo):
            return None  # the context holds modules of this pin only
        return module_of(candidate.path, checkout.package_root)

    best = candidates[0]
    if module(best) in context:
        scoped = tuple(c for c in (best, *others) if module(c) in context)
        if len(scoped) < 2:
            return None
        paths = tuple(dict.fromkeys(c.path for c in scoped))
        # a file by its name, or by its path where two have one name (``__init__.py``)
        by_name = len({PurePosixPath(path).name for path in paths}) == len(paths)
        label = {path: PurePosixPath(path).name if by_name else path for path in paths}
        # in the order of the files, each by its name in its module (``LlamaRMSNorm.forward``),
        # as the step may write it
        in_order = sorted(scoped, key=lambda c: (paths.index(c.path), c.line))
        names = tuple(c.qualname.removeprefix(f"{module(c)}.") for c in in_order)
        lines = [f"line {c.line}" if len(paths) == 1 else f"{label[c.path]}:{c.line}" for c in in_order]
        shown = [f"{name} ({line})" for name, line in zip(names, lines, strict=True)]
        scope, suggestions = ", ".join(label.values()), names
    else:
        scoped = (best, *others)
        scope = repo_at_version(checkout.repo, checkout.version)
        shown = [f"{c.qualname} ({c.path}:{c.line})" for c in scoped[:_SHOWN]]
        suggestions = tuple(c.qualname for c in scoped[:_SHOWN])
    more = f", and {len(scoped) - _SHOWN:,} more" if len(scoped) > _SHOWN else ""
    members = all(c.kind in ("method", "property") for c in scoped)
    write = f"write Class.{query}" if members else "write a qualified name"
    listed = ", ".join(shown[:_SHOWN])
    message = f"{len(scoped):,} definitions named {query} in {scope}: {listed}{more}; {write}"
    return Ambiguity(scoped, message, suggestions)
