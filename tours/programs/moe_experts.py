"""The moe-experts tour's run: a tiny Qwen3-MoE (two layers of four experts, two chosen
per token) runs a forward with labels and its router logits, whose load-balancing loss
joins the language-model loss, then generates four tokens greedily. Random weights, on a
CPU, nothing downloaded. Needs torch."""

import _tiny  # noqa: F401  (the offline switches, before transformers is imported)
import torch
from transformers import Qwen3MoeConfig, Qwen3MoeForCausalLM

torch.manual_seed(0)
config = Qwen3MoeConfig(
    vocab_size=64,
    hidden_size=32,
    intermediate_size=64,
    moe_intermediate_size=16,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    head_dim=8,
    num_experts=4,
    num_experts_per_tok=2,
    router_aux_loss_coef=0.01,
    max_position_embeddings=64,
    bos_token_id=2,
    eos_token_id=3,
    pad_token_id=1,
)
model = Qwen3MoeForCausalLM(config).eval()
ids = torch.arange(4, 12).unsqueeze(0)
with torch.no_grad():
    out = model(input_ids=ids, labels=ids, output_router_logits=True)
print(f"loss {out.loss.item():.3f}, of which aux {out.aux_loss.item():.3f} x {config.router_aux_loss_coef}")
generated = model.generate(ids, max_new_tokens=4, min_new_tokens=4, do_sample=False)
print(generated.shape[-1], "tokens")
