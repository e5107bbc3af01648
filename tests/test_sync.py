"""Getting the pinned source: git against local repositories, the release fallback
against a package index on disk, the cache's recovery and locking."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.cli.main import main
from codewalk.errors import CodewalkError, NetworkError, SourceError, UnsafeURLError, VerificationError
from codewalk.source import cache, cached, gitsource
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.source.pins import Pin, load_pins
from codewalk.source.sync import ensure_checkout, local_checkout
from tests.sourcefixtures import (
    SilentServer,
    Upstream,
    git,
    make_index,
    make_sdist,
    make_upstream,
    write_pins,
)


def scratch_leftovers() -> list[Path]:
    """What builds left in the cache's scratch space (empty per-repo dirs aside)."""
    return [p for p in (Path(os.environ["CODEWALK_HOME"]) / "tmp").glob("*/*")]


@pytest.fixture
def upstream(tmp_path: Path) -> Upstream:
    return make_upstream(tmp_path / "remote")


def pin_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, url: str, commit: str = "") -> Pin:
    path = write_pins(tmp_path / "vendor_pins.toml", url=url, commit=commit)
    monkeypatch.setenv("CODEWALK_PINS", str(path))
    return load_pins(path)["transformers"]


@pytest.fixture
def local_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_index(tmp_path / "index", make_sdist())
    monkeypatch.setenv("PIP_INDEX_URL", url)
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    return url


# --- git -------------------------------------------------------------------------------


def test_fetches_the_pinned_commit_shallow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.commit)
    outcome = ensure_checkout(pin, mode="git")
    checkout = outcome.checkout
    assert outcome.downloaded
    assert checkout.kind is SourceKind.GIT
    assert checkout.commit == checkout.upstream_commit == upstream.commit
    assert (checkout.root / "src/transformers/models/llama/modeling_llama.py").is_file()
    assert not (checkout.root / "src/transformers/later.py").exists()  # the pin, not main
    assert git(checkout.root, "rev-list", "--count", "HEAD") == "1"  # shallow
    assert checkout.label == f"v5.23.0 (commit {upstream.commit})"


def test_fetches_by_tag_when_no_commit_is_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url)
    checkout = ensure_checkout(pin, mode="git").checkout
    assert checkout.commit == upstream.commit


def test_second_sync_reuses_the_verified_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.commit)
    ensure_checkout(pin, mode="git")
    again = ensure_checkout(pin, mode="git")
    assert not again.downloaded
    assert again.notes == []


def test_commit_mismatch_fails_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.later_commit)
    with pytest.raises(VerificationError) as caught:
        ensure_checkout(pin, mode="git")
    message = str(caught.value)
    assert f"tag v5.23.0 at {upstream.url} is commit {upstream.commit}" in message
    assert f"not the pinned commit {upstream.later_commit}" in message
    assert cached.current(pin) is None  # nothing half-trusted left behind
    assert scratch_leftovers() == []


def test_moved_tag_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.commit)
    git(upstream.bare, "tag", "--force", "v5.23.0", upstream.later_commit)
    with pytest.raises(VerificationError, match=f"is commit {upstream.later_commit}, not the pinned"):
        ensure_checkout(pin, mode="auto")  # a verification failure is never a fallback


def test_cached_entry_at_another_commit_is_refetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.commit)
    checkout = ensure_checkout(pin, mode="git").checkout
    git(checkout.root, "fetch", "-q", upstream.url, upstream.later_commit)
    git(checkout.root, "checkout", "-q", "--detach", upstream.later_commit)
    outcome = ensure_checkout(pin, mode="git")
    assert outcome.downloaded
    assert "damaged" in outcome.notes[0] and "HEAD is" in outcome.notes[0]
    assert git(outcome.checkout.root, "rev-parse", "HEAD") == upstream.commit


