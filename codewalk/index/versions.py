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
