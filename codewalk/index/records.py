"""The records of the index: what the extractor produces and the resolver consumes.

Every record is an immutable ``NamedTuple`` of plain values (no parser nodes): cheap
to define and to make by the million, and pickled as they are by the index workers.
Facts about a module depend only on the file's *content*, never on its path: a relative import is
kept as written (``level`` dots + module), so two files with the same bytes (the same
git blob) share one set of facts, whatever their paths and pins.

Lines are 1-based, columns 0-based (as in ``ast`` and LibCST).
"""

# Annotations are evaluated here (no ``from __future__ import annotations``): the types
# are plain ones, and typing.NamedTuple would compile each string annotation at import.

from typing import NamedTuple

# Definition.flags bits
DUMMY = 1  # a ``metaclass=DummyObject`` placeholder (utils/dummy_*_objects.py)
TYPE_CHECKING_ONLY = 2  # defined or imported under ``if TYPE_CHECKING:``
OVERLOAD = 4  # ``@overload`` / ``@typing.overload`` stub
SETTER = 8  # ``@x.setter`` / ``@x.deleter`` of a property
LAZY = 32  # an import that comes from a lazy ``_import_structure`` dict
PROTOCOL = 64  # a member of a ``typing.Protocol`` class: a stub, like an overload
BOUND_BY_IMPORT = 128  # a class member bound by an import in the class body (target: the import)
REBOUND = 256  # ``Name = f(Name)`` at module level: ``f`` remakes the class at import time
LEGACY_ALIAS = 512  # an import a package's module-alias table declares (a legacy module path)
FALLBACK = 1024  # a module-level placeholder: ``X = None``, or made where an import failed
UNLESS_DEFINED = 2048  # a rebind under ``if not hasattr(cls, "x")``: only for a class without x
SETS_KEYWORDS = 4096  # a method that sets an attribute of self per keyword argument it is given
# an attribute ``self.M(NAME=value)`` sets, in a method of its class: one only where M is
# a method that sets its keywords (SETS_KEYWORDS; diffusers' ``register_modules``)
SET_BY_CALL = 8192
# a class ``@dataclass(...)`` decorates (or an ``applies`` fact of ``dataclass(cls, ...)``)
# whose keywords say it makes no ``__init__`` (``init=False``), ``__repr__`` or ``__eq__``
NO_DATACLASS_INIT = 16384
NO_DATACLASS_REPR = 32768
NO_DATACLASS_EQ = 65536
# a module-level ``mod.Class.NAME = f`` (a ``rebind`` fact whose qualname is the name as
# written, ``logging.Logger.warning_once``): sets a member on a class of another package
SETS_OUTSIDE = 131072
DATACLASS_MADE = {"__init__": NO_DATACLASS_INIT, "__repr__": NO_DATACLASS_REPR, "__eq__": NO_DATACLASS_EQ}

# An attribute's or a variable's type text (``Definition.target``) begins so when the
# source annotates it (``:Cache|None``); without it, the text names what was assigned.
ANNOTATED = ":"


def dataclass_makes(flags: int, member: str) -> bool:
    """Whether a ``dataclass`` whose keywords left ``flags`` makes ``member`` (when the
    class body defines none): one of ``DATACLASS_MADE``, not switched off."""
    bit = DATACLASS_MADE.get(member)
    return bit is not None and not flags & bit


class Definition(NamedTuple):
    """A class, function, method, property, assignment or alias, in one module."""

    qualname: str  # inside the module: "GenerationMixin.generate"
    name: str  # last part of qualname
    kind: str  # class | function | method | property | variable | alias | attribute (self.x in __init__)
    parent: str  # qualname of the enclosing class, "" at module level
    line: int  # line of the def/class keyword or of the assignment target
    col: int
    start_line: int  # first line including decorators
    end_line: int
    signature: str  # the header as written (def ... : / class ...: / first line of the assignment)
    doc: str = ""  # first line of the docstring
    bases: tuple[str, ...] = ()  # class bases as written, dotted ("nn.Module"); others dropped
    # alias: the dotted name assigned ("TokenizersBackend"); attribute, variable: the type
    # it declares (index/declared.py: "LlamaModel", ":Cache|None", "nn.ModuleList[X]");
    # class: its metaclass as written ("_Cached" for ``metaclass=_Cached``), "" when none
    target: str = ""
    # dotted names of decorators ("property", "x.setter", "wraps"); of a ``rebind``, the
    # conditions it is set under (:class:`Guard`, as text); of a ``decorator`` fact, the
    # keywords the decorator is called with (``accept_kwargs=1``: truthy, ``=?``: not a literal)
    decorators: tuple[str, ...] = ()
    flags: int = 0
    copied_from: str = ""  # "transformers.models.llama.modeling_llama.LlamaRMSNorm" from "# Copied from"