def test_mirror_prefix_rewrites_github_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    mirror_root = tmp_path / "mirror"
    (mirror_root / "huggingface").mkdir(parents=True)
    os.replace(upstream.bare, mirror_root / "huggingface" / "transformers.git")
    pin = pin_for(
        tmp_path, monkeypatch, url="https://github.com/huggingface/transformers.git", commit=upstream.commit
    )
    monkeypatch.setenv("CODEWALK_GIT_MIRROR", mirror_root.as_uri() + "/")
    assert gitsource.effective_url(pin) == (mirror_root / "huggingface" / "transformers.git").as_uri()
    checkout = ensure_checkout(pin, mode="git").checkout
    assert checkout.commit == upstream.commit


def test_mirror_with_unsafe_transport_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pin = pin_for(tmp_path, monkeypatch, url="https://github.com/huggingface/transformers.git")
    monkeypatch.setenv("CODEWALK_GIT_MIRROR", "ext::sh -c touch% /tmp/pwned% >&2")
    with pytest.raises(UnsafeURLError, match="CODEWALK_GIT_MIRROR: refusing git transport 'ext'"):
        gitsource.effective_url(pin)


@pytest.mark.parametrize("url", ["ext::sh -c touch% /tmp/pwned", "fd::17", "EXT::sh"])
def test_unsafe_transports_are_refused_whatever_the_url_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url="file:///nowhere")
    with pytest.raises(UnsafeURLError, match="refusing git transport"):
        gitsource.fetch_pinned(pin, tmp_path / "t", url=url)
    assert not (tmp_path / "t").exists()


def test_git_itself_refuses_ext_even_past_our_check(tmp_path: Path) -> None:
    """GIT_ALLOW_PROTOCOL is set on every git process: a URL smuggled past the check
    (here, straight to git) is still refused by git."""
    import git as gitpython

    marker = tmp_path / "pwned"
    repo = gitpython.Repo.init(tmp_path / "r")
    with repo.git.custom_environment(**gitsource._git_env()), pytest.raises(gitpython.GitCommandError):
        repo.git.fetch(f"ext::sh -c touch% {marker}", "main")
    assert not marker.exists()


def test_unreachable_git_host_is_a_network_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=(tmp_path / "missing.git").as_uri())
    with pytest.raises(NetworkError, match="cannot reach"):
        ensure_checkout(pin, mode="git")
    assert cached.current(pin) is None


def test_missing_tag_is_not_mistaken_for_an_outage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url)
    nowhere = pin._replace(tag="v9.9.9")
    with pytest.raises(SourceError, match=r"has no refs/tags/v9\.9\.9") as caught:
        ensure_checkout(nowhere, mode="auto")
    assert not isinstance(caught.value, NetworkError)


# --- cache recovery and locking ---------------------------------------------------------


def test_half_written_entry_is_redone_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.commit)
    entry = cache.entry_dir(pin, SourceKind.GIT)
    (entry / "tree" / "src").mkdir(parents=True)  # an interrupted run: files, no manifest
    (entry / "tree" / "src" / "partial.py").write_text("x = ")
    leftover = cache.make_scratch(pin.name)
    (leftover / "junk").write_text("half a download")
    assert cached.current(pin) is None  # the fast path never trusts it
    outcome = ensure_checkout(pin, mode="git")
    assert outcome.downloaded
    assert "no readable manifest" in outcome.notes[0]
    assert not (outcome.checkout.root / "src" / "partial.py").exists()
    assert not leftover.exists()


def test_modified_tree_is_detected_and_kept_until_a_new_one_replaces_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.commit)
    checkout = ensure_checkout(pin, mode="git").checkout
    target = checkout.root / "src/transformers/models/llama/modeling_llama.py"
    target.write_text("# edited by hand\n")
    upstream.bare.rename(upstream.bare.with_name("moved.git"))  # offline
    with pytest.raises(SourceError):
        ensure_checkout(pin, mode="git")
    assert cached.current(pin) == checkout  # what the cache held is still there to read
    assert (checkout.root / "src/transformers/__init__.py").read_text() == '__version__ = "5.23.0"\n'
    upstream.bare.with_name("moved.git").rename(upstream.bare)
    outcome = ensure_checkout(pin, mode="git")  # online again: replaced, whole
    assert outcome.downloaded
    assert "files were modified" in outcome.notes[0]
    assert "edited by hand" not in target.read_text()
    assert scratch_leftovers() == []


