"""Renderers: resolved tours and answers to text. Pure apart from the stream they are
given: ``highlight`` (pygments to ANSI), ``plain`` (``tour --plain``), ``markdown`` and
``codetour`` (exports, with the permalinks of ``export``). The terminal UI renders for
itself, in ``codewalk.ui``.
"""
