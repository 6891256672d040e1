"""The Julia sources parse (tree-sitter-julia) and name exactly the operators of the Python catalog.

These checks read the .jl files as text; they do not run Julia.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sagatsr.sr.operators import OPERATORS

JULIA_DIR = Path(__file__).resolve().parents[1] / "julia"
JULIA_FILES = sorted(JULIA_DIR.rglob("*.jl"))


def _parse(source: bytes):
    import tree_sitter_julia
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_julia.language())).parse(source).root_node


def test_julia_files_exist():
    names = {p.relative_to(JULIA_DIR).as_posix() for p in JULIA_FILES}
    assert {"SAGATSR.jl", "operators.jl", "search.jl", "test/runtests.jl"} <= names


@pytest.mark.parametrize("path", JULIA_FILES, ids=lambda p: p.name)
def test_julia_file_parses(path):
    root = _parse(path.read_bytes())
    assert not root.has_error, f"{path.name}: tree-sitter-julia reports a syntax error"


def test_the_syntax_check_catches_a_broken_file():
    broken = (JULIA_DIR / "search.jl").read_bytes().replace(b"return pareto_front(", b"return pareto_front((", 1)
    assert _parse(broken).has_error


def _table_entries(name: str) -> dict[str, str]:
    """Keys and values of a `const NAME = Dict{String,Function}("k" => f, ...)` table in operators.jl."""
    source = (JULIA_DIR / "operators.jl").read_text()
    start = source.index(f"const {name} = Dict")
    body = source[start : source.index("\n)", start)]
    entries = {}
    for part in body.split("(", 1)[1].split(","):
        if "=>" in part:
            key, value = (s.strip() for s in part.split("=>"))
            entries[key.strip('"')] = value
    return entries


def test_julia_operator_tables_match_the_python_catalog():
    binary, unary = _table_entries("BINARY_OPERATORS"), _table_entries("UNARY_OPERATORS")
    assert set(binary) == {op.julia_name for op in OPERATORS.values() if op.arity == 2}
    assert set(unary) == {op.julia_name for op in OPERATORS.values() if op.arity == 1}


def test_custom_operators_are_defined_as_named_functions():
    root = _parse((JULIA_DIR / "operators.jl").read_bytes())
    text = (JULIA_DIR / "operators.jl").read_text()
    defined = set()

    def walk(node):
        if node.type == "assignment" and node.children and node.children[0].type == "call_expression":
            defined.add(text.encode()[node.children[0].start_byte : node.children[0].end_byte].decode().split("(")[0])
        for child in node.children:
            walk(child)

    walk(root)
    builtin = {"+", "-", "*", "/", "inv", "square", "cube", "sqrt", "cbrt", "abs", "exp", "log", "sin", "cos"}
    custom = {op.julia_name for op in OPERATORS.values()} - builtin
    assert custom == {"absdiff", "harmonic", "logistic"}
    assert custom <= defined, f"not defined in operators.jl: {custom - defined}"
