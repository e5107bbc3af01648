"""The byte pre-filter: which files may hold a name, read as bytes, before anything is
parsed. A cold ``find`` (or a tour step) indexes only the files this scan picks."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from codewalk.index.indexer import read_checked
from codewalk.index.records import FileRow
from codewalk.source.checkout import Checkout

# Word boundaries for names that may not be ASCII (``Modèle_日本語``): bytes regexes know
# only ASCII word characters, so every byte of a UTF-8 sequence counts as one here.
_WORD_BYTE = rb"[A-Za-z0-9_\x80-\xff]"
_START = rb"(?<!" + _WORD_BYTE + rb")"
_END = rb"(?!" + _WORD_BYTE + rb")"


def scan_paths(checkout: Checkout, files: Sequence[FileRow], kind: str, needle: str) -> list[FileRow]:
    """The files whose bytes may hold ``needle`` as ``kind``: "def" (class/def/assignment
    at the start of a line), "copy" (a ``# Copied from needle`` comment), "copy-of" (one
    of ``X.needle``, any X), "entry" (a dict value, or a string second in a pair:
    ``OrderedDict([("k", "needle")])``), "base" (a class naming it among its bases) or
    "ref" (any whole-word use). A cheap pre-filter before parsing."""
    word = re.escape(needle.encode())
    keyword: re.Pattern[bytes] | None = None
    if kind == "def":  # a def, a class, an assignment (or a keyword taken out of **kwargs)
        pattern = re.compile(
            rb"^[ \t]*(?:(?:async[ \t]+)?def|class)[ \t]+"
            + word
            + _END
            + rb"|^[ \t]*"
            + word
            + rb"[ \t]*[:=]",
            re.MULTILINE,
        )
        # unanchored, so tried only where the name is quoted: it would slow every search
        keyword = re.compile(
            rb"\.(?:pop|get|setdefault)\([ \t]*[\"']" + word + rb"[\"']|\[[\"']" + word + rb"[\"']\]"
        )
    elif kind == "copy":
        pattern = re.compile(rb"Copied from[ \t]+" + word + _END)
    elif kind == "copy-of":  # a copy of anything named needle, in any module
        pattern = re.compile(rb"Copied from[ \t]+[\w.]*\." + word + _END)
    elif kind == "base":
        pattern = re.compile(rb"^[ \t]*class[ \t]+\w+[ \t]*\([^)]*" + _START + word + _END, re.MULTILINE)
    elif kind == "entry":  # a dict literal's value, or a pair's string (``("k", "needle")``)
        pattern = re.compile(
            rb":[ \t]*[\"']?" + word + rb"[\"']?[ \t]*[,}\n]|,\s*[\"']" + word + rb"[\"']\s*\)"
        )
    else:
        pattern = re.compile(_START + word + _END, re.MULTILINE)
    found: list[FileRow] = []
    raw = needle.encode()
    quoted = (b'"' + raw + b'"', b"'" + raw + b"'")
    reach = _BASES_REACH if kind == "base" else 0
    for row in files:
        read = read_checked(checkout, row.path)  # what the pin has, not an edited copy
        if read is None or raw not in read[0]:
            continue
        data = read[0]
        if _occurs(data, raw, pattern, reach) or (
            keyword is not None and (quoted[0] in data or quoted[1] in data) and keyword.search(data)
        ):
            found.append(row)
    return found


_BASES_REACH = 2000  # bytes a class's bases may span before the name
_CLASS_RE = re.compile(rb"^[ \t]*class[ \t]+\w+[ \t]*\(([^)]*)\)", re.MULTILINE)
_WORD_RE = re.compile(rb"[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*")


def base_paths(checkout: Checkout, files: Sequence[FileRow], names: Collection[str]) -> list[FileRow]:
    """The files with a class statement naming one of ``names`` among its bases, in one
    pass over each file however many names are asked (the classes deriving from a
    class, a level of them at a time)."""
    wanted = {name.encode() for name in names}
    found: list[FileRow] = []
    for row in files:
        read = read_checked(checkout, row.path)
        if read is None or b"class" not in read[0]:
            continue
        for bases in _CLASS_RE.findall(read[0]):
            if wanted.intersection(_WORD_RE.findall(bases)):
                found.append(row)
                break
    return found


def _occurs(data: bytes, raw: bytes, pattern: re.Pattern[bytes], reach: int) -> bool:
    """Whether ``pattern`` matches around an occurrence of ``raw`` in ``data``: tried on
    the line of each occurrence (from ``reach`` bytes earlier, for a pattern that may
    start on a line above), never over the whole file. A name used in every file
    (``PreTrainedModel``) is then found where it is defined at the speed of a byte
    search, not of a regex tried at every line."""
    start = 0
    while (at := data.find(raw, start)) >= 0:
        first = data.rfind(b"\n", 0, max(0, at - reach)) + 1
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end + 1  # the newline too: some patterns end on it
        if pattern.search(data, first, end):
            return True
        start = end
    return False


_NAME = rb"(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)"
_NAME_RE = re.compile(
    rb"^[ \t]*(?:(?:async[ \t]+)?def|class)[ \t]+(" + _NAME + rb")|^(" + _NAME + rb")[ \t]*[:=]", re.MULTILINE
)


_MANY_NAMES = 200  # past this many names, one pass over each file's words beats a pattern of them all
_IDENTIFIER = re.compile(rb"[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*")


def scan_counts(checkout: Checkout, files: Sequence[FileRow], names: Sequence[str]) -> dict[str, int]:
    """For each of ``names``: in how many of these files its bytes occur as a whole word,
    in one pass per file (one pattern of the names, or the file's words when the names
    are many). A stand-in for the index's count of uses that reads every file alike,
    whatever was indexed before."""
    found = dict.fromkeys(names, 0)
    if not names:
        return found
    wanted = {name.encode(): name for name in names}
    pattern: re.Pattern[bytes] | None = None
    if len(names) <= _MANY_NAMES:
        longest_first = b"|".join(re.escape(name) for name in sorted(wanted, key=len, reverse=True))
        pattern = re.compile(_START + b"(?:" + longest_first + b")" + _END)
    for row in files:
        read = read_checked(checkout, row.path)
        if read is None:
            continue
        words = set(pattern.findall(read[0])) if pattern is not None else set(_IDENTIFIER.findall(read[0]))
        for word in words:
            name = wanted.get(word)
            if name is not None:
                found[name] += 1
    return found


def scan_names(checkout: Checkout, files: Sequence[FileRow]) -> set[str]:
    """Names defined (def, class, module-level assignment) in these files, read from
    their bytes without parsing: "did you mean" for a name before the index is whole."""
    names: set[bytes] = set()
    for row in files:
        read = read_checked(checkout, row.path)
        if read is not None:
            names.update(a or b for a, b in _NAME_RE.findall(read[0]))
    return {name.decode("utf-8", errors="replace") for name in names}
