"""Running a program under the recorder: in the reader's interpreter, its streams and
exit status passed through, the recorder's JSON read back.

The recorder (``recorder.py``, beside this file) is started as a file, so it needs
nothing of codewalk in that interpreter. While the program runs, codewalk ignores ctrl+c
(the program gets it, as it would in a shell, and the record it leaves is still read),
and passes SIGTERM and SIGHUP on to it; the program never outlives codewalk. Its exit
status is the program's (128 + N when a signal N ended it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from codewalk import locations
from codewalk.errors import TraceError, system_words
from codewalk.locations import TooLarge, read_limited
from codewalk.visible import visible

RECORDER = Path(__file__).with_name("recorder.py")
RECORD_FORMAT = 3  # recorder.FORMAT, which codewalk never imports (it is the reader's)
RECORD_LIMIT = 512 << 20


class Ran(NamedTuple):
    status: int  # the program's exit status
    record: dict[str, Any] | None  # what the recorder wrote; None when it wrote nothing
    problem: str  # why there is no record, in words


def command(
    python: str, out: str, packages: Sequence[tuple[str, str]], program: Sequence[str], module: bool
) -> list[str]:
    """The command line that runs ``program`` (a script and its arguments, or a module's
    name and its arguments) under the recorder."""
    argv = [python, str(RECORDER), "--out", out]
    for root, dist in packages:
        argv += ["--package", f"{root}={dist}"]
    argv.append("--")
    return [*argv, *(("-m",) if module else ()), *program]


def record(
    python: str,
    packages: Sequence[tuple[str, str]],
    program: Sequence[str],
    *,
    module: bool,
    stdout: TextIO | int | None = None,
) -> Ran:
    """Run ``program`` under the recorder with ``python`` (its output on ``stdout``,
    default codewalk's own); raises TraceError when the interpreter cannot be started."""
    if not module and not (locations.is_file(Path(program[0])) or locations.is_dir(Path(program[0]))):
        raise TraceError(f"{program[0]}: no such program file or directory")
    with tempfile.TemporaryDirectory(prefix="codewalk-trace-") as scratch:
        out = os.path.join(scratch, "record.json")
        try:
            child = subprocess.Popen(command(python, out, packages, program, module), stdout=stdout)
        except OSError as error:
            raise TraceError(
                f"{python}: cannot run it: {system_words(error)}",
                hint="--python PY names another interpreter",
            ) from None
        try:
            code = _wait(child)
        finally:
            if child.poll() is None:  # codewalk itself failed: the program goes with it
                child.kill()
                child.wait()
        status = 128 - code if code < 0 else code
        data, problem = _read(out)
        return Ran(status, data, problem or _nothing_written(python, code))


_PASSED_ON = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _wait(child: subprocess.Popen[bytes]) -> int:
    """The program's exit code, ctrl+c left to it, SIGTERM and SIGHUP passed on to it."""

    def pass_on(signum: int, _frame: object) -> None:
        child.send_signal(signum)

    previous = {signum: signal.signal(signum, pass_on) for signum in _PASSED_ON}
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.SIG_IGN)  # ctrl+c: the program's
    try:
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _nothing_written(python: str, code: int) -> str:
    """Why the recorder wrote nothing, from how the interpreter ended (``code``)."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"{name} ended the program before the recorder could write"
    return (
        f"{python} exited with status {code} and the recorder never wrote: os._exit in the "
        "program, or an interpreter that cannot run the recorder (Python 3.10 or later)"
    )


def _read(out: str) -> tuple[dict[str, Any] | None, str]:
    try:
        data = json.loads(read_limited(Path(out), RECORD_LIMIT))
    except FileNotFoundError:
        return None, ""
    except (OSError, ValueError, TooLarge) as error:
        return None, visible(f"the recorder's output cannot be read: {error}")
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
        return None, "the recorder wrote another format than this codewalk reads"
    return data, ""
