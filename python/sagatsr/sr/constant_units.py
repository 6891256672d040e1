"""Units of the constants anywhere in a formula tree, in the user's own units.

The sisso backend lists its coefficients (``y = c0 + Σ c_k d_k``) and
:func:`~sagatsr.sr.coefficient_units.annotate_coefficients` gives each one ``[y]/[d_k]``. A Julia
formula is a free tree: its constants sit in products, sums, powers and function arguments, and
SymbolicRegression.jl lets them carry whatever unit makes the formula consistent. This module
infers that unit for every constant by walking the tree from the top with the unit each node must
have (``y``'s at the root):

- a sum passes its unit to every term (when it is not known from above: the unit of its first
  term whose unit no fitted coefficient decides);
- in a product, the numeric factor ``c`` of ``c·f(x)`` carries ``[wanted]/[f]``; a factor whose
  unit its constants decide (a sum of terms that all have fitted coefficients) gets
  ``[wanted]/[the other factors]``;
- ``u**(p/q)`` asks ``[wanted]^(q/p)`` of ``u``; a fitted real exponent and its base are pure
  numbers, as are the arguments of ``exp``, ``log``, ``sin``, …; ``Abs``/``sign``/``Max``/``Min``
  pass the unit through;
- a constant whose unit nothing fixes (a root without a target unit) is a pure number.

Each record has the constant's ``value``, its ``user_unit`` (readable, pint-parsable),
``pure_number`` and ``user_unit_scale`` (as in ``annotate_coefficients``), the ``descriptor`` it
multiplies (``"1"`` for a constant on its own) with ``descriptor_user_unit``, and ``term_user_unit``,
the unit their product must have there (y's for a top-level term, 1 inside ``exp``).
"""

from __future__ import annotations

import sympy

from sagatsr.errors import UnitError
from sagatsr.sr.coefficient_units import annotate_coefficients, describe_unit, expression_unit, unit_text
from sagatsr.units import parse_unit, ureg

__all__ = ["constant_units", "coefficients_with_units"]

_PASS_UNIT = (sympy.Abs, sympy.sign, sympy.Max, sympy.Min)


def constant_units(expr: sympy.Expr, units: dict[str, str], y_unit: str | None) -> list[dict]:
    """One record per Float constant of ``expr``, in the order the walk meets them (module doc).
    Raises :class:`~sagatsr.errors.UnitError` when the tree is not dimensionally consistent."""
    records: list[dict] = []
    wanted = parse_unit(y_unit) if y_unit else None
    found = _walk(expr, wanted, units, records)
    if wanted is not None and (1.0 * found).dimensionality != (1.0 * wanted).dimensionality:
        raise UnitError(f"{expr} has the unit {unit_text(found)}, not {unit_text(wanted)}, whatever its constants carry")
    return records


def coefficients_with_units(equation, units: dict[str, str], y_unit: str | None) -> list[dict] | None:
    """Every coefficient or constant of ``equation`` with its unit in the inputs' own units: the
    backend's list annotated (:func:`~sagatsr.sr.coefficient_units.annotate_coefficients`) when it
    gives one (sisso), else :func:`constant_units` of its tree (Julia); None when the formula has no
    constant or its units cannot be followed (unknown units, an inconsistent tree)."""
    from sagatsr.errors import InputError

    if getattr(equation, "coefficients", None):
        return annotate_coefficients(equation, units, y_unit or "dimensionless")
    try:
        return constant_units(equation.sympy, units, y_unit) or None
    except (UnitError, InputError):
        return None


def _has_constant(expr) -> bool:
    return bool(expr.atoms(sympy.Float))


def _record(records, value, wanted, descriptor, descriptor_unit) -> None:
    """A constant times ``descriptor`` that must have the unit ``wanted`` (None: free, so the
    constant is a pure number)."""
    unit = ureg.dimensionless if wanted is None else wanted / descriptor_unit
    text, pure, scale = describe_unit(unit)
    records.append({"value": float(value), "descriptor": str(descriptor) if descriptor != 1 else "1",
                    "descriptor_user_unit": unit_text(descriptor_unit), "user_unit": text, "pure_number": pure,
                    "user_unit_scale": scale, "term_user_unit": unit_text(unit * descriptor_unit)})


