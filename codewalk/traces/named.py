"""The functions of a trace a reader names: the program's own, which no pin defines
(``MyTrainer.compute_loss``, a model's remote code), found by the name the run gave
them, and the functions of a trace that are the ends a command was given.

Pure: a :class:`~codewalk.traces.model.Trace` and names in, functions out.
"""

from __future__ import annotations

from collections.abc import Sequence

from codewalk.errors import QueryError
from codewalk.resolve.model import Resolved
from codewalk.traces.model import Function, Trace
from codewalk.traces.tree import functions_of


def own_named(trace: Trace, query: str) -> set[int]:
    """The functions of the program's own that ran in ``trace`` (a callback, a method of a
    ``Trainer`` subclass the pinned code called, a model's remote code) named ``query``: as
    its module names it (``__main__.MyTrainer.compute_loss``), inside it
    (``MyTrainer.compute_loss``), or with the end of its module's name
    (``modeling_x.Model.forward`` of ``transformers_modules.x.HASH.modeling_x``)."""
    query = query.strip()
    return {
        i
        for i, f in enumerate(trace.functions)
        if f.own and (query in (f.qualname, f.name) or f.qualname.endswith(f".{query}"))
    }


def own_instead(trace: Trace, query: str, error: QueryError | None) -> Function:
    """The program's own function ``query`` names, where no pin defines it (``error``, the
    static answer's refusal, is raised again when none of the program's ran either, then
    saying so, and where it may have run unrecorded; or when the pins' definitions are
    several); of several functions of that name (in two of the program's files), the
    reader names one."""
    from codewalk.workspace.calling import Ambiguous, NoDefinition

    found = sorted(own_named(trace, query))
    if error is not None and (isinstance(error, Ambiguous) or not found):
        if isinstance(error, NoDefinition):
            error.message += f", nor among the program's own functions that ran in trace {trace.name!r}"
            error.message += _elsewhere(trace)
        raise error
    qualnames = sorted({trace.functions[i].qualname for i in found})
    if len(qualnames) > 1:
        raise QueryError(
            f"{query.strip()!r} is ambiguous: {len(qualnames)} of the program's own functions ran in trace"
            f" {trace.name!r}",
            hint="name one: " + ", ".join(qualnames),
        )
    return trace.functions[found[0]]


def _elsewhere(trace: Trace) -> str:
    """Where the program's own code may have run unrecorded: the processes it started
    (``Dataset.map(num_proc=2)``'s pool, whose workers call the function given to it)."""
    count = sum(n for _, _, n in trace.processes)
    if not count:
        return ""
    return (
        f" (the program started {count} process{'es' if count > 1 else ''}, whose code a trace does not"
        " record: it may have run there)"
    )


def ran_as(trace: Trace, endpoints: Sequence[Resolved | Function]) -> set[int]:
    """The functions of ``trace`` that are ``endpoints``: a definition of a pin, or the
    program's own function that ran (every one of its name, as :func:`own_named` reads it)."""
    own = [e for e in endpoints if isinstance(e, Function)]
    pinned = [e for e in endpoints if not isinstance(e, Function)]
    return {i for e in own for i in own_named(trace, e.qualname)} | functions_of(trace, pinned)
