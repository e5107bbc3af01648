"""Shell completion (bash and zsh), with argcomplete's dynamic completion.

``codewalk completion bash >> ~/.bashrc`` (or ``zsh >> ~/.zshrc``) installs it: the shell
then runs ``codewalk`` itself on every TAB with ``_ARGCOMPLETE`` set, and :func:`complete`
answers: commands and options from the argument parser (only the named command's
subparser is built, as for a normal run), tour ids, ``REPO@VERSION`` for ``--at`` and
``sync``, and symbol names from the index (``codewalk find LlamaFor<TAB>``), by prefix,
never fetching or indexing anything.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

LIMIT = 200  # completions offered at most


def active() -> bool:
    return "_ARGCOMPLETE" in os.environ


def complete(argv: Sequence[str]) -> None:
    """Answer the shell's completion request and exit (argcomplete's protocol)."""
    import argcomplete

    from codewalk.cli.parser import build_parser

    words = os.environ.get("COMP_LINE", "").split()[1:]
    parser = build_parser(words or list(argv))
    attach(parser)
    argcomplete.autocomplete(parser, always_complete_options="long")


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


def _actions(parser: argparse.ArgumentParser) -> Iterable[argparse.Action]:
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _actions(sub)


def symbols(prefix: str, **kwargs: Any) -> list[str]:
    """Names the index knows that start with ``prefix``: definitions by name, and for a
    dotted prefix, the members of a class (``LlamaForCausalLM.ge``) or the modules and
    names of a package path (``transformers.models.ll``)."""
    if not prefix or not all(part.isidentifier() for part in prefix.split(".")[:-1]):
        return []
    db = _index()
    if db is None:
        return []
    try:
        if "." not in prefix:
            rows = db.execute(
                "SELECT DISTINCT name FROM defs WHERE name >= ? AND name < ? AND parent = '' LIMIT ?",
                (prefix, prefix + "\uffff", LIMIT),
            )
            return [row[0] for row in rows]
        owner, _, start = prefix.rpartition(".")
        classes = _class_and_bases(db, owner.rpartition(".")[2])
        marks = ", ".join("?" * len(classes))
        found = [
            f"{owner}.{row[0]}"
            for row in db.execute(
                f"SELECT DISTINCT name FROM defs WHERE parent IN ({marks}) "
                "AND name >= ? AND name < ? LIMIT ?",
                (*classes, start, start + "\uffff", LIMIT),
            )
        ]
        found += [
            row[0]
            for row in db.execute(
                "SELECT DISTINCT module FROM files WHERE module >= ? AND module < ? LIMIT ?",
                (prefix, prefix + "\uffff", LIMIT),
            )
        ]
        return sorted(set(found))[:LIMIT]
    except sqlite3.Error:
        return []
    finally:
        db.close()


def _class_and_bases(db: sqlite3.Connection, name: str, depth: int = 6) -> list[str]:
    """``name`` and the names of its bases, as written, some levels up (members come
    through the MRO; a completion need not be exact, only quick)."""
    from codewalk.index.rows import SEP

    seen = [name]
    frontier = [name]
    for _ in range(depth):
        found: list[str] = []
        for cls in frontier:
            for (bases,) in db.execute(
                "SELECT bases FROM defs WHERE name = ? AND kind = 'class' LIMIT 20", (cls,)
            ):
                found += [base.rpartition(".")[2] for base in bases.split(SEP) if base]
        frontier = [b for b in dict.fromkeys(found) if b not in seen]
        seen += frontier
        if not frontier:
            break
    return seen


def tour_ids(prefix: str, **_: Any) -> list[str]:
    from codewalk.errors import CodewalkError
    from codewalk.tours.discovery import tour_dirs, tour_files

    try:
        names = {path.stem for path in tour_files(tour_dirs())}
    except (CodewalkError, OSError):
        return []
    return sorted(name for name in names if name.startswith(prefix))


def repos(prefix: str, **_: Any) -> list[str]:
    return [name for name in _pins() if name.startswith(prefix)]


def repo_versions(prefix: str, **kwargs: Any) -> list[str]:
    """``REPO``, ``REPO@installed`` and ``REPO@VERSION`` for the versions in the cache."""
    from codewalk import locations

    found: list[str] = []
    for name in _pins():
        found += [name, f"{name}@installed"]
        try:
            entries = os.listdir(locations.sources_dir() / name)
        except OSError:
            entries = []
        for entry in entries:
            kind, _, rest = entry.partition("-")
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


def _index() -> sqlite3.Connection | None:
    from codewalk import locations
    from codewalk.cli.quick import read_only

    path = locations.index_db_file()
    if not os.path.isfile(path):
        return None
    try:
        return read_only(path, timeout=1)
    except sqlite3.Error:
        return None


def shellcode(shell: str) -> str:
    """What the shell must run once to complete ``codewalk`` (argcomplete's shellcode)."""
    from argcomplete.shell_integration import shellcode as argcomplete_shellcode

    return str(argcomplete_shellcode(["codewalk"], shell=shell))