def test_two_concurrent_syncs_make_one_good_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.commit)
    env = {**os.environ, "CODEWALK_SOURCE": "git"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "codewalk", "sync", "transformers"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(*proc.communicate(timeout=120), proc.returncode) for proc in procs]
    assert [code for _, _, code in results] == [0, 0], results
    states = sorted(out.splitlines()[0].rsplit(": ", 1)[1] for out, _, _ in results)
    assert states == ["already in the cache, verified", "downloaded"]
    entries = list((Path(os.environ["CODEWALK_HOME"]) / "sources" / "transformers").iterdir())
    assert [e.name for e in entries] == [f"git-{upstream.commit}"]
    assert gitsource.verify_tree(entries[0] / "tree", upstream.commit) is None
    assert scratch_leftovers() == []


# --- the release fallback ----------------------------------------------------------------


def test_falls_back_to_the_release_when_git_is_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_index: str
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=(tmp_path / "unreachable.git").as_uri())
    outcome = ensure_checkout(pin)
    checkout = outcome.checkout
    assert checkout.kind is SourceKind.RELEASE
    assert "git host unreachable" in outcome.notes[0]
    assert checkout.label == "release transformers 5.23.0 (source distribution)"
    assert checkout.upstream_commit == ""  # never claims an upstream commit
    assert (checkout.root / "src/transformers/models/llama/modeling_llama.py").is_file()
    assert gitsource.verify_tree(checkout.root, checkout.commit) is None
    again = ensure_checkout(pin)
    assert not again.downloaded and again.checkout.commit == checkout.commit


def test_release_commit_is_deterministic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_index: str
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url="https://github.com/huggingface/transformers.git")
    first = ensure_checkout(pin, mode="release").checkout.commit
    cache.discard(cache.entry_dir(pin, SourceKind.RELEASE))
    assert ensure_checkout(pin, mode="release").checkout.commit == first


def test_release_hash_mismatch_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = make_index(tmp_path / "index", make_sdist(), listed_sha256=hashlib.sha256(b"other").hexdigest())
    monkeypatch.setenv("PIP_INDEX_URL", url)
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    pin = pin_for(tmp_path, monkeypatch, url="https://github.com/huggingface/transformers.git")
    with pytest.raises(VerificationError, match="does not match the index's"):
        ensure_checkout(pin, mode="release")
    assert cached.current(pin) is None
    assert scratch_leftovers() == []


def test_release_without_published_hash_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", make_index(tmp_path / "index", make_sdist(), listed_sha256=""))
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    pin = pin_for(tmp_path, monkeypatch, url="https://github.com/huggingface/transformers.git")
    with pytest.raises(VerificationError, match="without a sha256"):
        ensure_checkout(pin, mode="release")


def test_release_that_escapes_its_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("transformers-5.23.0/src/transformers/evil")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)
    monkeypatch.setenv("PIP_INDEX_URL", make_index(tmp_path / "index", buffer.getvalue()))
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    pin = pin_for(tmp_path, monkeypatch, url="https://github.com/huggingface/transformers.git")
    with pytest.raises(SourceError, match="cannot unpack"):
        ensure_checkout(pin, mode="release")


def test_no_reachable_index_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "no-index").as_uri())
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    pin = pin_for(tmp_path, monkeypatch, url=(tmp_path / "unreachable.git").as_uri())
    with pytest.raises(NetworkError, match="no package index could be reached"):
        ensure_checkout(pin)


