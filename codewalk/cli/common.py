"""What several commands share: the common options, opening the workspace a command
answers from, and the shapes of a result in text and JSON (docs/json.md)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from codewalk.errors import QueryError
from codewalk.visible import json_text, visible

if TYPE_CHECKING:
    from codewalk.resolve.model import FindResult, Resolved
    from codewalk.source.checkout import Checkout
    from codewalk.workspace.pinned import PinnedStack
    from codewalk.workspace.workspace import Workspace


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repo", type=repo_name, metavar="R", help="a repo named in vendor_pins.toml (default: the first)"
    )
    add_source(parser)


def add_symbol(parser: argparse.ArgumentParser, metavar: str = "SYMBOL") -> None:
    """The symbol asked about (``args.query``) and which code is read (``find``, ``show``,
    ``calls``, ``callers``)."""
    parser.add_argument("query", metavar=metavar)
    add_common(parser)


def add_chain(parser: argparse.ArgumentParser) -> None:
    """``FROM TO`` and how long a call chain between them may be (``path``, ``draft``)."""
    parser.add_argument("start", metavar="FROM")
    parser.add_argument("goal", metavar="TO")
    add_common(parser)
    parser.add_argument(
        "--depth",
        type=positive,
        default=8,
        metavar="N",
        help="chains of at most N calls (a wrapper's call of the function it wraps not counted)",
    )


def add_tour(parser: argparse.ArgumentParser) -> None:
    """The tour a command reads (``tour``, ``export``), and where tours are read from."""
    parser.add_argument("name", metavar="TOUR", help="a tour id (see 'codewalk tours') or a tour file")
    add_tours(parser)


def add_source(parser: argparse.ArgumentParser) -> None:
    """``--source PATH`` and ``--at REPO@VERSION``: which code is read."""
    parser.add_argument("--source", metavar="PATH", help="read this local checkout instead of the pinned one")
    parser.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="REPO@VERSION",
        help="read REPO at another release, e.g. transformers@4.57.6 (REPO@installed: the version "
        "your Python has); repeatable",
    )


def add_tours(parser: argparse.ArgumentParser) -> None:
    """What a command over tours reads: ``--tours-dir`` besides the code's options."""
    add_tours_dir(parser)
    add_source(parser)


def add_tours_dir(parser: argparse.ArgumentParser) -> None:
    """``--tours-dir DIR``: where tours are read from, besides the shipped ones."""
    parser.add_argument(
        "--tours-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="also read tours from DIR (repeatable; CODEWALK_TOURS_PATH works too)",
    )


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output (docs/json.md)")


def add_trace_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--trace NAME``: a run recorded with ``codewalk trace``; ``what`` says what the
    command does with it (``tour``, ``check``, ``calls``, ``path``, ``draft``)."""
    parser.add_argument("--trace", metavar="NAME", help=f"{what} (a trace of codewalk trace)")


def add_python_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--python PY``: the interpreter a program is run with (``trace``, ``check --run``);
    ``what`` says when. Without it, the python on ``PATH`` runs it."""
    parser.add_argument("--python", metavar="PY", help=f"{what} (default: python on PATH)")


def open_stack(args: argparse.Namespace) -> PinnedStack:
    """Every pin, the ``--at`` ones at their versions; says how an @installed was read."""
    from codewalk.workspace.pinned import PinnedStack

    pinned = PinnedStack(getattr(args, "source", None), at=getattr(args, "at", None) or ())
    for note in pinned.notes:
        print(visible(f"codewalk: {note}"), file=sys.stderr)
    return pinned


def repo_name(text: str) -> str:
    """``--repo R``: a name (an empty one would silently mean the default)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("names no repo: give one of vendor_pins.toml, or leave --repo out")
    return text


def positive(text: str, most: int = 0) -> int:
    """``N``: a whole number from 1 (to ``most``, when given)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1 or 0 < most < value:
        raise argparse.ArgumentTypeError(f"must be from 1 to {most}" if most else "must be at least 1")
    return value


