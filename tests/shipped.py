"""The tours codewalk ships (tours/*.yaml), by id: one list for every test that counts them."""

SHIPPED_TOURS = (
    "accelerate-backends",
    "attention-dispatch",
    "beam-search",
    "causal-lm-loss",
    "datasets-json",
    "diffusers-denoising",
    "from-pretrained",
    "gradient-checkpointing",
    "llama-generate",
    "logits-processors",
    "modular-qwen3",
    "optimum-backends",
    "paddle-layer-call",
    "peft-lora",
    "special-tokens",
    "tokenizer-call",
    "trainer-evaluate",
    "trainer-train",
    "xformers-dispatch",
)