def _walk(expr, wanted, units, records):
    """Record the constants of ``expr`` given the unit it must have (``wanted``; None: free);
    returns its unit."""
    if expr.is_number:
        if _has_constant(expr):
            _record(records, expr, wanted, 1, ureg.dimensionless)
            return wanted if wanted is not None else ureg.dimensionless
        return ureg.dimensionless
    if not _has_constant(expr):
        unit = expression_unit(expr, units)
        if wanted is not None and unit.dimensionality != (1.0 * wanted).dimensionality:
            raise UnitError(f"{expr} has the unit {unit_text(unit)} where {unit_text(wanted)} is needed")
        return unit
    if isinstance(expr, sympy.Add):
        return _walk_sum(expr, wanted, units, records)
    if isinstance(expr, sympy.Mul):
        return _walk_product(expr, wanted, units, records)
    if isinstance(expr, sympy.Pow):
        base, exponent = expr.args
        if exponent.is_Rational:
            base_unit = _walk(base, None if wanted is None else wanted ** (1 / float(exponent)), units, records)
            return base_unit ** float(exponent)
        _walk(exponent, ureg.dimensionless, units, records)  # a fitted exponent: a pure number ...
        _walk(base, ureg.dimensionless, units, records)  # ... of a pure number
        return ureg.dimensionless
    if isinstance(expr, _PASS_UNIT):
        found = [_walk(arg, wanted, units, records) for arg in expr.args]
        return found[0]
    for arg in expr.args:  # exp, log, sin, ...: pure numbers in and out
        _walk(arg, ureg.dimensionless, units, records)
    return ureg.dimensionless


def _natural(expr, units):
    """The unit ``expr`` has whatever its constants carry (None: its constants decide it, e.g. a sum
    of constant-carrying terms only)."""
    if expr.is_number:
        return None if _has_constant(expr) else ureg.dimensionless
    if not _has_constant(expr):
        return expression_unit(expr, units)
    if isinstance(expr, sympy.Add):
        found = [_natural(arg, units) for arg in expr.args if not arg.is_number]
        return next((unit for unit in found if unit is not None), None)
    if isinstance(expr, sympy.Mul):
        if any(arg.is_number and _has_constant(arg) for arg in expr.args):
            return None  # a fitted coefficient can carry any unit
        unit = ureg.dimensionless
        for arg in expr.args:
            if not arg.is_number:
                part = _natural(arg, units)
                if part is None:
                    return None
                unit = unit * part
        return unit
    if isinstance(expr, sympy.Pow) and expr.args[1].is_Rational:
        base = _natural(expr.args[0], units)
        return None if base is None else base ** float(expr.args[1])
    if isinstance(expr, _PASS_UNIT):
        return _natural(expr.args[0], units)
    return ureg.dimensionless  # exp, log, a fitted power: pure numbers


def _walk_sum(expr, wanted, units, records):
    if wanted is None:
        wanted = _natural(expr, units)
        wanted = ureg.dimensionless if wanted is None else wanted  # nothing fixes it: pure numbers
    for arg in expr.args:
        _walk(arg, wanted, units, records)
    return wanted


def _walk_product(expr, wanted, units, records):
    numbers = [arg for arg in expr.args if arg.is_number]
    factors = [arg for arg in expr.args if not arg.is_number]
    coefficient = sympy.Mul(*numbers)
    fixed, open_factors = ureg.dimensionless, []
    for arg in factors:  # factors whose unit the constants do not decide, walked as they are
        natural = _natural(arg, units)
        if natural is None:
            open_factors.append(arg)
        else:
            fixed = fixed * _walk(arg, natural, units, records)
    if open_factors and wanted is not None and not _has_constant(coefficient):
        # the last open factor takes what the product still needs; any others are pure numbers
        for arg in open_factors[:-1]:
            _walk(arg, ureg.dimensionless, units, records)
        unit = fixed * _walk(open_factors[-1], wanted / fixed, units, records)
    else:
        for arg in open_factors:
            _walk(arg, ureg.dimensionless, units, records)
        unit = fixed
    if _has_constant(coefficient):
        _record(records, coefficient, wanted, sympy.Mul(*factors), unit)
        return wanted if wanted is not None else unit
    return unit
