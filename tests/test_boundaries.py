"""The house's walls (ARCHITECTURE.md): which layer may import which, which module alone
imports each heavy library, and what the common commands load.

The contracts are import-linter's, in pyproject.toml; a second test shows that they
catch a violation, so that a passing run means something.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codewalk.source.pins import load_pins
from codewalk.source.sync import ensure_checkout
from tests.sourcefixtures import make_index, make_sdist, write_pins

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
HEAVY = ("textual", "jedi", "git", "libcst")


def lint_imports(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_import_contracts_hold() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.slow
def test_import_contracts_catch_a_core_module_importing_textual(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(ROOT / "pyproject.toml", copy)
    shutil.copytree(ROOT / "codewalk", copy / "codewalk", ignore=shutil.ignore_patterns("__pycache__"))
    records = copy / "codewalk" / "index" / "records.py"
    records.write_text(records.read_text() + "\nimport textual  # a wall broken on purpose\n")
    done = lint_imports(copy, env={**os.environ, "PYTHONPATH": str(copy)})
    assert done.returncode != 0
    assert "The core imports no textual, not even through another module BROKEN" in done.stdout
    assert "codewalk.index.records -> textual" in done.stdout


TOUR = """\
title: A fixture tour
steps:
  - at: LlamaModel.__init__
    focus: "self.layers = []"
    note: The decoder layers.
