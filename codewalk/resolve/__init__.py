"""The resolver: from a query to ranked definitions, each saying how it was reached.

Pure over the facts of the index (``model.Facts``); never touches the disk. By
convention: ``query`` (what a query is), ``namespace`` (names, imports, lazy and star
re-exports, aliases, members through the MRO, attribute types), ``mro``, ``ranking``,
``related`` (copies, modular sources, dispatch-table entries), and ``resolver`` (the
query forms, fallbacks, suggestions) on top.
"""
