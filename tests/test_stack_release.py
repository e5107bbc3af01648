"""The pinned Hugging Face stack, for real (the releases the shipped pins name, from the
package index, downloaded once per machine): answers land in the repository that holds
the code, and say which repository and version it is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codewalk.cli.main import main

pytestmark = pytest.mark.release


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main([*argv, "--json"]) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def first(data: dict[str, object]) -> dict[str, object]:
    results = data["results"]
    assert isinstance(results, list) and results
    best: dict[str, object] = results[0]
    return best


def test_find_lands_in_the_repository_that_defines_the_name(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = first(run_json(capsys, "find", "hf_hub_download"))
    assert (hub["repo"], hub["version"], hub["kind"]) == (
        "huggingface_hub",
        "huggingface_hub==1.33.0",
        "function",
    )
    assert (hub["path"], hub["line"]) == (
        "src/huggingface_hub/file_download.py",
        857,
    )  # not the @overload stubs
    backward = first(run_json(capsys, "find", "accelerate.Accelerator.backward"))
    assert (backward["repo"], backward["path"], backward["line"]) == (
        "accelerate",
        "src/accelerate/accelerator.py",
        2818,
    )
    load = first(run_json(capsys, "find", "safetensors.torch.load_file"))
    assert (load["repo"], load["version"], load["path"]) == (
        "safetensors",
        "safetensors==0.8.0",
        "py_src/safetensors/torch.py",
    )


def test_uses_are_searched_where_the_name_is_defined(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """diffusers' get_timestep_embedding: its uses in diffusers, not in the first pin
    (transformers), where it has none."""
    data = run_json(capsys, "find", "get_timestep_embedding", "--refs")
    assert first(data)["repo"] == data["references_repo"] == "diffusers"
    refs = data["references"]
    assert isinstance(refs, list)
    assert {"path": "src/diffusers/models/embeddings.py", "line": 1319, "col": 17} in [
        {k: r[k] for k in ("path", "line", "col")} for r in refs
    ]  # in Timesteps.forward: t_emb = get_timestep_embedding(


def test_a_fallback_stand_in_does_not_hide_a_pin_not_synced_yet(
    stack_sources: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The README's ``find hf_hub_download`` on a home that holds transformers alone:
    oneformer's ``hf_hub_download = None`` (where its import fails) is not the answer;
    the import is followed into huggingface_hub, fetched for it."""
    (isolated_home / "sources").mkdir(parents=True)
    (isolated_home / "sources" / "transformers").symlink_to(stack_sources / "transformers")
    monkeypatch.setenv("CODEWALK_SOURCE", "release")
    found = run_json(capsys, "find", "hf_hub_download")
    hub, stand_in = found["results"][0], found["results"][-1]  # type: ignore[index]
    assert (hub["repo"], hub["path"], hub["line"]) == (
        "huggingface_hub",
        "src/huggingface_hub/file_download.py",
        857,
    )
    assert (stand_in["repo"], stand_in["signature"]) == ("transformers", "hf_hub_download = None")
    assert stand_in["via"].endswith("(a fallback: what the name is when its import fails)")
    assert not [r for r in found["results"] if "@overload" in r["via"]]  # type: ignore[union-attr]
    assert (isolated_home / "sources" / "huggingface_hub").is_dir()


