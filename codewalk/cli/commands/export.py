"""``codewalk export TOUR --format markdown|codetour [-o FILE]``: a tour for readers
without codewalk: Markdown with permalinks, or a VS Code CodeTour ``.tour`` file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codewalk.cli.common import add_tour
from codewalk.cli.workspaces import Workspaces


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a tour as Markdown or a CodeTour file",
        description="Export a resolved tour: Markdown with permalinks to the exact lines at "
        "the pin, or a CodeTour .tour JSON file for VS Code.",
    )
    add_tour(parser)
    parser.add_argument(
        "--format", choices=("markdown", "codetour"), default="markdown", help="output format"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE, as a shell's > would (a regular file is replaced whole; missing "
        "directories are made; '-': stdout)",
    )


def run(args: argparse.Namespace) -> int:
    from codewalk.cli.output import write_output
    from codewalk.errors import CodewalkError, system_words
    from codewalk.render import codetour, export, markdown
    from codewalk.tours.discovery import load_tour
    from codewalk.visible import visible

    tour = load_tour(args.name, args.tours_dir)
    workspaces = Workspaces(args.source, args.at)
    resolved = workspaces.steps(tour).resolved()
    export.require_resolved(resolved)
    pins = workspaces.pinned.pins
    links: dict[str, tuple[str | None, str]] = {}
    reached = (link.repo for step in resolved.steps for link in step.links)  # a link may reach another pin
    for repo in dict.fromkeys([*(step.repo for step in resolved.steps), *reached]):
        pin = pins.get(repo)
        base = export.web_base(pin.url) if pin is not None else None
        links[repo] = (base, workspaces.get(repo).checkout.permalink_ref)
    if args.format == "markdown":
        text = markdown.to_markdown(resolved, workspaces.source_text, links)
    else:
        first_repo = resolved.steps[0].repo
        text = codetour.codetour_json(resolved, links[first_repo][1], workspaces.source_text, links)
    if args.output and args.output != "-":
        try:
            where = write_output(args.output, text)
        except OSError as exc:
            raise CodewalkError(f"{args.output}: cannot write the export: {system_words(exc)}") from None
        print(visible(f"wrote {where}"), file=sys.stderr)
    else:
        write_output("-", text)
    return 0
