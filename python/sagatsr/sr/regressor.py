"""``SymbolicRegressor``: one interface over the Julia (SymbolicRegression.jl) and sisso backends.

``best_`` rule (PySR's "best"): among the front's formulas whose loss (MSE) is at most
``best_tolerance`` (default 1.5) times the lowest loss (plus ``1e-12·var(y)`` so exact fits tie),
the one that bought the most accuracy per unit of complexity: the largest
``-Δ log(loss) / Δ complexity`` against the next simpler formula on the front. A bigger formula that
shaves a little more training error off is not chosen; on small data such formulas overfit. Units: the formula's ``units`` is y's unit; for sisso each coefficient ``c_k`` of
``y = c0 + Σ c_k d_k`` carries ``[y]/[d_k]`` (see :mod:`sagatsr.sr.sisso.engine`).
"""

from __future__ import annotations

import json
import logging

import numpy as np

from sagatsr.errors import BackendError, InputError
from sagatsr.sr.equation import Equation
from sagatsr.sr.inputs import check_finite, table_from
from sagatsr.sr.operators import DEFAULT_BINARY, DEFAULT_UNARY, OPERATORS
from sagatsr.sr.parse import parse_expression
from sagatsr.units import dimension_vector

_WARNED: set[str] = set()
log = logging.getLogger(__name__)
BACKENDS = ("auto", "julia", "sisso")


