"""Shell completion: one TAB as the shell runs it (the whole ``codewalk`` process),
against the 50 ms a TAB may take (issue "10. Speed"), in one run.

    python bench/bench_complete.py

Run it with the python of a non-editable install (as users run codewalk: bytecode
written, the ``codewalk`` script pip made). Uses the bench cache ($CODEWALK_BENCH_HOME,
default /tmp/codewalk-bench), fully indexed first if needed. Each line is completed as
bash's shell code asks (``codewalk completion bash``: argcomplete's environment, the
answer on file descriptor 8), interleaved over RUNS rounds with ``python -c pass`` (the
floor), min/median/max, and the median's ratio to the target. The lines cover what the
quick path answers (a symbol, a tour, a command) and what argcomplete answers (an
option, a REPO@VERSION, a command in zsh, which shows each command's help): asked again
(the quick path gives its kept answer) and for the first time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from _common import BENCH_HOME, bench_env, checkout, interleaved, python, spread, wall

RUNS = 9
TARGET_S = 0.050
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
FIRST_TIME = (("bash", "codewalk find --j"), ("bash", "codewalk find X --at transformers@"))


def tab(shell: str, line: str, env: dict[str, str]) -> float:
    """One TAB: ``codewalk`` with the shell's completion environment; its answer in a
    file (the shell code's ARGCOMPLETE_USE_TEMPFILES way; else it reads fd 8)."""
    answer = Path(_environment(shell, line, env)["_ARGCOMPLETE_STDOUT_FILENAME"])
    env = _environment(shell, line, env)
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


def first_time(shell: str, line: str, env: dict[str, str]) -> float:
    """A TAB argcomplete answers, asked for the first time: the answer kept for it is
    removed before it (outside the timing)."""
    from codewalk.cli import quick_completion
    from codewalk.index import answers

    key = quick_completion._key(_environment(shell, line, env))
    if key is not None:
        answers.forget(str(BENCH_HOME / "answers"), key)
    return tab(shell, line, env)


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
        env["_ARGCOMPLETE_COMP_WORDBREAKS"] = " \t\n\"'><=;|&(:"
    return env


def main() -> None:
    co = checkout()
    env = bench_env()
    wall([python(), "-m", "codewalk", "index", "transformers"], env=env)
    print(f"transformers {co.version}, cache {BENCH_HOME}; {RUNS} interleaved rounds; min/median/max")
    actions = {"python -c pass (the floor)": partial(wall, [python(), "-c", "pass"], env=env)}
    for shell, line in LINES:
        actions[f"{shell}: {line}<TAB>"] = partial(tab, shell, line, env)
    for shell, line in FIRST_TIME:
        actions[f"{shell}: {line}<TAB>, first time"] = partial(first_time, shell, line, env)
    for action in actions.values():  # warm: bytecode, the page cache
        action()
    times = interleaved(RUNS, actions)
    for label, seconds in times.items():
        median = sorted(seconds)[RUNS // 2]
        print(f"  {label:52} {spread(seconds):>24}   {median / TARGET_S:.2f}x the 50 ms target")


if __name__ == "__main__":
    main()
