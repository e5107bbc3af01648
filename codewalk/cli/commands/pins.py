"""``codewalk pins``: each pin, and what of it the cache holds, from where."""

from __future__ import annotations

import argparse

from codewalk.cli.common import add_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "pins",
        help="list the pinned repos and what the cache holds of each",
        description="List each pin in vendor_pins.toml: tag, commit, release, and the cached source.",
    )
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    from codewalk import locations
    from codewalk.cli.common import dump
    from codewalk.source import cache, cached
    from codewalk.source.pins import load_pins
    from codewalk.visible import visible

    path = locations.pins_path()
    home = locations.cache_home()  # found once: every pin's entries are looked for under it
    rows = []
    for pin in load_pins(path).values():
        checkout = cached.current(pin, home=home)
        current = checkout.root.parent if checkout is not None else None
        others = [
            {"source": manifest.kind, "release": manifest.release, "path": str(entry / "tree")}
            for entry, manifest in cache.entries(pin.name, home)
            if entry != current
        ]
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
                "also_cached": others,
            }
        )
    if args.json:
        dump({"pins_file": str(path), "pins": rows})
        return 0
    print(visible(f"pins: {path}"))
    for row in rows:
        commit = row["commit"] or "not locked (tag only)"
        print(visible(f"{row['repo']}  tag {row['tag']}  commit {commit}  release {row['release']}"))
        print(visible(f"  url     {row['url']}"))
        entry = row["cached"]
        if entry is None:
            print(visible("  cache   nothing yet (run: codewalk sync " + str(row["repo"]) + ")"))
        else:
            assert isinstance(entry, dict)
            print(visible(f"  cache   {entry['label']}"))
            print(f"          local commit {entry['commit']}")
            print(visible(f"          {entry['path']}"))
        also = row["also_cached"]
        assert isinstance(also, list)
        if also:  # read by --at, diff and traces without a fetch
            releases = [str(other["release"]) for other in also]
            kept = ", ".join(release.partition("==")[2] or release for release in releases)
            print(visible(f"  also    {kept}: --at {row['repo']}@VERSION reads these without a fetch"))
    return 0
