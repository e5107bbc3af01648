"""Queries as the resolver takes them: dotted Python names."""

from __future__ import annotations

from codewalk.errors import QueryError
from codewalk.visible import quoted

MAX_QUERY = 1000  # characters; the longest dotted name in transformers has under 200


def is_name(text: str) -> bool:
    """``a.b.c``: every part a Python identifier (``Modèle_日本語`` is one)."""
    return bool(text) and all(part.isidentifier() for part in text.split("."))


def parse_query(query: str) -> list[str]:
    """The dotted parts of ``query``; a QueryError when it is empty or not a name."""
    text = query.strip()
    if not text:
        raise QueryError("empty query", hint="name a symbol, e.g. ForCausalLMLoss or Trainer.train")
    if len(text) > MAX_QUERY:
        raise QueryError(
            f"query {quoted(text, 80)} is too long: a dotted name has at most {MAX_QUERY} characters"
        )
    if not is_name(text):
        raise QueryError(
            f"malformed query {quoted(query, 80)}: expected a dotted Python name such as "
            "transformers.PreTrainedModel or LlamaForCausalLM.generate"
        )
    return text.split(".")


def is_symbol_name(text: str) -> bool:
    """A dotted name, or one of a function defined in another as Python names it
    (``outer.<locals>.inner``), which a step's ``at:`` and ``calls`` take."""
    return is_name(text.replace(".<locals>.", "."))


def is_dotted(text: str) -> bool:
    """``a.b``, a dotted name (not a lone name, not other text)."""
    return "." in text and is_name(text)
