"""A kept trace is input like any other: numbers no recorder writes (NaN, infinities, a
start no clock can show, counts below nothing) are refused in one line naming the
trace, by ``traces`` as by every reader, never a traceback nor JSON that is not JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codewalk.cli.main import main
from codewalk.traces import store
from tests.traceprog import use_toy


@pytest.fixture()
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """The toy program, run once and kept as trace 'toy'."""
    root = use_toy(tmp_path, monkeypatch)
    assert main(["trace", "--python", sys.executable, "--name", "toy", "prog.py"]) == 0
    capsys.readouterr()
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rewrite(head: dict[str, Any], body: dict[str, Any]) -> None:
    """Trace 'toy' made of these two lines (Python's JSON writes NaN and Infinity)."""
    store.path_of("toy").write_text(f"{json.dumps(head)}\n{json.dumps(body)}\n")


def parts() -> tuple[dict[str, Any], dict[str, Any]]:
    head, body = store.path_of("toy").read_text().splitlines()
    return json.loads(head), json.loads(body)


NUMBERS = {  # what the summary says, and why it is refused
    "started NaN": ("started", float("nan"), "started is not a finite number"),
    "started 1e999": ("started", float("inf"), "started is not a finite number"),
    "started past any clock": ("started", 1e300, "started is not a time"),
    "started before any clock": ("started", -1e18, "started is not a time"),
    "seconds infinite": ("seconds", float("inf"), "seconds is not a finite number"),
    "seconds negative": ("seconds", -1.0, "seconds is negative"),
}


@pytest.mark.parametrize("case", NUMBERS)
def test_a_summary_of_numbers_no_run_has_is_refused_by_traces_and_readers(
    toy: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    field, value, why = NUMBERS[case]
    head, body = parts()
    rewrite(head | {field: value}, body)
    code, out, err = run(capsys, "traces")
    assert code == 0 and "toy  (cannot be read: trace 'toy' (" in out and f"is damaged: {why})" in out, err
    code, out, _ = run(capsys, "traces", "--json")
    assert code == 0 and json.loads(out, parse_constant=pytest.fail)["traces"][0]["error"].endswith(why)
    code, _, err = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 2 and f"is damaged: {why}" in err and "Traceback" not in err


@pytest.mark.parametrize(("change", "value"), [("calls", -5), ("seconds", float("nan")), ("seconds", -1.0)])
def test_a_node_of_a_count_no_run_has_is_refused(
    toy: Path, capsys: pytest.CaptureFixture[str], change: str, value: float
) -> None:
    head, body = parts()
    body["nodes"][1][{"calls": 4, "seconds": 5}[change]] = value
    rewrite(head, body)
    code, _, err = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 2 and "is damaged: node 1 has a negative or non-finite count" in err, err


def test_a_release_that_ran_at_no_release_version_is_refused_naming_the_trace(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head, body = parts()
    head["repos"][0][1:4] = ["0.0.0-nope\x1b[31m", "release", ""]
    rewrite(head, body)
    code, out, _ = run(capsys, "traces")
    assert code == 0 and "toy  (cannot be read: trace 'toy' (" in out
    assert "is damaged: 'toy' ran at '0.0.0-nope\\x1b[31m', which is not a release version)" in out
    code, _, err = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 2 and "trace 'toy' (" in err and "which is not a release version" in err
    assert "\x1b" not in err


def test_a_release_that_cannot_be_had_again_is_said_of_the_trace(
    toy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trace read at a version the cache no longer has, which cannot be fetched (offline,
    or withdrawn): the error says which trace and which version, not the fetch alone."""
    from codewalk.errors import SourceError
    from codewalk.workspace.pinned import PinnedStack

    def unreachable(_stack: PinnedStack, repo: str) -> None:
        raise SourceError(f"no source distribution of {repo}==1.2.3 found", hint="are you online?")

    head, body = parts()
    head["repos"][0][1:4] = ["1.2.3", "release", ""]
    rewrite(head, body)
    monkeypatch.setattr(PinnedStack, "checkout", unreachable)
    code, _, err = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 2 and "Traceback" not in err
    assert err.startswith(
        "codewalk: error: trace 'toy' ran toy 1.2.3, which cannot be read: "
        "no source distribution of toy==1.2.3 found\n  hint: are you online?"
    ), err


def test_a_file_where_the_traces_go_is_said_before_the_program_runs(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not as a trace "kept by another run", and not after a long run to be lost."""
    directory = store.path_of("toy").parent
    shutil.rmtree(directory)
    directory.write_text("not a directory\n")
    Path("mark.py").write_text("open('ran', 'w').close()\n")
    code, _, err = run(capsys, "trace", "--python", sys.executable, "--name", "again", "mark.py")
    assert code == 2 and not Path("ran").exists()
    assert err == (
        f"codewalk: error: cannot keep traces in {directory}: something that is not a directory is "
        "in its place\n  hint: nothing was run; move what is in its place\n"
    )
    assert directory.read_text() == "not a directory\n"


def test_a_name_no_trace_can_have_is_refused_before_the_program_runs(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty ``--name`` is refused, not read as no name; a long one is quoted cut short."""
    Path("mark.py").write_text("open('ran', 'w').close()\n")
    for name, quoted in [("", "''"), ("a" * 500, f"'{'a' * 110}'... (500 characters)")]:
        code, _, err = run(capsys, "trace", "--python", sys.executable, "--name", name, "mark.py")
        assert code == 2 and err.startswith(f"codewalk: error: {quoted} cannot name a trace: "), err
        assert len(err) < 400 and not Path("ran").exists()


def test_a_file_no_trace_name_reaches_is_not_listed(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``x.json.json`` would be listed as trace 'x.json', which no command can name."""
    store.path_of("toy").with_name("x.json.json").write_bytes(store.path_of("toy").read_bytes())
    code, out, _ = run(capsys, "traces", "--json")
    assert code == 0 and [item["name"] for item in json.loads(out)["traces"]] == ["toy"]


@pytest.mark.parametrize(
    ("argv", "ran"),
    [
        (["--", "mark.py", "-x"], ["mark.py", "-x"]),
        (["mark.py", "--", "-x"], ["mark.py", "--", "-x"]),  # after the program: its own
        (["--", "mark.py", "--"], ["mark.py", "--"]),
    ],
)
def test_a_double_dash_before_the_program_ends_codewalks_options(
    toy: Path, capsys: pytest.CaptureFixture[str], argv: list[str], ran: list[str]
) -> None:
    Path("mark.py").write_text("import sys\nopen('ran', 'w').write(repr(sys.argv))\nimport toypkg\n")
    code, _, err = run(capsys, "trace", "--python", sys.executable, "--name", "dd", *argv)
    assert code == 0, err
    assert Path("ran").read_text() == repr(ran)


@pytest.mark.parametrize("force", [True, False])
def test_a_link_where_a_trace_goes_is_never_written_through(
    toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], force: bool
) -> None:
    """A link to a file elsewhere (replaced by --force) or to none (made there), refused
    before the program runs."""
    target = tmp_path / "notes.txt"
    if force:
        target.write_text("the reader's own\n")
    link = store.path_of("linked")
    link.symlink_to(target)
    Path("mark.py").write_text("open('ran', 'w').close()\nimport toypkg\n")  # a trace to keep
    argv = [
        "trace",
        "--python",
        sys.executable,
        "--name",
        "linked",
        *(["--force"] if force else []),
        "mark.py",
    ]
    code, _, err = run(capsys, *argv)
    assert code == 2 and not Path("ran").exists()
    assert err.startswith(f"codewalk: error: trace 'linked' ({link}) is a link to {target}: "), err
    assert (target.read_text() if force else target.exists()) == ("the reader's own\n" if force else False)
    assert link.is_symlink()


def test_a_run_with_an_argument_that_is_not_utf8_is_kept(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Such an argument (a file name in another encoding) is a lone surrogate in Python,
    which UTF-8 cannot write: the trace was lost at its end, in a traceback."""
    Path("mark.py").write_text("import toypkg\n")
    code, _, err = run(capsys, "trace", "--python", sys.executable, "--name", "odd", "mark.py", "caf\udce9")
    assert code == 0 and "Traceback" not in err, err
    code, out, _ = run(capsys, "traces", "--json")
    assert json.loads(out)["traces"][0]["program"] == ["mark.py", "caf\udce9"]
    assert store.load("odd").program == ("mark.py", "caf\udce9")


def test_a_byte_of_a_c1_control_in_an_argument_is_shown_escaped(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Byte 0x9b (CSI) of a name that is not UTF-8 is a lone surrogate to Python, which
    a stream in UTF-8 mode (a C locale) writes back as the raw byte."""
    Path("mark.py").write_text("import toypkg\n")
    assert main(["trace", "--python", sys.executable, "--name", "c1", "mark.py", "\udc9b2J"]) == 0
    capsys.readouterr()
    for argv in (["traces"], ["tour", "--trace", "c1", "--plain"]):
        command = [sys.executable, "-m", "codewalk", *argv]
        done = subprocess.run(
            command, capture_output=True, env={**os.environ, "PYTHONUTF8": "1"}, check=False
        )
        assert done.returncode == 0 and b"mark.py \\udc9b2J" in done.stdout, done.stdout
        assert b"\x9b" not in done.stdout


def test_deleting_traces_one_of_which_is_not_there_deletes_none(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store.path_of("other").write_bytes(store.path_of("toy").read_bytes())
    code, out, err = run(capsys, "traces", "--delete", "toy", "--delete", "typo", "--delete", "other")
    assert code == 2 and out == "" and err.startswith("codewalk: error: no trace named 'typo'\n"), err
    assert store.path_of("toy").exists() and store.path_of("other").exists()
    code, out, _ = run(capsys, "traces", "--delete", "toy", "--delete", "other", "--delete", "toy")
    assert code == 0 and out == "deleted trace 'toy'\ndeleted trace 'other'\n"
    assert not store.path_of("toy").exists() and not store.path_of("other").exists()


def test_a_run_thousands_of_calls_deep_is_printed_in_bounded_lines(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each level indented two spaces made the plain tree of a run recursing N deep N²
    characters: a 200,000-deep one (6 MB of trace) never finished printing."""
    head, body = parts()
    recursing = [i for i, f in enumerate(body["functions"]) if f[3] != "<module>"][:2]
    chain = [[i, 1, recursing[i % 2], -1, 1, 0.001] for i in range(3000)]
    rewrite(
        head,
        body
        | {"nodes": [body["nodes"][0], *chain], "passed": [], "processes": [], "imported": [], "direct": []},
    )
    code, out, err = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) > 3000 and max(len(line) for line in lines) < 250
    assert any("[depth 2999] " in line for line in lines)


@pytest.mark.parametrize("recording", [["--new", "mine"], ["--edit"]])
def test_recording_options_with_a_trace_alone_are_refused_not_ignored(
    toy: Path, capsys: pytest.CaptureFixture[str], recording: list[str]
) -> None:
    code, out, err = run(capsys, "tour", "--trace", "toy", *recording)
    assert code == 2 and out == "", out
    assert err.startswith("codewalk: error: --trace reads a run; --new and --edit record a tour: not both\n")


def test_the_chains_of_a_deep_recursion_are_found_without_walking_each(
    toy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run recursing N deep holds N chains N long: writing each out before reading the
    first few took N² time and memory (`path --trace` of a 200,000-deep trace: 19 GB,
    unfinished after two minutes). Only the chains read are walked."""
    from codewalk.traces.tree import Chain, Tree, chains

    head, body = parts()
    a, b = [i for i, f in enumerate(body["functions"]) if f[3] != "<module>"][:2]
    chain = [[i, 7, (a, b)[i % 2], -1, 1, 0.001] for i in range(3000)]  # a b a b ..., a first
    rewrite(
        head,
        body
        | {"nodes": [body["nodes"][0], *chain], "passed": [], "processes": [], "imported": [], "direct": []},
    )
    trace = store.load("toy")
    tree = Tree(trace)
    walked: list[int] = []
    ancestors = Tree.ancestors
    monkeypatch.setattr(Tree, "ancestors", lambda self, node: walked.append(node) or ancestors(self, node))
    found = chains(trace, tree, {a}, {b})
    assert len(found) == 1500 and walked == []
    assert found[0] == Chain((1, 2), (1, 1)) and found[1].nodes == (1, 2, 3, 4)
    assert found[:2] == [found[0], found[1]] and len(walked) < 20  # those read, not 1,500


@pytest.mark.parametrize("imported", [[0], [10**6], ["1"], "tail"])
def test_a_call_said_to_run_inside_an_import_that_is_no_root_is_refused(
    toy: Path, capsys: pytest.CaptureFixture[str], imported: Any
) -> None:
    head, body = parts()
    nested = next(index for index, node in enumerate(body["nodes"]) if node[0] > 0)
    rewrite(head, body | {"imported": imported if imported != "tail" else [nested]})
    code, _, err = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 2 and "Traceback" not in err
    assert "is damaged: a call said to run inside an import is not a root of the tree" in err, err


def test_the_calls_run_inside_an_import_are_kept_and_a_trace_without_them_still_reads(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head, body = parts()
    assert body["imported"]  # the toy package's import, at least
    assert store.load("toy").imported == frozenset(body["imported"])
    code, kept, _ = run(capsys, "tour", "--trace", "toy", "--plain")
    del body["imported"]  # as a codewalk before it kept them wrote it
    rewrite(head, body)
    assert store.load("toy").imported == frozenset()
    code, out, err = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 0 and out == kept, err  # the toy's imports ran from the import machinery


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("direct", [0], "a call said to be the program's is not a root of the tree"),
        ("direct", 3, "a list of the tree's roots is not a list"),
        ("imported", {"1": 1}, "a list of the tree's roots is not a list"),
    ],
)
def test_roots_said_the_programs_or_imported_that_are_no_list_of_roots_are_refused(
    toy: Path, capsys: pytest.CaptureFixture[str], key: str, value: Any, why: str
) -> None:
    head, body = parts()
    rewrite(head, body | {key: value})
    code, _, err = run(capsys, "tour", "--trace", "toy", "--plain")
    assert code == 2 and f"is damaged: {why}" in err and "Traceback" not in err, err
