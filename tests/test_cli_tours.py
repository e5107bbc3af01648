"""``codewalk tours``, ``tour``, ``check`` and ``export`` as a user runs them, against
the real release (the session's shared index, so each test pays only for itself)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codewalk.cli.main import main
from codewalk.source import sync
from codewalk.source.checkout import Checkout
from tests.codetour_schema import codetour_problems
from tests.shipped import SHIPPED_TOURS


@pytest.fixture
def pinned(transformers_checkout: Checkout, stack_home: Path) -> Checkout:
    """Commands see every pin's release and the session's shared index; the transformers
    checkout they read is returned."""
    from codewalk.source.sync import open_checkout

    return open_checkout("transformers")


def test_tours_lists_the_shipped_tours(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tours"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "accelerate-backends       13 steps  How Accelerator.prepare picks DeepSpeed, FSDP or DDP",
        "assisted-decoding         11 steps  Assisted generation: the assistant drafts, the model verifies",
        "attention-dispatch         8 steps  Which attention function runs, and who chose it",
        "auto-classes              12 steps  "
        "Auto classes and a model of your own: registered, or loaded as remote code",
        "beam-search               13 steps  "
        "_beam_search: running beams, finished hypotheses, early stopping",
        'big-model-loading         14 steps  device_map="auto", from free memory to accelerate\'s hooks',
        "causal-lm-loss             6 steps  Where the causal-LM loss comes from",
        "chat-template              9 steps  "
        "apply_chat_template, from messages to a Jinja-rendered prompt and its token ids",
        "controlnet-residuals       6 steps  Where ControlNet residuals enter the UNet",
        "datasets-json             12 steps  "
        'load_dataset("json"), from a file name to a memory-mapped Arrow table',
        "datasets-map              11 steps  "
        "Dataset.map, from a function to a cache file named by a fingerprint",
        "diffusers-denoising       11 steps  The denoising loop of StableDiffusionPipeline",
        "diffusers-schedulers       6 steps  Diffusers schedulers: set_timesteps, scale_model_input and step",
        "from-pretrained           20 steps  from_pretrained, from a Hub name to tensors in memory",
        "gradient-checkpointing    11 steps  Gradient checkpointing: from the Trainer's flag to each layer",
        "hub-cache                 12 steps  "
        "The hub cache offline, from hf_hub_download to a snapshot's symlink",
        "kv-cache                  14 steps  "
        "The KV cache, grown by concatenation or preallocated for compilation",
        "llama-generate            13 steps  From LlamaForCausalLM to assisted decoding",
        "logits-processors         13 steps  "
        "Logits processors and stopping criteria, from the config to _sample",
        "modular-qwen3             12 steps  "
        "modular_qwen3.py is edited; the generated modeling_qwen3.py runs",
        "moe-experts               12 steps  "
        "Mixture of experts: the router, the experts' kernels, and the load-balancing loss",
        "optimum-backends           9 steps  optimum, a namespace that backends plug into",
        "paddle-layer-call          9 steps  PaddlePaddle: layer(x), from Layer.__call__ to the C++ operator",
        "peft-adapters             11 steps  "
        "A LoRA adapter saved, loaded onto a fresh base, merged; a second adapter beside it",
        "peft-lora                 10 steps  How PEFT puts a LoRA layer into a model",
        "pipeline-batching         12 steps  "
        "A pipeline over a list, batch_size=2, from the list to each output",
        "quantized-loading         13 steps  "
        "from_pretrained(quantization_config=...), the quantizer's hooks, and FP8 weights made on load",
        "resize-embeddings          8 steps  "
        "resize_token_embeddings after adding tokens, and the tied output head",
        "save-pretrained           10 steps  "
        "save_pretrained, from a model to safetensors shards and their index",
        "seq2seq-trainer           13 steps  "
        "Seq2SeqTrainer, from padded labels to generated predictions and early stopping",
        "special-tokens             8 steps  "
        "bos_token_id and eos_token_id, from config to the stop of generation",
        "text-generation-pipeline  14 steps  "
        'pipeline("text-generation"), from the task name to generated text',
        "text-streaming             7 steps  "
        "Streaming generation: TextStreamer, and TextIteratorStreamer in a thread",
        'tokenizer-call            15 steps  tokenizer("text"), from transformers down to Rust',
        "tokenizer-train-save      11 steps  A tokenizer trained, wrapped, extended, saved and loaded back",
        "trainer-evaluate          13 steps  Trainer.evaluate, from the eval dataloader to the eval_ metrics",
        "trainer-subclass          14 steps  A Trainer of your own, and what the Trainer does around it",
        "trainer-train             17 steps  How Trainer.train reaches backward",
        "watermarking              12 steps  Watermarking generated text, and detecting it",
        "whisper-generate          12 steps  "
        "Whisper, from audio samples to log-mel features to generated tokens",
        "xformers-dispatch          9 steps  xformers' memory_efficient_attention, and how it picks a kernel",
    ]


def test_an_unknown_tour_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "no-such-tour", "--plain"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("codewalk: error: unknown tour 'no-such-tour'\n  hint: known tours:")


def test_a_malformed_tour_file_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\nsteps:\n  - at: X\n    file: src/x.py\n", encoding="utf-8")
    assert main(["tour", str(bad), "--plain"]) == 2
    assert (
        capsys.readouterr().err
        == f"codewalk: error: {bad}:3: step 1 has both 'at' and 'file'\n  hint: keep one of them\n"
    )


@pytest.mark.release
def test_check_passes_on_the_shipped_tours(pinned: Checkout, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if "warning" in line] == []  # every note shows or links what it names
    out = lines
    assert out[:4] == [
        "ok      accelerate-backends (13 steps at accelerate==1.14.0)",
        "ok      assisted-decoding (11 steps at transformers==5.23.0)",
        "ok      attention-dispatch (8 steps at transformers==5.23.0)",
        "ok      attention-dispatch (8 steps at transformers==5.24.0)",  # the tour lists 5.24.0
    ]
    assert "ok      paddle-layer-call (9 steps at paddle (paddlepaddle==3.3.1))" in out
    crossing = [line for line in out if line.count("==") >= 2 and "5.23.0" in line]
    assert crossing == [
        "ok      big-model-loading (14 steps at transformers==5.23.0, accelerate==1.14.0)",
        "ok      from-pretrained (20 steps at "
        "transformers==5.23.0, huggingface_hub==1.33.0, safetensors==0.8.0)",
        "ok      save-pretrained (10 steps at "
        "transformers==5.23.0, huggingface_hub==1.33.0, safetensors==0.8.0)",
        "ok      tokenizer-call (15 steps at transformers==5.23.0, tokenizers==0.23.1)",
        "ok      tokenizer-train-save (11 steps at transformers==5.23.0, tokenizers==0.23.1)",
        "ok      trainer-evaluate (13 steps at transformers==5.23.0, accelerate==1.14.0)",
        "ok      trainer-train (17 steps at transformers==5.23.0, accelerate==1.14.0)",
    ]
    assert out[-1] == (
        "41 tour(s) (48 readings, with their versions), 553 step(s): 0 broken step(s), 0 file error(s)"
    )


BROKEN = """\
title: A tour with a typo
steps:
  - at: ForCausalLMLoss
    note: fine
  - at: LlamaForCausalLM.forward
    focus: "loss = self.loss_function("
  - at: fixed_cross_entropyy
    note: the typo is here, on line 7
