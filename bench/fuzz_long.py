"""The long fuzz run: the strategies of tests/fuzzing.py, far past the suite's bound.

    python bench/fuzz_long.py [TOTAL]          (default: 102,000 cases; about 15-30 min)

Tour documents (parsed and resolved), queries, paths, pins files, ``REPO@VERSION``
strings and command lines (find, show, goto, calls, callers, path, draft, diff, sync,
writing to stdout streams of odd encodings) are fed to the toy repository of the tests,
in a temporary cache, with an empty package index on disk (a fetch is refused at once).
Every exception that is not codewalk's own typed error (``CodewalkError``) is counted,
with the first few printed; the summary line is the figure to report: ``N cases, K
untyped exceptions``. Exits 1 if K > 0.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# shares = fractions of the total per target (the command lines are the slow ones)
SHARES = {
    "tours": 0.25,
    "queries": 0.25,
    "paths": 0.15,
    "pins": 0.15,
    "REPO@VERSION": 0.14,
    "command lines": 0.06,
}


def main(total: int) -> int:
    work = Path(tempfile.mkdtemp(prefix="codewalk-fuzz-"))
    try:
        return _run(total, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # its cache, state and drafts


def _run(total: int, work: Path) -> int:
    os.environ["CODEWALK_HOME"] = str(work / "home")
    os.environ["CODEWALK_STATE"] = str(work / "state")
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(work / "hypothesis")
    (work / "pins.toml").write_text(_toy_pins())
    os.environ["CODEWALK_PINS"] = str(work / "pins.toml")
    drafts = work / "drafts"
    drafts.mkdir()

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from codewalk.errors import CodewalkError
    from codewalk.index.store import Store
    from codewalk.tours import focus
    from codewalk.workspace.workspace import Workspace
    from tests import fuzzing
    from tests.toyrepo import make_toy

    focus.FOCUS_TIMEOUT_S = 0.02
    fuzzing.offline(work, os.environ.__setitem__)
    checkout = make_toy(work)
    workspace = Workspace(checkout, Store.memory())
    workspace.index_all(workers=1)

    untyped: Counter[str] = Counter()
    shown: list[str] = []
    counts: Counter[str] = Counter()

    def guarded(target: str, call) -> None:  # type: ignore[no-untyped-def]
        counts[target] += 1
        try:
            call()
        except CodewalkError:
            pass
        except Exception as error:
            key = f"{target}: {type(error).__name__}"
            untyped[key] += 1
            if len(shown) < 10:
                shown.append(f"{key}: {error}\n{traceback.format_exc(limit=6)}")

    def run(target: str, strategy, call) -> None:  # type: ignore[no-untyped-def]
        examples = max(1, int(total * SHARES[target]))

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(value=strategy)
        def prop(value) -> None:  # type: ignore[no-untyped-def]
            guarded(target, lambda: call(value))

        started = time.perf_counter()
        prop()
        print(f"{target}: {counts[target]} cases in {time.perf_counter() - started:.0f} s", flush=True)

    run("tours", fuzzing.tour_document(), lambda doc: fuzzing.tour_target(doc, workspace))
    run("queries", fuzzing.query, lambda text: fuzzing.query_target(text, workspace))
    run(
        "paths",
        st.tuples(fuzzing.path, st.integers(-5, 10**6), st.integers(-5, 500)),
        lambda t: fuzzing.path_target(t[0], workspace, t[1], t[2]),
    )
    run("pins", fuzzing.pins_document(), fuzzing.pins_target)
    run("REPO@VERSION", fuzzing.repo_spec, fuzzing.spec_target)
    run(
        "command lines",
        st.tuples(fuzzing.argv, fuzzing.stdout_encoding),
        lambda t: fuzzing.cli_target(t[0], checkout.root, t[1], drafts),
    )

    cases = sum(counts.values())
    for text in shown:
        print(text, file=sys.stderr)
    for key, number in untyped.most_common():
        print(f"  {key}: {number}")
    print(f"{cases} cases, {sum(untyped.values())} untyped exceptions")
    return 1 if untyped else 0


def _toy_pins() -> str:
    from tests.hardening import TOY_PINS

    return TOY_PINS


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 102_000))
