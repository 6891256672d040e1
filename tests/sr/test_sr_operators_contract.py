"""The operator names are a contract between the Python catalog and the bundled Julia module: check
them against the Julia source itself (the other side of the contract), not a copied list."""

from __future__ import annotations

import re
from pathlib import Path

from sagatsr.sr.operators import OPERATORS

JULIA = Path(__file__).resolve().parents[2] / "julia" / "operators.jl"


def _julia_names(table: str) -> set[str]:
    body = re.search(rf"const {table} = Dict{{String,Function}}\((.*?)\n\)", JULIA.read_text(), re.S).group(1)
    return set(re.findall(r'"([^"]+)"\s*=>', body))


def test_every_catalog_operator_exists_in_the_julia_module_with_its_arity():
    binary, unary = _julia_names("BINARY_OPERATORS"), _julia_names("UNARY_OPERATORS")
    assert len(binary) >= 4 and len(unary) >= 4  # the regex found the tables
    assert {op.julia_name for op in OPERATORS.values() if op.arity == 2} == binary
    assert {op.julia_name for op in OPERATORS.values() if op.arity == 1} == unary
