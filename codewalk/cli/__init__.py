"""The command line: ``main`` (errors to exits), ``parser`` (built lazily, per command),
one module per command under ``commands/``, and what commands share: ``common``
(options, result shapes), ``workspaces`` (for tour commands) and ``output`` (writing a
file the user named)."""
