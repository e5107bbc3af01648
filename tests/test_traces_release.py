"""Real runs of the pinned stack, traced: transformers' tokenizer path and config loading
in a virtualenv with transformers and tokenizers and no torch (built once, kept in the
release cache), a locally patched copy read as such, and, where a Python with torch is
named (``CODEWALK_TEST_TORCH_PYTHON``), the tiny llama of the llama-generate tour
generating with an assistant."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codewalk import locations
from codewalk.cli.main import main
from codewalk.source.pins import load_pins
from codewalk.traces import store
from tests.traceprog import tree_rows

pytestmark = pytest.mark.release

LIGHT = ("transformers", "tokenizers", "huggingface_hub", "safetensors")
PROGRAM = """
import os, sys, tempfile
os.environ["HF_HUB_OFFLINE"] = "1"
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import AutoConfig, LlamaConfig, PreTrainedTokenizerFast

with tempfile.TemporaryDirectory() as saved:
    LlamaConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=4).save_pretrained(saved)
    config = AutoConfig.from_pretrained(saved)
words = ["[UNK]", "[PAD]", "the", "cat", "sat"]
backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
backend.pre_tokenizer = pre_tokenizers.Whitespace()
tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]")
print(type(config).__name__, tokenizer("the cat sat")["input_ids"])
trained = tokenizer.train_new_from_iterator(["the cat sat on the mat"] * 4, vocab_size=8)
"""


@pytest.fixture(scope="session")
def light_python(pytestconfig: pytest.Config) -> str:
    """A virtualenv with the pinned transformers, tokenizers, huggingface_hub and
    safetensors (and no torch), made once in the release cache."""
    cache = Path(os.environ.get("CODEWALK_TEST_CACHE") or pytestconfig.cache.mkdir("codewalk-release"))  # type: ignore[union-attr]
    pins = load_pins(locations.pins_path())
    wanted = [pins[name].release for name in LIGHT]
    tag = f"py{sys.version_info[0]}{sys.version_info[1]}-" + "-".join(w.replace("==", "") for w in wanted)
    venv = cache / "trace-venvs" / tag
    python = venv / "bin" / "python"
    if not python.exists():
        building = venv.with_name(f"{tag}.building-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(building)], check=True)
        done = subprocess.run(
            [str(building / "bin" / "pip"), "install", "-q", *wanted], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.fail(f"cannot install {' '.join(wanted)}: {done.stderr[-500:]}")
        # the venv's scripts name its directory: made again where it is kept
        shutil.rmtree(building)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *wanted], check=True, capture_output=True)
    return str(python)


@pytest.fixture()
def program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "light.py"
    path.write_text(textwrap.dedent(PROGRAM).lstrip())
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_tokenizer_and_config_path_mapped_onto_the_release(
    stack_home: Path, light_python: str, program: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "trace", "--python", light_python, "--name", "light", program.name)
    assert code == 0, err
    trace = store.load("light")
    runs = {r.repo: r for r in trace.repos}
    assert runs["transformers"].source == "release" and runs["transformers"].version == "5.23.0"
    assert runs["transformers"].files >= 40 and not runs["transformers"].differs  # each file the release's
    assert runs["tokenizers"].source == "release"
    code, out, _ = run(capsys, "tour", "--trace", "light", "--plain")
    assert code == 0
    assert "  AutoConfig.from_pretrained  [transformers]  x1 " in out  # called by the program
    rows = tree_rows(out)
    call = next(at for at, row in enumerate(rows) if row[2].startswith("PreTrainedTokenizerBase.__call__"))
    assert rows[call + 1][1] > rows[call][1]  # what it called, under it
    code, out, _ = run(
        capsys, "path", "AutoConfig.from_pretrained", "PreTrainedConfig._get_config_dict", "--trace", "light"
    )
    assert code == 0, out
    assert "chain" in out.splitlines()[0] and "ran in trace 'light'" in out.splitlines()[0]
    code, out, _ = run(capsys, "calls", "PreTrainedTokenizerBase.__call__", "--trace", "light", "--json")
    data = json.loads(out)
    assert data["ran"] == 1
    assert any(site["ran"] for site in data["calls"])
    # a call into tokenizers' Rust leaves no call in the trace: its line ran, and the end says why
    code, out, _ = run(capsys, "calls", "TokenizersBackend.train_new_from_iterator", "--trace", "light")
    assert code == 0, out
    assert "tokenizer.train_from_iterator -> tokenizers.Tokenizer.train_from_iterator  [line ran]" in out
    assert "not those into their compiled code (what a .pyi stub\ndeclares: tokenizers' Rust)" in out


def test_a_patched_installed_file_is_read_from_the_installed_copy(
    stack_home: Path, light_python: str, program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = Path(
        subprocess.run(
            [light_python, "-c", "import transformers, os; print(os.path.dirname(transformers.__file__))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    patched = tmp_path / "patched"
    shutil.copytree(site, patched / "transformers", ignore=shutil.ignore_patterns("__pycache__"))
    target = patched / "transformers" / "configuration_utils.py"
    target.write_text("# a local patch\n" + target.read_text())
    os.environ["PYTHONPATH"] = str(patched)
    try:
        code, _, err = run(capsys, "trace", "--python", light_python, "--name", "patched", program.name)
    finally:
        del os.environ["PYTHONPATH"]
    assert code == 0, err
    assert "transformers is read from the installed copy at " + str(patched) in err
    assert "transformers/configuration_utils.py" in err
    trace = store.load("patched")
    transformers = next(r for r in trace.repos if r.repo == "transformers")
    assert transformers.source == "local" and transformers.differs == ("transformers/configuration_utils.py",)
    code, out, _ = run(capsys, "tour", "--trace", "patched", "--json")
    data = json.loads(out)
    assert next(r for r in data["repos"] if r["repo"] == "transformers")["root"] == str(patched)


def test_generate_with_an_assistant_runs_through_assisted_decoding(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    python = os.environ.get("CODEWALK_TEST_TORCH_PYTHON", "")
    if not python or subprocess.run([python, "-c", "import torch"], capture_output=True).returncode != 0:
        pytest.skip("no Python with torch: set CODEWALK_TEST_TORCH_PYTHON to one with the pinned stack")
    program = locations.shipped_tours_dir() / "programs" / "llama_generate.py"
    code, _, err = run(capsys, "trace", "--python", python, "--name", "assisted", str(program))
    assert code == 0, err
    code, out, _ = run(
        capsys, "path", "LlamaForCausalLM.generate", "LlamaAttention.forward", "--trace", "assisted"
    )
    assert code == 0
    assert "GenerationMixin._assisted_decoding" in out and "AssistedCandidateGenerator.get_candidates" in out
    code, out, _ = run(capsys, "calls", "GenerationMixin.generate", "--trace", "assisted")
    assert "-> transformers.generation.utils.GenerationMixin._assisted_decoding  [ran x1]" in out
    assert "-> transformers.generation.utils.GenerationMixin._beam_search  [not run]" in out


def test_a_trainer_subclass_s_own_compute_loss_is_an_end_of_the_chains_that_ran(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The trainer-subclass tour's program: its ``compute_loss`` override, in no pin, is
    reached from ``Trainer.train`` through ``training_step`` and, in the evaluation a
    callback's step asks for, through ``prediction_step``; every step of the tour ran but
    the one it marks not run."""
    python = os.environ.get("CODEWALK_TEST_TORCH_PYTHON", "")
    if not python or subprocess.run([python, "-c", "import torch"], capture_output=True).returncode != 0:
        pytest.skip("no Python with torch: set CODEWALK_TEST_TORCH_PYTHON to one with the pinned stack")
    program = locations.shipped_tours_dir() / "programs" / "trainer_subclass.py"
    code, _, err = run(capsys, "trace", "--python", python, "--name", "subclass", str(program))
    assert code == 0, err
    code, out, err = run(
        capsys, "path", "Trainer.train", "SummedLossTrainer.compute_loss", "--trace", "subclass", "--json"
    )
    assert code == 0, err
    answer = json.loads(out)
    goal = answer["goal"]
    assert goal["program"] is True and goal["qualname"] == "__main__.SummedLossTrainer.compute_loss"
    callers = {chain[-2]["qualname"].rpartition(".")[2] for chain in answer["chains"]}
    assert callers == {"training_step", "prediction_step"}
    code, out, _ = run(capsys, "check", "trainer-subclass", "--trace", "subclass")
    assert code == 0, out
    assert out.splitlines()[0].startswith("ran     trainer-subclass: 13 of 14 steps ran, 1 not run as marked")


