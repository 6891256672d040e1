"""Scale-free numerics for the sisso engine: the search runs on rescaled copies of X and y.

Two exact, per-column factors take the user's numbers to the engine's (``x_int = g_j · x_user``):

1. **SI conversion.** Each column is converted to SI base units with its pint unit (mg → kg is
   ×1e-6, eV → J is ×1.602e-19). So the same data in mg or kg, eV or J become the same numbers.
2. **One scale per base dimension.** With ``D`` the (features × 7) matrix of SI dimension
   exponents and ``m_j = log10(median |x_j|)`` the typical magnitude of column j in SI, the seven
   base scales ``log10 S`` solve ``min Σ_j (m_j − D_j·log10 S)²`` (minimum norm, dimensional
   columns only) and column j is divided by ``S^{D_j}``. A dimensionally consistent descriptor
   ``d`` then changes by the exact factor ``S^{-dim d}``, sums of like quantities stay sums
   (``x1 + x2`` with both in m get the same factor), arguments of exp/log/sin stay untouched
   (dimensionless columns keep scale 1). Typical magnitudes become ≈ 1 whatever the units or the
   physical constants involved (ħ ≈ 1e-34 J·s, data at 1e200), so products neither overflow nor
   underflow and no threshold depends on the magnitude of the data.

The target is divided by its RMS (linear models absorb the factor in their coefficients).
All factors are computed in log space, so no intermediate overflows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sagatsr.errors import UnitError
from sagatsr.units import parse_unit, ureg


def si_factor(unit: str) -> float:
    """The factor taking a value in ``unit`` to SI base units; :class:`UnitError` for offset units
    (degC, degF: a temperature difference and an absolute temperature would need different rules,
    so give kelvin)."""
    parsed = parse_unit(unit)
    offset = [n for n in parsed._units if not ureg._units[n].converter.is_multiplicative]
    if offset:
        raise UnitError(f"unit {unit!r} has an offset ({', '.join(offset)}); give absolute "
                        "temperatures in kelvin (or a difference as delta_degC)")
    return float(ureg.Quantity(1.0, parsed).to_base_units().magnitude)


def log10_magnitude(column) -> float:
    """log10 of the median of the non-zero |values| (0 for an all-zero column), overflow-free."""
    a = np.abs(np.asarray(column, float))
    a = a[a > 0]
    return float(np.median(np.log10(a))) if a.size else 0.0


@dataclass(frozen=True)
class Scaling:
    """``x_int = x_user * column_factor``; ``y_int = y_user / y_scale``."""

    column_factor: np.ndarray
    y_scale: float

    def apply(self, X, y=None):
        X_int = np.asarray(X, float) * self.column_factor
        return X_int if y is None else (X_int, np.asarray(y, float) / self.y_scale)


def scaling_for(X, y, dims, units=None) -> Scaling:
    """The factors described in the module docstring (``units`` None: the numbers are taken as SI)."""
    X = np.asarray(X, float)
    p = X.shape[1]
    log_si = np.array([np.log10(si_factor(u)) for u in units]) if units is not None else np.zeros(p)
    D = np.array([np.asarray(d, float) for d in dims]).reshape(p, -1)
    magnitude = np.array([log10_magnitude(X[:, j]) for j in range(p)]) + log_si
    dimensional = np.any(np.abs(D) > 1e-9, axis=1)
    log_scale = np.zeros(D.shape[1])
    if dimensional.any():
        log_scale = np.linalg.lstsq(D[dimensional], magnitude[dimensional], rcond=None)[0]
    log_factor = log_si - D @ log_scale
    y = np.asarray(y, float)
    peak = float(np.max(np.abs(y))) if y.size else 1.0
    y_scale = peak * float(np.sqrt(np.mean((y / peak) ** 2))) if peak > 0 else 1.0
    return Scaling(column_factor=10.0 ** log_factor, y_scale=y_scale or 1.0)
