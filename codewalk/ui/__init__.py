"""The terminal UI (Textual). The only package in codewalk that imports ``textual``.

Entry points for the CLI live in :mod:`codewalk.ui.launch`; the app itself is built by
:func:`codewalk.ui.app.make_app`, shared by the CLI and the snapshot tests.
"""
