"""Which static call site a call the trace recorded at a line is of, on synthetic recorded
runs: a trace records the line of a call, not its column."""

from __future__ import annotations

from codewalk.calls.model import BUILTIN, EXTERNAL, RESOLVED, UNRESOLVED, Callee
from codewalk.calls.records import BUILTIN as BUILTIN_ROOT
from codewalk.calls.records import GLOBAL, LOCAL, SELF, Name, Site
from codewalk.resolve.model import Resolved
from codewalk.traces.joined import calls_run
from codewalk.traces.model import Function, Node, Trace
from codewalk.traces.tree import Tree
from tests.synthetic_trace import synthetic_trace

LINE = 12  # the line of the call site in ``run``


def run_calling(name: str) -> Trace:
    """``pkg.Engine.run`` called by the program, calling ``pkg.Engine.<name>`` at ``LINE``."""
    functions = (
        Function("pkg", "pkg/__init__.py", "pkg", "Engine.run", 10),
        Function("pkg", "pkg/__init__.py", "pkg", f"Engine.{name}", 30),
    )
    nodes = (Node(-1, 0, -1, -1, 0, 0.0), Node(0, 1, 0, -1, 1, 0.002), Node(1, LINE, 1, -1, 1, 0.001))
    return synthetic_trace(functions, nodes, lines=((LINE,), ()))


def untyped_to(*args: Name) -> Callee:
    """``ids.to(...)`` on a local codewalk cannot type."""
    site = Site("call", Name("ids.to", LOCAL), LINE, 14, 16, args=args)
    return Callee(site, (), "to of a value whose type codewalk does not know", UNRESOLVED)


def test_a_property_read_in_a_calls_arguments_is_not_what_the_untyped_call_ran() -> None:
    """``ids.to(self.device)``, ``self`` untyped: the getter of ``device`` ran at the line,
    which ``calls --trace`` gave to ``ids.to`` as what it reached. It is listed as a call
    no site is known to have made."""
    trace = run_calling("device")
    ran = calls_run(trace, Tree(trace), {0}, [untyped_to(Name("self.device", SELF))])
    (site,) = ran.sites
    assert site.reached == () and site.calls == 0
    assert [(line, function.name, calls) for line, function, calls in ran.unplaced] == [
        (LINE, "Engine.device", 1)
    ]


def test_what_an_untyped_call_reached_is_still_its_own() -> None:
    """The function the call reached, named as nothing its arguments read, stays the site's."""
    trace = run_calling("convert")
    ran = calls_run(trace, Tree(trace), {0}, [untyped_to(Name("self.device", SELF))])
    (site,) = ran.sites
    assert [(function.name, calls) for function, calls in site.reached] == [("Engine.convert", 1)]
    assert ran.unplaced == ()


def test_an_untyped_call_inside_a_builtins_is_the_one_that_names_what_ran() -> None:
    """``len(self.config.f())``, ``self.config`` untyped: ``f`` ran at the line, where
    ``len`` is a call too. It is the site that names it that made the call, not one no site
    is known to have made."""
    trace = run_calling("f")
    sized = Callee(
        Site("call", Name("len", BUILTIN_ROOT, "len"), LINE, 11, 14), (), "a Python builtin", BUILTIN
    )
    untyped = Callee(Site("call", Name("self.config.f", SELF), LINE, 27, 28), (), "not resolved", UNRESOLVED)
    ran = calls_run(trace, Tree(trace), {0}, [sized, untyped])
    assert [(function.name, calls) for function, calls in ran.sites[1].reached] == [("Engine.f", 1)]
    assert ran.sites[0].reached == () and ran.unplaced == ()


