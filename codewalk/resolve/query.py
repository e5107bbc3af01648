"""Queries as the resolver takes them: dotted Python names."""

from __future__ import annotations

import re

from codewalk.errors import QueryError

QUERY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def parse_query(query: str) -> list[str]:
    """The dotted parts of ``query``; a QueryError when it is empty or not a name."""
    text = query.strip()
    if not text:
        raise QueryError("empty query", hint="name a symbol, e.g. ForCausalLMLoss or Trainer.train")
    if not QUERY_RE.fullmatch(text):
        raise QueryError(
            f"malformed query {query!r}: expected a dotted Python name such as "
            "transformers.PreTrainedModel or LlamaForCausalLM.generate"
        )
    return text.split(".")


def is_dotted(text: str) -> bool:
    """``a.b``, a dotted name (not a lone name, not other text)."""
    return bool(QUERY_RE.fullmatch(text)) and "." in text
