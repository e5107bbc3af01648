"""The pipeline-batching tour's run: a text-generation pipeline over a list of three
prompts, two at a time (``batch_size=2``), with a tiny llama and the word-level
tokenizer, on a CPU, from random weights. Needs torch."""

import _tiny
from transformers import pipeline

model = _tiny.llama(layers=1).eval()
tokenizer = _tiny.tokenizer()
tokenizer.padding_side = "left"  # a decoder-only model generates after its prompt's last token
generator = pipeline("text-generation", model=model, tokenizer=tokenizer, batch_size=2)
prompts = ["the cat sat", "a dog reads code on the mat", "the mat"]
for out in generator(prompts, max_new_tokens=4, do_sample=False):
    print(out[0]["generated_text"])
