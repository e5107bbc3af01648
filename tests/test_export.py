"""Export: Markdown permalinks and CodeTour documents (checked against CodeTour's schema
fields), on a small synthetic resolved tour."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from codewalk.cli.output import write_output
from codewalk.errors import TourError
from codewalk.render.codetour import codetour_json, to_codetour
from codewalk.render.export import permalink, web_base
from codewalk.render.markdown import to_markdown
from codewalk.resolve.model import Resolved
from codewalk.tours.loader import parse_tour
from codewalk.tours.model import ResolvedStep, ResolvedTour
from tests.codetour_schema import codetour_problems

CODE = "import x\n\n\ndef f(a):\n    if a:\n        return g(\n            a,\n        )\n    return 0\n"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
BASE = "https://github.com/huggingface/transformers"


def make_tour(tmp_path: Path, *, broken: bool = False) -> ResolvedTour:
    tour = parse_tour(
        "id: demo\ntitle: Demo tour\nsummary: Why.\nsteps:\n"
        "  - at: pkg.mod.f\n    focus: return g(\n    title: The call\n    note: |\n      A *note*.\n"
        "  - at: pkg.mod.f\n    note: Whole.\n",
        tmp_path / "demo.yaml",
    )
    target = Resolved(
        repo="transformers",
        qualname="pkg.mod.f",
        kind="function",
        path="src/pkg/mod.py",
        line=4,
        start_line=4,
        end_line=9,
        via="direct",
        signature="def f(a):",
    )
    steps = (
        ResolvedStep(
            step=tour.steps[0],
            status="resolved",
            target=target,
            focus=(6, 8),
            candidates=(target,),
            suggestions=(),
            error=None,
            repo="transformers",
            version="v5.23.0",
        ),
        ResolvedStep(
            step=tour.steps[1],
            status="missing" if broken else "resolved",
            target=None if broken else target,
            focus=None,
            candidates=(),
            suggestions=("f",),
            error="'pkg.mod.g' names nothing" if broken else None,
            repo="transformers",
            version="v5.23.0",
        ),
    )
    return ResolvedTour(tour=tour, steps=steps)


def source_text(repo: str, path: str) -> str:
    assert (repo, path) == ("transformers", "src/pkg/mod.py")
    return CODE


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/huggingface/transformers.git",
        "https://github.com/huggingface/transformers",
        "https://github.com/huggingface/transformers/",
        "git@github.com:huggingface/transformers.git",
        "ssh://git@github.com/huggingface/transformers.git",
        "git://github.com/huggingface/transformers.git",
    ],
)
def test_web_base_of_git_urls(url: str) -> None:
    assert web_base(url) == BASE


def test_no_web_base_for_local_urls() -> None:
    assert web_base("file:///srv/git/transformers.git") is None
    assert web_base("/srv/git/transformers") is None


def test_permalink_format() -> None:
    assert permalink(BASE, COMMIT, "src/transformers/loss/loss_utils.py", 51, 73) == (
        f"{BASE}/blob/{COMMIT}/src/transformers/loss/loss_utils.py#L51-L73"
    )
    assert permalink(BASE, "v5.23.0", "src/a.py", 7, 7) == f"{BASE}/blob/v5.23.0/src/a.py#L7"


PERMALINK_RE = re.compile(
    r"https://github\.com/huggingface/transformers/blob/(?P<ref>[0-9a-f]{40}|v\d+\.\d+\.\d+)/"
    r"(?P<path>src/[\w/]+\.py)#L(?P<start>\d+)(?:-L(?P<end>\d+))?"
)


def test_markdown_export_has_well_formed_permalinks(tmp_path: Path) -> None:
    text = to_markdown(make_tour(tmp_path), source_text, {"transformers": (BASE, COMMIT)})
    links = [m.groupdict() for m in PERMALINK_RE.finditer(text)]
    assert links == [
        {"ref": COMMIT, "path": "src/pkg/mod.py", "start": "4", "end": "9"},
        {"ref": COMMIT, "path": "src/pkg/mod.py", "start": "6", "end": "8"},
        {"ref": COMMIT, "path": "src/pkg/mod.py", "start": "4", "end": "9"},
    ]
    assert text.startswith("# Demo tour\n\n*Tour `demo`, 2 steps, at transformers@v5.23.0.*\n\nWhy.\n")
    assert "## 1/2. The call\n" in text and "## 2/2. f\n" in text
    assert "```python\ndef f(a):\n    if a:\n        return g(\n" in text
    assert "A *note*." in text


def test_markdown_for_a_release_source_links_the_tag(tmp_path: Path) -> None:
    text = to_markdown(make_tour(tmp_path), source_text, {"transformers": (BASE, "v5.23.0")})
    refs = {m["ref"] for m in PERMALINK_RE.finditer(text)}
    assert refs == {"v5.23.0"}


def test_markdown_without_a_web_host_has_plain_paths(tmp_path: Path) -> None:
    text = to_markdown(make_tour(tmp_path), source_text, {"transformers": (None, COMMIT)})
    assert "https://" not in text
    assert "`pkg.mod.f` in `src/pkg/mod.py:4-9`, focus on lines 6-8" in text


def test_codetour_document_matches_the_schema(tmp_path: Path) -> None:
    document = json.loads(codetour_json(make_tour(tmp_path), COMMIT, source_text))
    assert codetour_problems(document) == []
    assert document["$schema"] == "https://aka.ms/codetour-schema"
    assert (document["title"], document["description"], document["ref"]) == ("Demo tour", "Why.", COMMIT)
    first, second = document["steps"]
    assert first == {
        "file": "src/pkg/mod.py",
        "line": 6,
        "selection": {"start": {"line": 6, "character": 9}, "end": {"line": 8, "character": 10}},
        "description": "A *note*.",
        "title": "The call",
    }
    assert second["line"] == 4
    assert second["selection"] == {"start": {"line": 4, "character": 1}, "end": {"line": 9, "character": 13}}


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"steps": []}, "tour: missing required field 'title'"),
        ({"title": "t"}, "tour: missing required field 'steps'"),
        ({"title": 3, "steps": []}, "tour.title: expected a string, found int"),
        ({"title": "t", "steps": {}}, "tour.steps: expected an array, found dict"),
        ({"title": "t", "steps": [], "isPrimary": "yes"}, "tour.isPrimary: expected a boolean, found str"),
        ({"title": "t", "steps": [], "colour": "red"}, "tour: unknown field 'colour'"),
        ({"title": "t", "steps": [{"file": "a.py"}]}, "steps[1]: missing required field 'description'"),
        ({"title": "t", "steps": ["x"]}, "steps[1]: a step must be an object"),
        (
            {"title": "t", "steps": [{"description": "d", "file": "a", "line": "3"}]},
            "steps[1].line: expected a number, found str",
        ),
        (
            {"title": "t", "steps": [{"description": "d", "file": "a", "line": True}]},
            "steps[1].line: expected a number, found a boolean",
        ),
        (
            {"title": "t", "steps": [{"description": "d", "file": "a", "line": 0}]},
            "steps[1].line: must be 1-based, found 0",
        ),
        (
            {"title": "t", "steps": [{"description": "d", "file": "a", "uri": "u"}]},
            "steps[1]: more than one of file/directory/uri: ['file', 'uri']",
        ),
        ({"title": "t", "steps": [{"description": "d", "line": 3}]}, "steps[1]: 'line' without a 'file'"),
        (
            {"title": "t", "steps": [{"description": "d", "file": "a", "selection": {"start": {"line": 1}}}]},
            "steps[1].selection.start.character: expected a number >= 1",
        ),
        (
            {
                "title": "t",
                "steps": [
                    {
                        "description": "d",
                        "file": "a",
                        "selection": {
                            "start": {"line": 5, "character": 1},
                            "end": {"line": 2, "character": 1},
                        },
                    }
                ],
            },
            "steps[1].selection: ends before it starts",
        ),
        (
            {"title": "t", "steps": [{"description": "d", "commands": [1]}]},
            "steps[1].commands: expected a list of strings",
        ),
    ],
)
def test_codetour_check_finds_schema_violations(document: dict[str, object], problem: str) -> None:
    assert problem in codetour_problems(document)


def test_a_broken_tour_is_not_exported(tmp_path: Path) -> None:
    tour = make_tour(tmp_path, broken=True)
    with pytest.raises(TourError) as info:
        to_codetour(tour, COMMIT, source_text)
    assert str(info.value).startswith(f"{tmp_path / 'demo.yaml'}:10: step 2 of 'demo' is missing")
    with pytest.raises(TourError):
        to_markdown(tour, source_text, {})


def test_an_output_s_missing_directories_are_made(tmp_path: Path) -> None:
    target = tmp_path / ".tours" / "deeper" / "demo.tour"
    assert write_output(str(target), "{}\n") == str(target)
    assert target.read_text(encoding="utf-8") == "{}\n"
    assert [p.name for p in target.parent.iterdir()] == ["demo.tour"]
