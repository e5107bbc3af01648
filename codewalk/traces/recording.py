"""What the recorder keeps while a program runs, and the two engines that feed it: the
calling-context tree of the recorded functions, their executed lines, and the hooks of
``sys.monitoring`` (Python 3.12+) or ``sys.settrace`` (before).

Like ``recorder.py``, which loads it by its path, this file imports only the standard
library and nothing of codewalk: it runs in the reader's interpreter.
"""

from __future__ import annotations

import ast
import contextlib
import os
import sys
import time
import tokenize
import types
import warnings
import weakref
from _thread import RLock, get_ident
from collections.abc import Callable
from typing import Any, NamedTuple

# the package transformers imports a model's remote code as, under HF_MODULES_CACHE
REMOTE = "transformers_modules"
# a live frame's key in ``running`` and ``suspended``: its hash, which for a frame is its
# address (rotated), as unique among the live frames as ``id()``; ``id()`` is an audited
# event, each call of which runs every audit hook (the recorder's own, the program's)
_key = hash
# a code object's key in ``codes``: its identity (its address, as ``_key`` a frame's), as
# ``id()`` would be without the audit event. Code objects compare equal when only their
# file differs (an empty ``__init__.py`` is one in every package, a function copied into
# another package is another), and hashing one hashes its constants, nested codes and all
_ident = object.__hash__
# the import machinery's files: a frame of theirs is an import under way
_IMPORTLIB = ("<frozen importlib.", "importlib/_bootstrap.py", "importlib/_bootstrap_external.py")
# a code of concurrent.futures' thread pool that the recorder watches (in ``codes``, where
# -1 is code not recorded): a work item's ``__init__`` and ``run``
POOL = -2
_POOL_FILE = "concurrent/futures/thread.py"
_FUTURES = "/concurrent/futures/"  # the package's files: a submission's frames (Executor.map's too)
# the end of a pool's task's key in ``children``: never the line of a frame above
TASK = -3


class Submission(NamedTuple):
    """Where a pool's work item was submitted: the node of the recorded call that
    submitted it (0: the program's statement, a root's place) and its line, the frame of
    other code its call went through first (``via``; for a root, the frame that called),
    for a root the lines of the frames above (as a root's key has them), the pool's frames
    after ``via`` (in ``others``), and whether the program's own code submitted it."""

    parent: int
    line: int
    via: int
    above: tuple[int | None, ...]
    through: tuple[int, ...]
    program: bool


