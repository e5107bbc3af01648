"""The one family of errors codewalk raises for things a user can act on.

Every error carries a message that says what was wrong, where (file, line, key,
step) and, where there is one, what to do. The CLI prints ``str(error)`` once on
stderr and exits with ``error.exit_code``; anything else that escapes is a bug.
"""

from __future__ import annotations

import errno


class CodewalkError(Exception):
    """Base of every error meant for the user, not for a traceback."""

    exit_code: int = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class ConfigError(CodewalkError):
    """A configuration file (``vendor_pins.toml``, a tour) is malformed."""


class PinError(ConfigError):
    """``vendor_pins.toml`` is missing, malformed, or names an unknown repo."""


class SourceError(CodewalkError):
    """The pinned source could not be fetched, unpacked or verified."""


class NetworkError(SourceError):
    """A remote (git host, package index) could not be reached in time.

    The source module falls back to the release when the git host raises this.
    """


class GitMissing(SourceError):
    """No git program to run: fetching, recording and verifying source need one."""


class VerificationError(SourceError):
    """What was fetched is not what the pin says (commit, hash, dirty tree)."""


class UnsafeURLError(SourceError):
    """A URL asks for a transport codewalk never uses (``ext::``, ``fd::``, ...)."""


class CacheError(CodewalkError):
    """The cache directory or index cannot be read or written."""


class QueryError(CodewalkError):
    """A query is malformed or names nothing (``find``, ``show``, ``goto``)."""

    exit_code = 1


class TourError(ConfigError):
    """A tour file is malformed, or a tour name is unknown."""

    def __init__(self, message: str, *, hint: str | None = None, line: int = 0) -> None:
        super().__init__(message, hint=hint)
        self.line = line  # the line of the tour file it names (0: none)

    @property
    def problems(self) -> tuple[TourError, ...]:
        """Each problem on its own: this one."""
        return (self,)


class TourProblems(TourError):
    """Several problems of one tour file, in the order of its lines: a reader fixes them
    all after one reading, not one per run."""

    def __init__(self, path: object, problems: tuple[TourError, ...]) -> None:
        super().__init__(f"{path}: {len(problems)} problems")
        self._problems = problems

    @property
    def problems(self) -> tuple[TourError, ...]:
        return self._problems

    def __str__(self) -> str:
        each = "\n".join("  " + str(problem).replace("\n", "\n  ") for problem in self._problems)
        return f"{self.message}\n{each}"


class TourFileTaken(TourError):
    """A recorded tour's file is not the one its author started from (it changed, went,
    or appeared meanwhile): it is not written over."""


class UnknownTour(TourError):
    """A tour id that no tour directory defines (a typo, not a file that does not load)."""


class FocusTimeout(TourError):
    """A tour's ``focus: /regex/`` did not finish matching in its time bound."""


class TraceError(CodewalkError):
    """A trace cannot be made, found or read (an unknown name, a damaged file, a program
    that cannot be started)."""


def system_words(error: BaseException) -> str:
    """What the system said of ``error``: an ``OSError``'s ``strerror`` ("No such file or
    directory"), without the errno and path the message already names, else the error's own
    text (an ``OSError`` made without an errno has no ``strerror``)."""
    return getattr(error, "strerror", None) or str(error)


FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
DISK_FULL_HINT = "free some space there (or set CODEWALK_HOME to a directory on another disk), then try again"


def why_not_written(error: OSError) -> str:
    """Why a write into the cache failed, in the words a user acts on: the disk is full,
    the file system is mounted read-only, the directory is not theirs, else the system's
    own words."""
    if error.errno in FULL_ERRNOS:
        return "the disk is full"
    if error.errno == errno.EROFS:
        return "it is on a read-only file system"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "it is not writable here"
    return system_words(error)


def cache_refused(what: str, error: OSError) -> CacheError:
    """A write into the cache that the system refused: ``what`` could not be done, why,
    and what to do about it."""
    hint = DISK_FULL_HINT if error.errno in FULL_ERRNOS else "set CODEWALK_HOME to a directory of your own"
    return CacheError(f"{what}: {why_not_written(error)}", hint=hint)
