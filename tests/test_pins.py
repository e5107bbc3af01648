"""vendor_pins.toml: the shipped file loads; each bad input gets its own clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from codewalk import locations
from codewalk.errors import PinError
from codewalk.source.pins import load_pins, parse_pins

GOOD = """\
[transformers]
url = "https://github.com/huggingface/transformers.git"
tag = "v5.23.0"
commit = ""
package_root = "src"
packages = ["transformers"]
release = "transformers==5.23.0"
"""


def test_shipped_pins_load() -> None:
    pins = load_pins(locations.pins_path())
    pin = pins["transformers"]
    assert pin.tag == "v5.23.0"
    assert pin.release_name == "transformers"
    assert pin.release_version == "5.23.0"
    assert pin.package_root == "src"
    assert pin.packages == ("transformers",)


def _with(line_from: str, line_to: str) -> str:
    assert line_from in GOOD
    return GOOD.replace(line_from, line_to)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + 'mirror = "x"\n', "pins.toml: [transformers]: unknown key 'mirror'"),
        (_with('tag = "v5.23.0"\n', ""), "pins.toml: [transformers]: missing key 'tag'"),
        (
            _with('commit = ""', 'commit = "abc123"'),
            "pins.toml: [transformers].commit: 'abc123' is not a full 40-character lowercase hex commit id",
        ),
        (
            _with('commit = ""', 'commit = "' + "g" * 40 + '"'),
            "[transformers].commit: '" + "g" * 40 + "' is not a full 40-character",
        ),
        (
            _with(
                'url = "https://github.com/huggingface/transformers.git"',
                'url = "ext::sh -c touch% /tmp/pwned"',
            ),
            "pins.toml: [transformers].url: transport 'ext' is not allowed",
        ),
        (
            _with(
                'url = "https://github.com/huggingface/transformers.git"', 'url = "http://example.com/t.git"'
            ),
            "[transformers].url: transport 'http' is not allowed",
        ),
        (_with('tag = "v5.23.0"', "tag = 5"), "pins.toml: [transformers].tag: expected a string, found int"),
        (
            _with('packages = ["transformers"]', 'packages = "transformers"'),
            "[transformers].packages: expected a list",
        ),
        (
            _with('release = "transformers==5.23.0"', 'release = "transformers>=5"'),
            "[transformers].release: 'transformers>=5' must read NAME==VERSION",
        ),
        (
            _with('package_root = "src"', 'package_root = "../outside"'),
            "[transformers].package_root: '../outside' must be a path inside the repo",
        ),
        ("", "pins.toml: no repository is pinned"),
        ('["../../evil"]\nurl = "x"\n', "pins.toml: [../../evil]: a repo name may hold only letters"),
        (
            f"[{'r' * 300}]\nurl = 'x'\n",
            f"pins.toml: [{'r' * 40!r}... (300 characters)]: a repo name has at most 100",
        ),
        (
            "[t]\nurl = 'https://x/t.git'\ntag = 'v" + "1" * 300 + "'\npackage_root = 'src'\n"
            "packages = ['t']\nrelease = 't==1'\n",
            "pins.toml: [t].tag: 'v111",
        ),
        ('["a/b"]\nurl = "x"\n', "pins.toml: [a/b]: a repo name may hold only"),
        ('transformers = "v5"\n', "pins.toml: transformers: expected a table"),
        ("[transformers\n", "pins.toml: not valid TOML"),
    ],
)
def test_bad_pins_name_file_and_key(text: str, message: str) -> None:
    with pytest.raises(PinError) as caught:
        parse_pins(text, "pins.toml")
    assert message in str(caught.value)


def test_scp_like_ssh_url_is_allowed() -> None:
    pins = parse_pins(
        _with(
            "https://github.com/huggingface/transformers.git", "git@github.com:huggingface/transformers.git"
        ),
        "p",
    )
    assert pins["transformers"].url.startswith("git@")


def test_missing_pins_file(tmp_path: Path) -> None:
    with pytest.raises(PinError, match="pins file not found"):
        load_pins(tmp_path / "nope.toml")
