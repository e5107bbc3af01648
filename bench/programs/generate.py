"""A tiny llama generates: greedy by default, or the variant the flags name.

python bench/programs/generate.py [--assistant | --sample | --beams N | --prompt-lookup]
                                  [--attn sdpa|eager] [--cache static] [--max-new-tokens N]
"""

from __future__ import annotations

import argparse

import tiny


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--assistant", action="store_true", help="assisted decoding with a smaller llama")
    mode.add_argument("--sample", action="store_true", help="multinomial sampling")
    mode.add_argument("--beams", type=int, default=1, help="beam search with N beams")
    mode.add_argument("--prompt-lookup", action="store_true", help="prompt-lookup decoding")
    parser.add_argument("--attn", choices=("sdpa", "eager"), default="sdpa")
    parser.add_argument("--cache", choices=("dynamic", "static"), default="dynamic")
    parser.add_argument("--max-new-tokens", type=int, default=20)
    args = parser.parse_args()

    model = tiny.llama(attn=args.attn)
    kwargs: dict[str, object] = {
        "max_new_tokens": args.max_new_tokens,
        "min_new_tokens": args.max_new_tokens,  # random weights: never stop early on EOS
        "do_sample": args.sample,
        "num_beams": args.beams,
    }
    if args.assistant:
        kwargs["assistant_model"] = tiny.assistant(attn=args.attn)
    if args.prompt_lookup:
        kwargs["prompt_lookup_num_tokens"] = 3
    if args.cache == "static":
        kwargs["cache_implementation"] = "static"
    out = model.generate(tiny.prompt(), **kwargs)
    print(out.shape[-1], "tokens:", out[0].tolist())


if __name__ == "__main__":
    main()