class Recorder:
    """The tree and the lines, as the program runs; one per process."""

    def __init__(self, dirs: list[str], own: tuple[str, ...] = (), outside: tuple[str, ...] = ()) -> None:
        self.prefixes = tuple(os.path.join(d, "") for d in dirs)
        # held while an index is given and its rows made (a code's, a node's, another
        # code's frame): the program's threads record at once, and a thread switch between
        # taking ``len`` and appending gave two of them one index
        self.making = RLock()
        # the program's own files: under ``own`` (its directory), not under ``outside``
        # (installed packages, the interpreter's, the recorder's); recorded only when a
        # recorded call is running beneath them (a callback the pinned code calls)
        self.own_prefixes = tuple(os.path.join(d, "") for d in own)
        self.outside = tuple(os.path.join(d, "") for d in outside)
        self.own: list[bool] = []  # by code index: the program's own code
        # _ident(code object) -> index in ``recorded``, -1 elsewhere; each code looked at
        # kept alive in ``learnt`` (its key is its address: no other code may take it)
        self.codes: dict[int, int] = {}
        self.learnt: list[object] = []
        self.recorded: list[list[object]] = []  # [filename, qualname, first line]
        self.generator: list[bool] = []  # by code index: a generator or coroutine
        self.closure: list[bool] = []  # by code index: a function with free variables
        self.wraps: list[tuple[int, int]] = []  # (wrapper, wrapped) code indices, as they ran
        self.checked: set[tuple[int, int]] = set()  # (caller, callee) pairs looked at for wraps
        # (root node, index in ``others``): a wrapper of other code that the program's call
        # of a root went through (torch.no_grad's), outermost first
        self.passed: list[tuple[int, int]] = []
        # (node, index in ``others``): the frames of other code a call went through after
        # its ``via`` (torch's ``_call_impl`` after ``_wrapped_call_impl``), outermost first,
        # as the node's first call went (its calls are one node by their first frame)
        self.between: list[tuple[int, int]] = []
        self.unwrapping: dict[tuple[object, object], bool] = {}  # (code, called code) -> it wraps it
        self.lines: list[set[int]] = []  # by code index
        self.others: dict[tuple[str, str, int], int] = {}  # a frame of other code -> its index
        # the tree: node 0 is the program; parallel lists, for speed
        self.parent: list[int] = [-1]
        self.site: list[int] = [0]  # the caller's line
        self.code: list[int] = [-1]
        self.via: list[int] = [-1]  # index in ``others``, -1 when the caller called it directly
        self.count: list[int] = [0]
        self.seconds: list[float] = [0.0]
        self.raised: list[int] = [0]  # the calls that ended by an exception
        # (parent, line, code, via) -> node; a root's key adds the lines of the frames above
        # the one that called it, up to the program's top: each statement of the program
        # has its own calls (the calls of a loop's statement are one node)
        self.children: dict[tuple[int | None, ...], int] = {}
        self.running: dict[int, tuple[int, float]] = {}  # _key(frame) -> (node, started)
        self.suspended: dict[int, int] = {}  # _key(generator frame) -> node
        # (node, line) -> processes the program started there (a fork, a subprocess): what
        # runs in them is never recorded; node 0 line 0: from outside the recorded code
        self.processes: dict[tuple[int, int], int] = {}
        # (node, line, module) -> the imports a recorded function's own statement started
        # there, of a module not imported yet (``import torch`` inside a function): the
        # time the module took to load is in that call's
        self.imports: dict[tuple[int, int, str], int] = {}
        # the roots called inside an import (a module's code running, or the import
        # machinery asking a lazy module): work an import did, whoever's frame called them
        self.imported: list[int] = []
        # the roots the program's own code called (a statement of its script, a helper of
        # its own, a model's remote code), not other code calling back (``copy.deepcopy``)
        self.direct: list[int] = []
        self.names = _Qualnames()  # before 3.11, a wrapper's qualified name read from its file
        self.name_lines = _NameLines()  # 3.11 on, the line of a module's function called over lines
        # a thread pool's tasks (concurrent.futures): each work item's submission, by its
        # hash, as :meth:`submitting` found it, until it runs or is dropped unrun (cancelled
        # by ``shutdown(cancel_futures=True)``: its weak reference's callback forgets it);
        # and in each worker thread, by its ident, the key of the frame running its work
        # item (no frame kept alive) with its submission
        self.submitted: dict[int, tuple[Submission, object]] = {}
        self.tasks: dict[int, tuple[int, Submission]] = {}

    def qualname_of(self, code: object) -> str | None:
        """``code``'s qualified name: its ``co_qualname`` (3.11 on), else as its file says,
        read once (None where it cannot be)."""
        known = getattr(code, "co_qualname", None)
        if known is not None:
            return str(known)
        return self.names.found(code.co_filename, code.co_name, code.co_firstlineno)  # type: ignore[attr-defined]

    # -- what is recorded ------------------------------------------------------------
    def learn(self, code: object) -> int:
        """The index of ``code`` if it lives in a recorded file (a pinned package's or the
        program's own), else -1 (kept)."""
        filename = getattr(code, "co_filename", "")
        recorded, own = self._recorded(filename)
        if not (recorded or own):
            self.learnt.append(code)
            found = self.codes[_ident(code)] = POOL if _pools(code) else -1
            return found
        qualname = getattr(code, "co_qualname", None) or code.co_name  # type: ignore[attr-defined]
        with self.making:
            known = self.codes.get(_ident(code))  # learnt by another thread meanwhile
            if known is not None:
                return known
            index = len(self.recorded)
            self.own.append(own)
            self.recorded.append([filename, qualname, code.co_firstlineno])  # type: ignore[attr-defined]
            self.generator.append(bool(code.co_flags & 0x2A0))  # type: ignore[attr-defined]
            self.closure.append(bool(code.co_freevars))  # type: ignore[attr-defined]
            self.lines.append(set())
            self.learnt.append(code)
            self.codes[_ident(code)] = index
        return index

    def _recorded(self, filename: str) -> tuple[bool, bool]:
        """Whether the code of file ``filename`` is recorded: a pinned package's, the
        program's own."""
        recorded = filename.startswith(self.prefixes)
        own = False
        if not recorded and filename and not filename.startswith("<"):
            real = os.path.realpath(filename)
            recorded = real.startswith(self.prefixes)
            own = not recorded and self._own(filename, real)
        return recorded, own

    def passed_over(self, module_file: str) -> bool:
        """Whether the code of a module whose ``__file__`` is ``module_file`` is none the
        recorder records or watches, as its functions' file is the module's (a code of
        another file running in its globals, @dataclass's ``__init__``, is learnt by its
        code: not passed over here)."""
        if module_file.startswith("<"):
            return False
        return self._recorded(module_file) == (False, False) and not _pool_file(module_file)

    def _own(self, filename: str, real: str) -> bool:
        """Whether a file that is no pinned package's is the program's own: under its
        directory, and neither an installed package's nor the interpreter's; or a model's
        own code that transformers loaded as remote code (``trust_remote_code=True``: its
        copy of the model's files under ``HF_MODULES_CACHE``, in a ``transformers_modules``
        directory wherever the program put that), which runs as the program's does."""
        if REMOTE in filename.split(os.sep)[:-1]:
            return True
        if not self.own_prefixes:
            return False
        for name in (filename, real):
            if name.startswith(self.own_prefixes) and not name.startswith(self.outside):
                parts = name.split(os.sep)
                return "site-packages" not in parts and "dist-packages" not in parts
        return False

    def other(self, frame: object) -> int:
        code = frame.f_code  # type: ignore[attr-defined]
        key = (code.co_filename, getattr(code, "co_qualname", None) or code.co_name, code.co_firstlineno)
        found = self.others.get(key)
        if found is None:
            with self.making:
                found = self.others.setdefault(key, len(self.others))
        return found

    def enter(self, frame: object, index: int) -> int:
        """The node of a new call of recorded function ``index`` in ``frame``; -1 for the
        program's own code called where no recorded call is running (the program itself,
        which the roots' places already say): not recorded."""
        own = self.own
        caller = frame.f_back  # type: ignore[attr-defined]
        running = self.running.get(_key(caller)) if caller is not None else None  # the caller's call
        first = None  # the outermost frame of other code between the caller and ``frame``
        if running is None:  # not called by a recorded call that is running: looked for
            if own[index] and self._unrecorded(caller):
                return -1
            caller, first, running = self._recorded_caller(caller)
            if caller is None and own[index]:
                return -1
        task = self._task(frame) if caller is None and self.tasks else None
        if task is not None:  # a pool's task: under the statement that submitted it
            return self._task_node(frame, index, *task)
        wrappers: list[object] = []
        if caller is None:  # a root: called from the program, or a thread's start
            parent = 0
            back, code, wrappers = self._programs_call(*self.unwrap(frame))
            at = back, code  # the frame the call was made in, and its code
            line = back.f_lineno if back is not None else 0
            via = self.other(back) if back is not None else -1
            key: tuple[int | None, ...] = (parent, line, index, via, *_lines_above(back))
        else:
            parent = running[0] if running is not None else 0
            at = caller, None
            line = caller.f_lineno
            via = self.other(first) if first is not None else -1
            key = (parent, line, index, via)
        node = self.children.get(key)
        if node is None:
            node, made = self._node(frame, index, caller, key, *at)
            if made:  # (not by another thread meanwhile)
                self.passed.extend((node, self.other(wrapper)) for wrapper in wrappers)
                if caller is None and self._importing(frame):
                    self.imported.append(node)
                if caller is None and self._programs(code):
                    self.direct.append(node)
                if first is not None and caller is not None:
                    self.between.extend((node, self.other(other)) for other in _after(frame, first))
        # no lock: with the GIL a thread switches only at some instructions (a call, a
        # jump, a function's start), none of which this read, add and store has in it
        self.count[node] += 1
        return node

    # -- a thread pool's tasks -----------------------------------------------------------
    def pool_event(self, frame: Any) -> None:
        """A frame of ``concurrent.futures``' thread pool that the recorder watches starts:
        a work item made (``_WorkItem.__init__``, in the thread submitting it) or run
        (``_WorkItem.run``, in a worker)."""
        try:
            item = frame.f_locals.get("self")
        except Exception:  # a frame's locals that cannot be read: no task known
            return
        if type(item).__name__ != "_WorkItem":  # the pool's own __init__
            return
        if frame.f_code.co_name == "run":
            submitted = self.submitted.pop(hash(item), None)
            if submitted is not None:
                self.tasks[get_ident()] = (_key(frame), submitted[0])
            else:
                self.tasks.pop(get_ident(), None)
        else:
            key, known = hash(item), self.submitted
            try:  # (held with the submission: once that is popped, no callback is made)
                dropped: object = weakref.ref(item, lambda _item: known.pop(key, None))
            except TypeError:  # a work item that takes no weak reference: kept until it runs
                dropped = None
            known[key] = (self.submitting(frame, self.other(frame.f_back)), dropped)

    def submitting(self, frame: Any, submit: int) -> Submission:
        """Where the work item made in ``frame`` was submitted from: the nearest recorded
        call running above the pool's frames (``submit``: the innermost, ``submit``
        itself), at its line, else the program's statement (a root's place); with the
        pool's frames it went through (``Executor.map``, ``ThreadPoolExecutor.submit``),
        outermost first."""
        through: list[int] = [submit]
        above = frame.f_back.f_back
        while above is not None and _FUTURES in above.f_code.co_filename.replace("\\", "/"):
            if above.f_code.co_name not in _COMPREHENSIONS:
                through.insert(0, self.other(above))
            above = above.f_back
        at = above
        first = None
        while at is not None and _key(at) not in self.running:  # other code between, its outermost
            first, at = at, at.f_back
        if at is not None:
            code = at.f_code
            line = self.name_lines.of(at, code, at.f_lineno)
            outside = (self.other(first), *through) if first is not None else tuple(through)
            return Submission(self.running[_key(at)][0], line, outside[0], (), outside[1:], False)
        if above is None:
            return Submission(0, 0, -1, (), tuple(through), False)
        code = above.f_code
        line = self.name_lines.of(above, code, above.f_lineno)
        above_lines = tuple(_lines_above(above))
        return Submission(0, line, self.other(above), above_lines, tuple(through), self._programs(code))

    def _task(self, frame: Any) -> tuple[object, Submission] | None:
        """The frame of the pool's work item ``frame`` runs under (above it, in its
        thread: its worker's) and its submission, else None."""
        found = self.tasks.get(get_ident())
        if found is None:
            return None
        above = frame.f_back
        while above is not None and _key(above) != found[0]:
            above = above.f_back
        return (above, found[1]) if above is not None else None

    def _task_node(self, frame: Any, index: int, run: object, task: Submission) -> int:
        """The node of a call of recorded ``index`` run as a pool's task (``task``,
        under the work item's frame ``run``): a child of the call that submitted it, at its
        line, through the pool's frames (a root at the program's statement when the
        program submitted it)."""
        key = (task.parent, task.line, index, task.via, *task.above, TASK)
        node = self.children.get(key)
        if node is None:
            node, made = self._node(frame, index, None, key, None, None)
            if made:  # (not by another thread meanwhile)
                run = self.other(run)
                if task.parent:
                    self.between.extend((node, other) for other in (*task.through, run))
                else:
                    self.passed.extend((node, other) for other in (*task.through, run))
                if task.program:
                    self.direct.append(node)
        self.count[node] += 1
        return node

    def _programs_call(self, back: Any, code: Any, wrappers: list[object]) -> tuple[Any, Any, list[object]]:
        """The program's own frame a root was called from through the methods of objects
        of other code (:func:`_machinery`: torch's DataLoader iterator's ``__next__``, its
        fetcher's ``fetch`` calling the collator; a module's ``_call_impl`` running the
        hook accelerate put in its ``forward``), with those frames first among the
        wrappers, and its code; ``back`` (of ``code``) and ``wrappers`` as they are when no
        frame of the program's is above them so (a thread's start, ``copy.deepcopy``, an
        import: other code's functions). Each frame's code is read once (an audited event)."""
        found: list[object] = []
        above, above_code = back, code
        while above is not None:
            known = self.codes.get(_ident(above_code))
            index = self.learn(above_code) if known is None else known
            if index >= 0:  # the program's own code (a recorded caller would have been found)
                if not self.own[index]:
                    break
                return above, above_code, [*reversed(found), *wrappers]
            if not _machinery(above_code):
                break
            found.append(above)
            above = above.f_back
            above_code = above.f_code if above is not None else None
        return back, code, wrappers

    def _programs(self, code: object | None) -> bool:
        """Whether ``code``, of the frame that called a root (past the wrappers of other
        code), is the program's own code, as :meth:`learn` tells it."""
        if code is None:
            return False
        known = self.codes.get(_ident(code))
        index = self.learn(code) if known is None else known
        return index >= 0 and self.own[index]

    def _importing(self, frame: object) -> bool:
        """Whether ``frame`` runs inside an import: the import machinery's frame is above
        it (``importlib._bootstrap``'s), running a module that is not the program's own
        (a module of the program's doing its work as it is imported is the program)."""
        below = frame
        above = frame.f_back  # type: ignore[attr-defined]
        while above is not None:
            filename = above.f_code.co_filename.replace("\\", "/")
            if filename.startswith(_IMPORTLIB[0]) or filename.endswith(_IMPORTLIB[1:]):
                code = below.f_code  # type: ignore[attr-defined]
                known = self.codes.get(_ident(code))
                index = self.learn(code) if known is None else known
                return index < 0 or not self.own[index]
            below, above = above, above.f_back
        return False

    def _unrecorded(self, caller: object | None) -> bool:
        """Whether the program's own code, called in a frame whose caller is ``caller``
        (not a recorded call that is running), is outside every recorded call: not recorded."""
        if caller is not None:
            # called by the program's own code that is not recorded (and is no generator,
            # whose caller changes as it resumes): no recorded call is above that one
            # either, and the stack is not walked again for each call of a loop of its own
            by = self.codes.get(_ident(caller.f_code), -1)  # type: ignore[attr-defined]
            if by >= 0 and self.own[by] and not self.generator[by]:
                return True
        above = caller
        while above is not None and _key(above) not in self.running:
            above = above.f_back  # type: ignore[attr-defined]
        return above is None  # the program's own loop calling its helper: kept cheap

    def _recorded_caller(self, caller: object | None) -> tuple[Any, object | None, Any]:
        """The nearest recorded caller from ``caller`` up (None: none, a root), the
        outermost frame of other code below it, and its running call (None when it is not
        running). The program's own frame counts only when it is running."""
        codes, own, active = self.codes, self.own, self.running
        first = None
        running = None
        while caller is not None:
            code = caller.f_code  # type: ignore[attr-defined]
            known = codes.get(_ident(code))
            found = self.learn(code) if known is None else known
            if found >= 0 and not own[found]:
                break
            first = caller
            caller = caller.f_back  # type: ignore[attr-defined]
            running = active.get(_key(caller)) if caller is not None else None
            if running is not None:
                break
        return caller, first, running

    def _node(
        self, frame: Any, index: int, caller: Any, key: tuple[int | None, ...], at: Any, at_code: Any
    ) -> tuple[int, bool]:
        """The node of the tree for ``key`` (parent, line, code, via, ...), and whether it
        was made here, called from
        frame ``at`` (the caller's, or for a root the program's, whose code ``at_code`` is
        known); the caller's closure looked at for the function it wraps. Another thread
        may have made it meanwhile: it is looked for again as the rows are made, under the
        lock (two threads making one node made two of it, sibling nodes of one call)."""
        if caller is not None:
            at_code = caller.f_code  # (read once: an audited event)
        found = self.codes[_ident(at_code)] if caller is not None else -1  # the caller's code
        if found >= 0 and self.closure[found]:
            self.wrapping(caller, found, frame.f_code, index)
        parent, line, _code, via = key[:4]
        site = self.name_lines.of(at, at_code, line)  # type: ignore[arg-type]  # (before the lock)
        with self.making:
            made = self.children.get(key)
            if made is not None:
                return made, False
            node = len(self.parent)
            self.parent.append(parent)  # type: ignore[arg-type]
            self.site.append(site)
            self.code.append(index)
            self.via.append(via)  # type: ignore[arg-type]
            self.count.append(0)
            self.seconds.append(0.0)
            self.raised.append(0)
            self.children[key] = node  # its rows made: another thread may count its calls
        return node, True

    def unwrap(self, frame: object) -> tuple[Any, Any, list[object]]:
        """The frame that called ``frame``, past the wrappers of other code it was called
        through (a decorator's: torch.no_grad's ``decorate_context``; the object's own
        machinery: torch's ``Module.__call__`` running its ``forward``); those, outermost
        first. A frame of other code is a wrapper when its closure holds the function it
        called, as :meth:`wrapping` tells one of the recorded code, when it runs a
        method of the object whose method it called, or when it starts the generator of a
        ``contextlib.contextmanager`` (:func:`_resumes`). With the frame, its code (each
        frame's read once: an audited event)."""
        called, inner = frame.f_code, frame  # type: ignore[attr-defined]
        back: Any = frame.f_back  # type: ignore[attr-defined]
        wrappers: list[object] = []
        while back is not None:
            code = back.f_code
            if back.f_back is None or not (
                self.wraps_code(back, code, called) or _same_self(back, inner) or _resumes(back, inner)
            ):
                return back, code, wrappers
            wrappers.insert(0, back)
            called, inner, back = code, back, back.f_back
        return None, None, wrappers

    def wraps_code(self, frame: object, own: Any, code: object) -> bool:
        """Whether ``frame`` (of code ``own``)'s closure holds the function of ``code``
        (looked at once per pair of codes)."""
        found = self.unwrapping.get((own, code))
        if found is None:
            found = self.unwrapping[(own, code)] = bool(own.co_freevars) and _holds(
                frame, code, qualname_of=self.qualname_of
            )
        return found

    def wrapping(self, caller: object, outer: int, code: object, inner: int) -> None:
        """Whether recorded function ``outer``, running in frame ``caller``, called
        ``inner`` (whose code is ``code``) as the function its closure holds: what a
        decorator's wrapper does with the function it wraps (another wrapper of its own
        code too: ``@strict`` on a class and on its base), not a nested function calling
        itself (recursion), nor a helper the function that made it is running (datasets'
        ``apply_function``, made by ``_map_single`` and called while it maps, holding the
        function ``map`` was given). Looked at once per pair."""
        pair = (outer, inner)
        if pair in self.checked:
            return
        self.checked.add(pair)
        if _holds(
            caller, code, itself=outer != inner, qualname_of=self.qualname_of
        ) and not self._maker_running(caller):
            self.wraps.append(pair)

    def _maker_running(self, frame: Any) -> bool:
        """Whether the function that made the closure running in ``frame`` (the one its
        qualified name says it is defined in) is running above it: a decorator has
        returned its wrapper before the wrapper runs; a function calling a helper of its
        own is still running."""
        code = frame.f_code
        qualname = self.qualname_of(code)
        maker, _, _ = (qualname or "").rpartition(".<locals>.")
        if not maker:
            return False
        name = maker.rpartition(".")[2]
        above = frame.f_back
        while above is not None:
            made = above.f_code
            if (
                made.co_name == name
                and made.co_filename == code.co_filename
                and self.qualname_of(made) == maker
            ):
                return True
            above = above.f_back
        return False

    def started_process(self, frame: object | None) -> None:
        """A process is starting in ``frame``'s stack: counted at the innermost recorded
        call running there, at its line."""
        while frame is not None and _key(frame) not in self.running:
            frame = frame.f_back  # type: ignore[attr-defined]
        if frame is None:
            key = (0, 0)
        else:
            line = self.name_lines.of(frame, frame.f_code, frame.f_lineno)  # type: ignore[attr-defined]
            key = (self.running[_key(frame)][0], line)
        self.processes[key] = self.processes.get(key, 0) + 1

    def importing(self, frame: Any, module: str) -> None:
        """Module ``module``, not imported yet, is being imported by the statement running in
        ``frame``: counted when that is a recorded call's, not a module's code (what a
        module imports as it is imported is its import's work). A submodule a ``from``
        statement names (``from xml.dom import minidom``) is imported by the import
        machinery's ``_handle_fromlist``: counted at that statement too."""
        frame = _from_statement(frame)
        running = self.running.get(_key(frame))
        if running is None or self.recorded[self.code[running[0]]][1] == "<module>":
            return
        key = (running[0], frame.f_lineno, module)
        self.imports[key] = self.imports.get(key, 0) + 1

    def leave(self, frame: object, now: float, suspended: bool, raised: bool = False) -> None:
        running = self.running.pop(_key(frame), None)
        if running is None:
            return
        node, started = running
        self.seconds[node] += now - started
        if suspended:
            self.suspended[_key(frame)] = node
        elif raised:
            self.raised[node] += 1

    # -- the record ------------------------------------------------------------------
    def as_json(self) -> dict[str, object]:
        others = [list(key) for key, _ in sorted(self.others.items(), key=lambda item: item[1])]
        if sys.version_info < (3, 11):  # its codes carry their own names only: qualified here
            named = _Qualnames()
            return self._as_json(named.of(self.recorded), named.of(others))
        return self._as_json(self.recorded, others)

    def _as_json(self, codes: list[list[object]], others: list[list[object]]) -> dict[str, object]:
        return {
            "codes": codes,
            "others": others,
            "nodes": [
                [
                    self.parent[i],
                    self.site[i],
                    self.code[i],
                    self.via[i],
                    self.count[i],
                    self.seconds[i],
                    self.raised[i],
                ]
                for i in range(len(self.parent))
            ],
            "own": [index for index, own in enumerate(self.own) if own],
            "lines": [sorted(lines) for lines in self.lines],
            "wraps": [list(pair) for pair in self.wraps],
            "passed": [list(pair) for pair in self.passed],
            # in the order of their nodes, as a reader takes them (threads making nodes at
            # once may add their frames in another); a node's own kept in theirs
            "between": [list(pair) for pair in sorted(self.between, key=lambda pair: pair[0])],
            "processes": [[node, line, count] for (node, line), count in self.processes.items()],
            "imports": [[node, line, module, count] for (node, line, module), count in self.imports.items()],
            "imported": self.imported,
            "direct": self.direct,
        }