def open_workspace(args: argparse.Namespace) -> Workspace:
    """The workspace of ``--repo`` (else the repo ``--at`` names, else the first pin),
    over every pin."""
    return open_stack(args).workspace(getattr(args, "repo", None))


def search_scope(args: argparse.Namespace, workspace: Workspace) -> list[str]:
    """The repositories a short name is searched in: ``--repo`` alone when given, else
    every pin whose source is in the cache (never one that would have to be fetched).
    A pin the names asked about belong to (``peft.tuners...``) is opened first, fetched
    if it is not in the cache yet, as answering them would: the first question naming
    it searches it, and says so, as the next one does."""
    if getattr(args, "repo", None):
        return [workspace.checkout.repo]
    for name in asked(args):
        owner = workspace.stack.owner(name.strip())
        if owner is not None:
            workspace.stack.facts(owner)  # why one cannot be opened is the question's to say
    synced = workspace.stack.synced()
    return [workspace.checkout.repo, *(repo for repo in synced if repo != workspace.checkout.repo)]


def asked(args: argparse.Namespace) -> list[str]:
    """The names a command asks about: its ``SYMBOL``, or the ``FROM`` and ``TO`` of a chain."""
    return [name for name in (getattr(args, key, None) for key in ("query", "start", "goal")) if name]


def result_dict(result: Resolved) -> dict[str, Any]:
    return {
        "qualname": result.qualname,
        "kind": result.kind,
        "path": result.path,
        "line": result.line,
        "start_line": result.start_line,
        "end_line": result.end_line,
        "via": result.via,
        "signature": result.signature,
        "role": result.role,
        "repo": result.repo,
        "version": result.version,
        "receiver": result.receiver or None,
    }


def header_dict(query: str, checkout: Checkout) -> dict[str, Any]:
    return {"query": query, "repo": checkout.repo, "version": checkout.version, "source": checkout.label}


def dump_answer(query: str, checkout: Checkout, **fields: Any) -> None:
    """The JSON answer to ``query`` on stdout: which code answered it, then ``fields``."""
    dump({**header_dict(query, checkout), **fields})


def dump(data: dict[str, Any]) -> None:
    """``data`` as JSON on stdout: the data exact, no control character raw; all of it
    as ``\\uXXXX`` escapes where stdout cannot encode it (the same JSON)."""
    import json

    text = json.dumps(data, indent=2, ensure_ascii=False)
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, indent=2)
    sys.stdout.write(json_text(text) + "\n")


def at_the_pin(args: argparse.Namespace, workspace: Workspace, query: str) -> Resolved | None:
    """When ``--at`` asked for another version than the pin's and ``query`` names nothing
    there: its definition at the pin (read only when the pin's source is in the cache:
    never fetched for a hint), its ``repo`` and ``version`` said; else None."""
    from codewalk.errors import CodewalkError
    from codewalk.source import cached
    from codewalk.workspace.pinned import PinnedStack

    if not getattr(args, "at", None):
        return None
    repo = workspace.checkout.repo
    stack = PinnedStack()
    try:
        pin = stack.pins.get(repo)
        if (
            pin is None
            or pin.release_version == workspace.checkout.version
            or cached.current(pin, home=stack.home) is None
        ):
            return None
        pinned = stack.workspace(repo)
        matches = [m for m in pinned.find(query).results if m.repo in ("", repo)]
        if not matches:
            return None
        return matches[0]._replace(repo=repo, version=matches[0].version or pinned.checkout.version)
    except CodewalkError:  # a function nested in a host the pin lacks: the error asked about stands
        return None
    finally:
        stack.close()