"""


@pytest.mark.release
def test_check_fails_with_the_broken_step_line(
    pinned: Checkout, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "BROKEN  typo (1 of 3 steps broken at transformers==5.23.0)"
    assert out[1] == (
        f"  {path}:7: step 3 (fixed_cross_entropyy): missing: "
        "'fixed_cross_entropyy' names nothing in transformers==5.23.0"
    )
    assert out[2].startswith("      did you mean: fixed_cross_entropy")
    assert main(["check", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    steps = report["tours"][0]["steps"]
    assert [(s["index"], s["step_line"], s["status"]) for s in steps] == [
        (1, 3, "resolved"),
        (2, 5, "resolved"),
        (3, 7, "missing"),
    ]
    assert steps[1]["focus"] == [472, 472]


@pytest.mark.release
def test_check_reports_a_malformed_file_among_good_ones(
    pinned: Checkout, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text("title: T\nsteps:\n  - at: X\n    line: 3\n", encoding="utf-8")
    assert main(["check", "--tours-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"error: {tmp_path / 'bad.yaml'}:4: unknown key 'line' in step 1"


@pytest.mark.release
def test_tour_plain_prints_the_focused_step(pinned: Checkout, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "llama-generate", "--plain", "--step", "2", "--no-color"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1] == (
        "2/13  The decoder stack is a ModuleList  "
        "transformers.models.llama.modeling_llama.LlamaModel.__init__  "
        "src/transformers/models/llama/modeling_llama.py:337-351  transformers==5.23.0"
    )
    assert "▶ 343 │         self.layers = nn.ModuleList(" in lines
    assert "▶ 345 │         )" in lines
    assert (
        "  342 │         self.embed_tokens = "
        "nn.Embedding(config.vocab_size, config.hidden_size, self.padding_idx)" in lines
    )
    assert "`nn.ModuleList` only *holds* the modules" in out
    assert "1/13" not in out and "3/13" not in out


@pytest.mark.release
def test_tour_plain_is_highlighted(pinned: Checkout, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "causal-lm-loss", "--plain", "--step", "5"]) == 0
    out = capsys.readouterr().out
    assert "\x1b[38;5;" in out  # pygments' 256-colour codes
    assert "\x1b[1;33m▶ 65\x1b[0m │ " in out


def test_a_note_is_rendered_by_rich_in_colour_and_shown_as_markdown_without() -> None:
    from codewalk.render.plain import render_markdown

    note = "The `loss` is **summed**, then\ndivided.\n\n- one\n- two\x1b[2J"
    coloured = render_markdown(note, color=True, width=40)
    assert coloured.split("\n")[0] == "The \x1b[1;36;40mloss\x1b[0m is \x1b[1msummed\x1b[0m, then divided."
    assert "\x1b[1m • \x1b[0mtwo\\x1b[2J" in coloured  # a list; the note's own escape made visible
    assert not any(line.endswith(" ") for line in coloured.split("\n"))  # not padded to the width
    assert render_markdown(note, color=False, width=40) == note.replace("\x1b", "\\x1b")


@pytest.mark.release
def test_tour_json(pinned: Checkout, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "causal-lm-loss", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["id"], data["title"], data["repo"], data["version"]) == (
        "causal-lm-loss",
        "Where the causal-LM loss comes from",
        "transformers",
        "transformers==5.23.0",
    )
    assert data["summary"].startswith("`model(input_ids, labels=labels).loss` for a Llama model: how")
    step = data["steps"][4]
    assert {
        k: step[k] for k in ("index", "status", "qualname", "path", "line", "start_line", "end_line", "focus")
    } == {
        "index": 5,
        "status": "resolved",
        "qualname": "transformers.loss.loss_utils.ForCausalLMLoss",
        "path": "src/transformers/loss/loss_utils.py",
        "line": 51,
        "start_line": 51,
        "end_line": 73,
        "focus": [65, 65],
    }
    assert step["via"] and step["note"].startswith("Position *t* must predict token *t+1*.")


@pytest.mark.release
def test_export_codetour_and_markdown(
    pinned: Checkout, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "loss.tour"
    assert main(["export", "causal-lm-loss", "--format", "codetour", "-o", str(out)]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert codetour_problems(document) == []
    assert document["ref"] == pinned.permalink_ref
    assert [s["line"] for s in document["steps"]] == [472, 4774, 1280, 174, 65, 47]
    capsys.readouterr()
    assert main(["export", "causal-lm-loss", "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert (
        f"(https://github.com/huggingface/transformers/blob/{pinned.permalink_ref}/"
        "src/transformers/loss/loss_utils.py#L51-L73)"
    ) in markdown


@pytest.mark.release
def test_plain_tour_never_imports_textual(transformers_checkout: Checkout, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from codewalk.cli.main import main\n"
        "code = main(['tour', 'causal-lm-loss', '--plain', '--step', '1', '--source', sys.argv[1]])\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'NO-TEXTUAL', code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(transformers_checkout.root)],
        capture_output=True,
        text=True,
        env={**os.environ, "CODEWALK_HOME": str(tmp_path / "home")},
        timeout=300,
    )
    assert result.stdout.splitlines()[-1] == "NO-TEXTUAL 0", result.stderr
    assert "1/6  The model asks for a loss" in result.stdout


@pytest.mark.release
def test_a_long_span_is_cut_to_a_window_around_its_focus(
    pinned: Checkout, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tour", "llama-generate", "--plain", "--step", "10", "--no-color"]) == 0
    lines = capsys.readouterr().out.splitlines()
    body = lines[lines.index("  2581 │     @torch.no_grad()") :]
    assert body[:3] == [
        "  2581 │     @torch.no_grad()",
        "  2582 │     def generate(",
        "       ⋮ lines 2583-2789 not shown",
    ]
    assert (
        "▶ 2802 │             decoding_method = "
        "getattr(type(self), GENERATION_MODES_MAPPING[generation_mode])" in body
    )
    assert "       ⋮ lines 2833-3017 not shown" in body


@pytest.mark.release
def test_check_lists_the_candidates_of_an_ambiguous_step(
    pinned: Checkout, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "vague.yaml"
    path.write_text(
        "title: Vague\nsteps:\n  - at: eager_attention_forward\n    note: which one?\n", encoding="utf-8"
    )
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith(
        f"  {path}:3: step 1 (eager_attention_forward): ambiguous: 348 definitions named "
        "eager_attention_forward in transformers==5.23.0: "
        "transformers.models.llama.modeling_llama.eager_attention_forward "
        "(src/transformers/models/llama/modeling_llama.py:180), "
    )
    assert out[1].endswith(", and 343 more; write a qualified name")
    (suggested,) = [line for line in out if line.startswith("      did you mean: ")]
    names = suggested.removeprefix("      did you mean: ").split(", ")
    assert len(names) == 5 and all(name.endswith(".eager_attention_forward") for name in names)


@pytest.mark.release
def test_forward_after_a_step_in_modeling_llama_is_ambiguous_there(
    pinned: Checkout, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The name the tour's file defines in seven classes is refused (the first was read
    silently once), and a name it defines once is not, though other files define it."""
    path = tmp_path / "forward.yaml"
    path.write_text(
        "title: Forward\nsteps:\n  - at: LlamaForCausalLM.forward\n  - at: forward\n"
        "  - at: compute_default_rope_parameters\n",
        encoding="utf-8",
    )
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        "BROKEN  forward (1 of 3 steps broken at transformers==5.23.0)",
        f"  {path}:4: step 2 (forward): ambiguous: 7 definitions named forward in modeling_llama.py: "
        "LlamaRMSNorm.forward (line 61), LlamaRotaryEmbedding.forward (line 110), "
        "LlamaMLP.forward (line 163), LlamaAttention.forward (line 232), "
        "LlamaDecoderLayer.forward (line 284), and 2 more; write Class.forward",
        "      did you mean: LlamaRMSNorm.forward, LlamaRotaryEmbedding.forward, LlamaMLP.forward, "
        "LlamaAttention.forward, LlamaDecoderLayer.forward, LlamaModel.forward, LlamaForCausalLM.forward",
    ]


