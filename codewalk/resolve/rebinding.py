"""Members a class gets after its body has run, as Python builds it:

- rebound at import time: ``AutoModelForCausalLM = auto_class_update(AutoModelForCausalLM)``
  runs ``auto_class_update``, which sets ``cls.from_pretrained`` to a copy of
  ``_BaseAutoModelClass.from_pretrained``: that function is what runs, whatever the class
  body defined (its stub is listed after it);
- made at class creation: a base's ``__init_subclass__`` hands the new class to functions
  (``dataclass(cls)``, ``wrap_init_to_accept_kwargs(cls)``) that set its members: a
  config class's ``__init__`` is the wrapper those set, around the one ``dataclass`` made
  from the fields (applied when the class body defines no such member), and the members
  that ``dataclass(cls, ...)`` makes there (every config's ``__eq__``);
- made by a class decorator (``@strict`` wraps ``__init__``, ``@use_experts_implementation``
  sets a dispatching ``forward``): followed for the special methods and ``forward``, the
  topmost decorator that sets one having the last word;
- made by ``@dataclass``: ``__init__``, ``__repr__`` and ``__eq__`` of a dataclass whose
  body defines none have no source of their own: the class (its fields) is the answer,
  though a base defines one (``ModelOutput.__init__`` never runs for its dataclasses);
  ``@dataclass(init=False)`` (``repr=False``, ``eq=False``) makes none (an index fact);
- not what a condition the code states rules out for this class: ``@strict`` sets
  ``__init__`` under ``if accept_kwargs:``, which a bare ``@strict`` leaves at its default
  (false), and ``__repr__`` under ``if cls.__dataclass_params__.repr is True:``, false for
  a class made with ``dataclass(cls, repr=False)``; the answer says which was left out.

Read from the ``rebind``/``applies`` facts of :mod:`codewalk.index.bindings`. Pure.
"""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

from collections.abc import Callable, Sequence
from functools import cache, partial
from typing import NamedTuple, Protocol

from codewalk.index.records import (
    DATACLASS_MADE,
    REBOUND,
    UNLESS_DEFINED,
    Definition,
    Guard,
    dataclass_makes,
)
from codewalk.resolve.model import Hit, ModuleView, chain
from codewalk.resolve.mro import ClassRef


class Namespace(Protocol):
    """What is asked of :class:`~codewalk.resolve.namespace.Namespace` here."""

    def lookup(
        self, view: ModuleView, parts: Sequence[str], seen: tuple[str, ...], depth: int
    ) -> list[Hit]: ...


_CALLABLE = ("function", "method", "class", "property")
_DEPTH = 3  # functions handing the class on to functions


class Rule(NamedTuple):
    """What tells whether a ``cls.NAME = ...`` runs for the class being made: its
    dataclass keywords (None: not known; read from the MRO only when a condition asks,
    :func:`ruling`), and, while the class is in the hands of one
    of its decorators, the decorator's function and the keywords it is called with
    (None: not a literal). ``left_out`` collects a line per rebind ruled out."""

    cls: Definition
    dataclass: Callable[[], dict[str, bool] | None]
    left_out: list[str]
    decorator: str = ""  # the name as the class writes it ("strict")
    giver: tuple[str, str] = ("", "")  # (path, qualname) of the function the decorator names
    given: tuple[tuple[str, bool | None], ...] = ()

    def ruled_out(self, view: ModuleView, function: str, rebind: Definition) -> bool:
        """Whether a condition ``rebind`` is set under is false for this class (noted)."""
        for guard in filter(None, map(Guard.parse, rebind.decorators)):
            value = self._value(view, function, guard)
            if value is not None and value != guard.wanted:
                self.left_out.append(self._why(view, function, rebind, guard, value))
                return True
        return False

    def _value(self, view: ModuleView, function: str, guard: Guard) -> bool | None:
        if guard.kind == "dataclass":
            keywords = self.dataclass()
            return None if keywords is None else keywords.get(guard.name)
        path, giver = self.giver
        if view.path != path or not (function == giver or function.startswith(f"{giver}.<locals>.")):
            return None  # a parameter of a function not called by the decorator: not known
        return dict(self.given).get(guard.name, guard.default)

    def _why(self, view: ModuleView, function: str, rebind: Definition, guard: Guard, value: bool) -> str:
        where = f"{view.path}:{guard.line}"
        wanted = "" if guard.wanted else "not "
        if guard.kind == "dataclass":
            condition = f"if {wanted}cls.__dataclass_params__.{guard.name} ({where})"
            why = f"{self.cls.name} is a dataclass with {guard.name}={value}"
        else:
            condition = f"if {wanted}{guard.name} ({where})"
            passed = guard.name in dict(self.given)
            why = f"@{self.decorator} of {self.cls.name} " + (
                f"passes {guard.name}={value}" if passed else f"leaves {guard.name} at its default ({value})"
            )
        at = f"{view.path}:{rebind.line}"
        return f"not {function}'s cls.{rebind.name} ({at}): set only {condition}, and {why}"


