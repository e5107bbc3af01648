"""The index: source files in, facts out, kept in SQLite keyed by git blob id.

``records`` (what leaves the extractor), ``extract`` (stdlib ``ast``; with ``syntax``
and ``lazy``), ``cursor`` (the name at a position), ``database`` (schema, opening
safely), ``rows`` and ``store`` (SQL), ``indexer`` (whole checkouts or a few files, in
parallel) and ``scan`` (the byte pre-filter before parsing). A file's facts depend on
its content alone, never on its path or pin.
"""
