"""A draft as the YAML text of its tour file, the file's own text kept wherever the
draft did not change it: comments, key order, quoting, blank lines.

ruamel.yaml reads the file into its round-trip tree (every comment and quote kept on
its node) and writes it back; only what the author changed is set: a step that moved
moves with its comments, a new step is added in the file's layout, a key whose value
is the same keeps its quoting. Never a dump of plain data, which would lose them. Pure:
text in, text out (the caller writes the file, and loads the text back to check it).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from codewalk.tours.recording import Draft, DraftStep

_STEP_KEYS = ("at", "file", "repo", "title", "focus", "note")  # the order of a new step's keys


def draft_text(draft: Draft) -> str:
    """The text of ``draft``'s tour file: its ``text`` with the draft's changes, or a
    new file for a tour that had none."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedSeq

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100_000  # never fold a long line the author wrote on one
    document = _document(draft, yaml)
    if "id" in document or draft.id != draft.path.stem:  # a tour moved to a file of its own
        _set(document, "id", draft.id)
    _set(document, "title", draft.title)
    _set(document, "summary", draft.summary or None, block=True)
    old = document.get("steps")
    if not isinstance(old, CommentedSeq):
        old = CommentedSeq()
        document["steps"] = old
    _put_steps(document, old, draft.steps)
    out = io.StringIO()
    yaml.dump(document, out)
    blank = draft.text[: len(draft.text) - len(draft.text.lstrip("\n"))]  # ruamel drops them
    return blank + out.getvalue()


