"""The package index client: find a release's files and download them, verified.

The index is the one the user already has configured for pip: ``PIP_INDEX_URL`` (and
``PIP_EXTRA_INDEX_URL``), else pip's own configuration files, else PyPI. A file is
found through the index's simple API (PEP 691 JSON, or PEP 503 HTML), downloaded and
checked against the sha256 the index publishes. Credentials in an index URL travel in
a header and never appear in a message.

An index that does not answer is given up after pip's own timeout (``PIP_TIMEOUT``,
else pip's configuration, else 15 s of silence), and after two seconds of silence the
reader is told what is being waited on (the ``waiting`` callback).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from codewalk.errors import CodewalkError, NetworkError, SourceError, VerificationError, system_words
from codewalk.source.urls import redact_url

DEFAULT_INDEX = "https://pypi.org/simple/"
DEFAULT_TIMEOUT_S = 15.0  # pip's own: seconds an index may stay silent before it is given up
WAIT_NOTICE_S = 2.0  # seconds of silence before the reader is told what is waited on
_CHUNK = 1 << 16

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)
Waiting = Callable[[str], None]  # told, in words, what a silent index is waited on for


@dataclass(frozen=True, slots=True)
class Distribution:
    filename: str
    url: str
    sha256: str
    index: str


def normalize(name: str) -> str:
    """PEP 503 project-name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sdist_filenames(name: str, version: str) -> tuple[str, ...]:
    """The names a source distribution of ``name==version`` may carry on an index."""
    underscored = re.sub(r"[-_.]+", "_", name)
    return tuple(dict.fromkeys(f"{n}-{version}.tar.gz" for n in (underscored.lower(), name, underscored)))


def configured_indexes() -> list[str]:
    """Index URLs in the order pip would consult them."""
    env = os.environ
    primary = env.get("PIP_INDEX_URL", "").strip()
    extras = env.get("PIP_EXTRA_INDEX_URL", "").split()
    if not primary or "PIP_EXTRA_INDEX_URL" not in env:
        config = _pip_config()
        primary = primary or config.get("index-url", "")
        if "PIP_EXTRA_INDEX_URL" not in env:
            extras = config.get("extra-index-url", "").split()
    indexes = [primary or DEFAULT_INDEX, *extras]
    return [url if url.endswith("/") else url + "/" for url in dict.fromkeys(indexes)]


def timeout() -> float:
    """Seconds the index may stay silent (to connect, or between two reads) before it is
    given up: pip's setting (``PIP_TIMEOUT``, ``PIP_DEFAULT_TIMEOUT``, ``timeout`` in its
    configuration), else pip's default."""
    for where in ("PIP_TIMEOUT", "PIP_DEFAULT_TIMEOUT"):
        raw = os.environ.get(where, "").strip()
        if raw:
            return _seconds(raw, where)
    config = _pip_config()
    for option in ("timeout", "default-timeout"):
        if config.get(option):
            return _seconds(config[option], f"pip's configuration ({option})")
    return DEFAULT_TIMEOUT_S


def _seconds(raw: str, where: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 1e6:  # also NaN and inf
        raise CodewalkError(f"{where}={raw!r} is not a number of seconds the package index may take")
    return seconds


@cache
def _pip_config() -> dict[str, str]:
    """``index-url`` / ``extra-index-url`` / ``cert`` / ``timeout`` from pip's
    configuration files (asked once per process).

    Asks pip itself, so every place pip reads (PIP_CONFIG_FILE, user, site, global)
    counts; without pip, the defaults."""
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "config", "list"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    found: dict[str, str] = {}
    for line in out.splitlines():
        key, _, value = line.partition("=")
        section, _, option = key.strip().rpartition(".")
        if section in ("global", "download", "install") and option in (
            "index-url",
            "extra-index-url",
            "cert",
            "timeout",
            "default-timeout",
        ):
            found.setdefault(option, value.strip().strip("'\""))
    return found


def _ssl_context() -> ssl.SSLContext:
    cafile = os.environ.get("PIP_CERT") or _pip_config().get("cert") or None
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError):
        return ssl.create_default_context()


