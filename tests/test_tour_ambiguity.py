"""A tour step's short name is refused when it is ambiguous, by the rule ``find``,
``show`` and ``calls`` follow, in the step's scope: the modules the tour has read when
the best definition is in one of them, else the repository. ``forward`` after a step in
a modeling file that defines three is a broken step (check, ``--plain``, ``--json``, a
note's link, the terminal UI), with the three as "did you mean"; a name defined once
in that file is fine. On a small package of its own (``netpkg``), read with ``--source``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ui_fakes import run_async, settle

from codewalk.tours.discovery import read_tour
from codewalk.ui.app import make_app
from codewalk.ui.launch import open_session
from codewalk.ui.state import ProgressStore
from tests.hardening import run

MODELING = """\
class NetNorm:
    def forward(self, x):
        return x


class NetAttention:
    def forward(self, x):
        return x


class NetModel:
    def forward(self, x):
        return self.tie_weights()

    def tie_weights(self):
        return None
"""
OTHER = """\
class OtherNorm:
    def forward(self, x):
        return x

    def tie_weights(self):
        return None
"""
PINS = (
    '[net]\nurl = "https://example.invalid/net.git"\ntag = "v0"\npackage_root = "src"\n'
    'packages = ["netpkg"]\nrelease = "netpkg==0"\n'
)
IN_FILE = (
    "3 definitions named forward in modeling_net.py: NetNorm.forward (line 2), "
    "NetAttention.forward (line 7), NetModel.forward (line 12); write Class.forward"
)
SUGGESTED = "did you mean: NetNorm.forward, NetAttention.forward, NetModel.forward"


@pytest.fixture()
def net(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The package's checkout (read with ``--source``), and a pins file naming it."""
    package = tmp_path / "net" / "src" / "netpkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from .modeling_net import NetModel\n")
    (package / "modeling_net.py").write_text(MODELING)
    (package / "other.py").write_text(OTHER)
    pins = tmp_path / "pins.toml"
    pins.write_text(PINS)
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    return tmp_path / "net"


def tour_file(tmp_path: Path, *steps: str, note: str = "") -> Path:
    path = tmp_path / "t.yaml"
    body = "".join(f"  - {step}\n" for step in steps)
    path.write_text(f"title: T\nsteps:\n{body}" + (f"    note: {note}\n" if note else ""))
    return path


