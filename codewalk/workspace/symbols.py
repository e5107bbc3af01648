"""Symbol search as the reader types (the UI's command palette): every definition name
of the index, held in memory once, matched on each keystroke without SQL.

A keystroke matches the names (exact, then prefix, then substring, then the letters in
order) with one regular-expression pass over all of them joined, then reads the few
definitions of the best names by the name index (with ``Owner.`` typed, those it holds:
each name asked once while the owner stays as typed). ``bench/bench_palette.py`` measures
a keystroke.
"""

from __future__ import annotations

import bisect
import heapq
import re

from codewalk.index.records import Definition, FileRow
from codewalk.index.store import Store
from codewalk.resolve.ranking import definition_penalty

_KINDS = ("class", "function", "method", "property", "alias")
_MODULE_KINDS = ("variable",)  # a module's tables and constants, not a class's fields
_PER_NAME = 25  # definitions read per name (``forward`` has thousands)


def needle_of(text: str) -> str:
    """What a typed name is matched by: its letters, lowercased."""
    return "".join(c for c in text if c.isalnum() or c == "_").lower()


def match_rank(name: str, needle: str) -> tuple[int, int]:
    """How well ``name`` matches ``needle`` (:func:`needle_of`), best lowest: exact, prefix,
    substring, its letters in order (0 to 3); then shorter first. The palette ranks by it
    across repositories as each repository's names are ranked."""
    lowered = name.lower()
    if lowered == needle:
        return 0, len(name)
    if lowered.startswith(needle):
        return 1, len(name)
    return (2 if needle in lowered else 3), len(name)


class SymbolNames:
    """The distinct definition names of one snapshot, loaded on first use."""

    def __init__(self, store: Store, snap: int) -> None:
        self.store = store
        self.snap = snap
        self._lowered: list[str] = []  # sorted, lowercased
        self._names: list[str] = []  # the same names as written, in that order
        self._joined: str | None = None
        self._last: tuple[str, str] = ("", "")  # (needle, its matches joined): typing narrows
        # the definitions of each name asked while the owner typed stays the same (typing
        # ``LlamaModel.forw`` asks ``forward`` of ``LlamaModel`` once, not at each key)
        self._held: tuple[str, dict[str, list[tuple[FileRow, Definition]]]] = ("", {})

    def load(self) -> None:
        names = self.store.def_names(self.snap, _KINDS, _MODULE_KINDS)
        pairs = sorted((name.lower(), name) for name in names)
        self._lowered = [lowered for lowered, _ in pairs]
        self._names = [name for _, name in pairs]
        self._joined = "\n".join(self._names)
        self._last = ("", "")

    def names(self, text: str, limit: int) -> list[str]:
        """Names matching ``text`` best first: exact, prefix, substring, then its letters
        in order (case-insensitive); shorter names first within each."""
        needle = needle_of(text)
        if not needle:
            return []
        if self._joined is None:
            self.load()
        assert self._joined is not None
        # exact and prefix matches: a range of the sorted names, found by bisection
        start = bisect.bisect_left(self._lowered, needle)
        end = bisect.bisect_left(self._lowered, needle + "\uffff", lo=start)
        prefixed = heapq.nsmallest(limit, self._names[start:end], key=lambda n: (*match_rank(n, needle), n))
        if len(prefixed) >= limit:
            return prefixed
        loose = "[^\n]*?".join(re.escape(c) for c in needle)
        pattern = re.compile(rf"^[^\n]*?{loose}[^\n]*$", re.MULTILINE | re.IGNORECASE)
        # a keystroke that adds letters searches only what the previous one matched
        before, matched = self._last
        pool = matched if before and needle.startswith(before) else self._joined
        found = pattern.findall(pool)
        self._last = (needle, "\n".join(found))
        taken = set(prefixed)
        rest = (n for n in found if n not in taken)
        more = heapq.nsmallest(limit - len(prefixed), rest, key=lambda n: (*match_rank(n, needle), n))
        return prefixed + more

    def definitions(self, text: str, limit: int) -> list[tuple[FileRow, Definition]]:
        """The definitions of the best names for ``text`` (``Owner.part`` keeps those
        whose qualified name holds ``Owner``), real ones before placeholders and stubs."""
        owner, _, last = text.strip().rpartition(".")
        names = self.names(last, limit * 2 if owner else limit)
        order = {name: index for index, name in enumerate(names)}
        rows = [(row, d) for row, d in self._held_by(owner, names) if _listed(d)]
        # each name's definitions, those of the owner typed whole first (LlamaAttention.forward
        # before DiffLlamaAttention.forward; the class before a module of its name), then as
        # the resolver ranks them: an @overload stub after the real one
        rows.sort(
            key=lambda item: (
                order[item[1].name],
                owner_rank(f"{item[0].module}.{item[1].qualname}", owner),
                definition_penalty(item[1], item[0].path),
                item[0].path,
            )
        )
        return rows[:limit]

    def _held_by(self, owner: str, names: list[str]) -> list[tuple[FileRow, Definition]]:
        """The definitions named each of ``names`` whose qualified name holds ``owner``
        (``Store.defs_in``), each name asked once while the owner typed is the same."""
        if self._held[0] != owner:
            self._held = (owner, {})
        held = self._held[1]
        asked = [name for name in names if name not in held]
        for name in asked:
            held[name] = []
        for row, d in self.store.defs_in(self.snap, asked, _PER_NAME, holding=owner):
            held[d.name].append((row, d))
        return [item for name in names for item in held[name]]


def owner_rank(qualname: str, owner: str) -> int:
    """How well ``owner`` (typed before the last dot) names what holds the definition
    ``qualname`` (fully qualified), best lowest: 0 its class (or the dotted tail of its
    holder) as typed, or no owner typed; 1 a module or package above it, or a class, read
    without case (``llama``); 2 none of them, or only a part of a longer name
    (``Layer`` in ``QwenImageLayeredPipeline``, or the module ``paddle.jit.layer`` before
    ``paddle.nn.layer.layers.Layer``)."""
    holder = qualname.rpartition(".")[0]
    if not owner or holder == owner or holder.endswith(f".{owner}"):
        return 0
    return 1 if f".{owner.lower()}." in f".{holder.lower()}." else 2


def _listed(d: Definition) -> bool:
    """Whether the palette lists ``d``: a class, a function, ..., or a module's variable."""
    return d.kind in _KINDS or (d.kind in _MODULE_KINDS and not d.parent)
