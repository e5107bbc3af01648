"""``g`` on a name the index does not know: said at once, jedi asked on a thread of its
own (the nav thread keeps answering), its answer replacing the message when it comes, and
the wait for it bounded."""

from __future__ import annotations

import threading

from ui_fakes import FakeNavigator, make_session, run_async, settle

from codewalk.ui import lookups
from codewalk.ui.app import CodewalkApp, make_app
from codewalk.ui.code_view import CodeView


def _messages(app: CodewalkApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _where(app: CodewalkApp) -> tuple[str, int, int]:
    code = app.screen.query_one(CodeView)
    assert code.source is not None
    return code.source.path, *code.cursor


async def _on_model(app: CodewalkApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """The cursor on ``model`` in ``return model.greet("you")`` (pkg/use.py line 10)."""
    await settle(pilot)
    await pilot.press("4", "down", "down", "ctrl+right", "ctrl+right")
    await settle(pilot)
    assert app.screen.query_one(CodeView).word_under_cursor() == ("model", 11)


class GatedNavigator(FakeNavigator):
    gate = threading.Event()

    def __init__(self, repo: str = "pkg") -> None:
        super().__init__(repo)
        self.jedi_gate = self.gate


@run_async
async def test_a_name_the_index_lacks_is_said_at_once_and_jedis_answer_replaces_it() -> None:
    GatedNavigator.gate = threading.Event()
    session = make_session(navigator=GatedNavigator)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await _on_model(app, pilot)
        await pilot.press("g")
        for _ in range(100):  # until the worker has said it (jedi is held meanwhile)
            await pilot.pause()
            if _messages(app):
                break
        assert _messages(app) == ["model: not in the index; asking jedi…"]
        assert _where(app) == ("pkg/use.py", 10, 11)
        # the nav thread answers other questions while jedi is out
        meanwhile = session.nav.goto_all("pkg", "pkg/use.py", 9, 12, fallback=False)
        assert meanwhile.results[0].qualname.endswith("Big")
        GatedNavigator.gate.set()
        await settle(pilot)
        assert _where(app) == ("pkg/use.py", 9, 4)  # on the name jedi found
        assert _messages(app) == ["jedi"]  # the asking message replaced by how it was found


@run_async
async def test_jedi_that_does_not_answer_in_time_is_not_waited_for() -> None:
    GatedNavigator.gate = threading.Event()  # never set: jedi never answers
    saved = lookups.JEDI_WAIT_S
    lookups.JEDI_WAIT_S = 0.2
    try:
        app = make_app(make_session(navigator=GatedNavigator))
        async with app.run_test(size=(120, 40)) as pilot:
            await _on_model(app, pilot)
            await pilot.press("g")
            await settle(pilot)
            assert _messages(app) == ["no definition found for model: jedi gave no answer within 0.2 s"]
            assert _where(app) == ("pkg/use.py", 10, 11)
    finally:
        lookups.JEDI_WAIT_S = saved
        GatedNavigator.gate.set()  # let the abandoned jedi call end


class KnowsNothing(FakeNavigator):
    def jedi_query(self, path: str, line: int, col: int):  # type: ignore[no-untyped-def]
        return lambda: None


@run_async
async def test_a_name_neither_the_index_nor_jedi_knows_is_no_definition() -> None:
    app = make_app(make_session(navigator=KnowsNothing))
    async with app.run_test(size=(120, 40)) as pilot:
        await _on_model(app, pilot)
        await pilot.press("g")
        await settle(pilot)
        assert _messages(app) == ["no definition found for model"]
        assert _where(app) == ("pkg/use.py", 10, 11)


@run_async
async def test_libcst_and_jedi_are_loaded_in_the_background_once_the_first_step_shows() -> None:
    """So that the first ``g`` at a call site does not wait ~0.4 s for libcst's import."""
    from codewalk.ui import session as session_module
    from codewalk.ui import tour_screen

    threads: list[str] = []
    saved = session_module._warm_up, tour_screen.WARM_UP_AFTER_S
    session_module._warm_up = lambda: threads.append(threading.current_thread().name)  # type: ignore[assignment]
    tour_screen.WARM_UP_AFTER_S = 0.05
    try:
        app = make_app(make_session())
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            for _ in range(100):
                await pilot.pause(0.02)
                if threads:
                    break
            assert len(threads) == 1 and threads[0].startswith("codewalk-jedi")
    finally:
        session_module._warm_up, tour_screen.WARM_UP_AFTER_S = saved


def test_the_warm_up_loads_libcst_and_jedi() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\nfrom codewalk.ui.session import _warm_up\n"
        "before = {m for m in ('libcst', 'jedi') if m in sys.modules}\n_warm_up()\n"
        "print(sorted(before), sorted(m for m in ('libcst', 'jedi') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[] ['jedi', 'libcst']", done.stderr
