"""The trainer-train tour's run: ``Trainer.train`` on a tiny llama for two steps, on the
CPU, saving nothing. Needs torch and accelerate."""

import tempfile

import _tiny
import torch
from transformers import Trainer, TrainingArguments


class Sentences(torch.utils.data.Dataset):
    def __len__(self) -> int:
        return 8

    def __getitem__(self, i: int) -> dict:
        ids = torch.arange(4 + i % 3, 12 + i % 3)
        return {"input_ids": ids, "labels": ids.clone()}


with tempfile.TemporaryDirectory() as out:
    arguments = TrainingArguments(
        output_dir=out,
        per_device_train_batch_size=4,
        max_steps=2,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
    )
    result = Trainer(model=_tiny.llama().train(), args=arguments, train_dataset=Sentences()).train()
print("steps", result.global_step)
