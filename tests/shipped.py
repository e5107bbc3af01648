"""The tours codewalk ships (tours/*.yaml), by id: one list for every test that counts them."""

SHIPPED_TOURS = (
    "accelerate-backends",
    "attention-dispatch",
    "big-model-loading",
    "causal-lm-loss",
    "chat-template",
    "datasets-json",
    "diffusers-denoising",
    "from-pretrained",
    "kv-cache",
    "llama-generate",
    "optimum-backends",
    "paddle-layer-call",
    "peft-lora",
    "quantized-loading",
    "special-tokens",
    "text-generation-pipeline",
    "tokenizer-call",
    "trainer-train",
    "xformers-dispatch",
)