def with_rebinds(ns: Namespace, mro: list[ClassRef], member: str, hits: list[Hit]) -> list[Hit]:
    """``hits`` (the members the MRO finds) with what import time and class creation
    set in their place, in the order Python would find them; the first says which
    rebinds a stated condition left out."""
    rule = ruling(mro)
    found = _with_rebinds(ns, mro, member, hits, rule)
    if found and rule.left_out:
        notes = "; ".join(dict.fromkeys(rule.left_out))
        found[0] = found[0]._replace(via=f"{found[0].via} ({notes})")
    return found


def ruling(mro: list[ClassRef]) -> Rule:
    """The :class:`Rule` for the class ``mro`` starts with: its dataclass keywords are read once
    a rebind's condition names one (a lookup through a class no such rebind sets asks its
    bases nothing of them)."""
    return Rule(mro[0][1], cache(partial(dataclass_keywords, mro)), [])


def dataclass_keywords(mro: list[ClassRef]) -> dict[str, bool] | None:
    """The ``init``/``repr``/``eq`` keywords the class was made a dataclass with, as
    truths: its own ``@dataclass(...)``, else a ``dataclass(cls, ...)`` in a base's
    ``__init_subclass__``, else the nearest dataclass base's (inherited); None when
    none of them is a dataclass."""
    cls = mro[0][1]
    if any(d.rpartition(".")[2] == "dataclass" for d in cls.decorators):
        return _keywords(cls.flags)
    for base_view, base in mro[1:]:
        for applied in base_view.defs(f"{base.qualname}.__init_subclass__.<applies>"):
            if applied.kind == "applies" and applied.name == "dataclass":
                return _keywords(applied.flags)
    for _, klass in mro[1:]:
        if any(d.rpartition(".")[2] == "dataclass" for d in klass.decorators):
            return _keywords(klass.flags)
    return None


def _keywords(flags: int) -> dict[str, bool]:
    return {member.strip("_"): dataclass_makes(flags, member) for member in DATACLASS_MADE}


def _with_rebinds(ns: Namespace, mro: list[ClassRef], member: str, hits: list[Hit], rule: Rule) -> list[Hit]:
    view, cls = mro[0]
    own = any(h.view.path == view.path and h.definition.parent == cls.qualname for h in hits)
    at_import = _at_import(ns, mro, member, hits, rule)
    if at_import:
        return at_import
    # class decorators are followed for the special methods they make (``__init__``), for
    # ``forward``, what calling a module runs (``@use_experts_implementation`` sets a
    # dispatcher), and for a member the class has not otherwise (``@strict``'s
    # ``validate``): following one for every member would open (and fetch) the
    # repositories they live in
    followed = member.startswith("__") or member == "forward" or not hits
    decorated = _decorated(ns, view, cls, member, bool(hits), rule) if followed else []
    if decorated:
        before = _made_at_creation(ns, mro, member, hits, own, rule)
        around = f", around {before[0].definition.qualname}" if before else ""
        return [h._replace(via=f"{h.via}{around}") for h in decorated] + [
            _replaced(h, "wrapped by the class's decorator") for h in before
        ]
    return _made_at_creation(ns, mro, member, hits, own, rule)


