"""The call graph's oracle, part one: what Python itself calls when the programs of
``bench/programs/`` run. Runs in the torch virtualenv (bench/requirements-torch.txt),
never in codewalk's own:

    torchenv/bin/python bench/callgraph_record.py            # every run, into bench/out/callgraph/
    torchenv/bin/python bench/callgraph_record.py --only generate-sample

Each run is a program (and its flags) executed in a child process under
``sys.setprofile``. A *call* event whose function lives in an installed file of a pinned
package (the packages of vendor_pins.toml, found in the interpreter's site-packages)
is recorded as an edge from the nearest calling frame that is also in a pinned package
(or in the program itself): the caller's function (file, ``co_qualname``, first line),
the call site (the line and columns of the instruction the caller was executing,
``co_positions``), the callee's function, and the frames outside the pinned packages in
between (``torch.nn.Module._call_impl`` for the module protocol, ``contextlib`` for a
``with``, torch's ``no_grad`` wrapper...). A decorator's wrapper in a pinned package (a
nested function holding the function it calls in its closure) stands for what it wraps:
it is listed among the frames in between, and the edges into it are listed apart
(``wrappers``). A pinned ``__getattribute__``, ``__getattr__`` or ``__get__`` calls what
it calls (an edge from it), and stands for the attribute read that ran it (an edge
through it: a config's property read through its ``__getattribute__``). Beside each
edge: the class of the caller's ``self`` (or ``cls``) at run time, the callee's for calls
from the program, and how many times it ran. A generator resumed is not a call; its
first entry is.

Nothing here decides what a reader would follow: ``callgraph_score.py`` reads the call
sites' source and classifies each edge, then asks codewalk.
"""

from __future__ import annotations

import argparse
import dis
import json
import os
import runpy
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import tomllib

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
OUT = HERE / "out" / "callgraph"
PINS = HERE.parent / "vendor_pins.toml"

# The runs, in the order the oracle splits them: the first 12 are for development, the
# last 3 (other libraries, other programs) held out.
RUNS: dict[str, list[str]] = {
    "generate": ["generate.py"],
    "generate-assistant": ["generate.py", "--assistant"],
    "generate-sample": ["generate.py", "--sample"],
    "generate-beams": ["generate.py", "--beams", "3"],
    "generate-prompt-lookup": ["generate.py", "--prompt-lookup"],
    "generate-eager": ["generate.py", "--attn", "eager"],
    "generate-static": ["generate.py", "--cache", "static"],
    "forward-labels": ["forward_labels.py"],
    "train": ["train.py"],
    "from-pretrained": ["from_pretrained.py"],
    "tokenizer-call": ["tokenizer_call.py"],
    "lora": ["lora.py"],
    "dataset-json": ["dataset_json.py"],
    "accelerate-backward": ["accelerate_backward.py"],
    "unet": ["unet.py"],
}
DEVELOPMENT = tuple(RUNS)[:12]

_GENERATOR_LIKE = 0x20 | 0x80 | 0x200  # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
_MAX_FOREIGN = 12  # frames outside the pinned packages between caller and callee
_ACCESS = ("__getattribute__", "__getattr__", "__get__")  # pinned code run by an attribute read


def pinned_packages() -> dict[str, str]:
    """import root -> pin name, from vendor_pins.toml."""
    with PINS.open("rb") as handle:
        pins = tomllib.load(handle)
    return {package: name for name, pin in pins.items() for package in pin.get("packages", [])}


