"""The symbol palette, keystroke by keystroke, on the full index of transformers.

Target: each keystroke answered in <= 50 ms. Queries are typed one
character at a time, as a reader would, through what the palette calls on the nav
thread (``search_symbols``: the workspace's ``complete``); each keystroke's time is
printed as median and worst over the queries, against a baseline in the same process:
one SQL ``LIKE '%a%b%c%'`` scan of the definitions' names (what the palette did before).

    .venv/bin/python bench/bench_palette.py

Uses the bench cache (CODEWALK_BENCH_HOME); run ``codewalk index`` there first.
"""

from __future__ import annotations

import statistics
import time

from _common import BENCH_HOME

_LIKE = (  # the baseline: one scan of every definition's name
    "SELECT f.path, d.name FROM defs d CROSS JOIN files f ON f.blob = d.blob AND f.snap = ? "
    "WHERE d.name LIKE ? AND d.kind NOT IN ('variable', 'attribute', 'rebind', 'applies', 'keyword') "
    "LIMIT 800"
)
QUERIES = (
    "ForCausalLMLoss",
    "Trainer.train",
    "generate",
    "llamaattention",
    "fixed_cross",
    "loss_fn",
    "LlamaAttention.forward",  # a member of thousands of definitions: the owner picks them
    "AssistedCandidateGenerator.__init__",
)


def main() -> None:
    import os

    os.environ["CODEWALK_HOME"] = str(BENCH_HOME)
    from codewalk.ui.session import search_symbols
    from codewalk.workspace.pinned import PinnedStack

    workspace = PinnedStack().workspace()
    if not workspace.fully_indexed:
        raise SystemExit("run `codewalk index` in the bench cache first")
    started = time.perf_counter()
    workspace.complete("warm", 1)  # the names, read once per session (the palette opens with them)
    load = time.perf_counter() - started
    per_key: list[float] = []
    baseline: list[float] = []
    for query in QUERIES:
        for end in range(2, len(query) + 1):  # the palette searches from the second character
            text = query[:end]
            started = time.perf_counter()
            search_symbols(workspace, text, 40)
            per_key.append(time.perf_counter() - started)
            pattern = "%" + "%".join(c for c in text if c.isalnum() or c == "_") + "%"
            started = time.perf_counter()
            workspace.store.db.execute(_LIKE, (workspace.snap, pattern)).fetchall()
            baseline.append(time.perf_counter() - started)
    ms = [t * 1000 for t in per_key]
    base = [t * 1000 for t in baseline]
    print(f"names loaded once per session: {load * 1000:.0f} ms")
    print(
        f"keystroke: median {statistics.median(ms):.1f} ms, worst {max(ms):.1f} ms over {len(ms)} keystrokes "
        f"(target <= 50 ms)"
    )
    print(f"baseline SQL LIKE scan: median {statistics.median(base):.1f} ms, worst {max(base):.1f} ms")


if __name__ == "__main__":
    main()
