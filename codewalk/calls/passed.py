"""What a call passes on: an argument a function returns as it was given, and a function
a construction hands to the ``__init__`` that keeps it.

``model = self._wrap_model(self.model_wrapped)``, where ``_wrap_model`` ends in
``return model``, holds what was passed, not what ``_wrap_model`` constructs;
``self.infer`` of ``PipelineIterator``, kept by its ``__init__``, holds what
``PipelineIterator(loader, self.forward, ...)`` passed.
"""

from __future__ import annotations

from codewalk.calls.holders import holds, parameter_names
from codewalk.calls.model import RESOLVED, Body
from codewalk.calls.reach import Reacher
from codewalk.calls.reached import CALLABLE, COPIES, MAX_DEPTH, Reach, found, unresolved
from codewalk.calls.records import PARAM, CallFacts, Origin
from codewalk.resolve.model import Resolved


def returned_argument(
    r: Reacher, body: Body, facts: CallFacts, o: Origin, callee: Reach, depth: int
) -> Reach:
    """``model = self._wrap_model(self.model_wrapped)`` where ``_wrap_model`` returns its
    parameter: what this call passed in it."""
    for function in callee.targets if callee.status == RESOLVED and depth < MAX_DEPTH else ():
        inner = r.body_of(function) if function.kind in CALLABLE else None
        if inner is None:
            continue
        params = parameter_names(function.signature)
        offset = 1 if inner.cls and params[:1] in (["self"], ["cls"]) else 0
        returns = r.facts(inner).returned(inner.scope)
        returned = {ret.name.expr for ret in returns if ret.name.root == PARAM and ret.part == o.part}
        for arg, slot in zip(o.args, o.slots, strict=False):
            index = int(slot[1:]) + offset if slot.startswith("#") else -1
            param = params[index] if 0 <= index < len(params) else slot
            if param in returned:
                reach = instances(r, r.reach_name(body, facts, arg, call=False, depth=depth + 1, line=o.line))
                if reach.targets:
                    how = f"{function.qualname.rpartition('.')[2]} returns its {param}, passed {arg.expr}"
                    return reach._replace(how=how)
    return unresolved("")


# the standard library's copies: what they return is of the class of what they were given


def copied_argument(r: Reacher, body: Body, facts: CallFacts, o: Origin, callee: Reach, depth: int) -> Reach:
    """``dataset = copy.deepcopy(self)`` (datasets' ``with_format``): a copy of what was
    passed, an instance of its class."""
    if callee.external not in COPIES or depth >= MAX_DEPTH:
        return unresolved("")
    for arg, slot in zip(o.args, o.slots, strict=False):
        if slot == "#0":
            reach = instances(r, r.reach_name(body, facts, arg, call=False, depth=depth + 1, line=o.line))
            if reach.targets:
                return reach._replace(how=f"{callee.external} returns a copy of {arg.expr}")
    return unresolved("")


def instances(r: Reacher, reach: Reach) -> Reach:
    """The instances a value is: itself when it is one, else what the attributes or
    variables it reaches hold (``self.model``, declared ``self.model = model`` of a
    ``model: Model`` parameter); none otherwise."""
    if reach.instance:
        return reach
    out: list[Resolved] = []
    loose = False
    for target in reach.targets:
        if target.kind in ("attribute", "variable"):
            held = holds(r, target)
            out.extend(c._replace(via=held.how) for c in held.instances)
            loose = loose or held.annotated
    return found(out, out[0].via, instance=True, loose=loose) if out else unresolved("")


def passed_to_init(r: Reacher, holder: Resolved, init: Body, param: str) -> list[Resolved]:
    """The functions the constructions of the class of ``init`` (its ``__init__``, which
    stores its parameter ``param`` in the attribute ``holder``: ``self.infer = infer``)
    pass for ``param``, in the holder's repository: ``PipelineIterator(loader,
    self.forward, ...)`` in ``Pipeline.get_iterator`` hands it ``Pipeline.forward``. A
    class deriving from it that keeps its ``__init__`` is constructed so too."""
    cls = r.class_named(f"{init.module}.{init.cls}") if init.cls else None
    if cls is None:
        return []
    keeping = (
        d
        for d in r.descendants(cls)
        if [m.qualname for m in r.members(d, "__init__")[:1]] == [init.target.qualname]
    )
    made = {cls.qualname, *(d.qualname for d in keeping)}
    params = parameter_names(init.target.signature)
    out: list[Resolved] = []
    for short in sorted({q.rpartition(".")[2] for q in made}):
        for mention in r.code.mentions(short):
            if mention.body is None or mention.repo != holder.repo:
                continue
            found = _passed_at(r, mention.body, mention.line, short, made, params, param)
            kept = f"kept by __init__ in self.{holder.qualname.rpartition('.')[2]}"
            out.extend(t._replace(via=f"{t.via}, {kept}") for t in found)
    return list({(t.path, t.line): t for t in out}.values())


def _passed_at(
    r: Reacher, body: Body, line: int, short: str, made: set[str], params: list[str], param: str
) -> list[Resolved]:
    """What the construction of one of ``made`` (named ``short``) on ``line`` of ``body``
    passes for ``param`` (``params``: the ``__init__``'s, ``self`` first), as functions."""
    facts = r.facts(body)
    out: list[Resolved] = []
    for site in facts.sites:
        if site.kind != "call" or site.line != line or site.name.expr.rpartition(".")[2] != short:
            continue
        callee = r.reach_name(body, facts, site.name, call=False, line=line)
        if not any(t.qualname in made and t.kind == "class" for t in callee.targets):
            continue
        for arg, slot in zip(site.args, site.slots, strict=False):
            index = int(slot[1:]) + 1 if slot.startswith("#") else -1
            if (params[index] if 0 < index < len(params) else slot) != param:
                continue
            reach = r.reach_name(body, facts, arg, call=False, line=line)
            where = f"{body.target.path}:{line}"
            how = f"{short}(…) is constructed with {param}={arg.expr} in {body.name} ({where})"
            out.extend(t._replace(via=how) for t in reach.targets[:1] if t.kind in CALLABLE)
    return out
