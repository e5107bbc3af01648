"""Call facts and what they reach: ``extract`` (one function body's call sites, by
``ast``; ``scopes`` and, where a binding is in doubt, libcst's ``analyse`` say how its
names are bound), ``cache`` and ``fullpass`` (the facts in the index), ``reach``,
``tables`` and ``sites`` (each call site resolved through the resolver), ``graph``
(callees to a depth, shortest paths) and ``callers``.
"""
