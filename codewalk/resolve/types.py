"""The class an attribute holds, as its source declares it: ``self.config.vocab_size``
goes on from ``config`` to the class its annotation, constructor or property names."""

from __future__ import annotations

import re

from codewalk.index.records import Definition
from codewalk.resolve.model import Hit

_ANNOTATED_RE = re.compile(r"^(?:self\.)?\w+\s*:\s*\"?([A-Za-z_][\w.]*)\"?\s*(?:=|$)")
_CONSTRUCTED_RE = re.compile(r"^self\.\w+\s*=\s*([A-Z][\w.]*)\(")
_RETURNS_RE = re.compile(r"->\s*\"?([A-Za-z_][\w.]*)\"?\s*:\s*$")


def declared_type(d: Definition) -> str:
    """The class name an attribute, field or property is declared to hold, or ""."""
    text = d.signature.strip()
    if d.kind == "property":
        match = _RETURNS_RE.search(text.splitlines()[-1] if text else "")
    else:
        match = _ANNOTATED_RE.match(text) or _CONSTRUCTED_RE.match(text)
    return match.group(1) if match else ""


def declared_how(hit: Hit) -> str:
    """Where and how the type was declared, for ``via``."""
    d = hit.definition
    if d.kind == "property":
        return f"returned by the property at {hit.view.path}:{d.line}"
    how = "annotated" if ":" in d.signature.split("=", 1)[0] else "set"
    return f"{how} at {hit.view.path}:{d.line}"
