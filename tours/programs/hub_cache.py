"""The hub-cache tour's run: a hub cache laid out by hand as huggingface_hub writes it
(`models--ORG--NAME/` with `refs/main`, `snapshots/COMMIT/` and `blobs/`), read offline
(`HF_HUB_OFFLINE=1`, set before huggingface_hub is imported): `scan_cache_dir`,
`try_to_load_from_cache` of a cached file and of a missing one, and `hf_hub_download`
of a file by branch, by commit hash, and of a file the cache lacks (huggingface_hub
alone; nothing is downloaded)."""

import hashlib
import os
import tempfile

os.environ["HF_HUB_OFFLINE"] = "1"  # read once, when huggingface_hub is imported

COMMIT = "0123456789abcdef0123456789abcdef01234567"
FILES = {"config.json": b'{"model_type": "llama"}\n', "README.md": b"# tiny\n"}


def lay_out(cache: str) -> None:
    """refs/main names the commit; each file of the snapshot is a relative symlink to its
    blob, named by the git hash of its content (a small file's etag on the Hub)."""
    repo = os.path.join(cache, "models--tiny-org--tiny-model")
    for folder in ("refs", "blobs", os.path.join("snapshots", COMMIT)):
        os.makedirs(os.path.join(repo, folder))
    with open(os.path.join(repo, "refs", "main"), "w") as f:
        f.write(COMMIT)
    for name, data in FILES.items():
        etag = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        with open(os.path.join(repo, "blobs", etag), "wb") as f:
            f.write(data)
        os.symlink(os.path.join("..", "..", "blobs", etag), os.path.join(repo, "snapshots", COMMIT, name))


with tempfile.TemporaryDirectory() as directory:
    os.environ["HF_HUB_CACHE"] = directory
    lay_out(directory)
    from huggingface_hub import hf_hub_download, scan_cache_dir, try_to_load_from_cache
    from huggingface_hub.errors import LocalEntryNotFoundError

    for repo in scan_cache_dir().repos:
        print(repo.repo_id, repo.repo_type, repo.size_on_disk, [r.commit_hash[:8] for r in repo.revisions])
    print(try_to_load_from_cache("tiny-org/tiny-model", "config.json") is not None)
    print(try_to_load_from_cache("tiny-org/tiny-model", "missing.json"))
    print(os.path.basename(hf_hub_download("tiny-org/tiny-model", "config.json")))
    print(os.path.basename(hf_hub_download("tiny-org/tiny-model", "README.md", revision=COMMIT)))
    try:
        hf_hub_download("tiny-org/tiny-model", "missing.json")
    except LocalEntryNotFoundError as error:
        print(type(error).__name__)
