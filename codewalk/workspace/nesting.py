"""The functions defined inside others, where the palette lists them besides their own
name (``apply_function``, which the index finds as ``Dataset._map_single.<locals>.apply_function``),
read from the call facts of the function around them.

They are listed under the function that defines them, when the text names it whole
(``_map_single``, ``Dataset._map_single``), and when the text names one of them below it
as ``calls`` and a traceback do (``Dataset._map_single.<locals>.apply``) or as a member
of it (``Dataset._map_single.apply``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from codewalk.errors import CodewalkError
from codewalk.resolve.model import Resolved
from codewalk.workspace.symbols import match_rank, needle_of

if TYPE_CHECKING:
    from codewalk.workspace.calling import Calling

HOSTS = 3  # the functions, among the hits, whose nested functions are listed
_FUNCTIONS = ("function", "method")
LOCALS = ".<locals>."


def nested_name(qualname: str) -> tuple[str, str]:
    """``(the function defining it, its own name)`` of a nested function's qualified name
    (``("m.f", "g")`` for ``m.f.<locals>.g``); ``("", qualname)`` for any other."""
    host, sep, name = qualname.partition(LOCALS)
    return (host, name) if sep else ("", qualname)


def with_nested(calling: Calling, text: str, hits: Sequence[Resolved], limit: int) -> list[Resolved]:
    """``hits`` (the index's, for ``text``), each function the text names whole followed by
    the functions it defines; first, those a text naming one below its function names."""
    typed = text.strip()
    below = _named_below(calling, typed, limit)
    seen = {(r.path, r.line) for r in below}
    out = list(below)
    last = typed.rpartition(".")[2].lower()
    hosts = [r for r in hits if r.kind in _FUNCTIONS and r.qualname.rpartition(".")[2].lower() == last]
    for hit in hits:
        if (hit.path, hit.line) in seen:
            continue
        seen.add((hit.path, hit.line))
        out.append(hit)
        if hit in hosts[:HOSTS]:
            out.extend(r for r in _defined_in(calling, hit) if (r.path, r.line) not in seen)
    return out[:limit]


def _named_below(calling: Calling, typed: str, limit: int) -> list[Resolved]:
    """The nested functions ``typed`` names below the function that defines them
    (``f.<locals>.g``, ``f.g``; the last part as the reader types it: a prefix, letters
    in order), best match first; ``f.<locals>.``, all of them."""
    host, sep, name = typed.rpartition(LOCALS)
    if not sep:
        host, _, name = typed.rpartition(".")
    needle = needle_of(name)
    if not host or not (needle or sep):  # ``f.<locals>.``: every function f defines
        return []
    try:
        found = calling.ws.resolver.find(host, related=False, suggest=False).matches
    except CodewalkError:
        return []
    functions = [r for r in found if r.kind in _FUNCTIONS][:HOSTS]
    scored = [
        (match_rank(own.rpartition(".")[2], needle), nested)
        for function in functions
        for nested in _defined_in(calling, function)
        for own in (nested_name(nested.qualname)[1],)
        if _matches(own.rpartition(".")[2], needle)
    ]
    scored.sort(key=lambda item: item[0])
    return [nested for _, nested in scored[:limit]]


def _matches(name: str, needle: str) -> bool:
    """Whether ``name`` holds the letters of ``needle`` in order (case-insensitive)."""
    letters = iter(name.lower())
    return all(char in letters for char in needle)


def _defined_in(calling: Calling, function: Resolved) -> list[Resolved]:
    """The functions ``function`` defines, at any depth, in source order (none when its
    body cannot be read: a stub, a function the index cannot place)."""
    try:
        body = calling.body_of(function)
    except CodewalkError:
        return []
    nested = [b.target for b in calling.cr.nested_in(body) if b.target.kind == "function"]
    # the palette says its line beside it: the function it is in, alone
    return sorted((r._replace(via=f"defined in {_holder(r.qualname)}") for r in nested), key=lambda r: r.line)


def _holder(qualname: str) -> str:
    """The function a nested one is defined in (``inner`` of ``m.f.<locals>.inner.<locals>.g``)."""
    return qualname.rpartition(LOCALS)[0].rpartition(".")[2]