class Silence:
    """Watches a network wait: after :data:`WAIT_NOTICE_S` of silence on ``clock``, says
    once (until bytes arrive again, :meth:`heard`) what is being waited on, from a thread
    of its own (:meth:`check`, ten times a second), so that the reader is told while the
    read blocks."""

    def __init__(
        self, what: str, waiting: Waiting | None, limit: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.what = what
        self.limit = limit
        self._waiting = waiting
        self._clock = clock
        self._last = clock()
        self._said = False
        self._stop = threading.Event()

    def __enter__(self) -> Silence:
        if self._waiting is not None:
            threading.Thread(target=self._watch, name="codewalk-silence", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()

    def heard(self) -> None:
        """Bytes arrived: the silence, if any, is over."""
        self._last = self._clock()
        self._said = False

    def check(self) -> None:
        """Tell the reader what is waited on, if it has been silent for
        :data:`WAIT_NOTICE_S` and this silence was not told yet."""
        silent = self._clock() - self._last
        if self._waiting is not None and not self._said and silent >= WAIT_NOTICE_S:
            self._said = True
            self._waiting(
                f"waiting for {self.what}: no answer for {silent:.0f} s "
                f"(given up after {self.limit:g} s of silence; PIP_TIMEOUT sets it)"
            )

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            self.check()


def _why(error: BaseException, limit: float) -> str:
    """What went wrong with a request, in words (a silent index: for how long)."""
    reason = getattr(error, "reason", error)
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return f"no answer in {limit:g} s"
    return str(reason)


def _open(url: str, *, accept: str | None = None, timeout: float = DEFAULT_TIMEOUT_S):  # type: ignore[no-untyped-def]
    headers = {"User-Agent": "codewalk"}
    if accept:
        headers["Accept"] = accept
    url, authorization = split_credentials(url)
    if authorization:
        headers["Authorization"] = authorization
    request = urllib.request.Request(url, headers=headers)
    context = _ssl_context() if url.startswith("https:") else None
    return urllib.request.urlopen(request, timeout=timeout, context=context)


def split_credentials(url: str) -> tuple[str, str]:
    """``(url without user info, Authorization header or "")``: urllib would take
    ``user:password@host`` for a host name, so credentials go in a header, as pip
    sends them to a private index."""
    import base64

    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, ""
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    token = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}"
    bare = urllib.parse.urlunsplit(parts._replace(netloc=host))
    return bare, "Basic " + base64.b64encode(token.encode()).decode("ascii")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def parse_project_page(body: bytes, content_type: str, page_url: str) -> dict[str, tuple[str, str]]:
    """``{filename: (absolute url, sha256 or "")}`` from a simple-API project page."""
    files: dict[str, tuple[str, str]] = {}
    if "json" in content_type:
        for entry in json.loads(body).get("files", []):
            url = urllib.parse.urljoin(page_url, entry["url"])
            files[entry["filename"]] = (url.split("#", 1)[0], entry.get("hashes", {}).get("sha256", ""))
        return files
    parser = _Links()
    parser.feed(body.decode("utf-8", errors="replace"))
    for href in parser.links:
        url = urllib.parse.urljoin(page_url, href)
        bare, _, fragment = url.partition("#")
        filename = urllib.parse.unquote(bare.rstrip("/").rsplit("/", 1)[-1])
        digest = fragment[len("sha256=") :] if fragment.startswith("sha256=") else ""
        files[filename] = (bare, digest)
    return files


def _fetch_page(url: str, limit: float, waiting: Waiting | None = None) -> tuple[bytes, str]:
    """A project page's body and content type. A ``file://`` index is a directory
    tree, as pip reads it: a project's page is its ``index.html``."""
    if url.startswith("file:"):
        path = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
        if path.is_dir():
            path = path / "index.html"
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise urllib.error.URLError(system_words(exc)) from None
        return body, "application/json" if body.lstrip().startswith(b"{") else "text/html"
    accept = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
    with (
        Silence(f"the package index at {redact_url(url)}", waiting, limit),
        _open(url, accept=accept, timeout=limit) as response,
    ):
        return response.read(), response.headers.get("Content-Type", "")


def find_sdist(name: str, version: str, indexes: list[str], waiting: Waiting | None = None) -> Distribution:
    """Locate the source distribution of ``name==version`` on the first index that has it."""
    return find_file(name, version, sdist_filenames(name, version), indexes, "source distribution", waiting)


def find_wheel(
    name: str, version: str, filename: str, indexes: list[str], waiting: Waiting | None = None
) -> Distribution:
    """Locate the wheel file ``filename`` of ``name==version`` on the first index that has it."""
    return find_file(name, version, (filename,), indexes, "wheel", waiting)


def find_file(
    name: str,
    version: str,
    wanted: tuple[str, ...],
    indexes: list[str],
    what: str,
    waiting: Waiting | None = None,
) -> Distribution:
    """The first of the ``wanted`` file names on the first index that lists one, with
    the sha256 the index publishes for it (a file listed without one is refused)."""
    reached: list[str] = []
    failures: list[str] = []
    limit = timeout()
    for index in indexes:
        page_url = urllib.parse.urljoin(index, normalize(name) + "/")
        try:
            body, content_type = _fetch_page(page_url, limit, waiting)
        except urllib.error.HTTPError as exc:
            reached.append(index)
            failures.append(f"{redact_url(page_url)}: HTTP {exc.code}")
            continue
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            failures.append(f"{redact_url(page_url)}: {_why(exc, limit)}")
            continue
        reached.append(index)
        files = parse_project_page(body, content_type, page_url)
        for filename in wanted:
            if filename in files:
                url, digest = files[filename]
                if not digest:
                    raise VerificationError(
                        f"{redact_url(page_url)} lists {filename} without a sha256, so it cannot be verified"
                    )
                return Distribution(filename, url, digest.lower(), index)
        failures.append(f"{redact_url(page_url)}: no {wanted[0]}")
    if not reached:
        raise NetworkError(
            f"no package index could be reached for {name}=={version}: " + "; ".join(failures),
            hint="set PIP_INDEX_URL to an index (or a mirror) you can reach",
        )
    raise SourceError(f"no {what} of {name}=={version} found: " + "; ".join(failures))


def download(
    dist: Distribution, dest: Path, progress: Progress | None = None, waiting: Waiting | None = None
) -> Path:
    """Download ``dist`` into directory ``dest`` and verify its sha256."""
    target = dest / dist.filename
    digest = hashlib.sha256()
    limit = timeout()
    try:
        with (
            Silence(redact_url(dist.url), waiting, limit) as silence,
            _open(dist.url, timeout=limit) as response,
            target.open("wb") as out,
        ):
            length = response.headers.get("Content-Length") if response.headers else None
            total = int(length) if length and length.isdigit() else None
            done = 0
            while chunk := response.read(_CHUNK):
                silence.heard()
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise NetworkError(f"downloading {redact_url(dist.url)} failed: {_why(exc, limit)}") from None
    if digest.hexdigest() != dist.sha256:
        raise VerificationError(
            f"{dist.filename} from {redact_url(dist.index)}: sha256 {digest.hexdigest()} does not match the "
            f"index's {dist.sha256}",
            hint="the download was damaged or the mirror serves a different file; try again",
        )
    return target
