"""The embedded SISSO-style engine (:mod:`sagatsr.sr.sisso`) behind the backend contract.

No units given means every feature and y are dimensionless to the engine's hard unit rules, which
then constrain nothing but the transcendental operators' arguments (always dimensionless then).
"""

from __future__ import annotations

from sagatsr.sr.backends.base import Backend, BackendFit, SearchProblem
from sagatsr.units import dimension_vector

__all__ = ["SissoBackend"]


class SissoBackend(Backend):
    name = "sisso"

    def fit(self, problem: SearchProblem, settings) -> BackendFit:
        from sagatsr.sr.sisso.engine import fit_sisso

        units = problem.X_units or ["dimensionless"] * len(problem.variable_names)
        y_unit = problem.y_units or "dimensionless"
        notes: list[str] = []
        front = fit_sisso(problem.X, problem.y, names=problem.variable_names,
                          dims=[dimension_vector(u) for u in units], y_dim=dimension_vector(y_unit),
                          y_unit=y_unit, unary=problem.operators_of_arity(1),
                          binary=problem.operators_of_arity(2), rung=settings.rung,
                          max_terms=settings.max_terms, n_sis=settings.n_sis,
                          max_candidates=settings.max_candidates,
                          units=getattr(settings, "units", "fit"), X_units=problem.X_units,
                          notes=notes, progress=settings.progress)
        return BackendFit(front, notes)
