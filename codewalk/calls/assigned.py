"""``self.x = ...`` outside ``__init__``, read from the source text.

The index keeps the instance attributes an ``__init__`` sets; transformers sets some
elsewhere (``Trainer.create_accelerator_and_postprocess`` sets ``self.accelerator``).
For a call through such an attribute, the class's own lines are scanned for the first
assignment, and the type it names (an annotation, or the class constructed) is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

_CONSTRUCTOR = re.compile(r"([A-Z][\w.]*)\(")


class Assigned(NamedTuple):
    line: int  # 1-based
    text: str  # the line, stripped
    type_name: str  # "Accelerator", or "" when the line names no class


def assigned_attribute(lines: Sequence[str], start: int, end: int, attr: str) -> Assigned | None:
    """The first ``self.<attr> = ...`` (or ``self.<attr>: T = ...``) among ``lines``
    ``start``..``end`` (1-based, inclusive)."""
    pattern = re.compile(
        rf"^[ \t]*self\.{re.escape(attr)}[ \t]*(?::[ \t]*\"?([A-Za-z_][\w.]*)\"?[^=]*)?=[ \t]*(?!=)(.*)$"
    )
    for index in range(max(start, 1) - 1, min(end, len(lines))):
        match = pattern.match(lines[index])
        if match:
            built = _CONSTRUCTOR.match(match.group(2).strip())
            type_name = match.group(1) or (built.group(1) if built else "")
            return Assigned(index + 1, lines[index].strip(), type_name)
    return None