class SymbolicRegressor:
    """Fit a Pareto front of formulas ``y ≈ f(X)`` (loss = MSE in y's unit squared).

    Args:
        backend: ``"auto"`` (julia when it can start, else sisso, with a note), ``"julia"``, ``"sisso"``.
        operators: catalog names (:data:`sagatsr.sr.operators.OPERATORS`); default + − × ÷, inv,
            square, sqrt.
        maxsize: largest formula complexity kept (both backends).
        max_terms: sisso descriptor dimension D (terms besides the intercept).
        rung: sisso feature-construction depth; n_sis: candidates screened per dimension.
        require_dimensionless_coefficients: strict mode, only descriptors with y's unit (sisso).
        niterations, seed, julia_options: passed to the Julia search.
    """

    def __init__(self, backend="auto", operators=None, maxsize=30, max_terms=3, rung=2, n_sis=20,
                 max_candidates=20000, require_dimensionless_coefficients=False, niterations=40,
                 seed=0, best_tolerance=1.5, julia_options=None, progress=False):
        if backend not in BACKENDS:
            raise InputError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
        names = list(operators) if operators is not None else [*DEFAULT_BINARY, *DEFAULT_UNARY]
        unknown = [n for n in names if n not in OPERATORS]
        if unknown:
            raise InputError(f"unknown operators {unknown}; known: {sorted(OPERATORS)}")
        self.backend, self.operators, self.maxsize = backend, names, int(maxsize)
        self.max_terms, self.rung, self.n_sis = int(max_terms), int(rung), int(n_sis)
        self.max_candidates = int(max_candidates)
        self.require_dimensionless_coefficients = bool(require_dimensionless_coefficients)
        self.niterations, self.seed, self.best_tolerance = niterations, seed, float(best_tolerance)
        self.julia_options, self.progress = dict(julia_options or {}), progress
        self.pareto_front_: list[Equation] = []
        self.notes_: list[str] = []
        self.backend_used_ = None
        self.variable_names_: list[str] = []
        self.y_units_ = "dimensionless"

    # -- fitting ---------------------------------------------------------------------------------
    def fit(self, X, y, X_units=None, y_units=None, variable_names=None):
        matrix, names, units = table_from(X, variable_names, X_units)
        y = check_finite(matrix, y, names, self.max_terms)
        units = units if units is not None else ["dimensionless"] * len(names)
        y_units = y_units or "dimensionless"
        dims = [dimension_vector(u) for u in units]  # UnitError for unknown unit strings
        y_dim = dimension_vector(y_units)
        self.variable_names_, self.X_units_, self.y_units_ = names, list(units), y_units
        self.notes_ = []
        backend = self._choose_backend()
        if backend == "julia":
            front = self._fit_julia(matrix, y, names, units, y_units)
        else:
            from sagatsr.sr.sisso.engine import fit_sisso

            unary = [n for n in self.operators if OPERATORS[n].arity == 1]
            binary = [n for n in self.operators if OPERATORS[n].arity == 2]
            front = fit_sisso(matrix, y, names=names, dims=dims, y_dim=y_dim, y_unit=y_units,
                              unary=unary, binary=binary, rung=self.rung, max_terms=self.max_terms,
                              n_sis=self.n_sis, max_candidates=self.max_candidates,
                              require_dimensionless_coefficients=self.require_dimensionless_coefficients,
                              progress=self.progress)
        front = [eq for eq in front if eq.complexity <= self.maxsize] or front[:1]
        if not front:
            raise BackendError(f"the {backend} backend returned no formula")
        self.backend_used_, self.pareto_front_ = backend, front
        self._y_var = float(np.var(y))
        return self

    def _choose_backend(self) -> str:
        if self.backend != "auto":
            return self.backend
        try:
            from sagatsr.sr.julia import julia_status

            status = julia_status()
            if status.available:
                return "julia"
            reason = status.summary or status.reason
        except ImportError as exc:
            reason = f"the Julia bridge is not installed ({exc})"
        note = f"julia unavailable ({reason}); used the embedded sisso engine. `sagatsr doctor` says how to enable Julia"
        self.notes_.append(note)
        if note not in _WARNED:  # once per process, not once per fit
            _WARNED.add(note)
            log.warning(note)
        return "sisso"

    def _fit_julia(self, matrix, y, names, units, y_units) -> list[Equation]:
        try:
            from sagatsr.sr.julia import run_julia_search
        except ImportError as exc:
            raise BackendError(f"the Julia backend is not available: {exc}; use backend='sisso'") from None
        options = {"binary_operators": [OPERATORS[n].julia_name for n in self.operators
                                        if OPERATORS[n].arity == 2],
                   "unary_operators": [OPERATORS[n].julia_name for n in self.operators
                                       if OPERATORS[n].arity == 1],
                   "maxsize": self.maxsize, "niterations": self.niterations, "seed": self.seed,
                   **self.julia_options}
        rows = run_julia_search(matrix, y, variable_names=names, X_units=units, y_units=y_units,
                                options=options)
        front = []
        for row in rows:
            expr = parse_expression(str(row["expression"]), names)
            front.append(Equation(expression=str(expr), sympy=expr, complexity=int(row["complexity"]),
                                  loss=float(row["loss"]), units=y_units, backend="julia",
                                  inputs=sorted((s.name for s in expr.free_symbols), key=names.index),
                                  dimensionally_consistent=row["dimensionally_consistent"]))
        return sorted(front, key=lambda e: (e.complexity, e.loss))

    # -- results ---------------------------------------------------------------------------------
    @property
    def best_(self) -> Equation:
        """The formula with the best accuracy gain per complexity among the near-best (module doc)."""
        self._check_fitted()
        front = sorted(self.pareto_front_, key=lambda e: (e.complexity, e.loss))
        floor = 1e-12 * getattr(self, "_y_var", 0.0) + 1e-300
        limit = self.best_tolerance * min(eq.loss for eq in front) + floor
        best, best_score = None, -np.inf
        for k, eq in enumerate(front):
            if eq.loss > limit:
                continue
            if k == 0:
                score = np.inf  # nothing simpler: it is the best if it is near-best at all
            else:
                previous = front[k - 1]
                gain = np.log(max(previous.loss, floor)) - np.log(max(eq.loss, floor))
                score = gain / max(eq.complexity - previous.complexity, 1)
            if score > best_score:
                best, best_score = eq, score
        return best

    def predict(self, X, equation: Equation | None = None) -> np.ndarray:
        self._check_fitted()
        matrix, names, _ = table_from(X, None if hasattr(X, "columns") or hasattr(X, "data_vars")
                                      else self.variable_names_)
        if hasattr(X, "data_vars") or hasattr(X, "columns"):
            missing = [n for n in self.variable_names_ if n not in names]
            if missing:
                raise InputError(f"X lacks the fitted variables {missing}")
            matrix = matrix[:, [names.index(n) for n in self.variable_names_]]
        return (equation or self.best_).evaluate(matrix, self.variable_names_)

    def latex(self) -> str:
        return self.best_.latex()

    def _check_fitted(self):
        if not self.pareto_front_:
            raise InputError("SymbolicRegressor is not fitted yet: call fit(X, y) first")

    # -- persistence -----------------------------------------------------------------------------
    _PARAMS = ("backend", "operators", "maxsize", "max_terms", "rung", "n_sis", "max_candidates",
               "require_dimensionless_coefficients", "niterations", "seed", "best_tolerance")

    def to_json(self, path=None) -> str:
        data = {"params": {k: getattr(self, k) for k in self._PARAMS},
                "variable_names": self.variable_names_, "X_units": getattr(self, "X_units_", None),
                "y_units": self.y_units_, "backend_used": self.backend_used_, "notes": self.notes_,
                "y_var": getattr(self, "_y_var", 0.0),
                "pareto_front": [eq.to_dict() for eq in self.pareto_front_]}
        text = json.dumps(data, indent=2)
        if path is not None:
            from pathlib import Path

            Path(path).write_text(text)
        return text

    @classmethod
    def from_json(cls, text_or_path) -> "SymbolicRegressor":
        from pathlib import Path

        text = str(text_or_path)
        if not text.lstrip().startswith("{"):
            text = Path(text).read_text()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not a SymbolicRegressor JSON: {exc}") from None
        model = cls(**data["params"])
        model.variable_names_, model.X_units_ = data["variable_names"], data["X_units"]
        model.y_units_, model.backend_used_ = data["y_units"], data["backend_used"]
        model.notes_, model._y_var = data["notes"], data.get("y_var", 0.0)
        model.pareto_front_ = [Equation.from_dict(d, model.variable_names_) for d in data["pareto_front"]]
        return model
