"""Records what a program runs in the pinned packages' files: run by codewalk as a file,
in the reader's own interpreter (any Python >= 3.10), where codewalk is not installed.

    PY recorder.py --out FILE [--package ROOT=DIST ...] SCRIPT [ARGS...]
    PY recorder.py --out FILE [--package ROOT=DIST ...] -m MODULE [ARGS...]

It imports nothing but the standard library and nothing of codewalk. The program runs
through ``runpy`` as ``python SCRIPT`` (or ``python -m MODULE``) would run it: the same
``sys.argv``, ``__main__`` and ``sys.path[0]``; its stdout, stderr and stdin are the
recorder's own; an exception prints its traceback and exits 1, ``sys.exit(3)`` exits 3,
ctrl+c exits 130. The record is written when the interpreter exits (after the program's
threads are joined), whatever the program did, and says how it ended; a child the
program forks records nothing and never writes it. SIGTERM and SIGHUP, which would end
the interpreter before it writes, write the record first (unless the program handles them
itself), then end the program as they would have.

What is recorded, for frames whose code lives in the files of the ``--package`` import
roots (found on the program's ``sys.path`` without importing them):

- a calling-context tree of those functions: each node a function called from its
  nearest recorded caller at a call-site line, with a count and inclusive seconds; a call
  that passed through frames of other code (torch's ``Module.__call__``) names the first
  of them (``via``) and the others after it (``between``); a call from outside every
  recorded package is a root, naming the frame it came from (one per line of each frame
  above it: a node per statement of the program), past the wrappers of other code it
  went through (``passed``: a frame whose closure holds the function it calls, as
  torch.no_grad's does, or a method of the object whose method it calls, as torch's
  ``Module.__call__`` is);
- the program's own code called beneath a recorded call (a callback of the program's
  the pinned code calls: a ``LogitsProcessor``, a ``TrainerCallback``): the files under
  the program's directory (``own_dir``: the script's, for ``-m`` the current directory
  and the module's top package wherever it is imported from: ``own_dirs``)
  that are neither an installed package's nor the interpreter's, and a model's code
  transformers loaded as remote code (its copy under a ``transformers_modules``
  directory), as nodes like the pinned code's (``own``: their code indices); the
  program's own calls of its functions, with no recorded call beneath them, are not
  recorded;
- which roots were called inside an import of code not the program's (``imported``: an
  import machinery's frame above them, as torch's import running ``inspect``), and which
  the program's own code called (``direct``: not other code calling back);
- how many calls of each node ended by an exception (``raised``);
- where a recorded function's own ``import`` statement loaded a module not imported yet
  (``imports``: its node, line and the module's name), whose time is in that call's;
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
import signal
import sys
import time
from typing import Any

FORMAT = 3  # of what this file writes; codewalk reads it back (traces/run.py)
# The audit events of a process starting: its code never reaches the record (a forked
# child's recording stops, another program is not recorded), so the record says where.
PROCESS_EVENTS = frozenset(
    ("os.fork", "os.forkpty", "subprocess.Popen", "os.posix_spawn", "os.spawn", "os.system")
)


RECORDING = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recording.py")


def _recording() -> Any:
    """``recording.py`` beside this file, loaded by its path under a name no program uses
    (this file runs as a script: its directory is not a package on ``sys.path``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_codewalk_trace_recording", RECORDING)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
        if spec is not None:  # a package's directories (a single-file module has none: not recorded)
            entry["dirs"] = [os.path.abspath(d) for d in spec.submodule_search_locations or []]
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


def own_dir(module: bool, target: str) -> str:
    """The directory of the program's own files: the one Python puts first on
    ``sys.path`` for it (the script's; a directory or zip file run as a program itself;
    for ``-m``, the current directory)."""
    import zipfile

    if module:
        return os.getcwd()
    path = os.path.abspath(target)
    if os.path.isdir(path) or zipfile.is_zipfile(path):
        return path
    return os.path.dirname(path)


def own_dirs(module: bool, target: str, pinned: list[str]) -> list[list[str]]:
    """Each directory of the program's own files, with the directory its modules are named
    from: :func:`own_dir`, and for ``-m`` the module's top package too, found as runpy
    finds it (without importing it: a package on ``PYTHONPATH``, or installed editable,
    run from another directory), its modules named from the directory it is in; a
    single-file module, the directory it is in (the modules beside it, as a script's).
    A pinned package's is not the program's (it is recorded anyway), nor one no file of
    which the recorder takes for the program's (``-m cProfile``'s, the interpreter's;
    ``-m pytest``'s, an installed package's): code there calling the pins back is not the
    program."""
    first = own_dir(module, target)
    found = [[first, first]]
    top = target.partition(".")[0]
    if not module or not top or top in pinned:
        return found
    import importlib.util

    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):  # runpy says why, as python -m would
        return found
    if spec is None:
        return found
    if spec.submodule_search_locations:  # a package (a namespace package's every part)
        dirs = [os.path.abspath(d) for d in spec.submodule_search_locations]
        found += [[d, os.path.dirname(d)] for d in dirs if d != first and _may_be_own(d)]
    elif spec.origin and os.path.isfile(spec.origin):
        where = os.path.dirname(os.path.abspath(spec.origin))
        if where != first and _may_be_own(where):
            found.append([where, where])
    return found


