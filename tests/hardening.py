"""What the hostile-input tests share: running the CLI in process, a toy checkout
with a pins file of its own, and a picture of every file outside the cache, so that a
test can show that nothing a user owns was changed."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

import pytest

from codewalk.cli.main import main
from tests.toyrepo import make_toy

TOY_PINS = (
    '[toy]\nurl = "https://example.invalid/toy.git"\ntag = "v0"\npackage_root = "src"\n'
    'packages = ["toypkg"]\nrelease = "toypkg==0"\n'
)
# an escape sequence that is not a colour: a reader's terminal must never receive it
CLEAR_SCREEN = "\x1b[2J"
SET_TITLE = "\x1b]0;owned\x07"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def toy_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the toy repo, read with ``--source``, and a pins file naming it."""
    root = make_toy(tmp_path).root
    pins = tmp_path / "pins.toml"
    pins.write_text(TOY_PINS)
    monkeypatch.setenv("CODEWALK_PINS", str(pins))
    return root


Picture = dict[str, tuple[object, ...]]


def picture(root: Path, skip: Iterable[Path] = ()) -> Picture:
    """Every entry under ``root`` (symlinks not followed), but those under ``skip``:
    its kind, mode, size and content (or link target). Device nodes and FIFOs are
    recorded as what they are, never read."""
    skipped = [Path(p).resolve() for p in skip]
    found: Picture = {}
    for directory, subdirs, names in os.walk(root):
        here = Path(directory)
        subdirs[:] = [d for d in subdirs if (here / d).resolve() not in skipped]
        for name in [*subdirs, *names]:
            path = here / name
            info = path.lstat()
            key = str(path.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                found[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[key] = ("file", stat.S_IMODE(info.st_mode), info.st_size, digest)
            elif stat.S_ISDIR(info.st_mode):
                found[key] = ("dir", stat.S_IMODE(info.st_mode))
            else:
                found[key] = ("special", stat.S_IFMT(info.st_mode), info.st_rdev)
    return found


def assert_untouched(before: Picture, after: Picture, *, allowed: Iterable[str] = ()) -> None:
    """Nothing but ``allowed`` (relative paths) was made, changed or removed."""
    allow = set(allowed)
    changed = {
        key for key in set(before) | set(after) if before.get(key) != after.get(key) and key not in allow
    }
    assert not changed, sorted(changed)


def outside_cache(tmp_path: Path, home: Path) -> Picture:
    """The picture of the test's directory without codewalk's cache and state."""
    return picture(tmp_path, skip=(home, tmp_path / "codewalk-state"))


RAW_CONTROL = set(chr(c) for c in [*range(0, 9), *range(11, 32), *range(127, 160)]) | {
    "\u061c",
    "\u200e",
    "\u200f",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
}


def raw_controls(text: str, *, colours: bool = False) -> set[str]:
    """The control characters in ``text``; with ``colours``, codewalk's own SGR colour
    sequences (``ESC [ digits;... m``) are allowed, nothing else."""
    if colours:
        import re

        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return {char for char in text if char in RAW_CONTROL}
