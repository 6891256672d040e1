"""Unit verdicts of a formula, computed from its SymPy tree and the inputs' units (never trusted
from a backend or a file).

:func:`dimension_of` walks the tree with the hard rules of the operator catalog: ``+`` needs equal
dimensions, ``*``/``/`` add/subtract them, a power with a numeric exponent scales them, exp, log,
sin, cos, logistic, sign need a dimensionless argument, ``Abs`` keeps the dimension. Numbers are
pure numbers (``constants="pure"``) or may carry any unit (``constants="wildcard"``, the
SymbolicRegression.jl convention). It returns the dimension vector, :data:`ANY` for a wildcard, or
``None`` when a rule is broken.

:func:`verdicts` splits ``y = Σ c_k t_k`` into terms ``c_k · t_k`` (``c_k`` the numeric factor):

* ``dimensionally_consistent``: every ``t_k`` obeys the rules with pure-number inner constants (for
  sisso formulas), or the whole formula obeys them with wildcard constants and has y's dimension
  (for other backends' formulas);
* ``pure_number_coefficients``: consistent, every ``t_k`` has y's dimension and a constant term only
  when y is dimensionless — so no coefficient carries a unit.

Both are ``None`` when no input units are known.
"""

from __future__ import annotations

import numpy as np
import sympy

from sagatsr.units import dimension_vector

ANY = "any"
_DIMENSIONLESS_FUNCS = (sympy.exp, sympy.log, sympy.sin, sympy.cos, sympy.tan)


def _same(a, b):
    if a is ANY:
        return b
    if b is ANY:
        return a
    return a if np.allclose(a, b, atol=1e-9) else None


def dimension_of(expr, dims: dict, constants="pure"):
    """The dimension vector of ``expr`` (module docstring); ``dims`` maps symbol name -> vector."""
    zero = np.zeros(7)
    if expr.is_Number or expr in (sympy.pi, sympy.E):
        return ANY if constants == "wildcard" and expr.is_Float else zero
    if expr.is_Symbol:
        return np.asarray(dims.get(expr.name, zero), float) if expr.name in dims else None
    args = [dimension_of(a, dims, constants) for a in expr.args]
    if any(a is None for a in args):
        return None
    if expr.is_Add:
        out = args[0]
        for a in args[1:]:
            out = _same(out, a)
            if out is None:
                return None
        return out
    if expr.is_Mul:
        if any(a is ANY for a in args):
            return ANY
        return np.sum(args, axis=0)
    if expr.is_Pow:
        base, exponent = args
        if not expr.exp.is_number:
            if _same(exponent, zero) is None or _same(base, zero) is None:
                return None
            return zero
        return ANY if base is ANY else base * float(expr.exp)
    if isinstance(expr, sympy.Abs):
        return args[0]
    if isinstance(expr, sympy.sign):
        return zero  # the sign of any quantity is a pure number
    if isinstance(expr, _DIMENSIONLESS_FUNCS) or isinstance(expr, sympy.Function):
        return zero if all(_same(a, zero) is not None for a in args) else None
    return None


def verdicts(expr, names, X_units, y_units, backend="sisso"):
    """``(dimensionally_consistent, pure_number_coefficients)`` of ``expr`` (module docstring)."""
    if X_units is None:
        return None, None
    dims = {n: dimension_vector(u) for n, u in zip(names, X_units)}
    y_dim = dimension_vector(y_units or "dimensionless")
    consistent, pure = _linear_verdicts(expr, dims, y_dim)
    if backend == "sisso":
        inner = _outer_parts(expr, y_dim)
        if inner is not None:  # y = ±T⁻¹(linear model): the same rules for t = T(y)
            body, t_dim, y_must_be_pure = inner
            t_consistent, t_pure = _linear_verdicts(body, dims, t_dim)
            consistent = consistent or t_consistent
            pure = pure or (t_pure and (not y_must_be_pure or bool(np.allclose(y_dim, 0))))
        return bool(consistent), bool(pure)
    whole = dimension_of(expr, dims, "wildcard")
    # no y unit given (y_units None): any output unit, only the rules inside the formula count
    consistent = whole is not None and (whole is ANY or y_units is None or bool(np.allclose(whole, y_dim)))
    return bool(consistent), bool(pure)


def _linear_verdicts(expr, dims, y_dim):
    """(every term obeys the rules, and every coefficient is a pure number) for ``y = Σ c_k t_k``."""
    terms = sympy.Add.make_args(sympy.expand(expr, deep=False, mul=True, multinomial=False,
                                             power_exp=False, power_base=False, log=False))
    term_dims = []
    constant_term = False
    for term in terms:
        _, rest = term.as_coeff_Mul()
        if rest.is_number:
            constant_term = True
            continue
        term_dims.append(dimension_of(rest, dims, "pure"))
    pure_terms = all(d is not None and d is not ANY for d in term_dims)
    pure = (pure_terms and all(np.allclose(d, y_dim) for d in term_dims)
            and (not constant_term or np.allclose(y_dim, 0)))
    return pure_terms, pure


def _outer_parts(expr, y_dim):
    """For ``±(sum)^q``, ``±|sum|^q`` or ``±exp(sum)`` (a sisso model with an outer function): the sum, the
    dimension the sum must have, and whether y must be dimensionless for pure-number coefficients
    (under exp, ``exp(c0)`` carries y's unit); None for any other shape."""
    coeff, core = expr.as_coeff_Mul()
    if abs(float(coeff)) != 1.0:
        return None
    if isinstance(core, sympy.exp) and core.args[0].is_Add:
        return core.args[0], np.zeros(7), True
    if core.is_Pow and core.exp.is_Rational and core.exp != 0:
        base = core.base.args[0] if isinstance(core.base, sympy.Abs) else core.base  # ±|t|^(1/p)
        if base.is_Add:
            return base, np.asarray(y_dim, float) / float(core.exp), False
    return None
