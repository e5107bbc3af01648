"""Any version (REPO@VERSION): three releases of a fixture project on a local package
index, in which a symbol moves (``Engine.run``), one is renamed (``load`` becomes
``load_weights``) and one vanishes (``legacy``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codewalk import locations
from codewalk.cli.main import main
from codewalk.index.versions import INDEX_VERSION
from tests.sourcefixtures import index_with, make_sdist

UTIL = "def shared(x):\n    return x\n"
LOAD_BODY = "    data = open(path, 'rb').read()\n    header = data[:8]\n    return header, data[8:]\n"
RUN_V1 = "    def run(self, batch):\n        out = self.step(batch)\n        return out\n"
RUN_V2 = (
    "    def run(self, batch, *, scale=1.0):\n        out = self.step(batch) * scale\n        return out\n"
)
RELEASES = {
    "1.0": {
        "src/demo/__init__.py": "from .core import Engine, legacy, load\n",
        "src/demo/core.py": (
            "class Engine:\n    def step(self, batch):\n        return batch\n\n"
            + RUN_V1
            + "\n\ndef load(path):\n"
            + LOAD_BODY
            + "\n\ndef legacy():\n    return 'old'\n"
        ),
        "src/demo/util.py": UTIL,
    },
    "2.0": {
        "src/demo/__init__.py": "from .core import load\nfrom .engine import Engine\n",
        "src/demo/core.py": "def load(path):\n" + LOAD_BODY,
        "src/demo/engine.py": "class Engine:\n    def step(self, batch):\n        return batch\n\n" + RUN_V2,
        "src/demo/util.py": UTIL,
    },
    "3.0": {
        "src/demo/__init__.py": "from .core import load_weights\nfrom .engine import Engine\n",
        "src/demo/core.py": "def load_weights(path):\n" + LOAD_BODY,
        "src/demo/engine.py": "class Engine:\n    def step(self, batch):\n        return batch\n\n" + RUN_V2,
        "src/demo/util.py": UTIL,
    },
}
PINS = """\
[demo]
url = "file:///nonexistent/demo.git"
tag = "v2.0"
package_root = "src"
packages = ["demo"]
release = "demo==2.0"
"""


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The three releases on an index, demo==2.0 pinned; the environment to run in."""
    files = {f"demo-{v}.tar.gz": make_sdist(f, top=f"demo-{v}") for v, f in RELEASES.items()}
    pins = tmp_path / "vendor_pins.toml"
    pins.write_text(PINS)
    env = {
        "CODEWALK_PINS": str(pins),
        "CODEWALK_SOURCE": "release",
        "PIP_INDEX_URL": index_with(tmp_path / "index", "demo", files),
        "PIP_EXTRA_INDEX_URL": "",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def installed(demo: dict[str, str], tmp_path: Path, home: Path) -> dict[str, str]:
    """The environment of a python that has demo 1.0 installed (its metadata alone)."""
    site = tmp_path / "site"
    (site / "demo-1.0.dist-info").mkdir(parents=True)
    (site / "demo-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
    env = {**os.environ, **demo, "CODEWALK_HOME": str(home), "PYTHONPATH": str(site)}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def codewalk(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "codewalk", *argv]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def json_of(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> dict[str, object]:
    assert main([*argv, "--json"]) == code
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def test_find_at_another_version(demo: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    old = json_of(capsys, "find", "Engine.run", "--at", "demo@1.0")["results"]
    pinned = json_of(capsys, "find", "Engine.run")["results"]
    assert isinstance(old, list) and isinstance(pinned, list)
    assert (old[0]["path"], old[0]["line"], old[0]["version"]) == ("src/demo/core.py", 5, "demo==1.0")
    assert (pinned[0]["path"], pinned[0]["line"], pinned[0]["version"]) == (
        "src/demo/engine.py",
        5,
        "demo==2.0",
    )


def test_versions_share_every_unchanged_file(demo: dict[str, str], isolated_home: Path) -> None:
    assert main(["find", "shared", "--at", "demo@1.0"]) == 0
    assert main(["find", "shared", "--at", "demo@3.0"]) == 0
    import hashlib
    import sqlite3

    sha = hashlib.sha1(b"blob %d\0" % len(UTIL.encode()) + UTIL.encode()).hexdigest()
    db = sqlite3.connect(locations.index_db_path(INDEX_VERSION))
    assert db.execute("SELECT count(*) FROM blobs WHERE sha=?", (sha,)).fetchone() == (1,)
    blob = db.execute("SELECT id FROM blobs WHERE sha=?", (sha,)).fetchone()[0]
    users = db.execute("SELECT count(DISTINCT snap) FROM files WHERE blob=?", (blob,)).fetchone()
    assert users == (2,)  # one content, parsed once, read by both versions
    assert sorted(p.name for p in (isolated_home / "sources" / "demo").iterdir()) == [
        "release-demo-1.0",
        "release-demo-3.0",
    ]


def test_diff_follows_a_moved_symbol(demo: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    data = json_of(capsys, "diff", "Engine.run", "--from", "demo@1.0", "--to", "demo@2.0")
    before, after = data["from"], data["to"]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert (before["version"], before["result"]["path"], before["how"]) == (
        "demo==1.0",
        "src/demo/core.py",
        "by the query 'Engine.run'",
    )
    assert after["result"]["path"] == "src/demo/engine.py"
    assert after["how"] == "by the query 'Engine.run', moved from src/demo/core.py to src/demo/engine.py"
    assert data["hunks"] == [
        {
            "from_start": 5,
            "from_lines": 3,
            "to_start": 5,
            "to_lines": 3,
            "lines": [
                "-    def run(self, batch):",
                "-        out = self.step(batch)",
                "+    def run(self, batch, *, scale=1.0):",
                "+        out = self.step(batch) * scale",
                "         return out",
            ],
        }
    ]


def test_diff_finds_a_rename_by_its_code(demo: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "load", "--from", "2.0", "--to", "3.0", "--no-color"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "from demo==2.0: demo.core.load  src/demo/core.py:1-4  (by the query 'load')"
    assert out[1].startswith(
        "to   demo==3.0: demo.core.load_weights  src/demo/core.py:1-4  (renamed load -> "
    )
    assert "-def load(path):" in out and "+def load_weights(path):" in out


def test_diff_of_a_vanished_symbol_says_where_it_is_missing(
    demo: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "legacy", "--from", "demo@1.0", "--to", "demo@2.0"]) == 1
    captured = capsys.readouterr()
    assert "to   demo==2.0: not found ('legacy' names nothing here)" in captured.out
    assert captured.err.endswith(
        "\ncodewalk: error: 'legacy' is in demo==1.0 only: demo==2.0 has no definition by that "
        "name, nor one alike enough to be it renamed\n"
    )  # the names like it in 2.0 are not what was asked
    data = json_of(capsys, "diff", "legacy", "--from", "demo@1.0", "--to", "demo@2.0", code=1)
    assert data["hunks"] == [] and data["to"]["result"] is None  # type: ignore[index]


APP_PIN = """
[app]
url = "file:///nonexistent/app.git"
tag = "v1.1"
package_root = "src"
packages = ["app"]
release = "app==1.1"
"""
APP = {
    "src/app/__init__.py": "",
    "src/app/use.py": "from demo.engine import Engine\n\n\ndef go():\n    return 1\n",
}


def test_diff_reads_one_repository_and_only_its_code(
    demo: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--from`` and ``--to`` in two repositories is an error; a name a repository only
    imports from another pin is not in it (that pin's code is at that pin's version)."""
    releases = {f"app-{v}.tar.gz": make_sdist(APP, top=f"app-{v}") for v in ("1.0", "1.1")}
    index_with(tmp_path / "index", "app", releases)
    Path(demo["CODEWALK_PINS"]).write_text(PINS + APP_PIN)
    assert main(["diff", "Engine.run", "--from", "app@1.0", "--to", "demo@2.0"]) == 1
    err = capsys.readouterr().err
    assert "--from app@1.0 and --to demo@2.0 name different repositories (app, demo)" in err
    assert "downloading" not in err  # said before either is fetched
    data = json_of(capsys, "diff", "Engine.run", "--from", "app@1.0", "--to", "app", code=1)
    for side in ("from", "to"):
        assert data[side]["result"] is None  # type: ignore[index]
        how = "'Engine.run' is not in app: it names demo.engine.Engine.run of demo"
        assert data[side]["how"] == how  # type: ignore[index]
    assert main(["diff", "Engine.run", "--from", "app@1.0", "--to", "app"]) == 1
    assert "codewalk: error: 'Engine.run': not found in app==1.0" in capsys.readouterr().err


def test_diff_takes_installed_as_a_version_of_the_repo(
    demo: dict[str, str], tmp_path: Path, isolated_home: Path
) -> None:
    """``--from installed`` is the version of ``--repo`` (default: the first pin) the
    python on PATH has, as the terminal UI's ``v`` takes it."""
    env = installed(demo, tmp_path, isolated_home)
    for argv in (
        ["--from", "installed", "--to", "2.0"],
        ["--from", "2.0", "--to", "installed", "--repo", "demo"],
    ):
        done = codewalk(env, "diff", "Engine.run", *argv, "--no-color")
        assert done.returncode == 0, done.stderr
        assert "demo==1.0: demo.core.Engine.run  src/demo/core.py:5-7" in done.stdout
        assert "codewalk: demo@installed is 1.0, installed in " in done.stderr


TOUR = """\
title: The demo engine
repo: demo
versions: ["1.0", "3.0"]
steps:
  - at: Engine.run
    note: runs a batch
  - at: legacy
    versions: "<2"
    note: only the first release had it
  - at: demo.core.load
    note: reads weights
"""


def test_check_reads_a_tour_at_every_version_it_lists(
    demo: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = tmp_path / "demo-tour.yaml"
    tour.write_text(TOUR)
    assert main(["check", str(tour)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ok      demo-tour (3 steps at demo==2.0, 1 not at this version)"
    assert out[1] == "ok      demo-tour (3 steps at demo==1.0)"
    assert out[2] == "BROKEN  demo-tour (1 of 3 steps broken at demo==3.0)"
    assert out[3] == (
        f"  {tour}:10: step 3 (demo.core.load): missing: 'demo.core.load' names nothing in demo==3.0"
    )
    assert (
        out[-1] == "1 tour(s) (3 readings, with their versions), 9 step(s): 1 broken step(s), 0 file error(s)"
    )
    assert main(["check", str(tour), "--at", "demo@1.0"]) == 0  # --at: that version alone
    plain = capsys.readouterr()
    assert main(["tour", str(tour), "--plain", "--no-color"]) == 0
    shown = capsys.readouterr().out
    assert "skipped: not read at demo==2.0: this step is for demo <2" in shown
    assert plain.out.splitlines()[0] == "ok      demo-tour (3 steps at demo==1.0)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('versions: "1.0"\n', "'versions' must be a list of versions, found a string"),
        ("versions: [banana]\n", "'versions': 'banana' is not a release version, e.g. 4.57.6"),
    ],
)
def test_a_bad_tour_versions_list_names_its_line(text: str, message: str, tmp_path: Path) -> None:
    from codewalk.errors import TourError
    from codewalk.tours.loader import parse_tour

    with pytest.raises(TourError) as caught:
        parse_tour("title: T\n" + text + "steps:\n  - at: x\n", tmp_path / "t.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 't.yaml'}:2: {message}")


def test_a_bad_step_range_names_its_line(tmp_path: Path) -> None:
    from codewalk.errors import TourError
    from codewalk.tours.loader import parse_tour

    with pytest.raises(TourError) as caught:
        parse_tour('title: T\nsteps:\n  - at: x\n    versions: "=>5"\n', tmp_path / "t.yaml")
    assert "t.yaml:4: step 1: 'versions': '=>5' is not a version range" in str(caught.value)


def test_at_installed_reads_the_active_environments_version(
    demo: dict[str, str], tmp_path: Path, isolated_home: Path
) -> None:
    env = installed(demo, tmp_path, isolated_home)
    done = codewalk(env, "find", "Engine.run", "--at", "demo@installed")
    assert done.returncode == 0, done.stderr
    assert "src/demo/core.py:5  [demo==1.0]" in done.stdout
    assert "codewalk: demo@installed is 1.0, installed in " in done.stderr
    env["PYTHONPATH"] = str(tmp_path / "empty")
    missing = codewalk(env, "find", "Engine.run", "--at", "demo@installed")
    assert missing.returncode == 2
    assert "demo@installed: demo is not installed for" in missing.stderr


def test_a_version_that_is_not_on_the_index_is_one_clear_line(
    demo: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["find", "Engine", "--at", "demo@9.9"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("codewalk: error: no source distribution of demo==9.9 found:")
    assert err[-1].endswith("no demo-9.9.tar.gz")
    assert main(["find", "Engine", "--at", "nope@1.0"]) == 2
    assert "unknown repo 'nope'" in capsys.readouterr().err


NOT_A_RELEASE = (
    "codewalk: error: demo@{0}: '{0}' is not a release version (PEP 440, e.g. 4.57.6 or v4.57.6) "
    "nor 'installed' (the version your Python has)"
)


@pytest.mark.parametrize(
    ("argv", "bad"),
    [
        (("find", "Engine", "--at", "demo@latest"), "latest"),
        (("check", "--at", "demo@latest"), "latest"),
        (("sync", "demo@v2.0-final"), "v2.0-final"),
        (("diff", "Engine", "--from", "demo@latest", "--to", "2.0"), "latest"),
        (("diff", "Engine", "--from", "1.0", "--to", "2.x"), "2.x"),
    ],
    ids=["find-at", "check-at", "sync", "diff-from", "diff-to-bare"],
)
def test_a_version_that_is_not_a_release_is_refused_before_anything_is_fetched(
    demo: dict[str, str],
    argv: tuple[str, ...],
    bad: str,
    isolated_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--at``, ``diff --from/--to`` and ``sync`` read REPO@VERSION by one parser: a
    version that is neither a release nor 'installed' is one line, before any fetch (no
    tag derived from it, no package index asked)."""
    assert main(list(argv)) == 2
    out, err = capsys.readouterr()
    assert (out, err.splitlines()) == ("", [NOT_A_RELEASE.format(bad)])
    assert not (isolated_home / "sources" / "demo").exists()


def test_a_release_with_a_v_or_a_pep440_spelling_is_read(demo: dict[str, str]) -> None:
    from codewalk.source.pins import parse_pins
    from codewalk.source.targets import parse_target, resolve_target

    assert parse_target("demo@v1.0") == ("demo", "1.0")
    assert parse_target("demo@1.0rc1") == ("demo", "1.0rc1")
    assert parse_target("demo@installed") == ("demo", "installed")
    pins = parse_pins(PINS, "pins.toml")
    assert resolve_target(pins, "demo@v1.0", "pins.toml").pin.tag == "v1.0"


def test_a_version_equal_to_the_pins_or_a_cached_ones_is_that_release(
    demo: dict[str, str],
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """PEP 440 reads 2 and 2.0.0 as the pinned 2.0, and 1.0.0 as the 1.0 the cache holds:
    each is that release, read without a fetch of "demo-2.tar.gz" (there is none); a
    version neither pinned, cached nor on the index is still one line."""
    assert main(["sync"]) == 0
    assert main(["find", "Engine", "--at", "demo@1.0"]) == 0
    capsys.readouterr()
    cached = sorted(p.name for p in (isolated_home / "sources" / "demo").iterdir())
    assert cached == ["release-demo-1.0", "release-demo-2.0"]
    monkeypatch.setenv("PIP_INDEX_URL", (isolated_home / "no-index").as_uri())  # nothing more is fetched
    spellings = (("2", "demo==2.0"), ("v2.0.0", "demo==2.0"), ("1.0.0", "demo==1.0"), ("1", "demo==1.0"))
    for asked, read in spellings:
        results = json_of(capsys, "find", "Engine.run", "--at", f"demo@{asked}")["results"]
        assert isinstance(results, list) and results[0]["version"] == read, asked
    data = json_of(capsys, "diff", "Engine.run", "--from", "1.0.0", "--to", "2")
    assert isinstance(data["from"], dict) and isinstance(data["to"], dict)
    assert (data["from"]["version"], data["to"]["version"]) == ("demo==1.0", "demo==2.0")
    assert sorted(p.name for p in (isolated_home / "sources" / "demo").iterdir()) == cached
    monkeypatch.setenv("PIP_INDEX_URL", demo["PIP_INDEX_URL"])
    assert main(["find", "Engine", "--at", "demo@9.9.0"]) == 2
    *said, error = capsys.readouterr().err.splitlines()
    assert said == ["codewalk: looking up demo==9.9.0 on the package index"]
    assert error.startswith("codewalk: error: no source distribution of demo==9.9.0 found: ")
    assert error.endswith("no demo-9.9.0.tar.gz")


def test_sync_counts_only_the_other_pins_not_yet_in_the_cache(
    demo: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sync`` fetches the first pin; of the others it names only how many a command
    would still have to fetch, and nothing once every one is in the cache."""
    pins = Path(demo["CODEWALK_PINS"])
    for name in ("other", "third"):
        sdist = make_sdist({f"src/{name}/__init__.py": "X = 1\n"}, top=f"{name}-2.0")
        index_with(tmp_path / "index", name, {f"{name}-2.0.tar.gz": sdist})
        pins.write_text(pins.read_text() + "\n" + PINS.replace("demo", name))
    later = "not in the cache yet: fetched when a command first needs {}, or with --all)"

    def last_line(*argv: str) -> str:
        assert main(["sync", *argv]) == 0
        return capsys.readouterr().out.splitlines()[-1]

    assert last_line() == "(2 other pins are " + later.format("them")
    last_line("other")
    assert last_line() == "(1 other pin is " + later.format("it")
    last_line("--all")
    assert last_line().startswith("  ")  # the path of the first pin's entry, and no note after it


LONG = "1" * 300  # a version no release has: longer than any file name may be


@pytest.mark.parametrize(
    "argv", [("find", "Engine", "--at", f"demo@{LONG}"), ("sync", f"demo@{LONG}")], ids=["find-at", "sync"]
)
def test_a_version_of_hundreds_of_characters_is_not_a_version(
    demo: dict[str, str], argv: tuple[str, ...], isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(list(argv)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"codewalk: error: demo@{'1' * 40}...: {'1' * 40!r}... (300 characters) is not a version "
        "(more than 100 characters), e.g. 4.57.6"
    ]
    assert not (isolated_home / "sources" / "demo").exists()  # nothing made for it


def test_a_python_reporting_a_version_of_thousands_of_characters_is_refused(
    demo: dict[str, str], tmp_path: Path, isolated_home: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python"
    python.write_text(f"#!/bin/sh\necho {'7' * 5000}\n")
    python.chmod(0o755)
    env = {**os.environ, **demo, "CODEWALK_HOME": str(isolated_home)}
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")
    done = codewalk(env, "find", "Engine.run", "--at", "demo@installed")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"codewalk: error: demo@installed: {python} answered '7777777777")
    assert "(5000 characters), which is not a release version" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr) < 400


def test_a_pins_file_with_a_release_of_hundreds_of_characters_names_the_key(tmp_path: Path) -> None:
    from codewalk.errors import PinError
    from codewalk.source.pins import parse_pins

    text = PINS.replace('release = "demo==2.0"', f'release = "demo=={LONG}"')
    with pytest.raises(PinError) as caught:
        parse_pins(text, "pins.toml")
    assert str(caught.value).startswith("pins.toml: [demo].release: 'demo==1111")
    assert "each at most 100 characters" in str(caught.value)


def test_pins_lists_the_other_releases_the_cache_holds(
    demo: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """After a question at demo 1.0, ``pins`` says the cache also holds it (what ``--at``
    reads without a fetch); the pinned release is not listed twice."""
    json_of(capsys, "find", "Engine.run")
    assert json_of(capsys, "pins")["pins"][0]["also_cached"] == []  # type: ignore[index]
    json_of(capsys, "find", "Engine.run", "--at", "demo@1.0")
    (also,) = json_of(capsys, "pins")["pins"][0]["also_cached"]  # type: ignore[index]
    assert (also["release"], also["source"]) == ("demo==1.0", "release")
    assert also["path"].endswith("release-demo-1.0/tree")
    assert main(["pins"]) == 0
    out = capsys.readouterr().out
    assert "  also    1.0: --at demo@VERSION reads these without a fetch\n" in out


def test_prune_deletes_what_no_command_reads_again_and_releases_only_when_asked(
    demo: dict[str, str], isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An older codewalk's index, a damaged one, an entry without a manifest and an
    interrupted fetch's scratch go; the index in use, a newer codewalk's, the pinned
    entry and (without --releases) another release stay."""
    json_of(capsys, "find", "Engine.run", "--at", "demo@1.0")
    json_of(capsys, "find", "Engine.run")
    schema, facts = (int(part) for part in INDEX_VERSION.split("."))
    home = isolated_home
    older = [home / f"index-{schema}.{facts - 1}.sqlite3", home / f"index-{schema}.{facts - 1}.sqlite3.lock"]
    damaged = home / f"index-{INDEX_VERSION}.sqlite3.damaged"
    newer = home / f"index-{schema}.{facts + 1}.sqlite3"
    for path in (*older, damaged, newer):
        path.write_bytes(b"x" * 1000)
    broken = home / "sources" / "demo" / "release-demo-9.9"
    (broken / "tree").mkdir(parents=True)  # files, no manifest
    (broken / "tree" / "core.py").write_text("x = 1\n")
    leftover = home / "tmp" / "demo" / "tmpab12"
    leftover.mkdir(parents=True)
    kept_release = home / "sources" / "demo" / "release-demo-1.0"
    pinned = home / "sources" / "demo" / "release-demo-2.0"
    in_use = locations.index_db_path(INDEX_VERSION)

    planned = json_of(capsys, "prune", "--dry-run")
    gone = [*older, damaged, broken, leftover]
    assert {Path(r["path"]) for r in planned["removed"]} == {older[0], damaged, broken, leftover}  # type: ignore[index,union-attr]
    assert [Path(r["path"]) for r in planned["kept"]] == [kept_release]  # type: ignore[index,union-attr]
    assert planned["freed"] >= 2000  # type: ignore[operator]
    assert all(path.exists() for path in gone)  # a dry run deletes nothing

    assert main(["prune"]) == 0
    out = capsys.readouterr().out
    assert f"deleted          0.0 MB  index-{schema}.{facts - 1}.sqlite3: an older codewalk's index" in out
    assert "release-demo-1.0: demo 1.0, a release no pin names" in out
    assert "(--releases deletes the releases kept" in out
    assert not any(path.exists() for path in gone)
    assert all(path.exists() for path in (newer, in_use, kept_release, pinned))
    assert json_of(capsys, "find", "Engine.run", "--at", "demo@1.0")["results"]  # read without a fetch

    assert main(["prune", "--releases"]) == 0
    assert "deleted " in capsys.readouterr().out and not kept_release.exists() and pinned.exists()
    assert json_of(capsys, "pins")["pins"][0]["also_cached"] == []  # type: ignore[index]
    assert main(["prune"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["  nothing to delete"]
    assert json_of(capsys, "find", "Engine.run", "--at", "demo@1.0")["results"]  # fetched again


def test_prune_names_what_it_could_not_delete_and_fails(
    demo: dict[str, str],
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    schema, facts = (int(part) for part in INDEX_VERSION.split("."))
    isolated_home.mkdir(parents=True)
    stuck = isolated_home / f"index-{schema}.{facts - 1}.sqlite3"
    stuck.write_bytes(b"x")
    real_unlink = Path.unlink

    def unlink(path: Path, missing_ok: bool = False) -> None:
        if path == stuck:
            raise PermissionError(13, "Permission denied")
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    assert main(["prune"]) == 1
    out = capsys.readouterr().out
    assert f"  not deleted   {stuck.name}: Permission denied\n" in out
    assert stuck.exists()


def test_prune_and_sync_never_follow_a_link_out_of_the_cache(
    demo: dict[str, str], isolated_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A symbolic link planted in the cache (as a repo's sources or scratch directory, or
    as an entry) may lead to the reader's files: prune --releases and a fetch leave them."""
    mine = tmp_path / "mine"
    (mine / "project").mkdir(parents=True)
    (mine / "project" / "notes.txt").write_text("keep me\n")
    (isolated_home / "sources" / "demo").mkdir(parents=True)
    (isolated_home / "sources" / "other").symlink_to(mine)
    (isolated_home / "sources" / "demo" / "release-demo-0.9").symlink_to(mine)
    (isolated_home / "tmp").mkdir()
    (isolated_home / "tmp" / "demo").symlink_to(mine)
    json_of(capsys, "find", "Engine.run")  # fetches demo: clears its scratch first
    assert (mine / "project" / "notes.txt").read_text() == "keep me\n"
    assert main(["prune", "--releases"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["  nothing to delete"]
    assert (mine / "project" / "notes.txt").read_text() == "keep me\n"


def test_a_name_missing_at_another_version_is_said_to_be_at_the_pin(
    demo: dict[str, str], isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``demo.engine.Engine`` is in 2.0 (the pin), not in 1.0: ``find --at demo@1.0`` says
    so once the pin is in the cache, and never fetches it for a hint."""
    assert main(["find", "demo.engine.Engine", "--at", "demo@1.0"]) == 1
    err = capsys.readouterr().err
    assert "the pin" not in err and "demo-2.0.tar.gz" not in err
    assert not (isolated_home / "sources" / "demo" / "release-demo-2.0").exists()
    json_of(capsys, "find", "Engine.run")  # the pin, fetched
    assert main(["find", "demo.engine.Engine", "--at", "demo@1.0"]) == 1
    err = capsys.readouterr().err
    assert "hint: the pin, demo==2.0, has it: demo.engine.Engine (src/demo/engine.py:1)" in err
    assert "base outside the pinned repositories" not in err


def test_calls_callers_and_find_json_say_the_pin_has_a_name_another_version_lacks(
    demo: dict[str, str], isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``demo.engine.Engine.run`` is in 2.0 (the pin), not in 1.0: ``calls`` and
    ``callers`` say where the pin has it as ``find`` does, and ``--json`` (of ``find``
    too) gives it as ``at_the_pin``, not the note about a base outside the pins; read
    from the cache only."""
    query = ["demo.engine.Engine.run", "--at", "demo@1.0"]
    for command in ("calls", "callers", "find"):
        assert "at_the_pin" not in json_of(capsys, command, *query, code=1)  # the pin is not cached
    assert not (isolated_home / "sources" / "demo" / "release-demo-2.0").exists()
    json_of(capsys, "find", "Engine.run")  # the pin, fetched
    for command in ("calls", "callers"):
        assert main([command, *query]) == 1
        err = capsys.readouterr().err
        assert "hint: the pin, demo==2.0, has it: demo.engine.Engine.run (src/demo/engine.py:5)" in err, err
    for command in ("calls", "callers", "find"):
        data = json_of(capsys, command, *query, code=1)
        pinned = data["at_the_pin"]
        assert isinstance(pinned, dict)
        assert (pinned["qualname"], pinned["path"], pinned["line"]) == (
            "demo.engine.Engine.run",
            "src/demo/engine.py",
            5,
        )
        assert (pinned["repo"], pinned["version"]) == ("demo", "demo==2.0")
        assert "note" not in data and data["version"] == "demo==1.0"


def test_a_release_removed_under_a_reader_names_the_sync_that_fetches_it_again(
    demo: dict[str, str], isolated_home: Path
) -> None:
    """``prune --releases`` removed demo 1.0 while a reader had it open: the hint names
    ``codewalk sync demo@1.0`` (a bare ``codewalk sync`` fetches the pin, 2.0), for a
    file read and for a body a call question reads."""
    import shutil

    from codewalk.errors import QueryError
    from codewalk.workspace.pinned import PinnedStack

    stack = PinnedStack(at=["demo@1.0"])
    try:
        workspace = stack.workspace()
        assert workspace.find("Engine.run").results
        shutil.rmtree(workspace.checkout.root)
        with pytest.raises(QueryError) as read:
            workspace.source_text("src/demo/core.py")
        assert (
            read.value.hint
            == "the checkout changed under codewalk; run `codewalk sync demo@1.0` then `codewalk index`"
        )
        with pytest.raises(QueryError) as body:
            workspace.calls("Engine.run")
        assert body.value.hint == "its source file cannot be read: `codewalk sync demo@1.0` fetches it again"
    finally:
        stack.close()


def test_the_command_that_fetches_a_checkout_again() -> None:
    """A release or a tag names its version; a pin with no release its repository; the
    user's own checkout none (no sync restores it)."""
    from codewalk.source.checkout import Checkout, SourceKind, fetched_again_by

    release = Checkout("demo", Path("/x"), "src", ("demo",), SourceKind.RELEASE, "c", "v1.0", "demo==1.0")
    assert fetched_again_by(release) == "codewalk sync demo@1.0"
    assert fetched_again_by(release._replace(kind=SourceKind.GIT)) == "codewalk sync demo@1.0"
    assert fetched_again_by(release._replace(kind=SourceKind.GIT, release="")) == "codewalk sync demo"
    assert fetched_again_by(release._replace(kind=SourceKind.LOCAL)) == ""


@pytest.mark.parametrize("under", [False, True])
def test_prune_says_a_home_that_is_not_a_directory_is_not_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], under: bool
) -> None:
    """CODEWALK_HOME set to a file (or to a path under one) is an error, as ``find``
    says, not "nothing to delete"; the file is left as it was."""
    mine = tmp_path / "notes.txt"
    mine.write_text("mine\n")
    home = mine / "cache" if under else mine
    monkeypatch.setenv("CODEWALK_HOME", str(home))
    for argv in (["prune"], ["prune", "--releases", "--json"]):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert out == ""
        said = (
            f"{home}: {mine} is not a directory" if under else f"{home}: the cache's home is not a directory"
        )
        assert err.splitlines() == [f"codewalk: error: {said}", "  hint: set CODEWALK_HOME to a directory"]
    assert mine.read_text() == "mine\n"


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_prune_leaves_the_scratch_of_a_fetch_under_way(
    demo: dict[str, str], isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Scratch space whose repo lock another process holds is a fetch building now, not
    what an interrupted one left."""
    leftover = isolated_home / "tmp" / "demo" / "tmpab12"
    leftover.mkdir(parents=True)
    (isolated_home / "locks").mkdir()
    lock = isolated_home / "locks" / "demo.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert json_of(capsys, "prune", "--dry-run")["removed"] == []
    finally:
        holder.kill()
        holder.wait()
    removed = json_of(capsys, "prune", "--dry-run")["removed"]
    assert [Path(r["path"]) for r in removed] == [leftover]  # type: ignore[index,union-attr]


def test_a_damaged_file_of_another_release_is_restored_as_that_release(
    demo: dict[str, str], isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file of demo 1.0 (read with ``--at``, not the pin) edited in the cache is put
    back as demo 1.0 has it, and the message names that release, not "the pinned
    version"."""
    from codewalk.workspace.pinned import PinnedStack

    stack = PinnedStack(at=["demo@1.0"])
    try:
        root = stack.workspace().checkout.root
    finally:
        stack.close()
    damaged = root / "src/demo/core.py"  # Engine is there in 1.0
    pristine = damaged.read_bytes()
    damaged.chmod(0o644)
    damaged.write_text("# edited\n" + pristine.decode())
    assert main(["show", "Engine.run", "--at", "demo@1.0", "--no-color"]) == 0
    err = capsys.readouterr().err
    relative = damaged.relative_to(root).as_posix()
    assert err.splitlines()[-1] == (
        f"codewalk: {relative} in the demo cache differed from what was fetched (demo==1.0); restored it"
    )
    assert damaged.read_bytes() == pristine


def test_a_release_read_with_at_is_indexed_by_naming_it(
    demo: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a partial index, ``find`` and a slow ``path`` at a release ``--at`` read name the
    ``codewalk index demo@1.0`` that indexes that release (a bare ``codewalk index``
    indexes the pins, not it); after it, ``find`` has no such hint."""
    from codewalk.cli import common

    monkeypatch.setattr(common, "SLOW_ON_A_PARTIAL_INDEX", 0.0)  # the fixture is small: any time is slow
    assert main(["path", "Engine.run", "Engine.step", "--at", "demo@1.0"]) == 0
    err = capsys.readouterr().err
    assert "`codewalk index demo@1.0` indexes that release in parallel, once" in err
    assert main(["find", "nothing_here", "--at", "demo@1.0"]) == 1
    assert "only part of demo is indexed yet: `codewalk index demo@1.0` makes" in capsys.readouterr().err
    assert main(["index", "demo@1.0"]) == 0
    assert capsys.readouterr().out.startswith("indexed demo==1.0: ")
    assert main(["find", "nothing_here", "--at", "demo@1.0"]) == 1
    assert "only part of demo" not in capsys.readouterr().err
    assert main(["find", "nothing_here"]) == 1  # the pin, not indexed: a bare index does it
    assert "only part of demo is indexed yet: `codewalk index` makes" in capsys.readouterr().err
    assert main(["index", "demo@main"]) == 2  # refused before anything is fetched, as --at refuses it
    assert "'main' is not a release version" in capsys.readouterr().err


def test_a_name_the_pin_lacks_is_said_to_be_in_a_release_the_cache_holds(
    demo: dict[str, str], isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``legacy`` is in demo 1.0 only, and 2.0 is pinned: once 1.0 is in the cache (never
    fetched for a hint), ``find``, ``show``, ``calls`` and ``callers`` say it has the name and which
    ``--at`` reads it (``--json``: ``in_a_release``)."""
    assert main(["find", "legacy"]) == 1
    assert "in the cache, has it" not in capsys.readouterr().err
    assert not (isolated_home / "sources" / "demo" / "release-demo-1.0").exists()
    json_of(capsys, "find", "shared", "--at", "demo@1.0")  # 1.0, fetched
    for command in ("find", "calls", "callers"):
        assert main([command, "legacy"]) == 1
        err = capsys.readouterr().err
        assert (
            "hint: demo==1.0, in the cache, has it: demo.core.legacy (src/demo/core.py:16); "
            "--at demo@1.0 reads it"
        ) in err, err
        released = json_of(capsys, command, "legacy", code=1)["in_a_release"]
        assert isinstance(released, dict)
        assert (released["qualname"], released["version"]) == ("demo.core.legacy", "demo==1.0")
    assert main(["show", "legacy"]) == 1  # show says it as find does
    assert "hint: demo==1.0, in the cache, has it: demo.core.legacy" in capsys.readouterr().err
    assert main(["find", "legacy", "--at", "demo@3.0"]) == 1  # --at asked: the pin is the one to say
    assert "in the cache, has it" not in capsys.readouterr().err


def test_a_cached_release_is_named_only_for_what_the_pin_lacks_and_only_when_it_reads_as_it_is(
    demo: dict[str, str], isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--kind`` asks the release what it asked the pin (and a name the pin has, of
    another kind, is no release's to name); a release entry that cannot be read as it is
    (its manifest gone) is passed over, not fetched again for a hint."""
    json_of(capsys, "find", "shared", "--at", "demo@1.0")  # 1.0 in the cache
    assert main(["find", "Engine", "--kind", "function"]) == 1  # a class in 2.0 as in 1.0
    assert "in the cache, has it" not in capsys.readouterr().err
    assert main(["find", "legacy", "--kind", "class"]) == 1  # a function in 1.0
    assert "in the cache, has it" not in capsys.readouterr().err
    manifest = isolated_home / "sources" / "demo" / "release-demo-1.0" / "manifest.json"
    manifest.unlink()
    assert main(["find", "legacy"]) == 1
    err = capsys.readouterr().err
    assert "in the cache, has it" not in err and "Traceback" not in err
    assert not manifest.exists()  # not fetched again for a hint
