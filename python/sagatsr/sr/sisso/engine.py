"""The embedded SISSO engine: candidates (features.py) → SIS (sis.py) → ℓ0 (l0.py) → Pareto front.

For descriptor dimension d = 1..D the residual of the best (d-1)-model is screened for ``n_sis``
new candidates; the union of all screened candidates is searched exhaustively for the best d-term
linear model ``y = c0 + sum_k c_k d_k``. Coefficients carry units: ``c_k`` has ``[y]/[d_k]``,
``c0`` has ``[y]``. With ``require_dimensionless_coefficients`` only descriptors whose dimension
equals y's are kept (so every coefficient is a pure number). Deterministic: no randomness.
"""

from __future__ import annotations

import logging

import numpy as np
import sympy

from sagatsr.errors import InputError
from sagatsr.sr.equation import Equation
from sagatsr.sr.sisso.features import build_candidates
from sagatsr.sr.sisso.l0 import best_combinations
from sagatsr.sr.sisso.sis import screen
from sagatsr.units import vector_to_unit

log = logging.getLogger(__name__)


def fit_sisso(X, y, *, names, dims, y_dim, y_unit, unary, binary, rung=2, max_terms=3, n_sis=20,
              max_candidates=20000, pool_size=60, keep_per_dim=8,
              require_dimensionless_coefficients=False, progress=False) -> list[Equation]:
    """All (deduplicated, Pareto-filtered) models up to ``max_terms`` descriptors."""
    symbols = [sympy.Symbol(n, real=True) for n in names]
    cands = build_candidates(X, symbols, dims, unary=unary, binary=binary, rung=rung,
                             max_candidates=max_candidates, pool_size=pool_size, target=y)
    allowed = np.arange(len(cands))
    if require_dimensionless_coefficients:
        allowed = np.array([i for i in allowed if np.allclose(cands.dims[i], y_dim)], dtype=int)
        if allowed.size == 0:
            raise InputError(f"no descriptor has the unit of y ({y_unit}); the strict mode "
                             "(require_dimensionless_coefficients=True) needs at least one")
    log.info("sisso: %d candidate descriptors (%d usable), rung %d", len(cands), allowed.size, rung)
    subspace: list[int] = []
    residual = y - y.mean()
    models = []
    steps = range(1, max_terms + 1)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="sisso l0", leave=False)
    for dim in steps:
        subspace += screen(cands.correlation(residual, allowed), n_sis, exclude=subspace)
        subspace = sorted(set(subspace))
        if len(subspace) < dim:
            break
        found = best_combinations(cands.columns(allowed[subspace]), y, dim, keep=keep_per_dim)
        if not found:
            break
        for _, combo in found:
            models.append(tuple(int(allowed[subspace[i]]) for i in combo))
        residual = y - _lstsq(cands.columns(allowed[[subspace[i] for i in found[0][1]]]), y)[1]
    # Each input on its own (y = c0 + c1*x) is always a candidate model, so the front starts from
    # the simplest formulas even when screening on correlation ranks a combination higher.
    allowed_set = set(int(i) for i in allowed)
    models += [(i,) for i, expr in enumerate(cands.exprs) if expr.is_Symbol and i in allowed_set]
    equations = [_equation(cands, combo, X, y, y_unit, y_dim, names) for combo in dict.fromkeys(models)]
    return pareto(equations, floor=1e-12 * float(np.var(y)))


def _lstsq(D, y):
    A = np.column_stack([np.ones(len(y)), D])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return coef, A @ coef


def _equation(cands, combo, X, y, y_unit, y_dim, names) -> Equation:
    D = cands.columns(combo)
    coef, pred = _lstsq(D, y)
    expr = sympy.Float(coef[0], 12)
    coefficients = [{"descriptor": "1", "value": float(coef[0]), "units": y_unit}]
    for c, i in zip(coef[1:], combo):
        # unevaluated: sympy would otherwise spread c over a sum, c*(a + b) -> c*a + c*b, hiding
        # the descriptor the formula was built from
        expr = expr + sympy.Mul(sympy.Float(c, 12), cands.exprs[i], evaluate=False)
        coefficients.append({"descriptor": str(cands.exprs[i]), "value": float(c),
                             "units": vector_to_unit(y_dim - cands.dims[i]),
                             "descriptor_units": vector_to_unit(cands.dims[i])})
    complexity = 1 + sum(cands.complexity[i] + 2 for i in combo)
    used = sorted({s.name for i in combo for s in cands.exprs[i].free_symbols}, key=names.index)
    return Equation(expression=str(expr), sympy=expr, complexity=int(complexity),
                    loss=float(np.mean((pred - y) ** 2)), units=y_unit, backend="sisso",
                    inputs=used, dimensionally_consistent=True, coefficients=coefficients)


def pareto(equations: list[Equation], floor: float = 0.0) -> list[Equation]:
    """Non-dominated equations by increasing complexity: each must lower the loss by more than
    ``floor`` (round-off of exact fits does not count as an improvement)."""
    front: list[Equation] = []
    for eq in sorted(equations, key=lambda e: (e.complexity, e.loss, e.expression)):
        if not front or eq.loss < front[-1].loss * (1 - 1e-9) - floor:
            front.append(eq)
    return front
