"""What the call layer reads and answers.

- :class:`Body`: a function definition with its text, the unit call facts are kept for;
- :class:`Callee`: one call site resolved, saying how (or why not);
- :class:`Code`: what the call layer asks of the code it reads: a resolver per pinned
  repo, function bodies, dispatch-table entries, the classes deriving from a class, and
  the definitions of a name in another package. The workspace backs it over its stack of pins.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import NamedTuple, Protocol

from codewalk.calls.records import LOCALS, Site
from codewalk.index.records import DictEntry
from codewalk.resolve.model import Resolved
from codewalk.resolve.resolver import Resolver

# Callee.status
RESOLVED = "resolved"  # one or more definitions in a pinned repo
EXTERNAL = "external"  # a name in another package that no pin provides: Callee.external names it
UNRESOLVED = "unresolved"  # codewalk cannot tell what it calls: Callee.how says what is known
BUILTIN = "builtin"  # a Python builtin (len, isinstance, ...)


def is_holder(kind: str) -> bool:
    """Whether a call's first target of this kind holds what the call runs (a property,
    an attribute, a variable: ``self.self_attn(...)`` runs what ``self_attn`` holds), so
    that the targets after it are what runs, not alternatives to it."""
    return kind in ("property", "attribute", "variable")


def called_on(targets: Sequence[Resolved], cls: str) -> tuple[Resolved, ...]:
    """``targets`` of ``X.m`` called on the class ``X`` (``cls``, fully qualified): a
    method reached through no class yet runs with ``cls`` (``self``) that class, carried
    down (what ``cls(...)`` makes there, what ``Self`` is: ``DDIMScheduler.from_config()``
    makes a ``DDIMScheduler``); the rest are as they were."""
    return tuple(t._replace(receiver=cls) if unbound(t) else t for t in targets)


def unbound(target: Resolved) -> bool:
    """Whether ``target`` is a method reached through no class (:func:`called_on` gives it one)."""
    return target.kind == "method" and not target.receiver


class Body(NamedTuple):
    """A function, method or property of a pinned repo, with its source lines."""

    repo: str
    module: str  # "transformers.trainer"
    cls: str  # the enclosing class's qualname in the module ("Trainer"), "" for a function
    target: Resolved  # its definition
    blob: int  # the file's content id in the index
    # lines start_line..end_line of the file (decorators included), read when asked: the
    # facts of most bodies are in the index already, and reading a file costs
    source: Callable[[], str]
    # the class ``self`` (or ``cls``) is taken to be when narrower than ``cls``: named by
    # the question (``LlamaForCausalLM.generate``) or carried down a chain; its ``via``
    # says why. None: some instance of ``cls`` (or of any class deriving from it)
    receiver: Resolved | None = None
    # a function nested in another (``f.<locals>.g``): ``host`` is the function whose
    # lines (``text``) hold it; its sites are those of host's facts within its own lines
    host: Resolved | None = None
    # what the call that reached it passed to its unannotated parameters, when the caller
    # could tell: (parameter, the classes of the instance passed, loosely: of a class
    # deriving from them too)
    arguments: tuple[tuple[str, tuple[Resolved, ...], bool], ...] = ()

    @property
    def nested(self) -> bool:
        """A function defined in another (``f.<locals>.g``)."""
        return "<locals>" in self.target.qualname

    @property
    def scope(self) -> str:
        """Where its names are kept in its host's facts (:meth:`CallFacts.bound`): ``""``
        for a body of its own, ``inner.<locals>.`` for a function nested in it."""
        if self.host is None:
            return ""
        return self.target.qualname.removeprefix(self.host.qualname + LOCALS) + LOCALS

    @property
    def name(self) -> str:
        """``Trainer.training_step``: the qualname inside its module."""
        return self.target.qualname[len(self.module) + 1 :]

    @property
    def key(self) -> tuple[str, str, int, str]:
        """The body as a walk sees it: a definition, the class ``self`` is there and what
        its parameters were passed."""
        receiver = self.receiver.qualname if self.receiver is not None else ""
        if self.arguments:
            passed = ",".join(f"{p}={'|'.join(c.qualname for c in cs)}" for p, cs, _ in self.arguments)
            receiver = f"{receiver}({passed})"
        return (self.repo, self.target.path, self.target.line, receiver)


class Callee(NamedTuple):
    """A call site and what it reaches."""

    site: Site
    targets: tuple[Resolved, ...]  # best first; empty unless status is "resolved"
    how: str  # how it was reached, or what is known when it was not
    status: str  # resolved | external | unresolved | builtin
    external: str = ""  # the dotted name in another package ("accelerate.Accelerator.backward")
    # a path goes through it: not a reference passed to code codewalk cannot read
    # (``inspect.signature(self.forward)`` inspects, it does not call) or only stored
    followed: bool = True

    @property
    def minor(self) -> bool:
        """A builtin, or a call on a value codewalk cannot type (a parameter's method, a
        local's attribute, an expression's): summarised rather than listed, by default."""
        if self.status == BUILTIN:
            return True
        if self.status != UNRESOLVED:
            return False
        root, expr = self.site.name.root, self.site.name.expr
        return root in ("param", "expr") or (root == "local" and "." in expr) or "()." in expr

    @property
    def label(self) -> str:
        """What the site calls, in one name: the first target, else what is known."""
        if self.targets:
            return self.targets[0].qualname
        return self.external or self.site.name.expr or self.site.text


class Mention(NamedTuple):
    """A use of a name in a file, and the body around it (None: module or class level)."""

    repo: str
    path: str
    line: int
    col: int
    body: Body | None


class Code(Protocol):
    """The code the call layer reads (implemented by the workspace)."""

    def resolver(self, repo: str) -> Resolver | None:
        """The resolver of a pinned repo the workspace holds, else None."""
        ...

    def body(self, target: Resolved) -> Body | None:
        """The body of a function, method or property definition (None for others,
        or when its source cannot be read)."""
        ...

    def around(self, repo: str, path: str, line: int) -> Body | None:
        """The function, method or property whose span holds ``line`` (the innermost)."""
        ...

    def lines(self, repo: str, path: str) -> list[str]:
        """The lines of a file of a pinned repo (with their ends); [] when unreadable."""
        ...

    def table(self, repo: str, module: str, table: str) -> list[DictEntry]:
        """The entries of a dict literal assigned to ``table`` (a qualname) in ``module``."""
        ...

    def holder(self, repo: str, path: str, line: int) -> str:
        """The name of the module-level assignment whose value spans ``line`` of a file
        (``LOSS_MAPPING`` for an entry of its dict), "" when none does."""
        ...

    def methods(self, repo: str, path: str, cls: str) -> list[Resolved]:
        """The functions, methods and properties of the class ``cls`` of a file."""
        ...

    def attributes(self, repo: str, path: str, cls: str) -> list[Resolved]:
        """The instance attributes the methods of the class ``cls`` of a file set."""
        ...

    def opened(self) -> int:
        """How many repositories are open: an answer over "the opened repositories"
        (:meth:`descendants`, :meth:`named`) holds until this grows."""
        ...

    def children(self, classes: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[Resolved]]:
        """The classes of the opened repositories deriving directly from each of
        ``classes`` ((module, class qualname)), looked up together."""
        ...

    def descendants(self, repo: str, module: str, cls: str) -> list[Resolved]:
        """Every class deriving from the class ``cls`` of ``module``, nearest first."""
        ...

    def installed_on(self, target: Resolved) -> list[Resolved]:
        """The classes a function nested in another is set on as a method (``cls.__init__
        = __init__`` in ``strict``'s ``wrap``): those the decorator handing the class to it
        decorates, or the class whose ``__init_subclass__`` hands it each class deriving
        from it; ``self`` there is an instance of one or of a class deriving from one. Each
        class's ``via`` says how; [] for a function no class gets."""
        ...

    def classes_naming(self, bases: Sequence[str]) -> list[Resolved]:
        """The classes of the opened repositories whose bases, as written, end with one of
        ``bases`` (``list``: a name no pin defines)."""
        ...

    def mentions(self, name: str) -> list[Mention]:
        """Every use of ``name`` in the opened repositories, with the body around it."""
        ...

    def named(
        self, name: str, also: Sequence[str] = (), within: Collection[str] = (), kinds: Collection[str] = ()
    ) -> list[Resolved]:
        """Every definition named ``name`` in the opened repositories (the overrides of a
        method are among them), and in the pinned repositories ``also`` whose source is
        in the cache (opened to be read; none is fetched); in those of ``within`` alone,
        if given; of ``kinds`` alone, if given (``config`` names thousands of attributes
        beside the few methods and properties an override can be)."""
        ...

    def members_named(self, name: str, owners: Collection[str], within: Collection[str]) -> list[Resolved]:
        """The definitions of :meth:`named` (in the opened repositories of ``within``)
        defined in one of ``owners`` (fully qualified classes), in the same order."""
        ...

    def owner(self, dotted: str) -> str | None:
        """The pinned repo whose packages provide the module or name ``dotted``."""
        ...

    def elsewhere(self, qualname: str) -> tuple[list[Resolved], str]:
        """The definitions of a dotted name of another package, in the pinned repo that
        provides it; else [] and why ("no pin provides accelerate", "the accelerate pin
        cannot be opened: ...")."""
        ...
