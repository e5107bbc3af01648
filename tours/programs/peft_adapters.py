"""The peft-adapters tour's run: LoRA on a tiny llama, its adapter saved, loaded onto a
fresh base model and merged into it; then a second adapter added beside the first and
made the active one. On the CPU, in a temporary directory. Needs torch and peft."""

import os
import tempfile

import _tiny
import torch
from peft import LoraConfig, PeftModel, get_peft_model

ids = torch.tensor([[2, 4, 5, 6]])
model = get_peft_model(_tiny.llama(), LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
with torch.no_grad():  # lora_B starts at zero: give the adapter something to change
    for name, parameter in model.named_parameters():
        if "lora_B" in name:
            parameter.normal_()

with tempfile.TemporaryDirectory() as out:
    model.save_pretrained(out)
    print("saved", sorted(os.listdir(out)))
    loaded = PeftModel.from_pretrained(_tiny.llama(), out)
    print("trainable after loading", sum(p.requires_grad for p in loaded.parameters()))
    before = loaded(ids).logits
    merged = loaded.merge_and_unload()
    same = torch.allclose(before, merged(ids).logits, atol=1e-5)
    print("merged into", type(merged).__name__, "same logits", same)

model.add_adapter("second", LoraConfig(r=2, target_modules=["k_proj"]))
print("after add_adapter, active:", model.active_adapter)
model.set_adapter("second")
print("after set_adapter, active:", model.active_adapter, model(ids).logits.shape)