class _NameLines:
    """The line a call is recorded at, as codewalk's call sites are: the line of the name
    it calls. Python places a call written over lines (``(np`` then ``.square(x))``) at
    its start, the line of what the name is an attribute of, where it has no instruction
    of the call's own at the name: 3.10 a call with keyword or ``*`` arguments, 3.11 on a
    call of a module's function or one with ``*`` arguments (a method's other calls are
    at its name). Read from the caller's instructions, once per code (a frame's position
    asked only as a node is made)."""

    def __init__(self) -> None:
        self.codes: dict[object, dict[int, int]] = {}  # code -> {CALL offset: its name's line}

    def of(self, frame: Any, code: Any, line: int) -> int:
        """The line of the call ``frame`` (running ``code``) is making, Python placing it at ``line``."""
        if frame is None:
            return line
        moved = self.codes.get(code)
        if moved is None:
            moved = self.codes[code] = (
                _moved_calls(code) if sys.version_info >= (3, 11) else _moved_calls_310(code)
            )
        if not moved:
            return line
        return moved.get(_instruction(code.co_code, frame.f_lasti), line)


def _instruction(instructions: bytes, offset: int) -> int:
    """The offset of the instruction whose inline caches hold ``offset`` (a frame's last
    instruction, while it calls, may be one of its CALL's caches)."""
    while offset > 0 and instructions[offset] == 0:  # CACHE
        offset -= 2
    return offset


