"""The call graph's speed targets, each beside ``ast.parse`` of the files it reads.

    python bench/bench_callgraph.py [--rounds N] [--only callers|path]

Run it with the python of a non-editable install (as users run codewalk), in the bench
cache ($CODEWALK_BENCH_HOME, default /tmp/codewalk-bench), whose transformers checkout is
synced and fully indexed first if needed (``codewalk index transformers``). Questions:

- ``callers PreTrainedModel.post_init``: cold (the kept call facts dropped first: every
  body it reads is analysed) and warm (asked again); targets <= 10 s and <= 1 s;
- ``path`` from generate, forward, Trainer.train, a tokenizer call and from_pretrained
  to what a reader looks for there (``PATHS``), cold; target <= 5 s each.

For each, over ROUNDS interleaved rounds, min/median/max of the whole process and of the
baseline: stdlib ``ast.parse`` of the files holding the bodies the question read (found
by asking it once in this process), in one process, started as codewalk is. Beside each
median, the processor time the process used (what a loaded machine stretches least).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sqlite3
import statistics
import sys
from functools import partial
from pathlib import Path

from _common import bench_env, checkout, interleaved, python, spread, wall

ROUNDS = 5
CALLERS = "PreTrainedModel.post_init"
PATHS = (
    ("LlamaForCausalLM.generate", "LlamaAttention.forward"),
    ("LlamaForCausalLM.generate", "sdpa_attention_forward"),
    ("LlamaForCausalLM.generate", "eager_attention_forward"),
    ("LlamaForCausalLM.forward", "apply_rotary_pos_emb"),
    ("Trainer.train", "ForCausalLMLoss"),
    ("PreTrainedTokenizerBase.__call__", "_encode_plus"),
    ("AutoModelForCausalLM.from_pretrained", "PreTrainedModel._load_pretrained_model"),
)
TARGETS = {"callers cold": 10.0, "callers warm": 1.0, "path cold": 5.0}
PARSE = "import ast, sys\nfor path in sys.argv[1:]:\n    ast.parse(open(path, 'rb').read())\n"


def drop_call_facts() -> None:
    """Forget every body's kept call facts: the next question analyses what it reads."""
    from codewalk.index.versions import index_path  # the bench cache's: checkout() set the home

    with sqlite3.connect(index_path()) as connection:
        connection.execute("DELETE FROM callfacts")


def files_read(argv: list[str]) -> list[str]:
    """The files holding the bodies ``codewalk ARGV`` reads, asked in this process."""
    from codewalk.calls.sites import CallResolver
    from codewalk.cli.main import main

    seen: set[str] = set()
    facts = CallResolver.facts

    def recording(self: CallResolver, body):  # type: ignore[no-untyped-def]
        member = self.code.ws.stack.members.get(body.repo)  # type: ignore[attr-defined]
        if member is not None:
            seen.add(str(Path(member.checkout.root) / body.target.path))
        return facts(self, body)

    CallResolver.facts = recording  # type: ignore[method-assign]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            main([*argv, "--json"])
    finally:
        CallResolver.facts = facts  # type: ignore[method-assign]
    return sorted(seen)


def measure(label: str, argv: list[str], *, cold: bool, target: float, rounds: int) -> None:
    env = bench_env()
    script = str(Path(python()).with_name("codewalk"))
    files = files_read(argv)
    parse = [python(), "-c", PARSE, *files]

    def ask() -> float:
        if cold:
            drop_call_facts()
        return wall([script, *argv], env=env)

    cpu: dict[str, list[float]] = {}
    times = interleaved(rounds, {"codewalk": ask, "ast.parse": partial(wall, parse, env=env)}, cpu)
    ours, base = statistics.median(times["codewalk"]), statistics.median(times["ast.parse"])
    verdict = "ok" if ours <= target else "OVER"
    print(f"{label}: {len(files)} files read")
    print(
        f"  codewalk   {spread(times['codewalk'])}  (cpu {statistics.median(cpu['codewalk']):.2f} s)  "
        f"target <= {target:.0f} s: {verdict}"
    )
    print(
        f"  ast.parse  {spread(times['ast.parse'])}  (cpu {statistics.median(cpu['ast.parse']):.2f} s)  "
        f"codewalk {ours / base:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--only", choices=("callers", "path"))
    args = parser.parse_args()
    co = checkout()
    wall([python(), "-m", "codewalk", "index", "transformers"], env=bench_env())
    print(f"transformers {co.version}; {args.rounds} interleaved rounds; min/median/max; {sys.executable}")
    if args.only in (None, "callers"):
        for cold in (True, False):
            word = "cold" if cold else "warm"
            target = TARGETS[f"callers {word}"]
            label = f"callers {CALLERS} ({word})"
            measure(label, ["callers", CALLERS], cold=cold, target=target, rounds=args.rounds)
    if args.only in (None, "path"):
        for start, goal in PATHS:
            label = f"path {start} {goal} (cold)"
            measure(label, ["path", start, goal], cold=True, target=TARGETS["path cold"], rounds=args.rounds)


if __name__ == "__main__":
    main()
