"""How ``path`` tells routes apart (tests/fixtures/callrepo's ``callpkg.routes``): chains
through the same functions are one route, listed once with the lines of each call, and
counted once toward ``--limit`` and the search's stop; a chain that comes back to a
function it went through is a loop, not a route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from codewalk.workspace.workspace import Workspace
from tests.callrepo import callrepo_workspace
from tests.test_cli_calls import repo, run  # noqa: F401 (the CLI's fixture)

R = "callpkg.routes."
F = "callpkg.fanout."


@pytest.fixture(params=["lazy", "full"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    yield from callrepo_workspace(tmp_path, request.param)


def test_a_call_at_several_lines_is_one_route_and_does_not_stop_the_search(ws: Workspace) -> None:
    """``cargo.ship(x)`` on an untyped parameter reaches ``land`` only as a guess: through
    ``Crate.ship``, which calls ``land`` at three lines, and through ``Parcel.ship`` and
    ``relay``, a call longer. The three lines are one route, listed once with its lines;
    they do not count as three chains toward the stop, so the search goes on to the
    second route and, having read everything, is complete."""
    search = ws.path(R + "dispatch", R + "land").search
    assert search.widened and search.complete
    routes = [[(h.caller.target.qualname.removeprefix(R), h.lines) for h in c] for c in search.chains]
    assert routes == [
        [("dispatch", (28,)), ("Crate.ship", (17, 18, 19))],
        [("dispatch", (28,)), ("Parcel.ship", (24,)), ("relay", (12,))],
    ]
    assert search.chains[0][1].callee.site.line == 17 and search.chains[0][1].also == (18, 19)


def test_a_chain_back_through_a_function_it_went_through_is_a_loop_not_a_route(ws: Workspace) -> None:
    """``Speaker.talk`` calls itself through its class, passing what it did not have
    (another body to the search): a chain through it twice only adds the loop."""
    (chain,) = ws.path(R + "Parrot.talk", R + "land").search.chains
    assert [(h.caller.target.qualname.removeprefix(R), h.lines) for h in chain] == [("Speaker.talk", (40,))]


def test_path_says_the_lines_of_a_route_in_text_and_json(
    repo: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "path", "export", "finish")
    assert code == 0
    lines = out.splitlines()
    at = lines.index("        18  return escape(x)")
    assert lines[at + 1] == "            at lines 18, 19 (one route: the same call at each)"
    assert "at lines" not in "\n".join(lines[at + 2 :])  # the other route's calls are at one line each
    code, out, _ = run(capsys, "path", "export", "finish", "--json")
    first, second = json.loads(out)["chains"]
    assert [(hop["line"], hop["lines"]) for hop in first] == [(18, [18, 19]), (9, [9])]
    assert [hop["lines"] for hop in second] == [[20], [13]]


def test_a_call_of_many_candidates_does_not_take_the_bound_from_the_calls_beside_it(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tool.use(x)`` and ``gauge.read(x)`` in ``measure``, calls of several candidates
    (made "many" here): with room for three functions once it widens, it reads the first
    candidate of each, each later one of ``tool.use`` a call later as their number
    doubles, and reaches ``mark`` through ``gauge.read``; reading every candidate of
    ``tool.use`` first, it stopped at its bound before that."""
    from codewalk.calls import paths, reached

    monkeypatch.setattr(reached, "WIDE", 1)  # a hop's guess (graph), the search's calls of many (paths)
    defaults = paths.shortest_paths.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "max_bodies", 4)  # the start, then the start again and three
    search = ws.path(F + "measure", F + "mark").search
    assert search.widened and not search.complete
    (chain,) = search.chains
    assert [h.reached.removeprefix(F) for h in chain] == ["Gauge.read", "mark"]
