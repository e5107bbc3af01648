"""The controlnet-residuals tour's run: a tiny random-weight Stable Diffusion (UNet, VAE,
CLIP text encoder and a word-level tokenizer, built from configs), a ControlNet made from
its UNet by ``ControlNetModel.from_unet``, and two denoising steps of
StableDiffusionControlNetPipeline on a random control image, on a CPU. Needs torch and
diffusers."""

import _tiny  # noqa: F401  (the offline switches, before diffusers is imported)
import torch
from diffusers import (
    AutoencoderKL,
    ControlNetModel,
    EulerDiscreteScheduler,
    StableDiffusionControlNetPipeline,
    UNet2DConditionModel,
)
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import CLIPTextConfig, CLIPTextModel, PreTrainedTokenizerFast

WORDS = ["[UNK]", "<|endoftext|>", "<|startoftext|>", "a", "horse", "on", "the", "mat"]

torch.manual_seed(0)
unet = UNet2DConditionModel(
    sample_size=8,
    in_channels=4,
    out_channels=4,
    layers_per_block=1,
    block_out_channels=(8, 16),
    norm_num_groups=4,
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
    cross_attention_dim=16,
    attention_head_dim=2,
)
vae = AutoencoderKL(
    in_channels=3,
    out_channels=3,
    latent_channels=4,
    block_out_channels=(8, 16),
    down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
    up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
    norm_num_groups=4,
    sample_size=16,
)
text_encoder = CLIPTextModel(
    CLIPTextConfig(
        vocab_size=len(WORDS),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        max_position_embeddings=16,
        bos_token_id=2,
        eos_token_id=1,
        pad_token_id=1,
    )
)
backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
backend.pre_tokenizer = pre_tokenizers.Whitespace()
tokenizer = PreTrainedTokenizerFast(
    tokenizer_object=backend,
    unk_token="[UNK]",
    pad_token="<|endoftext|>",
    bos_token="<|startoftext|>",
    eos_token="<|endoftext|>",
    model_max_length=16,
)
controlnet = ControlNetModel.from_unet(unet, conditioning_embedding_out_channels=(4, 8))
pipe = StableDiffusionControlNetPipeline(
    vae=vae,
    text_encoder=text_encoder,
    tokenizer=tokenizer,
    unet=unet,
    controlnet=controlnet,
    scheduler=EulerDiscreteScheduler(num_train_timesteps=100, beta_schedule="scaled_linear", steps_offset=1),
    safety_checker=None,
    feature_extractor=None,
    requires_safety_checker=False,
)
pipe.set_progress_bar_config(disable=True)
control = torch.rand(1, 3, 16, 16)  # the control image: an edge map or a pose, here noise
image = pipe("a horse", image=control, num_inference_steps=2, height=16, width=16, output_type="np").images
print(tuple(image.shape))