class Recorder:
    def __init__(self, site: str, packages: dict[str, str]) -> None:
        self.site = site.rstrip("/") + "/"
        self.packages = packages
        self.programs = str(PROGRAMS) + "/"
        self.edges: dict[tuple[Any, ...], int] = {}
        self._where: dict[str, tuple[str, str] | None] = {}
        self._positions: dict[CodeType, list[tuple[Any, ...]]] = {}
        self._first_resume: dict[CodeType, int] = {}
        self._wrapper: dict[tuple[CodeType, CodeType], bool] = {}
        self.wrappers: set[tuple[str, str, int]] = set()  # (path, qualname, first line)

    def where(self, filename: str) -> tuple[str, str] | None:
        """(pin name | "program", path) of a file of a pinned package or of a program."""
        if filename in self._where:
            return self._where[filename]
        path = os.path.realpath(filename) if filename[:1] == "/" else filename
        result: tuple[str, str] | None = None
        if path.startswith(self.site):
            rel = path[len(self.site) :]
            repo = self.packages.get(rel.partition("/")[0])
            if repo is not None:
                result = (repo, rel)
        elif path.startswith(self.programs):
            result = ("program", path[len(self.programs) :])
        self._where[filename] = result
        return result

    def foreign(self, code: CodeType) -> str:
        filename = code.co_filename
        if filename.startswith(self.site):
            filename = filename[len(self.site) :]
        elif "/lib/python" in filename:
            filename = "stdlib:" + filename.rpartition("/lib/python")[2].partition("/")[2]
        return f"{filename}:{code.co_qualname}"

    def position(self, frame: FrameType) -> tuple[Any, ...]:
        code = frame.f_code
        positions = self._positions.get(code)
        if positions is None:
            positions = self._positions[code] = list(code.co_positions())
        index = frame.f_lasti // 2
        return positions[index] if 0 <= index < len(positions) else (frame.f_lineno, None, None, None)

    def fresh(self, frame: FrameType) -> bool:
        """A generator's (coroutine's) first entry, not a resumption."""
        code = frame.f_code
        first = self._first_resume.get(code)
        if first is None:
            first = next((i.offset for i in dis.get_instructions(code) if i.opname == "RESUME"), 0)
            self._first_resume[code] = first
        return frame.f_lasti <= first

    def is_wrapper(self, caller: FrameType, callee: CodeType) -> bool:
        """``caller`` is a nested ``def`` (not a comprehension or a lambda) holding the
        function it calls, another one, in its closure: a decorator's wrapper."""
        code = caller.f_code
        if not code.co_freevars or code is callee or code.co_name.startswith("<"):
            return False
        key = (code, callee)
        if key not in self._wrapper:
            values = caller.f_locals
            held = False
            for name in code.co_freevars:
                value = values.get(name)
                value = getattr(value, "__func__", value)
                if getattr(value, "__code__", None) is callee:
                    held = True
                    break
            self._wrapper[key] = held
        return self._wrapper[key]

    @staticmethod
    def owner(frame: FrameType) -> str:
        """``module.Class`` of the frame's ``self`` (or ``cls``), else ""."""
        code = frame.f_code
        if not code.co_argcount or code.co_varnames[0] not in ("self", "cls"):
            return ""
        try:
            value = frame.f_locals.get(code.co_varnames[0])
        except Exception:
            return ""
        cls = value if isinstance(value, type) else type(value)
        return f"{cls.__module__}.{cls.__qualname__}"

    def __call__(self, frame: FrameType, event: str, arg: object) -> None:
        if event != "call":
            return
        code = frame.f_code
        callee = self.where(code.co_filename)
        if callee is None or callee[0] == "program":
            return
        if code.co_flags & _GENERATOR_LIKE and not self.fresh(frame):
            return
        chain: list[str] = []
        back = frame.f_back
        reached = code  # a decorator's wrapper in a pinned package stands for what it wraps
        while back is not None:
            caller = self.where(back.f_code.co_filename)
            if caller is None:
                chain.append(self.foreign(back.f_code))
            elif back.f_code.co_name in _ACCESS:  # an attribute read's machinery: the edge
                self.add(back, caller, frame, callee, chain)  # from it, and through it
                chain.append("access:" + self.foreign(back.f_code))
            elif self.is_wrapper(back, reached):
                self.wrappers.add((caller[1], back.f_code.co_qualname, back.f_code.co_firstlineno))
                chain.append("wrapper:" + self.foreign(back.f_code))
                reached = back.f_code
            else:
                self.add(back, caller, frame, callee, chain)
                return
            if len(chain) > _MAX_FOREIGN:
                return
            back = back.f_back

    def add(
        self,
        back: FrameType,
        caller: tuple[str, str],
        frame: FrameType,
        callee: tuple[str, str],
        chain: list[str],
    ) -> None:
        code, bcode = frame.f_code, back.f_code
        key = (
            caller[0],
            caller[1],
            bcode.co_qualname,
            bcode.co_firstlineno,
            tuple(self.position(back)),
            callee[0],
            callee[1],
            code.co_qualname,
            code.co_firstlineno,
            tuple(chain),
            self.owner(back),
            self.owner(frame) if caller[0] == "program" else "",
            bool(code.co_flags & _GENERATOR_LIKE),
        )
        self.edges[key] = self.edges.get(key, 0) + 1


def child(run: str, out: Path) -> None:
    """Run one program under the recorder and write its edges."""
    argv = RUNS[run]
    recorder = Recorder(sysconfig.get_paths()["purelib"], pinned_packages())
    sys.path.insert(0, str(PROGRAMS))
    sys.argv = [str(PROGRAMS / argv[0]), *argv[1:]]
    started = time.perf_counter()
    sys.setprofile(recorder)
    try:
        runpy.run_path(str(PROGRAMS / argv[0]), run_name="__main__")
    finally:
        sys.setprofile(None)
    seconds = time.perf_counter() - started
    from importlib.metadata import version

    data = {
        "run": run,
        "argv": argv,
        "python": sys.version.split()[0],
        "site": recorder.site,
        "seconds": round(seconds, 2),
        "versions": {repo: version(repo) for repo in sorted(set(recorder.packages.values())) if _has(repo)},
        "edges": [[*key, count] for key, count in recorder.edges.items()],
        "wrappers": sorted(recorder.wrappers),
    }
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{run}.json.tmp"
    tmp.write_text(json.dumps(data))
    tmp.replace(out / f"{run}.json")
    print(f"{run}: {len(recorder.edges)} edges in {seconds:.1f} s", file=sys.stderr)


def _has(distribution: str) -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        version(distribution)
    except PackageNotFoundError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", action="append", choices=tuple(RUNS), help="record this run (repeatable)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--child", choices=tuple(RUNS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.out)
        return 0
    failed = 0
    for run in args.only or RUNS:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", run, "--out", str(args.out)]
        done = subprocess.run(command, cwd=PROGRAMS, stdout=subprocess.DEVNULL, check=False)
        if done.returncode:
            print(f"{run}: failed (exit {done.returncode})", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
