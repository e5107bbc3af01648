"""The index: source files in, facts out, kept in SQLite keyed by git blob id.

``records`` (what leaves the extractor), ``extract`` (stdlib ``ast``; with ``syntax``,
``lazy`` and ``bindings``), ``cursor`` (the name at a position), ``database`` (schema,
opening safely), ``rows`` and ``store`` (SQL), ``indexer`` (whole checkouts or a few
files, in parallel), ``prefilter`` (the byte pre-filter before parsing), ``native`` (the
Rust source behind a stub) and ``names`` (names by prefix, for a TAB). A file's facts depend on
its content alone, never on its path or pin.
"""
