"""peft puts LoRA layers into a tiny llama, runs a forward and a backward, then merges them.

python bench/programs/lora.py
"""

from __future__ import annotations

import tiny
from peft import LoraConfig, get_peft_model


def main() -> None:
    model = get_peft_model(tiny.llama(), LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    ids = tiny.prompt(8)
    model(input_ids=ids, labels=ids).loss.backward()
    trainable, total = model.get_nb_trainable_parameters()
    merged = model.merge_and_unload()
    print(type(merged).__name__, "trainable", trainable, "of", total)


if __name__ == "__main__":
    main()
