"""The versions of the index: its layout and the extractor that filled it."""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

from pathlib import Path
from typing import NamedTuple

# Bump when the extractor's output changes for the same source (a new fact, a fix):
# facts are keyed by content, so an index built by an older extractor must be rebuilt.
# 5: attributes from every method; 6: class-body imports, rebinds, keywords;
# 7: an attribute's first assignment in source order; 8: fallbacks (X = None, except ImportError);
# 8-10 apart from those: the type an attribute declares, through conditionals, what a function
# returns; 11: both (above either's number, so neither's index is trusted); 12: a class's
# attributes rebound inside a match statement's cases; 13: a class's metaclass, an attribute
# unpacked from a tuple; 14: a rebind under ``if not hasattr(cls, ...)`` flagged; 15: an
# attribute's later assignments of instances of other classes, each a definition of its own;
# (16 was used by a change taken back) 17: the rebinds of a function handed a class under
# another name (``experts_class``, ``x: type[...]``); 18: a method that sets its keywords as
# attributes, and the attributes ``self.M(x=...)`` may set that way; 19: what ``self.M(value)``
# sets where the class's own ``M`` assigns that parameter to an attribute; 20: only where what
# it passes has a type; 21: keywords of a call of the class's own method only if it sets them,
# setters past a *args or of a rebound parameter left out, a method's flag not on its attributes;
# 22: an instance made by calling a table's item (``TABLE[key](...)``: ``item[TABLE:key]``; or a
# local assigned one, ``attention_class(...)``); 23: an attribute first set to ``None`` is the
# first assignment that says a type (``self.mid_block = None``, then ``UNetMidBlock2D(...)``);
# 24: ``defaultdict[K, V]`` annotates a mapping of ``V``, as ``dict[K, V]`` does; 25: an
# attribute assigned a local holds what the method assigns the local (``self.x = made``); 26:
# what ``@dataclass(init=False, ...)`` leaves unmade, and what a ``field(...)`` default holds; 27:
# a module-level ``mod.Class.NAME = f`` setting a member on a class of another package; 28: a
# copy declares what its original does (``self._ex_iterable = copy(ex_iterable)``); 29: a
# private class (``_BaseExamplesIterable``) in an annotation or a call is a class; 30: what
# ``__init_subclass__`` sets on ``cls`` is no attribute of the class itself; 31: the conditions a
# rebind is set under (``if accept_kwargs:``) and the keywords a class decorator is called with;
# 32: a parameter of a function nested in the decorator is no keyword of the decorator's; 33: an
# attribute's later typed assignment after untyped ones, and ``self.K(...)`` of a class the class
# body binds to ``K`` (``generation_config_class``), and ``cls.x = f`` of a module-level ``f``
# in a function handed a class (``cls.__repr__ = _repr_with_extra``); 34: the entries of a dict
# made of a literal list of pairs (``OrderedDict([("whisper", "WhisperProcessor"), ...])``)
FACTS_VERSION = 34

SCHEMA_VERSION = 9  # 3: .pyi stubs listed, a blob's line count; 4: members by class; 5: scans and
# counts kept; 6: answers kept for replay; 7: no answers table; 8: a blob's table entries by blob;
# 9: the last part of each base of a class (basenames), and the spans of functions by blob in an
# index of their own
INDEX_VERSION = f"{SCHEMA_VERSION}.{FACTS_VERSION}"  # the layout, and the extractor that filled it

SEP = "\x1f"  # joins the parts of a tuple stored in one column (a class's bases, ...)


def index_path(home: Path | None = None) -> Path:
    """The index file of this layout (``locations`` says where, given the version, and
    the cache's root ``home`` if a command found it already)."""
    from codewalk import locations

    return locations.index_db_path(INDEX_VERSION, home)


class UnusedIndex(NamedTuple):
    """An index file this codewalk never reads again, with the files that go with it."""

    path: Path  # index-7.13.sqlite3, or index-7.14.sqlite3.damaged
    files: tuple[Path, ...]  # itself first, then its lock, journal and write-ahead files
    layout: str  # "7.13"
    damaged: bool  # moved aside as damaged (of any layout)


def unused_files(home: Path) -> list[UnusedIndex]:
    """The index files in ``home`` this codewalk never reads again: those of older
    layouts and any moved aside as damaged, each with its lock, journal and write-ahead
    files. A newer layout's file is another codewalk version's, in use in turn: kept."""
    import re

    current = (SCHEMA_VERSION, FACTS_VERSION)
    named = re.compile(r"index-(\d+)\.(\d+)\.sqlite3(\.damaged)?(.*)")
    groups: dict[str, list[Path]] = {}
    found: dict[str, UnusedIndex] = {}
    for path in sorted(home.glob("index-*.sqlite3*")):
        match = named.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        damaged = match[3] is not None
        if (int(match[1]), int(match[2])) >= current and not damaged:
            continue
        main = path.name.removesuffix(match[4]) if match[4] else path.name
        groups.setdefault(main, []).append(path)
        found[main] = UnusedIndex(home / main, (), f"{match[1]}.{match[2]}", damaged)
    return [
        found[main]._replace(files=tuple(sorted(paths, key=lambda path: path.name != main)))
        for main, paths in groups.items()
    ]
