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
import contextlib
import os
from collections.abc import Iterable, Sequence
from typing import Any


def active() -> bool:
    return "_ARGCOMPLETE" in os.environ


def complete(argv: Sequence[str], **stream_and_exit: Any) -> None:
    """Answer the shell's completion request and exit (argcomplete's protocol; what it
    writes to, and how it ends, may be given as argcomplete takes them: ``output_stream``,
    ``exit_method``)."""
    import argcomplete

    from codewalk.cli.parser import build_parser

    parser = build_parser(_typed_words() or list(argv))
    attach(parser)
    if not stream_and_exit:  # as the shell asks: keep the answer for the same TAB again
        stream_and_exit = _Keeper().arguments()
    argcomplete.autocomplete(parser, always_complete_options="long", **stream_and_exit)


class _Keeper:
    """argcomplete's answer, written where the shell reads it and kept for the quick
    path (:func:`codewalk.cli.quick_completion.keep`), unless it listed files (which
    change under it) or failed."""

    def __init__(self) -> None:
        import io
        import time

        from argcomplete.completers import FilesCompleter

        self.began_ns = time.time_ns()
        self.copy = io.StringIO()
        self.files = FilesCompleter()
        self.listed_files = False

    def arguments(self) -> dict[str, Any]:
        from codewalk.cli import quick_completion

        try:
            self.stream = quick_completion.output_stream(os.environ)
        except OSError:
            return {}  # argcomplete finds no stream either, and says so
        return {"output_stream": self, "exit_method": self.exit, "default_completer": self.complete_files}

    def complete_files(self, *args: Any, **kwargs: Any) -> Any:
        self.listed_files = True
        return self.files(*args, **kwargs)

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def exit(self, code: int) -> None:
        from codewalk.cli import quick_completion

        self.stream.close()
        if code == 0 and not self.listed_files:
            quick_completion.keep(os.environ, self.copy.getvalue(), self.began_ns)
        os._exit(code)


def _typed_words() -> list[str]:
    """The words before the one being completed: they may name the command (whose
    subparser alone is then built); the one under the cursor names none yet (``tour``
    may become ``tours``)."""
    line = os.environ.get("COMP_LINE", "")
    with contextlib.suppress(ValueError):  # read as argcomplete reads it: int(" 10") is 10
        line = line[: int(os.environ.get("COMP_POINT", ""))]
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


def symbols(prefix: str, **kwargs: Any) -> list[str]:
    """Names the index knows that start with ``prefix`` (:mod:`codewalk.index.names`)."""
    from codewalk import locations
    from codewalk.index import names

    return names.starting_with(locations.index_db_file(), prefix)


def trace_names(prefix: str, **_: Any) -> list[str]:
    """The kept traces whose names start with ``prefix``."""
    from codewalk.traces.store import names

    return [name for name in names() if name.startswith(prefix)]


def tour_ids(prefix: str, **_: Any) -> list[str]:
    from codewalk.tours import listing

    return listing.tour_names(prefix)


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


def shellcode(shell: str) -> str:
    """What the shell must run once to complete ``codewalk`` (argcomplete's shellcode)."""
    from argcomplete.shell_integration import shellcode as argcomplete_shellcode

    return str(argcomplete_shellcode(["codewalk"], shell=shell))
