"""Symbolic regression: the operator catalog, formulas (:class:`Equation`), the restricted parser
and :class:`SymbolicRegressor` with the Julia (SymbolicRegression.jl) and embedded sisso backends."""

from sagatsr.sr.equation import Equation
from sagatsr.sr.operators import OPERATORS
from sagatsr.sr.regressor import SymbolicRegressor

__all__ = ["Equation", "OPERATORS", "SymbolicRegressor"]
