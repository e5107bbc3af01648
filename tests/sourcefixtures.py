"""Builders for synthetic upstream repositories and package indexes (no network).

A tiny stand-in for transformers: a git repository with ``src/transformers/...``, a bare
clone served as a ``file://`` remote, a source distribution of the same files, and a
PEP 503 simple index on disk that lists it with its sha256.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

FILES = {
    "src/transformers/__init__.py": '__version__ = "5.23.0"\n',
    "src/transformers/models/llama/modeling_llama.py": (
        "class LlamaModel:\n    def __init__(self, config):\n        self.layers = []\n"
    ),
}

_ENV = {
    "GIT_AUTHOR_NAME": "Fixture",
    "GIT_AUTHOR_EMAIL": "fixture@example.invalid",
    "GIT_COMMITTER_NAME": "Fixture",
    "GIT_COMMITTER_EMAIL": "fixture@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00 +0000",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00 +0000",
    "HOME": "/nonexistent",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=_ENV, check=True, capture_output=True, text=True
    ).stdout.strip()


@dataclass
class Upstream:
    work: Path
    bare: Path
    url: str
    commit: str  # the commit tagged v5.23.0
    later_commit: str  # a later commit on main, not the pin


def make_upstream(root: Path, tag: str = "v5.23.0") -> Upstream:
    work = root / "upstream-work"
    work.mkdir(parents=True)
    git(work, "init", "-q", "-b", "main")
    for rel, text in FILES.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "release")
    git(work, "tag", tag)
    commit = git(work, "rev-parse", "HEAD")
    (work / "src/transformers/later.py").write_text("LATER = 1\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "later work")
    later = git(work, "rev-parse", "HEAD")
    bare = root / "upstream.git"
    git(root, "clone", "-q", "--bare", str(work), str(bare))
    return Upstream(work, bare, bare.as_uri(), commit, later)


def write_pins(path: Path, *, url: str, commit: str = "", tag: str = "v5.23.0") -> Path:
    path.write_text(
        "[transformers]\n"
        f'url = "{url}"\n'
        f'tag = "{tag}"\n'
        f'commit = "{commit}"\n'
        'package_root = "src"\n'
        'packages = ["transformers"]\n'
        'release = "transformers==5.23.0"\n'
    )
    return path


def make_sdist(files: dict[str, str] | None = None, top: str = "transformers-5.23.0") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for rel, text in (files or FILES).items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{rel}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def make_index(root: Path, sdist: bytes, *, listed_sha256: str | None = None) -> str:
    """A simple index at ``root`` listing ``sdist``; returns its file:// URL."""
    files = root / "files"
    files.mkdir(parents=True)
    (files / "transformers-5.23.0.tar.gz").write_bytes(sdist)
    digest = listed_sha256 if listed_sha256 is not None else hashlib.sha256(sdist).hexdigest()
    fragment = f"#sha256={digest}" if digest else ""
    page = root / "simple" / "transformers"
    page.mkdir(parents=True)
    (page / "index.html").write_text(
        "<!DOCTYPE html><html><body>\n"
        f'<a href="../../files/transformers-5.23.0.tar.gz{fragment}">transformers-5.23.0.tar.gz</a>\n'
        "</body></html>\n"
    )
    return (root / "simple").as_uri() + "/"


def index_with(root: Path, project: str, files: dict[str, bytes]) -> str:
    """A PEP 503 index on disk listing ``files`` (name -> bytes) of ``project`` with
    their sha256; returns its file:// URL."""
    store = root / "files"
    store.mkdir(parents=True, exist_ok=True)
    links = []
    for name, data in files.items():
        (store / name).write_bytes(data)
        links.append(f'<a href="../../files/{name}#sha256={hashlib.sha256(data).hexdigest()}">{name}</a>')
    page = root / "simple" / project
    page.mkdir(parents=True)
    (page / "index.html").write_text("<html><body>\n" + "\n".join(links) + "\n</body></html>\n")
    return (root / "simple").as_uri() + "/"


def pin_upstream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Upstream:
    """A git upstream of the tiny transformers, pinned (``CODEWALK_PINS``), fetched into
    the cache of this test's ``CODEWALK_HOME``."""
    from codewalk.source.pins import load_pins
    from codewalk.source.sync import ensure_checkout

    upstream = make_upstream(tmp_path / "remote")
    pins = write_pins(tmp_path / "vendor_pins.toml", url=upstream.url, commit=upstream.commit)
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    monkeypatch.setenv("CODEWALK_SOURCE", "git")
    ensure_checkout(load_pins(pins)["transformers"], mode="git")
    return upstream


def pin_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str = "SECRET_TOKENS = 1\n", name: str = "hub"
) -> None:
    """Another pin, ``hub`` (or ``name``: a git upstream of a package of that name whose
    ``__init__.py`` holds ``text``; ``SECRET_TOKENS`` by default), added to the pins file
    ``CODEWALK_PINS`` names, not in the cache yet; fetched from git."""
    hub = tmp_path / f"{name}-upstream"
    (hub / "src" / name).mkdir(parents=True)
    (hub / "src" / name / "__init__.py").write_text(text)
    git(hub, "init", "-q", "-b", "main")
    git(hub, "add", "-A")
    git(hub, "commit", "-q", "-m", name)
    git(hub, "tag", "v1.0")
    pins = Path(os.environ["CODEWALK_PINS"])
    pins.write_text(
        pins.read_text() + f'\n[{name}]\nurl = "{hub.as_uri()}"\ntag = "v1.0"\npackage_root = "src"\n'
        f'packages = ["{name}"]\nrelease = "{name}==1.0"\n'
    )
    monkeypatch.setenv("CODEWALK_SOURCE", "git")


class SilentServer:
    """A server on 127.0.0.1 that accepts every connection and never answers (a package
    index or proxy that hangs), in a thread of the test."""

    def __init__(self) -> None:
        import socket
        import threading

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/simple/"
        self._held: list[socket.socket] = []
        self.accepted: list[float] = []  # when each connection came (time.monotonic())
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:  # closed
                return
            self.accepted.append(time.monotonic())
            self._held.append(connection)  # held open, never read, never answered

    @property
    def connections(self) -> int:
        return len(self._held)

    def close(self) -> None:
        self._socket.close()
        for connection in self._held:
            connection.close()
