"""The tokenizer-call tour's run: a fast tokenizer called on a sentence, a padded batch
and a pair (transformers and tokenizers; no torch needed)."""

import _tiny

tokenizer = _tiny.tokenizer()
one = tokenizer("the cat sat on the mat")
batch = tokenizer(["the dog", "a cat reads code"], padding=True, truncation=True, max_length=4)
pair = tokenizer("the cat", "a dog")
print(one["input_ids"], batch["input_ids"], pair["input_ids"])
