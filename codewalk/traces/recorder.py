"""Records what a program runs in the pinned packages' files: run by codewalk as a file,
in the reader's own interpreter (any Python >= 3.10), where codewalk is not installed.

    PY recorder.py --out FILE [--package ROOT=DIST ...] SCRIPT [ARGS...]
    PY recorder.py --out FILE [--package ROOT=DIST ...] -m MODULE [ARGS...]

It imports nothing but the standard library and nothing of codewalk. The program runs
through ``runpy`` as ``python SCRIPT`` (or ``python -m MODULE``) would run it: the same
``sys.argv``, ``__main__`` and ``sys.path[0]``; its stdout, stderr and stdin are the
recorder's own; an exception prints its traceback and exits 1, ``sys.exit(3)`` exits 3,
ctrl+c exits 130. The record is written when the interpreter exits (after the program's
threads are joined), whatever the program did, and says how it ended.

What is recorded, for frames whose code lives in the files of the ``--package`` import
roots (found on the program's ``sys.path`` without importing them):

- a calling-context tree of those functions: each node a function called from its
  nearest recorded caller at a call-site line, with a count and inclusive seconds; a call
  that passed through frames of other code (torch's ``Module.__call__``) names the first
  of them (``via``); a call from outside every recorded package is a root, naming the
  frame it came from;
- the lines of each recorded function that executed.

Two engines: ``sys.monitoring`` on Python 3.12+ (each line reported once, then disabled;
other code stops reporting after its first call), ``sys.settrace`` before (a line tracer
only on frames of the recorded files, ``None`` elsewhere). Generators and coroutines count
one call when they start, their time while they run; exceptions end a frame as a return
does; recursion makes nodes deeper in the tree; threads started after the recording
starts are recorded too.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

FORMAT = 1  # of what this file writes; codewalk reads it back (traces/run.py)


class Recorder:
    """The tree and the lines, as the program runs; one per process."""

    def __init__(self, dirs: list[str]) -> None:
        self.prefixes = tuple(os.path.join(d, "") for d in dirs)
        self.codes: dict[object, int] = {}  # code object -> index in ``recorded``, -1 elsewhere
        self.recorded: list[list[object]] = []  # [filename, qualname, first line]
        self.generator: list[bool] = []  # by code index: a generator or coroutine
        self.lines: list[set[int]] = []  # by code index
        self.others: dict[tuple[str, str, int], int] = {}  # a frame of other code -> its index
        # the tree: node 0 is the program; parallel lists, for speed
        self.parent: list[int] = [-1]
        self.site: list[int] = [0]  # the caller's line
        self.code: list[int] = [-1]
        self.via: list[int] = [-1]  # index in ``others``, -1 when the caller called it directly
        self.count: list[int] = [0]
        self.seconds: list[float] = [0.0]
        self.children: dict[tuple[int, int, int, int], int] = {}
        self.running: dict[int, tuple[int, float]] = {}  # id(frame) -> (node, started)
        self.suspended: dict[int, int] = {}  # id(generator frame) -> node

    # -- what is recorded ------------------------------------------------------------
    def learn(self, code: object) -> int:
        """The index of ``code`` if it lives in a recorded file, else -1 (kept)."""
        filename = getattr(code, "co_filename", "")
        recorded = filename.startswith(self.prefixes)
        if not recorded and filename and not filename.startswith("<"):
            real = os.path.realpath(filename)
            recorded = real.startswith(self.prefixes)
        if not recorded:
            self.codes[code] = -1
            return -1
        index = len(self.recorded)
        qualname = getattr(code, "co_qualname", None) or code.co_name  # type: ignore[attr-defined]
        self.recorded.append([filename, qualname, code.co_firstlineno])  # type: ignore[attr-defined]
        self.generator.append(bool(code.co_flags & 0x2A0))  # type: ignore[attr-defined]
        self.lines.append(set())
        self.codes[code] = index
        return index

    def other(self, frame: object) -> int:
        code = frame.f_code  # type: ignore[attr-defined]
        key = (code.co_filename, getattr(code, "co_qualname", None) or code.co_name, code.co_firstlineno)
        found = self.others.get(key)
        if found is None:
            found = self.others[key] = len(self.others)
        return found

    def enter(self, frame: object, index: int) -> int:
        """The node of a new call of recorded function ``index`` in ``frame``."""
        codes = self.codes
        caller = frame.f_back  # type: ignore[attr-defined]
        first = None  # the outermost frame of other code between the caller and ``frame``
        while caller is not None:
            found = codes.get(caller.f_code)
            if found is None:
                found = self.learn(caller.f_code)
            if found >= 0:
                break
            first = caller
            caller = caller.f_back
        if caller is None:  # a root: called from the program, or a thread's start
            parent = 0
            back = frame.f_back  # type: ignore[attr-defined]
            line = back.f_lineno if back is not None else 0
            via = self.other(back) if back is not None else -1
        else:
            running = self.running.get(id(caller))
            parent = running[0] if running is not None else 0
            line = caller.f_lineno
            via = self.other(first) if first is not None else -1
        key = (parent, line, index, via)
        node = self.children.get(key)
        if node is None:
            node = self.children[key] = len(self.parent)
            self.parent.append(parent)
            self.site.append(line)
            self.code.append(index)
            self.via.append(via)
            self.count.append(0)
            self.seconds.append(0.0)
        self.count[node] += 1
        return node

    def leave(self, frame: object, now: float, suspended: bool) -> None:
        running = self.running.pop(id(frame), None)
        if running is None:
            return
        node, started = running
        self.seconds[node] += now - started
        if suspended:
            self.suspended[id(frame)] = node

    # -- the record ------------------------------------------------------------------
    def as_json(self) -> dict[str, object]:
        others = [list(key) for key, _ in sorted(self.others.items(), key=lambda item: item[1])]
        return {
            "codes": self.recorded,
            "others": others,
            "nodes": [
                [self.parent[i], self.site[i], self.code[i], self.via[i], self.count[i], self.seconds[i]]
                for i in range(len(self.parent))
            ],
            "lines": [sorted(lines) for lines in self.lines],
        }


# -- the engine before 3.12: sys.settrace ------------------------------------------------
def _opcode(name: str) -> int:
    import dis

    return dis.opmap.get(name, -1)


class SettraceEngine:
    """``sys.settrace``: the global function sees every call; only frames of recorded
    code get a local function (lines, returns), every other frame gets ``None``."""

    name = "sys.settrace"

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.resume = _opcode("RESUME")
        self.yield_value = _opcode("YIELD_VALUE")
        self.local: list[object] = []  # by code index: its local trace function

    def _local_for(self, index: int) -> object:
        while len(self.local) <= index:
            self.local.append(self._make_local(len(self.local)))
        return self.local[index]

    def _make_local(self, index: int) -> object:
        recorder = self.recorder
        add = recorder.lines[index].add
        generator = recorder.generator[index]
        yield_value = self.yield_value
        clock = time.perf_counter

        def local(frame, event, arg):  # type: ignore[no-untyped-def]
            if event == "line":
                add(frame.f_lineno)
            elif event == "return":
                suspended = generator and frame.f_code.co_code[frame.f_lasti] == yield_value
                recorder.leave(frame, clock(), suspended)
            return local

        return local

    def _global(self, frame, event, arg):  # type: ignore[no-untyped-def]
        if event != "call":
            return None
        recorder = self.recorder
        code = frame.f_code
        index = recorder.codes.get(code)
        if index is None:
            index = recorder.learn(code)
        if index < 0:
            return None
        node = None
        if recorder.generator[index] and not self._fresh(frame):
            node = recorder.suspended.pop(id(frame), None)
        if node is None:
            node = recorder.enter(frame, index)
        recorder.running[id(frame)] = (node, time.perf_counter())
        return self._local_for(index)

    def _fresh(self, frame: object) -> bool:
        """Whether a generator's frame starts (not resumes): before 3.11 its last
        instruction is -1, from 3.11 on it is the ``RESUME 0`` of its start."""
        lasti = frame.f_lasti  # type: ignore[attr-defined]
        if lasti < 0:
            return True
        code = frame.f_code.co_code  # type: ignore[attr-defined]
        return self.resume >= 0 and code[lasti] == self.resume and code[lasti + 1] == 0

    def start(self) -> None:
        import threading

        threading.settrace(self._global)
        sys.settrace(self._global)

    def stop(self) -> None:
        import threading

        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type,unused-ignore]


# -- the engine from 3.12 on: sys.monitoring ---------------------------------------------
class MonitoringEngine:
    """``sys.monitoring``: a function's start is seen once per code object before it is
    known to be recorded or not (others are then disabled); recorded code gets its lines
    (each reported once), returns, yields and resumes as local events."""

    name = "sys.monitoring"

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.monitoring = sys.monitoring  # type: ignore[attr-defined]
        self.tool = -1

    def start(self) -> None:
        mon = self.monitoring
        events = mon.events
        for tool in (mon.PROFILER_ID, 5, 4, 3):
            if mon.get_tool(tool) is None:
                mon.use_tool_id(tool, "codewalk trace")
                self.tool = tool
                break
        else:
            raise RuntimeError("every sys.monitoring tool id is taken")
        recorder = self.recorder
        disable = mon.DISABLE
        getframe = sys._getframe
        clock = time.perf_counter
        local_events = events.LINE | events.PY_RETURN | events.PY_YIELD | events.PY_RESUME
        tool = self.tool

        def on_start(code, offset):  # type: ignore[no-untyped-def]
            index = recorder.codes.get(code)
            if index is None:
                index = recorder.learn(code)
                if index >= 0:
                    mon.set_local_events(tool, code, local_events)
            if index < 0:
                return disable
            frame = getframe(1)
            recorder.running[id(frame)] = (recorder.enter(frame, index), clock())
            return None

        def on_resume(code, offset):  # type: ignore[no-untyped-def]
            frame = getframe(1)
            node = recorder.suspended.pop(id(frame), None)
            if node is not None:
                recorder.running[id(frame)] = (node, clock())

        def on_return(code, offset, value):  # type: ignore[no-untyped-def]
            recorder.leave(getframe(1), clock(), False)

        def on_yield(code, offset, value):  # type: ignore[no-untyped-def]
            recorder.leave(getframe(1), clock(), True)

        def on_unwind(code, offset, exception):  # type: ignore[no-untyped-def]
            if recorder.codes.get(code, -1) >= 0:
                recorder.leave(getframe(1), clock(), False)

        def on_line(code, line):  # type: ignore[no-untyped-def]
            index = recorder.codes.get(code, -1)
            if index >= 0:
                recorder.lines[index].add(line)
            return disable

        for event, callback in (
            (events.PY_START, on_start),
            (events.PY_RESUME, on_resume),
            (events.PY_RETURN, on_return),
            (events.PY_YIELD, on_yield),
            (events.PY_UNWIND, on_unwind),
            (events.LINE, on_line),
        ):
            mon.register_callback(tool, event, callback)
        mon.set_events(tool, events.PY_START | events.PY_UNWIND)

    def stop(self) -> None:
        if self.tool < 0:
            return
        mon = self.monitoring
        mon.set_events(self.tool, 0)
        for code, index in self.recorder.codes.items():
            if index >= 0:
                mon.set_local_events(self.tool, code, 0)
        mon.free_tool_id(self.tool)
        self.tool = -1


def engine_for(recorder: Recorder) -> SettraceEngine | MonitoringEngine:
    if sys.version_info >= (3, 12) and os.environ.get("CODEWALK_TRACE_ENGINE") != "settrace":
        return MonitoringEngine(recorder)
    return SettraceEngine(recorder)


# -- the packages, found without importing them ------------------------------------------
def locate(packages: list[tuple[str, str]]) -> dict[str, dict[str, object]]:
    """Where each import root is on ``sys.path`` (its directories), and the installed
    version of the distribution that provides it, read from its metadata."""
    import importlib.machinery
    import json

    found: dict[str, dict[str, object]] = {}
    for root, dist in packages:
        entry: dict[str, object] = {"dist": dist, "dirs": [], "version": None, "editable": False}
        spec = importlib.machinery.PathFinder.find_spec(root)
        if spec is not None:
            locations = list(spec.submodule_search_locations or [])
            if not locations and spec.origin:
                locations = [os.path.dirname(spec.origin)]  # a single-file module
            entry["dirs"] = [os.path.abspath(d) for d in locations]
        try:
            from importlib import metadata

            distribution = metadata.distribution(dist)
            entry["version"] = distribution.version
            direct = distribution.read_text("direct_url.json")
            if direct:
                entry["editable"] = bool(json.loads(direct).get("dir_info", {}).get("editable"))
        except Exception:  # not installed, or metadata that cannot be read: said as no version
            pass
        found[root] = entry
    return found


def imported_from(roots: list[str]) -> dict[str, list[str]]:
    """Where the program really imported each root from (it may have changed sys.path)."""
    out: dict[str, list[str]] = {}
    for root in roots:
        module = sys.modules.get(root)
        path = getattr(module, "__path__", None) if module is not None else None
        if path is not None:
            out[root] = [os.path.abspath(p) for p in path]
        elif module is not None and isinstance(getattr(module, "__file__", None), str):
            out[root] = [os.path.dirname(os.path.abspath(str(module.__file__)))]
    return out


# -- running the program -----------------------------------------------------------------
class Run:
    """One recorded run: the program, how it ended, the record written at exit."""

    def __init__(self, out: str, packages: list[tuple[str, str]], module: bool, target: str, args: list[str]):
        self.out = out
        self.module = module
        self.target = target
        self.args = args
        self.roots = [root for root, _ in packages]
        self.located = locate(packages)
        dirs = [d for entry in self.located.values() for d in entry["dirs"]]  # type: ignore[attr-defined]
        self.recorder = Recorder(dirs)
        self.engine = engine_for(self.recorder)
        self.status = 0
        self.ended = "returned"  # returned | exit | exception | interrupted
        self.error = ""
        self.started = time.time()
        self.clock = time.perf_counter()
        self.seconds = 0.0
        self.written = False

    def run(self) -> None:
        import atexit
        import runpy

        atexit.register(self.write)
        skipped = {os.path.abspath(__file__), runpy.__file__, "<frozen runpy>"}
        self.engine.start()
        try:
            if self.module:
                runpy.run_module(self.target, run_name="__main__", alter_sys=True)
            elif os.path.isfile(self.target):
                run_script(self.target)
            else:  # a directory or a zip file with a __main__.py
                runpy.run_path(self.target, run_name="__main__")
        except SystemExit as exit_:
            self.ended = "exit"
            code = exit_.code
            self.status = code if isinstance(code, int) else (0 if code is None else 1)
            self.finish()
            raise
        except BaseException as error:  # the program's: its traceback, as python prints it
            self.finish()
            self.ended = "interrupted" if isinstance(error, KeyboardInterrupt) else "exception"
            self.error = f"{type(error).__name__}: {error}"[:2000]
            self.status = 130 if isinstance(error, KeyboardInterrupt) else 1
            tb = error.__traceback__
            while tb is not None and tb.tb_frame.f_code.co_filename in skipped:
                tb = tb.tb_next
            sys.excepthook(type(error), error.with_traceback(tb), tb)
            raise SystemExit(self.status) from None  # the record is written at exit
        self.finish()

    def finish(self) -> None:
        """The run is over: nothing more is recorded (the interpreter's shutdown is not
        the program's)."""
        if not self.seconds:
            self.engine.stop()
            now = time.perf_counter()
            self.seconds = now - self.clock
            for node, started in self.recorder.running.values():  # frames of threads still running
                self.recorder.seconds[node] += now - started
            self.recorder.running.clear()

    def write(self) -> None:
        import json

        if self.written:
            return
        self.written = True
        self.finish()
        with contextlib.suppress(Exception):  # the program may have closed its stdout
            sys.stdout.flush()
        record = {
            "format": FORMAT,
            "engine": self.engine.name,
            "python": sys.version.split()[0],
            "executable": sys.executable,
            "program": [self.target, *self.args],
            "module": self.module,
            "cwd": os.getcwd(),
            "started": self.started,
            "seconds": self.seconds,
            "ended": self.ended,
            "status": self.status,
            "error": self.error,
            "packages": self.located,
            "imported_from": imported_from(self.roots),
            **self.recorder.as_json(),
        }
        partial = f"{self.out}.part"
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(record, handle, separators=(",", ":"))
        os.replace(partial, self.out)


def run_script(target: str) -> None:
    """Run a script file as ``python SCRIPT`` does: as ``__main__``, its ``__file__`` and
    its code's file name absolute, ``sys.argv[0]`` as given."""
    import importlib.machinery
    import io
    import types

    path = os.path.abspath(target)
    with io.open_code(path) as handle:
        source = handle.read()
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
    module.__builtins__ = __builtins__  # type: ignore[attr-defined]
    module.__cached__ = None  # type: ignore[attr-defined]
    module.__spec__ = None
    sys.modules["__main__"] = module
    exec(compile(source, path, "exec", dont_inherit=True), module.__dict__)


def parse(argv: list[str]) -> tuple[str, list[tuple[str, str]], bool, str, list[str]]:
    out = ""
    packages: list[tuple[str, str]] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--out" and index + 1 < len(argv):
            out = argv[index + 1]
            index += 2
        elif arg == "--package" and index + 1 < len(argv):
            root, _, dist = argv[index + 1].partition("=")
            packages.append((root, dist or root))
            index += 2
        elif arg == "--":
            index += 1
            break
        else:
            break
    rest = argv[index:]
    if not out or not rest or (rest[0] == "-m" and len(rest) < 2):
        raise SystemExit(
            "usage: recorder.py --out FILE [--package ROOT=DIST ...] (SCRIPT | -m MODULE) [ARGS...]"
        )
    if rest[0] == "-m":
        return out, packages, True, rest[1], rest[2:]
    return out, packages, False, rest[0], rest[1:]


def main() -> None:
    out, packages, module, target, args = parse(sys.argv[1:])
    if module:
        sys.argv = [target, *args]  # runpy puts the module's file in argv[0]
        sys.path[0] = os.getcwd()
    else:
        sys.argv = [target, *args]
        sys.path[0] = os.path.dirname(os.path.abspath(target))
    Run(out, packages, module, target, args).run()


if __name__ == "__main__":
    main()
