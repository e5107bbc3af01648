"""Hostile inputs for codewalk, as hypothesis strategies, and the targets they are fed to:
tour documents (parsed, then resolved), queries, paths, pins files, ``REPO@VERSION``
strings and whole command lines (find, show, goto, calls, callers, path, draft, diff,
sync, their output going to streams of odd encodings). Each target lets only codewalk's
own typed errors (``CodewalkError``) escape; for a command line, ``main`` must return an
exit code (argparse's own usage errors aside).

Shared by the bounded test in the suite (tests/test_fuzz.py) and the long run
(bench/fuzz_long.py)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from pathlib import Path

from hypothesis import strategies as st

from codewalk.cli.main import main
from codewalk.errors import CodewalkError
from codewalk.source.pins import parse_pins
from codewalk.tours.loader import STEP_KEYS, TOUR_KEYS, parse_tour
from codewalk.workspace.workspace import Workspace
from tests.tourwalk import resolve_tour

# Characters that break things: controls, bidi overrides, separators, quotes, YAML and
# regex syntax, path syntax, non-ASCII letters, and a lone surrogate.
NASTY = (
    "\x00\x01\x07\x08\t\n\r\x0b\x0c\x1b\x7f\x85\x9b\u061c\u200e\u202a\u202e\u2066\u2028\u2029\ufeff"
    "\\/.:*?[](){}|^$+-#&!%@`'\"<>=,;~ " + "Modèle日本語Ω_é" + "\ud800"
)
text = st.text(alphabet=st.sampled_from(NASTY) | st.characters(blacklist_categories=("Cs",)), max_size=40)
identifier = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
dotted = st.lists(identifier, min_size=1, max_size=4).map(".".join)
query = st.one_of(
    dotted,
    text,
    st.sampled_from(["Engine.generate", "toypkg.Engine", "helper", "Model", "FastEngine", "Diamond.who"]),
    st.integers(0, 60_000).map(lambda n: "A" * n),
)
regex_text = st.text(alphabet=st.sampled_from("()[]{}*+?|^$\\.ase0-9wsdb,:!#@ "), min_size=1, max_size=24)
focus = st.one_of(text, regex_text.map(lambda body: f"/{body}/"), st.just("/(?s)(.*e){12}[#!@]/"))
path = st.one_of(
    text,
    st.sampled_from(["src/toypkg/core.py", "src/toypkg", "../etc/passwd", "/etc/passwd", "src/toypkg/../.."]),
    st.lists(
        st.sampled_from(["src", "toypkg", "..", ".", "models", "core.py", "x\x00y", ""]), max_size=5
    ).map("/".join),
)
scalar = st.one_of(text, dotted, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=True))


def _yaml_value(value: object) -> str:
    """A YAML flow value for anything the strategies make (quoted with its escapes)."""
    import json

    return json.dumps(value, ensure_ascii=False) if not isinstance(value, float) else repr(value)


@st.composite
def tour_document(draw: st.DrawFn) -> str:
    """A tour's YAML text: mostly well formed with hostile values, sometimes broken."""
    if draw(st.integers(0, 9)) == 0:
        return draw(text)
    keys = draw(st.lists(st.sampled_from([*TOUR_KEYS, "steps", "bogus"]), max_size=6, unique=True))
    lines = []
    for key in keys:
        if key == "steps":
            continue
        lines.append(f"{key}: {_yaml_value(draw(scalar))}")
    lines.append("steps:")
    for _ in range(draw(st.integers(0, 4))):
        step = draw(
            st.dictionaries(
                st.sampled_from([*STEP_KEYS, "bogus"]),
                st.one_of(scalar, query, path, focus),
                max_size=5,
            )
        )
        if not step:
            lines.append("  - {}")
            continue
        first = True
        for key, value in step.items():
            lines.append(f"  {'- ' if first else '  '}{key}: {_yaml_value(value)}")
            first = False
    return "\n".join(lines) + "\n"


@st.composite
def pins_document(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 5)) == 0:
        return draw(text)
    fields = {
        "url": draw(st.one_of(text, st.sampled_from(["https://example.invalid/x.git", "ext::sh", "fd::1"]))),
        "tag": draw(st.one_of(text, st.just("v1"))),
        "commit": draw(st.one_of(text, st.just(""), st.just("a" * 40))),
        "package_root": draw(st.one_of(path, st.just("src"))),
        "packages": draw(st.lists(st.one_of(identifier, text), max_size=3)),
        "release": draw(st.one_of(text, st.just("x==1"))),
    }
    keep = draw(st.lists(st.sampled_from(sorted(fields)), unique=True))
    body = "\n".join(f"{key} = {_toml(fields[key])}" for key in keep)
    name = draw(st.one_of(identifier, text))
    return f"[{_toml_key(name)}]\n{body}\n"


def _toml(value: object) -> str:
    import json

    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=True)


def _toml_key(name: str) -> str:
    import json

    return json.dumps(name, ensure_ascii=True)


