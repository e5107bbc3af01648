"""The step's symbol at another version, as a diff (``v``), in place of the code.

``v`` asks which version (:class:`~codewalk.ui.version_chooser.VersionChooser`); the
comparison runs on the nav thread (``TourSession.compare_step``: the first read of a
version fetches and indexes it, which can take a while, so the view says what it is
doing meanwhile), and shows where the symbol is at each version, how it was matched
there, and a unified diff numbered by each file's lines. ``v`` again, or ``escape``,
goes back to the code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, Vertical
from textual.message import Message
from textual.widget import AwaitMount
from textual.widgets import Static

from codewalk.source.versions import release_of
from codewalk.tours.model import ResolvedStep
from codewalk.ui.highlight import highlight_lines, lexer_for
from codewalk.ui.session import TourSession
from codewalk.ui.version_chooser import VersionChooser
from codewalk.ui.versions import DiffSide, StepDiff, offers
from codewalk.visible import visible

_REMOVED = Style.parse("on #3c1f24")
_ADDED = Style.parse("on #1f3a26")
_GUTTER = Style.parse("#6e7681")
_HUNK = Style.parse("#56b6c2")
_KEYS = "v / escape: back"


def step_name(resolved: ResolvedStep) -> str:
    """What the step shows, by name: its symbol (the last two parts), else its anchor."""
    if resolved.target is not None and resolved.target.kind != "file":
        return ".".join(resolved.target.qualname.split(".")[-2:])
    return resolved.step.anchor


def _side(side: DiffSide, width: int) -> Text:
    label = side.label.rpartition("@")[2] if "@" in side.label else side.label
    text = Text.assemble("  ", (f"{label:<{width}}", "bold"), "  ")
    if side.target is None:
        text.append("not there", "bold red")
        text.append(f": {visible(side.how)}")
    else:
        t = side.target
        text.append(visible(f"{t.path}:{t.start_line}-{t.end_line}"))
        text.append(f"  {visible(side.how)}", "italic")
    if side.on_screen:
        text.append("  (on screen)", "dim")
    return text


def diff_title(diff: StepDiff) -> Text:
    """The lines above the diff: the symbol, the two versions, where it is at each and
    how it was matched, what changed. Names and paths come from files that are not
    codewalk's: their control characters are shown, never sent."""
    name = visible(diff.name)
    title = Text.assemble((name, "bold"), "  ", visible(diff.before.label), " → ", visible(diff.after.label))
    width = max(len(side.label.rpartition("@")[2]) for side in (diff.before, diff.after))
    lines = [title, _side(diff.before, width), _side(diff.after, width)]
    missing = diff.missing
    if missing is not None:
        found = diff.after if missing is diff.before else diff.before
        what = visible(f"{diff.name} is not at {missing.label}")
        if found.target is not None:
            what += visible(f"; its code at {found.label} is below")
        lines.append(Text(f"  {what}", "yellow"))
        if diff.suggestions:
            lines.append(Text(visible(f"  did you mean: {', '.join(diff.suggestions)}"), "yellow"))
    elif not diff.hunks:
        lines.append(Text("  no change in its code", "green"))
    else:
        removed, added = diff.counts
        count = len(diff.hunks)
        lines.append(
            Text.assemble(
                f"  {count} hunk{'s' if count != 1 else ''}: ",
                (f"-{removed}", "red"),
                " ",
                (f"+{added}", "green"),
                " lines",
            )
        )
    if diff.note:
        lines.append(Text(visible(f"  {diff.note}"), "yellow"))
    lines[-1].append(f"   ({_KEYS})", "dim")
    return Text("\n").join(lines)


def _styled(side: DiffSide) -> list[Text]:
    """The code of a side, highlighted, one Text per line."""
    if side.target is None:
        return []
    # shown, never sent: a control character in the code is drawn as its escape
    lines = visible(side.code.expandtabs(4)).split("\n")
    styled: list[Text] = []
    for segments in highlight_lines(lines, lexer_for(side.target.path)):
        text = Text()
        for segment in segments:
            text.append(segment.text, segment.style)
        styled.append(text)
    return styled


def diff_body(diff: StepDiff) -> Text:
    """The hunks, each line numbered by its file at each version and highlighted; the
    code of the one side that has the symbol, when the other has not."""
    before, after = _styled(diff.before), _styled(diff.after)
    if diff.missing is not None:
        side, styled = (diff.after, after) if diff.missing is diff.before else (diff.before, before)
        if side.target is None:
            return Text("")
        width = len(str(side.target.end_line))
        return Text("\n").join(
            Text.assemble((f"{side.target.start_line + n:>{width}}  ", _GUTTER), line)
            for n, line in enumerate(styled)
        )
    assert diff.before.target is not None and diff.after.target is not None
    old_start, new_start = diff.before.target.start_line, diff.after.target.start_line
    width = len(str(max(diff.before.target.end_line, diff.after.target.end_line)))
    if not diff.hunks:
        return Text("\n").join(
            Text.assemble((f"{old_start + n:>{width}} {new_start + n:>{width}}   ", _GUTTER), line)
            for n, line in enumerate(after)
        )
    rows: list[Text] = []
    for hunk in diff.hunks:
        rows.append(
            Text(f"@@ -{hunk.from_start},{hunk.from_lines} +{hunk.to_start},{hunk.to_lines} @@", _HUNK)
        )
        old, new = hunk.from_start, hunk.to_start
        for line in hunk.lines:
            sign = line[:1]
            if sign == "-":
                row = _row(f"{old:>{width}} {'':>{width}} -", before, old - old_start, _REMOVED)
                old += 1
            elif sign == "+":
                row = _row(f"{'':>{width}} {new:>{width}} +", after, new - new_start, _ADDED)
                new += 1
            else:
                row = _row(f"{old:>{width}} {new:>{width}}  ", after, new - new_start, None)
                old, new = old + 1, new + 1
            rows.append(row)
    return Text("\n").join(rows)


