"""The call facts of one function body: what the analysis (:mod:`codewalk.calls.extract`) leaves behind.

Plain ``NamedTuple`` records (no parser nodes), serialised to JSON for the index. They
say what a body calls and how each name is *bound* (a parameter, a local assigned from
something, a module-level name, an import inside the function, a builtin); which
definition a name reaches is decided later, by the resolver, at query time. So the facts
of a body depend on its text alone (its file's blob and the function's line), and a body
is analysed once, ever.

Lines are 1-based and columns 0-based, in the file (not in the analysed span).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")

# Bump when the analysis emits different facts for the same text, or they are stored in
# another shape: stored facts of another version are ignored (and replaced when computed again).
CALLS_VERSION = 33  # 2: a literal key is exact; 3: getattr(obj, "x") not called is a site; 4: ast; 5: cls;
# 6: attribute reads; 7: X().m; 8: nested definitions' paths and spans; 9: getattr(obj, "x") reads;
# 10: X[i].m; 11: what a reference is passed to; 12: the slots of a call's arguments;
# 13: an assignment's call's too; 14: the part of a tuple a name is unpacked from;
# 15: stored flat, each text once; 16: X()(...) names its callee X(); 17: no reference passed
# to a builtin that only inspects it (callable, isinstance, ...); 18: a list of strings, a
# loop over one, getattr(obj, name) of such a name; 19: a local's annotation; 20: a nested
# function's locals and returns apart from the body's; 21: a local annotated with a container
# of a union (``dict[str, A | B]``) is not also annotated with ``B]``; 22: the spans of loops and of
# code run later (lambdas, generator expressions), a local's container annotation; 23: a loop's
# span ends with its body (its ``else:`` runs once, after it); 24: a function the body defines,
# passed as a value, is a reference; 25: what a local list is filled with; 26: a literal
# dict, list, set or tuple (or a comprehension making one) is that builtin
# (``processors.append(TopPLogitsWarper(...))``); 27: the branch each site is in (``if``,
# ``except``, a loop, after a guard's ``return``...), for ``path`` to list main-line routes first; 28: a
# function defined in a branch has its own main line (its calls are not in the branch); 29: the
# rest of a body after a guard's ``return`` is the main line (it was half of generate's calls); 30: what
# ``x.a = v`` stores on a parameter or local ``x`` (CallFacts.stored); 31: the rest of a body
# after ``if p is None: return`` on an optional parameter ``p`` is a branch (``guard``); 32: a
# local after ``if not isinstance(x, C): continue`` is a ``C`` (``narrowed``); 33: where a
# parameter is assigned again on every way to a read of it (CallFacts.rebound)

# Name.root: how the first name of a dotted expression is bound
SELF = "self"  # the first parameter of a method: the instance (whatever it is called)
CLS = "cls"  # the first parameter of a classmethod, ``__new__`` or ``__init_subclass__``: the class
PARAM = "param"  # another parameter (of the function, a nested function or a lambda)
LOCAL = "local"  # assigned in the body: see CallFacts.locals
IMPORT = "import"  # imported inside the body: Name.qualified is the imported dotted name
GLOBAL = "global"  # not bound in the body: a module-level name (or one the module imports)
BUILTIN = "builtin"  # a builtin (len, getattr, ...)
SUPER = "super"  # super().x
EXPR = "expr"  # not a name: a call on a call, a subscript of a call, ...


class Name(NamedTuple):
    """A dotted expression as written, and how its first name is bound."""

    expr: str  # "self.accelerator.backward", "LOSS_MAPPING[]" (a subscript), "super().__init__", ""
    # ("self.__class__" for ``type(self)`` and ``self.__class__``: the class of the instance;
    # "X().m": ``m`` of what calling ``X`` returns; "X[].m": ``m`` of an item of ``X``)
    root: str  # one of the constants above
    qualified: str = ""  # IMPORT / BUILTIN: the qualified name ("torch.nn.functional.relu", "..utils.x")


class Origin(NamedTuple):
    """What a local name (or a return value) was bound to."""

    # name | call | item | getattr | str | strs | param | loop | def | import | annotated | narrowed
    # | literal | other
    kind: str
    # (strs: a list or tuple of strings, in ``keys``)
    # (literal: a dict, list, set or tuple as written, or a comprehension: its builtin in ``name.expr``)
    # (def: a function or class defined in the body; ``name.qualified`` is its path there,
    # "inner" or "inner.<locals>.deeper")
    # (annotated: a class the local's annotation names, as written, in ``name.expr``)
    # (narrowed: a class an ``if not isinstance(x, C): continue`` guard leaves it, in ``name.expr``)
    name: Name  # name: the dotted value; call: the callee; item/getattr: the table; loop: the iterable
    line: int
    keys: tuple[str, ...] = ()  # item/getattr: the string keys the code names (a literal, a default)
    args: tuple[Name, ...] = ()  # call: dotted names passed as arguments (a wrapped method, a default)
    text: str = ""  # the value as written, cut to one short line
    exact: bool = False  # item/getattr: the key is a literal, so ``keys`` holds the only key
    span: tuple[int, int] = (0, 0)  # def: its first (decorators included) and last lines
    slots: tuple[str, ...] = ()  # call: the slot each of ``args`` is passed in (as Site.slots)
    # a name unpacked from a call's result (``model, loader = f()``): the index of its part;
    # a return of a tuple (``return model, loader``): the index of this element; else -1
    part: int = -1


class Site(NamedTuple):
    """One call, decorator, callable reference or attribute read in a body, in source order."""

    kind: str  # call | ref (a dotted name passed or stored as a value) | decorator | read (an attribute read)
    name: Name  # the callee
    line: int
    col: int  # where the callee's last name starts (where ``goto`` points)
    end_col: int
    args: tuple[Name, ...] = ()  # call: the dotted names among its arguments; ref: what it is passed to
    text: str = ""  # the call as written, cut to one short line
    slots: tuple[str, ...] = ()  # call: the slot each of ``args`` is passed in ("#0", "config", "" unknown)
    # the innermost branch the site is in (:mod:`codewalk.calls.branches`: "if", "else",
    # "except", "case", "loop"), and the line that makes it one; "": the main line
    branch: str = ""
    branch_line: int = 0


LOCALS = ".<locals>."  # how Python names what a function defines (``inner.<locals>.deeper``)
# how an ``annotated`` origin names a container of instances (``dict[A|B]``, ``list[A]``:
# of a mapping's values, of a sequence's elements), as ``index.declared`` writes it
HOLDING = ("list[", "dict[")
DECLARED = ("annotated", "narrowed")  # what a local is said to be, read when its values say nothing


class CallFacts(NamedTuple):
    """Everything the analysis keeps about one function body."""

    sites: tuple[Site, ...]
    # local name -> what it was bound to, in order; a name bound in a function the body
    # defines is keyed by that function's scope (``inner.<locals>.w``), the way Python
    # keeps it apart from the body's own ``w``
    locals: dict[str, tuple[Origin, ...]]
    returns: tuple[Origin, ...]  # what the function returns (a property's value)
    error: str = ""  # why the body could not be analysed ("" when it was)
    # what each function the body defines returns, by its scope (``inner.<locals>.``)
    nested_returns: Mapping[str, tuple[Origin, ...]] = {}
    # the first and last lines of each loop (``for``, ``while``, a comprehension): an
    # assignment on a later line reaches a use inside the same loop
    loops: tuple[tuple[int, int], ...] = ()
    # the first and last lines of the code that runs later than it is written (a lambda's
    # body, a generator expression): a use there may see any assignment
    deferred: tuple[tuple[int, int], ...] = ()
    # local name -> what ``name.append(x)``, ``name.insert(i, x)``, ``name.extend([x, y])``
    # put in it, as an assignment of each would bind it (keyed as ``locals`` is)
    filled: Mapping[str, tuple[Origin, ...]] = {}
    # ``x.a`` -> what ``x.a = v`` stores on the parameter or local ``x``, as an assignment
    # of ``v`` would bind a name, keyed as ``locals`` is (``inner.<locals>.x.a`` in a
    # function the body defines)
    stored: Mapping[str, tuple[Origin, ...]] = {}
    # parameter -> the lines where every read of it comes after the body assigned it again,
    # whichever way the run went (:mod:`codewalk.calls.rebound`), keyed as ``locals`` is:
    # there it no longer holds what the caller passed
    rebound: Mapping[str, tuple[int, ...]] = {}

    def bound(self, name: str, scope: str = "", line: int = 0) -> tuple[Origin, ...]:
        """What ``name`` was bound to as the code in ``scope`` sees it (:func:`bound_in`);
        at ``line`` (a use of it), only the assignments that may reach it (:meth:`reaches`)."""
        own = self.locals.get(scope + name)
        if own is None:  # a closure's free variable: the function may run after any assignment
            return tuple(bound_in(self.locals, name, scope))
        if not line or any(first <= line <= last for first, last in self.deferred):
            return own
        return tuple([o for o in own if self.reaches(o.line, line) and _narrows(o, own, line)])

    def reaches(self, assigned: int, line: int) -> bool:
        """Whether an assignment on line ``assigned`` may reach a use on ``line``: it is
        on an earlier line (or the same: ``if (m := f()) and m.group()``), or a loop holds
        both, so a pass of the loop may run the assignment before the next pass runs the
        use. A branch (``if``, ``try``) does not matter: either of its arms may run."""
        return assigned <= line or self.looped(assigned, line)

    def looped(self, assigned: int, line: int) -> bool:
        """Whether a loop holds both an assignment on line ``assigned`` and a use on an
        earlier ``line``: a pass of the loop runs the assignment before the next runs the use."""
        return any(first <= line and assigned <= last for first, last in self.loops)

    def returned(self, scope: str = "") -> tuple[Origin, ...]:
        """What the function of ``scope`` returns: the body's own (``""``), or a nested one's."""
        return self.nested_returns.get(scope, ()) if scope else self.returns


def _narrows(o: Origin, bound: tuple[Origin, ...], line: int) -> bool:
    """Whether ``o`` holds at a use on ``line``: any binding does, but an ``isinstance``
    guard's class (``narrowed``) only down to the next binding of the name (a later loop's
    ``for sub in ...``: the guard said nothing of those values), and not before the guard
    (a loop's next pass binds the name again before it)."""
    if o.kind != "narrowed":
        return True
    return o.line <= line and not any(o.line < other.line <= line for other in bound)


def bound_in(names: Mapping[str, Sequence[T]], name: str, scope: str) -> Sequence[T]:
    """What ``name`` is bound to in ``names`` (keyed by scope and name) as the code in
    ``scope`` (``""``: the body's own; a nested function's, ``inner.<locals>.``) sees it:
    its own binding, else that of the nearest function around it (a closure's free
    variable)."""
    while True:
        found = names.get(scope + name)
        if found is not None or not scope:
            return found or ()
        scope = enclosing(scope)


def scope_of(key: str) -> str:
    """The scope part of a key of :attr:`CallFacts.locals` (``inner.<locals>.w``: ``inner.<locals>.``)."""
    return key[: len(key) - len(key.rpartition(".")[2])]


def enclosing(scope: str) -> str:
    """The scope of the function around a nested function's (a class between them is
    skipped, as Python skips it): ``a.<locals>.b.<locals>.`` -> ``a.<locals>.``;
    ``Cls.method.<locals>.`` -> ``""``."""
    inner = scope.removesuffix(LOCALS)
    cut = inner.rfind(LOCALS)
    return inner[: cut + len(LOCALS)] if cut >= 0 else ""


def to_json(facts: CallFacts) -> str:
    """The facts as stored: ``[texts, sites, locals, returns, error, nested returns, loops,
    deferred, filled, stored, rebound]``, each record a flat
    list (a name as its three fields, in place; a text as its index in ``texts``: the
    sites of one line share it), so that reading back makes few objects beyond the
    records themselves."""
    texts: dict[str, int] = {}

    def text(value: str) -> int:
        return texts.setdefault(value, len(texts))

    def names(values: tuple[Name, ...]) -> list[str]:
        return [field for name in values for field in name]

    def origin(o: Origin) -> list[Any]:
        fields = [o.kind, *o.name, o.line, list(o.keys), names(o.args), text(o.text), o.exact]
        return [*fields, *o.span, list(o.slots), o.part]

    sites = [
        [
            s.kind,
            *s.name,
            s.line,
            s.col,
            s.end_col,
            names(s.args),
            text(s.text),
            list(s.slots),
            s.branch,
            s.branch_line,
        ]
        for s in facts.sites
    ]
    bound = {k: [origin(o) for o in v] for k, v in facts.locals.items()}
    returns = [origin(o) for o in facts.returns]
    nested = {k: [origin(o) for o in v] for k, v in facts.nested_returns.items()}
    spans = [list(facts.loops), list(facts.deferred)]
    filled = {k: [origin(o) for o in v] for k, v in facts.filled.items()}
    stored = {k: [origin(o) for o in v] for k, v in facts.stored.items()}
    rebound = {k: list(v) for k, v in facts.rebound.items()}
    return json.dumps(
        [list(texts), sites, bound, returns, facts.error, nested, *spans, filled, stored, rebound],
        separators=(",", ":"),
    )


def from_json(text: str) -> CallFacts | None:
    """The facts ``to_json`` wrote; None for text it did not write (a damaged row)."""
    try:
        texts, sites, bound, returns, error, nested, loops, deferred, filled, stored, rebound = json.loads(
            text
        )
        return CallFacts(
            sites=tuple([_site(s, texts) for s in sites]),
            locals={k: tuple([_origin(o, texts) for o in v]) for k, v in bound.items()},
            returns=tuple([_origin(o, texts) for o in returns]),
            error=error,
            nested_returns={k: tuple([_origin(o, texts) for o in v]) for k, v in nested.items()},
            loops=tuple([(first, last) for first, last in loops]),
            deferred=tuple([(first, last) for first, last in deferred]),
            filled={k: tuple([_origin(o, texts) for o in v]) for k, v in filled.items()},
            stored={k: tuple([_origin(o, texts) for o in v]) for k, v in stored.items()},
            rebound={k: tuple(v) for k, v in rebound.items()},
        )
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):  # not JSON, or not its shape
        return None


# The records are made from the decoded lists as they are (``tuple.__new__``, once each
# list's length is known): a NamedTuple's own ``__new__`` spells out every field, and
# ``callers`` reads the facts of thousands of bodies.
_new = tuple.__new__


def _names(flat: list[str]) -> tuple[Name, ...]:
    if not flat:
        return ()
    fields = iter(flat)  # three to a name: one cut short is zip's ValueError (not its shape)
    return tuple([_new(Name, name) for name in zip(fields, fields, fields, strict=True)])


def _origin(data: list[Any], texts: list[str]) -> Origin:
    kind, expr, root, qualified, line, keys, args, text, exact, first, last, slots, part = data
    name = _new(Name, (expr, root, qualified))
    fields = (kind, name, line, tuple(keys), _names(args), texts[text], exact, (first, last))
    return _new(Origin, (*fields, tuple(slots), part))


def _site(data: list[Any], texts: list[str]) -> Site:
    kind, expr, root, qualified, line, col, end_col, args, text, slots, branch, branch_line = data
    name = _new(Name, (expr, root, qualified))
    fields = (kind, name, line, col, end_col, _names(args), texts[text], tuple(slots))
    return _new(Site, (*fields, branch, branch_line))
