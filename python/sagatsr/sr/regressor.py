"""``SymbolicRegressor``: one interface over the Julia (SymbolicRegression.jl) and sisso backends.

``best_`` rule (:mod:`sagatsr.sr.selection`): the near-best formulas are those whose loss is at most
``best_tolerance`` times the lowest (plus ``1e-12·var(y)`` so exact fits tie); the loss is the
held-out (cross-validated) MSE when the backend gives one (sisso does), else the training MSE. When
the backend also gives each formula's held-out errors row by row (sisso), a formula significantly
worse than the best one on the same rows is not near-best, and the *simplest* near-best formula is
chosen (``best_tolerance`` default 2). Otherwise (the Julia backend) PySR's "best" rule: the one
that bought the most accuracy per unit of complexity, the largest ``-Δ log(loss) / Δ complexity``
against the next simpler formula on the front (``best_tolerance`` default 1.5, PySR's). Among the
near-best, formulas whose coefficients are all pure numbers are preferred when there is any.
Units: the formula's ``units`` is y's unit; for sisso each coefficient ``c_k``
of ``y = c0 + Σ c_k d_k`` carries ``[y]/[d_k]`` (see :mod:`sagatsr.sr.sisso.engine`);
``units="strict"`` keeps only pure-number coefficients, ``"fit"`` (default) lets them carry units
and says so (``Equation.pure_number_coefficients``).
"""

from __future__ import annotations

import logging

import numpy as np

from sagatsr.errors import BackendError, InputError
from sagatsr.sr.backends import AUTO_ORDER, SearchProblem, backend_names, get_backend
from sagatsr.sr.equation import Equation
from sagatsr.sr.inputs import check_finite, check_units, table_from
from sagatsr.sr.operators import DEFAULT_BINARY, DEFAULT_UNARY, OPERATORS
from sagatsr.sr.params import DEFAULTS, check_params
from sagatsr.sr.selection import choose_best, mark_excess
from sagatsr.sr.unitcheck import verdicts

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
        units: ``"fit"`` (default: coefficients may carry units, reported per formula) or
            ``"strict"`` (pure-number coefficients only; sisso). ``require_dimensionless_coefficients=True``
            is the older spelling of ``units="strict"``.
        niterations, seed, julia_options: passed to the Julia search.

    Every parameter is checked here, before any work (:mod:`sagatsr.sr.params`).
    """

    def __init__(self, backend="auto", operators=None, maxsize=DEFAULTS["maxsize"], max_terms=DEFAULTS["max_terms"],
                 rung=DEFAULTS["rung"], n_sis=DEFAULTS["n_sis"], max_candidates=DEFAULTS["max_candidates"],
                 units=None, require_dimensionless_coefficients=False, niterations=DEFAULTS["niterations"], seed=0,
                 best_tolerance=None, julia_options=None, progress=False):
        # the registry is read now: backends can be added
        checked = check_params(backend, ("auto", *backend_names()),
                               operators if operators is not None else [*DEFAULT_BINARY, *DEFAULT_UNARY],
                               OPERATORS, dict(maxsize=maxsize, max_terms=max_terms, rung=rung,
                                               n_sis=n_sis, max_candidates=max_candidates,
                                               niterations=niterations, units=units,
                                               require_dimensionless_coefficients=require_dimensionless_coefficients,
                                               seed=seed, best_tolerance=best_tolerance,
                                               julia_options=julia_options, progress=progress))
        for name, value in checked.items():
            setattr(self, name, value)
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
        check_units(units, y_units, names)  # UnitError (unknown, offset units) before any search
        if self.units == "strict" and units is None:
            raise InputError("units='strict' needs X_units (the units of the features)")
        self.variable_names_, self.X_units_ = names, list(units) if units is not None else None
        self.y_units_ = y_units or None  # None: not given, the formulas' unit is free (not dimensionless)
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
        for eq in front:  # the verdicts are ours, computed the same way as on load
            eq.dimensionally_consistent, eq.pure_number_coefficients = verdicts(
                eq.sympy, names, self.X_units_, self.y_units_, eq.backend)  # y None: output unit free
        mark_excess(front)  # after the maxsize cut: the reference is a formula of this front
        self.backend_used_, self.pareto_front_ = backend, front
        with np.errstate(over="ignore"):
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
        """The selected formula: the simplest near-best, or PySR's "best" without row-by-row errors (module doc)."""
        self._check_fitted()
        return choose_best(self.pareto_front_, self.best_tolerance, getattr(self, "_y_var", 0.0))

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

    # -- persistence (sagatsr.sr.persistence: the loader validates the file) ----------------------
    def to_json(self, path=None) -> str:
        from sagatsr.sr.persistence import to_json

        text = to_json(self)
        if path is not None:
            from pathlib import Path

            Path(path).write_text(text)
        return text

    @classmethod
    def from_json(cls, text_or_path) -> "SymbolicRegressor":
        from sagatsr.sr.persistence import from_json

        return from_json(cls, text_or_path)
