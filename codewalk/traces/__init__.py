"""Traces: what a reader's program really ran, read against the pinned source.

``recorder`` (run in the reader's interpreter: stdlib only), ``run`` (starts it, passes
the program's streams and status through), ``mapping`` (installed files onto
``REPO@VERSION``, checked blob by blob), ``model`` and ``store`` (the records, kept under
the cache), ``tree`` (the call tree, chains that ran) and ``joined`` (a trace beside the
static call facts and a tour's steps).
"""
