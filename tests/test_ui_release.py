"""Pilot tests of the UI on the real transformers release (the llama-generate tour).

Lines asserted here were read in transformers 5.23.0:
- modeling_llama.py:409 ``@auto_docstring``, :410 ``class LlamaForCausalLM(LlamaPreTrainedModel,
  GenerationMixin):`` (``GenerationMixin`` at column 45), :418 ``self.model = LlamaModel(config)``,
  :343 ``self.layers = nn.ModuleList(``, :391 ``for decoder_layer in self.layers[...]``;
- generation/utils.py:494 ``class GenerationMixin(ContinuousMixin):``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ui_fakes import run_async, settle

from codewalk.tours.discovery import load_tour
from codewalk.ui.app import CodewalkApp, make_app
from codewalk.ui.code_view import CodeView
from codewalk.ui.header import OffTourBanner, TourHeader
from codewalk.ui.launch import open_session
from codewalk.ui.references import ReferencesPanel
from codewalk.ui.state import ProgressStore
from codewalk.ui.steps import StepsList

pytestmark = [pytest.mark.release, pytest.mark.slow]

LLAMA = "src/transformers/models/llama/modeling_llama.py"
GEN_UTILS = "src/transformers/generation/utils.py"


def _app(tmp_path: Path) -> CodewalkApp:
    session = open_session(load_tour("llama-generate"), progress=ProgressStore(tmp_path / "progress.json"))
    return make_app(session)


def _code(app: CodewalkApp) -> CodeView:
    return app.screen.query_one(CodeView)


def _where(app: CodewalkApp) -> tuple[str, int, int]:
    code = _code(app)
    assert code.source is not None
    line, col = code.cursor
    return code.source.path, line, col


def _header(app: CodewalkApp) -> str:
    return app.screen.query_one(TourHeader).text


def _banner(app: CodewalkApp) -> str | None:
    banner = app.screen.query_one(OffTourBanner)
    return str(banner.render()) if banner.display else None


@run_async
async def test_stepping_goto_and_back(stack_home: Path, tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # step 1: LlamaForCausalLM, its focus statement lit, the class line on screen
        assert _where(app) == (LLAMA, 418, 0)
        code = _code(app)
        assert code.shown is not None and code.shown.focus == (418, 418)
        assert code.shown.span is not None and code.shown.span[0] == 409  # decorator included
        first, rows = code.top_line, code.scrollable_content_region.height
        assert first <= 410 and first + rows - 1 >= 418
        assert "step 1/13" in _header(app) and "transformers@5.23.0 (release)" in _header(app)

        await pilot.press("n")
        await settle(pilot)
        assert _where(app) == (LLAMA, 343, 0)  # LlamaModel.__init__, self.layers = nn.ModuleList(
        assert "step 2/13" in _header(app)
        await pilot.press("p")
        await settle(pilot)
        assert _where(app) == (LLAMA, 418, 0)
        await pilot.press("3")
        await settle(pilot)
        assert _where(app) == (LLAMA, 391, 0)  # the decoder loop in LlamaModel.forward
        assert app.screen.query_one(StepsList).highlighted == 2

        # back to step 1; the cursor up to the class line, then word by word to GenerationMixin
        await pilot.press("1")
        await settle(pilot)
        await pilot.press(*["up"] * 8, *["ctrl+right"] * 5)
        assert _where(app) == (LLAMA, 410, 45)
        assert code.word_under_cursor() == ("GenerationMixin", 45)
        await pilot.press("g")
        await settle(pilot)
        assert _where(app) == (GEN_UTILS, 494, 6)  # on its name
        assert code.current_text() == "class GenerationMixin(ContinuousMixin):"
        banner = _banner(app)
        assert banner is not None and "return to step 1" in banner
        assert "step 1/13" in _header(app)

        await pilot.press("b")
        await settle(pilot)
        assert _where(app) == (LLAMA, 410, 45)
        assert _banner(app) is None
        await pilot.press("f")
        await settle(pilot)
        assert _where(app) == (GEN_UTILS, 494, 6)  # on its name
        await pilot.press("r")  # return to the step
        await settle(pilot)
        assert _where(app) == (LLAMA, 418, 0)
        assert _banner(app) is None
    assert ProgressStore(tmp_path / "progress.json").step("llama-generate") == 0


@run_async
async def test_palette_finds_a_symbol_of_a_pin_the_tour_does_not_read(
    stack_home: Path, tmp_path: Path
) -> None:
    """The tour reads transformers only; ctrl+p searches every pin in the cache too
    (accelerate's, here), as ``codewalk find`` does, on an index that starts empty."""
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        for key in "Accelerator.backw":  # the index learns of Accelerator as the reader types
            await pilot.press(key)
            await settle(pilot)
        palette: Any = app.screen
        assert type(palette).__name__ == "SymbolPalette"
        hits = [str(option.prompt) for option in palette.query_one("OptionList").options]
        assert hits and hits[0].startswith("accelerate.accelerator.Accelerator.backward\naccelerate  method")
        await pilot.press("enter")
        await settle(pilot)
        code = _code(app)
        assert code.source is not None and code.source.path == "src/accelerate/accelerator.py"
        assert code.current_text() == "    def backward(self, loss, **kwargs):"
        assert app.screen.query_one(TourHeader).text.endswith("accelerate@1.14.0 (release)")


@run_async
async def test_palette_search_and_references(stack_home: Path, tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _where(app) == (LLAMA, 418, 0)

        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"GenerationMixin")
        await settle(pilot)
        palette: Any = app.screen
        assert type(palette).__name__ == "SymbolPalette"
        await pilot.press("enter")  # the first hit: the real class, not the dummy
        await settle(pilot)
        assert _where(app) == (GEN_UTILS, 494, 6)  # on its name
        assert _banner(app) is not None

        await pilot.press("b")
        await settle(pilot)
        assert _where(app) == (LLAMA, 418, 0)
        await pilot.press(*["up"] * 8, *["ctrl+right"] * 5, "x")
        await settle(pilot)
        panel = app.screen.query_one(ReferencesPanel)
        assert panel.shown
        assert panel.qualname == "transformers.generation.utils.GenerationMixin"
        places = {(ref.path, ref.line) for ref in panel.references}
        assert (LLAMA, 26) in places  # from ...generation import GenerationMixin
        assert (LLAMA, 410) in places
        assert len(places) > 100  # every model that can generate names it
        chosen = panel.references[0]
        await pilot.press("enter")
        await settle(pilot)
        assert _where(app) == (chosen.path, chosen.line, chosen.col)
        assert _banner(app) is not None
