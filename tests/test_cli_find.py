"""``codewalk find/show/goto/index`` end to end on the toy repo: output, JSON, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codewalk import locations
from codewalk.cli.main import main
from codewalk.index.versions import INDEX_VERSION
from tests.toyrepo import make_toy

CORE = "src/toypkg/core.py"


@pytest.fixture()
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    checkout = make_toy(tmp_path)
    pins = tmp_path / "pins.toml"
    pins.write_text(
        '[toy]\nurl = "https://example.invalid/toy.git"\ntag = "v0"\npackage_root = "src"\n'
        'packages = ["toypkg"]\nrelease = "toypkg==0"\n'
    )
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    return checkout.root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_find_prints_location_version_and_via(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "find", "Engine.generate", "--source", str(toy))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "toypkg.core.Mixin.generate  method"
    assert lines[1] == f"  {CORE}:18  [toy@local]"
    assert lines[2] == "  def generate(self):"
    assert lines[3] == "  via: inherited from Mixin (MRO of Engine)"


def test_find_json_shape(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "find", "toypkg.Model", "--json", "--source", str(toy))
    assert code == 0
    data = json.loads(out)
    assert (data["query"], data["repo"], data["version"]) == ("toypkg.Model", "toy", "local")
    first = data["results"][0]
    assert set(first) >= {"qualname", "kind", "path", "line", "start_line", "end_line", "via", "signature"}
    assert (first["qualname"], first["path"], first["line"]) == (
        "toypkg.model.Model",
        "src/toypkg/model.py",
        1,
    )
    assert data["results"][1]["path"] == "src/toypkg/utils/dummy_objects.py"


def test_find_refs_grouped_by_file(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "find", "TinyNorm", "--refs", "--source", str(toy))
    assert code == 0
    tail = out[out.index("uses of TinyNorm") :].splitlines()
    assert tail[0] == "uses of TinyNorm (by name) in toypkg==0: 2 in 1 files"
    assert "  src/toypkg/models/tiny/modeling_tiny.py" in tail
    assert "    16:21  self.norm = TinyNorm()" in tail


def test_ambiguous_short_name_lists_all(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "find", "Model", "--kind", "class", "--source", str(toy))
    assert code == 0
    assert out.index("src/toypkg/model.py:1") < out.index("src/toypkg/utils/dummy_objects.py:5")


def test_unknown_name_exit_1_with_suggestions(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "index", "--source", str(toy))
    code, _, err = run(capsys, "find", "Engin", "--source", str(toy))
    assert code == 1
    assert "'Engin': no definition found in toy@local" in err
    assert "did you mean: Engine" in err
    code, out, _ = run(capsys, "find", "Engin", "--json", "--source", str(toy))
    assert code == 1 and json.loads(out)["results"] == []


@pytest.mark.parametrize("query", ["a..b", "two words", ""])
def test_malformed_query_exit_1(toy: Path, capsys: pytest.CaptureFixture[str], query: str) -> None:
    code, _, err = run(capsys, "find", query, "--source", str(toy))
    assert code == 1
    assert "query" in err and "Traceback" not in err


def test_unknown_repo(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "find", "Engine", "--repo", "nope")
    assert code == 2
    assert "unknown repo 'nope'" in err


@pytest.mark.parametrize("at", ["4.57.6", "v4.57.6", "installed"])
def test_a_version_alone_in_at_says_to_name_the_repository(
    at: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "find", "Trainer.train", "--at", at)
    assert code == 2
    assert err.startswith(f"codewalk: error: {at!r} names no repository\n  hint: write REPO@VERSION, e.g. ")
    assert err.rstrip().endswith(f"@{at}")


def test_show_prints_numbered_source(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the function, not the class attribute TinyUser.helper (``helper: TinyNorm``)
    code, out, err = run(capsys, "show", "helper", "--source", str(toy))
    assert code == 0 and out.splitlines()[0] == "toypkg.core.helper  function  [toy@local]", err
    code, out, _ = run(capsys, "show", "toypkg.core.helper", "--source", str(toy))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "toypkg.core.helper  function  [toy@local]"
    assert lines[1] == f"{CORE}:55-56  via: direct"
    assert lines[3:] == ["55 ▌ def helper(x):", "56       return x"]
    code, out, _ = run(capsys, "show", "toypkg.core.helper", "--json", "--source", str(toy))
    data = json.loads(out)
    assert data["result"]["line"] == 55 and data["source_text"] == "def helper(x):\n    return x"


def test_goto(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "Engine" in `class TinyModel(Engine):`, line 14, columns 17-22 (1-based)
    code, out, _ = run(
        capsys, "goto", "src/toypkg/models/tiny/modeling_tiny.py:14:17", "--json", "--source", str(toy)
    )
    assert code == 0
    result = json.loads(out)["result"]
    assert (result["path"], result["line"], result["kind"]) == (CORE, 26, "class")
    code, _, err = run(capsys, "goto", "src/toypkg/core.py:x", "--source", str(toy))
    assert code == 1 and "malformed position" in err
    lines = len((toy / "src/toypkg/models/tiny/modeling_tiny.py").read_text().splitlines())
    code, _, err = run(capsys, "goto", "src/toypkg/models/tiny/modeling_tiny.py:9999:1", "--source", str(toy))
    assert code == 1 and err.startswith(
        "codewalk: error: src/toypkg/models/tiny/modeling_tiny.py:9999:1: past the end of the file "
        f"(it has {lines} lines)"
    )
    code, _, err = run(capsys, "goto", "src/toypkg/models/tiny/modeling_tiny.py:16:5", "--source", str(toy))
    assert code == 1 and err.startswith(
        "codewalk: error: src/toypkg/models/tiny/modeling_tiny.py:16:5: no name at column 5 "
        "(the line is '        self.norm = TinyNorm()')"
    )


def test_goto_on_a_name_of_compiled_code_gives_its_stub_then_its_rust_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``goto`` at ``self._tokenizer.encode_batch(`` in transformers gave the ``.pyi``
    stub alone, where ``find`` gives the Rust source that implements it too: the stub
    comes first, then its Rust source, related (tests/fixtures/stack's ``lib``)."""
    import shutil

    lib = tmp_path / "lib"
    shutil.copytree(Path(__file__).parent / "fixtures" / "stack" / "lib", lib)
    pins = tmp_path / "pins.toml"
    pins.write_text(
        '[lib]\nurl = "https://example.invalid/lib.git"\ntag = "v1"\npackage_root = "py_src"\n'
        'packages = ["lib"]\nrelease = "lib==1"\n'
    )
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    # "Engine" in `from ._native import Decoder, Engine, fetch, models`
    code, out, _ = run(capsys, "goto", "py_src/lib/__init__.py:1:32", "--json", "--source", str(lib))
    assert code == 0
    results = json.loads(out)["results"]
    assert [(r["qualname"], r["kind"], r["role"], r["path"], r["line"]) for r in results] == [
        ("lib.Engine", "class", "match", "py_src/lib/__init__.pyi", 1),
        ("lib.Engine (compiled)", "native", "related", "bindings/src/lib.rs", 8),
    ]


