"""The quick path: a ``find`` asked before, answered again without importing argparse,
SQLite, the resolver or the pins parser.

A warm ``find`` must take no longer than ripgrep takes to search the tree; Python's
start and the imports of the full path alone take longer. So the full path, when it
answers a ``find`` cleanly (exit 0, nothing on stderr, nothing indexed while it
answered), keeps its exact output (:mod:`codewalk.index.answers`), and the next
identical command prints it back, if and only if nothing it depends on has changed:

- the index: its files' state (any write to it is another state);
- codewalk itself: its version, the index's version and its modules' times;
- the pins file's bytes, and the cache entries (every manifest, by inode and time), so
  a ``sync`` (of any repo: a short name is searched in every synced one) is seen;
- the files the answer points into (inode, size, times): an edited or refetched file;
- how the output is shaped: colour (a terminal, ``NO_COLOR``), the command line.

Anything else (``--source``, ``@installed``, ``--refs``) always takes the full path.
Any doubt (a missing or damaged answer file, an index that moved) is a miss, never an
error.
"""

from __future__ import annotations

import os
import sys

from codewalk import __version__, locations
from codewalk.index import answers
from codewalk.index.versions import INDEX_VERSION

TYPE_CHECKING = False  # no typing, no pathlib, no argparse here: this is the quick path
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any, TextIO

    from codewalk.workspace.workspace import Workspace

_COMMANDS = ("find",)
_FULL_PATH_ONLY = ("--source", "--refs", "-h", "--help")
_SOURCE_PATH_ENV = "CODEWALK_SOURCE_PATH"  # codewalk.source.sync.SOURCE_PATH_ENV
_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def eligible(argv: Sequence[str]) -> bool:
    """Whether ``argv`` may be answered from a kept answer (and one kept for it)."""
    if not argv or argv[0] not in _COMMANDS or os.environ.get(_SOURCE_PATH_ENV):
        return False
    for arg in argv[1:]:
        name = arg.partition("=")[0]
        if arg.endswith("@installed") or name in _FULL_PATH_ONLY:
            return False
        # argparse takes a long option's unambiguous beginning for it (--sou: --source)
        if name.startswith("--") and any(full.startswith(name) for full in _FULL_PATH_ONLY):
            return False
    return True


def replay(argv: Sequence[str]) -> int | None:
    """Print the answer kept for ``argv`` and return its exit status; None when there is
    none that still holds (the caller takes the full path)."""
    if not eligible(argv):
        return None
    index = locations.index_db_file(INDEX_VERSION)
    kept = answers.lookup(answers_dir(), _key(argv, sys.stdout))
    if kept is None or kept[0] != answers.state(index) or kept[1] != stamp() or not _unchanged(kept[3]):
        return None
    try:
        output = kept[2].decode("utf-8")
    except UnicodeDecodeError:  # not what was kept: only UTF-8 is
        return None
    sys.stdout.write(output)
    sys.stdout.flush()
    return 0


class Recording:
    """While the full path runs ``argv``: a copy of what it prints, and whether it said
    anything on stderr, for :func:`remember`."""

    def __init__(self, argv: Sequence[str]) -> None:
        self.argv = list(argv)
        self._saved: tuple[TextIO, TextIO] | None = None
        # what remember() found worth keeping: (output, files, when it saw the index
        # unchanged); kept on the way out, once the command has closed the index
        self.pending: tuple[str, list[str], int] | None = None

    def __enter__(self) -> None:
        global _recording
        if eligible(self.argv):
            self._saved = (sys.stdout, sys.stderr)
            self.out, self.err = _Tee(sys.stdout), _Watched(sys.stderr)
            sys.stdout, sys.stderr = self.out, self.err
            _recording = self

    def __exit__(self, kind: object, *exc: object) -> None:
        global _recording
        if self._saved is not None:
            sys.stdout, sys.stderr = self._saved
            self._saved = None
            _recording = None
        if self.pending is not None and kind is None and not self.err.written:
            _keep(self.argv, self.out, *self.pending)


