"""Symbolic regression: the operator catalog, formulas (:class:`Equation`), the restricted parser
and :class:`SymbolicRegressor` with the Julia (SymbolicRegression.jl) and embedded sisso backends.

The public names load on first use (numpy and sympy come with them), so that light modules of this
package — the backend registry, the parameter checks — can be read by the CLI without them.
"""

from __future__ import annotations

import importlib

# public name -> module that defines it
_LAZY = {
    "Equation": "sagatsr.sr.equation",
    "OPERATORS": "sagatsr.sr.operators",
    "SymbolicRegressor": "sagatsr.sr.regressor",
}

__all__ = ["Equation", "OPERATORS", "SymbolicRegressor"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sagatsr.sr' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
