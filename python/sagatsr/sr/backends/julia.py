"""SymbolicRegression.jl (through :mod:`sagatsr.sr.julia`) behind the backend contract.

Units: no units given → nothing is sent and SymbolicRegression.jl does no dimensional analysis;
features' units without y's → the features' units are sent and y's is left free (formulas must be
internally consistent: no eV + Å, no exp of eV; the output may have any unit); y's unit without the
features' → nothing is sent (a unit check needs the inputs' units). Units go as plain SI dimension
strings (:func:`sagatsr.units.to_dynamicquantities`).
"""

from __future__ import annotations

from sagatsr.errors import BackendError, InputError
from sagatsr.sr.backends.base import Backend, BackendFit, BackendStatus, SearchProblem
from sagatsr.sr.equation import Equation
from sagatsr.sr.operators import OPERATORS
from sagatsr.sr.parse import parse_expression

__all__ = ["JuliaBackend", "front_from_rows"]


class JuliaBackend(Backend):
    name = "julia"

    def status(self) -> BackendStatus:
        from sagatsr.sr.julia import julia_status

        status = julia_status()
        return BackendStatus(status.available, status.reason, status.summary)

    def fit(self, problem: SearchProblem, settings) -> BackendFit:
        from sagatsr.sr.julia import run_julia_search

        options = {"binary_operators": [OPERATORS[n].julia_name for n in problem.operators_of_arity(2)],
                   "unary_operators": [OPERATORS[n].julia_name for n in problem.operators_of_arity(1)],
                   "maxsize": problem.maxsize, "niterations": settings.niterations, "seed": problem.seed,
                   **settings.julia_options}
        notes = []
        if problem.has_units and problem.y_units is None:
            notes.append("y has no unit: formulas were checked for internal unit consistency only "
                         "(any output unit allowed)")
        elif problem.y_units is not None and not problem.has_units:
            notes.append("y has a unit but the features have none: no dimensional analysis was done")
        rows = run_julia_search(problem.X, problem.y, variable_names=problem.variable_names,
                                X_units=problem.X_units if problem.has_units else None,
                                y_units=problem.y_units if problem.has_units else None, options=options)
        front, skipped = front_from_rows(rows, problem.variable_names, problem.y_units or "dimensionless")
        notes.extend(skipped)
        if not front:
            raise BackendError(f"no formula of the Julia search could be read: {'; '.join(skipped)}")
        return BackendFit(front, notes)


def front_from_rows(rows, names, units) -> tuple[list[Equation], list[str]]:
    """Equations from SymbolicRegression.jl's front rows; a row that does not parse (e.g. an
    Inf/NaN constant) is skipped with a note instead of losing the whole front."""
    front, skipped = [], []
    for row in rows:
        try:
            expr = parse_expression(str(row["expression"]), names)
        except InputError as exc:
            skipped.append(f"skipped a Julia formula of complexity {row.get('complexity')}: {exc}")
            continue
        front.append(Equation(expression=str(expr), sympy=expr, complexity=int(row["complexity"]),
                              loss=float(row["loss"]), units=units, backend="julia",
                              inputs=sorted((s.name for s in expr.free_symbols), key=names.index),
                              dimensionally_consistent=row["dimensionally_consistent"]))
    return sorted(front, key=lambda e: (e.complexity, e.loss)), skipped