def test_a_step_out_of_range(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "causal-lm-loss", "--plain", "--step", "7"]) == 2
    assert capsys.readouterr().err == (
        "codewalk: error: tour 'causal-lm-loss' has steps 1-6; there is no step 7\n"
    )


@pytest.mark.release
def test_an_export_makes_its_directory_and_an_unwritable_path_is_one_line(
    pinned: Checkout, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / ".tours" / "x.tour"
    assert main(["export", "causal-lm-loss", "--format", "codetour", "-o", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["title"]
    capsys.readouterr()
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "x.tour"
    assert main(["export", "causal-lm-loss", "--format", "codetour", "-o", str(target)]) == 2
    err = capsys.readouterr().err  # (the index may add a note of its own on stderr)
    assert err.splitlines()[-1] == f"codewalk: error: {target}: cannot write the export: Not a directory"
    assert "Traceback" not in err


# -- one bad tour file among good ones ---------------------------------------------------

BAD_STEP = "title: Bad\nsteps:\n  - at: X\n  - file: /etc/passwd\n"
GOOD_TOUR = "title: Good\nsteps:\n  - at: transformers.loss.loss_utils.ForCausalLMLoss\n    note: fine\n"


@pytest.fixture
def mixed_dir(tmp_path: Path) -> Path:
    """x1: a file error on line 4; x2: a good one-step tour."""
    directory = tmp_path / "mine"
    directory.mkdir()
    (directory / "x1.yaml").write_text(BAD_STEP, encoding="utf-8")
    (directory / "x2.yaml").write_text(GOOD_TOUR, encoding="utf-8")
    return directory


X1_ERROR = "{}:4: step 2: 'file' '/etc/passwd' is absolute; it must be a path inside the repository"


def test_tours_lists_the_good_tours_and_warns_about_a_bad_one(
    mixed_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CODEWALK_TOURS_PATH", str(mixed_dir))
    assert main(["tours"]) == 0
    captured = capsys.readouterr()
    ids = [line.split()[0] for line in captured.out.splitlines()]
    assert ids == sorted([*SHIPPED_TOURS, "x2"])
    (x2,) = [line for line in captured.out.splitlines() if line.startswith("x2 ")]
    assert x2.endswith(" 1 step   Good")  # the title where the others' are (" 9 steps  ...")
    assert captured.err == f"codewalk: warning: {X1_ERROR.format(mixed_dir / 'x1.yaml')} (skipped)\n"
    assert main(["tours", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [t["id"] for t in data["tours"]] == ids
    assert data["errors"] == [X1_ERROR.format(mixed_dir / "x1.yaml")]


def test_a_tour_by_id_skips_a_bad_file_unless_it_is_the_one(
    mixed_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CODEWALK_TOURS_PATH", str(mixed_dir))
    # (step 7 of 6: the tour loaded, and the command stops before it needs the code)
    assert main(["tour", "causal-lm-loss", "--plain", "--step", "7"]) == 2
    assert (
        capsys.readouterr().err
        == "codewalk: error: tour 'causal-lm-loss' has steps 1-6; there is no step 7\n"
    )
    assert main(["tour", "x1", "--plain"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == f"codewalk: error: {X1_ERROR.format(mixed_dir / 'x1.yaml')}"


def test_check_reports_a_control_character_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nul.yaml"
    path.write_text('title: T\nsteps:\n  - file: "src/a\\0b.py"\n', encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"error: {path}:3: step 1: 'file' contains a control character (U+0000): 'src/a\\x00b.py'"
    )
    assert out[-1] == "1 tour(s), 0 step(s): 0 broken step(s), 1 file error(s)"


def test_check_and_tour_name_every_problem_of_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("title: T\nsteps:\n  - at: 12\n  - title: no anchor\n", encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    errors = [line for line in out if line.startswith("error: ")]
    assert errors == [
        f"error: {path}:3: step 1: 'at' must be a string, found a number",
        f"error: {path}:4: step 2 has neither 'at' nor 'file'",
    ]
    assert out[-1] == "1 tour(s), 0 step(s): 0 broken step(s), 2 file error(s)"
    assert main(["check", str(path), "--json"]) == 1
    shown = json.loads(capsys.readouterr().out)["errors"]
    assert [e.splitlines()[0] for e in shown] == [e.removeprefix("error: ") for e in errors]
    assert main(["tour", str(path), "--plain"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"codewalk: error: {path}: 2 problems"
    assert err[1] == f"  {path}:3: step 1: 'at' must be a string, found a number"


def test_a_misspelt_key_of_the_tour_hides_no_step_problem_in_check_and_tours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text("titel: T\nsteps:\n  - at: 12\n  - file: /etc/passwd\n", encoding="utf-8")
    problems = [
        f"{path}:1: unknown key 'titel' in the tour: did you mean 'title'?",
        f"{path}:3: step 1: 'at' must be a string, found a number",
        f"{path}:4: step 2: 'file' '/etc/passwd' is absolute; it must be a path inside the repository",
    ]
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if line.startswith("error: ")] == [f"error: {p}" for p in problems]
    monkeypatch.setenv("CODEWALK_TOURS_PATH", str(tmp_path))
    assert main(["tours"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [f"codewalk: warning: {path}: 3 problems (skipped)", *(f"  {p}" for p in problems)]


@pytest.mark.release
def test_plain_tour_with_a_bad_file_in_the_tours_path(
    pinned: Checkout, mixed_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CODEWALK_TOURS_PATH", str(mixed_dir))
    assert main(["tour", "causal-lm-loss", "--plain", "--step", "1", "--no-color"]) == 0
    assert "1/6  " in capsys.readouterr().out


@pytest.mark.release
def test_check_named_tours_reports_each_once(
    pinned: Checkout, mixed_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    x1 = X1_ERROR.format(mixed_dir / "x1.yaml")
    assert main(["check", "--tours-dir", str(mixed_dir), "x2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "ok      x2 (1 step at transformers==5.23.0)",
        "1 tour(s), 1 step(s): 0 broken step(s), 0 file error(s)",
    ]
    assert main(["check", "--tours-dir", str(mixed_dir), "x1", "x2", "x1"]) == 1
    out = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("  hint: ")]
    assert out == [
        f"error: {x1}",
        "ok      x2 (1 step at transformers==5.23.0)",
        "2 tour(s), 1 step(s): 0 broken step(s), 1 file error(s)",
    ]


@pytest.mark.release
def test_check_with_no_names_reports_every_bad_file(
    pinned: Checkout, mixed_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mixed_dir / "x3.yaml").write_text("id: x2\n" + GOOD_TOUR, encoding="utf-8")
    assert main(["check", "--tours-dir", str(mixed_dir)]) == 1
    out = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("  hint: ")]
    assert out[:2] == [
        f"error: {X1_ERROR.format(mixed_dir / 'x1.yaml')}",
        f"error: {mixed_dir / 'x3.yaml'}:1: tour id 'x2' is also defined in {mixed_dir / 'x2.yaml'}",
    ]
    assert "ok      x2 (1 step at transformers==5.23.0)" in out
    assert out[-1] == (
        "44 tour(s) (49 readings, with their versions), 554 step(s): 0 broken step(s), 2 file error(s)"
    )


def test_a_tour_without_repo_opens_its_checkout_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The step asks for the tour's repo (None: the first pin), the rendering for the
    resolved step's repo ('transformers'): one checkout, so its notes are printed once."""
    from codewalk.cli.workspaces import Workspaces
    from tests.toyrepo import make_toy

    opened: list[str | None] = []

    def fake_open(repo: str | None = None, source_path: str | None = None, **_: object) -> object:
        opened.append(repo)
        return make_toy(tmp_path)

    monkeypatch.setattr(sync, "open_checkout", fake_open)
    workspaces = Workspaces(None)
    assert workspaces.get(None) is workspaces.get("transformers") is workspaces.get(None)
    assert opened == ["transformers"]
