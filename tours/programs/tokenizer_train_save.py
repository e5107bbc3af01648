"""The tokenizer-train-save tour's run: a BPE tokenizer trained by `tokenizers` on a few
sentences, wrapped in `PreTrainedTokenizerFast`, given special and added tokens, saved to
a directory, loaded back, and a padded batch decoded without its special tokens
(transformers and tokenizers; no torch needed, nothing downloaded)."""

import tempfile

import _tiny  # noqa: F401  (the offline switches, before transformers is imported)
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

corpus = ["the cat sat on the mat", "a dog reads code", "the dog sat on a cat"] * 20
backend = Tokenizer(models.BPE(unk_token="[UNK]"))
backend.pre_tokenizer = pre_tokenizers.Whitespace()
special = ["[UNK]", "[PAD]", "<s>", "</s>"]
trainer = trainers.BpeTrainer(vocab_size=60, special_tokens=special, show_progress=False)
backend.train_from_iterator(corpus, trainer)

tokenizer = PreTrainedTokenizerFast(
    tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]", bos_token="<s>", eos_token="</s>"
)
tokenizer.add_special_tokens({"extra_special_tokens": ["<tool>"]})
tokenizer.add_tokens(["codewalk"])
with tempfile.TemporaryDirectory() as directory:
    tokenizer.save_pretrained(directory)
    reloaded = PreTrainedTokenizerFast.from_pretrained(directory)
batch = reloaded(["<s> the cat codewalk </s>", "<tool> a dog"], padding=True)
print(reloaded.batch_decode(batch["input_ids"], skip_special_tokens=True))