# --- the user's own checkout ---------------------------------------------------------------


def test_local_checkout_names_its_commit_and_warns_off_pin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.commit)
    outcome = local_checkout(pin, upstream.work)  # work is at the later commit
    assert outcome.checkout.kind is SourceKind.LOCAL
    assert outcome.checkout.commit == upstream.later_commit
    assert f"not the pinned v5.23.0 ({upstream.commit[:12]})" in outcome.notes[0]
    git(upstream.work, "checkout", "-q", "v5.23.0")
    assert local_checkout(pin, upstream.work).notes == []


def test_local_checkout_without_the_package_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url="https://github.com/huggingface/transformers.git")
    with pytest.raises(SourceError, match="no src/transformers/ inside"):
        local_checkout(pin, tmp_path)


# --- the real release, from the package index --------------------------------------------


@pytest.mark.release
def test_real_release_is_in_the_cache_and_labelled_honestly(transformers_checkout: Checkout) -> None:
    checkout = transformers_checkout
    assert checkout.kind is SourceKind.RELEASE
    assert checkout.label == "release transformers 5.23.0 (source distribution)"
    assert checkout.permalink_ref == "v5.23.0"
    assert (checkout.root / "src/transformers/models/llama/modeling_llama.py").is_file()
    assert sum(1 for _ in checkout.package_dir().joinpath("transformers").rglob("*.py")) == 2860
    assert gitsource.verify_tree(checkout.root, checkout.commit) is None


def test_permalinks_name_what_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.commit)
    assert ensure_checkout(pin, mode="git").checkout.permalink_ref == upstream.commit
    # A local checkout elsewhere in history links to its own commit, not the pin's tag.
    assert local_checkout(pin, upstream.work).checkout.permalink_ref == upstream.later_commit


def test_scratch_of_another_repo_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "foo" cleaning up after itself must not touch the scratch of a concurrent "foo-bar".
    other = cache.make_scratch("foo-bar")
    mine = cache.make_scratch("foo")
    cache.clear_scratch("foo")
    assert other.is_dir() and not mine.exists()


@pytest.mark.parametrize("value", ["0", "-5", "nan", "soon"])
def test_git_timeout_must_be_positive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream, value: str
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url)
    monkeypatch.setenv("CODEWALK_GIT_TIMEOUT", value)
    with pytest.raises(CodewalkError, match="is not a positive number of seconds"):
        ensure_checkout(pin, mode="git")


def test_index_credentials_go_in_a_header_and_never_in_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codewalk.source import package_index

    bare, header = package_index.split_credentials("https://user:s%40cret@index.example/simple/")
    assert bare == "https://index.example/simple/"
    import base64

    assert base64.b64decode(header.removeprefix("Basic ")) == b"user:s@cret"
    # An unreachable private index: the error names it, without the password.
    monkeypatch.setenv("PIP_INDEX_URL", "http://user:s3cret@127.0.0.1:9/simple/")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    pin = pin_for(tmp_path, monkeypatch, url="https://github.com/huggingface/transformers.git")
    with pytest.raises(NetworkError) as caught:
        ensure_checkout(pin, mode="release")
    assert "http://user:****@127.0.0.1:9/simple/transformers/" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_mirror_credentials_stay_out_of_messages_and_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    pin = pin_for(tmp_path, monkeypatch, url="https://github.com/huggingface/transformers.git")
    monkeypatch.setenv("CODEWALK_GIT_MIRROR", "https://token123@127.0.0.1:9/")
    with pytest.raises(NetworkError) as caught:
        ensure_checkout(pin, mode="git")
    assert "token123" not in str(caught.value) and "https://****@127.0.0.1:9/" in str(caught.value)
    # A successful fetch through a mirror records no secret either.
    mirror_root = tmp_path / "mirror"
    (mirror_root / "huggingface").mkdir(parents=True)
    os.replace(upstream.bare, mirror_root / "huggingface" / "transformers.git")
    monkeypatch.setenv("CODEWALK_GIT_MIRROR", mirror_root.as_uri() + "/")
    checkout = ensure_checkout(pin, mode="git").checkout
    assert "url" not in (checkout.root / ".git" / "config").read_text()