def test_a_models_remote_code_is_recorded_where_the_pinned_code_calls_it(
    stack_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tiny model of the fixtures' own, saved with its ``auto_map`` and loaded with
    ``trust_remote_code=True``: transformers runs its copy under ``HF_MODULES_CACHE``
    (outside the program's directory), whose ``forward`` is in the trace of ``generate``,
    under the pinned frame that called it, marked as remote code."""
    python = os.environ.get("CODEWALK_TEST_TORCH_PYTHON", "")
    if not python or subprocess.run([python, "-c", "import torch"], capture_output=True).returncode != 0:
        pytest.skip("no Python with torch: set CODEWALK_TEST_TORCH_PYTHON to one with the pinned stack")
    monkeypatch.setenv("HF_MODULES_CACHE", str(tmp_path / "hf-modules"))
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    program = Path(__file__).parent / "fixtures" / "remote_model" / "generate_remote.py"
    code, _, err = run(
        capsys, "trace", "--python", python, "--name", "remote", str(program), str(tmp_path / "toy")
    )
    assert code == 0, err
    trace = store.load("remote")
    forward = next(i for i, f in enumerate(trace.functions) if f.name == "ToyForCausalLM.forward")
    function = trace.functions[forward]
    assert function.own and function.module.startswith("transformers_modules.toy.")
    assert function.module.endswith(".modeling_toy")
    assert Path(function.path).is_relative_to(tmp_path / "hf-modules" / "transformers_modules")
    callers = {
        trace.functions[trace.nodes[n.parent].function].repo for n in trace.nodes[1:] if n.function == forward
    }
    assert callers == {"transformers"}  # called by generate's loop, through torch's Module.__call__
    code, out, _ = run(capsys, "tour", "--trace", "remote", "--plain")
    assert code == 0
    assert any(
        label.startswith("ToyForCausalLM.forward  [remote code, modeling_toy.py]")
        for _, _, label in tree_rows(out)
    ), out


def test_the_auto_classes_program_copies_its_remote_code_again_on_a_second_run(
    stack_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The auto-classes tour's program keeps transformers' copy of its remote code after
    the run (a trace shows its lines), and transformers copies a file only when its copy is
    missing or differs: a second run still takes every step, the copy included."""
    python = os.environ.get("CODEWALK_TEST_TORCH_PYTHON", "")
    if not python or subprocess.run([python, "-c", "import torch"], capture_output=True).returncode != 0:
        pytest.skip("no Python with torch: set CODEWALK_TEST_TORCH_PYTHON to one with the pinned stack")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the program keeps the copy
    for _ in range(2):
        code, out, _ = run(capsys, "check", "--run", "auto-classes", "--python", python)
        assert code == 0, out
        assert out.splitlines()[0].startswith("ran     auto-classes: 12 of 12 steps ran"), out
    assert (tmp_path / "codewalk-auto-classes-modules" / "transformers_modules").is_dir()
