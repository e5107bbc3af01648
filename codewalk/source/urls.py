"""URLs as codewalk shows and checks them: the transport a git URL asks for, and a URL
(or a text holding one) with its credentials hidden, as pip shows index URLs."""

from __future__ import annotations

import re

ALLOWED_SCHEMES = ("https", "ssh", "file", "git")
_SCP_LIKE_RE = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)")  # git@host:path, an ssh URL


def url_scheme(url: str) -> str:
    """The transport a git URL asks for: ``https``, ``ssh`` (also scp-like
    ``git@host:path``), ``file``, ``git``, or whatever else it names (``ext``)."""
    if "::" in url.split("/", 1)[0]:
        return url.split("::", 1)[0].lower()  # git's "<transport>::<address>" syntax
    if "://" in url:
        return url.split("://", 1)[0].lower()
    if _SCP_LIKE_RE.match(url):
        return "ssh"
    return ""


def redact_url(url: str) -> str:
    """``url`` fit to show: a password, or a lone user name (often a token), becomes
    ``****``, as pip shows index URLs."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, has_password, _ = userinfo.partition(":")
    shown = f"{user}:****" if has_password else "****"
    return urlunsplit(parts._replace(netloc=f"{shown}@{host}"))


def redact_text(text: str, url: str) -> str:
    """``text`` (say, a tool's error message) with ``url``'s secrets hidden."""
    return text.replace(url, redact_url(url)) if url != redact_url(url) else text
