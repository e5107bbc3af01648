"""The trainer-subclass tour's run: a ``Trainer`` subclass with its own ``compute_loss`` and
``create_optimizer``, gradient accumulation, a callback that stops training and an
evaluation with ``compute_metrics``; then a plain ``Trainer`` handed its optimizer and
scheduler. A tiny llama on the CPU, saving nothing. Needs torch and accelerate."""

import tempfile

import _tiny
import numpy as np
import torch
from transformers import Trainer, TrainerCallback, TrainingArguments


class Sentences(torch.utils.data.Dataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> dict:
        ids = torch.arange(4 + i % 3, 12 + i % 3)
        return {"input_ids": ids, "labels": ids.clone()}


class SummedLossTrainer(Trainer):
    """The loss summed over the label tokens, divided by the Trainer's count of them."""

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        logits, target = outputs.logits[:, :-1, :], labels[:, 1:]
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.size(-1)), target.reshape(-1), reduction="sum"
        )
        loss = loss / (num_items_in_batch if num_items_in_batch is not None else target.numel())
        return (loss, outputs) if return_outputs else loss

    def create_optimizer(self, model=None):
        if self.optimizer is None:
            self.optimizer = torch.optim.SGD((model or self.model).parameters(), lr=0.01, momentum=0.9)
        return self.optimizer


class StopAfter(TrainerCallback):
    def __init__(self, steps: int) -> None:
        self.steps = steps

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step >= self.steps:
            control.should_training_stop = True
        return control


def compute_metrics(prediction):
    logits, labels = prediction
    return {"accuracy": float((np.argmax(logits[:, :-1], axis=-1) == labels[:, 1:]).mean())}


def arguments(out: str, **more) -> TrainingArguments:
    return TrainingArguments(
        output_dir=out, save_strategy="no", report_to=[], use_cpu=True, disable_tqdm=True, **more
    )


with tempfile.TemporaryDirectory() as out:
    trainer = SummedLossTrainer(
        model=_tiny.llama().train(),
        args=arguments(
            out,
            per_device_train_batch_size=2,
            gradient_accumulation_steps=2,
            max_steps=10,
            eval_strategy="steps",
            eval_steps=2,
            per_device_eval_batch_size=4,
        ),
        train_dataset=Sentences(16),
        eval_dataset=Sentences(4),
        compute_metrics=compute_metrics,
        callbacks=[StopAfter(3)],
    )
    print("stopped at step", trainer.train().global_step)

with tempfile.TemporaryDirectory() as out:
    model = _tiny.llama(seed=1).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (1 + step))
    trainer = Trainer(
        model=model,
        args=arguments(out, per_device_train_batch_size=4, max_steps=2),
        train_dataset=Sentences(8),
        optimizers=(optimizer, scheduler),
    )
    print("handed in: steps", trainer.train().global_step, "learning rate", scheduler.get_last_lr())