def in_a_cached_release(args: argparse.Namespace, workspace: Workspace, query: str) -> Resolved | None:
    """When the pin was read (no ``--at``, no ``--source``) and ``query`` names nothing
    there, of any kind: its definition (of the kind asked) in the newest other release of
    the pin's repository the cache holds complete (``LlamaSdpaAttention``, gone since
    transformers 4.48, in a cached 4.46.3), its ``repo`` and ``version`` said; never
    fetched for a hint, and a release that cannot be read is passed over; else None."""
    import functools

    from codewalk.errors import CodewalkError
    from codewalk.source import sync
    from codewalk.source.cache import entries
    from codewalk.source.targets import as_cached
    from codewalk.source.versions import older, release_of
    from codewalk.workspace.pinned import PinnedStack

    if getattr(args, "at", None) or sync.local_path(getattr(args, "source", None)):
        return None
    try:
        if workspace.find(query, related=False, suggest=False).results:  # the pin has it, of another kind
            return None
    except CodewalkError:  # a function nested in a host the pin lacks: the error asked about stands
        return None
    repo, read = workspace.checkout.repo, workspace.checkout.release
    pin = sync.load_pin(repo)
    kept = {release_of(m.release) for _, m in entries(repo) if m.release and m.release != read}

    def by_release(one: str, other: str) -> int:
        return older(one, other) - older(other, one)

    for version in sorted(kept, key=functools.cmp_to_key(by_release), reverse=True):
        if sync.cached_checkout(pin.at(as_cached(pin, version))) is None:
            continue  # not of a kind CODEWALK_SOURCE reads, or damaged: opening it would fetch
        stack = PinnedStack(at=(f"{repo}@{version}",))
        try:
            released = stack.workspace(repo)
            kind = getattr(args, "kind", None)
            found = released.find(query, kind=kind, related=False, suggest=False)  # no look-alikes
            matches = [m for m in found.results if m.repo in ("", repo)]
            if matches:
                return matches[0]._replace(repo=repo, version=matches[0].version or released.checkout.version)
        except CodewalkError:
            continue  # a hint is never worth the answer it would replace
        finally:
            stack.close()
    return None


def the_pin_has_it(match: Resolved) -> str:
    """The hint for a name another version than the pin's lacks and the pin defines."""
    from codewalk.source.checkout import repo_at_version

    where = repo_at_version(match.repo, match.version)
    return f"the pin, {where}, has it: {match.qualname} ({match.path}:{match.line})"


def a_release_has_it(match: Resolved) -> str:
    """The hint for a name the pin lacks and a release in the cache defines: where, and
    the ``--at`` that reads it."""
    from codewalk.source.checkout import repo_at_version
    from codewalk.source.versions import release_of

    where = repo_at_version(match.repo, match.version)
    at = f"--at {match.repo}@{release_of(match.version)}"
    return f"{where}, in the cache, has it: {match.qualname} ({match.path}:{match.line}); {at} reads it"


def asked_release(
    args: argparse.Namespace, checkout: Checkout, at: Sequence[str] | None = None
) -> str | None:
    """The ``--at`` that named ``checkout``'s release (``transformers@4.57.6``), if one did
    (``at``: the releases read instead, a trace's)."""
    from codewalk.source.targets import parse_target

    texts = at if at is not None else getattr(args, "at", None) or ()
    asked = [text.strip() for text in texts if parse_target(text)[0] == checkout.repo]
    return asked[0] if asked else None


def index_command(args: argparse.Namespace, checkout: Checkout, at: Sequence[str] | None = None) -> str:
    """The command that indexes the whole of ``checkout``: ``codewalk index`` (the pins),
    or, for the release ``--at`` named, ``codewalk index transformers@4.57.6`` (a bare one
    leaves other releases out)."""
    asked = asked_release(args, checkout, at)
    return f"codewalk index {asked}" if asked else "codewalk index"


SLOW_ON_A_PARTIAL_INDEX = 5.0  # seconds after which a question on a partial index says how to speed it


