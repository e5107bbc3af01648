"""The llama-generate tour's run: a tiny llama generates with a smaller assistant
(assisted decoding), on a CPU, from random weights. Needs torch."""

import _tiny
import torch

model = _tiny.llama().eval()
assistant = _tiny.llama(layers=1, hidden=16, seed=1).eval()
prompt = torch.arange(4, 10).unsqueeze(0)
out = model.generate(prompt, assistant_model=assistant, max_new_tokens=8, min_new_tokens=8)
print(out.shape[-1], "tokens")