def test_local_checkout_warnings_show_once_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream, capsys: pytest.CaptureFixture[str]
) -> None:
    from codewalk.source import sync

    pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.commit)
    monkeypatch.setattr(sync, "_shown_notes", set())
    sync.open_checkout("transformers", str(upstream.work))
    sync.open_checkout("transformers", str(upstream.work))
    err = capsys.readouterr().err
    assert err.count("not the pinned v5.23.0") == 1


# --- no git on PATH ----------------------------------------------------------------------


def _without_git(**extra: str) -> dict[str, str]:
    """This environment with a PATH that holds Python but no git program."""
    env = {**os.environ, **extra, "PATH": str(Path(sys.executable).parent)}
    env.pop("GIT_PYTHON_GIT_EXECUTABLE", None)
    return env


def _codewalk(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codewalk", *argv], env=env, capture_output=True, text=True, timeout=120
    )


def test_without_git_a_fetch_says_git_is_not_installed_and_the_cache_still_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upstream: Upstream
) -> None:
    assert not any((Path(sys.executable).parent / name).exists() for name in ("git", "git.exe"))
    pin = pin_for(tmp_path, monkeypatch, url=upstream.url, commit=upstream.commit)
    ensure_checkout(pin, mode="git")  # what the cache held before git went away
    env = _without_git()
    done = _codewalk(env, "sync", "transformers@5.24.0")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "codewalk: error: git is not installed (no 'git' program on PATH): codewalk needs it to fetch, "
        "record and verify source",
        "  hint: install git, or put it on PATH; what is already in the cache is read without it",
    ]
    found = _codewalk(env, "find", "LlamaModel", "--no-color")
    assert found.returncode == 0, found.stderr
    assert "src/transformers/models/llama/modeling_llama.py:1" in found.stdout


def test_without_git_a_local_checkout_is_read_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_for(tmp_path, monkeypatch, url="https://example.invalid/t.git")
    root = tmp_path / "mine"
    (root / "src" / "transformers").mkdir(parents=True)
    (root / "src" / "transformers" / "__init__.py").write_text("def hello():\n    return 1\n")
    done = _codewalk(_without_git(), "find", "hello", "--source", str(root), "--no-color")
    assert done.returncode == 0, done.stderr
    assert "src/transformers/__init__.py:1" in done.stdout
    assert f"codewalk: {root}: git is not installed" in done.stderr


# --- a package index that accepts and never answers ------------------------------------


@pytest.fixture
def silent_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SilentServer]:
    server = SilentServer()
    write_pins(tmp_path / "vendor_pins.toml", url="https://example.invalid/transformers.git")
    monkeypatch.setenv("CODEWALK_PINS", str(tmp_path / "vendor_pins.toml"))
    monkeypatch.setenv("CODEWALK_SOURCE", "release")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", server.url)
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    for name in ("PIP_TIMEOUT", "PIP_DEFAULT_TIMEOUT"):  # pip's own default, whatever this machine sets
        monkeypatch.delenv(name, raising=False)
    yield server
    server.close()


def _started(*argv: str) -> subprocess.Popen[str]:
    """``codewalk ARGV`` started, its stderr read through a pipe, ctrl+c reaching it as
    from a terminal."""
    import signal

    def as_from_a_terminal() -> None:  # ctrl+c reaches it whatever this process does with it
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    return subprocess.Popen(
        [sys.executable, "-m", "codewalk", *argv],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        preexec_fn=as_from_a_terminal,
    )


