"""Shell completion (bash and zsh), answered by argcomplete on every TAB.

``codewalk completion bash >> ~/.bashrc`` (or ``zsh >> ~/.zshrc``) installs it: the shell
then runs ``codewalk`` itself on every TAB with ``_ARGCOMPLETE`` set, and :func:`complete`
answers: commands and options from the argument parser (only the named command's
subparser is built, as for a normal run), tour ids (of ``--tours-dir`` too),
``REPO@VERSION`` for ``--at`` and ``sync``, and symbol names from the index
(``codewalk find LlamaFor<TAB>``), by prefix, never fetching or indexing anything.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from typing import Any

from argcomplete.finders import CompletionFinder


def complete() -> int:
    """Answer the shell's completion request (argcomplete's protocol) and end the
    process; returns (an exit status) only when the request cannot be read."""
    from codewalk.cli.parser import build_parser
    from codewalk.visible import visible

    for name in ("COMP_LINE", "COMP_POINT"):
        if name not in os.environ:
            print(f"codewalk: completion: {name} is not set (the shell sets it)", file=sys.stderr)
            return 2
    point = os.environ["COMP_POINT"]
    try:
        int(point)  # as argcomplete reads it: " 10" and "+10" are 10
    except ValueError:
        print(f"codewalk: completion: COMP_POINT={visible(repr(point))} is not a number", file=sys.stderr)
        return 2
    parser = build_parser(_typed_words())
    attach(parser)
    _Finder()(parser, always_complete_options="long")
    return 0  # argcomplete answered and ended the process


class _Finder(CompletionFinder):
    """argcomplete, but for bash's ``@``: bash breaks words at it (it is in
    ``COMP_WORDBREAKS``) yet keeps it in the word it replaces (a "special prefix", for
    ``user@host``), so an answer to ``paddle@3`` must start at the ``@``, not after it
    (argcomplete cuts after every break character)."""

    def quote_completions(
        self, completions: list[str], cword_prequote: str, last_wordbreak_pos: int | None
    ) -> list[str]:
        at = last_wordbreak_pos
        if at is not None and any(completion[at : at + 1] == "@" for completion in completions):
            last_wordbreak_pos = at - 1
        return list(super().quote_completions(completions, cword_prequote, last_wordbreak_pos))


def _typed_words() -> list[str]:
    """The words before the one being completed: they may name the command (whose
    subparser alone is then built); the one under the cursor names none yet (``tour``
    may become ``tours``)."""
    line = os.environ.get("COMP_LINE", "")[: int(os.environ["COMP_POINT"])]
    words = line.split()[1:]
    return words if line.endswith(" ") else words[:-1]


def attach(parser: argparse.ArgumentParser) -> None:
    """Give each argument whose values codewalk knows its completer."""
    for action in _actions(parser):
        dest = action.dest
        if dest in ("query", "start", "goal"):
            action.completer = symbols  # type: ignore[attr-defined]
        elif dest in ("name", "tours"):
            action.completer = tour_ids  # type: ignore[attr-defined]
        elif dest in ("at", "targets", "before", "after"):
            action.completer = repo_versions  # type: ignore[attr-defined]
        elif dest == "repo":
            action.completer = repos  # type: ignore[attr-defined]
        elif dest in ("trace", "delete"):
            action.completer = trace_names  # type: ignore[attr-defined]


def _actions(parser: argparse.ArgumentParser) -> Iterable[argparse.Action]:
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _actions(sub)


def symbols(prefix: str, **_: Any) -> list[str]:
    """Names the index knows that start with ``prefix`` (:mod:`codewalk.index.names`)."""
    from codewalk.index import names

    return names.starting_with(names.index_path(), prefix)


def trace_names(prefix: str, **_: Any) -> list[str]:
    """The kept traces whose names start with ``prefix``."""
    from codewalk.traces.store import names

    return [name for name in names() if name.startswith(prefix)]


def tour_ids(prefix: str, parsed_args: argparse.Namespace | None = None, **_: Any) -> list[str]:
    """The ids of the tours, those of ``--tours-dir`` too."""
    from codewalk.tours import listing

    return listing.tour_ids(prefix, getattr(parsed_args, "tours_dir", None) or ())


def repos(prefix: str, **_: Any) -> list[str]:
    return [name for name in _pins() if name.startswith(prefix)]


def repo_versions(prefix: str, **_: Any) -> list[str]:
    """``REPO``, ``REPO@installed`` and ``REPO@VERSION`` for the versions in the cache."""
    from codewalk import locations
    from codewalk.source.targets import INSTALLED

    found: list[str] = []
    for name in _pins():
        found += [name, f"{name}@{INSTALLED}"]
        try:
            entries = os.listdir(locations.sources_dir() / name)
        except OSError:
            entries = []
        for entry in entries:
            kind, _dash, rest = entry.partition("-")
            if kind in ("release", "wheel"):
                found.append(f"{name}@{rest.rpartition('-')[2]}")
    return sorted(item for item in set(found) if item.startswith(prefix))


def _pins() -> list[str]:
    from codewalk import locations
    from codewalk.errors import CodewalkError
    from codewalk.source.pins import load_pins

    try:
        return list(load_pins(locations.pins_path()))
    except CodewalkError:
        return []


def shellcode(shell: str) -> str:
    """What the shell must run once to complete ``codewalk`` (argcomplete's shellcode)."""
    from argcomplete.shell_integration import shellcode as argcomplete_shellcode

    return str(argcomplete_shellcode(["codewalk"], shell=shell))
