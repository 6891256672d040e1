"""From an engine model (descriptor trees on the rescaled inputs + least squares) to an
:class:`~sagatsr.sr.equation.Equation` in the user's units.

The engine fits ``y_int = β0 + Σ β_k d_k(x_int)`` with ``x_int = g ∘ x`` and ``y_int = y / s``
(:mod:`.scaling`). In the user's units that is ``y = s·β0 + Σ s·β_k d_k(g ∘ x)``. When
``d_k(g ∘ x) = G_k · d_k(x)`` for a constant ``G_k`` (every dimensionally consistent descriptor of
consistently converted inputs) the formula is written ``(s β_k G_k) · d_k(x)``; otherwise (e.g.
``m1 + m2`` with m1 in mg and m2 in kg) the conversion stays visible inside the descriptor.

Units of the coefficients: ``β_k`` carries ``[y]/[d_k]`` and ``β0`` carries ``[y]``. The equation's
``pure_number_coefficients`` is true when every coefficient is a pure number: every descriptor has
y's dimension and there is no intercept unless y is dimensionless (inner constants of parametric
descriptors are pure numbers by construction).

With an outer function (:mod:`.outer`, ``y = T⁻¹(t)``) the same holds for ``t = T(y)``: ``t_user``
is ``s^p · t_int`` for ``T(y) = y^p`` and ``log s + t_int`` for ``log``; ``β_k`` carries
``[t]/[d_k]``; the formula is pure-number only if every descriptor has t's dimension (and, under a
``log``, y is dimensionless: ``exp(c0)`` would carry its unit).
"""

from __future__ import annotations

import numpy as np
import sympy

from sagatsr.sr.equation import Equation
from sagatsr.sr.sisso.outer import IDENTITY
from sagatsr.sr.sisso.parametric import InnerConstants
from sagatsr.sr.sisso.select import cv_errors, design
from sagatsr.units import vector_to_unit


def _user_factor(d, symbols, factors, X_user_rows):
    """``G`` with ``d(g ∘ x) = G · d(x)`` on the probe rows, or None when it is not constant."""
    sub = d.xreplace({s: f * s for s, f in zip(symbols, factors) if f != 1.0})
    if sub == d:
        return sympy.Integer(1)
    ratios = []
    for row in X_user_rows:
        values = {s: sympy.Float(float(v), 17) for s, v in zip(symbols, row)}
        num, den = sub.xreplace(values).evalf(20), d.xreplace(values).evalf(20)
        if not (num.is_real and den.is_real) or den == 0:
            return None
        ratios.append(num / den)
    if all(abs(r / ratios[0] - 1) < 1e-9 for r in ratios[1:]):
        return sympy.Float(ratios[0], 15)
    return None


