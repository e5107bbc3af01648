"""The one adapter around jedi: go to the definition of the name at a position.

The resolver answers what the index knows (re-exports, MRO, aliases); jedi answers the
rest (locals, parameters, attributes of inferred types). jedi is imported here only, and
only when called. Extensions from the checkout are never loaded
(``load_unsafe_extensions=False``): the code being read is not trusted to run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codewalk.errors import QueryError

_LOCK = threading.Lock()  # jedi is not thread-safe


@dataclass(frozen=True, slots=True)
class JediTarget:
    path: Path
    line: int  # 1-based
    col: int  # 0-based
    name: str
    kind: str  # jedi's type: "class", "function", "statement", "module", "param", ...
    signature: str
    full_name: str = ""  # jedi's dotted name when it knows one ("pkg.mod.Class.attr")
    # a parameter's: the line of its function's ``def`` (0: no parameter, or none known),
    # which a signature of one parameter a line leaves above the parameter's own
    owner_line: int = 0


def warm_up() -> None:
    """Import jedi now (a UI does it in the background, before the first fallback)."""
    import jedi  # noqa: F401


def goto_definition(project_root: Path, path: Path, source: str, line: int, col: int) -> JediTarget | None:
    """Where jedi says the name at ``line`` (1-based), ``col`` (0-based) is defined."""
    import jedi

    with _LOCK:
        project = jedi.Project(project_root, load_unsafe_extensions=False, smart_sys_path=False)
        script = jedi.Script(code=source, path=path, project=project)
        try:
            names = script.goto(line, col, follow_imports=True)
        except (ValueError, IndexError):  # position outside the file
            return None
        except Exception as exc:  # jedi's own failures on odd code: say so, no traceback
            where = f"{path}:{line}:{col + 1}"
            raise QueryError(f"{where}: jedi could not analyse this position ({exc})") from None
        for name in names:
            if name.module_path is None or name.line is None:
                continue
            kind = {"statement": "variable", "instance": "variable"}.get(name.type, name.type)
            try:
                text = name.get_line_code().strip()
            except (AttributeError, OSError):
                text = ""
            full = name.full_name or ""
            owner = _owner_line(name) if name.type == "param" else 0
            return JediTarget(
                Path(name.module_path), name.line, name.column or 0, name.name, kind, text, full, owner
            )
    return None


def _owner_line(name: Any) -> int:
    """The line of the ``def`` of the function a jedi parameter ``name`` belongs to (0
    when jedi cannot say)."""
    try:
        parent = name.parent()
    except Exception:  # jedi's own failures on odd code: no owner known
        return 0
    return int(parent.line or 0) if parent is not None and parent.type == "function" else 0