@pytest.mark.parametrize(
    "first", ["at: NetModel.forward", "file: src/netpkg/modeling_net.py"], ids=["after-at", "after-file"]
)
def test_a_name_several_classes_of_the_step_s_file_define_is_a_broken_step(
    first: str, net: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = tour_file(tmp_path, first, "at: forward")
    code, out, _ = run(capsys, "check", str(tour), "--source", str(net))
    assert code == 1
    assert out.splitlines() == [
        "BROKEN  t (1 of 2 steps broken at net@local)",
        f"  {tour}:4: step 2 (forward): ambiguous: {IN_FILE}",
        f"      {SUGGESTED}",
        "1 tour(s), 2 step(s): 1 broken step(s), 0 file error(s)",
    ]

    code, out, _ = run(capsys, "tour", str(tour), "--plain", "--no-color", "--source", str(net))
    assert code == 1
    assert f"ambiguous: {IN_FILE}\n{SUGGESTED}\n" in out
    assert "    def forward(self, x):\n" in out and "return self.tie_weights()" in out  # the best one

    code, out, _ = run(capsys, "tour", str(tour), "--json", "--source", str(net))
    assert code == 1
    step = json.loads(out)["steps"][1]
    # the best of them is shown (the class the package exports), said to be one of three
    assert (step["status"], step["error"]) == ("ambiguous", IN_FILE)
    assert step["qualname"] == "netpkg.modeling_net.NetModel.forward"
    assert step["suggestions"] == ["NetNorm.forward", "NetAttention.forward", "NetModel.forward"]


def test_each_suggestion_resolves_and_a_name_once_in_the_file_is_fine(
    net: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    steps = ("at: NetModel.forward", "at: NetAttention.forward", "at: tie_weights")
    code, out, _ = run(capsys, "check", str(tour_file(tmp_path, *steps)), "--source", str(net))
    assert (code, out.splitlines()[0]) == (0, "ok      t (3 steps at net@local)")
    code, out, _ = run(capsys, "tour", str(tour_file(tmp_path, *steps)), "--json", "--source", str(net))
    assert [(s["status"], s["qualname"]) for s in json.loads(out)["steps"]] == [
        ("resolved", "netpkg.modeling_net.NetModel.forward"),
        ("resolved", "netpkg.modeling_net.NetAttention.forward"),
        ("resolved", "netpkg.modeling_net.NetModel.tie_weights"),  # other.py has one too
    ]


def test_without_a_step_before_it_the_scope_is_the_repository(
    net: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = tour_file(tmp_path, "at: tie_weights")
    code, out, _ = run(capsys, "check", str(tour), "--source", str(net))
    assert code == 1
    broken = out.splitlines()[1]
    assert broken.startswith(
        f"  {tour}:3: step 1 (tie_weights): ambiguous: 2 definitions named tie_weights in net@local: "
    )
    assert "netpkg.modeling_net.NetModel.tie_weights (src/netpkg/modeling_net.py:15)" in broken
    assert "netpkg.other.OtherNorm.tie_weights (src/netpkg/other.py:5)" in broken
    assert broken.endswith("; write Class.tie_weights")


def test_a_name_once_in_each_of_two_files_the_tour_read_is_ambiguous(
    net: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both files are the tour's: neither definition is nearer than the other."""
    tour = tour_file(tmp_path, "at: NetModel.forward", "at: OtherNorm", "at: tie_weights")
    code, out, _ = run(capsys, "check", str(tour), "--source", str(net))
    assert code == 1
    assert out.splitlines()[1:3] == [
        f"  {tour}:5: step 3 (tie_weights): ambiguous: 2 definitions named tie_weights in "
        "modeling_net.py, other.py: NetModel.tie_weights (modeling_net.py:15), "
        "OtherNorm.tie_weights (other.py:5); write Class.tie_weights",
        "      did you mean: NetModel.tie_weights, OtherNorm.tie_weights",
    ]


def test_files_of_one_name_are_told_apart_by_their_paths(
    net: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("one", "two"):
        (net / "src" / "netpkg" / name).mkdir()
        (net / "src" / "netpkg" / name / "__init__.py").write_text(
            f"class {name.title()}:\n    def reset(self):\n        pass\n"
        )
    tour = tour_file(
        tmp_path, "file: src/netpkg/one/__init__.py", "file: src/netpkg/two/__init__.py", "at: reset"
    )
    code, out, _ = run(capsys, "check", str(tour), "--source", str(net))
    assert code == 1
    assert out.splitlines()[1].endswith(
        "ambiguous: 2 definitions named reset in src/netpkg/one/__init__.py, src/netpkg/two/__init__.py: "
        "One.reset (src/netpkg/one/__init__.py:2), Two.reset (src/netpkg/two/__init__.py:2); "
        "write Class.reset"
    )


def test_a_step_in_the_package_s_init_does_not_make_every_module_its_scope(
    net: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``netpkg/__init__.py`` is the module ``netpkg``, not every module under it: the
    name is looked for in the repository, where four classes define it."""
    tour = tour_file(tmp_path, "file: src/netpkg/__init__.py", "at: forward")
    code, out, _ = run(capsys, "check", str(tour), "--source", str(net))
    assert code == 1
    assert out.splitlines()[1].startswith(
        f"  {tour}:4: step 2 (forward): ambiguous: 4 definitions named forward in net@local: "
    )


def test_a_note_s_link_to_such_a_name_breaks_its_step(
    net: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = tour_file(tmp_path, "at: NetModel.tie_weights", note="'[the forward](codewalk:forward)'")
    code, out, _ = run(capsys, "check", str(tour), "--source", str(net))
    assert code == 1
    assert out.splitlines()[1] == (
        f"  {tour}:3: step 1 (NetModel.tie_weights): broken link: link [the forward](codewalk:forward): "
        f"'forward' is ambiguous: {IN_FILE}"
    )


@run_async
async def test_the_ui_marks_the_step_and_says_which_names_to_write(
    net: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codewalk.ui.steps import StepsList
    from codewalk.ui.tour_screen import TourScreen

    tour = read_tour(tour_file(tmp_path, "at: NetModel.forward", "at: forward"))
    session = open_session(tour, source_path=str(net), progress=ProgressStore(tmp_path / "progress.json"))
    app = make_app(session)
    said: list[str] = []
    notify = app.notify

    def record(message: str, **kwargs):  # type: ignore[no-untyped-def]
        said.append(message)
        notify(message, **kwargs)

    monkeypatch.setattr(app, "notify", record)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TourScreen) and screen.step_index == 1
        assert screen.resolved[1].status == "ambiguous"
        assert "◐" in str(screen.query_one(StepsList).get_option_at_index(1).prompt)
    assert f"step 2 is ambiguous, showing netpkg.modeling_net.NetModel.forward: {IN_FILE}" in said


def test_an_ambiguous_step_scopes_no_step_after_it(
    net: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``forward`` first is ambiguous in the repository; its guess (modeling_net.py) is no
    module the tour read, so ``tie_weights`` after it is still weighed in the repository:
    ambiguous too, not silently NetModel's."""
    tour = tour_file(tmp_path, "at: forward", "at: tie_weights")
    code, out, _ = run(capsys, "check", str(tour), "--source", str(net))
    assert code == 1
    broken = [line for line in out.splitlines() if line.startswith(f"  {tour}:")]
    assert [line.split(": ")[2] for line in broken] == ["ambiguous", "ambiguous"]
    assert "ambiguous: 2 definitions named tie_weights in net@local: " in broken[1]  # not in a file