"""

PROBE = """\
import sys
from codewalk.cli.main import main
code = main(sys.argv[1:])
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("PROBE", code, ",".join(heavy) or "-", file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("argv", "answer"),
    [
        (["find", "LlamaModel"], "modeling_llama.py:1"),
        (["show", "LlamaModel.__init__"], "self.layers = []"),
        (["check", "{tour}"], "ok      fixture-tour (1 step"),
        (["tour", "{tour}", "--plain"], "The decoder layers."),
    ],
    ids=["find", "show", "check", "tour-plain"],
)
def test_common_commands_import_none_of_the_heavy_libraries(
    argv: list[str], answer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    """find, show, check and tour --plain, answering from a synced cache, import none of
    textual, jedi, GitPython or libcst (checked in a fresh interpreter)."""
    done, probe = _probe(argv, tmp_path, monkeypatch, isolated_home)
    assert probe == "PROBE 0 -", done.stdout + done.stderr
    assert answer in done.stdout


def test_calls_loads_nothing_heavy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    """``calls`` analyses the body with ``ast``: libcst is loaded only for a body whose
    bindings are in doubt, and ``LlamaModel.__init__`` has none."""
    done, probe = _probe(["calls", "LlamaModel.__init__"], tmp_path, monkeypatch, isolated_home)
    assert probe == "PROBE 0 -", done.stdout + done.stderr
    assert "transformers.models.llama.modeling_llama.LlamaModel.__init__  method" in done.stdout


def test_find_on_an_indexed_cache_parses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    """``find`` answers from the index: once the cache is indexed it loads no parser
    (``ast`` is the extractor's, and a missing member's ``__getattr__`` reading), nor the
    byte pre-filter a partial index scans files with."""
    env = _synced(tmp_path, monkeypatch, isolated_home)
    indexed = subprocess.run(
        [sys.executable, "-m", "codewalk", "index"], env=env, capture_output=True, text=True, timeout=300
    )
    assert indexed.returncode == 0, indexed.stdout + indexed.stderr
    done, probe = _run(PROBE.format(heavy=("ast", "codewalk.index.prefilter")), ["find", "LlamaModel"], env)
    assert probe == "PROBE 0 -", done.stdout + done.stderr
    assert "modeling_llama.py:1" in done.stdout


@pytest.mark.parametrize(
    "module",
    [
        "codewalk.index.records",
        "codewalk.index.rows",
        "codewalk.index.indexer",
        "codewalk.source.checkout",
        "codewalk.source.cache",
        "codewalk.source.local",
        "codewalk.resolve.model",
        "codewalk.resolve.rebinding",
        "codewalk.resolve.types",
        "codewalk.source.pins",
        "codewalk.index.store",
        "codewalk.index.versions",
    ],
)
def test_the_records_every_find_imports_have_their_types_evaluated(module: str) -> None:
    """The records a ``find`` defines as it starts (the index's, a checkout's, the
    resolver's) declare evaluated types: ``typing.NamedTuple`` (and ``TypedDict``) turn a
    string annotation (``from __future__ import annotations``) into a ``ForwardRef``,
    compiling it, at every start of the command."""
    import importlib
    from typing import ForwardRef

    loaded = importlib.import_module(module)
    records = [
        value
        for value in vars(loaded).values()
        if isinstance(value, type) and value.__module__ == module and "__annotations__" in vars(value)
    ]
    assert records
    for record in records:
        strings = [
            name
            for name, kind in vars(record)["__annotations__"].items()
            if isinstance(kind, ForwardRef | str)
        ]
        assert not strings, f"{record.__name__}: {strings}"


def test_the_resolver_compiles_no_pattern_as_it_is_imported() -> None:
    """A pattern used on some questions only (an attribute's type, transformers' legacy
    module paths) is compiled when first used: a ``find`` that needs none of them does not
    compile them at every start."""
    probe = (
        "import re, sys\n"
        "compiled = []\n"
        "real = re.compile\n"
        "def compile(pattern, flags=0):\n"
        "    compiled.append(sys._getframe(1).f_globals.get('__name__'))\n"
        "    return real(pattern, flags)\n"
        "re.compile = compile\n"
        "import codewalk.resolve.resolver\n"
        "print(sorted({name for name in compiled if name.startswith('codewalk.resolve')}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _probe(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run codewalk with ``argv`` in a fresh interpreter on a synced fixture release;
    its output and the probe line naming the heavy libraries it loaded."""
    env = _synced(tmp_path, monkeypatch, isolated_home)
    return _run(
        PROBE.format(heavy=HEAVY), [arg.format(tour=tmp_path / "fixture-tour.yaml") for arg in argv], env
    )


def _synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> dict[str, str]:
    """The environment of a codewalk with the fixture release synced (and a tour)."""
    pins = write_pins(tmp_path / "vendor_pins.toml", url=(tmp_path / "unreachable.git").as_uri())
    index = make_index(tmp_path / "index", make_sdist())
    env = {
        **os.environ,
        "CODEWALK_HOME": str(isolated_home),
        "CODEWALK_PINS": str(pins),
        "CODEWALK_SOURCE": "release",
        "PIP_INDEX_URL": index,
        "PIP_EXTRA_INDEX_URL": "",
    }
    for name in ("CODEWALK_PINS", "CODEWALK_SOURCE", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"):
        monkeypatch.setenv(name, env[name])
    ensure_checkout(load_pins(pins)["transformers"])  # the sync itself may use git
    (tmp_path / "fixture-tour.yaml").write_text(TOUR)
    return env


def _run(script: str, args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, timeout=120
    )
    return done, done.stderr.strip().splitlines()[-1]


def _package_imports() -> dict[str, set[str]]:
    """Module -> the codewalk modules it imports (at any depth of its code)."""
    import ast

    package = ROOT / "codewalk"
    names: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        names[dotted.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        base = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                parts = base.split(".")
                module = node.module or ""
                if node.level:
                    module = ".".join([*parts[: len(parts) - node.level + 1], *([module] if module else [])])
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)
        graph[name] = {m for m in found if m in names and m != name}
    return graph


def test_no_import_cycles() -> None:
    graph = _package_imports()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, " ; ".join(" -> ".join(c) for c in cycles)


# Sizes worth a look, never a reason to move code where it does not belong: a module
# is sized by what it does, the map by what a newcomer needs. Warned of, not failed.
MODULE_LINES = 400
MAP_LINES = 150


def test_the_architecture_map_names_modules_that_exist() -> None:
    """Every module ARCHITECTURE.md names is there; a long module or a long map is
    pointed out (a warning in pytest's summary)."""
    import re
    import warnings

    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    names = set(re.findall(r"`(?:codewalk/)?([\w/]+\.py)`", text))
    modules = {p.relative_to(ROOT / "codewalk").as_posix(): p for p in (ROOT / "codewalk").rglob("*.py")}
    basenames = {m.rpartition("/")[2] for m in modules}
    names = {n for n in names if not n.startswith(("tests/", "bench/"))}
    missing = sorted(n for n in names if n not in modules and ("/" in n or n not in basenames))
    assert len(names) > 40 and missing == []
    for name, path in sorted(modules.items()):
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MODULE_LINES:
            warnings.warn(f"codewalk/{name} has {count} lines: does it still do one job?", stacklevel=1)
    if len(text.splitlines()) > MAP_LINES:
        warnings.warn(f"ARCHITECTURE.md has {len(text.splitlines())} lines: is it still a map?", stacklevel=1)