def _said(process: subprocess.Popen[str], text: str) -> list[str]:
    """The lines of ``process``'s stderr up to the first holding ``text``, read as they
    come; an AssertionError naming them if its stderr ends first."""
    assert process.stderr is not None
    lines: list[str] = []
    for line in process.stderr:
        lines.append(line.rstrip("\n"))
        if text in line:
            return lines
    raise AssertionError(f"{text!r} not said before the process ended: {lines}")


def test_a_silent_index_is_said_while_it_is_waited_on_and_ctrl_c_ends_the_fetch_at_once(
    silent_index: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sync`` from an index that takes the connection and never answers: the reader is
    told what is waited on while the fetch waits, and ctrl+c ends it then (130), not when
    the index is given up. The notice is an event read as it comes, which the process
    giving the index up would end: how long a loaded machine takes to start a Python is
    not what is asked, and how soon the notice comes is codewalk's clock's to say
    (``test_a_silence_is_told_after_two_seconds_on_the_clock_once``)."""
    import re
    import signal

    monkeypatch.setenv("PYTHONFAULTHANDLER", "1")  # a child that hangs says where, on SIGABRT
    monkeypatch.setenv("PIP_TIMEOUT", "120")  # given up long after ctrl+c, however loaded the machine
    process = _started("sync")
    try:
        lines = _said(process, "waiting for the package index at " + silent_index.url + "transformers/")
        assert re.search(
            r": no answer for \d+ s \(given up after 120 s of silence; PIP_TIMEOUT sets it\)$", lines[-1]
        )
        assert silent_index.connections == 1
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=10)  # at once: the index would be waited on for 120 s
        except subprocess.TimeoutExpired:  # (a full run once saw this, never a run of fewer tests)
            process.send_signal(signal.SIGABRT)
            process.wait(timeout=5)
            assert process.stderr is not None
            where = "\n".join(process.stderr.read().splitlines()[-80:])
            said = f"sync went on for 10 s after ctrl+c; its stderr, threads last:\n{where}"
            raise AssertionError(said) from None
        assert code == 130
        assert process.stderr is not None
        assert "codewalk: interrupted" in process.stderr.read()
    finally:
        process.kill()
        process.wait()


def test_a_silent_index_is_given_up_after_the_timeout_and_sync_fails(
    silent_index: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given up after PIP_TIMEOUT (pip's default, 15 s, is said by the test above), the
    process ends in an error naming the index."""
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    process = _started("sync")
    try:
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 2
    lines = err.splitlines()
    assert f"no package index could be reached for transformers==5.23.0: {silent_index.url}" in lines[-2]
    assert lines[-2].endswith("transformers/: no answer in 2 s")


def test_a_silence_is_told_after_two_seconds_on_the_clock_once() -> None:
    """What a silent index is waited on for is told once its silence has lasted two
    seconds (WAIT_NOTICE_S) on the clock, not before, once however long it goes on, and
    again after bytes came and the index fell silent again."""
    from codewalk.source.package_index import WAIT_NOTICE_S, Silence

    now = [100.0]
    told: list[str] = []
    what = "the package index at http://index.invalid/simple/x/"
    silence = Silence(what, told.append, 15.0, lambda: now[0])
    said = (
        "waiting for the package index at http://index.invalid/simple/x/: no answer for 2 s"
        " (given up after 15 s of silence; PIP_TIMEOUT sets it)"
    )
    for at in (100.0, 101.0, 101.99):
        now[0] = at
        silence.check()
    assert told == []
    for at in (100.0 + WAIT_NOTICE_S, 105.0, 114.0):
        now[0] = at
        silence.check()
    assert told == [said]
    silence.heard()
    now[0] = 115.9
    silence.check()
    assert told == [said]
    now[0] = 116.0
    silence.check()
    assert told == [said, said]


def test_pip_timeout_sets_how_long_a_silent_index_is_waited_for(
    silent_index: SilentServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PIP_TIMEOUT", "1.5")
    assert main(["sync"]) == 2
    assert "transformers/: no answer in 1.5 s" in capsys.readouterr().err
    monkeypatch.setenv("PIP_TIMEOUT", "soon")
    assert main(["sync"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "codewalk: error: PIP_TIMEOUT='soon' is not a number of seconds the package index may take"
    )


def test_a_download_in_a_log_says_a_line_a_second_at_most_and_its_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In a log (not a terminal), a fast download is one line at its start and one at its
    end, not a line for every tenth; a slow one a line a second at most."""
    import io

    from codewalk.source import reporter

    clock = [100.0]
    monkeypatch.setattr(reporter.time, "monotonic", lambda: clock[0])
    log = io.StringIO()
    say = reporter.TerminalReporter(log)
    say.phase("downloading fast.tar.gz")
    for done in range(0, 11):
        clock[0] += 0.01
        say.transfer(done * 1_000_000, 10_000_000)
    say.phase("downloading slow.tar.gz")
    for done in range(0, 11):
        clock[0] += 0.6
        say.transfer(done * 1_000_000, 10_000_000)
    lines = log.getvalue().splitlines()
    fast = lines[1 : lines.index("codewalk: downloading slow.tar.gz")]
    slow = lines[lines.index("codewalk: downloading slow.tar.gz") + 1 :]
    assert [line.split(" MB")[0].strip() for line in fast] == ["0.0", "10.0"]
    assert [line.split(" MB")[0].strip() for line in slow] == ["0.0", "2.0", "4.0", "6.0", "8.0", "10.0"]


class _Terminal:
    """A stderr that says it is a terminal, keeping what is written to it."""

    def __init__(self) -> None:
        import io

        self.text = io.StringIO()

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return self.text.write(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("no_color", [False, True])
def test_no_color_reaches_the_download_bar(monkeypatch: pytest.MonkeyPatch, no_color: bool) -> None:
    """``--no-color`` means what ``NO_COLOR`` means for the download bar on a terminal
    too (rich's: it coloured the bar grey and the size green whatever the option said)."""
    from codewalk import color
    from codewalk.source import sync

    monkeypatch.setattr(color, "_switched_off", False)  # the option's effect ends with the test
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    def downloads(pin: Pin, *, mode: str, reporter: sync.Reporter) -> None:
        reporter.phase("downloading transformers.tar.gz")
        reporter.transfer(5_000_000, 10_000_000)
        reporter.transfer(10_000_000, 10_000_000)
        raise CodewalkError("stopped after the download")

    monkeypatch.setattr(sync, "ensure_checkout", downloads)
    assert main(["sync", "transformers", *(["--no-color"] if no_color else [])]) == 2
    written = terminal.text.getvalue()
    assert "10.0/10.0 MB" in written
    colours = [code for code in ("\x1b[32m", "\x1b[90m", "\x1b[31m", "\x1b[38;") if code in written]
    assert bool(colours) is not no_color, colours


def test_no_color_of_one_command_is_not_the_next_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run in one process (a test, a caller of ``main``): ``--no-color`` holds
    for its own command only."""
    from codewalk import color

    monkeypatch.setattr(color, "_switched_off", False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    terminal = _Terminal()
    main(["pins", "--no-color"])
    assert not color.use_color(terminal)  # type: ignore[arg-type]
    main(["pins"])
    assert color.use_color(terminal)  # type: ignore[arg-type]


def test_piped_output_is_coloured_but_not_into_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tour --plain | less -R`` keeps its colours; ``tour --plain > tour.txt`` writes
    plain text (a file is no pager)."""
    from codewalk import color

    monkeypatch.setattr(color, "_switched_off", False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    read, write = os.pipe()
    with open(tmp_path / "tour.txt", "w") as into_file, os.fdopen(write, "w") as into_pipe:
        assert not color.use_color(into_file, piped=True)
        assert color.use_color(into_pipe, piped=True)
        assert not color.use_color(into_pipe)  # only tour's output is coloured when piped
    os.close(read)
