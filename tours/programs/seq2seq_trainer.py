"""The seq2seq-trainer tour's run: a ``Seq2SeqTrainer`` on a tiny T5, its batches made by
``DataCollatorForSeq2Seq``, evaluated every two steps by generating (``predict_with_generate``,
two beams) with ``compute_metrics``, an ``EarlyStoppingCallback`` that stops training at
the second evaluation and a callback of its own that records each one; the best
checkpoint loaded at the end. On the CPU, in a temporary directory. Needs torch and
accelerate."""

import tempfile

import _tiny
import numpy as np
from transformers import (
    DataCollatorForSeq2Seq,
    EarlyStoppingCallback,
    Seq2SeqTrainer,
    Seq2SeqTrainingArguments,
    TrainerCallback,
)

PAIRS = [
    ("the cat sat", "a dog reads"),
    ("on the mat", "the dog sat"),
    ("a cat reads code", "the mat"),
    ("the dog", "a cat sat on the mat"),
]


class Evaluations(TrainerCallback):
    """Records the step and the loss of each evaluation."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, float]] = []

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        self.seen.append((state.global_step, metrics["eval_loss"]))


def compute_metrics(prediction):
    """Exact matches of the generated tokens with the labels, -100 read as padding."""
    labels = np.where(prediction.label_ids != -100, prediction.label_ids, 1)
    return {"exact": float((prediction.predictions[:, 1:] == labels[:, :-1]).all(axis=1).mean())}


tokenizer = _tiny.tokenizer()
model = _tiny.t5()
rows = [{"input_ids": tokenizer(s)["input_ids"], "labels": tokenizer(t)["input_ids"]} for s, t in PAIRS * 2]
evaluations = Evaluations()
with tempfile.TemporaryDirectory() as out:
    args = Seq2SeqTrainingArguments(
        output_dir=out,
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        per_device_train_batch_size=2,
        per_device_eval_batch_size=4,
        max_steps=8,
        eval_strategy="steps",
        eval_steps=2,
        save_steps=2,
        save_total_limit=1,
        load_best_model_at_end=True,
        metric_for_best_model="loss",
        predict_with_generate=True,
        generation_max_length=8,
        generation_num_beams=2,
    )
    trainer = Seq2SeqTrainer(
        model=model,
        args=args,
        train_dataset=rows,
        eval_dataset=rows[:4],
        data_collator=DataCollatorForSeq2Seq(tokenizer, model=model),
        processing_class=tokenizer,
        compute_metrics=compute_metrics,
        callbacks=[
            EarlyStoppingCallback(early_stopping_patience=1, early_stopping_threshold=1.0),
            evaluations,
        ],
    )
    result = trainer.train()
    print("stopped at step", result.global_step, "of 8; evaluations", evaluations.seen)
    print("best", trainer.state.best_global_step, trainer.state.best_metric)
