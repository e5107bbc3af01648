"""The facade commands, tours and the UI ask: one checkout with its index and resolver.

``workspace`` (find, goto, references, completion, source text), ``facts`` (the
resolver's view of the index, indexing on demand) and ``navigation`` (the one adapter
around jedi, for what the index cannot answer); ``calling`` and ``code`` (the call
questions, over the call layer), ``compare`` (a symbol at two versions), ``symbols``
(the palette's names), ``stack`` and ``pinned`` (the pinned repositories, opened on first
use) and ``guard`` (the store boundary).
"""
