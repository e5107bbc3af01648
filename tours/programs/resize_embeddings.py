"""The resize-embeddings tour's run: a word-level tokenizer built with `tokenizers`, given
three plain tokens and a special one, and a tiny Llama with tied input and output
embeddings resized to the tokenizer's new length (padded to a multiple of 8), then tied
again. Random weights, on a CPU, nothing downloaded. Needs torch."""

import _tiny
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(_tiny.WORDS)}, unk_token="[UNK]"))
backend.pre_tokenizer = pre_tokenizers.Whitespace()
tokenizer = PreTrainedTokenizerFast(
    tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]", bos_token="<s>", eos_token="</s>"
)
tokenizer.add_tokens(["codewalk", "tours", "steps"])
tokenizer.add_special_tokens({"extra_special_tokens": ["<tool>"]})

torch.manual_seed(0)
config = LlamaConfig(
    vocab_size=len(_tiny.WORDS),
    hidden_size=16,
    intermediate_size=32,
    num_hidden_layers=1,
    num_attention_heads=2,
    num_key_value_heads=1,
    tie_word_embeddings=True,
    bos_token_id=2,
    eos_token_id=3,
    pad_token_id=1,
)
model = LlamaForCausalLM(config)
model.resize_token_embeddings(len(tokenizer), pad_to_multiple_of=8)
model.tie_weights()
embeddings = model.get_input_embeddings().weight
print(
    len(tokenizer),
    "tokens,",
    tuple(embeddings.shape),
    "embeddings,",
    "tied:",
    model.lm_head.weight is embeddings,
)
