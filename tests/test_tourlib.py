"""Where tours come from (shipped, CODEWALK_TOURS_PATH, --tours-dir), and how steps
resolve against a workspace (here a small fake one, so the rules are tested alone)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from codewalk.checkout import Checkout, SourceKind
from codewalk.errors import QueryError, TourError
from codewalk.resolve import FindResult, Resolved
from codewalk.tourfile import parse_tour
from codewalk.tourlib import discover_tours, load_tour, tour_dirs
from codewalk.tourresolve import module_of, resolve_step, resolve_tour

SHIPPED = {"attention-dispatch", "causal-lm-loss", "llama-generate", "special-tokens", "trainer-train"}


def write_tour(directory: Path, name: str, tour_id: str | None = None, at: str = "X") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    head = f"id: {tour_id}\n" if tour_id else ""
    path.write_text(f"{head}title: Tour {name}\nsteps:\n  - at: {at}\n    note: n\n", encoding="utf-8")
    return path


def test_shipped_tours_are_found() -> None:
    ids = {tour.id for tour in discover_tours()}
    assert ids == SHIPPED


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


def test_a_duplicate_id_names_both_files(tmp_path: Path) -> None:
    first = write_tour(tmp_path / "one", "first", tour_id="same")
    second = write_tour(tmp_path / "two", "second", tour_id="same")
    with pytest.raises(TourError) as info:
        discover_tours([tmp_path / "one", tmp_path / "two"])
    assert str(info.value).startswith(f"tour id 'same' is defined twice: in {first} and in {second}")


def test_a_user_tour_may_not_reuse_a_shipped_id(tmp_path: Path) -> None:
    mine = write_tour(tmp_path, "mine", tour_id="llama-generate")
    with pytest.raises(TourError, match=f"defined twice: in .*llama-generate.yaml and in {mine}"):
        discover_tours([tmp_path])


def test_load_by_path_and_unknown_names(tmp_path: Path) -> None:
    path = write_tour(tmp_path, "by-path")
    assert load_tour(str(path)).id == "by-path"
    with pytest.raises(TourError) as info:
        load_tour("llama-generat")
    assert str(info.value) == (
        "unknown tour 'llama-generat'\n  hint: did you mean llama-generate? (list them with 'codewalk tours')"
    )
    with pytest.raises(TourError, match="tour file not found"):
        load_tour(str(tmp_path / "missing.yaml"))
    with pytest.raises(TourError, match="not a directory of tours"):
        discover_tours([tmp_path / "nowhere"])


def test_a_malformed_tour_in_a_directory_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("title: T\nsteps:\n  - at: X\n    bogus: 1\n", encoding="utf-8")
    with pytest.raises(TourError) as info:
        discover_tours([tmp_path])
    assert str(info.value).startswith(f"{tmp_path / 'bad.yaml'}:4: unknown key 'bogus' in step 1")


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
        self.contexts: list[tuple[str, ...]] = []
        self.answers: dict[str, tuple[Resolved, ...]] = {
            "Child.run": (resolved("pkg.core.Base.run", 2, 6),),
            "helper": (
                resolved("pkg.core.helper", 13, 14),
                resolved("pkg.other.helper", 1, 2, "src/pkg/other.py"),
            ),
            "pkg.core.helper": (resolved("pkg.core.helper", 13, 14),),
        }

    def find(
        self, query: str, *, context: Sequence[str] = (), kind: str | None = None, limit: int | None = None
    ) -> FindResult:
        if query == "bad query!":
            raise QueryError("malformed query 'bad query!'")
        self.contexts.append(tuple(context))
        results = self.answers.get(query, ())
        return FindResult(query, results, () if results else ("helper",))

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


def test_resolve_tour_statuses_focus_and_context(tmp_path: Path) -> None:
    workspace = FakeWorkspace(tmp_path / "repo")
    tour = parse_tour(TOUR, tmp_path / "t.yaml")
    result = resolve_tour({"demo": workspace}, tour)  # type: ignore[dict-item]
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
    # step 2's short name resolved in the context of step 1's module: not ambiguous
    assert workspace.contexts[1] == ("pkg.core",)
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
    step = resolve_tour({"demo": workspace}, tour).steps[0]  # type: ignore[dict-item]
    assert (step.status, step.error, step.suggestions) == (
        "missing",
        "no pinned repo named 'elsewhere'",
        ("demo",),
    )


def test_module_of() -> None:
    assert module_of("src/transformers/loss/loss_utils.py", "src") == "transformers.loss.loss_utils"
    assert module_of("src/transformers/__init__.py", "src") == "transformers"
    assert module_of("pkg/mod.py", ".") == "pkg.mod"
    assert module_of("docs/x.md", "src") is None
    assert module_of("other/x.py", "src") is None