def _row(gutter: str, styled: list[Text], index: int, background: Style | None) -> Text:
    code = styled[index].copy() if 0 <= index < len(styled) else Text("")
    row = Text.assemble((gutter + " ", _GUTTER), code)
    if background is not None:
        row.stylize(background)
    return row


class VersionDiff(Vertical, can_focus=False):
    """Hidden until a version is chosen; shows the comparison, or what it is doing."""

    DEFAULT_CSS = """
    VersionDiff { height: 1fr; display: none; background: #16181d; }
    VersionDiff.-shown { display: block; }
    VersionDiff #version-title { height: auto; padding: 0 1; background: $primary-background 40%; }
    VersionDiff #version-scroll { height: 1fr; }
    VersionDiff #version-body { width: auto; text-wrap: nowrap; padding: 0 1; color: #f8f8f2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Back", show=False)]

    class Closed(Message):
        """The reader asked to go back to the code."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.diff: StepDiff | None = None
        self.pending: int | None = None  # the comparison being waited for
        self.asked: list[str] = []  # versions asked for this session, latest first
        self.status = ""  # what the view says while it waits (for tests and logs)
        self._asked = 0

    def compose(self) -> ComposeResult:
        yield Static(id="version-title")
        with ScrollableContainer(id="version-scroll"):
            yield Static(id="version-body")

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")

    def ask(self, session: TourSession, resolved: ResolvedStep, on_open: Callable[[], None]) -> AwaitMount:
        """Ask which version of the step's repository, then compare (``on_open`` runs
        when the view takes the code's place); awaited, the question is on screen."""
        repo = resolved.repo
        info = session.info(repo)
        read = release_of(resolved.version or (info.version if info is not None else ""))
        offered = offers(
            repo,
            read,
            pinned=info.pinned if info is not None else "",
            tour_versions=session.tour.versions if repo == session.repo else (),
            asked=self.asked,
        )

        def chosen(spec: str | None) -> None:
            if spec:
                on_open()
                self.compare(session, resolved, spec)

        return self.app.push_screen(VersionChooser(step_name(resolved), repo, read, offered), chosen)

    def compare(self, session: TourSession, resolved: ResolvedStep, spec: str) -> None:
        """Compare the step's symbol with ``spec`` (``REPO@VERSION``) in a worker."""
        self._asked += 1
        token = self._asked
        self.pending = token
        self.diff = None
        if spec in self.asked:
            self.asked.remove(spec)
        self.asked.insert(0, spec)
        self.progress(token, f"reading {step_name(resolved)} at {spec} …")
        self.query_one("#version-body", Static).update("")
        self.query_one("#version-scroll").loading = True
        self.add_class("-shown")
        self.screen.run_worker(
            lambda: self._compare(session, resolved, spec, token),
            thread=True,
            exit_on_error=False,
            exclusive=True,
            group="version",
        )

    def _compare(self, session: TourSession, resolved: ResolvedStep, spec: str, token: int) -> None:
        def say(text: str) -> None:
            self.app.call_from_thread(self.progress, token, text)

        try:
            diff = session.compare_step(resolved, spec, say)
        except Exception as error:
            self.app.call_from_thread(self.failed, token, spec, error)
            return
        self.app.call_from_thread(self.show_diff, diff, token)

    def progress(self, token: int, text: str) -> None:
        """Say what the comparison is doing (a fetch, an index), if still waited for."""
        if token != self.pending:
            return
        self.status = text
        self.query_one("#version-title", Static).update(
            Text.assemble(
                (visible(text), "italic"),
                "   ",
                ("(a first read of a version fetches it)", "dim"),
                "   ",
                (_KEYS, "dim"),
            )
        )

    def failed(self, token: int, spec: str, error: Exception) -> None:
        if token != self.pending:
            return
        self.close()
        self.post_message(self.Closed())
        self.notify(f"{spec}: {error}", title="cannot compare", severity="error", markup=False)

    def show_diff(self, diff: StepDiff, token: int | None = None) -> bool:
        """Show ``diff``; False when it came too late (closed, or asked again since)."""
        if token is not None and token != self.pending:
            return False
        self.pending = None
        self.diff = diff
        self.status = ""
        self.query_one("#version-title", Static).update(diff_title(diff))
        self.query_one("#version-body", Static).update(diff_body(diff))
        scroll = self.query_one("#version-scroll", ScrollableContainer)
        scroll.loading = False
        scroll.scroll_home(animate=False)
        self.add_class("-shown")
        scroll.focus()
        return True

    def close(self) -> None:
        self.pending = None
        self.query_one("#version-scroll").loading = False
        self.remove_class("-shown")

    def action_close(self) -> None:
        self.close()
        self.post_message(self.Closed())