def remember(workspace: Workspace, mark: answers.Mark, files: Iterable[str]) -> None:
    """Keep what the command printed so far as the answer to its command line, if it
    was a clean one: nothing said on stderr, nothing indexed since ``mark`` (a lazy
    index answers the same way from the same state). ``files`` are the absolute paths
    the answer points into. It is written when the command is done (the index closed),
    and only if it said nothing on stderr by then."""
    import time

    recording = _recording
    if recording is None or recording.err.written:
        return
    checked_ns = time.time_ns()
    if answers.mark(workspace.store.db) != mark:
        return
    sys.stdout.flush()
    recording.pending = (recording.out.text(), list(files), checked_ns)


def _keep(argv: Sequence[str], out: object, output: str, files: list[str], checked_ns: int) -> None:
    state = answers.settled_state(locations.index_db_file(INDEX_VERSION), checked_ns)
    try:
        data = output.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (bytes of a path): not kept
        return
    if state is not None:
        answers.keep(answers_dir(), _key(argv, out), (state, stamp(), data, _file_stamps(files)))


def answers_dir() -> str:
    return os.path.join(locations.home_dir(), "answers")


def _key(argv: Sequence[str], stdout: object) -> str:
    """The command line, and what else shapes its answer: colour, and which kind of
    cached entry may answer (``CODEWALK_SOURCE``: a git entry and a release may both be
    in the cache)."""
    isatty = getattr(stdout, "isatty", None)
    color = bool(isatty and isatty()) and not os.environ.get("NO_COLOR")
    kinds = os.environ.get("CODEWALK_SOURCE", "")
    return repr(("color" if color else "plain", kinds, *argv))


def stamp() -> bytes:
    """What the answers depend on outside the index and the files they point into."""
    parts = [__version__, INDEX_VERSION, _code_stamp(), _sources_stamp()]
    try:
        with open(locations.pins_file(), "rb") as handle:
            pins = handle.read(locations.CONFIG_LIMIT + 1)
    except (OSError, ValueError):
        pins = b"\0unreadable"
    return b"\0".join(os.fsencode(part) for part in parts) + b"\0" + pins


def _code_stamp() -> str:
    """The times of codewalk's own modules: an upgrade or an edit is another codewalk."""
    newest, count = 0, 0
    pending = [_PACKAGE]
    try:
        while pending:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                        pending.append(entry.path)
                    elif entry.name.endswith(".py"):
                        newest = max(newest, entry.stat().st_mtime_ns)
                        count += 1
    except OSError:
        return "unreadable"
    return f"{newest}:{count}"


def _sources_stamp() -> str:
    """Every cache entry's manifest (its inode and time, or that it is absent): a sync,
    a repair or a removal of any entry is another state of the cache."""
    root = os.path.join(locations.home_dir(), "sources")
    parts: list[str] = []
    try:
        repos = sorted(os.listdir(root))
    except OSError:
        return ""
    for repo in repos:
        try:
            entries = sorted(os.listdir(os.path.join(root, repo)))
        except OSError:
            continue
        for entry in entries:
            parts.append(f"{repo}/{entry}:{stat_of(os.path.join(root, repo, entry, 'manifest.json'))}")
    return "|".join(parts)


def stat_of(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_ino}.{st.st_size}.{st.st_mtime_ns}.{st.st_ctime_ns}"


def _file_stamps(files: Iterable[str]) -> bytes:
    return b"\0".join(os.fsencode(f"{path}\0{stat_of(path)}") for path in sorted(set(files)))


def _unchanged(stamps: bytes) -> bool:
    if not stamps:
        return True
    fields = [os.fsdecode(field) for field in stamps.split(b"\0")]
    if len(fields) % 2:
        return False
    return all(stat_of(path) == stat for path, stat in zip(fields[::2], fields[1::2], strict=True))


class _Tee:
    """A text stream that writes through and keeps a copy."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        self._parts.append(text)
        return self._stream.write(text)

    def text(self) -> str:
        return "".join(self._parts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _Watched:
    """A text stream that writes through and remembers that it was written to."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.written = False

    def write(self, text: str) -> int:
        self.written = self.written or bool(text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


_recording: Recording | None = None