def _moved_calls(code: Any) -> dict[int, int]:
    """``{offset of a CALL: the line of the name it calls}`` of the calls of ``code`` whose
    callable is an attribute on a later line of a global or a local (one of ``_LOADS``,
    then ``LOAD_ATTR`` there) and whose own position starts at that name's, as the CALL
    of ``(np`` then ``.square(x))`` does, and that of ``(box`` then ``.put(*args))``."""
    import dis

    ops = code.co_code
    loads = tuple(dis.opmap[name] for name in _LOADS if name in dis.opmap)
    attr, skipped = dis.opmap["LOAD_ATTR"], (0, dis.opmap["EXTENDED_ARG"])
    calls = {dis.opmap[name] for name in ("CALL", "CALL_KW", "CALL_FUNCTION_EX") if name in dis.opmap}
    positions = list(code.co_positions())
    found: dict[int, int] = {}
    pending: dict[tuple[int | None, int | None], int] = {}  # a global's start -> the line of its attribute
    for unit, (line, _end, col, _end_col) in enumerate(positions):
        op = ops[2 * unit]
        if op in loads:
            after = unit + 1
            while after < len(positions) and ops[2 * after] in skipped:
                after += 1
            if after < len(positions) and ops[2 * after] == attr and positions[after][0] not in (None, line):
                pending[(line, col)] = positions[after][0]
        elif op in calls and (line, col) in pending:
            found[2 * unit] = pending.pop((line, col))
    return found