def test_goto_on_the_trainers_backward_lands_in_accelerate(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(_goto(capsys, "src/transformers/trainer.py:2118:30"))
    result = data["result"]
    assert (result["repo"], result["qualname"], result["path"], result["line"]) == (
        "accelerate",
        "accelerate.accelerator.Accelerator.backward",
        "src/accelerate/accelerator.py",
        2818,
    )
    assert result["via"].startswith("accelerator is an Accelerator (set at src/transformers/trainer.py:864)")


def test_goto_takes_what_a_traceback_gives(stack_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An installed copy's path, a path from the package down, a line without a column
    (its call), a traceback's File line: each lands where the repo-relative position does."""
    installed = "/venv/lib/python3.11/site-packages/transformers/trainer.py"
    for position in (
        f"{installed}:2118:30",
        "transformers/trainer.py:2118:30",
        "src/transformers/trainer.py:2118",
        f'  File "{installed}", line 2118, in training_step',
    ):
        data = json.loads(_goto(capsys, position))
        result = data["result"]
        assert (result["repo"], result["qualname"], result["line"]) == (
            "accelerate",
            "accelerate.accelerator.Accelerator.backward",
            2818,
        ), position
        assert (data["position"]["path"], data["position"]["col"], data["mismatch"]) == (
            "src/transformers/trainer.py",
            30,
            None,
        )
    assert data["read_as"] == (
        f"read {installed} as src/transformers/trainer.py of transformers==5.23.0; that file is not on this "
        "machine to compare: lines may not match"
    )
    accelerate = json.loads(
        _goto(capsys, "/venv/lib/python3.11/site-packages/accelerate/accelerator.py:2818")
    )
    assert (accelerate["repo"], accelerate["result"]["qualname"]) == (
        "accelerate",
        "accelerate.accelerator.Accelerator.backward",
    )
    # accelerate's file as its own checkout names it, asked from transformers: read in that pin
    as_named = json.loads(_goto(capsys, "src/accelerate/accelerator.py:2818"))
    assert (as_named["repo"], as_named["result"]["qualname"]) == (
        "accelerate",
        "accelerate.accelerator.Accelerator.backward",
    )
    assert as_named["read_as"] == "read src/accelerate/accelerator.py in accelerate==1.14.0"


def _goto(capsys: pytest.CaptureFixture[str], position: str) -> str:
    assert main(["goto", position, "--json"]) == 0
    return capsys.readouterr().out


def test_compiled_code_is_said_plainly(stack_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = run_json(capsys, "find", "safetensors.safe_open")
    results = found["results"]
    assert isinstance(results, list)
    stub, native = results[0], next(r for r in results if r["kind"] == "native")
    assert (stub["path"], stub["kind"]) == ("py_src/safetensors/__init__.pyi", "class")
    assert "compiled code with no Python source" in stub["via"]
    assert native["path"] == "bindings/python/src/lib.rs" and native["signature"] == "struct safe_open {"
    tokenizer = run_json(capsys, "find", "tokenizers.Tokenizer")["results"]
    assert isinstance(tokenizer, list)
    rust = next(r for r in tokenizer if r["kind"] == "native")
    assert rust["via"] == 'implemented in Rust: #[pyclass(name = "Tokenizer")] struct PyTokenizer'


def test_a_transformers_tour_fetches_transformers_alone(
    stack_sources: Path, isolated_home: Path, tmp_path: Path
) -> None:
    """On a home holding only transformers, with every other fetch doomed (no index, no
    git host), a transformers tour runs through and nothing else is fetched."""
    (isolated_home / "sources").mkdir(parents=True)
    (isolated_home / "sources" / "transformers").symlink_to(stack_sources / "transformers")
    env = {
        **os.environ,
        "CODEWALK_HOME": str(isolated_home),
        "CODEWALK_SOURCE": "release",
        "PIP_INDEX_URL": (tmp_path / "no-index").as_uri() + "/",
        "PIP_EXTRA_INDEX_URL": "",
    }
    done = subprocess.run(
        [sys.executable, "-m", "codewalk", "tour", "llama-generate", "--plain", "--no-color"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "13/13" in done.stdout
    assert "looking up" not in done.stderr and "downloading" not in done.stderr
    assert sorted(p.name for p in (isolated_home / "sources").iterdir()) == ["transformers"]


def test_the_accelerate_release_is_verified_to_be_upstreams_tree(accelerate_checkout) -> None:  # type: ignore[no-untyped-def]
    """The pinned accelerate release is byte for byte upstream's ``src/accelerate`` at
    v1.14.0: codewalk says so, and git itself, asked about the release's files, agrees."""
    from codewalk import locations
    from codewalk.source.pins import load_pins

    pin = load_pins(locations.pins_path())["accelerate"]
    assert pin.tree == "a531f21bfe902b6f527f464de1716742ebe988dc"
    said = f"release accelerate 1.14.0, identical to upstream v1.14.0 (tree {pin.tree})"
    assert accelerate_checkout.label == said

    def git(*args: str) -> str:
        root = str(accelerate_checkout.root)
        return subprocess.run(["git", "-C", root, *args], capture_output=True, text=True, check=True).stdout

    assert git("status", "--porcelain") == ""  # the files are the ones recorded
    assert git("rev-parse", "HEAD:src/accelerate").strip() == pin.tree


def test_tokenizers_two_stubs_of_one_module_each_name_their_file(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """tokenizers ships ``trainers.pyi`` and ``trainers/__init__.pyi``: a class found in
    each is labelled with its own file; the full name of a class its package re-exports
    through an alias of the compiled module lands on the stub's class, the Rust related."""
    found = run_json(capsys, "find", "BpeTrainer")["results"]
    assert isinstance(found, list)
    classes = {(r["path"], r["line"]) for r in found if r["kind"] == "class"}
    assert classes == {
        ("py_src/tokenizers/trainers.pyi", 10),
        ("py_src/tokenizers/trainers/__init__.pyi", 17),
    }
    bpe = run_json(capsys, "find", "tokenizers.models.BPE")["results"]
    assert isinstance(bpe, list)
    assert (bpe[0]["kind"], bpe[0]["path"]) == ("class", "py_src/tokenizers/models.pyi")
    assert any(r["kind"] == "native" for r in bpe)
    at = run_json(capsys, "goto", "py_src/tokenizers/trainers/__init__.pyi:17", "--repo", "tokenizers")
    assert isinstance(at["result"], dict)
    assert (at["result"]["kind"], at["result"]["line"]) == ("class", 17)


def test_where_python_ends_and_rust_begins(stack_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The Rust ``find`` names is what ``show`` and ``goto`` (from the default pin, too)
    take, and ``show`` of the stub says where it is; ``calls`` of the stub says it is
    compiled and where its Rust is."""
    found = run_json(capsys, "find", "tokenizers.Tokenizer.encode_batch")["results"]
    assert isinstance(found, list)
    rust = next(r for r in found if r["kind"] == "native")
    shown = run_json(capsys, "show", rust["qualname"])
    assert isinstance(shown["result"], dict) and shown["result"]["path"] == rust["path"]
    assert str(shown["source_text"]).lstrip().startswith("fn encode_batch(")
    assert main(["show", "tokenizers.Tokenizer.encode_batch"]) == 0  # the stub: where its Rust is
    said = capsys.readouterr().out.splitlines()
    assert said[2] == (
        f"its Rust source is {rust['path']}:{rust['line']}; `codewalk show '{rust['qualname']}'` shows it"
    )
    at = run_json(capsys, "goto", f"{rust['path']}:{rust['line']}")
    assert at["read_as"] == (
        f"read {rust['path']} in tokenizers==0.23.1 (the transformers checkout has no such file)"
    )
    results = at["results"]
    assert isinstance(results, list)
    assert [(r["kind"], r["qualname"]) for r in results] == [
        ("native", "tokenizers.Tokenizer.encode_batch (compiled)"),
        ("method", "tokenizers.Tokenizer.encode_batch"),
    ]
    assert main(["calls", "tokenizers.Tokenizer.train_from_iterator"]) == 1
    said = capsys.readouterr().err
    assert "is declared in a type stub (py_src/tokenizers/__init__.pyi:" in said
    assert "its Rust source is bindings/python/src/tokenizer.rs:" in said


def test_a_stub_method_is_the_fn_of_its_own_classs_impl(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``decode`` is a fn of ``PyTokenizer``'s and of ``PyDecoder``'s ``#[pymethods]``:
    each stub class's method is its own struct's, and the Rust line implements that one."""
    for stub, at in (
        ("tokenizers.Tokenizer.decode", "bindings/python/src/tokenizer.rs:1541"),
        ("tokenizers.decoders.Decoder.decode", "bindings/python/src/decoders.rs:120"),
    ):
        found = run_json(capsys, "find", stub)["results"]
        assert isinstance(found, list)
        assert [f"{r['path']}:{r['line']}" for r in found if r["kind"] == "native"] == [at]
    at = run_json(capsys, "goto", "bindings/python/src/tokenizer.rs:1541", "--repo", "tokenizers")["results"]
    assert isinstance(at, list)
    assert [r["qualname"] for r in at] == [
        "tokenizers.Tokenizer.decode (compiled)",
        "tokenizers.Tokenizer.decode",
    ]


def test_a_rust_path_of_several_pins_or_of_no_item_is_said(
    stack_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["goto", "bindings/python/src/lib.rs:1"]) == 1
    said = capsys.readouterr().err
    assert "no such file in the transformers checkout; safetensors, tokenizers have one" in said
    assert "--repo safetensors or --repo tokenizers" in said
    assert main(["goto", "bindings/python/src/tokenizer.rs:1", "--repo", "tokenizers"]) == 1
    assert "no Rust fn or struct exposed to Python starts at this line" in capsys.readouterr().err
