"""The whisper-generate tour's run: one second of random audio turned into log-mel
features by a WhisperFeatureExtractor (built from its defaults) through a WhisperProcessor,
then a tiny random-weight Whisper's generate, greedy, on a CPU. Needs torch."""

import _tiny
import numpy as np
import torch
from transformers import (
    WhisperConfig,
    WhisperFeatureExtractor,
    WhisperForConditionalGeneration,
    WhisperProcessor,
)

torch.manual_seed(0)
processor = WhisperProcessor(feature_extractor=WhisperFeatureExtractor(), tokenizer=_tiny.tokenizer())
audio = np.random.default_rng(0).standard_normal(16_000).astype(np.float32)  # 1 s at 16 kHz
features = processor(audio=audio, sampling_rate=16_000, return_tensors="pt").input_features
config = WhisperConfig(
    vocab_size=64,
    d_model=32,
    encoder_layers=1,
    decoder_layers=1,
    encoder_attention_heads=2,
    decoder_attention_heads=2,
    encoder_ffn_dim=64,
    decoder_ffn_dim=64,
    num_mel_bins=80,
    max_target_positions=64,
    pad_token_id=1,
    bos_token_id=2,
    eos_token_id=3,
    decoder_start_token_id=2,
)
model = WhisperForConditionalGeneration(config).eval()
out = model.generate(features, max_new_tokens=4, do_sample=False)
print(tuple(features.shape), "features,", out.shape[-1], "tokens")
