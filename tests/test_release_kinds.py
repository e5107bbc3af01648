"""Releases as sources: an sdist verified against upstream's tree, and a wheel (for
projects that publish no sdist), both from a local package index (no network)."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from codewalk.errors import PinError, SourceError, VerificationError
from codewalk.source.checkout import SourceKind
from codewalk.source.pins import Pin, load_pins, parse_pins
from codewalk.source.sync import ensure_checkout, open_checkout
from tests.sourcefixtures import git, index_with, make_sdist

PACKAGE = {
    "src/accel/__init__.py": "from .core import Accel\n",
    "src/accel/core.py": "class Accel:\n    def backward(self, loss):\n        loss.backward()\n",
    "src/accel/README.md": "upstream notes\n",
}


def upstream_tree(files: dict[str, str], package: str, omit: tuple[str, ...] = ()) -> str:
    """The git tree id of ``package`` as upstream has it (less ``omit``), computed by git
    from the files themselves: the oracle the pin's ``tree`` is checked against."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        git(root, "init", "-q")
        for rel, text in files.items():
            if any(rel == f"{package}/{o}" for o in omit):
                continue
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        git(root, "add", "-A")
        return git(root, "write-tree", f"--prefix={package}/")


def pins_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: str) -> Pin:
    path = tmp_path / "vendor_pins.toml"
    path.write_text(table)
    monkeypatch.setenv("CODEWALK_PINS", str(path))
    monkeypatch.setenv("CODEWALK_SOURCE", "release")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    return next(iter(load_pins(path).values()))


def accel_table(tree: str = "", omits: str = "") -> str:
    return (
        "[accel]\n"
        f'url = "{Path("/nonexistent/accel.git").as_uri()}"\n'
        'tag = "v1.0.0"\n'
        'package_root = "src"\n'
        'packages = ["accel"]\n'
        'release = "accel==1.0.0"\n'
        + (f'tree = "{tree}"\n' if tree else "")
        + (f"tree_omits = {omits}\n" if omits else "")
    )


def serve_sdist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> None:
    sdist = make_sdist(files, top="accel-1.0.0")
    monkeypatch.setenv(
        "PIP_INDEX_URL", index_with(tmp_path / "index", "accel", {"accel-1.0.0.tar.gz": sdist})
    )


# --- an sdist against upstream's tree ---------------------------------------------------


def test_release_identical_to_the_pinned_tree_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = upstream_tree(PACKAGE, "src/accel")
    pin = pins_file(tmp_path, monkeypatch, accel_table(tree))
    serve_sdist(tmp_path, monkeypatch, PACKAGE)
    checkout = ensure_checkout(pin).checkout
    assert checkout.tree == tree
    assert checkout.label == f"release accel 1.0.0, identical to upstream v1.0.0 (tree {tree})"
    # the fast path of every command says the same, without git
    assert open_checkout("accel").label == checkout.label


def test_release_that_leaves_files_out_is_verified_against_the_tree_less_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = upstream_tree(PACKAGE, "src/accel", omit=("README.md",))
    assert tree != upstream_tree(PACKAGE, "src/accel")
    pin = pins_file(tmp_path, monkeypatch, accel_table(tree, '["README.md"]'))
    released = {k: v for k, v in PACKAGE.items() if not k.endswith("README.md")}
    serve_sdist(tmp_path, monkeypatch, released)
    checkout = ensure_checkout(pin).checkout
    assert checkout.label.endswith(f"(tree {tree}, less the 1 file it leaves out)")


def test_release_that_is_not_upstreams_tree_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = upstream_tree(PACKAGE, "src/accel")
    pin = pins_file(tmp_path, monkeypatch, accel_table(tree))
    tampered = {**PACKAGE, "src/accel/core.py": "class Accel:\n    pass  # not what upstream released\n"}
    serve_sdist(tmp_path, monkeypatch, tampered)
    with pytest.raises(VerificationError) as caught:
        ensure_checkout(pin)
    assert f"not upstream v1.0.0's tree {tree}" in str(caught.value)
    assert not list((tmp_path / "codewalk-home" / "sources").glob("accel/*"))  # nothing kept


def test_an_entry_verified_against_another_tree_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin = pins_file(tmp_path, monkeypatch, accel_table())
    serve_sdist(tmp_path, monkeypatch, PACKAGE)
    assert ensure_checkout(pin).checkout.tree == ""
    tree = upstream_tree(PACKAGE, "src/accel")
    pinned = pins_file(tmp_path, monkeypatch, accel_table(tree))  # the pin now records the tree
    assert open_checkout("accel").tree == tree  # re-fetched and verified, not the old entry
    outcome = ensure_checkout(pinned)
    assert not outcome.downloaded and outcome.checkout.tree == tree


# --- a wheel ------------------------------------------------------------------------------


def make_wheel(files: dict[str, bytes], *, record: dict[str, str] | None = None) -> bytes:
    """A wheel of ``files`` with a RECORD listing their sha256 (or ``record`` as given)."""
    info = "paddle_demo-3.3.1.dist-info"
    rows = record
    if rows is None:
        rows = {}
        for name, data in files.items():
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows[name] = f"sha256={digest}"
    text = "".join(f"{name},{value},\n" for name, value in rows.items()) + f"{info}/RECORD,,\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(f"{info}/RECORD", text)
    return buffer.getvalue()


