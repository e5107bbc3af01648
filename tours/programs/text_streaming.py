"""The text-streaming tour's run: a tiny llama generates greedily into a ``TextStreamer``,
then into a ``TextIteratorStreamer`` that the main thread reads while ``generate`` runs in
another, on a CPU, from random weights. Needs torch."""

from threading import Thread

import _tiny
from transformers import TextIteratorStreamer, TextStreamer

model = _tiny.llama().eval()
tokenizer = _tiny.tokenizer()
prompt = tokenizer("the cat sat", return_tensors="pt", return_token_type_ids=False)
greedy = {"max_new_tokens": 6, "do_sample": False}
model.generate(**prompt, streamer=TextStreamer(tokenizer, skip_prompt=True), **greedy)

streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
worker = Thread(target=model.generate, kwargs={**prompt, "streamer": streamer, **greedy})
worker.start()
pieces = list(streamer)
worker.join()
print(len(pieces), "pieces")
