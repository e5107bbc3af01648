"""``codewalk callers`` against jedi's ``Script.get_references``, on a sample of
definitions of transformers: precision and recall, and every disagreement printed with
its line and a first classification, to be read.

    .venv/bin/python bench/bench_callers_accuracy.py [--sample 30] [--seed 0]

Uses the bench cache (CODEWALK_BENCH_HOME); run ``codewalk index`` there first. jedi is
the oracle codewalk did not write: its references to a definition, kept when they are
calls or values (``f(...)``, ``f`` passed as an argument), not imports, not the
definition itself. Sites are compared by file and line.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

from _common import BENCH_HOME

MODULES = (
    "src/transformers/loss/loss_utils.py",
    "src/transformers/trainer.py",
    "src/transformers/trainer_utils.py",
    "src/transformers/generation/utils.py",
    "src/transformers/generation/candidate_generator.py",
    "src/transformers/models/llama/modeling_llama.py",
    "src/transformers/modeling_utils.py",
)
Site = tuple[str, int]


def sample(workspace, count: int, seed: int):  # type: ignore[no-untyped-def]
    from codewalk.resolve.model import Hit, to_resolved

    found = []
    for path in MODULES:
        view = workspace.facts.module_by_path(path)
        row = workspace.store.file(workspace.snap, path)
        for d in workspace.store.defs_of(row.blob):
            if d.kind in ("function", "method") and not d.name.startswith("__"):
                found.append(to_resolved(Hit(view, d, "direct", 0), workspace.checkout.repo))
    found.sort(key=lambda r: (r.path, r.line))
    return random.Random(seed).sample(found, count)


def jedi_sites(root: Path, target, text: list[str]) -> dict[Site, str]:  # type: ignore[no-untyped-def]
    """jedi's references to ``target``: calls and values, not imports nor the definition."""
    import jedi

    project = jedi.Project(root / "src", load_unsafe_extensions=False, smart_sys_path=False)
    name = target.qualname.rpartition(".")[2]
    line_text = text[target.line - 1]
    col = line_text.index(name, line_text.index("def ") + 4)
    script = jedi.Script(path=str(root / target.path), project=project)
    found: dict[Site, str] = {}
    for ref in script.get_references(target.line, col, include_builtins=False, scope="project"):
        if ref.module_path is None or ref.line is None:
            continue
        try:
            rel = Path(ref.module_path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
        if (rel, ref.line) == (target.path, target.line) or ref.is_definition():
            continue
        code = (ref.get_line_code() or "").strip()
        if re.match(r"(from\s+\S+\s+)?import\b", code):
            continue
        found[(rel, ref.line)] = code
    return found


def classify_codewalk_only(how: str) -> str:
    for word, label in (
        ("wrapper", "a method passed to a wrapper"),
        ("dispatch table", "through a dispatch table (jedi does not follow strings/dicts)"),
        ("registry", "through a registry object (jedi does not follow dicts)"),
        ("property", "through a property's return"),
        ("mix it in", "self.x in a mixin, through the classes that mix it in"),
        ("annotated", "an attribute typed by an annotation"),
        (" is a", "an attribute typed by its constructor"),
        ("inherited", "inherited through the MRO"),
        ("passed as a value", "passed as a value"),
    ):
        if word in how:
            return label
    return "jedi did not infer the receiver"


def classify_jedi_only(code: str, name: str, maybe: set[int], line: int) -> str:
    if line in maybe:
        return "a call on a value codewalk cannot type (codewalk lists it as a possible caller)"
    if not re.search(rf"\b{re.escape(name)}\s*\(", code):
        return "a use that is not a call (an annotation, a comparison, an assignment)"
    return "a call codewalk does not tie to this definition"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import os

    os.environ["CODEWALK_HOME"] = str(BENCH_HOME)
    from codewalk.workspace.pinned import PinnedStack

    workspace = PinnedStack().workspace()
    if not workspace.fully_indexed:
        raise SystemExit("run `codewalk index` in the bench cache first")
    root = workspace.checkout.root
    both = only_cw = only_jedi = 0
    categories: dict[str, int] = {}
    seconds = {"codewalk": 0.0, "jedi": 0.0}
    for target in sample(workspace, args.sample, args.seed):
        name = target.qualname.rpartition(".")[2]
        started = time.perf_counter()
        answer = workspace.calling.callers_of(target)
        seconds["codewalk"] += time.perf_counter() - started
        cw = {(c.path, c.line): c.how for c in answer.callers if c.kind in ("call", "ref", "decorator")}
        maybe = {c.line for c in answer.callers if c.kind == "maybe"}
        text = workspace.source_text(target.path).splitlines()
        started = time.perf_counter()
        jedi = jedi_sites(root, target, text)
        seconds["jedi"] += time.perf_counter() - started
        agree = set(cw) & set(jedi)
        both += len(agree)
        print(f"{target.qualname}  codewalk {len(cw)}  jedi {len(jedi)}  both {len(agree)}")
        for site in sorted(set(cw) - set(jedi)):
            only_cw += 1
            label = "codewalk only: " + classify_codewalk_only(cw[site])
            categories[label] = categories.get(label, 0) + 1
            print(f"  + {site[0]}:{site[1]}  [{label}]  via {cw[site][:120]}")
        for site in sorted(set(jedi) - set(cw)):
            only_jedi += 1
            label = "jedi only: " + classify_jedi_only(jedi[site], name, maybe, site[1])
            categories[label] = categories.get(label, 0) + 1
            print(f"  - {site[0]}:{site[1]}  [{label}]  {jedi[site][:100]}")
    cw_total, jedi_total = both + only_cw, both + only_jedi
    print()
    print(f"{args.sample} definitions: codewalk {cw_total} call sites, jedi {jedi_total}, both {both}")
    precision, recall = both / max(1, cw_total), both / max(1, jedi_total)
    print(f"  agreement with jedi: precision {precision:.1%}, recall {recall:.1%}")
    print(f"  time: codewalk {seconds['codewalk']:.1f} s, jedi {seconds['jedi']:.1f} s")
    for label, count in sorted(categories.items(), key=lambda item: -item[1]):
        print(f"  {count:4}  {label}")


if __name__ == "__main__":
    main()
