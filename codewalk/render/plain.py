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
from collections.abc import Callable, Sequence

from codewalk.source.checkout import repo_at_version
from codewalk.tours.model import Lines, ResolvedStep, Tour
from codewalk.tours.notes import Link, link_as_written, rewrite_links
from codewalk.tours.shown import merged, shown_lines, span_text
from codewalk.visible import visible

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


def render_code(
    text: str,
    start: int,
    end: int,
    regions: Sequence[Lines],
    *,
    color: bool,
    header: int | None = None,
) -> list[str]:
    """The numbered, highlighted lines ``start..end`` of ``text``, each line of a region
    marked, cut as :mod:`codewalk.tours.shown` says (windows around the regions, under
    the ``header`` line of the ``def``/``class``), each gap said."""
    all_lines = text.replace("\r\n", "\n").split("\n")  # a line's end, as visible() reads one
    end = min(end, len(all_lines))
    shown = shown_lines(start, end, regions, header)
    if not shown:
        return []
    painted: list[str] = []
    for first, last in merged([(n, n) for n in shown]):  # the lines shown made visible, not the file
        window = "\n".join(visible(line) for line in all_lines[first - 1 : last])
        painted += highlight_lines(window + "\n", color=color)
    width = len(str(shown[-1]))
    dim, bold, reset = ("\x1b[2m", "\x1b[1;33m", "\x1b[0m") if color else ("", "", "")
    out: list[str] = []
    previous = start - 1
    for number, line in zip(shown, painted, strict=True):
        if number > previous + 1:
            out.append(f"{dim}{' ' * (width + 3)}⋮ {span_text(previous + 1, number - 1)} not shown{reset}")
        previous = number
        if any(first <= number <= last for first, last in regions):
            out.append(f"{bold}{FOCUS_MARK} {number:>{width}}{reset} │ {line}")
        else:
            out.append(f"{dim}  {number:>{width}}{reset} │ {line}")
    if shown[-1] < end:
        out.append(f"{dim}{' ' * (width + 3)}⋮ {span_text(shown[-1] + 1, end)} not shown{reset}")
    return out


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
    title = step.title or (target.qualname.rsplit(".", 1)[-1] if target else None)
    parts = [f"{step.index}/{total}"] + ([title] if title else [])
    if target is not None:
        parts += [target.qualname, f"{target.path}:{target.start_line}-{target.end_line}"]
    else:
        parts.append(step.anchor)  # once: a step without a title has only its query to show
    parts.append(repo_at_version(resolved.repo, resolved.version))
    return visible("  ".join(parts))


def render_step(
    resolved: ResolvedStep,
    total: int,
    source_text: SourceText,
    *,
    color: bool,
    width: int,
    ran: tuple[str, bool] | None = None,
) -> str:
    """The step's header, what it resolved to, its code and its note; ``ran``: a line
    under the header (whether the step ran in a trace) and whether it bears the tour out."""
    bold, red, dim, reset = ("\x1b[1m", "\x1b[1;31m", "\x1b[2m", "\x1b[0m") if color else ("",) * 4
    out = [f"{bold}{'─' * min(width, 100)}{reset}", f"{bold}{step_header(resolved, total)}{reset}"]
    if ran is not None:
        out.append(f"{dim if ran[1] else red}{visible(ran[0])}{reset}")
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
                resolved.regions,
                color=color,
                header=target.line if target.kind != "file" else None,
            )
        )
    note = render_markdown(note_with_places(resolved), color=color, width=width)
    if note:
        out += ["", note]
    return "\n".join(out) + "\n\n"


def note_with_places(resolved: ResolvedStep) -> str:
    """The step's note, each ``codewalk:`` link written as its text followed by where it
    resolves (``path:line``, after the repository when it is not the step's), or that it
    is broken and why."""
    step = resolved.step
    if not step.links:
        return step.note

    def place(index: int, link: Link) -> str:
        if index >= len(resolved.links):
            return link.text
        found = resolved.links[index]
        if not found.ok:  # as check says it
            problem = (found.error or "it resolves to nothing").removeprefix(f"{link_as_written(link)}: ")
            return f"{link.text} (broken link: {problem})"
        where = f"`{found.path}:{found.line}`"
        if found.repo != resolved.repo:
            where = f"{found.repo} {where}"
        return f"{link.text} ({where})"

    return rewrite_links(step.note, step.links, place)


def render_intro(tour: Tour, *, color: bool, width: int = 100) -> str:
    """The title line and the summary, printed before the first step."""
    bold, reset = ("\x1b[1m", "\x1b[0m") if color else ("", "")
    steps = f"{len(tour.steps)} step{'s' if len(tour.steps) != 1 else ''}"
    out = f"{bold}{visible(tour.title)}{reset}  ({visible(tour.id)}, {steps})\n"
    summary = render_markdown(tour.summary, color=color, width=width)
    if summary:
        out += summary + "\n"
    return out + "\n"
