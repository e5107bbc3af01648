"""Shown in place of the code when a step does not resolve: what went wrong, and
the "did you mean" list; or, for a step the version read leaves out (its ``versions``),
that it is skipped there, and why. The tour goes on."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Static

from codewalk.source.checkout import repo_at_version
from codewalk.tours.model import ResolvedStep
from codewalk.traces.model import repo_shown
from codewalk.visible import visible

TOUR_KEYS = "n / p: next / previous step   v: this step at another version   ctrl+p: search a symbol"


def problem_text(resolved: ResolvedStep, keys: str = TOUR_KEYS) -> str:
    """Why ``resolved`` is not shown, and ``keys``: what the screen offers from there."""
    said = f"[dim]{keys}[/]"
    step = resolved.step
    where = _esc(repo_at_version(repo_shown(resolved.repo), resolved.version))  # not "<program>"
    if resolved.status == "skipped":
        return "\n".join(
            [
                f"[b]Step {step.index} is skipped[/b] at {where}",
                "",
                f"  anchor: [b]{_esc(step.anchor)}[/b]",
                f"  {_esc(resolved.error or 'not read at this version')}",
                "",
                said,
            ]
        )
    lines = [
        f"[b red]Step {step.index} does not resolve[/] at {where}",
        "",
        f"  anchor: [b]{_esc(step.anchor)}[/b]",
        f"  {_esc(resolved.error or resolved.status)}",
    ]
    if resolved.suggestions:
        lines += ["", "Did you mean:"]
        lines += [f"  • {_esc(name)}" for name in resolved.suggestions]
    if resolved.candidates and resolved.target is None:
        lines += ["", "Candidates:"]
        lines += [f"  • {_esc(c.qualname)}  ({_esc(c.path)}:{c.line})" for c in resolved.candidates]
    lines += ["", said]
    return "\n".join(lines)


def _esc(text: str) -> str:
    return visible(text).replace("[", r"\[")


class StepProblem(Static):
    DEFAULT_CSS = """
    StepProblem {
        height: 1fr;
        padding: 1 2;
        background: #16181d;
        display: none;
    }
    StepProblem.-shown { display: block; }
    StepProblem.-under { height: auto; max-height: 50%; padding: 0 2; }
    """

    class Busy(Message):
        """What the session's slow work is doing (said from its thread)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    _resolving: str | None = None  # the "resolving ..." shown, while it is

    def show_problem(self, resolved: ResolvedStep, keys: str = TOUR_KEYS, *, under: bool = False) -> None:
        """Why ``resolved`` is not shown; ``under``: under its code, which is shown, in the
        room the words take."""
        self.show_message(problem_text(resolved, keys))
        self.set_class(under, "-under")

    def show_message(self, text: str) -> None:
        self._resolving = None
        self.remove_class("-under")
        self.update(text)
        self.add_class("-shown")

    def show_resolving(self, anchor: str, repo: str) -> None:
        """A step being resolved; what the work it waits on says is added under it."""
        self.show_message(f"[dim]resolving {_esc(anchor)} in {_esc(repo)} …[/]")
        self._resolving = f"[dim]resolving {_esc(anchor)} in {_esc(repo)} …[/]"

    def heard(self, text: str) -> None:
        """From any thread: what the session's slow work says (a fetch that waits)."""
        self.post_message(self.Busy(text))

    def on_step_problem_busy(self, event: Busy) -> None:
        if self._resolving is not None and self.has_class("-shown"):
            self.update(f"{self._resolving}\n\n{_esc(event.text)}")

    def hide(self) -> None:
        self._resolving = None
        self.remove_class("-shown")  # -under stays: the version diff puts it back as it was
