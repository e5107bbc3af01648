"""The diffusers-schedulers tour's run: a tiny random-weight UNet2DModel denoises through
DDPMPipeline and DDIMPipeline, then through Euler and DPM-Solver schedulers made with
from_config, three steps each, on a CPU. Needs torch and diffusers."""

import _tiny  # noqa: F401  (the offline switches, before diffusers is imported)
import torch
from diffusers import (
    DDIMPipeline,
    DDPMPipeline,
    DDPMScheduler,
    DPMSolverMultistepScheduler,
    EulerDiscreteScheduler,
    UNet2DModel,
)

torch.manual_seed(0)
unet = UNet2DModel(
    sample_size=8,
    in_channels=3,
    out_channels=3,
    layers_per_block=1,
    block_out_channels=(8, 16),
    norm_num_groups=4,
    down_block_types=("DownBlock2D", "AttnDownBlock2D"),
    up_block_types=("AttnUpBlock2D", "UpBlock2D"),
).eval()
ddpm = DDPMPipeline(unet=unet, scheduler=DDPMScheduler(num_train_timesteps=100))
ddpm.set_progress_bar_config(disable=True)
ddpm(num_inference_steps=3, output_type="np")
ddim = DDIMPipeline(unet=unet, scheduler=ddpm.scheduler)  # remade as a DDIMScheduler
ddim.set_progress_bar_config(disable=True)
ddim(num_inference_steps=3, output_type="np")
for swapped in (EulerDiscreteScheduler, DPMSolverMultistepScheduler):
    scheduler = swapped.from_config(ddpm.scheduler.config)
    scheduler.set_timesteps(3)
    sample = torch.randn(1, 3, 8, 8) * scheduler.init_noise_sigma
    for t in scheduler.timesteps:
        with torch.no_grad():
            noise = unet(scheduler.scale_model_input(sample, t), t).sample
        sample = scheduler.step(noise, t, sample).prev_sample
    print(swapped.__name__, tuple(sample.shape))
