"""C3 linearization as Python does it: random class hierarchies, made as real classes,
give the MRO Python gives them; one Python refuses falls back to depth-first order."""

from __future__ import annotations

import random

from codewalk.index.records import Definition
from codewalk.resolve.model import ModuleView
from codewalk.resolve.mro import ClassRef, c3_merge, key, linearize

VIEW = ModuleView("m", "m.py", False, None)  # type: ignore[arg-type]  # only its module name is read


def _ref(name: str) -> ClassRef:
    return (VIEW, Definition(name, name, "class", "", 1, 0, 1, 1, f"class {name}:"))


def _hierarchy(rng: random.Random, size: int) -> dict[str, list[str]]:
    """Classes C0..C(size-1), each deriving from a few of those before it, that Python accepts."""
    made: dict[str, type] = {}
    bases: dict[str, list[str]] = {}
    for i in range(size):
        name = f"C{i}"
        while True:
            chosen = rng.sample(sorted(made), k=min(len(made), rng.randint(0, 3)))
            try:
                made[name] = type(name, tuple(made[b] for b in chosen), {})
            except TypeError:  # no consistent MRO: choose again
                continue
            bases[name] = chosen
            break
    return bases


def test_the_mro_is_pythons_for_random_hierarchies() -> None:
    rng = random.Random(7)
    for _ in range(300):
        bases = _hierarchy(rng, rng.randint(1, 9))
        refs = {name: _ref(name) for name in bases}
        real: dict[str, type] = {}
        for name, written in bases.items():
            real[name] = type(name, tuple(real[b] for b in written), {})
        memo: dict[str, list[ClassRef]] = {}

        def bases_of(
            cls: ClassRef, bases: dict[str, list[str]] = bases, refs: dict[str, ClassRef] = refs
        ) -> list[ClassRef]:
            return [refs[b] for b in bases[cls[1].name]]

        for name in bases:
            mro = linearize(refs[name], bases_of, memo)
            assert [key(c) for c in mro] == [f"m.{k.__name__}" for k in real[name].__mro__[:-1]]


def test_a_hierarchy_python_refuses_is_merged_depth_first() -> None:
    """``class Z(X, Y)`` with ``X(A, B)`` and ``Y(B, A)``: no C3 order; depth first, each once."""
    a, b, x, y = (_ref(n) for n in "ABXY")
    merged = c3_merge([[x, a, b], [y, b, a], [x, y]])
    assert [key(c) for c in merged] == ["m.X", "m.Y", "m.A", "m.B"]
