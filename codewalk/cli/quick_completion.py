"""The quick path of shell completion: the common TABs answered in argcomplete's
protocol, without argparse or argcomplete (their imports and the parser alone take the
50 ms a TAB may take).

The shell code (``codewalk completion bash|zsh``, argcomplete's) runs ``codewalk`` with
the line and the cursor in its environment, and reads the answer from file descriptor 8.
:func:`answer` answers, and ends the process, when the word under the cursor is plainly
one of codewalk's own lists:

- a symbol name where a command takes one (``codewalk find LlamaFor<TAB>``), from the
  index (:mod:`codewalk.index.names`);
- a tour name where a command takes one (``codewalk tour lla<TAB>``);
- a command's name (``codewalk fi<TAB>``), in bash (zsh shows each command's help beside
  it, which only the parser knows);
- any other TAB argcomplete answered before, for the same line in the same environment,
  while nothing its answer depends on has changed (codewalk, the pins, the cache, the
  index, the tour directories): its answer, kept as the quick path keeps a ``find``'s
  (:mod:`codewalk.cli.quick`). An answer that listed files is never kept.

Anything else (an option, a value of one, quotes or escapes in the line, an empty word,
another shell) returns, and argcomplete answers (:mod:`codewalk.cli.completion`). What
is printed here is what argcomplete prints for the same line, byte for byte:
``tests/test_completion.py`` compares the two over every command.
"""

from __future__ import annotations

import os

from codewalk import locations
from codewalk.cli import quick
from codewalk.cli.commands import NAMES
from codewalk.index import answers
from codewalk.index.versions import INDEX_VERSION

TYPE_CHECKING = False  # no typing on a quick path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

# Each command's positional arguments, in order, by what completes them; "*": the last
# one repeats. (tests/test_completion.py checks it against the parser.)
POSITIONALS = {
    "tour": ("tour",),
    "export": ("tour",),
    "check": ("tour*",),
    "find": ("symbol",),
    "show": ("symbol",),
    "calls": ("symbol",),
    "callers": ("symbol",),
    "diff": ("symbol",),
    "path": ("symbol", "symbol"),
    "draft": ("symbol", "symbol"),
}
_PLAIN = frozenset("_.-@")  # besides letters and digits: nothing a shell quotes or splits on
_CONTINUATION = "=/:"  # argcomplete adds no space after a lone completion ending in one


def answer() -> None:
    """Print the completions of the shell's line and end the process, if the line is
    one this module answers as argcomplete would; else return."""
    found = completions(os.environ)
    text = formatted(found, os.environ) if found is not None else kept(os.environ)
    if text is None:
        return
    try:
        stream = output_stream(os.environ)
        with stream:
            stream.write(text)
    except OSError:
        return  # argcomplete says why (its debug stream), and exits 1
    os._exit(0)


def output_stream(environ: Mapping[str, str]) -> TextIO:
    """Where the shell reads the answer: the file it names, else file descriptor 8.
    Raises OSError if neither can be written."""
    filename = environ.get("_ARGCOMPLETE_STDOUT_FILENAME")
    return open(filename, "w") if filename is not None else os.fdopen(8, "w")


def kept(environ: Mapping[str, str]) -> str | None:
    """The answer argcomplete gave before for this line in this environment, if nothing
    it depends on has changed since."""
    key = _key(environ)
    if key is None:
        return None
    found = answers.lookup(quick.answers_dir(), key)
    index = locations.index_db_file(INDEX_VERSION)
    if found is None or found[0] != answers.state(index) or found[1] != _stamp():
        return None
    try:
        return found[2].decode("utf-8")
    except UnicodeDecodeError:  # not what was kept: only UTF-8 is
        return None


def keep(environ: Mapping[str, str], text: str, checked_ns: int) -> None:
    """Keep argcomplete's answer ``text`` for this line (it began at ``checked_ns``)."""
    key, state = _key(environ), answers.settled_state(locations.index_db_file(INDEX_VERSION), checked_ns)
    if key is None or state is None:
        return
    try:
        output = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: not kept
        return
    answers.keep(quick.answers_dir(), key, (state, _stamp(), output, b""))


