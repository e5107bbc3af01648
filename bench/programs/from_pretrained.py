"""``AutoModelForCausalLM.from_pretrained`` of a tiny llama saved to a local directory
(safetensors, sharded), then its tokenizer with ``AutoTokenizer``.

    python bench/programs/from_pretrained.py
"""

from __future__ import annotations

import tempfile

import tiny
from transformers import AutoModelForCausalLM, AutoTokenizer


def main() -> None:
    with tempfile.TemporaryDirectory() as where:
        tiny.llama().save_pretrained(where, max_shard_size="20KB")
        tiny.tokenizer().save_pretrained(where)
        model = AutoModelForCausalLM.from_pretrained(where)
        tokenizer = AutoTokenizer.from_pretrained(where)
    print(type(model).__name__, type(tokenizer).__name__, sum(p.numel() for p in model.parameters()))


if __name__ == "__main__":
    main()