def rebound_at_import(ns: Namespace, mro: list[ClassRef], member: str, hits: list[Hit]) -> list[Hit]:
    """``hits`` with what import time set in their place first: the class body's def
    never runs (a def a decorator wraps still runs, inside the wrapper)."""
    return _at_import(ns, mro, member, hits, ruling(mro)) or hits


def _at_import(ns: Namespace, mro: list[ClassRef], member: str, hits: list[Hit], rule: Rule) -> list[Hit]:
    """What import time set in the place of ``hits``, then ``hits``; [] when nothing."""
    view, cls = mro[0]
    at_import = _rebound_at_import(ns, view, cls, member, bool(hits), rule)
    return at_import + [_replaced(h, "rebound at import time") for h in hits] if at_import else []


def _made_at_creation(
    ns: Namespace, mro: list[ClassRef], member: str, hits: list[Hit], own: bool, rule: Rule
) -> list[Hit]:
    """``hits``, or what a base's ``__init_subclass__`` (or ``@dataclass``) made."""
    if not own:
        for base_view, base in mro[1:]:
            hooks = base_view.defs(f"{base.qualname}.__init_subclass__")
            created = _hooked(ns, mro, (base_view, base), member, bool(hits), rule)
            if created:
                return created + [_replaced(h, "set on the class when it is made") for h in hits]
            # what a hook applies is recorded under it: a base without one applies nothing
            made = _made_by_hook(mro[0], base, base_view, member) if hooks else None
            if made is not None:  # dataclass(cls) in the hook: the member made from the fields
                return [made, *(_replaced(h, "made again by dataclass(cls)") for h in hits)]
    if member in DATACLASS_MADE:
        made = _made_by_dataclass(mro, member)
        if made is not None:  # a base's own member does not run: the one @dataclass made does
            return [made, *(_replaced(h, "made again by @dataclass") for h in hits)]
    return hits


def made_at_creation(ns: Namespace, mro: list[ClassRef], member: str, has: bool) -> list[Hit]:
    """What a base's ``__init_subclass__`` set ``member`` to as the class ``mro`` starts
    with was made, before any decorator of it ran (``wrap_init_to_accept_kwargs``'s
    ``__init__`` is what ``@strict`` finds on a config, and wraps); [] when none did.
    ``has``: the class has a ``member`` already (inherited)."""
    rule = ruling(mro)
    for base in mro[1:]:
        created = _hooked(ns, mro, base, member, has, rule)
        if created:
            return created
    return []


def _hooked(
    ns: Namespace, mro: list[ClassRef], base: ClassRef, member: str, has: bool, rule: Rule
) -> list[Hit]:
    """What the ``__init_subclass__`` of ``base`` sets ``member`` to on the class ``mro``
    starts with, through the functions it hands the class to."""
    base_view, klass = base
    return [
        hit
        for hook in base_view.defs(f"{klass.qualname}.__init_subclass__")
        if hook.kind == "method"
        for hit in _set_by(ns, base_view, hook, member, _made(mro[0][1], klass, base_view, hook), has, rule)
    ]


def _made_by_dataclass(mro: list[ClassRef], member: str) -> Hit | None:
    """The ``member`` ``@dataclass`` made, when the first class of ``mro`` whose body
    defines it or is a dataclass is a dataclass (which makes it only when its body does
    not): ``CausalLMOutputWithPast.__init__`` is its own, not ``ModelOutput``'s."""
    for class_view, klass in mro:
        if class_view.defs(f"{klass.qualname}.{member}"):
            return None
        if any(d.rpartition(".")[2] == "dataclass" for d in klass.decorators) and dataclass_makes(
            klass.flags, member
        ):  # @dataclass(init=False) leaves a base's __init__ in place
            how = f"made by @dataclass from the fields of {klass.name} ({class_view.path}:{klass.line})"
            return Hit(class_view, klass, how, 0)
    return None


