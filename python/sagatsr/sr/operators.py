"""The one operator catalog shared by the sisso engine, the Julia backend and the parser.

Each :class:`Operator` carries its NumPy implementation (NaN-safe: invalid inputs give NaN, never a
warning or an exception), its SymPy builder, its unit rule and its complexity. Unit rules act on SI
dimension vectors (:func:`sagatsr.units.dimension_vector`): they return the output vector, or
``None`` when the rule forbids the combination (e.g. ``x + y`` with different units, ``exp(x)`` of a
dimensional ``x``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import sympy

_TOL = 1e-9


@dataclass(frozen=True)
class Operator:
    """One operator: ``name`` (ours), ``arity`` (1 or 2), ``julia_name`` (SymbolicRegression.jl)."""

    name: str
    arity: int
    julia_name: str
    numpy_fn: Callable
    sympy_fn: Callable
    unit_rule: Callable[..., Optional[np.ndarray]]
    complexity: int
    description: str


def _quiet(fn):
    def wrapped(*args):
        with np.errstate(all="ignore"):
            out = fn(*(np.asarray(a, dtype=float) for a in args))
        return np.where(np.isfinite(out), out, np.nan)

    wrapped.__name__ = fn.__name__ if hasattr(fn, "__name__") else "op"
    return wrapped


# dimension vectors hold small rationals: an absolute tolerance suffices (and np.allclose's
# overhead is a large share of building 10^5 candidates)
def _same(a, b):
    a = np.asarray(a, float)
    return a.copy() if float(np.max(np.abs(a - np.asarray(b, float)))) <= _TOL else None


def _dimensionless(a):
    a = np.asarray(a, float)
    return np.zeros_like(a) if float(np.max(np.abs(a))) <= _TOL else None


def _scale(power):
    return lambda a: power * np.asarray(a, float)


def _keep(a):
    return np.array(a, float)


def _np_sqrt(x):
    return np.where(x >= 0, np.sqrt(np.abs(x)), np.nan)


def _np_log(x):
    return np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)


def _np_logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_harmonic(x, y):
    return x * y / (x + y)


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in [
        Operator("add", 2, "+", _quiet(np.add), lambda a, b: a + b, _same, 1, "x + y (same units)"),
        Operator("sub", 2, "-", _quiet(np.subtract), lambda a, b: a - b, _same, 1,
                 "x - y (same units)"),
        Operator("mul", 2, "*", _quiet(np.multiply), lambda a, b: a * b,
                 lambda a, b: np.asarray(a, float) + np.asarray(b, float), 1, "x * y"),
        Operator("div", 2, "/", _quiet(np.divide), lambda a, b: a / b,
                 lambda a, b: np.asarray(a, float) - np.asarray(b, float), 1, "x / y"),
        Operator("absdiff", 2, "absdiff", _quiet(lambda x, y: np.abs(x - y)),
                 lambda a, b: sympy.Abs(a - b), _same, 1, "|x - y| (same units)"),
        Operator("harmonic", 2, "harmonic", _quiet(_np_harmonic), lambda a, b: a * b / (a + b),
                 _same, 1, "x*y/(x+y), the series/harmonic combination (same units)"),
        Operator("inv", 1, "inv", _quiet(lambda x: 1.0 / x), lambda a: 1 / a, _scale(-1), 1, "1/x"),
        Operator("square", 1, "square", _quiet(np.square), lambda a: a**2, _scale(2), 1, "x^2"),
        Operator("cube", 1, "cube", _quiet(lambda x: x**3), lambda a: a**3, _scale(3), 1, "x^3"),
        Operator("sqrt", 1, "sqrt", _quiet(_np_sqrt), sympy.sqrt, _scale(0.5), 1,
                 "sqrt(x) (NaN for x < 0)"),
        Operator("cbrt", 1, "cbrt", _quiet(np.cbrt), lambda a: sympy.sign(a) * sympy.Abs(a) ** sympy.Rational(1, 3),
                 _scale(1.0 / 3.0), 1, "real cube root"),
        Operator("abs", 1, "abs", _quiet(np.abs), sympy.Abs, _keep, 1, "|x|"),
        Operator("exp", 1, "exp", _quiet(np.exp), sympy.exp, _dimensionless, 1,
                 "e^x (dimensionless x)"),
        Operator("log", 1, "log", _quiet(_np_log), sympy.log, _dimensionless, 1,
                 "natural log (dimensionless x > 0, else NaN)"),
        Operator("sin", 1, "sin", _quiet(np.sin), sympy.sin, _dimensionless, 1,
                 "sine (dimensionless x, radians)"),
        Operator("cos", 1, "cos", _quiet(np.cos), sympy.cos, _dimensionless, 1,
                 "cosine (dimensionless x, radians)"),
        Operator("logistic", 1, "logistic", _quiet(_np_logistic), lambda a: 1 / (1 + sympy.exp(-a)),
                 _dimensionless, 1, "1/(1+e^-x), the smooth step (dimensionless x)"),
    ]
}

#: names of SymbolicRegression.jl's built-in safe variants, mapped to our operator names
JULIA_ALIASES: dict[str, str] = {"safe_sqrt": "sqrt", "safe_log": "log", "neg": "neg",
                                 "safe_pow": "pow"}

DEFAULT_BINARY = ("add", "sub", "mul", "div")
DEFAULT_UNARY = ("inv", "square", "sqrt", "exp", "log", "sin", "cos")


def by_julia_name(julia_name: str) -> Operator:
    """The operator whose ``julia_name`` is ``julia_name`` (KeyError otherwise)."""
    for op in OPERATORS.values():
        if op.julia_name == julia_name:
            return op
    raise KeyError(julia_name)
