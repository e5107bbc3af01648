"""``codewalk draft FROM TO -o FILE``: a tour skeleton along the shortest call chain."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codewalk import locations
from codewalk.cli.common import add_chain, add_trace_option, open_workspace
from codewalk.errors import CodewalkError, QueryError, system_words


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "draft",
        help="write a tour skeleton along the call chain from one symbol to another",
        description="Find the shortest call chain from FROM to TO (as `codewalk path` does) and "
        "write a tour along it: one step per call, at the calling function, focused on the call "
        "site, with titles filled in and notes left for you to write.",
    )
    add_chain(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="the tour file to write")
    parser.add_argument(
        "--edit",
        action="store_true",
        help="open the draft in the terminal UI's recorder instead (it writes FILE, else ID.yaml where a "
        "new tour goes: the first CODEWALK_TOURS_PATH directory, else the current directory)",
    )
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    add_trace_option(parser, "draft along the chain that ran in this recorded run")


def run(args: argparse.Namespace) -> int:
    from codewalk.tours.draft import draft_tour, named
    from codewalk.tours.loader import valid_id

    if args.output is None and not args.edit:
        raise CodewalkError("draft needs -o FILE (the tour to write), or --edit (to open it in the recorder)")
    output = Path(args.output) if args.output else None
    if output is not None and locations.is_dir(output):
        raise CodewalkError(
            f"{output}: is a directory", hint="name the tour file to write, e.g. DIR/draft.yaml"
        )
    if output is not None and locations.is_file(output) and (args.edit or not args.force):
        hint = "the recorder writes a new file: name another" if args.edit else "--force replaces it"
        raise CodewalkError(f"{output}: the file exists", hint=hint)
    if args.trace:
        from codewalk.cli.traced import run_draft

        text, along = run_draft(args), "along the chain that ran"
    else:
        from codewalk.cli.commands.path import searched

        with open_workspace(args) as workspace:
            answer = searched(args, workspace, "draft", limit=1)
            if not answer.search.chains:
                raise QueryError(
                    f"no call chain from {answer.start.qualname} to {answer.unreached}: nothing to draft"
                )
            chain = answer.search.chains[0]
            guessed = [number for number, hop in enumerate(chain, start=1) if hop.guessed]
            _warn_of_guesses(guessed, answer.search.complete, args)
            text = draft_tour(chain, args.start, args.goal, workspace.source_text, workspace.checkout.repo)
        hops = _short([*(h.caller.target.qualname for h in chain), chain[-1].reached])
        along = f"along {' -> '.join(hops)}"
    if output is not None and valid_id(output.stem) is None:
        text = named(text, output.stem)  # the file's name, as the loader's default
    if args.edit:
        return _edit(args, text)
    assert output is not None
    return _write(output, text, along, replace=args.force)


def _warn_of_guesses(guessed: Sequence[int], complete: bool, args: argparse.Namespace) -> None:
    """Say on stderr what in the chain drafted is a guess: the steps (1-based) whose call
    codewalk cannot say is taken (their notes say "possibly"), a search that stopped at
    the first chain."""
    import sys

    from codewalk.visible import visible

    if guessed:
        which = ", ".join(str(n) for n in guessed)
        one, many = f"the call of step {which} is a guess", f"the calls of steps {which} are guesses"
        calls = many if len(guessed) > 1 else one
        print(
            visible(
                f"codewalk: warning: {calls} "
                "(one of many candidates, or a call on a value codewalk cannot type): the chain may "
                f"never run; `codewalk path {args.start} {args.goal}` shows it and others"
            ),
            file=sys.stderr,
        )
    if not complete:
        shorter = "codewalk: warning: the first chain found is drafted: a shorter one may be unsearched"
        print(shorter, file=sys.stderr)


def _short(qualnames: list[str]) -> list[str]:
    """Each function of a chain by its name, a method with its class where the class
    changes (``generate -> _sample -> LlamaForCausalLM.forward -> LlamaModel.forward``)."""
    out: list[str] = []
    previous = ""
    for qualname in qualnames:
        *_, owner, name = ["", *qualname.split(".")]
        owner = owner if owner[:1].isupper() else ""  # a class, not a module
        out.append(f"{owner}.{name}" if owner and owner != previous else name)
        previous = owner
    return out


def _write(output: Path, text: str, along: str, *, replace: bool) -> int:
    from codewalk.cli.output import write_output
    from codewalk.visible import visible

    try:  # as export -o: a link or a FIFO is written through
        where = write_output(str(output), text, replace=replace)
    except FileExistsError:
        raise CodewalkError(
            f"{output}: the file exists (it was made while the draft was written)", hint="--force replaces it"
        ) from None
    except OSError as error:
        raise CodewalkError(f"{output}: cannot write it: {system_words(error)}") from None
    steps = text.count("\n  - at: ")
    print(visible(f"wrote {where}: {steps} steps {along}"))
    print(visible(f"write the notes (TODO), then: codewalk check {output}"))
    return 0


def _edit(args: argparse.Namespace, text: str) -> int:
    """The draft in the recorder, to be written where ``-o`` says (else where a new tour
    goes) once the author has seen where."""
    from dataclasses import replace

    from codewalk.cli.recording import draft_path, open_recorder
    from codewalk.tours.loader import parse_tour
    from codewalk.tours.recording import draft_of

    tour = parse_tour(text, Path("draft.yaml"))
    path = draft_path(tour.id, args.output)
    if locations.is_file(path):
        raise CodewalkError(
            f"{path}: the file exists", hint="the recorder writes a new file: give -o another"
        )
    tour = replace(tour, path=path)
    stack = None
    if args.trace:  # its steps read at the versions that ran
        from codewalk.traces.reading import open_trace

        stack = open_trace(args.trace).stack
    return open_recorder(args, tour, draft_of(tour, text), None, stack=stack)
