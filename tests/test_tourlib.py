"""Where tours come from (shipped, CODEWALK_TOURS_PATH, --tours-dir), and how steps
resolve against a workspace (here a small fake one, so the rules are tested alone)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from codewalk.errors import QueryError, TourError, UnknownTour
from codewalk.resolve.model import FindResult, Resolved
from codewalk.source.checkout import Checkout, SourceKind
from codewalk.tours.discovery import discover_tours, load_tour, scan_tours, tour_dirs
from codewalk.tours.loader import parse_tour
from codewalk.tours.resolution import TourSteps, resolve_step
from codewalk.tours.targets import module_of
from tests.shipped import SHIPPED_TOURS
from tests.tourwalk import resolve_tour

SHIPPED = set(SHIPPED_TOURS)


def write_tour(directory: Path, name: str, tour_id: str | None = None, at: str = "X") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    head = f"id: {tour_id}\n" if tour_id else ""
    path.write_text(f"{head}title: Tour {name}\nsteps:\n  - at: {at}\n    note: n\n", encoding="utf-8")
    return path


def test_shipped_tours_are_found() -> None:
    ids = {tour.id for tour in discover_tours()}
    assert ids == SHIPPED


def test_every_shipped_tour_names_its_repository() -> None:
    """A tour without ``repo:`` is read in the first pin of whoever reads it (pins of a
    reader's own may put another repository first): a shipped one says which it is about."""
    assert [tour.id for tour in discover_tours() if tour.repo is None] == []


def test_env_and_explicit_dirs_add_tours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_a, env_b, explicit = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_tour(env_a, "alpha")
    write_tour(env_b, "beta")
    write_tour(explicit, "gamma")
    monkeypatch.setenv("CODEWALK_TOURS_PATH", f"{env_a}:{env_b}")
    assert tour_dirs([explicit])[1:] == [env_a, env_b, explicit]
    ids = [tour.id for tour in discover_tours([explicit])]
    assert ids == sorted([*SHIPPED, "alpha", "beta", "gamma"])
    assert load_tour("gamma", [explicit]).path == explicit / "gamma.yaml"


def test_a_directory_named_twice_however_spelled_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--tours-dir tours`` in a checkout whose ``tours/`` is the shipped directory: every
    tour there was "defined twice", in the directory and in itself, and ``check`` failed."""
    shipped = tour_dirs()[0]
    monkeypatch.chdir(shipped.parent)
    assert tour_dirs([shipped.name]) == [shipped]
    assert [p.message for p in scan_tours([shipped.name]).problems] == []
    assert load_tour("llama-generate", [shipped.name]).id == "llama-generate"
    mine = tmp_path / "mine"
    write_tour(mine, "alpha")
    (tmp_path / "link").symlink_to(mine)
    monkeypatch.setenv("CODEWALK_TOURS_PATH", f"{mine}{os.sep}")
    assert tour_dirs([tmp_path / "link", mine])[1:] == [Path(f"{mine}{os.sep}")]
    assert [p.message for p in scan_tours([tmp_path / "link"]).problems] == []


def test_a_duplicate_id_names_both_files(tmp_path: Path) -> None:
    first = write_tour(tmp_path / "one", "first", tour_id="same")
    second = write_tour(tmp_path / "two", "second", tour_id="same")
    dirs = [tmp_path / "one", tmp_path / "two"]
    with pytest.raises(TourError) as info:
        load_tour("same", dirs)
    assert str(info.value).startswith(f"tour id 'same' is defined twice: in {first} and in {second}")
    tours, problems = scan_tours(dirs)
    assert [t.path for t in tours if t.id == "same"] == [first]  # listed once, the first
    assert [p.message for p in problems] == [f"{second}:1: tour id 'same' is also defined in {first}"]
    assert load_tour("llama-generate", dirs).id == "llama-generate"  # the others still load


def test_a_user_tour_may_not_reuse_a_shipped_id(tmp_path: Path) -> None:
    mine = write_tour(tmp_path, "mine", tour_id="llama-generate")
    with pytest.raises(TourError, match=f"defined twice: in .*llama-generate.yaml and in {mine}") as info:
        load_tour("llama-generate", [tmp_path])
    # a copy of a shipped tour, to read as edited: the file named reads it
    assert (
        info.value.hint
        == f"name the file to read one (codewalk tour {mine}), or rename one of them (set 'id:' in the file)"
    )
    assert load_tour(str(mine)).path == mine
    (problem,) = scan_tours([tmp_path]).problems
    assert problem.message.startswith(f"{mine}:1: tour id 'llama-generate' is also defined in ")


def test_load_by_path_and_unknown_names(tmp_path: Path) -> None:
    path = write_tour(tmp_path, "by-path")
    assert load_tour(str(path)).id == "by-path"
    with pytest.raises(TourError) as info:
        load_tour("llama-generat")
    assert str(info.value) == (
        "unknown tour 'llama-generat'\n  hint: did you mean llama-generate? (list them with 'codewalk tours')"
    )
    with pytest.raises(TourError) as info:
        load_tour("loss")  # a word of the id, too short to be spelled alike
    assert info.value.hint == "did you mean causal-lm-loss? (list them with 'codewalk tours')"
    with pytest.raises(TourError) as info:
        load_tour("nope-tour")  # shares letters with peft-lora, means nothing shipped
    assert (info.value.hint or "").startswith("known tours: accelerate-backends, ")
    with pytest.raises(TourError, match="tour file not found"):
        load_tour(str(tmp_path / "missing.yaml"))
    with pytest.raises(TourError, match="not a directory of tours"):
        discover_tours([tmp_path / "nowhere"])


def test_a_tour_is_loaded_without_parsing_the_tours_that_plainly_name_another_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding a tour by id reads the other files' ``id:`` lines, and parses only a file
    that may be it: its own id, no plain ``id:`` line (the stem or YAML says), or two."""
    from codewalk.tours import discovery

    write_tour(tmp_path, "other", tour_id="another-id")
    write_tour(tmp_path, "stem-named")  # no id line: only loading it says its id
    (tmp_path / "two-ids.yaml").write_text("id: a\nid: b\ntitle: T\nsteps:\n  - at: X\n")
    wanted = write_tour(tmp_path, "wanted", tour_id="wanted-tour")
    parsed: list[str] = []
    read_tour = discovery.read_tour

    def counting(path: Path) -> object:
        parsed.append(path.name)
        return read_tour(path)

    monkeypatch.setattr(discovery, "read_tour", counting)
    assert load_tour("wanted-tour", [tmp_path]).path == wanted
    assert sorted(parsed) == ["stem-named.yaml", "two-ids.yaml", "wanted.yaml"]
    with pytest.raises(TourError, match="did you mean another-id"):
        load_tour("another-i", [tmp_path])


def test_a_malformed_tour_in_a_directory_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("title: T\nsteps:\n  - at: X\n    bogus: 1\n", encoding="utf-8")
    tours, problems = scan_tours([tmp_path])
    assert {t.id for t in tours} == SHIPPED
    assert [str(p).splitlines()[0] for p in problems] == [
        f"{tmp_path / 'bad.yaml'}:4: unknown key 'bogus' in step 1"
    ]
    assert {t.id for t in discover_tours([tmp_path])} == SHIPPED


BAD_FILE_STEP = "title: Bad\nsteps:\n  - file: /etc/passwd\n"


def test_one_bad_file_does_not_hide_the_other_tours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x1.yaml").write_text(BAD_FILE_STEP, encoding="utf-8")
    write_tour(tmp_path, "x2")
    (tmp_path / "latin1.yaml").write_bytes(b"title: T\nsteps:\n  - at: caf\xe9\n")
    monkeypatch.setenv("CODEWALK_TOURS_PATH", str(tmp_path))
    assert load_tour("llama-generate").id == "llama-generate"
    assert load_tour("x2").path == tmp_path / "x2.yaml"
    tours, problems = scan_tours()
    assert {t.id for t in tours} == {*SHIPPED, "x2"}
    assert [p.message for p in problems] == [
        f"{tmp_path / 'latin1.yaml'}:3: not a UTF-8 text file",
        f"{tmp_path / 'x1.yaml'}:3: step 1: 'file' '/etc/passwd' is absolute; "
        "it must be a path inside the repository",
    ]
    # the bad file *is* the tour asked for: its own error, with its line
    with pytest.raises(TourError) as info:
        load_tour("x1")
    assert info.value.message == problems[1].message
    with pytest.raises(TourError, match="unknown tour 'x3'"):
        load_tour("x3")


def test_a_bad_file_is_the_tour_its_id_line_names(tmp_path: Path) -> None:
    (tmp_path / "draft.yaml").write_text("id: 'mine'  # a comment\n" + BAD_FILE_STEP, encoding="utf-8")
    with pytest.raises(TourError, match=r"draft.yaml:4: step 1: 'file' '/etc/passwd' is absolute"):
        load_tour("mine", [tmp_path])
    with pytest.raises(TourError, match="unknown tour 'draft'"):
        load_tour("draft", [tmp_path])
    # a broken draft of a shipped tour is reported, not silently shadowed by the shipped one
    (tmp_path / "draft.yaml").write_text("id: llama-generate\n" + BAD_FILE_STEP, encoding="utf-8")
    with pytest.raises(TourError, match=r"draft\.yaml:4: "):
        load_tour("llama-generate", [tmp_path])
    assert load_tour("causal-lm-loss", [tmp_path]).id == "causal-lm-loss"


def test_a_duplicate_id_is_reported_on_its_id_line(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("# my copy\nid: causal-lm-loss\ntitle: T\nsteps:\n  - at: X\n", encoding="utf-8")
    (problem,) = scan_tours([tmp_path]).problems
    assert problem.message.startswith(f"{path}:2: tour id 'causal-lm-loss' is also defined in ")


# -- resolution -------------------------------------------------------------------------

SOURCE = """class Base:
    def run(self):
        total = 0
        for item in self.items:
            total += item
        return total


class Child(Base):
    pass


def helper():
    return 1
"""


def resolved(qualname: str, line: int, end: int, path: str = "src/pkg/core.py") -> Resolved:
    return Resolved(
        repo="demo",
        qualname=qualname,
        kind="function",
        path=path,
        line=line,
        start_line=line,
        end_line=end,
        via="direct",
        signature="",
    )


class FakeWorkspace:
    """Answers a fixed set of queries; records the context it was given."""

    def __init__(self, root: Path) -> None:
        (root / "src" / "pkg").mkdir(parents=True)
        (root / "src" / "pkg" / "core.py").write_text(SOURCE, encoding="utf-8")
        self.checkout = Checkout(
            repo="demo",
            root=root,
            package_root="src",
            packages=("pkg",),
            kind=SourceKind.LOCAL,
            commit="",
            tag="v1",
            release="demo==1",
        )
        self.queries: list[tuple[str, tuple[str, ...]]] = []  # (query, context) asked
        self.answers: dict[str, tuple[Resolved, ...]] = {
            "Child.run": (resolved("pkg.core.Base.run", 2, 6),),
            "helper": (
                resolved("pkg.core.helper", 13, 14),
                resolved("pkg.other.helper", 1, 2, "src/pkg/other.py"),
            ),
            "pkg.core.helper": (resolved("pkg.core.helper", 13, 14),),
        }

    def find(
        self,
        query: str,
        *,
        context: Sequence[str] = (),
        kind: str | None = None,
        limit: int | None = None,
        scope: Sequence[str] = (),
        related: bool = True,
        suggest: bool = True,
        thorough: bool = True,
    ) -> FindResult:
        """As ``Workspace.find``: ranked answers for ``query`` (the fixed ones here)."""
        if query == "bad query!":
            raise QueryError("malformed query 'bad query!'")
        self.queries.append((query, tuple(context)))
        results = self.answers.get(query, ())
        return FindResult(query, results, () if results or not suggest else ("helper",))

    def source_text(self, path: str) -> str:
        return (self.checkout.root / path).read_text(encoding="utf-8")


TOUR = """title: T
repo: demo
steps:
  - at: Child.run
    focus: "for item in"
  - at: helper
  - at: Nothing
  - file: src/pkg/core.py
    focus: /class \\w+\\(Base\\)/
  - file: src/pkg/missing.py
  - at: Child.run
    focus: not in there
"""


def test_a_regex_focus_not_found_is_quoted_as_the_file_holds_it(tmp_path: Path) -> None:
    """``/self\\.x = \\d/`` not found is said with its backslashes single, as in the file
    the reader searches for it (a repr doubled them: ``/self\\\\.x``)."""
    workspace = FakeWorkspace(tmp_path / "repo")
    text = "id: t\ntitle: t\nrepo: demo\nsteps:\n  - at: Child.run\n    focus: /self\\.x = \\d/\n"
    (step,) = resolve_tour({"demo": workspace}, parse_tour(text, tmp_path / "t.yaml")).steps
    assert step.error == "focus '/self\\.x = \\d/' does not occur in pkg.core.Base.run (src/pkg/core.py:2-6)"


def test_resolve_tour_statuses_focus_and_context(tmp_path: Path) -> None:
    workspace = FakeWorkspace(tmp_path / "repo")
    tour = parse_tour(TOUR, tmp_path / "t.yaml")
    result = resolve_tour({"demo": workspace}, tour)
    statuses = [(s.step.index, s.status) for s in result.steps]
    assert statuses == [
        (1, "resolved"),
        (2, "resolved"),
        (3, "missing"),
        (4, "resolved"),
        (5, "missing"),
        (6, "missing"),
    ]
    first, second, third, fourth, fifth, sixth = result.steps
    assert first.focus == (4, 4) and first.target is not None
    assert (first.repo, first.version) == ("demo", "local")
    # step 2's short name looked up in step 1's module first: not ambiguous
    assert workspace.queries[1] == ("pkg.core.helper", ())
    assert second.target is not None and second.target.qualname == "pkg.core.helper"
    assert third.error == "'Nothing' names nothing in demo@local"
    assert third.suggestions == ("helper",)
    assert fourth.target is not None
    assert (fourth.target.kind, fourth.target.qualname, fourth.target.end_line) == ("file", "pkg.core", 14)
    assert fourth.focus == (9, 9)
    assert fifth.error == "file 'src/pkg/missing.py' does not exist in demo@local"
    assert sixth.error == "focus 'not in there' does not occur in pkg.core.Base.run (src/pkg/core.py:2-6)"
    assert [s.step.index for s in result.broken] == [3, 5, 6]


def test_an_ambiguous_short_name_without_context(tmp_path: Path) -> None:
    workspace = FakeWorkspace(tmp_path / "repo")
    tour = parse_tour("title: T\nsteps:\n  - at: helper\n  - at: bad query!\n", tmp_path / "t.yaml")
    first = resolve_step(workspace, tour, tour.steps[0], ())  # type: ignore[arg-type]
    assert first.status == "ambiguous"
    assert [c.qualname for c in first.candidates] == ["pkg.core.helper", "pkg.other.helper"]
    assert first.error is not None and first.error.endswith("write a qualified name")
    qualified = parse_tour("title: T\nsteps:\n  - at: pkg.core.helper\n", tmp_path / "u.yaml")
    assert resolve_step(workspace, qualified, qualified.steps[0], ()).status == "resolved"  # type: ignore[arg-type]
    malformed = resolve_step(workspace, tour, tour.steps[1], ())  # type: ignore[arg-type]
    assert (malformed.status, malformed.error) == ("missing", "malformed query 'bad query!'")


def test_a_step_naming_an_unknown_repo(tmp_path: Path) -> None:
    workspace = FakeWorkspace(tmp_path / "repo")
    tour = parse_tour("title: T\nsteps:\n  - at: helper\n    repo: elsewhere\n", tmp_path / "t.yaml")
    step = resolve_tour({"demo": workspace}, tour).steps[0]
    assert (step.status, step.error, step.suggestions) == (
        "missing",
        "unknown repo 'elsewhere': the pins are demo",
        (),  # no pin is close to it
    )
    typo = parse_tour("title: T\nsteps:\n  - at: helper\n    repo: Demo\n", tmp_path / "t.yaml")
    assert resolve_tour({"demo": workspace}, typo).steps[0].suggestions == ("demo",)


def test_steps_one_at_a_time_get_the_context_of_the_earlier_steps_in_their_repo(tmp_path: Path) -> None:
    """What the UI does: step 2 first, which resolves step 1 before it (its context),
    each step once; a repo that cannot be read makes its steps missing, with why."""
    from codewalk.errors import SourceError

    workspace = FakeWorkspace(tmp_path / "repo")
    text = (
        "title: T\nrepo: demo\nsteps:\n  - at: Child.run\n  - at: helper\n"
        "  - at: backward\n    repo: far\n  - at: helper\n    repo: nowhere\n"
    )
    tour = parse_tour(text, tmp_path / "t.yaml")
    asked: list[str] = []

    def workspace_of(repo: str) -> Any:
        asked.append(repo)
        if repo == "far":
            raise SourceError("far: the package index cannot be reached")
        return workspace if repo == "demo" else None

    steps = TourSteps(tour, workspace_of, "demo", ("demo", "far"))
    second = steps(1)
    # step 1, then step 2 looked up in step 1's module
    assert workspace.queries == [("Child.run", ()), ("pkg.core.helper", ())]
    assert second.status == "resolved" and second.target is not None
    assert second.target.qualname == "pkg.core.helper"
    assert steps(0).status == "resolved" and len(workspace.queries) == 2  # not resolved again
    far, nowhere = steps(2), steps(3)
    assert (far.status, far.repo, far.error) == ("missing", "far", "far: the package index cannot be reached")
    assert (nowhere.error, nowhere.suggestions) == (
        "unknown repo 'nowhere': the pins are demo, far",
        (),
    )
    assert asked == ["demo", "demo", "far", "nowhere"]


def test_module_of() -> None:
    assert module_of("src/transformers/loss/loss_utils.py", "src") == "transformers.loss.loss_utils"
    assert module_of("src/transformers/__init__.py", "src") == "transformers"
    assert module_of("pkg/mod.py", ".") == "pkg.mod"
    assert module_of("py_src/tokenizers/__init__.pyi", "py_src") == "tokenizers"  # a stub: its module
    assert module_of("docs/x.md", "src") is None
    assert module_of("other/x.py", "src") is None


def test_a_nul_in_a_step_built_without_the_loader_is_a_broken_step(tmp_path: Path) -> None:
    """The loader refuses control characters; resolution must not raise on them anyway."""
    workspace = FakeWorkspace(tmp_path / "repo")
    tour = parse_tour("title: T\nsteps:\n  - file: src/pkg/core.py\n  - at: helper\n", tmp_path / "t.yaml")
    first, second = tour.steps
    bad = (
        replace(first, file="src/pkg/co\0re.py"),
        replace(first, file="src/p\0kg/core.py"),
        replace(second, at="hel\0per"),
        replace(second, at="pkg.core.helper", focus=("ret\0urn",)),
    )
    result = resolve_tour({"demo": workspace}, replace(tour, steps=bad))
    assert [(s.status, s.error) for s in result.steps] == [
        ("missing", "'file' 'src/pkg/co\\x00re.py' contains a NUL character"),
        ("missing", "'file' 'src/p\\x00kg/core.py' contains a NUL character"),
        ("missing", "'at' 'hel\\x00per' contains a NUL character"),
        ("missing", "'focus' 'ret\\x00urn' contains a NUL character"),
    ]


def test_file_targets_survive_paths_the_os_refuses(tmp_path: Path) -> None:
    from codewalk.tours.resolution import _file_suggestions, _file_target

    workspace: Any = FakeWorkspace(tmp_path / "repo")
    assert (
        _file_target(workspace, "src/pkg/a\0b.py") == "cannot read 'src/pkg/a\\x00b.py': embedded null byte"
    )
    assert _file_suggestions(workspace, "src/p\0kg/core.py") == ()


def test_a_tour_recorded_in_this_directory_is_found_after_the_tour_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tour --new mine`` writes ./mine.yaml when no tour directory is named; ``mine``
    then names it, for every command, unless a tour directory defines that id."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_text("id: mine\ntitle: T\nsteps:\n  - at: X\n", encoding="utf-8")
    assert load_tour("mine").path == Path("mine.yaml")
    (tmp_path / "causal-lm-loss.yml").write_text("title: Mine\nsteps:\n  - at: X\n", encoding="utf-8")
    assert load_tour("causal-lm-loss").title != "Mine"  # the shipped tour comes first
    (tmp_path / "broken.yaml").write_text("title: T\nsteps: 3\n", encoding="utf-8")
    with pytest.raises(TourError) as info:
        load_tour("broken")
    assert info.value.message.startswith("broken.yaml:")  # its own error, not 'unknown tour'
    with pytest.raises(UnknownTour, match="unknown tour 'other'"):
        load_tour("other")


def test_a_name_too_long_for_a_file_is_an_unknown_tour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Looking for ./NAME.yaml must not turn a name the system refuses into a traceback."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UnknownTour, match="unknown tour 'aaaa"):
        load_tour("a" * 300)