def test_an_untyped_call_beside_a_call_into_another_package_is_the_one_that_ran() -> None:
    """``load_method(os.path.join(folder, name))`` (diffusers' ``load_sub_model``),
    ``load_method`` a local codewalk cannot type: ``from_pretrained`` ran at the line. The
    standard library's ``os.path.join`` did not call it: ``load_method`` did, and says so,
    rather than a call no site is known to have made."""
    trace = run_calling("from_pretrained")
    local = Callee(Site("call", Name("load_method", LOCAL), LINE, 27, 38), (), "not resolved", UNRESOLVED)
    join = Callee(
        Site("call", Name("os.path.join", GLOBAL), LINE, 39, 51),
        (),
        "os.path.join, in another package",
        EXTERNAL,
        "os.path.join",
    )
    ran = calls_run(trace, Tree(trace), {0}, [local, join])
    assert [(function.name, calls) for function, calls in ran.sites[0].reached] == [
        ("Engine.from_pretrained", 1)
    ]
    assert ran.sites[1].reached == () and ran.unplaced == ()


def lazy_module_trace() -> Trace:
    """``pkg.load`` called by the program, running a lazy module's ``__getattr__`` (twice)
    at ``LINE``."""
    functions = (
        Function("pkg", "pkg/__init__.py", "pkg", "load", 10),
        Function("pkg", "pkg/lazy.py", "pkg.lazy", "LazyModule.__getattr__", 30),
    )
    nodes = (Node(-1, 0, -1, -1, 0, 0.0), Node(0, 1, 0, -1, 1, 0.002), Node(1, LINE, 1, -1, 2, 0.001))
    return synthetic_trace(functions, nodes, lines=((LINE,), ()))


def test_a_lazy_modules_getattr_at_a_line_is_the_getattr_builtins_not_a_method_call_beside_it() -> None:
    """``{c: getattr(library, c, None) for c in classes.keys()}`` (diffusers'
    ``get_class_obj_and_candidates``): the module's ``__getattr__`` ran in ``getattr``, which
    ``calls --trace`` gave to ``classes.keys``, the line's one dotted call, as "ran x16"."""
    trace = lazy_module_trace()
    getattr_ = Callee(
        Site("call", Name("getattr", BUILTIN_ROOT, "getattr"), LINE, 8, 15), (), "a Python builtin", BUILTIN
    )
    keys = Callee(Site("call", Name("classes.keys", LOCAL), LINE, 40, 52), (), "not resolved", UNRESOLVED)
    ran = calls_run(trace, Tree(trace), {0}, [getattr_, keys])
    assert [(function.name, calls) for function, calls in ran.sites[0].reached] == [
        ("LazyModule.__getattr__", 2)
    ]
    assert ran.sites[1].reached == () and ran.sites[1].calls == 0 and ran.unplaced == ()


def test_a_lookup_in_the_arguments_of_another_packages_function_is_no_sites() -> None:
    """``version.parse(version.parse(transformers.__version__).base_version)`` (diffusers'
    ``load_sub_model``): the lazy module's ``__getattr__`` ran reading ``__version__``, an
    argument; ``packaging``'s ``parse`` did not run it, and is not said to have ("called from
    inside it"): a call no site is known to have made."""
    trace = lazy_module_trace()
    parse = Callee(
        Site("call", Name("version.parse", GLOBAL), LINE, 29, 42),
        (),
        "packaging.version.parse, in another package",
        EXTERNAL,
    )
    ran = calls_run(trace, Tree(trace), {0}, [parse, parse._replace(site=parse.site._replace(col=43))])
    assert all(site.reached == () for site in ran.sites)
    assert [(line, function.name, calls) for line, function, calls in ran.unplaced] == [
        (LINE, "LazyModule.__getattr__", 2)
    ]


