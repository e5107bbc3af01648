"""``codewalk pins``: each pin, and what of it the cache holds, from where."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "pins",
        help="list the pinned repos and what the cache holds of each",
        description="List each pin in vendor_pins.toml: tag, commit, release, and the cached source.",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from codewalk import locations
    from codewalk.source import cached
    from codewalk.source.pins import load_pins

    path = locations.pins_path()
    rows = []
    for pin in load_pins(path).values():
        checkout = cached.current(pin)
        rows.append(
            {
                "repo": pin.name,
                "url": pin.url,
                "tag": pin.tag,
                "commit": pin.commit or None,
                "release": pin.release,
                "cached": None
                if checkout is None
                else {
                    "source": checkout.kind.value,
                    "label": checkout.label,
                    "commit": checkout.commit,
                    "path": str(checkout.root),
                },
            }
        )
    if args.json:
        print(json.dumps({"pins_file": str(path), "pins": rows}, indent=2))
        return 0
    print(f"pins: {path}")
    for row in rows:
        commit = row["commit"] or "not locked (tag only)"
        print(f"{row['repo']}  tag {row['tag']}  commit {commit}  release {row['release']}")
        print(f"  url     {row['url']}")
        entry = row["cached"]
        if entry is None:
            print("  cache   nothing yet (run: codewalk sync " + str(row["repo"]) + ")")
        else:
            assert isinstance(entry, dict)
            print(f"  cache   {entry['label']}")
            print(f"          local commit {entry['commit']}")
            print(f"          {entry['path']}")
    return 0
