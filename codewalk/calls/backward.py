"""The definitions that may lead to a goal, found backwards by the names code is
written with: what ``path`` uses to search, lazily, the calls with many candidates
(``self.model(...)`` where ``model`` may be any of two thousand models) and the calls of
a method on a value codewalk cannot type (``model_class.from_pretrained(...)``).

From a definition one step back are the bodies that name it: a function or method by
its name, a class (and so its ``__init__``, its ``forward`` or ``__call__``) by the
class's name, and the methods of a class whose body names it (``self.self_attn =
LlamaAttention(...)`` in ``LlamaDecoderLayer.__init__``: its ``forward`` calls
``self.self_attn(...)``; a constant, ``LOSS_MAPPING``, is not a class); a name in a
dict literal stands for the dict's name (``LOSS_MAPPING``), and a class's name there
for a table of classes, whose item a method may call to make one
(``LLAMA_ATTENTION_CLASSES[...](...)``: the class's methods, as for the class's name). A
name is not a call, so this over-approximates: it only says where to look.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from codewalk.calls.graph import key
from codewalk.calls.model import Mention
from codewalk.calls.sites import CallResolver
from codewalk.resolve.model import Resolved

MAX_NEAR = 4000  # definitions kept before the backward search stops widening
_BY_CLASS = ("__init__", "__new__", "forward", "__call__")  # reached through their class's name
Near = dict[tuple[str, str, int], Resolved]


class MentionsOf(Protocol):
    """The uses of each of many names, each with the body around it."""

    def __call__(self, names: Sequence[str]) -> dict[str, list[Mention]]: ...


def toward(cr: CallResolver, goals: Sequence[Resolved], mentions_of: MentionsOf, hops: int) -> Near:
    """The definitions within ``hops`` name-steps of one of ``goals``, by key; the
    names of a step are looked up together."""
    near: Near = {key(g): g for g in goals}
    names = {n for g in goals for n in _names(g)}
    classes = {n for g in goals for n in _names(g) if _by_class(g)}  # the names of classes
    asked: set[str] = set()
    of_classes: set[str] = set()  # the tables holding one
    for _ in range(hops):
        later: set[str] = set()
        step = sorted(names - asked)
        asked.update(step)
        uses = mentions_of(step)
        for name in step:
            for mention in uses[name]:
                if mention.body is None:  # an entry of a table (LOSS_MAPPING), a module-level use
                    table = cr.code.holder(mention.repo, mention.path, mention.line)
                    later.add(table)
                    if name in classes:
                        of_classes.add(table)
                    continue
                found = [mention.body.target]
                if mention.body.cls and (_class_name(name) or name in of_classes):  # its class's methods
                    found += cr.code.methods(mention.repo, mention.path, mention.body.cls)
                for d in found:
                    if key(d) not in near:
                        near[key(d)] = d
                        later.update(_names(d))
                        classes.update(_names(d) if _by_class(d) else ())
        names = later - {""}
        if len(near) > MAX_NEAR:
            break
    return near


def _class_name(name: str) -> bool:
    """Written as a class is (``LlamaAttention``), not as a constant (``LOSS_MAPPING``:
    the method naming it is a use of the table, not of an instance its class holds)."""
    return name[:1].isupper() and not name.isupper()


def _by_class(d: Resolved) -> bool:
    """``d`` is reached through its class's name: a class, its ``__init__``, ``forward``..."""
    return d.kind == "class" or (d.qualname.rpartition(".")[2] in _BY_CLASS and "." in d.qualname)


def _names(d: Resolved) -> set[str]:
    """The names a call of ``d`` is written with."""
    parts = d.qualname.split(".")
    if d.kind == "class":
        return {parts[-1]}
    if parts[-1] in _BY_CLASS and len(parts) > 1:
        return {parts[-2]}
    return {parts[-1]}
