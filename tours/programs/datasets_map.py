"""The datasets-map tour's run: a dataset written to an Arrow cache file by
`Dataset.from_generator`, mapped in batches with `fn_kwargs` and `remove_columns` (a
cache file named by the new fingerprint), mapped again the same way (read back from that
file), filtered, and read with the torch format (datasets; torch for the format only;
nothing downloaded)."""

import os
import tempfile

import _tiny  # noqa: F401  (the offline switches, before datasets is imported)
from datasets import Dataset


def sentences():  # type: ignore[no-untyped-def]
    for i in range(8):
        yield {"text": "the cat sat on the mat " * (i % 3 + 1), "label": i % 2}


def count_words(batch, column):  # type: ignore[no-untyped-def]
    return {column: [len(text.split()) for text in batch["text"]]}


with tempfile.TemporaryDirectory() as directory:
    os.environ["HF_DATASETS_CACHE"] = directory
    dataset = Dataset.from_generator(sentences, cache_dir=directory)
    mapped = dataset.map(count_words, batched=True, fn_kwargs={"column": "words"}, remove_columns=["text"])
    again = dataset.map(count_words, batched=True, fn_kwargs={"column": "words"}, remove_columns=["text"])
    files = [os.path.basename(f["filename"]) for f in mapped.cache_files]
    print(mapped._fingerprint == again._fingerprint, files)
    long = mapped.filter(lambda example: example["words"] > 6)
    long.set_format("torch")
    print(long[0], len(long))
