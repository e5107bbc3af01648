"""Shell completion: one TAB as the shell runs it (the whole ``codewalk`` process,
answered by argcomplete), against its 100 ms target and ``python -c pass``.

    python bench/bench_complete.py

Run it with the python of a non-editable install (as users run codewalk: bytecode
written, the ``codewalk`` command pip made), ``PYTHONDONTWRITEBYTECODE`` unset. Uses the
bench cache ($CODEWALK_BENCH_HOME, default /tmp/codewalk-bench), fully indexed first if
needed. Each line is completed as the shell code of ``codewalk completion bash|zsh``
asks (argcomplete's environment; the answer in a file, as ARGCOMPLETE_USE_TEMPFILES
has it), interleaved over RUNS rounds with ``python -c pass`` (the floor): min/median/max,
and the median against the target; beside it, the median processor time of the process.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from _common import BENCH_HOME, bench_env, checkout, interleaved, python, spread, wall

RUNS = 9
TARGET_S = 0.100
BASH_BREAKS = " \t\n\"'@><=;|&(:"  # bash's default COMP_WORDBREAKS
LINES = (
    ("bash", "codewalk find LlamaFor"),
    ("bash", "codewalk find LlamaForCausalLM.ge"),
    ("bash", "codewalk find transformers.models.ll"),
    ("zsh", "codewalk find LlamaFor"),
    ("bash", "codewalk tour ll"),
    ("bash", "codewalk fi"),
    ("zsh", "codewalk fi"),
    ("bash", "codewalk find --j"),
    ("bash", "codewalk find X --at transformers@"),
)


def tab(shell: str, line: str, env: dict[str, str]) -> float:
    """One TAB: ``codewalk`` with the shell's completion environment."""
    env = _environment(shell, line, env)
    answer = Path(env["_ARGCOMPLETE_STDOUT_FILENAME"])
    answer.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(python()).with_name("codewalk"))],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    seconds = time.perf_counter() - started
    words = answer.read_text().split("\013") if answer.exists() else []
    if done.returncode != 0 or not any(words):
        sys.exit(f"bench_complete: {line!r} ({shell}) answered nothing (exit {done.returncode})")
    return seconds


def _environment(shell: str, line: str, env: dict[str, str]) -> dict[str, str]:
    """What the shell code sets for one TAB."""
    env = {
        **env,
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": shell,
        "_ARGCOMPLETE_SUPPRESS_SPACE": "1",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(BENCH_HOME.with_name(BENCH_HOME.name + "-tab.txt")),
    }
    if shell == "bash":
        env["_ARGCOMPLETE_COMP_WORDBREAKS"] = BASH_BREAKS
    return env


def main() -> None:
    co = checkout()
    env = bench_env()
    wall([python(), "-m", "codewalk", "index", "transformers"], env=env)
    print(f"transformers {co.version}, cache {BENCH_HOME}; {RUNS} interleaved rounds; min/median/max")
    actions = {"python -c pass (the floor)": partial(wall, [python(), "-c", "pass"], env=env)}
    for shell, line in LINES:
        actions[f"{shell}: {line}<TAB>"] = partial(tab, shell, line, env)
    for action in actions.values():  # warm: bytecode, the page cache
        action()
    cpu: dict[str, list[float]] = {}
    times = interleaved(RUNS, actions, cpu)
    floor = statistics.median(times["python -c pass (the floor)"])
    for label, seconds in times.items():
        median = statistics.median(seconds)
        verdict = (
            ""
            if label.startswith("python")
            else f"   target <= 100 ms: {'met' if median <= TARGET_S else 'MISSED'}"
        )
        used = statistics.median(cpu[label]) * 1000
        ratio = f"{median / floor:4.1f}x python -c pass"
        print(f"  {label:48} {spread(seconds):>24}  cpu {used:5.1f} ms  {ratio}{verdict}")


if __name__ == "__main__":
    main()
