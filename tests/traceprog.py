"""A toy package and a program that calls into it, written into a directory for the trace
tests: recursion, a generator, an exception caught, a thread, a callback through C code
(``sorted(key=...)``), a decorator's wrapper, a closure that wraps nothing, a branch taken
and one not, a test that ran whose body did not, a function called again inside itself, a
class made by the ``__init__`` it inherits, calls into the standard library (which a trace
does not record); run with
``joined``, what ``calls --trace`` reads beside the static calls (a subscript, a method of
a subclass, an attribute holding another class than the one codewalk reads, a property read
through ``__getattribute__``, a compiled function a ``.pyi`` stub declares, generator
expressions and a lambda, a function called from two lines, processes started, a call a
cache answered)."""

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


class Box:
    def __getitem__(self, key):
        return key


def unbox(box):  # a subscript runs __getitem__: no call site names it
    return box[1]


def checked(box):
    return isinstance(box, Box) and box[2]


class Engine:
    def run(self):
        return self.step()

    def step(self):
        return 0


class FastEngine(Engine):
    def step(self):
        return 1


class SlowEngine(Engine):
    def step(self):
        return 2


class Fourier:
    def __call__(self, x):
        return x


class Steps:
    def __call__(self, x):
        return -x


class Unet:  # a Fourier, or what a factory passed in makes: codewalk reads the Fourier
    def __init__(self, fourier):
        self.proj = Fourier()
        if not fourier:
            self.swap(Steps)

    def swap(self, factory):
        self.proj = factory()

    def embed(self, x):
        return self.proj(x)


class LookupMixin:
    def __getattribute__(self, name):
        return super().__getattribute__(name)


class Lookup(LookupMixin):  # every attribute read runs __getattribute__, twice
    def __getattribute__(self, name):
        return super().__getattribute__(name)

    @property
    def size(self):
        return 3


def measure(thing: Lookup):
    return thing.size


try:
    from toypkg._native import crunch
except ImportError:  # the stub's compiled module is not built: a builtin stands in
    from math import floor as crunch


def crush(x):
    return crunch(x)


def grind(x):
    return crush(x) + 1


class Pair:  # two calls on one line, of attributes codewalk cannot type
    def __init__(self, make):
        self.outer = make()
        self.inner = make()

    def apply(self, x):
        return self.outer(self.inner(x))


def consume(items):
    return list(items)


def call_it(func):
    return func(2)


def gather(n):  # generator expressions run by a builtin and by consume; a lambda call_it calls
    firsts = tuple(square(i) for i in range(n))
    seconds = consume(double(i) for i in range(n))
    return firsts, seconds, call_it(lambda x: fib(x))


def step(x):
    return square(x)


def steps(x):  # step called from two lines: two places in the tree
    first = step(x)
    return first + step(x + 1)


def in_child():
    return 0


def forking():  # a forked child runs in_child, then another program runs: a trace records neither
    import os
    import subprocess
    import sys

    pid = os.fork()
    if pid == 0:
        in_child()
        os._exit(0)
    os.waitpid(pid, 0)
    subprocess.run([sys.executable, "-c", ""], check=True)


def warn(flag):  # a test that runs, its branch not taken; a loop that never goes round
    if flag:
        print("warned")
    for _ in range(flag):
        print("again")
    return flag


@functools.lru_cache
def available():
    return True


def ready():  # the second call is answered from the cache: available's code does not run
    available()
    return available()
"""

# ``@strict`` on a class and on its base, as huggingface_hub's on a config and its base: the
# class's ``__setattr__`` wrapper wraps the base's, a function of the same code; and a nested
# function that recurses, whose closure holds itself (it wraps nothing). It calls the toy
# package's ``square``.
NESTED_STRICT = """

def strict(cls):
    original_setattr = cls.__setattr__

    def __strict_setattr__(self, name, value):
        square(value)
        original_setattr(self, name, value)

    cls.__setattr__ = __strict_setattr__
    return cls


@strict
class Base:
    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)


@strict
class Child(Base):
    pass


def countdown(n):
    def down(k):
        return down(k - 1) if k else 0

    return down(n)
"""


NATIVE = """
def crunch(x: float) -> int: ...
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
toypkg.warn(False)
if sys.argv[1:] == ["joined"]:  # what calls --trace reads beside the static calls
    toypkg.unbox(toypkg.Box())
    toypkg.checked(toypkg.Box())
    toypkg.FastEngine().run()
    toypkg.Unet(False).embed(1)
    toypkg.measure(toypkg.Lookup())
    toypkg.grind(1.5)
    toypkg.Pair(toypkg.Steps).apply(1)
    toypkg.gather(2)
    toypkg.steps(1)
    toypkg.forking()
    toypkg.ready()
print("argv", sys.argv, __name__)
print("stdin", sys.stdin.read().strip())
print("to stderr", file=sys.stderr)
if sys.argv[1:] == ["exit"]:
    sys.exit(3)
if sys.argv[1:] == ["done"]:
    sys.exit(0)
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


def package_line(text: str) -> int:
    """The number of the line of PACKAGE that is ``text``."""
    return textwrap.dedent(PACKAGE).lstrip("\n").splitlines().index(text) + 1


DOUBLE_DEF = package_line("def double(x):")  # under @logged


def write_program(directory: Path) -> Path:
    """The toy package ``toypkg`` and ``prog.py`` beside it; returns the program."""
    package = directory / "toypkg"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(textwrap.dedent(PACKAGE).lstrip("\n"))
    (package / "_native.pyi").write_text(textwrap.dedent(NATIVE).lstrip("\n"))  # the face of compiled code
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
    """The lines of ``tour --trace NAME --plain``'s tree as (step, depth, label) (past the
    deepest indent, a line says its depth)."""
    rows = []
    for line in out.splitlines():
        found = re.fullmatch(r" *([0-9]+)  ((?:  )*)(?:\[depth ([0-9]+)\] )?(\S.*)", line)
        if found:
            depth = int(found[3]) if found[3] else len(found[2]) // 2
            rows.append((int(found[1]), depth, found[4]))
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