def _made_by_hook(made: ClassRef, base: Definition, base_view: ModuleView, member: str) -> Hit | None:
    """The ``member`` a ``dataclass(cls, ...)`` in ``base.__init_subclass__`` makes for
    the class ``made`` (whose body defines none), when its keywords do not switch it off:
    ``PreTrainedConfig``'s makes every config's ``__eq__`` (not its ``__repr__``)."""
    view, cls = made
    for applied in base_view.defs(f"{base.qualname}.__init_subclass__.<applies>"):
        dataclass = applied.kind == "applies" and applied.name == "dataclass"
        if dataclass and dataclass_makes(applied.flags, member):
            how = (
                f"made from the fields of {cls.name} ({view.path}:{cls.line}) by dataclass(cls) in "
                f"{base.name}.__init_subclass__ ({base_view.path}:{applied.line})"
            )
            return Hit(view, cls, how, 0)
    return None


def _decorated(
    ns: Namespace, view: ModuleView, cls: Definition, member: str, has: bool, rule: Rule
) -> list[Hit]:
    """What the class's decorators set ``member`` to (applied bottom-up: the topmost one
    that sets it has the last word); ``has``: the class has a ``member`` of its own."""
    found: list[Hit] = []
    facts = view.defs(f"{cls.qualname}.<decorator>")
    called = {d.target: d.decorators for d in facts if d.kind == "decorator"}
    for name in reversed(cls.decorators):
        given = tuple(_given(k) for k in called.get(name, ()))
        for function in _functions(ns, view, name):
            how = f"made by the decorator @{name} of {cls.name} ({view.path}:{cls.start_line})"
            giver = (function.view.path, function.definition.qualname)
            under = rule._replace(decorator=name, giver=giver, given=given)
            later = _set_by(ns, function.view, function.definition, member, how, has, under)
            found = later or found
    return found


def _given(keyword: str) -> tuple[str, bool | None]:
    """``accept_kwargs=1`` (a ``decorator`` fact's keyword) as (name, truth or None)."""
    name, _, value = keyword.partition("=")
    return name, None if value == "?" else value == "1"


def _rebound_at_import(
    ns: Namespace, view: ModuleView, cls: Definition, member: str, has: bool, rule: Rule
) -> list[Hit]:
    """``Cls = f(Cls, ...)`` in the class's module: what ``f`` sets ``cls.member`` to."""
    if cls.parent:
        return []
    found: list[Hit] = []
    for statement in view.defs(cls.name):
        if not statement.flags & REBOUND or not statement.target:
            continue
        where = f"{view.path}:{statement.line}"
        for function in _functions(ns, view, statement.target):
            how = f"{cls.name} = {statement.target}({cls.name}, ...) at import time ({where})"
            found += _set_by(ns, function.view, function.definition, member, how, has, rule)
    return found


