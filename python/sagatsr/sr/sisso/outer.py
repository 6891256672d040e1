"""Outer functions: models of a transformed target, ``y = T⁻¹(c0 + Σ c_k d_k)``.

Many laws are linear in simple descriptors only after a transformation of y: a distance from
squared differences (``y² = Δx² + Δy²``), a relativistic mass (``1/y² = 1/m0² − (v/c)²/m0²``),
resistors in series or lenses (``1/y = Σ 1/R_k``), a Gaussian or an Arrhenius factor
(``log y = c0 + c1·log σ − θ²/2σ²``). The engine screens and solves the ℓ0 problem for ``t = T(y)``
with the same candidates and writes the model back as ``y = T⁻¹(linear model)``; the models of all
outer functions then compete on their error in y itself.

==================  ===========  =============  =====================  ========================
name                ``t = T(y)``  ``y``         unit of ``t``          switched on by operators
==================  ===========  =============  =====================  ========================
``square``          ``y²``       ``±√t``        ``[y]²``               ``sqrt``
``inverse``         ``1/y``      ``1/t``        ``1/[y]``              ``inv``
``inverse_square``  ``1/y²``     ``±1/√t``      ``1/[y]²``             ``inv`` and ``sqrt``
``log``             ``log|y|``   ``±exp(t)``    dimensionless          ``exp``
==================  ===========  =============  =====================  ========================

For ``square`` and ``inverse_square`` the model is written ``y = ±|t|^(1/p)``: with noise, the
fitted ``t`` of an exact law can dip just below zero on a row where ``y`` is near zero (a distance
between two nearly equal points), and ``√t`` would make that model NaN there and drop it. The
formula shows the ``Abs`` only when the fitted ``t`` is negative on some fit row (and SymPy cannot
prove the sum non-negative), so it is written as the engine scored it, and stays plain otherwise.

A transform applies only when y has one sign on every fit row and no |y| is below 1e-9 of the
largest (so ``T`` and its inverse are smooth on the data), and when ``T`` of y in the user's unit
stays within floating point (no ``y²`` of values near 1e200); the sign is part of the formula. Under a
``log`` the descriptors must be dimensionless and ``exp(c0)`` carries y's unit, so with
``units="strict"`` the ``log`` transform needs a dimensionless y.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

#: smallest |y| relative to the largest for a transform to apply
MIN_RELATIVE_MAGNITUDE = 1e-9


@dataclass(frozen=True)
class Outer:
    """One outer function; ``power`` is the exponent of ``T(y) = y^power`` (0 for ``log``)."""

    name: str
    power: float
    complexity: int
    enabled_by: tuple[str, ...]

    @property
    def _even(self) -> bool:
        return self.power in (2.0, -2.0)

    @property
    def is_identity(self) -> bool:
        return self.name == "identity"

    def forward(self, y, sign: float = 1.0) -> np.ndarray:
        """``t = T(y)`` (``y`` with the sign divided out)."""
        a = np.asarray(y, float) * sign
        with np.errstate(all="ignore"):
            return np.log(a) if self.power == 0 else a**self.power

    def inverse(self, t, sign: float = 1.0) -> np.ndarray:
        """``y = sign · T⁻¹(t)``, with ``|t|`` under an even root (module docstring)."""
        t = np.asarray(t, float)
        with np.errstate(all="ignore"):
            if self.power == 0:
                return sign * np.exp(t)
            if self._even:
                return sign * np.abs(t) ** (1.0 / self.power)
            return sign * t ** (1.0 / self.power)

    def slope(self, t, sign: float = 1.0) -> np.ndarray:
        """``dy/dt`` of ``y = sign · T⁻¹(t)``."""
        t = np.asarray(t, float)
        with np.errstate(all="ignore"):
            if self.power == 0:
                return sign * np.exp(t)
            if self._even:
                return sign * np.sign(t) * np.abs(t) ** (1.0 / self.power - 1.0) / self.power
            return sign * t ** (1.0 / self.power - 1.0) / self.power

    def fit(self, A, y, sign: float = 1.0, steps: int = 10) -> np.ndarray:
        """Coefficients ``c`` of ``y ≈ sign · T⁻¹(A c)``: least squares on ``T(y)``, then
        Gauss-Newton steps on the error in y itself (a step is kept only if it lowers it). With
        noise, least squares on ``1/y²`` weighs the rows unevenly; the exact law must win on y."""
        t = self.forward(y, sign)
        if not A.shape[1]:
            return np.empty(0)
        if not (np.all(np.isfinite(A)) and np.all(np.isfinite(t))):
            return np.full(A.shape[1], np.nan)
        coef = np.linalg.lstsq(A, t, rcond=None)[0]
        if self.is_identity:
            return coef
        sse = _sse(self.inverse(A @ coef, sign) - y)
        for _ in range(steps):
            p = A @ coef
            with np.errstate(all="ignore"):
                J = self.slope(p, sign)[:, None] * A
                r = y - self.inverse(p, sign)
            if not (np.all(np.isfinite(J)) and np.all(np.isfinite(r))):
                break
            step = np.linalg.lstsq(J, r, rcond=None)[0]
            for _ in range(6):  # halve until it helps
                trial = coef + step
                trial_sse = _sse(self.inverse(A @ trial, sign) - y)
                if trial_sse < sse:
                    break
                step = step / 2
            else:
                break
            improved = trial_sse < sse * (1 - 1e-12)
            coef, sse = trial, trial_sse
            if not improved:
                break
        return coef

    def t_dim(self, y_dim) -> np.ndarray:
        """The dimension vector of ``t`` (dimensionless for ``log``)."""
        return np.asarray(y_dim, float) * self.power if self.power != 0 else np.zeros_like(np.asarray(y_dim, float))

    def t_scale(self, y_scale: float) -> tuple[float, float]:
        """``(factor, offset)`` with ``T(y_user) = factor · T(y_int) + offset`` for ``y_user = y_scale · y_int``."""
        if self.power == 0:
            return 1.0, float(np.log(y_scale))
        return float(y_scale) ** self.power, 0.0

    def wrap(self, inner, sign: float = 1.0, absolute: bool = False):
        """The SymPy formula ``y = sign · T⁻¹(inner)``; ``absolute``: ``|inner|`` under an even root."""
        if self.is_identity:
            return inner
        if self.power == 0:
            body = sympy.exp(inner)
        else:
            base = sympy.Abs(inner) if self._even and absolute else inner
            body = sympy.Pow(base, sympy.Rational(1, 1) / sympy.nsimplify(self.power))
        return -body if sign < 0 else body


def _sse(residual) -> float:
    with np.errstate(all="ignore"):
        value = float(residual @ residual)
    return value if np.isfinite(value) else np.inf


IDENTITY = Outer("identity", 1.0, 0, ())
OUTERS = (Outer("square", 2.0, 1, ("sqrt",)), Outer("inverse", -1.0, 1, ("inv",)),
          Outer("inverse_square", -2.0, 2, ("inv", "sqrt")), Outer("log", 0.0, 1, ("exp",)))
OUTER_NAMES = tuple(o.name for o in OUTERS)


def outers_from(operators) -> tuple[str, ...]:
    """The outer functions switched on by a list of catalog operator names."""
    ops = set(operators)
    return tuple(o.name for o in OUTERS if set(o.enabled_by) <= ops)


def applicable(y, y_dim, names, strict: bool, y_scale: float = 1.0) -> list[tuple[Outer, float]]:
    """``(outer, sign)`` for the identity and each named outer function that applies to ``y``
    (module docstring). ``y_scale`` (y in the user's unit is ``y_scale · y``): a power whose
    coefficients in the user's unit would overflow a float (``y ~ 1e200`` squared) is left out."""
    y = np.asarray(y, float)
    out = [(IDENTITY, 1.0)]
    if not names or y.size == 0:
        return out
    sign = 1.0 if np.all(y > 0) else -1.0 if np.all(y < 0) else 0.0
    if sign == 0.0 or np.min(np.abs(y)) < MIN_RELATIVE_MAGNITUDE * np.max(np.abs(y)):
        return out
    dimensionless = bool(np.allclose(y_dim, 0))
    magnitude = abs(np.log10(y_scale)) if y_scale > 0 else np.inf
    for outer in OUTERS:
        if outer.name not in names or (outer.power == 0 and strict and not dimensionless):
            continue
        if abs(outer.power) * magnitude < 300:
            out.append((outer, sign))
    return out
