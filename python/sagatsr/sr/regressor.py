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
from sagatsr.sr.backends import AUTO_ORDER, SearchProblem, backend_names, get_backend
from sagatsr.sr.equation import Equation
from sagatsr.sr.inputs import check_finite, table_from
from sagatsr.sr.operators import DEFAULT_BINARY, DEFAULT_UNARY, OPERATORS
from sagatsr.units import dimension_vector

_WARNED: set[str] = set()
log = logging.getLogger(__name__)
BACKENDS = ("auto", *backend_names())


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
        if backend not in ("auto", *backend_names()):  # the registry, read now: backends can be added
            raise InputError(f"unknown backend {backend!r}; choose one of {('auto', *backend_names())}")
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
        """Fit on ``X`` (rows × features) and ``y``. Units (pint strings) are optional: with none
        (and no units in a featurize Dataset) no dimensional analysis is done at all."""
        matrix, names, units = table_from(X, variable_names, X_units)
        y = check_finite(matrix, y, names, self.max_terms)
        for unit in [*(units or []), *([y_units] if y_units else [])]:
            dimension_vector(unit)  # UnitError for unknown unit strings, before any search starts
        self.variable_names_, self.X_units_ = names, list(units) if units is not None else None
        self.y_units_ = y_units or "dimensionless"
        self.notes_ = []
        backend = self._choose_backend()
        problem = SearchProblem(X=matrix, y=y, variable_names=names, X_units=self.X_units_,
                                y_units=y_units or None, operators=list(self.operators),
                                maxsize=self.maxsize, seed=self.seed)
        result = get_backend(backend).fit(problem, self)
        self.notes_.extend(result.notes)
        front = [eq for eq in result.front if eq.complexity <= self.maxsize] or result.front[:1]
        if not front:
            raise BackendError(f"the {backend} backend returned no formula")
        self.backend_used_, self.pareto_front_ = backend, front
        self._y_var = float(np.var(y))
        return self

    def _choose_backend(self) -> str:
        """The backend to run: the one asked for, or for ``"auto"`` the first of
        :data:`~sagatsr.sr.backends.AUTO_ORDER` that can start here (with a note saying why others
        could not)."""
        if self.backend != "auto":
            return self.backend
        reasons = []
        for name in AUTO_ORDER:
            status = get_backend(name).status()
            if status.available:
                break
            reasons.append(f"{name} unavailable ({status.summary or status.reason})")
        if reasons:
            note = (f"{'; '.join(reasons)}; used the {name} backend. "
                    "`sagatsr doctor` says how to enable Julia")
            self.notes_.append(note)
            if note not in _WARNED:  # once per process, not once per fit
                _WARNED.add(note)
                log.warning(note)
        return name

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