@contextmanager
def said_when_slow(
    args: argparse.Namespace, workspace: Workspace, command: str, at: Sequence[str] | None = None
) -> Iterator[None]:
    """Around a question that may read much of a repository (``path``, ``calls``): one
    that took long on a partial index says what indexes it all at once (the first
    questions of a new cache index the modules they read one at a time). ``at``: the
    releases read instead of ``--at``'s (a trace's: none for a repository it read from its
    installed copy, which no command indexes whole)."""
    partial, started = not workspace.fully_indexed, time.perf_counter()
    yield
    took = time.perf_counter() - started
    asked = asked_release(args, workspace.checkout, at)
    if partial and took >= SLOW_ON_A_PARTIAL_INDEX and (asked or at is None):
        indexing = index_command(args, workspace.checkout, at)
        what = "that release" if asked else "every pin"
        print(
            f"codewalk: {command} took {took:.0f} s, indexing the modules it read one at a time: "
            f"`{indexing}` indexes {what} in parallel, once, for every question after",
            file=sys.stderr,
        )


def no_definition(args: argparse.Namespace, workspace: Workspace, found: FindResult) -> QueryError:
    """The error for a name ``found`` has no definition of, with every hint that fits: the
    pin's definition (``--at`` read another version), a cached release's, why the
    repository that would answer could not be opened, and how to index a partial index."""
    pinned = at_the_pin(args, workspace, args.query)
    released = in_a_cached_release(args, workspace, args.query) if pinned is None else None
    if pinned is not None or released is not None:  # not a base outside the pins: another version's
        found = found._replace(note="")
    if pinned is not None:
        why = the_pin_has_it(pinned)
    elif released is not None:
        why = a_release_has_it(released)
    else:
        why = workspace.stack.unopened(args.query)
    checkout = workspace.checkout
    return not_found(
        found,
        checkout,
        fully_indexed=workspace.fully_indexed,
        indexing=index_command(args, checkout),
        why=why,
        others=search_scope(args, workspace)[1:],
        unsynced=workspace.stack.unsynced(),
    )


def not_found(
    found: FindResult,
    checkout: Checkout,
    *,
    fully_indexed: bool = True,
    indexing: str = "codewalk index",
    why: str = "",
    others: Sequence[str] = (),
    unsynced: Sequence[str] = (),
) -> QueryError:
    if found.note_says_all:  # not "no definition found": one was, of another kind than asked
        return QueryError(f"{found.query!r}: {found.note}")
    hint = f"did you mean: {', '.join(found.suggestions)}" if found.suggestions else None
    if why:  # the repository that would answer could not be opened: that first
        hint = f"{why}; {hint}" if hint else why
    if found.note:
        hint = f"{found.note}; {hint}" if hint else found.note
    elsewhere = found.owner is not None and found.owner.repo not in ("", checkout.repo)
    if not fully_indexed and not elsewhere:  # a class of another pin: indexing this one adds nothing
        partial = f"only part of {checkout.repo} is indexed yet: `{indexing}` makes every name findable"
        hint = f"{hint}; {partial}" if hint else partial
    from codewalk.workspace.forwarding import not_found_message, unsearched

    fetch = unsearched(unsynced) if found.owner is None else ""  # a class's member: its pin was read
    if fetch:
        hint = f"{hint}; {fetch}" if hint else fetch
    return QueryError(not_found_message(found, checkout, others), hint=hint)


def repo_version(result: Resolved, checkout: Checkout) -> str:
    """``accelerate==1.14.0``, ``transformers@v5.23.0``: where a result is from (its own
    repository, which may not be the one asked about)."""
    from codewalk.source.checkout import repo_at_version

    return repo_at_version(result.repo or checkout.repo, result.version or checkout.version)


def format_result(result: Resolved, checkout: Checkout, *, color: bool) -> str:
    from codewalk.render.highlight import signature

    bold, reset = ("\x1b[1m", "\x1b[0m") if color else ("", "")
    tag = "" if result.role == "match" else "  (related)"
    lines = [
        f"{bold}{visible(result.qualname)}{reset}  {visible(result.kind)}{tag}",
        visible(f"  {result.path}:{result.line}  [{repo_version(result, checkout)}]"),
    ]
    head = result.signature.splitlines()
    if head:
        first = head[0] + (" ..." if len(head) > 1 else "")
        lines.append("  " + signature(visible(first), color=color))
    lines.append(visible(f"  via: {result.via}"))
    return "\n".join(lines)