# what loads the object a call's name is an attribute of: a module's global, a local
_LOADS = ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_DEREF")


def _moved_calls_310(code: Any) -> dict[int, int]:
    """``{offset of a call: the line of the name it calls}`` as :func:`_moved_calls`, for
    Python 3.10, whose code has lines and no columns: the calls with keyword or ``*``
    arguments (``CALL_FUNCTION_KW``, ``CALL_FUNCTION_EX``) whose callable ends with an
    attribute (``LOAD_ATTR``) on a later line than the call's, found by the stack its
    arguments take (none read where a jump is among them)."""
    import dis

    instructions = list(dis.get_instructions(code))
    lines: list[int] = []
    for instruction in instructions:
        lines.append(instruction.starts_line or (lines[-1] if lines else code.co_firstlineno))
    jumps = set(dis.hasjrel) | set(dis.hasjabs)
    found: dict[int, int] = {}
    for at, call in enumerate(instructions):
        if call.opname == "CALL_FUNCTION_KW":
            below = (call.arg or 0) + 1  # its arguments and the names of the keywords
        elif call.opname == "CALL_FUNCTION_EX":
            below = 1 + ((call.arg or 0) & 1)  # the arguments' tuple, and the keywords' dict
        else:
            continue
        last = _callable_end(instructions, at, below, jumps)
        if last >= 0 and instructions[last].opname == "LOAD_ATTR" and lines[last] > lines[at]:
            found[call.offset] = lines[last]
    return found


