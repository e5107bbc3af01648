"""Tours: YAML files of steps anchored on symbols, resolved at a pin.

``model`` (the records every renderer reads), ``loader`` (YAML text -> ``Tour``; tours
are untrusted input), ``discovery`` (the tour directories, ids), ``focus`` (from a text
or regex inside a symbol to its whole statement) and ``resolution`` (steps -> resolved
steps, a step's short names read in the modules of the steps before it).
"""
