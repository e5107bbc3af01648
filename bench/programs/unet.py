"""diffusers' denoising loop: a tiny ``UNet2DModel`` with a DDPM scheduler, in a
``DDPMPipeline`` of a few steps.

    python bench/programs/unet.py
"""

from __future__ import annotations

import tiny  # noqa: F401  (sets the offline switches before diffusers is imported)
import torch
from diffusers import DDPMPipeline, DDPMScheduler, UNet2DModel


def main() -> None:
    torch.manual_seed(0)
    unet = UNet2DModel(
        sample_size=8,
        in_channels=3,
        out_channels=3,
        layers_per_block=1,
        block_out_channels=(8, 16),
        down_block_types=("DownBlock2D", "AttnDownBlock2D"),
        up_block_types=("AttnUpBlock2D", "UpBlock2D"),
        norm_num_groups=4,
    )
    pipeline = DDPMPipeline(unet=unet, scheduler=DDPMScheduler(num_train_timesteps=20))
    pipeline.set_progress_bar_config(disable=True)
    images = pipeline(batch_size=1, num_inference_steps=3, output_type="np").images
    print(images.shape)


if __name__ == "__main__":
    main()
