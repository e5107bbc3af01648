"""``check``'s note warnings: a note that names code the reader does not see.

The rule, kept simple so that an author can predict it: a note warns for each name it
puts in backticks (a name or a dotted name, optionally called with ``()`` or ``(...)``:
`` `get_scheduler` ``, `` `self.accelerator.backward(...)` ``) that is

- not on the lines the step shows (:mod:`codewalk.tours.shown`: what ``tour --plain``
  prints), where a dotted name counts as shown when its last part is there as a word
  (`` `Trainer.train` `` on the lines of ``def train(``), and
- not the text of one of the note's ``codewalk:`` links (a code span inside a link's
  text is that link's), and
- not a part of the step's own qualified name, which its header shows (the class of a
  method, its module).

Python's keywords (``None``, ``True``, ``return``) are syntax, not names, and never warn;
nor does a dotted name the pin defines nothing by that has the shape of a file's name
(its last part a file's extension: `` `config.json` ``, `` `model.safetensors` ``) or of a
state dict's key (`` `lm_head.weight` ``: its last part ``weight`` or ``bias``, its first
part no name the step's code uses). A name called (`` `resp.json()` ``) is code.
The fix is to link the name (``[`x`](codewalk:x)``), or to widen what the step shows
(another region in ``focus:``). A note with a line that starts ``TODO`` (what ``draft``
writes for the author to replace) warns too. Pure: resolved steps and file text in,
warnings out.
"""

from __future__ import annotations

import io
import keyword
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from codewalk.tours.model import ResolvedStep, ResolvedTour
from codewalk.tours.notes import identifier, scan
from codewalk.tours.shown import merged, step_lines

SourceText = Callable[[str, str], str]  # (repo, path) -> text
Defines = Callable[[str, str], bool]  # (repo, name) -> whether the pin defines something by that name
_WORD_RE = re.compile(r"\w+")
# the extensions of the files a model, a tokenizer, a dataset or a checkout holds; not
# ``model`` (``tokenizer.model``), which is as often an attribute (``self.base_model.model``)
_FILE_EXTENSIONS = frozenset(
    {"arrow", "bin", "cfg", "ckpt", "csv", "gguf", "gz", "h5", "ini", "json", "jsonl", "md"}
    | {"msgpack", "npy", "npz", "onnx", "parquet", "pickle", "pkl", "pt", "pth", "py"}
    | {"safetensors", "tar", "toml", "tsv", "txt", "yaml", "yml", "zip"}
    | {"cc", "cpp", "cu", "pyi", "pyx", "rs", "so"}  # a compiled extension's: its source, its stub
)
_PARAMETERS = frozenset({"weight", "bias"})  # the last part of a state dict's key


@dataclass(frozen=True, slots=True)
class NoteWarning:
    path: Path  # the tour file
    step_line: int
    step: int  # 1-based
    anchor: str
    name: str  # as the note writes it, without backticks
    shown: str  # the lines shown, in words ("lines 4310-4362"); "" for a note still TODO

    @property
    def message(self) -> str:
        if not self.shown:
            return (
                f"{self.path}:{self.step_line}: step {self.step} ({self.anchor}): the note is still "
                f"the draft's placeholder ({self.name!r}): write what the reader should see"
            )
        return (
            f"{self.path}:{self.step_line}: step {self.step} ({self.anchor}): the note names "
            f"`{self.name}`, which is neither on the {self.shown} the step shows nor linked: "
            "link it, or widen the focus"
        )


def step_warnings(
    resolved: ResolvedStep, path: Path, text: str, defines: Callable[[str], bool]
) -> list[NoteWarning]:
    """The warnings of one resolved step whose file's text is ``text`` (none for a step
    that did not resolve: it is broken, which says more); ``defines(name)``: whether the
    step's pin defines something by that name (asked only of a file's or a key's shape)."""
    step = resolved.step
    if not step.note.strip():
        return []
    todo = [line.strip() for line in step.note.splitlines() if line.strip().startswith("TODO")]
    if todo:  # a draft's note, not written yet: what it names says nothing
        return [NoteWarning(path, step.line, step.index, step.anchor, todo[0], "")]
    file_lines = text.split("\n")
    lines = step_lines(resolved, len(file_lines))
    if not lines:
        return []
    words = {word for number in lines for word in _WORD_RE.findall(file_lines[number - 1])}
    linked = {_bare(link.plain_text) for link in step.links}
    found: dict[str, NoteWarning] = {}
    for span in scan(step.note).code_spans:
        name = identifier(span.text)
        if span.in_link is not None or name is None or keyword.iskeyword(name):
            continue
        if name in linked or name.rsplit(".", 1)[-1] in words or span.text in found:
            continue
        if _in_header(name, resolved):
            continue
        if _not_code(span.text, name, file_lines, resolved) and not defines(name):
            continue
        found[span.text] = NoteWarning(path, step.line, step.index, step.anchor, span.text, _ranges(lines))
    return list(found.values())


def tour_warnings(tour: ResolvedTour, source_text: SourceText, defines: Defines) -> list[NoteWarning]:
    """The warnings of every step of ``tour``, in order."""
    found: list[NoteWarning] = []
    for resolved in tour.steps:
        target = resolved.target
        if target is None or not resolved.step.note.strip():
            continue
        text = source_text(resolved.repo, target.path)
        found += step_warnings(resolved, tour.tour.path, text, partial(defines, resolved.repo))
    return found


def _in_header(name: str, resolved: ResolvedStep) -> bool:
    """Whether ``name`` is part of the step's own qualified name, which its header shows
    above the code: the class of a method (`` `TextIteratorStreamer` `` at
    ``...streamers.TextIteratorStreamer.on_finalized_text``), its module, or a run of them."""
    target = resolved.target
    if target is None:
        return False
    parts, own = name.split("."), target.qualname.split(".")
    return any(own[i : i + len(parts)] == parts for i in range(len(own) - len(parts) + 1))


def _not_code(written: str, name: str, file_lines: list[str], resolved: ResolvedStep) -> bool:
    """Whether ``name`` (written ``written``) has the shape of a file's name or of a state
    dict's key rather than of code: then only a definition by that name makes it code."""
    first, _, rest = name.partition(".")
    if not rest or written != name:  # a plain name, or a call: code
        return False
    last = rest.rpartition(".")[2]
    if last.lower() in _FILE_EXTENSIONS:
        return True
    if last not in _PARAMETERS:
        return False
    target = resolved.target
    assert target is not None
    names = _code_names(file_lines[target.start_line - 1 : target.end_line])
    return names is not None and first not in names


def _code_names(lines: list[str]) -> set[str] | None:
    """The names the code of ``lines`` uses (not the words of its strings and comments),
    None when they do not tokenize."""
    readline = io.StringIO("\n".join(lines) + "\n").readline
    try:
        return {token.string for token in tokenize.generate_tokens(readline) if token.type == tokenize.NAME}
    except (tokenize.TokenError, SyntaxError):
        return None


def _bare(text: str) -> str:
    """A link's text as the name it is (``f`` of ``f()``)."""
    return identifier(text) or text


def _ranges(lines: list[int]) -> str:
    runs = merged([(n, n) for n in lines])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
    return f"line {text}" if len(lines) == 1 else f"lines {text}"