def _callable_end(instructions: list[Any], call: int, below: int, jumps: set[int]) -> int:
    """The index of the last instruction of the callable of the call at index ``call``,
    whose arguments take ``below`` values of the stack above it; -1 where it cannot be told.
    Read back from the call: the arguments begin where the values pushed from there on are
    ``below`` (inside them, more are: the first argument's, at least), the callable just
    before (which may be a call itself: ``box.me(1)`` then ``.put(2, scale=3)``)."""
    import dis

    def effect(instruction: Any) -> int:
        arg = instruction.arg if instruction.opcode >= dis.HAVE_ARGUMENT else None
        return int(dis.stack_effect(instruction.opcode, arg))

    depth, start = 0, call - 1
    while start > 0:
        if instructions[start].opcode in jumps:
            return -1
        depth += effect(instructions[start])
        if depth == below:  # the first argument starts here
            return start - 1
        if depth > below or instructions[start].is_jump_target:
            return -1
        start -= 1
    return -1


def _from_statement(frame: Any) -> Any:
    """The frame of the ``from ... import`` statement whose names the import machinery is
    importing as submodules in ``frame`` (``_handle_fromlist`` calling ``__import__``),
    else ``frame`` (a parent package the machinery imports first is not the statement's)."""
    above = frame
    while above is not None:
        code = above.f_code
        filename = code.co_filename.replace("\\", "/")
        if not (filename.startswith(_IMPORTLIB[0]) or filename.endswith(_IMPORTLIB[1:])):
            break
        if code.co_name == "_handle_fromlist":
            return above.f_back
        above = above.f_back
    return frame


def _pool_file(filename: str) -> bool:
    return filename.replace("\\", "/").endswith(_POOL_FILE)


def _pools(code: Any) -> bool:
    """Whether ``code`` is one of the thread pool's the recorder watches (a work item's
    ``__init__`` or ``run``; the pool's own ``__init__`` is told apart as it runs)."""
    return code.co_name in ("__init__", "run") and _pool_file(code.co_filename)


def _after(frame: object, first: object) -> list[object]:
    """The frames between ``first`` (an outer caller of ``frame``) and ``frame``,
    outermost first."""
    found: list[object] = []
    above = frame.f_back  # type: ignore[attr-defined]
    while above is not None and above is not first:
        found.append(above)
        above = above.f_back
    return found[::-1]


def _lines_above(frame: object | None) -> list[int | None]:
    """The lines the frames above ``frame`` are at, up to the top of its thread's stack:
    where the program's own code, and the recorder's around it, are running. Asked only of
    a root's call (from outside the recorded code), whose walk up the stack found no
    recorded caller anyway."""
    lines: list[int | None] = []
    above = getattr(frame, "f_back", None)
    while above is not None:
        lines.append(above.f_lineno)
        above = above.f_back
    return lines


def _same_self(outer: object, inner: object) -> bool:
    """Whether ``outer`` runs a method of the object whose method runs in ``inner``: the
    object's machinery calling it (torch's ``_wrapped_call_impl`` and ``_call_impl``
    running a module's ``forward``), which the program's call went through."""
    try:
        mine = outer.f_locals.get("self")  # type: ignore[attr-defined]
        theirs = inner.f_locals.get("self")  # type: ignore[attr-defined]
    except Exception:  # a frame's locals that cannot be read: not known to be one
        return False
    return mine is not None and mine is theirs


# the codes a comprehension or a generator expression runs in (before 3.12, a frame of its own)
_COMPREHENSIONS = frozenset(("<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>"))


def _machinery(code: Any) -> bool:
    """Whether ``code`` is a method (its first parameter ``self``) or a comprehension
    in one: an object's machinery, which a call of the program's goes through to the
    code it calls back (told by the code alone: no frame's locals are read)."""
    return (code.co_argcount > 0 and code.co_varnames[0] == "self") or code.co_name in _COMPREHENSIONS


# the base of what @contextlib.contextmanager returns, whose __enter__ starts the generator
_MANAGER = getattr(contextlib, "_GeneratorContextManagerBase", ())  # () where a Python lacks it: none is


def _resumes(outer: object, inner: object) -> bool:
    """Whether ``outer`` is a method of a ``contextlib.contextmanager`` object running
    the generator of ``inner``: its ``__enter__`` started by the program's ``with``
    (accelerate's ``accumulate``), which the program's call went through."""
    try:
        mine = outer.f_locals.get("self")  # type: ignore[attr-defined]
    except Exception:  # a frame's locals that cannot be read: not known to be one
        return False
    if not isinstance(mine, _MANAGER):  # nothing else is asked for an attribute: no code runs
        return False
    return getattr(getattr(mine, "gen", None), "gi_frame", None) is inner


