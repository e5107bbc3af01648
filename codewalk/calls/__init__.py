"""Call facts and what they reach: ``analyse`` (libcst's binding analysis of one
function body), ``cache`` and ``fullpass`` (the facts in the index), ``reach``,
``tables`` and ``sites`` (each call site resolved through the resolver), ``graph``
(callees to a depth, shortest paths) and ``callers``.
"""