def _may_be_own(directory: str) -> bool:
    """Whether files under ``directory`` may be the program's own: it is neither an
    installed package's nor under :func:`outside_dirs` (as ``Recorder._own`` tells a file)."""
    parts = directory.split(os.sep)
    inside = os.path.join(directory, "")
    return (
        "site-packages" not in parts
        and "dist-packages" not in parts
        and not inside.startswith(tuple(os.path.join(d, "") for d in outside_dirs()))
    )


def outside_dirs() -> tuple[str, ...]:
    """Where no file is the program's own, though it may be under its directory: the
    interpreter's (a virtualenv made beside the script), and the recorder's."""
    found = {os.path.abspath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    found.add(os.path.dirname(os.path.abspath(__file__)))
    return tuple(sorted(found))


# -- running the program -----------------------------------------------------------------
class Run:
    """One recorded run: the program, how it ended, the record written at exit."""

    def __init__(self, out: str, packages: list[tuple[str, str]], module: bool, target: str, args: list[str]):
        self.out = out
        self.pid = os.getpid()  # a forked child is not this run: it never writes the record
        self.cwd = os.getcwd()  # where the program started (relative paths in it are from here)
        self.module = module
        self.target = target
        self.args = args
        self.roots = [root for root, _ in packages]
        self.located = locate(packages)
        dirs = [d for entry in self.located.values() for d in entry["dirs"]]  # type: ignore[attr-defined]
        recording = _recording()
        self.own = own_dirs(module, target, self.roots)
        self.recorder = recording.Recorder(dirs, tuple(d for d, _ in self.own), outside_dirs())
        self.engine = recording.engine_for(self.recorder)
        self.status = 0
        self.ended = "returned"  # returned | exit | exception | interrupted | terminated
        self.error = ""
        self.started = time.time()
        self.clock = time.perf_counter()
        self.seconds = 0.0
        self.written = False
        self.terminating = False  # a signal is ending the run: the record is being written

    def run(self) -> None:
        import atexit
        import runpy
        import zipfile

        atexit.register(self.write)
        for name in ("SIGTERM", "SIGHUP"):
            signum = getattr(signal, name, None)
            if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
                signal.signal(signum, self.terminated)
        if hasattr(os, "register_at_fork"):  # POSIX
            os.register_at_fork(after_in_child=self.forked)
        sys.addaudithook(self.audited)
        skipped = {os.path.abspath(__file__), RECORDING, runpy.__file__, "<frozen runpy>"}
        self.engine.start()
        try:
            if self.module:
                runpy.run_module(self.target, run_name="__main__", alter_sys=True)
            elif os.path.isfile(self.target) and not zipfile.is_zipfile(self.target):
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
            said = str(error)  # as Python's traceback says it: the name alone when there is no message
            self.error = (f"{type(error).__name__}: {said}" if said else type(error).__name__)[:2000]
            self.status = 130 if isinstance(error, KeyboardInterrupt) else 1
            tb = programs_traceback(error.__traceback__, skipped)
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

    def audited(self, event: str, _args: tuple[object, ...]) -> None:
        """Python's audit hook: a process the program starts while it is recorded is
        counted where it started, and so is an ``import`` statement of a recorded function
        loading a module (``import torch``). It never raises: that would fail the program's
        call."""
        if event in PROCESS_EVENTS and not self.seconds and os.getpid() == self.pid:
            with contextlib.suppress(Exception):
                self.recorder.started_process(sys._getframe(1))
        elif event == "import" and self.recorder.running and not self.seconds:
            with contextlib.suppress(Exception):  # the frame of the import statement (C code has none)
                self.recorder.importing(sys._getframe(1), str(_args[0]))

    def terminated(self, signum: int, _frame: object) -> None:
        """SIGTERM or SIGHUP, which the program left to end it (``timeout 60 codewalk trace
        ...``): what ran until then is written, then the signal ends the program as it
        would have (a forked child writes nothing, and ends the same way). The same signal
        again meanwhile is ignored: ``timeout`` signals codewalk's process group, and
        codewalk passes the signal on too."""
        if self.terminating:  # it came again while the trace is written
            return
        self.terminating = True
        try:
            if os.getpid() == self.pid:
                self.ended, self.status = "terminated", 128 + signum
                self.write()
        finally:  # ended as the signal would have, written or not
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    def forked(self) -> None:
        """In a child the program forked (a daemon, a DataLoader worker): nothing more
        is recorded there, and the record stays the parent's to write."""
        self.engine.stop()

    def write(self) -> None:
        import json

        if self.written or os.getpid() != self.pid:
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
            "cwd": self.cwd,
            "started": self.started,
            "seconds": self.seconds,
            "ended": self.ended,
            "status": self.status,
            "error": self.error,
            "packages": self.located,
            "own_dir": self.own[0][0],
            "own_dirs": self.own,
            "imported_from": imported_from(self.roots),
            **self.recorder.as_json(),
        }
        partial = f"{self.out}.{self.pid}.part"
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(record, handle, separators=(",", ":"))
        os.replace(partial, self.out)


def programs_traceback(tb: Any, skipped: set[str]) -> Any:
    """``tb`` without the recorder's frames (of the files ``skipped``): those it starts
    with (runpy's, this file's), and those it ends with (a ctrl+c that lands in the
    recorder's trace function)."""
    while tb is not None and tb.tb_frame.f_code.co_filename in skipped:
        tb = tb.tb_next
    last = None  # the last frame of the program's
    here = tb
    while here is not None:
        if here.tb_frame.f_code.co_filename not in skipped:
            last = here
        here = here.tb_next
    if last is not None:
        last.tb_next = None
    return tb


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
