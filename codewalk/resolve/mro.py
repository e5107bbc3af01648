"""C3 linearization: the order Python looks members up in, over the classes the index
can resolve (``nn.Module`` and other classes outside the pinned repos are left out)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from codewalk.index.records import Definition
from codewalk.resolve.model import ModuleView

ClassRef = tuple[ModuleView, Definition]
MAX_DEPTH = 40


def key(item: ClassRef) -> str:
    return f"{item[0].module}.{item[1].qualname}"


def linearize(
    start: ClassRef,
    bases_of: Callable[[ClassRef], list[ClassRef]],
    memo: dict[str, list[ClassRef]] | None = None,
) -> list[ClassRef]:
    """The MRO of ``start``; ``bases_of`` resolves a class's bases (those it can);
    ``memo`` keeps the MROs found on the way (of the bases), for the next call."""
    memo = {} if memo is None else memo

    def visit(cls: ClassRef, stack: tuple[str, ...]) -> list[ClassRef]:
        name = key(cls)
        if name in memo:
            return memo[name]
        if name in stack or len(stack) > MAX_DEPTH:
            return [cls]
        bases = bases_of(cls)
        sequences = [visit(base, (*stack, name)) for base in bases]
        # one base: the merge is that base's MRO (which starts with it)
        merged = sequences[0] if len(bases) == 1 else c3_merge([*sequences, bases])
        result = [cls, *merged]
        memo[name] = result
        return result

    return visit(start, ())


def c3_merge(sequences: list[list[ClassRef]]) -> list[ClassRef]:
    """Python's C3 merge; an inconsistent hierarchy falls back to depth-first order. Each
    sequence is read from its head on; how many tails hold a class is counted once and
    kept as heads move (not every tail made again for each class placed)."""
    seqs = [[(key(x), x) for x in s] for s in sequences if s]
    heads = [0] * len(seqs)
    in_tails = Counter(k for seq in seqs for k, _ in seq[1:])
    result: list[ClassRef] = []
    while True:
        live = [i for i, seq in enumerate(seqs) if heads[i] < len(seq)]
        if not live:
            return result
        for i in live:
            head_key, head = seqs[i][heads[i]]
            if not in_tails[head_key]:
                break
        else:  # inconsistent hierarchy: fall back to depth-first order
            seen = {key(r) for r in result}
            for i in live:
                for item_key, item in seqs[i][heads[i] :]:
                    if item_key not in seen:
                        seen.add(item_key)
                        result.append(item)
            return result
        result.append(head)
        for i in live:  # in no tail, so at most at the head of each sequence
            if seqs[i][heads[i]][0] == head_key:
                heads[i] += 1
                if heads[i] < len(seqs[i]):
                    in_tails[seqs[i][heads[i]][0]] -= 1
