"""One formula of a Pareto front.

Units of a SISSO-style model ``y = c0 + sum_k c_k d_k``: every descriptor ``d_k`` is built under the
hard unit rules and has its own dimension; the coefficient ``c_k`` carries ``[y]/[d_k]`` and ``c0``
carries ``[y]``, so every term has the unit of ``y``. ``units`` is y's unit; ``coefficients`` lists
each coefficient with its value, descriptor and unit. ``pure_number_coefficients`` says whether
every coefficient is a pure number (no unit absorbed), ``cv_loss`` is the held-out (cross-validated)
MSE used for model selection (None when the backend gives none); ``nmse``/``cv_nmse`` are the
same divided by var(y) (scale-free). Both verdicts are recomputed, never
read back, when a saved formula is loaded (:mod:`sagatsr.sr.persistence`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import sympy

from sagatsr.errors import InputError
from sagatsr.sr.parse import parse_expression


@dataclass
class Equation:
    """A formula: ``expression`` (str), ``sympy``, ``complexity``, ``loss`` (MSE), ``units`` (y's)."""

    expression: str
    sympy: sympy.Expr
    complexity: int
    loss: float
    units: str = "dimensionless"
    backend: str = "sisso"
    inputs: list = field(default_factory=list)
    dimensionally_consistent: bool | None = True  # None: unknown (a hall-of-fame row salvaged after a crash)
    coefficients: Optional[list] = None
    pure_number_coefficients: bool | None = None  # None: unknown (no units given)
    cv_loss: Optional[float] = None
    #: the losses divided by var(y): scale-free (finite even when y ~ 1e200 makes MSE overflow)
    nmse: Optional[float] = None
    cv_nmse: Optional[float] = None
    #: held-out error of every fit row divided by std(y) (``cv_nmse`` is their mean square): lets
    #: ``best_`` compare two formulas row by row (selection.py); not saved
    cv_residuals: Optional[np.ndarray] = field(default=None, repr=False, compare=False)
    #: standard errors by which the held-out error exceeds the front's best, row by row (saved:
    #: ``best_`` reads it, :func:`sagatsr.sr.selection.mark_excess`); None when not measured
    cv_excess_z: Optional[float] = None
    #: how much lower ``cv_nmse`` is expected to be than the truth because the formula's terms were
    #: chosen, among many candidates, on the same rows (:func:`sagatsr.sr.selection.search_price`);
    #: ``best_`` compares ``cv_nmse`` plus this; None when the backend does not say
    cv_search_penalty: Optional[float] = None

    def evaluate(self, X, variable_names=None) -> np.ndarray:
        """Evaluate on ``X`` (n, p) whose columns are ``variable_names`` (default: ``inputs``)."""
        X = np.asarray(X, dtype=float)
        names = list(variable_names) if variable_names is not None else list(self.inputs)
        if X.ndim != 2 or X.shape[1] != len(names):
            raise InputError(f"X has shape {X.shape}, expected (n, {len(names)}) for columns {names}")
        missing = [v for v in self.inputs if v not in names]
        if missing:
            raise InputError(f"formula needs variables {missing} not among the columns {names}")
        symbols = [sympy.Symbol(n, real=True) for n in names]
        fn = sympy.lambdify(symbols, self.sympy, modules="numpy")
        with np.errstate(all="ignore"):
            out = fn(*X.T)
        return np.broadcast_to(np.asarray(out, dtype=float), (X.shape[0],)).copy()

    def latex(self) -> str:
        return sympy.latex(self.sympy)

    def to_dict(self) -> dict:
        return {"expression": self.expression, "latex": self.latex(), "complexity": int(self.complexity),
                "loss": float(self.loss), "units": self.units, "backend": self.backend,
                "inputs": list(self.inputs), "dimensionally_consistent": self.dimensionally_consistent,
                "coefficients": self.coefficients,
                "pure_number_coefficients": self.pure_number_coefficients, "cv_loss": self.cv_loss,
                "nmse": self.nmse, "cv_nmse": self.cv_nmse, "cv_excess_z": self.cv_excess_z,
                "cv_search_penalty": self.cv_search_penalty}

    @classmethod
    def from_dict(cls, data: dict, variable_names=None) -> "Equation":
        names = list(variable_names) if variable_names is not None else list(data.get("inputs", []))
        return cls(expression=data["expression"], sympy=parse_expression(data["expression"], names),
                   complexity=int(data["complexity"]), loss=float(data["loss"]),
                   units=data.get("units", "dimensionless"), backend=data.get("backend", "sisso"),
                   inputs=list(data.get("inputs", [])),
                   dimensionally_consistent=data.get("dimensionally_consistent", True),
                   coefficients=data.get("coefficients"),
                   pure_number_coefficients=data.get("pure_number_coefficients"),
                   cv_loss=data.get("cv_loss"), nmse=data.get("nmse"), cv_nmse=data.get("cv_nmse"),
                   cv_excess_z=data.get("cv_excess_z"), cv_search_penalty=data.get("cv_search_penalty"))