def test_a_table_of_classes_ran_only_the_class_whose_own_init_ran() -> None:
    """``MODEL_TYPE_TO_PEFT_MODEL_MAPPING[config.task_type](model, config)`` (peft's
    ``PeftModel.from_pretrained``) may construct any class of the table; the run made a
    ``ForCausalLM``, whose own ``__init__`` is what ran at the line. The other classes of
    the table did not run; a class without an ``__init__`` of its own (``Plain``) may have,
    through an inherited one, and says so only when no target's own ``__init__`` ran."""
    functions = (
        Function("pkg", "pkg/__init__.py", "pkg", "Engine.run", 10),
        Function("pkg", "pkg/__init__.py", "pkg", "ForCausalLM.__init__", 41),
    )
    nodes = (Node(-1, 0, -1, -1, 0, 0.0), Node(0, 1, 0, -1, 1, 0.002), Node(1, LINE, 1, -1, 1, 0.001))
    trace = synthetic_trace(functions, nodes, lines=((LINE,), ()))

    def cls(name: str, start: int, end: int) -> Resolved:
        return Resolved("pkg", f"pkg.{name}", "class", "pkg/__init__.py", start, start, end, "", "")

    seq2seq, causal = cls("ForSeq2Seq", 30, 38), cls("ForCausalLM", 40, 48)
    site = Site("call", Name("MAPPING[]", GLOBAL), LINE, 16, 24)
    table = Callee(site, (seq2seq, causal), "an entry of MAPPING", RESOLVED)
    (ran,) = calls_run(trace, Tree(trace), {0}, [table]).sites
    assert [(t.qualname, n) for t, n in ran.targets] == [("pkg.ForSeq2Seq", 0), ("pkg.ForCausalLM", 1)]

    inherited = Function("pkg", "pkg/__init__.py", "pkg", "Base.__init__", 21)
    trace = synthetic_trace((functions[0], inherited), nodes, lines=((LINE,), ()))
    plain = cls("Plain", 50, 52)
    table = Callee(site, (seq2seq, plain), "an entry of MAPPING", RESOLVED)
    (ran,) = calls_run(trace, Tree(trace), {0}, [table]).sites
    assert [(t.qualname, n) for t, n in ran.targets] == [("pkg.ForSeq2Seq", 1), ("pkg.Plain", 1)]


def test_an_attribute_lookup_on_the_way_is_no_call_of_the_site() -> None:
    """``return self.base_model(...)`` in peft's ``PeftModelForCausalLM.forward``: reading
    ``self.base_model`` runs ``PeftModel.__getattr__`` at the line, then the call runs the
    tuner's ``forward``. The site ran once, not twice: the lookup is listed as what else
    ran there, and counts no call of the site; a site whose only recorded function was
    such a lookup ran code a trace does not record (a torch module's method)."""
    functions = (
        Function("pkg", "pkg/__init__.py", "pkg", "Engine.run", 10),
        Function("pkg", "pkg/__init__.py", "pkg", "Engine.__getattr__", 20),
        Function("pkg", "pkg/__init__.py", "pkg", "Tuner.forward", 40),
    )
    nodes = (
        Node(-1, 0, -1, -1, 0, 0.0),
        Node(0, 1, 0, -1, 1, 0.003),
        Node(1, LINE, 1, -1, 1, 0.001),
        Node(1, LINE, 2, -1, 1, 0.001),
    )
    trace = synthetic_trace(functions, nodes, lines=((LINE,), (), ()))
    forward = Resolved("pkg", "pkg.Tuner.forward", "method", "pkg/__init__.py", 40, 40, 45, "", "")
    called = Callee(Site("call", Name("self.base_model", SELF), LINE, 15, 30), (forward,), "", RESOLVED)
    (site,) = calls_run(trace, Tree(trace), {0}, [called]).sites
    assert [(t.qualname, n) for t, n in site.targets] == [("pkg.Tuner.forward", 1)]
    assert site.calls == 1
    assert [(f.name, n) for f, n in site.reached] == [("Engine.__getattr__", 1)]

    torch_call = Callee(
        Site("call", Name("self.model.named_modules", SELF), LINE, 15, 38), (), "", UNRESOLVED
    )
    trace = synthetic_trace(functions[:2], nodes[:3], lines=((LINE,), ()))
    (site,) = calls_run(trace, Tree(trace), {0}, [torch_call]).sites
    assert site.calls == 0 and site.ran_unrecorded
    assert [(f.name, n) for f, n in site.reached] == [("Engine.__getattr__", 1)]