def _holds(
    frame: object,
    code: object,
    itself: bool = True,
    qualname_of: Callable[[object], str | None] = lambda code: getattr(code, "co_qualname", None),
) -> bool:
    """Whether the closure of the function running in ``frame`` holds the function whose
    code is ``code``: what a decorator's wrapper holds, the function it wraps. Without
    ``itself``, ``code`` is the frame's own, and a function holding itself (to recurse:
    its closure is the frame's) is not counted, only another of that code (the one an
    outer ``@strict`` wraps, which an inner ``@strict`` made). A function defined in
    another that the closure names by its own name is a helper it calls, not one it
    wraps (datasets' ``_map_single``: ``iter_outputs`` calls ``apply_function``, which
    calls ``prepare_inputs``, each defined beside it). ``qualname_of`` names the frame's
    code (Python 3.10 has no ``co_qualname``: the recorder reads it from the file)."""
    try:
        held = frame.f_locals  # type: ignore[attr-defined]  # the free variables too
        names = frame.f_code.co_freevars  # type: ignore[attr-defined]
        values = [held.get(name) for name in names]
    except Exception:  # a frame's locals that cannot be read: no wrapper known
        return False
    for name, value in zip(names, values, strict=True):  # only functions are asked for their code
        if isinstance(value, types.MethodType):
            value = value.__func__
        if (
            isinstance(value, types.FunctionType)
            and value.__code__ is code
            and not _helper(name, value, lambda: qualname_of(frame.f_code))  # type: ignore[attr-defined]
            and (itself or not _same_closure(value, values))
        ):
            return True
    return False


def _helper(name: str, function: types.FunctionType, within: Callable[[], str | None]) -> bool:
    """Whether ``function``, held by a closure as its free variable ``name``, is a
    function defined in another that the closure calls by its own name: a helper beside
    it, not the function a decorator's wrapper was given (held as its parameter, ``func``).
    Where the closure's qualified name is known (``within``, asked only here), the helper
    is defined in a function enclosing it: a wrapper holding a function of the name of
    its parameter (``def deco(step)`` on a nested ``def step``) was made elsewhere."""
    if function.__name__ != name or not function.__qualname__.endswith(f"<locals>.{name}"):
        return False
    qualname = within()
    return qualname is None or qualname.startswith(function.__qualname__[: -len(name)])


def _same_closure(function: types.FunctionType, values: list[object]) -> bool:
    """Whether ``function``'s closure holds ``values`` (its code's free variables, as a
    frame of that code has them): the function running in that frame, as far as can be told."""
    try:
        return all(
            cell.cell_contents is value
            for cell, value in zip(function.__closure__ or (), values, strict=True)
        )
    except (ValueError, TypeError):  # an empty cell, or another number of them: another function
        return False


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
        # a frame's "return" that is not at a return instruction (nor a yield) is an
        # exception leaving it: settrace says "return" either way, and a line after an
        # "exception" does not tell (``with suppress(KeyError): d[k]`` caught it on its line)
        self.returns = frozenset(op for op in map(_opcode, ("RETURN_VALUE", "RETURN_CONST")) if op >= 0)
        self.local: list[object] = []  # by code index: its local trace function (None: not made yet)
        self.passed: dict[str, bool] = {}  # a module's ``__file__`` -> none of its code is recorded

    def _local_for(self, index: int, code: object) -> object:
        while len(self.local) <= index:
            self.local.append(None)
        made = self.local[index]
        if made is None:
            made = self.local[index] = self._make_local(index, code)
        return made

    def _make_local(self, index: int, code: object) -> object:
        """The local trace function of the frames of recorded ``code`` (index ``index``)."""
        recorder = self.recorder
        instructions = code.co_code  # type: ignore[attr-defined]  # (a frame's f_code is an audited event)
        add = recorder.lines[index].add
        generator = recorder.generator[index]
        yield_value = self.yield_value
        returns = self.returns
        clock = time.perf_counter

        def local(frame, event, arg):  # type: ignore[no-untyped-def]
            if event == "line":
                add(frame.f_lineno)
            elif event == "return":
                op = instructions[frame.f_lasti]
                suspended = generator and op == yield_value
                recorder.leave(frame, clock(), suspended, not suspended and op not in returns)
            return local

        return local

    def _global(self, frame, event, arg):  # type: ignore[no-untyped-def]
        if event != "call":
            return None
        # a module none of whose code is recorded, told by its globals' ``__file__``: a
        # frame's ``f_code`` is an audited event, each read of it a call of every audit
        # hook (the recorder's own, in Python), on every call the program makes
        module_file = frame.f_globals.get("__file__")
        if module_file.__class__ is str:
            passed = self.passed.get(module_file)
            if passed is None:
                passed = self.passed[module_file] = self.recorder.passed_over(module_file)
            if passed:
                return None
        recorder = self.recorder
        code = frame.f_code
        index = recorder.codes.get(_ident(code))
        if index is None:
            index = recorder.learn(code)
        if index < 0 or (not recorder.running and recorder.own[index]):  # nothing recorded under way
            if index == POOL:
                recorder.pool_event(frame)
            return None
        node = None
        if recorder.generator[index] and not self._fresh(frame, code):
            node = recorder.suspended.pop(_key(frame), None)
            if node is None and recorder.own[index]:  # the program's, started unrecorded
                return None
        if node is None:
            node = recorder.enter(frame, index)
            if node < 0:  # the program's own code, called by the program: not recorded
                return None
        recorder.running[_key(frame)] = (node, time.perf_counter())
        return self._local_for(index, code)

    def _fresh(self, frame: object, code: object) -> bool:
        """Whether a generator's frame (of ``code``) starts (not resumes): before 3.11 its
        last instruction is -1, from 3.11 on it is the ``RESUME 0`` of its start."""
        lasti = frame.f_lasti  # type: ignore[attr-defined]
        if lasti < 0:
            return True
        instructions = code.co_code  # type: ignore[attr-defined]
        return self.resume >= 0 and instructions[lasti] == self.resume and instructions[lasti + 1] == 0

    def start(self) -> None:
        import threading

        threading.settrace(self._global)
        sys.settrace(self._global)

    def stop(self) -> None:
        import threading

        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type,unused-ignore]


