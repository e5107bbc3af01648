"""Entry points the CLI calls on a terminal: ``run_tour`` and ``run_picker``.

This is where real objects are built (checkout, workspace, step resolver, permalinks,
progress store) and handed to :func:`codewalk.ui.app.make_app`; the app builds nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from codewalk.errors import CodewalkError
from codewalk.source.checkout import SourceKind
from codewalk.tours.model import ResolvedStep, Tour
from codewalk.ui.session import Catalogue, TourEntry, TourSession, github_permalink
from codewalk.ui.state import ProgressStore

if TYPE_CHECKING:
    from codewalk.source.checkout import Checkout
    from codewalk.ui.session import Permalink


class SequentialResolver:
    """Resolves steps on demand, in tour order, so that each step gets the context
    (modules of the steps before it) that ``codewalk check`` gives it. Used on the
    nav thread only."""

    def __init__(self, workspace: Any, tour: Tour) -> None:
        self.workspace = workspace
        self.tour = tour
        self._done: list[ResolvedStep] = []
        self._context: tuple[str, ...] = ()

    def __call__(self, index: int) -> ResolvedStep:
        from codewalk.tours.resolution import context_after, resolve_step

        package_root = self.workspace.checkout.package_root
        while len(self._done) <= index:
            step = self.tour.steps[len(self._done)]
            if (self.tour.step_repo(step) or self.workspace.checkout.repo) != self.workspace.checkout.repo:
                resolved = _other_repo(step, self.workspace.checkout)
            else:
                resolved = resolve_step(self.workspace, self.tour, step, self._context)
            self._context = context_after(self._context, resolved, package_root)
            self._done.append(resolved)
        return self._done[index]


def _other_repo(step: Any, checkout: Checkout) -> ResolvedStep:
    return ResolvedStep(
        step=step,
        status="missing",
        target=None,
        focus=None,
        candidates=(),
        suggestions=(),
        error=f"step is on repo {step.repo!r}; the UI shows one repo per tour "
        f"({checkout.repo}) — see it with `codewalk tour --plain`",
        repo=step.repo or "",
        version="",
    )


def checkout_reader(checkout: Checkout) -> Any:
    """Read a repo-relative file of ``checkout`` (never outside it), as the pin has it:
    a cached file that was edited is restored first (or refused, in words)."""
    from codewalk.source.integrity import read_verified

    resolved_root = checkout.root.resolve()
    pinned = checkout._replace(root=resolved_root)

    def read(path: str) -> str:
        full = (resolved_root / path).resolve()
        if resolved_root not in full.parents:
            raise ValueError(f"{path}: not a path inside the checkout")
        data = read_verified(pinned, full.relative_to(resolved_root).as_posix())
        return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")

    return read


def _permalink(checkout: Checkout) -> Permalink:
    from codewalk import locations
    from codewalk.source.pins import load_pins

    try:
        pin = load_pins(locations.pins_path())[checkout.repo]
    except (CodewalkError, KeyError):
        return github_permalink("", "")
    return github_permalink(pin.url, checkout.permalink_ref)


def open_session(
    tour: Tour,
    *,
    source_path: str | None = None,
    checkout: Checkout | None = None,
    progress: ProgressStore | None = None,
) -> TourSession:
    """A session on ``tour`` at its pin. The checkout is opened here (fast when cached,
    a sync otherwise); the index is opened later, on the session's nav thread."""
    if checkout is None:
        from codewalk.source.sync import open_checkout

        checkout = open_checkout(tour.repo, source_path)
    pinned: Checkout = checkout

    def open_navigator() -> Any:
        from codewalk.workspace.workspace import Workspace

        return Workspace.open(pinned)

    return TourSession(
        tour=tour,
        open_navigator=open_navigator,
        resolver=lambda workspace: SequentialResolver(workspace, tour),
        read_source=checkout_reader(checkout),
        read_only=checkout.kind is not SourceKind.LOCAL,  # the cache: read it, never change it
        repo=checkout.repo,
        version=checkout.version,
        root=checkout.root,
        permalink=_permalink(checkout),
        progress=progress if progress is not None else ProgressStore(),
    )


def start_step(args: argparse.Namespace, session: TourSession) -> int:
    """0-based: ``--step K`` (1-based) when given, else the remembered step, else 0."""
    explicit = getattr(args, "step", None)
    total = len(session.tour.steps)
    if explicit is not None:
        if not 1 <= int(explicit) <= total:
            raise CodewalkError(f"--step {explicit}: tour {session.tour.id!r} has steps 1 to {total}")
        return int(explicit) - 1
    remembered = session.progress.step(session.tour.id) if session.progress else None
    return remembered if remembered is not None and remembered < total else 0


def _catalogue(source_path: str | None, tours_dirs: Iterable[str] = ()) -> Catalogue:
    from codewalk.tours.discovery import discover_tours, load_tour

    dirs = list(tours_dirs)

    def entries() -> Sequence[TourEntry]:
        return [TourEntry(t.id, t.title, len(t.steps)) for t in discover_tours(dirs)]

    def open_tour(tour_id: str) -> TourSession:
        return open_session(load_tour(tour_id, dirs), source_path=source_path)

    return Catalogue(entries, open_tour)


def run_tour(args: argparse.Namespace, tour: Tour, *, checkout: Checkout | None = None) -> int:
    """Open the app on ``tour``. Reads ``args.step`` (1-based start step),
    ``args.source`` (a local checkout) and ``args.tours_dir`` (for the tours list),
    each optional. Pass ``checkout`` when the caller already has it."""
    from codewalk.ui.app import make_app

    source_path = getattr(args, "source", None)
    session = open_session(tour, source_path=source_path, checkout=checkout)
    catalogue = _catalogue(source_path, getattr(args, "tours_dir", None) or ())
    app = make_app(session, start_step=start_step(args, session), catalogue=catalogue)
    app.run()
    return app.return_code or 0


def run_picker(args: argparse.Namespace) -> int:
    """``codewalk`` alone on a terminal: choose a tour, then walk it."""
    from codewalk.ui.app import make_app

    catalogue = _catalogue(getattr(args, "source", None), getattr(args, "tours_dir", None) or ())
    app = make_app(None, catalogue=catalogue)
    app.run()
    return app.return_code or 0