# REPO@VERSION: the pins' names and others, versions a release may have and junk (long,
# empty, path-like, "installed", which asks the python on PATH)
version = st.one_of(
    st.sampled_from(["1.0", "0", "installed", "v1", "1!2.0", "1.0+local", "latest", "", "../..", "-rf"]),
    st.from_regex(r"v?[0-9]{1,4}(\.[0-9]{1,4}){0,3}((a|b|rc|\.dev|\.post)[0-9]{0,3})?", fullmatch=True),
    st.integers(0, 400).map(lambda n: "1" * n),
    text,
)
repo_spec = st.one_of(
    st.tuples(
        st.one_of(st.sampled_from(["toy", "transformers", "nope", ""]), text),
        st.sampled_from(["@", "", "@@", " @"]),
        version,
    ).map("".join),
    text,
)
number = st.one_of(st.integers(-3, 60).map(str), text, st.just("1e3"))
draft_output = st.one_of(st.just("-"), st.just(""), text, identifier.map(lambda name: f"{name}.yaml"))
stdout_encoding = st.sampled_from(["utf-8", "ascii", "latin-1", "cp1252", "utf-16"])

argv = st.one_of(
    st.tuples(st.sampled_from(["find", "show"]), query).map(list),
    st.tuples(st.sampled_from(["find", "show", "calls"]), query, st.just("--at"), repo_spec).map(list),
    st.tuples(st.just("sync"), repo_spec).map(list),
    st.tuples(st.just("diff"), query, st.just("--from"), repo_spec, st.just("--to"), repo_spec).map(list),
    st.tuples(st.just("calls"), query, st.sampled_from(["--depth", "--all"]), number).map(list),
    st.tuples(st.just("callers"), query).map(list),
    st.tuples(st.just("path"), query, query, st.sampled_from(["--limit", "--depth"]), number).map(list),
    st.tuples(st.just("draft"), query, query, st.just("-o"), draft_output).map(list),
    st.tuples(st.just("goto"), st.tuples(path, st.integers(-3, 10**20), st.integers(-3, 200))).map(
        lambda t: ["goto", f"{t[1][0]}:{t[1][1]}:{t[1][2]}"]
    ),
    st.tuples(st.just("goto"), text).map(list),
    st.tuples(
        st.sampled_from(["find", "show"]), query, st.sampled_from(["--json", "--refs", "--limit=0"])
    ).map(list),
)


# -- targets -----------------------------------------------------------------------------


def tour_target(document: str, workspace: Workspace) -> None:
    """Parse a tour and resolve every step: only typed errors may escape."""
    try:
        tour = parse_tour(document, Path("fuzz.yaml"))
    except CodewalkError:
        return
    try:
        resolve_tour({workspace.checkout.repo: workspace}, tour)
    except CodewalkError:
        return


def query_target(text_in: str, workspace: Workspace) -> None:
    for call in (
        lambda: workspace.find(text_in, limit=5),
        lambda: workspace.complete(text_in, 5),
        lambda: workspace.references(text_in),
    ):
        with contextlib.suppress(CodewalkError):
            call()


def path_target(text_in: str, workspace: Workspace, line: int = 1, col: int = 0) -> None:
    with contextlib.suppress(CodewalkError):
        workspace.source_text(text_in)
    with contextlib.suppress(CodewalkError):
        workspace.goto(text_in, line, col)


def pins_target(document: str) -> None:
    with contextlib.suppress(CodewalkError):
        parse_pins(document, "fuzz.toml")


def offline(where: Path, setenv: Callable[[str, str], object]) -> None:
    """Point every fetch (sync, diff, --at) at an empty package index on disk: a version
    codewalk must fetch is refused at once, never asked of the network."""
    index = where / "empty-index"
    index.mkdir(exist_ok=True)
    setenv("CODEWALK_SOURCE", "release")
    setenv("PIP_INDEX_URL", index.as_uri() + "/")
    setenv("PIP_EXTRA_INDEX_URL", "")


_NO_SOURCE = ("sync", "diff")  # commands that read pins at versions, never a local checkout


def cli_target(args: list[str], source: Path, encoding: str = "utf-8", drafts: Path | None = None) -> int:
    """``codewalk ARGS --source SOURCE`` in process, its output going to a stream that
    encodes as ``encoding`` (strictly, as Python's own stdout does): an exit code, never
    an exception (argparse's usage errors exit 2 through SystemExit). ``draft -o NAME``
    writes into ``drafts`` (a name of one part, or the directory itself), never elsewhere."""
    args = list(args)
    if args and args[0] == "draft" and "-o" in args:
        at = args.index("-o") + 1
        if args[at] != "-":
            assert drafts is not None, "draft -o needs a directory to write into"
            args[at] = str(drafts / args[at].replace("/", "_"))  # one part: the directory's at most
    if not args or args[0] not in _NO_SOURCE:
        args += ["--source", str(source)]
    out = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            return main(args)
        except SystemExit as exit_:
            assert exit_.code == 2, exit_
            return 2
        finally:
            with contextlib.suppress(ValueError, UnicodeError):
                out.flush()


def spec_target(spec: str) -> None:
    """``REPO@VERSION`` as --at, sync and diff read it: a pin at a version, or a typed error."""
    from codewalk.source.targets import resolve_target

    pins = parse_pins(
        '[toy]\nurl = "https://example.invalid/toy.git"\ntag = "v0"\npackage_root = "src"\n'
        'packages = ["toypkg"]\nrelease = "toypkg==0"\n',
        "fuzz.toml",
    )
    with contextlib.suppress(CodewalkError):
        target = resolve_target(pins, spec, "fuzz.toml")
        assert target.pin.name == "toy"
