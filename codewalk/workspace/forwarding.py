"""Why a ``Class.member`` query finds nothing, when the class exists: said in the words of
the repository the class is in, and, when the class's ``__getattr__`` hands unknown names
on to an attribute (peft's ``PeftModel``: ``return getattr(self.base_model, name)``), where
the member may be found instead.

The resolver finds the class (``FindResult.owner``); reading the ``__getattr__`` body
needs the source, which only a workspace reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from codewalk.resolve.model import FindResult, Resolved
from codewalk.source.checkout import Checkout, repo_at_version

if TYPE_CHECKING:
    import ast

    from codewalk.workspace.code import Parts

_NAMED = 3  # definitions of the member a note names


class Forward(NamedTuple):
    """``return getattr(self.attribute, name)`` in a ``__getattr__``, at ``line``."""

    attribute: str
    line: int


def not_found_message(found: FindResult, checkout: Checkout, others: Sequence[str] = ()) -> str:
    """ "no definition found in REPO", naming the repository of the class that lacks the
    member when there is one (a peft class asked from the transformers workspace); else
    the other repositories searched too (``others``: a short name is looked for in every
    pin in the cache)."""
    owner = found.owner
    if owner is None:
        also = f" nor in the other pins in the cache ({', '.join(others)})" if others else ""
        home = repo_at_version(checkout.repo, checkout.version)
        return f"{found.query!r}: no definition found in {home}{also}"
    where = repo_at_version(owner.repo or checkout.repo, owner.version or checkout.version)
    return f"{found.query!r}: no definition found in {where}"


def unsearched(repos: Sequence[str]) -> str:
    """The hint naming the pins a short name was not searched for in, not being in the
    cache, and how to fetch them; "" when there are none."""
    if not repos:
        return ""
    one = len(repos) == 1
    return (
        f"not searched, not in the cache: {', '.join(repos)} ('codewalk sync {repos[0]}' fetches "
        f"{'it' if one else 'one'}, 'codewalk sync --all' every pin)"
    )


def explained(ws: Parts, found: FindResult) -> FindResult:
    """``found``, its note saying where a missing member may come from when the class it
    was asked of forwards unknown attributes (else as it was)."""
    owner = found.owner
    if owner is None or found.results:
        return found
    member = found.query.rpartition(".")[2]
    hook = _getattr_of(ws, owner)
    forward = _forward(ws, hook) if hook is not None else None
    if hook is None or forward is None:
        return found
    return found._replace(note=_note(ws, owner, hook, forward, member))


def _getattr_of(ws: Parts, owner: Resolved) -> Resolved | None:
    """The ``__getattr__`` the class or a base codewalk can read defines."""
    resolver = ws.resolver_for((owner.repo,)) if owner.repo else ws.resolver
    hooks = resolver.find(f"{owner.qualname}.__getattr__", related=False, suggest=False).matches
    return next((h for h in hooks if h.kind == "method"), None)


def _forward(ws: Parts, hook: Resolved) -> Forward | None:
    """The attribute ``hook`` returns the looked-up name of, when its body has
    ``return getattr(self.<attribute>, <the name asked>)``."""
    import ast  # a body is parsed only for a member not found: not on every find's way
    import textwrap

    from codewalk.parsing import parse

    lines = ws.source_text(hook.path, hook.repo).splitlines()[hook.start_line - 1 : hook.end_line]
    try:
        tree = parse(textwrap.dedent("\n".join(lines)))
    except SyntaxError:
        return None
    function = tree.body[0] if tree.body else None
    if not isinstance(function, ast.FunctionDef) or len(function.args.args) < 2:
        return None
    asked = function.args.args[1].arg
    for node in ast.walk(function):
        attribute = _forwarded(node, asked)
        if attribute and isinstance(node, ast.Return):
            return Forward(attribute, hook.start_line + node.lineno - 1)
    return None


def _forwarded(node: ast.AST, asked: str) -> str:
    """``attribute`` of ``return getattr(self.attribute, asked)``, else ""."""
    import ast

    if not isinstance(node, ast.Return) or not isinstance(node.value, ast.Call):
        return ""
    call = node.value
    if not (isinstance(call.func, ast.Name) and call.func.id == "getattr" and len(call.args) == 2):
        return ""
    held, name = call.args
    if not (isinstance(name, ast.Name) and name.id == asked):
        return ""
    if isinstance(held, ast.Attribute) and isinstance(held.value, ast.Name) and held.value.id == "self":
        return held.attr
    return ""


def _note(ws: Parts, owner: Resolved, hook: Resolved, forward: Forward, member: str) -> str:
    """What the note says: the forwarding, and the definitions of ``member`` it may reach
    (the attribute's class is rarely written down: every definition of that name in the
    class's repository), or the command that lists them."""
    resolver = ws.resolver_for((owner.repo,)) if owner.repo else ws.resolver
    typed = resolver.find(f"{owner.qualname}.{forward.attribute}.{member}", related=False, suggest=False)
    named = [m for m in typed.matches if m.kind in ("method", "property")]
    held = f"self.{forward.attribute} (line {forward.line})"
    if not named:
        held = f"{held}, whose class codewalk cannot tell"
        found = resolver.find(member, related=False, suggest=False).matches
        named = [m for m in found if m.kind in ("method", "property") and m.repo in ("", owner.repo)]
    short = hook.qualname.rpartition(".")[0].rpartition(".")[2]
    said = f"{short}.__getattr__ ({hook.path}:{hook.line}) hands the names {short} lacks to {held}"
    if not named:
        return f"{said}: `codewalk find {member}` lists the definitions of {member}"
    where = ", ".join(f"{_class_member(m)} ({m.path}:{m.line})" for m in named[:_NAMED])
    more = f" and {len(named) - _NAMED} more (`codewalk find {member}`)" if len(named) > _NAMED else ""
    return f"{said}; {member} is defined by {where}{more}: `codewalk calls {_class_member(named[0])}`"


def _class_member(definition: Resolved) -> str:
    """``BaseTuner.merge_and_unload`` of ``peft.tuners.tuners_utils.BaseTuner.merge_and_unload``."""
    return ".".join(definition.qualname.split(".")[-2:])
