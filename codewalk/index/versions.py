"""The versions of the index: its layout and the extractor that filled it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Bump when the extractor's output changes for the same source (a new fact, a fix):
# facts are keyed by content, so an index built by an older extractor must be rebuilt.
# 5: attributes from every method; 6: class-body imports, rebinds, keywords;
# 7: an attribute's first assignment in source order; 8: fallbacks (X = None, except ImportError);
# 8-10 apart from those: the type an attribute declares, through conditionals, what a function
# returns; 11: both (above either's number, so neither's index is trusted); 12: a class's
# attributes rebound inside a match statement's cases; 13: a class's metaclass, an attribute
# unpacked from a tuple; 14: a rebind under ``if not hasattr(cls, ...)`` flagged
FACTS_VERSION = 14

SCHEMA_VERSION = 7  # 3: .pyi stubs listed, a blob's line count; 4: members by class; 5: scans and
# counts kept; 6: answers kept for replay; 7: no answers table
INDEX_VERSION = f"{SCHEMA_VERSION}.{FACTS_VERSION}"  # the layout, and the extractor that filled it

SEP = "\x1f"  # joins the parts of a tuple stored in one column (a class's bases, ...)


def index_path() -> Path:
    """The index file of this layout (``locations`` says where, given the version)."""
    from codewalk import locations

    return locations.index_db_path(INDEX_VERSION)


def unused_files(home: Path) -> list[Path]:
    """The index files in ``home`` this codewalk never reads again: those of older
    layouts (with their lock, journal and write-ahead files) and any moved aside as
    damaged. A newer layout's file is another codewalk version's, in use in turn: kept."""
    import re

    current = (SCHEMA_VERSION, FACTS_VERSION)
    named = re.compile(r"index-(\d+)\.(\d+)\.sqlite3(.*)")
    found: list[Path] = []
    for path in sorted(home.glob("index-*.sqlite3*")):
        match = named.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        layout = (int(match[1]), int(match[2]))
        if layout < current or match[3].startswith(".damaged"):
            found.append(path)
    return found