def _set_by(
    ns: Namespace,
    view: ModuleView,
    function: Definition,
    member: str,
    how: str,
    has: bool,
    rule: Rule,
    depth: int = 0,
) -> list[Hit]:
    """What ``function`` (handed the class) sets ``cls.member`` to, itself or through
    the functions it hands the class on to (the last one to set it wins); ``has``: the
    class has a ``member`` already, so a default set under ``if not hasattr(cls, ...)``
    is not; nor is one set under a condition ``rule`` says is false."""
    if depth > _DEPTH:
        return []
    found: list[Hit] = []
    made_by_dataclass = False
    sets = [
        d
        for d in rebinds(view, function.qualname, member)
        if not (has and d.flags & UNLESS_DEFINED) and not rule.ruled_out(view, function.qualname, d)
    ]
    for rebind in reversed(sets):  # the last one wins; one set before may be what it wraps
        hits = rebound_to(ns, view, rebind, f"{how} sets cls.{member} ({view.path}:{rebind.line})")
        again = f"set again at line {sets[-1].line}"
        found += [_replaced(h, again) for h in hits] if found else hits
    for applied in sorted(view.defs(f"{function.qualname}.<applies>"), key=lambda d: d.line):
        if applied.kind != "applies":
            continue
        if applied.target.rpartition(".")[2] == "dataclass":
            made_by_dataclass = dataclass_makes(applied.flags, member)
            continue
        for inner in _functions(ns, view, applied.target):
            onward = f"{how} hands the class to {applied.target} ({view.path}:{applied.line}), which"
            later = _set_by(ns, inner.view, inner.definition, member, onward, has, rule, depth + 1)
            found = later or found
    if made_by_dataclass and found:
        around = f"around the {member} dataclass(cls) made from the fields"
        found = [h._replace(via=f"{h.via}, {around}") for h in found]
    return found


def installed(by_target: Callable[[str], Sequence[Definition]], nested: str) -> tuple[list[str], list[str]]:
    """Where a nested function ``nested`` (a qualname of its module) is set on a class as a
    method: the members it is set as (``cls.__init__ = __init__``), and the functions of
    the module that are handed the class and so set it (the one around it, then those
    that hand the class on to that one: ``strict`` to its ``wrap``), nearest first.
    ``by_target`` gives the ``rebind``/``applies`` facts of the module naming a target."""
    sets = [d for d in by_target(nested) if d.kind == "rebind"]
    members = sorted({d.name for d in sets})
    handed = list(dict.fromkeys(d.qualname.rpartition(".")[0] for d in sets))
    todo = list(handed)
    for _ in range(_DEPTH):
        later: list[str] = []
        for function in todo:  # an ``applies`` fact names its target as the module does
            for applied in by_target(function):
                giver = applied.qualname.removesuffix(".<applies>")
                if applied.kind == "applies" and giver not in handed:
                    handed.append(giver)
                    later.append(giver)
        todo = later
    return members, handed if members else []


def rebinds(view: ModuleView, function: str, member: str) -> list[Definition]:
    """The ``cls.member = ...`` statements of ``function`` (a qualname in ``view``), in order."""
    return sorted((d for d in view.defs(f"{function}.{member}") if d.kind == "rebind"), key=lambda d: d.line)


def rebound_to(ns: Namespace, view: ModuleView, rebind: Definition, how: str) -> list[Hit]:
    """The definitions a ``rebind`` fact names: a nested def, a dotted name, or (when
    what is set cannot be read) the statement itself."""
    if "<locals>" in rebind.target:
        return [Hit(view, d, how, -1) for d in view.defs(rebind.target)]
    if rebind.target:
        hits = [h for h in ns.lookup(view, rebind.target.split("."), (), 0) if h.definition.kind in _CALLABLE]
        if hits:
            return [h._replace(via=chain(how, h.via), penalty=-1) for h in hits]
    return [Hit(view, rebind, how, -1)]


def _functions(ns: Namespace, view: ModuleView, name: str) -> list[Hit]:
    """The functions ``name`` means in ``view`` (a nested ``f.<locals>.g`` as recorded)."""
    if "<locals>" in name:
        return [Hit(view, d, "direct", 0) for d in view.defs(name) if d.kind == "function"]
    return [h for h in ns.lookup(view, name.split("."), (), 0) if h.definition.kind in ("function", "method")]


def _made(cls: Definition, base: Definition, view: ModuleView, hook: Definition) -> str:
    return f"made when {cls.name} is created: {base.name}.__init_subclass__ ({view.path}:{hook.line})"


def _replaced(hit: Hit, how: str) -> Hit:
    return hit._replace(via=f"{hit.via} ({how}: replaced by the first result)", penalty=hit.penalty + 10)
