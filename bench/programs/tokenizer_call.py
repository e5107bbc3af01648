"""A fast tokenizer called on text: one sentence, a padded and truncated batch, a pair.

python bench/programs/tokenizer_call.py
"""

from __future__ import annotations

import tiny


def main() -> None:
    tokenizer = tiny.tokenizer()
    one = tokenizer("the cat sat on the mat")
    batch = tokenizer(
        ["hello world", "the dog reads code fast"],
        padding=True,
        truncation=True,
        max_length=4,
        return_tensors="pt",
    )
    pair = tokenizer("the model runs", "the tour step")
    print(one["input_ids"], batch["input_ids"].tolist(), tokenizer.decode(pair["input_ids"]))


if __name__ == "__main__":
    main()
