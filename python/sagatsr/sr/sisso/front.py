"""The Pareto front of the engine's models, and a quick pre-filter before any formula is written.

The ℓ0 searches (one per outer function and units search) propose a few hundred models; turning
one into an :class:`~sagatsr.sr.equation.Equation` (SymPy trees, units, cross-validation) costs
milliseconds each, yet only the non-dominated ones survive :func:`pareto`. :func:`quick_front`
scores every model from the stored candidate columns (the same least squares, so the same error
up to round-off) and keeps those that can reach the front: non-dominated within a relative 1e-6
(round-off ties are kept for the final decision), or holding fitted inner
constants that :func:`~sagatsr.sr.sisso.parametric.refine` may still improve (kept within a factor
:data:`REFINE_MARGIN` of the front, at most :data:`REFINE_PER_COMPLEXITY` per complexity and
:data:`REFINE_TOTAL` in all). Once a model fits exactly (error below :func:`pareto`'s
absolute floor, ~1e-30 for an exact law) no larger one is kept: none can lower the error by the
floor, and writing out the hundreds that fit exactly as well took about half of a noise-free fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sagatsr.sr.sisso.formula import model_complexity
from sagatsr.sr.sisso.outer import IDENTITY, Outer
from sagatsr.sr.sisso.select import design

#: a model with fitted inner constants is kept when its error is within this factor of the front
REFINE_MARGIN = 3.0
#: models kept only for that margin: at most this many per complexity (lowest error first) ...
REFINE_PER_COMPLEXITY = 3
#: ... and in all (simplest first): with noise every model sits near the noise floor, within the
#: margin, and refining the hundreds of large ones took most of a noisy fit's time
REFINE_TOTAL = 60
#: the front's absolute floor (MSE / var(y)): a more complex formula joins only below this gain
FLOOR = 1e-12


@dataclass(frozen=True)
class Model:
    """Candidate indices, intercept or not, and the outer function ``y = sign·T⁻¹(linear model)``."""

    combo: tuple
    intercept: bool
    outer: Outer = IDENTITY
    sign: float = 1.0


def quick_nmse(cands, model: Model, y) -> float:
    """Training MSE / var(y) of ``model`` from the stored candidate columns (inf if not finite)."""
    D = cands.columns(model.combo)
    A = design(D, len(y), model.intercept)
    coef = model.outer.fit(A, y, model.sign)
    with np.errstate(all="ignore"):
        mse = float(np.mean((model.outer.inverse(A @ coef, model.sign) - y) ** 2))
    var = float(np.var(y))
    return mse / var if np.isfinite(mse) and var > 0 else float("inf")


def with_submodels(models) -> list[Model]:
    """``models`` and every model with one of their terms left out: a term whose coefficient
    comes out near zero (an exact two-term law found inside a three-term model) must not hide the
    simpler law."""
    out = list(models)
    for m in models:
        if len(m.combo) > 1:
            out += [Model(m.combo[:k] + m.combo[k + 1:], m.intercept, m.outer, m.sign) for k in range(len(m.combo))]
    return list(dict.fromkeys(out))


def exact_without_intercept(cands, models, y) -> list[Model]:
    """Every model (or sub-model) with an intercept that fits exactly, without the intercept: an
    exact law through the origin otherwise reads ``2·a/b² + 2.5e-16`` (its intercept is round-off).
    Offered beside the others; in fit mode the coefficients may then carry y's unit."""
    return [Model(m.combo, False, m.outer, m.sign) for m in with_submodels(models)
            if m.intercept and quick_nmse(cands, m, y) <= FLOOR]


def quick_front(cands, models, y) -> list[Model]:
    """The models that can reach the Pareto front (module docstring), simplest first; every
    sub-model (:func:`with_submodels`) is considered too."""
    scored = []
    for m in with_submodels(models):
        complexity = model_complexity([cands.complexity[i] for i in m.combo], m.intercept, m.outer)
        fitted = any(cands.has_fitted_constant(i) for i in m.combo)
        scored.append((complexity, quick_nmse(cands, m, y), fitted, m))
    scored.sort(key=lambda s: (s[0], s[1]))
    kept, best, best_complexity = [], float("inf"), -1
    for_refinement: dict[int, int] = {}  # complexity -> models kept only for the margin
    for complexity, nmse, fitted, m in scored:
        if complexity > best_complexity and best <= FLOOR:
            continue  # an exact fit is on the front: a larger model cannot lower the error by FLOOR
        if nmse < best * (1 + 1e-6) + FLOOR:
            kept.append(m)
        elif (fitted and nmse < REFINE_MARGIN * best + FLOOR and sum(for_refinement.values()) < REFINE_TOTAL
              and for_refinement.get(complexity, 0) < REFINE_PER_COMPLEXITY):
            kept.append(m)
            for_refinement[complexity] = for_refinement.get(complexity, 0) + 1
        if nmse < best:
            best, best_complexity = nmse, complexity
    return kept


def pareto(equations, floor: float = 0.0):
    """Non-dominated equations by increasing complexity: each must lower the normalised loss
    (``nmse``, MSE / var(y)) by more than ``floor`` (round-off of exact fits does not count)."""
    front = []
    for eq in sorted(equations, key=lambda e: (e.complexity, e.nmse, e.expression)):
        if not front or eq.nmse < front[-1].nmse * (1 - 1e-9) - floor:
            front.append(eq)
    return front
