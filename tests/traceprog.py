"""A toy package and a program that calls into it, written into a directory for the trace
tests: recursion, a generator, an exception caught, a thread, a callback through C code
(``sorted(key=...)``), a decorator's wrapper, a closure that wraps nothing, a branch taken
and one not, a function called again inside itself, a class made by the ``__init__`` it
inherits, calls into the standard library (which a trace does not record)."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

PACKAGE = """
import functools
import threading


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def square(x):
    return x * x


def numbers(n):
    for i in range(n):
        yield square(i)


def total(n):
    return sum(numbers(n))


def key(x):
    return -x


def order(xs):
    return sorted(xs, key=key)


def fail():
    raise ValueError("toy")


def recover():
    try:
        fail()
    except ValueError:
        return "recovered"


def in_thread():
    worker = threading.Thread(target=square, args=(3,))
    worker.start()
    worker.join()


def logged(func):
    @functools.wraps(func)
    def wrapper(*args):
        return func(*args)

    return wrapper


@logged
def double(x):
    return 2 * x


def branch(flag):
    if flag:
        return "yes"
    return "no"


def counting():
    seen = []

    def count(x):  # a closure that calls a function it does not hold: no wrapper
        seen.append(x)
        return square(x)

    return count(2)


def twice(x):
    return double(x) + double(x)


def squares(n):  # a comprehension, a lambda called through C code
    return [square(i) for i in range(n)] + list(map(lambda i: square(i), range(n)))


def generate(n, assistant=False):  # called again inside itself, as an assistant's generate
    if assistant:
        generate(n)
    return square(n)


class Base:
    def __init__(self, x):
        self.x = x


class Made(Base):  # made by Base's __init__
    pass


def pick(flag):  # a branch into the standard library taken, one not
    import math

    made = Made(1.5)
    if flag:
        return math.floor(made.x)
    return math.ceil(made.x)
"""

PROGRAM = """
import sys

import toypkg

toypkg.fib(4)
toypkg.total(3)
toypkg.order([1, 3, 2])
toypkg.recover()
toypkg.in_thread()
toypkg.double(1)
toypkg.branch(True)
toypkg.counting()
toypkg.twice(2)
toypkg.squares(2)
toypkg.generate(2, assistant=True)
toypkg.pick(True)
print("argv", sys.argv, __name__)
print("stdin", sys.stdin.read().strip())
print("to stderr", file=sys.stderr)
if sys.argv[1:] == ["exit"]:
    sys.exit(3)
if sys.argv[1:] == ["raise"]:
    toypkg.fail()
if sys.argv[1:] == ["interrupt"]:
    raise KeyboardInterrupt
"""

# line numbers in PACKAGE (the test asserts on them)
FIB_RECURSES = 8  # return fib(n - 1) + fib(n - 2)
BRANCH_YES = 64
BRANCH_NO = 65
TWICE_CALLS = 79  # return double(x) + double(x)
DOUBLE_DEF = textwrap.dedent(PACKAGE).lstrip("\n").splitlines().index("def double(x):") + 1  # under @logged


def write_program(directory: Path) -> Path:
    """The toy package ``toypkg`` and ``prog.py`` beside it; returns the program."""
    package = directory / "toypkg"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(textwrap.dedent(PACKAGE).lstrip("\n"))
    program = directory / "prog.py"
    program.write_text(textwrap.dedent(PROGRAM).lstrip("\n"))
    return program


def use_toy(directory: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The toy program in ``directory/work`` (the current directory from now on), the
    pins naming its package (read from that installed copy: it has no release)."""
    pins = directory / "pins.toml"
    pins.write_text(
        '[toy]\nurl = "https://example.invalid/toy.git"\ntag = "v1"\npackage_root = "."\n'
        'packages = ["toypkg"]\nrelease = "toypkg==1"\n'
    )
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    work = directory / "work"
    write_program(work)
    monkeypatch.chdir(work)
    return work


def tree_rows(out: str) -> list[tuple[int, int, str]]:
    """The lines of ``tour --trace NAME --plain``'s tree as (step, depth, label)."""
    rows = []
    for line in out.splitlines():
        found = re.fullmatch(r" *([0-9]+)  ((?:  )*)(\S.*)", line)
        if found:
            rows.append((int(found[1]), len(found[2]) // 2, found[3]))
    return rows


def running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, ended but not yet reaped, has ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return True