def build_equation(trees, dims, complexity, X_int, y_int, *, scaling, symbols, X_user_rows,
                   y_unit, y_dim, intercept, names, factor_cache, outer=IDENTITY, sign=1.0) -> Equation | None:
    """The Equation of one model (``trees``: descriptor SymPy trees over ``symbols``); with an
    outer function (:mod:`.outer`) the linear model is fitted to ``T(y)`` and written
    ``y = sign · T⁻¹(c0 + Σ c_k d_k)``. None when a descriptor is not finite on every fit row."""
    fns = [sympy.lambdify(symbols, t, "numpy") for t in trees]
    with np.errstate(all="ignore"):
        D = np.column_stack([np.broadcast_to(np.asarray(f(*X_int.T), float), y_int.shape)
                             for f in fns]) if trees else np.empty((len(y_int), 0))
    if not np.all(np.isfinite(D)):
        return None  # a rounded inner constant moved a pole onto a fit row: not a usable formula
    A = design(D, len(y_int), intercept)
    coef = outer.fit(A, y_int, sign)
    pred = outer.inverse(A @ coef, sign)
    s, offset = outer.t_scale(scaling.y_scale)
    t_dim = outer.t_dim(y_dim)
    t_unit = vector_to_unit(t_dim)
    betas = list(coef[1:] if intercept else coef)
    expr = sympy.Float(float(coef[0]) * s + offset, 12) if intercept else None
    coefficients = []
    if intercept:
        coefficients.append({"descriptor": "1", "value": float(coef[0]) * s + offset, "units": t_unit})
    factors = [float(f) for f in scaling.column_factor]
    for beta, tree, dim in zip(betas, trees, dims):
        key = sympy.srepr(tree)
        if key not in factor_cache:
            factor_cache[key] = _user_factor(tree, symbols, factors, X_user_rows)
        G = factor_cache[key]
        if G is None:
            value, shown = sympy.Float(float(beta) * s, 12), tree.xreplace(
                {sym: sympy.Float(f, 15) * sym for sym, f in zip(symbols, factors) if f != 1.0})
        else:
            value, shown = sympy.Float(sympy.Float(float(beta) * s, 15) * G, 12), tree
        # unevaluated: sympy would otherwise spread c over a sum, c*(a + b) -> c*a + c*b, hiding
        # the descriptor the formula was built from
        term = sympy.Mul(value, shown, evaluate=False)
        expr = term if expr is None else expr + term
        coefficients.append({"descriptor": str(shown), "value": float(value),
                             "units": vector_to_unit(t_dim - dim),
                             "descriptor_units": vector_to_unit(dim)})
    if not outer.is_identity:
        for entry in coefficients:
            entry["outer"] = outer.name
        # |t| under an even root only where the fit needed it (outer.py): a negative t on a fit row
        expr = outer.wrap(expr, sign, absolute=bool(np.any(A @ coef < 0)))
    pure = (all(np.allclose(d, t_dim) for d in dims) and (not intercept or np.allclose(t_dim, 0))
            and (outer.power != 0 or np.allclose(y_dim, 0)))
    n_nodes = model_complexity(complexity, intercept, outer)
    used = sorted({sym.name for t in trees for sym in t.free_symbols}, key=names.index)
    with np.errstate(all="ignore"):
        mse = float(np.mean((pred - y_int) ** 2))
    mse = mse if np.isfinite(mse) else float("inf")
    var = float(np.var(y_int))
    residuals = cv_errors(D, y_int, intercept, outer=outer, sign=sign,
                          refit=_fold_refit(trees, symbols, X_int, outer.forward(y_int, sign), intercept))
    residuals = residuals / np.sqrt(var)
    with np.errstate(over="ignore", invalid="ignore"):
        cv = float(np.mean(residuals**2)) * var
    cv = cv if np.isfinite(cv) else float("inf")
    scale = scaling.y_scale
    with np.errstate(over="ignore"):  # y ~ 1e200: the MSE in y's unit² is honestly inf
        loss, cv_loss = float(mse * scale * scale), float(cv * scale * scale)
    return Equation(expression=str(expr), sympy=expr, complexity=int(max(n_nodes, 1)),
                    loss=loss, units=y_unit, backend="sisso",
                    inputs=used, dimensionally_consistent=True, coefficients=coefficients,
                    pure_number_coefficients=bool(pure), cv_loss=cv_loss, nmse=mse / var,
                    cv_nmse=cv / var, cv_residuals=residuals)


def _fold_refit(trees, symbols, X_int, t, intercept):
    """For :func:`~.select.cv_errors`: the descriptors with their inner constants refitted on a
    fold's training rows (None when the trees hold no fitted constant)."""
    constants = InnerConstants(trees, symbols, intercept)
    if not constants.floats:
        return None

    def columns(train):
        return constants.columns(X_int, constants.fit(X_int[train], t[train], quick=True))
    return columns


def model_complexity(complexity, intercept: bool, outer=IDENTITY) -> int:
    """Node count of ``T⁻¹(c0 + Σ c_k d_k)`` from the descriptors' complexities."""
    return int(sum(c + 2 for c in complexity) + (1 if intercept else -1) + outer.complexity)
