"""The git source, and everything codewalk does with git: the only module that
imports GitPython.

- :class:`GitSource`: the pinned tag fetched from the pin's url (or the mirror),
  verified against the pinned commit; an entry re-verified before it is trusted.
- ``fetch_pinned``: a shallow fetch of exactly the pinned commit (or tag) into a new
  repository, checked out detached and verified.
- ``commit_tree``: make a directory of unpacked release files into a one-commit
  repository, so that the rest of codewalk sees one kind of source.
- ``verify_tree`` / ``describe``: HEAD and cleanliness of a work tree.

Safety: only https, ssh, git and file transports are ever allowed (``GIT_ALLOW_PROTOCOL``
is set on every git process, whatever the URL says), git never prompts for
credentials, and every network operation has a timeout.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from codewalk.errors import (
    DISK_FULL_HINT,
    CacheError,
    CodewalkError,
    GitMissing,
    NetworkError,
    SourceError,
    UnsafeURLError,
    VerificationError,
)
from codewalk.source.cache import Manifest
from codewalk.source.checkout import SourceKind
from codewalk.source.pins import Pin
from codewalk.source.reporter import Reporter
from codewalk.source.urls import ALLOWED_SCHEMES, redact_text, redact_url, url_scheme


def _git_missing(error: ImportError) -> GitMissing:
    """What GitPython's refusal to load means for the reader: git is not installed (or
    not on PATH), or the git it found cannot be run."""
    import shutil

    program = os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or "git"
    if shutil.which(program) is None:
        return GitMissing(
            f"git is not installed (no {program!r} program on PATH): codewalk needs it to fetch, "
            "record and verify source",
            hint="install git, or put it on PATH; what is already in the cache is read without it",
        )
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return GitMissing(f"git cannot be run ({first})", hint="check the git on PATH (git --version)")


try:
    import git
except ImportError as error:  # GitPython refuses to load without a git program to run
    raise _git_missing(error) from None

DEFAULT_TIMEOUT_S = 120.0
MIRROR_ENV = "CODEWALK_GIT_MIRROR"
UPSTREAM_PREFIX = "https://github.com/"

# Fixed identity and dates: the same release files always make the same commit id.
_RELEASE_ENV = {
    "GIT_AUTHOR_NAME": "codewalk",
    "GIT_AUTHOR_EMAIL": "codewalk@localhost",
    "GIT_COMMITTER_NAME": "codewalk",
    "GIT_COMMITTER_EMAIL": "codewalk@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00 +0000",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00 +0000",
}
_NETWORK_SIGNS = (
    "could not resolve host",
    "unable to access",
    "failed to connect",
    "connection timed out",
    "connection refused",
    "network is unreachable",
    "could not read from remote repository",
    "operation timed out",
    "timed out",
    "proxy",
    "ssl",
    "tls",
)


class GitSource:
    """The pinned tag, fetched shallowly and checked against the pinned commit."""

    kind = SourceKind.GIT

    def build(self, pin: Pin, tree: Path, reporter: Reporter) -> Manifest:
        url = effective_url(pin)
        reporter.phase(f"fetching {pin.tag} from {redact_url(url)}")
        head, upstream = fetch_pinned(pin, tree, url=url, timeout=git_timeout())
        return Manifest(
            repo=pin.name,
            kind=self.kind.value,
            commit=head,
            upstream_commit=upstream,
            tag=pin.tag,
            release=pin.release,
            origin=redact_url(url),
        )

    def verify(self, pin: Pin, tree: Path, manifest: Manifest) -> str | None:
        problem = verify_tree(tree, manifest.commit)
        if problem is None and pin.commit and manifest.upstream_commit != pin.commit:
            problem = f"it holds {manifest.upstream_commit}, not the pinned {pin.commit}"
        return problem


def git_timeout() -> float:
    """Seconds a git fetch may take: ``CODEWALK_GIT_TIMEOUT``, else the default."""
    raw = os.environ.get("CODEWALK_GIT_TIMEOUT", "")
    try:
        seconds = float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        seconds = -1.0
    if not seconds > 0:  # also NaN
        raise CodewalkError(f"CODEWALK_GIT_TIMEOUT={raw!r} is not a positive number of seconds")
    return seconds


def _git_env() -> dict[str, str]:
    return {
        "GIT_ALLOW_PROTOCOL": ":".join(ALLOWED_SCHEMES),
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
        "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=20"),
        "GIT_HTTP_LOW_SPEED_LIMIT": "1000",
        "GIT_HTTP_LOW_SPEED_TIME": "30",
    }


def _work_tree(root: Path) -> git.Repo | None:
    """The repository of the work tree at ``root`` (not of a directory above it), or
    None when there is none."""
    try:
        return git.Repo(root, search_parent_directories=False)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


@contextmanager
def _running(repo: git.Repo, **env: str) -> Iterator[git.Git]:
    """``repo``'s git, run in codewalk's environment (and ``env``); the repository is
    closed after, whatever happens."""
    try:
        with repo.git.custom_environment(**_git_env(), **env):
            yield repo.git
    finally:
        repo.close()


def effective_url(pin: Pin) -> str:
    """The URL to fetch: the pin's, with ``https://github.com/`` replaced by the mirror
    prefix in ``CODEWALK_GIT_MIRROR`` when one is set. Refuses unsafe transports."""
    url = pin.url
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if mirror and url.startswith(UPSTREAM_PREFIX):
        url = mirror.rstrip("/") + "/" + url[len(UPSTREAM_PREFIX) :]
    check_url(url, where=f"{MIRROR_ENV}" if mirror and url != pin.url else f"[{pin.name}].url")
    return url


def check_url(url: str, *, where: str) -> None:
    scheme = url_scheme(url)
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeURLError(
            f"{where}: refusing git transport {scheme or 'none'!r} in {redact_url(url)!r}",
            hint="codewalk fetches only over https, ssh, git or file URLs",
        )


def fetch_pinned(
    pin: Pin,
    dest: Path,
    *,
    url: str,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> tuple[str, str]:
    """Fetch the pinned tag shallowly (its one commit, no history) into a new
    repository at ``dest`` and check it out. Returns ``(head_commit, upstream_commit)``,
    equal here.

    The tag is what a human pinned; the commit, when set, is what it must be. A tag
    that now points elsewhere (moved upstream, or a mirror serving other history) is
    a VerificationError naming both, never silently accepted. NetworkError when the
    remote can't be reached (callers may fall back to the release).
    """
    check_url(url, where=f"[{pin.name}].url")
    repo = git.Repo.init(dest)
    want = f"refs/tags/{pin.tag}"
    try:
        with _running(repo) as run:
            # By URL, not through a named remote: a mirror's credentials stay out of
            # the cached repository's config.
            run.fetch("--depth=1", "--no-tags", url, want, kill_after_timeout=timeout)
            run.checkout("--detach", "--quiet", "FETCH_HEAD")
            head = str(repo.head.commit.hexsha)
    except git.GitCommandError as exc:
        raise _classify(exc, url, want, timeout) from None
    if pin.commit and head != pin.commit:
        raise VerificationError(
            f"[{pin.name}]: tag {pin.tag} at {redact_url(url)} is commit {head}, "
            f"not the pinned commit {pin.commit}",
            hint="the tag moved upstream, or the mirror serves other history; check the pin and the mirror",
        )
    return head, head


def _classify(exc: git.GitCommandError, url: str, want: str, timeout: float) -> SourceError:
    stderr = redact_text(_stderr_text(exc), url)
    url = redact_url(url)
    text = stderr.lower()
    if isinstance(exc.status, int) and exc.status < 0:  # killed by kill_after_timeout
        return NetworkError(f"git fetch from {url} was stopped after {timeout:.0f} s")
    if "couldn't find remote ref" in text or "not our ref" in text or "unadvertised object" in text:
        return SourceError(f"{url} has no {want}: {stderr}", hint="check tag/commit in vendor_pins.toml")
    if "transport" in text and "not allowed" in text:
        return UnsafeURLError(f"git refused the transport of {url!r}: {stderr}")
    if any(sign in text for sign in _NETWORK_SIGNS) or "does not appear to be a git repository" in text:
        return NetworkError(f"cannot reach {url}: {stderr or exc}")
    return SourceError(f"git failed on {url}: {stderr or exc}")


def _stderr_text(exc: git.GitCommandError) -> str:
    """git's own message, without GitPython's ``stderr: '...'`` wrapping."""
    text = str(exc.stderr or "").strip()
    if text.startswith("stderr:"):
        text = text[len("stderr:") :].strip().strip("'")
    lines = [line.strip().removeprefix("fatal: ").removeprefix("error: ") for line in text.splitlines()]
    return "; ".join(line for line in lines if line)


def commit_tree(root: Path, message: str) -> str:
    """Make ``root`` (unpacked release files) a repository with one commit of all of
    them; returns the commit id (deterministic for the same files)."""
    repo = git.Repo.init(root)
    try:
        with _running(repo, **_RELEASE_ENV) as run:
            run.add("--all", "--force", ".")
            # The user's git config may hold hooks or signing; neither belongs here.
            run.execute(
                [
                    "git",
                    "-c",
                    f"core.hooksPath={os.devnull}",
                    "commit",
                    "--quiet",
                    "--no-verify",
                    "--no-gpg-sign",
                    "-m",
                    message,
                ]
            )
            return str(repo.head.commit.hexsha)
    except git.GitCommandError as exc:
        raise SourceError(f"{root}: cannot record the release files in git: {_stderr_text(exc)}") from None


def tree_id(root: Path, path: str) -> str:
    """The git tree id of directory ``path`` (relative) at HEAD of the repository at
    ``root``; "" when HEAD has no such directory."""
    try:
        with _running(git.Repo(root)) as run:
            return str(run.rev_parse(f"HEAD:{path}"))
    except git.GitCommandError:
        return ""


def restore_file(root: Path, path: str) -> str | None:
    """Put ``path`` of the work tree at ``root`` back as HEAD has it; what went wrong,
    or None."""
    repo = _work_tree(root)
    if repo is None:
        return "not a git work tree"
    try:
        with _running(repo) as run:
            run.checkout("HEAD", "--", path)
    except git.GitCommandError as exc:
        return _stderr_text(exc) or str(exc)
    return None


# What git says when its repository is damaged, as opposed to when the machine refuses
# it something (a full disk, a read-only mount, memory): only the first is damage.
_DAMAGE_SIGNS = ("corrupt", "bad signature", "bad object", "bad index", "not a valid object")
_DISK_FULL_SIGNS = ("no space left", "out of diskspace", "disk quota exceeded")


def verify_tree(root: Path, expected_head: str) -> str | None:
    """None when ``root`` is a clean work tree at ``expected_head``; else what is wrong
    with it (damage: not a repository, another HEAD, modified files, git's own data
    corrupt). When git cannot do its work for another reason (the disk is full, the
    file system read-only), that says nothing of the tree: a CacheError, never damage."""
    repo = _work_tree(root)
    if repo is None:
        return "not a git work tree"
    try:
        with _running(repo) as run:
            head = repo.head.commit.hexsha
            if head != expected_head:
                return f"HEAD is {head}, expected {expected_head}"
            changed = run.status("--porcelain", "--untracked-files=all")
    except ValueError as exc:  # HEAD names nothing git can read
        return f"git cannot read its HEAD: {exc}"
    except git.GitCommandError as exc:
        said = _stderr_text(exc) or str(exc)
        if any(sign in said.lower() for sign in _DAMAGE_SIGNS):
            return f"git cannot read it: {said}"
        raise _cannot_check(root, said) from None
    if changed.strip():
        first = changed.strip().splitlines()[0]
        return f"files were modified ({first.strip()}, ...)"
    return None


def _cannot_check(root: Path, said: str) -> CacheError:
    """Git could not check the tree at ``root`` for a reason of the machine's."""
    entry = root.parent
    if any(sign in said.lower() for sign in _DISK_FULL_SIGNS):
        return CacheError(
            f"the disk is full: git could not check the cached entry {entry.name} ({said}); "
            "the entry is kept as it is",
            hint=DISK_FULL_HINT,
        )
    return CacheError(
        f"git could not check the cached entry {entry.name}: {said}; the entry is kept as it is",
        hint=f"if it is damaged, delete {entry} and run `codewalk sync` again",
    )


def describe(root: Path) -> tuple[str, bool, tuple[str, ...]]:
    """``(head_commit, dirty, tags_at_head)`` of a user's checkout; head is "" when
    ``root`` is not a git work tree."""
    repo = _work_tree(root)
    if repo is None:
        return "", False, ()
    try:
        with _running(repo) as run:
            head = repo.head.commit.hexsha
            dirty = repo.is_dirty(untracked_files=False)
            tags = tuple(run.tag("--points-at", "HEAD").split())
        return head, dirty, tags
    except (git.GitCommandError, ValueError):
        return "", False, ()
