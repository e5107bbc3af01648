"""accelerate prepares a tiny llama and its optimizer, then runs backward with gradient
accumulation.

    python bench/programs/accelerate_backward.py
"""

from __future__ import annotations

import tiny
import torch
from accelerate import Accelerator


def main() -> None:
    accelerator = Accelerator(gradient_accumulation_steps=2, cpu=True)
    model = tiny.llama().train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model, optimizer = accelerator.prepare(model, optimizer)
    for step in range(4):
        with accelerator.accumulate(model):
            ids = tiny.prompt(6 + step)
            loss = model(input_ids=ids, labels=ids).loss
            accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()
    print("synced", accelerator.sync_gradients, "loss", round(loss.item(), 4))


if __name__ == "__main__":
    main()
