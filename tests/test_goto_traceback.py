"""``codewalk goto`` on what a traceback gives: an installed copy's path (of any pin), a
path from the package down, a line without a column, a traceback's ``File`` line whole;
the pure rules beneath (which pin file a path is, what a line means) and every error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codewalk.cli.main import main
from codewalk.errors import QueryError
from codewalk.index.cursor import column_meant, scope_at
from codewalk.source.installed import readings, remote_module, remote_name, stranger, version_beside
from codewalk.source.pins import parse_pins
from tests.callrepo import ACCEL_PIN, CALLS_PIN, pin_callrepo

TRAINER = "src/callpkg/trainer.py"
BACKWARD_LINE = 42  # `        self.accelerator.backward(loss)` in Trainer.step
PINS = parse_pins(
    CALLS_PIN
    + "\n"
    + ACCEL_PIN
    + '\n[diffusers]\nurl = "https://example.org/d.git"\ntag = "v1"\npackage_root = "src"\n'
    'packages = ["diffusers"]\nrelease = "diffusers==1"\n'
    '\n[transformers]\nurl = "https://example.org/t.git"\ntag = "v5"\npackage_root = "src"\n'
    'packages = ["transformers"]\nrelease = "transformers==5"\n'
    '\n[safetensors]\nurl = "https://example.org/s.git"\ntag = "v0"\n'
    'package_root = "bindings/python/py_src"\nrelease_root = "py_src"\n'
    'packages = ["safetensors"]\nrelease = "safetensors==0"\n',
    "pins.toml",
)


def read(path: str) -> list[tuple[str, str, str]]:
    return [(r.pin.name, r.relative, r.holder) for r in readings(path, PINS)]


def test_an_installed_path_is_read_from_the_package_down_in_the_pin_that_has_it() -> None:
    assert read("/venv/lib/python3.11/site-packages/accelerate/accelerator.py") == [
        ("accel", "accelerate/accelerator.py", "/venv/lib/python3.11/site-packages")
    ]
    assert read("/usr/lib/python3/dist-packages/callpkg/trainer.py")[0][:2] == ("calls", "callpkg/trainer.py")
    assert read("callpkg/trainer.py") == [("calls", "callpkg/trainer.py", "")]
    assert read(r"C:\venv\Lib\site-packages\callpkg\trainer.py") == [
        ("calls", "callpkg/trainer.py", r"C:\venv\Lib\site-packages")
    ]


def test_where_a_package_follows_an_install_or_package_root_it_is_read_first() -> None:
    """diffusers has a ``models/transformers`` directory; a checkout's directory may be
    named as its package: the package after site-packages or the pin's package root is
    the likelier, and the others follow from the left."""
    assert read("/v/site-packages/diffusers/models/transformers/flux.py") == [
        ("diffusers", "diffusers/models/transformers/flux.py", "/v/site-packages"),
        ("transformers", "transformers/flux.py", "/v/site-packages/diffusers/models"),
    ]
    assert read("/home/me/transformers/src/transformers/trainer.py")[0] == (
        "transformers",
        "transformers/trainer.py",
        "/home/me/transformers/src",
    )
    assert read("/x/bindings/python/py_src/safetensors/torch.py")[0][1] == "safetensors/torch.py"
    assert read("/x/py_src/safetensors/torch.py")[0][2] == "/x/py_src"  # the release's root
    assert read("/v/site-packages/accelerate/../../etc/passwd") == []
    assert read("/v/site-packages/numpy/core.py") == [] and read("accelerate") == []


def test_an_installed_package_no_pin_has_is_named() -> None:
    assert stranger("/v/lib/site-packages/numpy/core/multiarray.py") == "numpy"
    assert stranger("/v/dist-packages/torch/nn/modules/module.py") == "torch"
    assert stranger("src/numpy/core.py") is None and stranger("/v/site-packages/x.py") is None


def test_a_models_remote_code_is_named_by_the_module_transformers_imports_it_as() -> None:
    assert remote_module("/h/modules/transformers_modules/org/repo/0a1b/modeling_x.py") == (
        "transformers_modules.org.repo.0a1b.modeling_x"
    )
    assert remote_module(r"C:\h\transformers_modules\mine\0a1b\modeling_x.py") == (
        "transformers_modules.mine.0a1b.modeling_x"
    )
    assert remote_module("/v/site-packages/transformers/modeling_utils.py") is None
    assert remote_module("/h/transformers_modules") is None  # the directory itself: no file in it


def test_a_models_remote_code_is_named_by_its_model_without_the_revision() -> None:
    """The Hub's commit (40 hex digits) and a local directory's source hash (16) are left
    out; the directories transformers named the model by are kept as it wrote them."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    assert (
        remote_name(f"/h/transformers_modules/org/my_hyphen_lm/{commit}/modeling_x.py") == "org/my_hyphen_lm"
    )
    assert remote_name(r"C:\h\transformers_modules\mine\0123456789abcdef\modeling_x.py") == "mine"
    assert remote_name("/h/transformers_modules/0123456789abcdef/modeling_x.py") == ""
    assert remote_name("/v/site-packages/transformers/modeling_utils.py") is None


