"""A normal (non-editable) install carries the shipped tours and pins, and the
package is lint- and type-clean."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_tours_and_pins(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("codewalk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "codewalk/_data/vendor_pins.toml" in names
    shipped = {Path(n).name for n in names if n.startswith("codewalk/_data/tours/")}
    assert "llama-generate.yaml" in shipped, sorted(shipped)

    # The command is a console-script entry point: pip makes a `codewalk` program of it
    # on every platform (a .exe on Windows).
    wheel_zip = zipfile.ZipFile(wheel)
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = wheel_zip.read(entry_points).decode()
    assert "[console_scripts]\ncodewalk = codewalk.cli.main:program" in text

    # Installed where the source tree is not importable, it still finds them.
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = (
        "from codewalk import locations\n"
        "print(locations.pins_path())\n"
        "print(sorted(p.name for p in locations.shipped_tours_dir().glob('*.yaml'))[:1])\n"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0] == str(target / "codewalk" / "_data" / "vendor_pins.toml")
    assert out[1] != "[]"
    # ... and the installed command runs, with the interpreter it was installed for.
    installed = (target / "bin" / "codewalk").read_text()
    assert installed.startswith(f"#!{sys.executable}\n"), installed[:200]
    version = subprocess.run(
        [str(target / "bin" / "codewalk"), "--version"],
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert version.startswith("codewalk ")


@pytest.mark.slow
def test_package_is_ruff_and_mypy_clean() -> None:
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "codewalk", "tours"], cwd=ROOT, capture_output=True, text=True
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


@pytest.mark.slow
def test_the_package_holds_no_dead_code() -> None:
    """vulture (configured in pyproject.toml) finds no code that nothing uses, but for
    the names frameworks call."""
    vulture = subprocess.run([sys.executable, "-m", "vulture"], cwd=ROOT, capture_output=True, text=True)
    assert vulture.returncode == 0, vulture.stdout + vulture.stderr
