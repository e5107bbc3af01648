"""``load_dataset("json")`` on a local JSON-lines file, then a ``map``.

python bench/programs/dataset_json.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import tiny  # noqa: F401  (sets the offline switches before datasets is imported)
from datasets import load_dataset


def main() -> None:
    with tempfile.TemporaryDirectory() as where:
        data = Path(where, "rows.jsonl")
        data.write_text("".join(json.dumps({"text": f"row {i}", "n": i}) + "\n" for i in range(20)))
        rows = load_dataset("json", data_files=str(data), split="train", cache_dir=str(Path(where, "cache")))
        doubled = rows.map(lambda row: {"m": row["n"] * 2})
        print(len(doubled), doubled[3])


if __name__ == "__main__":
    main()
