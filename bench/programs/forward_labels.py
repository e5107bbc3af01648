"""A tiny llama's forward pass with labels: the causal-LM loss, and its backward.

python bench/programs/forward_labels.py
"""

from __future__ import annotations

import tiny


def main() -> None:
    model = tiny.llama().train()
    ids = tiny.prompt(8)
    out = model(input_ids=ids, labels=ids)
    out.loss.backward()
    print("loss", round(out.loss.item(), 4))


if __name__ == "__main__":
    main()
