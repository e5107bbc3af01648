"""The watermarking tour's run: a tiny llama generates greedily with a
``WatermarkingConfig`` (the "selfhash" seeding scheme), then a ``WatermarkDetector``
scores the output, on a CPU, from random weights. Needs torch."""

import _tiny
import torch
from transformers import WatermarkDetector, WatermarkingConfig

model = _tiny.llama().eval()
prompt = torch.arange(4, 10).unsqueeze(0)
watermarking = WatermarkingConfig(bias=2.5, seeding_scheme="selfhash")
out = model.generate(prompt, watermarking_config=watermarking, max_new_tokens=12, min_new_tokens=12)
detector = WatermarkDetector(model_config=model.config, device="cpu", watermarking_config=watermarking)
result = detector(out, return_dict=True)
print("watermarked:", bool(result.prediction[0]), "z =", round(float(result.z_score[0]), 2))