def test_the_installed_version_is_read_from_the_metadata_beside_the_package(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    (site / "huggingface_hub-1.33.0.dist-info").mkdir(parents=True)
    (site / "accelerate-1.13.0.dist-info").mkdir()
    assert version_beside(str(site), "huggingface-hub") == "1.33.0"  # names compared as PEP 503 does
    assert version_beside(str(site), "accelerate") == "1.13.0"
    assert version_beside(str(site), "peft") == ""
    src = tmp_path / "src"
    (src / "peft.egg-info").mkdir(parents=True)
    (src / "peft.egg-info" / "PKG-INFO").write_text(
        "Metadata-Version: 2.1\nName: peft\nVersion: 0.21.0.dev0\n"
    )
    assert version_beside(str(src), "peft") == "0.21.0.dev0"
    assert version_beside(str(tmp_path / "absent"), "peft") == "" and version_beside("", "peft") == ""


CODE = """\
import os
from .losses import LOSSES, other


class Trainer(Base):
    @decorate(1)
    def step(self, x):
        super().__init__(x)
        out = self.layers[0](x)
        return self.a.b(x).c(helper(y))

    x = 1

    async def run(self):
        pass

    def loop(self, args):
        retry(
            self._inner, self.size,
            key=args.find,
        )
"""


@pytest.mark.parametrize(
    ("line", "name"),
    [
        (5, "Trainer"),  # a class
        (7, "step"),  # a def: not the decorator's call a line above
        (6, "decorate"),
        (8, "__init__"),  # super() is not the call meant
        (9, "layers"),  # the container of an element called
        (10, "b"),  # the first call as read: the receiver's, before c and helper
        (14, "run"),
        (2, "LOSSES"),  # an import: the first name imported
        (1, "os"),
        (19, "_inner"),  # a line of a call's arguments: the first name it passes
        (20, "find"),  # ... by keyword too
    ],
)
def test_a_line_alone_means_its_definition_else_its_first_call(line: int, name: str) -> None:
    col = column_meant(CODE, line)
    assert col is not None
    text = CODE.splitlines()[line - 1]
    assert text[col : col + len(name)] == name


def test_a_line_that_calls_and_defines_nothing_means_no_column() -> None:
    assert column_meant(CODE, 12) is None and column_meant(CODE, 3) is None and column_meant(CODE, 21) is None
    assert column_meant(CODE, 99) is None
    assert column_meant("def broken(:\n    f()\n", 2) is None


def test_the_scope_of_a_line_is_named_as_a_traceback_names_it() -> None:
    assert [scope_at(CODE, n) for n in (1, 5, 6, 8, 12, 15)] == [
        "<module>",
        "<module>",  # a class's header and a decorator run outside their bodies
        "Trainer",
        "step",
        "Trainer",
        "run",
    ]
    assert scope_at("try:\n    pass\nexcept E:\n    def f():\n        g()\n", 5) == "f"
    assert scope_at("def broken(:\n", 1) is None


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two pins (callpkg, and accelerate beside it) and an environment where callpkg 0,
    the pinned release, is installed as it is."""
    checkout = pin_callrepo(tmp_path, monkeypatch, accel=True)
    packages = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    (packages / "callpkg-0.dist-info").mkdir(parents=True)
    shutil.copytree(checkout.root / "src" / "callpkg", packages / "callpkg")
    shutil.copytree(checkout.root / "src" / "accelerate", packages / "accelerate")
    return packages


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def goto_json(capsys: pytest.CaptureFixture[str], position: str) -> dict[str, object]:
    code, out, _ = run(capsys, "goto", position, "--json")
    assert code == 0
    data: dict[str, object] = json.loads(out)
    return data


def landed(data: dict[str, object]) -> tuple[object, ...]:
    result = data["result"]
    assert isinstance(result, dict)
    return result["repo"], result["qualname"], result["path"]


BACKWARD = ("accel", "accelerate.accelerator.Accelerator.backward", "src/accelerate/accelerator.py")


def test_an_installed_path_lands_as_the_pins_file_does_and_says_how_it_was_read(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    installed = site / "callpkg" / "trainer.py"
    code, out, err = run(capsys, "goto", f"{installed}:{BACKWARD_LINE}:30")
    assert code == 0 and out.startswith("accelerate.accelerator.Accelerator.backward  method")
    said = f"read {installed} as {TRAINER} of calls@local (the installed file is the same, byte for byte)"
    assert f"codewalk: {said}\n" in err
    data = goto_json(capsys, f"{installed}:{BACKWARD_LINE}:30")
    assert landed(data) == BACKWARD
    assert data["position"] == {"path": TRAINER, "line": 42, "col": 30, "given": f"{installed}:42:30"}
    assert data["read_as"] == said


def test_an_installed_file_of_another_pin_goes_to_that_pin(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = goto_json(capsys, f"{site / 'accelerate' / 'accelerator.py'}:3")  # `loss = self.scale(loss)`
    assert (data["repo"], data["position"]) == (
        "accel",
        {"path": "src/accelerate/accelerator.py", "line": 3, "col": 21, "given": data["position"]["given"]},  # type: ignore[index]
    )
    assert landed(data) == (
        "accel",
        "accelerate.accelerator.Accelerator.scale",
        "src/accelerate/accelerator.py",
    )


def test_how_an_installed_copy_differs_is_said(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    installed = site / "callpkg" / "trainer.py"
    with installed.open("a") as file:
        file.write("# edited\n")
    position = f"{installed}:{BACKWARD_LINE}"
    assert goto_json(capsys, position)["read_as"] == (
        f"read {installed} as {TRAINER} of calls@local; the installed file differs from it (edited?): "
        "lines may not match"
    )
    (site / "callpkg-0.dist-info").rename(site / "callpkg-0.9.dist-info")
    assert goto_json(capsys, position)["read_as"] == (
        f"read {installed} as {TRAINER} of calls@local; the installed file, of callpkg 0.9, differs: "
        "--at calls@0.9 reads that release"
    )
    elsewhere = "/another/machine/site-packages/callpkg/trainer.py"
    data = goto_json(capsys, f"{elsewhere}:{BACKWARD_LINE}")
    assert landed(data) == BACKWARD
    assert data["read_as"] == (
        f"read {elsewhere} as {TRAINER} of calls@local; that file is not on this machine to compare: "
        "lines may not match"
    )


def test_a_path_from_the_package_down_and_a_line_without_a_column(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = goto_json(capsys, f"callpkg/trainer.py:{BACKWARD_LINE}")
    assert (
        landed(data) == BACKWARD and data["read_as"] == f"read callpkg/trainer.py as {TRAINER} of calls@local"
    )
    assert data["position"]["col"] == 26  # type: ignore[index]  # `backward`, 1-based
    as_given = goto_json(capsys, f"{TRAINER}:{BACKWARD_LINE}")
    assert landed(as_given) == BACKWARD and as_given["read_as"] is None
    definition = goto_json(capsys, f"{TRAINER}:37")  # `    def step(self, x):`
    assert landed(definition) == ("calls", "callpkg.trainer.Trainer.step", TRAINER)
    module = goto_json(capsys, f"{TRAINER}:38")  # `out = self.layer(x)`: a module called
    assert landed(module) == ("calls", "callpkg.trainer.Trainer.layer", TRAINER)


def test_a_tracebacks_file_line_is_taken_whole(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    installed = site / "callpkg" / "trainer.py"
    frame = f'  File "{installed}", line {BACKWARD_LINE}, in step\n    self.accelerator.backward(loss)\n'
    code, out, err = run(capsys, "goto", frame)
    assert code == 0 and out.startswith("accelerate.accelerator.Accelerator.backward  method")
    assert "not in step" not in err
    data = goto_json(capsys, f'File "{installed}", line {BACKWARD_LINE}, in train')
    assert landed(data) == BACKWARD
    assert data["mismatch"] == (
        f"line {BACKWARD_LINE} of the pin's {TRAINER} is in step, not in train as the traceback says: "
        "the file that ran differs from the pin"
    )
    top = goto_json(capsys, f'File "{installed}", line 2, in <module>')  # `from accelerate import ...`
    assert top["mismatch"] is None and landed(top)[1] == "accelerate.accelerator.Accelerator"


def test_an_installed_package_no_pin_provides_is_one_line_naming_it(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "goto", f"{site}/numpy/core/multiarray.py:12")
    assert (code, out) == (1, "")
    assert err.endswith(
        f"codewalk: error: {site}/numpy/core/multiarray.py: no pin provides the package 'numpy' "
        "(the pins provide accelerate, callpkg)\n"
        "  hint: codewalk reads the pinned packages only; vendor_pins.toml names them\n"
    )


def test_a_models_remote_code_is_said_to_be_in_no_pin(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """transformers' copy of a model's own code, as a traceback of ``trust_remote_code=True``
    prints it: no pin's file, even where a directory of its path bears a pinned package's
    name (a model directory named ``callpkg``), and the run that loaded it shows it."""
    copy = "/home/me/.cache/huggingface/modules/transformers_modules/callpkg/0a1b2c/modeling_tiny.py"
    for position in (f"{copy}:20", f'  File "{copy}", line 20, in __init__'):
        code, out, err = run(capsys, "goto", position)
        assert (code, out) == (1, "")
        assert err.endswith(
            f"codewalk: error: {copy}: a model's remote code (transformers' copy of it, imported as "
            "transformers_modules.callpkg.0a1b2c.modeling_tiny), which no pin has\n"
            "  hint: codewalk reads the pinned packages' files; a run of your program shows the remote "
            "code where it ran: codewalk trace --name NAME PROGRAM, then codewalk tour --trace NAME\n"
        )


def test_an_installed_file_the_pin_does_not_have_is_said(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "goto", f"{site}/callpkg/added_later.py:3")
    assert code == 1
    assert (
        f"codewalk: error: {site}/callpkg/added_later.py: read as src/callpkg/added_later.py of calls@local, "
        "which has no such file\n  hint: an installed copy of another version may have it: --at calls@VERSION"
    ) in err
    code, _, err = run(capsys, "goto", "callpkg/added_later.py:3")  # relative: as given, with the hint
    assert code == 1 and "codewalk: error: callpkg/added_later.py: no such file in the calls checkout" in err
    assert err.endswith(
        "  hint: a path is read from the repository root (src/callpkg/...) "
        "or from the package down (callpkg/...)\n"
    )


def test_a_path_out_of_the_checkout_is_no_file_of_another_pin(site: Path) -> None:
    """A relative path that ``..`` leads out of every checkout is looked for in no other
    pin (from accel's root, open, it reaches the file as well as from any): it is handed
    on as given, and reading it is refused."""
    from codewalk.workspace.located import locate
    from codewalk.workspace.pinned import PinnedStack

    outside = site.parent / "outside.py"
    outside.write_text("x = 1\n")
    path = "../" * 40 + outside.as_posix().lstrip("/")
    stack = PinnedStack()
    try:
        stack.workspace("accel")
        located = locate(stack, path)
        assert (located.workspace.checkout.repo, located.path, located.read_as) == ("calls", path, "")
        with pytest.raises(QueryError, match="not a path inside the calls checkout"):
            located.workspace.source_text(path)
    finally:
        stack.close()


def test_a_line_alone_that_calls_nothing_or_is_past_the_end_is_said(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "goto", f"{TRAINER}:8")
    assert code == 1 and err.endswith(
        f"codewalk: error: {TRAINER}:8: the line calls, imports and defines nothing (the line is '')\n"
        "  hint: name the column of the name you mean: PATH:LINE:COL\n"
    )
    code, _, err = run(capsys, "goto", f"{TRAINER}:999")
    assert code == 1 and err.endswith(
        f"codewalk: error: {TRAINER}:999: past the end of the file (it has 48 lines)\n"
    )


@pytest.mark.parametrize(
    ("position", "said"),
    [
        (f"{TRAINER}:0", "LINE and COL count from 1"),
        (f"{TRAINER}:4:0", "LINE and COL count from 1"),
        (TRAINER, "expected PATH:LINE[:COL]"),
        ('File "x.py", line', "expected PATH:LINE[:COL]"),
    ],
)
def test_a_malformed_position_is_one_line(
    site: Path, capsys: pytest.CaptureFixture[str], position: str, said: str
) -> None:
    code, _, err = run(capsys, "goto", position)
    assert code == 1 and said in err and len([n for n in err.splitlines() if "error" in n]) == 1


def test_a_line_naming_functions_as_values_lists_each(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`chosen = helper if flag else retry` calls nothing: both functions it names."""
    code, out, _ = run(capsys, "goto", "src/callpkg/choosing.py:9")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines() if line and not line.startswith(" ")] == [
        "callpkg.utils.helper",
        "callpkg.utils.retry",
    ]
    data = goto_json(capsys, "src/callpkg/choosing.py:9")
    assert [r["qualname"] for r in data["results"]] == ["callpkg.utils.helper", "callpkg.utils.retry"]  # type: ignore[index]
    assert data["position"]["col"] == 14  # type: ignore[index]


def test_a_call_on_an_untyped_value_says_why_and_where_to_look(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "goto", "src/callpkg/choosing.py:15")
    assert code == 1
    assert (
        "src/callpkg/choosing.py:15:15: a call codewalk cannot follow to a definition "
        "(the hint says what it knows of its receiver)\n"
    ) in err
    assert "`codewalk find merge` lists the definitions of merge" in err
    assert "`codewalk path callpkg.choosing.merge_each CLASS.merge`" in err


def test_a_call_of_a_name_no_pin_defines_points_at_a_run_not_at_find(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``module._swapped_forward(x)`` (as accelerate's hook calls ``module._old_forward``, an
    attribute it sets on the module): ``find _swapped_forward`` would find nothing, so the
    hint names what does answer, the calls a recorded run made at that line."""
    code, _, err = run(capsys, "goto", "src/callpkg/choosing.py:43")
    assert code == 1
    assert "a call codewalk cannot follow to a definition" in err
    assert "codewalk find _swapped_forward" not in err
    assert (
        "no pin in the cache defines a function named _swapped_forward (one set at run time, or "
        "another package's): a run you recorded says what it called, "
        "`codewalk goto src/callpkg/choosing.py:43 --trace NAME`"
    ) in err
    assert main(["find", "_swapped_forward"]) == 1  # what the hint no longer sends the reader to
    capsys.readouterr()


def test_a_call_of_a_member_the_receivers_class_lacks_is_not_said_untyped(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``plan.execute()``, ``plan`` annotated a ``Plan`` that defines no ``execute`` (as
    ``self.model.generate`` in ``TextGenerationPipeline._forward``, ``self.model`` a
    ``PreTrainedModel``): the receiver is typed, and the error does not say it is not."""
    code, _, err = run(capsys, "goto", "src/callpkg/bases.py:93")
    assert code == 1
    assert "cannot type" not in err
    assert "a call codewalk cannot follow to a definition" in err
    assert "plan is annotated (plan: Plan in typed), which defines no execute codewalk can read" in err