def _document(draft: Draft, yaml: Any) -> Any:
    """The round-trip tree of the draft's file (``yaml`` set to its indentation), or of
    a new one."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if draft.text.strip():
        sequence, offset = _steps_layout(draft.text)
        yaml.indent(mapping=sequence - offset if sequence > offset else 2, sequence=sequence, offset=offset)
        return yaml.load(draft.text)
    yaml.indent(mapping=2, sequence=4, offset=2)
    document = CommentedMap()
    document["id"] = draft.id
    document["title"] = draft.title
    if draft.repo:
        document["repo"] = draft.repo
    document["steps"] = CommentedSeq()
    return document


_STEPS_KEY = re.compile(r"steps:[ \t]*(#.*)?")
_FIRST_STEP = re.compile(r"( *)-( +)\S")


def _steps_layout(text: str) -> tuple[int, int]:
    """How the file lays out its steps, from its first one: ``sequence``, the column a
    step's keys start at, and ``offset``, its dash's (``  - at:`` then ``    title:``: 4
    and 2). Only the steps tell: a guess from the whole file reads the lines of a block
    scalar too (a summary's nested list), and would re-indent every step. The house
    layout (4, 2) for a file with no step in block style yet."""
    lines = iter(text.splitlines())
    for line in lines:
        if _STEPS_KEY.fullmatch(line):
            break
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = _FIRST_STEP.match(line)
        if found is None:
            break
        offset = len(found[1])
        return offset + 1 + len(found[2]), offset
    return 4, 2


def _put_steps(document: Any, old: Any, steps: Sequence[DraftStep]) -> None:
    """The steps ``old`` (the file's) become ``steps``, each moved with the comments
    above it and on it; a new step gets the blank line the file puts between steps."""
    from ruamel.yaml.comments import CommentedMap

    originals = [node if isinstance(node, CommentedMap) else CommentedMap() for node in old]
    leads, inlines, after_all = _comments_taken(document, old, originals)
    spaced = _spaced(leads)
    nodes = [_step(step, originals) for step in steps]
    known = [_origin(step, len(originals)) for step in steps]
    for node, origin in zip(nodes, known, strict=True):  # each value's own comment first, then the lines
        if origin is not None:
            _put_tail(node, inlines[origin], [])
    for index, origin in enumerate(known):
        lead = leads[origin] if origin is not None else [""] if spaced else []
        if index == 0:
            _put_lead(document, old, lead if origin is not None else [])
        else:
            _put_tail(nodes[index - 1], None, lead)
    if nodes:
        _put_tail(nodes[-1], None, after_all)
    _replace(old, nodes, known)


def _origin(step: DraftStep, count: int) -> int | None:
    """The place in the file of the step ``step`` was read from (None: a new step)."""
    return step.origin if step.origin is not None and step.origin < count else None


def _spaced(leads: list[list[str]]) -> bool:
    """Whether the file puts a blank line above every step but the first."""
    return len(leads) > 1 and all(lines and not lines[0].strip() for lines in leads[1:])


def _replace(old: Any, nodes: list[Any], known: list[int | None]) -> None:
    """The file's steps ``old`` replaced by ``nodes``, each with the comments of the
    step it was (``known``: its place in the file)."""
    comments = dict(old.ca.items)
    del old[:]
    old.extend(nodes)
    old.ca.items.clear()
    for index, origin in enumerate(known):
        if origin is not None and origin in comments:
            old.ca.items[index] = comments[origin]


def _comments_taken(
    document: Any, old: Any, originals: list[Any]
) -> tuple[list[list[str]], list[Any], list[str]]:
    """The comments around the file's steps, taken off them: the lines above each step
    (in the tree, the tail of the step before it), the comment on each one's last line,
    and the lines after the last."""
    tails = [_take_tail(node) for node in originals]
    leads = [_take_lead(document, old), *(lines for _, lines in tails[:-1])]
    return leads, [inline for inline, _ in tails], tails[-1][1] if tails else []


def _step(step: DraftStep, originals: list[Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    known = step.origin is not None and step.origin < len(originals)
    node = originals[step.origin] if known and step.origin is not None else CommentedMap()
    if not isinstance(node, CommentedMap):
        node = CommentedMap()
    values: dict[str, Any] = {
        "at": step.at,
        "file": step.file,
        "repo": step.repo,
        "title": step.title,
        "note": step.note if step.note.strip() else None,
    }
    if not step.focus:
        values["focus"] = None
    elif len(step.focus) == 1:
        values["focus"] = step.focus[0]
    else:
        values["focus"] = CommentedSeq(step.focus)
    for key in _STEP_KEYS:
        _set(node, key, values[key], block=key == "note")
    return node


def _set(node: Any, key: str, value: Any, *, block: bool = False) -> None:
    """``node[key] = value`` unless it holds that already (its quoting and comments
    stay); None removes the key; a new key goes where the tour format orders it. A
    ``block`` text is written as a literal block."""
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    old = node.get(key)
    if value is None:
        if key in node:
            del node[key]
        return
    if isinstance(value, CommentedSeq):
        if isinstance(old, list) and [str(item) for item in old] == list(value):
            return
    elif isinstance(old, str) and str(old).rstrip("\n") == str(value).rstrip("\n"):
        return
    if block and isinstance(value, str) and ("\n" in value.strip() or old is None or _is_block(old)):
        value = LiteralScalarString(value.rstrip("\n") + "\n")  # Markdown: a literal block
    if key in node:
        node[key] = value
        return
    order = _STEP_KEYS if key in _STEP_KEYS else ("id", "title", "summary")
    before = order[: order.index(key)] if key in order else order
    keys = list(node)
    place = max((keys.index(k) + 1 for k in before if k in keys), default=0 if key in order else len(keys))
    node.insert(place, key, value)


# -- comments between steps -------------------------------------------------------------
# ruamel keeps a comment line above a step as the tail of the last value of the step
# before it (above the first step: on the ``steps`` key). A step that moves takes the
# lines above it along; they are taken off every step first, then put back in the new
# order. A comment on the same line as a value stays on that value.


def _last_key(node: Any) -> Any:
    return next(reversed(node), None) if len(node) else None


def _take_tail(node: Any) -> tuple[Any, list[str]]:
    """The comment after ``node``'s last value, removed: the part on the value's own line
    (a token, or None) and the whole lines after it (with their indentation)."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    key = _last_key(node)
    entry: Any = node.ca.items.get(key) if key is not None else None
    token = entry[2] if entry is not None and len(entry) > 2 else None
    if token is None:
        return None, []
    entry[2] = None
    value, column = token.value, token.column
    if _is_block(node[key]):
        return None, _lines(" " * column + value)
    if value.startswith("\n"):
        return None, _lines(value[1:])
    first, _, rest = value.partition("\n")
    return CommentToken(first + "\n", CommentMark(column), None), _lines(rest)


def _put_tail(node: Any, inline: Any, lines: list[str]) -> None:
    """Add ``inline`` (a comment on the last value's line) and whole ``lines`` after
    ``node``'s last value."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    key = _last_key(node)
    if key is None or (inline is None and not lines):
        return
    entry = node.ca.items.setdefault(key, [None, None, None, None])
    present = entry[2]
    if present is not None:  # what is there already (its inline part) comes first
        inline, lines = present, [*_lines(present.value.partition("\n")[2]), *lines]
    if inline is not None and _is_block(node[key]):  # the value became a block: a line of its own
        indent = " " * (getattr(node.lc, "col", None) or 0)
        inline, lines = None, [indent + inline.value.partition("\n")[0], *lines]
    body = "".join(f"{line}\n" for line in lines)
    if inline is not None:
        text, column = inline.value.partition("\n")[0] + "\n" + body, inline.column
    elif _is_block(node[key]):
        first = lines[0]
        column = len(first) - len(first.lstrip())
        text = first.lstrip() + "\n" + "".join(f"{line}\n" for line in lines[1:])
    else:
        text, column = "\n" + body, 0
    entry[2] = CommentToken(text, CommentMark(column), None)


def _take_lead(document: Any, steps: Any) -> list[str]:
    """The comment lines above the first step, removed."""
    entry = document.ca.items.get("steps")
    tokens = entry[3] if entry is not None and len(entry) > 3 else None
    if not tokens:
        return []
    entry[3] = None
    steps.ca.comment = None
    return [line for token in tokens for line in _lines(" " * token.column + token.value)]


def _put_lead(document: Any, steps: Any, lines: list[str]) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    if not lines:
        return
    first = lines[0]
    column = len(first) - len(first.lstrip())
    text = first.lstrip() + "\n" + "".join(f"{line}\n" for line in lines[1:])
    tokens = [CommentToken(text, CommentMark(column), None)]
    document.ca.items.setdefault("steps", [None, None, None, None])[3] = tokens
    steps.ca.comment = [None, tokens]


def _lines(text: str) -> list[str]:
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n") if text else []


def _is_block(value: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    return isinstance(value, (LiteralScalarString, FoldedScalarString, CommentedMap, CommentedSeq))
