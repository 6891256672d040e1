"""Is a formula the right law "up to fitted constants"? (SRBench's symbolic-solution idea, checked
numerically.)

Every Float of ``expr`` becomes a free parameter, fitted by least squares (from the returned
values) to the reference values ``truth`` on the points ``X``; the structure matches when the
refitted formula reproduces ``truth`` to a relative RMS error ≤ ``rtol``. Two analytic expressions
that agree this closely at many random points are the same function, so noise in the returned
constants does not count, while a missing term or another functional form does. Equal Floats
are one parameter (SymPy keeps one atom per value), so ``1.0·a + 1.0·b`` can only scale as a whole.
"""

from __future__ import annotations

import numpy as np
import sympy
from scipy.optimize import least_squares


def matches_up_to_constants(expr, symbols, X, truth, rtol: float = 1e-6) -> bool:
    """True when some values of ``expr``'s Floats make it equal ``truth`` on ``X`` (module doc);
    ``symbols`` name the columns of ``X``."""
    truth = np.asarray(truth, float)
    floats = sorted(expr.atoms(sympy.Float), key=float)
    params = [sympy.Symbol(f"_k{i}") for i in range(len(floats))]
    fn = sympy.lambdify([*symbols, *params], expr.xreplace(dict(zip(floats, params))), "numpy")
    scale = np.sqrt(np.mean(truth**2))

    def residual(p):
        with np.errstate(all="ignore"):
            out = np.broadcast_to(np.asarray(fn(*np.asarray(X, float).T, *p), float), truth.shape) - truth
        return np.where(np.isfinite(out), out, 1e6 * scale) / scale

    p0 = np.array([float(f) for f in floats])
    r = residual(p0)
    if params and np.sqrt(np.mean(r**2)) > rtol:
        try:
            r = least_squares(residual, p0, method="trf", x_scale="jac", max_nfev=300).fun
        except Exception:  # noqa: BLE001 - a refit that fails is not a match
            return False
    return bool(np.sqrt(np.mean(r**2)) <= rtol)
