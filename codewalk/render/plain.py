"""The plain terminal rendering of a resolved tour: what ``codewalk tour NAME --plain``
(or piped) prints.

Per step: a header ``k/n  title  qualname  path:start-end  repo@version``, the code with
line numbers (pygments; focus lines marked with ``▶`` in the gutter), then the note,
rendered from Markdown by rich. Broken steps say what went wrong instead of code.
A long span is cut to a window around its focus (or its first lines), saying so.

Pure: source text comes from a callback, and the text is returned.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from codewalk.tours.model import ResolvedStep, Tour, repo_at_version
from codewalk.visible import visible

MAX_LINES = 120  # a span longer than this is cut to a window
WINDOW_BEFORE = 12
WINDOW_AFTER = 30
FOCUS_MARK = "▶"

SourceText = Callable[[str, str], str]  # (repo, path) -> text


def highlight_lines(code: str, *, color: bool) -> list[str]:
    """Python source as one terminal string per line (ANSI colours when ``color``),
    as ``find`` and ``show`` print it (``codewalk.render.highlight``); the UI has its own
    highlighter, producing rich segments inside the textual package."""
    from codewalk.render.highlight import highlight_lines as ansi_lines
    from codewalk.render.highlight import lines_of

    lines = lines_of(code)
    if not color:
        return lines

    out = ansi_lines(code)
    return out if len(out) == len(lines) else lines  # never lose text for colours


def visible_range(start: int, end: int, focus: tuple[int, int] | None) -> tuple[int, int]:
    """The lines shown for a span: all of it when short, else a window around the focus
    (or the first ``MAX_LINES``)."""
    if end - start + 1 <= MAX_LINES:
        return start, end
    if focus is None:
        return start, start + MAX_LINES - 1
    first = max(start, focus[0] - WINDOW_BEFORE)
    last = min(end, max(focus[1], focus[0]) + WINDOW_AFTER)
    return first, last


def render_code(
    text: str,
    start: int,
    end: int,
    focus: tuple[int, int] | None,
    *,
    color: bool,
    header: int | None = None,
) -> list[str]:
    """The numbered, highlighted lines ``start..end`` of ``text`` with focus marks.
    When the span is cut to a window, the ``header`` line (the ``def``/``class`` line,
    with its decorators) is still shown above it, so the reader knows whose body it is."""
    all_lines = visible(text).split("\n")
    end = min(end, len(all_lines))
    first, last = visible_range(start, end, focus)
    shown = list(range(first, last + 1))
    painted = highlight_lines("\n".join(all_lines[first - 1 : last]) + "\n", color=color)
    if header is not None and start <= header < first:
        # the decorators and the def/class line, or that line alone under many decorators
        heading = list(range(start, header + 1)) if header - start < 6 else [header]
        shown[:0] = heading
        code = "\n".join(all_lines[number - 1] for number in heading) + "\n"
        painted = highlight_lines(code, color=color) + painted
    width = len(str(last))
    dim, bold, reset = ("\x1b[2m", "\x1b[1;33m", "\x1b[0m") if color else ("", "", "")
    out: list[str] = []
    previous = start - 1
    for number, line in zip(shown, painted, strict=True):
        if number > previous + 1:
            out.append(f"{dim}{' ' * (width + 3)}⋮ {_lines(previous + 1, number - 1)} not shown{reset}")
        previous = number
        lit = focus is not None and focus[0] <= number <= focus[1]
        if lit:
            out.append(f"{bold}{FOCUS_MARK} {number:>{width}}{reset} │ {line}")
        else:
            out.append(f"{dim}  {number:>{width}}{reset} │ {line}")
    if last < end:
        out.append(f"{dim}{' ' * (width + 3)}⋮ {_lines(last + 1, end)} not shown{reset}")
    return out


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def render_markdown(markdown: str, *, color: bool, width: int) -> str:
    """Markdown rendered for a terminal by rich (rich, not textual: no UI import).
    Without colour the Markdown source itself reads best (backticks and all)."""
    markdown = visible(markdown)
    if not markdown.strip():
        return ""
    if not color:
        return markdown.strip()
    from rich.console import Console
    from rich.markdown import Markdown

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=True,
        no_color=False,
        color_system="256",
        highlight=False,
        emoji=False,
    )
    console.print(Markdown(markdown.strip()))
    return "\n".join(_unpadded(line) for line in buffer.getvalue().rstrip("\n").split("\n"))


_PADDING_RE = re.compile(r"(?:\s|\x1b\[[0-9;]*m)+$")


def _unpadded(line: str) -> str:
    """A rendered line without its trailing blanks, the colour codes among them kept
    (rich pads every line to the full width; the blanks only get in the way)."""
    match = _PADDING_RE.search(line)
    if match is None:
        return line
    return line[: match.start()] + "".join(re.findall(r"\x1b\[[0-9;]*m", match.group(0)))


def step_header(resolved: ResolvedStep, total: int) -> str:
    step = resolved.step
    target = resolved.target
    title = step.title or (target.qualname.rsplit(".", 1)[-1] if target else step.anchor)
    parts = [f"{step.index}/{total}", title]
    if target is not None:
        parts += [target.qualname, f"{target.path}:{target.start_line}-{target.end_line}"]
    else:
        parts.append(step.anchor)
    parts.append(repo_at_version(resolved.repo, resolved.version))
    return visible("  ".join(parts))


def render_step(
    resolved: ResolvedStep, total: int, source_text: SourceText, *, color: bool, width: int
) -> str:
    bold, red, dim, reset = ("\x1b[1m", "\x1b[1;31m", "\x1b[2m", "\x1b[0m") if color else ("",) * 4
    out = [f"{bold}{'─' * min(width, 100)}{reset}", f"{bold}{step_header(resolved, total)}{reset}"]
    target = resolved.target
    if target is not None and target.via and target.via not in ("direct", "file"):
        out.append(f"{dim}resolved via {visible(target.via)}{reset}")
    if resolved.status == "skipped":
        out.append(f"{dim}skipped: {visible(resolved.error or '')}{reset}")
    elif resolved.status != "resolved":
        out.append(f"{red}{resolved.status}: {visible(resolved.error or '')}{reset}")
        if resolved.suggestions:
            out.append(visible(f"did you mean: {', '.join(resolved.suggestions)}"))
    if target is not None:
        text = source_text(resolved.repo, target.path)
        out.append("")
        out.extend(
            render_code(
                text,
                target.start_line,
                target.end_line,
                resolved.focus,
                color=color,
                header=target.line if target.kind != "file" else None,
            )
        )
    note = render_markdown(resolved.step.note, color=color, width=width)
    if note:
        out += ["", note]
    return "\n".join(out) + "\n\n"


def render_intro(tour: Tour, *, color: bool, width: int = 100) -> str:
    """The title line and the summary, printed before the first step."""
    bold, reset = ("\x1b[1m", "\x1b[0m") if color else ("", "")
    out = f"{bold}{visible(tour.title)}{reset}  ({visible(tour.id)}, {len(tour.steps)} steps)\n"
    summary = render_markdown(tour.summary, color=color, width=width)
    if summary:
        out += summary + "\n"
    return out + "\n"