class Guard(NamedTuple):
    """A condition a ``cls.NAME = ...`` is set under, as the function's code states it:
    ``if accept_kwargs:`` (``keyword``: a parameter of the function handed the class, or
    of one it is nested in, with a literal default) or ``if cls.__dataclass_params__.repr
    is True:`` (``dataclass``: one of the class's dataclass keywords)."""

    kind: str  # keyword | dataclass
    name: str  # "accept_kwargs", "repr"
    wanted: bool  # what the value must be, as truth, for the statement to run
    default: bool  # keyword: the truth of the parameter's default (dataclass: True)
    line: int  # the ``if``'s line

    def text(self) -> str:
        return f"{self.kind}:{self.name}:{int(self.wanted)}:{int(self.default)}:{self.line}"

    @classmethod
    def parse(cls, text: str) -> "Guard | None":
        parts = text.split(":")
        if len(parts) != 5 or parts[0] not in ("keyword", "dataclass") or not parts[4].isdigit():
            return None
        return cls(parts[0], parts[1], parts[2] == "1", parts[3] == "1", int(parts[4]))


class Import(NamedTuple):
    """A name bound by an import (or promised by a lazy ``_import_structure`` entry)."""

    level: int  # leading dots of a relative import; 0 for absolute
    module: str  # as written after the dots ("modeling_utils", "" for "from . import x")
    name: str  # imported name; "*" for a star import; "" for ``import a.b``
    asname: str  # the name bound in this module ("a" for ``import a.b``)
    line: int
    flags: int = 0  # TYPE_CHECKING_ONLY, LAZY

    def absolute(self, importer: str, is_package: bool) -> str:
        """The absolute module this import names, written in module ``importer``
        (a package's ``__init__`` when ``is_package``)."""
        if self.level == 0:
            return self.module
        package = importer if is_package else importer.rpartition(".")[0]
        for _ in range(self.level - 1):
            package = package.rpartition(".")[0]
        return f"{package}.{self.module}" if self.module else package


class DictEntry(NamedTuple):
    """One ``key: value`` of a dict literal assigned to a name (a dispatch table)."""

    table: (
        str  # qualname of the assigned name: "GENERATION_MODES_MAPPING", "AttentionInterface._global_mapping"
    )
    key: str  # a string key's value, or a dotted key as written ("GenerationMode.SAMPLE")
    value: str  # a string value's text, or a dotted value as written ("ForCausalLMLoss")
    value_is_str: bool
    line: int
    col: int


class Reference(NamedTuple):
    """One use of a name (``Name`` or the attribute part of ``a.b``), with its line's text."""

    path: str
    line: int
    col: int
    text: str = ""


class ModuleFacts(NamedTuple):
    """Everything the index keeps about one file's content."""

    definitions: tuple[Definition, ...]
    imports: tuple[Import, ...]
    entries: tuple[DictEntry, ...]
    all_names: tuple[str, ...] | None  # ``__all__`` when it is a literal list/tuple
    generated_from: str  # "src/transformers/models/x/modular_x.py" from the header, else ""
    refs: tuple[tuple[str, int, int], ...]  # (name, line, col) of every Name / attribute use
    lines: int = 0  # how many lines the file has (a module's span is all of them)


class FileRow(NamedTuple):
    """A file of one indexed checkout: where it is, which module it is, its content's
    facts (``blob``, a row id in the index; None until the file is indexed)."""

    path: str  # repo-relative posix
    module: str  # dotted module name
    is_package: bool
    blob: int | None  # None until indexed


class Skipped(NamedTuple):
    """A file the extractor could not read as Python, and why."""

    reason: str


class NativeDefinition(NamedTuple):
    """Where compiled code implements a name a stub declares (a PyO3 Rust source line)."""

    path: str  # repo-relative posix
    line: int  # 1-based
    text: str  # the line, stripped
    how: str  # in words: '#[pyclass(name = "Tokenizer")] struct PyTokenizer'
    end_line: int  # where the item's braces close
