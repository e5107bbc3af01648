"""Reading PyO3 sources with patterns (``codewalk.index.native``): which ``fn`` a stub's
name is, and where a Rust item ends."""

from __future__ import annotations

from pathlib import Path

from codewalk.index.native import find_native


def test_a_method_is_found_in_a_pymethods_block_longer_than_an_item_is_shown(tmp_path: Path) -> None:
    """An impl block's extent is all of it, however long (tokenizers' ``PyTokenizer``:
    900 lines), not the lines an item is shown in at most."""
    filler = "\n".join(f"    fn helper{n}(&self) {{}}" for n in range(500))
    source = (
        '#[pyclass(name = "Tokenizer")]\npub struct PyTokenizer {}\n\n'
        f"#[pymethods]\nimpl PyTokenizer {{\n{filler}\n    fn decode(&self) {{}}\n}}\n"
    )
    (tmp_path / "lib.rs").write_text(source)
    found = find_native(tmp_path, ["lib.rs"], "decode", "method", "Tokenizer")
    assert [(d.line, d.end_line) for d in found] == [(506, 506)]