# -- the engine from 3.12 on: sys.monitoring ---------------------------------------------
# The tool ids no tool of the standard library claims: 0, 1 and 2 are the debugger's,
# coverage's and the profiler's (cProfile takes 2 from 3.12 on), so a program that
# profiles itself still can.
_TOOL_IDS = (3, 4, 5)


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
        for tool in _TOOL_IDS:
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

        own = recorder.own
        running = recorder.running
        codes = recorder.codes
        ident = _ident

        def on_start(code, offset):  # type: ignore[no-untyped-def]
            index = codes.get(ident(code))
            if index is None:
                index = recorder.learn(code)
                if index >= 0:
                    mon.set_local_events(tool, code, local_events)
            if index < 0:
                if index == POOL:
                    recorder.pool_event(getframe(1))
                    return None
                return disable
            if not running and own[index]:  # the program's own code, no recorded call under way
                return None
            frame = getframe(1)
            node = recorder.enter(frame, index)
            if node >= 0:  # else the program's own code, called by the program: not recorded
                recorder.running[_key(frame)] = (node, clock())
            return None

        def on_resume(code, offset):  # type: ignore[no-untyped-def]
            frame = getframe(1)
            node = recorder.suspended.pop(_key(frame), None)
            if node is not None:
                recorder.running[_key(frame)] = (node, clock())

        def on_return(code, offset, value):  # type: ignore[no-untyped-def]
            if running:  # else none of it is recorded: the program's own code, called by itself
                recorder.leave(getframe(1), clock(), False)

        def on_yield(code, offset, value):  # type: ignore[no-untyped-def]
            if running:
                recorder.leave(getframe(1), clock(), True)

        def on_unwind(code, offset, _exception):  # type: ignore[no-untyped-def]
            if codes.get(ident(code), -1) >= 0:
                recorder.leave(getframe(1), clock(), False, True)

        def on_line(code, line):  # type: ignore[no-untyped-def]
            index = codes.get(ident(code), -1)
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
        codes = self.recorder.codes
        for code in self.recorder.learnt:
            if codes[_ident(code)] >= 0:
                mon.set_local_events(self.tool, code, 0)
        mon.free_tool_id(self.tool)
        self.tool = -1


def engine_for(recorder: Recorder) -> SettraceEngine | MonitoringEngine:
    if sys.version_info >= (3, 12) and os.environ.get("CODEWALK_TRACE_ENGINE") != "settrace":
        return MonitoringEngine(recorder)
    return SettraceEngine(recorder)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_ANONYMOUS = {
    ast.Lambda: "<lambda>",
    ast.ListComp: "<listcomp>",
    ast.SetComp: "<setcomp>",
    ast.DictComp: "<dictcomp>",
    ast.GeneratorExp: "<genexpr>",
}


def qualnames(source: str) -> dict[tuple[int, str], str]:
    """The qualified name Python 3.11 gives each code of ``source`` (``co_qualname``), by
    its first line and its own name (``co_firstlineno``, ``co_name``): a Python before 3.11
    keeps only the name (``step`` for ``Engine.step``, ``<listcomp>`` for one in ``f``).
    Of two codes of one name on one line (a comprehension in another), the first is named."""
    found: dict[tuple[int, str], str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        comprehension = type(node) in _ANONYMOUS and not isinstance(node, ast.Lambda)
        for field, value in ast.iter_fields(node):
            # a function's or class's body, a lambda's, a comprehension whole but for its
            # first iterable, which is evaluated where the comprehension is
            inside = field == "body" if isinstance(node, (*_SCOPES, ast.Lambda)) else comprehension
            for child in value if isinstance(value, list) else [value]:
                if comprehension and field == "generators" and child is node.generators[0]:  # type: ignore[attr-defined]
                    name(child.iter, prefix)
                    for part in (child.target, *child.ifs):
                        name(part, found_prefix[node])
                elif isinstance(child, ast.AST):
                    name(child, found_prefix[node] if inside else prefix)

    def name(node: ast.AST, prefix: str) -> None:
        if isinstance(node, _SCOPES):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            qualname = found.setdefault((first, node.name), prefix + node.name)
            found_prefix[node] = qualname + ("." if isinstance(node, ast.ClassDef) else ".<locals>.")
        elif type(node) in _ANONYMOUS:
            label = _ANONYMOUS[type(node)]
            qualname = found.setdefault((node.lineno, label), prefix + label)  # type: ignore[attr-defined]
            found_prefix[node] = qualname + (".<locals>." if isinstance(node, ast.Lambda) else ".")
        visit(node, prefix)

    found_prefix: dict[ast.AST, str] = {}
    with warnings.catch_warnings():  # a library's "\w" is no warning of the program's
        warnings.simplefilter("ignore")
        tree = ast.parse(source)
    visit(tree, "")
    return found


class _Qualnames:
    """Each recorded code's ``[file, name, first line]`` named as :func:`qualnames` reads
    its file (once): a file that cannot be read keeps the names as they are."""

    def __init__(self) -> None:
        self.files: dict[object, dict[tuple[int, str], str]] = {}

    def of(self, rows: list[list[object]]) -> list[list[object]]:
        return [[file, self._named(file, name, line), line, *rest] for file, name, line, *rest in rows]

    def _named(self, file: object, name: object, line: object) -> object:
        names = self.files.get(file)
        if names is None:
            try:
                with tokenize.open(str(file)) as handle:  # its coding cookie honoured
                    names = qualnames(handle.read())
            except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
                names = {}
            self.files[file] = names
        return names.get((line, name), name) if isinstance(line, int) and isinstance(name, str) else name

    def found(self, file: str, name: str, line: int) -> str | None:
        """The qualified name of the code ``name`` at ``line`` of ``file``, None where its
        file does not say (unreadable, changed since it was imported)."""
        self._named(file, name, line)  # the file read once
        return self.files[file].get((line, name))
