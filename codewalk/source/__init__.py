"""Getting the code: pins, the cache, and the sources a pin's tree can come from.

``pins`` (what is pinned), ``checkout`` (the record every later layer receives),
``cache`` (entries, manifests, lock, scratch), the sources behind one interface
(``base.Source``): ``cached``, ``gitsource`` (the only module that imports GitPython),
``release`` (over ``package_index``), ``local``; and ``sync``, the one place that
decides the order in which they are tried.
"""
