"""Text fit for a terminal: control characters made visible, never sent raw.

Source files, tour files and the paths and queries a user types are not codewalk's: a
string literal holding ESC (``transformers.utils.loading_report`` has some), a binary
file named by a tour step, a title with a right-to-left override (U+202E) would move
the cursor, recolour or reorder what the reader sees. Every printer (the plain tour,
``find``/``show``/``goto``, error messages, the terminal UI) passes such text through
:func:`visible` before adding colour of its own, so the only escape sequences that
reach a terminal are codewalk's own SGR colours. JSON output keeps the data exact, the same
characters written as JSON escapes (:func:`json_text`).

Made visible, as Python writes them in a string literal: C0 controls but tab and
newline, DEL, C1 controls, the bidirectional controls of Unicode (the "Trojan Source"
set: U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and the line and paragraph
separators U+2028 and U+2029. A carriage return before a newline is a line end, not a
character to show. Lone surrogates are made visible too: Python reads a byte of a path or
argument that is not UTF-8 as one (U+DC80-U+DCFF), and writes it back to a terminal as
that raw byte, which in 0x80-0x9f is a C1 control (0x9b: CSI).
"""

from __future__ import annotations

import re

_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_UNSAFE_RE = re.compile(f"[{_UNSAFE}]")
_SHORT = {"\r": "\\r", "\x0b": "\\v", "\x0c": "\\f", "\x1b": "\\x1b"}
# what a name, a path or a version written in a file may never hold: C0 (tab and newline
# too), DEL and C1 (pins and tours refuse them, where printing would only show them)
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character (but tab and newline) written as its
    escape (``\\x1b``, ``\\u202e``); unchanged, and cheap, when it holds none."""
    if _UNSAFE_RE.search(text) is None:
        return text
    return _UNSAFE_RE.sub(_escape, text.replace("\r\n", "\n"))


def json_text(encoded: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters
    :func:`visible` escapes written as ``\\uXXXX``: the same data, safe to print and to
    write as UTF-8 (a lone surrogate, a path's byte that is not UTF-8, included). JSON
    escapes C0 itself, so they occur only inside strings, where the escape means the same
    character."""
    return _UNSAFE_RE.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)


def quoted(text: str, limit: int = 40) -> str:
    """``text`` as a message quotes it: repr'd, and when longer than ``limit`` characters
    cut there, saying so and how long it is (``'abc'... (300 characters)``)."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"
