"""Reading PyO3 sources with patterns (``codewalk.index.native``): which ``fn`` a stub's
name is, and where a Rust item ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from codewalk.index.native import _end, find_native, names_at


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


def test_a_function_is_found_in_its_pymodule_fn_and_a_method_not_in_a_methods_body(tmp_path: Path) -> None:
    """The old ``#[pyfn(m)]`` style nests a module's functions in its ``#[pymodule]`` fn;
    a fn nested in a method's body is a helper, no method of the class."""
    source = (
        '#[pymodule]\nfn lib(m: &PyModule) -> PyResult<()> {\n    #[pyfn(m, name = "fetch")]\n'
        "    fn fetch_py(name: &str) -> usize {\n        0\n    }\n    Ok(())\n}\n\n"
        "#[pyclass]\npub struct Engine {}\n\n#[pymethods]\nimpl Engine {\n"
        "    fn run(&self) -> usize {\n        fn step() -> usize {\n            1\n        }\n"
        "        step()\n    }\n}\n"
    )
    (tmp_path / "lib.rs").write_text(source)
    assert [d.line for d in find_native(tmp_path, ["lib.rs"], "fetch", "function")] == [4]
    assert [d.line for d in find_native(tmp_path, ["lib.rs"], "run", "method", "Engine")] == [15]
    assert find_native(tmp_path, ["lib.rs"], "step", "method", "Engine") == []


BYTE_LEVEL = """#[pyclass(extends=PyBase, module = "lib.{module}", name = "ByteLevel")]
pub struct PyByteLevel {{}}
#[pymethods]
impl PyByteLevel {{
    #[new]
    #[pyo3(
        signature = (add_prefix_space = true),
        text_signature = "(self, add_prefix_space=True)"
    )]
    fn new(add_prefix_space: bool) -> Self {{
        PyByteLevel {{}}
    }}

    /// The name = "x" of a doc comment renames nothing
    #[getter]
    fn get_add_prefix_space(&self) -> bool {{
        true
    }}
}}
"""


def test_a_method_is_its_classs_in_its_module_by_its_python_name(tmp_path: Path) -> None:
    """Two files expose a ``PyByteLevel`` as ``ByteLevel``, each of its own module: a stub
    method is the one of its module's struct, in that struct's file; ``#[new]`` (under a
    ``#[pyo3(...)]`` of several lines) is ``__new__``, a ``#[getter]`` its property."""
    for module in ("decoders", "processors"):
        (tmp_path / f"{module}.rs").write_text(BYTE_LEVEL.format(module=module))
    paths = ["decoders.rs", "processors.rs"]
    found = find_native(tmp_path, paths, "__new__", "method", "ByteLevel", "lib.processors")
    assert [(d.path, d.line, d.how) for d in found] == [("processors.rs", 10, "fn new (#[new])")]
    found = find_native(tmp_path, paths, "add_prefix_space", "method", "ByteLevel", "lib.decoders")
    assert [(d.path, d.line) for d in found] == [("decoders.rs", 16)]
    lines = BYTE_LEVEL.format(module="decoders").split("\n")
    assert (names_at(lines, 10), names_at(lines, 16)) == (["__new__"], ["add_prefix_space"])


@pytest.mark.parametrize(
    ("source", "last"),
    [
        ("fn f() -> char {\n    let c = '{';\n    c\n}\nfn next() {}", 4),  # a brace in a char
        ('fn f() -> String {\n    format!("{{}} {}", "}")\n}\n', 3),  # braces in strings
        ('fn f() {\n    let u = "http://a"; // }\n    g(u);\n}\n', 4),  # no comment in a string
        ("fn f<'a>(x: &'a str) -> &'a str {\n    x\n}\n", 3),  # a lifetime is no char
        ("fn f(\n    x: [u8; 4],\n) -> usize {\n    0\n}\n", 5),  # a ; in a signature's type
        ("fn f(x: [u8; 4]);\nfn g() {}", 1),  # a declaration ends at its ;
        ("pub struct Unit;\n", 1),
    ],
)
def test_a_rust_items_end_is_where_its_code_says(source: str, last: int) -> None:
    """Braces and semicolons in string and char literals, comments and brackets end no
    item; the first ``;`` of a bodiless one does."""
    assert _end(source.split("\n"), 0) == last
