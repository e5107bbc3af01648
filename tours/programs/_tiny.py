"""Tiny random-weight models and a word-level tokenizer for the tours' programs, built
from configs in memory: nothing is downloaded (the offline switches are set before any
Hugging Face library is imported), and each runs on a CPU in seconds.

bench/programs/tiny.py builds the same llama and tokenizer for the benchmarks: a tour's program is
shipped with the tours (a wheel carries it) and must stand alone, so the two are kept
apart on purpose."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

WORDS = ["[UNK]", "[PAD]", "<s>", "</s>", "the", "cat", "sat", "on", "mat", "a", "dog", "reads", "code"]


def llama(*, layers: int = 2, hidden: int = 32, seed: int = 0):  # type: ignore[no-untyped-def]
    """A random-weight ``LlamaForCausalLM`` over a 64-token vocabulary."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=64,
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=128,
        bos_token_id=2,
        eos_token_id=3,
        pad_token_id=1,
    )
    return LlamaForCausalLM(config)


def t5(*, seed: int = 0):  # type: ignore[no-untyped-def]
    """A random-weight ``T5ForConditionalGeneration`` (two encoder and two decoder layers)
    over the 64-token vocabulary, its decoder starting from the pad token as T5's does."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    torch.manual_seed(seed)
    config = T5Config(
        vocab_size=64,
        d_model=32,
        d_kv=8,
        d_ff=64,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        pad_token_id=1,
        eos_token_id=3,
        decoder_start_token_id=1,
    )
    return T5ForConditionalGeneration(config)


def tokenizer():  # type: ignore[no-untyped-def]
    """A fast word-level tokenizer (the Rust ``tokenizers`` backend) over ``WORDS``."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]", bos_token="<s>", eos_token="</s>"
    )