def _key(environ: Mapping[str, str]) -> str | None:
    """The question: the line up to the cursor, how the shell wants the answer, what
    names the tour directories, and where it is asked from."""
    if "_ARC_DEBUG" in environ:
        return None
    try:
        line = environ["COMP_LINE"][: int(environ["COMP_POINT"])]
        here = os.getcwd()
    except (KeyError, ValueError, OSError):
        return None
    asked = [line, here, *(environ.get(name) for name in _ASKED_BY)]
    return repr(("complete", *asked))


def _stamp() -> bytes:
    """What a kept answer depends on besides the index: what a ``find``'s does, and the
    tour directories (a tour added or removed changes its directory's time)."""
    from codewalk.tours import listing

    dirs = [quick.stat_of(directory) for directory in listing.tour_dirs()]
    return quick.stamp() + b"\0" + "|".join(dirs).encode("utf-8", "surrogateescape")


# Every variable argcomplete's answer depends on, besides the line.
_ASKED_BY = (
    "_ARGCOMPLETE",
    "_ARGCOMPLETE_SHELL",
    "_ARGCOMPLETE_IFS",
    "_ARGCOMPLETE_DFS",
    "_ARGCOMPLETE_SUPPRESS_SPACE",
    "_ARGCOMPLETE_COMP_WORDBREAKS",
    "CODEWALK_TOURS_PATH",
)


def formatted(found: list[str], environ: Mapping[str, str]) -> str:
    """``found`` as argcomplete writes it: a lone completion spaced (unless the shell
    spaces it), zsh's empty descriptions, joined by the shell's separator."""
    words = list(found)
    lone = len(words) == 1 and words[0][-1] not in _CONTINUATION
    if lone and environ.get("_ARGCOMPLETE_SUPPRESS_SPACE") != "1":
        words = [words[0] + " "]
    if environ.get("_ARGCOMPLETE_SHELL") == "zsh":
        words = [f"{word}:" for word in words]
    return environ.get("_ARGCOMPLETE_IFS", "\013").join(words)


def completions(environ: Mapping[str, str]) -> list[str] | None:
    """The completions argcomplete would offer for the shell's line in ``environ``
    (before its quoting and spacing, which these need none of); None where this module
    cannot tell."""
    if (
        environ.get("_ARGCOMPLETE") != "1"  # 2, 3: `python script`, `python -m`
        or environ.get("_ARGCOMPLETE_SHELL", "bash") not in ("bash", "zsh")
        or len(environ.get("_ARGCOMPLETE_IFS", "\013")) != 1
        or environ.get("_ARGCOMPLETE_DFS")
        or "_ARC_DEBUG" in environ
    ):
        return None
    zsh = environ.get("_ARGCOMPLETE_SHELL") == "zsh"
    if zsh and environ.get("_ARGCOMPLETE_SUPPRESS_SPACE") != "1":
        return None  # argcomplete's zsh answers then carry odd descriptions
    try:
        line, point = environ["COMP_LINE"], int(environ["COMP_POINT"])
    except (KeyError, ValueError):
        return None
    if not 0 <= point <= len(line):
        return None
    text = line[:point]
    if not all(char == " " or char.isalnum() or char in _PLAIN for char in text):
        return None
    words = [word for word in text.split(" ") if word]
    current = "" if text.endswith(" ") else (words.pop() if words else "")
    breaks = environ.get("_ARGCOMPLETE_COMP_WORDBREAKS", "")
    if not words or not current or current.startswith("-") or any(c in breaks for c in current):
        return None
    done = words[1:]
    if not done:
        return None if zsh else [name for name in NAMES if name.startswith(current)]
    kinds = POSITIONALS.get(done[0])
    if kinds is None or any(word.startswith("-") for word in done[1:]):
        return None
    slot = len(done) - 1
    if slot < len(kinds):
        kind = kinds[slot]
    elif kinds[-1].endswith("*"):
        kind = kinds[-1]
    else:
        return None
    if kind.rstrip("*") == "symbol":
        from codewalk.index import names

        found = names.starting_with(locations.index_db_file(INDEX_VERSION), current)
    else:
        from codewalk.tours import listing

        found = listing.tour_names(current)
    found = [word for word in dict.fromkeys(found) if word.startswith(current)]
    if any(not (char.isalnum() or char in _PLAIN) for word in found for char in word):
        return None  # one that argcomplete would quote: let it
    return found
