"""Who calls a definition: binding-precise callers, found from the bodies that name it.

The index's references say which bodies mention the name (a byte pre-filter picks the
files first while the index is partial); only those bodies are analysed, and a site
counts when what it reaches *is* the definition: a local variable of the same name is
not a caller, a ``self.method()`` in a subclass that inherits the method is. Calls
through a dispatch table are found from the bodies that name the table. A site with the
name whose receiver codewalk cannot type is listed apart, as a possible caller.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple, Protocol

from codewalk.calls import listed
from codewalk.calls.dispatched import dispatching
from codewalk.calls.graph import body_for, key
from codewalk.calls.holders import holds, parameter_annotations
from codewalk.calls.model import EXTERNAL, RESOLVED, Body, Callee, Code, Mention
from codewalk.calls.records import CLS, LOCAL, PARAM, SELF, CallFacts, Site
from codewalk.calls.sites import CallResolver, own_sites
from codewalk.resolve.model import ModuleView, Resolved
from codewalk.resolve.ranking import modular_source
from codewalk.resolve.resolver import Resolver

Progress = Callable[[int, int], None]  # (bodies read, bodies to read)
_HOPS = 3  # tables and the functions returning their items, followed this far


class Mentions(Protocol):
    def __call__(self, name: str) -> Sequence[Mention]: ...


class Caller(NamedTuple):
    kind: str  # call | ref (passed as a value) | decorator | read (a property) | entry (a table) | maybe
    repo: str
    path: str
    line: int
    col: int  # 0-based
    text: str  # the line, stripped
    caller: Resolved | None  # the function the site is in; None for a table entry or module level
    how: str


def callers(
    cr: CallResolver,
    target: Resolved,
    mentions: Mentions,
    entries: Sequence[Resolved] = (),
    progress: Progress | None = None,
    first: str = "",
) -> list[Caller]:
    """The call sites that reach ``target`` (binding-precise, then table entries, then
    possible callers), each once; within each kind, those of the repository ``first``
    (the reader's) first, those of tests, examples and test helpers last (a library's own
    test scripts call it most), else in file order. Only the sites of a body whose name
    may reach it are resolved: a library none of them reaches into is never opened (nor
    fetched)."""
    name = target.qualname.rpartition(".")[2]
    goals = {key(target)}
    names = {name}
    constructs, made = _constructing(cr, target)
    if constructs:
        owner = target.qualname.rpartition(".")[0]
        names.add(owner.rpartition(".")[2])  # Cls(...) constructs, and runs __init__
        goals.update(key(c) for c in made)
    tables = {e.qualname.rpartition("[")[0].rpartition(".")[2] for e in entries}
    tables |= _registries(cr, mentions, entries)
    tables |= _attributes_holding(cr, mentions, target)
    bodies, module_level, needles = _bodies(cr, mentions, names, tables, modular=modular_source(target.path))
    looped = _lists_holding(cr, target)  # for x in self: x(...) in a list the class is put in
    for body in looped:
        bodies.setdefault(key(body.target), body)
    looping = {key(body.target) for body in looped}
    below = _below(cr, target)
    cr.read_ahead(bodies.values())
    _read_classes(cr, bodies.values(), name)
    found: list[Caller] = []
    maybe: list[Caller] = []
    for done, body in enumerate(bodies.values()):
        if progress is not None:
            progress(done, len(bodies))
        facts = cr.facts(body)
        for inner in (body, *cr.nested_in(body)):  # a nested function's sites are none of body's
            wanted = needles | {"self"} if key(body.target) in looping else needles
            for site in own_sites(inner, facts):
                if not _may_reach(site, facts, wanted, constructs, inner.scope):
                    continue
                callee = cr.callee(inner, site, facts, candidates=False)
                hits = [t for t in callee.targets if key(t) in goals] if callee is not None else []
                if not hits and site.name.root in (SELF, CLS) and f"{inner.module}.{inner.cls}" in below:
                    callee = cr.callee(inner, site, facts)  # self may be of the class that defines it
                    hits = [t for t in callee.targets if key(t) in goals] if callee is not None else []
                if callee is None:
                    continue
                if hits:
                    found.append(_caller(site.kind, inner, site.line, site.col, site.text, hits[0].via))
                elif _maybe(callee, names, cr.code):
                    maybe.append(_caller("maybe", inner, site.line, site.col, site.text, callee.how))
    if progress is not None:
        progress(len(bodies), len(bodies))
    maybe += _at_module_level(cr, module_level, names)
    maybe += [
        _caller("maybe", d.body, d.site.line, d.site.col, d.site.text, d.how) for d in dispatching(cr, target)
    ]
    table_rows = [Caller("entry", e.repo, e.path, e.line, 0, e.signature, None, e.via) for e in entries]

    def order(c: Caller) -> tuple[bool, bool, str, int, int]:
        return (_of_tests(c.path), c.repo != first, c.path, c.line, c.col)

    unique: dict[tuple[str, int, int], Caller] = {}
    for caller in (*sorted(found, key=order), *table_rows, *sorted(maybe, key=order)):
        unique.setdefault((caller.path, caller.line, caller.col if caller.kind != "entry" else -1), caller)
    return list(unique.values())


def _at_module_level(cr: CallResolver, mentions: Sequence[Mention], names: set[str]) -> list[Caller]:
    """The possible callers among ``mentions`` of a name outside any function: a line at
    module or class level calling one of ``names`` (not an import, not a table's entry)."""
    out = []
    for mention in mentions:
        lines = cr.code.lines(mention.repo, mention.path)
        text = lines[mention.line - 1].strip() if 0 < mention.line <= len(lines) else ""
        if calls_by_name(text, names):
            where = "at module or class level, outside any function"
            at = (mention.repo, mention.path, mention.line, mention.col)
            out.append(Caller("maybe", *at, text, None, where))
    return out


_TESTS = frozenset(("tests", "test", "testing", "test_utils", "testing_utils", "examples", "benchmarks"))


def _of_tests(path: str) -> bool:
    """A file of tests, examples or test helpers (``src/accelerate/test_utils/scripts/``,
    ``tests/test_x.py``, ``testing_utils.py``), by the names of its path."""
    parts = path.split("/")
    name = parts[-1].removesuffix(".py")
    return (
        name in _TESTS
        or name.startswith("test_")
        or name.endswith("_test")
        or any(p in _TESTS for p in parts[:-1])
    )


def calls_by_name(text: str, names: set[str]) -> bool:
    """Whether the statement ``text`` calls one of ``names`` (``X(``, ``m.X(``), not a
    longer name that ends with one (``DiffX(``) nor a class statement naming it as a
    base (``class DiffX(X):`` subclasses, it calls nothing)."""
    if text.startswith(("class ", "def ", "async def ")):
        return False
    return any(re.search(rf"(?<![\w]){re.escape(name)}\s*\(", text) for name in names)


def _caller(kind: str, body: Body, line: int, col: int, text: str, how: str) -> Caller:
    return Caller(kind, body.repo, body.target.path, line, col, text, body.target, how)


def _maybe(callee: Callee, names: set[str], code: Code) -> bool:
    """A call of the name that codewalk cannot tie to a definition: a method called on
    a value it cannot type, or a module-level name it cannot follow. A parameter or a
    local of that name is something else, known not to be the definition; so is a name
    followed into a package no pin provides (``accumulate`` imported from ``itertools``)."""
    site = callee.site
    if callee.status == RESOLVED or site.kind == "ref":
        return False
    if callee.status == EXTERNAL and code.owner(callee.external) is None:
        return False
    expr = site.name.expr.removesuffix("[]")
    if expr.rpartition(".")[2] not in names:
        return False
    return "." in expr or site.name.root not in (LOCAL, PARAM)


def _may_reach(site: Site, facts: CallFacts, needles: set[str], constructs: bool, scope: str) -> bool:
    """Whether a site may reach the definition, by the names it is written with: its
    last name is one of ``needles`` (the definition's, a table's, a function's returning
    a table's item), a local assigned from one, or (for an ``__init__``) ``cls(...)``. A
    site whose expression holds none of them as text is told apart by that alone (most of
    the tens of thousands ``callers`` of a popular method reads)."""
    expr = site.name.expr
    if constructs and site.name.root == CLS:
        return True
    if any(needle in expr for needle in needles) or (constructs and "__class__" in expr):
        parts = set(expr.replace("[]", "").replace("()", "").split("."))
        if parts & needles or (constructs and "__class__" in parts):
            return True
    if site.name.root == LOCAL:
        origins = facts.bound(site.name.expr.partition(".")[0].removesuffix("[]"), scope, site.line)
        return any(needles & set(re.findall(r"\w+", o.text)) for o in origins)
    return False


def _lists_holding(cr: CallResolver, target: Resolved) -> list[Body]:
    """The methods of the classes deriving from ``list`` that an instance of the class
    defining ``target`` is put in (:func:`codewalk.calls.listed.holding`): a loop over
    ``self`` there gives one (``LogitsProcessorList.__call__`` runs each processor's)."""
    owner = cr.class_named(target.qualname.rpartition(".")[0]) if "." in target.qualname else None
    if owner is None or target.kind != "method":
        return []
    out: list[Body] = []
    for held_in in listed.holding(cr, owner):
        place = cr.place(held_in)
        if place is None:
            continue
        for method in cr.code.methods(held_in.repo, held_in.path, place[2]):
            body = cr.code.body(method)
            if body is not None:
                out.append(body)
    return out


def _below(cr: CallResolver, target: Resolved) -> set[str]:
    """The classes in the MRO of the class defining ``target`` (``module.Class``): a
    ``self.name()`` in one of them may reach it when ``self`` is of that class."""
    place = cr.place(target)
    if place is None or "." not in place[2]:
        return set()
    _, view, qualname = place
    return {f"{v.module}.{c.qualname}" for v, c in place[0].ns.mro(view, qualname.rpartition(".")[0])}


def _read_classes(cr: CallResolver, bodies: Iterable[Body], member: str) -> None:
    """The class of each method, read ahead with what finding ``member`` on it reads
    first: a ``self.member()`` in thousands of methods resolves in as many classes."""
    wanted: dict[int, tuple[Resolver, list[tuple[ModuleView, str]]]] = {}
    for body in bodies:
        where = cr.view(body) if body.cls else None
        if where is not None:
            wanted.setdefault(id(where[0]), (where[0], []))[1].append((where[1], body.cls))
    for resolver, classes in wanted.values():
        resolver.ns.read_classes(classes, member)


def _bodies(
    cr: CallResolver, mentions: Mentions, names: set[str], tables: set[str], *, modular: bool
) -> tuple[dict[tuple[str, str, int], Body], list[Mention], set[str]]:
    """The bodies that may reach the definition: those that name it, or name a table
    holding it, or a function or property that returns such a table's item (two hops:
    ``LOSS_MAPPING`` -> ``loss_function`` -> ``self.loss_function(...)``). Those of a
    ``modular_*.py`` source only when the definition is in one (``modular``): such a
    source never runs, the file generated from it does, with its own calls."""
    bodies: dict[tuple[str, str, int], Body] = {}
    module_level: list[Mention] = []
    frontier = set(names) | tables
    asked: set[str] = set()
    for _ in range(_HOPS):
        returned: set[str] = set()
        for needle in sorted(frontier - asked):
            asked.add(needle)
            for mention in mentions(needle):
                if modular_source(mention.path) and not modular:
                    continue
                if mention.body is None:
                    if needle in names:
                        module_level.append(mention)
                    continue
                bodies.setdefault(key(mention.body.target), mention.body)
                if needle not in names and _returns(cr, mention.body, needle):
                    returned.add(mention.body.target.qualname.rpartition(".")[2])
        frontier = returned
    return bodies, module_level, asked


def _registries(cr: CallResolver, mentions: Mentions, entries: Sequence[Resolved]) -> set[str]:
    """The module-level names holding an object whose class keeps a table of ``entries``
    (``ALL_ATTENTION_FUNCTIONS = AttentionInterface()``, AttentionInterface keeping
    ``_global_mapping``), or a class deriving from it: ``X.get_interface(key, default)``
    and ``X[key]`` reach the entries, and name neither the table nor what it holds."""
    owners = {e.qualname.rpartition("[")[0].rpartition(".")[0] for e in entries if "[" in e.qualname}
    names: set[str] = set()
    for short, mention in _made(cr, mentions, sorted(owners)):
        lines = cr.code.lines(mention.repo, mention.path) if mention.body is None else []
        if 0 < mention.line <= len(lines):  # at column 0: the module's
            held = re.match(rf"(\w+)\s*(?::[^=]*)?=\s*{re.escape(short)}\(", lines[mention.line - 1])
            names.update([held[1]] if held else [])
    return names


_SELF_ASSIGNED = re.compile(r"\s*self\.(\w+)\s*(?::[^=]*)?=[^=]")  # self.x = / self.x: T =
_SET_BY_A_CALL = re.compile(r"\s*\w+\.\w+\s*\(")  # an attribute's line that is a call: self.set_x(...
_ASSIGNMENT_LINES = 6  # a statement making an instance starts at most this many lines above it


def _attributes_holding(cr: CallResolver, mentions: Mentions, target: Resolved) -> set[str]:
    """For ``X.forward`` (or ``X.__call__``): the attributes a method assigns an instance of
    X or of a class deriving from it, or a list of them (``self.rotary_emb =
    LlamaRotaryEmbedding(...)``, ``self.layers = nn.ModuleList([LlamaDecoderLayer(...)
    ...])``): calling one (``self.rotary_emb(x)``, ``for layer in self.layers: layer(x)``)
    runs X's forward, and names neither; and the tables of classes holding X or one
    deriving from it (``LLAMA_ATTENTION_CLASSES``), whose item called makes one (the
    attributes assigned it, a local naming the table). Read from the lines naming the
    class, then the table; a name proposed wrongly only costs the reading of more
    bodies, whose sites still count when they resolve to the target alone."""
    owner, _, member = target.qualname.rpartition(".")
    if member not in ("forward", "__call__"):
        return set()
    names: set[str] = set()
    tables: set[str] = set()
    for name, mention in itertools.chain(_made(cr, mentions, [owner]), _tabled(cr, mentions, tables)):
        body = mention.body
        if body is None:  # an entry of a table of classes: TABLE[key](...) makes one
            tables.add(cr.code.holder(mention.repo, mention.path, mention.line))
            continue
        if not body.cls:
            continue
        if name in tables:
            names.update(_made_from_a_table(cr, mention.repo, mention.path, body))
            continue
        lines = cr.code.lines(mention.repo, mention.path)
        names.update(_kept_parameter(cr, mention, body, name, lines))
        first = max(mention.line - _ASSIGNMENT_LINES, body.target.start_line, 1)
        for number in range(min(mention.line, len(lines)), first - 1, -1):
            assigned = _SELF_ASSIGNED.match(lines[number - 1])
            if assigned is not None:
                names.add(assigned[1])
                break
        # made into a local, then passed to a method that sets it (self.set_processor(p)): the
        # attributes such a call sets a few lines below (the index keeps the call's line)
        last = min(mention.line + _ASSIGNMENT_LINES, body.target.end_line)
        names.update(
            a.qualname.rpartition(".")[2]
            for a in cr.code.attributes(mention.repo, mention.path, body.cls)
            if mention.line <= a.line <= last and _SET_BY_A_CALL.match(a.signature)
        )
    return names | tables - {""}


def _kept_parameter(
    cr: CallResolver, mention: Mention, body: Body, name: str, lines: Sequence[str]
) -> set[str]:
    """``def __init__(self, controlnet: ControlNetModel | list[ControlNetModel] | ...)``: the
    mention is in the method's header, the annotation of a parameter, so the attributes
    the class sets from that parameter hold one, however far below it is stored
    (``self.controlnet = controlnet``, ``self.register_modules(controlnet=controlnet)``:
    the line the index gives the attribute, read, says from which parameter). The class
    named in the body instead is read a few lines around, where it is made."""
    target = body.target
    if not target.line <= mention.line < target.line + target.signature.count("\n") + 1:
        return set()
    word = re.compile(rf"\b{re.escape(name)}\b")
    params = {
        p for p, note in parameter_annotations(target.signature).items() if word.search(ast.unparse(note))
    }
    if not params:
        return set()
    given = "|".join(map(re.escape, params))
    kept: set[str] = set()
    for a in cr.code.attributes(mention.repo, mention.path, body.cls):
        if not (target.start_line <= a.line <= target.end_line and 0 < a.line <= len(lines)):
            continue
        attribute = a.qualname.rpartition(".")[2]  # self.x = x, self.x: T = x, register_modules(x=x, ...)
        stored = rf"(?:^|[\s(,.]){re.escape(attribute)}\s*(?::[^=]*)?=\s*(?:{given})\b(?!\s*[.(\[])"
        kept.update([attribute] if re.search(stored, lines[a.line - 1]) else [])
    return kept


def _made_from_a_table(cr: CallResolver, repo: str, path: str, body: Body) -> set[str]:
    """The attributes the method ``body`` makes by calling a table's item, as the index
    says (``self.attn = attention_class(...)`` after ``attention_class = TABLE[...]``
    too, a few lines apart)."""
    return {
        a.qualname.rpartition(".")[2]
        for a in cr.code.attributes(repo, path, body.cls)
        if body.target.start_line <= a.line <= body.target.end_line and holds(cr, a).from_table
    }


def _tabled(cr: CallResolver, mentions: Mentions, tables: set[str]) -> Iterator[tuple[str, Mention]]:
    """Each use of the tables ``tables`` names, as it holds them when first asked (after
    the uses of the classes filled it): ``self.self_attn = LLAMA_ATTENTION_CLASSES[...](...)``."""
    for table in sorted(tables - {""}):
        for mention in mentions(table):
            yield table, mention


def _made(cr: CallResolver, mentions: Mentions, qualnames: Sequence[str]) -> Iterator[tuple[str, Mention]]:
    """Each use of the name of the classes ``qualnames`` (those codewalk finds) and of the
    classes deriving from them, with that name: where an instance of one may be made."""
    classes = [c for c in (cr.class_named(q) for q in qualnames) if c is not None]
    every = [*classes, *(d for c in classes for d in cr.descendants(c))]
    wanted = {c.qualname for c in every}
    for cls in every:
        short = cls.qualname.rpartition(".")[2]
        for mention in mentions(short):
            if _may_name(cr, mention, short, wanted):
                yield short, mention


_DOTTED_BEFORE = re.compile(r"((?:\w+\s*\.\s*)+)$")  # `nn.` or `lora .` before a name
_BEFORE = 200  # the characters before a name the search reads: a line may be a minified megabyte


def _may_name(cr: CallResolver, mention: Mention, name: str, classes: set[str]) -> bool:
    """Whether ``name``, read at ``mention`` (``nn.Linear``, ``Linear``), may be one of
    ``classes`` (qualnames): not when the module reads it from a package no pin provides
    (``torch.nn``'s ``Linear``, where peft's is asked), nor when it finds another class
    there (paddle's own ``Linear``). Following the attributes such a class is assigned to
    would read every body calling one (tens of thousands, for ``Linear``). A name the
    module does not resolve (a parameter, a local) may be one."""
    resolver = cr.code.resolver(mention.repo)
    view = resolver.facts.module_by_path(mention.path, mention.repo) if resolver is not None else None
    lines = cr.code.lines(mention.repo, mention.path)
    if resolver is None or view is None or not 0 < mention.line <= len(lines):
        return True
    written = _DOTTED_BEFORE.search(lines[mention.line - 1][max(mention.col - _BEFORE, 0) : mention.col])
    parts = [*re.findall(r"\w+", written[1]), name] if written is not None else [name]
    imports = view.imports(parts[0])
    if (
        imports
        and not view.defs(parts[0])
        and all(imp.level == 0 and cr.code.owner(imp.module) is None for imp in imports)
    ):
        return False
    hits = resolver.ns.lookup(view, parts, (), 0)
    return not hits or any(f"{h.view.module}.{h.definition.qualname}" in classes for h in hits)


def called_by_python(target: Resolved) -> str:
    """What calls ``target`` where no line of code names it, or "": a ``__post_init__`` is
    called by the ``__init__`` ``@dataclass`` makes (transformers' ``ModelOutput``, whose
    dataclasses derive from it: constructing any of them runs it)."""
    owner, _, name = target.qualname.rpartition(".")
    if target.kind != "method" or name != "__post_init__":
        return ""
    cls = owner.rpartition(".")[2]
    return (
        f"Python calls {cls}.__post_init__ from the __init__ @dataclass makes, of {cls} or of a "
        f"dataclass deriving from it (that does not define its own): each construction of one runs it"
    )


def _returns(cr: CallResolver, body: Body, needle: str) -> bool:
    facts = cr.facts(body)
    return any(needle in o.name.expr.removesuffix("[]").split(".") for o in facts.returned(body.scope))


def _constructing(cr: CallResolver, target: Resolved) -> tuple[bool, list[Resolved]]:
    """Whether making a class runs ``target`` (its ``__init__``, or a ``__post_init__``
    the ``__init__`` ``@dataclass`` made calls), and the classes whose making runs it."""
    name = target.qualname.rpartition(".")[2]
    if target.kind != "method" or name not in ("__init__", "__post_init__"):
        return False, []
    made = _classes(cr, target)
    if name == "__post_init__":  # run by the __init__ @dataclass made, when the class has no other
        made = [c for c in made if _runs(cr, c, target)]
        return bool(made), made
    return True, made


def _runs(cr: CallResolver, cls: Resolved, method: Resolved) -> bool:
    """Whether constructing ``cls`` runs ``method``: its ``__init__``, or the
    ``__post_init__`` the ``__init__`` ``@dataclass`` made calls."""
    body = body_for(cr, cls)
    return body is not None and key(body.target) == key(method)


def _classes(cr: CallResolver, init: Resolved) -> list[Resolved]:
    resolver = cr.code.resolver(init.repo)
    if resolver is None:
        return []
    owner = init.qualname.rpartition(".")[0]
    return [r for r in resolver.find(owner, related=False).matches if r.kind == "class"][:1]