WHEEL = "paddle_demo-3.3.1-cp311-cp311-manylinux1_x86_64.whl"
WHEEL_FILES = {
    "paddle/__init__.py": b"from .nn import Layer\n",
    "paddle/nn/__init__.py": b"from .layer import Layer\n",
    "paddle/nn/layer.py": b"class Layer:\n    def __call__(self, *a):\n        return self.forward(*a)\n",
    "paddle/version/__init__.py": b"full_version = '3.3.1'\ncommit = '" + b"7" * 40 + b"'\n",
    "paddle/libs/libpaddle.so": b"\x7fELF" + b"\0" * 4096,
}


def paddle_table() -> str:
    return (
        "[paddle]\n"
        f'url = "{Path("/nonexistent/Paddle.git").as_uri()}"\n'
        'tag = "v3.3.1"\n'
        'package_root = "python"\n'
        'release_root = "."\n'
        'packages = ["paddle"]\n'
        'release = "paddle-demo==3.3.1"\n'
        f'wheel = "{WHEEL}"\n'
    )


def test_wheel_is_a_source_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pin = pins_file(tmp_path, monkeypatch, paddle_table())
    monkeypatch.setenv(
        "PIP_INDEX_URL", index_with(tmp_path / "index", "paddle-demo", {WHEEL: make_wheel(WHEEL_FILES)})
    )
    checkout = ensure_checkout(pin).checkout
    assert checkout.kind is SourceKind.WHEEL
    assert (checkout.package_dir() / "paddle/nn/layer.py").read_bytes() == WHEEL_FILES["paddle/nn/layer.py"]
    assert not (checkout.package_dir() / "paddle/libs/libpaddle.so").exists()  # Python sources only
    assert checkout.label == (
        f"release paddle-demo 3.3.1 (wheel, built from commit {'7' * 40} by its own account (not verified))"
    )
    assert checkout.upstream_commit == ""
    assert open_checkout("paddle").root == checkout.root


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"paddle/__init__.py": "sha256=AAAA"}, "does not match the hash its RECORD lists"),
        ({}, "is not listed in the wheel's RECORD"),
    ],
    ids=["wrong-hash", "unlisted"],
)
def test_wheel_files_are_checked_against_its_record(
    record: dict[str, str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin = pins_file(tmp_path, monkeypatch, paddle_table())
    wheel = make_wheel({"paddle/__init__.py": b"x = 1\n"}, record=record)
    monkeypatch.setenv("PIP_INDEX_URL", index_with(tmp_path / "index", "paddle-demo", {WHEEL: wheel}))
    with pytest.raises(VerificationError, match=message):
        ensure_checkout(pin)


def test_wheel_member_leaving_the_tree_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pin = pins_file(tmp_path, monkeypatch, paddle_table())
    wheel = make_wheel({"paddle/__init__.py": b"x = 1\n", "paddle/../../evil.py": b"boom\n"})
    monkeypatch.setenv("PIP_INDEX_URL", index_with(tmp_path / "index", "paddle-demo", {WHEEL: wheel}))
    with pytest.raises(SourceError, match="leaves the tree"):
        ensure_checkout(pin)
    assert not (tmp_path / "evil.py").exists()


def test_wheel_not_on_the_index_names_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin = pins_file(tmp_path, monkeypatch, paddle_table())
    other = WHEEL.replace("manylinux1", "macosx_11_0")
    monkeypatch.setenv(
        "PIP_INDEX_URL", index_with(tmp_path / "index", "paddle-demo", {other: make_wheel({})})
    )
    with pytest.raises(SourceError, match=f"no wheel of paddle-demo==3.3.1 found: .*no {WHEEL}"):
        ensure_checkout(pin)


# --- pins: the new keys, and other versions ------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('tree = "abc"\n', "[accel].tree: 'abc' is not a full 40-character lowercase hex tree id"),
        ('tree_omits = ["README.md"]\n', "[accel].tree_omits: only means something with 'tree'"),
        (
            'tree = "' + "a" * 40 + '"\ntree_omits = ["../x"]\n',
            "[accel].tree_omits: '../x' must be a path inside",
        ),
        ('release_root = "/abs"\n', "[accel].release_root: '/abs' must be a path inside the repository"),
        (
            'wheel = "other-1.0.0-py3-none-any.whl"\n',
            "[accel].wheel: 'other-1.0.0-py3-none-any.whl' is not a wheel",
        ),
        ('wheel = "accel-1.0.0.tar.gz"\n', "is not a wheel file of accel==1.0.0"),
    ],
)
def test_new_pin_keys_are_checked(extra: str, message: str) -> None:
    with pytest.raises(PinError) as caught:
        parse_pins(accel_table() + extra, "pins.toml")
    assert message in str(caught.value)


def test_an_import_root_belongs_to_one_pin() -> None:
    twice = accel_table() + accel_table().replace("[accel]", "[accel2]")
    with pytest.raises(PinError, match=r"\[accel2\]\.packages: 'accel' is already provided by \[accel\]"):
        parse_pins(twice, "pins.toml")


def test_another_version_follows_the_pins_tag_pattern() -> None:
    pin = parse_pins(accel_table("a" * 40, '["README.md"]'), "p")["accel"]
    older = pin.at("0.9.1")
    assert (older.tag, older.release, older.commit, older.tree, older.tree_omits) == (
        "v0.9.1",
        "accel==0.9.1",
        "",
        "",
        (),
    )
    assert pin.at("1.0.0") is pin
    datasets_like = pin._replace(tag="1.0.0")
    assert datasets_like.at("0.9.1").tag == "0.9.1"
    paddle = parse_pins(paddle_table(), "p")["paddle"]
    assert paddle.at("3.2.2").wheel == WHEEL.replace("3.3.1", "3.2.2")
    with pytest.raises(PinError, match="is not a version"):
        pin.at("1.0; rm -rf")
