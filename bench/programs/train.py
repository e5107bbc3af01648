"""``Trainer.train`` on a tiny llama for a few steps, on the CPU, saving nothing.

python bench/programs/train.py [--accumulate N] [--max-steps N]
"""

from __future__ import annotations

import argparse
import tempfile

import tiny
import torch
from transformers import Trainer, TrainingArguments


class Sentences(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
    """Sixteen short token sequences, each its own label (language modelling)."""

    def __len__(self) -> int:
        return 16

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        ids = torch.arange(4 + i % 5, 12 + i % 5)
        return {"input_ids": ids, "labels": ids.clone()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accumulate", type=int, default=1, help="gradient accumulation steps")
    parser.add_argument("--max-steps", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        training = TrainingArguments(
            output_dir=out,
            per_device_train_batch_size=4,
            gradient_accumulation_steps=args.accumulate,
            max_steps=args.max_steps,
            learning_rate=1e-3,
            logging_steps=1,
            save_strategy="no",
            report_to=[],
            use_cpu=True,
            disable_tqdm=True,
        )
        trainer = Trainer(model=tiny.llama().train(), args=training, train_dataset=Sentences())
        result = trainer.train()
    print("steps", result.global_step, "loss", round(result.training_loss, 4))


if __name__ == "__main__":
    main()