def test_a_position_on_no_name_quotes_its_line_whole_or_says_where_it_is_cut() -> None:
    """The line as it is, indentation and all; one longer than any line of transformers
    is cut, saying so and how long it is, never silently."""
    from codewalk.cli.commands.goto import _nothing_there

    line = "class LlamaForCausalLM(LlamaPreTrainedModel, GenerationMixin):"
    assert _nothing_there(f"x = 1\n{line}\n", 2, 999) == f"no name at column 999 (the line is {line!r})"
    long = "    x = [" + "1, " * 100 + "]"
    assert _nothing_there(long, 1, 2) == (
        f"no name at column 2 (the line is {long[:120]!r}... ({len(long)} characters))"
    )
    escape = "x = '\x1b[2J'  "
    assert _nothing_there(escape, 1, 14) == "no name at column 14 (the line is \"x = '\\x1b[2J'  \")"


def test_index_reports_skipped(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "index", "--source", str(toy))
    assert code == 0
    assert "indexed toy@local: 14 files (14 parsed, 0 unchanged)" in out
    assert "skipped 1 file that does not parse:" in out
    assert "  src/toypkg/broken_template.py: syntax error at line 1: invalid syntax" in out


def test_unreadable_cache_is_rebuilt(
    toy: Path, capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    locations.index_db_path(INDEX_VERSION).write_bytes(b"garbage" * 1000)
    code, out, err = run(capsys, "find", "helper", "--source", str(toy))
    assert code == 0 and f"{CORE}:55" in out
    assert "rebuilding the index" in err


def test_vanished_file(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "index", "--source", str(toy))
    (toy / "src/toypkg/model.py").unlink()
    code, _, err = run(capsys, "show", "toypkg.model.Model", "--source", str(toy))
    assert code == 1
    # the user's checkout changed: codewalk notices (new fingerprint) and says the name is gone
    assert "'toypkg.model.Model': no definition found in toy@local" in err


def test_warm_find_imports_no_heavy_library(toy: Path, isolated_home: Path) -> None:
    """The workspace and the find command's output path import none of libcst, textual,
    jedi, GitPython, yaml or pygments (piped output). Checked in a fresh interpreter."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from codewalk.source.checkout import Checkout, SourceKind\n"
        "from codewalk.cli.common import format_result\n"
        "from codewalk.workspace.workspace import Workspace\n"
        f"co = Checkout('toy', Path({str(toy)!r}), 'src', ('toypkg',), SourceKind.LOCAL,"
        " 'c', 'v0', 'toypkg==0')\n"
        "ws = Workspace.open(co)\n"
        "print(format_result(ws.find('Engine.generate').results[0], co, color=False))\n"
    )
    env = {**os.environ, "CODEWALK_HOME": str(isolated_home)}
    argv = [sys.executable, "-X", "importtime", "-c", script]
    subprocess.run(argv, env=env, capture_output=True, check=True)  # cold: fills the index
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    assert "src/toypkg/core.py:18" in done.stdout
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert "codewalk" in imported
    assert not imported & {"libcst", "textual", "jedi", "git", "yaml", "pygments", "rich"}


def test_refs_columns_are_what_goto_takes(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "find", "TinyNorm", "--refs", "--json", "--source", str(toy))
    assert code == 0
    refs = json.loads(out)["references"]
    assert refs
    for ref in refs:
        code, out, _ = run(
            capsys, "goto", f"{ref['path']}:{ref['line']}:{ref['col']}", "--json", "--source", str(toy)
        )
        assert code == 0, ref
        assert json.loads(out)["result"]["qualname"].endswith("TinyNorm"), ref


def test_a_cut_list_says_so(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "find", "TinyNorm", "--limit", "1", "--json", "--source", str(toy))
    full = json.loads(run(capsys, "find", "TinyNorm", "--json", "--source", str(toy))[1])
    cut = json.loads(out)
    assert len(full["results"]) > 1 and full["truncated"] is False
    assert cut["results"] == full["results"][:1] and cut["truncated"] is True
    code, out, _ = run(capsys, "find", "TinyNorm", "--limit", "1", "--source", str(toy))
    assert code == 0
    assert out.rstrip().endswith("(more than 1 results: --limit N shows more)")


def test_line_numbers_survive_form_feeds() -> None:
    from codewalk.render.highlight import numbered

    code = "a = 1\n\x0c\nb = 2\n"  # a form feed line, as some transformers files have
    for color in (False, True):
        rows = numbered(code, 10, color=color, mark={12}).split("\n")
        assert len(rows) == 3
        assert "b" in rows[2] and "12" in rows[2] and "▌" in rows[2]


def _on_a_terminal(argv: list[str], term: str) -> str:
    """What ``codewalk ARGV`` writes to a terminal (a pseudo-terminal) whose TERM is ``term``."""
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": term}
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-m", "codewalk", *argv],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
        timeout=120,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed and read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert done.returncode == 0, done.stderr
    return b"".join(chunks).decode()


@pytest.mark.parametrize("command", ["find", "show"])
def test_a_dumb_terminal_gets_no_colour(command: str, toy: Path) -> None:
    """``TERM=dumb`` is a terminal that shows escapes as text: no colour, as for ``tour``."""
    argv = [command, "Engine.generate", "--source", str(toy)]
    assert "\x1b[" in _on_a_terminal(argv, "xterm-256color")
    plain = _on_a_terminal(argv, "dumb")
    assert "\x1b" not in plain and "def generate(self):" in plain
