"""Tiny random-weight models and a word-level tokenizer, built from configs in memory.

Shared by the programs beside it. Nothing is downloaded (the Hub is never asked: the
offline switches are set before any Hugging Face library is imported), and every model is
small enough to run on a CPU in a fraction of a second.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

SPECIAL = ["[UNK]", "[PAD]", "<s>", "</s>"]
WORDS = [
    *SPECIAL,
    "the",
    "a",
    "cat",
    "dog",
    "sat",
    "on",
    "mat",
    "hello",
    "world",
    "model",
    "runs",
    "fast",
    "slow",
    "reads",
    "code",
    "tour",
    "step",
]
VOCAB = 64  # the models' vocabulary: the words above, and room to spare


def llama_config(*, layers: int = 2, hidden: int = 32, attn: str = "sdpa") -> LlamaConfig:
    config = LlamaConfig(
        vocab_size=VOCAB,
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        bos_token_id=2,
        eos_token_id=3,
        pad_token_id=1,
    )
    config._attn_implementation = attn
    return config


def llama(*, layers: int = 2, hidden: int = 32, attn: str = "sdpa", seed: int = 0) -> LlamaForCausalLM:
    """A random-weight ``LlamaForCausalLM``, in eval mode."""
    torch.manual_seed(seed)
    return LlamaForCausalLM(llama_config(layers=layers, hidden=hidden, attn=attn)).eval()


def assistant(*, attn: str = "sdpa") -> LlamaForCausalLM:
    """A smaller llama with the same vocabulary, to draft tokens for ``llama()``."""
    return llama(layers=1, hidden=16, attn=attn, seed=1)


def tokenizer() -> PreTrainedTokenizerFast:
    """A fast word-level tokenizer over ``WORDS`` (the Rust ``tokenizers`` backend)."""
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token="[UNK]",
        pad_token="[PAD]",
        bos_token="<s>",
        eos_token="</s>",
    )


def prompt(length: int = 6) -> torch.Tensor:
    """A batch of one prompt of ``length`` token ids (no special tokens)."""
    return torch.arange(4, 4 + length).unsqueeze(0)
